"""The command line, run as a user runs it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
import sys

from conftest import ROOT, set_cell


def run(*args):
    return subprocess.run([sys.executable, "-m", "ebm_analysis", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def test_check_bundled_data_prints_counts_and_exits_0():
    out = run("check")
    assert out.returncode == 0, out.stderr
    assert "all tables valid" in out.stdout
    assert re.search(r"meetings\s+meetings\.csv\s+8\n", out.stdout)


def test_check_reports_every_problem_and_exits_nonzero(data_copy, edit_table):
    edit_table(data_copy, "attendance.csv", lambda rows: set_cell(rows, 0, "meeting", "11"))
    edit_table(data_copy, "advice.csv", lambda rows: set_cell(rows, 0, "meeting", "x"))
    out = run("check", data_copy)
    assert out.returncode == 1
    assert "attendance.csv, line 2, column 'meeting': found 11" in out.stderr
    assert "advice.csv, line 2, column 'meeting': found 'x'" in out.stderr


def test_check_warns_about_identifiers(data_copy, edit_table):
    edit_table(data_copy, "observations.csv", lambda rows: set_cell(rows, 0, "text_en", "mail: x@y.se"))
    out = run("check", data_copy)
    assert out.returncode == 0
    assert "observations.csv, line 2, column 'text_en': email 'x@y.se'" in out.stdout


def test_installed_script_runs():
    script = Path(sys.executable).parent / "ebm-analysis"
    out = subprocess.run([str(script), "check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
