"""A second coder and adjudication: blank copies, merging back, disagreements between any two coders, consensus.

The round trip, as in MAXQDA's or NVivo's inter-coder workflow:

1. :func:`coder_copy` makes a blank copy of a data folder for an
   independent coder: the same segments and codebook, no codings, no memos
   and no change log, plus a marker file ``CODER_COPY.json`` naming the
   coder and recording the segments' texts (as checksums) and the codebook
   the copy was made from. (``python -m ebm_analysis coder-copy OUT_DIR --coder NAME``.)
2. The second coder codes the copy with the ordinary tools (the coding
   widget, the store), as coder ``NAME``.
3. :func:`merge_coder` brings the copy's codings into the data folder in one
   transaction of the coding store (one undo takes all of it back), after
   checking that the copy's coders are new to the data folder and that
   neither folder's segments or codebook changed since the copy was made.
   (``python -m ebm_analysis merge-coder COPY_DIR``.)
4. :func:`coder_disagreements` lists, for any two coders, each segment and
   code on which they differ: at segment level (one coded it, the other did
   not) or at character level (both coded it, on different characters).
5. :func:`seed_consensus` copies what the two coders agree on to the coder
   ``consensus``; :func:`adjudicate` records a decision on one disagreement
   as codings by ``consensus``, with the reason in the change log and in the
   codings' memo. :func:`coder_agreement` then compares any pair, including
   ``consensus``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

from ebm_analysis import atomic
from ebm_analysis.agreement import _prepare, agreement_table
from ebm_analysis.changelog import LOG_FILE
from ebm_analysis.errors import DataError, Problem, shorten
from ebm_analysis.project import default_data_dir

if TYPE_CHECKING:
    from ebm_analysis.coding import CodingStore

__all__ = ["MARKER_FILE", "CONSENSUS", "MERGE_CODER_COLUMNS", "DISAGREEMENT_COLUMNS", "DECISIONS", "coder_copy",
           "merge_coder", "coder_disagreements", "seed_consensus", "adjudicate", "coder_agreement", "read_marker",
           "decisions", "DECISION_COLUMNS", "simulate_coder", "SYNTHETIC_MEMO",
           "coder_agreement_report", "agreement_by_pair", "disagreement_kinds"]

#: The marker file of a coder copy.
MARKER_FILE = "CODER_COPY.json"
#: The coder who holds adjudicated decisions.
CONSENSUS = "consensus"
#: Columns of :func:`merge_coder`'s table.
MERGE_CODER_COLUMNS = ["copy_coding_id", "coding_id", "segment_id", "code_id", "coder", "start", "end"]
#: Columns of :func:`coder_disagreements`.
DISAGREEMENT_COLUMNS = ["disagreement_id", "segment_id", "code_id", "level", "coder_a", "coder_b", "kind",
                        "coded_by", "chars_a", "chars_b", "chars_both", "spans_a", "spans_b", "text_a_only",
                        "text_b_only", "text_sv", "text_en"]
#: Columns of :func:`decisions`.
DECISION_COLUMNS = ["disagreement_id", "segment_id", "code_id", "coder_a", "coder_b", "decision", "kept", "reason",
                    "coder", "time", "seq"]
#: What :func:`adjudicate` accepts as a decision (besides the two coders' names for ``a`` and ``b``).
DECISIONS = ("a", "b", "both", "neither")

_SKIP = {"codings.csv", "codebook.csv", LOG_FILE, MARKER_FILE}


# ---------------------------------------------------------------- fingerprints

#: Hex digits written as letters (0-9 -> g-p), so that the identifier scan of ``check`` never takes a
#: checksum in the marker file for a phone or personnummer.
_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def _segment_sums(texts: Mapping[str, str]) -> dict[str, str]:
    """A checksum per segment text: 16 hex digits of SHA-256, digits written as letters."""
    return {sid: hashlib.sha256(text.encode("utf-8")).hexdigest()[:16].translate(_LETTERS)
            for sid, text in texts.items()}


def _codebook_rows(codebook: pd.DataFrame) -> dict[str, dict]:
    from ebm_analysis.rowtable import py_value

    return {str(r["code_id"]): {k: py_value(v) for k, v in r.items()} for r in codebook.to_dict("records")}


def _texts(project) -> dict[str, str]:
    seg = project.segments()
    return {str(s): "" if pd.isna(t) else str(t) for s, t in zip(seg["segment_id"], seg["text_sv"])}


def _differences(what: str, made: Mapping, now: Mapping, where: str) -> list[str]:
    added = [k for k in now if k not in made]
    removed = [k for k in made if k not in now]
    changed = [k for k in made if k in now and made[k] != now[k]]
    out = []
    for label, keys in (("added", added), ("removed", removed), ("changed", changed)):
        if keys:
            detail = shorten(keys, 6)
            if what == "code" and label == "changed":
                detail = ", ".join(f"{k} ({', '.join(c for c in now[k] if now[k][c] != made[k].get(c))})"
                                   for k in keys[:6]) + (f" and {len(keys) - 6} more" if len(keys) > 6 else "")
            out.append(f"{where}: {len(keys)} {what}(s) {label} ({detail})")
    return out


# ---------------------------------------------------------------- the copy

def coder_copy(data_dir: str | Path | None, out_dir: str | Path, coder: str) -> Path:
    """Make a blank copy of a data folder for an independent coder; returns the copy's folder.

    Parameters
    ----------
    data_dir : str or Path or None
        The data folder (None: the default data folder).
    out_dir : str or Path
        Where to make the copy: a new or empty folder outside the data folder.
    coder : str
        The second coder's id (letters, digits, ``_``, ``-``), who must not
        have codings in the data folder yet.

    Returns
    -------
    Path
        ``out_dir``, holding every table of the data folder except the
        codings (``codings.csv`` with its header only), the codebook as it
        stands now (change log applied), ``CODER_COPY.json``, and no memos,
        change log or lock.

    Raises
    ------
    DataError
        An existing non-empty ``out_dir``, one inside the data folder, a
        coder name already used, a data folder with problems.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = coder_copy(None, pathlib.Path(tempfile.mkdtemp()) / "copy", "coder2")
    >>> sorted(p.name for p in out.iterdir())[:3]
    ['CODER_COPY.json', 'README.md', 'advice.csv']
    >>> from ebm_analysis import load_project
    >>> len(load_project(out).codings)
    0
    """
    from ebm_analysis.coding import CodingStore
    from ebm_analysis.project import default_data_dir

    folder = Path(default_data_dir() if data_dir is None else data_dir)
    out = Path(out_dir)
    _check_coder_name(coder)
    _check_out_dir(folder, out)
    store = CodingStore.open(folder, compact_on_open=None)
    used = sorted(set(store.codings["coder"].astype(str)))
    if coder in used:
        raise DataError(Problem("codings.csv", None, "coder", f"'{coder}', who already has codings in "
                                f"{folder.name}/", f"choose a coder name not yet used ({shorten(used, 6)})"))
    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(os.listdir(folder)):
        source = folder / name
        if name.startswith(".") or name in _SKIP or not source.is_file() or source.is_symlink():
            continue
        shutil.copyfile(source, out / name)
    tables = store._tables
    atomic.write_text_atomic(out / "codebook.csv", atomic.frame_to_csv_text(
        tables["codebook"].frame()[tables["codebook"].columns]), keep_previous=False)
    atomic.write_text_atomic(out / "codings.csv", atomic.frame_to_csv_text(
        tables["codings"].frame()[tables["codings"].columns].iloc[0:0]), keep_previous=False)
    marker = {"coder": coder, "made_from": folder.name, "log_sequence": store.sequence,
              "segments": _segment_sums(store._texts), "codebook": _codebook_rows(store.codebook)}
    atomic.write_text_atomic(out / MARKER_FILE, json.dumps(marker, ensure_ascii=False, indent=1) + "\n",
                             keep_previous=False)
    return out


def _check_coder_name(coder) -> None:
    import re

    if not isinstance(coder, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,39}", coder):
        raise DataError(Problem("(arguments)", None, "coder", repr(coder),
                                "expected a coder id: a letter, then letters, digits, _ or - (e.g. coder2)"))


def _check_out_dir(folder: Path, out: Path) -> None:
    data, target = folder.resolve(), out.resolve()
    if target == data or data in target.parents:
        raise DataError(Problem(str(out), None, None, "a folder inside the data folder",
                                "make the copy outside the data folder (e.g. next to it)"))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise DataError(Problem(str(out), None, None, "an existing " + ("file" if not target.is_dir()
                                                                         else "folder that is not empty"),
                                "give a new or empty folder; nothing was written"))


def read_marker(copy_dir: str | Path) -> dict:
    """The marker of a coder copy (``CODER_COPY.json``), checked; DataError when missing or damaged."""
    path = Path(copy_dir) / MARKER_FILE
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(Problem(MARKER_FILE, None, None, f"no {MARKER_FILE} in {Path(copy_dir).name}/",
                                "expected a folder made by `python -m ebm_analysis coder-copy`")) from None
    except (OSError, ValueError) as exc:
        raise DataError(Problem(MARKER_FILE, None, None, f"a file that cannot be read as JSON ({exc})",
                                "restore the marker file from the copy as it was made")) from None
    fields = {"coder": str, "segments": dict, "codebook": dict}
    bad = [k for k, kind in fields.items() if not isinstance(marker.get(k) if isinstance(marker, dict) else None,
                                                              kind)]
    if bad:
        raise DataError(Problem(MARKER_FILE, None, bad[0], "a missing or malformed field",
                                "restore the marker file from the copy as it was made"))
    return marker


# ---------------------------------------------------------------- merging back

def merge_coder(data_dir: str | Path | None, copy_dir: str | Path, *, coder: str | None = None,
                reason: str | None = None) -> pd.DataFrame:
    """Add a coder copy's codings to the data folder, in one transaction (one undo takes it back).

    Parameters
    ----------
    data_dir : str or Path or None
        The data folder the copy was made from (None: the default).
    copy_dir : str or Path
        The copy (with ``CODER_COPY.json``).
    coder : str, optional
        Who performs the merge (logged); default: the copy's coder.
    reason : str, optional
        Logged with the change.

    Returns
    -------
    DataFrame
        One row per merged coding: ``copy_coding_id`` (its id in the copy),
        ``coding_id`` (its new id in the data folder), ``segment_id``,
        ``code_id``, ``coder``, ``start``, ``end``.

    Raises
    ------
    DataError
        Listing every problem: the copy's coders already have codings in the
        data folder; segments or codebook changed in either folder since the
        copy was made (which segments or codes, and how); a copy without
        codings. Nothing is merged.
    """
    from ebm_analysis.coding import CodingStore
    from ebm_analysis.project import default_data_dir, load_project

    folder = Path(default_data_dir() if data_dir is None else data_dir)
    copy = Path(copy_dir)
    marker = read_marker(copy)
    theirs = load_project(copy)
    incoming = theirs.codings
    problems = _differences("segment", marker["segments"], _segment_sums(_texts(theirs)), f"the copy {copy.name}/")
    problems += _differences("code", marker["codebook"], _codebook_rows(theirs.codebook), f"the copy {copy.name}/")
    if not len(incoming):
        problems.append(f"the copy {copy.name}/ has no codings: nothing to merge")
    store = CodingStore.open(folder, compact_on_open=None)
    actor = coder or marker["coder"]
    rows: list[list] = []
    with store.transaction(actor, reason or f"merge coder copy {copy.name}/ ({marker['coder']})",
                           action="merge coder") as tx:
        problems += _differences("segment", marker["segments"], _segment_sums(store._texts), f"{folder.name}/")
        problems += _differences("code", marker["codebook"], _codebook_rows(store.codebook), f"{folder.name}/")
        present = {str((tx.get("codings", k) or {}).get("coder")) for k in tx.keys("codings")}
        clash = sorted(set(incoming["coder"].astype(str)) & present)
        if clash:
            problems.append(f"{folder.name}/ already has codings by {', '.join(clash)}: coder names must not "
                            "collide (was this copy merged already? see `python -m ebm_analysis log`)")
        if problems:
            raise DataError([Problem(MARKER_FILE, None, None, p, "nothing was merged; make a new coder copy from "
                                     "the data folder as it is now, or undo the change that differs")
                             for p in problems])
        for row in incoming.to_dict("records"):
            rows.append(_merge_row(tx, row))
        tx.note("merge coder", f"merged {len(rows)} coding(s) by {', '.join(sorted(set(incoming['coder'])))} "
                f"from {copy.name}/", copy=copy.name, coder=marker["coder"])
    out = pd.DataFrame(rows, columns=MERGE_CODER_COLUMNS)
    return out.astype({c: "Int64" if c in ("start", "end") else "string" for c in MERGE_CODER_COLUMNS})


def _merge_row(tx, row: dict) -> list:
    from ebm_analysis.rowtable import py_value
    from ebm_analysis.spans import covered_text
    from ebm_analysis.transaction import _format_id

    row = {k: py_value(v) for k, v in row.items()}
    cid = _format_id(tx._next)
    new = {**row, "coding_id": cid,
           "span_text": covered_text(tx.store._texts[row["segment_id"]], row["start"], row["end"]),
           "created_at": row.get("created_at") or tx.time, "created_by": row.get("created_by") or row["coder"]}
    tx.insert("codings", new, "merge coder")
    tx._next += 1
    return [row["coding_id"], cid, row["segment_id"], row["code_id"], row["coder"], row["start"], row["end"]]


# ---------------------------------------------------------------- disagreements

def coder_disagreements(project, coder_a: str, coder_b: str, *, level: str = "code",
                        codings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where two coders differ, per segment and code: one coded it and the other not, or on other characters.

    Parameters
    ----------
    project : Project
        A loaded project (``project.codings`` holds both coders' codings).
    coder_a, coder_b : str
        Any two coders (a human, a merged second coder, ``consensus``, ...).
    level : {"code", "top"}, default "code"
        ``code``: each code as applied; ``top``: sub-codes rolled up to their
        top-level code (as :func:`~ebm_analysis.agreement.agreement_table`).
    codings : DataFrame, optional
        Codings to use instead of ``project.codings`` (e.g. ``store.codings``).

    Returns
    -------
    DataFrame
        One row per segment × code the two coders differ on, in codebook
        and segment order; columns :data:`DISAGREEMENT_COLUMNS`:
        ``disagreement_id`` (``<segment_id>/<code_id>``), ``segment_id``,
        ``code_id``, ``level``, ``coder_a``, ``coder_b``, ``kind``
        (``segment``: only one coded the segment with the code;
        ``character``: both did, on different characters), ``coded_by``
        (``<a> only``, ``<b> only``, ``both, spans differ``), ``chars_a``,
        ``chars_b``, ``chars_both`` (characters coded), ``spans_a``,
        ``spans_b`` (``whole`` or ``start–end; …``), ``text_a_only``,
        ``text_b_only`` (the text only one coded, shortened), ``text_sv``,
        ``text_en``.

    Raises
    ------
    DataError
        Two equal coders, a coder without codings, an unknown level.

    Examples
    --------
    >>> import ebm_analysis as ebm
    >>> coder_disagreements(ebm.load_project(), "coder1", "nobody")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - codings, column 'coder': found 'nobody', who has no codings; ...
    """
    codings = project.codings if codings is None else codings
    segments = project.segments()
    coders, texts, codes, masks, _ = _prepare(codings, segments, (coder_a, coder_b), level, project.codebook, None)
    english = dict(zip(segments["segment_id"].astype(str), segments["text_en"]))
    order = {s: i for i, s in enumerate(texts)}
    a, b = coders
    rows = []
    for code in codes:
        seen = set(masks[a].get(code, {})) | set(masks[b].get(code, {}))
        for seg in sorted(seen, key=order.get):
            text = texts[seg]
            ma = masks[a].get(code, {}).get(seg, np.zeros(len(text), dtype=bool))
            mb = masks[b].get(code, {}).get(seg, np.zeros(len(text), dtype=bool))
            if np.array_equal(ma, mb):
                continue
            kind = "character" if ma.any() and mb.any() else "segment"
            coded_by = "both, spans differ" if kind == "character" else f"{a if ma.any() else b} only"
            rows.append([f"{seg}/{code}", seg, code, level, a, b, kind, coded_by, int(ma.sum()), int(mb.sum()),
                         int((ma & mb).sum()), _spans(ma), _spans(mb), _only(text, ma & ~mb),
                         _only(text, mb & ~ma), text, english.get(seg)])
    out = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    return out.astype({c: "Int64" if c.startswith("chars_") else "string" for c in DISAGREEMENT_COLUMNS})


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _spans(mask: np.ndarray) -> str:
    if not mask.any():
        return ""
    if mask.all():
        return "whole"
    return "; ".join(f"{s}–{e}" for s, e in _runs(mask))


def _only(text: str, mask: np.ndarray, limit: int = 80) -> str:
    parts = [text[s:e] if e - s <= limit else text[s:s + limit - 1] + "…" for s, e in _runs(mask)]
    return " … ".join(parts)


# ---------------------------------------------------------------- consensus

def _to_level(project, level: str) -> dict[str, str]:
    from ebm_analysis.agreement import _level_map

    return _level_map(project.codebook, level, project.codings)[1]


def _copy_codings(tx, rows: list[dict], memo: str, consensus: str) -> list[str]:
    """Add ``rows``' codings as ``consensus`` (the same span once), returning the new ids."""
    made, seen = [], set()
    for r in rows:
        key = (r["segment_id"], r["code_id"], r["start"], r["end"])
        if key in seen:
            continue
        seen.add(key)
        made.append(tx.add_coding(r["segment_id"], r["code_id"], coder=consensus, start=r["start"], end=r["end"],
                                  memo=memo))
    return made


def _rows_of(tx, coder: str, segment_id: str, code: str, to_level: dict[str, str]) -> list[dict]:
    rows = (tx.get("codings", k) for k in tx.keys("codings"))
    return [r for r in rows if r and r["coder"] == coder and r["segment_id"] == segment_id
            and to_level.get(r["code_id"]) == code]


def seed_consensus(store: CodingStore, coder_a: str, coder_b: str, *, consensus: str = CONSENSUS,
                   level: str = "code", coder: str | None = None, reason: str | None = None) -> pd.DataFrame:
    """Copy to ``consensus`` every segment × code on which the two coders agree exactly (one transaction).

    Where both coded the same characters with a code, ``coder_a``'s codings
    of it are copied (memo ``agreed: <a> and <b>``); segment × codes that
    ``consensus`` already holds are left alone. The disagreements are then
    decided one by one with :func:`adjudicate`.

    Returns
    -------
    DataFrame
        ``segment_id``, ``code_id``, ``coding_id`` (the new consensus codings).
    """
    project = store.project
    coders, texts, codes, masks, _ = _prepare(project.codings, project.segments(), (coder_a, coder_b), level,
                                              project.codebook, None)
    to_level = _to_level(project, level)
    made: list[list[str]] = []
    with store.transaction(coder, reason or f"agreed codings of {coder_a} and {coder_b}",
                           action="seed consensus") as tx:
        index: dict[tuple, list[dict]] = {}
        for row in (tx.get("codings", k) for k in tx.keys("codings")):
            if row and row["coder"] in (coder_a, consensus):
                index.setdefault((row["coder"], row["segment_id"], to_level.get(row["code_id"])), []).append(row)
        for code in codes:
            for seg, ma in masks[coder_a].get(code, {}).items():
                mb = masks[coder_b].get(code, {}).get(seg)
                if mb is None or not np.array_equal(ma, mb) or index.get((consensus, seg, code)):
                    continue
                ids = _copy_codings(tx, index.get((coder_a, seg, code), []), f"agreed: {coder_a} and {coder_b}",
                                    consensus)
                made += [[seg, code, cid] for cid in ids]
    return pd.DataFrame(made, columns=["segment_id", "code_id", "coding_id"]).astype("string")


def adjudicate(store: CodingStore, disagreement: Mapping | pd.Series, decision: str, reason: str, *,
               consensus: str = CONSENSUS, coder: str | None = None) -> list[str]:
    """Record a decision on one disagreement as codings by ``consensus``, with the reason (one transaction).

    Parameters
    ----------
    store : CodingStore
    disagreement : mapping or Series
        A row of :func:`coder_disagreements`.
    decision : {"a", "b", "both", "neither"} or a coder's name
        Whose coding stands: ``a`` (or ``coder_a``'s name), ``b``, ``both``
        (the union of the two), ``neither`` (the code does not apply).
    reason : str
        Why; required. Logged, and written into the consensus codings' memo.
    consensus : str, default "consensus"
        The coder the decisions are recorded as.
    coder : str, optional
        Who adjudicates (logged); default the store's coder.

    Returns
    -------
    list of str
        The consensus codings now on this segment × code (none for ``neither``).
        Consensus codings already there for it are replaced (a decision
        taken again overrides the earlier one; the log keeps both).

    Raises
    ------
    DataError
        An unknown decision, an empty reason. Nothing changes.
    """
    row = dict(disagreement)
    a, b = str(row["coder_a"]), str(row["coder_b"])
    choice = {a: "a", b: "b"}.get(decision, decision)
    if choice not in DECISIONS:
        raise DataError(Problem("(arguments)", None, "decision", repr(decision),
                                f"expected one of a, b, both, neither, {a}, {b}"))
    if not isinstance(reason, str) or not reason.strip():
        raise DataError(Problem("(arguments)", None, "reason", "an empty reason",
                                "say why: the reason is kept with the decision"))
    seg, code, level = str(row["segment_id"]), str(row["code_id"]), str(row.get("level") or "code")
    to_level = _to_level(store.project, level)
    kept = {"a": f"{a}'s coding", "b": f"{b}'s coding", "both": "both codings", "neither": "no coding"}[choice]
    memo = f"adjudicated {a} vs {b}: {kept}. {reason.strip()}"
    with store.transaction(coder, reason.strip(), action="adjudicate") as tx:
        for old in _rows_of(tx, consensus, seg, code, to_level):
            tx.remove_coding(old["coding_id"])
        chosen = {"a": [a], "b": [b], "both": [a, b], "neither": []}[choice]
        rows = [r for c in chosen for r in _rows_of(tx, c, seg, code, to_level)]
        made = _copy_codings(tx, rows, memo, consensus)
        tx.note("adjudicate", f"{seg}/{code}: {kept} ({a} vs {b})", segment=seg, code=code, decision=choice,
                coder_a=a, coder_b=b, consensus=consensus)
    return made


def coder_agreement(project, coder_a: str, coder_b: str, *, level: str = "top",
                    codings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Agreement per code between any two coders of a project (including ``consensus``).

    :func:`~ebm_analysis.agreement.agreement_table` over ``project.codings``
    (or ``codings``), every segment counted as read by both coders.

    Examples
    --------
    >>> import ebm_analysis as ebm
    >>> coder_agreement(ebm.load_project(), "coder1", "coder1")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - (project): expected two or more different coders, found ['coder1', 'coder1']
    """
    codings = project.codings if codings is None else codings
    return agreement_table(codings, project.segments(), coders=(coder_a, coder_b), level=level,
                           codebook=project.codebook)


def agreement_by_pair(project, pairs: Sequence[tuple[str, str]], *, statistic: str = "kappa_segment",
                      level: str = "top", codings: pd.DataFrame | None = None) -> pd.DataFrame:
    """One agreement statistic per code for several pairs of coders, side by side.

    Parameters
    ----------
    project : Project
    pairs : sequence of (str, str)
        The pairs of coders, e.g. ``[("coder1", "coder2"), ("coder1", "consensus")]``.
    statistic : str, default "kappa_segment"
        A column of :func:`coder_agreement`: ``kappa_segment``,
        ``pct_agree_segment``, ``kappa_char`` or ``pct_agree_char``.
    level : {"top", "code"}, default "top"
        As in :func:`coder_agreement`.
    codings : DataFrame, optional
        Instead of ``project.codings``.

    Returns
    -------
    DataFrame
        ``code_id``, then one column per pair named ``"<a> vs <b>"`` (in the
        order of ``pairs``); one row per code, in codebook order. Codes for
        which no pair has a value (no coder of any pair used them) are left out.

    Examples
    --------
    >>> import ebm_analysis as ebm
    >>> project = ebm.load_project()
    >>> twice = pd.concat([project.codings, project.codings.assign(coder="twin")])
    >>> table = agreement_by_pair(project, [("coder1", "twin")], codings=twice)
    >>> table.columns.tolist(), bool((table["coder1 vs twin"].dropna() == 1).all())
    (['code_id', 'coder1 vs twin'], True)
    """
    columns = {"kappa_segment", "pct_agree_segment", "kappa_char", "pct_agree_char"}
    if statistic not in columns:
        raise DataError(f"statistic must be one of {', '.join(sorted(columns))}, not {statistic!r}")
    names = [f"{a} vs {b}" for a, b in pairs]
    per_pair = [coder_agreement(project, a, b, level=level, codings=codings).set_index("code_id")[statistic]
                .rename(name) for (a, b), name in zip(pairs, names)]
    wide = pd.concat(per_pair, axis=1) if per_pair else pd.DataFrame(columns=names)
    order = [c for c in project.codebook["code_id"] if c in wide.index]
    wide = wide.loc[order, names].dropna(how="all")
    wide.index.name = "code_id"
    return wide.reset_index()


def disagreement_kinds(disagreements: pd.DataFrame) -> pd.DataFrame:
    """How many disagreements of each kind (segment or character) and by whom, from :func:`coder_disagreements`.

    Returns
    -------
    DataFrame
        ``kind``, ``coded_by``, ``disagreements`` (a count), sorted by kind and coded_by.

    Examples
    --------
    >>> found = pd.DataFrame({"kind": ["segment", "segment", "character"],
    ...                       "coded_by": ["coder1 only", "coder1 only", "both, spans differ"]})
    >>> disagreement_kinds(found).values.tolist()
    [['character', 'both, spans differ', 1], ['segment', 'coder1 only', 2]]
    """
    return (disagreements.groupby(["kind", "coded_by"]).size().rename("disagreements").reset_index()
            .astype({"disagreements": "int64"}))


def decisions(folder, coder_a: str | None = None, coder_b: str | None = None) -> pd.DataFrame:
    """The adjudication decisions recorded in a data folder's change log, the latest per disagreement.

    Parameters
    ----------
    folder : str or Path
        The data folder.
    coder_a, coder_b : str, optional
        Only decisions between these two coders.

    Returns
    -------
    DataFrame
        Columns :data:`DECISION_COLUMNS`: ``disagreement_id``
        (``<segment_id>/<code_id>``), ``segment_id``, ``code_id``,
        ``coder_a``, ``coder_b``, ``decision`` (a, b, both, neither),
        ``kept`` (the decision in words: the name of the coder whose coding
        was kept, ``both`` or ``neither``), ``reason``, ``coder`` (who
        decided), ``time`` (UTC), ``seq`` (the change-log entry). A decision
        whose transaction was undone is left out.

    Examples
    --------
    >>> decisions(default_data_dir()).columns.tolist()[:3]
    ['disagreement_id', 'segment_id', 'code_id']
    """
    from ebm_analysis.changelog import read_forward

    path = Path(folder) / LOG_FILE
    entries = read_forward(path).entries if path.is_file() else []
    undone = {e.undoes for e in entries if e.undoes is not None}
    latest: dict[str, list] = {}
    for e in entries:
        info = e.after or {}
        if e.op != "note" or e.action != "adjudicate" or e.tx in undone:
            continue
        if coder_a is not None and (info.get("coder_a"), info.get("coder_b")) != (coder_a, coder_b):
            continue
        key = f"{info.get('segment')}/{info.get('code')}"
        decision = info.get("decision")
        kept = {"a": info.get("coder_a"), "b": info.get("coder_b")}.get(decision, decision)
        latest[key] = [key, info.get("segment"), info.get("code"), info.get("coder_a"), info.get("coder_b"),
                       decision, kept, e.reason, e.coder, e.time, e.seq]
    out = pd.DataFrame(list(latest.values()), columns=DECISION_COLUMNS)
    return out.astype({c: "Int64" if c == "seq" else "string" for c in DECISION_COLUMNS})


def coder_agreement_report(data_dir, coder_a: str, coder_b: str, level: str = "top") -> str:
    """The printable agreement between two coders of a data folder (``python -m ebm_analysis agreement --other``).

    Examples
    --------
    >>> print(coder_agreement_report(None, "coder1", "coder2"))
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - codings, column 'coder': found 'coder2', who has no codings; ...
    """
    from ebm_analysis.agreement import format_agreement_table
    from ebm_analysis.project import load_project

    table = coder_agreement(load_project(data_dir), coder_a, coder_b, level=level)
    head = (f"Agreement between {coder_a} and {coder_b}, level '{level}'\n"
            "kappa/alpha: NaN (n/a) when undefined; character kappa pooled over all segments")
    return head + "\n\n" + format_agreement_table(table)


# ---------------------------------------------------------------- a synthetic second coder (demonstrations, tests)

#: The memo every synthetic coding carries, so that it is never taken for real coding.
SYNTHETIC_MEMO = "SYNTHETIC coding made by ebm_analysis.coders.simulate_coder (seed {seed}); not a human judgement"


def simulate_coder(copy_dir: str | Path, reference: pd.DataFrame, coder: str, *, seed: int = 12,
                   keep: float = 0.7, other_code: float = 0.12, trim: float = 0.1) -> pd.DataFrame:
    """Code a coder copy as a SYNTHETIC second coder: a perturbed copy of ``reference``'s codings.

    For demonstrations and tests of the second-coder round trip only; the
    EBM project has no second human coder. Each reference coding is, at
    random (``numpy`` generator seeded with ``seed``, so the same every run):
    kept as it is (``keep``); given a sibling code instead, or the parent when
    it has no sibling (``other_code``); kept with its span cut to its first
    half (``trim``); or left out (the rest). Every synthetic coding's memo
    says it is synthetic (:data:`SYNTHETIC_MEMO`).

    Parameters
    ----------
    copy_dir : str or Path
        A folder made by :func:`coder_copy`; coded through its store.
    reference : DataFrame
        The codings to perturb (one coder's, shaped as ``codings.csv``).
    coder : str
        The synthetic coder's id (the copy's coder).
    seed : int, default 12
    keep, other_code, trim : float
        Probabilities (their sum at most 1; the rest is left out).

    Returns
    -------
    DataFrame
        The synthetic codings: ``coding_id`` (in the copy), ``segment_id``,
        ``code_id``, ``start``, ``end``, ``change`` (kept, other code, trimmed).
    """
    from ebm_analysis.coding import CodingStore

    if min(keep, other_code, trim) < 0 or keep + other_code + trim > 1:
        raise DataError(Problem("(arguments)", None, "keep", f"keep {keep}, other_code {other_code}, trim {trim}",
                                "expected probabilities from 0 to 1 with a sum of at most 1"))
    store = CodingStore.open(copy_dir, coder=coder)
    book = store.codebook
    parent = {str(c): (None if pd.isna(p) else str(p)) for c, p in zip(book["code_id"], book["parent_id"])}
    rng = np.random.default_rng(seed)
    rows, seen = [], set()
    with store.transaction(coder, f"synthetic second coder (seed {seed})", action="simulate coder") as tx:
        for r in reference.sort_values("coding_id").to_dict("records"):
            draw = rng.random()
            code, start, end = str(r["code_id"]), _int(r["start"]), _int(r["end"])
            text = store.text(str(r["segment_id"]))
            if draw < keep:
                change = "kept"
            elif draw < keep + other_code:
                siblings = sorted(c for c, p in parent.items() if p == parent[code] and c != code and p is not None)
                code = siblings[int(rng.integers(len(siblings)))] if siblings else (parent[code] or code)
                change = "other code"
            elif draw < keep + other_code + trim:
                lo, hi = (start, end) if start is not None else (0, len(text))
                start, end = lo, lo + max(1, (hi - lo) // 2)
                if not text[start:end].strip():
                    start, end = _int(r["start"]), _int(r["end"])
                change = "trimmed"
            else:
                continue
            key = (str(r["segment_id"]), code, start, end)
            if key in seen:
                continue
            seen.add(key)
            cid = tx.add_coding(str(r["segment_id"]), code, coder=coder, start=start, end=end,
                                memo=SYNTHETIC_MEMO.format(seed=seed))
            rows.append([cid, *key, change])
    store.close()
    out = pd.DataFrame(rows, columns=["coding_id", "segment_id", "code_id", "start", "end", "change"])
    return out.astype({"start": "Int64", "end": "Int64", "coding_id": "string", "segment_id": "string",
                       "code_id": "string", "change": "string"})


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)
