"""The single error type for problems in a project's data."""

from __future__ import annotations

from dataclasses import dataclass


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
        if not self.found:
            return f"{self.file}: {self.expected}"
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: found {self.found}; {self.expected}"


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
        head = f"{n} problem{'s' if n != 1 else ''} in the data:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])
