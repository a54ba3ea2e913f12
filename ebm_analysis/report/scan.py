"""A check that no rendered page shows a raw Python or pandas representation.

What a reader must never see: ``<NA>``, ``NaN``, ``None``, ``NaT``, a Series
footer (``Name: count, dtype: int64``), tuple, list, set or dict reprs
(``(3, 4)``, ``[(2, 4, 4)]``, ``[]``, ``{'a': 1}``), object reprs, and a
table whose first column is a bare 0…n (or left-over) row number.

The prose of the notebooks (markdown) may write a tuple as mathematics, e.g.
"either (2, 4, 4) or (3, 3, 4)", so in prose only the unambiguous reprs are
looked for; tables and outputs get every check. Code cells (shown with
``--code``) are not scanned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["Finding", "scan_page", "tables_of"]

#: Never anywhere, prose included.
EVERYWHERE = {
    "<NA>": re.compile(r"<NA>"),
    "NaN": re.compile(r"\bNaN\b"),
    "NaT": re.compile(r"\bNaT\b"),
    "dtype": re.compile(r"\bdtype:|\bdtype\("),
    "Series footer": re.compile(r"\bName: \w+, (dtype|Length)"),
    "empty list or dict": re.compile(r"(?<![\w\]])(\[\]|\{\})"),
    "object repr": re.compile(r"object at 0x[0-9a-f]+|<\w+(\.\w+)+ object>|\b(array|Fraction|Timestamp)\("),
}
#: Never in tables or outputs.
IN_OUTPUTS = {
    "None": re.compile(r"(?<![\w-])None(?![\w-])"),
    "nan": re.compile(r"(?<![\w-])nan(?![\w-])"),
    "tuple repr": re.compile(r"\(\s*-?\d+(\.\d+)?\s*,(\s*-?\d+(\.\d+)?\s*,?)+\)"),
    "list repr": re.compile(r"\[\s*(\(|'|\"|-?\d+(\.\d+)?\s*,)"),
    "dict or set repr": re.compile(r"\{\s*('|\"|-?\d+\s*[,:}])"),
    "True/False": re.compile(r"(?<![\w-])(True|False)(?![\w-])"),
}


@dataclass(frozen=True)
class Finding:
    """One raw repr found on a page."""

    page: str
    kind: str
    context: str

    def __str__(self) -> str:
        return f"{self.page}: {self.kind}: …{self.context}…"


class _Splitter(HTMLParser):
    """Collects a page's text as prose (markdown cells) or output (everything else but code and scripts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.prose: list[str] = []
        self.output: list[str] = []
        self.stack: list[tuple[str, str]] = []   # (tag, role) of open elements

    def _role(self) -> str:
        for _, role in reversed(self.stack):
            if role != "":
                return role
        return "output"

    def handle_starttag(self, tag: str, attrs) -> None:
        classes = dict(attrs).get("class") or ""
        role = ""
        if tag in ("script", "style") or "ebm-code" in classes.split():
            role = "skip"
        elif "ebm-prose" in classes.split():
            role = "prose"
        elif tag in ("header", "nav", "footer"):
            role = "prose"
        if tag not in ("br", "img", "meta", "hr", "input", "link", "wbr"):
            self.stack.append((tag, role))
        if tag in ("td", "th", "li", "p", "br", "div", "tr", "pre"):
            self._add(" ")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        self._add(" ")

    def handle_data(self, data: str) -> None:
        self._add(data)

    def _add(self, text: str) -> None:
        role = self._role()
        if role == "prose":
            self.prose.append(text)
        elif role == "output":
            self.output.append(text)


class _Tables(HTMLParser):
    """Every table's rows as lists of (tag, text) cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, str, int]]]] = []
        self._depth = 0
        self._cell: list[str] | None = None
        self._cell_tag = ""
        self._span = 1

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "table":
            self.tables.append([])
            self._depth += 1
        elif tag == "tr" and self._depth:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self._depth and self.tables[-1]:
            self._cell, self._cell_tag = [], tag
            self._span = int(dict(attrs).get("colspan") or 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append((self._cell_tag, " ".join("".join(self._cell).split()), self._span))
            self._cell = None
        elif tag == "table" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> list[list[list[tuple[str, str, int]]]]:
    """The tables of a page: rows of ``(tag, text, colspan)`` cells."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _row_number_column(table: list[list[tuple[str, str, int]]]) -> bool:
    """True when the first column is unlabelled and holds only whole numbers (a pandas index)."""
    rows = [r for r in table if r]
    header = [r for r in rows if all(tag == "th" for tag, _, _ in r)]
    body = [r for r in rows if not all(tag == "th" for tag, _, _ in r)]
    if not body:
        return False
    first = [r[0][1] for r in body]
    numbers = all(re.fullmatch(r"-?\d+", v or "") for v in first)
    unlabelled = not header or all(not h[0][1] for h in header)
    index_cells = all(r[0][0] == "th" for r in body) and any(r[0][0] == "td" for r in body for r in r[1:])
    return numbers and (unlabelled or index_cells)


def _context(text: str, match: re.Match) -> str:
    return " ".join(text[max(0, match.start() - 40): match.end() + 40].split())


def scan_page(html: str, page: str = "(page)") -> list[Finding]:
    """Every raw repr and row-number column on a rendered page.

    Examples
    --------
    >>> scan_page("<div class='ebm-prose'><p>Either (2, 4, 4) or (3, 3, 4).</p></div>")
    []
    >>> [f.kind for f in scan_page("<table><tr><th></th><th>a</th></tr><tr><th>0</th><td>&lt;NA&gt;</td></tr></table>")]
    ['<NA>', 'row numbers as first column']
    >>> [f.kind for f in scan_page("<pre>[(2, 4, 4), (3, 3, 4)]</pre>")]
    ['tuple repr', 'tuple repr', 'list repr']
    """
    splitter = _Splitter()
    splitter.feed(html)
    prose, output = " ".join(splitter.prose), " ".join(splitter.output)
    found = []
    for text, checks in ((prose, EVERYWHERE), (output, {**EVERYWHERE, **IN_OUTPUTS})):
        for kind, pattern in checks.items():
            found.extend(Finding(page, kind, _context(text, m)) for m in pattern.finditer(text))
    for table in tables_of(html):
        if _row_number_column(table):
            found.append(Finding(page, "row numbers as first column",
                                 " | ".join(c[1] for c in (table[0] if table else []))))
    return found
