"""The four-theme helpers behind notebook 02, on a synthetic fixture and on the real data."""

from __future__ import annotations

import pytest

from conftest import write_rows
from ebm_analysis import load_project, themes


@pytest.fixture
def tiny(data_copy):
    """The real segments with a hand-made coding: answers worked out below."""
    write_rows(data_copy / "codebook.csv", [
        ["code_id", "parent_id", "name_sv", "name_en", "definition", "include", "exclude", "example", "color", "status"],
        ["stress", "", "stress", "stress", "d", "i", "e", "x", "#aa0000", "active"],
        ["workload", "stress", "arbetsbelastning", "workload", "d", "i", "e", "x", "", "active"],
        ["discretion", "", "handlingsutrymme", "discretion", "d", "i", "e", "x", "", "active"],
        ["other", "", "övrigt", "other", "d", "i", "e", "x", "", "active"],
    ])
    write_rows(data_copy / "codings.csv", [
        ["coding_id", "segment_id", "code_id", "coder", "start", "end", "memo"],
        ["K0001", "E017", "workload", "c", "", "", ""],          # interview, no meeting
        ["K0002", "O001", "stress", "c", "0", "10", ""],        # meeting 1, span 0-10
        ["K0003", "O001", "discretion", "c", "5", "20", ""],    # meeting 1, overlaps K0002
        ["K0004", "O002", "stress", "c", "", "", ""],           # meeting 1
        ["K0005", "O002", "other", "c", "", "", ""],
    ])
    return load_project(data_copy)


def test_definition_lists_theme_then_subcodes(tiny):
    assert themes.theme_definition(tiny, "stress")["code_id"].tolist() == ["stress", "workload"]


def test_quotes_include_subcodes_with_exact_span(tiny):
    q = themes.theme_quotes(tiny, "stress")
    assert q["segment_id"].tolist() == ["E017", "O001", "O002"]
    o001 = tiny.observations.set_index("note_id").loc["O001", "text_sv"]
    assert q.set_index("segment_id").loc["O001", "coded_sv"] == o001[:10]


def test_sources(tiny):
    t = themes.theme_sources(tiny, ("stress",))
    assert t.loc["stress"].to_dict() == {"interview": 1, "survey_comment": 0, "meeting": 0,
                                         "observation_note": 2, "total": 3}


def test_timeline_counts_meetings_and_the_rest(tiny):
    t = themes.theme_timeline(tiny, "stress")
    assert t.loc["theme total", 1] == 2 and t.loc["theme total"].sum() == 2
    assert t.attrs["without_meeting"] == 1


def test_cooccurring(tiny):
    co = themes.cooccurring_themes(tiny, "stress").set_index("code_id")
    # O001: stress+discretion (spans overlap at 5-10); O002: stress+other (whole segments overlap)
    assert co.loc["discretion", "same_segment"] == 1 and co.loc["discretion", "overlapping_text"] == 1
    assert co.loc["other", "same_segment"] == 1


def test_practice_link_counts_segments_per_meeting(tiny):
    t = themes.practice_link_by_meeting(tiny, codes=("discretion",)).set_index("meeting")
    n1 = int((tiny.observations["meeting"] == 1).sum())
    assert t.loc[1, "practice_linked"] == 1 and t.loc[1, "segments"] == n1
    assert t.loc[1, "share"] == round(1 / n1, 2)
    assert t.loc[2:8, "practice_linked"].sum() == 0


def test_real_data_every_segment_coded_and_four_themes_present():
    project = load_project()
    coded = set(project.codings["segment_id"])
    assert coded == set(project.excerpts["excerpt_id"]) | set(project.observations["note_id"])
    assert (themes.theme_sources(project)["total"] > 0).all()
