"""Fuzzing load_project: generated broken data folders give a DataError naming a file, or a correct load.

Each case copies the bundled EBM data and breaks it in one to three ways drawn
by a seeded generator (so every case is reproducible from its number): cut or
spliced bytes, control characters, other encodings and delimiters, deleted,
renamed and duplicated files, folders, named pipes, symbolic and hard links in
and out of the folder, a sparse file larger than the size limit, and random
values in random cells. Every case must end within 5 seconds (a guard against
hangs, not a timing assertion) with either

- a DataError whose every problem names a table file, with a readable
  message (no control characters, no line longer than a few hundred
  characters), or
- a project whose every column has its documented dtype.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import signal
from pathlib import Path

import pytest

from conftest import DATA
from ebm_analysis import DataError, load_project
from ebm_analysis.reading import MAX_FILE_BYTES
from ebm_analysis.schema import TABLES

CASES = 240
TIME_LIMIT = 5.0
TABLE_FILES = [t.file for t in TABLES if (DATA / t.file).exists()]
CELL_VALUES = ["", " ", "x", "-1", "0", "9" * 30, "2015-13", "E999", "K0001", "'=1+1", "=cmd|' /C calc'!A0",
               "ett\x00två", "\x1b[31m", "å" * 5, "\ufeffBOM", '"', '""', "a,b;c", "\r", "1.5", "3,14", "SS1",
               "present", "x" * 200_000, "\u202e", "null", "NaN"]
BYTES = [b'"', b",", b";", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\t", b'"' * 3,
         b"\xe2\x80", b"sep=;\n"]


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.txt").write_text("SECRET-should-never-be-read\n", encoding="utf-8")
    return folder


class _Unreadable(Exception):
    pass


def _rows(path: Path):
    """The rows of a file an earlier mutation may already have broken (then the mutation changes)."""
    if path.stat().st_size > MAX_FILE_BYTES:     # made huge by an earlier mutation: not read
        raise _Unreadable
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _Unreadable from exc
    if not rows or not rows[0]:
        raise _Unreadable
    return rows


def _write(path: Path, rows, delimiter=",", newline="\n", encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _replace_with(path: Path, make) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    make(path)


def mutate(folder: Path, rng: random.Random, outside: Path) -> str:
    """Break one thing in ``folder``; return what was done (for the failure message)."""
    try:
        return _mutate(folder, rng, outside)
    except _Unreadable:
        file = rng.choice(TABLE_FILES)
        _replace_with(folder / file, lambda p: p.write_bytes(b"\x00" * rng.randint(0, 9)))
        return f"nul bytes {file}"


def _mutate(folder: Path, rng: random.Random, outside: Path) -> str:
    file = rng.choice(TABLE_FILES)
    path = folder / file
    kind = rng.choice(["cut", "splice", "drop_bytes", "delete", "rename", "folder", "fifo", "symlink",
                       "hardlink", "cell", "cell", "cell", "row_twice", "row_dropped", "header", "encoding",
                       "empty", "sparse_huge"])
    # a file an earlier mutation made huge (sparse, over the size limit) is not read again: 1 GB of reading
    regular = path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_FILE_BYTES
    if kind in ("cut", "splice", "drop_bytes", "cell", "row_twice", "row_dropped", "header", "encoding") \
            and not regular:
        kind = "delete"
    if kind == "cut":
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data) + 1)])
    elif kind == "splice":
        data = path.read_bytes()
        at = rng.randrange(len(data) + 1)
        path.write_bytes(data[:at] + rng.choice(BYTES) * rng.randint(1, 3) + data[at:])
    elif kind == "drop_bytes":
        data = path.read_bytes()
        at = rng.randrange(len(data) + 1)
        path.write_bytes(data[:at] + data[at + rng.randint(1, 200):])
    elif kind == "delete":
        _replace_with(path, lambda p: None)
    elif kind == "rename":
        if os.path.lexists(path):
            os.rename(path, folder / rng.choice([file.capitalize(), file.replace(".csv", " (1).csv"),
                                                 file.upper(), file + ".txt"]))
    elif kind == "folder":
        _replace_with(path, lambda p: p.mkdir())
    elif kind == "fifo":
        _replace_with(path, os.mkfifo)
    elif kind == "symlink":
        target = rng.choice([str(outside / "secret.txt"), str(folder / "gone.csv"), "/dev/zero", "/etc/passwd",
                             rng.choice(TABLE_FILES), str(outside)])
        _replace_with(path, lambda p: os.symlink(target, p))
        kind += f" -> {target}"
    elif kind == "hardlink":
        if regular:
            os.link(path, outside / f"link-{rng.randrange(10**9)}")
    elif kind == "cell":
        rows = _rows(path)
        if len(rows) > 1:
            r, c = rng.randrange(1, len(rows)), rng.randrange(len(rows[0]))
            value = rng.choice(CELL_VALUES)
            rows[r][c] = value
            kind += f" {rows[0][c]}={value[:20]!r}"
        _write(path, rows)
    elif kind == "row_twice":
        rows = _rows(path)
        rows.insert(rng.randrange(1, len(rows) + 1), list(rng.choice(rows)))
        _write(path, rows)
    elif kind == "row_dropped":
        rows = _rows(path)
        if len(rows) > 1:
            rows.pop(rng.randrange(1, len(rows)))
        _write(path, rows)
    elif kind == "header":
        rows = _rows(path)
        i, j = rng.randrange(len(rows[0])), rng.randrange(len(rows[0]))
        change = rng.choice(["swap", "drop", "add", "rename"])
        if change == "swap":
            rows[0][i], rows[0][j] = rows[0][j], rows[0][i]
        elif change == "drop":
            for row in rows:
                if i < len(row):
                    del row[i]
        elif change == "add":
            for row in rows:
                row.append("extra")
        else:
            rows[0][i] = rows[0][i].upper()
        kind += f" {change}"
    elif kind == "encoding":
        rows = _rows(path)
        how = rng.choice(["utf-16", "utf-16-le", "cp1252", "utf-8-sig", "crlf", "semicolon", "tab", "sep"])
        if how == "sep":
            path.write_bytes(b"sep=;\r\n" + path.read_bytes())
        elif how in ("crlf", "semicolon", "tab"):
            _write(path, rows, delimiter={"crlf": ",", "semicolon": ";", "tab": "\t"}[how],
                   newline="\r\n" if how == "crlf" else "\n")
        else:
            _write(path, rows, encoding=how if how != "cp1252" else "cp1252",
                   delimiter=",") if how != "cp1252" else path.write_bytes(
                path.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
        kind += f" {how}"
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "sparse_huge":
        _replace_with(path, lambda p: p.touch())
        with path.open("r+b") as f:
            f.truncate(MAX_FILE_BYTES + 1)
    return f"{kind} {file}"


class _TimeLimit(Exception):
    pass


def _load_within(folder: Path, seconds: float):
    def stop(*_):
        raise _TimeLimit(f"load_project took more than {seconds} s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return load_project(folder)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("case", range(CASES))
def test_broken_folder_gives_a_data_error_naming_a_file_or_a_correct_load(case, tmp_path, outside):
    rng = random.Random(f"ebm-fuzz-{case}")
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.bak", ".versions", ".cache"))
    done = [mutate(folder, rng, outside) for _ in range(rng.randint(1, 3))]
    try:
        project = _load_within(folder, TIME_LIMIT)
    except DataError as err:
        assert err.problems, done
        for p in err.problems:
            assert p.file in TABLE_FILES, (done, str(p))
        message = str(err)
        assert "SECRET" not in message and "root:" not in message, done
        for line in message.splitlines():
            assert line.isprintable() and len(line) < 1200, (done, line[:200])
        return
    except _TimeLimit:
        pytest.fail(f"case {case} ({'; '.join(done)}): load_project did not finish within {TIME_LIMIT} s")
    for table in TABLES:
        frame = project.tables[table.name]
        assert [str(frame[c.name].dtype) for c in table.columns] == [c.dtype for c in table.columns], done
