"""The command line, run as a user runs it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
import sys

import pytest

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


def test_survey_table_says_the_bundled_data_has_no_answers():
    out = run("survey")
    assert out.returncode == 0
    assert "No per-respondent answers in this data folder (survey_responses.csv has no rows)" in out.stdout


def test_survey_table_and_bad_data(data_copy, edit_table):
    out = run("survey")
    assert out.returncode == 0 and "S5" in out.stdout and "3,8" in out.stdout
    edit_table(data_copy, "survey_means.csv", lambda rows: set_cell(rows, 0, "mean_printed", "fyra"))
    bad = run("survey", data_copy)
    assert bad.returncode == 1 and "survey_means.csv, line 2, column 'mean_printed'" in bad.stderr


# ------------------------------------------------------------------ check trusts nothing (#10)

def test_check_refuses_a_folder_without_codings(data_copy):
    (data_copy / "codings.csv").rename(data_copy / "codings (1).csv")
    out = run("check", data_copy)
    assert out.returncode == 1 and "all tables valid" not in out.stdout
    assert "codings.csv: found no file named exactly codings.csv, but codings (1).csv" in out.stderr


def test_check_validates_the_dictionary(data_copy, edit_table):
    edit_table(data_copy, "dictionary.csv", lambda rows: set_cell(rows, 0, "code_id", "no_such_code"))
    out = run("check", data_copy)
    assert out.returncode == 1
    assert "dictionary.csv, line 2, column 'code_id': found 'no_such_code'" in out.stderr
    assert "dictionary.csv: " in run("check").stdout


def test_check_warns_about_formula_cells(data_copy, edit_table):
    edit_table(data_copy, "codings.csv", lambda rows: set_cell(rows, 0, "memo", "=HYPERLINK(\"http://x\")"))
    out = run("check", data_copy)
    assert out.returncode == 0
    assert "codings.csv, line 2, column 'memo': '=HYPERLINK(\"http://x\")'" in out.stdout
    assert "run as a formula" in out.stdout


def test_check_scans_imported_tables_and_history(data_copy):
    (data_copy / "refi_cases.csv").write_text("case_guid,name,description\ng1,Case,pnr 811218-9875\n",
                                             encoding="utf-8")
    out = run("check", data_copy)
    assert out.returncode == 0
    assert "refi_cases.csv, line 2, column 'description': possible personnummer '811218-9875'" in out.stdout


def test_check_never_tracebacks_on_a_folder_that_is_a_file(tmp_path):
    target = tmp_path / "data.csv"
    target.write_text("x\n", encoding="utf-8")
    out = run("check", target)
    assert out.returncode == 1 and "a file, not a folder" in out.stderr and "Traceback" not in out.stderr


# ------------------------------------------------------------------ exports never overwrite (#10.5)

def test_export_refuses_an_existing_file_without_force(tmp_path):
    target = tmp_path / "ebm.qdc"
    target.write_text("keep me", encoding="utf-8")
    out = run("export-qdc", target)
    assert out.returncode == 1 and "already exists" in out.stderr and "--force" in out.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    forced = run("export-qdc", target, "--force")
    assert forced.returncode == 0 and b"urn:QDA-XML:codebook:1.0" in target.read_bytes()


@pytest.mark.parametrize("command", ["export-qdc", "export-qdpx"])
def test_export_never_writes_into_the_data_folder(data_copy, command):
    before = (data_copy / "codebook.csv").read_bytes()
    for args in ([], ["--force"]):
        out = run(command, data_copy / "codebook.csv", data_copy, *args)
        assert out.returncode == 1 and "inside the data folder" in out.stderr
    assert (data_copy / "codebook.csv").read_bytes() == before
    assert run(command, data_copy / "new.qdx", data_copy).returncode == 1
    assert not (data_copy / "new.qdx").exists()


def test_export_to_a_missing_or_unwritable_folder_is_a_message(tmp_path):
    missing = run("export-qdpx", tmp_path / "no" / "such" / "ebm.qdpx")
    assert missing.returncode == 1 and "create the folder first" in missing.stderr
    assert "Traceback" not in missing.stderr
    unwritable = run("export-qdc", "/sys/ebm.qdc")      # a read-only file system, even for root
    assert unwritable.returncode == 1 and "Traceback" not in unwritable.stderr
    assert "/sys/ebm.qdc" in unwritable.stderr


# ------------------------------------------------------------------ import-survey (issue 13; SYNTHETIC answers)

def test_import_survey_dry_run_then_import_then_refuse_then_replace(data_copy, tmp_path):
    from conftest import write_rows

    source = tmp_path / "svar.csv"
    write_rows(source, [["respondent_id", "group", "S1", "S2"], ["R1", "social_secretaries", "4", "3"],
                        ["R2", "service_user_mentors", "2", ""]])
    out = run("import-survey", source, "--data", data_copy, "--dry-run")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("svar.csv (wide): 3 answers from 2 respondents (service_user_mentors: 1, "
                                  "social_secretaries: 1) to 2 statements. Dry run: nothing written.")
    assert not (data_copy / "survey_responses.csv").exists()
    out = run("import-survey", source, "--data", data_copy)
    assert out.returncode == 0 and out.stdout.strip().endswith("Wrote survey_responses.csv.")
    again = run("import-survey", source, "--data", data_copy)
    assert again.returncode == 1 and "3 answers already (from svar.csv); nothing was imported" in again.stderr
    assert "Traceback" not in again.stderr
    out = run("import-survey", source, "--data", data_copy, "--replace")
    assert out.returncode == 0 and "Replaced the 3 answers that were there." in out.stdout
    survey = run("survey", data_copy)
    assert survey.returncode == 0
    assert "The printed means recomputed from the answers in survey_responses.csv:" in survey.stdout
    assert "  - S1, social secretaries: 1 answer, mean 4, prints as 4 under every rounding rule: as printed." in \
        survey.stdout
    assert "S2, social secretaries: 1 answer, mean 3, prints as 3,00 by every rule, not 3,33 as printed." in \
        survey.stdout
    both = run("import-survey", source, "--data", data_copy, "--replace", "--append")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_import_survey_bad_file_exits_1_with_the_problem(data_copy, tmp_path):
    from conftest import write_rows

    source = tmp_path / "svar.csv"
    write_rows(source, [["respondent_id", "group", "S1"], ["R1", "social_secretaries", "5"]])
    out = run("import-survey", source, "--data", data_copy)
    assert out.returncode == 1
    assert ("svar.csv, line 2, column 'S1': found '5'; expected a whole number from 1 to 4 (the scale of S1 in "
            "survey_items.csv)") in out.stderr
    assert not (data_copy / "survey_responses.csv").exists()
