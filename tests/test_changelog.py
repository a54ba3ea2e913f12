"""Tests for ebm_analysis.changelog: the log's format, reading it forwards and backwards, replay, the loader's hook.

Logs here are written by hand (SYNTHETIC entries) where the format itself is
under test, and by the store where the round trip is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ebm_analysis.changelog import (
    LOG_FILE, STORE_TABLES, Entry, coding_activity, log_table, read_forward, read_tail, replay, table_digest,
)
from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project
from ebm_analysis.rowtable import RowTable
from test_coding import SYNTHETIC, write_folder


def note(seq: int, tx: int | None = None, n: int = 1) -> Entry:
    return Entry(seq, tx or seq, n, "2016-03-01T10:00:00.000Z", "R1", "test", "note")


def write_log(path: Path, entries: list[Entry], tail: str = "") -> Path:
    path.write_text("".join(e.to_json() + "\n" for e in entries) + tail, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "data", SYNTHETIC)


# ---------------------------------------------------------------- the format

def test_an_entry_round_trips_through_json_with_swedish_text():
    e = Entry(3, 2, 2, "2016-03-01T10:00:00.000Z", "R1", "set memo", "update", "codings", "K0001",
              {"memo": None}, {"memo": "om tillit, \"citat\"\nny rad"}, "ändrad", undoes=1)
    line = e.to_json()
    assert "\n" not in line and "tillit" in line  # one line, readable (not \\u-escaped) Swedish
    assert Entry.from_json(line) == e


@pytest.mark.parametrize("line, why", [
    ('[1, 2]', "not a JSON object"),
    ('{"seq": 1}', "missing"),
    (json.dumps({**json.loads(note(1).to_json()), "seq": 0}), "positive whole number"),
    (json.dumps({**json.loads(note(1).to_json()), "op": "upsert"}), "op 'upsert'"),
    (json.dumps({**json.loads(note(1).to_json()), "op": "insert", "table": "meetings", "key": "1"}), "table"),
])
def test_a_malformed_entry_is_refused_with_the_reason(line, why):
    with pytest.raises(ValueError, match=why):
        Entry.from_json(line)


# ---------------------------------------------------------------- reading

def test_read_forward_returns_complete_transactions_and_measures_a_cut_tail(tmp_path):
    log = write_log(tmp_path / LOG_FILE, [note(1), note(2, 2, 2), note(3, 2, 2), note(4, 4, 2)], tail='{"seq": 5')
    chunk = read_forward(log)
    assert [e.seq for e in chunk.entries] == [1, 2, 3]  # 4 is half of a transaction of two; 5 is cut
    assert chunk.end == len("".join(note(i, t, n).to_json() + "\n" for i, t, n in ((1, 1, 1), (2, 2, 2), (3, 2, 2))))
    assert chunk.torn == log.stat().st_size - chunk.end
    again = read_forward(log, chunk.end, 4)
    assert again.entries == [] and again.end == chunk.end


def test_damage_before_the_end_is_refused_naming_the_line(tmp_path):
    lines = [note(i).to_json() for i in range(1, 6)]
    lines[2] = lines[2][:20]  # line 3 cut, but lines 4 and 5 follow: not a crash, damage
    log = tmp_path / LOG_FILE
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for read in (read_forward, read_tail):
        with pytest.raises(DataError) as err:
            read(log)
        assert (err.value.problems[0].file, err.value.problems[0].line) == (LOG_FILE, 3)


def test_entries_out_of_order_are_damage(tmp_path):
    log = write_log(tmp_path / LOG_FILE, [note(1), note(3), note(4)])
    with pytest.raises(DataError, match="seq 3 on line 2"):
        read_forward(log)


def test_read_tail_reads_only_back_to_where_it_is_told_to_stop_across_blocks(tmp_path):
    entries = [Entry(i, i, 1, "2016-03-01T10:00:00.000Z", "R1", "test", "note",
                     after={"padding": "x" * 300}) for i in range(1, 2001)]  # about 0.8 MB: many 64 KB blocks
    log = write_log(tmp_path / LOG_FILE, entries)
    tail = read_tail(log, stop=lambda e: e.seq == 1500)
    assert [e.seq for e in tail.entries] == list(range(1500, 2001)) and not tail.start
    whole = read_tail(log)
    assert [e.seq for e in whole.entries] == list(range(1, 2001)) and whole.start
    assert whole.end == whole.size == log.stat().st_size and whole.torn == 0


def test_read_tail_leaves_out_a_cut_line_and_a_half_transaction(tmp_path):
    log = write_log(tmp_path / LOG_FILE, [note(1), note(2, 2, 3), note(3, 2, 3)], tail='{"seq": 4, "tx": 2')
    tail = read_tail(log)
    assert [e.seq for e in tail.entries] == [1]
    assert tail.end == len(note(1).to_json()) + 1 and tail.torn == log.stat().st_size - tail.end


# ---------------------------------------------------------------- digests and replay

def test_the_digest_of_what_the_store_writes_equals_the_digest_of_what_the_loader_reads(folder):
    store = CodingStore.open(folder, coder="R1")
    store.add("O1", "power", "R1", start=21, end=25, memo='  "Makt", sa hon; =1+2 \n ny rad ')
    store.add_code("care", "Omsorg", "Care", definition="d", include="i", exclude="e", example="x")
    store.compact()
    loaded = load_project(folder)
    for name, table in STORE_TABLES.items():
        mine = table_digest(store._tables[name].frame(), table)
        assert mine == table_digest(loaded.tables[name], table)


def test_replay_checks_each_change_against_the_row_it_changes(folder):
    tables = {name: RowTable(t, load_project(folder).tables[name]) for name, t in STORE_TABLES.items()}
    row = tables["codings"].get("K0001")
    good = Entry(2, 2, 1, "t", "R1", "set memo", "update", "codings", "K0001", row, {**row, "memo": "ny"})
    replay(tables, [good])
    assert tables["codings"].get("K0001")["memo"] == "ny"
    stale = Entry(3, 3, 1, "t", "R2", "set memo", "update", "codings", "K0001", row, {**row, "memo": "annan"})
    with pytest.raises(DataError) as err:
        replay(tables, [stale])
    assert err.value.problems[0].line == 3 and "out of step" in err.value.problems[0].expected


def test_a_hand_edited_snapshot_with_no_pending_changes_loads(folder):
    store = CodingStore.open(folder, coder="R1")
    store.add("O1", "power", "R1")
    store.compact()
    text = (folder / "codings.csv").read_text(encoding="utf-8").replace("R1,21", "R1,21")
    lines = text.splitlines()
    lines.append("K0099,E1,power,R9,,,added by hand,,,")
    (folder / "codings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "K0099" in set(load_project(folder).codings["coding_id"])


def test_a_hand_edit_that_a_pending_change_no_longer_fits_is_refused_with_advice(folder):
    store = CodingStore.open(folder, coder="R1", compact_every=10**9)
    store.set_memo("K0001", "saved in the log only")
    text = (folder / "codings.csv").read_text(encoding="utf-8")
    (folder / "codings.csv").write_text(text.replace(",R1,23,29,,", ",R1,23,29,edited by hand,"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_project(folder)
    problem = err.value.problems[0]
    assert problem.file == LOG_FILE and problem.line == 2
    assert "changed outside the coding store" in problem.expected and "git checkout" in problem.expected


def test_a_logged_coding_whose_code_was_removed_by_hand_is_refused_naming_the_log_line(folder):
    store = CodingStore.open(folder, coder="R1", compact_every=10**9)
    store.add_code("care", "Omsorg", "Care", definition="d", include="i", exclude="e", example="x")
    store.compact()
    store.add("O1", "care", "R1")
    lines = (folder / "codebook.csv").read_text(encoding="utf-8").splitlines()
    (folder / "codebook.csv").write_text("\n".join(x for x in lines if not x.startswith("care,")) + "\n",
                                         encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_project(folder)
    assert any(p.file == LOG_FILE and p.column == "code_id" and "care" in p.found for p in err.value.problems)


def test_load_sets_the_sequence_the_queries_key_their_cache_on(folder):
    assert load_project(folder).sequence == 0
    store = CodingStore.open(folder)
    store.add("O1", "power", "R1")
    assert load_project(folder).sequence == store.sequence == store.project.sequence == 2


# ---------------------------------------------------------------- showing the log

def test_log_table_filters_by_coder_time_and_action(folder):
    a = CodingStore.open(folder, coder="A")
    k = a.add("O1", "power", "A")
    CodingStore.open(folder, coder="B").set_memo(k, "B:s memo", coder="B", reason="clearer")
    table = log_table(folder)
    assert table["action"].tolist() == ["start change log", "add coding", "set memo"]
    assert log_table(folder, coder="B")["reason"].tolist() == ["clearer"]
    assert log_table(folder, action="add coding")["key"].tolist() == [k]
    assert log_table(folder, since="2999-01-01").empty
    assert log_table(folder, since=table["time"].iloc[-1])["seq"].tolist()[-1] == 3
    assert table["seq"].dtype == "Int64"


def test_coding_activity_counts_codings_and_logged_changes_per_coder(folder):
    store = CodingStore.open(folder)
    store.add("O1", "power", "A")
    store.add("E1", "power", "A")
    store.remove("K0001", coder="B")
    activity = coding_activity(load_project(folder))
    assert activity.loc["A", ["codings", "changes_logged"]].tolist() == [2, 2]
    assert activity.loc["B", ["codings", "changes_logged"]].tolist() == [0, 1]
    assert "R1" not in activity.index  # K0001, R1's only coding, was removed, and R1 logged nothing


def test_a_change_log_that_is_a_folder_or_a_link_is_refused(folder, tmp_path):
    (folder / LOG_FILE).mkdir()
    with pytest.raises(DataError, match="not a file"):
        load_project(folder)
    (folder / LOG_FILE).rmdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("token=abc123\n", encoding="utf-8")
    (folder / LOG_FILE).symlink_to(outside)
    with pytest.raises(DataError) as err:
        load_project(folder)
    assert str(outside) in str(err.value) and "abc123" not in str(err.value)
