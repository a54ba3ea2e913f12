"""Reading plain-text tables as researchers actually save them.

Accepts UTF-8 with or without a byte-order mark, comma or semicolon as the
delimiter (Swedish Excel writes ``;``), and Windows or Unix line ends. A file
in another encoding (Windows-1252 / Latin-1, as older Excel writes) is refused
with a message that says where the first non-UTF-8 byte is and how to re-save.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ebm_analysis.errors import Problem

#: Character pairs that appear when UTF-8 text was once decoded as Latin-1.
MOJIBAKE = {"Ã¥": "å", "Ã¤": "ä", "Ã¶": "ö", "Ã…": "Å", "Ã„": "Ä", "Ã–": "Ö", "Ã©": "é", "â€": "”/–"}

#: The longest text a single cell may hold, in characters (16 Mi characters: whole
#: interview transcripts and long memos fit). Python's csv module refuses cells
#: over 131,072 characters by default; the limit is raised here, in one place,
#: and every writer refuses a longer cell before writing anything.
FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))

SAVE_AS_UTF8 = ("save it as UTF-8: in Excel 'Save as' > 'CSV UTF-8 (comma delimited)', "
                "in LibreOffice tick 'Edit filter settings' and choose 'Unicode (UTF-8)'")


@dataclass
class RawTable:
    """A file split into cells, before any checking of values.

    Attributes
    ----------
    file : str
        File name as shown in messages.
    header : list of str
        The header row (line 1).
    rows : list of (int, list of str)
        ``(line number, cells)`` for each data row; the line number is where
        the row starts in the file, counting the header as line 1.
    delimiter : str
        ``","`` or ``";"``.
    """

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str


def decode_utf8(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode bytes as UTF-8 (a leading BOM is dropped), or explain why not.

    When the bytes are not UTF-8, the problem names the line and the column
    (by its header name) holding the first offending byte.

    Examples
    --------
    >>> decode_utf8("\\ufeffa;b\\r\\n".encode("utf-8"), "x.csv")
    ('a;b\\r\\n', [])
    >>> text, problems = decode_utf8("id;ord\\n1;möte\\n".encode("cp1252"), "x.csv")
    >>> print(problems[0])
    x.csv, line 2, column 'ord': found byte 0xF6 (ö in Windows-1252/Latin-1), which is not UTF-8; ...
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        guess = bytes([bad]).decode("cp1252", errors="replace")
        line, column = _locate_replacement(data.decode("utf-8", errors="replace"))
        found = f"byte 0x{bad:02X} ({guess} in Windows-1252/Latin-1), which is not UTF-8"
        return None, [Problem(file, line, column, found,
                              f"the file seems to be saved as Windows-1252/Latin-1; {SAVE_AS_UTF8}")]


def _locate_replacement(text: str) -> tuple[int, str | None]:
    """Line and column name of the first U+FFFD (an undecodable byte) in ``text``."""
    first_line = text.splitlines()[0] if text else ""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    header: list[str] = []
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not header:
            header = cells
        for i, cell in enumerate(cells):
            if "\ufffd" in cell:
                return start, header[i] if i < len(header) and start > 1 else f"#{i + 1}"
    return line, None


def sniff_delimiter(header_line: str) -> str:
    """Return ``";"`` when the header uses semicolons, else ``","``.

    Examples
    --------
    >>> sniff_delimiter("meeting;month;theme_sv")
    ';'
    >>> sniff_delimiter("meeting,month")
    ','
    """
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_raw_table(path: Path, file: str | None = None) -> tuple[RawTable | None, list[Problem]]:
    """Read a CSV file into a :class:`RawTable`, collecting problems.

    Parameters
    ----------
    path : Path
        The file to read.
    file : str, optional
        Name used in messages (defaults to the file's name).

    Returns
    -------
    (RawTable or None, list of Problem)
        The table is None when the file could not be split into rows.
    """
    file = file or path.name
    text, problems = decode_utf8(path.read_bytes(), file)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(file, None, None, "an empty file", "expected a header row and data rows")]
    first_line = text.splitlines()[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if header is None:
                header = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            rows.append((start, cells))
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, None, f"a quoting error ({exc})",
                                "expected every quoted text to end with a closing quote (\")"))
        return None, problems
    header, rows = _drop_trailing_empty_columns(header or [], rows)
    _check_field_counts(file, header, rows, delimiter, problems)
    problems.extend(_find_mojibake(file, header, rows))
    return RawTable(file, header, rows, delimiter), problems


def _drop_trailing_empty_columns(header, rows):
    """Excel often writes empty columns at the end (``a;b;;``): drop them."""
    while header and header[-1] == "" and all(len(c) < len(header) or not c[len(header) - 1].strip() for _, c in rows):
        n = len(header) - 1
        header = header[:n]
        rows = [(ln, c[:n] if len(c) > n and not any(x.strip() for x in c[n:]) else c) for ln, c in rows]
    return header, rows


def _check_field_counts(file, header, rows, delimiter, problems):
    name = "semicolon" if delimiter == ";" else "comma"
    for line, cells in rows:
        if len(cells) != len(header):
            problems.append(Problem(
                file, line, None, f"{len(cells)} fields where the header has {len(header)}",
                f"expected {len(header)}; a {name} inside a text must be within double quotes (\"...\")"))


def _find_mojibake(file, header, rows):
    for line, cells in rows:
        for name, cell in zip(header, cells):
            for bad, good in MOJIBAKE.items():
                if bad in cell:
                    yield Problem(file, line, name, f"'{bad}'",
                                  f"this looks like '{good}' garbled by a wrong encoding; "
                                  f"re-open the original and {SAVE_AS_UTF8}")
                    break
