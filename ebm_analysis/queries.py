"""Queries over coded data: retrieval, frequencies, matrices, co-occurrence, text search.

Every query takes either a loaded :class:`~ebm_analysis.project.Project` or a
:class:`CodedData` (three plain DataFrames: segments, codings, codebook, e.g.
from a :class:`~ebm_analysis.coding.CodingStore`), and returns a DataFrame
with documented columns. Nothing here changes the data.

**Levels.** ``level="top"`` counts each coding under the top-level ancestor of
its code (sub-codes roll up, as in NVivo's aggregated nodes); ``level="code"``
counts it under its own code. Rows come in codebook order and include codes
that were never used (with zeros).

**Segments** are the excerpts and observation notes together (see
:meth:`~ebm_analysis.project.Project.segments`), with these attributes for
filtering and cross-tabulating: ``kind``, ``source_type``, ``speaker_role``,
``speaker_id``, ``speaker_group``, ``meeting``, ``observation_basis``
(observed / retold / unclear, for observation notes), and the speaker's
participant attributes ``tenure_at_start``, ``introduction_track``,
``answered_survey``, ``left_project``, ``joined_meeting``.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ebm_analysis.errors import DataError, Problem, shorten
from ebm_analysis.project import Project
from ebm_analysis.schema import MEETINGS, ROLES

__all__ = [
    "CodedData", "coded_data", "segment_table", "descendants", "top_level_codes", "retrieve",
    "code_frequencies", "code_by_attribute", "code_by_meeting", "codings_without_meeting",
    "cooccurrence", "search_text", "ATTRIBUTES", "MISSING",
]

#: The order in which attribute values are shown, where there is a natural one.
ORDERS: dict[str, tuple] = {
    "speaker_role": (*ROLES, "unknown", "observer"),
    "source_type": ("interview", "survey_comment", "meeting", "observation_note"),
    "kind": ("excerpt", "observation"),
    "meeting": tuple(range(MEETINGS[0], MEETINGS[1] + 1)),
    "joined_meeting": tuple(range(MEETINGS[0], MEETINGS[1] + 1)),
    "observation_basis": ("observed", "retold", "unclear"),
}
PARTICIPANT_ATTRIBUTES = ("tenure_at_start", "introduction_track", "answered_survey", "left_project",
                          "joined_meeting")
#: Segment attributes that :func:`code_by_attribute` and :func:`code_frequencies` accept.
ATTRIBUTES = ("kind", "source_type", "speaker_role", "speaker_id", "speaker_group", "meeting",
              "observation_basis", *PARTICIPANT_ATTRIBUTES)
#: Column label for segments that have no value for the attribute.
MISSING = "(missing)"
LEVELS = ("top", "code")


@dataclass(frozen=True)
class CodedData:
    """The three tables every query reads.

    Attributes
    ----------
    segments : DataFrame
        As :func:`segment_table` returns.
    codings : DataFrame
        The columns of ``codings.csv``.
    codebook : DataFrame
        The columns of ``codebook.csv``.
    """

    segments: pd.DataFrame
    codings: pd.DataFrame
    codebook: pd.DataFrame


def segment_table(project: Project) -> pd.DataFrame:
    """Every segment with the attributes queries filter and cross-tabulate by.

    Returns
    -------
    DataFrame
        The columns of :meth:`Project.segments` plus ``speaker_id``,
        ``speaker_group``, ``observation_basis`` and the participant
        attributes of :data:`PARTICIPANT_ATTRIBUTES` (empty where the
        speaker is not known).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> table = segment_table(load_project())
    >>> {"speaker_group", "observation_basis", "tenure_at_start"} <= set(table.columns)
    True
    """
    seg = project.segments()
    ex = project.excerpts.set_index("excerpt_id")
    ob = project.observations.set_index("note_id")
    ids = seg["segment_id"]
    seg["speaker_id"] = ids.map(ex["speaker_id"]).astype("string")
    seg["speaker_group"] = ids.map(ex["speaker_group"]).astype("string")
    seg["observation_basis"] = ids.map(ob["basis"]).astype("string")
    people = project.participants.set_index("participant_id")
    for column in PARTICIPANT_ATTRIBUTES:
        seg[column] = seg["speaker_id"].map(people[column]).astype(people[column].dtype)
    return seg


def coded_data(project: Project | CodedData) -> CodedData:
    """The :class:`CodedData` of a project (returned unchanged if it already is one).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> data = coded_data(load_project())
    >>> list(data.codings.columns)[:3]
    ['coding_id', 'segment_id', 'code_id']
    """
    if isinstance(project, CodedData):
        return project
    return CodedData(segment_table(project), project.codings, project.codebook)


# ---------------------------------------------------------------- the code tree

def descendants(codebook: pd.DataFrame, code_id: str, *, include_self: bool = False) -> list[str]:
    """All sub-codes of a code, at any depth, in codebook order (depth first).

    Parameters
    ----------
    codebook : DataFrame
        With columns ``code_id`` and ``parent_id``.
    code_id : str
        The code.
    include_self : bool, default False
        Put ``code_id`` itself first.

    Raises
    ------
    DataError
        When the codebook has no such code.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a1", "a11", "b"], "parent_id": [None, "a", "a1", None]})
    >>> descendants(book, "a")
    ['a1', 'a11']
    >>> descendants(book, "b", include_self=True)
    ['b']
    """
    _check_codes(codebook, [code_id])
    children: dict[str, list[str]] = {}
    for code, parent in zip(codebook["code_id"], codebook["parent_id"]):
        if pd.notna(parent):
            children.setdefault(parent, []).append(code)
    found: list[str] = []
    stack = list(reversed(children.get(code_id, [])))
    while stack:
        code = stack.pop()
        found.append(code)
        stack.extend(reversed(children.get(code, [])))
    return [code_id, *found] if include_self else found


def top_level_codes(codebook: pd.DataFrame) -> dict[str, str]:
    """Each code's top-level ancestor (a top-level code maps to itself).

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a1", "a11", "b"], "parent_id": [None, "a", "a1", None]})
    >>> top_level_codes(book)
    {'a': 'a', 'a1': 'a', 'a11': 'a', 'b': 'b'}
    """
    parent = {c: p for c, p in zip(codebook["code_id"], codebook["parent_id"]) if pd.notna(p)}
    top = {}
    for code in codebook["code_id"]:
        node, seen = code, {code}
        while node in parent and parent[node] not in seen:
            node = parent[node]
            seen.add(node)
        top[code] = node
    return top


def _level_codes(codebook: pd.DataFrame, level: str) -> tuple[list[str], dict[str, str]]:
    """The codes shown at ``level`` (codebook order) and the map from each code to one of them."""
    if level not in LEVELS:
        raise DataError(f"level must be 'top' (sub-codes rolled up) or 'code' (each code), not {level!r}")
    codes = codebook["code_id"].tolist()
    if level == "code":
        return codes, {c: c for c in codes}
    return codebook.loc[codebook["parent_id"].isna(), "code_id"].tolist(), top_level_codes(codebook)


def _check_codes(codebook: pd.DataFrame, codes: Iterable[str]) -> None:
    known = set(codebook["code_id"])
    problems = [Problem("codebook.csv", None, "code_id", f"'{c}', which the codebook does not list",
                        f"expected one of: {shorten(codebook['code_id'].tolist())}")
                for c in codes if c not in known]
    if problems:
        raise DataError(problems)


# ---------------------------------------------------------------- retrieval

RETRIEVE_COLUMNS = ["coding_id", "segment_id", "code_id", "source_type", "speaker_role", "meeting",
                    "coded_text", "context_before", "context_after", "text_sv", "text_en", "memo",
                    "coder", "start", "end"]


def retrieve(project: Project | CodedData, code: str | Iterable[str] | None = None,
             role: str | Iterable[str] | None = None, participant: str | Iterable[str] | None = None,
             meeting: int | Iterable[int] | None = None, source_type: str | Iterable[str] | None = None,
             include_subcodes: bool = True, context: int = 40) -> pd.DataFrame:
    """The coded passages that match every filter given, in reading order.

    Parameters
    ----------
    project : Project or CodedData
        The data.
    code : str or list of str, optional
        Code(s) to retrieve; None means every coding.
    role, participant, meeting, source_type : value or list of values, optional
        Keep segments whose ``speaker_role``, ``speaker_id``, ``meeting`` or
        ``source_type`` is one of these.
    include_subcodes : bool, default True
        Also retrieve codings of the codes' sub-codes (at any depth).
    context : int, default 40
        Characters of ``text_sv`` shown either side of a coded span.

    Returns
    -------
    DataFrame
        ``coding_id``, ``segment_id``, ``code_id`` (the code actually
        applied), ``source_type``, ``speaker_role``, ``meeting``,
        ``coded_text`` (the exact span of ``text_sv``, or the whole text for
        whole-segment codings), ``context_before``, ``context_after`` (empty
        for whole-segment codings), ``text_sv``, ``text_en``, ``memo``,
        ``coder``, ``start``, ``end``. Ordered by segment (excerpts, then
        observation notes, as in the data), then by ``start``.

    Raises
    ------
    DataError
        An unknown code, role, source type, participant or meeting.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1"], "kind": ["excerpt"], "source_type": ["interview"],
    ...     "speaker_role": ["social_secretary"], "speaker_id": ["SS1"], "meeting": [2],
    ...     "text_sv": ["Vi talade om tillit."], "text_en": ["We talked about trust."]})
    >>> book = pd.DataFrame({"code_id": ["trust", "trust_staff"], "parent_id": [None, "trust"]})
    >>> cod = pd.DataFrame({"coding_id": ["K1"], "segment_id": ["E1"], "code_id": ["trust_staff"],
    ...     "coder": ["R1"], "start": [13], "end": [19], "memo": [None]})
    >>> hits = retrieve(CodedData(seg, cod, book), code="trust", context=5)
    >>> hits[["code_id", "context_before", "coded_text", "context_after"]].values.tolist()
    [['trust_staff', 'e om ', 'tillit', '.']]
    """
    data = coded_data(project)
    seg = _filter_segments(data, role=role, participant=participant, meeting=meeting, source_type=source_type)
    cod = data.codings
    if code is not None:
        wanted = _as_list(code)
        _check_codes(data.codebook, wanted)
        if include_subcodes:
            wanted = [c for w in wanted for c in descendants(data.codebook, w, include_self=True)]
        cod = cod[cod["code_id"].isin(wanted)]
    cols = ["source_type", "speaker_role", "meeting", "text_sv", "text_en"]
    position = pd.Index(seg["segment_id"]).get_indexer(cod["segment_id"])
    cod = cod[position >= 0].reset_index(drop=True)
    position = position[position >= 0]
    out = pd.concat([cod, seg[cols].iloc[position].reset_index(drop=True)], axis=1)
    out["_order"] = position
    out = out.sort_values(["_order", "start", "coding_id"], na_position="first", kind="stable")
    out = out.reset_index(drop=True)
    _add_spans(out, context)
    return out[RETRIEVE_COLUMNS]


def _add_spans(out: pd.DataFrame, context: int) -> None:
    texts = out["text_sv"].fillna("").tolist()
    starts = out["start"].astype("float64").to_numpy()
    ends = out["end"].astype("float64").to_numpy()
    coded, before, after = [], [], []
    for text, s, e in zip(texts, starts, ends):
        if s != s:  # NaN: the whole segment
            coded.append(text), before.append(""), after.append("")
            continue
        s, e = int(s), int(e)
        coded.append(text[s:e]), before.append(text[max(0, s - context):s]), after.append(text[e:e + context])
    out["coded_text"] = pd.array(coded, dtype="string")
    out["context_before"] = pd.array(before, dtype="string")
    out["context_after"] = pd.array(after, dtype="string")


def _filter_segments(data: CodedData, **filters) -> pd.DataFrame:
    seg = data.segments
    columns = {"role": "speaker_role", "participant": "speaker_id", "meeting": "meeting",
               "source_type": "source_type"}
    for name, value in filters.items():
        if value is None:
            continue
        column = columns[name]
        values = _as_list(value)
        allowed = ORDERS.get(column) or tuple(seg[column].dropna().unique())
        bad = [v for v in values if v not in allowed]
        if bad:
            raise DataError(Problem("(query)", None, name, ", ".join(repr(b) for b in bad),
                                    f"expected {name} to be one of: {shorten(list(allowed))}"))
        seg = seg[seg[column].isin(values).fillna(False)]
    return seg


# ---------------------------------------------------------------- counts

def _leveled(data: CodedData, level: str, columns: Iterable[str] = ()) -> tuple[pd.DataFrame, list[str]]:
    """Codings with ``code`` (the code at ``level``) and the given segment columns."""
    codes, to_level = _level_codes(data.codebook, level)
    cols = ["segment_id", *[c for c in columns if c != "segment_id"]]
    out = data.codings[["coding_id", "segment_id", "code_id", "start", "end"]].merge(
        data.segments[cols], on="segment_id", how="inner")
    out["code"] = out["code_id"].map(to_level)
    return out[out["code"].isin(codes)], codes


def _check_attribute(data: CodedData, attribute: str) -> None:
    if attribute not in data.segments.columns or attribute in ("segment_id", "text_sv", "text_en"):
        raise DataError(Problem("(query)", None, "attribute", repr(attribute),
                                f"expected one of: {', '.join(ATTRIBUTES)}"))


def _attribute_order(data: CodedData, attribute: str, values: pd.Series) -> list:
    present = values.dropna().unique().tolist()
    if attribute in ORDERS:
        return list(ORDERS[attribute]) + sorted(v for v in present if v not in ORDERS[attribute])
    return sorted(present, key=str)


def code_frequencies(project: Project | CodedData, by: str = "speaker_role", level: str = "top") -> pd.DataFrame:
    """How often each code was applied, per value of a segment attribute.

    Parameters
    ----------
    project : Project or CodedData
    by : str, default "speaker_role"
        ``speaker_role``, ``source_type`` or another name in :data:`ATTRIBUTES`.
    level : {"top", "code"}, default "top"
        ``top`` rolls sub-codes up to their top-level ancestor.

    Returns
    -------
    DataFrame
        One row per code × value (zeros included, codebook order, then the
        attribute's natural order; segments without a value appear under
        :data:`MISSING`): ``code_id``, ``<by>``, ``codings`` (number of
        codings) and ``segments`` (number of distinct segments coded).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"], "source_type": ["interview", "meeting"]})
    >>> book = pd.DataFrame({"code_id": ["a", "a1"], "parent_id": [None, "a"]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2", "K3"], "segment_id": ["E1", "E1", "E2"],
    ...     "code_id": ["a", "a1", "a1"], "start": [None] * 3, "end": [None] * 3})
    >>> code_frequencies(CodedData(seg, cod, book), by="source_type")
      code_id       source_type  codings  segments
    0       a         interview        2         1
    1       a    survey_comment        0         0
    2       a           meeting        1         1
    3       a  observation_note        0         0
    """
    data = coded_data(project)
    _check_attribute(data, by)
    joined, codes = _leveled(data, level, [by])
    values = joined[by].astype(object).where(joined[by].notna(), MISSING)
    order = _attribute_order(data, by, data.segments[by])
    if (values == MISSING).any():
        order.append(MISSING)
    joined["_value"] = values
    grouped = joined.groupby(["code", "_value"], sort=False)
    counts = pd.DataFrame({"codings": grouped.size(), "segments": grouped["segment_id"].nunique()})
    index = pd.MultiIndex.from_product([codes, order], names=["code_id", by])
    counts = counts.reindex(index, fill_value=0).astype("int64")
    return counts.reset_index()


def code_by_attribute(project: Project | CodedData, attribute: str, level: str = "top",
                      count: str = "codings") -> pd.DataFrame:
    """A code × attribute-value matrix, like NVivo's matrix coding query.

    Parameters
    ----------
    project : Project or CodedData
    attribute : str
        A segment or participant attribute (see :data:`ATTRIBUTES`), e.g.
        ``speaker_role``, ``source_type``, ``speaker_group``, ``meeting``,
        ``observation_basis``, ``tenure_at_start``.
    level : {"top", "code"}, default "top"
    count : {"codings", "segments"}, default "codings"
        Count codings (coding references) or distinct segments coded.

    Returns
    -------
    DataFrame
        Index ``code_id`` (codebook order, all codes at the level), one
        column per attribute value (natural order, all known values, zeros
        included); a :data:`MISSING` column when some coded segments have no
        value.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"], "speaker_group": ["A", None]})
    >>> book = pd.DataFrame({"code_id": ["a", "b"], "parent_id": [None, None]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2"], "segment_id": ["E1", "E2"],
    ...     "code_id": ["a", "a"], "start": [None] * 2, "end": [None] * 2})
    >>> code_by_attribute(CodedData(seg, cod, book), "speaker_group")
    speaker_group  A  (missing)
    code_id
    a              1          1
    b              0          0
    """
    if count not in ("codings", "segments"):
        raise DataError(f"count must be 'codings' or 'segments', not {count!r}")
    freq = code_frequencies(project, by=attribute, level=level)
    matrix = freq.pivot(index="code_id", columns=attribute, values=count)
    codes = list(dict.fromkeys(freq["code_id"]))
    values = list(dict.fromkeys(freq[attribute]))
    return matrix.reindex(index=codes, columns=values).rename_axis(index="code_id", columns=attribute)


def code_by_meeting(project: Project | CodedData, level: str = "top", count: str = "codings") -> pd.DataFrame:
    """A code × meeting matrix, meetings 1 to 8 as columns (all present, zeros included).

    Codings on segments that no meeting is given for (e.g. interviews about
    the project as a whole) are left out; their number is in
    ``result.attrs["without_meeting"]`` and per code in
    :func:`codings_without_meeting`.

    Parameters
    ----------
    project : Project or CodedData
    level : {"top", "code"}, default "top"
    count : {"codings", "segments"}, default "codings"

    Returns
    -------
    DataFrame
        Index ``code_id``, columns ``1`` … ``8`` (``meeting``).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"], "meeting": pd.array([3, None], dtype="Int64")})
    >>> book = pd.DataFrame({"code_id": ["a"], "parent_id": [None]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2"], "segment_id": ["E1", "E2"],
    ...     "code_id": ["a", "a"], "start": [None] * 2, "end": [None] * 2})
    >>> m = code_by_meeting(CodedData(seg, cod, book))
    >>> m.loc["a"].tolist(), m.attrs["without_meeting"]
    ([0, 0, 1, 0, 0, 0, 0, 0], 1)
    """
    matrix = code_by_attribute(project, "meeting", level=level, count=count)
    meetings = list(ORDERS["meeting"])
    without = int(matrix[MISSING].sum()) if MISSING in matrix.columns else 0
    matrix = matrix.reindex(columns=meetings, fill_value=0)
    matrix.attrs["without_meeting"] = without
    return matrix


def codings_without_meeting(project: Project | CodedData, level: str = "top") -> pd.DataFrame:
    """Per code, the codings that :func:`code_by_meeting` leaves out (segments with no meeting).

    Returns
    -------
    DataFrame
        ``code_id``, ``codings``, ``segments`` (codebook order, zeros included).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1"], "meeting": pd.array([None], dtype="Int64")})
    >>> book = pd.DataFrame({"code_id": ["a"], "parent_id": [None]})
    >>> cod = pd.DataFrame({"coding_id": ["K1"], "segment_id": ["E1"], "code_id": ["a"],
    ...     "start": [None], "end": [None]})
    >>> codings_without_meeting(CodedData(seg, cod, book))
      code_id  codings  segments
    0       a        1         1
    """
    freq = code_frequencies(project, by="meeting", level=level)
    missing = freq[freq["meeting"].astype(object) == MISSING]
    codes = list(dict.fromkeys(freq["code_id"]))
    out = missing.set_index("code_id")[["codings", "segments"]].reindex(codes, fill_value=0)
    return out.rename_axis("code_id").reset_index()


# ---------------------------------------------------------------- co-occurrence

def cooccurrence(project: Project | CodedData, level: str = "top", mode: str = "segment") -> pd.DataFrame:
    """How often two codes meet: a symmetric code × code matrix of segment counts.

    Parameters
    ----------
    project : Project or CodedData
    level : {"top", "code"}, default "top"
    mode : {"segment", "overlap"}, default "segment"
        ``segment``: cell (a, b) is the number of segments coded with both a
        and b anywhere. ``overlap``: the number of segments where a span coded
        a and a span coded b share at least one character (a whole-segment
        coding spans the entire text). The diagonal is the number of segments
        coded with the code, in both modes; ``overlap <= segment`` cell by cell.

    Returns
    -------
    DataFrame
        Index and columns ``code_id`` (codebook order), integer counts.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1"], "text_sv": ["abcdefghij"]})
    >>> book = pd.DataFrame({"code_id": ["a", "b", "c"], "parent_id": [None] * 3})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2", "K3"], "segment_id": ["E1"] * 3,
    ...     "code_id": ["a", "b", "c"], "start": pd.array([0, 4, None], dtype="Int64"),
    ...     "end": pd.array([5, 8, None], dtype="Int64")})
    >>> cooccurrence(CodedData(seg, cod, book), mode="overlap")
    code_id  a  b  c
    code_id
    a        1  1  1
    b        1  1  1
    c        1  1  1
    """
    if mode not in ("segment", "overlap"):
        raise DataError(f"mode must be 'segment' or 'overlap', not {mode!r}")
    joined, codes = _leveled(coded_data(project), level, ["text_sv"])
    n = len(codes)
    code_ix = joined["code"].map({c: i for i, c in enumerate(codes)}).to_numpy()
    seg_ix = pd.factorize(joined["segment_id"])[0]
    if mode == "segment":
        keys = np.unique(seg_ix.astype(np.int64) * n + code_ix)
        seg_ix, code_ix = keys // n, keys % n
        starts = ends = np.zeros(len(keys), dtype=np.int64)
    else:
        lengths = joined["text_sv"].fillna("").str.len().to_numpy()
        starts = joined["start"].astype("float64").fillna(0).to_numpy().astype(np.int64)
        ends = joined["end"].astype("float64").fillna(pd.Series(lengths, index=joined.index)).to_numpy().astype(np.int64)
    counts = _pair_counts(seg_ix, code_ix, starts, ends, n, overlap=(mode == "overlap"))
    frame = pd.DataFrame(counts, index=pd.Index(codes, name="code_id"), columns=pd.Index(codes, name="code_id"))
    return frame


def _pair_counts(seg_ix, code_ix, starts, ends, n: int, overlap: bool) -> np.ndarray:
    """Count segments per (code a, code b) over all pairs of codings within a segment."""
    order = np.argsort(seg_ix, kind="stable")
    seg_ix, code_ix, starts, ends = seg_ix[order], code_ix[order], starts[order], ends[order]
    bounds = np.flatnonzero(np.diff(seg_ix)) + 1
    group_start = np.repeat(np.r_[0, bounds], np.diff(np.r_[0, bounds, len(seg_ix)]))
    group_size = np.diff(np.r_[0, bounds, len(seg_ix)])
    size = np.repeat(group_size, group_size)
    # pair every row i with every row j of its segment: i repeated size[i] times
    left = np.repeat(np.arange(len(seg_ix)), size)
    offsets = np.arange(len(left)) - np.repeat(np.cumsum(size) - size, size)
    right = np.repeat(group_start, size) + offsets
    if overlap:
        keep = np.maximum(starts[left], starts[right]) < np.minimum(ends[left], ends[right])
        left, right = left[keep], right[keep]
    keys = np.unique((seg_ix[left].astype(np.int64) * n + code_ix[left]) * n + code_ix[right])
    return np.bincount(keys % (n * n), minlength=n * n).reshape(n, n).astype(np.int64)


# ---------------------------------------------------------------- text search

def search_text(project: Project | CodedData, pattern: str, fold_diacritics: bool = False, case: bool = False,
                context: int = 30, language: str = "sv", regex: bool = False,
                whole_word: bool = False) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``pattern`` in the segments' texts.

    Parameters
    ----------
    project : Project or CodedData
    pattern : str
        The text to find (taken literally unless ``regex=True``).
    fold_diacritics : bool, default False
        Match regardless of accents, by Unicode NFKD decomposition: é = e,
        å = a, ä = a, ö = o, ü = u. Off by default because å, ä and ö are
        letters of their own in Swedish (``får`` and ``far`` are different words).
    case : bool, default False
        Match case (by default ``Tillit`` also finds ``tillit``; Å finds å).
    context : int, default 30
        Characters shown either side.
    language : {"sv", "en"}, default "sv"
        Search ``text_sv`` or ``text_en``.
    regex : bool, default False
        Treat ``pattern`` as a Python regular expression (a match never
        spans two segments).
    whole_word : bool, default False
        Only whole words (``tillit`` does not find ``tilliten``).

    Returns
    -------
    DataFrame
        ``segment_id``, ``start``, ``end`` (character offsets into the
        searched text, end exclusive), ``match`` (the text as written),
        ``left``, ``right`` (context). In segment order, then by ``start``.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"], "text_sv": ["Får vi?", "Far och mor."],
    ...                     "text_en": ["May we?", "Father and mother."]})
    >>> data = CodedData(seg, pd.DataFrame(), pd.DataFrame())
    >>> search_text(data, "får", context=3)[["segment_id", "start", "match", "right"]].values.tolist()
    [['E1', 0, 'Får', ' vi']]
    >>> search_text(data, "far", fold_diacritics=True)["segment_id"].tolist()
    ['E1', 'E2']
    """
    if not pattern:
        raise DataError(Problem("(query)", None, "pattern", "an empty search text", "give a word or phrase to find"))
    if language not in ("sv", "en"):
        raise DataError(f"language must be 'sv' or 'en', not {language!r}")
    seg = coded_data(project).segments
    texts = _texts(seg, language)
    pattern = unicodedata.normalize("NFC", pattern)
    searched, maps = _fold_texts(texts) if fold_diacritics else (texts, {})
    lower = not case and not regex          # fast path: lower-case text and pattern once
    rx = _compile(pattern.lower() if lower else pattern, fold_diacritics, case or lower, regex, whole_word)
    seg_ix, starts, ends = _find_all(rx, searched, lower=lower, cache=None if fold_diacritics else (seg, language))
    for k in np.flatnonzero(np.isin(seg_ix, list(maps))):
        m = maps[seg_ix[k]]
        starts[k], ends[k] = m[starts[k]], m[ends[k] - 1] + 1
    ids = seg["segment_id"].to_numpy()
    matches = [texts[i][s:e] for i, s, e in zip(seg_ix, starts, ends)]
    left = [texts[i][max(0, s - context):s] for i, s in zip(seg_ix, starts)]
    right = [texts[i][e:e + context] for i, e in zip(seg_ix, ends)]
    return pd.DataFrame({"segment_id": pd.array(ids[seg_ix], dtype="string"), "start": starts, "end": ends,
                         "match": pd.array(matches, dtype="string"), "left": pd.array(left, dtype="string"),
                         "right": pd.array(right, dtype="string")})


def _compile(pattern: str, fold: bool, case: bool, regex: bool, whole_word: bool) -> re.Pattern:
    if fold:
        pattern = "".join(_fold_char(c) for c in pattern)
    body = pattern if regex else re.escape(pattern)
    if whole_word:
        body = rf"\b(?:{body})\b"
    try:
        return re.compile(body, 0 if case else re.IGNORECASE)
    except re.error as exc:
        raise DataError(Problem("(query)", None, "pattern", repr(pattern),
                                f"expected a valid regular expression ({exc}), or regex=False")) from None


#: Joined (and lower-cased) texts of recently searched segment tables, so that
#: repeated searches of the same CodedData skip that work. Keyed by the table's
#: id and checked by a weak reference: treat a CodedData's frames as read-only.
_JOINED: dict[tuple[int, str], tuple] = {}


def _texts(seg: pd.DataFrame, language: str) -> list[str]:
    return seg[f"text_{language}"].fillna("").astype(str).tolist()


def _joined(texts: list[str], cache) -> tuple[np.ndarray, np.ndarray, str, str | None]:
    key = (id(cache[0]), cache[1]) if cache is not None else None
    hit = _JOINED.get(key) if key else None
    if hit is not None and hit[0]() is cache[0]:
        return hit[1:]
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.r_[0, np.cumsum(lengths + 1)][:-1]
    joined = "\x00".join(texts)
    lowered = joined.lower()
    entry = (lengths, offsets, joined, lowered if len(lowered) == len(joined) else None)
    if key:
        _JOINED.clear()
        _JOINED[key] = (weakref.ref(cache[0]), *entry)
    return entry


def _find_all(rx: re.Pattern, texts: list[str], lower: bool = False,
              cache=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All non-empty matches in all texts at once (joined by NUL), as (text index, start, end).

    With ``lower``, the joined text is lower-cased first (``rx`` must then be
    a lower-case pattern without IGNORECASE); where lower-casing would change
    the length of a text (rare letters such as İ), IGNORECASE is used instead.
    """
    lengths, offsets, joined, lowered = _joined(texts, cache)
    if lower and lowered is not None:
        joined = lowered
    elif lower:
        rx = re.compile(rx.pattern, re.IGNORECASE)
    found = [(m.start(), m.end()) for m in rx.finditer(joined) if m.end() > m.start()]
    pos = np.array(found, dtype=np.int64).reshape(-1, 2)
    seg_ix = np.searchsorted(offsets, pos[:, 0], side="right") - 1
    starts, ends = pos[:, 0] - offsets[seg_ix], pos[:, 1] - offsets[seg_ix]
    inside = ends <= lengths[seg_ix]
    return seg_ix[inside], starts[inside], ends[inside]


def _fold_char(c: str) -> str:
    if c.isascii():
        return c
    return "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch))


def _fold_texts(texts: list[str]) -> tuple[list[str], dict[int, list[int]]]:
    """Texts without diacritics, and for texts whose length changed, folded → original offsets."""
    chars = set().union(*map(set, texts)) if texts else set()
    folded = {c: _fold_char(c) for c in chars if not c.isascii()}
    simple = {ord(c): f for c, f in folded.items() if len(f) == 1}
    irregular = {c for c, f in folded.items() if len(f) != 1}
    out, maps = [], {}
    for i, text in enumerate(texts):
        if irregular and not irregular.isdisjoint(text):
            pieces = [folded.get(c, c) for c in text]
            maps[i] = [k for k, p in enumerate(pieces) for _ in p] + [len(text)]
            out.append("".join(pieces))
        else:
            out.append(text.translate(simple))
    return out, maps


# ---------------------------------------------------------------- helpers

def _as_list(value) -> list:
    if isinstance(value, (str, int, np.integer)):
        return [value]
    return list(value)


