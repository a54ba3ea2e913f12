"""Scan a data folder for personal identifiers that pseudonymised data must not hold.

Looks in every cell of every table for Swedish personal identity numbers
(personnummer, with a valid check digit), phone numbers, e-mail addresses, and
the names listed in an optional ``names_to_flag.txt`` (one name a line; lines
starting with ``#`` are comments).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ebm_analysis.reading import read_raw_table
from ebm_analysis.schema import TABLES

PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?(\d{2})(\d{2})(\d{2})[-+ ]?(\d{4})(?!\d)")
PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)\s?[1-9]\d{0,2}(?:[\s-]?\d){5,8}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NAMES_FILE = "names_to_flag.txt"

WARNING_COLUMNS = ["file", "line", "column", "kind", "value"]


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


def find_identifiers(text: str, names: list[str] | None = None) -> list[tuple[str, str]]:
    """Personal identifiers in one text, as ``(kind, value)`` pairs.

    Examples
    --------
    >>> find_identifiers("Ring 070-123 45 67 eller mejla anna@example.se, pnr 811218-9876")
    [('personnummer', '811218-9876'), ('phone', '070-123 45 67'), ('email', 'anna@example.se')]
    >>> find_identifiers("Träffen 2015-11-05 kl 10.45")
    []
    """
    found: list[tuple[str, str]] = []
    for m in PERSONNUMMER.finditer(text):
        month, day = int(m.group(2)), int(m.group(3))
        if 1 <= month <= 12 and 1 <= day <= 91 and luhn_valid("".join(m.group(i) for i in range(1, 5))):
            found.append(("personnummer", m.group(0)))
    taken = {v for _, v in found}
    found += [("phone", m.group(0).strip()) for m in PHONE.finditer(text)
              if not any(m.group(0).strip() in t or t in m.group(0) for t in taken)]
    found += [("email", m.group(0)) for m in EMAIL.finditer(text)]
    for name in names or []:
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE):
            found.append(("name", name))
    return found


def read_names(folder: Path) -> list[str]:
    """Names from ``names_to_flag.txt`` in ``folder`` (empty if there is none)."""
    path = folder / NAMES_FILE
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#")]


def scan_folder(folder: str | Path) -> pd.DataFrame:
    """Scan every table of a data folder for personal identifiers.

    Parameters
    ----------
    folder : str or Path
        The data folder.

    Returns
    -------
    DataFrame
        Columns ``file``, ``line``, ``column``, ``kind`` (personnummer,
        phone, email, name) and ``value``; one row per finding.

    Examples
    --------
    >>> scan_folder("data").empty
    True
    """
    folder = Path(folder)
    names = read_names(folder)
    rows = []
    for table in TABLES:
        path = folder / table.file
        if not path.exists():
            continue
        raw, _ = read_raw_table(path, table.file)
        if raw is None:
            continue
        for line, cells in raw.rows:
            for column, cell in zip(raw.header, cells):
                rows += [(table.file, line, column, kind, value) for kind, value in find_identifiers(cell, names)]
    return pd.DataFrame(rows, columns=WARNING_COLUMNS).astype({"line": "Int64"})
