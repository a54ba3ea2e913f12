"""The display layer: one test per rule, plus a seeded fuzz over mixed values."""

from __future__ import annotations

import random
import re
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from ebm_analysis import display, load_project
from ebm_analysis.errors import DataError

RAW = re.compile(r"<NA>|\bNaN\b|\bnan\b|\bNone\b|\bNaT\b|dtype:|\[\]|\{\}|\(\d+, \d+\)|\[\(|\{'")


def cells_html(t: display.Table) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", t.to_html(), flags=re.S)


# ---------------------------------------------------------------- index

def test_row_numbers_are_dropped_even_after_a_filter():
    df = pd.DataFrame({"meeting": [1, 2, 3, 4], "segments": [5, 6, 5, 7]})
    shown = display.table(df[df["meeting"] > 2], lang="en")
    assert shown.columns == ["Meeting", "Segments"]
    assert shown.frame()["Meeting"].tolist() == ["3", "4"]
    assert "16" not in str(display.table(df.set_axis([16, 17, 18, 23]), lang="en"))


def test_a_named_index_becomes_a_labelled_first_column():
    df = pd.DataFrame({"topic_en": ["Which meetings"]}, index=pd.Index(["X1"], name="contradiction_id"))
    shown = display.table(df, lang="en")
    assert shown.columns == ["Contradiction", "Topic (English)"]
    assert shown.frame().iloc[0].tolist() == ["X1", "Which meetings"]


def test_matrix_keeps_row_labels_and_titles_the_columns():
    m = pd.DataFrame([[1, 0], [0, 3]], index=pd.Index(["stress", "belonging"], name="code_id"),
                     columns=pd.Index([1, 2], name="meeting"))
    book = pd.DataFrame({"code_id": ["stress", "belonging"], "name_en": ["stress", "belonging and community"],
                         "name_sv": ["stress", "gemenskap och tillhörighet"]})
    shown = display.matrix(m, codebook=book, lang="sv")
    assert shown.header[0] == [("", 1), ("Träff", 2)]
    assert shown.frame().iloc[1, 0] == "gemenskap och tillhörighet (belonging)"
    html = shown.to_html()
    assert '<th scope="col" colspan="2">Träff</th>' in html


def test_matrix_shows_an_outer_index_value_once():
    idx = pd.MultiIndex.from_tuples([("service_user_mentor", "mentor_replaced"),
                                     ("service_user_mentor", "third_mentor_added")], names=["role", "reading"])
    shown = display.matrix(pd.DataFrame([["2"], ["3"]], index=idx, columns=pd.Index([4], name="meeting")),
                           lang="en")
    assert shown.frame().iloc[:, 0].tolist() == ["service-user mentor", ""]
    assert shown.frame().iloc[:, 1].tolist() == ["a mentor was replaced", "a third mentor was added"]


# ---------------------------------------------------------------- labels

def test_column_labels_in_both_languages():
    df = pd.DataFrame({"participant_id": ["SS1"], "joined_meeting": [1]})
    assert display.table(df, lang="en").columns == ["Participant", "Joined at meeting"]
    assert display.table(df, lang="sv").columns == ["Deltagare", "Med från träff"]


def test_language_suffix_columns_and_lang_attributes():
    df = pd.DataFrame({"theme_sv": ["Svåra frågor"], "theme_en": ["Difficult questions"]})
    shown = display.table(df, lang="en")
    assert shown.columns == ["Theme (Swedish)", "Theme (English)"]
    assert '<td lang="sv">Svåra frågor</td>' in shown.to_html()
    assert '<td lang="en">Difficult questions</td>' in shown.to_html()


def test_a_column_without_a_label_is_refused_with_the_fix():
    with pytest.raises(DataError, match=r"n_ok_whatever.*COLUMN_LABELS.*labels="):
        display.table(pd.DataFrame({"n_ok_whatever": [1]}), lang="en")
    shown = display.table(pd.DataFrame({"n_ok_whatever": [1]}), labels={"n_ok_whatever": "n that pass"}, lang="en")
    assert shown.columns == ["n that pass"]


def test_every_label_has_both_languages_and_no_snake_case():
    for column, pair in display.COLUMN_LABELS.items():
        assert len(pair) == 2 and all(pair), column
        assert not re.search(r"[a-z]_[a-z]", " ".join(pair)), (column, pair)


def test_coded_values_are_words():
    df = pd.DataFrame({"role": ["social_secretary", "service_user_mentor"], "basis": ["reported", "inferred"],
                       "source_type": ["observation_note", "meeting"]})
    assert display.table(df, lang="en").frame().iloc[0].tolist() == ["social secretary", "reported", "meeting notes"]
    assert display.table(df, lang="sv").frame().iloc[1].tolist() == ["brukarmentor", "härlett", "sagt vid en träff"]


def test_code_ids_shown_with_their_names():
    book = pd.DataFrame({"code_id": ["workload"], "name_en": ["workload and demands"], "name_sv": ["arbetsbelastning"]})
    shown = display.table(pd.DataFrame({"code_id": ["workload"]}), codebook=book, lang="en")
    assert shown.frame().iloc[0, 0] == "workload and demands (workload)"
    assert '<code class="ebm-id">workload</code>' in shown.to_html()


# ---------------------------------------------------------------- values

@pytest.mark.parametrize("column", [
    pd.array([1, None], dtype="Int64"), [1.5, float("nan")], ["a", None], pd.array(["a", None], dtype="string"),
    pd.array([True, None], dtype="boolean"), [pd.Timestamp("2016-01-01"), pd.NaT], [Fraction(1, 2), None]])
def test_missing_is_blank(column):
    shown = display.table(pd.DataFrame({"note": column}), lang="en")
    assert shown.frame()["Note"].iloc[1] == ""
    assert cells_html(shown)[1] == ""
    assert not RAW.search(shown.to_html()) and not RAW.search(str(shown))


def test_booleans_are_ticks_and_crosses():
    shown = display.table(pd.DataFrame({"matches": [True, False, np.bool_(True)]}), lang="sv")
    assert shown.frame()["Stämmer med det tryckta"].tolist() == ["✓", "✗", "✓"]
    assert '<span class="ebm-bool" title="nej">✗</span>' in shown.to_html()


def test_sets_in_words():
    df = pd.DataFrame({"n_ok_any": [(3, 4), (3,), (), (6, 7, 8)]})
    assert display.table(df, lang="en").frame().iloc[:, 0].tolist() == ["3 or 4", "3", "", "6, 7 or 8"]
    assert display.table(df, lang="sv").frame().iloc[0, 0] == "3 eller 4"
    nested = display.table(pd.DataFrame({"answer_sets": [[(2, 4, 4), (3, 3, 4)]]}), lang="en")
    assert nested.frame().iloc[0, 0] == "2, 4, 4 or 3, 3, 4"
    assert cells_html(nested)[0] == "2, 4, 4<br>or 3, 3, 4"


def test_decimals_decimal_comma_and_minus_sign():
    df = pd.DataFrame({"kappa_segment": [0.850662, -0.0532], "segments": [3.0, 4.0]})
    assert display.table(df, lang="en").frame().iloc[:, 0].tolist() == ["0.85", "−0.05"]
    assert display.table(df, lang="sv").frame().iloc[:, 0].tolist() == ["0,85", "−0,05"]
    assert display.table(df, decimals={"kappa_segment": 1}, lang="sv").frame().iloc[0, 0] == "0,9"
    assert display.table(df, lang="en").frame()["Segments"].tolist() == ["3", "4"]
    assert display.format_number(-0.001, 2, "en") == "0.00"   # no "−0.00"
    column = display.table(pd.DataFrame({"kappa_segment": [1.0, 0.85, float("nan")]}), lang="en")
    assert column.frame().iloc[:, 0].tolist() == ["1.00", "0.85", ""]   # one precision per column


def test_percentages_and_fractions():
    df = pd.DataFrame({"pct_agree_segment": [98.734177], "rest_mean_min": [Fraction(5, 2)]})
    row = display.table(df, percent=["pct_agree_segment"], decimals={"pct_agree_segment": 1}, lang="sv").frame()
    assert row.iloc[0].tolist() == ["98,7\N{NO-BREAK SPACE}%", "5/2"]


def test_small_shares_as_fractions():
    assert display.share(1, 6) == "1/6"
    assert display.share(3, 5, "sv") == "3/5"
    assert display.share(24, 30, "en") == "24/30 (80\N{NO-BREAK SPACE}%)"
    df = pd.DataFrame({"practice_linked": [1], "segments": [6]})
    shown = display.table(df.assign(practice_share=[display.share(1, 6)]), lang="en")
    assert shown.frame()["Share linked to practice"].iloc[0] == "1/6"


def test_html_is_escaped():
    shown = display.table(pd.DataFrame({"note": ["<b>x</b> & y"]}), lang="en")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in shown.to_html()


def test_mappings_read_as_pairs():
    shown = display.table(pd.DataFrame({"note": [{"ebm.qdpx": "valid"}]}), lang="en")
    assert shown.frame().iloc[0, 0] == "ebm.qdpx: valid"


# ---------------------------------------------------------------- quotations

def test_quotations_are_never_shortened():
    long = "Det här är ett långt citat. " * 80
    q = pd.DataFrame({"segment_id": ["E001"], "section": ["Under projektet"], "text_sv": [long.strip()],
                      "text_en": ["A long quotation."]})
    shown = quotes_html = display.quotes(q, lang="en").to_html()
    assert long.strip() in shown and "…" not in quotes_html
    assert long.strip().split()[-1] in str(display.quotes(q, lang="en"))


def test_quotation_facts_stack_under_the_id():
    q = pd.DataFrame({"segment_id": ["E013"], "section": ["Under projektet"], "source_type": ["interview"],
                      "speaker_role": ["social_secretary"], "meeting": pd.array([5], dtype="Int64"),
                      "code_id": ["workload"], "text_sv": ["alla är så upptagna"], "text_en": ["everyone is so busy"]})
    shown = display.quotes(q, lang="en")
    assert shown.columns == ["Segment", "Code", "Swedish (verbatim)", "English (our translation)"]
    assert shown.frame().iloc[0, 0].splitlines() == ["E013", "Under projektet", "interview · social secretary · Meeting 5"]
    assert '<b>E013</b><br><small lang="sv">Under projektet</small>' in shown.to_html()


def test_quotations_need_an_id_and_a_section():
    q = pd.DataFrame({"text_sv": ["hej"], "text_en": ["hi"]})
    with pytest.raises(DataError, match="id"):
        display.quotes(q, lang="en")
    with pytest.raises(DataError, match="section"):
        display.quotes(q.assign(segment_id=["E001"]), lang="en")


def test_quotation_sections_looked_up_in_the_project():
    project = load_project()
    q = pd.DataFrame({"segment_id": ["E013", "O001"], "coded_sv": ["alla är så upptagna", "x"],
                      "memo": [None, "a memo"]})
    shown = display.quotes(q, project=project, lang="en")
    assert shown.columns == ["Segment", "Coded passage (Swedish, verbatim)"]
    first = [cell.splitlines() for cell in shown.frame()["Segment"]]      # id, then its report section
    assert [lines[:2] for lines in first] == [
        ["E013", project.excerpts.set_index("excerpt_id").loc["E013", "section"]],
        ["O001", project.observations.set_index("note_id").loc["O001", "section"]]]
    assert '<div class="ebm-memo" lang="en">Memo: a memo</div>' in shown.to_html()
    with pytest.raises(DataError, match="E999"):
        display.quotes(q.assign(segment_id=["E999", "O001"]), project=project, lang="en")


# ---------------------------------------------------------------- rendering

def test_rendering_is_deterministic_and_has_no_object_reprs():
    df = pd.DataFrame({"meeting": [1], "note": ["x"]})
    a, b = display.table(df, lang="en"), display.table(df, lang="en")
    assert a.to_html() == b.to_html() and repr(a) == repr(b)
    assert "object at 0x" not in repr(a) and "Table(" not in repr(a)
    assert a._repr_html_() == a.to_html()


def test_text_wraps_long_cells_and_keeps_every_word():
    text = " ".join(f"word{i}" for i in range(60))
    shown = str(display.table(pd.DataFrame({"note": [text]}), lang="en"))
    assert all(len(line) <= display.TEXT_WIDTH for line in shown.splitlines())
    assert shown.split() == ["Note"] + text.split()


def test_sentences_list():
    s = display.sentences(["S1: fits.", float("nan"), "S5: <no>."], lang="en")
    assert s.to_html() == '<ul class="ebm-sentences" lang="en"><li>S1: fits.</li><li>S5: &lt;no&gt;.</li></ul>'


def test_bad_language_is_refused():
    with pytest.raises(DataError, match="'en' or 'sv'"):
        display.table(pd.DataFrame({"meeting": [1]}), lang="de")


def test_fuzz_mixed_values_never_show_a_raw_repr():
    """Seeded fuzz: random frames of every kind of value a notebook shows render without a raw repr."""
    rng = random.Random(2016)
    pool = [None, float("nan"), pd.NA, pd.NaT, True, False, 0, -3, 2.5, -0.0001, 1e6, Fraction(9, 4), "text",
            "<NA>-free text", (3, 4), [], [(2, 4, 4)], {3}, {"a": None}, np.int64(7), np.float64("nan"), "unknown",
            "observation_note", np.bool_(False)]
    columns = ["note", "meeting", "segments", "basis", "source_type", "n_ok_any", "text_sv", "text_en"]
    for _ in range(200):
        ncols = rng.randint(1, len(columns))
        cols = rng.sample(columns, ncols)
        frame = pd.DataFrame({c: pd.Series([rng.choice(pool) for _ in range(rng.randint(0, 5))], dtype=object)
                              for c in cols})
        for lang in ("en", "sv"):
            shown = display.table(frame, lang=lang)
            for cell in cells_html(shown):
                assert not RAW.search(cell), (cell, frame)
            assert len(shown.rows) == len(frame)


def test_ranges_join_two_columns():
    df = pd.DataFrame({"rest_mean_min": [Fraction(5, 2), Fraction(9, 4), None],
                       "rest_mean_max": [Fraction(11, 4), Fraction(9, 4), None]})
    shown = display.table(df, ["rest_mean"], ranges={"rest_mean": ("rest_mean_min", "rest_mean_max")}, lang="en")
    assert shown.frame().iloc[:, 0].tolist() == ["5/2–11/4", "9/4", ""]


def test_query_values_are_words_in_both_languages():
    from ebm_analysis.coding_query import NOT_PLACED
    from ebm_analysis.queries import SEARCH_KINDS

    assert display.value_label(NOT_PLACED, "meeting", "sv") == "inte knuten till en träff"
    assert display.value_label(NOT_PLACED, "meeting", "en") == NOT_PLACED
    assert display.value_label("not_a_participant", "speaker_role", "en").startswith("not a participant")
    assert display.value_label("document", "source_type", "sv") == "dokument"
    for kind in SEARCH_KINDS:
        for lang in ("en", "sv"):
            assert "_" not in display.value_label(kind, "search", lang), (kind, lang)
    shown = display.table(pd.DataFrame({"meeting": ["1", NOT_PLACED], "matching": [1, 0]}), lang="sv").frame()
    assert shown.columns.tolist() == ["Träff", "Matchande segment"]
    assert shown["Träff"].tolist() == ["1", "inte knuten till en träff"]
