"""The keyword dictionary coder and data/dictionary.csv (synthetic texts unless named)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import DATA, read_rows, write_rows
from ebm_analysis.autocode import (
    CODINGS_COLUMNS,
    DICTIONARY_COLUMNS,
    dictionary_codings,
    keyword_pattern,
    load_dictionary,
    sentence_spans,
)
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project


def words(*rows):
    return pd.DataFrame([(c, k, None) for c, k in rows], columns=DICTIONARY_COLUMNS)


def found(keyword, text):
    return [m.group(0) for m in keyword_pattern(keyword).finditer(text)]


# ---------------------------------------------------------------- matching

def test_stem_and_case():
    assert found("stress*", "Stress, stressigt och STRESSEN men inte distress") == ["Stress", "stressigt", "STRESSEN"]
    assert found("lugn", "lugn, lugnt") == ["lugn"]


def test_whole_words_only():
    assert found("makt", "makt, maktlöshet, förmakt") == ["makt"]
    assert found("makt*", "makt, maktlöshet, förmakt") == ["makt", "maktlöshet"]


def test_swedish_letters_are_distinct():
    assert found("makt", "mäkta makt") == ["makt"]
    assert found("år", "ar år är") == ["år"]
    assert found("öd*", "od öde ödmjuk") == ["öde", "ödmjuk"]
    assert found("bemöt*", "BEMÖTANDE bemotande") == ["BEMÖTANDE"]  # upper case Ö folds to ö, never to o


def test_phrases_match_across_whitespace_and_stems_in_phrases():
    assert found("det lilla extra", "”det lilla\nextra”") == ["det lilla\nextra"]
    assert found("mjuka värd*", "mjuka värden och mjuka värdena") == ["mjuka värden", "mjuka värdena"]


@pytest.mark.parametrize("bad", ["", "  ", "*stress", "str*ss", "a|b", "stress**", "(makt)"])
def test_malformed_keyword_is_refused(bad):
    with pytest.raises(DataError):
        keyword_pattern(bad)


def test_sentence_spans():
    text = "Ett. Två? ”Tre” sa hon. t.ex. fyra fem! 6 sex"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["Ett.", "Två?", "”Tre” sa hon. t.ex. fyra fem!", "6 sex"]
    assert sentence_spans("  ord  ") == [(2, 5)]
    assert sentence_spans("") == []


# ---------------------------------------------------------------- coding

SEG = pd.DataFrame({"segment_id": ["E1", "E2", "E3"],
                    "text_sv": ["Det var stressigt på jobbet. Här var det lugnt, lugnt och avslappnande!",
                                "Ingen träff här.",
                                "Makt och maktlöshet. Stress."]})
DICT = words(("stress", "stress*"), ("relief", "lugn*"), ("relief", "avslappn*"), ("power", "makt*"))


def test_codes_the_sentence_around_each_match():
    out = dictionary_codings(SEG, DICT)
    assert list(out.columns) == CODINGS_COLUMNS
    got = list(zip(out.coding_id, out.segment_id, out.code_id, out.start, out.end))
    assert got == [("D0001", "E1", "stress", 0, 28), ("D0002", "E1", "relief", 29, 71),
                   ("D0003", "E3", "power", 0, 20), ("D0004", "E3", "stress", 21, 28)]
    text = SEG.text_sv[0]
    assert text[29:71] == "Här var det lugnt, lugnt och avslappnande!"
    # one coding per code and sentence; the memo lists each keyword and word once
    assert out.memo[1] == "dictionary: lugn* → 'lugnt'; avslappn* → 'avslappnande'"
    assert out.memo[2] == "dictionary: makt* → 'Makt'; makt* → 'maktlöshet'"
    assert (out.coder == "dictionary").all()


def test_ids_are_deterministic_and_never_human_coding_ids():
    a, b = dictionary_codings(SEG, DICT), dictionary_codings(SEG, DICT)
    pd.testing.assert_frame_equal(a, b)
    assert all(re.fullmatch(r"D\d{4}", i) for i in a.coding_id)
    assert not any(re.fullmatch(r"K\d+", i) for i in a.coding_id)  # cannot pass for a codings.csv row


def test_dtypes_match_codings_csv_and_empty_result():
    out = dictionary_codings(SEG, words(("x", "finnsinte")))
    assert out.empty and list(out.columns) == CODINGS_COLUMNS
    assert str(out["start"].dtype) == "Int64" and str(out["coding_id"].dtype).startswith("string")


def test_bad_dictionary_frame_is_refused():
    book = pd.DataFrame({"code_id": ["stress"], "parent_id": [None]})
    with pytest.raises(DataError) as err:
        dictionary_codings(SEG, words(("stres", "stress*"), ("stress", "")), codebook=book)
    text = str(err.value)
    assert "line 2, column 'code_id': found 'stres', which codebook.csv does not list" in text
    assert "line 3, column 'keyword': found an empty cell" in text


# ---------------------------------------------------------------- dictionary.csv

@pytest.fixture(scope="module")
def project():
    return load_project()


def test_bundled_dictionary_is_valid_and_covers_the_themes(project):
    d = load_dictionary(codebook=project.codebook)
    assert list(d.columns) == DICTIONARY_COLUMNS
    top = project.codebook.loc[project.codebook["parent_id"].isna(), "code_id"]
    assert set(top) <= set(d["code_id"])
    for code in ("stress", "belonging", "soft_values", "moderator_translator"):
        family = set(project.codebook.loc[(project.codebook.code_id == code) | (project.codebook.parent_id == code), "code_id"])
        assert family & set(d["code_id"]), code
    for kw in ("stress*", "arbetsbelastning*", "gemenskap*", "tillhörighet*", "bemöt*", "empati*", "reflekt*",
               "sakkunnig*", "moderator*", "översätt*", "fördom*", "utanförskap*", "makt*", "handlingsutrymme*"):
        assert kw in set(d["keyword"]), kw


def bad_copy(tmp_path, edit, delimiter=","):
    rows = read_rows(DATA / "dictionary.csv")
    edit(rows)
    path = tmp_path / "dictionary.csv"
    write_rows(path, rows, delimiter=delimiter)
    return path


@pytest.mark.parametrize("edit, expected", [
    (lambda r: r[1].__setitem__(0, "stresss"),
     "dictionary.csv, line 2, column 'code_id': found 'stresss', which codebook.csv does not list; expected one of"),
    (lambda r: r[3].__setitem__(1, ""), "dictionary.csv, line 4, column 'keyword': found an empty cell; expected a Swedish word"),
    (lambda r: r[3].__setitem__(1, "st*ress"), "line 4, column 'keyword': found 'st*ress'"),
    (lambda r: r.append(["stress", "Stress*", ""]), "found 'Stress*' for 'stress' again (first on line 2)"),
    (lambda r: r[0].__setitem__(1, "word"), "column 'keyword': found no such column"),
])
def test_invalid_dictionary_file(tmp_path, project, edit, expected):
    path = bad_copy(tmp_path, edit)
    with pytest.raises(DataError) as err:
        load_dictionary(path, codebook=project.codebook)
    assert expected in str(err.value)


def test_excel_semicolon_file_and_folder_path(tmp_path, project):
    path = bad_copy(tmp_path, lambda r: None, delimiter=";")
    a = load_dictionary(path, codebook=project.codebook)
    b = load_dictionary(tmp_path, codebook=project.codebook)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, load_dictionary(codebook=project.codebook))


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_dictionary(tmp_path)


def test_runs_on_the_ebm_segments(project):
    seg = project.segments()
    out = dictionary_codings(seg, load_dictionary(codebook=project.codebook), codebook=project.codebook)
    assert len(out) > 0 and (out.coder == "dictionary").all()
    texts = dict(zip(seg.segment_id, seg.text_sv))
    assert all(0 <= s < e <= len(texts[g]) for g, s, e in zip(out.segment_id, out.start, out.end))
    assert out.memo.str.startswith("dictionary: ").all()
    assert set(out.code_id) <= set(project.codebook.code_id)
    assert out.coding_id.is_unique
