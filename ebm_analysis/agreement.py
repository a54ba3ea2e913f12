"""Agreement between coders who coded the same segments.

Three measures, each per code, for every pair of coders:

**Character level** (as NVivo's *Coding comparison query* and QualCoder
compute it). For a code and a segment, every character of ``text_sv`` is
either coded with the code or not, by each coder. Over those characters:

- *percentage agreement* = 100 × (characters both coded + characters neither
  coded) / all characters;
- *Cohen's kappa* = (TA − ΣEF) / (TU − ΣEF), where TU is the number of
  characters, TA the characters agreed on, and ΣEF = (A·B + (TU−A)(TU−B)) / TU
  the agreement expected by chance from each coder's share of coded
  characters (A and B characters coded by each). This is Cohen's (1960)
  kappa for two binary ratings per character, the formula NVivo documents.

``kappa_char`` pools the characters of all segments in scope (one 2 × 2
table per code). NVivo instead reports kappa *per source* (here: per
segment) and advises averaging sources weighted by source size (characters);
``kappa_char_nvivo_weighted`` is that average. NVivo gives a source kappa 1
when both users agree on every character — including a source neither user
coded at the node — so this average is pulled towards 1 by the many segments
neither coder touched; the pooled kappa is the more demanding figure.

**Segment level.** Each segment is coded with the code (anywhere in it) or
not, by each coder: percentage agreement and Cohen's kappa over segments.

**Krippendorff's alpha** (nominal) over segments, the code's presence (1) or
absence (0) being the value, computed with the maintained ``krippendorff``
package (Castro 2017) following Krippendorff (2011), *Computing
Krippendorff's Alpha-Reliability*. Missing values are allowed: a segment a
coder has not coded at all (outside ``coded_segments``) is missing for that
coder, not "absent". :func:`alpha_table` gives alpha across any number of
coders.

Codes at two levels: ``level="top"`` rolls every sub-code up to its top-level
code (a sub-code coding counts for its ancestors, as in ``data/README.md``;
NVivo's *aggregate* nodes), ``level="code"`` compares each code as applied.

Undefined values are NaN, never an error: when neither coder used a code (or
both used it everywhere) kappa and alpha are 0/0, and the ``note`` column
says why.

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales.
*Educational and Psychological Measurement* 20(1), 37–46.
Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
Annenberg School for Communication, University of Pennsylvania.
QSR International, NVivo help, "Run a Coding Comparison query" (How is the
Kappa coefficient calculated? How can I calculate an average Kappa
coefficient across multiple sources?).
QualCoder documentation, "Coder comparison" (character-level agreement and
kappa between two coders).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ebm_analysis.errors import DataError, Problem

LEVELS = ("top", "code")

#: Columns of :func:`agreement_table`.
TABLE_COLUMNS = [
    "coder_a", "coder_b", "code_id", "segments_a", "segments_b", "segments_both",
    "pct_agree_segment", "kappa_segment", "pct_agree_char", "kappa_char",
    "kappa_char_nvivo_weighted", "alpha_segment", "note",
]
#: Columns of :func:`alpha_table`.
ALPHA_COLUMNS = ["code_id", "coders", "segments_pairable", "alpha", "note"]


# ---------------------------------------------------------------- measures

def kappa_from_counts(both: int, a_only: int, b_only: int, neither: int) -> float:
    """Cohen's kappa for two binary ratings from their 2 × 2 table.

    Computed exactly in integers as (TA − ΣEF) / (TU − ΣEF) (NVivo's
    notation; see the module docstring).

    Parameters
    ----------
    both, a_only, b_only, neither : int
        Units coded by both, only by A, only by B, by neither.

    Returns
    -------
    float
        Kappa, or NaN when it is undefined: no units, or both raters
        constant and equal (all coded or all uncoded), where chance agreement
        is already 1.

    Examples
    --------
    NVivo's documented example: 1000 characters, 50 coded by both, 150 by one
    user only (here 100 by A, 50 by B), 800 by neither:

    >>> round(kappa_from_counts(50, 100, 50, 800), 4)
    0.3182
    >>> kappa_from_counts(0, 0, 0, 10)
    nan
    >>> kappa_from_counts(0, 10, 0, 0)
    0.0
    """
    n = both + a_only + b_only + neither
    a, b = both + a_only, both + b_only
    chance_n = a * b + (n - a) * (n - b)  # n × ΣEF
    denominator = n * n - chance_n
    if n == 0 or denominator == 0:
        return float("nan")
    return (n * (both + neither) - chance_n) / denominator


def _counts(a: np.ndarray, b: np.ndarray) -> tuple[int, int, int, int]:
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    return (int((a & b).sum()), int((a & ~b).sum()), int((~a & b).sum()), int((~a & ~b).sum()))


def cohen_kappa(a: Sequence[bool] | np.ndarray, b: Sequence[bool] | np.ndarray) -> float:
    """Cohen's kappa of two binary ratings of the same units.

    Parameters
    ----------
    a, b : array-like of bool
        Coded (True) or not, per unit, by each coder.

    Returns
    -------
    float
        Kappa, NaN when undefined (see :func:`kappa_from_counts`).

    Examples
    --------
    >>> cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0])
    0.5
    """
    return kappa_from_counts(*_counts(a, b))


def percent_agreement(a: Sequence[bool] | np.ndarray, b: Sequence[bool] | np.ndarray) -> float:
    """Percentage of units on which two binary ratings agree (0–100).

    Examples
    --------
    >>> percent_agreement([1, 1, 0, 0], [1, 0, 0, 0])
    75.0
    >>> percent_agreement([], [])
    nan
    """
    both, a_only, b_only, neither = _counts(a, b)
    n = both + a_only + b_only + neither
    return float("nan") if n == 0 else 100.0 * (both + neither) / n


def krippendorff_alpha(reliability_data: Sequence[Sequence[float]] | np.ndarray) -> float:
    """Krippendorff's alpha for nominal data, missing values allowed.

    A thin wrapper over :func:`krippendorff.alpha` (level ``nominal``) that
    returns NaN, instead of warning or raising, where alpha is undefined.

    Parameters
    ----------
    reliability_data : array-like, coders × units
        Values (numbers standing for categories); NaN where a coder gave no
        value to a unit.

    Returns
    -------
    float
        Alpha; NaN when no unit has values from two coders, or when all
        pairable values are the same category (no variation: 0/0).

    Examples
    --------
    Krippendorff (2011), the nominal example with missing data (4 coders,
    12 units):

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data), 3)
    0.743
    >>> krippendorff_alpha([[0, 0, 0], [0, 0, 0]])
    nan
    """
    import krippendorff

    data = np.asarray(reliability_data, dtype=float)
    if data.ndim != 2 or data.shape[0] < 2:
        return float("nan")
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    values = data[:, pairable]
    values = values[~np.isnan(values)]
    if values.size == 0 or np.unique(values).size < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


# ---------------------------------------------------------------- inputs

def _texts(segments: pd.DataFrame) -> dict[str, str]:
    for col in ("segment_id", "text_sv"):
        if col not in segments.columns:
            raise DataError(Problem("segments", None, col, "no such column",
                                    "expected a segments table with segment_id and text_sv (Project.segments())"))
    return {str(s): ("" if pd.isna(t) else str(t)) for s, t in zip(segments["segment_id"], segments["text_sv"])}


def _level_map(codebook: pd.DataFrame | None, level: str, codings: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """The codes reported at ``level`` (in codebook order) and each code's code at that level."""
    if level not in LEVELS:
        raise DataError(f"level must be 'top' (sub-codes rolled up to their top-level code) or 'code' "
                        f"(each code as applied), not {level!r}")
    if codebook is None:
        if level == "top":
            raise DataError("level='top' needs the codebook (pass codebook=project.codebook) to know each "
                            "code's top-level code")
        codes = sorted(set(codings["code_id"].dropna().astype(str)))
        return codes, {c: c for c in codes}
    parent = {str(c): str(p) for c, p in zip(codebook["code_id"], codebook["parent_id"]) if pd.notna(p)}
    all_codes = [str(c) for c in codebook["code_id"]]
    if level == "code":
        return all_codes, {c: c for c in all_codes}
    top = {}
    for code in all_codes:
        node, seen = code, {code}
        while node in parent and parent[node] not in seen:
            node = parent[node]
            seen.add(node)
        top[code] = node
    return [c for c in all_codes if c not in parent], top


def _masks(codings: pd.DataFrame, texts: dict[str, str], coders: Sequence[str],
           to_level: dict[str, str]) -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """coder -> code (at level) -> segment -> boolean mask over text_sv (only where coded)."""
    masks: dict[str, dict[str, dict[str, np.ndarray]]] = {c: {} for c in coders}
    problems: list[Problem] = []
    rows = codings[codings["coder"].isin(list(coders))]
    for i, row in zip(rows.index, rows.itertuples(index=False)):
        seg, code = str(row.segment_id), str(row.code_id)
        where = f"row {i}"
        if seg not in texts:
            problems.append(Problem("codings", None, "segment_id", f"'{seg}' ({where}), which the segments table does not hold",
                                    "expected a segment_id of Project.segments()"))
            continue
        if code not in to_level:
            problems.append(Problem("codings", None, "code_id", f"'{code}' ({where}), which the codebook does not list",
                                    "expected a code_id of codebook.csv"))
            continue
        text = texts[seg]
        start, end = row.start, row.end
        if pd.isna(start) and pd.isna(end):
            start, end = 0, len(text)
        elif pd.isna(start) or pd.isna(end) or not 0 <= int(start) < int(end) <= len(text):
            problems.append(Problem("codings", None, "end", f"start {start}, end {end} ({where})",
                                    f"expected both empty, or 0 <= start < end <= {len(text)} (the length of {seg}'s text_sv)"))
            continue
        by_seg = masks[str(row.coder)].setdefault(to_level[code], {})
        mask = by_seg.setdefault(seg, np.zeros(len(text), dtype=bool))
        mask[int(start):int(end)] = True
    if problems:
        raise DataError(problems)
    return masks


def _prepare(codings, segments, coders, level, codebook, coded_segments):
    for col in ("segment_id", "code_id", "coder", "start", "end"):
        if col not in codings.columns:
            raise DataError(Problem("codings", None, col, "no such column",
                                    "expected a codings table shaped as codings.csv"))
    coders = [str(c) for c in coders]
    if len(coders) < 2 or len(set(coders)) != len(coders):
        raise DataError(f"expected two or more different coders, found {coders!r}")
    present = sorted(set(codings["coder"].dropna().astype(str)))
    absent = [c for c in coders if c not in present]
    if absent:
        raise DataError([Problem("codings", None, "coder", f"'{c}', who has no codings",
                                 f"expected one of the coders present: {', '.join(present) or '(none)'}; "
                                 "for the dictionary coder add dictionary_codings(...) to the codings first")
                         for c in absent])
    texts = _texts(segments)
    codes, to_level = _level_map(codebook, level, codings)
    masks = _masks(codings, texts, coders, to_level)
    scope: dict[str, set[str]] = {}
    for c in coders:
        own = set(codings.loc[codings["coder"] == c, "segment_id"].astype(str))
        if coded_segments is None or c not in coded_segments:
            scope[c] = set(texts)
        else:
            scope[c] = (set(map(str, coded_segments[c])) | own) & set(texts)
    return coders, texts, codes, masks, scope


# ---------------------------------------------------------------- tables

def agreement_table(codings: pd.DataFrame, segments: pd.DataFrame,
                    coders: Sequence[str] = ("coder1", "dictionary"), level: str = "top",
                    codebook: pd.DataFrame | None = None,
                    coded_segments: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Agreement per code between each pair of coders.

    Parameters
    ----------
    codings : DataFrame
        In the shape of ``codings.csv`` (``segment_id``, ``code_id``,
        ``coder``, ``start``, ``end``; empty offsets = the whole segment),
        holding the codings of every coder compared (e.g. ``project.codings``
        and :func:`ebm_analysis.autocode.dictionary_codings` concatenated).
    segments : DataFrame
        ``segment_id`` and ``text_sv`` of every segment (``Project.segments()``).
    coders : sequence of str, default ("coder1", "dictionary")
        Two or more coder ids; every pair is compared (A = the earlier).
    level : {"top", "code"}, default "top"
        ``top``: sub-codes rolled up to their top-level code; ``code``: each
        code as applied (a parent gets only its direct codings).
    codebook : DataFrame, optional
        ``code_id`` and ``parent_id``; gives one row per code in codebook
        order (unused codes included). Needed for ``level="top"``. Without it
        the rows are the codes found in ``codings``.
    coded_segments : mapping of str to iterable of str, optional
        The segments each coder has coded (read). Other segments are
        *missing* for that coder and left out of every pairwise figure (and
        are NaN for alpha). Default: every coder read every segment. A
        segment a coder coded is always in that coder's scope.

    Returns
    -------
    DataFrame
        One row per coder pair × code, columns:

        - ``coder_a``, ``coder_b``: the pair;
        - ``code_id``;
        - ``segments_a``, ``segments_b``, ``segments_both``: segments (in
          both coders' scope) coded with the code by A, by B, by both;
        - ``pct_agree_segment`` (0–100), ``kappa_segment``: over segments;
        - ``pct_agree_char`` (0–100), ``kappa_char``: over all characters of
          the segments in scope, pooled;
        - ``kappa_char_nvivo_weighted``: NVivo's per-segment kappa (1 where
          the two agree on every character) averaged with segment length as
          weight;
        - ``alpha_segment``: Krippendorff's alpha (nominal) of the pair over
          segments;
        - ``note``: why a value is NaN, or what limits it (empty otherwise).

    Raises
    ------
    DataError
        For an unknown level or coder, a coding of an unknown segment or code,
        or offsets outside the segment's text.

    Examples
    --------
    Two coders, two segments of 10 characters, one code:

    >>> seg = pd.DataFrame({"segment_id": ["S1", "S2"], "text_sv": ["a" * 10, "b" * 10]})
    >>> cod = pd.DataFrame({"segment_id": ["S1", "S1"], "code_id": ["x", "x"], "coder": ["ann", "bo"],
    ...                     "start": [0, 5], "end": [10, 10]})
    >>> t = agreement_table(cod, seg, coders=("ann", "bo"), level="code")
    >>> t[["code_id", "segments_both", "pct_agree_segment", "pct_agree_char", "kappa_char"]]
      code_id  segments_both  pct_agree_segment  pct_agree_char  kappa_char
    0       x              1              100.0            75.0         0.5
    """
    coders, texts, codes, masks, scope = _prepare(codings, segments, coders, level, codebook, coded_segments)
    rows = []
    for a, b in itertools.combinations(coders, 2):
        common = [s for s in texts if s in scope[a] and s in scope[b]]
        for code in codes:
            rows.append(_pair_row(a, b, code, common, texts, masks, scope))
    out = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    for col in ("segments_a", "segments_b", "segments_both"):
        out[col] = out[col].astype("int64")
    for col in ("coder_a", "coder_b", "code_id", "note"):
        out[col] = out[col].astype("string")
    return out


def _pair_row(a, b, code, common, texts, masks, scope) -> list:
    ma, mb = masks[a].get(code, {}), masks[b].get(code, {})
    seg_a = np.array([s in ma for s in common], dtype=bool)
    seg_b = np.array([s in mb for s in common], dtype=bool)
    n_a, n_b, n_both = int(seg_a.sum()), int(seg_b.sum()), int((seg_a & seg_b).sum())
    if not common:
        nan = float("nan")
        return [a, b, code, 0, 0, 0, nan, nan, nan, nan, nan, nan,
                f"no segment is in the scope of both {a} and {b}: nothing to compare"]
    totals = np.zeros(4, dtype=np.int64)
    weighted, chars = 0.0, 0
    for s in common:
        n = len(texts[s])
        if n == 0:
            continue
        none = np.zeros(n, dtype=bool)
        counts = _counts(ma.get(s, none), mb.get(s, none))
        totals += counts
        k = kappa_from_counts(*counts)
        weighted += n * (1.0 if np.isnan(k) else k)  # NaN only on complete agreement: NVivo shows 1
        chars += n
    both, a_only, b_only, neither = (int(x) for x in totals)
    n_chars = both + a_only + b_only + neither
    pct_char = float("nan") if n_chars == 0 else 100.0 * (both + neither) / n_chars
    kappa_char = kappa_from_counts(both, a_only, b_only, neither)
    nvivo = weighted / chars if chars else float("nan")
    all_ids = list(texts)
    reliability = np.array([[(1.0 if s in m else 0.0) if s in scope[c] else np.nan for s in all_ids]
                            for c, m in ((a, ma), (b, mb))])
    alpha = krippendorff_alpha(reliability)
    notes = []
    if n_a == 0 and n_b == 0:
        notes.append(f"neither {a} nor {b} used this code: kappa and alpha undefined (no variation); "
                     "percentage agreement is trivially 100 and NVivo's per-segment kappa is 1")
    elif n_a == n_b == len(common):
        notes.append("both coders used this code on every segment: segment kappa and alpha undefined (no variation)")
    elif n_a == 0 or n_b == 0:
        notes.append(f"only {b if n_a == 0 else a} used this code: kappa is 0 by construction")
    if np.isnan(kappa_char) and not (n_a == 0 and n_b == 0):
        notes.append("both coders coded every character: character kappa undefined")
    return [a, b, code, n_a, n_b, n_both, percent_agreement(seg_a, seg_b), cohen_kappa(seg_a, seg_b),
            pct_char, kappa_char, nvivo, alpha, "; ".join(notes)]


def alpha_table(codings: pd.DataFrame, segments: pd.DataFrame, coders: Sequence[str],
                level: str = "top", codebook: pd.DataFrame | None = None,
                coded_segments: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Krippendorff's alpha per code across all the given coders at once.

    Each segment is a unit, each coder's value is 1 (coded with the code) or
    0 (not), or missing where the segment is outside the coder's
    ``coded_segments``. Parameters are those of :func:`agreement_table`.

    Returns
    -------
    DataFrame
        Columns ``code_id``; ``coders`` (their number); ``segments_pairable``
        (segments with values from at least two coders); ``alpha`` (NaN when
        undefined); ``note`` (why it is NaN).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["S1", "S2", "S3"], "text_sv": ["a", "b", "c"]})
    >>> cod = pd.DataFrame({"segment_id": ["S1", "S1", "S1", "S2"], "code_id": ["x"] * 4,
    ...                     "coder": ["ann", "bo", "cy", "cy"], "start": [None] * 4, "end": [None] * 4})
    >>> alpha_table(cod, seg, ["ann", "bo", "cy"], level="code",
    ...             coded_segments={"ann": ["S1", "S2"]})
      code_id  coders  segments_pairable   alpha note
    0       x       3                  3  0.5625
    """
    coders, texts, codes, masks, scope = _prepare(codings, segments, coders, level, codebook, coded_segments)
    ids = list(texts)
    rows = []
    for code in codes:
        data = np.array([[(1.0 if s in masks[c].get(code, {}) else 0.0) if s in scope[c] else np.nan
                          for s in ids] for c in coders])
        pairable = int(((~np.isnan(data)).sum(axis=0) >= 2).sum())
        alpha = krippendorff_alpha(data)
        note = ""
        if pairable == 0:
            note = "no segment was coded by two coders"
        elif np.isnan(alpha):
            used = np.nansum(data) > 0
            note = ("no coder used this code: alpha undefined (no variation)" if not used
                    else "every coder used this code on every segment: alpha undefined (no variation)")
        rows.append([code, len(coders), pairable, alpha, note])
    out = pd.DataFrame(rows, columns=ALPHA_COLUMNS)
    out["code_id"] = out["code_id"].astype("string")
    out["note"] = out["note"].astype("string")
    return out


# ---------------------------------------------------------------- the EBM comparison

def dictionary_agreement(project, coder: str = "coder1", level: str = "top",
                         dictionary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Agreement between a human coder and the keyword dictionary coder.

    Runs :func:`ebm_analysis.autocode.dictionary_codings` over every segment
    (never saving its codings) and compares it with ``coder``'s codings in
    ``project.codings``. The dictionary is a transparent keyword list, not a
    second human coder: read the result as "how far does a keyword reading
    go", not as inter-coder reliability.

    Parameters
    ----------
    project : Project
        A loaded project (:func:`ebm_analysis.load_project`).
    coder : str, default "coder1"
        The human coder.
    level : {"top", "code"}, default "top"
    dictionary : DataFrame, optional
        Columns ``code_id``, ``keyword``, ``note``; by default read from
        ``dictionary.csv`` in the project's data folder.

    Returns
    -------
    DataFrame
        As :func:`agreement_table`, one row per code, ``coder_a`` = ``coder``
        and ``coder_b`` = ``"dictionary"``.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = dictionary_agreement(load_project())
    >>> t["code_id"].tolist()[:4]
    ['stress', 'belonging', 'soft_values', 'moderator_translator']
    """
    from ebm_analysis.autocode import DICTIONARY_CODER, dictionary_codings, load_dictionary

    if dictionary is None:
        dictionary = load_dictionary(project.path, codebook=project.codebook)
    segments = project.segments()
    auto = dictionary_codings(segments, dictionary, codebook=project.codebook)
    human = project.codings[project.codings["coder"] == coder]
    codings = pd.concat([human, auto], ignore_index=True)
    return agreement_table(codings, segments, coders=(coder, DICTIONARY_CODER), level=level,
                           codebook=project.codebook)


def format_agreement_table(table: pd.DataFrame, digits: int = 2) -> str:
    """A plain-text rendering of :func:`agreement_table`, notes as footnotes.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["S1", "S2"], "text_sv": ["aaaa", "bbbb"]})
    >>> cod = pd.DataFrame({"segment_id": ["S1", "S1"], "code_id": ["x", "x"], "coder": ["ann", "bo"],
    ...                     "start": [None, 0], "end": [None, 2]})
    >>> print(format_agreement_table(agreement_table(cod, seg, ("ann", "bo"), level="code")))
    ann vs bo
    code  seg A  seg B  both %agree seg kappa seg %agree char kappa char kappa char NVivo alpha seg
       x      1      1     1      100.0      1.00        75.0       0.50             0.50      1.00
    """
    shown = {"code_id": "code", "segments_a": "seg A", "segments_b": "seg B", "segments_both": "both",
             "pct_agree_segment": "%agree seg", "kappa_segment": "kappa seg", "pct_agree_char": "%agree char",
             "kappa_char": "kappa char", "kappa_char_nvivo_weighted": "kappa char NVivo", "alpha_segment": "alpha seg"}
    blocks = []
    for (a, b), part in table.groupby(["coder_a", "coder_b"], sort=False):
        view = part[list(shown)].rename(columns=shown).reset_index(drop=True)
        for col in ("%agree seg", "%agree char"):
            view[col] = view[col].map(lambda v: "n/a" if pd.isna(v) else f"{v:.1f}")
        for col in ("kappa seg", "kappa char", "kappa char NVivo", "alpha seg"):
            view[col] = view[col].map(lambda v: "n/a" if pd.isna(v) else f"{v:.{digits}f}")
        lines = [f"{a} vs {b}", view.to_string(index=False)]
        notes = [(c, n) for c, n in zip(part["code_id"], part["note"]) if pd.notna(n) and n]
        if notes:
            lines.append("notes:")
            lines += [f"  {c}: {n}" for c, n in notes]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def agreement_report(data_dir=None, coder: str = "coder1", level: str = "top") -> str:
    """The printable agreement between ``coder`` and the dictionary coder (for the command line).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (with ``dictionary.csv``); None = the bundled EBM data.
    coder : str, default "coder1"
    level : {"top", "code"}, default "top"

    Returns
    -------
    str
        A heading that names the dictionary coder as automatic, then
        :func:`format_agreement_table`.

    Raises
    ------
    DataError
        When the data or the dictionary has problems.

    Examples
    --------
    >>> print(agreement_report().splitlines()[0])
    Agreement between coder1 and the keyword dictionary (automatic coder 'dictionary', not a human), level 'top'
    """
    from ebm_analysis.project import load_project

    project = load_project(data_dir)
    table = dictionary_agreement(project, coder=coder, level=level)
    head = (f"Agreement between {coder} and the keyword dictionary (automatic coder 'dictionary', "
            f"not a human), level '{level}'\n"
            "kappa/alpha: NaN (n/a) when undefined; character kappa pooled over all segments; "
            "'kappa char NVivo' = per-segment kappa weighted by segment length")
    return head + "\n\n" + format_agreement_table(table)


# ---------------------------------------------------------------- disagreements, segment by segment

#: Columns of :func:`disagreements`.
DISAGREEMENT_COLUMNS = ["segment_id", "coded_by", "codes", "keywords", "other_codes", "text_sv", "text_en",
                        "coder_memo"]


def _within(codebook: pd.DataFrame, theme: str) -> set[str]:
    """``theme`` and every code below it in the codebook's tree."""
    parent = {str(c): str(p) for c, p in zip(codebook["code_id"], codebook["parent_id"]) if pd.notna(p)}
    inside = set()
    for code in map(str, codebook["code_id"]):
        node, seen = code, {code}
        while True:
            if node == theme:
                inside.add(code)
                break
            if node not in parent or parent[node] in seen:
                break
            node = parent[node]
            seen.add(node)
    return inside


def disagreements(project, theme: str, coder: str = "coder1",
                  dictionary: pd.DataFrame | None = None) -> pd.DataFrame:
    """The segments a human coder and the keyword dictionary disagree on, for one theme.

    A segment is listed when exactly one of the two coded it with ``theme``
    or any code below it (sub-codes roll up, as in :func:`agreement_table`
    with ``level="top"``). Segments both coded, or neither, are left out; so
    are differences of span within a segment both coded.

    Parameters
    ----------
    project : Project
        A loaded project.
    theme : str
        A ``code_id`` of the codebook, usually a top-level code such as
        ``"belonging"``.
    coder : str, default "coder1"
        The human coder in ``project.codings``.
    dictionary : DataFrame, optional
        Columns ``code_id``, ``keyword``, ``note``; by default
        ``dictionary.csv`` of the project's data folder.

    Returns
    -------
    DataFrame
        One row per segment, in segment order, columns:

        - ``segment_id``;
        - ``coded_by``: ``"<coder> only"`` or ``"dictionary only"``;
        - ``codes``: the theme's codes that side applied (``;``-separated);
        - ``keywords``: for ``dictionary only``, the keywords that fired and
          the words they matched (from the dictionary's memos); empty for the
          human's rows, where no keyword of the theme fired;
        - ``other_codes``: the codes the *other* side gave the segment
          instead (``;``-separated, empty if none) — e.g. what the human coded
          where the dictionary saw the theme;
        - ``text_sv``, ``text_en``: the segment;
        - ``coder_memo``: the human coder's memos on the segment (``" | "``
          between memos), which often say why a code was or was not applied.

    Raises
    ------
    DataError
        When ``theme`` is not in the codebook or ``coder`` has no codings.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> d = disagreements(load_project(), "belonging")
    >>> d[["segment_id", "coded_by", "codes", "keywords"]].tail(2)
      segment_id         coded_by            codes                       keywords
    4       O039  dictionary only        belonging  tillhörighet* → 'tillhörighet'
    5       O049      coder1 only  group_belonging
    """
    from ebm_analysis.autocode import DICTIONARY_CODER, dictionary_codings, load_dictionary

    codebook = project.codebook
    known = [str(c) for c in codebook["code_id"]]
    if theme not in known:
        raise DataError(Problem("(arguments)", None, "theme", repr(theme),
                                f"expected a code_id of codebook.csv, e.g. {', '.join(known[:4])}"))
    human = project.codings[project.codings["coder"] == coder]
    if not len(human):
        present = sorted(set(project.codings["coder"].dropna().astype(str)))
        raise DataError(Problem("codings.csv", None, "coder", f"'{coder}', who has no codings",
                                f"expected one of the coders present: {', '.join(present) or '(none)'}"))
    if dictionary is None:
        dictionary = load_dictionary(project.path, codebook=codebook)
    segments = project.segments()
    auto = dictionary_codings(segments, dictionary, codebook=codebook)
    inside = _within(codebook, theme)

    def by_segment(frame: pd.DataFrame, column: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for seg, value in zip(frame["segment_id"].astype(str), frame[column]):
            if pd.notna(value) and str(value) not in out.setdefault(seg, []):
                out[seg].append(str(value))
        return out

    h_in, h_out = human[human["code_id"].isin(inside)], human[~human["code_id"].isin(inside)]
    a_in, a_out = auto[auto["code_id"].isin(inside)], auto[~auto["code_id"].isin(inside)]
    h_codes, h_other, h_memo = by_segment(h_in, "code_id"), by_segment(h_out, "code_id"), by_segment(human, "memo")
    a_codes, a_other = by_segment(a_in, "code_id"), by_segment(a_out, "code_id")
    a_keywords = {seg: [m.removeprefix("dictionary: ") for m in memos] for seg, memos in by_segment(a_in, "memo").items()}
    rows = []
    for seg in segments.itertuples(index=False):
        sid = str(seg.segment_id)
        by_h, by_a = sid in h_codes, sid in a_codes
        if by_h == by_a:
            continue
        if by_h:
            rows.append([sid, f"{coder} only", "; ".join(h_codes[sid]), "", "; ".join(a_other.get(sid, [])),
                         seg.text_sv, seg.text_en, " | ".join(h_memo.get(sid, []))])
        else:
            rows.append([sid, f"{DICTIONARY_CODER} only", "; ".join(a_codes[sid]), "; ".join(a_keywords[sid]),
                         "; ".join(h_other.get(sid, [])), seg.text_sv, seg.text_en,
                         " | ".join(h_memo.get(sid, []))])
    out = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    return out.astype("string")
