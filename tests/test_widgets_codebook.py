"""The memo and adjudication widgets and the coding widget's codebook panels, headless: set values, click, check the data folder."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from ipywidgets import Box

from conftest import codings_on_disk
from ebm_analysis.changelog import log_table
from ebm_analysis.coders import CONSENSUS, coder_copy, decisions, merge_coder
from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.memos import load_memos
from ebm_analysis.project import load_project
from ebm_analysis.widgets import AdjudicationWidget, CodingWidget, MemoWidget, Workbench
from ebm_analysis.widgets.reshape import parse_new_codes


def test_memo_widget_writes_searches_and_edits(data_copy):
    mw = MemoWidget(data_copy, coder="R1")
    assert mw.memo_select.options == ()
    mw.title_text.value, mw.body_text.value, mw.links_text.value = "Trust", "Tillit växer.", "code:trust, meeting:3"
    mw.new_button.click()
    mw.clear_button.click()
    mw.title_text.value, mw.body_text.value = "Time", "No time to attend."
    mw.new_button.click()
    memos = load_memos(data_copy).set_index("memo_id")
    assert memos.at["M001", "links"] == "code:trust; meeting:3" and memos.at["M002", "kind"] == "free"
    assert mw.memo_select.value == "M002" and "Saved new memo M002" in mw.status.value
    mw.search_text.value = "tillit"
    assert [v for _, v in mw.memo_select.options] == ["M001"]
    mw.search_text.value = ""
    mw.link_filter.value = "meeting:3"
    assert [v for _, v in mw.memo_select.options] == ["M001"]
    assert "Tillit växer." in mw.memo_view.value
    mw.body_text.value = "Tillit växer långsamt."
    mw.save_button.click()
    assert load_memos(data_copy).set_index("memo_id").at["M001", "text"] == "Tillit växer långsamt."
    assert "M001" in mw.static_html() and "M002" in mw.static_html()


def test_memo_widget_shows_a_refusal_and_keeps_the_form(data_copy):
    mw = MemoWidget(data_copy, coder="R1")
    mw.title_text.value, mw.body_text.value, mw.links_text.value = "Bad", "text", "code:no_such"
    mw.new_button.click()
    assert "Error" in mw.status.value and "names no code" in mw.status.value
    assert mw.links_text.value == "code:no_such" and not (data_copy / "memos").exists()


@pytest.fixture
def second_coder(data_copy, tmp_path):
    copy = coder_copy(data_copy, tmp_path / "copy", "coder2")
    store = CodingStore.open(copy, coder="coder2")
    store.add("E001", "bemotande", "coder2")
    store.add("E002", "trust", "coder2")
    store.add("E013", "workload", "coder2", start=32, end=45)
    store.close()
    merge_coder(data_copy, copy)
    return data_copy


def test_adjudication_widget_walks_and_records_decisions(second_coder):
    aw = AdjudicationWidget(second_coder, "coder1", "coder2", adjudicator="R1")
    n = len(aw.table)
    assert n > 3 and f"1 of {n}" in aw.progress.value and "0 decided" in aw.progress.value
    first = aw.table.iloc[0]
    aw.decide_button.click()  # no reason: refused
    assert "say why" in aw.status.value and aw.position == 0
    aw.decision.value = "b"
    aw.reason_text.value = "coder2 is right here"
    aw.decide_button.click()
    assert "Saved" in aw.status.value and aw.position == 1 and "1 decided" in aw.progress.value
    done = decisions(second_coder, "coder1", "coder2").set_index("disagreement_id")
    assert done.at[first["disagreement_id"], "decision"] == "b"
    assert done.at[first["disagreement_id"], "reason"] == "coder2 is right here"
    consensus = [r for r in codings_on_disk(second_coder).values() if r["coder"] == CONSENSUS]
    expected = "" if first["coded_by"] == "coder1 only" else first["code_id"]
    assert [r["code_id"] for r in consensus] == ([expected] if expected else [])
    aw.next_button.click()
    aw.previous_button.click()
    aw.previous_button.click()
    assert aw.position == 0 and "decided: kept coder2" in aw.progress.value
    row = aw.table.set_index("disagreement_id").loc["E013/workload"]
    assert row["kind"] == "character"
    assert "<mark" in aw.view.value
    assert "coder2 is right here" in aw.static_html()
    assert f"<td>{first['disagreement_id']}</td>" in aw.static_html() and "<td>coder2</td>" in aw.static_html()


# ---------------------------------------------------------------- reshaping the codebook from the coding widget

RESHAPER = "R1"


def _book(folder) -> pd.DataFrame:
    """The codebook as saved, read back through load_project (the CSV file and the change log)."""
    return load_project(folder).codebook.set_index("code_id")


def _codes_of_codings(folder) -> dict[str, str]:
    return dict(zip(load_project(folder).codings["coding_id"], load_project(folder).codings["code_id"]))


def _actions(folder) -> list[str]:
    return log_table(folder)["action"].tolist()


def _red_beside(wb: CodingWidget, button: str, words: str) -> None:
    beside = wb.button_status[button].value
    assert "ebm-status-error" in beside and "color:#b00020" in beside and words in beside, beside
    assert "Saved" not in beside and "ebm-status-error" in wb.status.value
    assert all(place.value == "" for name, place in wb.button_status.items() if name != button)


def _options(select) -> list[str]:
    return [v for _, v in select.options]


@pytest.fixture
def reshaping(data_copy):
    """A coding widget on a copy of the EBM data, with the code ``trust`` picked in the reshape panel."""
    wb = CodingWidget(data_copy, coder=RESHAPER)
    wb.panels.selected_index = wb.panels.titles.index("Reshape the codebook")
    wb.reshape_code.value = "trust"
    return wb, data_copy


def test_the_reshape_panel_shows_the_picked_codes_names_and_parent(reshaping):
    wb, folder = reshaping
    book = _book(folder)
    assert (wb.rename_sv.value, wb.rename_en.value) == (book.at["trust", "name_sv"], book.at["trust", "name_en"])
    assert wb.move_parent.value == "soft_values"
    wb.reshape_code.value = "stress"
    assert wb.rename_sv.value == book.at["stress", "name_sv"] and wb.move_parent.value == ""
    for name in ("rename", "move", "retire", "split"):  # each button has its status beside it
        button, beside = getattr(wb, f"{name}_button"), wb.button_status[name]
        assert any(button in box.children and beside in box.children for box in _boxes(wb.panels)
                   if isinstance(box, Box))


def _boxes(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _boxes(child)


def test_rename_from_the_widget_saves_logs_and_undo_takes_it_back(reshaping):
    wb, folder = reshaping
    before = _book(folder).loc["trust"].copy()
    codings = _codes_of_codings(folder)
    wb.rename_en.value = "trust and confidence"
    wb.rename_button.click()
    assert "Saved" in wb.button_status["rename"].value and "trust and confidence" in wb.status.value
    after = _book(folder).loc["trust"]
    assert after["name_en"] == "trust and confidence" and after["name_sv"] == before["name_sv"]
    assert _codes_of_codings(folder) == codings  # the codings keep their code
    assert _actions(folder)[-1] == "rename code"
    assert any("trust and confidence" in label for label, v in wb.code_select.options if v == "trust")
    wb.undo_button.click()
    assert _book(folder).loc["trust", "name_en"] == before["name_en"]
    assert wb.rename_en.value == before["name_en"]  # the form shows the name as it is again


@pytest.mark.parametrize("field", ["rename_sv", "rename_en"])
def test_an_empty_name_is_refused_beside_the_button_and_kept(reshaping, field):
    wb, folder = reshaping
    book, log = _book(folder), _actions(folder)
    getattr(wb, field).value = "   "
    wb.rename_button.click()
    _red_beside(wb, "rename", "name is empty")
    assert getattr(wb, field).value == "   "  # what was typed stays
    assert _book(folder).equals(book) and _actions(folder) == log


def test_a_rename_that_changes_nothing_is_refused(reshaping):
    wb, folder = reshaping
    log = _actions(folder)
    wb.rename_button.click()
    _red_beside(wb, "rename", "as they were")
    assert _actions(folder) == log


def test_move_from_the_widget_to_the_top_level_and_under_another_code(reshaping):
    wb, folder = reshaping
    codings = _codes_of_codings(folder)
    wb.move_parent.value = ""
    wb.move_button.click()
    assert "Saved" in wb.button_status["move"].value and "to the top level" in wb.status.value
    assert pd.isna(_book(folder).at["trust", "parent_id"]) and _actions(folder)[-1] == "move code"
    wb.move_parent.value = "belonging"
    wb.move_button.click()
    assert _book(folder).at["trust", "parent_id"] == "belonging"
    assert _codes_of_codings(folder) == codings
    assert any(label.strip().startswith("belonging > trust") for label, _ in wb.code_filter.options)
    wb.undo_button.click()
    assert pd.isna(_book(folder).at["trust", "parent_id"]) and wb.move_parent.value == ""
    wb.undo_button.click()
    assert _book(folder).at["trust", "parent_id"] == "soft_values" and wb.move_parent.value == "soft_values"


def test_a_move_that_makes_a_cycle_is_refused_and_changes_nothing(reshaping):
    wb, folder = reshaping
    book, log = _book(folder), _actions(folder)
    wb.reshape_code.value = "soft_values"
    wb.move_parent.value = "trust"  # a sub-code of soft_values
    wb.move_button.click()
    _red_beside(wb, "move", "cycle")
    assert wb.move_parent.value == "trust" and wb.reshape_code.value == "soft_values"
    assert _book(folder).equals(book) and _actions(folder) == log


def test_a_move_to_where_the_code_is_is_refused(reshaping):
    wb, folder = reshaping
    log = _actions(folder)
    wb.move_button.click()  # the form shows its present parent
    _red_beside(wb, "move", "already under soft_values")
    assert _actions(folder) == log


def test_retire_from_the_widget_keeps_the_codings_and_undo_brings_the_code_back(reshaping):
    wb, folder = reshaping
    codings = _codes_of_codings(folder)
    assert "trust" in codings.values()
    wb.retire_button.click()
    assert "Saved" in wb.button_status["retire"].value and "retired" in wb.status.value
    assert _book(folder).at["trust", "status"] == "retired" and _actions(folder)[-1] == "retire code"
    assert _codes_of_codings(folder) == codings  # never a silent delete of codings
    for select in (wb.code_select, wb.merge_source, wb.reshape_code, wb.move_parent):
        assert "trust" not in _options(select)
    assert wb.reshape_code.value == "soft_values"  # its parent is picked next
    wb.undo_button.click()
    assert _book(folder).at["trust", "status"] == "active"
    assert "trust" in _options(wb.code_select) and "trust" in _options(wb.reshape_code)


def test_retiring_a_parent_of_active_sub_codes_is_refused(reshaping):
    wb, folder = reshaping
    book, log = _book(folder), _actions(folder)
    wb.reshape_code.value = "soft_values"
    wb.retire_button.click()
    _red_beside(wb, "retire", "sub-codes first")
    assert _book(folder).equals(book) and _actions(folder) == log


def test_split_from_the_widget_adds_the_codes_and_lists_the_codings(reshaping):
    wb, folder = reshaping
    trust = sorted(c for c, code in _codes_of_codings(folder).items() if code == "trust")
    wb.split_text.value = ("trust_peer; tillit till kollegor; trust in colleagues\n\n"
                           "trust_user ; tillit till brukare ; trust in service users")
    wb.split_button.click()
    assert "Saved" in wb.button_status["split"].value and f"{len(trust)} coding(s) of trust" in wb.status.value
    book = _book(folder)
    assert book.loc[["trust_peer", "trust_user"], "parent_id"].tolist() == ["trust", "trust"]
    assert book.at["trust_user", "name_sv"] == "tillit till brukare"
    assert sorted(c for c, code in _codes_of_codings(folder).items() if code == "trust") == trust  # none moved
    assert "split code" in _actions(folder)
    listed = re.findall(r"<td[^>]*>(K\d+)</td>", wb.split_result.value)
    assert sorted(listed) == trust and "trust_peer, trust_user" in wb.split_result.value
    whole = next(c for c in load_project(folder).codings.itertuples() if c.code_id == "trust" and pd.isna(c.start))
    segment = load_project(folder).segments().set_index("segment_id").at[whole.segment_id, "text_sv"]
    assert html.escape(" ".join(segment.split())[:100]) in wb.split_result.value  # a whole-segment coding's text
    assert wb.split_text.value == "" and {"trust_peer", "trust_user"} <= set(_options(wb.code_select))
    wb.undo_button.click()
    assert "trust_peer" not in _book(folder).index and "trust_peer" not in _options(wb.code_select)


def test_split_beside_the_code_puts_the_new_codes_under_its_parent(reshaping):
    wb, folder = reshaping
    wb.split_children.value = False
    wb.split_text.value = "trust_peer; tillit till kollegor; trust in colleagues"
    wb.split_button.click()
    assert _book(folder).at["trust_peer", "parent_id"] == "soft_values"


@pytest.mark.parametrize("typed, words", [
    ("trust_peer; tillit till kollegor", "line 1"),
    ("trust_peer; tillit; trust\nno_names", "line 2"),
    ("", "no line"),
    ("trust; tillit; trust", "already has"),  # an id the codebook has
    ("Trust Peer; tillit; trust", "lower-case letters"),
])
def test_a_bad_split_form_is_refused_beside_the_button_and_kept(reshaping, typed, words):
    wb, folder = reshaping
    book, log = _book(folder), _actions(folder)
    wb.split_text.value = typed
    wb.split_button.click()
    _red_beside(wb, "split", words)
    assert wb.split_text.value == typed and wb.split_result.value == ""
    assert _book(folder).equals(book) and _actions(folder) == log


def test_an_unknown_code_is_refused_by_every_reshape_button(reshaping):
    wb, folder = reshaping
    other = CodingStore.open(folder, coder="R2")  # another writer deletes a code the widget still lists
    other.add_code("gone", "borta", "gone", None, definition="d", include="i", exclude="e", example="x")
    wb.reload_button.click()
    other.reload()
    other.delete_code("gone")
    other.close()
    book, log = _book(folder), _actions(folder)
    wb.reshape_code.value = "gone"
    wb.rename_en.value = "still here?"
    for name in ("rename", "move", "retire", "split"):
        if name == "split":
            wb.split_text.value = "gone_a; a; a"
        getattr(wb, f"{name}_button").click()
        _red_beside(wb, name, "&#x27;gone&#x27;, which codebook.csv does not list")
    assert _book(folder).equals(book) and _actions(folder) == log


def test_parse_new_codes_names_every_bad_line():
    with pytest.raises(DataError) as err:
        parse_new_codes("a; b; c\nd; e\n\nf;;g")
    assert [p.line for p in err.value.problems] == [2, 4]
    assert parse_new_codes("a;b;c") == [{"code_id": "a", "name_sv": "b", "name_en": "c"}]


@pytest.mark.parametrize("action", ["rename_code", "move_code", "retire_code", "split_code"])
def test_the_workbench_asks_for_a_code_before_reshaping(data_copy, action):
    log = _actions(data_copy)
    bench = Workbench.open(data_copy, coder=RESHAPER)
    args = {"rename_code": ("", "namn", "name"), "move_code": ("", None), "retire_code": ("",),
            "split_code": ("", "a_new; ny; new")}[action]
    outcome = getattr(bench, action)(*args)
    assert outcome.kind == "error" and "choose the code" in outcome.message
    assert _actions(data_copy) == log
