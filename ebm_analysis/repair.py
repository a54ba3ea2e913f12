"""Re-anchoring span codings after a deliberate edit of a segment's text.

See :mod:`ebm_analysis.spans` for why spans are checked. After a text is
edited on purpose, :func:`repair_spans` (``python -m ebm_analysis
repair-spans DATA_DIR``) goes through every span coding whose offsets no
longer cover its recorded ``span_text`` and moves it to the occurrence of
that text nearest its old position (found exactly, or after the same
Unicode normalisation as the new text). Codings whose text is not found are
listed and left as they are, for the researcher to decide. The moves are
one transaction in the change log (action ``repair spans``), so they can be
read and undone like any change.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ebm_analysis.coding import CodingStore, _FileState
from ebm_analysis.lenient import read_coding_state
from ebm_analysis.rowtable import py_value
from ebm_analysis.schema import TABLES_BY_NAME
from ebm_analysis.spans import covered_text, excerpt, find_span, segment_texts

__all__ = ["plan_span_repairs", "repair_spans"]

COLUMNS = ["coding_id", "segment_id", "code_id", "start", "end", "new_start", "new_end", "status", "detail"]


def plan_span_repairs(codings: pd.DataFrame, texts: dict[str, str]) -> pd.DataFrame:
    """What :func:`repair_spans` would do, coding by coding (only codings that need something).

    Parameters
    ----------
    codings : DataFrame
        With ``coding_id``, ``segment_id``, ``code_id``, ``start``, ``end``, ``span_text``.
    texts : dict
        ``{segment_id: text_sv}`` as the texts are now.

    Returns
    -------
    DataFrame
        ``coding_id``, ``segment_id``, ``code_id``, ``start``, ``end``,
        ``new_start``, ``new_end`` (``Int64``), ``status`` and ``detail``.
        ``status`` is ``moved`` (found again; ``detail`` says how: exactly or
        after NFC/NFD normalisation), ``recorded`` (no ``span_text`` was
        recorded; it is recorded now from the current offsets, unverified),
        ``not found`` (listed for the researcher, left as is), ``duplicate``
        (found again, but the same code is already on that span; left as
        is) or ``no segment``.

    Examples
    --------
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2"], "segment_id": ["E1", "E1"], "code_id": ["a", "b"],
    ...     "start": pd.array([0, 3], dtype="Int64"), "end": pd.array([2, 5], dtype="Int64"),
    ...     "span_text": ["vi", "ej"]})
    >>> plan = plan_span_repairs(cod, {"E1": "Nu vi."})
    >>> plan[["coding_id", "new_start", "new_end", "status"]].values.tolist()
    [['K1', 3, 5, 'moved'], ['K2', <NA>, <NA>, 'not found']]
    """
    rows = []
    taken = {(r.segment_id, r.code_id, py_value(r.start), py_value(r.end)) for r in codings.itertuples()}
    for r in codings.itertuples():
        start, end, recorded = py_value(r.start), py_value(r.end), py_value(r.span_text)
        if start is None:
            continue
        text = texts.get(r.segment_id)
        base = {"coding_id": r.coding_id, "segment_id": r.segment_id, "code_id": r.code_id, "start": start,
                "end": end, "new_start": None, "new_end": None}
        if text is None:
            rows.append({**base, "status": "no segment", "detail": f"{r.segment_id} is no longer in the data"})
            continue
        inside = 0 <= start < end <= len(text)
        if recorded is None:
            if inside and text[start:end].strip():
                rows.append({**base, "new_start": start, "new_end": end, "status": "recorded",
                             "detail": f"no text was recorded; recorded {excerpt(text[start:end].strip())} "
                                       "(not verified)"})
            else:
                rows.append({**base, "status": "not found", "detail": "no text was recorded and the offsets fall "
                             f"outside the text (length {len(text)})"})
            continue
        if inside and text[start:end].strip() == recorded:
            continue
        found = find_span(text, recorded, start)
        if found is None:
            rows.append({**base, "status": "not found", "detail": f"{excerpt(recorded)} occurs nowhere in "
                         f"{r.segment_id}'s text now"})
            continue
        new_start, new_end, how = found
        key = (r.segment_id, r.code_id, new_start, new_end)
        if key in taken:
            rows.append({**base, "new_start": new_start, "new_end": new_end, "status": "duplicate",
                         "detail": f"found at {new_start}–{new_end}, where the same code already is"})
            continue
        taken.add(key)
        rows.append({**base, "new_start": new_start, "new_end": new_end, "status": "moved",
                     "detail": "found exactly" if how == "exact" else f"found after {how} normalisation"})
    out = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("start", "end", "new_start", "new_end"):
        out[col] = pd.array(out[col].tolist(), dtype="Int64")
    for col in ("coding_id", "segment_id", "code_id", "status", "detail"):
        out[col] = out[col].astype("string")
    return out


def repair_spans(folder: str | Path | None = None, *, coder: str = "repair-spans", dry_run: bool = False,
                 reason: str | None = None) -> pd.DataFrame:
    """Move span codings to where their recorded text now is, after a deliberate text edit.

    Works on a folder that does not load because of moved spans. The
    changes (``moved`` and ``recorded`` codings) are logged as one
    transaction and the snapshot files are rewritten; ``not found`` and
    ``duplicate`` codings are left for the researcher.

    Parameters
    ----------
    folder : str or Path, optional
        The data folder (None: :func:`~ebm_analysis.project.default_data_dir`).
    coder : str, default "repair-spans"
        Logged as who made the change.
    dry_run : bool, default False
        Only say what would be done.
    reason : str, optional
        Logged with the change.

    Returns
    -------
    DataFrame
        :func:`plan_span_repairs`; empty when every span is in place.

    Examples
    --------
    >>> repair_spans(dry_run=True).empty
    True
    """
    from ebm_analysis.project import default_data_dir

    folder = default_data_dir() if folder is None else Path(folder)
    files = {t.file: _FileState.of(folder / t.file) for t in (TABLES_BY_NAME["codings"], TABLES_BY_NAME["codebook"])}
    state = read_coding_state(folder)
    plan = plan_span_repairs(state.codings, segment_texts(state.tables))
    todo = plan[plan["status"].isin(["moved", "recorded"])]
    if dry_run or todo.empty:
        return plan
    store = CodingStore(state, coder=coder, files=files)
    texts = segment_texts(state.tables)
    with store.transaction(coder=coder, reason=reason or "spans re-anchored after a text edit",
                           action="repair spans") as tx:
        for r in todo.itertuples():
            if r.status == "moved":
                tx.update_coding(r.coding_id, start=int(r.new_start), end=int(r.new_end))
            else:
                tx.update("codings", r.coding_id, span_text=covered_text(texts[r.segment_id], int(r.start),
                                                                           int(r.end)))
    store.compact()
    return plan
