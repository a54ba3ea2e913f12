"""Transactions of the coding store: several changes, checked one by one, saved together or not at all.

A :class:`Transaction` is what :meth:`ebm_analysis.coding.CodingStore.transaction`
yields, inside the data folder's lock and up to date with other writers.
Its methods stage row changes and check each at once against the rules the
loader applies (so that nothing is saved that could not be loaded back) and
against the other rows: a coding needs an existing segment and code and a
span inside the text; codes form a tree; a code in use cannot be removed.
When the ``with`` block ends, the store logs and saves the staged changes
together (:mod:`ebm_analysis.changelog`).

The generic methods (:meth:`Transaction.insert`, :meth:`~Transaction.update`,
:meth:`~Transaction.delete`) work on any table of
:data:`ebm_analysis.changelog.STORE_TABLES`; the others are the coding
workbench's actions built on them. Further tools (codebook refactoring,
merging coders, imports) are meant to be built the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING


from ebm_analysis.changelog import STORE_TABLES, Entry, describe, utc_now
from ebm_analysis.errors import DataError, Problem, shorten
from ebm_analysis.reading import FIELD_LIMIT
from ebm_analysis.rowtable import py_value, rows_equal
from ebm_analysis.schema import TABLES_BY_NAME, Table
from ebm_analysis.spans import covered_text, excerpt

if TYPE_CHECKING:
    from ebm_analysis.coding import CodingStore

__all__ = ["Transaction", "ConcurrentEditError"]

CODINGS = TABLES_BY_NAME["codings"]
CODEBOOK = TABLES_BY_NAME["codebook"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ConcurrentEditError(DataError):
    """Another kernel or program changed what this change depends on; nothing was saved.

    Raised when a row this store is asked to change was changed by another
    writer since this store read it, or when ``codings.csv``,
    ``codebook.csv`` or ``changes.jsonl`` were changed outside the coding
    store. Reload (:meth:`CodingStore.reload`) to see the other changes,
    then redo yours.
    """

    def __init__(self, file: str, folder: Path, detail: str | None = None):
        found = detail or "that another kernel or program changed it since this coding store loaded it"
        super().__init__(Problem(
            file, None, None, found,
            "nothing was saved, so neither version was lost; reload with `store.reload()` "
            f"(or `CodingStore.open({str(folder)!r})`) to see the other changes, then redo your change"))


class Transaction:
    """The changes of one transaction (see :meth:`CodingStore.transaction`); checked one by one, saved together.

    Reads (:meth:`get`, :meth:`keys`) see the transaction's own changes.
    Every method raises :class:`~ebm_analysis.errors.DataError` for a change
    that is not allowed, and :class:`ConcurrentEditError` for a change to a
    row that another writer changed since the store read it; the ``with``
    block then ends without saving anything.
    """

    def __init__(self, store: CodingStore, coder: str, reason: str | None, action: str | None):
        self.store = store
        self.coder = coder
        self.reason = reason
        self.action = action
        self.time = utc_now()
        self._rows: dict[tuple[str, str], dict | None] = {}
        self._entries: list[tuple[str, str, str, dict | None, dict | None, str]] = []
        self._undoes: int | None = None
        self._next = store._next_number
        self._notes: list[tuple[str, dict]] = []
        self._staged_spans: dict[tuple, str] = {}  # span key -> coding id, of the rows staged here

    # ------------------------------------------------------------ reading

    def get(self, table: str, key: str) -> dict | None:
        """The row as this transaction sees it (None: absent)."""
        if (table, key) in self._rows:
            row = self._rows[(table, key)]
            return dict(row) if row is not None else None
        return self.store._tables[table].get(key)

    def exists(self, table: str, key: str) -> bool:
        """Whether the row exists as this transaction sees it."""
        if (table, key) in self._rows:
            return self._rows[(table, key)] is not None
        return key in self.store._tables[table]

    def keys(self, table: str) -> list[str]:
        """Row ids as this transaction sees them."""
        out = [k for k in self.store._tables[table].keys() if self._rows.get((table, k), True) is not None]
        out += [k for (t, k), row in self._rows.items() if t == table and row is not None
                and k not in self.store._tables[table]]
        return out

    # ------------------------------------------------------------ generic row changes

    def insert(self, table: str, row: dict, action: str | None = None) -> str:
        """Add a row (checked against the table's rules); returns its id."""
        row = _normalise(STORE_TABLES[table], row)
        key = row[STORE_TABLES[table].key[0]]
        if self.exists(table, key):
            raise DataError(Problem(STORE_TABLES[table].file, None, STORE_TABLES[table].key[0],
                                    f"'{key}', which the table already has", "choose another id"))
        _check_now(self._row_problems(table, row, None))
        self._stage("insert", table, key, None, row, action or f"add {_noun(table)}")
        return key

    def update(self, table: str, key: str, action: str | None = None, **changes) -> None:
        """Change columns of a row (checked); nothing is logged when nothing changes."""
        before = self._existing(table, key)
        if STORE_TABLES[table].key[0] in changes and changes[STORE_TABLES[table].key[0]] != key:
            raise DataError(Problem(STORE_TABLES[table].file, None, STORE_TABLES[table].key[0],
                                    "a change of the row's id", "ids do not change; add a new row and remove this one"))
        unknown = [c for c in changes if c not in STORE_TABLES[table].column_names]
        if unknown:
            raise DataError(Problem(STORE_TABLES[table].file, None, unknown[0], f"no column '{unknown[0]}'",
                                    f"expected one of {', '.join(STORE_TABLES[table].column_names)}"))
        after = _normalise(STORE_TABLES[table], {**before, **changes})
        if table == "codings" and {"start", "end", "segment_id"} & changes.keys():
            after["span_text"] = covered_text(self.store._texts.get(after["segment_id"], ""), after["start"],
                                              after["end"])
        if rows_equal(before, after):
            return
        _check_now(self._row_problems(table, after, before))
        self._stage("update", table, key, before, after, action or f"change {_noun(table)}")

    def delete(self, table: str, key: str, action: str | None = None) -> None:
        """Remove a row (refused while other rows depend on it)."""
        before = self._existing(table, key)
        if table == "codebook":
            _check_now(self._code_in_use(key))
        self._stage("delete", table, key, before, None, action or f"remove {_noun(table)}")

    # ------------------------------------------------------------ codings

    def add_coding(self, segment_id: str, code_id: str, *, coder: str | None = None, start: int | None = None,
                   end: int | None = None, memo: str | None = None) -> str:
        """Code a segment or a span of it; returns the new coding id (see :meth:`CodingStore.add`)."""
        coder = coder or self.coder
        cid = _format_id(self._next)
        text = self.store._texts.get(segment_id, "")
        row = {"coding_id": cid, "segment_id": segment_id, "code_id": code_id, "coder": coder, "start": start,
               "end": end, "memo": memo, "created_at": self.time, "created_by": self.coder}
        span_problems = list(_span_checks(segment_id, text, start, end)) if segment_id in self.store._texts else []
        _check_now(span_problems)
        row["span_text"] = covered_text(text, start, end)
        self.insert("codings", row, "add coding")
        self._next += 1
        return cid

    def remove_coding(self, coding_id: str) -> None:
        """Delete a coding."""
        self.delete("codings", coding_id, "remove coding")

    def update_coding(self, coding_id: str, **changes) -> None:
        """Change a coding: ``code_id`` (recode), ``memo``, ``start``/``end`` (``span_text`` follows), ``coder``."""
        action = "recode" if changes.keys() == {"code_id"} else "set memo" if changes.keys() == {"memo"} else None
        self.update("codings", coding_id, action or "change coding", **changes)

    # ------------------------------------------------------------ codebook

    def add_code(self, code_id: str, name_sv: str, name_en: str, parent_id: str | None = None, *,
                 definition: str, include: str, exclude: str, example: str, color: str | None = None,
                 status: str = "active") -> None:
        """Add a code to the codebook (see :meth:`CodingStore.add_code`)."""
        self.insert("codebook", {"code_id": code_id, "parent_id": parent_id, "name_sv": name_sv,
                                 "name_en": name_en, "definition": definition, "include": include,
                                 "exclude": exclude, "example": example, "color": color, "status": status},
                    "add code")

    def update_code(self, code_id: str, **changes) -> None:
        """Change columns of a code (``parent_id`` is checked for cycles)."""
        self.update("codebook", code_id, "change code", **changes)

    def remove_code(self, code_id: str) -> None:
        """Remove a code that no coding and no other code uses."""
        self.delete("codebook", code_id, "remove code")

    def note(self, action: str, summary: str, **details) -> None:
        """Log an event without a row change (e.g. an adjudication, a memo written) with this transaction.

        Notes are written after the transaction's row changes; undo skips them.
        """
        self._notes.append((action, {"summary": summary, **details}))

    # ------------------------------------------------------------ internals

    def _existing(self, table: str, key: str) -> dict:
        row = self.get(table, key)
        if row is None:
            noun = _noun(table)
            raise DataError(Problem(STORE_TABLES[table].file, None, STORE_TABLES[table].key[0],
                                    f"'{key}', which is not a {noun}",
                                    f"expected a {STORE_TABLES[table].key[0]} from the {noun}s table"))
        other = self.store._foreign.get((table, key))
        if other is not None and (table, key) not in self._rows:
            raise ConcurrentEditError(STORE_TABLES[table].file, self.store.folder,
                                      f"that {other.coder} changed {key} ({other.action}, {other.time}) since this "
                                      "coding store loaded it")
        return row

    def _stage(self, op: str, table: str, key: str, before, after, action: str) -> None:
        if table == "codings":  # keep the staged rows' spans indexed (see _span_owner)
            old = self._rows.get((table, key))
            if old is not None and self._staged_spans.get(_span_key(old)) == key:
                del self._staged_spans[_span_key(old)]
            if after is not None:
                self._staged_spans[_span_key(after)] = key
        self._rows[(table, key)] = after
        self._entries.append((op, table, key, before, after, action))

    def _compensate(self, entry: Entry) -> None:
        """Stage the opposite of ``entry`` (undo), if the row is still as the entry left it."""
        current = self.get(entry.table, entry.key)
        if not rows_equal(current, entry.after):
            raise DataError(Problem(STORE_TABLES[entry.table].file, None, STORE_TABLES[entry.table].key[0],
                                    f"that {entry.key} was changed after “{describe([entry])}” (entry {entry.seq})",
                                    "undo cannot take that change back without losing the later one; undo the "
                                    "later change first, or change the row by hand"))
        if entry.op == "insert":
            self._stage("delete", entry.table, entry.key, current, None, "undo")
        elif entry.op == "delete":
            self._stage("insert", entry.table, entry.key, None, entry.before, "undo")
        else:
            self._stage("update", entry.table, entry.key, current, entry.before, "undo")

    def _row_problems(self, table: str, row: dict, before: dict | None) -> list[Problem]:
        problems = _value_problems(STORE_TABLES[table], row)
        if problems:
            return problems
        if table == "codings":
            return list(self._coding_problems(row, before))
        if table == "codebook":
            return list(self._code_problems(row, new=before is None))
        return []

    def _coding_problems(self, row: dict, before: dict | None):
        store = self.store
        if row["segment_id"] not in store._texts:
            yield from store._check_segment(row["segment_id"])
            return
        if not self.exists("codebook", row["code_id"]):
            yield Problem(CODINGS.file, None, "code_id", f"'{row['code_id']}', which codebook.csv does not list",
                          f"expected a code_id of the codebook ({_shorten(self.keys('codebook'))}); "
                          "add new codes with store.add_code(...)")
            return
        yield from _span_checks(row["segment_id"], store._texts[row["segment_id"]], row["start"], row["end"])
        key = _span_key(row)
        if before is None or _span_key(before) != key:
            other = self._span_owner(key, row["coding_id"])
            if other is not None:
                yield Problem(CODINGS.file, None, "code_id", f"'{row['code_id']}' already on this span of "
                              f"{row['segment_id']} ({other}) by {row['coder']}", "expected each code once per span "
                              "and coder; edit the existing coding instead")

    def _span_owner(self, key: tuple, own: str) -> str | None:
        staged = self._staged_spans.get(key)
        if staged is not None and staged != own:
            return staged
        owner = self.store._spans.get(key)
        if owner is not None and owner != own and ("codings", owner) not in self._rows:
            return owner
        return None

    def _code_problems(self, row: dict, new: bool):
        code_id = row["code_id"]
        if not isinstance(code_id, str) or not re.fullmatch(CODEBOOK.column("code_id").pattern, code_id):
            yield Problem(CODEBOOK.file, None, "code_id", f"'{code_id}'",
                          "expected lower-case letters, digits and _, starting with a letter, e.g. soft_values")
            return
        if new and self.exists("codebook", code_id):
            yield Problem(CODEBOOK.file, None, "code_id", f"'{code_id}', which the codebook already has",
                          "choose a new code_id, or use the existing code")
        for column in ("name_sv", "name_en", "definition", "include", "exclude", "example"):
            value = row.get(column)
            if not isinstance(value, str) or not value.strip():
                yield Problem(CODEBOOK.file, None, column, "an empty value", f"{column} needs a text")
        color = row.get("color")
        if color is not None and not (isinstance(color, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", color)):
            yield Problem(CODEBOOK.file, None, "color", f"'{color}'", "expected a colour as #RRGGBB, e.g. #1f77b4")
        parent = row.get("parent_id")
        if parent is not None:
            if not self.exists("codebook", parent):
                yield Problem(CODEBOOK.file, None, "parent_id", f"'{parent}', which codebook.csv does not list",
                              f"expected a code_id of the codebook ({_shorten(self.keys('codebook'))})")
            else:
                seen, node = {code_id}, parent
                while node is not None:
                    if node in seen:
                        yield Problem(CODEBOOK.file, None, "parent_id", f"'{parent}', which makes a cycle back to "
                                      f"'{code_id}'", "expected a tree: a code cannot be its own ancestor")
                        break
                    seen.add(node)
                    node = (self.get("codebook", node) or {}).get("parent_id")

    def _code_in_use(self, code_id: str):
        children = [k for k in self.keys("codebook") if (self.get("codebook", k) or {}).get("parent_id") == code_id]
        if children:
            yield Problem(CODEBOOK.file, None, "code_id", f"'{code_id}', the parent of {shorten(children, 4)}",
                          "move or remove its sub-codes first")
        used = [k for k in self.keys("codings") if (self.get("codings", k) or {}).get("code_id") == code_id]
        if used:
            yield Problem(CODEBOOK.file, None, "code_id", f"'{code_id}', used by {len(used)} coding(s) "
                          f"({shorten(used, 4)})", "recode or remove those codings first, or retire the code "
                          "(store.retire_code), which keeps its codings")


# ---------------------------------------------------------------- helpers

def _actor(coder: str | None, default: str | None) -> str:
    actor = _clean(coder) or _clean(default)
    return actor or "unknown"


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _noun(table: str) -> str:
    return {"codings": "coding", "codebook": "code"}.get(table, "row")


def _normalise(table: Table, row: dict) -> dict:
    """Values as the loader would read them back: text stripped, empty text as None, numbers as int."""
    out = {}
    for col in table.columns:
        value = py_value(row.get(col.name))
        if isinstance(value, str):
            value = value.strip() or None
        out[col.name] = value
    return out


def _value_problems(table: Table, row: dict) -> list[Problem]:
    """Each value by its column's rules (the loader's rules), so nothing is saved that cannot be loaded."""
    problems = []
    key = row.get(table.key[0])
    for col in table.columns:
        value = row.get(col.name)
        where = f" of {key}" if key else ""
        if value is None:
            if col.required:
                problems.append(Problem(table.file, None, col.name, "an empty value",
                                        f"{col.name} needs a value ({col.description or col.kind})"))
            continue
        if col.kind == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(Problem(table.file, None, col.name, f"{value!r}", "expected a whole number"))
            elif col.bounds and not col.bounds[0] <= value <= col.bounds[1]:
                problems.append(Problem(table.file, None, col.name, f"{value}",
                                        f"expected a whole number from {col.bounds[0]} to {col.bounds[1]}"))
            continue
        if not isinstance(value, str):
            problems.append(Problem(table.file, None, col.name, f"{value!r}", "expected a text"))
            continue
        if len(value) > FIELD_LIMIT:
            problems.append(Problem(table.file, None, col.name, f"a {col.name}{where} of {len(value):,} characters",
                                    f"at most {FIELD_LIMIT:,} characters fit in one cell "
                                    "(ebm_analysis.reading.FIELD_LIMIT); nothing was saved; shorten it or split it"))
            continue
        bad = _CONTROL.search(value)
        if bad:
            problems.append(Problem(table.file, None, col.name, f"the control character U+{ord(bad.group()):04X} "
                                    f"in the {col.name}{where}", "remove it (only tabs and line breaks are allowed)"))
        if col.kind == "choice" and value not in (col.choices or ()):
            problems.append(Problem(table.file, None, col.name, f"'{value}'", f"expected one of: {', '.join(col.choices)}"))
        elif col.pattern and not re.fullmatch(col.pattern, value):
            problems.append(Problem(table.file, None, col.name, f"'{value}'",
                                    f"expected {col.description or 'a value of the form ' + col.pattern}"))
    return problems


def _span_checks(segment_id: str, text: str, start, end):
    if start is None and end is None:
        return
    if start is None or end is None:
        yield Problem(CODINGS.file, None, "start" if start is None else "end", "only one of start and end",
                      "give both start and end, or leave both out to code the whole segment")
    elif not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        yield Problem(CODINGS.file, None, "start", f"start {start!r}, end {end!r}",
                      "expected whole numbers (character offsets into text_sv)")
    elif not 0 <= start < end <= len(text):
        yield Problem(CODINGS.file, None, "end", f"start {start}, end {end}",
                      f"expected 0 <= start < end <= {len(text)} (the length of {segment_id}'s text_sv)")
    elif not text[start:end].strip():
        yield Problem(CODINGS.file, None, "start", f"start {start}, end {end}, which covers only white space "
                      f"({excerpt(text[start:end])})", "choose a span with some text in it")


def _span_key(row: dict) -> tuple:
    """What makes two codings the same: segment, code, coder and span (as the loader's duplicate check)."""
    return (row.get("segment_id"), row.get("code_id"), row.get("coder"), row.get("start"), row.get("end"))


def _check_coder(coder):
    if not isinstance(coder, str) or not coder.strip():
        yield Problem(CODINGS.file, None, "coder", "an empty value", "coder needs a text")


def _check_now(problems) -> None:
    problems = list(problems)
    if problems:
        raise DataError(problems)


def _shorten(values, n=8) -> str:
    return shorten(values, n) if len(values) else "the codebook is empty"


def _format_id(number: int) -> str:
    return f"K{number:04d}"
