"""Selecting text to code, headless: the browser's messages simulated, the data folder checked.

The front end of the segment view (``segment_text.js``) sends the ends of a
mouse selection in UTF-16 code units, as JavaScript counts; the kernel must
turn them into Python (code point) offsets into ``text_sv``. The tests add a
synthetic segment with emoji (two UTF-16 units each), an emoji with a skin
tone modifier, and a decomposed å to a copy of the data, compute the UTF-16
positions here with Python's UTF-16 codec (independently of the library),
send them as the browser would, and read what was saved from the files.
Also: clicking a highlight, the Enter/A key, the searchable code list, the
sub-code shades and the layout (status next to the buttons).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import add_synthetic_excerpt, rows_on_disk
from ebm_analysis.widgets import CHARS, CodingWidget, code_options, highlight_html
from ebm_analysis.widgets.core import search_codes
from ebm_analysis.widgets.segment_text import SegmentText
from ebm_analysis.widgets.selection import index_to_utf16, selection_span, utf16_length, utf16_to_index
from ebm_analysis.widgets.shades import code_colors, shade
from test_widgets import MarkParser, segment_text_html

CODER = "tester"
SEGMENT = "E999"
# Synthetic (not from the report): emoji before, inside and after the words coded; "å" once decomposed.
TEXT = "🙂 Ja, jag är 👩🏽‍⚕️ trött – men här får vi stöd 💪 av mentorerna. Ga\u030aende 😀"


def u16(text: str, index: int) -> int:
    """UTF-16 position of the Python position ``index``, by the codec (not by the library)."""
    return len(text[:index].encode("utf-16-le")) // 2


@pytest.fixture
def emoji_data(data_copy: Path) -> Path:
    """The data copy with one synthetic interview segment holding emoji (labelled synthetic in its note)."""
    add_synthetic_excerpt(data_copy, SEGMENT, TEXT, "Synthetic test segment with emoji.",
                          "tests/test_widgets_select.py")
    return data_copy


def mine(folder: Path) -> list[dict[str, str]]:
    return [r for r in rows_on_disk(folder).values() if r["coder"] == CODER]


def on_segment(folder: Path) -> CodingWidget:
    wb = CodingWidget(folder, coder=CODER)
    wb.segment_select.value = SEGMENT
    return wb


def browser_select(wb: CodingWidget, start: int, end: int) -> None:
    """What segment_text.js sends for a mouse selection of TEXT[start:end]."""
    wb.segment_view.receive({"type": "select", "start": u16(TEXT, start), "end": u16(TEXT, end),
                             "text": TEXT[start:end]})


# ---------------------------------------------------------------- positions

def test_utf16_positions_match_the_codec_everywhere_in_the_text():
    assert utf16_length(TEXT) == len(TEXT.encode("utf-16-le")) // 2 > len(TEXT)
    for index in range(len(TEXT) + 1):
        assert utf16_to_index(TEXT, u16(TEXT, index)) == index
        assert index_to_utf16(TEXT, index) == u16(TEXT, index)


def test_a_position_inside_an_emoji_never_cuts_it():
    inside = u16(TEXT, 0) + 1  # between the two halves of 🙂
    assert utf16_to_index(TEXT, inside) == 0 and utf16_to_index(TEXT, inside, round_up=True) == 1
    start, end = selection_span(TEXT, 1, 1 + u16(TEXT, 3) - 1)  # from inside 🙂 to "J" of "Ja"
    assert TEXT[start:end] == "🙂 J"


def test_selection_is_trimmed_and_blank_selections_are_nothing():
    here = TEXT.index("här")
    start, end = selection_span(TEXT, u16(TEXT, here - 1), u16(TEXT, here + 4))  # " här " with both spaces
    assert TEXT[start:end] == "här"
    assert selection_span(TEXT, u16(TEXT, here - 1), u16(TEXT, here)) is None
    assert selection_span(TEXT, u16(TEXT, 5), u16(TEXT, 2)) == selection_span(TEXT, u16(TEXT, 2), u16(TEXT, 5))


# ---------------------------------------------------------------- the widget, messages as from the browser

def test_selection_after_emoji_sets_exact_offsets_and_applies_with_one_click(emoji_data):
    wb = on_segment(emoji_data)
    assert wb.segment_view.text == TEXT
    start = TEXT.index("här får")
    end = start + len("här får vi stöd")
    browser_select(wb, start, end)
    assert wb.sentence_select.value == CHARS and wb.span == (start, end)
    assert "här får vi stöd" in wb.span_preview.value
    wb.code_select.value = "trust"
    wb.apply_button.click()
    saved = mine(emoji_data)
    assert [(r["segment_id"], r["code_id"], int(r["start"]), int(r["end"])) for r in saved] == [
        (SEGMENT, "trust", start, end)]
    assert TEXT[int(saved[0]["start"]):int(saved[0]["end"])] == "här får vi stöd"
    parser = MarkParser()  # the new coding is highlighted over exactly those words
    parser.feed(segment_text_html(wb.segment_view.value))
    assert parser.text == TEXT and parser.marked[saved[0]["coding_id"]] == "här får vi stöd"


def test_selection_with_emoji_inside_applies_with_the_key(emoji_data):
    wb = on_segment(emoji_data)
    start = TEXT.index("👩")
    end = TEXT.index("💪") + 1
    browser_select(wb, start, end)
    assert TEXT[slice(*wb.span)] == TEXT[start:end] and TEXT[end - 1] == "💪"
    wb.code_select.value = "empathy"
    wb.segment_view.receive({"type": "apply"})  # Enter or A in the segment view
    assert [(int(r["start"]), int(r["end"]), r["code_id"]) for r in mine(emoji_data)] == [(start, end, "empathy")]
    assert "Saved" in wb.status.value


def test_decomposed_letters_count_the_same_in_browser_and_python(emoji_data):
    wb = on_segment(emoji_data)
    start = TEXT.index("Ga\u030aende")
    browser_select(wb, start, start + len("Ga\u030aende"))
    wb.code_select.value = "reflection_space"
    wb.apply()
    row = mine(emoji_data)[0]
    assert TEXT[int(row["start"]):int(row["end"])] == "Ga\u030aende"


def test_a_blank_or_malformed_selection_changes_nothing(emoji_data):
    wb = on_segment(emoji_data)
    before = rows_on_disk(emoji_data)
    span = wb.span
    space = TEXT.index(" ")
    wb.segment_view.receive({"type": "select", "start": u16(TEXT, space), "end": u16(TEXT, space + 1)})
    assert wb.segment_view.last_message == "ignored: only white space selected" and wb.span == span
    wb.segment_view.receive({"type": "select", "start": "x"})
    wb.segment_view.receive({"type": "nonsense"})
    wb.segment_view.receive(["not", "a", "dict"])
    assert wb.span == span and rows_on_disk(emoji_data) == before


def test_a_selection_beyond_the_text_is_clipped_to_it(emoji_data):
    wb = on_segment(emoji_data)
    wb.segment_view.receive({"type": "select", "start": u16(TEXT, TEXT.index("Ga")), "end": 10_000})
    assert TEXT[slice(*wb.span)] == "Ga\u030aende 😀"


def test_clicking_a_highlight_selects_its_coding_and_cycles_through_overlaps(emoji_data):
    wb = on_segment(emoji_data)
    outer = (TEXT.index("trött"), TEXT.index("stöd") + len("stöd"))
    inner = (TEXT.index("här"), TEXT.index("här") + len("här"))
    wb.code_select.value = "trust"
    wb.select_span(*outer)
    first = wb.apply().coding_id
    wb.code_select.value = "empathy"
    wb.select_span(*inner)
    second = wb.apply().coding_id
    marks = re.findall(r'data-codings="([^"]+)"', wb.segment_view.value)
    assert f"{second} {first}" in marks  # the overlap lists both, narrowest first
    wb.coding_select.value = None
    wb.segment_view.receive({"type": "mark", "codings": [second, first]})
    assert wb.coding_select.value == second and wb.segment_view.selected == second
    wb.segment_view.receive({"type": "mark", "codings": [second, first]})  # again: the next coding under it
    assert wb.coding_select.value == first and wb.segment_view.selected == first
    wb.memo_text.value = "Trötthet och stöd i samma andetag."
    wb.memo_button.click()
    assert {r["coding_id"]: r["memo"] for r in mine(emoji_data)}[first] == "Trötthet och stöd i samma andetag."
    wb.segment_view.receive({"type": "mark", "codings": ["K9999"]})  # not a coding of this segment: nothing
    assert wb.coding_select.value == first


def test_recode_after_clicking_a_highlight_keeps_span_and_memo(emoji_data):
    wb = on_segment(emoji_data)
    wb.code_select.value = "trust"
    span = (TEXT.index("stöd"), TEXT.index("stöd") + len("stöd"))
    wb.select_span(*span)
    coding = wb.apply().coding_id
    wb.memo_text.value = "Stöd."
    wb.save_memo()
    wb.coding_select.value = None
    wb.segment_view.receive({"type": "mark", "codings": [coding]})
    wb.code_select.value = "empathy"
    wb.recode_button.click()
    assert "recoded to empathy" in wb.status.value
    assert [(r["coding_id"], r["code_id"], int(r["start"]), int(r["end"]), r["memo"]) for r in mine(emoji_data)] == [
        (coding, "empathy", *span, "Stöd.")]
    wb.undo_button.click()
    assert [r["code_id"] for r in mine(emoji_data)] == ["trust"]


def test_recode_without_a_coding_is_refused(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"
    wb.coding_select.value = None
    wb.recode_button.click()
    assert "ebm-status-error" in wb.status.value and mine(data_copy) == []


def test_remove_after_clicking_a_highlight(emoji_data):
    wb = on_segment(emoji_data)
    wb.code_select.value = "trust"
    wb.select_span(2, 4)
    coding = wb.apply().coding_id
    wb.coding_select.value = None
    wb.segment_view.receive({"type": "mark", "codings": [coding]})
    wb.remove_button.click()
    assert mine(emoji_data) == [] and coding not in wb.segment_view.value


def test_select_span_refuses_positions_outside_the_text(emoji_data):
    wb = on_segment(emoji_data)
    span = wb.span
    wb.select_span(5, len(TEXT) + 3)
    assert "ebm-status-error" in wb.status.value and wb.span == span


def test_segment_view_sends_nothing_without_callbacks():
    view = SegmentText()
    view.text = "abc"
    view.receive({"type": "select", "start": 0, "end": 2})
    view.receive({"type": "apply"})
    assert view.last_message == "apply key"


# ---------------------------------------------------------------- codes: search and shades

def test_code_search_keeps_the_hierarchy_and_selects_the_first_match(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.code_search.value = "TILLIT"  # the Swedish name of trust, other case
    assert [v for _, v in wb.code_select.options] == ["soft_values", "trust"]
    assert wb.code_select.value == "trust" and "soft_values &gt; trust" in wb.chosen_code.value
    wb.code_search.value = "no such code"
    assert wb.code_select.options == () and "No code matches" in wb.chosen_code.value
    wb.apply_button.click()  # nothing chosen: refused, nothing saved
    assert "ebm-status-error" in wb.status.value and mine(data_copy) == []
    wb.code_search.value = ""
    assert len(wb.code_select.options) == len(code_options(wb.bench.store.codebook))
    assert wb.code_select.value == "trust"  # the last choice comes back


def test_search_codes_and_options_on_a_synthetic_tree():
    book = pd.DataFrame({"code_id": ["a", "a1", "a1x", "b"], "parent_id": [None, "a", "a1", None],
                         "name_en": ["Alpha", "Match me", "Deep", "Beta"], "name_sv": ["", "", "", ""]})
    assert search_codes(book, "match") == ["a1"]
    assert [c for _, c in code_options(book, search="match")] == ["a", "a1", "a1x"]  # parent, match, child


def test_every_sub_code_has_its_own_shade_of_its_parents_colour(data_copy):
    book = pd.read_csv(data_copy / "codebook.csv", dtype=str, keep_default_na=False)
    colors = code_colors(book.replace({"": None}))
    parent = dict(zip(book["code_id"], book["parent_id"]))
    own = dict(zip(book["code_id"], book["color"]))
    for code, up in parent.items():
        if not up:
            assert colors[code] == own[code].lower()  # top-level codes keep the codebook colour
            continue
        siblings = [c for c, p in parent.items() if p == up]
        assert colors[code] != colors[up]
        assert len({colors[s] for s in siblings}) == len(siblings), f"siblings of {up} share a colour"
        if sum(own[s] == own[code] for s in siblings) > 1:  # shared in the codebook: a shade of the parent's
            assert colors[code] == shade(colors[up], siblings.index(code), len(siblings))
    assert re.fullmatch(r"#[0-9a-f]{6}", colors["trust"])


def test_highlights_and_codings_table_use_the_shades(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    wb.segment_select.value = "O010"  # sensitive_questions (whole) and trust (a span): two sub-codes of soft_values
    colors = code_colors(wb.bench.store.codebook)
    assert colors["trust"] != colors["sensitive_questions"]
    assert f"background-color:{colors['trust']}66" in wb.segment_view.value
    assert f"background:{colors['sensitive_questions']}" in wb.codings_view.value
    out = highlight_html("abc", pd.DataFrame({"coding_id": ["K1"], "code_id": ["trust"], "start": [0], "end": [1]}),
                         wb.bench.store.codebook)
    assert colors["trust"] in out


# ---------------------------------------------------------------- layout

def test_status_sits_next_to_the_buttons_and_the_static_view_keeps_the_codings(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    bar = wb.action_bar.children
    assert bar[:5] == (wb.apply_button, wb.recode_button, wb.remove_button, wb.undo_button, wb.reload_button)
    assert bar[5] is wb.status
    assert wb.children.index(wb.action_bar) <= 3  # above the segment list, so it is on screen while coding
    wb.segment_select.value = "O010"
    page = wb.static_html()
    assert '<table class="ebm-codings"' in page and "K0058" in page and "<script" not in page


def test_segment_list_carries_the_whole_text(data_copy):
    wb = CodingWidget(data_copy, coder=CODER)
    texts = {v: k for k, v in wb.segment_select.options}
    with (data_copy / "observations.csv").open(newline="", encoding="utf-8") as f:
        longest = max(csv.DictReader(f), key=lambda r: len(r["text_sv"]))
    assert len(longest["text_sv"]) > 200
    assert texts[longest["note_id"]].split(" · ", 3)[-1] == " ".join(longest["text_sv"].split())


def test_segment_list_refuses_a_value_not_in_it():
    from traitlets import TraitError

    from ebm_analysis.widgets.segment_list import SegmentList

    chooser = SegmentList()
    chooser.options = [("E1 · a", "E1")]
    chooser.value = "E1"
    with pytest.raises(TraitError):
        chooser.value = "E2"
    assert chooser.value == "E1"


def test_code_search_keeps_every_ancestor_of_a_deep_match():
    depth = 8  # deeper than a path shows whole: the tree is followed by parent, not by the shown path
    ids = [f"c{i}" for i in range(depth)]
    book = pd.DataFrame({"code_id": ids + ["other"], "parent_id": [None, *ids[:-1], None],
                         "name_en": [f"level {i}" for i in range(depth - 1)] + ["needle", "other"],
                         "name_sv": [""] * (depth + 1)})
    assert [c for _, c in code_options(book, search="NEEDLE")] == ids
