"""Where exports may be written: the library refuses what the command line refuses."""

from __future__ import annotations

import os

import pytest

from ebm_analysis import load_project
from ebm_analysis.errors import DataError
from ebm_analysis.output import export_target, write_failed
from ebm_analysis import export_qdc, export_qdpx


def test_a_new_file_in_an_existing_folder_is_accepted(tmp_path):
    assert export_target(tmp_path / "ebm.qdpx", tmp_path / "data") == tmp_path / "ebm.qdpx"


def test_an_existing_file_is_refused_unless_overwrite(tmp_path):
    target = tmp_path / "ebm.qdpx"
    target.write_text("the researcher's earlier export")
    with pytest.raises(DataError, match="already exists"):
        export_target(target)
    assert export_target(target, overwrite=True) == target
    assert target.read_text() == "the researcher's earlier export"


@pytest.mark.parametrize("name", ["codings.csv", "new.qdpx", "sub/../codebook.csv"])
def test_nothing_is_written_inside_the_data_folder(data_copy, name):
    with pytest.raises(DataError, match="inside the data folder"):
        export_target(data_copy / name, data_copy, overwrite=True)


def test_a_folder_or_missing_parent_is_refused(tmp_path):
    with pytest.raises(DataError, match="a folder"):
        export_target(tmp_path)
    with pytest.raises(DataError, match="no folder"):
        export_target(tmp_path / "missing" / "ebm.qdpx")


def test_library_exports_refuse_the_data_folder_and_leave_it_unchanged(data_copy):
    project = load_project(data_copy)
    before = {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()}
    for export, name in [(export_qdpx, "codings.csv"), (export_qdc, "codebook.csv")]:
        with pytest.raises(DataError, match="inside the data folder"):
            export(project, data_copy / name, overwrite=True)
    assert {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()} == before


def test_library_export_keeps_an_existing_file_unless_overwrite(data_copy, tmp_path):
    project = load_project(data_copy)
    target = tmp_path / "out" / "ebm.qdc"
    target.parent.mkdir()
    target.write_text("keep me")
    with pytest.raises(DataError, match="already exists"):
        export_qdc(project, target)
    assert target.read_text() == "keep me"
    export_qdc(project, target, overwrite=True)
    assert target.read_bytes().startswith(b"<?xml")


def test_write_failed_names_the_file_and_the_reason():
    message = str(write_failed("out.qdpx", OSError(28, os.strerror(28))))
    assert "out.qdpx" in message and "nothing was written" in message
