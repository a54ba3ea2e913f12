"""Load and validate a project's data folder.

``load_project`` reads every table, checks every value and every reference
between tables, and only then returns a :class:`Project`. If anything is
wrong it raises one :class:`~ebm_analysis.errors.DataError` listing every
problem found, so nothing is ever half-loaded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pandas as pd

from ebm_analysis.changelog import replay_pending
from ebm_analysis.errors import DataError, Problem, shorten
from ebm_analysis.reading import RawTable, read_raw_table
from ebm_analysis.schema import TABLES, TABLES_BY_NAME, Column, Table

BUNDLED_DATA = Path(__file__).resolve().parent.parent / "data"
DATA_DIR_VARIABLE = "EBM_DATA_DIR"


def default_data_dir() -> Path:
    """The data folder used when none is given.

    The folder named by the ``EBM_DATA_DIR`` environment variable if it is
    set (for example to work on a copy), else the bundled ``data/``.

    Examples
    --------
    >>> default_data_dir().name
    'data'
    """
    value = os.environ.get(DATA_DIR_VARIABLE)
    return Path(value) if value else BUNDLED_DATA


@dataclass
class Project:
    """A loaded, validated project: one DataFrame per table.

    Attributes
    ----------
    path : Path
        The data folder.
    tables : dict of str to DataFrame
        Every table by name (see :data:`ebm_analysis.schema.TABLES`); optional
        tables that are absent are empty DataFrames with the right columns.

    Each table is also an attribute: ``project.meetings``,
    ``project.participants``, ``project.attendance``, ``project.excerpts``,
    ``project.observations``, ``project.codebook``, ``project.codings``, ...
    Columns have the dtypes of :mod:`ebm_analysis.schema`: ``string`` for ids
    and text, ``Int64`` for numbers. ``survey_means`` has one extra column,
    ``mean_value`` (``Float64``), the printed mean read as a number.
    """

    path: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def summary(self) -> pd.DataFrame:
        """Rows per table.

        Returns
        -------
        DataFrame
            Columns ``table``, ``file``, ``rows``.

        Examples
        --------
        >>> load_project().summary().set_index("table").loc["meetings", "rows"]
        np.int64(8)
        """
        return pd.DataFrame(
            [(t.name, t.file, len(self.tables[t.name])) for t in TABLES],
            columns=["table", "file", "rows"],
        )

    def segments(self) -> pd.DataFrame:
        """Every codable segment: excerpts and observation notes together.

        Returns
        -------
        DataFrame
            Columns ``segment_id``, ``kind`` (``excerpt`` or ``observation``),
            ``source_type`` (interview, survey_comment, meeting, or
            ``observation_note``), ``speaker_role``, ``meeting``, ``text_sv``,
            ``text_en``.

        Examples
        --------
        >>> seg = load_project().segments()
        >>> sorted(seg["kind"].unique())
        ['excerpt', 'observation']
        """
        ex = self.excerpts.rename(columns={"excerpt_id": "segment_id"}).assign(kind="excerpt")
        ob = self.observations.rename(columns={"note_id": "segment_id"}).assign(
            kind="observation", source_type="observation_note", speaker_role="observer")
        cols = ["segment_id", "kind", "source_type", "speaker_role", "meeting", "text_sv", "text_en"]
        out = pd.concat([ex[cols], ob[cols]], ignore_index=True)
        return out.astype({"source_type": "string", "speaker_role": "string", "kind": "string"})


def load_project(path: str | Path | None = None) -> Project:
    """Load and validate a data folder.

    Parameters
    ----------
    path : str or Path, optional
        The data folder; None means :func:`default_data_dir` (the folder in
        ``EBM_DATA_DIR`` if set, else the EBM data bundled with the package).

    Returns
    -------
    Project
        One DataFrame per table, all checked.

    Raises
    ------
    DataError
        Listing every problem found (file, line, column, value found, what
        was expected). Nothing is returned when there is any problem.

    Examples
    --------
    >>> project = load_project()
    >>> len(project.meetings)
    8
    >>> project.participants.loc[project.participants["role"] == "service_user_mentor", "participant_id"].tolist()
    ['BM1', 'BM2', 'BM3']
    """
    folder = default_data_dir() if path is None else Path(path)
    if not folder.is_dir():
        raise DataError(Problem(str(folder), None, None, "no such folder",
                                "expected the path of a data folder holding meetings.csv, participants.csv, ..."))
    problems: list[Problem] = []
    raw: dict[str, RawTable] = {}
    for table in TABLES:
        file = folder / table.file
        if not file.exists():
            if not table.optional:
                problems.append(Problem(table.file, None, None, "no such file",
                                        f"expected {table.file} ({table.description}) in the data folder"))
            continue
        parsed, found = read_raw_table(file, table.file)
        problems.extend(found)
        if parsed is not None:
            raw[table.name] = parsed
    frames: dict[str, pd.DataFrame] = {}
    lines: dict[str, list[int]] = {}
    for name, rt in raw.items():
        frame, found = _typed_frame(TABLES_BY_NAME[name], rt)
        problems.extend(found)
        if frame is not None:
            frames[name] = frame
            lines[name] = [ln for ln, _ in rt.rows]
    problems.extend(_check_keys(frames, lines))
    problems.extend(_check_references(frames, lines))
    problems.extend(_check_extra(frames, lines))
    if problems:
        raise DataError(problems)
    for table in TABLES:
        if table.name not in frames:
            frames[table.name] = _empty_frame(table)
    frames["survey_means"]["mean_value"] = pd.array(
        [float(_decimal(v)) for v in frames["survey_means"]["mean_printed"]], dtype="Float64")
    project = Project(folder, frames)
    # ---- The coding store's hook (keep it the last step, on every path that returns a Project):
    # ---- apply the change log (changes.jsonl) written after the codings/codebook snapshot, check
    # ---- that span codings still cover their text, and set project.sequence. See ebm_analysis.changelog.
    return replay_pending(project, lines)


# ---------------------------------------------------------------- values

def _empty_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in table.columns})


def _typed_frame(table: Table, rt: RawTable) -> tuple[pd.DataFrame | None, list[Problem]]:
    problems = _check_header(table, rt)
    if problems:
        return None, problems
    index = {name: i for i, name in enumerate(rt.header)}
    values: dict[str, list] = {c.name: [] for c in table.columns}
    for line, cells in rt.rows:
        if len(cells) != len(rt.header):
            continue  # already reported by the reader
        for col in table.columns:
            cell = cells[index[col.name]].strip() if col.name in index else ""  # absent: may_be_absent
            value, problem = _convert(col, cell, table.file, line, rt.delimiter)
            values[col.name].append(value)
            if problem:
                problems.append(problem)
    if problems:
        return None, problems
    frame = pd.DataFrame({c.name: pd.array(values[c.name], dtype=c.dtype) for c in table.columns})
    return frame, []


def _check_header(table: Table, rt: RawTable) -> list[Problem]:
    problems = []
    expected = table.column_names
    for name in expected:
        if name not in rt.header and not table.column(name).may_be_absent:
            problems.append(Problem(table.file, 1, name, "no such column in the header",
                                    f"expected the columns {', '.join(expected)}"))
    for i, name in enumerate(rt.header):
        if name not in expected:
            shown = f"'{name}'" if name else "an empty column name"
            problems.append(Problem(table.file, 1, name or f"#{i + 1}", f"an extra column {shown}",
                                    f"remove it or rename it to one of {', '.join(expected)}"))
        elif rt.header.index(name) != i:
            problems.append(Problem(table.file, 1, name, "the column twice", "keep one column of each name"))
    return problems


def _convert(col: Column, text: str, file: str, line: int, delimiter: str):
    def problem(found: str, expected: str) -> tuple[None, Problem]:
        return None, Problem(file, line, col.name, found, expected)

    if text == "":
        if col.required:
            return problem("an empty cell", f"this column needs a value ({col.description or col.kind})")
        return None, None
    if col.kind == "int":
        if not re.fullmatch(r"-?\d+", text):
            return problem(f"'{text}'", f"expected a whole number{_bounds_text(col)}")
        value = int(text)
        if col.bounds and not col.bounds[0] <= value <= col.bounds[1]:
            return problem(f"{value}", f"expected a whole number{_bounds_text(col)}")
        return value, None
    if col.kind == "decimal_text":
        number = _decimal(text)
        if number is None:
            return problem(f"'{text}'", "expected a number such as 3,14 or 3.14")
        if col.bounds and not col.bounds[0] <= number <= col.bounds[1]:
            return problem(f"'{text}'", f"expected a value on the {col.bounds[0]}–{col.bounds[1]} scale")
        return text, None
    if col.kind == "choice" and text not in (col.choices or ()):
        return problem(f"'{text}'", f"expected one of: {', '.join(col.choices or ())}")
    if col.kind == "color" and not re.fullmatch(r"#[0-9A-Fa-f]{6}", text):
        return problem(f"'{text}'", "expected a colour as #RRGGBB, e.g. #1f77b4")
    if col.pattern and not re.fullmatch(col.pattern, text):
        return problem(f"'{text}'", f"expected {col.description or 'an id of the form ' + col.pattern}")
    return text, None


def _bounds_text(col: Column) -> str:
    return f" from {col.bounds[0]} to {col.bounds[1]}" if col.bounds else ""


def _decimal(text: str) -> Fraction | None:
    """Read '3,14', '3.14' or '4' exactly; None if it is not a number."""
    if not re.fullmatch(r"-?\d+([.,]\d+)?", text.strip()):
        return None
    return Fraction(text.strip().replace(",", "."))


# ---------------------------------------------------------------- tables

def _check_keys(frames, lines):
    for name, frame in frames.items():
        table = TABLES_BY_NAME[name]
        seen: dict[tuple, int] = {}
        for i, key in enumerate(frame[list(table.key)].itertuples(index=False, name=None)):
            line = lines[name][i]
            if key in seen:
                shown = ", ".join(str(k) for k in key)
                yield Problem(table.file, line, ", ".join(table.key), f"the id '{shown}' again (first on line {seen[key]})",
                              "expected each id once; renumber or merge the two rows")
            else:
                seen[key] = line


def _check_references(frames, lines):
    for name, frame in frames.items():
        table = TABLES_BY_NAME[name]
        for col in table.columns:
            if not col.references:
                continue
            target, target_col = col.references
            if target not in frames:
                continue
            known = set(frames[target][target_col].dropna())
            for i, value in enumerate(frame[col.name]):
                if pd.notna(value) and value not in known:
                    yield Problem(table.file, lines[name][i], col.name, f"'{value}', which {TABLES_BY_NAME[target].file} does not list",
                                  f"expected one of the {target_col} values in {TABLES_BY_NAME[target].file} "
                                  f"({shorten(sorted(known, key=str))})")



def _check_extra(frames, lines):
    for name, frame in frames.items():
        table = TABLES_BY_NAME[name]
        for check in table.extra_checks:
            yield from CHECKS[check](table, frame, lines[name], frames)


def _basis_matches_status(table, frame, lines, frames):
    for i, row in enumerate(frame.itertuples(index=False)):
        if row.status != "unknown" and pd.isna(row.basis):
            yield Problem(table.file, lines[i], "basis", "an empty cell",
                          f"status '{row.status}' needs a basis: reported or inferred")
        if row.status == "unknown" and pd.notna(row.basis):
            yield Problem(table.file, lines[i], "basis", f"'{row.basis}'",
                          "leave basis empty when status is unknown")


def _every_person_and_meeting(table, frame, lines, frames):
    """attendance.csv, once it has rows, must have one for every participant at every meeting.

    An attendance table with no rows means the project records no attendance
    (e.g. one imported from another QDA tool); that is allowed.
    """
    if frame.empty or "participants" not in frames or "meetings" not in frames:
        return
    have = set(zip(frame["participant_id"], frame["meeting"]))
    for person in frames["participants"]["participant_id"]:
        missing = [int(m) for m in frames["meetings"]["meeting"] if (person, m) not in have]
        if missing:
            yield Problem(table.file, None, "participant_id, meeting",
                          f"no row for {person} at meeting{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(map(str, missing))}",
                          "add one row per participant and meeting; where the report says nothing, "
                          "write status 'unknown' with an empty basis")


def _min_le_max(table, frame, lines, frames):
    for i, row in enumerate(frame.itertuples(index=False)):
        if row.present_min > row.present_max:
            yield Problem(table.file, lines[i], "present_min", f"{row.present_min} > present_max {row.present_max}",
                          "expected present_min <= present_max")


def _n_range(table, frame, lines, frames):
    for i, row in enumerate(frame.itertuples(index=False)):
        if not row.n_min <= row.n_likely <= row.n_max:
            yield Problem(table.file, lines[i], "n_likely", f"{row.n_likely} outside n_min..n_max ({row.n_min}..{row.n_max})",
                          "expected n_min <= n_likely <= n_max")


def _no_cycles(table, frame, lines, frames):
    parent = dict(zip(frame["code_id"], frame["parent_id"]))
    for i, code in enumerate(frame["code_id"]):
        seen, node = {code}, parent.get(code)
        while pd.notna(node) and node is not None:
            if node in seen:
                yield Problem(table.file, lines[i], "parent_id", f"'{parent[code]}', which makes a cycle back to '{code}'",
                              "expected a tree: a code cannot be its own ancestor")
                break
            seen.add(node)
            node = parent.get(node)


def _segment_texts(frames) -> dict[str, str]:
    texts = {}
    for name, key in (("excerpts", "excerpt_id"), ("observations", "note_id")):
        if name in frames:
            texts.update(zip(frames[name][key], frames[name]["text_sv"]))
    return texts


def _segment_exists(table, frame, lines, frames):
    texts = _segment_texts(frames)
    for i, seg in enumerate(frame["segment_id"]):
        if seg not in texts:
            yield Problem(table.file, lines[i], "segment_id", f"'{seg}', which is neither an excerpt_id nor a note_id",
                          "expected an id from excerpts.csv (E...) or observations.csv (O...)")


def _offsets_in_text(table, frame, lines, frames):
    texts = _segment_texts(frames)
    for i, row in enumerate(frame.itertuples(index=False)):
        text = texts.get(row.segment_id)
        if text is None:
            continue
        if pd.isna(row.start) != pd.isna(row.end):
            yield Problem(table.file, lines[i], "start" if pd.isna(row.start) else "end", "an empty cell",
                          "give both start and end, or leave both empty to code the whole segment")
        elif pd.notna(row.start) and not 0 <= row.start < row.end <= len(text):
            yield Problem(table.file, lines[i], "end", f"start {row.start}, end {row.end}",
                          f"expected 0 <= start < end <= {len(text)} (the length of {row.segment_id}'s text_sv)")


CHECKS = {
    "basis_matches_status": _basis_matches_status,
    "every_person_and_meeting": _every_person_and_meeting,
    "min_le_max": _min_le_max,
    "n_range": _n_range,
    "no_cycles": _no_cycles,
    "segment_exists": _segment_exists,
    "offsets_in_text": _offsets_in_text,
}
