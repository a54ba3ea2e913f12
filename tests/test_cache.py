"""The validated cache: used only for the exact bytes it was built from, never trusted when odd."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from conftest import ROOT, set_cell
from ebm_analysis import cache, project as project_module
from ebm_analysis.project import load_project


@pytest.fixture
def cached(monkeypatch, data_copy):
    """Cache every folder (the EBM data are below the size at which caching starts)."""
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    if (data_copy / cache.CACHE_DIR).exists():   # a developer's cache copied along with data/
        import shutil
        shutil.rmtree(data_copy / cache.CACHE_DIR)


@pytest.fixture
def validations(monkeypatch):
    """Count full validations, to tell a load from the cache from a load from the tables."""
    calls = []
    real = project_module._validated_frames

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(project_module, "_validated_frames", counting)
    return calls


def assert_same_project(a, b):
    assert set(a.tables) == set(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)


def test_small_folders_are_not_cached(data_copy):
    load_project(data_copy)
    assert not (data_copy / cache.CACHE_DIR).exists()


def test_cached_load_equals_a_full_load(data_copy, cached, validations):
    first = load_project(data_copy)
    assert (data_copy / ".cache" / "tables.npz").is_file()
    assert (data_copy / ".cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    second = load_project(data_copy)
    assert validations == [1]                      # the second load came from the cache
    assert_same_project(first, second)


def test_any_change_to_a_table_is_seen(data_copy, cached, validations, edit_table):
    load_project(data_copy)
    edit_table(data_copy, "advice.csv", lambda rows: set_cell(rows, 0, "advice_en", "Trust yourself, always"))
    assert load_project(data_copy).advice.loc[0, "advice_en"] == "Trust yourself, always"
    assert validations == [1, 1]
    load_project(data_copy)
    assert validations == [1, 1]                   # rebuilt for the new bytes, then used


def test_a_change_that_breaks_the_data_is_reported_not_hidden(data_copy, cached, edit_table):
    load_project(data_copy)
    edit_table(data_copy, "advice.csv", lambda rows: set_cell(rows, 0, "meeting", "9"))
    with pytest.raises(project_module.DataError, match="advice.csv, line 2"):
        load_project(data_copy)


def test_the_key_covers_the_loaders_code(monkeypatch):
    key = cache.cache_key({"meetings": b"x"})
    monkeypatch.setattr(cache, "_code_digest", b"another version of the loader")
    assert cache.cache_key({"meetings": b"x"}) != key


def _inside_largest_member(data: bytes) -> int:
    """An offset in the middle of the stored bytes of the cache's largest member.

    Not a fixed fraction of the file: that can land in a local header's zip64
    field, which readers skip (the central directory is authoritative), so the
    flip would damage nothing and the test would depend on the tables' sizes.
    """
    import io
    import struct
    import zipfile

    info = max(zipfile.ZipFile(io.BytesIO(data)).infolist(), key=lambda m: m.compress_size)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    return info.header_offset + 30 + name_len + extra_len + info.compress_size // 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "flip", "other_key"])
def test_a_damaged_cache_is_ignored_and_rebuilt(data_copy, cached, validations, damage):
    reference = load_project(data_copy)
    path = data_copy / ".cache" / "tables.npz"
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(os.urandom(4096))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "flip":
        i = _inside_largest_member(data)
        path.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:])
    else:
        frames = {k: v for k, v in reference.tables.items() if k != "survey_responses"}
        frames["survey_means"] = frames["survey_means"].drop(columns="mean_value")
        frames["advice"] = frames["advice"].assign(advice_en="tampered")
        assert cache.write_cache(data_copy, "0" * 64, frames)
    assert_same_project(load_project(data_copy), reference)
    assert validations == [1, 1]
    assert_same_project(load_project(data_copy), reference)
    assert validations == [1, 1]                   # rewritten after the damaged one was ignored


def test_a_cache_that_does_not_match_the_schema_is_ignored(data_copy, cached, validations):
    reference = load_project(data_copy)
    key = cache.cache_key({t: (data_copy / f"{t}.csv").read_bytes() for t in reference.tables
                           if (data_copy / f"{t}.csv").exists()})
    frames = {k: v for k, v in reference.tables.items() if k != "survey_responses"}
    frames["advice"] = frames["advice"].rename(columns={"advice_en": "advice_xx"})
    frames["survey_means"] = frames["survey_means"].drop(columns="mean_value")
    assert cache.write_cache(data_copy, key, frames)
    assert_same_project(load_project(data_copy), reference)
    assert len(validations) == 2


def test_a_cache_linked_out_of_the_folder_is_not_read(data_copy, cached, validations, tmp_path):
    load_project(data_copy)
    outside = tmp_path / "elsewhere.npz"
    (data_copy / ".cache" / "tables.npz").rename(outside)
    (data_copy / ".cache" / "tables.npz").symlink_to(outside)
    load_project(data_copy)
    assert len(validations) == 2


def test_a_cache_folder_linked_elsewhere_is_neither_read_nor_written(data_copy, cached, validations, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (data_copy / ".cache").symlink_to(elsewhere)
    load_project(data_copy)
    load_project(data_copy)
    assert list(elsewhere.iterdir()) == [] and len(validations) == 2


def test_a_pipe_as_cache_never_hangs(data_copy, cached, validations):
    (data_copy / ".cache").mkdir()
    os.mkfifo(data_copy / ".cache" / "tables.npz")
    from test_project import _with_time_limit

    _with_time_limit(20, lambda: load_project(data_copy))


def test_a_folder_that_cannot_be_written_still_loads(data_copy, cached, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cache.tempfile, "mkstemp", full_disk)
    assert len(load_project(data_copy).meetings) == 8
    assert not (data_copy / ".cache" / "tables.npz").exists()
    assert [p.name for p in (data_copy / ".cache").iterdir()] == [".gitignore"]   # no temporary file left


def test_clear_cache(data_copy, cached):
    load_project(data_copy)
    assert cache.clear_cache(data_copy) is True
    assert not (data_copy / ".cache" / "tables.npz").exists()
    assert cache.clear_cache(data_copy) is False


def test_study_scale_cache_round_trip(tmp_path, validations):
    """The synthetic study (a tenth of it) is above the cache size: cached and fresh loads agree."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from study import make_study

    folder = make_study(tmp_path / "study", 20, n_segments=4_000, n_words=800_000, n_codings=5_000)
    assert sum(p.stat().st_size for p in folder.glob("*.csv")) >= cache.MIN_BYTES
    first = load_project(folder)
    second = load_project(folder)
    assert validations == [1]
    assert_same_project(first, second)
    assert first.codings["start"].isna().mean() == pytest.approx(0.3, abs=0.03)


def test_a_failed_cache_write_leaves_no_temporary_file(data_copy, cached, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(30, "Read-only file system")
    monkeypatch.setattr(cache.os, "replace", refuse)
    assert len(load_project(data_copy).meetings) == 8
    assert [p.name for p in (data_copy / ".cache").iterdir()] == [".gitignore"]


def test_a_compaction_leaves_a_cache_for_the_tables_it_wrote(data_copy, cached, validations):
    from ebm_analysis.coding import CodingStore

    store = CodingStore.open(data_copy)
    coding = store.add("E001", "stress", "R1")
    before = (data_copy / "codings.csv").read_bytes()
    assert sorted(store.compact()) == ["codebook.csv", "codings.csv"]
    assert (data_copy / "codings.csv").read_bytes() != before
    validations.clear()
    project = load_project(data_copy)
    assert validations == []                       # the first load after the compaction came from the cache
    assert coding in set(project.codings["coding_id"])


def test_the_cache_left_by_a_compaction_equals_a_full_validation(data_copy, cached, monkeypatch):
    from ebm_analysis.coding import CodingStore

    store = CodingStore.open(data_copy)
    store.add("E001", "belonging", "R2", start=0, end=4, memo="en anteckning")
    store.compact()
    from_cache = load_project(data_copy)
    monkeypatch.setattr(cache, "MIN_BYTES", 10**12)   # now nothing is cached: a full validation
    assert_same_project(from_cache, load_project(data_copy))


def test_a_small_folder_gets_no_cache_on_compaction(data_copy):
    from ebm_analysis.coding import CodingStore

    store = CodingStore.open(data_copy)
    store.add("E001", "stress", "R1")
    store.compact()
    assert not (data_copy / cache.CACHE_DIR).exists()


def test_tables_whose_spans_do_not_cover_their_text_are_never_cached(data_copy, cached, validations, edit_table):
    def break_span(rows):
        row = next(i for i, r in enumerate(rows[1:]) if r[rows[0].index("span_text")])
        set_cell(rows, row, "span_text", "ord som aldrig stod där")
    edit_table(data_copy, "codings.csv", break_span)
    for _ in range(2):
        with pytest.raises(project_module.DataError, match="span_text"):
            load_project(data_copy)
    assert not (data_copy / cache.CACHE_DIR / cache.CACHE_FILE).exists()
    assert validations == [1, 1]                   # validated afresh each time, never served from a cache


def test_a_load_from_the_cache_checks_the_spans_of_the_logged_codings_only(data_copy, cached, monkeypatch):
    from ebm_analysis import spans
    from ebm_analysis.coding import CodingStore

    load_project(data_copy)                        # validates every span, then caches
    store = CodingStore.open(data_copy)
    added = store.add("E013", "stress", "R2", start=32, end=51)
    checked = []
    real = spans.span_problems

    def recording(codings, *args, **kwargs):
        checked.append(codings["coding_id"].tolist())
        return real(codings, *args, **kwargs)
    monkeypatch.setattr(spans, "span_problems", recording)
    project = load_project(data_copy)
    assert checked == [[added]]                    # the one coding the log wrote
    assert added in set(project.codings["coding_id"])


def test_a_logged_span_whose_text_was_edited_afterwards_is_still_reported(data_copy, edit_table):
    from ebm_analysis.coding import CodingStore

    project = load_project(data_copy)
    spanned = set(project.codings.loc[project.codings["start"].notna(), "segment_id"])
    segment = next(s for s, t in zip(project.excerpts["excerpt_id"], project.excerpts["text_sv"])
                   if s not in spanned and len(t) >= 10)
    CodingStore.open(data_copy).add(segment, "stress", "R2", start=0, end=5)

    def edit_text(rows):
        row = next(i for i, r in enumerate(rows[1:]) if r[0] == segment)
        set_cell(rows, row, "text_sv", "XXXXX" + rows[row + 1][rows[0].index("text_sv")][5:])
    edit_table(data_copy, "excerpts.csv", edit_text)
    with pytest.raises(project_module.DataError, match=r"changes\.jsonl.*span_text|span_text.*changes\.jsonl"):
        load_project(data_copy)


def test_the_digests_kept_in_the_cache_are_those_of_the_tables(data_copy, cached):
    from ebm_analysis.changelog import snapshot_digests

    reference = load_project(data_copy)
    key = cache.cache_key({t.name: (data_copy / t.file).read_bytes() for t in project_module.TABLES
                           if (data_copy / t.file).exists()})
    kept = cache.read_cache(data_copy, key)
    assert kept is not None and set(kept.digests) == {"codings", "codebook"}
    assert kept.digests == snapshot_digests(reference.tables)


def test_the_first_save_in_a_cached_folder_logs_the_digests_a_full_load_computes(data_copy, cached, monkeypatch):
    from ebm_analysis.changelog import read_tail, snapshot_digests
    from ebm_analysis.coding import CodingStore

    load_project(data_copy)                        # caches
    CodingStore.open(data_copy).add("E001", "stress", "R2")
    marker = read_tail(data_copy / "changes.jsonl").entries[0]
    monkeypatch.setattr(cache, "MIN_BYTES", 10**12)
    full = project_module._validated_frames(
        {t.name: (data_copy / t.file).read_bytes() for t in project_module.TABLES if (data_copy / t.file).exists()},
        [])[0]
    assert {k: v["digest"] for k, v in marker.after["tables"].items()} == snapshot_digests(full)
