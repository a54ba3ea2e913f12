"""Reading table files that are not what they should be: links, pipes, devices, encodings, cut files."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, read_rows, set_cell, write_rows
from ebm_analysis import DataError, load_project
from ebm_analysis.atomic import frame_to_csv_text
from ebm_analysis.reading import (FIELD_LIMIT, escape_formula, file_kind, formula_cells, parse_table,
                                  read_raw_table, unescape_formula)

SECRET = "TOKEN-5f3a9c1e-do-not-print"


def problems_of(folder):
    with pytest.raises(DataError) as info:
        load_project(folder)
    return info.value.problems


def problem_for(problems, file):
    hits = [p for p in problems if p.file == file]
    assert hits, f"no problem for {file}; got: " + "; ".join(map(str, problems))
    return hits[0]


def run_check(folder, timeout=60):
    return subprocess.run([sys.executable, "-m", "ebm_analysis", "check", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------------------------ long cells (#18.1)

@pytest.mark.parametrize("length", [140_000, 1_500_000])
def test_long_cells_load_and_round_trip(data_copy, edit_table, length):
    """A 140,000-character memo and a ~1.5 MB transcript load (over Python's default 131,072)."""
    words = "ord " * (length // 4)
    edit_table(data_copy, "excerpts.csv", lambda rows: set_cell(rows, 0, "text_sv", words.strip()))
    edit_table(data_copy, "codings.csv", lambda rows: set_cell(rows, 0, "memo", "m" * length))
    project = load_project(data_copy)
    assert len(project.excerpts.loc[0, "text_sv"]) == len(words.strip())
    assert project.codings.loc[0, "memo"] == "m" * length
    (data_copy / "codings.csv").write_text(frame_to_csv_text(project.codings), encoding="utf-8")
    assert load_project(data_copy).codings.loc[0, "memo"] == "m" * length


def test_cell_over_the_limit_is_refused_by_name(data_copy, edit_table):
    edit_table(data_copy, "codings.csv", lambda rows: set_cell(rows, 3, "memo", "x" * (FIELD_LIMIT + 1)))
    p = problem_for(problems_of(data_copy), "codings.csv")
    assert p.line == 5 and f"{FIELD_LIMIT:,}" in p.found
    assert len(str(p)) < 400


def test_writer_refuses_a_cell_over_the_limit_before_writing():
    frame = pd.DataFrame({"memo": ["kort", "x" * (FIELD_LIMIT + 1)]})
    with pytest.raises(DataError) as info:
        frame_to_csv_text(frame, "codings.csv")
    p = info.value.problems[0]
    assert (p.file, p.line, p.column) == ("codings.csv", 3, "memo")


def test_every_table_reader_honours_the_limit(tmp_path):
    """read_raw_table is what load_project, the dictionary and the identifier scan use."""
    path = tmp_path / "dictionary.csv"
    path.write_text(f"code_id,keyword,note\nstress,stress*,{'n' * 200_000}\n", encoding="utf-8")
    rt, problems = read_raw_table(path)
    assert problems == [] and len(rt.cells[0][2]) == 200_000


# ------------------------------------------------------------------ files that are not plain files

def test_symlink_out_of_the_folder_is_refused_and_never_read(data_copy, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (data_copy / "excerpts.csv").unlink()
    os.symlink(outside, data_copy / "excerpts.csv")
    p = problem_for(problems_of(data_copy), "excerpts.csv")
    assert "symbolic link" in p.found and str(outside) in p.found and "outside the data folder" in p.found
    out = run_check(data_copy)
    assert out.returncode == 1
    assert SECRET not in out.stdout + out.stderr and "root:x:0" not in out.stdout + out.stderr
    assert str(outside) in out.stderr


def test_link_to_etc_passwd_prints_no_line_of_it(data_copy):
    (data_copy / "participants.csv").unlink()
    os.symlink("/etc/passwd", data_copy / "participants.csv")
    out = run_check(data_copy)
    assert out.returncode == 1 and "/etc/passwd" in out.stderr
    assert "root:" not in out.stdout + out.stderr


def test_dangling_symlink_is_named(data_copy):
    (data_copy / "codings.csv").unlink()
    os.symlink(data_copy / "gone.csv", data_copy / "codings.csv")
    p = problem_for(problems_of(data_copy), "codings.csv")
    assert "dangling" in p.found and "gone.csv" in p.found


def test_symlink_inside_the_folder_is_followed(data_copy):
    (data_copy / "advice.csv").rename(data_copy / "advice-2016.csv")
    os.symlink("advice-2016.csv", data_copy / "advice.csv")
    assert len(load_project(data_copy).advice) == 32


def test_hard_link_to_a_file_outside_is_refused(data_copy, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    os.link(data_copy / "contract.csv", outside)
    p = problem_for(problems_of(data_copy), "contract.csv")
    assert "hard link" in p.found and "outside the data folder" in p.found


def test_directory_as_a_table(data_copy):
    (data_copy / "codings.csv").unlink()
    (data_copy / "codings.csv").mkdir()
    assert problem_for(problems_of(data_copy), "codings.csv").found == "a folder, not a file"


def test_named_pipe_never_hangs(data_copy):
    """A FIFO is refused from its metadata; checked in a child process so that a hang would fail, not block."""
    (data_copy / "codebook.csv").unlink()
    os.mkfifo(data_copy / "codebook.csv")
    out = run_check(data_copy, timeout=60)
    assert out.returncode == 1
    assert "codebook.csv: found a named pipe (FIFO), not a file" in out.stderr


def test_symlink_to_dev_zero_never_hangs(data_copy):
    (data_copy / "codings.csv").unlink()
    os.symlink("/dev/zero", data_copy / "codings.csv")
    out = run_check(data_copy, timeout=60)
    assert out.returncode == 1 and "/dev/zero" in out.stderr


def test_device_file_inside_the_folder(data_copy):
    (data_copy / "codings.csv").unlink()
    try:
        os.mknod(data_copy / "codings.csv", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # like /dev/zero
    except PermissionError:
        pytest.skip("creating a device file needs root (CAP_MKNOD); file_kind is tested without it")
    assert problem_for(problems_of(data_copy), "codings.csv").found == "a character device, not a file"


def test_file_kind_names_every_kind():
    assert file_kind(stat.S_IFDIR) == "a folder, not a file"
    assert file_kind(stat.S_IFCHR) == "a character device, not a file"
    assert file_kind(stat.S_IFBLK) == "a block device, not a file"
    assert file_kind(stat.S_IFSOCK) == "a socket, not a file"
    assert file_kind(stat.S_IFREG) is None


def test_unreadable_file(data_copy, monkeypatch):
    path = data_copy / "meetings.csv"
    path.chmod(0)
    if os.access(path, os.R_OK):   # root reads anything: make the open fail as it would for a user
        real_open = os.open

        def refuse(p, flags, *args, **kwargs):
            if os.fspath(p) == os.path.realpath(path):
                raise PermissionError(13, "Permission denied", os.fspath(p))
            return real_open(p, flags, *args, **kwargs)
        monkeypatch.setattr(os, "open", refuse)
    p = problem_for(problems_of(data_copy), "meetings.csv")
    assert "permission denied" in p.found and "chmod" in p.expected


# ------------------------------------------------------------------ encodings, delimiters, cut files

def test_utf16_is_named(data_copy):
    path = data_copy / "advice.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    p = problem_for(problems_of(data_copy), "advice.csv")
    assert "UTF-16" in p.found and "Windows-1252" not in str(p)


def test_utf16_without_bom_is_named(data_copy):
    path = data_copy / "advice.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    assert "UTF-16" in problem_for(problems_of(data_copy), "advice.csv").found


def test_tab_separated_file_is_named(data_copy):
    path = data_copy / "contract.csv"
    write_rows(path, read_rows(path), delimiter="\t")
    p = problem_for(problems_of(data_copy), "contract.csv")
    assert "tab" in p.found and "quot" not in p.found


def test_excel_sep_line_is_named(data_copy):
    path = data_copy / "contract.csv"
    rows = read_rows(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("sep=;\r\n")
    with path.open("a", encoding="utf-8", newline="") as f:
        import csv
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(rows)
    p = problem_for(problems_of(data_copy), "contract.csv")
    assert p.line == 1 and "sep=;" in p.found and "delete this first line" in p.expected


def test_file_cut_inside_its_last_field(data_copy):
    path = data_copy / "codings.csv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 7])
    p = problem_for(problems_of(data_copy), "codings.csv")
    assert "without a line break" in p.found and p.line == data.count(b"\n")
    assert "cut short" in p.expected


def test_file_cut_inside_a_quoted_text(data_copy):
    path = data_copy / "observations.csv"
    text = path.read_text(encoding="utf-8")
    cut = text.rindex('"', 0, len(text) - 2) - 20   # inside the last quoted text
    path.write_text(text[:cut] + "\n", encoding="utf-8")
    p = problem_for(problems_of(data_copy), "observations.csv")
    assert "never ends" in p.found


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85"])
def test_control_characters_in_text_are_refused(data_copy, edit_table, char):
    line = []
    edit_table(data_copy, "excerpts.csv", lambda rows: line.append(set_cell(rows, 4, "text_en", f"ett{char}två")))
    p = problem_for(problems_of(data_copy), "excerpts.csv")
    assert (p.line, p.column) == (line[0], "text_en")
    assert char not in str(p) and "control character" in p.found


def test_tabs_and_line_breaks_are_text(data_copy, edit_table):
    edit_table(data_copy, "advice.csv", lambda rows: set_cell(rows, 0, "advice_en", "Trust\tyourself\nalways"))
    assert load_project(data_copy).advice.loc[0, "advice_en"] == "Trust\tyourself\nalways"


# ------------------------------------------------------------------ messages quote little

def test_a_foreign_file_is_quoted_only_in_a_short_excerpt(data_copy):
    """A regular file with other content: the message shows at most a short, escaped excerpt."""
    (data_copy / "excerpts.csv").write_text(
        "user;" + "x" * 500 + SECRET + "\n" + "\n".join(f"line{i};{SECRET}\x1b[2J" for i in range(300)) + "\n",
        encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_project(data_copy)
    message = str(info.value)
    assert SECRET not in message and "\x1b" not in message
    assert all(len(line) < 700 for line in message.splitlines())
    assert "is this the right file?" in message


def test_message_lists_at_most_fifty_problems_per_file(data_copy, edit_table):
    def break_all(rows):
        for i in range(len(rows) - 1):
            set_cell(rows, i, "status", "kanske")
    edit_table(data_copy, "attendance.csv", break_all)
    with pytest.raises(DataError) as info:
        load_project(data_copy)
    assert len(info.value.problems) >= 88
    message = str(info.value)
    assert message.count("attendance.csv, line") == 50 and "more problems in this file are not shown" in message


# ------------------------------------------------------------------ formula escaping

FORMULAS = ["=HYPERLINK(\"http://x\",\"klicka\")", "+46 70 123", "-ja", "@SUM(A1)", "'=redan", "''-två",
            "'citat'", "it's", "vanlig", ""]


@pytest.mark.parametrize("value", FORMULAS)
def test_escape_is_reversible(value):
    assert unescape_formula(escape_formula(value)) == value


def test_escape_is_reversible_for_random_texts():
    rng = random.Random(20151101)
    alphabet = "'=+-@\t\r a,\"\nå"
    for _ in range(5000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert unescape_formula(escape_formula(value)) == value, repr(value)


def test_written_files_are_escaped_and_read_back_exactly(tmp_path):
    rng = random.Random(7)
    values = FORMULAS[:-1] + ["".join(rng.choice("'=+-@ab\r\n,\"") for _ in range(rng.randint(1, 9))).strip() or "x"
                              for _ in range(300)]
    frame = pd.DataFrame({"id": [f"K{i}" for i in range(len(values))], "memo": pd.array(values, dtype="string")})
    text = frame_to_csv_text(frame)
    rt, problems = parse_table(text.encode("utf-8"), "t.csv")
    assert problems == []
    assert [c[1] for c in rt.cells] == values
    raw, _ = parse_table(text.encode("utf-8"), "t.csv", unescape=False)
    assert all(c[1][:1] not in "=+-@" for c in raw.cells)


def test_store_memo_with_formula_is_escaped_on_disk(data_copy):
    from ebm_analysis.coding import CodingStore

    store = CodingStore.open(data_copy)
    coding = store.codings["coding_id"].iloc[0]
    store.set_memo(coding, "=HYPERLINK(\"http://evil\",\"x\")")
    store.compact()  # the change is in the log until the snapshot codings.csv is rewritten
    assert "'=HYPERLINK" in (data_copy / "codings.csv").read_text(encoding="utf-8")
    assert formula_cells(data_copy) == []  # the bundled data has none
    again = load_project(data_copy).codings.set_index("coding_id")
    assert again.loc[coding, "memo"] == "=HYPERLINK(\"http://evil\",\"x\")"


def test_a_linked_folder_on_the_way_out_is_refused(data_copy, tmp_path):
    from ebm_analysis.reading import read_file_bytes

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "codings.0001.csv").write_text(f"memo\n{SECRET}\n", encoding="utf-8")
    (data_copy / ".versions").symlink_to(elsewhere)
    data, problems = read_file_bytes(data_copy / ".versions" / "codings.0001.csv", "codings.0001.csv", data_copy)
    assert data is None and "leads outside the data folder" in problems[0].found
    from ebm_analysis.privacy import scan_folder, scanned_files

    assert not any(f.startswith(".versions") for f in scanned_files(data_copy))
    assert scan_folder(data_copy).empty
