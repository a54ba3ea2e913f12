"""Reshaping the codebook (ebm_analysis.codebook_ops): each operation one transaction, undoable, logged."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import codings_on_disk, rows_on_disk
from ebm_analysis.changelog import LOG_FILE, log_table, read_forward
from ebm_analysis.codebook_ops import active_codes
from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project
from ebm_analysis.widgets.core import code_options


@pytest.fixture
def store(data_copy):
    return CodingStore.open(data_copy, coder="R1")


def book_on_disk(folder):
    """The codebook as a fresh load sees it (snapshot plus change log)."""
    return load_project(folder).codebook.set_index("code_id")


def state(folder):
    project = load_project(folder)
    return (project.codebook.sort_values("code_id").reset_index(drop=True),
            project.codings.sort_values("coding_id").reset_index(drop=True))


def last_transaction(folder):
    entries = read_forward(folder / LOG_FILE).entries
    return [e for e in entries if e.tx == entries[-1].tx]


def assert_undo_restores(store, folder, before):
    store.undo()
    after = state(folder)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


# ---------------------------------------------------------------- rename

def test_rename_changes_the_names_only_and_is_logged_and_undone(store, data_copy):
    before = state(data_copy)
    store.rename_code("workload", name_en="workload and demands at work", coder="R2", reason="clearer")
    book = book_on_disk(data_copy)
    assert book.at["workload", "name_en"] == "workload and demands at work"
    assert book.at["workload", "name_sv"] == "arbetsbelastning och krav"
    assert codings_on_disk(data_copy)["K0021"]["code_id"] == "workload"
    [entry] = last_transaction(data_copy)
    assert (entry.action, entry.coder, entry.reason, entry.key) == ("rename code", "R2", "clearer", "workload")
    store.undo(coder="R2")
    pd.testing.assert_frame_equal(state(data_copy)[0], before[0])


def test_rename_refuses_an_unknown_code_and_an_empty_name(store, data_copy):
    with pytest.raises(DataError, match="'no_such', which codebook.csv does not list"):
        store.rename_code("no_such", name_en="x")
    with pytest.raises(DataError, match="name_sv needs a value"):
        store.rename_code("workload", name_sv="  ")
    with pytest.raises(DataError, match="neither name_sv nor name_en"):
        store.rename_code("workload")
    assert not (data_copy / LOG_FILE).exists()


# ---------------------------------------------------------------- move

def test_move_changes_the_parent_and_undo_moves_it_back(store, data_copy):
    before = state(data_copy)
    store.move_code("workload", "discretion", reason="belongs with constraints")
    assert book_on_disk(data_copy).at["workload", "parent_id"] == "discretion"
    store.move_code("workload", None)
    assert pd.isna(book_on_disk(data_copy).at["workload", "parent_id"])
    store.undo()
    store.undo()
    pd.testing.assert_frame_equal(state(data_copy)[0], before[0])


def test_move_refuses_a_cycle_an_unknown_parent_and_a_retired_parent(store, data_copy):
    with pytest.raises(DataError, match="makes a cycle back to 'stress'"):
        store.move_code("stress", "workload")
    with pytest.raises(DataError, match="'nowhere', which codebook.csv does not list"):
        store.move_code("workload", "nowhere")
    store.retire_code("lack_of_time")
    size = (data_copy / LOG_FILE).stat().st_size
    with pytest.raises(DataError, match="'lack_of_time', which is retired"):
        store.move_code("workload", "lack_of_time")
    assert (data_copy / LOG_FILE).stat().st_size == size  # nothing logged


# ---------------------------------------------------------------- merge

def test_merge_recodes_codings_moves_sub_codes_and_retires_the_source(store, data_copy):
    before = state(data_copy)
    result = store.merge_codes("discretion", "power_imbalance", reason="one theme")
    book = book_on_disk(data_copy)
    assert book.at["discretion", "status"] == "retired"
    assert book.at["little_extra", "parent_id"] == "power_imbalance"  # sub-codes follow, keep their codings
    assert book.at["method_constraints", "parent_id"] == "power_imbalance"
    moved = set(before[1].loc[before[1]["code_id"] == "discretion", "coding_id"])
    assert len(moved) == 3 and set(result["coding_id"]) == moved
    assert (result["outcome"] == "recoded").all() and (result["to_code"] == "power_imbalance").all()
    on_disk = codings_on_disk(data_copy)
    assert all(on_disk[c]["code_id"] == "power_imbalance" for c in moved)
    entries = last_transaction(data_copy)
    assert {e.action for e in entries} == {"merge codes"} and {e.reason for e in entries} == {"one theme"}
    assert entries[-1].op == "note" and "discretion into power_imbalance" in entries[-1].after["summary"]
    assert_undo_restores(store, data_copy, before)


def test_merge_resolves_a_duplicate_by_keeping_the_target_coding_and_its_memo(store, data_copy):
    keep = store.add("E013", "relief_from_stress", "coder1", start=32, end=51, memo="kept one")
    store.set_memo("K0021", "the workload memo")
    before = state(data_copy)
    result = store.merge_codes("workload", "relief_from_stress").set_index("coding_id")
    assert result.at["K0021", "outcome"] == f"removed: duplicate of {keep}; memo kept on {keep}"
    assert result.at["K0021", "kept_coding_id"] == keep
    assert result.at["K0028", "outcome"] == "recoded"
    on_disk = codings_on_disk(data_copy)
    assert "K0021" not in on_disk
    assert on_disk[keep]["memo"] == "kept one | the workload memo"
    assert on_disk["K0028"]["code_id"] == "relief_from_stress"
    assert_undo_restores(store, data_copy, before)
    assert codings_on_disk(data_copy)["K0021"]["memo"] == "the workload memo"


def test_merge_keeps_two_coders_codings_of_the_same_span_apart(store, data_copy):
    store.add("E013", "relief_from_stress", "coder2", start=32, end=51)
    result = store.merge_codes("workload", "relief_from_stress")
    assert (result["outcome"] == "recoded").all()  # coder2's coding is not coder1's duplicate


def test_merge_refusals_change_nothing(store, data_copy):
    cases = [(("stress", "workload"), "a sub-code of 'stress'"),
             (("workload", "workload"), "the same code as the source"),
             (("workload", "no_such"), "'no_such', which codebook.csv does not list")]
    for args, message in cases:
        with pytest.raises(DataError, match=message):
            store.merge_codes(*args)
    assert not (data_copy / LOG_FILE).exists()
    store.retire_code("lack_of_time")
    with pytest.raises(DataError, match="'lack_of_time', which is retired"):
        store.merge_codes("workload", "lack_of_time")
    with pytest.raises(DataError, match="'lack_of_time', which is retired"):
        store.merge_codes("lack_of_time", "workload")


# ---------------------------------------------------------------- split

def test_split_creates_children_and_lists_codings_without_reassigning(store, data_copy):
    before = state(data_copy)
    listed = store.split_code("workload", [
        {"code_id": "workload_demands", "name_sv": "krav", "name_en": "demands", "definition": "Demands."},
        {"code_id": "workload_busy", "name_sv": "upptagen", "name_en": "busy"}], reason="two kinds")
    book = book_on_disk(data_copy)
    assert book.at["workload_demands", "parent_id"] == "workload"
    assert book.at["workload_demands", "definition"] == "Demands."
    assert book.at["workload_busy", "definition"].startswith("(from workload) High demands")
    assert sorted(listed["coding_id"]) == ["K0021", "K0028"]
    assert (listed["candidates"] == "workload_demands; workload_busy").all()
    assert listed.set_index("coding_id").at["K0021", "span_text"] == codings_on_disk(data_copy)["K0021"]["span_text"]
    pd.testing.assert_frame_equal(state(data_copy)[1], before[1])  # no coding changed
    store.recode("K0021", "workload_demands")
    store.undo()
    assert_undo_restores(store, data_copy, before)


def test_split_as_siblings_and_its_refusals(store, data_copy):
    store.split_code("workload", [{"code_id": "overtime", "name_sv": "övertid", "name_en": "overtime"}],
                     as_children=False)
    assert book_on_disk(data_copy).at["overtime", "parent_id"] == "stress"
    size = (data_copy / LOG_FILE).stat().st_size
    with pytest.raises(DataError, match="already has"):
        store.split_code("workload", [{"code_id": "overtime", "name_sv": "a", "name_en": "b"}])
    with pytest.raises(DataError, match="without name_en"):
        store.split_code("workload", [{"code_id": "x1", "name_sv": "a"}])
    with pytest.raises(DataError, match="no new code"):
        store.split_code("workload", [])
    assert (data_copy / LOG_FILE).stat().st_size == size


# ---------------------------------------------------------------- retire and delete

def test_retire_keeps_codings_valid_and_hides_the_code_from_pickers(store, data_copy):
    store.retire_code("workload", reason="merged into method_constraints by hand")
    project = load_project(data_copy)
    assert project.codebook.set_index("code_id").at["workload", "status"] == "retired"
    assert (project.codings["code_id"] == "workload").sum() == 2
    assert "workload" not in [c for _, c in code_options(project.codebook)]
    assert "workload" not in set(active_codes(project.codebook)["code_id"])
    with pytest.raises(DataError, match="already retired"):
        store.retire_code("workload")
    store.undo()
    assert book_on_disk(data_copy).at["workload", "status"] == "active"


def test_retire_refuses_a_parent_with_active_sub_codes(store):
    with pytest.raises(DataError, match="parent of active sub-codes"):
        store.retire_code("stress")
    store.retire_code("workload")
    store.retire_code("relief_from_stress")
    store.retire_code("stress")
    assert (store.codebook.set_index("code_id").loc[["stress", "workload"], "status"] == "retired").all()


def test_delete_only_for_a_code_without_codings(store, data_copy):
    with pytest.raises(DataError, match="used by 2 coding"):
        store.delete_code("workload")
    with pytest.raises(DataError, match="retire the code"):
        store.delete_code("workload")
    store.delete_code("lack_of_time", reason="never used")
    assert "lack_of_time" not in rows_on_disk(data_copy, "codebook")
    assert "lack_of_time" not in set(load_project(data_copy).codebook["code_id"])
    store.undo()
    assert "lack_of_time" in set(load_project(data_copy).codebook["code_id"])


def test_every_operation_appears_in_the_log_with_coder_and_reason(store, data_copy):
    store.rename_code("workload", name_en="demands", coder="R2", reason="r1")
    store.move_code("workload", None, coder="R2", reason="r2")
    store.split_code("workload", [{"code_id": "w2", "name_sv": "a", "name_en": "b"}], coder="R2", reason="r3")
    store.merge_codes("w2", "workload", coder="R2", reason="r4")
    store.retire_code("lack_of_time", coder="R2", reason="r5")
    log = log_table(data_copy, coder="R2")
    seen = log[log["action"] != "start change log"].groupby("action", sort=False)["reason"].first().to_dict()
    assert seen == {"rename code": "r1", "move code": "r2", "split code": "r3", "merge codes": "r4",
                    "retire code": "r5"}
