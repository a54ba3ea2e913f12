"""Where an import writes: every case of the target folder, interrupted and killed imports (issue #18)."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from ebm_analysis import DataError, load_project
from ebm_analysis.interchange import export_qdpx, import_qdpx
from ebm_analysis.refi.importer import import_notes
from ebm_analysis.refi.target import clean_stale_imports


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return export_qdpx(load_project(), tmp_path_factory.mktemp("qdpx") / "ebm.qdpx")


def cli(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ebm_analysis", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


def staging_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".importing-" in p.name)


def test_symlink_to_an_empty_folder_imports_into_that_folder(archive, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    result = cli("import-qdpx", archive, link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and (real / "codings.csv").is_file()
    assert len(load_project(link).codings) == len(load_project().codings)
    assert staging_leftovers(tmp_path) == []
    assert "symbolic link" in (real / "IMPORTED_FROM_REFI.md").read_text(encoding="utf-8")


def test_dangling_symlink_is_refused_and_nothing_is_made(archive, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "missing")
    result = cli("import-qdpx", archive, link)
    assert result.returncode == 1
    assert "a symbolic link to" in result.stderr and "which does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link"] and not (tmp_path / "missing").exists()


def test_symlink_to_a_file_is_refused(archive, tmp_path):
    secret = tmp_path / "notes.txt"
    secret.write_text("token-1234\n", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(secret)
    result = cli("import-qdpx", archive, link)
    assert result.returncode == 1 and "which is a file, not a folder" in result.stderr
    assert "token-1234" not in result.stderr + result.stdout
    assert secret.read_text(encoding="utf-8") == "token-1234\n"
    assert staging_leftovers(tmp_path) == []


@pytest.mark.parametrize("overwrite", [False, True])
def test_the_current_folder_is_refused_with_advice(archive, tmp_path, overwrite):
    work = tmp_path / "work"
    work.mkdir()
    (work / "codings.csv").write_text("precious\n", encoding="utf-8")
    result = cli("import-qdpx", archive, ".", *(["--overwrite"] if overwrite else []), cwd=work)
    assert result.returncode == 1, result.stdout
    assert "the folder you are working in" in result.stderr and "run the command from the folder above" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in work.iterdir()) == ["codings.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_a_folder_containing_the_current_one_is_refused(archive, tmp_path):
    inner = tmp_path / "project" / "notebooks"
    inner.mkdir(parents=True)
    result = cli("import-qdpx", archive, "..", "--overwrite", cwd=inner)
    assert result.returncode == 1 and "the folder you are working in" in result.stderr
    assert (tmp_path / "project" / "notebooks").is_dir() and staging_leftovers(tmp_path) == []


def test_overwrite_through_the_cli_keeps_a_backup(archive, tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "codings.csv").write_text("precious\n", encoding="utf-8")
    result = cli("import-qdpx", archive, target, "--overwrite")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data.backup-1" / "codings.csv").read_text(encoding="utf-8") == "precious\n"
    assert staging_leftovers(tmp_path) == []


def test_stale_staging_folders_are_cleaned_but_not_running_ones(archive, tmp_path):
    stale = tmp_path / ".data.importing-99999-dead"
    stale.mkdir()
    (stale / "excerpts.csv").write_text("half written", encoding="utf-8")
    running = tmp_path / ".data.importing-1-live"
    running.mkdir()
    with open(tmp_path / ".data.importing-1-live.lock", "w") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # an import that is still running
        import_qdpx(archive, tmp_path / "data")
        assert not stale.exists() and running.is_dir()
    assert "Removed .data.importing-99999-dead" in (tmp_path / "data" / "IMPORTED_FROM_REFI.md").read_text("utf-8")
    assert clean_stale_imports(tmp_path / "data") == [".data.importing-1-live"]  # its lock is free now
    assert staging_leftovers(tmp_path) == []


SLOW_IMPORT = """
import sys, time
from pathlib import Path
import ebm_analysis.refi.importer as importer

real_load = importer.load_project

def slow_load(path):
    Path(sys.argv[3]).write_text(str(path))  # the staging folder is written: tell the test
    time.sleep(60)
    return real_load(path)

importer.load_project = slow_load
from ebm_analysis.cli import main
sys.exit(main(["import-qdpx", sys.argv[1], sys.argv[2]]))
"""


def start_slow_import(archive: Path, target: Path, flag: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", SLOW_IMPORT, str(archive), str(target), str(flag)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not flag.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import did not reach its staging step"
        time.sleep(0.05)
    return process


def test_an_import_killed_with_sigkill_is_cleaned_by_the_next_one(archive, tmp_path):
    process = start_slow_import(archive, tmp_path / "data", tmp_path / "flag")
    staged = Path((tmp_path / "flag").read_text())
    assert staged.is_dir() and (staged / "codings.csv").is_file()
    process.kill()
    process.wait(timeout=30)
    assert staging_leftovers(tmp_path) and not (tmp_path / "data").exists()  # what kill -9 leaves
    result = cli("import-qdpx", archive, tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert staging_leftovers(tmp_path) == []
    assert f"Removed {staged.name}" in (tmp_path / "data" / "IMPORTED_FROM_REFI.md").read_text("utf-8")


def test_an_import_stopped_with_sigterm_removes_its_folder(archive, tmp_path):
    """A time limit sends SIGTERM: the import ends like Ctrl-C and removes what it staged."""
    process = start_slow_import(archive, tmp_path / "data", tmp_path / "flag")
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert staging_leftovers(tmp_path) == [] and not (tmp_path / "data").exists()


def test_an_import_stopped_with_ctrl_c_removes_its_folder(archive, tmp_path):
    process = start_slow_import(archive, tmp_path / "data", tmp_path / "flag")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
    assert staging_leftovers(tmp_path) == [] and not (tmp_path / "data").exists()


def test_a_target_that_changed_during_the_import_is_not_replaced(archive, tmp_path, monkeypatch):
    import ebm_analysis.refi.importer as importer

    real_load = importer.load_project
    target = tmp_path / "data"

    def load_while_someone_writes(path):
        target.mkdir()
        (target / "codings.csv").write_text("written meanwhile\n", encoding="utf-8")
        return real_load(path)

    monkeypatch.setattr(importer, "load_project", load_while_someone_writes)
    with pytest.raises(DataError, match="changed while the import ran"):
        import_qdpx(archive, target)
    assert (target / "codings.csv").read_text(encoding="utf-8") == "written meanwhile\n"
    assert staging_leftovers(tmp_path) == []


def test_import_notes_are_empty_for_a_folder_not_made_by_an_import(tmp_path):
    assert import_notes(tmp_path) == []


def test_a_qdpx_that_is_a_folder_is_refused(tmp_path):
    (tmp_path / "x.qdpx").mkdir()
    with pytest.raises(DataError, match="not a regular file"):
        import_qdpx(tmp_path / "x.qdpx", tmp_path / "data")
    assert zipfile.is_zipfile(tmp_path / "x.qdpx") is False
