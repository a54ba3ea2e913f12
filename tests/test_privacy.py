"""Scanning data for personal identifiers."""

from __future__ import annotations

import pytest

from conftest import DATA, set_cell
from ebm_analysis.privacy import find_identifiers, luhn_valid, scan_folder


@pytest.mark.parametrize("number, valid", [
    ("8112189876", True),    # the Swedish Tax Agency's documented example
    ("8112189875", False),
    ("6403273813", True),
    ("6403273814", False),
])
def test_luhn(number, valid):
    assert luhn_valid(number) is valid


@pytest.mark.parametrize("text, kind", [
    ("pnr 19811218-9876", "personnummer"),
    ("811218+9876", "personnummer"),
    ("tel 042-10 50 00", "phone"),
    ("ring +46 70 123 45 67", "phone"),
    ("skriv till a.b@helsingborg.se", "email"),
])
def test_identifiers_found(text, kind):
    assert kind in [k for k, _ in find_identifiers(text)]


@pytest.mark.parametrize("text", [
    "Paus 5 min 10.45.",
    "Träffen hölls 2015-11-05.",
    "811218-9875 (fel kontrollsiffra)",
    "Tre av sex socialsekreterare, 70 procent",
])
def test_no_false_alarms(text):
    assert find_identifiers(text) == []


def test_names_matched_as_whole_words_any_case():
    assert find_identifiers("Sa Anna det?", ["anna"]) == [("name", "anna")]
    assert find_identifiers("Annandag", ["Anna"]) == []


def test_scan_names_file_line_and_column(data_copy, edit_table):
    edit_table(data_copy, "excerpts.csv", lambda rows: set_cell(rows, 2, "text_en", "said Kim, 0701234567"))
    (data_copy / "names_to_flag.txt").write_text("# names of people in the project\nKim\n", encoding="utf-8")
    found = scan_folder(data_copy)
    assert found[["file", "line", "column"]].drop_duplicates().values.tolist() == [["excerpts.csv", 4, "text_en"]]
    assert sorted(found["kind"]) == ["name", "phone"]


def test_real_data_is_clean():
    assert scan_folder(DATA).empty
