"""Scan a data folder for personal identifiers that pseudonymised data must not hold.

Looks, in every cell of every table, for

- Swedish personal identity numbers (personnummer, also samordningsnummer):
  ``personnummer`` when the check digit is valid, ``possible personnummer``
  when it is not (a typo still identifies someone);
- phone numbers in the ways Swedes write them (``070-123 45 67``,
  ``+46 (0)70-123 45 67``, ``070.123.45.67``, ``+46-70-123-45-67``, ...);
- e-mail addresses, also written to dodge harvesters (``anna(at)example.se``,
  ``anna at example dot se``, ``anna[at]example[dot]se``, ``anna＠example.se``);
- the names listed in an optional ``names_to_flag.txt`` (one name a line;
  lines starting with ``#`` are comments).

Text is normalised before matching, one character for one character, so that
what a word processor or a PDF puts in does not hide a number: every Unicode
dash (en dash, non-breaking hyphen, minus sign, soft hyphen, ...) counts as
``-``, every Unicode space (no-break space, thin space, ...) and zero-width
character as a space, and full-width forms (``０７０``, ``＠``) as their ASCII
letters. The value reported is the text as written.

Every file a researcher or the workbench writes into the folder is scanned:
the tables (``*.csv``, including the ``refi_*.csv`` of an import and
``dictionary.csv``), the change log and other JSON lines files
(``*.jsonl``), notes (``*.txt``, ``*.md``) and the history the store keeps in
hidden folders (such as ``.versions/``). Only ``names_to_flag.txt`` itself and
the cache (``.cache/``) are left out. Links out of the folder, pipes and
devices are never opened.

All patterns run in time linear in the length of the text (no nested
unbounded repetition), so a 130,000-character word is scanned as fast as
prose.
"""

from __future__ import annotations

import bisect
import json
from itertools import accumulate, chain
import os
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ebm_analysis.errors import DataError
from ebm_analysis.reading import parse_table, read_file_bytes

NAMES_FILE = "names_to_flag.txt"
WARNING_COLUMNS = ["file", "line", "column", "kind", "value"]
#: Suffixes of the files scanned.
SCANNED_SUFFIXES = (".csv", ".jsonl", ".json", ".txt", ".md", ".tsv")
#: Folders inside the data folder that are not scanned (derived copies).
SKIPPED_FOLDERS = (".cache",)

_D = "[0-9]"
PERSONNUMMER = re.compile(
    rf"(?<![0-9])(?:19|20)?({_D}{{2}})({_D}{{2}})({_D}{{2}})(?: ?[-+] ?| )?({_D}{{4}})(?![0-9])")
_SEP = r"(?:\)? ?[-./] ?|\)? )?"
_PHONE_PREFIX = r"(?:(?:\+|00) ?46 ?[-.]? ?(?:\(0\) ?[-.]? ?)?|\(?0)"
PHONE = re.compile(rf"(?<![\w+]){_PHONE_PREFIX}[1-9](?:{_SEP}{_D}){{5,8}}(?![0-9])")
_AT = r"(?: ?@ ?|\s{0,3}[(\[{<] ?(?:at|snabel-?a) ?[)\]}>]\s{0,3})"
_DOT = r"(?:\.|\s{0,3}[(\[{<] ?(?:dot|punkt) ?[)\]}>]\s{0,3}|\s{1,3}(?:dot|punkt)\s{1,3})"
_WORD_AT = r"\s{1,3}(?:at|snabel-?a)\s{1,3}"
_WORD_DOT = r"(?:\s{0,3}[(\[{<] ?(?:dot|punkt) ?[)\]}>]\s{0,3}|\s{1,3}(?:dot|punkt)\s{1,3})"
_LOCAL = r"(?<![\w.+-])\w[\w.+-]{0,63}"
_LABEL = r"[\w-]{1,63}"
#: An address with @ or a bracketed (at); or, written all in words, "anna at example dot se"
#: (a bare " at " needs a worded dot too, so that "looking at codings.csv" is not an address).
EMAIL = re.compile(rf"{_LOCAL}(?:{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{1,6}}|{_WORD_AT}{_LABEL}(?:{_WORD_DOT}{_LABEL}){{1,6}})"
                   r"(?![\w-])", re.IGNORECASE)
_DATE_OR_TIME = re.compile(r"\(?[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2,4}"
                           r"|[0-2]?[0-9][.:][0-5][0-9] ?- ?[0-2]?[0-9][.:][0-5][0-9]")
#: Order in which overlapping findings are kept (lower wins).
_PRIORITY = {"personnummer": 0, "phone": 1, "email": 1, "possible personnummer": 2}

_table: dict[int, str] | None = None


def _normal_table() -> dict[int, str]:
    """Character map: Unicode dashes to '-', spaces and invisible separators to ' ', full-width to ASCII."""
    global _table
    if _table is None:
        table: dict[int, str] = {}
        for cp in range(0x80, 0x10000):
            category = unicodedata.category(chr(cp))
            if category == "Pd":
                table[cp] = "-"
            elif category == "Zs":
                table[cp] = " "
        for cp in (0x2212, 0x00AD, 0x2043, 0xFE63, 0xFF0D):          # minus, soft hyphen, hyphen bullet
            table[cp] = "-"
        for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E):  # zero-width characters
            table[cp] = " "
        for cp in range(0xFF01, 0xFF5F):                             # full-width ASCII
            table[cp] = chr(cp - 0xFEE0)
        _table = table
    return _table


def _needs_normalising() -> re.Pattern:
    global _needs
    if _needs is None:
        _needs = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_normal_table())) + "]")
    return _needs


_needs: re.Pattern | None = None


def normalise(text: str) -> str:
    """``text`` with dashes, spaces and full-width forms made plain, character for character.

    Examples
    --------
    >>> normalise("811218\\u20139876 \\u00a0 ０７０\\u2011１２３ anna＠x.se")
    '811218-9876   070-123 anna@x.se'
    """
    if text.isascii() or not _needs_normalising().search(text):
        return text
    return text.translate(_normal_table())


def luhn_valid(digits: str) -> bool:
    """Whether a 10-digit personnummer (YYMMDDNNNC) has a valid check digit.

    Examples
    --------
    >>> luhn_valid("8112189876")
    True
    >>> luhn_valid("8112189875")
    False
    """
    total = 0
    for i, ch in enumerate(digits[:9]):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(digits[9])


def _date_shaped(month: str, day: str) -> bool:
    m, d = int(month), int(day)
    return 1 <= m <= 12 and (1 <= d <= 31 or 61 <= d <= 91)      # 61–91: samordningsnummer


def _findings(text: str, names_rx: re.Pattern | None, *, windows: bool = True) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every identifier in normalised ``text``, overlaps resolved.

    The detailed patterns run only in windows around cheap hints (a run of
    seven digits; an ``@``, ``snabel``, a bracketed ``at`` or a worded dot),
    which every match contains, so long texts without identifiers are
    scanned at the speed of a substring search.
    """
    found: list[tuple[int, int, str]] = []
    everywhere = [(0, len(text))]
    for start, end in _windows(_digit_hints(text), len(text), before=24, after=64) if windows else everywhere:
        for m in PERSONNUMMER.finditer(text, start, end):
            if _date_shaped(m.group(2), m.group(3)):
                valid = luhn_valid("".join(m.group(i) for i in range(1, 5)))
                found.append((m.start(), m.end(), "personnummer" if valid else "possible personnummer"))
        for m in PHONE.finditer(text, start, end):
            if not _DATE_OR_TIME.fullmatch(m.group(0)) and not _short_area_code(m.group(0)):
                found.append((m.start(), m.end(), "phone"))
    for start, end in _windows(_email_hints(text), len(text), before=260, after=620) if windows else everywhere:
        for m in EMAIL.finditer(text, start, end):
            if re.search(r"[A-Za-z]{2,}$", m.group(0)):
                found.append((m.start(), m.end(), "email"))
    kept: list[tuple[int, int, str]] = []
    starts: list[int] = []                    # kept findings are disjoint: sorted by start, also by end
    ends: list[int] = []
    for start, end, kind in sorted(set(found), key=lambda f: (_PRIORITY[f[2]], f[0])):
        i = bisect.bisect_left(starts, end)
        if i and ends[i - 1] > start:
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        kept.append((start, end, kind))
    if names_rx is not None:
        kept += [(m.start(), m.end(), "name") for m in names_rx.finditer(text)]
    return sorted(kept)


_DIGIT_RUN = re.compile(r"[0-9](?:[ ()+\-./]{0,4}[0-9]){6}")
_EMAIL_WORDS = ("@", "snabel", "dot", "punkt", "at)", "at]", "at}", "at>", "at )", "at ]", "at }", "at >")


def _digit_hints(text: str):
    return (m.span() for m in _DIGIT_RUN.finditer(text))


def _email_hints(text: str):
    lower = text.lower()
    for word in _EMAIL_WORDS:
        at = lower.find(word)
        while at >= 0:
            yield at, at + len(word)
            at = lower.find(word, at + 1)


def _windows(hints, length: int, before: int, after: int) -> list[tuple[int, int]]:
    """Merged ``(start, end)`` windows reaching ``before``/``after`` characters around each hint."""
    spans = sorted((max(0, s - before), min(length, e + after)) for s, e in hints)
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _short_area_code(match: str) -> bool:
    """A number written ``0N`` then a separator, where N is not 8 (Stockholm): a date or a time, not a phone."""
    return bool(re.match(r"\(?0[0-9][-./ )]", match)) and not match.lstrip("(").startswith("08")


def _names_pattern(names: list[str] | None) -> re.Pattern | None:
    names = [normalise(n) for n in names or [] if n.strip()]
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def find_identifiers(text: str, names: list[str] | None = None) -> list[tuple[str, str]]:
    """Personal identifiers in one text, as ``(kind, value)`` pairs in order of appearance.

    Examples
    --------
    >>> find_identifiers("Ring 070-123 45 67 eller mejla anna@example.se, pnr 811218-9876")
    [('phone', '070-123 45 67'), ('email', 'anna@example.se'), ('personnummer', '811218-9876')]
    >>> find_identifiers("pnr 811218–9875 (fel kontrollsiffra), anna(at)example(dot)se")
    [('possible personnummer', '811218–9875'), ('email', 'anna(at)example(dot)se')]
    >>> find_identifiers("Träffen 2015-11-05 kl 10.45")
    []
    """
    rx = _names_pattern(names)
    return [(kind, text[s:e].strip()) for s, e, kind in _findings(normalise(text), rx)]


def read_names(folder: Path) -> list[str]:
    """Names from ``names_to_flag.txt`` in ``folder`` (empty if there is none).

    Raises
    ------
    DataError
        When the file is a link out of the folder, not a regular file, or not UTF-8.
    """
    folder = Path(folder)
    path = folder / NAMES_FILE
    if not os.path.lexists(path):
        return []
    data, problems = read_file_bytes(path, NAMES_FILE, folder)
    if data is None:
        raise DataError(problems)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{NAMES_FILE} is not UTF-8 text; save it as UTF-8") from None
    return [s.strip() for s in text.splitlines() if s.strip() and not s.lstrip().startswith("#")]


def scanned_files(folder: str | Path) -> list[str]:
    """The files :func:`scan_folder` reads, relative to ``folder``, in order.

    Hidden history folders are included; links are listed (and refused when
    read if they point out of the folder); the cache is not.
    """
    folder = Path(folder)
    out = []
    for root, dirs, files in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        dirs[:] = sorted(d for d in dirs if not (rel_root == Path(".") and d in SKIPPED_FOLDERS))
        for name in sorted(files):
            rel = (rel_root / name).as_posix()
            if name.lower().endswith(SCANNED_SUFFIXES) and rel != NAMES_FILE:
                out.append(rel)
    return out


def scan_folder(folder: str | Path) -> pd.DataFrame:
    """Scan every file of a data folder for personal identifiers.

    Parameters
    ----------
    folder : str or Path
        The data folder.

    Returns
    -------
    DataFrame
        Columns ``file`` (relative to the folder, e.g. ``.versions/codings.0003.csv``),
        ``line``, ``column`` (the header name; for a JSON lines file the key,
        e.g. ``after.memo``; missing for plain text), ``kind`` (personnummer,
        possible personnummer, phone, email, name) and ``value`` (as written);
        one row per finding.

    Raises
    ------
    DataError
        When ``names_to_flag.txt`` cannot be read safely.

    Examples
    --------
    >>> scan_folder("data").empty
    True
    """
    folder = Path(folder)
    names_rx = _names_pattern(read_names(folder))
    rows = []
    for rel in scanned_files(folder):
        data, _ = read_file_bytes(folder / rel, rel, folder)
        if data is None:
            continue  # links out of the folder, pipes, devices: never read (check reports the tables)
        texts, where = _cells(rel, data)
        rows += [(rel, *where(i), kind, value) for i, kind, value in _scan_texts(texts, names_rx)]
    return pd.DataFrame(rows, columns=WARNING_COLUMNS).astype(
        {"file": "string", "line": "Int64", "column": "string", "kind": "string", "value": "string"})


def _cells(rel: str, data: bytes):
    """Every piece of text in a file, and a function giving the ``(line, column)`` of the i-th."""
    text = data.decode("utf-8-sig", errors="replace")
    if rel.endswith(".csv"):
        rt, _ = parse_table(data, rel)
        if rt is not None:
            return _table_cells(rt)
    out: list[tuple[int | None, str | None, str]] = []
    if rel.endswith((".jsonl", ".json")):
        for n, line_text in enumerate(text.splitlines(), start=1):
            try:
                value = json.loads(line_text)
            except ValueError:
                out.append((n, None, line_text))
                continue
            out += [(n, key, s) for key, s in _json_strings(value, "")]
        if rel.endswith(".json") and not any(key for _, key, _ in out):
            try:
                out = [(None, key, s) for key, s in _json_strings(json.loads(text), "")]
            except ValueError:
                pass
    if not out:
        out = [(n, None, t) for n, t in enumerate(text.splitlines(), start=1)]
    return [t for _, _, t in out], lambda i: out[i][:2]


def _table_cells(rt):
    header = rt.header
    texts = list(header)
    texts.extend(chain.from_iterable(rt.cells))
    row_starts = list(accumulate(map(len, rt.cells), initial=len(header)))

    def where(i: int) -> tuple[int, str | None]:
        if i < len(header):
            return 1, None
        row = bisect.bisect_right(row_starts, i) - 1
        column = i - row_starts[row]
        return rt.lines[row], header[column] if column < len(header) else f"#{column + 1}"
    return texts, where


def _json_strings(value, key: str):
    """Every string in a JSON value (keys included), with a dotted path."""
    stack = [(key, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            for k, v in item.items():
                sub = f"{path}.{k}" if path else str(k)
                yield sub, str(k)
                stack.append((sub, v))
        elif isinstance(item, list):
            stack.extend((path, v) for v in item)


def _scan_texts(texts: list[str], names_rx):
    """``(index, kind, value)`` of every finding, one pass of each pattern over all texts of a file joined."""
    if not texts:
        return
    joined = "\x00".join(texts)
    starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    for s, e, kind in _findings(normalise(joined), names_rx):
        yield bisect.bisect_right(starts, s) - 1, kind, joined[s:e].strip()
