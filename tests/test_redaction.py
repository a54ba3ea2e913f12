"""Tests for ebm_analysis.redaction: a text erased from every file of a data folder, history included.

The names and numbers here are SYNTHETIC; none is a real person.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from pathlib import Path

import pytest

from ebm_analysis import redaction
from ebm_analysis.changelog import LOG_FILE, STAGING_DIR
from ebm_analysis.coding import CodingStore, ConcurrentEditError
from ebm_analysis.errors import DataError
from ebm_analysis.lock import LOCK_FILE
from ebm_analysis.project import load_project
from ebm_analysis.redaction import redact
from test_coding import SYNTHETIC, write_folder

NAME = "Anna Svensson"
TEXT = "Jag pratade med Anna Svensson om tillit igen."
#       0123456789012345678901234567890123456789
OTHER = unicodedata.normalize("NFD", "Åsa Öberg")


def everything(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != LOCK_FILE}


def grep(folder: Path, text: str) -> list[str]:
    forms = {f.encode("utf-8") for f in (text, unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text))}
    return [rel for rel, data in everything(folder).items() if any(f in data for f in forms)]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rows = dict(SYNTHETIC)
    rows["excerpts"] = [{**SYNTHETIC["excerpts"][0], "text_sv": TEXT, "text_en": f"I talked to {NAME} about trust."}]
    rows["codings"] = []
    folder = write_folder(tmp_path / "data", rows)
    store = CodingStore.open(folder, coder="R1", compact_every=10**9)
    store.add("E1", "trust", "R1", start=33, end=39)                  # K0001 "tillit", after the name
    store.add("E1", "power", "R1", start=4, end=11)                   # K0002 "pratade", before it
    store.add("E1", "trust_staff", "R1", start=21, end=32)            # K0003 "Svensson om", half inside it
    store.add("E1", "power", "R1")                                    # K0004 the whole segment
    store.set_memo("K0002", f"{NAME} sa det; se även {OTHER}")
    store.compact()                                                   # a kept version holds the memo
    store.set_memo("K0002", "omskrivet")                               # the log holds it as 'before'
    store.compact()
    store.add_code("x_person", "Person", "Person", definition=f"samtal med {NAME}", include="i", exclude="e",
                   example="x")
    (folder / "README.md").write_text(f"Notes: interviewed {NAME}.\n", encoding="utf-8")
    with (folder / "refi_notes.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([["note_id", "text"], ["N1", f'{NAME}, "AS" i citat'],
                                                      ["N2", "inget"]])
    return folder


def test_the_text_is_found_nowhere_under_the_folder_afterwards_and_the_folder_loads(folder):
    assert set(grep(folder, NAME)) >= {"excerpts.csv", LOG_FILE, "README.md", "refi_notes.csv"}  # code: in the log
    assert any(rel.startswith(".versions/") for rel in grep(folder, NAME))
    report = redact(NAME, folder, coder="R1", reason="a participant's name")
    assert grep(folder, NAME) == []
    assert report.total >= 6 and report.replacements["excerpts.csv"] == 2  # text_sv and text_en
    project = load_project(folder)
    assert project.excerpts["text_sv"].tolist() == [TEXT.replace(NAME, "[REDACTED]")]
    assert project.excerpts["text_en"].tolist() == ["I talked to [REDACTED] about trust."]
    assert "[REDACTED]" in project.codebook.set_index("code_id").loc["x_person", "definition"]
    with (folder / "refi_notes.csv").open(newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == [["note_id", "text"], ["N1", '[REDACTED], "AS" i citat'], ["N2", "inget"]]


def test_spans_move_with_the_shorter_text(folder):
    redact(NAME, folder, placeholder="[X]")
    project = load_project(folder)
    text = project.excerpts["text_sv"].iloc[0]
    spans = {r.coding_id: (None if r.start is None or str(r.start) == "<NA>" else text[int(r.start):int(r.end)])
             for r in project.codings.itertuples()}
    assert spans == {"K0001": "tillit", "K0002": "pratade", "K0003": "[X] om", "K0004": None}
    assert project.codings.set_index("coding_id").loc["K0003", "span_text"] == "[X] om"


def test_the_log_records_the_redaction_but_never_the_text(folder):
    redact(NAME, folder, coder="R1", reason="a participant's name")
    entries = [json.loads(x) for x in (folder / LOG_FILE).read_text(encoding="utf-8").splitlines()]
    note = [e for e in entries if e["action"] == "redact" and e["op"] == "note"][0]
    assert (note["coder"], note["reason"]) == ("R1", "a participant's name")
    assert "excerpts.csv" in note["after"]["files"] and note["after"]["placeholder"] == "[REDACTED]"
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert NAME not in (folder / LOG_FILE).read_text(encoding="utf-8")


def test_the_nfc_and_nfd_forms_are_both_erased(folder):
    assert grep(folder, OTHER)
    redact(unicodedata.normalize("NFC", OTHER), folder)  # typed in NFC; stored in NFD
    assert grep(folder, OTHER) == []


def test_a_store_opened_before_must_reload_and_then_works(folder):
    open_before = CodingStore.open(folder)
    redact(NAME, folder)
    with pytest.raises(ConcurrentEditError, match="replaced"):
        open_before.add("O1", "power", "R1")
    open_before.reload()
    assert open_before.add("O1", "power", "R1")
    assert NAME not in "".join(open_before.codings["memo"].dropna())


@pytest.mark.parametrize("text, kwargs, words", [
    ("Ann", {}, "shorter than four"),
    ("trust_staff", {}, "break"),                           # a code id
    (NAME, {"reason": f"remove {NAME}"}, "the reason containing the text"),
    (NAME, {"placeholder": f"<{NAME}>"}, "the placeholder containing the text"),
])
def test_a_request_that_would_damage_the_data_changes_nothing(folder, text, kwargs, words):
    before = everything(folder)
    with pytest.raises(DataError, match=words):
        redact(text, folder, **kwargs)
    assert everything(folder) == before and not (folder / STAGING_DIR).exists()


def test_the_text_inside_a_file_that_is_not_text_is_refused(folder):
    (folder / "notes.bin").write_bytes(b"\x00\xff" + NAME.encode("utf-16-le"))
    before = everything(folder)
    with pytest.raises(DataError, match="not UTF-8 text"):
        redact(NAME, folder)
    assert everything(folder) == before


def test_a_read_only_file_is_refused(folder):
    (folder / "README.md").chmod(0o444)
    before = everything(folder)
    with pytest.raises(DataError, match="read-only"):
        redact(NAME, folder)
    assert everything(folder) == before


def test_a_crash_before_the_staging_is_complete_changes_nothing(folder, monkeypatch):
    before = everything(folder)

    def crash(files):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(redaction, "_check_staged", crash)
    with pytest.raises(DataError, match="disk is full"):
        redact(NAME, folder)
    assert everything(folder) == before and not (folder / STAGING_DIR).exists()


def test_a_crash_while_moving_the_files_in_is_completed_by_the_next_load(folder, monkeypatch):
    real = os.replace
    moved = []

    def crash_after_two(src, dst):
        if len(moved) == 2:
            raise KeyboardInterrupt("killed while moving the redacted files into place")
        moved.append(dst)
        real(src, dst)

    monkeypatch.setattr(redaction.os, "replace", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        redact(NAME, folder)
    monkeypatch.undo()
    assert (folder / STAGING_DIR / "READY").exists() and grep(folder, NAME)  # half done
    project = load_project(folder)  # finishes the redaction first
    assert not (folder / STAGING_DIR).exists() and grep(folder, NAME) == []
    assert "[REDACTED]" in project.excerpts["text_sv"].iloc[0]
