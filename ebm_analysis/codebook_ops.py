"""Reshaping the codebook: rename, move, merge, split and retire codes, with the codings following.

Each operation is one transaction of the coding store
(:meth:`ebm_analysis.coding.CodingStore.transaction`): it is saved whole or
not at all, logged in ``changes.jsonl`` with the coder and the reason, and
one :meth:`~ebm_analysis.coding.CodingStore.undo` takes all of it back. The
store's methods :meth:`~ebm_analysis.coding.CodingStore.rename_code`,
:meth:`~ebm_analysis.coding.CodingStore.move_code`,
:meth:`~ebm_analysis.coding.CodingStore.merge_codes`,
:meth:`~ebm_analysis.coding.CodingStore.split_code`,
:meth:`~ebm_analysis.coding.CodingStore.retire_code` and
:meth:`~ebm_analysis.coding.CodingStore.delete_code` call the functions here.

No coding is ever deleted silently. A code that has codings is never
removed: it is *retired* (``status`` = ``retired`` in ``codebook.csv``),
which hides it from the code pickers while its codings stay valid. Only a
code without codings and sub-codes can be deleted.

**Merging** ``source`` into ``target``: the codings of ``source`` itself are
recoded to ``target``; the sub-codes of ``source`` move under ``target``
with their own codings unchanged (so nothing coded with a sub-code loses its
finer meaning); ``source`` is retired. A coding of ``source`` that would
duplicate a coding of ``target`` (same segment, span and coder) is removed
and the ``target`` coding kept; if the removed one had a memo that the kept
one lacks, the memo is appended to the kept coding's memo. The returned
table says what happened to each coding.

**Splitting** a code creates the new codes (as its children or as its
siblings) and lists the codings of the old code for re-assignment
(:meth:`~ebm_analysis.coding.CodingStore.recode`); nothing is re-assigned
by the split itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

import pandas as pd

from ebm_analysis.errors import DataError, Problem, shorten
from ebm_analysis.transaction import CODEBOOK, Transaction

if TYPE_CHECKING:
    from ebm_analysis.coding import CodingStore

__all__ = ["MERGE_COLUMNS", "SPLIT_COLUMNS", "rename_code", "move_code", "merge_codes", "split_code",
           "retire_code", "delete_code", "active_codes"]

#: Columns of the table :func:`merge_codes` returns.
MERGE_COLUMNS = ["coding_id", "segment_id", "coder", "start", "end", "from_code", "to_code", "outcome",
                 "kept_coding_id"]
#: Columns of the table :func:`split_code` returns.
SPLIT_COLUMNS = ["coding_id", "segment_id", "coder", "start", "end", "span_text", "memo", "code_id", "candidates"]

_NEW_CODE_TEXTS = ("definition", "include", "exclude", "example")


def active_codes(codebook: pd.DataFrame) -> pd.DataFrame:
    """The codes a coder may apply: every code whose ``status`` is not ``retired``.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "b"], "status": ["active", "retired"]})
    >>> active_codes(book)["code_id"].tolist()
    ['a']
    """
    if "status" not in codebook.columns:
        return codebook
    return codebook[codebook["status"].astype("string").fillna("active") != "retired"]


# ---------------------------------------------------------------- checks

def _code(tx: Transaction, code_id, column: str = "code_id") -> dict:
    row = tx.get("codebook", code_id) if isinstance(code_id, str) else None
    if row is None:
        raise DataError(Problem(CODEBOOK.file, None, column, f"'{code_id}', which codebook.csv does not list",
                                f"expected a code_id of the codebook ({shorten(sorted(tx.keys('codebook')), 8)})"))
    return row


def _not_retired(row: dict, column: str, role: str) -> None:
    if row.get("status") == "retired":
        raise DataError(Problem(CODEBOOK.file, None, column, f"'{row['code_id']}', which is retired",
                                f"choose an active code as {role}; a retired code takes no new codings"))


def _children(tx: Transaction, code_id: str) -> list[str]:
    return [k for k in tx.keys("codebook") if (tx.get("codebook", k) or {}).get("parent_id") == code_id]


def _codings_of(tx: Transaction, code_id: str) -> list[dict]:
    rows = (tx.get("codings", k) for k in tx.keys("codings"))
    return [r for r in rows if r is not None and r.get("code_id") == code_id]


def _ancestors(tx: Transaction, code_id: str) -> list[str]:
    out, node = [], (tx.get("codebook", code_id) or {}).get("parent_id")
    while node is not None and node not in out:
        out.append(node)
        node = (tx.get("codebook", node) or {}).get("parent_id")
    return out


# ---------------------------------------------------------------- operations

def rename_code(store: CodingStore, code_id: str, *, name_sv: str | None = None, name_en: str | None = None,
                coder: str | None = None, reason: str | None = None) -> None:
    """Give a code a new Swedish and/or English name (its id and codings stay).

    Examples
    --------
    >>> from ebm_analysis.coding import CodingStore
    >>> rename_code(CodingStore.open(), "stress")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - (arguments), column 'name_sv': found neither name_sv nor name_en; give a new name_sv, name_en or both
    """
    changes = {k: v for k, v in (("name_sv", name_sv), ("name_en", name_en)) if v is not None}
    if not changes:
        raise DataError(Problem("(arguments)", None, "name_sv", "neither name_sv nor name_en",
                                "give a new name_sv, name_en or both"))
    with store.transaction(coder, reason, action="rename code") as tx:
        _code(tx, code_id)
        tx.update("codebook", code_id, "rename code", **changes)


def move_code(store: CodingStore, code_id: str, new_parent_id: str | None, *, coder: str | None = None,
              reason: str | None = None) -> None:
    """Place a code under another parent (None: make it a top-level code); its sub-codes and codings follow.

    A move that would make a code its own ancestor is refused, as is a
    retired parent.
    """
    with store.transaction(coder, reason, action="move code") as tx:
        _code(tx, code_id)
        if new_parent_id is not None:
            _not_retired(_code(tx, new_parent_id, "parent_id"), "parent_id", "the new parent")
        tx.update("codebook", code_id, "move code", parent_id=new_parent_id)


def merge_codes(store: CodingStore, source_id: str, target_id: str, *, coder: str | None = None,
                reason: str | None = None) -> pd.DataFrame:
    """Merge ``source_id`` into ``target_id`` (see the module's description); returns what happened to each coding.

    Returns
    -------
    DataFrame
        One row per coding of ``source_id``: ``coding_id``, ``segment_id``,
        ``coder``, ``start``, ``end``, ``from_code``, ``to_code``,
        ``outcome`` (``recoded``, or ``removed: duplicate of K…``, with
        ``; memo kept on K…`` when its memo moved), ``kept_coding_id`` (the
        coding that now holds it: itself when recoded).
    """
    with store.transaction(coder, reason, action="merge codes") as tx:
        source, target = _code(tx, source_id, "source_id"), _code(tx, target_id, "target_id")
        if source_id == target_id:
            raise DataError(Problem("(arguments)", None, "target_id", f"'{target_id}', the same code as the source",
                                    "merge a code into a different code"))
        _not_retired(source, "source_id", "the code to merge")
        _not_retired(target, "target_id", "the code to merge into")
        if source_id in _ancestors(tx, target_id):
            raise DataError(Problem(CODEBOOK.file, None, "target_id", f"'{target_id}', a sub-code of '{source_id}'",
                                    f"move '{target_id}' out from under '{source_id}' first, or merge the other way"))
        held = {_same(r): r for r in _codings_of(tx, target_id)}
        rows = [_merge_one(tx, c, target_id, held) for c in _codings_of(tx, source_id)]
        for child in _children(tx, source_id):
            tx.update("codebook", child, "merge codes", parent_id=target_id)
        tx.update("codebook", source_id, "merge codes", status="retired")
        tx.note("merge codes", f"merged {source_id} into {target_id}: {len(rows)} coding(s), "
                f"{sum(r[-2] != 'recoded' for r in rows)} duplicate(s) removed; {source_id} retired",
                source=source_id, target=target_id)
    return _frame(rows, MERGE_COLUMNS)


def _same(row: dict) -> tuple:
    return row["segment_id"], row["coder"], row["start"], row["end"]


def _merge_one(tx: Transaction, coding: dict, target_id: str, held: dict[tuple, dict]) -> list:
    """Recode one coding to the target, or remove it when the target already has the same coding."""
    twin = held.get(_same(coding))
    base = [coding["coding_id"], coding["segment_id"], coding["coder"], coding["start"], coding["end"],
            coding["code_id"], target_id]
    if twin is None:
        tx.update("codings", coding["coding_id"], "merge codes", code_id=target_id)
        return [*base, "recoded", coding["coding_id"]]
    outcome = f"removed: duplicate of {twin['coding_id']}"
    memo = coding.get("memo")
    if memo and memo not in (twin.get("memo") or ""):
        joined = f"{twin['memo']} | {memo}" if twin.get("memo") else memo
        tx.update("codings", twin["coding_id"], "merge codes", memo=joined)
        outcome += f"; memo kept on {twin['coding_id']}"
    tx.delete("codings", coding["coding_id"], "merge codes")
    return [*base, outcome, twin["coding_id"]]


def split_code(store: CodingStore, code_id: str, new_codes: Iterable[Mapping] | pd.DataFrame, *,
               as_children: bool = True, coder: str | None = None, reason: str | None = None) -> pd.DataFrame:
    """Create new codes from one code, and list its codings for re-assignment (none is re-assigned).

    Parameters
    ----------
    store : CodingStore
    code_id : str
        The code to split; it stays as it is (retire it once its codings are
        re-assigned, if it should take no more).
    new_codes : iterable of mappings, or DataFrame
        Each with ``code_id``, ``name_sv``, ``name_en`` and optionally
        ``definition``, ``include``, ``exclude``, ``example``, ``color``.
        A missing text is taken from the split code, marked
        ``(from <code_id>)`` so that it is visibly still to be refined.
    as_children : bool, default True
        True: the new codes go under ``code_id``; False: beside it (same parent).
    coder, reason : str, optional
        Logged with the change.

    Returns
    -------
    DataFrame
        The codings of ``code_id`` (columns :data:`SPLIT_COLUMNS`);
        ``candidates`` lists the new codes (``;``-separated) to recode them
        to with :meth:`~ebm_analysis.coding.CodingStore.recode`.
    """
    specs = new_codes.to_dict("records") if isinstance(new_codes, pd.DataFrame) else [dict(c) for c in new_codes]
    if not specs:
        raise DataError(Problem("(arguments)", None, "new_codes", "no new code",
                                "give at least one new code (code_id, name_sv, name_en)"))
    with store.transaction(coder, reason, action="split code") as tx:
        old = _code(tx, code_id)
        _not_retired(old, "code_id", "the code to split")
        parent = code_id if as_children else old.get("parent_id")
        made = []
        for spec in specs:
            texts = {k: spec.get(k) or f"(from {code_id}) {old[k]}" for k in _NEW_CODE_TEXTS}
            missing = [k for k in ("code_id", "name_sv", "name_en") if not spec.get(k)]
            if missing:
                raise DataError(Problem("(arguments)", None, missing[0], f"a new code without {missing[0]}",
                                        "give each new code a code_id, name_sv and name_en"))
            tx.add_code(spec["code_id"], spec["name_sv"], spec["name_en"], parent, color=spec.get("color"),
                        **texts)
            made.append(spec["code_id"])
        tx.note("split code", f"split {code_id} into {', '.join(made)}; its codings are listed for re-assignment",
                code=code_id, new_codes=made)
        codings = _codings_of(tx, code_id)
    rows = [[c["coding_id"], c["segment_id"], c["coder"], c["start"], c["end"], c.get("span_text"), c.get("memo"),
             code_id, "; ".join(made)] for c in codings]
    return _frame(rows, SPLIT_COLUMNS)


def retire_code(store: CodingStore, code_id: str, *, coder: str | None = None, reason: str | None = None) -> None:
    """Retire a code: hidden from the code pickers, its codings kept and still valid.

    Refused for a code with sub-codes that are not retired (retire, move or
    merge them first) and for a code already retired.
    """
    with store.transaction(coder, reason, action="retire code") as tx:
        row = _code(tx, code_id)
        if row.get("status") == "retired":
            raise DataError(Problem(CODEBOOK.file, None, "status", f"'{code_id}', which is already retired",
                                    "nothing to do"))
        live = [c for c in _children(tx, code_id) if (tx.get("codebook", c) or {}).get("status") != "retired"]
        if live:
            raise DataError(Problem(CODEBOOK.file, None, "code_id", f"'{code_id}', the parent of active sub-codes "
                                    f"({shorten(live, 4)})", "retire, move or merge its sub-codes first"))
        tx.update("codebook", code_id, "retire code", status="retired")


def delete_code(store: CodingStore, code_id: str, *, coder: str | None = None, reason: str | None = None) -> None:
    """Delete a code that has no codings and no sub-codes (else refused: retire it instead)."""
    with store.transaction(coder, reason, action="delete code") as tx:
        _code(tx, code_id)
        tx.remove_code(code_id)


def _frame(rows: list[list], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    for col in columns:
        out[col] = out[col].astype("Int64" if col in ("start", "end") else "string")
    return out
