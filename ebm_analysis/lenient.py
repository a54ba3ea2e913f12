"""Reading a data folder's codings, codebook and texts without the loader's full checks.

Repairing spans and redacting text must work on a folder that does not load
(that is why they are needed): after a text edit the loader refuses the
codings whose spans moved, and a personal identifier must be removable from
a file that has other problems. :func:`read_coding_state` reads just what
they need: the segments' ``text_sv``, ``codebook.csv`` and ``codings.csv``
(plus the change log replayed on top), checking only that the cells can be
split and the numbers read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ebm_analysis.changelog import apply_log
from ebm_analysis.errors import DataError, Problem
from ebm_analysis.project import Project
from ebm_analysis.reading import read_raw_table
from ebm_analysis.schema import TABLES_BY_NAME, Table

__all__ = ["read_coding_state"]

_TEXT_TABLES = {"excerpts": ("excerpt_id", "text_sv"), "observations": ("note_id", "text_sv")}


def read_coding_state(folder: str | Path) -> Project:
    """The codings, codebook and segment texts of a folder, read leniently, with the change log applied.

    Returns
    -------
    Project
        With the tables ``codings``, ``codebook`` (all columns),
        ``excerpts`` and ``observations`` (their id and ``text_sv`` only),
        and ``change_log`` / ``sequence`` set as by the loader.

    Raises
    ------
    DataError
        When these files cannot be read at all (not UTF-8, cells that do
        not split, a number that is not a number), or the change log does
        not fit them.
    """
    from ebm_analysis.redaction import finish_interrupted

    folder = Path(folder)
    finish_interrupted(folder)  # a redaction interrupted after it was staged is completed first
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for name, (key, text) in _TEXT_TABLES.items():
        rows = _read(folder, TABLES_BY_NAME[name], problems)
        frames[name] = pd.DataFrame({key: pd.array([r.get(key) for r in rows], dtype="string"),
                                     text: pd.array([r.get(text) for r in rows], dtype="string")})
    for name in ("codebook", "codings"):
        table = TABLES_BY_NAME[name]
        rows = _read(folder, table, problems)
        frames[name] = pd.DataFrame({c.name: pd.array([r.get(c.name) for r in rows], dtype=c.dtype)
                                     for c in table.columns})
    if problems:
        raise DataError(problems)
    _, position, _ = apply_log(folder, frames)
    project = Project(folder, frames)
    project.sequence = position.sequence
    project.change_log = position
    return project


def _read(folder: Path, table: Table, problems: list[Problem]) -> list[dict]:
    path = folder / table.file
    if not path.is_file():
        return []
    raw, found = read_raw_table(path, table.file, folder)
    fatal = [p for p in found if p.line is None or "fields where the header has" in p.found or raw is None]
    if raw is None or fatal:
        problems.extend(found)
        return []
    rows = []
    for line, cells in raw.rows:
        row = {}
        for col in table.columns:
            cell = cells[raw.header.index(col.name)].strip() if col.name in raw.header else ""
            if cell == "":
                row[col.name] = None
            elif col.kind == "int":
                if not re.fullmatch(r"-?\d+", cell):
                    problems.append(Problem(table.file, line, col.name, f"'{cell}'", "expected a whole number"))
                    row[col.name] = None
                else:
                    row[col.name] = int(cell)
            else:
                row[col.name] = cell
        rows.append(row)
    return rows
