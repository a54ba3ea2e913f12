"""A table kept as a loaded DataFrame plus the rows changed since, keyed by id.

The coding store changes one row per click. Rebuilding or copying a
50,000-row DataFrame for each change would make a click cost milliseconds
per thousand rows; instead :class:`RowTable` keeps the DataFrame as loaded
(the *base*) and a dictionary of the rows changed since (the *overlay*),
so a change costs the same whatever the table's size. The whole table is
assembled again only when somebody reads it (:meth:`RowTable.frame`, cached
until the next change) or when the store writes a snapshot.

Rows are plain dictionaries ``{column: value}`` with Python values: ``str``
for text and ids, ``int`` for whole numbers, ``None`` for an empty cell.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pandas as pd

from ebm_analysis.schema import Table

__all__ = ["RowTable", "py_value", "rows_equal"]


def py_value(value):
    """A cell as a plain Python value: ``None`` for any missing value, ``int`` for whole numbers.

    Examples
    --------
    >>> py_value(pd.NA) is None, py_value(np.int64(3)), py_value("x")
    (True, 3, 'x')
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, float):
        return None if value != value else value
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    return value


def rows_equal(a: dict | None, b: dict | None) -> bool:
    """Whether two rows hold the same values (a column missing from one counts as empty).

    Examples
    --------
    >>> rows_equal({"a": 1, "b": None}, {"a": 1})
    True
    >>> rows_equal({"a": 1}, None)
    False
    """
    if a is None or b is None:
        return a is b
    return all(a.get(k) == b.get(k) for k in a.keys() | b.keys())


class RowTable:
    """One table of the store: the DataFrame as loaded plus the rows changed since.

    Parameters
    ----------
    table : Table
        The table's schema (:mod:`ebm_analysis.schema`); its first key
        column is the row id.
    frame : DataFrame
        The table as loaded; columns the schema has but the frame lacks are
        added as empty.

    Examples
    --------
    >>> from ebm_analysis.schema import TABLES_BY_NAME
    >>> t = RowTable(TABLES_BY_NAME["codebook"], pd.DataFrame({"code_id": ["a"], "status": ["active"]}))
    >>> t.put("b", {"code_id": "b", "status": "unused"})
    >>> t.get("a")["status"], len(t), "b" in t
    ('active', 2, True)
    >>> t.delete("a")
    >>> t.frame()["code_id"].tolist()
    ['b']
    """

    def __init__(self, table: Table, frame: pd.DataFrame):
        self.table = table
        self.key = table.key[0]
        self.columns = table.column_names
        self._base = _conform(table, frame)
        self._arrays = {c: self._base[c].array for c in self.columns}  # indexing these is ~30x faster than .iat
        self._pos = {k: i for i, k in enumerate(self._base[self.key].tolist())}
        self._overlay: dict[str, dict | None] = {}
        self._cache: pd.DataFrame | None = self._base
        self.version = 0

    # ------------------------------------------------------------ reading

    def get(self, key: str) -> dict | None:
        """The row with this id, or None."""
        if key in self._overlay:
            row = self._overlay[key]
            return dict(row) if row is not None else None
        i = self._pos.get(key)
        if i is None:
            return None
        return {c: py_value(self._arrays[c][i]) for c in self.columns}

    def base_position(self, key: str) -> int | None:
        """The row's position in the table as loaded (None for a row added since)."""
        return self._pos.get(key)

    def __contains__(self, key: str) -> bool:
        if key in self._overlay:
            return self._overlay[key] is not None
        return key in self._pos

    def __len__(self) -> int:
        n = len(self._pos)
        for key, row in self._overlay.items():
            n += (row is not None) - (key in self._pos)
        return n

    def keys(self) -> Iterator[str]:
        """Row ids in table order: loaded rows first (as loaded), then new rows in order of insertion."""
        for key in self._pos:
            if key not in self._overlay or self._overlay[key] is not None:
                yield key
        for key, row in self._overlay.items():
            if key not in self._pos and row is not None:
                yield key

    def column_values(self, column: str) -> list:
        """Every row's value in one column, in table order."""
        return [py_value(v) for v in self.frame()[column].tolist()]

    @property
    def changed(self) -> bool:
        """Whether any row changed since the table was loaded (or last :meth:`rebase`)."""
        return bool(self._overlay)

    def frame(self) -> pd.DataFrame:
        """The whole table as a DataFrame with the schema's dtypes (shared; copy before changing it)."""
        if self._cache is None:
            self._cache = self._assemble()
        return self._cache

    # ------------------------------------------------------------ changing

    def put(self, key: str, row: dict) -> None:
        """Insert or replace the row with this id."""
        self._overlay[key] = {c: row.get(c) for c in self.columns}
        self._changed()

    def delete(self, key: str) -> None:
        """Remove the row with this id (no error when it is absent)."""
        if key in self._pos:
            self._overlay[key] = None
        else:
            self._overlay.pop(key, None)
        self._changed()

    def rebase(self, frame: pd.DataFrame | None = None) -> None:
        """Make the current table (or ``frame``) the new base and forget the overlay."""
        self.__init__(self.table, self.frame() if frame is None else frame)

    def _changed(self) -> None:
        self._cache = None
        self.version += 1

    # ------------------------------------------------------------ assembling

    def _assemble(self) -> pd.DataFrame:
        base = self._base
        if not self._overlay:
            return base
        updated = {self._pos[k]: row for k, row in self._overlay.items() if k in self._pos and row is not None}
        dropped = [self._pos[k] for k, row in self._overlay.items() if k in self._pos and row is None]
        new = [row for k, row in self._overlay.items() if k not in self._pos and row is not None]
        columns = {}
        positions = np.fromiter(updated.keys(), dtype=np.intp, count=len(updated))
        for col in self.table.columns:
            values = base[col.name].array.copy()
            if len(positions):
                values[positions] = pd.array([r[col.name] for r in updated.values()], dtype=col.dtype)
            columns[col.name] = values
        out = pd.DataFrame(columns, index=pd.RangeIndex(len(base)))
        if dropped:
            keep = np.ones(len(base), dtype=bool)
            keep[dropped] = False
            out = out[keep]
        if new:
            out = pd.concat([out, _frame_of(self.table, new)], ignore_index=True)
        return out.reset_index(drop=True)


def _frame_of(table: Table, rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.array([r.get(c.name) for r in rows], dtype=c.dtype) for c in table.columns})


def _conform(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the schema's columns, in order, with its dtypes (missing columns empty)."""
    out = {}
    for col in table.columns:
        if col.name in frame.columns:
            series = frame[col.name]
            out[col.name] = series.array if str(series.dtype) == col.dtype else pd.array(
                [py_value(v) for v in series.tolist()], dtype=col.dtype)
        else:
            out[col.name] = pd.array([None] * len(frame), dtype=col.dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
