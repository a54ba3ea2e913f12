"""Spans that cannot drift: each span coding remembers the text it covers.

A span coding points into its segment's ``text_sv`` by character offsets
(``start``, ``end``). If that text is edited later (a typo fixed, a passage
added, or only its Unicode normalisation changed from NFC to NFD, which looks
identical), the same offsets cover different text, silently. So every span
coding stores the text it covers, in ``span_text`` (``text_sv[start:end]``
without white space at its ends), and loading refuses a coding whose
offsets no longer cover that text, naming the file, line and column.

After a deliberate text edit, :func:`repair_spans` (``python -m
ebm_analysis repair-spans DATA_DIR``) moves each such coding to where its
text now is: the occurrence nearest the old position, found exactly (or
after the same Unicode normalisation as the new text). Codings whose text
cannot be found are listed for the researcher and left as they are.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

import pandas as pd

from ebm_analysis.errors import Problem

__all__ = ["covered_text", "segment_texts", "span_problems", "find_span", "shift_offset", "excerpt"]

CODINGS_FILE = "codings.csv"


def covered_text(text: str, start: int | None, end: int | None) -> str | None:
    """What a coding's ``span_text`` holds: ``text[start:end]`` without white space at its ends.

    None for a whole-segment coding (no offsets).

    Examples
    --------
    >>> covered_text("Vi lärde oss om tillit.", 16, 22)
    'tillit'
    >>> covered_text("Vi lärde oss om tillit.", None, None) is None
    True
    """
    if start is None or end is None:
        return None
    return text[start:end].strip() or None


def excerpt(text: str, n: int = 40) -> str:
    """A short, quoted, printable excerpt of a text for messages (control characters escaped).

    Examples
    --------
    >>> excerpt("tillit\\n" + "x" * 50, 10)
    "'tillit\\\\nxxx…'"
    """
    shown = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text[:n])
    return f"'{shown}{'…' if len(text) > n else ''}'"


def segment_texts(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """``{segment_id: text_sv}`` over excerpts and observations.

    Examples
    --------
    >>> segment_texts({"excerpts": pd.DataFrame({"excerpt_id": ["E1"], "text_sv": ["a"]})})
    {'E1': 'a'}
    """
    texts: dict[str, str] = {}
    for name, key in (("excerpts", "excerpt_id"), ("observations", "note_id")):
        if name in frames and len(frames[name]):
            texts.update(zip(frames[name][key].tolist(), frames[name]["text_sv"].tolist()))
    return texts


def span_problems(codings: pd.DataFrame, texts: dict[str, str],
                  where: Callable[[int, str], tuple[str, int | None]] | None = None) -> list[Problem]:
    """Span codings whose offsets fall outside their text or no longer cover their ``span_text``.

    Parameters
    ----------
    codings : DataFrame
        With ``coding_id``, ``segment_id``, ``start``, ``end`` and
        (optionally) ``span_text``; an empty ``span_text`` is not checked.
    texts : dict
        ``{segment_id: text_sv}``.
    where : callable, optional
        ``where(row_number, coding_id)`` gives the ``(file, line)`` a row
        comes from, for the messages (asked only for rows with a problem).

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> cod = pd.DataFrame({"coding_id": ["K1"], "segment_id": ["E1"], "start": [3], "end": [8],
    ...                     "span_text": ["lärde"]})
    >>> span_problems(cod, {"E1": "Vi lärde oss."})
    []
    >>> print(span_problems(cod, {"E1": "Vi la\\u0308rde oss."})[0])  # doctest: +ELLIPSIS
    codings.csv, column 'span_text': found E1's text in another Unicode normalisation (NFD instead of NFC) ...
    """
    if "span_text" not in codings.columns or codings.empty:
        return []
    problems = []
    rows = zip(codings["coding_id"].tolist(), codings["segment_id"].tolist(), codings["start"].tolist(),
               codings["end"].tolist(), codings["span_text"].tolist())
    for i, (cid, seg, start, end, recorded) in enumerate(rows):
        if recorded.__class__ is not str or start is None or start is pd.NA:
            continue
        text = texts.get(seg)
        if text is None or text[start:end].strip() == recorded and 0 <= start < end <= len(text):
            continue
        file, line = where(i, cid) if where else (CODINGS_FILE, None)
        if not 0 <= start < end <= len(text):
            problems.append(Problem(file, line, "end", f"start {start}, end {end} for {cid}",
                                    f"expected 0 <= start < end <= {len(text)} (the length of {seg}'s text_sv)"))
            continue
        now = text[start:end].strip()
        if now != recorded:
            same_letters = _normalisation_of(text, recorded)
            found = (f"{seg}'s text in another Unicode normalisation ({same_letters}) than when {cid} was coded: it "
                     f"looks the same, but characters {start}–{end} now cover {excerpt(now)}" if same_letters else
                     f"{cid} covers {excerpt(now)} ({seg}, characters {start}–{end}), not {excerpt(recorded)} as when "
                     "it was coded")
            problems.append(Problem(
                file, line, "span_text", found,
                f"{seg}'s text_sv was changed after it was coded (a change of Unicode normalisation, NFC/NFD, "
                "counts too); if the edit was deliberate, run `python -m ebm_analysis repair-spans DATA_DIR` to "
                "move the codings to where their text now is, else undo the edit of the text"))
    return problems


def _normalisation_of(text: str, recorded: str) -> str | None:
    """"NFD" or "NFC" when ``text`` is in that form and ``recorded`` is not (the same letters, other code points)."""
    for form, other in (("NFD", "NFC"), ("NFC", "NFD")):
        if unicodedata.normalize(form, recorded) != recorded and unicodedata.is_normalized(form, text):
            return f"{form} instead of {other}"
    return None


def find_span(text: str, wanted: str, near: int) -> tuple[int, int, str] | None:
    """Where ``wanted`` occurs in ``text``, nearest to position ``near``.

    Tried in turn: the text exactly, then ``wanted`` in NFC and in NFD
    (for a text whose normalisation was changed).

    Returns
    -------
    (start, end, how) or None
        ``how`` is ``exact``, ``NFC`` or ``NFD``.

    Examples
    --------
    >>> find_span("tillit och tillit", "tillit", 9)
    (11, 17, 'exact')
    >>> import unicodedata
    >>> find_span(unicodedata.normalize("NFD", "Vi lärde"), "lärde", 3)
    (3, 9, 'NFD')
    >>> find_span("abc", "x", 0) is None
    True
    """
    tried = []
    for how, form in (("exact", wanted), ("NFC", unicodedata.normalize("NFC", wanted)),
                      ("NFD", unicodedata.normalize("NFD", wanted))):
        if not form or form in tried:
            continue
        tried.append(form)
        hits = _occurrences(text, form)
        if hits:
            best = min(hits, key=lambda p: (abs(p - near), p))
            return best, best + len(form), how
    return None


def _occurrences(text: str, part: str) -> list[int]:
    out, i = [], text.find(part)
    while i != -1:
        out.append(i)
        i = text.find(part, i + 1)
    return out


def shift_offset(offset: int, start: int, old_length: int, new_length: int, *, is_end: bool) -> int:
    """Where an offset lands after ``text[start:start + old_length]`` is replaced by ``new_length`` characters.

    Offsets before the replaced part stay, those after it move by the
    difference; an offset inside it moves to the replacement's start (a
    span's start) or end (a span's end), so a span that covered any of the
    replaced text covers all of its replacement.

    Examples
    --------
    >>> shift_offset(2, 5, 3, 10, is_end=False), shift_offset(9, 5, 3, 10, is_end=False)
    (2, 16)
    >>> shift_offset(6, 5, 3, 10, is_end=False), shift_offset(6, 5, 3, 10, is_end=True)
    (5, 15)
    """
    if offset <= start:
        return offset
    if offset >= start + old_length:
        return offset + new_length - old_length
    return start + new_length if is_end else start
