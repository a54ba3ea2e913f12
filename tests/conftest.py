"""Shared fixtures: a scratch copy of the bundled data, and helpers to break it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Callable

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


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
            out = {r[key]: r for r in csv.DictReader(f)}
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


def codings_on_disk(folder: Path) -> dict[str, dict[str, str]]:
    """:func:`rows_on_disk` of the codings."""
    return rows_on_disk(folder, "codings")
