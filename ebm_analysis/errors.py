"""The single error type for problems in a project's data."""

from __future__ import annotations

from dataclasses import dataclass

#: At most this many characters of a value read from a file appear in a message.
EXCERPT_LIMIT = 60
#: At most this many problems per file are written out in a DataError's message
#: (all of them stay in ``DataError.problems``).
PROBLEMS_SHOWN_PER_FILE = 50


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file.

    Attributes
    ----------
    file : str
        File name, relative to the data folder (e.g. ``"attendance.csv"``).
    line : int or None
        1-based line number in the file (the header is line 1), or None
        when the problem concerns the whole file.
    column : str or None
        Column name, or None when the problem concerns a whole row or file.
    found : str
        The value found, as written in the file.
    expected : str
        What was expected, written as advice to the researcher.
    """

    file: str
    line: int | None
    column: str | None
    found: str
    expected: str

    def __str__(self) -> str:
        # A last line of defence: whatever a caller put in a problem, the message
        # shows only printable characters and never more than a few hundred of them.
        file, expected = printable(self.file, 300), printable(self.expected, 600)
        if not self.found:
            return f"{file}: {expected}"
        where = file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{printable(str(self.column), EXCERPT_LIMIT + 20)}'"
        return f"{where}: found {printable(self.found, 300)}; {expected}"


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with non-printable characters written as escapes, cut after ``limit`` characters.

    Line breaks, tabs, NUL and other control or invisible characters (which
    could hide or rewrite what a terminal shows) become ``\\n``, ``\\t``,
    ``\\x00``, ``\\u200b``, ...; letters of every script stay as they are.

    Examples
    --------
    >>> printable("två\\nrader\\x00")
    'två\\\\nrader\\\\x00'
    >>> printable("x" * 10, limit=4)
    'xxxx…'
    """
    out = []
    for ch in text if limit is None else text[:limit]:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    if limit is not None and len(text) > limit:
        out.append("…")
    return "".join(out)


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def excerpt(value: str, limit: int = EXCERPT_LIMIT) -> str:
    """A value read from a file, as quoted in a message: short, escaped, in quotes.

    At most ``limit`` characters are shown; a longer value is cut with ``…``
    and its length is given, so that a message never repeats a whole file.

    Examples
    --------
    >>> excerpt("SS9")
    "'SS9'"
    >>> excerpt("root:x:0:0:root:/root:/bin/bash", limit=10)
    "'root:x:0:0…' (31 characters)"
    >>> excerpt("a\\tb")
    "'a\\\\tb'"
    """
    value = str(value)
    shown = f"'{printable(value, limit)}'"
    return shown if len(value) <= limit else f"{shown} ({len(value):,} characters)"


def shorten(values, n: int = 8) -> str:
    """The first ``n`` values, comma-separated, for listing allowed values in a message.

    Examples
    --------
    >>> shorten(["SS1", "SS2", "SS3"], n=2)
    'SS1, SS2, ...'
    """
    values = list(values)
    shown = ", ".join(str(v) for v in values[:n])
    return shown + (", ..." if len(values) > n else "")


class DataError(ValueError):
    """A problem in the project's data, explained for the researcher.

    Carries every :class:`Problem` found, so that all problems in a file are
    reported together rather than one per run.

    Examples
    --------
    >>> err = DataError([Problem("meetings.csv", 3, "meeting", "'9'",
    ...                          "expected a meeting number from 1 to 8")])
    >>> print(err)
    1 problem in the data:
      - meetings.csv, line 3, column 'meeting': found '9'; expected a meeting number from 1 to 8
    """

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, Problem):
            problems = [problems]
        elif isinstance(problems, str):
            problems = [Problem("(project)", None, None, "", problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the data:"]
        per_file: dict[str, int] = {}
        for p in self.problems:
            per_file[p.file] = per_file.get(p.file, 0) + 1
            if per_file[p.file] <= PROBLEMS_SHOWN_PER_FILE:
                lines.append(f"  - {p}")
        for file, count in per_file.items():
            if count > PROBLEMS_SHOWN_PER_FILE:
                lines.append(f"  - {printable(file, 300)}: {count - PROBLEMS_SHOWN_PER_FILE:,} more problems "
                             "in this file are not shown; fix the ones above first (often one cause "
                             "explains them all)")
        return "\n".join(lines)
