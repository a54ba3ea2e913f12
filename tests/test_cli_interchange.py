"""The interchange and agreement commands, run as a user runs them."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "ebm_analysis", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def test_export_then_import_round_trip(tmp_path):
    out = tmp_path / "ebm.qdpx"
    assert run("export-qdpx", out).returncode == 0
    assert "project.qde" in zipfile.ZipFile(out).namelist()
    result = run("import-qdpx", out, tmp_path / "imported")
    assert result.returncode == 0, result.stderr
    assert "codings.csv" in result.stdout
    again = run("import-qdpx", out, tmp_path / "imported")
    assert again.returncode == 1 and "--overwrite" in again.stderr


def test_export_codebook(tmp_path):
    out = tmp_path / "ebm.qdc"
    assert run("export-qdc", out).returncode == 0
    assert out.read_bytes().startswith(b"<?xml")


def test_import_refuses_a_non_archive(tmp_path):
    bad = tmp_path / "notes.qdpx"
    bad.write_text("not a zip")
    result = run("import-qdpx", bad, tmp_path / "new")
    assert result.returncode == 1 and "notes.qdpx" in result.stderr
    assert not (tmp_path / "new").exists()


def test_agreement_table():
    result = run("agreement")
    assert result.returncode == 0, result.stderr
    assert "not a human" in result.stdout
    for theme in ("stress", "belonging", "soft_values", "moderator_translator"):
        assert theme in result.stdout
