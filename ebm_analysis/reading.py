"""Reading plain-text tables as researchers actually save them — and trusting nothing else.

Accepts UTF-8 with or without a byte-order mark, comma or semicolon as the
delimiter (Swedish Excel writes ``;``), and Windows or Unix line ends. Every
other shape of file is refused with a message that says what was found and
how to fix it, naming the file, line and column, and quoting at most a short,
escaped excerpt of its content:

- a file in another encoding: Windows-1252 / Latin-1 (older Excel) with the
  place of the first non-UTF-8 byte; UTF-16 (Excel's "Unicode text") by name;
- tab-separated columns, and Excel's ``sep=;`` first line, by name;
- a last line without a line break (a file cut short by an interrupted copy or
  save), a quoted text that never ends, a cell longer than :data:`FIELD_LIMIT`;
- control characters and NUL inside a cell (tab and line breaks are text);
- anything that is not a regular file inside the data folder: a folder, a
  named pipe (FIFO), a device or a socket (refused from its metadata, never
  opened for reading, so nothing can hang), a file that cannot be read, a
  symbolic link that is dangling or points outside the folder, and a hard
  link whose other names lie outside the folder. Links are named with their
  target path; the target's content is never read.

Formula escaping
----------------
Spreadsheet programs run a cell that begins with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return) as a formula. Every CSV file the workbench
writes therefore puts an apostrophe before such a value
(:func:`escape_formula`, used by :func:`ebm_analysis.atomic.frame_to_csv_text`),
and reading takes one apostrophe off again (:func:`unescape_formula`). The
rule is reversible for every text: a value that already starts with
apostrophes followed by a formula character gets one more apostrophe, so
``'=x`` is written ``''=x`` and read back as ``'=x``. A value written by hand
is read as it is unless it starts with apostrophes followed by one of those
characters.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from ebm_analysis.errors import Problem, excerpt, printable

#: Character pairs that appear when UTF-8 text was once decoded as Latin-1.
MOJIBAKE = {"Ã¥": "å", "Ã¤": "ä", "Ã¶": "ö", "Ã…": "Å", "Ã„": "Ä", "Ã–": "Ö", "Ã©": "é", "â€": "”/–"}

#: The longest text a single cell may hold, in characters (16 Mi characters: whole
#: interview transcripts and long memos fit). Python's csv module refuses cells
#: over 131,072 characters by default; the limit is raised here, in one place,
#: and every writer refuses a longer cell before writing anything.
FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))

#: The largest table file read, in bytes (1 GiB; a 200-interview study is about 20 MB).
MAX_FILE_BYTES = 1 << 30

SAVE_AS_UTF8 = ("save it as UTF-8: in Excel 'Save as' > 'CSV UTF-8 (comma delimited)', "
                "in LibreOffice tick 'Edit filter settings' and choose 'Unicode (UTF-8)'")

#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")

#: Control characters refused inside cells: C0 except tab, line feed and carriage return; DEL; C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NOT_C0_BYTES = bytes(b for b in range(256) if b not in _C0_BYTES)
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_MOJIBAKE_RX = re.compile("|".join(map(re.escape, MOJIBAKE)))
_SEP_LINE = re.compile(r"\s*sep\s*=\s*(.?)\s*", re.IGNORECASE)


def escape_formula(value: str) -> str:
    """``value`` as written to a CSV file: an apostrophe before a formula prefix.

    Examples
    --------
    >>> [escape_formula(v) for v in ["=SUM(A1)", "-ja", "'=x", "vanlig text", "it's"]]
    ["'=SUM(A1)", "'-ja", "''=x", 'vanlig text', "it's"]
    """
    return "'" + value if _NEEDS_ESCAPE.match(value) else value


def unescape_formula(value: str) -> str:
    """The value a CSV cell written by :func:`escape_formula` stands for.

    Examples
    --------
    >>> [unescape_formula(v) for v in ["'=SUM(A1)", "''=x", "'citat'", "-ja"]]
    ['=SUM(A1)', "'=x", "'citat'", '-ja']
    >>> all(unescape_formula(escape_formula(v)) == v for v in ["=", "'", "''-", "'a", "@x", ""])
    True
    """
    return value[1:] if _ESCAPED.match(value) else value


@dataclass
class RawTable:
    """A file split into cells, before any checking of values.

    Attributes
    ----------
    file : str
        File name as shown in messages.
    header : list of str
        The header row (line 1), each name stripped of surrounding blanks.
    cells : list of list of str
        The cells of each data row (rows of only blank cells are left out),
        formula escapes already undone (see :func:`unescape_formula`).
    lines : list of int
        For each row of ``cells``, the line where it starts in the file
        (the header is line 1).
    delimiter : str
        ``","`` or ``";"``.
    """

    file: str
    header: list[str]
    cells: list[list[str]]
    lines: list[int]
    delimiter: str

    @property
    def rows(self) -> list[tuple[int, list[str]]]:
        """``(line number, cells)`` for each data row."""
        return list(zip(self.lines, self.cells))


# ---------------------------------------------------------------- files

_KINDS = ((stat.S_ISDIR, "a folder, not a file"), (stat.S_ISFIFO, "a named pipe (FIFO), not a file"),
          (stat.S_ISCHR, "a character device, not a file"), (stat.S_ISBLK, "a block device, not a file"),
          (stat.S_ISSOCK, "a socket, not a file"))


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file).

    Examples
    --------
    >>> import stat
    >>> file_kind(stat.S_IFIFO | 0o644)
    'a named pipe (FIFO), not a file'
    >>> file_kind(stat.S_IFREG | 0o644) is None
    True
    """
    for test, words in _KINDS:
        if test(mode):
            return words
    return None if stat.S_ISREG(mode) else "not a regular file"


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def _other_names_outside(path: str, st: os.stat_result, folder: str) -> int:
    """How many of a hard-linked file's names lie outside ``folder``."""
    inside = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_file(follow_symlinks=False):
                        other = entry.stat(follow_symlinks=False)
                        inside += (other.st_ino, other.st_dev) == (st.st_ino, st.st_dev)
                except OSError:
                    continue
    except OSError:
        return st.st_nlink - 1
    return max(st.st_nlink - inside, 0)


def check_file(path: str | Path, file: str | None = None,
               folder: str | Path | None = None) -> tuple[str | None, list[Problem]]:
    """Where a table file really is, if it is safe to read.

    Checks, without opening anything, that ``path`` is (or links to) a
    regular file inside ``folder`` (default: the file's own folder).

    Parameters
    ----------
    path : str or Path
        The file, as found in the data folder.
    file : str, optional
        Name used in messages (defaults to the file's name).
    folder : str or Path, optional
        The data folder the file must lie in.

    Returns
    -------
    (str or None, list of Problem)
        The real path to read, or None with the problems found.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> os.symlink("/etc/hostname", os.path.join(folder, "excerpts.csv"))
    >>> real, problems = check_file(os.path.join(folder, "excerpts.csv"))
    >>> print(problems[0])
    excerpts.csv: found a symbolic link to /etc/hostname, outside the data folder; ...
    """
    path = Path(path)
    file = file or path.name
    folder_real = os.path.realpath(folder if folder is not None else path.parent)
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return None, [Problem(file, None, None, "no such file", f"expected {file} in the data folder")]
    except OSError as exc:
        return None, [_os_problem(file, exc)]
    real = os.path.realpath(path)
    if stat.S_ISLNK(link.st_mode):
        shown = printable(os.readlink(path), 200)
        if not os.path.exists(real):
            return None, [Problem(file, None, None, f"a symbolic link to {shown}, which does not exist (a dangling link)",
                                  f"put the file itself in the data folder as {file}, or remove the link")]
        if not _inside(real, folder_real):
            return None, [Problem(file, None, None, f"a symbolic link to {shown}, outside the data folder",
                                  "the workbench reads only files inside the data folder and did not open the "
                                  f"link; copy the file into the folder as {file} instead of linking to it")]
    elif not _inside(real, folder_real):           # through a linked folder on the way
        return None, [Problem(file, None, None, f"a path that leads outside the data folder, to {printable(real, 200)}",
                              "the workbench reads only files inside the data folder and did not open it; "
                              "replace the linked folder by a real one")]
    try:
        st = os.stat(real)
    except OSError as exc:
        return None, [_os_problem(file, exc)]
    kind = file_kind(st.st_mode)
    if kind is not None:
        return None, [Problem(file, None, None, kind,
                              f"expected {file} to be a plain text file (CSV); move what is there out of the "
                              "data folder and put the table file in its place")]
    if st.st_nlink > 1:
        outside = _other_names_outside(real, st, folder_real)
        if outside:
            return None, [Problem(file, None, None,
                                  f"a hard link: the same file also has {outside} other name"
                                  f"{'s' if outside > 1 else ''} outside the data folder",
                                  "the workbench reads only files that belong to the data folder; replace the "
                                  f"link by a copy (e.g. `cp {file} {file}.copy && mv {file}.copy {file}`)")]
    if st.st_size > MAX_FILE_BYTES:
        return None, [Problem(file, None, None, f"a file of {st.st_size:,} bytes",
                              f"expected a table of at most {MAX_FILE_BYTES:,} bytes; is this the right file?")]
    return real, []


def read_file_bytes(path: str | Path, file: str | None = None,
                    folder: str | Path | None = None) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a table file, after :func:`check_file`; never hangs, never follows links out.

    The file is opened non-blocking and without following links, and checked
    again once open (it must still be the same regular file).

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> os.mkfifo(os.path.join(folder, "codings.csv"))
    >>> data, problems = read_file_bytes(os.path.join(folder, "codings.csv"))
    >>> data is None, problems[0].found
    (True, 'a named pipe (FIFO), not a file')
    """
    path = Path(path)
    file = file or path.name
    real, problems = check_file(path, file, folder)
    if real is None:
        return None, problems
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        return None, [_os_problem(file, exc)]
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, [Problem(file, None, None, file_kind(st.st_mode) or "not a regular file",
                                  f"expected {file} to be a plain text file (CSV)")]
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 24):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                return None, [Problem(file, None, None, f"a file of more than {MAX_FILE_BYTES:,} bytes",
                                      "expected a table of at most that size; is this the right file?")]
            chunks.append(chunk)
        return b"".join(chunks), []
    except OSError as exc:
        return None, [_os_problem(file, exc)]
    finally:
        os.close(fd)


def _os_problem(file: str, exc: OSError) -> Problem:
    if isinstance(exc, PermissionError):
        return Problem(file, None, None, "a file that cannot be read (permission denied)",
                       f"give your user read permission on {file} (e.g. `chmod u+r {file}`), or ask whoever "
                       "owns the data folder")
    reason = printable(exc.strerror or type(exc).__name__, 200)
    return Problem(file, None, None, f"a file that cannot be read ({reason})",
                   f"check that {file} is a plain text file the data folder owns, and that the disk is readable")


# ---------------------------------------------------------------- text

def decode_utf8(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode bytes as UTF-8 (a leading BOM is dropped), or explain why not.

    When the bytes are not UTF-8, the problem names the line and the column
    (by its header name) holding the first offending byte; UTF-16 and UTF-32
    (Excel's "Unicode text") are named as such.

    Examples
    --------
    >>> decode_utf8("\\ufeffa;b\\r\\n".encode("utf-8"), "x.csv")
    ('a;b\\r\\n', [])
    >>> text, problems = decode_utf8("id;ord\\n1;möte\\n".encode("cp1252"), "x.csv")
    >>> print(problems[0])
    x.csv, line 2, column 'ord': found byte 0xF6 (ö in Windows-1252/Latin-1), which is not UTF-8; ...
    >>> print(decode_utf8("id\\tord\\n".encode("utf-16"), "x.csv")[1][0])
    x.csv: found a file saved as UTF-16 (Unicode text), not UTF-8; ...
    """
    unicode_form = _utf16_or_32(data)
    if unicode_form:
        return None, [Problem(file, None, None, f"a file saved as {unicode_form} (Unicode text), not UTF-8",
                              f"{SAVE_AS_UTF8} (Excel's 'Unicode Text' is UTF-16 with tabs, which is not read)")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        guess = bytes([bad]).decode("cp1252", errors="replace")
        line, column = _locate_replacement(data.decode("utf-8", errors="replace"))
        found = f"byte 0x{bad:02X} ({printable(guess)} in Windows-1252/Latin-1), which is not UTF-8"
        return None, [Problem(file, line, column, found,
                              f"the file seems to be saved as Windows-1252/Latin-1; {SAVE_AS_UTF8}")]


def _utf16_or_32(data: bytes) -> str | None:
    """``"UTF-16"``/``"UTF-32"`` when the bytes look like it (BOM, or NUL bytes in every other place)."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:2000]
    if len(head) >= 4 and head.count(0) >= len(head) // 3:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) >= len(head) // 2 * 0.9 and min(even, odd) <= len(head) // 2 * 0.1:
            return "UTF-16"
    return None


def _locate_replacement(text: str) -> tuple[int, str | None]:
    """Line and column name of the first U+FFFD (an undecodable byte) in ``text``."""
    first_line = text.splitlines()[0] if text else ""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    header: list[str] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not header:
                header = cells
            for i, cell in enumerate(cells):
                if "\ufffd" in cell:
                    return start, (header[i] if i < len(header) and start > 1 else f"#{i + 1}")
    except csv.Error:
        pass
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


def _shape_problems(file: str, text: str, first_line: str) -> list[Problem]:
    """A file that is not a comma/semicolon table at all: ``sep=`` line, tabs, no final line break."""
    sep = _SEP_LINE.fullmatch(first_line)
    if sep:
        return [Problem(file, 1, None, f"an Excel separator line {excerpt(first_line.strip(), 20)}",
                        "delete this first line (Excel writes it when asked to; the workbench finds ',' "
                        "or ';' itself): the header row must be line 1")]
    if "\t" in first_line and first_line.count("\t") > max(first_line.count(","), first_line.count(";")):
        return [Problem(file, 1, None, "columns separated by tabs (a tab-separated file)",
                        f"expected commas or semicolons between columns; {SAVE_AS_UTF8}")]
    if not text.endswith(("\n", "\r")):
        last = text.count("\n") + 1
        return [Problem(file, last, None, "a last line without a line break at its end",
                        "the file may have been cut short (an interrupted copy, download or save): check that "
                        f"line {last} is complete, then end it with a line break; if rows are missing, "
                        "restore the file from a backup or from git")]
    return []


def read_raw_table(path: Path, file: str | None = None,
                   folder: str | Path | None = None) -> tuple[RawTable | None, list[Problem]]:
    """Read a CSV file into a :class:`RawTable`, collecting problems.

    Parameters
    ----------
    path : Path
        The file to read.
    file : str, optional
        Name used in messages (defaults to the file's name).
    folder : str or Path, optional
        The data folder the file must lie in (default: its own folder); see
        :func:`check_file`.

    Returns
    -------
    (RawTable or None, list of Problem)
        The table is None when the file could not be split into rows.
        Problems of single cells (control characters, garbled letters, a
        row with the wrong number of cells) come with a table.
    """
    path = Path(path)
    file = file or path.name
    data, problems = read_file_bytes(path, file, folder)
    if data is None:
        return None, problems
    return parse_table(data, file)


def parse_table(data: bytes, file: str, *, unescape: bool = True) -> tuple[RawTable | None, list[Problem]]:
    """Split the bytes of a CSV file into a :class:`RawTable`, collecting problems.

    With ``unescape=False`` the cells are kept exactly as stored (formula
    escapes included), for :func:`formula_cells`.

    Examples
    --------
    >>> rt, problems = parse_table(b"id;text\\r\\n1;'=1+1\\r\\n", "x.csv")
    >>> rt.header, rt.cells, rt.lines, rt.delimiter, problems
    (['id', 'text'], [['1', '=1+1']], [2], ';', [])
    >>> print(parse_table(b"id,text\\n1,cut sho", "x.csv")[1][0])
    x.csv, line 2: found a last line without a line break at its end; ...
    """
    text, problems = decode_utf8(data, file)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(file, None, None, "an empty file", "expected a header row and data rows")]
    first_line = _first_line(text)
    shape = _shape_problems(file, text, first_line)
    if shape:
        return None, shape
    delimiter = sniff_delimiter(first_line)
    records, lines, problem = _split(file, text, delimiter)
    if problem:
        return None, [problem]
    header = [c.strip() for c in records[0]] if records else []
    cells, row_lines = records[1:], lines[1:]
    if [] in cells or not all(map(str.strip, map(_FIRST_CELL, cells))):   # blank rows: leave them out
        kept = [i for i, rec in enumerate(cells) if any(c.strip() for c in rec)]
        cells, row_lines = [cells[i] for i in kept], [row_lines[i] for i in kept]
    if unescape and _may_hold_escapes(text):
        cells = [[unescape_formula(c) for c in rec] for rec in cells]
    header, cells = _drop_trailing_empty_columns(header, cells)
    problems.extend(_check_field_counts(file, header, cells, row_lines, delimiter))
    rt = RawTable(file, header, cells, row_lines, delimiter)
    if _has_control(data):
        problems.extend(_find_cells(rt, _CONTROL, _control_problem))
    if "Ã" in text or "â€" in text:
        problems.extend(_find_cells(rt, _MOJIBAKE_RX, _mojibake_problem))
    return rt, problems


_FIRST_CELL = itemgetter(0)


def _first_line(text: str) -> str:
    end = len(text)
    for sep in ("\n", "\r"):
        at = text.find(sep, 0, end)
        if at >= 0:
            end = at
    return text[:end]


def _may_hold_escapes(text: str) -> bool:
    """Whether any cell may start with a formula escape (fast: plain substring searches)."""
    return "'" in text and any(("'" + p) in text for p in FORMULA_PREFIXES)


def _split(file: str, text: str, delimiter: str) -> tuple[list[list[str]], list[int], Problem | None]:
    """Records and the line each starts on; one pass when no cell spans lines."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
        physical = text.count("\n") + (not text.endswith("\n"))
        if physical == len(records) and ("\r" not in text or text.count("\r") == text.count("\r\n")):
            return records, list(range(1, len(records) + 1)), None
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        records, lines, line = [], [], 1
        for rec in reader:
            records.append(rec)
            lines.append(line)
            line = reader.line_num + 1
        return records, lines, None
    except csv.Error as exc:
        return [], [], _csv_problem(file, text, delimiter, str(exc))


def _csv_problem(file: str, text: str, delimiter: str, message: str) -> Problem:
    """Say where splitting failed: the record that starts on the line after the last good one."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error:
        pass
    if "field larger than field limit" in message:
        return Problem(file, start, None, f"a cell longer than {FIELD_LIMIT:,} characters",
                       "split the text over several rows (segments); no cell may be longer than the limit")
    if "unexpected end of data" in message or "EOF" in message:
        return Problem(file, start, None, "a quoted text that never ends (its closing \" is missing)",
                       "end the quoted text with \"; the file may also have been cut short, so check "
                       "that its last rows are complete")
    return Problem(file, start, None, f"a quoting error ({printable(message, 120)})",
                   "expected every quoted text to end with a closing quote (\") followed by the "
                   f"delimiter ('{delimiter}') or the end of the line; write a \" inside a text as \"\"")


def _has_control(data: bytes) -> bool:
    return bool(data.translate(None, _NOT_C0_BYTES)) or (b"\xc2" in data and bool(_C1_UTF8.search(data)))


def _find_cells(rt: RawTable, rx: re.Pattern, make):
    names = rt.header
    for i, name in enumerate(names):
        if rx.search(name):
            yield make(rt.file, 1, f"#{i + 1}", name, rx.search(name).group(0))
    for line, rec in zip(rt.lines, rt.cells):
        for i, cell in enumerate(rec):
            m = rx.search(cell)
            if m:
                column = names[i] if i < len(names) else f"#{i + 1}"
                yield make(rt.file, line, column, cell, m.group(0))


def _control_problem(file, line, column, cell, char):
    return Problem(file, line, column, f"the control character {printable(char)} in {excerpt(cell, 40)}",
                   "remove it: text may hold letters, digits, punctuation, tabs and line breaks, not control "
                   "characters (they come from copying out of PDFs or binary files, and break other tools)")


def _mojibake_problem(file, line, column, cell, bad):
    return Problem(file, line, column, f"'{bad}'",
                   f"this looks like '{MOJIBAKE[bad]}' garbled by a wrong encoding; re-open the original and "
                   f"{SAVE_AS_UTF8}")


def _drop_trailing_empty_columns(header, cells):
    """Excel often writes empty columns at the end (``a;b;;``): drop them."""
    while header and header[-1] == "" and all(len(c) < len(header) or not c[len(header) - 1].strip() for c in cells):
        n = len(header) - 1
        header = header[:n]
        cells = [c[:n] if len(c) > n and not any(x.strip() for x in c[n:]) else c for c in cells]
    return header, cells


def _check_field_counts(file, header, cells, lines, delimiter):
    name = "semicolon" if delimiter == ";" else "comma"
    width = len(header)
    if set(map(len, cells)) <= {width}:
        return
    for line, rec in zip(lines, cells):
        if len(rec) != width:
            yield Problem(file, line, None, f"{len(rec)} fields where the header has {width}",
                          f"expected {width}; a {name} inside a text must be within double quotes (\"...\")")


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?|[+-]")


def formula_cells(folder: str | Path) -> list[tuple[str, int, str, str]]:
    """Cells of the folder's CSV files that a spreadsheet would run as a formula.

    A cell as stored that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return, other than a plain number or a lone sign; cells written
    by the workbench are escaped (see :func:`escape_formula`) and never listed.

    Returns
    -------
    list of (file, line, column, value)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "codings.csv").write_text("id,memo\\nK1,=HYPERLINK(x)\\nK2,'=safe\\nK3,-5\\n")
    >>> formula_cells(folder)
    [('codings.csv', 2, 'memo', '=HYPERLINK(x)')]
    """
    folder = Path(folder)
    found = []
    for path in sorted(folder.glob("*.csv")):
        data, _ = read_file_bytes(path, path.name, folder)
        if data is None:
            continue
        rt, _ = parse_table(data, path.name, unescape=False)
        if rt is None:
            continue
        for line, rec in zip(rt.lines, rt.cells):
            for i, cell in enumerate(rec):
                if cell[:1] in FORMULA_PREFIXES and not _PLAIN_NUMBER.fullmatch(cell.strip()):
                    column = rt.header[i] if i < len(rt.header) else f"#{i + 1}"
                    found.append((path.name, line, column, cell))
    return found
