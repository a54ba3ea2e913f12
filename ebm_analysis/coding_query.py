"""Boolean and proximity queries over codes (NVivo's coding query, MAXQDA's complex retrieval).

An expression combines codes with these operators (keywords in any case;
binding from tightest to loosest):

==================  ==========================================================
``NOT a``           segments *not* coded with ``a`` (among those the filters keep)
``a OVERLAPS b``    a span coded ``a`` and a span coded ``b`` share at least one
                    character (a whole-segment coding covers the whole text)
``a NEAR/n b``      a span coded ``a`` and a span coded ``b`` in the same segment,
                    with at most ``n`` words between them (overlapping or
                    touching spans have 0 words between them)
``a AND b``         the segment is coded with both, anywhere in it
``a OR b``          coded with either
``( … )``           grouping
==================  ==========================================================

A code stands for itself and all its descendants, as in
:func:`~ebm_analysis.queries.retrieve`. A code whose id is also a keyword
(``not``, ``near`` …) can be written in quotes: ``"near"``.

**What a match is.** Each sub-expression yields, per segment, whether the
segment matches and which characters of ``text_sv`` make it match:

* a code: the union of its coded spans;
* ``AND`` / ``OR``: the union of both sides' characters (in the segments
  that match);
* ``NOT``: no characters of its own — a segment that matches only through
  ``NOT`` is shown whole;
* ``OVERLAPS`` / ``NEAR``: for each pair of pieces that meet the condition,
  the stretch from the start of the first to the end of the last
  (MAXQDA's "overlapping" rather than NVivo's "intersection").

:func:`coding_query` returns the matching stretches, merged where they
touch, one row each; ``result["segment_id"].unique()`` gives the segments.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ebm_analysis._index import CodingIndex, coding_index
from ebm_analysis.errors import DataError, Problem, shorten

if TYPE_CHECKING:
    from ebm_analysis.project import Project
    from ebm_analysis.queries import CodedData

__all__ = ["coding_query", "parse_expression", "matches_by_segment", "matches_by_meeting", "query_counts",
           "query_passages", "query_by_meeting", "QUERY_COLUMNS", "PASSAGE_COLUMNS", "NOT_PLACED", "OMITTED"]

#: The columns of :func:`coding_query`.
QUERY_COLUMNS = ["segment_id", "source_type", "speaker_role", "speaker_id", "meeting", "start", "end",
                 "whole_segment", "text", "text_en"]
SOURCE = "(coding query)"
KEYWORDS = ("AND", "OR", "NOT", "OVERLAPS", "NEAR")


# ---------------------------------------------------------------- parsing

@dataclass(frozen=True)
class Token:
    kind: str        # "code", "AND", "OR", "NOT", "OVERLAPS", "NEAR", "(", ")", "end"
    text: str
    position: int    # 0-based character position in the expression
    words: int = 0   # NEAR/n: n


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: ``op`` is "code", "not", "and", "or", "overlaps" or "near"."""

    op: str
    args: tuple = ()
    code: str = ""
    words: int = 0
    position: int = 0


TOKEN = re.compile(r"""\s*(?:(?P<paren>[()])|(?P<near>NEAR\s*/\s*(?P<n>\d*))|(?P<quoted>"[^"]*"|'[^']*')
                       |(?P<word>[^\s()"']+))""", re.VERBOSE | re.IGNORECASE)


def _error(expression: str, position: int, found: str, expected: str) -> DataError:
    marked = f"{expression[:position].rstrip()} ⟨here⟩ {expression[position:].lstrip()}".strip()
    return DataError(Problem(SOURCE, None, f"character {position + 1}",
                             f"{found} in «{marked}»", expected))


def _tokens(expression: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(expression):
        if expression[pos:].strip() == "":
            break
        m = TOKEN.match(expression, pos)
        if m is None or not m.lastgroup:
            start = len(expression) - len(expression[pos:].lstrip())
            raise _error(expression, start, f"an unclosed quote {expression[start:start + 12]!r}",
                         "expected a code in matching quotes, e.g. \"near\"")
        start = m.start(m.lastgroup)
        if m.group("paren"):
            tokens.append(Token(m.group("paren"), m.group("paren"), start))
        elif m.group("near") is not None:
            if not m.group("n"):
                raise _error(expression, start, f"'{m.group('near').strip()}'",
                             "expected NEAR/n with a whole number of words, e.g. NEAR/5")
            tokens.append(Token("NEAR", m.group("near"), start, int(m.group("n"))))
        elif m.group("quoted"):
            tokens.append(Token("code", m.group("quoted")[1:-1], start))
        else:
            word = m.group("word")
            kind = word.upper() if word.upper() in KEYWORDS else "code"
            if kind == "NEAR":
                raise _error(expression, start, "'NEAR' without a number",
                             "expected NEAR/n with a whole number of words, e.g. NEAR/5")
            tokens.append(Token(kind, word, start))
        pos = m.end()
    tokens.append(Token("end", "", len(expression.rstrip())))
    return tokens


class _Parser:
    """Recursive descent: or → and → proximity → unary → primary."""

    def __init__(self, expression: str, codes: list[str]):
        self.expression, self.codes, self.known = expression, codes, set(codes)
        self.tokens, self.i = _tokens(expression), 0

    def parse(self) -> Node:
        if self.tokens[0].kind == "end":
            raise _error(self.expression, 0, "an empty expression", "expected a code, e.g. stress AND belonging")
        node = self.or_()
        token = self.peek()
        if token.kind != "end":
            expected = "expected AND, OR, OVERLAPS, NEAR/n or the end of the expression"
            if token.kind == ")":
                expected = "expected no ')' here: it closes no '('"
            raise _error(self.expression, token.position, f"'{token.text}'", expected)
        return node

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def or_(self) -> Node:
        node = self.and_()
        while self.peek().kind == "OR":
            token = self.take()
            node = Node("or", (node, self.and_()), position=token.position)
        return node

    def and_(self) -> Node:
        node = self.proximity()
        while self.peek().kind == "AND":
            token = self.take()
            node = Node("and", (node, self.proximity()), position=token.position)
        return node

    def proximity(self) -> Node:
        node = self.unary()
        while self.peek().kind in ("OVERLAPS", "NEAR"):
            token = self.take()
            node = Node(token.kind.lower(), (node, self.unary()), words=token.words, position=token.position)
        return node

    def unary(self) -> Node:
        if self.peek().kind == "NOT":
            token = self.take()
            return Node("not", (self.unary(),), position=token.position)
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "(":
            node = self.or_()
            close = self.take()
            if close.kind != ")":
                found = "the end of the expression" if close.kind == "end" else f"'{close.text}'"
                raise _error(self.expression, close.position, found,
                             f"expected ')' to close the '(' at character {token.position + 1}")
            return node
        if token.kind == "code":
            if token.text not in self.known:
                close = difflib.get_close_matches(token.text, self.codes, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f": {shorten(self.codes)}"
                raise _error(self.expression, token.position, f"'{token.text}', which the codebook does not list",
                             f"expected a code of the codebook{hint}")
            return Node("code", code=token.text, position=token.position)
        found = "the end of the expression" if token.kind == "end" else f"'{token.text}'"
        raise _error(self.expression, token.position, found, "expected a code, NOT or '('")


def parse_expression(expression: str, codes: list[str]) -> Node:
    """Parse a coding-query expression against the codebook's codes.

    Raises
    ------
    DataError
        A syntax error or an unknown code; the problem's column names the
        character position, and the message marks it in the expression.

    Examples
    --------
    >>> node = parse_expression("a AND NOT (b OR c)", ["a", "b", "c"])
    >>> node.op, node.args[1].op, node.args[1].args[0].op
    ('and', 'not', 'or')
    >>> parse_expression("a NEAR/3 b", ["a", "b"]).words
    3
    >>> parse_expression("a AND x", ["a", "b"])
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - (coding query), column 'character 7': found 'x', which the codebook does not list in «a AND ⟨here⟩ x»; ...
    """
    if not isinstance(expression, str):
        raise DataError(Problem(SOURCE, None, None, repr(expression), "expected the expression as a string"))
    return _Parser(expression, codes).parse()


# ---------------------------------------------------------------- evaluation

@dataclass(frozen=True)
class _Match:
    """Per segment: matched or not; and the characters that make it match (merged spans, sorted)."""

    mask: np.ndarray     # bool per segment row
    seg: np.ndarray      # spans: segment row, start, end (sorted by segment, start; disjoint)
    start: np.ndarray
    end: np.ndarray


def _merge(seg: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort spans by (segment, start) and merge those that overlap or touch."""
    keep = end > start
    seg, start, end = seg[keep], start[keep], end[keep]
    if len(seg) == 0:
        return seg, start, end
    order = np.lexsort((start, seg))
    seg, start, end = seg[order], start[order], end[order]
    first = np.r_[True, seg[1:] != seg[:-1]]
    number = np.cumsum(first) - 1
    offset = number * (int(end.max()) + 1)
    reach = np.maximum.accumulate(end + offset) - offset
    previous = np.r_[-1, reach[:-1]]
    new = first | (start > previous)
    group = np.cumsum(new) - 1
    ends = np.zeros(group[-1] + 1, dtype=np.int64)
    np.maximum.at(ends, group, end)
    return seg[new], start[new], ends


def _restrict(m: _Match, mask: np.ndarray) -> _Match:
    inside = mask[m.seg]
    return _Match(mask, m.seg[inside], m.start[inside], m.end[inside])


class _Evaluator:
    def __init__(self, ix: CodingIndex, universe: np.ndarray):
        self.ix, self.universe = ix, universe

    def run(self, node: Node) -> _Match:
        return getattr(self, f"_{node.op}")(node)

    def _code(self, node: Node) -> _Match:
        ix = self.ix
        rows = np.flatnonzero(ix.valid & ix.subtree_mask([node.code]))
        rows = rows[self.universe[ix.seg[rows]]]
        mask = np.zeros(self.ix.segments.n, dtype=bool)
        mask[ix.seg[rows]] = True
        return _Match(mask, *_merge(ix.seg[rows], ix.start[rows], ix.end[rows]))

    def _not(self, node: Node) -> _Match:
        inner = self.run(node.args[0])
        empty = np.zeros(0, dtype=np.int64)
        return _Match(self.universe & ~inner.mask, empty, empty, empty)

    def _combine(self, node: Node, mask_of) -> _Match:
        a, b = self.run(node.args[0]), self.run(node.args[1])
        mask = mask_of(a.mask, b.mask)
        both = _Match(mask, np.r_[a.seg, b.seg], np.r_[a.start, b.start], np.r_[a.end, b.end])
        both = _restrict(both, mask)
        return _Match(mask, *_merge(both.seg, both.start, both.end))

    def _and(self, node: Node) -> _Match:
        return self._combine(node, np.logical_and)

    def _or(self, node: Node) -> _Match:
        return self._combine(node, np.logical_or)

    def _overlaps(self, node: Node) -> _Match:
        return self._pairs(node, lambda sa, ea, sb, eb, seg: np.maximum(sa, sb) < np.minimum(ea, eb))

    def _near(self, node: Node) -> _Match:
        gap_limit = node.words

        def near(sa, ea, sb, eb, seg):
            first_end = np.where(sa <= sb, ea, eb)
            second_start = np.where(sa <= sb, sb, sa)
            return self._words_between(seg, first_end, second_start) <= gap_limit
        return self._pairs(node, near)

    def _pairs(self, node: Node, condition) -> _Match:
        a = self._pieces(self.run(node.args[0]))
        b = self._pieces(self.run(node.args[1]))
        i, j = _same_segment_pairs(a.seg, b.seg)
        seg = a.seg[i]
        ok = condition(a.start[i], a.end[i], b.start[j], b.end[j], seg)
        i, j, seg = i[ok], j[ok], seg[ok]
        mask = np.zeros(self.ix.segments.n, dtype=bool)
        mask[seg] = True
        start = np.minimum(a.start[i], b.start[j])
        end = np.maximum(a.end[i], b.end[j])
        return _Match(mask, *_merge(seg, start, end))

    def _pieces(self, m: _Match) -> _Match:
        """Spans, with the whole text for matched segments that have no span of their own (NOT)."""
        bare = m.mask.copy()
        bare[m.seg] = False
        rows = np.flatnonzero(bare)
        seg = np.r_[m.seg, rows]
        start = np.r_[m.start, np.zeros(len(rows), dtype=np.int64)]
        end = np.r_[m.end, self.ix.segments.length_sv[rows]]
        return _Match(m.mask, *_merge(seg, start, end))

    def _words_between(self, seg: np.ndarray, first_end: np.ndarray, second_start: np.ndarray) -> np.ndarray:
        """Whole words of ``text_sv`` lying between two offsets of the same segment (0 if they overlap)."""
        from ebm_analysis.words import token_axis

        width, tok_start, tok_end = token_axis(self.ix.segments, "sv")
        lo = np.searchsorted(tok_start, seg * width + first_end, side="left")
        hi = np.searchsorted(tok_end, seg * width + second_start, side="right")
        return np.maximum(hi - lo, 0)


def _same_segment_pairs(seg_a: np.ndarray, seg_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with seg_a[i] == seg_b[j]; both arrays sorted."""
    if len(seg_a) == 0 or len(seg_b) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    lo = np.searchsorted(seg_b, seg_a, side="left")
    hi = np.searchsorted(seg_b, seg_a, side="right")
    count = hi - lo
    i = np.repeat(np.arange(len(seg_a)), count)
    j = np.repeat(lo, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    return i, j


# ---------------------------------------------------------------- the query

def coding_query(project: Project | CodedData, expression: str, *, role=None, participant=None, meeting=None,
                 source_type=None) -> pd.DataFrame:
    """Segments, and the stretches of their text, that match a Boolean expression over codes.

    Parameters
    ----------
    project : Project or CodedData
    expression : str
        Codes combined with ``AND``, ``OR``, ``NOT``, ``OVERLAPS``, ``NEAR/n``
        and parentheses; see :mod:`ebm_analysis.coding_query` for what each
        means. A code includes its descendants.
    role, participant, meeting, source_type : value or list, optional
        Only segments with these values, as in
        :func:`~ebm_analysis.queries.retrieve` (``NOT`` is taken among them).

    Returns
    -------
    DataFrame
        One row per matching stretch, in reading order: ``segment_id``,
        ``source_type``, ``speaker_role``, ``speaker_id``, ``meeting``,
        ``start``, ``end`` (offsets into ``text_sv``, end exclusive),
        ``whole_segment`` (the stretch is the whole text), ``text`` (the
        stretch of ``text_sv``), ``text_en`` (the whole segment's English
        translation; spans are marked on the Swedish text only).

    Raises
    ------
    DataError
        A syntax error or a code the codebook does not list (the message
        names the character position and marks it in the expression), or an
        unknown filter value.

    Examples
    --------
    >>> from ebm_analysis.queries import CodedData
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"], "text_sv": ["Stress och gemenskap i gruppen.", "Bara stress."],
    ...                     "text_en": ["Stress and belonging in the group.", "Only stress."]})
    >>> book = pd.DataFrame({"code_id": ["stress", "belonging"], "parent_id": [None, None]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2", "K3"], "segment_id": ["E1", "E1", "E2"],
    ...     "code_id": ["stress", "belonging", "stress"], "start": pd.array([0, 11, None], dtype="Int64"),
    ...     "end": pd.array([6, 20, None], dtype="Int64")})
    >>> data = CodedData(seg, cod, book)
    >>> coding_query(data, "stress AND belonging")[["segment_id", "start", "end", "text"]]
      segment_id  start  end        text
    0         E1      0    6      Stress
    1         E1     11   20   gemenskap
    >>> coding_query(data, "stress NEAR/1 belonging")["text"].tolist()
    ['Stress och gemenskap']
    >>> coding_query(data, "stress AND NOT belonging")[["segment_id", "whole_segment", "text"]]
      segment_id  whole_segment          text
    0         E2           True  Bara stress.
    """
    from ebm_analysis.queries import segment_mask

    ix = coding_index(project)
    tree = parse_expression(expression, ix.codes)
    universe = segment_mask(ix.segments, role=role, participant=participant, meeting=meeting,
                            source_type=source_type)
    if universe is None:
        universe = np.ones(ix.segments.n, dtype=bool)
    result = _Evaluator(ix, universe).run(tree)
    return _rows(ix, _Evaluator(ix, universe)._pieces(result))


def _rows(ix: CodingIndex, m: _Match) -> pd.DataFrame:
    from ebm_analysis.queries import _cut, _joined

    table = ix.segments.table
    out = {"segment_id": ix.segments.id_array().take(m.seg)}
    for column in ("source_type", "speaker_role", "speaker_id", "meeting"):
        out[column] = (table[column].array.take(m.seg) if column in table.columns
                       else pd.array([None] * len(m.seg), dtype="string"))
    out["start"] = m.start.astype(np.int64)
    out["end"] = m.end.astype(np.int64)
    out["whole_segment"] = (m.start == 0) & (m.end == ix.segments.length_sv[m.seg])
    out["text"] = _cut(_joined(ix.segments, "sv"), m.seg, m.start, m.end)
    out["text_en"] = (table["text_en"].array.take(m.seg) if "text_en" in table.columns
                      else pd.array([None] * len(m.seg), dtype="string"))
    return pd.DataFrame({c: out[c] for c in QUERY_COLUMNS}, copy=False)   # every column a new array


# ---------------------------------------------------------------- reading the result

#: How a segment without a meeting is shown in :func:`matches_by_segment` and :func:`matches_by_meeting`.
NOT_PLACED = "not placed at a meeting"


def matches_by_segment(result: pd.DataFrame, separator: str = " … ") -> pd.DataFrame:
    """One row per matching segment, for reading: who, when, the matching text, the translation.

    Parameters
    ----------
    result : DataFrame
        From :func:`coding_query`.
    separator : str, default " … "
        Between the matching stretches of one segment.

    Returns
    -------
    DataFrame
        Index ``segment_id`` (reading order); columns ``speaker_role``,
        ``meeting`` (text: the number, or :data:`NOT_PLACED`), ``stretches``
        (how many), ``text`` (the matching stretches of ``text_sv``),
        ``text_en`` (the whole segment's translation).

    Examples
    --------
    >>> result = pd.DataFrame({"segment_id": ["E1", "E1"], "source_type": ["interview"] * 2,
    ...     "speaker_role": ["social_secretary"] * 2, "speaker_id": [None] * 2,
    ...     "meeting": pd.array([None, None], dtype="Int64"), "start": [0, 9], "end": [3, 12],
    ...     "whole_segment": [False] * 2, "text": ["Vi ", "tid"], "text_en": ["We have time"] * 2})
    >>> matches_by_segment(result)[["meeting", "stretches", "text"]]
                               meeting  stretches       text
    segment_id
    E1          not placed at a meeting          2  Vi … tid
    """
    if result.empty:
        return pd.DataFrame(columns=["speaker_role", "meeting", "stretches", "text", "text_en"],
                            index=pd.Index([], name="segment_id"))
    grouped = result.groupby("segment_id", sort=False)
    out = pd.DataFrame({
        "speaker_role": grouped["speaker_role"].first(),
        "meeting": grouped["meeting"].first().map(lambda m: NOT_PLACED if pd.isna(m) else str(int(m))),
        "stretches": grouped.size(),
        "text": grouped["text"].agg(lambda parts: separator.join(p.strip() for p in parts)),
        "text_en": grouped["text_en"].first(),
    })
    out.index.name = "segment_id"
    return out


def matches_by_meeting(project: Project | CodedData, result: pd.DataFrame) -> pd.DataFrame:
    """Per meeting: the segments that match, out of all segments placed at that meeting.

    Parameters
    ----------
    project : Project or CodedData
        The data the query ran on.
    result : DataFrame
        From :func:`coding_query`.

    Returns
    -------
    DataFrame
        Index ``meeting`` (text: ``1`` … ``8``, then :data:`NOT_PLACED`);
        columns ``matching`` (segments), ``segments`` (all segments there)
        and ``percent`` (matching / segments × 100; 0 where there are none).

    Examples
    --------
    >>> from ebm_analysis.queries import CodedData
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2", "E3"], "text_sv": ["a", "b", "c"],
    ...                     "meeting": pd.array([1, 1, None], dtype="Int64")})
    >>> result = pd.DataFrame({"segment_id": ["E1", "E3"]})
    >>> matches_by_meeting(CodedData(seg, pd.DataFrame(), pd.DataFrame()), result).loc[["1", NOT_PLACED]]
                             matching  segments  percent
    meeting
    1                               1         2     50.0
    not placed at a meeting         1         1    100.0
    """
    from ebm_analysis.queries import ORDERS
    from ebm_analysis._index import segment_index

    index = segment_index(project)
    meetings = index.table["meeting"] if "meeting" in index.table else pd.Series([pd.NA] * index.n)
    labels = [NOT_PLACED if pd.isna(m) else str(int(m)) for m in meetings]
    order = [str(m) for m in ORDERS["meeting"]] + [NOT_PLACED]
    total = pd.Series(labels).value_counts().reindex(order, fill_value=0)
    hit = pd.Series(index.positions(result["segment_id"].unique()) if len(result) else [], dtype="int64")
    matching = pd.Series([labels[i] for i in hit if i >= 0], dtype=object).value_counts().reindex(order,
                                                                                                   fill_value=0)
    out = pd.DataFrame({"matching": matching.astype("int64"), "segments": total.astype("int64")})
    out["percent"] = (100.0 * out["matching"] / out["segments"].where(out["segments"] > 0)).fillna(0.0).round(1)
    out.index.name = "meeting"
    return out


def query_counts(project: Project | CodedData, expressions: list[str], **filters) -> pd.DataFrame:
    """How much each expression finds: segments, stretches and characters of ``text_sv``.

    Parameters
    ----------
    project : Project or CodedData
    expressions : list of str
        Expressions for :func:`coding_query`.
    **filters
        ``role``, ``participant``, ``meeting``, ``source_type``, as in :func:`coding_query`.

    Returns
    -------
    DataFrame
        Index ``expression`` (in the order given); columns ``segments``,
        ``stretches``, ``characters`` (integers).

    Examples
    --------
    >>> from ebm_analysis.queries import CodedData
    >>> seg = pd.DataFrame({"segment_id": ["E1"], "text_sv": ["Stress och gemenskap."]})
    >>> book = pd.DataFrame({"code_id": ["s", "g"], "parent_id": [None, None]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2"], "segment_id": ["E1", "E1"], "code_id": ["s", "g"],
    ...                     "start": [0, 11], "end": [6, 20]})
    >>> query_counts(CodedData(seg, cod, book), ["s AND g", "s OVERLAPS g", "s NEAR/1 g"])
                  segments  stretches  characters
    expression
    s AND g              1          2          15
    s OVERLAPS g         0          0           0
    s NEAR/1 g           1          1          20
    """
    rows = []
    for expression in expressions:
        result = coding_query(project, expression, **filters)
        rows.append((expression, int(result["segment_id"].nunique()), len(result),
                     int((result["end"] - result["start"]).sum())))
    return pd.DataFrame(rows, columns=["expression", "segments", "stretches", "characters"]).set_index("expression")


#: Between the matching stretches of one segment in :func:`query_passages`: the scholarly mark for
#: omitted text, so that a reader does not take the gap for a shortened quotation.
OMITTED = " […] "
#: The columns of :func:`query_passages`.
PASSAGE_COLUMNS = ["segment_id", "source_type", "speaker_role", "meeting", "coded_sv", "segment_en"]


def query_passages(result: pd.DataFrame, separator: str = OMITTED) -> pd.DataFrame:
    """The segments a coding query found, as passages to quote: the matching Swedish text and the English.

    Ready for :func:`ebm_analysis.display.quotes` (which adds each segment's
    report section from the project).

    Parameters
    ----------
    result : DataFrame
        From :func:`coding_query`.
    separator : str, default " […] "
        Between the matching stretches of one segment (text left out between them).

    Returns
    -------
    DataFrame
        One row per matching segment, in reading order (:data:`PASSAGE_COLUMNS`):
        ``segment_id``, ``source_type``, ``speaker_role``, ``meeting``
        (nullable integer: empty where the segment is not placed at a
        meeting), ``coded_sv`` (the matching stretches of ``text_sv``, whole,
        joined by ``separator``), ``segment_en`` (the whole segment's English
        translation: spans are marked on the Swedish text only).

    Examples
    --------
    >>> result = pd.DataFrame({"segment_id": ["E1", "E1"], "source_type": ["interview"] * 2,
    ...     "speaker_role": ["social_secretary"] * 2, "speaker_id": [None] * 2,
    ...     "meeting": pd.array([None, None], dtype="Int64"), "start": [0, 9], "end": [3, 12],
    ...     "whole_segment": [False] * 2, "text": ["Vi ", "tid"], "text_en": ["We have time"] * 2})
    >>> query_passages(result)[["segment_id", "coded_sv", "segment_en"]].values.tolist()
    [['E1', 'Vi […] tid', 'We have time']]
    """
    if result.empty:
        return pd.DataFrame({c: pd.Series([], dtype="Int64" if c == "meeting" else "string")
                             for c in PASSAGE_COLUMNS})
    grouped = result.groupby("segment_id", sort=False)
    out = grouped[["source_type", "speaker_role", "meeting", "text_en"]].first()
    out["coded_sv"] = grouped["text"].agg(lambda parts: separator.join(p.strip() for p in parts))
    out = out.rename(columns={"text_en": "segment_en"}).reset_index()
    out["meeting"] = out["meeting"].astype("Int64")
    return out[PASSAGE_COLUMNS]


def query_by_meeting(project: Project | CodedData, expressions: Mapping[str, str] | Sequence[str], *,
                     meetings: Sequence[int] | None = None, placed_only: bool = False) -> pd.DataFrame:
    """Per meeting, the segments each of several expressions finds, beside all the segments there.

    Parameters
    ----------
    project : Project or CodedData
    expressions : mapping or list of str
        Name → expression (the names become the columns), or expressions
        (the expressions themselves become the columns).
    meetings : list of int, optional
        Only these meetings (in this order); default every meeting, then
        the segments not placed at a meeting.
    placed_only : bool, default False
        Leave out the row of segments not placed at a meeting.

    Returns
    -------
    DataFrame
        Index ``meeting`` (text, as in :func:`matches_by_meeting`); one
        integer column per expression (matching segments), then
        ``segments`` (all segments at that meeting, the denominator).

    Raises
    ------
    DataError
        A bad expression (as :func:`coding_query`), or a meeting that is not 1–8.

    Examples
    --------
    >>> from ebm_analysis.queries import CodedData
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2", "E3"], "text_sv": ["a b", "a", "b"],
    ...                     "meeting": pd.array([1, 1, 2], dtype="Int64")})
    >>> book = pd.DataFrame({"code_id": ["a", "b"], "parent_id": [None, None]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2", "K3"], "segment_id": ["E1", "E1", "E2"],
    ...     "code_id": ["a", "b", "a"], "start": [None] * 3, "end": [None] * 3})
    >>> query_by_meeting(CodedData(seg, cod, book), {"both": "a AND b", "a only": "a AND NOT b"}, meetings=[1, 2])
             both  a only  segments
    meeting
    1           1       1         2
    2           0       0         1
    """
    from ebm_analysis.queries import ORDERS

    named = dict(expressions) if isinstance(expressions, Mapping) else {e: e for e in expressions}
    rows = [str(m) for m in ORDERS["meeting"]] + ([] if placed_only else [NOT_PLACED])
    if meetings is not None:
        wrong = [m for m in meetings if str(m) not in rows or str(m) == NOT_PLACED]
        if wrong:
            raise DataError(Problem(SOURCE, None, "meetings", ", ".join(map(str, wrong)),
                                    f"expected meetings {ORDERS['meeting'][0]}–{ORDERS['meeting'][-1]}"))
        rows = [str(m) for m in meetings]
    counts = {name: matches_by_meeting(project, coding_query(project, expression))
              for name, expression in named.items()}
    first = next(iter(counts.values()), None)
    if first is None:
        first = matches_by_meeting(project, pd.DataFrame({"segment_id": pd.Series([], dtype="string")}))
    out = pd.DataFrame({**{name: c["matching"] for name, c in counts.items()}, "segments": first["segments"]})
    return out.loc[rows]
