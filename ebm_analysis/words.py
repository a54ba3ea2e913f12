"""Words: tokens, stop lists and Snowball stems; word frequencies and stemmed search.

**A word** is a run of letters (Unicode letters, with their combining
marks); a hyphen or apostrophe between two letters joins a word
(``EBM-projektet``, ``don't``). Digits and other characters separate words.
Words are counted case-folded (``Tillit`` and ``tillit`` are one word; å, ä
and ö stay letters of their own).

**Stop lists** are the Snowball project's Swedish and English lists, shipped
in ``ebm_analysis/stopwords/`` with their BSD licence. **Stems** come from the
Snowball stemmers of the ``snowballstemmer`` package (``swedish`` for
``language="sv"``, ``english`` for ``"en"``); they group inflections
(``tillit``, ``tilliten``, ``tillits``), and sometimes words a reader would
keep apart (the Swedish stemmer reads ``-or`` as a plural ending, so
``mentor`` becomes ``ment``). Always look at the forms behind a stem.

The tokens of every segment are found once per loaded project and cached
with the query index (see :mod:`ebm_analysis._index`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import snowballstemmer

from ebm_analysis._index import SegmentIndex, coding_index, segment_index
from ebm_analysis.errors import DataError, Problem
from ebm_analysis.project import Project

if TYPE_CHECKING:
    from ebm_analysis.queries import CodedData

__all__ = ["word_frequencies", "word_totals", "top_words", "tokenize", "stop_words", "stem_of", "LANGUAGES",
           "WORD_COLUMNS"]

#: Text language → Snowball algorithm and stop list file.
LANGUAGES = {"sv": "swedish", "en": "english"}
STOPWORDS = Path(__file__).resolve().parent / "stopwords"
JOINERS = ("-", "'", "\u2019", "\u2010", "\u2011")   # hyphen-minus, apostrophes, Unicode hyphens
#: Columns of :func:`word_frequencies` (without ``by``'s column; ``stem`` and ``forms`` only with stem=True).
WORD_COLUMNS = ["word", "count", "percent", "segments", "stem", "forms"]


# ---------------------------------------------------------------- words of a text

def tokenize(text: str) -> list[tuple[int, int, str]]:
    """The words of a text as ``(start, end, word)``, ``word`` case-folded.

    Examples
    --------
    >>> tokenize("Brukar-mentorerna sa: \\"Våga!\\" 2015")
    [(0, 17, 'brukar-mentorerna'), (18, 20, 'sa'), (23, 27, 'våga')]
    >>> tokenize("-a--b'")
    [(1, 2, 'a'), (4, 5, 'b')]
    """
    tokens = _tokenize_joined(text, np.zeros(1, dtype=np.int64))
    return [(int(s), int(e), tokens.vocabulary[w]) for s, e, w in zip(tokens.start, tokens.end, tokens.word)]


@dataclass(frozen=True)
class Tokens:
    """Every word of every segment of one language, in reading order.

    Attributes
    ----------
    seg, start, end : ndarray of int64
        Per token: segment row and character offsets in that segment's text.
    word : ndarray of int64
        Per token: its position in ``vocabulary``.
    vocabulary : list of str
        The distinct case-folded words.
    form : ndarray of int32
        Per token: its position in ``forms``.
    forms : pandas StringArray
        The distinct words as written (case kept): ``forms[form[i]]`` is the
        token's text, so a search can show its matches without cutting them
        out of the texts again (``forms.take(form[first])``: checked as
        strings once, here, not on every search).
    """

    seg: np.ndarray
    start: np.ndarray
    end: np.ndarray
    word: np.ndarray
    vocabulary: list[str]
    form: np.ndarray
    forms: pd.arrays.StringArray


def _word_characters(codepoints: np.ndarray) -> np.ndarray:
    """Per character: a letter or combining mark, or a joiner between two of them."""
    if len(codepoints) == 0:
        return np.zeros(0, dtype=bool)
    present = np.flatnonzero(np.bincount(codepoints))
    kind = np.zeros(int(present[-1]) + 1, dtype=np.int8)     # 0 other, 1 letter or mark, 2 joiner
    for c in present.tolist():
        ch = chr(c)
        if ch.isalpha() or unicodedata.category(ch).startswith("M"):
            kind[c] = 1
        elif ch in JOINERS:
            kind[c] = 2
    kinds = kind[codepoints]
    letter = kinds == 1
    joiner = kinds == 2
    joiner[0] = joiner[-1] = False
    joiner[1:-1] &= letter[:-2] & letter[2:]
    return letter | joiner


def _tokenize_joined(text: str, offsets: np.ndarray) -> Tokens:
    """Tokens of texts joined by NUL, ``offsets`` being where each text starts."""
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    word = _word_characters(codepoints)
    edges = np.diff(word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    spaced = np.where(word, codepoints, np.uint32(32)).astype(np.uint32).tobytes().decode("utf-32-le")
    surface = spaced.split()
    if len(surface) != len(starts):      # cannot happen: words hold no whitespace
        raise RuntimeError("tokenizer: word boundaries disagree")
    codes, uniques = pd.factorize(np.array(surface, dtype=object), sort=False)
    folded_codes, vocabulary = pd.factorize(np.array([u.casefold() for u in uniques], dtype=object), sort=False)
    seg = np.searchsorted(offsets, starts, side="right") - 1
    return Tokens(seg.astype(np.int64), (starts - offsets[seg]).astype(np.int64),
                  (ends - offsets[seg]).astype(np.int64), folded_codes[codes].astype(np.int64),
                  list(vocabulary), codes.astype(np.int32),
                  pd.arrays.StringArray(np.asarray(uniques, dtype=object)))


def segment_tokens(index: SegmentIndex, language: str) -> Tokens:
    """The :class:`Tokens` of a project's texts in ``language``, found once and cached."""
    from ebm_analysis.queries import _joined

    _check_language(language)

    def build() -> Tokens:
        joined = _joined(index, language)
        return _tokenize_joined(joined.text, joined.offsets)
    return index.memo(("tokens", language), build)


def token_axis(index: SegmentIndex, language: str) -> tuple[int, np.ndarray, np.ndarray]:
    """Token starts and ends on one axis (segment row × width + offset), both ascending; cached."""
    def build():
        tokens = segment_tokens(index, language)
        width = int(max(index.length_sv.max(initial=0), tokens.end.max(initial=0))) + 1
        return width, tokens.seg * width + tokens.start, tokens.seg * width + tokens.end
    return index.memo(("token_axis", language), build)


# ---------------------------------------------------------------- stop words and stems

@lru_cache(maxsize=None)
def stop_words(language: str = "sv") -> frozenset[str]:
    """The Snowball stop list of a language (case-folded words).

    Examples
    --------
    >>> {"och", "att", "inte"} <= stop_words("sv"), "tillit" in stop_words("sv")
    (True, False)
    >>> "the" in stop_words("en")
    True
    """
    _check_language(language)
    words = set()
    for line in (STOPWORDS / f"{LANGUAGES[language]}.txt").read_text(encoding="utf-8").splitlines():
        words.update(w.casefold() for w in line.split("|", 1)[0].split())
    return frozenset(words)


@lru_cache(maxsize=8)
def _stemmer(language: str):
    return snowballstemmer.stemmer(LANGUAGES[language])


def stem_of(word: str, language: str = "sv") -> str:
    """The Snowball stem of a (case-folded) word.

    Examples
    --------
    >>> [stem_of(w) for w in ["tillit", "tilliten", "tillits"]]
    ['tillit', 'tillit', 'tillit']
    >>> stem_of("meetings", "en")
    'meet'
    """
    _check_language(language)
    return _stemmer(language).stemWord(word.casefold())


def _vocabulary_stems(index: SegmentIndex, language: str) -> tuple[np.ndarray, list[str]]:
    """Per vocabulary word: the position of its stem in the returned list of distinct stems."""
    tokens = segment_tokens(index, language)

    def build():
        stems = _stemmer(language).stemWords(tokens.vocabulary)
        codes, distinct = pd.factorize(pd.Series(stems, dtype=object), sort=False)
        return codes.astype(np.int64), list(distinct)
    return index.memo(("stems", language), build)


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise DataError(Problem("(query)", None, "language", repr(language),
                                "expected 'sv' (text_sv, Swedish) or 'en' (text_en, English)"))


# ---------------------------------------------------------------- word frequencies

def word_frequencies(project: Project | CodedData, by: str | None = None, stem: bool = False,
                     stopwords: bool | Collection[str] = True, language: str = "sv", *,
                     code: str | Iterable[str] | None = None, role=None, participant=None, meeting=None,
                     source_type=None, min_count: int = 1) -> pd.DataFrame:
    """How often each word occurs in the segments' texts (NVivo's word frequency query).

    Parameters
    ----------
    project : Project or CodedData
    by : str, optional
        A segment attribute (see :data:`~ebm_analysis.queries.ATTRIBUTES`,
        e.g. ``speaker_role``): count separately for each of its values.
    stem : bool, default False
        Group words by their Snowball stem (``tillit``, ``tilliten`` and
        ``tillits`` count as one); ``word`` then shows the stem's most
        frequent form in the words counted, ``forms`` all its forms.
    stopwords : bool or collection of str, default True
        Leave out the language's Snowball stop list (True), nothing (False),
        or the words given.
    language : {"sv", "en"}, default "sv"
        Count ``text_sv`` or ``text_en``.
    code : str or list of str, optional
        Count only words in passages coded with these codes or their
        sub-codes (a word counts when a coded span covers any of its
        characters; a whole-segment coding covers every word). Only with
        ``language="sv"``, the text that codings' offsets refer to.
    role, participant, meeting, source_type : value or list, optional
        Only segments with these values, as in :func:`~ebm_analysis.queries.retrieve`.
    min_count : int, default 1
        Leave out words counted fewer times (per group with ``by``).

    Returns
    -------
    DataFrame
        ``<by>`` (when given, in the attribute's natural order), ``word``,
        ``count`` (occurrences), ``percent`` (of all words counted in the
        group, stop words excluded), ``segments`` (segments the word occurs
        in); with ``stem=True`` also ``stem`` and ``forms`` (the forms
        counted, most frequent first, ", "-separated). Most frequent first,
        ties alphabetical.

    Raises
    ------
    DataError
        Unknown attribute, filter value, code or language.

    Examples
    --------
    >>> from ebm_analysis.queries import CodedData
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"], "speaker_role": ["observer", "unknown"],
    ...     "text_sv": ["Tillit och tid.", "Tilliten växer, tillit tar tid och tid."]})
    >>> data = CodedData(seg, pd.DataFrame(), pd.DataFrame())
    >>> word_frequencies(data)
           word  count  percent  segments
    0       tid      3     37.5         2
    1    tillit      2     25.0         2
    2       tar      1     12.5         1
    3  tilliten      1     12.5         1
    4     växer      1     12.5         1
    >>> word_frequencies(data, stem=True).head(2)[["word", "count", "stem", "forms"]]
         word  count    stem             forms
    0     tid      3     tid               tid
    1  tillit      3  tillit  tillit, tilliten
    """
    from ebm_analysis.queries import MISSING, ORDERS, _as_list, _check_attribute, _check_codes, segment_mask

    _check_language(language)
    if min_count < 1:
        raise DataError(f"min_count must be at least 1, not {min_count!r}")
    index = segment_index(project)
    seg_mask = segment_mask(index, role=role, participant=participant, meeting=meeting, source_type=source_type)
    if by is not None:
        _check_attribute(index, by)
    stop_key = _stop_key(stopwords)
    if code is None:
        words = _cached_pairs(index, language, False, stop_key)
        pairs = _cached_pairs(index, language, True, stop_key) if stem else words
    else:
        if language != "sv":
            raise DataError(Problem("(query)", None, "code", f"code= with language={language!r}",
                                    "coded spans are offsets into text_sv: use language='sv' with code="))
        wanted = _as_list(code)
        ix = coding_index(project)
        _check_codes(ix.codebook, wanted, ix.code_position)
        tokens = segment_tokens(index, language)
        keep = _covered(ix, ix.subtree_mask(wanted) & ix.valid, tokens)
        words = _pairs_from_tokens(index, language, False, stop_key, keep)
        pairs = _pairs_from_tokens(index, language, True, stop_key, keep) if stem else words
    if seg_mask is not None:
        words, pairs = words.where(seg_mask[words.seg]), pairs.where(seg_mask[pairs.seg])
    if by is not None:
        value_codes, order = index.attribute(by, ORDERS)
        values = list(order)
        column = value_codes[pairs.seg]
        if (column < 0).any():
            values.append(MISSING)
            column = np.where(column < 0, len(values) - 1, column)
    else:
        values, column = [None], np.zeros(len(pairs.seg), dtype=np.int64)
    vocabulary = segment_tokens(index, language).vocabulary
    n_groups = len(_vocabulary_stems(index, language)[1]) if stem else len(vocabulary)
    out = _frequency_table(pairs, column, n_groups, len(values), min_count)
    out = _label(out, vocabulary, words, stem, _vocabulary_stems(index, language) if stem else None)
    if by is not None:
        out.insert(0, by, pd.Series([values[v] for v in out.pop("_value")], dtype=object))
        if all(isinstance(v, str) for v in values):
            out[by] = out[by].astype("string")
    else:
        out = out.drop(columns="_value")
    return out.reset_index(drop=True)


def word_totals(project: Project | CodedData, by: str, stem: bool = True, stopwords: bool | Collection[str] = True,
                language: str = "sv") -> pd.DataFrame:
    """How much text each group has for word counts: its segments, the words counted, the different words.

    Read it before comparing groups' word frequencies: a group with a
    handful of words has no frequencies to compare.

    Parameters
    ----------
    project : Project or CodedData
    by : str
        A segment attribute, e.g. ``speaker_role``.
    stem, stopwords, language
        As in :func:`word_frequencies`.

    Returns
    -------
    DataFrame
        ``<by>`` (every value that has segments, in the attribute's natural
        order; ``(missing)`` last), ``segments`` (all the group's segments),
        ``words`` (words counted, stop words left out) and
        ``distinct_stems`` (with ``stem=True``) or ``distinct_words``.

    Raises
    ------
    DataError
        An unknown attribute or language.

    Examples
    --------
    >>> from ebm_analysis.queries import CodedData
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2", "E3"], "speaker_role": ["observer", "observer", "unknown"],
    ...     "text_sv": ["Tillit och tid.", "Tilliten växer.", "och"]})
    >>> word_totals(CodedData(seg, pd.DataFrame(), pd.DataFrame()), "speaker_role")
      speaker_role  segments  words  distinct_stems
    0      unknown         1      0               0
    1     observer         2      4               3
    """
    from ebm_analysis.queries import MISSING, ORDERS, _check_attribute

    index = segment_index(project)
    _check_attribute(index, by)
    value_codes, order = index.attribute(by, ORDERS)
    values = [*order, MISSING]
    segments = np.bincount(np.where(value_codes < 0, len(values) - 1, value_codes), minlength=len(values))
    freq = word_frequencies(project, by=by, stem=stem, stopwords=stopwords, language=language)
    distinct = "distinct_stems" if stem else "distinct_words"
    counted = freq.groupby(freq[by].astype(object), sort=False).agg(words=("count", "sum"),
                                                                     **{distinct: ("word", "size")})
    out = pd.DataFrame({by: pd.Series(values, dtype=object), "segments": segments[:len(values)]})
    out = out[out["segments"] > 0]
    out["words"] = out[by].map(counted["words"]).fillna(0).astype("int64")
    out[distinct] = out[by].map(counted[distinct]).fillna(0).astype("int64")
    if all(isinstance(v, str) for v in out[by]):
        out[by] = out[by].astype("string")
    return out.astype({"segments": "int64"}).reset_index(drop=True)


def top_words(frequencies: pd.DataFrame, n: int = 10, by: str | None = None) -> pd.DataFrame:
    """The ``n`` most frequent words (per group with ``by``), and every word tied with the last of them.

    A cut inside a tie would let the alphabet decide which words are shown;
    the tied words are kept, so a group may show more than ``n``.

    Parameters
    ----------
    frequencies : DataFrame
        From :func:`word_frequencies` (most frequent first).
    n : int, default 10
    by : str, optional
        The column :func:`word_frequencies` grouped by, to cut each group.

    Returns
    -------
    DataFrame
        The rows kept, in the order given, with a fresh 0…n index.

    Raises
    ------
    DataError
        ``n`` below 1, or ``by`` not a column of ``frequencies``.

    Examples
    --------
    >>> freq = pd.DataFrame({"word": ["tid", "tillit", "tar", "växer"], "count": [3, 2, 2, 1]})
    >>> top_words(freq, 2)["word"].tolist()
    ['tid', 'tillit', 'tar']
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise DataError(Problem("(arguments)", None, "n", repr(n), "expected a whole number of words, at least 1"))
    if by is not None and by not in frequencies.columns:
        raise DataError(Problem("(arguments)", None, "by", repr(by),
                                f"expected a column of the frequencies: {', '.join(map(str, frequencies.columns))}"))
    if frequencies.empty:
        return frequencies.reset_index(drop=True)
    keys = frequencies[by].astype(object) if by is not None else pd.Series(0, index=frequencies.index)
    rank = frequencies.groupby(keys, sort=False).cumcount()
    nth = frequencies["count"].where(rank == n - 1)
    cut = nth.groupby(keys, sort=False).transform("max")
    smallest = frequencies["count"].groupby(keys, sort=False).transform("min")
    keep = frequencies["count"] >= cut.fillna(smallest)
    return frequencies[keep].reset_index(drop=True)


def _stop_key(stopwords) -> bool | frozenset:
    """True (the language's list), False (none), or the given words case-folded."""
    if stopwords is True or stopwords is False:
        return stopwords
    if stopwords is None:
        return False
    if isinstance(stopwords, str) or not isinstance(stopwords, Iterable):
        raise DataError(Problem("(query)", None, "stopwords", repr(stopwords),
                                "expected True, False or a list of words"))
    return frozenset(w.casefold() for w in stopwords)


def _stop_mask(vocabulary: list[str], stop_key, language: str) -> np.ndarray:
    if stop_key is False:
        return np.zeros(len(vocabulary), dtype=bool)
    listed = stop_words(language) if stop_key is True else stop_key
    return np.fromiter((w in listed for w in vocabulary), dtype=bool, count=len(vocabulary))


@dataclass(frozen=True)
class _Pairs:
    """Distinct (segment, word or stem) pairs with their number of occurrences, sorted by segment."""

    seg: np.ndarray
    group: np.ndarray
    count: np.ndarray

    def where(self, keep: np.ndarray) -> _Pairs:
        return _Pairs(self.seg[keep], self.group[keep], self.count[keep])


def _pairs_of(seg: np.ndarray, group: np.ndarray, n_groups: int) -> _Pairs:
    key = np.sort(seg * max(n_groups, 1) + group)          # sorting: numpy's hash-based unique is slow here
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    count = np.diff(np.r_[first, len(key)]).astype(np.int64)
    distinct = key[first]
    return _Pairs(distinct // max(n_groups, 1), distinct % max(n_groups, 1), count)


def _pairs_from_tokens(index: SegmentIndex, language: str, stem: bool, stop_key, keep: np.ndarray | None) -> _Pairs:
    tokens = segment_tokens(index, language)
    drop = _stop_mask(tokens.vocabulary, stop_key, language)[tokens.word]
    keep = ~drop if keep is None else keep & ~drop
    group, n_groups = tokens.word, len(tokens.vocabulary)
    if stem:
        stem_codes, stems = _vocabulary_stems(index, language)
        group, n_groups = stem_codes[tokens.word], len(stems)
    return _pairs_of(tokens.seg[keep], group[keep], n_groups)


def _cached_pairs(index: SegmentIndex, language: str, stem: bool, stop_key) -> _Pairs:
    """The pairs of every segment, built once per index, language, stem and stop list."""
    return index.memo(("pairs", language, stem, stop_key),
                      lambda: _pairs_from_tokens(index, language, stem, stop_key, None))


def _covered(ix, codings: np.ndarray, tokens: Tokens) -> np.ndarray:
    """Per token: does a span of the given codings cover any of its characters?"""
    rows = np.flatnonzero(codings)
    if len(rows) == 0:
        return np.zeros(len(tokens.word), dtype=bool)
    # spans and tokens on one axis: segment row * width + offset
    width, tok_start, tok_end = token_axis(ix.segments, "sv")
    first = np.searchsorted(tok_end, ix.seg[rows] * width + ix.start[rows], side="right")   # first token ending after
    stop = np.searchsorted(tok_start, ix.seg[rows] * width + ix.end[rows], side="left")     # tokens starting before
    marks = np.zeros(len(tok_start) + 1, dtype=np.int64)
    np.add.at(marks, first, 1)
    np.add.at(marks, stop, -1)
    return np.cumsum(marks[:-1]) > 0


def _frequency_table(pairs: _Pairs, column: np.ndarray, n_groups: int, n_values: int,
                     min_count: int) -> pd.DataFrame:
    cell = column * n_groups + pairs.group
    counts = np.bincount(cell, weights=pairs.count, minlength=n_values * n_groups).astype(np.int64)
    segments = np.bincount(cell, minlength=n_values * n_groups)
    totals = counts.reshape(n_values, n_groups).sum(axis=1)
    cells = np.flatnonzero(counts >= min_count)
    value, grp = cells // n_groups, cells % n_groups
    percent = np.where(totals[value] > 0, 100.0 * counts[cells] / np.maximum(totals[value], 1), 0.0)
    return pd.DataFrame({"_value": value, "_group": grp, "count": counts[cells],
                         "percent": percent, "segments": segments[cells].astype(np.int64)})


def _label(out: pd.DataFrame, vocabulary: list[str], words: _Pairs, stem: bool, stems) -> pd.DataFrame:
    """Add ``word`` (and ``stem``, ``forms``), then sort: group, most frequent first, ties by word."""
    if stem:
        stem_codes, distinct = stems
        form_counts = np.bincount(words.group, weights=words.count, minlength=len(vocabulary))
        present = np.flatnonzero(form_counts > 0)
        alphabetical = np.argsort(np.argsort(np.array(vocabulary, dtype=str)))
        present = present[np.lexsort((alphabetical[present], -form_counts[present], stem_codes[present]))]
        listed: dict[int, list[str]] = {}
        for i in present.tolist():
            listed.setdefault(int(stem_codes[i]), []).append(vocabulary[i])
        found = [listed[g] for g in out["_group"]]
        labels = [f[0] for f in found]
        out["stem"] = pd.array([distinct[g] for g in out["_group"]], dtype="string")
        out["forms"] = pd.array([", ".join(f) for f in found], dtype="string")
    else:
        labels = [vocabulary[g] for g in out["_group"]]
    out.insert(1, "word", pd.array(labels, dtype="string"))
    out = out.sort_values(["_value", "count", "word"], ascending=[True, False, True], kind="stable")
    columns = ["_value", "word", "count", "percent", "segments"] + (["stem", "forms"] if stem else [])
    return out[columns]


# ---------------------------------------------------------------- stemmed search

@dataclass(frozen=True)
class StemPostings:
    """Every token of one language grouped by Snowball stem: an inverted index of positions.

    Attributes
    ----------
    token_stem : ndarray of int32
        Per token, in reading order: the position of its stem.
    order : ndarray of int32
        Token positions grouped by stem, ascending within each stem: the
        tokens of stem ``s`` are ``order[bounds[s]:bounds[s + 1]]``.
    bounds : ndarray of int64
        Where each stem's group starts in ``order`` (one more than the stems).
    seg, start, end, form : ndarray of int32
        The tokens' segment rows, offsets and forms (as in :class:`Tokens`),
        in ``order``'s order, so that the matches of one word are one
        contiguous stretch rather than gathered from across the token arrays.

    (int64 throughout for a corpus of more than 2**31 - 1 tokens.)
    """

    token_stem: np.ndarray
    order: np.ndarray
    bounds: np.ndarray
    seg: np.ndarray
    start: np.ndarray
    end: np.ndarray
    form: np.ndarray


def _stem_postings(index: SegmentIndex, language: str) -> StemPostings:
    """The :class:`StemPostings` of a project's texts in ``language``, built once and cached."""
    def build():
        tokens = segment_tokens(index, language)
        stem_codes, stems = _vocabulary_stems(index, language)
        small = np.int32 if len(tokens.seg) <= np.iinfo(np.int32).max else np.int64   # half the memory
        token_stem = stem_codes[tokens.word].astype(small)
        order = np.argsort(token_stem, kind="stable").astype(small)
        bounds = np.searchsorted(token_stem[order], np.arange(len(stems) + 1)).astype(np.int64)
        in_order = (tokens.seg[order], tokens.start[order], tokens.end[order], tokens.form[order])
        return StemPostings(token_stem, order, bounds, *(column.astype(small) for column in in_order))
    return index.memo(("stem_postings", language), build)


@lru_cache(maxsize=256)
def _pattern_stems(pattern: str, language: str) -> tuple[str, ...]:
    """The Snowball stems of the words of a search pattern, in order (a pure function, hence cached)."""
    return tuple(stem_of(word, language) for _, _, word in tokenize(pattern))


def stemmed_matches(index: SegmentIndex, pattern: str,
                    language: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Where the words of ``pattern`` occur in a row, compared by Snowball stem.

    Returns per match, in reading order: its segment row, and its start and
    end offsets in that segment's text (integer arrays); and, when the pattern
    is one word, the match's position in :attr:`Tokens.forms` (else None: a
    run of several words has no single form). The arrays may be views of
    the cached index: do not change them.
    """
    wanted = _pattern_stems(pattern, language)
    if not wanted:
        raise DataError(Problem("(query)", None, "pattern", repr(pattern), "give at least one word to find"))
    tokens = segment_tokens(index, language)
    postings = _stem_postings(index, language)
    position = index.memo(("stem_position", language),
                          lambda: {s: i for i, s in enumerate(_vocabulary_stems(index, language)[1])})
    if any(s not in position for s in wanted):
        none = np.zeros(0, dtype=np.int32)
        return none, none, none, (none if len(wanted) == 1 else None)
    s = position[wanted[0]]
    group = slice(postings.bounds[s], postings.bounds[s + 1])
    if len(wanted) == 1:
        return postings.seg[group], postings.start[group], postings.end[group], postings.form[group]
    first = postings.order[group]                                   # ascending token positions
    k = len(wanted)
    first = first[first + k - 1 < len(postings.token_stem)]
    for j, s in enumerate(wanted[1:], start=1):
        first = first[(postings.token_stem[first + j] == position[s]) & (tokens.seg[first + j] == tokens.seg[first])]
    return tokens.seg[first], tokens.start[first], tokens.end[first + k - 1], None


# ---------------------------------------------------------------- candidates for a plain search

def _word_postings(index: SegmentIndex, language: str) -> tuple[np.ndarray, np.ndarray]:
    """Segments per vocabulary word: segment rows ordered by word, and where each word's run starts."""
    def build():
        pairs = _cached_pairs(index, language, False, False)
        order = np.argsort(pairs.group, kind="stable")
        bounds = np.searchsorted(pairs.group[order], np.arange(len(segment_tokens(index, language).vocabulary) + 1))
        return pairs.seg[order], bounds
    return index.memo(("word_postings", language), build)


def candidate_segments(index: SegmentIndex, language: str, needle: str) -> np.ndarray | None:
    """Segment rows that may contain ``needle`` (lower-cased letters), from the word index; None if unusable.

    Only when the words of ``language`` have been indexed already (by a word
    query, a stemmed search or ``NEAR``) and ``needle`` is made of letters
    (and combining marks) alone: every occurrence then lies inside one word,
    and a word whose case-folded form does not contain the case-folded needle
    cannot hold it. The caller still searches the candidates' text.
    """
    if not index.has(("tokens", language)) or not needle or \
            not all(c.isalpha() or unicodedata.category(c).startswith("M") for c in needle):
        return None
    folded = needle.casefold()
    vocabulary = segment_tokens(index, language).vocabulary
    words = [i for i, w in enumerate(vocabulary) if folded in w]
    if not words:
        return np.zeros(0, dtype=np.int64)
    segs, bounds = _word_postings(index, language)
    parts = [segs[bounds[i]:bounds[i + 1]] for i in words]
    from ebm_analysis._index import distinct

    return distinct(np.concatenate(parts))
