"""A text selection made in the browser, as character offsets into ``text_sv``.

The browser counts positions in UTF-16 code units: a character outside the
Basic Multilingual Plane (most emoji) counts two, while Python and
``codings.csv`` count code points (one). å, ä and ö are one unit in both,
but as a decomposed pair (``a`` + combining ring) they are two characters in
both as well, so only astral characters need converting. :func:`utf16_to_index`
converts one position; :func:`selection_span` turns a selection into the
span that is coded, without leading or trailing white space (as the coding
conventions of ``data/README.md`` ask).
"""

from __future__ import annotations

__all__ = ["utf16_length", "utf16_to_index", "index_to_utf16", "selection_span"]


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units (what JavaScript's ``length`` says).

    Examples
    --------
    >>> utf16_length("på 🙂")
    5
    """
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_to_index(text: str, offset: int, *, round_up: bool = False) -> int:
    """The Python (code point) position of the UTF-16 position ``offset`` in ``text``.

    Parameters
    ----------
    text : str
    offset : int
        A position in UTF-16 code units; clipped to ``0 … utf16_length(text)``.
    round_up : bool, default False
        A position between the two halves of a surrogate pair (inside an
        emoji) moves to the character's start, or with ``round_up`` to its
        end, so that the character is never cut.

    Returns
    -------
    int

    Examples
    --------
    >>> text = "🙂 är här"
    >>> utf16_to_index(text, 3), text[utf16_to_index(text, 3):]
    (2, 'är här')
    >>> utf16_to_index(text, 1), utf16_to_index(text, 1, round_up=True)
    (0, 1)
    """
    offset = max(0, int(offset))
    units = 0
    for index, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > offset:
            return index + 1 if round_up and units < offset else index
        units += width
    return len(text)


def index_to_utf16(text: str, index: int) -> int:
    """The UTF-16 position of the Python position ``index`` (the inverse of :func:`utf16_to_index`).

    Examples
    --------
    >>> index_to_utf16("🙂 är", 2)
    3
    """
    return utf16_length(text[:max(0, int(index))])


def selection_span(text: str, start16: int, end16: int) -> tuple[int, int] | None:
    """The span ``(start, end)`` of ``text`` that a browser selection covers, trimmed.

    Parameters
    ----------
    text : str
        The segment's ``text_sv`` as shown.
    start16, end16 : int
        The selection's ends in UTF-16 code units (either order).

    Returns
    -------
    tuple of int, or None
        Python character offsets, ``end`` exclusive, with white space at
        either end left out and an emoji cut in half taken whole; None when
        nothing but white space is selected.

    Examples
    --------
    >>> text = "Ja 🙂 å nej"
    >>> start, end = selection_span(text, 2, 8)
    >>> start, end, text[start:end]
    (3, 6, '🙂 å')
    >>> selection_span(text, 2, 3) is None
    True
    """
    a, b = sorted((int(start16), int(end16)))
    start = utf16_to_index(text, a)
    end = utf16_to_index(text, b, round_up=True)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
