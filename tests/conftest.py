"""Shared fixtures: a scratch copy of the bundled data, and helpers to break it."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path
from typing import Callable

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


# ------------------------------------------------------------------ external files
#
# Some tests check the workbench against files that are not part of the project
# (their licences differ, or they are not ours to ship): real REFI-QDA projects
# written by other tools, and the text of the evaluation report. Each is looked
# for in the folder named by an environment variable, then in ../shared/ beside
# the repository (the development setup); when neither has it, the test is
# skipped with a reason that says what is missing and how to provide it.
# EBM_NO_SHARED=1 disables the ../shared/ fallback, so that a run can prove the
# suite passes in a fresh clone (tests/test_fresh_clone.py).

NO_SHARED_VARIABLE = "EBM_NO_SHARED"
SHARED = ROOT.parent / "shared"
REFI_SAMPLES_VARIABLE = "EBM_REFI_SAMPLES"
REFI_SAMPLE_FILES = ("nvivo_project.qdpx", "qc_demo.qdpx")


def external_file(variable: str, shared_folder: str, name: str, what: str) -> Path:
    """The external file ``name``, or skip the calling test saying how to provide it.

    Looks in the folder named by the environment variable ``variable``, then
    (unless ``EBM_NO_SHARED`` is set) in ``../shared/<shared_folder>/``.
    """
    places = []
    if os.environ.get(variable):
        places.append(Path(os.environ[variable]))
    if not os.environ.get(NO_SHARED_VARIABLE):
        places.append(SHARED / shared_folder)
    for folder in places:
        if (folder / name).is_file():
            return folder / name
    looked = ", ".join(str(p) for p in places) or f"nowhere: {variable} is unset and {NO_SHARED_VARIABLE} is set"
    pytest.skip(f"needs {name} ({what}), which is not part of the project: set {variable} to a folder "
                f"holding it, or put it in ../shared/{shared_folder}/ beside the repository (looked in: {looked})")


@pytest.fixture
def refi_sample() -> Callable[[str], Path]:
    """``refi_sample("qc_demo.qdpx")``: a REFI-QDA project written by another tool, or skip.

    The two samples (``nvivo_project.qdpx`` written by NVivo for Mac 15,
    ``qc_demo.qdpx`` written by the ``qc`` tool) come from the public repository
    cproctor/qualitative-coding, under its own licence; they are read from
    ``$EBM_REFI_SAMPLES`` or ``../shared/refi/samples``.
    """
    def find(name: str) -> Path:
        what = "a REFI-QDA project written by " + ("NVivo" if name.startswith("nvivo") else "the qc tool")
        return external_file(REFI_SAMPLES_VARIABLE, "refi/samples", name, what)

    return find


REPORT_TEXT_VARIABLE = "EBM_REPORT_TEXT"
EXTERNAL_FIXTURES = {"refi_sample", "report_sources"}


def report_texts() -> list[Path]:
    """The report's renderings: the files named by ``EBM_REPORT_TEXT`` (separated by
    ``os.pathsep``), else those in ``../shared/report/`` unless ``EBM_NO_SHARED`` is set."""
    from ebm_analysis.source_check import report_text_paths

    fallback = None if os.environ.get(NO_SHARED_VARIABLE) else SHARED / "report"
    return report_text_paths(fallback=fallback)


@pytest.fixture(scope="session")
def report_sources():
    """Every available rendering of the report, read; skips the test when there is none.

    The report (Petersson 2016, Helsingborgs stad) is the project's primary
    source but not part of it.
    """
    from ebm_analysis.source_check import read_source

    paths = report_texts()
    if not paths:
        pytest.skip("needs the text of the EBM evaluation report, which is not part of the project: set "
                    f"{REPORT_TEXT_VARIABLE} to its rendering(s) (paths separated by '{os.pathsep}'), or put them "
                    "in ../shared/report/ beside the repository")
    return [read_source(p) for p in paths]


#: The test files that take longest (4-45 s each, end to end: report builds, a browser, processes, notebooks),
#: longest first, as measured on 2026-12-03. ``make test`` runs the files on parallel workers (pytest-xdist,
#: ``--dist loadfile --no-loadscope-reorder``), each file whole on one worker, in this order: handing out the
#: long ones first keeps one worker from finishing a long file alone at the end. (Without
#: ``--no-loadscope-reorder`` xdist orders the files by their number of tests, which put the browser tests
#: and the new-project report, a few long tests each, last.) Order only: every test runs either way.
LONGEST_FIRST = ("test_report.py", "test_widgets_browser.py", "test_newproject.py", "test_coding_processes.py",
                 "test_cli.py", "test_cli_codebook.py", "test_coding.py", "test_survey_import.py",
                 "test_project_fuzz.py", "test_widgets.py", "test_widgets_codebook.py", "test_refi_archive.py",
                 "test_cache.py", "test_cli_store.py", "02_themes.ipynb", "test_coders.py", "test_refi_target.py",
                 "test_fresh_clone.py", "08_queries.ipynb", "test_importing.py", "04_attendance.ipynb",
                 "test_cli_interchange.py", "test_reading.py", "test_attendance.py", "test_survey.py",
                 "test_project.py", "test_refi_qualcoder.py", "05_interchange_and_agreement.ipynb",
                 "03_survey.ipynb", "06_coding_workbench.ipynb", "01_corpus.ipynb", "07_import_a_study.ipynb")


def pytest_collection_modifyitems(items):
    """Mark every test that uses an external file, so it can be run on its own (``-m external``);
    put the longest test files first (see :data:`LONGEST_FIRST`), keeping the order within each file."""
    for item in items:
        if EXTERNAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.external)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled EBM data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("*.bak", ".versions"))
    return target


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n",
               encoding: str = "utf-8") -> None:
    with path.open("w", newline="", encoding=encoding) as f:
        csv.writer(f, delimiter=delimiter, lineterminator=newline).writerows(rows)


@pytest.fixture
def edit_table() -> Callable[[Path, str, Callable[[list[list[str]]], None]], None]:
    """Edit one CSV file of a data folder in place: ``edit_table(folder, "meetings.csv", fn)``.

    ``fn`` receives the rows (header first) as lists of strings and mutates them.
    """

    def edit(folder: Path, file: str, fn: Callable[[list[list[str]]], None]) -> None:
        rows = read_rows(folder / file)
        fn(rows)
        write_rows(folder / file, rows)

    return edit


def set_cell(rows: list[list[str]], row_index: int, column: str, value: str) -> int:
    """Set a cell of data row ``row_index`` (0-based); return its line number in the file."""
    rows[row_index + 1][rows[0].index(column)] = value
    return row_index + 2


# ------------------------------------------------------------------ browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no browser download).

    ``make test`` installs Chromium (Debian package ``chromium``) when it is
    missing; without it these tests fail rather than skip.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# ------------------------------------------------------------------ small hand-built coded data (SYNTHETIC)

def coded(texts: dict[str, str], codebook: list[tuple[str, str | None]], codings: list[tuple],
          roles: dict[str, str] | None = None, meetings: dict[str, int | None] | None = None,
          english: dict[str, str] | None = None):
    """A SYNTHETIC :class:`~ebm_analysis.queries.CodedData` built by hand.

    ``codings`` rows are ``(coding_id, segment_id, code_id, start, end)``
    (``None, None`` = whole segment).
    """
    import pandas as pd

    from ebm_analysis.queries import CodedData

    ids = list(texts)
    roles, meetings, english = roles or {}, meetings or {}, english or {}
    seg = pd.DataFrame({
        "segment_id": pd.array(ids, dtype="string"), "kind": "excerpt",
        "source_type": pd.array(["interview"] * len(ids), dtype="string"),
        "speaker_role": pd.array([roles.get(i, "social_secretary") for i in ids], dtype="string"),
        "speaker_id": pd.array([None] * len(ids), dtype="string"),
        "meeting": pd.array([meetings.get(i) for i in ids], dtype="Int64"),
        "text_sv": pd.array([texts[i] for i in ids], dtype="string"),
        "text_en": pd.array([english.get(i, f"(English of {i})") for i in ids], dtype="string"),
    })
    book = pd.DataFrame({"code_id": [c for c, _ in codebook], "parent_id": [p for _, p in codebook]}, dtype="string")
    cod = pd.DataFrame({
        "coding_id": pd.array([r[0] for r in codings], dtype="string"),
        "segment_id": pd.array([r[1] for r in codings], dtype="string"),
        "code_id": pd.array([r[2] for r in codings], dtype="string"),
        "coder": pd.array(["R1"] * len(codings), dtype="string"),
        "start": pd.array([r[3] for r in codings], dtype="Int64"),
        "end": pd.array([r[4] for r in codings], dtype="Int64"),
        "memo": pd.array([None] * len(codings), dtype="string"),
    })
    return CodedData(seg, cod, book)


@pytest.fixture
def nested():
    """SYNTHETIC: codes three deep (a > a1 > a11), b, c (never used); spans at both ends of texts.

    S1 "Alfa beta gamma delta epsilon."  K1 a11 [0, 4) "Alfa"; K2 b [22, 30) "epsilon."
    S2 "Zeta eta theta."                 K3 a whole;            K4 b [5, 8) "eta"
    S3 "Iota kappa lambda my."           K5 a1 [0, 4) "Iota";   K6 b [5, 10) "kappa"
    S4 "Ny xi omikron."                  K7 b whole
    """
    return coded(
        {"S1": "Alfa beta gamma delta epsilon.", "S2": "Zeta eta theta.", "S3": "Iota kappa lambda my.",
         "S4": "Ny xi omikron."},
        [("a", None), ("a1", "a"), ("a11", "a1"), ("b", None), ("c", None)],
        [("K1", "S1", "a11", 0, 4), ("K2", "S1", "b", 22, 30), ("K3", "S2", "a", None, None),
         ("K4", "S2", "b", 5, 8), ("K5", "S3", "a1", 0, 4), ("K6", "S3", "b", 5, 10),
         ("K7", "S4", "b", None, None)],
        roles={"S2": "service_user_mentor", "S3": "observer", "S4": "unknown"},
        meetings={"S1": 1, "S2": 2, "S3": 1})


# ------------------------------------------------------------------ the coding store on disk

def rows_on_disk(folder: Path, table: str = "codings") -> dict[str, dict[str, str]]:
    """id -> row (as CSV strings) of ``codings`` or ``codebook`` as saved: the CSV file plus the
    change-log entries after its last snapshot entry.

    Written with csv and json only, independently of the library, for tests
    that check what a save left on disk. It assumes the snapshot files match
    the log's last snapshot entry (true unless a compaction was interrupted;
    tests of interruptions use load_project instead).
    """
    import json

    key = {"codings": "coding_id", "codebook": "code_id"}[table]
    out: dict[str, dict[str, str]] = {}
    if (folder / f"{table}.csv").exists():
        with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as f:
            out = {r[key]: {k: _unescape_formula(v) for k, v in r.items()} for r in csv.DictReader(f)}
    log = folder / "changes.jsonl"
    if log.exists():
        entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
        last = max((e["seq"] for e in entries if e["op"] == "snapshot"), default=0)
        for e in entries:
            if e["seq"] <= last or e["table"] != table:
                continue
            if e["op"] == "delete":
                del out[e["key"]]
            else:
                out[e["key"]] = {k: "" if v is None else str(v) for k, v in e["after"].items()}
    return out


def _unescape_formula(cell: str) -> str:
    """A CSV cell as written (one apostrophe before a spreadsheet formula prefix) back to the value."""
    import re

    return cell[1:] if re.match(r"'+[=+\-@\t\r]", cell) else cell


def codings_on_disk(folder: Path) -> dict[str, dict[str, str]]:
    """:func:`rows_on_disk` of the codings."""
    return rows_on_disk(folder, "codings")


def add_synthetic_excerpt(folder: Path, excerpt_id: str, text_sv: str, text_en: str, made_by: str) -> None:
    """Append one SYNTHETIC interview excerpt to ``folder``'s excerpts.csv, labelled so in its note."""
    with (folder / "excerpts.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    row = dict.fromkeys(header, "")
    row.update(excerpt_id=excerpt_id, source_type="interview", speaker_role="unknown", text_sv=text_sv,
               text_en=text_en, section=rows[1][header.index("section")],
               note=f"Synthetic: made by {made_by}, not from the report.")
    rows.append([row[h] for h in header])
    with (folder / "excerpts.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
