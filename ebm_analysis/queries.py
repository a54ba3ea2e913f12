"""Queries over coded data: retrieval, frequencies, matrices, co-occurrence, text search.

Every query takes either a loaded :class:`~ebm_analysis.project.Project` or a
:class:`CodedData` (three plain DataFrames: segments, codings, codebook, e.g.
from a :class:`~ebm_analysis.coding.CodingStore`), and returns a DataFrame
with documented columns. Nothing here changes the data.

**Speed.** The first query on a project builds a query index of integer
arrays (:mod:`ebm_analysis._index`) and keeps it on the project object;
later queries count and filter those arrays. The index is rebuilt whenever
the project holds other tables or the coding store's change counter
(``project.sequence``) moves on, so an answer is never stale. Boolean and
proximity queries over codes are in :mod:`ebm_analysis.coding_query`, word
frequencies and stemmed search in :mod:`ebm_analysis.words`.

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
from collections.abc import Container, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ebm_analysis._frames import frame, string_array
from ebm_analysis._index import CodingIndex, SegmentIndex, coding_index, distinct, segment_index
from ebm_analysis.errors import DataError, Problem, shorten
from ebm_analysis.project import Project
from ebm_analysis.schema import MEETINGS, ROLES

__all__ = [
    "CodedData", "coded_data", "segment_table", "descendants", "top_level_codes", "retrieve",
    "code_frequencies", "code_by_attribute", "code_by_meeting", "codings_without_meeting", "meeting_shares",
    "text_per_meeting", "cooccurrence", "search_text", "search_forms", "compare_searches", "segment_mask",
    "ATTRIBUTES", "MISSING", "FILTERS", "SEARCH_KINDS",
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

    The segment table is built once per project and cached with the query
    index; the frame returned is a (copy-on-write) copy of it.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> data = coded_data(load_project())
    >>> list(data.codings.columns)[:3]
    ['coding_id', 'segment_id', 'code_id']
    """
    if isinstance(project, CodedData):
        return project
    return CodedData(segment_index(project).table.copy(deep=False), project.codings, project.codebook)


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
    top: dict[str, str] = {}
    for code in codebook["code_id"]:
        path, on_path, node = [], set(), code
        while node not in top and node in parent and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parent[node]
        # the walk ends at a known code, a top-level code, or (in a cycle, which
        # the loader refuses) back on itself: then the last code before it
        root = top[node] if node in top else path[-1] if node in on_path else node
        top.update(dict.fromkeys(path, root))
        top.setdefault(node, root)
    return {code: top[code] for code in codebook["code_id"]}


def _check_codes(codebook: pd.DataFrame, codes: Iterable[str], known: Container[str] | None = None) -> None:
    """A DataError naming every code the codebook does not list (``known``: its code ids, when at hand)."""
    known = set(codebook["code_id"]) if known is None else known
    problems = [Problem("codebook.csv", None, "code_id", f"'{c}', which the codebook does not list",
                        f"expected one of: {shorten(codebook['code_id'].tolist())}")
                for c in codes if c not in known]
    if problems:
        raise DataError(problems)


# ---------------------------------------------------------------- filters

#: The filters every query over segments accepts, and the segment column each one reads.
FILTERS = {"role": "speaker_role", "participant": "speaker_id", "meeting": "meeting", "source_type": "source_type"}


def segment_mask(index: SegmentIndex, **filters) -> np.ndarray | None:
    """Per segment row: does it pass every filter given (None = no filter given)?

    Raises
    ------
    DataError
        An unknown filter name or a value the project does not have.
    """
    mask = None
    for name, value in filters.items():
        if value is None:
            continue
        if name not in FILTERS:
            raise DataError(Problem("(query)", None, name, f"a filter named '{name}'",
                                    f"expected one of: {', '.join(FILTERS)}"))
        column = FILTERS[name]
        if column not in index.table.columns:
            raise DataError(Problem("(query)", None, name, f"no '{column}' column in the segments",
                                    "leave this filter out"))
        values = _as_list(value)
        codes, order = index.attribute(column, ORDERS)      # every value the column has or may have
        bad = [v for v in values if v not in order]
        if bad:
            raise DataError(Problem("(query)", None, name, ", ".join(repr(b) for b in bad),
                                    f"expected {name} to be one of: {shorten(order)}"))
        # a lookup table by code (the extra last entry, for -1 = missing, stays False)
        wanted = np.zeros(len(order) + 1, dtype=bool)
        wanted[[i for i, v in enumerate(order) if v in values]] = True
        passed = wanted[codes]
        mask = passed if mask is None else mask & passed
    return mask


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
    ix = coding_index(project)
    keep = ix.valid.copy()
    seg_mask = segment_mask(ix.segments, role=role, participant=participant, meeting=meeting,
                            source_type=source_type)
    if seg_mask is not None:
        keep &= seg_mask[np.maximum(ix.seg, 0)]
    if code is not None:
        wanted = _as_list(code)
        _check_codes(ix.codebook, wanted, ix.code_position)
        keep &= ix.subtree_mask(wanted, include_subcodes)
    rows = ix.order[keep[ix.order]]
    return _passages(ix, rows, context)


def _passages(ix: CodingIndex, rows: np.ndarray, context: int) -> pd.DataFrame:
    """The columns of :func:`retrieve` for the given coding rows (in that order)."""
    seg_rows = ix.seg[rows]
    out = {c: ix.column(c).take(rows) for c in ("coding_id", "segment_id", "code_id")}
    for column in ("source_type", "speaker_role", "meeting", "text_sv", "text_en"):
        out[column] = ix.segments.column(column).take(seg_rows)
    coded, before, after = _all_passages(ix, context)
    out["coded_text"] = coded.take(rows)
    out["context_before"] = before.take(rows)
    out["context_after"] = after.take(rows)
    for c in ("memo", "coder", "start", "end"):
        out[c] = ix.column(c).take(rows)
    return frame({c: out[c] for c in RETRIEVE_COLUMNS})      # new arrays from take: the frame takes them over


def _all_passages(ix: CodingIndex, context: int):
    """Coded text and context of every coding (by coding row), cut once per index and context width."""
    def build():
        rows = np.flatnonzero(ix.valid)
        seg_rows = ix.seg[rows]
        joined = _joined(ix.segments, "sv")
        length = joined.lengths[seg_rows]
        start, end = np.minimum(ix.start[rows], length), np.minimum(ix.end[rows], length)
        whole = ix.whole[rows]
        before = np.where(whole, start, np.maximum(start - context, 0))
        after = np.where(whole, end, np.minimum(end + context, length))
        columns = []
        for a, b in ((start, end), (before, start), (end, after)):
            full = np.full(len(ix.seg), "", dtype=object)
            full[rows] = np.asarray(_cut(joined, seg_rows, a, b), dtype=object)
            columns.append(pd.array(full, dtype="string"))
        return tuple(columns)
    return ix.memo(("passages", context), build)


def _cut(joined: _Joined, seg_rows: np.ndarray, start: np.ndarray, end: np.ndarray) -> pd.arrays.StringArray:
    """``text[start:end]`` of each given segment (offsets within the segment, already clipped to it)."""
    base = joined.offsets[seg_rows]
    text = joined.text
    return string_array([text[a:b] for a, b in zip((base + start).tolist(), (base + end).tolist())])


# ---------------------------------------------------------------- counts

def _check_attribute(index: SegmentIndex, attribute: str) -> None:
    if attribute not in index.table.columns or attribute in ("segment_id", "text_sv", "text_en"):
        raise DataError(Problem("(query)", None, "attribute", repr(attribute),
                                f"expected one of: {', '.join(ATTRIBUTES)}"))


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise DataError(f"level must be 'top' (sub-codes rolled up) or 'code' (each code), not {level!r}")


@dataclass(frozen=True)
class _Table:
    """Codings counted per (code at a level, attribute value)."""

    codes: list[str]
    values: list            # in display order, MISSING last when some coded segment has no value
    row: np.ndarray         # per kept coding: row in ``codes``
    seg: np.ndarray         # per kept coding: segment row
    column: np.ndarray      # per kept coding: column in ``values``
    value_of_segment: np.ndarray   # per segment row: column in ``values`` (MISSING's column if none)
    kept: np.ndarray        # the kept coding rows of the index


def _tabulate(ix: CodingIndex, by: str, level: str) -> _Table:
    _check_attribute(ix.segments, by)
    _check_level(level)
    codes, level_row = ix.level(level)
    value_codes, order = ix.segments.attribute(by, ORDERS)
    kept = np.flatnonzero(ix.valid & (level_row >= 0))
    seg = ix.seg[kept]
    values = list(order)
    value_of_segment = value_codes
    if (value_codes[seg] < 0).any():
        values.append(MISSING)
        value_of_segment = np.where(value_codes < 0, len(values) - 1, value_codes)
    return _Table(codes, values, level_row[kept], seg, value_of_segment[seg], value_of_segment, kept)


def _count_matrix(t: _Table, n_segments: int, count: str) -> np.ndarray:
    """codes × values: number of codings, or of distinct segments coded."""
    nv, size = len(t.values), len(t.codes) * len(t.values)
    if count == "codings":
        cells = t.row * nv + t.column
    else:
        pairs = distinct(t.row * n_segments + t.seg)
        cells = (pairs // n_segments) * nv + t.value_of_segment[pairs % n_segments]
    return np.bincount(cells, minlength=size).reshape(len(t.codes), nv).astype(np.int64)


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
    ix = coding_index(project)
    t = _tabulate(ix, by, level)
    codings = _count_matrix(t, ix.segments.n, "codings")
    segments = _count_matrix(t, ix.segments.n, "segments")
    index = pd.MultiIndex.from_product([t.codes, t.values], names=["code_id", by])
    return pd.DataFrame({"codings": codings.ravel(), "segments": segments.ravel()}, index=index).reset_index()


COUNTS = ("codings", "segments", "characters", "coverage")
PERCENTS = (None, "row", "column")


def code_by_attribute(project: Project | CodedData, attribute: str, level: str = "top",
                      count: str = "codings", percent: str | None = None) -> pd.DataFrame:
    """A code × attribute-value matrix, like NVivo's matrix coding query.

    Parameters
    ----------
    project : Project or CodedData
    attribute : str
        A segment or participant attribute (see :data:`ATTRIBUTES`), e.g.
        ``speaker_role``, ``source_type``, ``speaker_group``, ``meeting``,
        ``observation_basis``, ``tenure_at_start``.
    level : {"top", "code"}, default "top"
    count : {"codings", "segments", "characters", "coverage"}, default "codings"
        What a cell holds: the number of codings (coding references), of
        distinct segments coded, of characters of ``text_sv`` coded (where
        codings of the row's code overlap, a character counts once; a
        whole-segment coding covers the whole text), or **coverage**: those
        characters as a percentage of all the characters of the column's
        segments (NVivo's "coverage").
    percent : {None, "row", "column"}, default None
        Show each count as a percentage of its row total or of its column
        total instead (NVivo's row and column percentages). A row or column
        whose total is 0 shows 0. Not with ``count="coverage"``, which is a
        percentage already.

    Returns
    -------
    DataFrame
        Index ``code_id`` (codebook order, all codes at the level), one
        column per attribute value (natural order, all known values, zeros
        included); a :data:`MISSING` column when some coded segments have no
        value. Integers for counts; floats (percent, 0–100) for coverage and
        percentages.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"], "speaker_group": ["A", None],
    ...                     "text_sv": ["abcdefghij", "abcde"]})
    >>> book = pd.DataFrame({"code_id": ["a", "b"], "parent_id": [None, None]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2", "K3"], "segment_id": ["E1", "E2", "E1"],
    ...     "code_id": ["a", "a", "b"], "start": pd.array([None, None, 2], dtype="Int64"),
    ...     "end": pd.array([None, None, 6], dtype="Int64")})
    >>> data = CodedData(seg, cod, book)
    >>> code_by_attribute(data, "speaker_group")
    speaker_group  A  (missing)
    code_id
    a              1          1
    b              1          0
    >>> code_by_attribute(data, "speaker_group", count="coverage")
    speaker_group      A  (missing)
    code_id
    a              100.0      100.0
    b               40.0        0.0
    >>> code_by_attribute(data, "speaker_group", percent="column")
    speaker_group     A  (missing)
    code_id
    a              50.0      100.0
    b              50.0        0.0
    """
    if count not in COUNTS:
        raise DataError(f"count must be one of {', '.join(COUNTS)}, not {count!r}")
    _check_percent(percent, count)
    ix = coding_index(project)
    t = _tabulate(ix, attribute, level)
    if count in ("codings", "segments"):
        cells = _count_matrix(t, ix.segments.n, count)
    else:
        cells = _characters(ix, t)
        if count == "coverage":
            cells = _share(cells, _column_characters(ix, t))
    matrix = pd.DataFrame(cells, index=pd.Index(t.codes, name="code_id"), columns=pd.Index(t.values, name=attribute))
    return _percentages(matrix, percent)


def _check_percent(percent: str | None, count: str) -> None:
    if percent not in PERCENTS:
        raise DataError(f"percent must be None, 'row' or 'column', not {percent!r}")
    if percent is not None and count == "coverage":
        raise DataError("coverage is a percentage already; use percent=None with count='coverage', "
                        "or count='characters' with percent='row' or 'column'")


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """100 × part / whole, 0 where whole is 0 (broadcasting)."""
    whole = np.broadcast_to(whole, part.shape).astype(np.float64)
    out = np.zeros(part.shape, dtype=np.float64)
    np.divide(100.0 * part, whole, out=out, where=whole > 0)
    return out


def _percentages(matrix: pd.DataFrame, percent: str | None) -> pd.DataFrame:
    if percent is None:
        return matrix
    values = matrix.to_numpy()
    total = values.sum(axis=1, keepdims=True) if percent == "row" else values.sum(axis=0, keepdims=True)
    out = pd.DataFrame(_share(values, total), index=matrix.index, columns=matrix.columns)
    out.attrs = dict(matrix.attrs)
    return out


def _characters(ix: CodingIndex, t: _Table) -> np.ndarray:
    """codes × values: characters of ``text_sv`` covered by the union of each code's spans."""
    n = ix.segments.n
    group = t.row * n + t.seg
    start, end = ix.start[t.kept], ix.end[t.kept]
    covered, groups = _union_lengths(group, start, end)
    rows, segs = groups // max(n, 1), groups % max(n, 1)
    nv = len(t.values)
    cells = rows * nv + t.value_of_segment[segs]
    return np.bincount(cells, weights=covered, minlength=len(t.codes) * nv).reshape(len(t.codes), nv).astype(np.int64)


def _column_characters(ix: CodingIndex, t: _Table) -> np.ndarray:
    """Per value: all characters of ``text_sv`` in the segments with that value."""
    has = t.value_of_segment >= 0
    return np.bincount(t.value_of_segment[has], weights=ix.segments.length_sv[has],
                       minlength=len(t.values))[:len(t.values)]


def _union_lengths(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the length of the union of its [start, end) spans; returns (lengths, group keys)."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort((start, group))
    group, start, end = group[order], start[order], end[order]
    first = np.r_[True, group[1:] != group[:-1]]
    number = np.cumsum(first) - 1
    offset = number * (int(end.max()) + 1)
    reach = np.maximum.accumulate(end + offset) - offset        # furthest end so far within the group
    before = np.r_[0, reach[:-1]]
    before[first] = 0
    pieces = np.maximum(0, end - np.maximum(start, before))
    return np.bincount(number, weights=pieces).astype(np.int64), group[first]


def code_by_meeting(project: Project | CodedData, level: str = "top", count: str = "codings",
                    percent: str | None = None) -> pd.DataFrame:
    """A code × meeting matrix, meetings 1 to 8 as columns (all present, zeros included).

    Codings on segments that no meeting is given for (e.g. interviews about
    the project as a whole) are left out; their number (of segments, with
    ``count="segments"``) is in ``result.attrs["without_meeting"]`` and per code in
    :func:`codings_without_meeting`.

    Parameters
    ----------
    project : Project or CodedData
    level : {"top", "code"}, default "top"
    count : {"codings", "segments", "characters", "coverage"}, default "codings"
        As in :func:`code_by_attribute`; ``coverage`` is the share of all the
        characters of a meeting's segments that the code covers.
    percent : {None, "row", "column"}, default None
        Percentages of the row or column total (over meetings 1–8).

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
    >>> code_by_meeting(CodedData(seg, cod, book), percent="row").loc["a", 3]
    np.float64(100.0)
    """
    _check_percent(percent, count)
    matrix = code_by_attribute(project, "meeting", level=level, count=count)
    counted = matrix if count in ("codings", "segments") else code_by_attribute(project, "meeting", level=level)
    without = int(counted[MISSING].sum()) if MISSING in counted.columns else 0
    matrix = matrix.reindex(columns=list(ORDERS["meeting"]), fill_value=0)
    matrix.attrs["without_meeting"] = without
    return _percentages(matrix, percent)


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


def meeting_shares(project: Project | CodedData, codes: Iterable[str] | None = None, level: str = "top",
                   count: str = "codings") -> pd.DataFrame:
    """Where each code's codings at the meetings fall: row percentages over meetings 1–8, with their n.

    Parameters
    ----------
    project : Project or CodedData
    codes : list of str, optional
        The rows to keep, in this order (default every code of the level).
    level : {"top", "code"}, default "top"
    count : {"codings", "segments", "characters"}, default "codings"
        What is shared out, as in :func:`code_by_meeting`.

    Returns
    -------
    DataFrame
        Index: ``code_id`` and ``n`` (the code's ``count`` over meetings
        1–8, the denominator of its row); columns ``1`` … ``8``
        (``meeting``): the percentage of the row's n at that meeting (0
        where n is 0; a row adds up to 100 otherwise).

    Raises
    ------
    DataError
        A code the codebook does not list, or a bad ``level`` / ``count``.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2", "E3"], "meeting": pd.array([1, 2, None], dtype="Int64")})
    >>> book = pd.DataFrame({"code_id": ["a", "b"], "parent_id": [None, None]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2", "K3", "K4"], "segment_id": ["E1", "E1", "E2", "E3"],
    ...     "code_id": ["a", "a", "a", "b"], "start": [None] * 4, "end": [None] * 4})
    >>> shares = meeting_shares(CodedData(seg, cod, book))
    >>> shares[[1, 2]].round(1).values.tolist(), shares.index.tolist()
    ([[66.7, 33.3], [0.0, 0.0]], [('a', 3), ('b', 0)])
    """
    if count not in ("codings", "segments", "characters"):
        raise DataError(f"count must be 'codings', 'segments' or 'characters', not {count!r}")
    counts = code_by_meeting(project, level=level, count=count)
    if codes is not None:
        codes = list(codes)
        _check_codes(coded_data(project).codebook, codes)
        missing = [c for c in codes if c not in counts.index]
        if missing:
            raise DataError(Problem("(query)", None, "codes", ", ".join(missing),
                                    f"expected codes of level={level!r}: {shorten(list(counts.index))}"))
        counts = counts.loc[codes]
    shares = _percentages(counts, "row")
    shares.index = pd.MultiIndex.from_arrays([counts.index, counts.sum(axis=1).astype("int64")], names=["code_id", "n"])
    return shares


def text_per_meeting(project: Project | CodedData) -> pd.DataFrame:
    """How much text each meeting has: its segments and their characters (the denominator of coverage).

    Returns
    -------
    DataFrame
        ``meeting`` (1 … 8, every meeting), ``segments`` (segments placed
        at the meeting: notes and quotations), ``characters`` (of their
        ``text_sv``, the text that ``count="coverage"`` shares out).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2", "E3"], "text_sv": ["Tid.", "Mer tid.", "Ingen träff."],
    ...                     "meeting": pd.array([2, 2, None], dtype="Int64")})
    >>> text_per_meeting(CodedData(seg, pd.DataFrame(), pd.DataFrame())).head(2)
       meeting  segments  characters
    0        1         0           0
    1        2         2          12
    """
    index = segment_index(project)
    meetings = list(ORDERS["meeting"])
    if "meeting" not in index.table.columns:
        placed = np.zeros(index.n, dtype=bool)
        where = np.zeros(index.n, dtype=np.int64)
    else:
        column = index.table["meeting"]
        placed = column.notna().to_numpy()
        where = np.searchsorted(meetings, column.fillna(meetings[0]).astype("int64").to_numpy())
    n = len(meetings)
    segments = np.bincount(where[placed], minlength=n)[:n]
    characters = np.bincount(where[placed], weights=index.length_sv[placed], minlength=n)[:n]
    return pd.DataFrame({"meeting": meetings, "segments": segments.astype("int64"),
                         "characters": characters.astype("int64")})


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
    _check_level(level)
    ix = coding_index(project)
    codes, level_row = ix.level(level)
    n = len(codes)
    kept = ix.valid & (level_row >= 0)
    seg_ix, code_ix = ix.seg[kept], level_row[kept]
    if mode == "segment":
        keys = distinct(seg_ix * n + code_ix)
        seg_ix, code_ix = keys // n, keys % n
        starts = ends = np.zeros(len(keys), dtype=np.int64)
    else:
        starts, ends = ix.start[kept], ix.end[kept]
    counts = _pair_counts(seg_ix, code_ix, starts, ends, n, overlap=(mode == "overlap"))
    return pd.DataFrame(counts, index=pd.Index(codes, name="code_id"), columns=pd.Index(codes, name="code_id"))


def _pair_counts(seg_ix, code_ix, starts, ends, n: int, overlap: bool) -> np.ndarray:
    """Count segments per (code a, code b) over all pairs of codings within a segment."""
    if len(seg_ix) == 0 or n == 0:
        return np.zeros((n, n), dtype=np.int64)
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
    keys = distinct((seg_ix[left].astype(np.int64) * n + code_ix[left]) * n + code_ix[right])
    return np.bincount(keys % (n * n), minlength=n * n).reshape(n, n).astype(np.int64)


# ---------------------------------------------------------------- text search

def search_text(project: Project | CodedData, pattern: str, fold_diacritics: bool = False, case: bool = False,
                context: int = 30, language: str = "sv", regex: bool = False,
                whole_word: bool = False, stem: bool = False) -> pd.DataFrame:
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
    stem : bool, default False
        Find every inflection of the word(s) (NVivo's "stemmed words"): a
        word matches when its Snowball stem (Swedish or English, by
        ``language``) is the stem of the pattern's word; a pattern of several
        words finds them in a row. Whole words, case-insensitive; not with
        ``regex``, ``case`` or ``fold_diacritics``. See
        :func:`ebm_analysis.words.stem_of`.

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
    >>> seg = pd.DataFrame({"segment_id": ["E1"], "text_sv": ["Tillit tar tid; tilliten växer."]})
    >>> search_text(CodedData(seg, pd.DataFrame(), pd.DataFrame()), "tillit", stem=True)["match"].tolist()
    ['Tillit', 'tilliten']
    """
    if not pattern or not pattern.strip():
        raise DataError(Problem("(query)", None, "pattern", "an empty search text", "give a word or phrase to find"))
    if language not in ("sv", "en"):
        raise DataError(f"language must be 'sv' or 'en', not {language!r}")
    index = segment_index(project)
    pattern = unicodedata.normalize("NFC", pattern)
    texts = _texts(index, language)
    if stem:
        if regex or case or fold_diacritics:
            raise DataError(Problem("(query)", None, "stem", "stem=True with regex, case or fold_diacritics",
                                    "use stem=True on its own (it is whole-word and case-insensitive)"))
        from ebm_analysis.words import segment_tokens, stemmed_matches

        seg_ix, starts, ends, form = stemmed_matches(index, pattern, language)
        # a one-word match is a token: its text as written is already at hand
        match = None if form is None else segment_tokens(index, language).forms.take(form)
        return _keyword_in_context(index, language, seg_ix, starts, ends, context, match)
    seg_ix, starts, ends = _literal_or_regex(index, texts, pattern, language, fold_diacritics, case, regex,
                                             whole_word)
    return _keyword_in_context(index, language, seg_ix, starts, ends, context)


def _literal_or_regex(index: SegmentIndex, texts: list[str], pattern: str, language: str, fold_diacritics: bool,
                      case: bool, regex: bool, whole_word: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if fold_diacritics:
        searched, maps = _fold_texts(texts)
        joined = _join(searched)
    else:
        joined, maps = _joined(index, language), {}
        plain = joined.text if case else joined.lowered
        if not regex and not whole_word and plain is not None:
            needle = pattern if case else pattern.lower()
            if not case:
                from ebm_analysis.words import candidate_segments

                candidates = candidate_segments(index, language, needle)
                if candidates is not None:
                    return _find_in_segments(plain, needle, joined, candidates)
            return _find_literal(plain, needle, joined)
    lower = not case and not regex          # fast path: lower-case text and pattern once
    rx = _compile(pattern.lower() if lower else pattern, fold_diacritics, case or lower, regex, whole_word)
    seg_ix, starts, ends = _find_all(rx, joined, lower=lower)
    for k in np.flatnonzero(np.isin(seg_ix, list(maps))):
        m = maps[seg_ix[k]]
        starts[k], ends[k] = m[starts[k]], m[ends[k] - 1] + 1
    return seg_ix, starts, ends


def _find_literal(text: str, needle: str, joined: _Joined) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every non-overlapping occurrence of ``needle`` in the joined text (``str.find``), per segment."""
    found, find, step = [], text.find, len(needle)
    i = find(needle)
    while i >= 0:
        found.append(i)
        i = find(needle, i + step)
    return _per_segment(np.array(found, dtype=np.int64), np.array(found, dtype=np.int64) + step, joined)


def _find_in_segments(text: str, needle: str, joined: _Joined,
                      rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every non-overlapping occurrence of ``needle`` within the given segments' stretches of the joined text."""
    found, find, step = [], text.find, len(needle)
    for start, length in zip(joined.offsets[rows].tolist(), joined.lengths[rows].tolist()):
        stop = start + length
        i = find(needle, start, stop)
        while i >= 0:
            found.append(i)
            i = find(needle, i + step, stop)
    return _per_segment(np.array(found, dtype=np.int64), np.array(found, dtype=np.int64) + step, joined)


def _per_segment(starts: np.ndarray, ends: np.ndarray, joined: _Joined) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Joined-text offsets → (segment row, start, end); matches that run past a text's end are dropped."""
    seg_ix = np.searchsorted(joined.offsets, starts, side="right") - 1
    starts, ends = starts - joined.offsets[seg_ix], ends - joined.offsets[seg_ix]
    inside = ends <= joined.lengths[seg_ix]
    return seg_ix[inside], starts[inside], ends[inside]


def _keyword_in_context(index: SegmentIndex, language: str, seg_ix: np.ndarray, starts: np.ndarray,
                        ends: np.ndarray, context: int,
                        match: pd.arrays.StringArray | None = None) -> pd.DataFrame:
    """The rows of :func:`search_text`; ``match`` is the matched texts when the caller has them already."""
    joined = _joined(index, language)
    text = joined.text
    # offsets into the joined text: the left context, the match, the right context (each clipped to its segment)
    base = joined.offsets[seg_ix]
    start, end = base + starts, base + ends
    left = np.maximum(start - context, base).tolist()
    right = np.minimum(end + context, base + joined.lengths[seg_ix]).tolist()
    start, end = start.tolist(), end.tolist()
    if match is None:
        match = string_array([text[a:b] for a, b in zip(start, end)])
    # every column is a new array of one length, so the frame can take them over unchecked
    return frame({"segment_id": index.id_array().take(seg_ix),
                  "start": starts.astype(np.int64), "end": ends.astype(np.int64), "match": match,
                  "left": string_array([text[a:b] for a, b in zip(left, start)]),
                  "right": string_array([text[a:b] for a, b in zip(end, right)])})


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


def _texts(index: SegmentIndex, language: str) -> list[str]:
    """The segments' texts in one language ("" where missing), cached on the index."""
    column = f"text_{language}"

    def build():
        if column not in index.table.columns:
            raise DataError(Problem("(query)", None, "language", f"no '{column}' column in the segments",
                                    "search the other language"))
        return index.table[column].fillna("").astype(str).tolist()
    return index.memo(("texts", language), build)


@dataclass(frozen=True)
class _Joined:
    """All texts of one language joined by NUL, for one scan over every segment."""

    lengths: np.ndarray
    offsets: np.ndarray
    text: str
    lowered: str | None     # text.lower(), or None where lower-casing would change a length


def _join(texts: list[str]) -> _Joined:
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.r_[0, np.cumsum(lengths + 1)][:-1].astype(np.int64)
    joined = "\x00".join(texts)
    lowered = joined.lower()
    return _Joined(lengths, offsets, joined, lowered if len(lowered) == len(joined) else None)


def _joined(index: SegmentIndex, language: str) -> _Joined:
    """The joined (and lower-cased) texts of a language, built once per index."""
    return index.memo(("joined", language), lambda: _join(_texts(index, language)))


def _find_all(rx: re.Pattern, joined: _Joined, lower: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All non-empty matches in all texts at once (joined by NUL), as (text index, start, end).

    With ``lower``, the joined text is lower-cased first (``rx`` must then be
    a lower-case pattern without IGNORECASE); where lower-casing would change
    the length of a text (rare letters such as İ), IGNORECASE is used instead.
    """
    text = joined.text
    if lower and joined.lowered is not None:
        text = joined.lowered
    elif lower:
        rx = re.compile(rx.pattern, re.IGNORECASE)
    found = [(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()]
    pos = np.array(found, dtype=np.int64).reshape(-1, 2)
    return _per_segment(pos[:, 0], pos[:, 1], joined)


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


#: The three ways :func:`compare_searches` looks for a word, in this order.
SEARCH_KINDS = ("whole_word", "substring", "stemmed")


def search_forms(result: pd.DataFrame) -> pd.DataFrame:
    """The forms a search found, case-folded, with how often and in how many segments each occurs.

    Parameters
    ----------
    result : DataFrame
        From :func:`search_text`.

    Returns
    -------
    DataFrame
        ``form`` (the match, case-folded), ``occurrences``, ``segments``;
        most frequent first, ties in alphabetical order.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"], "text_sv": ["Tillit tar tid; tilliten växer.", "Tillit."]})
    >>> search_forms(search_text(CodedData(seg, pd.DataFrame(), pd.DataFrame()), "tillit", stem=True))
           form  occurrences  segments
    0    tillit            2         2
    1  tilliten            1         1
    """
    forms = result["match"].astype("string").str.casefold()
    frame = pd.DataFrame({"form": forms, "segment_id": result["segment_id"]})
    out = frame.groupby("form", sort=False).agg(occurrences=("segment_id", "size"),
                                               segments=("segment_id", "nunique"))
    out = out.reset_index().sort_values(["occurrences", "form"], ascending=[False, True], kind="stable")
    out["form"] = out["form"].astype("string")
    return out.astype({"occurrences": "int64", "segments": "int64"}).reset_index(drop=True)


def compare_searches(project: Project | CodedData, pattern: str, language: str = "sv") -> pd.DataFrame:
    """One word searched three ways: as a whole word, anywhere in a word, and in every inflection.

    Parameters
    ----------
    project : Project or CodedData
    pattern : str
        The word (or words) to find, as for :func:`search_text`.
    language : {"sv", "en"}, default "sv"

    Returns
    -------
    DataFrame
        One row per way of searching, in the order of :data:`SEARCH_KINDS`:
        ``search`` (``whole_word``, ``substring``, ``stemmed``), ``hits``
        (occurrences found), ``segments`` (segments they are in), ``forms``
        (the words found, case-folded, most frequent first, ", "-separated;
        for the substring search, the whole words that contain the pattern).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1"], "text_sv": ["Tillit tar tid; tilliten växer, tillits."]})
    >>> compare_searches(CodedData(seg, pd.DataFrame(), pd.DataFrame()), "tillit")[["search", "hits", "forms"]]
           search  hits                      forms
    0  whole_word     1                     tillit
    1   substring     3  tillit, tilliten, tillits
    2     stemmed     3  tillit, tilliten, tillits
    """
    rows = []
    for kind in SEARCH_KINDS:
        found = search_text(project, pattern, language=language, whole_word=kind == "whole_word",
                            stem=kind == "stemmed", context=0)
        if kind == "substring":      # the words around the matches, not the pattern again
            found_words = search_text(project, rf"\w*{re.escape(pattern.strip())}\w*", language=language,
                                      regex=True, context=0)
            forms = search_forms(found_words)
        else:
            forms = search_forms(found)
        rows.append((kind, len(found), int(found["segment_id"].nunique()), ", ".join(forms["form"])))
    return pd.DataFrame(rows, columns=["search", "hits", "segments", "forms"]).astype(
        {"search": "string", "forms": "string"})
