"""Tests for ebm_analysis.lock: one writer at a time per data folder, errors a researcher can act on."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import ROOT
from ebm_analysis.errors import DataError
from ebm_analysis.lock import LOCK_FILE, FolderLock, LockTimeoutError, SaveError, save_error


def test_two_locks_on_one_folder_exclude_each_other_even_in_one_process(tmp_path):
    first, second = FolderLock(tmp_path, holder="R1"), FolderLock(tmp_path, timeout=0.1, holder="R2")
    with first:
        assert not second.try_acquire()
        with pytest.raises(LockTimeoutError) as err:
            second.acquire()
        assert isinstance(err.value, DataError)
        assert f"pid {os.getpid()}" in str(err.value) and "coder R1" in str(err.value)
    assert second.try_acquire()
    second.release()


def test_a_lock_is_not_reentrant(tmp_path):
    lock = FolderLock(tmp_path)
    with lock:
        with pytest.raises(RuntimeError):
            lock.acquire()
    assert not lock.held


def test_a_lock_held_by_a_killed_process_is_free_at_once(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from ebm_analysis.lock import FolderLock
        with FolderLock({str(tmp_path)!r}, holder="child"):
            print("held", flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout.readline().strip() == "held"
        assert not FolderLock(tmp_path).try_acquire()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    started = time.monotonic()
    with FolderLock(tmp_path, timeout=5):
        assert time.monotonic() - started < 1


def test_a_folder_where_the_lock_file_cannot_be_created_gives_a_save_error(tmp_path):
    missing = tmp_path / "no_such_folder"
    with pytest.raises(SaveError) as err:
        FolderLock(missing).acquire()
    assert err.value.problems[0].file == LOCK_FILE and "nothing was saved" in str(err.value)
    assert not FolderLock(missing).try_acquire()


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "disk is full"), (errno.EROFS, "mounted read-only"), (errno.EACCES, "no permission"),
    (errno.EIO, "refused the write"),
])
def test_save_errors_name_the_file_the_cause_and_the_remedy(tmp_path, code, words):
    err = save_error(OSError(code, os.strerror(code)), tmp_path / "codings.csv", "saving")
    text = str(err)
    assert "codings.csv" in text and words in text and "nothing was saved" in text
    assert str(tmp_path) not in text  # no paths: the widget shows this message


def test_a_lock_file_another_user_left_read_only_still_locks(tmp_path):
    (tmp_path / LOCK_FILE).write_text("")
    (tmp_path / LOCK_FILE).chmod(0o444)
    first, second = FolderLock(tmp_path), FolderLock(tmp_path, timeout=0.1)
    with first:
        assert not second.try_acquire()
    assert second.try_acquire()
    second.release()
