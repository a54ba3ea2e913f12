"""Headless tests of the coding workbench and the theme explorer (ebm_analysis.widgets).

Every test that writes works on a temporary copy of data/ (the ``data_copy``
fixture of conftest.py). Expected values are computed here from the CSV files
with the csv module, independently of the library.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from conftest import rows_on_disk
from ebm_analysis.lock import LOCK_FILE, FolderLock
from ebm_analysis.widgets import (
    CHARS, NO_MEETING, WHOLE, CodingWidget, ThemeExplorer, Workbench, code_options, filter_segments,
    highlight_html, sentence_spans,
)
from ebm_analysis.widgets.core import CodedData, meeting_bars_html, theme_by_meeting

CODER = "tester"


# ---------------------------------------------------------------- helpers

def rows(folder: Path, file: str) -> list[dict[str, str]]:
    with (folder / file).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def saved(folder: Path, file: str) -> list[dict[str, str]]:
    """The rows of codings.csv or codebook.csv as saved (the CSV file plus the change log), read independently."""
    return list(rows_on_disk(folder, file.removesuffix(".csv")).values())


def segments(folder: Path) -> dict[str, dict[str, str]]:
    """segment id -> {meeting, role, source, text_sv, text_en}, from the CSV files."""
    out = {}
    for r in rows(folder, "excerpts.csv"):
        out[r["excerpt_id"]] = {"meeting": r["meeting"], "role": r["speaker_role"], "source": r["source_type"],
                                "text_sv": r["text_sv"], "text_en": r["text_en"]}
    for r in rows(folder, "observations.csv"):
        out[r["note_id"]] = {"meeting": r["meeting"], "role": "observer", "source": "observation_note",
                             "text_sv": r["text_sv"], "text_en": r["text_en"]}
    return out


def subtree(folder: Path, code: str) -> set[str]:
    parent = {r["code_id"]: r["parent_id"] for r in rows(folder, "codebook.csv")}
    found = {code}
    changed = True
    while changed:
        new = {c for c, p in parent.items() if p in found} - found
        found |= new
        changed = bool(new)
    return found


def listed(widget: CodingWidget) -> list[str]:
    return [value for _, value in widget.segment_select.options]


class MarkParser(HTMLParser):
    """Collects, per coding id, the text inside the <mark> elements that list it."""

    def __init__(self):
        super().__init__()
        self.marked: dict[str, str] = {}
        self.stack: list[list[str]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "mark":
            self.stack.append(dict(attrs).get("data-codings", "").split())

    def handle_endtag(self, tag):
        if tag == "mark" and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.text += data
        for ids in self.stack:
            for cid in ids:
                self.marked[cid] = self.marked.get(cid, "") + data


def segment_text_html(view: str) -> str:
    match = re.search(r'<div class="ebm-segment-text"[^>]*>(.*?)</div>', view, re.S)
    assert match, "the segment view has no text block"
    return match.group(1)


# ---------------------------------------------------------------- pure logic

def test_sentence_spans_trim_and_keep_abbreviations():
    text = "  Första meningen. Andra, t.ex. med förkortning? ”Citat.” Sista utan punkt "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Första meningen.", "Andra, t.ex. med förkortning?", "”Citat.”", "Sista utan punkt"]
    assert all(not text[s:e][0].isspace() and not text[s:e][-1].isspace() for s, e in spans)


def test_code_options_indent_children_under_parent():
    book = pd.DataFrame({"code_id": ["b", "a", "a_child", "a_grandchild"],
                         "parent_id": [None, None, "a", "a_child"],
                         "name_en": ["B", "A", "A child", "A grandchild"],
                         "status": ["active", "active", "active", "unused"]})
    options = code_options(book)
    assert [v for _, v in options] == ["b", "a", "a_child", "a_grandchild"]
    labels = [text for text, _ in options]
    assert labels[2] == "\u00a0" * 4 + "a > a_child — A child"
    assert labels[3] == "\u00a0" * 8 + "a > a_child > a_grandchild — A grandchild (unused)"


def test_highlight_html_escapes_and_marks_overlapping_spans():
    # synthetic segment: markup-like characters in the text, two overlapping codings, one whole-segment coding
    text = 'Hon sa "<nej>" & gick. Sedan kom hon tillbaka.'
    book = pd.DataFrame({"code_id": ["x", "y", "z"], "parent_id": [None, None, None],
                         "color": ["#ff0000", "#00ff00", None]})
    cod = pd.DataFrame({"coding_id": ["K1", "K2", "K3"], "code_id": ["x", "y", "z"],
                        "start": pd.array([0, 8, None], dtype="Int64"), "end": pd.array([21, 29, None], dtype="Int64")})
    out = highlight_html(text, cod, book)
    assert "<nej>" not in out and "&lt;nej&gt;" in out and "&amp;" in out
    parser = MarkParser()
    parser.feed(out)
    assert parser.text == text
    assert parser.marked["K1"] == text[0:21]
    assert parser.marked["K2"] == text[8:29]
    assert parser.marked["K3"] == text
    assert "#ff000066" in out and "#00ff00" in out and "#bbbbbb" in out  # colours; grey where none given


def test_filter_segments_on_synthetic_data():
    seg = pd.DataFrame({
        "segment_id": ["E1", "E2", "O1"], "source_type": ["interview", "meeting", "observation_note"],
        "speaker_role": ["social_secretary", "service_user_mentor", "observer"],
        "meeting": pd.array([None, 3, 3], dtype="Int64"),
        "text_sv": ["Tillit tar tid.", "Var mänsklig.", "De talade om tillit och tid."],
        "text_en": ["Trust takes time.", "Be human.", "They talked about trust and time."]})
    book = pd.DataFrame({"code_id": ["soft", "trust", "other"], "parent_id": [None, "soft", None]})
    cod = pd.DataFrame({"coding_id": ["K1", "K2"], "segment_id": ["E1", "E2"], "code_id": ["trust", "other"],
                        "start": pd.array([None, None], dtype="Int64"), "end": pd.array([None, None], dtype="Int64")})
    data = CodedData(seg, cod, book)
    assert filter_segments(data, meeting=3)["segment_id"].tolist() == ["E2", "O1"]
    assert filter_segments(data, meeting=NO_MEETING)["segment_id"].tolist() == ["E1"]
    assert filter_segments(data, code="soft")["segment_id"].tolist() == ["E1"]  # via the sub-code
    assert filter_segments(data, search="TILLIT")["segment_id"].tolist() == ["E1", "O1"]
    assert filter_segments(data, search="human")["segment_id"].tolist() == ["E2"]  # English text too
    assert filter_segments(data, role="observer", search="tid")["segment_id"].tolist() == ["O1"]


# ---------------------------------------------------------------- browsing

def test_filter_by_meeting_role_and_source(data_copy):
    seg = segments(data_copy)
    wb = CodingWidget(data_copy, coder=CODER)
    assert listed(wb) == list(seg)
    wb.meeting_filter.value = 5
    assert listed(wb) == [s for s, r in seg.items() if r["meeting"] == "5"]
    assert wb.segment_select.value == listed(wb)[0]
    wb.role_filter.value = "service_user_mentor"
    assert listed(wb) == [s for s, r in seg.items() if r["meeting"] == "5" and r["role"] == "service_user_mentor"]
    wb.meeting_filter.value = NO_MEETING
    wb.role_filter.value = ""
    wb.source_filter.value = "survey_comment"
    expected = [s for s, r in seg.items() if r["meeting"] == "" and r["source"] == "survey_comment"]
    assert expected and listed(wb) == expected
    assert wb.count_label.value.startswith(f"{len(expected)} of {len(seg)}")


def test_filter_by_code_includes_subcodes(data_copy):
    codes = subtree(data_copy, "stress")
    expected_ids = {r["segment_id"] for r in saved(data_copy, "codings.csv") if r["code_id"] in codes}
    wb = CodingWidget(data_copy, coder=CODER)
    wb.code_filter.value = "stress"
    assert set(listed(wb)) == expected_ids
    direct = {r["segment_id"] for r in saved(data_copy, "codings.csv") if r["code_id"] == "stress"}
    assert expected_ids - direct, "the bundled data should have stress passages coded only by a sub-code"


def test_filter_by_text_search(data_copy):
    seg = segments(data_copy)
    wb = CodingWidget(data_copy, coder=CODER)
    wb.search_text.value = "tillit"
    expected = [s for s, r in seg.items() if "tillit" in r["text_sv"].lower() or "tillit" in r["text_en"].lower()]
    assert expected and listed(wb) == expected
    # the hits are underlined in the selected segment
    assert '<u class="ebm-hit">' in wb.segment_view.value
    wb.search_text.value = "ingen-sådan-text"
    assert listed(wb) == [] and wb.segment_select.value is None
    assert "No segment matches" in wb.segment_view.value


def test_selected_segment_highlights_its_codings(data_copy):
    seg = segments(data_copy)
    codings = [r for r in saved(data_copy, "codings.csv") if r["segment_id"] == "O010"]
    assert any(r["start"] for r in codings), "O010 should have a partial coding"
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    parser = MarkParser()
    parser.feed(segment_text_html(wb.segment_view.value))
    text = seg["O010"]["text_sv"]
    assert parser.text == text
    for r in codings:
        want = text[int(r["start"]):int(r["end"])] if r["start"] else text
        assert parser.marked[r["coding_id"]] == want, r["coding_id"]
    assert set(parser.marked) == {r["coding_id"] for r in codings}
    assert [v for _, v in wb.coding_select.options] == sorted(r["coding_id"] for r in codings)
    assert seg["O010"]["text_en"][:40] in wb.segment_view.value  # English beside


def test_sentence_choice_sets_positions_and_preview(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    text = segments(data_copy)["O010"]["text_sv"]
    sentences = [v for _, v in wb.sentence_select.options if isinstance(v, tuple)]
    assert len(sentences) == 2
    wb.sentence_select.value = sentences[1]
    assert (wb.start_text.value, wb.end_text.value) == sentences[1]
    assert wb.span == sentences[1]
    assert text[sentences[1][0]:sentences[1][1]] in wb.span_preview.value
    wb.start_text.value = 0  # typing a position switches to character mode
    assert wb.sentence_select.value == CHARS
    assert wb.span == (0, sentences[1][1])


# ---------------------------------------------------------------- changes

def test_apply_sentence_span_saves_exactly_one_row(data_copy):
    before = (data_copy / "codings.csv").read_bytes()
    old = saved(data_copy, "codings.csv")
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    second = [v for _, v in wb.sentence_select.options if isinstance(v, tuple)][1]
    wb.sentence_select.value = second
    wb.code_select.value = "empathy"
    wb.apply_button.click()
    new = saved(data_copy, "codings.csv")
    added = [r for r in new if r not in old]
    assert len(new) == len(old) + 1 and len(added) == 1
    row = added[0]
    assert (row["segment_id"], row["code_id"], row["coder"], row["start"], row["end"], row["memo"]) == (
        "O010", "empathy", CODER, str(second[0]), str(second[1]), "")
    assert "Saved" in wb.status.value and row["coding_id"] in wb.status.value
    assert row["span_text"] == segments(data_copy)["O010"]["text_sv"][second[0]:second[1]].strip()
    # the click appended to the change log; the snapshot file was not rewritten
    assert (data_copy / "codings.csv").read_bytes() == before
    assert (data_copy / "changes.jsonl").exists()
    # the view shows the new coding, selected
    assert wb.coding_select.value == row["coding_id"]
    parser = MarkParser()
    parser.feed(segment_text_html(wb.segment_view.value))
    assert parser.marked[row["coding_id"]] == segments(data_copy)["O010"]["text_sv"][second[0]:second[1]]


def test_apply_whole_segment_then_duplicate_is_refused(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "E001"
    wb.sentence_select.value = WHOLE
    wb.code_select.value = "trust"
    wb.apply_button.click()
    mine = [r for r in saved(data_copy, "codings.csv") if r["coder"] == CODER]
    assert [(r["segment_id"], r["code_id"], r["start"], r["end"]) for r in mine] == [("E001", "trust", "", "")]
    after_first = (data_copy / "changes.jsonl").read_bytes()
    wb.apply_button.click()  # the same code on the same span again
    assert (data_copy / "changes.jsonl").read_bytes() == after_first
    assert "Error" in wb.status.value and "already on this span" in wb.status.value
    assert wb.apply_button in wb.action_bar.children and wb.status in wb.action_bar.children  # next to the button


def test_bad_character_span_is_refused_and_nothing_saved(data_copy):
    before = (data_copy / "codings.csv").read_bytes()
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    wb.start_text.value = 50
    wb.end_text.value = 20
    assert "need 0 ≤ start" in wb.span_preview.value
    wb.apply_button.click()
    assert (data_copy / "codings.csv").read_bytes() == before
    assert "ebm-status-error" in wb.status.value
    assert not (data_copy / "changes.jsonl").exists()


def test_remove_coding(data_copy):
    old = saved(data_copy, "codings.csv")
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    wb.coding_select.value = "K0058"
    wb.remove_button.click()
    new = saved(data_copy, "codings.csv")
    assert [r["coding_id"] for r in old if r not in new] == ["K0058"]
    assert len(new) == len(old) - 1
    assert "K0058" not in [v for _, v in wb.coding_select.options]
    assert 'data-codings="K0058' not in wb.segment_view.value


def test_memo_is_saved_on_the_selected_coding(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    wb.coding_select.value = "K0058"
    assert wb.memo_text.value == ""
    wb.memo_text.value = "Förtroende, read as trust; see O026."
    wb.memo_button.click()
    memos = {r["coding_id"]: r["memo"] for r in saved(data_copy, "codings.csv")}
    assert memos["K0058"] == "Förtroende, read as trust; see O026."
    assert memos["K0057"] == ""  # the other coding of the segment is untouched
    wb.coding_select.value = "K0057"
    assert wb.memo_text.value == ""
    wb.coding_select.value = "K0058"
    assert wb.memo_text.value == "Förtroende, read as trust; see O026."


def test_new_code_is_saved_and_can_be_applied(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.new_code_id.value = "peer_support"
    wb.new_name_sv.value = "kollegialt stöd"
    wb.new_name_en.value = "peer support"
    wb.new_parent.value = "belonging"
    wb.new_definition.value = "Support between the newly hired social secretaries."
    wb.new_include.value = "Tips and help given to each other."
    wb.new_exclude.value = "Advice from the mentors: use mentor_advice."
    wb.new_example.value = "delade tankar, erfarenhet och tips med varandra"
    wb.add_code_button.click()
    book = {r["code_id"]: r for r in saved(data_copy, "codebook.csv")}
    assert book["peer_support"]["parent_id"] == "belonging"
    assert book["peer_support"]["name_sv"] == "kollegialt stöd"
    assert book["peer_support"]["status"] == "active"
    labels = dict((v, k) for k, v in wb.code_select.options)
    assert labels["peer_support"] == "\u00a0" * 4 + "peer_support — peer support"  # indented under its parent
    assert "belonging &gt; peer_support — peer support" in wb.chosen_code.value
    assert wb.code_select.value == "peer_support" and wb.new_code_id.value == ""
    wb.segment_select.value = "O012"
    wb.apply_button.click()
    assert ("O012", "peer_support") in {(r["segment_id"], r["code_id"]) for r in saved(data_copy, "codings.csv")}


def test_new_code_with_missing_definition_is_refused(data_copy):
    before = saved(data_copy, "codebook.csv")
    wb = CodingWidget(data_copy, coder=CODER)
    wb.new_code_id.value = "half_done"
    wb.new_name_sv.value = wb.new_name_en.value = "x"
    wb.add_code_button.click()
    assert saved(data_copy, "codebook.csv") == before
    assert "definition needs a text" in wb.status.value
    assert "definition needs a text" in wb.button_status["add_code"].value
    assert wb.new_code_id.value == "half_done" and wb.new_name_sv.value == "x"  # what was typed is kept


def test_undo_restores_the_saved_state(data_copy):
    original = saved(data_copy, "codings.csv")
    wb = CodingWidget(data_copy, coder=CODER)
    wb.undo_button.click()  # nothing of this coder's yet: a message, no exception
    assert "nothing to undo" in wb.status.value and wb.undo_button in wb.action_bar.children
    wb.segment_select.value = "E002"
    wb.code_select.value = "bemotande"
    wb.apply_button.click()
    assert saved(data_copy, "codings.csv") != original
    wb.undo_button.click()
    assert saved(data_copy, "codings.csv") == original
    assert "undid" in wb.status.value and "ebm-status-success" in wb.status.value
    wb.undo_button.click()  # nothing left: a message, no exception, no change
    assert "nothing to undo" in wb.status.value
    assert saved(data_copy, "codings.csv") == original


def test_undo_reaches_a_change_of_an_earlier_session(data_copy):
    first = CodingWidget(data_copy, coder=CODER)
    first.segment_select.value = "E002"
    first.code_select.value = "bemotande"
    first.apply_button.click()
    new_id = first.coding_select.value
    later = CodingWidget(data_copy, coder=CODER)  # e.g. the next day, a new kernel
    later.undo_button.click()
    assert f"add coding {new_id}" in later.status.value
    assert new_id not in {r["coding_id"] for r in saved(data_copy, "codings.csv")}


def test_undo_takes_back_a_new_code(data_copy):
    original = saved(data_copy, "codebook.csv")
    wb = CodingWidget(data_copy, coder=CODER)
    wb.new_code_id.value = "tmp_code"
    for field in (wb.new_name_sv, wb.new_name_en, wb.new_definition, wb.new_include, wb.new_exclude, wb.new_example):
        field.value = "text"
    wb.add_code_button.click()
    assert "tmp_code" in [v for _, v in wb.code_select.options]
    wb.undo_button.click()
    assert saved(data_copy, "codebook.csv") == original
    assert "tmp_code" not in [v for _, v in wb.code_select.options]


def test_two_writers_both_code_and_an_edit_conflict_is_shown_not_saved(data_copy):
    first = CodingWidget(data_copy, coder="coder_a")
    second = CodingWidget(data_copy, coder="coder_b")
    first.segment_select.value = "E001"
    first.code_select.value = "trust"
    first.apply_button.click()
    second.segment_select.value = "E003"
    second.code_select.value = "empathy"
    second.apply_button.click()  # a new coding does not clash with the other's: both are kept
    coders = [(r["segment_id"], r["code_id"], r["coder"]) for r in saved(data_copy, "codings.csv")]
    assert ("E001", "trust", "coder_a") in coders and ("E003", "empathy", "coder_b") in coders

    first.segment_select.value = second.segment_select.value = "O010"
    first.coding_select.value = second.coding_select.value = "K0058"
    first.memo_text.value = "coder_a's reading"
    first.memo_button.click()
    second.memo_text.value = "coder_b's reading"
    second.memo_button.click()  # the same coding, changed meanwhile by coder_a: refused, must not raise
    memo = {r["coding_id"]: r["memo"] for r in saved(data_copy, "codings.csv")}["K0058"]
    assert memo == "coder_a's reading"  # the first writer's change survives
    assert "ebm-status-conflict" in second.status.value and "ebm-status-conflict" in second.button_status["memo"].value
    assert "changed codings.csv" in second.status.value and "Reload" in second.status.value
    assert second.memo_text.value == "coder_b's reading"  # what was typed is kept
    assert second.reload_button.button_style == "warning"
    assert str(data_copy) not in second.status.value  # no paths in the message

    second.reload_button.click()
    assert second.segment_select.value == "O010"
    second.coding_select.value = "K0058"
    second.memo_text.value = "coder_b's reading, after coder_a's"
    second.memo_button.click()
    memo = {r["coding_id"]: r["memo"] for r in saved(data_copy, "codings.csv")}["K0058"]
    assert memo == "coder_b's reading, after coder_a's"
    assert second.reload_button.button_style == ""


def test_opening_and_browsing_never_writes(data_copy):
    before = {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()}
    wb = CodingWidget(data_copy, coder=CODER)
    wb.meeting_filter.value = 4
    wb.code_filter.value = "soft_values"
    wb.static_html()
    explorer = ThemeExplorer(data_copy)
    explorer.theme_select.value = "discretion"
    after = {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()}
    assert after == before
    assert not (data_copy / ".versions").exists()


def test_static_views_are_deterministic_and_pathless(data_copy):
    one, two = CodingWidget(data_copy), CodingWidget(data_copy)
    for wb in (one, two):
        wb.meeting_filter.value = 3
        wb.segment_select.value = "E001"
    assert one.static_html() == two.static_html()
    page = one.static_html(max_rows=2)
    assert "… and" in page and "E001" in page and str(data_copy) not in page
    assert "data-codings=" in page  # the highlighted segment is part of it
    e1, e2 = ThemeExplorer(data_copy), ThemeExplorer(data_copy)
    assert e1.static_html() == e2.static_html() and str(data_copy) not in e1.static_html()
    bundle = one._repr_mimebundle_()
    assert bundle["text/plain"].startswith("CodingWidget")


def test_workbench_without_widgets(data_copy):
    bench = Workbench.open(data_copy, coder=CODER)
    outcome = bench.apply("E001", "no_such_code")
    assert outcome.kind == "error" and not outcome.ok
    outcome = bench.apply("E001", "trust", 0, 2, memo="m")
    assert outcome.ok and outcome.coding_id
    row = [r for r in saved(data_copy, "codings.csv") if r["coding_id"] == outcome.coding_id][0]
    assert (row["start"], row["end"], row["memo"]) == ("0", "2", "m")


# ---------------------------------------------------------------- theme explorer

def expected_quotes(folder: Path, theme: str, meeting: str | None = None, role: str | None = None) -> list[str]:
    seg = segments(folder)
    codes = subtree(folder, theme)
    return [r["coding_id"] for r in rows(folder, "codings.csv")
            if r["code_id"] in codes and (meeting is None or seg[r["segment_id"]]["meeting"] == meeting)
            and (role is None or seg[r["segment_id"]]["role"] == role)]


def test_theme_explorer_quotes_for_theme_and_meeting(data_copy):
    explorer = ThemeExplorer(data_copy)
    explorer.theme_select.value = "soft_values"
    assert set(explorer.quotes["coding_id"]) == set(expected_quotes(data_copy, "soft_values"))
    assert set(explorer.quotes["code_id"]) - {"soft_values"}, "sub-codes are included"
    explorer.meeting_select.value = 5
    want = expected_quotes(data_copy, "soft_values", meeting="5")
    assert want and sorted(explorer.quotes["coding_id"]) == sorted(want)
    explorer.role_select.value = "service_user_mentor"
    want = expected_quotes(data_copy, "soft_values", meeting="5", role="service_user_mentor")
    assert want and sorted(explorer.quotes["coding_id"]) == sorted(want)
    seg = segments(data_copy)
    for cid in want:
        sid = next(r["segment_id"] for r in saved(data_copy, "codings.csv") if r["coding_id"] == cid)
        assert seg[sid]["text_en"].replace("'", "&#x27;").replace('"', "&quot;")[:30] in explorer.quotes_view.value
    # the chart keeps all meetings for the role and marks the chosen one
    assert "font-weight:bold;\"><td>5</td>" in explorer.chart.value


def test_theme_explorer_counts_per_meeting(data_copy):
    explorer = ThemeExplorer(data_copy)
    explorer.theme_select.value = "soft_values"
    seg = segments(data_copy)
    codes = subtree(data_copy, "soft_values")
    coded = [r for r in saved(data_copy, "codings.csv") if r["code_id"] in codes]
    for m in range(1, 9):
        in_m = [r for r in coded if seg[r["segment_id"]]["meeting"] == str(m)]
        got = explorer.counts.set_index("meeting").loc[m]
        assert (got["codings"], got["segments"]) == (len(in_m), len({r["segment_id"] for r in in_m}))
    assert explorer.counts.attrs["without_meeting"] == len([r for r in coded if seg[r["segment_id"]]["meeting"] == ""])


def test_theme_explorer_no_meeting_and_empty_result(data_copy):
    explorer = ThemeExplorer(data_copy)
    explorer.theme_select.value = "stress"
    explorer.meeting_select.value = NO_MEETING
    want = expected_quotes(data_copy, "stress", meeting="")
    assert want and sorted(explorer.quotes["coding_id"]) == sorted(want)
    explorer.meeting_select.value = 1
    assert explorer.quotes.empty and "No passages match" in explorer.quotes_view.value


def test_meeting_bars_scale_to_the_largest_meeting():
    counts = pd.DataFrame({"meeting": [1, 2, 3], "codings": [4, 1, 0], "segments": [2, 1, 0]})
    counts.attrs["without_meeting"] = 1
    page = meeting_bars_html(counts)
    assert page.count("width:100%") == 1 and page.count("width:50%") == 1
    assert "1 coding." in page


def test_theme_by_meeting_respects_role(data_copy):
    from ebm_analysis.queries import coded_data
    from ebm_analysis import load_project
    data = coded_data(load_project(data_copy))
    seg = segments(data_copy)
    codes = subtree(data_copy, "soft_values")
    table = theme_by_meeting(data, "soft_values", role="observer").set_index("meeting")
    for m in range(1, 9):
        want = [r for r in saved(data_copy, "codings.csv") if r["code_id"] in codes
                and seg[r["segment_id"]]["meeting"] == str(m) and seg[r["segment_id"]]["role"] == "observer"]
        assert table.loc[m, "codings"] == len(want)


@pytest.mark.parametrize("bad", ["<script>alert(1)</script>", "a & b"])
def test_status_and_preview_escape_user_text(data_copy, bad):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.new_code_id.value = bad
    wb.add_code_button.click()
    assert "<script>" not in wb.status.value
    assert "ebm-status-error" in wb.status.value


# ---------------------------------------------------------------- saves the disk or another writer refuses

def _ready_to_apply(wb: CodingWidget):
    wb.segment_select.value = "O010"
    span = [v for _, v in wb.sentence_select.options if isinstance(v, tuple)][1]
    wb.sentence_select.value = span
    wb.code_select.value = "empathy"
    return span


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != LOCK_FILE}


def _shown_in_red_next_to(wb: CodingWidget, button: str, words: str) -> None:
    assert "ebm-status-error" in wb.status.value and words in wb.status.value
    if button in wb.button_status:  # a button away from the action bar has its own place for a refusal
        beside = wb.button_status[button].value
        assert words in beside and "color:#b00020" in beside and "Saved" not in beside
    else:  # the action bar's buttons have the status line beside them
        assert getattr(wb, f"{button}_button") in wb.action_bar.children and wb.status in wb.action_bar.children
        assert "color:#b00020" in wb.status.value and "Saved" not in wb.status.value
    assert all(place.value == "" for name, place in wb.button_status.items() if name != button)


def test_a_read_only_folder_is_shown_next_to_the_button_and_the_input_is_kept(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    span = _ready_to_apply(wb)
    before = _files(data_copy)
    data_copy.chmod(0o555)
    try:
        wb.apply_button.click()
    finally:
        data_copy.chmod(0o755)
    _shown_in_red_next_to(wb, "apply", "read-only")
    assert "nothing was saved" in wb.status.value
    assert _files(data_copy) == before and not (data_copy / LOCK_FILE).exists()
    assert (wb.segment_select.value, wb.sentence_select.value, wb.code_select.value) == ("O010", span, "empathy")
    wb.apply_button.click()  # writable again: the same click now saves
    assert "Saved" in wb.status.value and "ebm-status-error" not in wb.status.value


def test_a_read_only_codings_file_refuses_the_memo_and_keeps_what_was_typed(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    wb.coding_select.value = "K0058"
    wb.memo_text.value = "Ett långt och noga skrivet memo."
    (data_copy / "codings.csv").chmod(0o444)
    wb.memo_button.click()
    _shown_in_red_next_to(wb, "memo", "read-only")
    assert wb.memo_text.value == "Ett långt och noga skrivet memo."
    assert {r["coding_id"]: r["memo"] for r in saved(data_copy, "codings.csv")}["K0058"] == ""


def test_a_full_disk_is_shown_next_to_the_button(data_copy, monkeypatch):
    import errno

    from ebm_analysis import coding

    wb = CodingWidget(data_copy, coder=CODER)
    _ready_to_apply(wb)

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(coding.os, "pwrite", full)
    wb.apply_button.click()
    _shown_in_red_next_to(wb, "apply", "disk is full")
    assert not [r for r in saved(data_copy, "codings.csv") if r["coder"] == CODER]
    monkeypatch.undo()
    wb.apply_button.click()
    assert "Saved" in wb.status.value and [r for r in saved(data_copy, "codings.csv") if r["coder"] == CODER]


def test_another_writer_holding_the_lock_too_long_is_shown_next_to_the_button(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    wb.coding_select.value = "K0058"
    wb.bench.store.lock_timeout = 0.2
    with FolderLock(data_copy, holder="coder_z"):
        wb.remove_button.click()
    _shown_in_red_next_to(wb, "remove", "coder_z")
    assert "K0058" in {r["coding_id"] for r in saved(data_copy, "codings.csv")}
    assert wb.coding_select.value == "K0058"


def test_an_unexpected_error_is_shown_not_only_in_the_log_console(data_copy, monkeypatch):
    wb = CodingWidget(data_copy, coder=CODER)
    _ready_to_apply(wb)

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(wb.bench.store, "add", broken)
    wb.apply_button.click()
    _shown_in_red_next_to(wb, "apply", "may not have been saved")


PERMISSION_CHILD = r"""
import json, os, sys
from ebm_analysis.widgets import CodingWidget  # imported as root: the interpreter lives under /root
import csv, io, ebm_analysis.coding, ebm_analysis.lock  # noqa: F401  (everything used later, imported now)
folder = sys.argv[1]
wb = CodingWidget(folder, coder="tester")
wb.segment_select.value = "O010"
wb.code_select.value = "empathy"
os.setgid(65534)
os.setuid(65534)  # from here on an ordinary user, who may read the folder but not write in it
wb.apply_button.click()
print(json.dumps({"status": wb.status.value, "beside": wb.apply_button in wb.action_bar.children
                  and wb.status in wb.action_bar.children, "code": wb.code_select.value}))
"""


def test_a_permission_error_from_the_operating_system_is_shown(tmp_path, data_copy):
    """A real EACCES: the folder belongs to another user and only they may write in it."""
    import json
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    from conftest import ROOT

    if os.geteuid() == 0:  # root may write anywhere: drop to the user "nobody" inside the child
        folder = Path(tempfile.mkdtemp(prefix="ebm-perm-")) / "data"
        try:
            shutil.copytree(data_copy, folder)
            folder.parent.chmod(0o755)
            for path in [folder, *folder.iterdir()]:
                path.chmod(0o755 if path.is_dir() else 0o644)  # owner root may write; nobody may only read
            out = subprocess.run([sys.executable, "-c", PERMISSION_CHILD, str(folder)], capture_output=True,
                                 text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
            shown = json.loads(out.stdout.strip().splitlines()[-1])
            assert not (folder / LOCK_FILE).exists()
        finally:
            shutil.rmtree(folder.parent)
    else:  # an ordinary user cannot open a file without any permission: the lock file, here
        (data_copy / LOCK_FILE).write_text("")
        (data_copy / LOCK_FILE).chmod(0)
        wb = CodingWidget(data_copy, coder=CODER)
        wb.segment_select.value = "O010"
        wb.code_select.value = "empathy"
        wb.apply_button.click()
        shown = {"status": wb.status.value, "beside": wb.apply_button in wb.action_bar.children
                 and wb.status in wb.action_bar.children, "code": wb.code_select.value}
    assert "no permission to write" in shown["status"] and "nothing was saved" in shown["status"]
    assert shown["beside"] and "color:#b00020" in shown["status"]
    assert shown["code"] == "empathy"


# ---------------------------------------------------------------- merging codes and writing memos from the widget

def test_merge_codes_from_the_widget_moves_the_codings_and_undo_takes_it_back(data_copy):
    original = {r["coding_id"]: r["code_id"] for r in saved(data_copy, "codings.csv")}
    empathy = {cid for cid, code in original.items() if code == "empathy"}
    assert empathy  # the EBM data has codings of empathy
    wb = CodingWidget(data_copy, coder=CODER)
    wb.merge_source.value, wb.merge_target.value = "empathy", "trust"
    wb.merge_button.click()
    assert "Saved" in wb.status.value and "merged empathy into trust" in wb.status.value
    after = {r["coding_id"]: r["code_id"] for r in saved(data_copy, "codings.csv")}
    assert all(after.get(cid, "removed") in ("trust", "removed") for cid in empathy)
    assert {c: k for c, k in after.items() if c not in empathy} == {c: k for c, k in original.items() if c not in empathy}
    book = {r["code_id"]: r for r in saved(data_copy, "codebook.csv")}
    assert book["empathy"]["status"] == "retired"  # kept in the codebook, not deleted
    assert "empathy" not in [v for _, v in wb.code_select.options]  # no new codings with a retired code
    assert "empathy" not in [v for _, v in wb.merge_source.options]
    wb.undo_button.click()
    assert {r["coding_id"]: r["code_id"] for r in saved(data_copy, "codings.csv")} == original
    assert {r["code_id"]: r for r in saved(data_copy, "codebook.csv")}["empathy"]["status"] == "active"
    assert "empathy" in [v for _, v in wb.code_select.options]


def test_merging_a_code_into_itself_is_refused_next_to_the_button(data_copy):
    before = saved(data_copy, "codings.csv")
    wb = CodingWidget(data_copy, coder=CODER)
    wb.merge_source.value = wb.merge_target.value = "trust"
    wb.merge_button.click()
    assert "ebm-status-error" in wb.status.value and "different code" in wb.button_status["merge"].value
    assert saved(data_copy, "codings.csv") == before


def test_write_a_memo_linked_to_the_segment_code_and_meeting(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    wb.code_select.value = "trust"
    wb.memo_title.value = "Tillit kommer av att bli lyssnad på"
    wb.memo_body.value = "Trust follows from being *listened to* (O010)."
    wb.memo_link_code.value = wb.memo_link_meeting.value = True
    wb.write_memo_button.click()
    assert "Saved" in wb.status.value and "memo M001" in wb.status.value
    meeting = segments(data_copy)["O010"]["meeting"]
    text = (data_copy / "memos" / "M001.md").read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    assert "title: Tillit kommer av att bli lyssnad på" in front and f"author: {CODER}" in front
    assert [line.strip() for line in front.splitlines() if line.strip().startswith("- ")] == [
        "- segment:O010", "- code:trust", f"- meeting:{meeting}"]
    assert body.strip() == "Trust follows from being *listened to* (O010)."
    assert wb.memo_title.value == "" and wb.memo_body.value == ""  # the form is cleared after a save
    assert "Memos on this segment" in wb.segment_view.value and "Tillit kommer av att bli lyssnad på" in wb.segment_view.value
    wb.segment_select.value = "O011"
    assert "Memos on this segment" not in wb.segment_view.value  # only the segment it is linked to


def test_an_unreadable_memo_folder_shows_in_the_segment_view_not_as_an_exception(data_copy):
    (data_copy / "memos").mkdir()
    (data_copy / "memos" / "M001.md").write_text("no front matter at all\n", encoding="utf-8")
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    assert "The memos could not be read" in wb.segment_view.value and "M001.md" in wb.segment_view.value


def test_a_memo_without_title_is_refused_and_what_was_typed_stays(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.memo_body.value = "Anteckning utan rubrik."
    wb.write_memo_button.click()
    assert "ebm-status-error" in wb.status.value and "ebm-status-error" in wb.button_status["note"].value
    assert wb.memo_body.value == "Anteckning utan rubrik."
    assert not (data_copy / "memos").exists() or not list((data_copy / "memos").glob("M*.md"))


def test_a_meeting_link_for_a_segment_without_meeting_is_refused(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    no_meeting = next(sid for sid, s in segments(data_copy).items() if not s["meeting"])
    wb.segment_select.value = no_meeting
    wb.memo_title.value = "Ett memo"
    wb.memo_body.value = "Text."
    wb.memo_link_meeting.value = True
    wb.write_memo_button.click()
    assert "no meeting" in wb.button_status["note"].value
    assert not (data_copy / "memos").exists() or not list((data_copy / "memos").glob("M*.md"))
