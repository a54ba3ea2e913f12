"""Tests for ebm_analysis.queries, on a SYNTHETIC project whose answers are worked out by hand.

The synthetic project (built in memory, no files):

    codebook (in this order)      trust > trust_staff > trust_staff_deep;  power;  care (never used)

    E1 interview, social_secretary SS1, group A, meeting 2
       "Vi lärde oss mycket om tillit."            (30 chars; "tillit" = [23, 29))
    E2 meeting, service_user_mentor BM1, meeting 3
       "Att våga vara mänsklig är viktigt."        ("Att" = [0, 3); "våga" = [4, 8))
    E3 survey_comment, unknown speaker, no meeting
       "Bra träffar, men för lite tid."
    O1 observation note, meeting 3, observed
       "Samtalet handlade om makt och tillit."     (37 chars; "makt" = [21, 25); "tillit" = [30, 36))

    K1 E1 trust whole              K5 O1 power [21, 25)
    K2 E1 trust_staff_deep [23,29) K6 O1 trust_staff [30, 36)
    K3 E2 power whole              K7 E2 trust [0, 3)
    K4 E3 trust_staff whole

Rolled up to the top level, the segments carry: E1 {trust}, E2 {trust, power},
E3 {trust}, O1 {trust, power}.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from conftest import coded

from ebm_analysis.errors import DataError
from ebm_analysis.project import Project, load_project
from ebm_analysis.queries import (
    FILTERS, MISSING, CodedData, code_by_attribute, code_by_meeting, code_frequencies, codings_without_meeting,
    cooccurrence, descendants, retrieve, search_text, segment_mask, top_level_codes,
)

# ---------------------------------------------------------------- shared synthetic fixtures

TEXTS = {
    "E1": "Vi lärde oss mycket om tillit.",
    "E2": "Att våga vara mänsklig är viktigt.",
    "E3": "Bra träffar, men för lite tid.",
    "O1": "Samtalet handlade om makt och tillit.",
}


def _frame(rows: list[tuple], columns: str, ints: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns.split())
    return frame.astype({c: ("Int64" if c in ints else "string") for c in frame.columns})


def synthetic_project() -> Project:
    excerpts = _frame([
        ("E1", "interview", "social_secretary", "SS1", "A", 2, TEXTS["E1"], "We learnt a lot about trust."),
        ("E2", "meeting", "service_user_mentor", "BM1", None, 3, TEXTS["E2"], "To dare to be human is important."),
        ("E3", "survey_comment", "unknown", None, None, None, TEXTS["E3"], "Good meetings, but too little time."),
    ], "excerpt_id source_type speaker_role speaker_id speaker_group meeting text_sv text_en", ints=("meeting",))
    observations = _frame([("O1", 3, "observed", TEXTS["O1"], "The talk was about power and trust.")],
                          "note_id meeting basis text_sv text_en", ints=("meeting",))
    participants = _frame([
        ("SS1", "social_secretary", 1, "no", "yes", "under_3_months", "unknown"),
        ("BM1", "service_user_mentor", 1, "no", "no", "not_applicable", "not_applicable"),
    ], "participant_id role joined_meeting left_project answered_survey tenure_at_start introduction_track",
        ints=("joined_meeting",))
    codebook = _frame([("trust", None, "Tillit", "Trust", "active"),
                       ("trust_staff", "trust", "Tillit till personal", "Trust in staff", "active"),
                       ("trust_staff_deep", "trust_staff", "Djup tillit", "Deep trust", "active"),
                       ("power", None, "Makt", "Power", "active"),
                       ("care", None, "Omsorg", "Care", "unused")],
                      "code_id parent_id name_sv name_en status")
    codings = _frame([
        ("K1", "E1", "trust", "R1", None, None, None),
        ("K2", "E1", "trust_staff_deep", "R1", 23, 29, "om tillit"),
        ("K3", "E2", "power", "R1", None, None, None),
        ("K4", "E3", "trust_staff", "R2", None, None, None),
        ("K5", "O1", "power", "R1", 21, 25, None),
        ("K6", "O1", "trust_staff", "R1", 30, 36, None),
        ("K7", "E2", "trust", "R2", 0, 3, None),
    ], "coding_id segment_id code_id coder start end memo", ints=("start", "end"))
    return Project(Path("synthetic"), {"excerpts": excerpts, "observations": observations,
                                       "participants": participants, "codebook": codebook, "codings": codings})


@pytest.fixture
def project() -> Project:
    return synthetic_project()


ROLES_ORDER = ["social_secretary", "lvm_case_officer", "service_user_mentor", "expert_social_secretary",
               "unknown", "observer"]

# ---------------------------------------------------------------- code tree


def test_descendants_and_top_levels(project):
    book = project.codebook
    assert descendants(book, "trust") == ["trust_staff", "trust_staff_deep"]
    assert descendants(book, "trust", include_self=True) == ["trust", "trust_staff", "trust_staff_deep"]
    assert descendants(book, "power") == []
    assert top_level_codes(book)["trust_staff_deep"] == "trust"
    with pytest.raises(DataError, match="'nope', which the codebook does not list"):
        descendants(book, "nope")


# ---------------------------------------------------------------- retrieve

@pytest.mark.parametrize("kwargs, ids", [
    ({"code": "trust"}, ["K1", "K2", "K7", "K4", "K6"]),
    ({"code": "trust", "include_subcodes": False}, ["K1", "K7"]),
    ({"code": "trust_staff"}, ["K2", "K4", "K6"]),
    ({"code": ["power", "trust_staff_deep"]}, ["K2", "K3", "K5"]),
    ({"role": "service_user_mentor"}, ["K3", "K7"]),
    ({"meeting": 3}, ["K3", "K7", "K5", "K6"]),
    ({"participant": "SS1"}, ["K1", "K2"]),
    ({"source_type": "observation_note", "code": "trust"}, ["K6"]),
    ({"code": "care"}, []),
])
def test_retrieve_filters(project, kwargs, ids):
    assert retrieve(project, **kwargs)["coding_id"].tolist() == ids


def test_retrieve_spans_and_context(project):
    hits = retrieve(project, code="trust", context=5).set_index("coding_id")
    assert hits.loc["K2", "coded_text"] == "tillit"
    assert (hits.loc["K2", "context_before"], hits.loc["K2", "context_after"]) == ("t om ", ".")
    assert hits.loc["K2", "memo"] == "om tillit"
    assert hits.loc["K1", "coded_text"] == TEXTS["E1"]                        # whole segment
    assert (hits.loc["K1", "context_before"], hits.loc["K1", "context_after"]) == ("", "")
    assert hits.loc["K7", "coded_text"] == "Att" and hits.loc["K7", "context_before"] == ""
    assert hits.loc["K6", "speaker_role"] == "observer"
    assert list(hits.reset_index().columns[:12]) == [
        "coding_id", "segment_id", "code_id", "source_type", "speaker_role", "meeting", "coded_text",
        "context_before", "context_after", "text_sv", "text_en", "memo"]


@pytest.mark.parametrize("seed", range(30))
def test_segment_filters_agree_with_pandas_isin(seed):
    """Random filters on the EBM data, checked against ``Series.isin`` (missing values pass no filter)."""
    from ebm_analysis._index import segment_index

    index = segment_index(load_project())
    segments = index.table
    rng = random.Random(seed)
    filters, expected = {}, pd.Series(True, index=segments.index)
    for name, column in FILTERS.items():
        present = segments[column].dropna().unique().tolist()
        if rng.random() < 0.5 or not present:
            continue
        values = rng.sample(present, rng.randint(1, min(3, len(present))))
        filters[name] = values[0] if len(values) == 1 and rng.random() < 0.5 else values
        expected &= segments[column].isin(values).fillna(False).astype(bool)
    mask = segment_mask(index, **filters)
    if not filters:
        assert mask is None
    else:
        assert mask.tolist() == expected.tolist()


@pytest.mark.parametrize("kwargs, match", [
    ({"code": "nope"}, "codebook does not list"),
    ({"role": "mentor"}, "role"),
    ({"meeting": 9}, "meeting"),
    ({"source_type": "diary"}, "source_type"),
    ({"participant": "SS9"}, "participant"),
])
def test_retrieve_rejects_unknown_filters(project, kwargs, match):
    with pytest.raises(DataError, match=match):
        retrieve(project, **kwargs)


# ---------------------------------------------------------------- frequencies and matrices

def test_code_frequencies_by_role_top_level(project):
    freq = code_frequencies(project, by="speaker_role")
    assert freq["code_id"].tolist() == ["trust"] * 6 + ["power"] * 6 + ["care"] * 6
    assert freq["speaker_role"].tolist()[:6] == ROLES_ORDER
    got = freq.set_index(["code_id", "speaker_role"])
    assert got.loc[("trust", "social_secretary")].tolist() == [2, 1]   # K1 and K2, both on E1
    assert got.loc[("trust", "service_user_mentor")].tolist() == [1, 1]
    assert got.loc[("trust", "unknown")].tolist() == [1, 1]
    assert got.loc[("trust", "observer")].tolist() == [1, 1]
    assert got.loc[("power", "service_user_mentor")].tolist() == [1, 1]
    assert got.loc[("power", "observer")].tolist() == [1, 1]
    assert got["codings"].sum() == 7
    assert got.loc["care"].sum().tolist() == [0, 0]


def test_code_frequencies_code_level_and_source_type(project):
    freq = code_frequencies(project, by="source_type", level="code").set_index(["code_id", "source_type"])
    assert freq.loc[("trust_staff_deep", "interview"), "codings"] == 1
    assert freq.loc[("trust", "interview"), "codings"] == 1
    assert freq.loc[("trust_staff", "survey_comment"), "codings"] == 1
    assert freq.loc[("trust_staff", "observation_note"), "codings"] == 1
    assert len(freq) == 5 * 4


def test_code_by_meeting_has_all_eight_and_counts_the_rest(project):
    m = code_by_meeting(project)
    assert m.columns.tolist() == list(range(1, 9))
    assert m.index.tolist() == ["trust", "power", "care"]
    assert m.loc["trust"].tolist() == [0, 2, 2, 0, 0, 0, 0, 0]   # E1: K1, K2; meeting 3: K7, K6
    assert m.loc["power"].tolist() == [0, 0, 2, 0, 0, 0, 0, 0]
    assert m.loc["care"].sum() == 0
    assert m.attrs["without_meeting"] == 1                          # K4 on E3
    seg = code_by_meeting(project, count="segments")
    assert seg.loc["trust"].tolist() == [0, 1, 2, 0, 0, 0, 0, 0]
    rest = codings_without_meeting(project).set_index("code_id")
    assert rest.loc["trust"].tolist() == [1, 1] and rest.loc["power"].tolist() == [0, 0]


@pytest.mark.parametrize("attribute, columns, trust, power", [
    ("speaker_group", ["A", MISSING], [2, 3], [0, 2]),
    ("observation_basis", ["observed", "retold", "unclear", MISSING], [1, 0, 0, 4], [1, 0, 0, 1]),
    ("tenure_at_start", ["not_applicable", "under_3_months", MISSING], [1, 2, 2], [1, 0, 1]),
    ("source_type", ["interview", "survey_comment", "meeting", "observation_note"], [2, 1, 1, 1], [0, 0, 1, 1]),
])
def test_code_by_attribute(project, attribute, columns, trust, power):
    m = code_by_attribute(project, attribute)
    assert m.columns.tolist() == columns
    assert m.loc["trust"].tolist() == trust
    assert m.loc["power"].tolist() == power
    assert m.loc["care"].sum() == 0


def test_code_by_attribute_rejects_unknown(project):
    with pytest.raises(DataError, match="attribute"):
        code_by_attribute(project, "shoe_size")
    with pytest.raises(DataError, match="level"):
        code_by_attribute(project, "meeting", level="middle")


# ---------------------------------------------------------------- co-occurrence

def test_cooccurrence_top_level(project):
    seg = cooccurrence(project)
    assert seg.index.tolist() == seg.columns.tolist() == ["trust", "power", "care"]
    assert seg.values.tolist() == [[4, 2, 0], [2, 2, 0], [0, 0, 0]]
    # overlap: only E2 (power whole, trust on "Att"); on O1 "makt" and "tillit" do not touch
    assert cooccurrence(project, mode="overlap").values.tolist() == [[4, 1, 0], [1, 2, 0], [0, 0, 0]]


def test_cooccurrence_code_level(project):
    seg = cooccurrence(project, level="code")
    expected = pd.DataFrame(0, index=seg.index, columns=seg.columns)
    for a, b, n in [("trust", "trust", 2), ("trust_staff", "trust_staff", 2), ("trust_staff_deep", "trust_staff_deep", 1),
                    ("power", "power", 2), ("trust", "trust_staff_deep", 1), ("trust", "power", 1),
                    ("trust_staff", "power", 1)]:
        expected.loc[a, b] = expected.loc[b, a] = n
    pd.testing.assert_frame_equal(seg, expected)
    ov = cooccurrence(project, level="code", mode="overlap")
    assert ov.loc["trust", "trust_staff_deep"] == 1 and ov.loc["trust", "power"] == 1
    assert ov.loc["trust_staff", "power"] == 0
    assert (ov.values <= seg.values).all() and (ov.values == ov.values.T).all()


def test_adjacent_spans_do_not_overlap_and_pairs_count_once_per_segment():
    seg = pd.DataFrame({"segment_id": ["S1", "S2"], "text_sv": ["abcdefghij", "abcdefghij"]})
    book = pd.DataFrame({"code_id": ["a", "b"], "parent_id": [None, None]})
    cod = pd.DataFrame({"coding_id": [f"K{i}" for i in range(5)], "segment_id": ["S1", "S1", "S2", "S2", "S2"],
                        "code_id": ["a", "b", "a", "a", "b"],
                        "start": pd.array([0, 5, 0, 2, 1], dtype="Int64"),
                        "end": pd.array([5, 8, 3, 6, 4], dtype="Int64")})
    data = CodedData(seg, cod, book)
    assert cooccurrence(data, mode="overlap").values.tolist() == [[2, 1], [1, 2]]   # S1 touch only, S2 twice
    assert cooccurrence(data, mode="segment").values.tolist() == [[2, 2], [2, 2]]
    with pytest.raises(DataError, match="mode"):
        cooccurrence(data, mode="near")


# ---------------------------------------------------------------- text search

def test_search_finds_offsets_and_context(project):
    hits = search_text(project, "tillit", context=5)
    assert hits.columns.tolist() == ["segment_id", "start", "end", "match", "left", "right"]
    assert hits[["segment_id", "start", "end"]].values.tolist() == [["E1", 23, 29], ["O1", 30, 36]]
    assert hits[["left", "right"]].values.tolist() == [["t om ", "."], [" och ", "."]]


def test_search_case_and_whole_words(project):
    assert len(search_text(project, "TILLIT")) == 2
    assert len(search_text(project, "TILLIT", case=True)) == 0
    assert len(search_text(project, "till")) == 2
    assert len(search_text(project, "till", whole_word=True)) == 0
    assert search_text(project, "trust", language="en")["segment_id"].tolist() == ["E1", "O1"]
    assert search_text(project, r"\bm\w*t\b", regex=True)["match"].tolist() == ["mycket", "makt"]


def test_swedish_letters_are_not_folded_unless_asked(project):
    assert search_text(project, "vaga").empty
    assert search_text(project, "for").empty
    folded = search_text(project, "vaga", fold_diacritics=True)
    assert folded[["segment_id", "start", "end", "match"]].values.tolist() == [["E2", 4, 8, "våga"]]
    assert search_text(project, "for", fold_diacritics=True)["match"].tolist() == ["för"]
    assert set(search_text(project, "a")["match"]) == {"a", "A"}                 # never ä or å
    assert search_text(project, "Ä")["match"].tolist() == ["ä", "ä", "ä", "ä"]   # lärde, mänsklig, är, träffar


def test_folding_keeps_offsets_when_a_character_expands():
    text = "Ett \ufb01nt möte, café."   # the ligature ﬁ decomposes to two letters
    data = CodedData(pd.DataFrame({"segment_id": ["S1"], "text_sv": [text], "text_en": [""]}),
                     pd.DataFrame(), pd.DataFrame())
    hits = search_text(data, "mote", fold_diacritics=True, context=4)
    assert hits[["start", "end", "match", "left"]].values.tolist() == [[8, 12, "möte", "\ufb01nt "]]
    assert search_text(data, "fint", fold_diacritics=True)["match"].tolist() == ["\ufb01nt"]
    assert search_text(data, "cafe", fold_diacritics=True)[["start", "end"]].values.tolist() == [[14, 18]]


def test_search_rejects_empty_and_bad_patterns(project):
    with pytest.raises(DataError, match="empty"):
        search_text(project, "")
    with pytest.raises(DataError, match="regular expression"):
        search_text(project, "(", regex=True)


# ---------------------------------------------------------------- the real corpus

def test_real_corpus_queries_agree_with_each_other():
    project = load_project()
    assert len(project.codings) > 0, "data/codings.csv has no codings yet"
    assert len(retrieve(project)) == len(project.codings)
    freq = code_frequencies(project, by="source_type")
    assert freq["codings"].sum() == len(project.codings)
    m = code_by_meeting(project)
    assert m.values.sum() + m.attrs["without_meeting"] == len(project.codings)
    co = cooccurrence(project, level="code")
    per_code = project.codings.groupby("code_id")["segment_id"].nunique()
    assert all(co.loc[c, c] == per_code.get(c, 0) for c in co.index)


def test_real_corpus_every_segment_is_coded():
    project = load_project()
    missing = set(project.segments()["segment_id"]) - set(project.codings["segment_id"])
    assert missing == set(), f"segments without any coding: {sorted(missing)}"


def test_real_corpus_every_code_used_or_marked_unused():
    """Every active code is applied, itself or through a sub-code; the rest are status 'unused'."""
    project = load_project()
    book = project.codebook
    applied = set(project.codings["code_id"])
    # a parent code counts as used when it or any of its sub-codes is applied
    used = {c for c in book["code_id"] if applied & set(descendants(book, c, include_self=True))}
    idle = set(book.loc[book["status"] == "active", "code_id"]) - used
    assert len(book) > 0, "data/codebook.csv has no codes yet"
    assert idle == set(), f"active codes never used (apply them or set status 'unused'): {sorted(idle)}"


# ---------------------------------------------------------------- plots of the queries (ebm_analysis.plotting.themes)

def test_theme_plots_annotate_counts_and_use_codebook_names(project):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ebm_analysis.plotting.themes import (
        plot_cooccurrence_heatmap, plot_theme_frequencies_by_role, plot_theme_meeting_heatmap,
    )

    fig = plot_theme_meeting_heatmap(code_by_meeting(project), project.codebook, lang="sv")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Träff" and ax.get_ylabel() == "Tema"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Tillit", "Makt", "Omsorg"]
    cells = [t.get_text() for t in ax.texts if t.get_text().isdigit()]
    assert len(cells) == 3 * 8 and cells[:8] == ["0", "2", "2", "0", "0", "0", "0", "0"]

    _, given = plt.subplots()
    fig = plot_cooccurrence_heatmap(cooccurrence(project), project.codebook, ax=given)
    assert fig is given.figure
    assert [t.get_text() for t in given.texts][:3] == ["4", "2", "0"]

    fig = plot_theme_frequencies_by_role(code_frequencies(project), project.codebook, count="codings")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Social secretaries", "Service-user mentors", "Unknown", "Evaluator's notes"]
    bar_labels = sorted(t.get_text() for t in ax.texts if t.get_text())
    assert bar_labels == sorted(["2", "1", "1", "1", "1", "1"])   # trust ×4 roles, power ×2
    with pytest.raises(DataError, match="lang"):
        plot_theme_meeting_heatmap(code_by_meeting(project), lang="de")
    plt.close("all")


# ---------------------------------------------------------------- coverage and percentages (SYNTHETIC `nested`)

def test_coverage_characters_and_percentages_by_hand(nested):
    chars = code_by_meeting(nested, count="characters")
    assert chars.loc["a", [1, 2]].tolist() == [8, 15] and chars.loc["b", [1, 2]].tolist() == [13, 3]
    cover = code_by_meeting(nested, count="coverage")
    assert cover.loc["a", 1] == pytest.approx(100 * 8 / 51) and cover.loc["a", 2] == 100.0
    assert cover.loc["b", 1] == pytest.approx(100 * 13 / 51) and cover.loc["b", 2] == pytest.approx(20.0)
    assert cover.loc["c"].sum() == 0 and cover[3].sum() == 0                 # no segments at meeting 3: 0, not NaN
    assert cover.attrs["without_meeting"] == 1                                # K7 on S4
    row = code_by_meeting(nested, percent="row")
    assert row.loc["a", [1, 2]].round(2).tolist() == [66.67, 33.33] and row.loc["c"].sum() == 0
    column = code_by_meeting(nested, percent="column")
    assert column.loc[["a", "b", "c"], 1].tolist() == [50.0, 50.0, 0.0]
    by_role = code_by_attribute(nested, "speaker_role", count="coverage")
    assert by_role.loc["b", "unknown"] == 100.0                               # K7 covers S4 whole


def test_overlapping_codings_count_their_characters_once():
    data = coded({"S1": "abcdefghijklmnopqrst"}, [("a", None), ("a1", "a")],
                 [("K1", "S1", "a", 0, 10), ("K2", "S1", "a1", 5, 15), ("K3", "S1", "a", 12, 14)])
    assert code_by_attribute(data, "speaker_role", count="characters").loc["a", "social_secretary"] == 15
    by_code = code_by_attribute(data, "speaker_role", level="code", count="characters")
    assert by_code.loc[["a", "a1"], "social_secretary"].tolist() == [12, 10]
    assert code_by_attribute(data, "speaker_role", count="coverage").loc["a", "social_secretary"] == 75.0


def test_percent_and_count_are_checked(nested):
    with pytest.raises(DataError, match="percentage already"):
        code_by_meeting(nested, count="coverage", percent="row")
    with pytest.raises(DataError, match="percent"):
        code_by_attribute(nested, "meeting", percent="cell")
    with pytest.raises(DataError, match="count"):
        code_by_attribute(nested, "meeting", count="words")


def test_coverage_on_the_ebm_data_against_character_sets():
    project = load_project()
    seg = project.segments()
    texts = dict(zip(seg["segment_id"], seg["text_sv"]))
    meeting_of = {s: (None if pd.isna(m) else int(m)) for s, m in zip(seg["segment_id"], seg["meeting"])}
    top = top_level_codes(project.codebook)
    covered: dict[tuple, set] = {}
    for r in project.codings.itertuples():
        if meeting_of[r.segment_id] is None:
            continue
        s, e = (0, len(texts[r.segment_id])) if pd.isna(r.start) else (int(r.start), int(r.end))
        covered.setdefault((top[r.code_id], int(meeting_of[r.segment_id])), set()).update(
            (r.segment_id, i) for i in range(s, e))
    totals = {m: sum(len(t) for s, t in texts.items() if meeting_of[s] == m) for m in range(1, 9)}
    cover = code_by_meeting(project, count="coverage")
    for (code, m), chars in covered.items():
        assert cover.loc[code, m] == pytest.approx(100 * len(chars) / totals[m])
    assert cover.to_numpy().sum() == pytest.approx(sum(100 * len(c) / totals[m] for (_, m), c in covered.items()))


# ---------------------------------------------------------------- the indexed queries against a plain reference

def _reference_counts(data, by, level):
    book = data.codebook
    to_level = top_level_codes(book) if level == "top" else {c: c for c in book["code_id"]}
    value = {s: (v if pd.notna(v) else MISSING) for s, v in zip(data.segments["segment_id"], data.segments[by])}
    codings, segments = {}, {}
    for r in data.codings.itertuples():
        key = (to_level[r.code_id], value[r.segment_id])
        codings[key] = codings.get(key, 0) + 1
        segments.setdefault(key, set()).add(r.segment_id)
    return codings, {k: len(v) for k, v in segments.items()}


def _reference_cooccurrence(data, level, mode):
    book = data.codebook
    to_level = top_level_codes(book) if level == "top" else {c: c for c in book["code_id"]}
    texts = dict(zip(data.segments["segment_id"], data.segments["text_sv"]))
    spans = {}
    for r in data.codings.itertuples():
        s, e = (0, len(texts[r.segment_id])) if pd.isna(r.start) else (int(r.start), int(r.end))
        spans.setdefault(r.segment_id, []).append((to_level[r.code_id], set(range(s, e))))
    pairs = {}
    for seg, items in spans.items():
        met = {(a, b) for a, sa in items for b, sb in items if mode == "segment" or sa & sb}
        for key in met:
            pairs[key] = pairs.get(key, 0) + 1
    return pairs


def test_indexed_queries_agree_with_a_plain_reference_on_random_data():
    rng = random.Random(2016)
    book = [("a", None), ("a1", "a"), ("a11", "a1"), ("b", None), ("b1", "b"), ("c", None)]
    for case in range(60):
        texts = {f"S{i}": "x" * rng.randint(1, 30) for i in range(rng.randint(1, 7))}
        rows = []
        for k in range(rng.randint(0, 15)):
            seg = rng.choice(list(texts))
            n = len(texts[seg])
            s = None if rng.random() < 0.3 or n < 2 else rng.randrange(0, n - 1)
            rows.append((f"K{k:02d}", seg, rng.choice(book)[0], s, None if s is None else rng.randint(s + 1, n)))
        data = coded(texts, book, rows, meetings={s: rng.choice([1, 2, None]) for s in texts},
                     roles={s: rng.choice(["observer", "unknown"]) for s in texts})
        for level in ("top", "code"):
            freq = code_frequencies(data, by="meeting", level=level)
            codings, segments = _reference_counts(data, "meeting", level)
            got = {(c, v): (n, m) for c, v, n, m in freq.itertuples(index=False) if n}
            assert got == {k: (codings[k], segments[k]) for k in codings}, f"case {case}"
            for mode in ("segment", "overlap"):
                matrix = cooccurrence(data, level=level, mode=mode)
                got = {(a, b): int(n) for (a, b), n in matrix.stack().items() if n}
                assert got == _reference_cooccurrence(data, level, mode), f"case {case} {mode}"
        order = {s: i for i, s in enumerate(texts)}
        expected = sorted((r for r in rows if r[2] in ("a", "a1", "a11")),
                          key=lambda r: (order[r[1]], -1 if r[3] is None else r[3], r[0]))
        assert retrieve(data, code="a")["coding_id"].tolist() == [r[0] for r in expected]


def test_top_level_codes_of_a_cycle_end_and_do_not_loop():
    """The loader refuses cycles; given one anyway, every code still gets an answer."""
    book = pd.DataFrame({"code_id": ["a", "b", "c", "d"], "parent_id": ["c", "a", "b", None]})
    top = top_level_codes(book)
    assert set(top) == {"a", "b", "c", "d"} and top["d"] == "d"
    assert top["a"] in {"a", "b", "c"}


# ---------------------------------------------------------------- shares, text per meeting, search comparisons

def test_meeting_shares_by_hand(project):
    """Top level: trust at meetings 2 (K1, K2) and 3 (K6, K7), K4 has no meeting; power at 3 (K3, K5)."""
    from ebm_analysis.queries import meeting_shares

    shares = meeting_shares(project, ["power", "trust"])
    assert shares.index.tolist() == [("power", 2), ("trust", 4)]
    assert shares.index.names == ["code_id", "n"] and shares.columns.tolist() == list(range(1, 9))
    assert shares.loc[("trust", 4), [2, 3]].tolist() == [50.0, 50.0]
    assert shares.loc[("power", 2), 3] == 100.0
    assert (shares.sum(axis=1).round(9) == 100.0).all()
    everything = meeting_shares(project)
    assert everything.loc[("care", 0)].sum() == 0.0                # never coded: zeros, not NaN
    by_segment = meeting_shares(project, ["trust"], count="segments")
    assert by_segment.index.tolist() == [("trust", 3)]            # E1 at 2; E2, O1 at 3
    assert by_segment.loc[("trust", 3), 2] == pytest.approx(100 / 3)


@pytest.mark.parametrize("kwargs, match", [({"codes": ["nope"]}, "nope"), ({"codes": ["trust_staff"]}, "level"),
                                           ({"count": "coverage"}, "count")])
def test_meeting_shares_reject_bad_arguments(project, kwargs, match):
    from ebm_analysis.queries import meeting_shares

    with pytest.raises(DataError, match=match):
        meeting_shares(project, **kwargs)


def test_meeting_shares_on_the_ebm_data_are_the_row_percentages():
    from ebm_analysis.queries import meeting_shares

    real = load_project()
    counts = code_by_meeting(real)
    shares = meeting_shares(real)
    for (code, n), row in shares.iterrows():
        assert n == counts.loc[code].sum()
        if n:
            assert (row * n / 100).round(9).tolist() == counts.loc[code].astype(float).tolist()


def test_text_per_meeting_by_hand_and_against_coverage(project):
    from ebm_analysis.queries import text_per_meeting

    table = text_per_meeting(project)
    assert table.columns.tolist() == ["meeting", "segments", "characters"]
    assert table["meeting"].tolist() == list(range(1, 9))
    assert table.set_index("meeting").loc[2].tolist() == [1, len(TEXTS["E1"])]
    assert table.set_index("meeting").loc[3].tolist() == [2, len(TEXTS["E2"]) + len(TEXTS["O1"])]
    assert table["segments"].sum() == 3                            # E3 has no meeting
    covered = code_by_meeting(project, count="characters").loc["power", 3]
    assert code_by_meeting(project, count="coverage").loc["power", 3] == pytest.approx(
        100 * covered / table.set_index("meeting").loc[3, "characters"])


def test_text_per_meeting_on_the_ebm_data():
    from ebm_analysis.queries import text_per_meeting

    real = load_project()
    segments = real.segments()
    placed = segments[segments["meeting"].notna()]
    expected = placed.groupby(placed["meeting"].astype(int))["text_sv"].agg(["size", lambda s: s.str.len().sum()])
    table = text_per_meeting(real).set_index("meeting")
    assert table.values.tolist() == expected.reindex(range(1, 9), fill_value=0).values.tolist()


def test_search_forms_count_case_folded_forms():
    from ebm_analysis.queries import search_forms

    data = coded({"S1": "Tillit, tilliten och TILLIT.", "S2": "Tilliten."}, [("a", None)], [])
    forms = search_forms(search_text(data, "tillit", stem=True))
    assert forms.values.tolist() == [["tillit", 2, 1], ["tilliten", 2, 2]]      # ties alphabetical
    assert search_forms(search_text(data, "saknas")).empty


def test_compare_searches_against_plain_regular_expressions():
    import re
    from collections import Counter

    import snowballstemmer

    from ebm_analysis.queries import SEARCH_KINDS, compare_searches

    real = load_project()
    table = compare_searches(real, "brukare")
    assert table["search"].tolist() == list(SEARCH_KINDS)
    table = table.set_index("search")
    texts = real.segments()["text_sv"].tolist()
    words = [w.casefold() for t in texts for w in re.findall(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", t)]
    stem = snowballstemmer.stemmer("swedish").stemWord
    ordered = lambda counter: ", ".join(w for w, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
    whole = Counter(w for w in words if w == "brukare")
    inflected = Counter(w for w in words if stem(w) == stem("brukare"))
    containing = Counter(w for w in words if "brukare" in w)
    assert table.loc["whole_word", ["hits", "forms"]].tolist() == [whole["brukare"], "brukare"]
    assert table.loc["substring", "hits"] == sum(t.casefold().count("brukare") for t in texts)
    assert table.loc["substring", "forms"] == ordered(containing)
    assert table.loc["stemmed", ["hits", "forms"]].tolist() == [sum(inflected.values()), ordered(inflected)]
    assert table.loc["stemmed", "segments"] == sum(any(stem(w.casefold()) == stem("brukare") for w in
                                                       re.findall(r"[^\W\d_]+", t)) for t in texts)
