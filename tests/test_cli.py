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


def test_survey_json_has_the_documented_fields():
    import json

    out = run("survey", "--format", "json")
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    assert [i["item"] for i in items] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    s5 = items[4]
    assert {"item", "statement_sv", "groups", "joint", "verdict"} <= set(s5)
    assert [(g["group"], g["n"], g["mean_reported"]) for g in s5["groups"]] == [
        ("social_secretaries", 3, "3,33"), ("all_respondents", 7, "3,8")]
    assert set(s5["groups"][1]["grim"]) == {"half_up", "half_even", "truncate", "any"}
    assert s5["joint"]["any"] == 0 and "cannot both be right" in s5["verdict"]


def test_survey_table_and_bad_data(data_copy, edit_table):
    out = run("survey")
    assert out.returncode == 0 and "S5" in out.stdout and "3,8" in out.stdout
    edit_table(data_copy, "survey_means.csv", lambda rows: set_cell(rows, 0, "mean_printed", "fyra"))
    bad = run("survey", data_copy)
    assert bad.returncode == 1 and "survey_means.csv, line 2, column 'mean_printed'" in bad.stderr
