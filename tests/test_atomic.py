"""Tests for ebm_analysis.atomic: crash-safe writes that keep previous versions."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from ebm_analysis import atomic

# ---------------------------------------------------------------- atomic writes

def test_write_text_atomic_keeps_numbered_previous_versions(tmp_path):
    target = tmp_path / "codings.csv"
    assert atomic.write_text_atomic(target, "v1\n") is None
    atomic.write_text_atomic(target, "v2\n")
    atomic.write_text_atomic(target, "v3\n")
    assert target.read_text(encoding="utf-8") == "v3\n"
    kept = atomic.previous_versions(target)
    assert [p.name for p in kept] == ["codings.0001.csv", "codings.0002.csv"]
    assert [p.read_text(encoding="utf-8") for p in kept] == ["v1\n", "v2\n"]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp"))


def test_crash_in_replace_leaves_original_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "codings.csv"
    target.write_text("original\n", encoding="utf-8")
    real_replace = os.replace

    def crash(src, dst):
        if Path(dst) == target:
            raise OSError("simulated crash during the final rename")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        atomic.write_text_atomic(target, "new content\n")
    assert target.read_text(encoding="utf-8") == "original\n"
    assert _leftovers(tmp_path) == []


def test_crash_while_writing_leaves_original_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "codings.csv"
    target.write_text("original\n", encoding="utf-8")

    def crash(fd):
        raise OSError("simulated crash: disk full during fsync")

    monkeypatch.setattr(atomic.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text_atomic(target, "x" * 10_000)
    assert target.read_text(encoding="utf-8") == "original\n"
    assert _leftovers(tmp_path) == []


def test_write_csv_atomic_round_trips_text_with_commas_and_swedish(tmp_path):
    frame = pd.DataFrame({"a": ["å, ä; ö", "\"quoted\""], "n": pd.array([1, None], dtype="Int64")})
    atomic.write_csv_atomic(tmp_path / "t.csv", frame)
    back = pd.read_csv(tmp_path / "t.csv", dtype={"a": "string"}).astype({"n": "Int64"})
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_crash_while_keeping_the_previous_version_leaves_original(tmp_path, monkeypatch):
    target = tmp_path / "codings.csv"
    target.write_text("original\n", encoding="utf-8")

    def crash(*args, **kwargs):
        raise OSError("simulated crash while copying the previous version")

    monkeypatch.setattr(atomic.shutil, "copystat", crash)
    with pytest.raises(OSError, match="previous version"):
        atomic.write_text_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "original\n"
    assert _leftovers(tmp_path) == []


def test_no_previous_version_when_asked_not_to(tmp_path):
    target = tmp_path / "a.txt"
    atomic.write_text_atomic(target, "1", keep_previous=False)
    assert atomic.write_text_atomic(target, "2", keep_previous=False) is None
    assert atomic.previous_versions(target) == []
    assert target.read_bytes() == b"2"


def test_text_is_written_byte_exact_utf8(tmp_path):
    target = tmp_path / "a.csv"
    atomic.write_text_atomic(target, "a;b\r\nå,ä\n")
    assert target.read_bytes() == "a;b\r\nå,ä\n".encode("utf-8")


def test_saving_keeps_a_shared_file_shared(tmp_path):
    """A replaced file keeps its permissions; a new one follows the umask (not mkstemp's private 0600)."""
    import os
    import stat

    from ebm_analysis.atomic import write_text_atomic

    old_mask = os.umask(0o022)
    try:
        new = tmp_path / "new.csv"
        write_text_atomic(new, "a\n")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        shared = tmp_path / "shared.csv"
        shared.write_text("a\n")
        shared.chmod(0o664)
        kept = write_text_atomic(shared, "b\n")
        assert stat.S_IMODE(shared.stat().st_mode) == 0o664
        assert stat.S_IMODE(kept.stat().st_mode) == 0o664
    finally:
        os.umask(old_mask)


# ---------------------------------------------------------------- bounded versions, read-only files, leftovers

def test_versions_are_bounded_to_the_newest_and_one_per_day(tmp_path):
    import time

    target = tmp_path / "codings.csv"
    for i in range(12):
        atomic.write_text_atomic(target, f"v{i}\n")
    kept = atomic.previous_versions(target)
    assert len(kept) == atomic.KEEP_LAST  # all written today: the newest KEEP_LAST
    assert [p.read_text() for p in kept] == [f"v{i}\n" for i in range(11 - atomic.KEEP_LAST, 11)]
    day = 24 * 3600
    for n, version in enumerate(kept[:3]):  # pretend three of them were written on three earlier days
        stamp = time.time() - (3 - n) * day
        os.utime(version, (stamp, stamp))
    removed = atomic.prune_versions(target, keep_last=1, keep_daily=3)
    left = atomic.previous_versions(target)
    assert len(left) == 3 and kept[-1] in left and removed  # the newest, and the newest of the last 3 days


def test_a_read_only_file_is_never_replaced(tmp_path):
    target = tmp_path / "codings.csv"
    target.write_text("kept\n", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        atomic.write_text_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "kept\n" and _leftovers(tmp_path) == []


def test_leftover_temp_files_are_removed_when_owned_or_old(tmp_path):
    import time

    (tmp_path / atomic.VERSIONS_DIR).mkdir()
    owned = tmp_path / ".codings.csv.a1b2.tmp"
    fresh_other = tmp_path / ".meetings.csv.c3d4.tmp"
    old_other = tmp_path / ".advice.csv.e5f6.tmp"
    version_tmp = tmp_path / atomic.VERSIONS_DIR / ".codings.0003.csv.g7h8.tmp"
    for path in (owned, fresh_other, old_other, version_tmp):
        path.write_text("half")
    stamp = time.time() - 3600
    os.utime(old_other, (stamp, stamp))
    removed = atomic.clean_temp_files(tmp_path, always=("codings.csv",))
    assert sorted(p.name for p in removed) == sorted([owned.name, old_other.name, version_tmp.name])
    assert fresh_other.exists()  # perhaps another program's write in progress: left alone
