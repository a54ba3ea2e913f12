"""Import per-respondent survey answers from a CSV or Excel file into ``survey_responses.csv``.

Two shapes are read, told apart by the header:

* **long**: one row per answer, columns ``respondent_id, group, item, answer``;
* **wide**: one row per respondent, columns ``respondent_id, group`` and one
  column per statement, named by its id in ``survey_items.csv`` (``S1``, ``S2``,
  ...); an empty cell is a statement the respondent left unanswered.

Every value is checked before anything is written: the respondent id is a
pseudonym (``R01``, ``SS1``), the group a lower-case name, the statement one
of ``survey_items.csv``, the answer a whole number on that statement's scale
(``scale_min`` to ``scale_max``), one answer per respondent and statement,
one group per respondent. Any problem raises one
:class:`~ebm_analysis.errors.DataError` naming file, line (the spreadsheet row
for ``.xlsx``), column, the value found and the fix, and nothing is written.

The write is made under the data folder's lock
(:class:`~ebm_analysis.lock.FolderLock`) and is atomic
(:func:`~ebm_analysis.atomic.write_text_atomic`, the previous file kept in
``.versions/``); the new table is validated by the loader's own rules first.
Answers already in the folder are never overwritten silently: ``replace=True``
replaces them all, ``append=True`` adds respondents not yet in the table.
Each answer keeps its provenance: the source file's name, its SHA-256, and the
line and column it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ebm_analysis import atomic
from ebm_analysis.errors import DataError, Problem, excerpt, shorten
from ebm_analysis.lock import DEFAULT_TIMEOUT, FolderLock
from ebm_analysis.reading import parse_table
from ebm_analysis.schema import GROUP_PATTERN, RESPONDENT_PATTERN, TABLES_BY_NAME
from ebm_analysis.survey_answers import item_scales, scale_text

__all__ = ["SurveyImport", "read_answers", "import_survey", "LONG_COLUMNS", "MAX_SOURCE_BYTES", "MAX_ROWS"]

TABLE = TABLES_BY_NAME["survey_responses"]
ANSWERS_FILE = TABLE.file
LONG_COLUMNS = ("respondent_id", "group", "item", "answer")
#: Largest source file read (bytes) and most data rows, so that a wrong file fails fast.
MAX_SOURCE_BYTES = 64 << 20
MAX_ROWS = 100_000

_RESPONDENT = re.compile(RESPONDENT_PATTERN)
_GROUP = re.compile(GROUP_PATTERN)
#: A whole number as written; "4,0" and "4.00" (a cell formatted with decimals) are 4.
_WHOLE = re.compile(r"([+-]?\d{1,6})(?:[.,]0+)?")


@dataclass(frozen=True)
class SurveyImport:
    """What :func:`import_survey` read, and what it wrote.

    Attributes
    ----------
    source : str
        The file's name.
    shape : {"wide", "long"}
        How the file was laid out.
    sheet : str or None
        The worksheet read (``.xlsx`` only).
    answers : DataFrame
        The imported rows, in the columns of ``survey_responses.csv``.
    replaced : int
        Answers that were in the table before and are now gone (``replace=True``).
    kept : int
        Answers that were in the table before and stay (``append=True``).
    written : Path or None
        ``survey_responses.csv``, or None for a dry run.
    """

    source: str
    shape: str
    sheet: str | None
    answers: pd.DataFrame
    replaced: int
    kept: int
    written: Path | None

    def summary(self) -> str:
        """One paragraph for the terminal.

        Examples
        --------
        >>> a = pd.DataFrame({"respondent_id": ["R1", "R1"], "group": ["x", "x"], "item": ["S1", "S2"]})
        >>> print(SurveyImport("a.csv", "wide", None, a, 0, 0, None).summary())
        a.csv (wide): 2 answers from 1 respondent (x: 1) to 2 statements. Dry run: nothing written.
        """
        a = self.answers
        groups = a.drop_duplicates("respondent_id")["group"].value_counts().sort_index()
        people = a["respondent_id"].nunique()
        where = f"{self.source}" + (f", sheet {self.sheet!r}" if self.sheet else "")
        text = (f"{where} ({self.shape}): {len(a)} answer{'s' * (len(a) != 1)} from {people} "
                f"respondent{'s' * (people != 1)} ({', '.join(f'{g}: {n}' for g, n in groups.items())}) "
                f"to {a['item'].nunique()} statement{'s' * (a['item'].nunique() != 1)}.")
        if self.replaced:
            text += f" Replaced the {self.replaced} answers that were there."
        if self.kept:
            text += f" Kept the {self.kept} answers that were there."
        return text + (f" Wrote {self.written.name}." if self.written else " Dry run: nothing written.")


# ---------------------------------------------------------------- reading a file

def _source_bytes(path: Path) -> bytes:
    """The file's bytes, if it is a readable regular file of sensible size."""
    name = path.name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DataError(Problem(name, None, None, "no such file", f"check the path {excerpt(str(path), 200)}")) from None
    except OSError as exc:
        raise DataError(Problem(name, None, None, f"a file that cannot be read ({exc.strerror})",
                                "check the path and your permissions")) from None
    if not stat.S_ISREG(st.st_mode):
        raise DataError(Problem(name, None, None, "not a regular file (a folder, pipe or device)",
                                "give the path of a .csv or .xlsx file"))
    if st.st_size > MAX_SOURCE_BYTES:
        raise DataError(Problem(name, None, None, f"a file of {st.st_size:,} bytes",
                                f"expected a survey file of at most {MAX_SOURCE_BYTES:,} bytes; is this the right file?"))
    with open(path, "rb") as f:
        return f.read()


def _read_csv(data: bytes, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    rt, problems = parse_table(data, name)
    if rt is None or problems:
        raise DataError(problems)
    return rt.header, rt.rows


def _cell_text(cell, line: int, name: str, problems: list[Problem], header: str | None) -> str:
    """A spreadsheet cell as text; a formula is a problem (only values are imported)."""
    value = cell.value
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "f":
        problems.append(Problem(name, line, header, f"a formula {excerpt(str(value), 40)}",
                                "expected values: copy the sheet and paste values only (Paste special → Values), "
                                "then import that"))
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return f"a date {value.isoformat()}"
    return str(value).strip()


def _open_sheet(data: bytes, name: str, sheet: str | None):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise DataError(Problem(name, None, None, f"a file that is not an Excel workbook ({type(exc).__name__})",
                                "save it from the spreadsheet program as an Excel workbook (.xlsx) or as "
                                "CSV UTF-8, and import that")) from None
    if sheet is not None and sheet not in book.sheetnames:
        names = book.sheetnames
        book.close()
        raise DataError(Problem(name, None, None, f"no sheet named {excerpt(sheet)}",
                                f"expected one of the sheets {shorten(names)}"))
    return book, (book[sheet] if sheet is not None else book.worksheets[0])


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Header and rows of a worksheet; cells by position (a blank cell keeps its place)."""
    book, ws = _open_sheet(data, name, sheet)
    name = f"{name}, sheet {ws.title!r}"
    problems: list[Problem] = []
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    try:
        for line, row in enumerate(ws.iter_rows(min_row=1), start=1):
            if not header:
                header = [_cell_text(c, line, name, problems, None) for c in row]
                if any(header) and line != 1:
                    problems.append(Problem(name, line, None, f"the header on row {line}",
                                            "put the header in the first row of the sheet"))
                header = header if any(header) else []
                continue
            texts = [_cell_text(c, line, name, problems, header[i] if i < len(header) else None)
                     for i, c in enumerate(row)]
            if any(texts):
                rows.append((line, texts))
            if len(rows) > MAX_ROWS:
                raise DataError(Problem(name, None, None, f"more than {MAX_ROWS:,} rows",
                                        "expected a survey's answers; is this the right sheet?"))
        title = ws.title
    finally:
        book.close()
    while header and not header[-1]:
        header.pop()
    width = len(header)
    for line, texts in rows:
        extra = [t for t in texts[width:] if t]
        if extra:
            problems.append(Problem(name, line, None, f"a value {excerpt(extra[0])} right of the last named column",
                                    "give the column a name in the first row, or delete the value"))
    if problems:
        raise DataError(problems)
    return header, [(line, (texts + [""] * width)[:width]) for line, texts in rows], title


# ---------------------------------------------------------------- checking the answers

class _Checker:
    """Collects the answers of one file and every problem in them."""

    def __init__(self, name: str, scales: dict):
        self.name, self.scales = name, scales
        self.problems: list[Problem] = []
        self.rows: list[dict] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.groups: dict[str, tuple[str, int]] = {}

    def problem(self, line, column, found, expected) -> None:
        self.problems.append(Problem(self.name, line, column, found, expected))

    def person(self, line: int, who: str, group: str) -> bool:
        ok = True
        if not who:
            self.problem(line, "respondent_id", "an empty cell", "give each respondent a pseudonym such as R01")
            ok = False
        elif not _RESPONDENT.fullmatch(who):
            self.problem(line, "respondent_id", excerpt(who),
                         "expected a pseudonym such as R01 or SS1 (capital letters, then digits); replace "
                         "names and other identifiers by pseudonyms before importing")
            ok = False
        if group == "all_respondents":
            self.problem(line, "group", excerpt(group),
                         "all_respondents is the pooled column of the report; give the respondent's own group, "
                         "e.g. social_secretaries")
            ok = False
        elif not _GROUP.fullmatch(group):
            self.problem(line, "group", excerpt(group) if group else "an empty cell",
                         "expected the respondent's group in lower case letters, digits and _, "
                         "e.g. social_secretaries or service_user_mentors")
            ok = False
        if ok and who in self.groups and self.groups[who][0] != group:
            first_group, first_line = self.groups[who]
            self.problem(line, "group", f"{excerpt(group)} for {who}, who is {excerpt(first_group)} on line {first_line}",
                         "expected one group per respondent")
        elif ok:
            self.groups.setdefault(who, (group, line))
        return ok

    def answer(self, line: int, column: str, who: str, group: str, item: str, text: str, person_ok: bool) -> None:
        scale = self.scales.get(item)
        whole = _WHOLE.fullmatch(text)
        value = int(whole.group(1)) if whole else None
        if scale is None:
            self.problem(line, column, f"an answer {excerpt(text)} to {item}, which has no scale",
                         scale_text(item, None))
            return
        if value is None or not scale[0] <= value <= scale[1]:
            found = excerpt(text) if value is not None or _looks_numeric(text) else f"the text {excerpt(text)}"
            fix = scale_text(item, scale)
            if value is None and not _looks_numeric(text):
                fix += "; recode text answers as numbers before importing"
            self.problem(line, column, found, fix)
            return
        key = (who, item)
        if key in self.seen:
            self.problem(line, column, f"a second answer from {who} to {item} (the first on line {self.seen[key]})",
                         "keep one answer per respondent and statement; delete the other")
            return
        self.seen[key] = line
        if person_ok:
            self.rows.append({"respondent_id": who, "group": group, "item": item, "answer": value,
                              "source_row": line, "source_column": column})


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+([.,]\d+)?", text))


def _header_problems(name: str, header: list[str], allowed: set[str], needed: tuple[str, ...],
                     shape: str, items: list[str]) -> list[Problem]:
    problems = []
    for column in needed:
        if column not in header:
            problems.append(Problem(name, 1, column, "no such column in the header",
                                    f"a {shape} file needs the columns {', '.join(needed)}"
                                    + (" and one column per statement" if shape == "wide" else "")))
    seen = set()
    for column in header:
        if column in seen:
            problems.append(Problem(name, 1, column, "the column twice", "keep one column of each name"))
        seen.add(column)
        if column not in allowed:
            expected = (f"expected a statement of survey_items.csv ({shorten(items)}), respondent_id or "
                        "group; rename or remove the column" if shape == "wide" else
                        f"expected only the columns {', '.join(LONG_COLUMNS)}; remove the column")
            problems.append(Problem(name, 1, column or "(empty)", excerpt(column) if column else "a column without a name",
                                    expected))
    return problems


def _check_long(checker: _Checker, header, rows, items: list[str]) -> None:
    at = {c: header.index(c) for c in LONG_COLUMNS}
    known = set(items)
    for line, cells in rows:
        who, group, item, text = (cells[at[c]].strip() for c in LONG_COLUMNS)
        ok = checker.person(line, who, group)
        if item not in known:
            checker.problem(line, "item", excerpt(item) if item else "an empty cell",
                            f"expected a statement of survey_items.csv ({shorten(items)})")
        elif not text:
            checker.problem(line, "answer", "an empty cell",
                            "give the answer, or delete the row of a statement left unanswered")
        else:
            checker.answer(line, "answer", who, group, item, text, ok)


def _check_wide(checker: _Checker, header, rows, items: list[str]) -> None:
    who_at, group_at = header.index("respondent_id"), header.index("group")
    item_columns = [(i, c) for i, c in enumerate(header) if c in set(items)]
    first: dict[str, int] = {}
    for line, cells in rows:
        who, group = cells[who_at].strip(), cells[group_at].strip()
        if who in first:
            checker.problem(line, "respondent_id", f"{excerpt(who)} again (first on line {first[who]})",
                            "expected one row per respondent; merge the two rows or give one a new pseudonym")
            continue
        first[who] = line
        ok = checker.person(line, who, group)
        for i, item in item_columns:
            text = cells[i].strip() if i < len(cells) else ""
            if text:
                checker.answer(line, item, who, group, item, text, ok)


def read_answers(path: str | Path, items: pd.DataFrame, *, sheet: str | None = None) -> tuple[pd.DataFrame, str, str | None]:
    """Read and check a file of answers (CSV or ``.xlsx``, wide or long).

    Parameters
    ----------
    path : str or Path
        The file: ``.csv`` (UTF-8, comma or semicolon) or ``.xlsx``.
    items : DataFrame
        ``survey_items`` of the project: the statements and their scales.
    sheet : str, optional
        The worksheet of an ``.xlsx`` file (default: the first).

    Returns
    -------
    answers : DataFrame
        The columns of ``survey_responses.csv``: ``respondent_id, group, item,
        answer, source, source_sha256, source_row, source_column``.
    shape : {"wide", "long"}
    sheet : str or None
        The worksheet read.

    Raises
    ------
    DataError
        Every problem in the file, each naming file, line, column, value and fix.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "answers.csv"
    >>> _ = f.write_text("respondent_id,group,S1,S2\\nR1,mentors,4,\\nR2,mentors,3,2\\n", encoding="utf-8")
    >>> items = pd.DataFrame({"item": ["S1", "S2"], "scale_min": [1, 1], "scale_max": [4, 4]})
    >>> answers, shape, _ = read_answers(f, items)
    >>> shape, answers[["respondent_id", "item", "answer", "source_row", "source_column"]].values.tolist()
    ('wide', [['R1', 'S1', 4, 2, 'S1'], ['R2', 'S1', 3, 3, 'S1'], ['R2', 'S2', 2, 3, 'S2']])
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DataError(Problem(name, None, None, f"a file ending in {excerpt(suffix or '(nothing)')}",
                                "expected a .csv (UTF-8) or .xlsx file; save an .xls or .ods file as .xlsx or CSV"))
    data = _source_bytes(path)
    if suffix == ".xlsx":
        header, rows, sheet = _read_xlsx(data, name, sheet)
        name = f"{name}, sheet {sheet!r}"
    else:
        header, rows = _read_csv(data, name)
        sheet = None
    if len(rows) > MAX_ROWS:
        raise DataError(Problem(name, None, None, f"{len(rows):,} rows", f"expected at most {MAX_ROWS:,}"))
    item_ids = [str(i) for i in items["item"].tolist()]
    shape = "long" if {"item", "answer"} <= set(header) else "wide"
    if shape == "long":
        found = _header_problems(name, header, set(LONG_COLUMNS), LONG_COLUMNS, shape, item_ids)
    else:
        found = _header_problems(name, header, {"respondent_id", "group", *item_ids}, ("respondent_id", "group"),
                                 shape, item_ids)
        if not found and not set(header) & set(item_ids):
            found = [Problem(name, 1, None, "no column named after a statement",
                             f"a wide file has one column per statement, named {shorten(item_ids)}; a long file "
                             f"has the columns {', '.join(LONG_COLUMNS)}")]
    if found:
        raise DataError(found)
    checker = _Checker(name, item_scales(items))
    (_check_long if shape == "long" else _check_wide)(checker, header, rows, item_ids)
    if checker.problems:
        raise DataError(checker.problems)
    if not checker.rows:
        raise DataError(Problem(name, None, None, "no answers", "expected at least one answer; is this the right file?"))
    answers = pd.DataFrame(checker.rows)
    answers["source"] = path.name
    answers["source_sha256"] = hashlib.sha256(data).hexdigest()
    return answers[TABLE.column_names], shape, sheet


# ---------------------------------------------------------------- writing

def _table_text(frame: pd.DataFrame) -> str:
    cells = frame[TABLE.column_names].astype(object).where(frame[TABLE.column_names].notna(), "")
    return atomic.frame_to_csv_text(cells.astype(str), ANSWERS_FILE)


def _validate_with_loader(folder: Path, text: str) -> None:
    """Check the new table by the loader's own rules, against survey_items.csv."""
    from ebm_analysis.project import _validated_frames
    from ebm_analysis.reading import read_file_bytes

    items, problems = read_file_bytes(folder / "survey_items.csv", "survey_items.csv", folder)
    if problems:
        raise DataError(problems)
    _validated_frames({"survey_items": items, "survey_responses": text.encode("utf-8")}, [])


def _merge(existing: pd.DataFrame, new: pd.DataFrame, replace: bool, append: bool, name: str) -> tuple[pd.DataFrame, int, int]:
    if existing.empty:
        return new, 0, 0
    if replace:
        return new, len(existing), 0
    sources = shorten(sorted(set(existing["source"].dropna().astype(str))), 3)
    if not append:
        raise DataError(Problem(ANSWERS_FILE, None, None, f"{len(existing)} answers already (from {sources})",
                                "nothing was imported; add --replace to replace them all by this file's answers, "
                                "or --append to add respondents who are not yet in the table"))
    same_file = set(existing["source_sha256"].dropna()) & set(new["source_sha256"])
    if same_file:
        raise DataError(Problem(name, None, None, "a file already imported (the same SHA-256)",
                                "nothing was imported; the answers are in the table already"))
    both = sorted(set(existing["respondent_id"]) & set(new["respondent_id"]))
    if both:
        raise DataError(Problem(name, None, "respondent_id", f"respondents already in {ANSWERS_FILE}: {shorten(both)}",
                                "nothing was imported; with --append every respondent must be new (use --replace "
                                "to replace the whole table)"))
    old = existing[TABLE.column_names].astype(object)
    return pd.concat([old, new.astype(object)], ignore_index=True), 0, len(existing)


def import_survey(path: str | Path, data_dir: str | Path | None = None, *, replace: bool = False,
                  append: bool = False, dry_run: bool = False, sheet: str | None = None,
                  timeout: float = DEFAULT_TIMEOUT) -> SurveyImport:
    """Import a file of per-respondent answers into the data folder's ``survey_responses.csv``.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.xlsx`` file, wide or long (see the module docstring).
    data_dir : str or Path, optional
        The data folder (default: :func:`~ebm_analysis.project.default_data_dir`).
    replace : bool
        Replace every answer already in the table.
    append : bool
        Add to the answers already there (every respondent must be new).
    dry_run : bool
        Check everything and report, but write nothing.
    sheet : str, optional
        The worksheet of an ``.xlsx`` file (default: the first).
    timeout : float
        Seconds to wait for another writer's lock.

    Returns
    -------
    SurveyImport

    Raises
    ------
    DataError
        For any problem in the file, in the data folder, or with answers already
        there; nothing is written.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from ebm_analysis.project import BUNDLED_DATA, load_project
    >>> work = Path(tempfile.mkdtemp())
    >>> folder = Path(shutil.copytree(BUNDLED_DATA, work / "data"))
    >>> f = work / "answers.csv"
    >>> _ = f.write_text("respondent_id,group,item,answer\\nR1,mentors,S1,4\\n", encoding="utf-8")
    >>> print(import_survey(f, folder).summary())
    answers.csv (long): 1 answer from 1 respondent (mentors: 1) to 1 statement. Wrote survey_responses.csv.
    >>> load_project(folder).survey_responses["answer"].tolist()
    [4]
    """
    from ebm_analysis.project import default_data_dir, load_project

    if replace and append:
        raise DataError(Problem("(arguments)", None, None, "both replace and append",
                                "choose one: replace the answers there, or append new respondents"))
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    path = Path(path)
    if dry_run:
        return _import(path, load_project(folder), folder, replace, append, sheet, write=False)
    with FolderLock(folder, timeout, holder="import-survey"):
        return _import(path, load_project(folder), folder, replace, append, sheet, write=True)


def _import(path: Path, project, folder: Path, replace: bool, append: bool, sheet: str | None,
            write: bool) -> SurveyImport:
    new, shape, sheet = read_answers(path, project.survey_items, sheet=sheet)
    table, replaced, kept = _merge(project.survey_responses, new, replace, append, path.name)
    text = _table_text(table)
    _validate_with_loader(folder, text)
    written = None
    if write:
        atomic.write_text_atomic(folder / ANSWERS_FILE, text)
        written = folder / ANSWERS_FILE
    return SurveyImport(path.name, shape, sheet, new, replaced, kept, written)
