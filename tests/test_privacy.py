"""Scanning data for personal identifiers."""

from __future__ import annotations

import pandas as pd
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
    "Tre av sex socialsekreterare, 70 procent",
    "Träffen 05.11.2015 kl 08.30-09.45, sedan 09.30 – 10.45",
    "se sida 12-14 och ISBN 978-91-27-12345-6",
    "looking at codings.csv; we met at home. Then",
    "år 2016 kom 1234 svar",
])
def test_no_false_alarms(text):
    assert find_identifiers(text) == []


def test_names_matched_as_whole_words_any_case():
    # The value is the text as written (here "Anna"), as for every other kind.
    assert find_identifiers("Sa Anna det?", ["anna"]) == [("name", "Anna")]
    assert find_identifiers("Annandag", ["Anna"]) == []


# ------------------------------------------------------------------ identifiers that hide (#18.4)

@pytest.mark.parametrize("text, kind, value", [
    ("pnr 811218\u20139876", "personnummer", "811218\u20139876"),              # en dash (word processors)
    ("pnr 811218\u20119876", "personnummer", "811218\u20119876"),              # non-breaking hyphen
    ("pnr 811218\u00a09876", "personnummer", "811218\u00a09876"),              # no-break space
    ("pnr 811218 - 9876", "personnummer", "811218 - 9876"),                      # spaced hyphen
    ("pnr 19811218\u22129876", "personnummer", "19811218\u22129876"),          # minus sign
    ("pnr ８１１２１８-９８７６", "personnummer", "８１１２１８-９８７６"),                 # full-width digits
    ("pnr 811218-9875 (fel kontrollsiffra)", "possible personnummer", "811218-9875"),
    ("pnr 811218 - 9875", "possible personnummer", "811218 - 9875"),
    ("ring +46 (0)70-123 45 67", "phone", "+46 (0)70-123 45 67"),
    ("ring 070 - 123 45 67", "phone", "070 - 123 45 67"),
    ("ring 070.123.45.67", "phone", "070.123.45.67"),
    ("ring 070\u2013123 45 67", "phone", "070\u2013123 45 67"),
    ("ring +46-70-123-45-67", "phone", "+46-70-123-45-67"),
    ("ring 08-123 456 78", "phone", "08-123 456 78"),
    ("ring ０７０－１２３ ４５ ６７", "phone", "０７０－１２３ ４５ ６７"),
    ("mejla anna(at)example.se", "email", "anna(at)example.se"),
    ("mejla anna at example dot se", "email", "anna at example dot se"),
    ("mejla anna[at]example[dot]se", "email", "anna[at]example[dot]se"),
    ("mejla anna＠example.se", "email", "anna＠example.se"),
    ("mejla anna snabel-a example punkt se", "email", "anna snabel-a example punkt se"),
])
def test_hidden_forms_are_flagged(text, kind, value):
    assert (kind, value) in find_identifiers(text)


@pytest.mark.parametrize("text", [
    "a" * 130_000, "a@" * 65_000, "a." * 65_000, "a@" + "b." * 65_000, "0" * 130_000, "07-" * 43_000,
    "x at " * 26_000, "a(at)" * 26_000, "x at y dot " * 12_000, "811218-" * 19_000, "1 " * 65_000,
])
def test_patterns_are_linear(text):
    """A 130,000-character word is scanned at once (guarded by a time limit, not timed)."""
    from test_project import _with_time_limit

    _with_time_limit(5, lambda: find_identifiers(text))


def test_every_file_of_the_folder_is_scanned(data_copy):
    (data_copy / "refi_notes.csv").write_text("note_guid,name,text,attached_to\ng1,Note,pnr 811218-9876,K1\n",
                                             encoding="utf-8")
    (data_copy / "changes.jsonl").write_text(
        '{"seq": 1, "action": "set_memo", "before": {"memo": "ring 070-123 45 67"}, "after": {"memo": "SS1"}}\n'
        "not json: anna@example.se\n", encoding="utf-8")
    (data_copy / ".versions").mkdir()
    (data_copy / ".versions" / "codings.0001.csv").write_text(
        "coding_id,memo\nK1,mejla anna(at)example.se\n", encoding="utf-8")
    (data_copy / ".cache").mkdir()
    (data_copy / ".cache" / "x.csv").write_text("a\n811218-9876\n", encoding="utf-8")
    found = scan_folder(data_copy)
    got = {(r.file, r.line, None if pd.isna(r.column) else r.column, r.kind) for r in found.itertuples(index=False)}
    assert got == {("refi_notes.csv", 2, "text", "personnummer"),
                   ("changes.jsonl", 1, "before.memo", "phone"),
                   ("changes.jsonl", 2, None, "email"),
                   (".versions/codings.0001.csv", 2, "memo", "email")}


def test_names_file_linked_out_of_the_folder_is_refused(data_copy, tmp_path):
    from ebm_analysis import DataError

    outside = tmp_path / "names.txt"
    outside.write_text("Hemlig Person\n", encoding="utf-8")
    (data_copy / "names_to_flag.txt").symlink_to(outside)
    with pytest.raises(DataError, match="outside the data folder") as info:
        scan_folder(data_copy)
    assert "Hemlig" not in str(info.value)


def test_table_linked_out_of_the_folder_is_not_scanned(data_copy, tmp_path):
    outside = tmp_path / "x.csv"
    outside.write_text("a\n811218-9876\n", encoding="utf-8")
    (data_copy / "refi_cases.csv").symlink_to(outside)
    assert scan_folder(data_copy).empty


def test_scan_names_file_line_and_column(data_copy, edit_table):
    edit_table(data_copy, "excerpts.csv", lambda rows: set_cell(rows, 2, "text_en", "said Kim, 0701234567"))
    (data_copy / "names_to_flag.txt").write_text("# names of people in the project\nKim\n", encoding="utf-8")
    found = scan_folder(data_copy)
    assert found[["file", "line", "column"]].drop_duplicates().values.tolist() == [["excerpts.csv", 4, "text_en"]]
    assert sorted(found["kind"]) == ["name", "phone"]


def test_real_data_is_clean():
    assert scan_folder(DATA).empty


def test_findings_are_placed_on_their_row_and_column(tmp_path):
    (tmp_path / "refi_notes.csv").write_text(
        "note_guid,name,text\n"
        "g1,Anna,ingenting här\n"
        "g2,\"Två\nrader\",ring 070-123 45 67\n"
        "g3,x,y,extra fält 811218-9876\n"            # a row with one field too many
        "g4,anna@example.se,pnr 811218-9875\n", encoding="utf-8")
    found = scan_folder(tmp_path)
    got = [(r.line, r.column, r.kind, r.value) for r in found.itertuples(index=False)]
    assert got == [(3, "text", "phone", "070-123 45 67"),
                   (5, "#4", "personnummer", "811218-9876"),
                   (6, "name", "email", "anna@example.se"),
                   (6, "text", "possible personnummer", "811218-9875")]


def test_hint_windows_find_exactly_what_a_full_scan_finds():
    """The fast path (patterns run only around hints) agrees with running them over the whole text."""
    import random

    from ebm_analysis.privacy import _findings, normalise

    rng = random.Random(18)
    pieces = ["811218-9876", "811218-9875", "19811218 - 9876", "070-123 45 67", "+46 (0)70-123 45 67", "0701234567",
              "070.123.45.67", "08-123 456 78", "anna@example.se", "anna at example dot se", "a(at)b[dot]se",
              "kalle snabel-a x punkt se", "2015-11-05", "10.45", "05.11.2015", " at ", " dot ", "@", "(", ")",
              "-", " ", ".", "ord", "Möte", "\u2013", "\u00a0", "０７０", "+46", "12", "345", "6789", "\x00", "\n"]
    for _ in range(400):
        text = normalise("".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))))
        assert _findings(text, None) == _findings(text, None, windows=False), repr(text)
