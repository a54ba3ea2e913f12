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


#: Set to any value to ignore ../shared/ beside the repository (as in a fresh clone).
NO_SHARED_FALLBACK = "EBM_NO_SHARED_FALLBACK"
SHARED_REPORT = ROOT.parent / "shared" / "report"


def report_texts() -> list[Path]:
    """The report's renderings: named by EBM_REPORT_TEXT, else ../shared/report/ if present.

    The report is not part of the project; tests that need it skip with a reason
    when it is not available (see README, "Tests that need files from outside").
    """
    from ebm_analysis.source_check import report_text_paths

    fallback = None if os.environ.get(NO_SHARED_FALLBACK) else SHARED_REPORT
    return report_text_paths(fallback=fallback)


@pytest.fixture(scope="session")
def report_sources():
    """Every available rendering of the report, read; skips the test when there is none."""
    from ebm_analysis.source_check import read_source

    paths = report_texts()
    if not paths:
        pytest.skip("the report text is not available: set EBM_REPORT_TEXT to its rendering(s) "
                    f"(paths separated by '{os.pathsep}'), or place them in ../shared/report/")
    return [read_source(p) for p in paths]


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
