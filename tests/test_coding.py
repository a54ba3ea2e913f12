"""Tests for ebm_analysis.coding (the coding store).

All fixtures here are SYNTHETIC: a tiny data folder written from scratch, so the
tests do not depend on the content of the real codebook or codings.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pandas as pd
import pytest

from ebm_analysis import atomic
from ebm_analysis.coding import CodingStore, ConcurrentEditError, next_coding_id
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project
from ebm_analysis.schema import TABLES

# ---------------------------------------------------------------- shared synthetic fixtures

TEXT_E1 = "Vi lärde oss mycket om tillit."      # 30 characters; "tillit" is [23, 29)
TEXT_O1 = "Samtalet handlade om makt."          # 26 characters; "makt" is [21, 25)


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
                 "start": 23, "end": 29}],
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "data", SYNTHETIC)


@pytest.fixture
def store(folder: Path) -> CodingStore:
    return CodingStore.open(folder)


def codings_on_disk(folder: Path) -> pd.DataFrame:
    return load_project(folder).codings


# ---------------------------------------------------------------- ids

def test_next_coding_id_is_one_past_the_highest_filling_no_gaps():
    assert next_coding_id(pd.DataFrame({"coding_id": ["K0002", "K0010", "K0003"]})) == "K0011"
    assert next_coding_id(pd.DataFrame({"coding_id": ["K9999"]})) == "K10000"


# ---------------------------------------------------------------- changes

def test_add_span_and_whole_segment_are_saved_at_once(store, folder):
    k2 = store.add("O1", "power", "R2", start=21, end=25, memo="  makt  ")
    k3 = store.add("E1", "trust_staff", "R2")
    assert (k2, k3) == ("K0002", "K0003")
    disk = codings_on_disk(folder).set_index("coding_id")
    assert TEXT_O1[disk.loc["K0002", "start"]:disk.loc["K0002", "end"]] == "makt"
    assert disk.loc["K0002", "memo"] == "makt"
    assert pd.isna(disk.loc["K0003", "start"]) and pd.isna(disk.loc["K0003", "end"])
    assert len(atomic.previous_versions(folder / "codings.csv")) == 2


@pytest.mark.parametrize("kwargs, column", [
    ({"segment_id": "E9", "code_id": "trust"}, "segment_id"),
    ({"segment_id": "E1", "code_id": "no_such"}, "code_id"),
    ({"segment_id": "E1", "code_id": "trust", "start": 5, "end": 31}, "end"),    # text has 30 characters
    ({"segment_id": "E1", "code_id": "trust", "start": 5, "end": 5}, "end"),     # empty span
    ({"segment_id": "E1", "code_id": "trust", "start": -1, "end": 3}, "end"),
    ({"segment_id": "E1", "code_id": "trust", "start": 5}, "end"),               # end missing
    ({"segment_id": "E1", "code_id": "trust", "start": 23, "end": 29}, "code_id"),  # K0001 already
])
def test_bad_add_raises_and_changes_nothing(store, folder, kwargs, column):
    before = (folder / "codings.csv").read_bytes()
    with pytest.raises(DataError) as err:
        store.add(coder="R1", **kwargs)
    assert column in {p.column for p in err.value.problems}
    assert (folder / "codings.csv").read_bytes() == before
    assert store.codings["coding_id"].tolist() == ["K0001"]
    assert store.history == []


def test_offsets_at_the_text_end_are_accepted(store):
    k = store.add("E1", "power", "R1", start=0, end=30)
    assert store.codings.set_index("coding_id").loc[k, "end"] == 30


def test_remove_recode_set_memo(store, folder):
    store.recode("K0001", "trust_staff")
    store.set_memo("K0001", "om förtroende")
    disk = codings_on_disk(folder).set_index("coding_id")
    assert disk.loc["K0001", "code_id"] == "trust_staff"
    assert disk.loc["K0001", "memo"] == "om förtroende"
    store.remove("K0001")
    assert codings_on_disk(folder).empty
    with pytest.raises(DataError, match="not a coding"):
        store.remove("K0001")
    k = store.add("E1", "trust", "R1")
    with pytest.raises(DataError, match="codebook.csv does not list"):
        store.recode(k, "nope")


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


def test_undo_reverts_each_change_in_turn_and_saves(store, folder):
    original = (folder / "codings.csv").read_text(encoding="utf-8")
    store.add_code("care", "Omsorg", "Care", definition="d", include="i", exclude="e", example="x")
    k = store.add("O1", "care", "R1")
    store.set_memo(k, "memo")
    assert store.undo() == f"set memo of {k}"
    assert pd.isna(codings_on_disk(folder).set_index("coding_id").loc[k, "memo"])
    assert store.undo().startswith(f"add coding {k}")
    assert (folder / "codings.csv").read_text(encoding="utf-8") == original
    assert store.undo() == "add code care"
    assert "care" not in set(load_project(folder).codebook["code_id"])
    with pytest.raises(DataError, match="nothing to undo"):
        store.undo()


def test_first_coding_creates_codings_file(tmp_path):
    folder = write_folder(tmp_path / "data", {**SYNTHETIC, "codings": None})
    store = CodingStore.open(folder)
    assert store.add("E1", "trust", "R1") == "K0001"
    assert codings_on_disk(folder)["coding_id"].tolist() == ["K0001"]


# ---------------------------------------------------------------- concurrent writers

def test_concurrent_writer_is_detected_and_not_overwritten(folder):
    mine, theirs = CodingStore.open(folder), CodingStore.open(folder)
    theirs.add("O1", "power", "R2")
    saved_by_them = (folder / "codings.csv").read_bytes()
    with pytest.raises(ConcurrentEditError) as err:
        mine.add("E1", "trust_staff", "R1")
    assert isinstance(err.value, DataError)
    assert "another kernel or program" in str(err.value) and "reload" in str(err.value)
    assert (folder / "codings.csv").read_bytes() == saved_by_them
    mine.reload()
    assert mine.add("E1", "trust_staff", "R1") == "K0003"
    assert codings_on_disk(folder)["coding_id"].tolist() == ["K0001", "K0002", "K0003"]


def test_hand_edit_of_codebook_blocks_saving_codings(store, folder):
    with (folder / "codebook.csv").open("a", encoding="utf-8") as f:
        f.write("extra,,e,e,d,i,e,x,,active\n")
    with pytest.raises(ConcurrentEditError, match="codebook.csv"):
        store.add("E1", "power", "R1")


def test_threads_saving_at_once_never_lose_a_saved_coding(folder):
    stores = [CodingStore.open(folder) for _ in range(4)]
    results: list[str] = []

    def work(s: CodingStore) -> None:
        try:
            s.add("O1", "power", f"R{id(s) % 97}")
            results.append("saved")
        except ConcurrentEditError:
            results.append("refused")

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "saved" in results
    on_disk = codings_on_disk(folder)
    assert "K0001" in set(on_disk["coding_id"])

# The real-corpus invariants (every segment coded, every code used or 'unused') are in tests/test_queries.py.
