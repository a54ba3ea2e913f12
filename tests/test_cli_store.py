"""The coding store's commands (log, undo, compact, repair-spans, redact), run as a user runs them."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from conftest import ROOT, codings_on_disk
from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project


def run(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "ebm_analysis", *map(str, args)], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_log_of_a_folder_without_changes_says_so():
    out = run("log")
    assert out.returncode == 0 and "no changes logged" in out.stdout


def test_log_prints_who_when_what_and_filters(data_copy):
    store = CodingStore.open(data_copy)
    cid = store.add("E001", "trust", "coder2", start=0, end=5, reason="second coding")
    store.set_memo(cid, "tveksam", coder="coder3")
    out = run("log", data_copy)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(f"coder2       add coding: insert {cid} (trust on E001 [0:5])  — second coding" in x for x in lines)
    assert any("coder3" in x and "set memo" in x and "tveksam" in x for x in lines)
    only = run("log", data_copy, "--coder", "coder3", "--format", "json")
    records = json.loads(only.stdout)
    assert [(r["coder"], r["action"], r["key"]) for r in records] == [("coder3", "set memo", cid)]


def test_undo_from_the_command_line_takes_back_a_coders_last_change(data_copy):
    cid = CodingStore.open(data_copy).add("E001", "trust", "coder2", start=0, end=5)
    out = run("undo", data_copy, "--coder", "coder2", "--reason", "mistake")
    assert out.returncode == 0, out.stderr
    assert f"undid “add coding {cid}" in out.stdout
    assert cid not in codings_on_disk(data_copy)
    again = run("undo", data_copy, "--coder", "coder2")
    assert again.returncode == 1 and "nothing to undo" in again.stderr


def test_compact_writes_the_snapshot_files(data_copy):
    cid = CodingStore.open(data_copy).add("E001", "trust", "coder2", start=0, end=5)
    out = run("compact", data_copy)
    assert out.returncode == 0 and "wrote codebook.csv, codings.csv" in out.stdout
    with (data_copy / "codings.csv").open(newline="", encoding="utf-8") as f:
        assert cid in {r["coding_id"] for r in csv.DictReader(f)}
    assert "already up to date" in run("compact", data_copy).stdout


def test_repair_spans_reports_and_exits_1_when_something_is_left(data_copy):
    with (data_copy / "observations.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("text_sv")
    row = next(r for r in rows if r[0] == "O016")  # three span codings: K0068 on 0-144, K0069, K0070 after it
    assert "svarade" in row[col][:144] and "svarade" not in row[col][144:]
    row[col] = "Nytt först. " + row[col].replace("svarade", "sade")
    with (data_copy / "observations.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    with pytest.raises(DataError, match="repair-spans"):  # what `check` reports (see test_cli.py for check itself)
        load_project(data_copy)
    dry = run("repair-spans", data_copy, "--dry-run")
    assert dry.stdout.count("would move") == 2 and "K0068" in dry.stdout and "not found" in dry.stdout
    assert not (data_copy / "changes.jsonl").exists()
    out = run("repair-spans", data_copy)
    assert out.returncode == 1 and out.stdout.count("moved; found exactly") == 2
    assert "1 coding(s) left as they are" in out.stdout
    with pytest.raises(DataError) as err:
        load_project(data_copy)
    assert [p.found.split()[0] for p in err.value.problems] == ["K0068"]  # only the one left for the researcher


def test_redact_reads_the_text_from_standard_input(data_copy):
    out = run("redact", "-", data_copy, "--coder", "R1", "--reason", "demo", stdin="Helsingborg\n")
    assert out.returncode == 0, out.stderr
    assert "replaced" in out.stdout and "Helsingborg" not in out.stdout
    assert not [p for p in data_copy.rglob("*") if p.is_file() and b"Helsingborg" in p.read_bytes()]
    log = run("log", data_copy, "--action", "redact")
    assert "redacted" in log.stdout and "Helsingborg" not in log.stdout


def test_redact_refuses_a_short_text_with_a_message(data_copy):
    out = run("redact", "ab", data_copy)
    assert out.returncode == 1 and "shorter than four" in out.stderr
