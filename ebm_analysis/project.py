"""Load and validate a project's data folder.

``load_project`` reads every table, checks every value and every reference
between tables, and only then returns a :class:`Project`. If anything is
wrong it raises one :class:`~ebm_analysis.errors.DataError` listing every
problem found, so nothing is ever half-loaded.

What is checked, besides each value against :mod:`ebm_analysis.schema`:
every required file exists under its exact name (a near miss such as
``Codebook.csv`` or ``codings (1).csv`` is named in the message); every file
is a regular file of the folder (see :mod:`ebm_analysis.reading` for links,
pipes, devices, encodings and delimiters); ids are unique, references
resolve, the code tree has no cycle, codings point into their segment's text
and no coding is listed twice.

Validation works a column at a time (sets and arrays rather than a loop
over cells), so a study of 40,000 segments and 50,000 codings opens in well
under a second; see ``benchmarks/bench_load.py``.
"""

from __future__ import annotations

import difflib
import gc
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from ebm_analysis.attendance import check_counts_match_statuses, check_membership_statuses
from ebm_analysis.changelog import LOG_FILE, replay_pending, snapshot_digests
from ebm_analysis.errors import DataError, Problem, excerpt, printable, shorten
from ebm_analysis import cache
from ebm_analysis.reading import RawTable, parse_table, read_file_bytes
from ebm_analysis.schema import TABLES, TABLES_BY_NAME, Column, Table
from ebm_analysis.survey_answers import (check_answers_on_item_scale, check_item_scales,
                                         check_one_group_per_respondent)

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
    entries = _folder_entries(folder)
    # Splitting a large table creates hundreds of thousands of small lists that
    # are never part of a reference cycle; pausing the cycle collector while
    # they are made saves a third of the time at study scale.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_unchanged(folder, entries)
    finally:
        if paused:
            gc.enable()


#: Loads tried while another kernel compacts the codings it is reading (see :func:`_load_unchanged`).
LOAD_TRIES = 5
_SNAPSHOTS = ("codings.csv", "codebook.csv")


def _file_state(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _load_unchanged(folder: Path, entries: set[str]) -> Project:
    """Load without the folder's lock, yet never from files another writer was replacing meanwhile.

    A coding store in another kernel may compact (replace ``codings.csv`` /
    ``codebook.csv`` and log a snapshot entry) or log a change while this
    load reads the files one after the other; the snapshot read and the log
    read then need not belong together. The files' state is compared before
    and after: a load that failed while anything of the store changed, or
    that read snapshots replaced meanwhile, is done again. After
    ``LOAD_TRIES`` such loads (a writer compacting faster than this machine
    loads), the last one is made holding the folder's lock, which makes the
    writer wait for one load; where the lock cannot be taken (a read-only
    folder, which no one writes) it is made without it.
    """
    for _ in range(LOAD_TRIES - 1):
        snapshots = [_file_state(folder / name) for name in _SNAPSHOTS]
        log = _file_state(folder / LOG_FILE)
        try:
            project = _load(folder, entries)
        except DataError:
            if [_file_state(folder / name) for name in _SNAPSHOTS] == snapshots \
                    and _file_state(folder / LOG_FILE) == log:
                raise  # nothing changed meanwhile: the data themselves have the problem
            continue
        if [_file_state(folder / name) for name in _SNAPSHOTS] == snapshots:
            return project
    return _load_holding_the_lock(folder, entries)


def _load_holding_the_lock(folder: Path, entries: set[str]) -> Project:
    from ebm_analysis.lock import FolderLock, LockTimeoutError

    lock = FolderLock(folder, holder="load_project (a reader, while another kernel writes)")
    try:
        lock.acquire()
    except LockTimeoutError:
        raise
    except (OSError, DataError):  # no lock file can be made here (read-only): no one writes either
        return _load(folder, entries)
    try:
        return _load(folder, entries)
    finally:
        lock.release()


def _read_contents(folder: Path, entries: set[str]) -> tuple[dict[str, bytes], list[Problem]]:
    """The exact bytes of every table file (each read with the safety checks), and what was wrong."""
    problems: list[Problem] = []
    contents: dict[str, bytes] = {}
    for table in TABLES:
        if table.file not in entries:
            problems.extend(_missing_file(table, entries))
            continue
        data, found = read_file_bytes(folder / table.file, table.file, folder)
        problems.extend(found)
        if data is not None:
            contents[table.name] = data
    return contents, problems


def refresh_cache(folder: str | Path) -> bool:
    """Validate a large data folder's tables afresh and store them in its cache; True if stored.

    The coding store calls this after it rewrites ``codings.csv`` and
    ``codebook.csv`` (a compaction, e.g. when a store is closed), so that the
    next :func:`load_project` of the folder finds a cache for the new bytes
    instead of validating every table again. The tables are validated exactly
    as :func:`load_project` validates them; nothing is cached for a folder
    below :data:`ebm_analysis.cache.MIN_BYTES`, with a problem, or whose cache
    already holds these bytes. Never raises for a data problem or an
    unreadable file: the next load reports it.

    Examples
    --------
    >>> refresh_cache(default_data_dir())   # the EBM data are too small to cache
    False
    """
    folder = Path(folder)
    try:
        contents, problems = _read_contents(folder, _folder_entries(folder))
        if problems or sum(map(len, contents.values())) < cache.MIN_BYTES:
            return False
        key = cache.cache_key(contents)
        if cache.holds_key(folder, key):
            return True
        frames, _ = _validated_frames(contents, [])
    except (DataError, OSError):   # best effort: the next load reads and reports
        return False
    return _cache_if_sound(folder, key, frames)[2]


def _load(folder: Path, entries: set[str]) -> Project:
    contents, problems = _read_contents(folder, entries)
    cacheable = not problems and sum(map(len, contents.values())) >= cache.MIN_BYTES
    key = cache.cache_key(contents) if cacheable else None
    cached = cache.read_cache(folder, key) if cacheable else None
    lines: dict[str, list[int]] | None = None          # file lines of the rows (not kept in the cache)
    spans_checked = True                # a cache is written only for tables whose span codings were checked
    if cached is not None and set(cached.frames) == set(contents):
        frames, digests = cached
    else:
        frames, lines = _validated_frames(contents, problems)
        spans_checked, digests, _ = _cache_if_sound(folder, key if cacheable else None, frames)
    for table in TABLES:
        if table.name not in frames:
            frames[table.name] = _empty_frame(table)
    frames["survey_means"]["mean_value"] = pd.array(
        [float(_decimal(v)) for v in frames["survey_means"]["mean_printed"]], dtype="Float64")
    # ---- The coding store's hook (keep it the last step, on every path that returns a Project):
    # ---- apply the change log (changes.jsonl) written after the codings/codebook snapshot, check
    # ---- that span codings still cover their text, and set project.sequence. See ebm_analysis.changelog.
    return replay_pending(Project(folder, frames), lines, spans_checked=spans_checked, digests=digests)


def _cache_if_sound(folder: Path, key: str | None,
                    frames: dict[str, pd.DataFrame]) -> tuple[bool, dict[str, str], bool]:
    """Cache freshly validated tables under ``key`` (None: not cacheable) if every span coding covers its text.

    Returns whether the spans were all sound, the change log's digests of the
    tables (computed only for caching, else empty), and whether the cache was written.
    """
    from ebm_analysis.spans import segment_texts, span_problems

    sound = "codings" not in frames or not span_problems(frames["codings"], segment_texts(frames))
    if not sound or key is None:
        return sound, {}, False
    digests = snapshot_digests(frames)
    return sound, digests, cache.write_cache(folder, key, frames, digests)


def _validated_frames(contents: dict[str, bytes],
                      problems: list[Problem]) -> tuple[dict[str, pd.DataFrame], dict[str, list[int]]]:
    """Split, type and check every table (and each row's file line); raise one DataError with every problem."""
    frames: dict[str, pd.DataFrame] = {}
    lines: dict[str, list[int]] = {}
    for name, data in contents.items():
        table = TABLES_BY_NAME[name]
        rt, found = parse_table(data, table.file)
        if rt is not None and _foreign_header(table, rt):
            problems.extend(_check_header(table, rt))   # not this table: say so, and quote nothing more of it
            continue
        problems.extend(found)
        if rt is None:
            continue
        frame, frame_lines, found = _typed_frame(table, rt)
        problems.extend(found)
        if frame is not None:
            frames[name] = frame
            lines[name] = frame_lines
    problems.extend(_check_keys(frames, lines))
    problems.extend(_check_references(frames, lines))
    problems.extend(_check_extra(frames, lines))
    if problems:
        raise DataError(problems)
    return frames, lines


# ---------------------------------------------------------------- the folder

def _folder_entries(folder: Path) -> set[str]:
    """The names in the data folder (exact, as stored), or a DataError saying why there are none."""
    shown = printable(str(folder), 300)
    if not folder.is_dir():
        found = "a file, not a folder" if folder.exists() else "no such folder"
        raise DataError(Problem(shown, None, None, found,
                                "expected the path of a data folder holding meetings.csv, participants.csv, ..."))
    try:
        return set(os.listdir(folder))
    except OSError as exc:
        raise DataError(Problem(shown, None, None, f"a folder that cannot be listed ({exc.strerror})",
                                "give your user read and execute permission on the data folder")) from None


def _missing_file(table: Table, entries: set[str]):
    """A missing table file: a problem if it is required or if a near-miss name suggests a mistake."""
    near = near_misses(table.file, entries)
    if near:
        names = " or ".join(printable(n, 80) for n in near[:3])
        yield Problem(table.file, None, None, f"no file named exactly {table.file}, but {names}",
                      f"rename it to {table.file} (names must match exactly, in lower case); "
                      "if it is an old copy, move it out of the data folder")
    elif not table.optional:
        yield Problem(table.file, None, None, "no such file",
                      f"expected {table.file} ({table.description}) in the data folder")


_COPY_MARKS = re.compile(r"(\s*\(\d+\)|\s*-?\s*(copy|kopia)(\s*\d+)?|[ _-]\d+|\.(txt|tsv|xlsx?|ods))+$",
                         re.IGNORECASE)


_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".ods")
_TABLE_FILES = frozenset(t.file for t in TABLES)


def near_misses(name: str, entries) -> list[str]:
    """Names in ``entries`` that look like ``name`` saved wrongly (case, copy marks, extension).

    Examples
    --------
    >>> near_misses("codings.csv", ["Codings.CSV", "codings (1).csv", "codebook.csv", "notes.txt"])
    ['Codings.CSV', 'codings (1).csv']
    """
    stem = Path(name).stem.lower()

    def looks_alike(entry: str) -> bool:
        if entry == name or entry.startswith(".") or entry in _TABLE_FILES:
            return False
        base = entry.lower()
        while base.endswith(_SUFFIXES):
            base = base[: base.rindex(".")]
        base = _COPY_MARKS.sub("", base).strip()
        return base == stem or difflib.SequenceMatcher(None, base, stem).ratio() >= 0.9
    return sorted(e for e in entries if looks_alike(e))


# ---------------------------------------------------------------- values

def _empty_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in table.columns})


def _typed_frame(table: Table, rt: RawTable) -> tuple[pd.DataFrame | None, list[int], list[Problem]]:
    """The table's typed frame and each row's line, or the problems of its values (checked by column)."""
    problems = _check_header(table, rt)
    if problems:
        return None, [], problems
    width = len(rt.header)
    cells, lines = rt.cells, rt.lines
    if set(map(len, cells)) - {width}:                       # other rows are already reported
        kept = [i for i, rec in enumerate(cells) if len(rec) == width]
        cells, lines = [cells[i] for i in kept], [lines[i] for i in kept]
    columns = list(zip(*cells)) if cells else [()] * width
    index = {name: i for i, name in enumerate(rt.header)}
    arrays = {}
    for col in table.columns:
        if col.name not in index:                            # an optional column (may_be_absent) left out
            values = [""] * len(lines)
        else:
            values = list(map(str.strip, columns[index[col.name]]))
        arrays[col.name], found = _convert_column(col, values, table.file, lines)
        problems.extend(found)
    if problems:
        return None, lines, problems
    return pd.DataFrame(arrays), lines, []


def _foreign_header(table: Table, rt: RawTable) -> bool:
    return not set(table.column_names) & set(rt.header)


def _check_header(table: Table, rt: RawTable) -> list[Problem]:
    expected = table.column_names
    if _foreign_header(table, rt):
        return [Problem(table.file, 1, None,
                        f"a first line that is not the header of this table ({excerpt(','.join(rt.header), 40)})",
                        f"expected the columns {', '.join(expected)}; is this the right file?")]
    problems = []
    for name in expected:
        if name not in rt.header and not table.column(name).may_be_absent:
            problems.append(Problem(table.file, 1, name, "no such column in the header",
                                    f"expected the columns {', '.join(expected)}"))
    seen: set[str] = set()
    for i, name in enumerate(rt.header):
        if name not in expected:
            shown = f"an extra column {excerpt(name, 40)}" if name else "an extra column with an empty name"
            problems.append(Problem(table.file, 1, printable(name, 40) or f"#{i + 1}", shown,
                                    f"remove it or rename it to one of {', '.join(expected)}"))
        elif name in seen:
            problems.append(Problem(table.file, 1, name, "the column twice", "keep one column of each name"))
        seen.add(name)
    return problems


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.ASCII)


def _convert_column(col: Column, values: list[str], file: str, lines: list[int]):
    """A pandas array of ``col``'s dtype from stripped cell texts, and the problems of the cells.

    Empty cells become missing values. Each check runs over the whole column
    at once; the per-cell loop that writes the messages runs only over the
    cells that failed.
    """
    problems: list[Problem] = []

    def problem(i: int, found: str, expected: str) -> None:
        problems.append(Problem(file, lines[i], col.name, found, expected))

    cells = np.array(values, dtype=object) if "" in values or col.kind == "int" else None
    empty = cells == "" if cells is not None and len(values) else np.zeros(len(values), dtype=bool)
    if col.required and empty.any():
        for i in np.flatnonzero(empty):
            problem(i, "an empty cell", f"this column needs a value ({col.description or col.kind})")
    if col.kind == "int":
        return _int_column(col, values, cells, empty, problem), problems
    if col.kind == "decimal_text":
        for i, v in enumerate(values):
            if v:
                number = _decimal(v)
                if number is None:
                    problem(i, excerpt(v), "expected a number such as 3,14 or 3.14")
                elif col.bounds and not col.bounds[0] <= number <= col.bounds[1]:
                    problem(i, excerpt(v), f"expected a value on the {col.bounds[0]}–{col.bounds[1]} scale")
    if col.kind == "choice":
        allowed = set(col.choices or ()) | {""}
        if not set(values) <= allowed:
            for i, v in enumerate(values):
                if v not in allowed:
                    problem(i, excerpt(v), f"expected one of: {', '.join(col.choices or ())}")
    if col.kind == "color":
        rx = _compiled(r"#[0-9A-Fa-f]{6}")
        for i, v in enumerate(values):
            if v and not rx.fullmatch(v):
                problem(i, excerpt(v), "expected a colour as #RRGGBB, e.g. #1f77b4")
    if col.pattern:
        match = _compiled(col.pattern).fullmatch
        if not all(map(match, (v for v in values if v))):
            for i, v in enumerate(values):
                if v and not match(v):
                    problem(i, excerpt(v), f"expected {col.description or 'an id of the form ' + col.pattern}")
    if cells is None:                      # no empty cell: the list itself becomes the array
        return pd.array(values, dtype=col.dtype), problems
    cells[empty] = None
    return pd.array(cells, dtype=col.dtype), problems


_INT = re.compile(r"-?\d{1,18}", re.ASCII)


def _int_column(col: Column, values: list[str], cells: np.ndarray, empty: np.ndarray,
                problem) -> pd.api.extensions.ExtensionArray:
    joined = "".join(values)
    if joined.isascii() and (joined.isdigit() or not joined) and max(map(len, values), default=0) <= 18:
        bad = np.zeros(len(values), dtype=bool)
    else:
        bad = np.fromiter((bool(v) and not _INT.fullmatch(v) for v in values), dtype=bool, count=len(values))
    expected = f"expected a whole number{_bounds_text(col)}"
    for i in np.flatnonzero(bad):
        problem(i, excerpt(values[i]), expected)
    cells[empty | bad] = "0"
    numbers = cells.astype(np.int64)
    if col.bounds:
        outside = ~(empty | bad) & ((numbers < col.bounds[0]) | (numbers > col.bounds[1]))
        for i in np.flatnonzero(outside):
            problem(i, f"{numbers[i]}", expected)
    return pd.arrays.IntegerArray(numbers, empty | bad)


def _bounds_text(col: Column) -> str:
    return f" from {col.bounds[0]} to {col.bounds[1]}" if col.bounds else ""


def _decimal(text: str) -> Fraction | None:
    """Read '3,14', '3.14' or '4' exactly; None if it is not a number."""
    if not re.fullmatch(r"-?\d+([.,]\d+)?", text.strip(), re.ASCII):
        return None
    return Fraction(text.strip().replace(",", "."))


# ---------------------------------------------------------------- tables

def _key_tuples(frame: pd.DataFrame, columns) -> list:
    lists = [frame[c].tolist() for c in columns]
    return lists[0] if len(lists) == 1 else list(zip(*lists))


def _check_keys(frames, lines):
    for name, frame in frames.items():
        table = TABLES_BY_NAME[name]
        keys = _key_tuples(frame, table.key)
        if len(set(keys)) == len(keys):
            continue
        seen: dict = {}
        for i, key in enumerate(keys):
            line = lines[name][i]
            if key in seen:
                shown = ", ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
                yield Problem(table.file, line, ", ".join(table.key),
                              f"the id {excerpt(shown)} again (first on line {seen[key]})",
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
            known = set(frames[target][target_col].dropna().tolist())
            values = frame[col.name].tolist()
            present = set(values)
            present.discard(None)
            present.discard(pd.NA)
            if present <= known:
                continue
            target_file = TABLES_BY_NAME[target].file
            for i, value in enumerate(values):
                if value is not None and value is not pd.NA and value not in known:
                    yield Problem(table.file, lines[name][i], col.name,
                                  f"{excerpt(value)}, which {target_file} does not list",
                                  f"expected one of the {target_col} values in {target_file} "
                                  f"({shorten(sorted(known, key=str))})")


def _check_extra(frames, lines):
    for name, frame in frames.items():
        table = TABLES_BY_NAME[name]
        for check in table.extra_checks:
            yield from CHECKS[check](table, frame, lines[name], frames)


def _basis_matches_status(table, frame, lines, frames):
    for i, (status, basis) in enumerate(zip(frame["status"].tolist(), frame["basis"].isna().tolist())):
        if status != "unknown" and basis:
            yield Problem(table.file, lines[i], "basis", "an empty cell",
                          f"status '{status}' needs a basis: reported or inferred")
        if status == "unknown" and not basis:
            yield Problem(table.file, lines[i], "basis", excerpt(frame["basis"].iloc[i]),
                          "leave basis empty when status is unknown")


def _every_person_and_meeting(table, frame, lines, frames):
    """attendance.csv, once it has rows, must have one for every participant at every meeting.

    An attendance table with no rows means the project records no attendance
    (e.g. one imported from another QDA tool); that is allowed.
    """
    if frame.empty or "participants" not in frames or "meetings" not in frames:
        return
    have = set(zip(frame["participant_id"].tolist(), frame["meeting"].tolist()))
    meetings = frames["meetings"]["meeting"].tolist()
    for person in frames["participants"]["participant_id"].tolist():
        missing = [int(m) for m in meetings if (person, m) not in have]
        if missing:
            yield Problem(table.file, None, "participant_id, meeting",
                          f"no row for {person} at meeting{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(map(str, missing))}",
                          "add one row per participant and meeting; where the report says nothing, "
                          "write status 'unknown' with an empty basis")


def _min_le_max(table, frame, lines, frames):
    for i, (low, high) in enumerate(zip(frame["present_min"].tolist(), frame["present_max"].tolist())):
        if low > high:
            yield Problem(table.file, lines[i], "present_min", f"{low} > present_max {high}",
                          "expected present_min <= present_max")


def _n_range(table, frame, lines, frames):
    for i, (low, likely, high) in enumerate(zip(*(frame[c].tolist() for c in ("n_min", "n_likely", "n_max")))):
        if not low <= likely <= high:
            yield Problem(table.file, lines[i], "n_likely", f"{likely} outside n_min..n_max ({low}..{high})",
                          "expected n_min <= n_likely <= n_max")


def _no_cycles(table, frame, lines, frames):
    """The code tree has no cycle; one walk over the tree, iterative, linear in the number of codes."""
    codes = frame["code_id"].tolist()
    parent = {c: p for c, p in zip(codes, frame["parent_id"].tolist()) if p is not None and p is not pd.NA}
    row = {c: i for i, c in enumerate(codes)}
    state: dict[str, int] = {}          # 1: on the path being walked, 2: known to reach a root
    for code in codes:
        path = []
        node = code
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state[node] == 1:      # walked back onto this path: a cycle
            first = path.index(node)
            for member in path[first:]:
                yield Problem(table.file, lines[row[member]], "parent_id",
                              f"{excerpt(parent[member])}, which makes a cycle back to {excerpt(member)}",
                              "expected a tree: a code cannot be its own ancestor")
        for member in path:
            state[member] = 2


def _segment_lengths(frames) -> dict[str, int]:
    """Length of each segment's ``text_sv``, by segment id."""
    lengths: dict[str, int] = {}
    for name, key in (("excerpts", "excerpt_id"), ("observations", "note_id")):
        if name in frames:
            lengths.update(zip(frames[name][key].tolist(), map(len, frames[name]["text_sv"].tolist())))
    return lengths


def _segment_exists(table, frame, lines, frames):
    known = set()
    for name, key in (("excerpts", "excerpt_id"), ("observations", "note_id")):
        if name in frames:
            known.update(frames[name][key].tolist())
    segments = frame["segment_id"].tolist()
    if set(segments) <= known:
        return
    for i, seg in enumerate(segments):
        if seg not in known:
            yield Problem(table.file, lines[i], "segment_id", f"{excerpt(seg)}, which is neither an excerpt_id nor a note_id",
                          "expected an id from excerpts.csv (E...) or observations.csv (O...)")


def _offsets_in_text(table, frame, lines, frames):
    lengths = _segment_lengths(frames)
    segments = frame["segment_id"].tolist()
    length = np.fromiter(map(lengths.get, segments, repeat(-1)), dtype=np.int64, count=len(segments))
    start_na, end_na = frame["start"].isna().to_numpy(), frame["end"].isna().to_numpy()
    start = frame["start"].to_numpy(dtype=np.int64, na_value=0)
    end = frame["end"].to_numpy(dtype=np.int64, na_value=0)
    half = (start_na != end_na) & (length >= 0)
    outside = ~start_na & ~end_na & (length >= 0) & ~((0 <= start) & (start < end) & (end <= length))
    for i in np.flatnonzero(half | outside):
        if half[i]:
            yield Problem(table.file, lines[i], "start" if start_na[i] else "end", "an empty cell",
                          "give both start and end, or leave both empty to code the whole segment")
        else:
            yield Problem(table.file, lines[i], "end", f"start {start[i]}, end {end[i]}",
                          f"expected 0 <= start < end <= {length[i]} (the length of {segments[i]}'s text_sv)")


def _no_duplicate_codings(table, frame, lines, frames):
    """The same code on the same span of a segment by the same coder is listed once."""
    keys = list(zip(*(frame[c].tolist() for c in ("segment_id", "code_id", "coder")),
                    *(frame[c].fillna(-1).tolist() for c in ("start", "end"))))
    if len(set(keys)) == len(keys):
        return
    first: dict[tuple, int] = {}
    ids = frame["coding_id"].tolist()
    for i, key in enumerate(keys):
        if key in first:
            j = first[key]
            span = "the whole segment" if key[3] < 0 else f"characters {key[3]}–{key[4]}"
            yield Problem(table.file, lines[i], "coding_id",
                          f"{excerpt(ids[i])}, the same coding as {excerpt(ids[j])} on line {lines[j]} "
                          f"({key[1]} on {span} of {key[0]} by {key[2]})",
                          "expected each coding once; delete one of the two rows")
        else:
            first[key] = i


CHECKS = {
    "basis_matches_status": _basis_matches_status,
    "every_person_and_meeting": _every_person_and_meeting,
    "min_le_max": _min_le_max,
    "n_range": _n_range,
    "no_cycles": _no_cycles,
    "segment_exists": _segment_exists,
    "offsets_in_text": _offsets_in_text,
    # attendance.csv against participants.csv, and attendance_counts.csv against attendance.csv
    "membership_statuses": check_membership_statuses,
    "counts_match_statuses": check_counts_match_statuses,
    "no_duplicate_codings": _no_duplicate_codings,
    # survey_items.csv scales, and survey_responses.csv against them (ebm_analysis.survey_answers)
    "item_scales": check_item_scales,
    "answers_on_item_scale": check_answers_on_item_scale,
    "one_group_per_respondent": check_one_group_per_respondent,
}
