"""Re-importing a changed file (``import-text --update``): its segments updated in place, codings kept.

The new segments of the file are matched to the ones imported before by
their texts, in order (:class:`difflib.SequenceMatcher` over the lists of
segment texts): a segment that is unchanged, or changed where the other
segments around it stay, keeps its id; a new one gets a new id; one that is
gone is removed. Span codings then have to follow their text: each is
looked for in the segment's new text, nearest its old place
(:func:`ebm_analysis.repair.plan_span_repairs`).

Nothing is written unless every coding can follow: a coding on a segment
that is gone, or whose coded text occurs nowhere in the new text, is listed
in the error (remove or recode those codings first, then update again).

Then the texts are stored in one step like any import, and the codings
moved in one logged transaction of the coding store (action ``repair
spans``, undoable). These are two steps: if the second is interrupted, the
folder reports moved spans on loading, and ``python -m ebm_analysis
repair-spans`` completes it (the plan was checked to succeed in full).
"""

from __future__ import annotations

import difflib

import pandas as pd

from ebm_analysis.errors import DataError, Problem, excerpt

__all__ = ["match_segments", "update_frames"]


def match_segments(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Pairs ``(old index, new index)``: matched, new (``None, j``) or gone (``i, None``).

    Examples
    --------
    >>> match_segments(["a", "b", "c"], ["a", "B!", "c", "d"])
    [(0, 0), (1, 1), (2, 2), (None, 3)]
    >>> match_segments(["a", "b", "c"], ["a", "c"])
    [(0, 0), (1, None), (2, 1)]
    """
    pairs: list[tuple[int | None, int | None]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op in ("equal", "replace"):
            common = min(i2 - i1, j2 - j1)
            pairs += [(i1 + k, j1 + k) for k in range(common)]
            pairs += [(i, None) for i in range(i1 + common, i2)]
            pairs += [(None, j) for j in range(j1 + common, j2)]
        elif op == "delete":
            pairs += [(i, None) for i in range(i1, i2)]
        else:
            pairs += [(None, j) for j in range(j1, j2)]
    return pairs


def update_frames(frames: dict[str, pd.DataFrame], doc, new_rows: list[dict], id_of_new) -> tuple[dict, list[str]]:
    """The tables with ``doc``'s segments updated; and the ids of its segments removed.

    Parameters
    ----------
    frames : dict of DataFrame
        The typed tables (``excerpts``, ``observations``, ``segment_sources``, ``codings``).
    doc
        The document (name, checksum).
    new_rows : list of dict
        Per new segment, in order: ``table``, ``row`` (the segment table's
        row without its id), ``source`` (the provenance row without its id).
    id_of_new : callable
        ``id_of_new(table)`` gives the next id of a table's sequence.

    Raises
    ------
    DataError
        Listing every coding that cannot follow its text; nothing is changed then.
    """
    from ebm_analysis.repair import plan_span_repairs
    from ebm_analysis.spans import segment_texts

    sources = frames["segment_sources"]
    old_src = sources[sources["source_file"] == doc.name].sort_values("position")
    old_ids = old_src["segment_id"].tolist()
    texts = segment_texts(frames)
    pairs = match_segments([texts.get(i, "") for i in old_ids], [r["row"]["text_sv"] for r in new_rows])
    out = {name: frames[name].copy() for name in ("excerpts", "observations", "segment_sources")}
    removed: list[str] = []
    new_texts = dict(texts)
    for i, j in pairs:
        if j is None:
            removed.append(old_ids[i])
            new_texts.pop(old_ids[i], None)
            continue
        item = new_rows[j]
        seg_id = old_ids[i] if i is not None else id_of_new(_table_of(old_ids[0]) if old_ids else item["table"])
        table = _table_of(seg_id)
        key = "excerpt_id" if table == "excerpts" else "note_id"
        row = {k: v for k, v in item["row"].items() if k in out[table].columns}
        _put(out, table, key, seg_id, row)
        _put(out, "segment_sources", "segment_id", seg_id, item["source"])
        new_texts[seg_id] = row["text_sv"]
    _refuse_lost_codings(frames["codings"], removed, new_texts, doc.name, plan_span_repairs)
    for seg_id in removed:
        table = _table_of(seg_id)
        key = "excerpt_id" if table == "excerpts" else "note_id"
        out[table] = out[table][out[table][key] != seg_id]
        out["segment_sources"] = out["segment_sources"][out["segment_sources"]["segment_id"] != seg_id]
    return out, removed


def _table_of(segment_id: str) -> str:
    return "excerpts" if segment_id.startswith("E") else "observations"


def _put(out: dict, table: str, key: str, seg_id: str, values: dict) -> None:
    frame = out[table]
    values = {**values, key: seg_id}
    mask = frame[key] == seg_id
    if mask.any():
        index = frame.index[mask][0]
        for column, value in values.items():
            frame.loc[index, column] = pd.NA if value is None else value
    else:
        row = pd.DataFrame([{c: values.get(c) for c in frame.columns}]).astype(frame.dtypes.to_dict())
        out[table] = pd.concat([frame, row], ignore_index=True)


def _refuse_lost_codings(codings: pd.DataFrame, removed: list[str], new_texts: dict, file: str, plan) -> None:
    problems = []
    gone = codings[codings["segment_id"].isin(removed)]
    for r in gone.itertuples():
        problems.append(Problem(file, None, None, f"coding {r.coding_id} ({r.code_id}) on {r.segment_id}, a segment "
                                "the new version no longer has", "remove or move that coding first, then update"))
    kept = codings[~codings["segment_id"].isin(removed)]
    steps = plan(kept, new_texts)
    for r in steps[~steps["status"].isin(["moved", "recorded"])].itertuples():
        problems.append(Problem(file, None, None, f"coding {r.coding_id} ({r.code_id}) on {r.segment_id}: {r.detail}",
                                "its coded text is not in the new version; remove or recode that coding first, "
                                "then update"))
    if problems:
        raise DataError(problems)
