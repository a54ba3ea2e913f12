"""The query index: what every query needs, precomputed once per loaded project (private).

A :class:`CodingIndex` holds the codings and the code tree as integer arrays,
and a :class:`SegmentIndex` the segments' attributes as integer codes (plus,
built lazily by the modules that need them, the joined case-folded texts for
search and the word tokens). Queries then count with ``numpy.bincount`` and
filter with boolean masks instead of joining DataFrames.

**Caching and staleness.** :func:`coding_index` caches the index on the object
it is given (a :class:`~ebm_analysis.project.Project` or a
:class:`~ebm_analysis.queries.CodedData`). The cached index is used again only
while that object still holds *the same* table objects (compared by identity)
with the same number of rows, and the same change counter
(``getattr(project, "sequence", None)``, which the coding store sets on the
projects it hands out). A project whose codings were replaced, or whose
``sequence`` moved on, gets a fresh index. Tables of a loaded project are
treated as read-only: change codings through the coding store, which hands
out new tables.

The code tree is numbered depth first in codebook order, so that a code and
all its descendants are one contiguous range of those numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SegmentIndex", "CodingIndex", "coding_index", "segment_index", "distinct"]

_SLOT = "_ebm_query_index"


def distinct(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array.

    Same as ``numpy.unique`` but always by sorting: numpy 2's hash-based
    ``unique`` is many times slower on large, sparse keys such as
    ``segment * n_codes + code``.

    Examples
    --------
    >>> distinct(np.array([5, 1, 5, 3])).tolist()
    [1, 3, 5]
    """
    ordered = np.sort(keys)
    if len(ordered) == 0:
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


class SegmentIndex:
    """The segments as arrays: ids, positions, text lengths, attribute codes.

    Parameters
    ----------
    table : DataFrame
        As :func:`~ebm_analysis.queries.segment_table` returns (at least
        ``segment_id``; ``text_sv`` where lengths are needed).

    Examples
    --------
    >>> seg = SegmentIndex(pd.DataFrame({"segment_id": ["E1", "E2"], "text_sv": ["abc", "de"],
    ...                                  "meeting": pd.array([2, None], dtype="Int64")}))
    >>> seg.positions(["E2", "E9"]).tolist(), seg.length_sv.tolist()
    ([1, -1], [3, 2])
    >>> codes, order = seg.attribute("meeting", {"meeting": (1, 2, 3)})
    >>> codes.tolist(), order
    ([1, -1], [1, 2, 3])
    """

    def __init__(self, table: pd.DataFrame):
        self.table = table.reset_index(drop=True)
        self.ids = self.table["segment_id"].astype(object).to_numpy()
        self._id_index = pd.Index(self.ids)
        self.n = len(self.table)
        if "text_sv" in self.table.columns:
            self.length_sv = np.fromiter((len(t) if isinstance(t, str) else 0 for t in self.table["text_sv"]),
                                         dtype=np.int64, count=self.n)
        else:
            self.length_sv = np.zeros(self.n, dtype=np.int64)
        self._memo: dict[Hashable, Any] = {}

    def positions(self, segment_ids) -> np.ndarray:
        """Row positions of the given segment ids (-1 for ids not in the table)."""
        return self._id_index.get_indexer(pd.Index(pd.array(segment_ids, dtype=object)))

    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()`` once per key; later calls return the stored result."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def has(self, key: Hashable) -> bool:
        """Whether ``key`` was built already (see :meth:`memo`)."""
        return key in self._memo

    def column(self, name: str) -> pd.api.extensions.ExtensionArray:
        """A column of the segments as its pandas array (looked up once), for taking a result's column."""
        return self.memo(("column", name), lambda: self.table[name].array)

    def id_array(self) -> pd.arrays.StringArray:
        """The segment ids as a ``string`` array (built once), for taking a result's ``segment_id`` column."""
        return self.memo(("ids", "string"), lambda: pd.array(self.ids, dtype="string"))

    def attribute(self, column: str, orders: dict[str, tuple]) -> tuple[np.ndarray, list]:
        """Integer codes of a column (-1 where missing) and the values they stand for, in display order.

        The order is ``orders[column]`` (every value, present or not) followed
        by any other values present, sorted; without a natural order, the
        present values sorted (as text).
        """
        return self.memo(("attribute", column), lambda: self._attribute(column, orders))

    def _attribute(self, column: str, orders: dict[str, tuple]) -> tuple[np.ndarray, list]:
        values = self.table[column]
        present = values.dropna().unique().tolist()
        if column in orders:
            natural = list(orders[column])
            order = natural + sorted((v for v in present if v not in natural), key=str)
        else:
            order = sorted(present, key=str)
        lookup = {v: i for i, v in enumerate(order)}
        codes = np.fromiter((lookup.get(v, -1) if v is not pd.NA and v == v else -1
                             for v in values.astype(object)), dtype=np.int64, count=self.n)
        return codes, order


class CodingIndex:
    """Codings and the code tree as integer arrays, over a :class:`SegmentIndex`.

    Attributes
    ----------
    segments : SegmentIndex
    codings, codebook : DataFrame
        The tables the index was built from.
    codes : list of str
        Code ids in codebook order; ``code`` below indexes this list.
    seg, code : ndarray of int64
        Per coding: the segment's row (-1 when the segment is not in the
        table) and the code's position in ``codes`` (-1 when not in the codebook).
    start, end : ndarray of int64
        Per coding: the span; a whole-segment coding spans the whole ``text_sv``.
    whole : ndarray of bool
        Per coding: coded as a whole segment (``start`` empty).
    valid : ndarray of bool
        ``seg >= 0`` (codings whose segment is in the table).
    order : ndarray of int64
        The valid codings in reading order: by segment row, whole-segment
        codings first, then by ``start``, then by ``coding_id``.
    pre, size : ndarray of int64
        Per code: its number in the depth-first walk of the tree, and the
        size of its subtree; descendants have numbers ``pre .. pre + size - 1``.
    top : ndarray of int64
        Per code: the position of its top-level ancestor in ``codes`` (-1 if
        it has none, e.g. a parent missing from the codebook).

    Examples
    --------
    >>> seg = SegmentIndex(pd.DataFrame({"segment_id": ["E1"], "text_sv": ["abcdef"]}))
    >>> book = pd.DataFrame({"code_id": ["a", "b", "a1"], "parent_id": [None, None, "a"]})
    >>> cod = pd.DataFrame({"coding_id": ["K1", "K2"], "segment_id": ["E1", "E1"], "code_id": ["a1", "b"],
    ...                     "start": pd.array([2, None], dtype="Int64"), "end": pd.array([4, None], dtype="Int64")})
    >>> ix = CodingIndex(seg, cod, book)
    >>> ix.subtree_mask(["a"]).tolist(), ix.top.tolist(), ix.end.tolist()
    ([True, False], [0, 1, 0], [4, 6])
    """

    def __init__(self, segments: SegmentIndex, codings: pd.DataFrame, codebook: pd.DataFrame):
        self.segments, self.codings, self.codebook = segments, codings, codebook
        self.codes: list[str] = codebook["code_id"].astype(object).tolist() if "code_id" in codebook else []
        self.code_position = {c: i for i, c in enumerate(self.codes)}
        self._tree(codebook)
        n = len(codings)
        if n == 0 or "segment_id" not in codings:
            self.seg = np.full(n, -1, dtype=np.int64)
            self.code = np.full(n, -1, dtype=np.int64)
        else:
            self.seg = segments.positions(codings["segment_id"].astype(object))
            self.code = pd.Index(self.codes, dtype=object).get_indexer(
                pd.Index(codings["code_id"].astype(object))) if self.codes else np.full(n, -1, dtype=np.int64)
        self.valid = self.seg >= 0
        lengths = np.where(self.valid, segments.length_sv[np.maximum(self.seg, 0)], 0)
        starts = _int_or_nan(codings, "start", n)
        ends = _int_or_nan(codings, "end", n)
        self.whole = np.isnan(starts)
        self.start = np.where(self.whole, 0, np.nan_to_num(starts)).astype(np.int64)
        self.end = np.where(self.whole, lengths, np.nan_to_num(ends)).astype(np.int64)
        self.order = self._reading_order(codings)
        self.pre_of_coding = np.where(self.code >= 0, self.pre[np.maximum(self.code, 0)] if len(self.pre) else -1, -1)

    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()`` once per key for this index; later calls return the stored result."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def column(self, name: str) -> pd.api.extensions.ExtensionArray:
        """A column of the codings as its pandas array (looked up once), for taking a result's column."""
        return self.memo(("column", name), lambda: self.codings[name].array)

    # ------------------------------------------------------------ the code tree

    def _tree(self, codebook: pd.DataFrame) -> None:
        n = len(self.codes)
        parents = (codebook["parent_id"].astype(object).tolist() if "parent_id" in codebook else [None] * n)
        children: dict[int, list[int]] = {}
        roots = []
        for i, parent in enumerate(parents):
            if parent is None or parent is pd.NA or parent != parent:
                roots.append(i)
            elif parent in self.code_position:
                children.setdefault(self.code_position[parent], []).append(i)
        self.pre = np.full(n, -1, dtype=np.int64)
        self.size = np.zeros(n, dtype=np.int64)
        self.top = np.full(n, -1, dtype=np.int64)
        counter = 0
        for start_nodes, is_root in ((roots, True), (range(n), False)):
            for root in start_nodes:
                if self.pre[root] >= 0:
                    continue
                # iterative depth-first walk; a node is numbered when first reached
                stack: list[tuple[int, bool]] = [(root, False)]
                while stack:
                    node, done = stack.pop()
                    if done:
                        self.size[node] = counter - self.pre[node]
                        continue
                    if self.pre[node] >= 0:
                        continue
                    self.pre[node] = counter
                    counter += 1
                    self.top[node] = root if is_root else -1
                    stack.append((node, True))
                    stack.extend((c, False) for c in reversed(children.get(node, [])))
        self.top_level = list(roots)

    def subtree_mask(self, code_ids: list[str], include_subcodes: bool = True) -> np.ndarray:
        """Per coding: is its code one of ``code_ids`` (or, by default, a descendant of one)?"""
        mask = np.zeros(len(self.code), dtype=bool)
        for code_id in code_ids:
            i = self.code_position[code_id]
            if include_subcodes:
                lo, hi = self.pre[i], self.pre[i] + self.size[i]
                mask |= (self.pre_of_coding >= lo) & (self.pre_of_coding < hi)
            else:
                mask |= self.code == i
        return mask

    def level(self, level: str) -> tuple[list[str], np.ndarray]:
        """The codes shown at ``level`` ("top" or "code") and, per coding, its row among them (-1: none)."""
        def build():
            if level == "code":
                return list(self.codes), self.code.copy()
            rows = np.full(len(self.codes) + 1, -1, dtype=np.int64)   # last entry: unknown code (-1)
            rows[self.top_level] = np.arange(len(self.top_level))
            of_code = np.where(self.top >= 0, rows[self.top], -1) if len(self.codes) else np.zeros(0, np.int64)
            per_coding = np.where(self.code >= 0, of_code[np.maximum(self.code, 0)] if len(of_code) else -1, -1)
            return [self.codes[i] for i in self.top_level], per_coding
        return self.memo(("level", level), build)

    # ------------------------------------------------------------ order

    def _reading_order(self, codings: pd.DataFrame) -> np.ndarray:
        rows = np.flatnonzero(self.valid)
        if len(rows) == 0:
            return rows.astype(np.int64)
        start_key = np.where(self.whole, -1, self.start)[rows]
        if "coding_id" in codings:
            ids = codings["coding_id"].astype(object).to_numpy()[rows]
            id_rank = np.argsort(np.argsort(ids.astype(str), kind="stable"), kind="stable")
        else:
            id_rank = np.arange(len(rows))
        return rows[np.lexsort((id_rank, start_key, self.seg[rows]))]


def _int_or_nan(frame: pd.DataFrame, column: str, n: int) -> np.ndarray:
    if column not in frame or n == 0:
        return np.full(n, np.nan)
    return pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy(na_value=np.nan)


# ---------------------------------------------------------------- the cache

def _slot(owner) -> dict:
    """A dict stored on ``owner`` itself (so the cache lives and dies with it)."""
    return owner.__dict__.setdefault(_SLOT, {})


def _cached(slot: dict, name: str, objects: tuple, values: tuple, build: Callable[[], Any]) -> Any:
    """``build()`` unless ``slot[name]`` was built from the same objects (identity) and values (equality)."""
    hit = slot.get(name)
    if hit is not None:
        old_objects, old_values, result = hit
        if len(old_objects) == len(objects) and all(a is b for a, b in zip(old_objects, objects)) \
                and old_values == values:
            return result
    result = build()
    slot[name] = (objects, values, result)
    return result


def segment_index(project) -> SegmentIndex:
    """The (cached) :class:`SegmentIndex` of a Project or CodedData.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> project = load_project()
    >>> segment_index(project) is segment_index(project)
    True
    """
    from ebm_analysis.queries import CodedData, segment_table

    if isinstance(project, CodedData):
        objects = (project.segments,)
        build = lambda: SegmentIndex(project.segments)  # noqa: E731
    else:
        tables = project.tables
        objects = tuple(tables.get(name) for name in ("excerpts", "observations", "participants"))
        build = lambda: SegmentIndex(segment_table(project))  # noqa: E731
    values = tuple(len(t) if t is not None else -1 for t in objects)
    return _cached(_slot(project), "segments", objects, values, build)


def coding_index(project) -> CodingIndex:
    """The (cached) :class:`CodingIndex` of a Project or CodedData; never stale (see the module notes).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> project = load_project()
    >>> index = coding_index(project)
    >>> index is coding_index(project), len(index.seg) == len(project.codings)
    (True, True)
    >>> project.tables["codings"] = project.codings.iloc[:5]
    >>> len(coding_index(project).seg)
    5
    """
    segments = segment_index(project)
    codings, codebook = project.codings, project.codebook
    objects = (segments, codings, codebook)
    values = (len(codings), len(codebook), getattr(project, "sequence", None))
    return _cached(_slot(project), "codings", objects, values, lambda: CodingIndex(segments, codings, codebook))
