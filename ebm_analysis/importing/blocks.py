"""What every reader returns: the blocks of a document, in order, with where each came from.

A :class:`Block` is a paragraph of a text document or a cue of a timed
transcript. Readers never decide what a segment is; :mod:`.segmenting` does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ebm_analysis.errors import DataError, Problem, printable
from ebm_analysis.reading import _utf16_or_32

SAVE_TEXT_AS_UTF8 = ("save it as UTF-8: in a text editor 'Save as' > encoding 'UTF-8'; in Word 'Save as' > "
                     "'Plain text' > 'Unicode (UTF-8)'")


@dataclass(frozen=True)
class Block:
    """One paragraph or cue of a source document.

    Attributes
    ----------
    text : str
        The text, with inline mark-up removed and white space as written.
    line : int
        Where it starts: the line of a text file or a timed transcript, the
        paragraph number (1-based) of a .docx or .odt document.
    speaker : str or None
        The speaker named by the format itself (a WebVTT ``<v Name>`` tag);
        labels written in the text (``Anna: ...``) are found by :mod:`.segmenting`.
    start, end : str or None
        Cue times of a timed transcript, ``HH:MM:SS.mmm``.
    """

    text: str
    line: int
    speaker: str | None = None
    start: str | None = None
    end: str | None = None


def sha256(data: bytes) -> str:
    """The hex SHA-256 checksum of a file's bytes.

    Examples
    --------
    >>> sha256(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes, file: str) -> str:
    """Bytes of a text document as UTF-8 (a leading BOM dropped), or a DataError saying why not.

    Examples
    --------
    >>> decode_text("möte".encode("utf-8"), "a.txt")
    'möte'
    >>> decode_text("rad ett\\nmöte".encode("latin-1"), "a.txt")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - a.txt, line 2: found byte 0xF6 (ö in Windows-1252/Latin-1), ...
    """
    form = _utf16_or_32(data)
    if form:
        raise DataError(Problem(file, None, None, f"a file saved as {form}, not UTF-8", SAVE_TEXT_AS_UTF8))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        guess = bytes([bad]).decode("cp1252", errors="replace")
        line = data[:exc.start].count(b"\n") + 1
        raise DataError(Problem(file, line, None,
                                f"byte 0x{bad:02X} ({printable(guess)} in Windows-1252/Latin-1), which is not UTF-8",
                                f"the file seems to be saved as Windows-1252/Latin-1; {SAVE_TEXT_AS_UTF8}")) from None


def display_name(path: str | Path) -> str:
    """The file name shown in messages and stored as provenance (never the folder path)."""
    return printable(Path(path).name, 200)


_CONTROL = {c for c in range(0x20) if c not in (0x09, 0x0A)} | {0x7F} | set(range(0x80, 0xA0))


def clean(text: str, file: str, line: int) -> str:
    """``text`` with Windows line ends, vertical tabs and page breaks made plain; other control characters refused.

    Examples
    --------
    >>> clean("a\\r\\nb\\x0bc\\x0cd", "a.txt", 1)
    'a\\nb\\nc\\nd'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    for i, ch in enumerate(text):
        if ord(ch) in _CONTROL:
            at = line + text[:i].count("\n")
            raise DataError(Problem(file, at, None, f"the control character {printable(ch)}",
                                    "remove it (it is invisible in most editors; retype the text around it)"))
    return text
