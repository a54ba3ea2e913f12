"""A transparent dictionary coder: keyword lists per code, applied to sentences.

This is the workbench's counterpart of NVivo's *auto coding* and of MAXQDA's
*dictionaries*: a list of Swedish keywords per code (``data/dictionary.csv``)
is matched against each segment's ``text_sv``, and the **sentence** around
each match is coded with the keyword's code. It exists to give the human
coding a second, fully transparent and reproducible reading to be compared
with (:mod:`ebm_analysis.agreement`).

The dictionary coder is **not a human coder**. Its codings carry the coder id
``"dictionary"``, their ``memo`` says which keyword matched which word, their
ids are ``D0001``, ``D0002`` ... (never the ``K`` ids of ``codings.csv``), and
they are computed on the fly and never saved into ``data/codings.csv``. A
keyword knows nothing of context: *lugn* in "upprätthålla ett lugn i möten"
(advice on treatment) is coded ``relief_from_stress`` just as *lugnare* in a
statement about the meetings is. Low agreement with a human coder is
therefore expected and is the point of the comparison, not a failure.

Matching rules
--------------
- A keyword is a word or a phrase of several words (``mjuka värd*``,
  ``det lilla extra``); the words of a phrase match across any whitespace.
- Matching is case-insensitive and on whole words: ``makt`` does not match
  inside ``förmakt``. Letters are compared as written: ``å``, ``ä`` and ``ö``
  are letters of their own, not variants of ``a`` and ``o`` (``makt`` never
  matches ``mäkt``).
- A ``*`` at the end of a word is a stem: ``stress*`` matches ``stress``,
  ``stressigt``, ``stressen``. A ``*`` anywhere else is refused.

Unit coded
----------
The sentence holding the match (sentences split after ``.``, ``!``, ``?`` or
``…`` — optionally followed by closing quotes or brackets — when whitespace
and an upper-case letter, digit, opening quote or bracket follow). Human
coders in this project code whole sentences or whole segments; coding the
sentence keeps the two comparable at character level, whereas coding only the
matched word would make character-level agreement near zero by construction.
All matches of one code in one sentence give one coding whose memo lists
every keyword that matched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.reading import read_raw_table

#: The columns of ``dictionary.csv``, in order.
DICTIONARY_COLUMNS = ["code_id", "keyword", "note"]
#: The columns of a codings table (as ``codings.csv``).
CODINGS_COLUMNS = ["coding_id", "segment_id", "code_id", "coder", "start", "end", "memo"]
#: Coder id of the dictionary coder.
DICTIONARY_CODER = "dictionary"
DICTIONARY_FILE = "dictionary.csv"

_KEYWORD_OK = re.compile(r"[\w'’\-]+\*?(?:\s+[\w'’\-]+\*?)*", flags=re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)\]]*\s+(?=[A-ZÅÄÖÉÜ0-9\"”“«(\[])")
_KEYWORD_HELP = ("expected a Swedish word or phrase, optionally with * at the end of a word "
                 "as a stem (e.g. stress*, mjuka värd*); only letters, digits, spaces, - and '")


# ---------------------------------------------------------------- keywords

def keyword_pattern(keyword: str) -> re.Pattern:
    """The regular expression for one keyword.

    Parameters
    ----------
    keyword : str
        A word or phrase; a trailing ``*`` on a word makes it a stem.

    Returns
    -------
    re.Pattern
        Case-insensitive, matching whole words only.

    Raises
    ------
    DataError
        When the keyword is empty or has characters other than letters,
        digits, spaces, ``-``, ``'`` and a word-final ``*``.

    Examples
    --------
    >>> rx = keyword_pattern("stress*")
    >>> [m.group(0) for m in rx.finditer("Stressigt, inte distress. Stress!")]
    ['Stressigt', 'Stress']
    >>> keyword_pattern("makt").search("mäktig") is None
    True
    >>> keyword_pattern("mjuka värd*").search("om mjuka\\nvärden").group(0)
    'mjuka\\nvärden'
    """
    text = keyword.strip()
    if not text or not _KEYWORD_OK.fullmatch(text):
        raise DataError(Problem(DICTIONARY_FILE, None, "keyword", repr(keyword), _KEYWORD_HELP))
    parts = []
    for word in text.split():
        stem = word.endswith("*")
        parts.append(re.escape(word.rstrip("*")) + (r"\w*" if stem else ""))
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", flags=re.IGNORECASE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split a text into sentences, as ``(start, end)`` offsets (end exclusive).

    Leading and trailing whitespace is left out of each span.

    Examples
    --------
    >>> text = "Man kan fråga. Men alla är upptagna! […] bakom varje brukare"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Man kan fråga.', 'Men alla är upptagna!', '[…] bakom varje brukare']
    >>> sentence_spans("t.ex. en fråga")
    [(0, 14)]
    """
    spans, start = [], 0
    cuts = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    for cut in cuts:
        piece = text[start:cut]
        a = start + (len(piece) - len(piece.lstrip()))
        b = start + len(piece.rstrip())
        if b > a:
            spans.append((a, b))
        start = cut
    return spans


# ---------------------------------------------------------------- the dictionary

def check_dictionary(dictionary: pd.DataFrame, codebook: pd.DataFrame | None = None, *,
                     file: str = DICTIONARY_FILE, lines: list[int] | None = None) -> None:
    """Check a keyword dictionary; raise one :class:`DataError` listing every problem.

    Parameters
    ----------
    dictionary : DataFrame
        Columns ``code_id``, ``keyword`` and ``note`` (``note`` may be empty).
    codebook : DataFrame, optional
        When given, every ``code_id`` must be one of its codes.
    file : str
        File name used in messages.
    lines : list of int, optional
        The file line of each row (the header is line 1); by default row
        ``i`` is line ``i + 2``.

    Raises
    ------
    DataError
        Naming file, line, column, the value found and how to fix it, for a
        missing column, an empty or unknown ``code_id``, an empty or malformed
        keyword, or the same keyword twice for one code.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["stress"], "parent_id": [None]})
    >>> check_dictionary(pd.DataFrame({"code_id": ["stress"], "keyword": ["stress*"], "note": [""]}), book)
    >>> check_dictionary(pd.DataFrame({"code_id": ["stres"], "keyword": [""], "note": [""]}), book)
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 2 problems in the data:
      - dictionary.csv, line 2, column 'code_id': found 'stres', which codebook.csv does not list; expected one of the code_id values in codebook.csv (stress)
      - dictionary.csv, line 2, column 'keyword': found an empty cell; expected a Swedish word or phrase, ...
    """
    missing = [c for c in DICTIONARY_COLUMNS if c not in dictionary.columns]
    if missing:
        raise DataError([Problem(file, 1, c, "no such column", f"expected the columns {', '.join(DICTIONARY_COLUMNS)}")
                         for c in missing])
    lines = lines if lines is not None else [i + 2 for i in range(len(dictionary))]
    known = None if codebook is None else list(codebook["code_id"])
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for line, code, keyword in zip(lines, dictionary["code_id"], dictionary["keyword"]):
        code = "" if pd.isna(code) else str(code).strip()
        keyword = "" if pd.isna(keyword) else str(keyword).strip()
        if not code:
            problems.append(Problem(file, line, "code_id", "an empty cell",
                                    "expected the code_id (from codebook.csv) this keyword codes"))
        elif known is not None and code not in known:
            shown = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
            problems.append(Problem(file, line, "code_id", f"'{code}', which codebook.csv does not list",
                                    f"expected one of the code_id values in codebook.csv ({shown})"))
        if not keyword:
            problems.append(Problem(file, line, "keyword", "an empty cell", _KEYWORD_HELP))
            continue
        if not _KEYWORD_OK.fullmatch(keyword):
            problems.append(Problem(file, line, "keyword", f"'{keyword}'", _KEYWORD_HELP))
            continue
        key = (code, " ".join(keyword.casefold().split()))
        if key in seen:
            problems.append(Problem(file, line, "keyword", f"'{keyword}' for '{code}' again (first on line {seen[key]})",
                                    "expected each keyword once per code; delete this row"))
        else:
            seen[key] = line
    if problems:
        raise DataError(problems)


def load_dictionary(path: str | Path | None = None, codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check a keyword dictionary file.

    Parameters
    ----------
    path : str or Path, optional
        The ``dictionary.csv`` file, or a data folder holding one; None means
        the EBM dictionary bundled with the package. Files saved by Swedish
        Excel (``;``, BOM, Windows line ends) are read too.
    codebook : DataFrame, optional
        When given, every ``code_id`` must be one of its codes.

    Returns
    -------
    DataFrame
        Columns ``code_id``, ``keyword``, ``note`` (``string`` dtype), one row
        per keyword, in file order.

    Raises
    ------
    DataError
        When the file is missing or unreadable, or any row is invalid (see
        :func:`check_dictionary`).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> d = load_dictionary(codebook=load_project().codebook)
    >>> d.loc[d["code_id"] == "stress", "keyword"].tolist()[:2]
    ['stress*', 'påfrestning*']
    """
    from ebm_analysis.project import BUNDLED_DATA

    target = Path(path) if path is not None else BUNDLED_DATA / DICTIONARY_FILE
    if target.is_dir():
        target = target / DICTIONARY_FILE
    if not target.is_file():
        raise DataError(Problem(str(target), None, None, "no such file",
                                "expected a dictionary.csv with the columns code_id,keyword,note "
                                "(see the data dictionary in data/README.md)"))
    raw, problems = read_raw_table(target, target.name)
    if problems:
        raise DataError(problems)
    if raw is None:
        raise DataError(Problem(target.name, None, None, "an unreadable file", "expected a CSV file"))
    missing = [c for c in DICTIONARY_COLUMNS if c not in raw.header]
    extra = [c for c in raw.header if c not in DICTIONARY_COLUMNS]
    if missing or extra:
        raise DataError([Problem(target.name, 1, c or "(empty)", "no such column" if c in missing else f"an extra column '{c}'",
                                 f"expected exactly the columns {', '.join(DICTIONARY_COLUMNS)}")
                         for c in missing + extra])
    index = {c: raw.header.index(c) for c in DICTIONARY_COLUMNS}
    frame = pd.DataFrame({c: pd.array([cells[index[c]].strip() or None for _, cells in raw.rows], dtype="string")
                          for c in DICTIONARY_COLUMNS})
    check_dictionary(frame, codebook, file=target.name, lines=[ln for ln, _ in raw.rows])
    return frame


# ---------------------------------------------------------------- coding

def dictionary_codings(segments: pd.DataFrame, dictionary: pd.DataFrame, coder: str = DICTIONARY_CODER,
                       codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Code every sentence that holds a keyword with the keyword's code.

    The result is an automatic, keyword-based coding: an honest second
    reading to compare with a human coder, **not** a human coding. Keep it as
    a separate DataFrame; do not append it to ``codings.csv`` (its ids
    ``D0001`` ... are deliberately not valid there).

    Parameters
    ----------
    segments : DataFrame
        Columns ``segment_id`` and ``text_sv`` (e.g. ``Project.segments()``).
    dictionary : DataFrame
        Columns ``code_id``, ``keyword``, ``note`` (see :func:`load_dictionary`).
    coder : str, default "dictionary"
        The coder id written in every row. Keep the default: the id must show
        that these codings come from the keyword list.
    codebook : DataFrame, optional
        When given, the dictionary's codes are checked against it.

    Returns
    -------
    DataFrame
        In the shape of ``codings.csv``: ``coding_id`` (``D0001`` ... in
        segment order, then sentence order, then the order codes first appear
        in the dictionary), ``segment_id``, ``code_id``, ``coder``, ``start``
        and ``end`` (``Int64``; Python offsets of the sentence in ``text_sv``,
        end exclusive), ``memo`` (every keyword that matched and the words it
        matched, e.g. ``dictionary: stress* → 'stressigt'``).

    Raises
    ------
    DataError
        When the dictionary is invalid, or ``segments`` lacks a column.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "E2"],
    ...                     "text_sv": ["Det var stressigt. Mötet var lugnt och avslappnande.", "Inget här."]})
    >>> words = pd.DataFrame({"code_id": ["stress", "relief", "relief"],
    ...                       "keyword": ["stress*", "lugn*", "avslappn*"], "note": [None] * 3})
    >>> out = dictionary_codings(seg, words)
    >>> out[["coding_id", "segment_id", "code_id", "coder", "start", "end"]]
      coding_id segment_id code_id       coder  start  end
    0     D0001         E1  stress  dictionary      0   18
    1     D0002         E1  relief  dictionary     19   52
    >>> out.loc[1, "memo"]
    "dictionary: lugn* → 'lugnt'; avslappn* → 'avslappnande'"
    """
    for col in ("segment_id", "text_sv"):
        if col not in segments.columns:
            raise DataError(Problem("segments", None, col, "no such column",
                                    "expected a segments table with segment_id and text_sv (Project.segments())"))
    check_dictionary(dictionary, codebook)
    compiled: list[tuple[str, str, re.Pattern]] = [
        (str(code).strip(), str(kw).strip(), keyword_pattern(str(kw)))
        for code, kw in zip(dictionary["code_id"], dictionary["keyword"])]
    code_order = list(dict.fromkeys(code for code, _, _ in compiled))
    rows = []
    for seg_id, text in zip(segments["segment_id"], segments["text_sv"]):
        if pd.isna(text):
            continue
        text = str(text)
        spans = sentence_spans(text)
        hits: dict[tuple[int, str], list[str]] = {}
        for code, kw, rx in compiled:
            for m in rx.finditer(text):
                i = next((k for k, (a, b) in enumerate(spans) if a <= m.start() < b), None)
                if i is None:
                    continue
                entry = f"{kw} → '{m.group(0)}'"
                bucket = hits.setdefault((i, code), [])
                if entry not in bucket:
                    bucket.append(entry)
        for i, code in sorted(hits, key=lambda k: (k[0], code_order.index(k[1]))):
            a, b = spans[i]
            rows.append((str(seg_id), code, coder, a, b, "dictionary: " + "; ".join(hits[(i, code)])))
    width = max(4, len(str(len(rows))))
    out = pd.DataFrame({
        "coding_id": pd.array([f"D{n:0{width}d}" for n in range(1, len(rows) + 1)], dtype="string"),
        "segment_id": pd.array([r[0] for r in rows], dtype="string"),
        "code_id": pd.array([r[1] for r in rows], dtype="string"),
        "coder": pd.array([r[2] for r in rows], dtype="string"),
        "start": pd.array([r[3] for r in rows], dtype="Int64"),
        "end": pd.array([r[4] for r in rows], dtype="Int64"),
        "memo": pd.array([r[5] for r in rows], dtype="string"),
    })
    return out
