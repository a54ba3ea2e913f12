"""Tests for ebm_analysis.coding (the coding store: transactions, change log, undo, compaction).

All fixtures here are SYNTHETIC: a tiny data folder written from scratch, so the
tests do not depend on the content of the real codebook or codings. What a
save left on disk is read back with csv/json only (``codings_on_disk`` in
conftest.py), independently of the library. Tests with real processes (two
writers, kill -9) are in test_coding_processes.py.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import random
import re
import threading
import warnings
from pathlib import Path

import pandas as pd
import pytest

from conftest import codings_on_disk
from ebm_analysis import atomic, coding
from ebm_analysis.changelog import LOG_FILE
from ebm_analysis.coding import CodingStore, ConcurrentEditError, LockTimeoutError, SaveError, next_coding_id
from ebm_analysis.errors import DataError
from ebm_analysis.lock import LOCK_FILE, FolderLock
from ebm_analysis.project import load_project
from ebm_analysis.reading import FIELD_LIMIT
from ebm_analysis.schema import TABLES

# ---------------------------------------------------------------- shared synthetic fixtures

TEXT_E1 = "Vi lärde oss mycket om tillit."      # 30 characters; "tillit" is [23, 29)
TEXT_O1 = "Samtalet handlade om makt."          # 26 characters; "makt" is [21, 25)
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def write_folder(folder: Path, rows_by_table: dict[str, list[dict]]) -> Path:
    """Write a complete data folder: required tables get a header and the given rows."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        rows = rows_by_table.get(table.name)
        if rows is None and table.optional:
            continue
        with (folder / table.file).open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(table.column_names)
            writer.writerows([[_cell(c, r) for c in table.columns] for r in rows or []])
    return folder


def _cell(col, row: dict) -> str:
    if col.name in row:
        return "" if row[col.name] is None else str(row[col.name])
    if not col.required:
        return ""
    if col.kind == "int":
        return str(col.bounds[0]) if col.bounds else "1"
    if col.kind == "choice":
        return col.choices[0]
    return "x"


def code_row(code_id, parent=None, status="active"):
    return {"code_id": code_id, "parent_id": parent, "name_sv": code_id + "_sv", "name_en": code_id + "_en",
            "status": status}


SYNTHETIC = {
    "meetings": [{"meeting": m, "month": "2015-11"} for m in range(1, 9)],
    "participants": [{"participant_id": "SS1", "role": "social_secretary"},
                     {"participant_id": "BM1", "role": "service_user_mentor"}],
    "excerpts": [{"excerpt_id": "E1", "source_type": "interview", "speaker_role": "social_secretary",
                  "speaker_id": "SS1", "meeting": 2, "text_sv": TEXT_E1, "text_en": "We learnt a lot about trust."}],
    "observations": [{"note_id": "O1", "meeting": 3, "basis": "observed", "text_sv": TEXT_O1,
                      "text_en": "The talk was about power."}],
    "codebook": [code_row("trust"), code_row("trust_staff", "trust"), code_row("power")],
    "codings": [{"coding_id": "K0001", "segment_id": "E1", "code_id": "trust", "coder": "R1",
                 "start": 23, "end": 29, "span_text": "tillit"}],
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "data", SYNTHETIC)


@pytest.fixture
def store(folder: Path) -> CodingStore:
    return CodingStore.open(folder, coder="R1")


def log_entries(folder: Path) -> list[dict]:
    path = folder / LOG_FILE
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def snapshot_of(folder: Path) -> dict[str, bytes]:
    """Every file of the folder (recursively) with its bytes, the lock file aside."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != LOCK_FILE}


# ---------------------------------------------------------------- ids

def test_next_coding_id_is_one_past_the_highest_and_respects_a_floor():
    assert next_coding_id(pd.DataFrame({"coding_id": ["K0002", "K0010", "K0003"]})) == "K0011"
    assert next_coding_id(pd.DataFrame({"coding_id": ["K9999"]})) == "K10000"
    assert next_coding_id(pd.DataFrame({"coding_id": ["K0002"]}), floor=40) == "K0040"


def test_highest_number_of_random_ids_matches_a_plain_loop():
    """Both ways of finding it (ids of one length, and of mixed lengths) against int() of each id."""
    rng = random.Random(16)
    for _ in range(3000):
        ids = ["".join([rng.choice(["K", "K", "X", "k"])] + rng.choices("0123456789" * 9 + "ab", k=rng.choice([4, 5, 6])))
               for _ in range(rng.randrange(8))]
        expected = max((int(i[1:]) for i in ids if i[0] == "K" and i[1:].isdigit()), default=0)
        series = pd.Series(ids + [None] * rng.randrange(2), dtype="string")
        assert coding._highest_number(series) == expected, ids


def test_ids_of_removed_codings_are_never_given_out_again(store, folder):
    k2 = store.add("O1", "power", "R1")
    store.remove(k2)
    assert store.add("O1", "power", "R1") == "K0003"
    store.undo()  # removes K0003 again
    again = CodingStore.open(folder)  # a new session, reading the log
    assert again.add("O1", "power", "R1") == "K0004"


def test_after_a_compaction_the_next_id_comes_from_the_log_and_a_hand_added_id_is_still_seen(folder):
    """A store opened on files its log vouches for takes the next number from the log (no scan of the
    ids); a codings.csv edited by hand no longer matches the log, and its ids are scanned."""
    store = CodingStore.open(folder, coder="R1")
    store.remove(store.add("O1", "power", "R1"))        # K0002, never to be given out again
    store.close()                                        # compaction: a snapshot entry with next = 3
    assert CodingStore.open(folder, coder="R1").add("O1", "power", "R2") == "K0003"
    CodingStore.open(folder, coder="R1").close()
    lines = (folder / "codings.csv").read_text(encoding="utf-8").splitlines()
    lines.append("K0099,E1,power,R9,,,added by hand,,,")
    (folder / "codings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert CodingStore.open(folder, coder="R1").add("O1", "power", "R3") == "K0100"


def test_the_highest_coding_removed_first_thing_in_a_session_is_not_given_out_again(data_copy):
    """The next number is found on the first save, from the codings as they were at opening."""
    highest = max(load_project(data_copy).codings["coding_id"], key=lambda cid: int(cid[1:]))
    store = CodingStore.open(data_copy)
    store.remove(highest)                              # the first change of the session
    new = store.add("E001", "trust", "R1", start=0, end=5)
    assert int(new[1:]) == int(highest[1:]) + 1
    store.close()
    again = CodingStore.open(data_copy)                # after a compaction, from the log's floor
    assert int(again.add("E001", "trust", "R1", start=5, end=9)[1:]) == int(highest[1:]) + 2


# ---------------------------------------------------------------- saving

def test_add_span_and_whole_segment_are_saved_at_once_in_the_log(store, folder):
    before = (folder / "codings.csv").read_bytes()
    k2 = store.add("O1", "power", "R2", start=21, end=25, memo="  makt  ")
    k3 = store.add("E1", "trust_staff", "R2")
    assert (k2, k3) == ("K0002", "K0003")
    disk = codings_on_disk(folder)
    assert (disk[k2]["start"], disk[k2]["end"], disk[k2]["span_text"], disk[k2]["memo"]) == ("21", "25", "makt", "makt")
    assert (disk[k3]["start"], disk[k3]["end"], disk[k3]["span_text"]) == ("", "", "")
    assert disk[k2]["created_by"] == "R2" and TIME.fullmatch(disk[k2]["created_at"])
    # a save appends to the log; the snapshot is not rewritten and no copies are made
    assert (folder / "codings.csv").read_bytes() == before
    assert not (folder / atomic.VERSIONS_DIR).exists()
    # the loader sees the saved state, as the store does
    loaded = load_project(folder).codings
    pd.testing.assert_frame_equal(loaded.reset_index(drop=True), store.codings.reset_index(drop=True))
    assert load_project(folder).sequence == store.sequence == 3  # a start entry and two changes


def test_a_save_writes_a_few_hundred_bytes_whatever_the_size_of_the_project(folder):
    """The cost of a save does not grow with the table or the history (structure; times are in benchmarks/)."""
    store = CodingStore.open(folder, coder="R1", compact_every=10**9)
    ids = [store.add("O1", "power", "R1", start=i, end=i + 3) for i in range(20)]
    log = folder / LOG_FILE
    for cid in ids:
        size = log.stat().st_size
        store.set_memo(cid, "en kort anteckning")
        assert 0 < log.stat().st_size - size < 1500
    files = snapshot_of(folder)
    store.set_memo(ids[0], "igen")
    changed = [f for f, data in snapshot_of(folder).items() if files.get(f) != data]
    assert changed == [LOG_FILE]


@pytest.mark.parametrize("kwargs, column", [
    ({"segment_id": "E9", "code_id": "trust"}, "segment_id"),
    ({"segment_id": "E1", "code_id": "no_such"}, "code_id"),
    ({"segment_id": "E1", "code_id": "trust", "start": 5, "end": 31}, "end"),    # text has 30 characters
    ({"segment_id": "E1", "code_id": "trust", "start": 5, "end": 5}, "end"),     # empty span
    ({"segment_id": "E1", "code_id": "trust", "start": -1, "end": 3}, "end"),
    ({"segment_id": "E1", "code_id": "trust", "start": 5}, "end"),               # end missing
    ({"segment_id": "E1", "code_id": "trust", "start": 2, "end": 3}, "start"),   # only white space
    ({"segment_id": "E1", "code_id": "trust", "start": 23, "end": 29}, "code_id"),  # K0001 already
    ({"segment_id": "E1", "code_id": "trust", "memo": "a\x00b"}, "memo"),        # control character
])
def test_bad_add_raises_and_writes_nothing(store, folder, kwargs, column):
    before = snapshot_of(folder)
    with pytest.raises(DataError) as err:
        store.add(coder="R1", **kwargs)
    assert column in {p.column for p in err.value.problems}
    assert snapshot_of(folder) == before
    assert store.codings["coding_id"].tolist() == ["K0001"]
    assert store.history == []


def test_offsets_at_the_text_end_are_accepted(store):
    k = store.add("E1", "power", "R1", start=0, end=30)
    assert store.codings.set_index("coding_id").loc[k, "end"] == 30


def test_remove_recode_set_memo_are_saved(store, folder):
    store.recode("K0001", "trust_staff")
    store.set_memo("K0001", "om förtroende")
    disk = codings_on_disk(folder)["K0001"]
    assert (disk["code_id"], disk["memo"]) == ("trust_staff", "om förtroende")
    store.remove("K0001")
    assert "K0001" not in codings_on_disk(folder)
    with pytest.raises(DataError, match="not a coding"):
        store.remove("K0001")
    k = store.add("E1", "trust", "R1")
    with pytest.raises(DataError, match="codebook.csv does not list"):
        store.recode(k, "nope")
    assert [e["action"] for e in log_entries(folder)] == [
        "start change log", "recode", "set memo", "remove coding", "add coding"]


def test_every_log_entry_says_who_when_what_before_and_after(store, folder):
    store.set_memo("K0001", "ny", reason="clearer")
    entry = log_entries(folder)[-1]
    assert set(entry) >= {"seq", "tx", "n", "time", "coder", "action", "op", "table", "key", "before", "after",
                          "reason"}
    assert (entry["coder"], entry["action"], entry["op"], entry["table"], entry["key"], entry["reason"]) == (
        "R1", "set memo", "update", "codings", "K0001", "clearer")
    assert entry["before"]["memo"] is None and entry["after"]["memo"] == "ny"
    assert TIME.fullmatch(entry["time"])


def test_add_code_validates_and_saves(store, folder):
    store.add_code("power_formal", "Formell makt", "Formal power", "power", definition="d",
                   include="i", exclude="e", example="ex", color="#1f77b4")
    book = load_project(folder).codebook.set_index("code_id")
    assert book.loc["power_formal", "parent_id"] == "power"
    assert book.loc["power_formal", "status"] == "active"
    for bad in (dict(code_id="trust"), dict(code_id="Trust"), dict(parent_id="nope"),
                dict(definition=" "), dict(color="blue")):
        args = dict(code_id="new_code", name_sv="n", name_en="n", parent_id=None, definition="d",
                    include="i", exclude="e", example="x", color=None) | bad
        with pytest.raises(DataError):
            store.add_code(**args)
    assert len(load_project(folder).codebook) == 4


def test_update_code_refuses_a_cycle_and_remove_code_refuses_a_used_code(store, folder):
    with pytest.raises(DataError, match="cycle"):
        store.update_code("trust", parent_id="trust_staff")
    store.update_code("power", name_en="Power and control", reason="clearer name")
    assert load_project(folder).codebook.set_index("code_id").loc["power", "name_en"] == "Power and control"
    with store.transaction(coder="R1") as tx:
        with pytest.raises(DataError, match="used by 1 coding"):
            tx.remove_code("trust")
        with pytest.raises(DataError, match="sub-codes"):
            tx.remove_code("trust")  # also the parent of trust_staff


# ---------------------------------------------------------------- long text

def test_a_memo_of_140000_characters_saves_and_reloads(store, folder):
    memo = ("Långt memo om tillit. " * 7000)[:140_000].strip()
    store.set_memo("K0001", memo)
    store.compact()
    assert load_project(folder).codings.set_index("coding_id").loc["K0001", "memo"] == memo


def test_a_span_at_the_end_of_a_15_mb_transcript_saves_and_reloads(tmp_path):
    transcript = ("Intervjuaren frågar om tillit och arbetsbelastning. " * 30_000).strip()  # SYNTHETIC, ~1.5 MB
    rows = dict(SYNTHETIC, excerpts=[{**SYNTHETIC["excerpts"][0], "text_sv": transcript}], codings=[])
    folder = write_folder(tmp_path / "data", rows)
    store = CodingStore.open(folder, coder="R1")
    end = len(transcript) - 1
    cid = store.add("E1", "trust", "R1", start=end - 17, end=end, memo="slutet av intervjun")
    store.compact()
    row = load_project(folder).codings.set_index("coding_id").loc[cid]
    assert (row["start"], row["end"], row["span_text"]) == (end - 17, end, "arbetsbelastning")


def test_a_cell_over_the_limit_is_refused_before_anything_is_written(store, folder):
    before = snapshot_of(folder)
    with pytest.raises(DataError) as err:
        store.set_memo("K0001", "x" * (FIELD_LIMIT + 1))
    problem = err.value.problems[0]
    assert problem.column == "memo" and "K0001" in problem.found and f"{FIELD_LIMIT:,}" in problem.expected
    assert snapshot_of(folder) == before


# ---------------------------------------------------------------- transactions

def test_a_transaction_saves_all_its_changes_together(store, folder):
    with store.transaction(coder="R2", reason="split power") as tx:
        tx.add_code("power_formal", "Formell makt", "Formal power", "power", definition="d", include="i",
                    exclude="e", example="x")
        k = tx.add_coding("O1", "power_formal", start=21, end=25)
        tx.update_coding("K0001", memo="see power_formal")
        assert tx.get("codings", k)["span_text"] == "makt"
    entries = [e for e in log_entries(folder) if e["op"] != "snapshot"]
    assert len(entries) == 3 and {e["tx"] for e in entries} == {entries[0]["seq"]}
    assert {e["n"] for e in entries} == {3} and {e["reason"] for e in entries} == {"split power"}
    assert load_project(folder).codings.set_index("coding_id").loc[k, "code_id"] == "power_formal"
    assert store.history == ["add code (3 changes)"]


def test_a_transaction_that_fails_saves_nothing(store, folder):
    before = snapshot_of(folder)
    with pytest.raises(DataError):
        with store.transaction(coder="R1") as tx:
            tx.add_coding("O1", "power")
            tx.add_coding("O1", "no_such_code")
    assert snapshot_of(folder) == before
    assert store.codings["coding_id"].tolist() == ["K0001"]
    with pytest.raises(RuntimeError):
        with store.transaction(coder="R1") as tx:
            tx.add_coding("O1", "power")
            raise RuntimeError("the researcher's own code failed")
    assert snapshot_of(folder) == before
    assert not FolderLock(folder).held and FolderLock(folder).try_acquire()  # the lock was released


# ---------------------------------------------------------------- undo

def test_undo_reverts_each_change_in_turn(store, folder):
    original = codings_on_disk(folder)
    store.add_code("care", "Omsorg", "Care", definition="d", include="i", exclude="e", example="x")
    k = store.add("O1", "care", "R1")
    store.set_memo(k, "memo")
    assert store.undo() == f"set memo {k}"
    assert codings_on_disk(folder)[k]["memo"] == ""
    assert store.undo().startswith(f"add coding {k}")
    assert codings_on_disk(folder) == original
    assert store.undo() == "add code care"
    assert "care" not in set(load_project(folder).codebook["code_id"])
    with pytest.raises(DataError, match="nothing to undo"):
        store.undo()
    undo_entries = [e for e in log_entries(folder) if e["action"] == "undo"]
    assert len(undo_entries) == 3 and all("undoes" in e for e in undo_entries)


def test_undo_works_across_sessions_from_the_log(folder):
    first = CodingStore.open(folder, coder="R1")
    k = first.add("O1", "power", "R1")
    first.set_memo(k, "yesterday's memo")
    later = CodingStore.open(folder)  # another session: no history in memory
    assert later.history == []
    with pytest.raises(DataError, match="say whose"):
        later.undo()
    assert later.undo(coder="R1") == f"set memo {k}"
    assert load_project(folder).codings.set_index("coding_id").loc[k, "memo"] is pd.NA
    assert CodingStore.open(folder).undo(coder="R1").startswith(f"add coding {k}")
    assert k not in codings_on_disk(folder)
    with pytest.raises(DataError, match="no change by R1"):
        CodingStore.open(folder).undo(coder="R1")


def test_undo_does_not_take_back_a_change_another_coder_built_on(folder):
    a, b = CodingStore.open(folder, coder="A"), CodingStore.open(folder, coder="B")
    k = a.add("O1", "power", "A")
    b.reload()
    b.set_memo(k, "B's memo on A's coding")
    with pytest.raises(DataError, match="changed after"):
        a.undo(coder="A")
    assert codings_on_disk(folder)[k]["memo"] == "B's memo on A's coding"


# ---------------------------------------------------------------- other writers

def test_another_writers_new_coding_and_mine_are_both_kept(folder):
    mine, theirs = CodingStore.open(folder), CodingStore.open(folder)
    k_theirs = theirs.add("O1", "power", "R2")
    k_mine = mine.add("E1", "trust_staff", "R1")  # checked again under the lock, then saved
    assert (k_theirs, k_mine) == ("K0002", "K0003")
    assert set(codings_on_disk(folder)) == {"K0001", "K0002", "K0003"}
    assert set(mine.codings["coding_id"]) == {"K0001", "K0002", "K0003"}  # mine caught up


def test_a_change_to_a_row_another_writer_changed_is_refused_until_reload(folder):
    mine, theirs = CodingStore.open(folder), CodingStore.open(folder)
    theirs.set_memo("K0001", "their memo", coder="R2")
    with pytest.raises(ConcurrentEditError) as err:
        mine.set_memo("K0001", "my memo", coder="R1")
    assert isinstance(err.value, DataError)
    assert "R2 changed K0001" in str(err.value) and "reload" in str(err.value)
    assert codings_on_disk(folder)["K0001"]["memo"] == "their memo"
    mine.reload()
    mine.set_memo("K0001", "my memo, having read theirs", coder="R1")
    assert codings_on_disk(folder)["K0001"]["memo"] == "my memo, having read theirs"


def test_a_duplicate_made_by_another_writer_meanwhile_is_refused(folder):
    mine, theirs = CodingStore.open(folder), CodingStore.open(folder)
    theirs.add("O1", "power", "R2", start=21, end=25)
    with pytest.raises(DataError, match=r"already on this span of O1 \(K0002\) by R2"):
        mine.add("O1", "power", "R2", start=21, end=25)


def test_two_coders_may_code_the_same_span_with_the_same_code(folder):
    store = CodingStore.open(folder)
    first = store.add("O1", "power", "R1", start=21, end=25)
    second = store.add("O1", "power", "R2", start=21, end=25)
    assert first != second
    assert load_project(folder).codings.set_index("coding_id").loc[second, "coder"] == "R2"


def test_hand_edit_of_a_snapshot_file_blocks_saving(store, folder):
    with (folder / "codebook.csv").open("a", encoding="utf-8") as f:
        f.write("extra,,e,e,d,i,e,x,,active\n")
    with pytest.raises(ConcurrentEditError, match="changed outside the coding store"):
        store.add("E1", "power", "R1")
    store.reload()
    assert store.add("E1", "extra", "R1")


def test_threads_saving_at_once_all_succeed_with_distinct_ids(folder):
    stores = [CodingStore.open(folder) for _ in range(4)]
    results: list[str] = []

    def work(s: CodingStore, n: int) -> None:
        code = ["power", "trust", "trust_staff", "power"][n]
        for i in range(5):
            start = i + 5 * (n % 2)
            results.append(s.add("O1", code, f"R{n}", start=start, end=start + 4))

    threads = [threading.Thread(target=work, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == len(set(results)) == 20
    assert set(results) | {"K0001"} == set(codings_on_disk(folder)) == set(load_project(folder).codings["coding_id"])


def test_a_writer_that_holds_the_lock_too_long_makes_a_save_wait_then_refuse(store, folder):
    store.lock_timeout = 0.3
    with FolderLock(folder, holder="someone else"):
        with pytest.raises(LockTimeoutError) as err:
            store.add("O1", "power", "R1")
    assert "someone else" in str(err.value) and "nothing was saved" in str(err.value)
    assert store.add("O1", "power", "R1") == "K0002"


# ---------------------------------------------------------------- the disk refuses

def test_a_read_only_codings_file_is_refused_not_overwritten(store, folder):
    target = folder / "codings.csv"
    target.chmod(0o444)
    before = snapshot_of(folder)
    for action in (lambda: store.add("O1", "power", "R1"), lambda: store.set_memo("K0001", "x")):
        with pytest.raises(SaveError, match="read-only"):
            action()
    assert store.compact() == []  # nothing logged: nothing to write
    assert snapshot_of(folder) == before and oct(target.stat().st_mode & 0o777) == "0o444"
    target.chmod(0o644)
    store.add("O1", "power", "R1")  # now there is something to compact
    target.chmod(0o444)
    with pytest.raises(SaveError, match="read-only"):
        store.compact()
    assert snapshot_of(folder)["codings.csv"] == before["codings.csv"]


def test_a_read_only_folder_is_refused_and_not_even_the_lock_file_is_created(store, folder):
    folder.chmod(0o555)
    try:
        with pytest.raises(SaveError, match="data folder is read-only"):
            store.add("O1", "power", "R1")
        assert not (folder / LOCK_FILE).exists() and not (folder / LOG_FILE).exists()
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("call", ["pwrite", "fsync"])
def test_a_full_disk_is_reported_and_leaves_the_log_as_it_was(store, folder, monkeypatch, call):
    store.add("O1", "power", "R1")  # the log exists
    size = (folder / LOG_FILE).stat().st_size
    real = getattr(os, call)

    def full(*args):
        if call == "pwrite":  # half the data gets written, then the disk is full
            real(args[0], args[1][: len(args[1]) // 2], args[2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(coding.os, call, full)
    with pytest.raises(SaveError, match="disk is full") as err:
        store.set_memo("K0001", "not saved")
    assert "nothing was saved" in str(err.value)
    monkeypatch.undo()
    assert (folder / LOG_FILE).stat().st_size == size
    assert store.codings.set_index("coding_id").loc["K0001", "memo"] is pd.NA
    store.set_memo("K0001", "saved after space was freed")
    assert codings_on_disk(folder)["K0001"]["memo"] == "saved after space was freed"


# ---------------------------------------------------------------- compaction, crashes, damage

def test_compaction_rewrites_the_snapshots_every_n_changes_and_keeps_bounded_versions(folder):
    store = CodingStore.open(folder, coder="R1", compact_every=3)
    ids = [store.add("O1", "power", "R1", start=i, end=i + 4) for i in range(20)]
    snapshots = [e for e in log_entries(folder) if e["op"] == "snapshot"]
    assert len(snapshots) == 1 + 20 // 3  # the start entry, then one every three changes
    on_disk = pd.read_csv(folder / "codings.csv", dtype=str)["coding_id"].tolist()
    assert on_disk == ["K0001", *ids[:18]]  # the last compaction came after the 18th change
    assert set(load_project(folder).codings["coding_id"]) == {"K0001", *ids}
    versions = atomic.previous_versions(folder / "codings.csv")
    assert 0 < len(versions) <= atomic.KEEP_LAST + atomic.KEEP_DAILY
    assert store.compact() == ["codebook.csv", "codings.csv"]
    assert pd.read_csv(folder / "codings.csv", dtype=str)["coding_id"].tolist() == ["K0001", *ids]
    assert store.compact() == []


def test_saves_do_not_compact_but_opening_with_many_pending_changes_does(folder):
    store = CodingStore.open(folder, coder="R1")
    ids = [store.add("O1", "power", "R1", start=i, end=i + 4) for i in range(6)]
    snapshot = (folder / "codings.csv").read_bytes()
    assert b"K0002" not in snapshot  # six saves, no compaction on the way
    CodingStore.open(folder, compact_on_open=10)
    assert (folder / "codings.csv").read_bytes() == snapshot  # fewer pending than asked: left alone
    CodingStore.open(folder, compact_on_open=5)
    on_disk = pd.read_csv(folder / "codings.csv", dtype=str)["coding_id"].tolist()
    assert on_disk == ["K0001", *ids]
    assert [e["action"] for e in log_entries(folder)][-2:] == ["compact", "snapshot written"]


def test_a_crash_between_the_snapshot_entry_and_the_renames_loses_nothing(folder, monkeypatch):
    store = CodingStore.open(folder, coder="R1", compact_every=10**9)
    ids = [store.add("O1", "power", "R1", start=i, end=i + 4) for i in range(3)]
    real = os.replace

    def crash(src, dst):
        if Path(dst).name == "codings.csv":
            raise OSError(errno.EIO, "simulated crash before the rename")
        real(src, dst)

    monkeypatch.setattr(coding.os, "replace", crash)
    with pytest.raises(SaveError):
        store.compact()
    monkeypatch.undo()
    assert log_entries(folder)[-1]["op"] == "snapshot"  # the entry was written, codings.csv was not
    assert set(load_project(folder).codings["coding_id"]) == {"K0001", *ids}
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    again = CodingStore.open(folder)
    assert again.add("E1", "power", "R1") == "K0005"
    assert set(load_project(folder).codings["coding_id"]) == {"K0001", *ids, "K0005"}


def test_a_cut_last_line_is_ignored_with_a_warning_and_removed_by_the_next_save(store, folder):
    k = store.add("O1", "power", "R1")
    with (folder / LOG_FILE).open("ab") as f:
        f.write(b'{"seq": 3, "tx": 3, "n": 1, "time": "2016-')  # a save killed mid-write
    with pytest.warns(UserWarning, match="incomplete change"):
        project = load_project(folder)
    assert k in set(project.codings["coding_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store.set_memo(k, "after the crash")
    lines = (folder / LOG_FILE).read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines) and json.loads(lines[-1])["seq"] == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_project(folder).codings.set_index("coding_id").loc[k, "memo"] == "after the crash"


def test_an_incomplete_last_transaction_is_ignored(store, folder):
    with store.transaction(coder="R1") as tx:
        tx.add_coding("O1", "power")
        tx.add_coding("E1", "power")
    lines = (folder / LOG_FILE).read_bytes().splitlines(keepends=True)
    (folder / LOG_FILE).write_bytes(b"".join(lines[:-1]))  # the second of the two lines never reached the disk
    with pytest.warns(UserWarning, match="incomplete change"):
        assert set(load_project(folder).codings["coding_id"]) == {"K0001"}


def test_a_damaged_line_in_the_middle_of_the_log_is_refused_with_its_line(store, folder):
    for i in range(3):
        store.add("O1", "power", "R1", start=i, end=i + 4)
    lines = (folder / LOG_FILE).read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"op": "insert"', '"op": "inserted"')
    (folder / LOG_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_project(folder)
    problem = err.value.problems[0]
    assert (problem.file, problem.line) == ("changes.jsonl", 3) and "damaged" in problem.found


def test_leftover_temp_files_are_removed_and_reported_on_open(store, folder):
    (folder / ".codings.csv.abc123.tmp").write_text("half a snapshot")
    (folder / ".changes.jsonl.x9.tmp").write_text("?")
    with pytest.warns(UserWarning, match="removed 2 temporary file"):
        again = CodingStore.open(folder)
    assert sorted(p.name for p in again.cleaned) == [".changes.jsonl.x9.tmp", ".codings.csv.abc123.tmp"]
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_first_coding_creates_the_log_and_the_folder_loads(tmp_path):
    folder = write_folder(tmp_path / "data", {**SYNTHETIC, "codings": None})
    store = CodingStore.open(folder)
    assert store.add("E1", "trust", "R1") == "K0001"
    assert load_project(folder).codings["coding_id"].tolist() == ["K0001"]
    store.close()
    assert pd.read_csv(folder / "codings.csv")["coding_id"].tolist() == ["K0001"]


# ---------------------------------------------------------------- a model-based fuzz test

def test_random_changes_by_two_stores_match_a_simple_model(folder):
    """150 random changes by two stores in turn: after each, the disk and both stores agree with a model."""
    rng = random.Random(20160301)
    stores = [CodingStore.open(folder, coder="A", compact_every=7), CodingStore.open(folder, coder="B",
                                                                                     compact_every=11)]
    model = {cid: (row["code_id"], row["memo"]) for cid, row in codings_on_disk(folder).items()}
    codes = ["trust", "trust_staff", "power"]
    for step in range(150):
        s = stores[rng.randrange(2)]
        kind = rng.choice(["add", "add", "memo", "recode", "remove", "undo"])
        try:
            if kind == "add" or not model:
                start = rng.randrange(0, 20)
                cid = s.add("O1", rng.choice(codes), s.coder, start=start, end=start + rng.randrange(1, 6))
                model[cid] = (store_row(s, cid)["code_id"], "")
            elif kind == "memo":
                cid = rng.choice(sorted(model))
                memo = rng.choice(["", "kort", "längre anteckning, med komma", '"citat"', "=1+1", "rad\nrad"])
                s.set_memo(cid, memo)
                model[cid] = (model[cid][0], memo.strip())
            elif kind == "recode":
                cid = rng.choice(sorted(model))
                code = rng.choice(codes)
                s.recode(cid, code)
                model[cid] = (code, model[cid][1])
            elif kind == "remove":
                cid = rng.choice(sorted(model))
                s.remove(cid)
                del model[cid]
            else:
                s.undo(coder=s.coder)
                model = {cid: (r["code_id"], r["memo"]) for cid, r in codings_on_disk(folder).items()}
        except ConcurrentEditError:
            s.reload()
        except DataError as err:  # a duplicate span, nothing to undo, an undo blocked by a later change
            assert re.search(r"already on this span|nothing to undo|changed after|only white space", str(err)), str(err)
        disk = {cid: (r["code_id"], r["memo"]) for cid, r in codings_on_disk(folder).items()}
        loaded = load_project(folder).codings
        from_loader = {r.coding_id: (r.code_id, "" if pd.isna(r.memo) else r.memo) for r in loaded.itertuples()}
        assert from_loader == model == disk, f"step {step}: {kind}"
    for s in stores:
        s.reload()
        assert set(s.codings["coding_id"]) == set(model)


def store_row(store: CodingStore, cid: str) -> dict:
    return store.codings.set_index("coding_id").loc[cid].to_dict()


def test_refused_changes_and_an_empty_undo_create_no_file_at_all(data_copy):
    """Not even the lock file: running the doctests or a notebook on the project's own data leaves it as it was."""
    before = sorted(p.name for p in data_copy.iterdir())
    store = CodingStore.open(data_copy, coder="R1")
    for action in (lambda: store.remove("K999999"), lambda: store.recode("K999999", "x"),
                   lambda: store.set_memo("K999999", "m"), lambda: store.add("NO_SUCH", "x", "R1"),
                   lambda: store.update_code("no_such", name_en="x"), lambda: store.undo(coder="R1"),
                   lambda: store.add_code("Bad Id", "n", "n", definition="d", include="i", exclude="e", example="x")):
        with pytest.raises(DataError):
            action()
    assert store.compact() == [] and sorted(p.name for p in data_copy.iterdir()) == before


def test_the_lazy_span_index_answers_as_a_full_dict_through_random_changes():
    from ebm_analysis.coding import _span_index, _SpanIndex

    rng = random.Random(16)
    n = 400
    codings = pd.DataFrame({
        "coding_id": [f"K{i:04d}" for i in range(n)],
        "segment_id": [f"E{rng.randrange(20)}" for _ in range(n)],
        "code_id": [f"c{i % 7}" for i in range(n)], "coder": ["R1"] * n,
        "start": pd.array([None if i % 3 == 0 else i for i in range(n)], dtype="Int64"),
        "end": pd.array([None if i % 3 == 0 else i + 5 for i in range(n)], dtype="Int64")})
    lazy, full = _SpanIndex(codings), _span_index(codings)
    keys = list(full) + [("E99", "c1", "R1", 1, 2)]
    for step in range(2000):
        key = rng.choice(keys)
        action = rng.random()
        if action < 0.3:
            assert lazy.pop(key, None) == full.pop(key, None), step
        elif action < 0.5:
            lazy[key] = full[key] = f"N{step}"
        else:
            assert lazy.get(key) == full.get(key), step
