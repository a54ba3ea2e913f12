"""The memo and adjudication widgets, headless: set values, click, check the data folder."""

from __future__ import annotations

import pytest

from conftest import codings_on_disk
from ebm_analysis.coders import CONSENSUS, coder_copy, decisions, merge_coder
from ebm_analysis.coding import CodingStore
from ebm_analysis.memos import load_memos
from ebm_analysis.widgets import AdjudicationWidget, MemoWidget


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
    assert aw.position == 0 and "decided: b" in aw.progress.value
    row = aw.table.set_index("disagreement_id").loc["E013/workload"]
    assert row["kind"] == "character"
    assert "<mark" in aw.view.value
    assert "coder2 is right here" in aw.static_html()
