"""Tests for ebm_analysis._index: the query index is built once, and never stale."""

from __future__ import annotations

import pandas as pd

from conftest import coded
from ebm_analysis import code_by_meeting, coding_query, load_project, retrieve, search_text, word_frequencies
from ebm_analysis._index import CodingIndex, SegmentIndex, coding_index, segment_index
from ebm_analysis.queries import CodedData, coded_data


def test_index_is_built_once_per_project():
    project = load_project()
    first = coding_index(project)
    retrieve(project, code="stress"), code_by_meeting(project), search_text(project, "tillit")
    assert coding_index(project) is first
    assert segment_index(project) is first.segments
    assert segment_index(load_project()) is not first.segments       # another project, another index


def test_replaced_codings_give_fresh_answers():
    project = load_project()
    before = retrieve(project, code="stress")
    assert len(before) > 0
    project.tables["codings"] = project.codings[project.codings["code_id"] != "stress"].reset_index(drop=True)
    assert retrieve(project, code="stress", include_subcodes=False).empty
    assert coding_query(project, "stress").shape[0] <= len(before)


def test_a_moved_sequence_rebuilds_even_for_the_same_tables():
    """The coding store sets ``project.sequence``; a change to it invalidates the index."""
    project = load_project()
    first = coding_index(project)
    codings = project.codings
    codings.loc[codings.index[0], "code_id"] = "project_process"      # an in-place edit, as a store might make
    project.sequence = 1
    second = coding_index(project)
    assert second is not first
    assert second.code[0] == second.code_position["project_process"]
    assert coding_index(project) is second
    project.sequence = 2
    assert coding_index(project) is not second


def test_new_codebook_or_segments_rebuild():
    project = load_project()
    first = coding_index(project)
    project.tables["codebook"] = project.codebook.copy()
    assert coding_index(project) is not first
    seg = segment_index(project)
    project.tables["excerpts"] = project.excerpts.iloc[:3]
    assert segment_index(project) is not seg and segment_index(project).n == 3 + len(project.observations)


def test_coded_data_is_cached_on_itself_and_copies_its_segments():
    project = load_project()
    data = coded_data(project)
    assert coding_index(data) is coding_index(data)
    data.segments.loc[0, "text_sv"] = "ändrad"                     # copy-on-write: the index keeps its text
    assert segment_index(project).table.loc[0, "text_sv"] != "ändrad"
    other = CodedData(data.segments, data.codings.iloc[:2], data.codebook)
    assert len(coding_index(other).seg) == 2 and len(coding_index(data).seg) == len(project.codings)


def test_changed_text_gives_fresh_words_and_search():
    data = coded({"S1": "Tillit."}, [("a", None)], [])
    assert word_frequencies(data)["word"].tolist() == ["tillit"]
    fresh = CodedData(data.segments.assign(text_sv=pd.array(["Gemenskap."], dtype="string")), data.codings,
                      data.codebook)
    assert word_frequencies(fresh)["word"].tolist() == ["gemenskap"]
    assert search_text(fresh, "tillit").empty


def test_tree_numbering_makes_descendants_a_range():
    book = pd.DataFrame({"code_id": ["b", "a", "a1", "b1", "a11", "a2"],
                         "parent_id": [None, None, "a", "b", "a1", "a"]})
    seg = SegmentIndex(pd.DataFrame({"segment_id": ["S"], "text_sv": ["x"]}))
    ix = CodingIndex(seg, pd.DataFrame({"coding_id": [], "segment_id": [], "code_id": []}), book)
    pre = dict(zip(ix.codes, ix.pre.tolist()))
    size = dict(zip(ix.codes, ix.size.tolist()))
    a_range = set(range(pre["a"], pre["a"] + size["a"]))
    assert {c for c, p in pre.items() if p in a_range} == {"a", "a1", "a11", "a2"}
    assert size["b"] == 2 and size["a11"] == 1
    assert [ix.codes[t] for t in ix.top] == ["b", "a", "a", "b", "a", "a"]


def test_orphans_and_unknown_codes_are_kept_apart():
    """A parent missing from the codebook, or a coding of an unknown code, never lands under another code."""
    book = pd.DataFrame({"code_id": ["a", "x"], "parent_id": [None, "ghost"]})
    seg = SegmentIndex(pd.DataFrame({"segment_id": ["S"], "text_sv": ["abc"]}))
    cod = pd.DataFrame({"coding_id": ["K1", "K2", "K3"], "segment_id": ["S", "S", "T"],
                        "code_id": ["x", "nope", "a"], "start": [None] * 3, "end": [None] * 3})
    ix = CodingIndex(seg, cod, book)
    assert ix.top.tolist() == [0, -1]
    assert ix.code.tolist() == [1, -1, 0] and ix.valid.tolist() == [True, True, False]
    codes, rows = ix.level("top")
    assert codes == ["a"] and rows.tolist() == [-1, -1, 0]
