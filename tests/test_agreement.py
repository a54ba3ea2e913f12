"""Agreement between coders: hand-worked cases, reference implementations, the real data.

All codings here are synthetic (built in the tests), except the last tests,
which compare coder1 with the keyword dictionary on the EBM segments.
"""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from ebm_analysis.agreement import (
    TABLE_COLUMNS,
    agreement_report,
    agreement_table,
    alpha_table,
    cohen_kappa,
    dictionary_agreement,
    format_agreement_table,
    kappa_from_counts,
    krippendorff_alpha,
    percent_agreement,
)
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project

NAN = float("nan")

#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal data with missing values.
K2011 = [[1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
         [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]]


def codings(*rows):
    """A synthetic codings table from (segment_id, code_id, coder, start, end) tuples."""
    frame = pd.DataFrame(rows, columns=["segment_id", "code_id", "coder", "start", "end"])
    frame["start"] = frame["start"].astype("Int64")
    frame["end"] = frame["end"].astype("Int64")
    return frame


BOOK = pd.DataFrame({"code_id": ["a", "a1", "a2", "b", "c"], "parent_id": [None, "a", "a", None, None]})


# ---------------------------------------------------------------- measures

def test_kappa_nvivo_documented_example():
    # NVivo help: 1000 characters, 50 coded by both, 150 by one user only, 800 by neither -> 85 %.
    # With A coding 100 of the 150: A = 150, B = 100, sum EF = 150*100/1000 + 850*900/1000 = 780,
    # kappa = (850 - 780) / (1000 - 780) = 70/220.
    assert kappa_from_counts(50, 100, 50, 800) == pytest.approx(70 / 220)
    a = np.r_[np.ones(150), np.zeros(850)].astype(bool)
    b = np.r_[np.ones(50), np.zeros(100), np.ones(50), np.zeros(800)].astype(bool)
    assert percent_agreement(a, b) == pytest.approx(85.0)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_kappa_hand_worked():
    # po = 3/4, pe = .5*.25 + .5*.75 = .5, kappa = (.75 - .5) / .5
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == 0.5
    # complete disagreement with balanced margins: kappa = -1
    assert cohen_kappa([1, 0, 1, 0], [0, 1, 0, 1]) == -1.0
    # one coder never codes: kappa 0
    assert cohen_kappa([1, 0, 0, 0], [0, 0, 0, 0]) == 0.0


@pytest.mark.parametrize("seed", range(20))
def test_kappa_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    a = rng.random(n) < rng.random()
    b = np.where(rng.random(n) < 0.7, a, rng.random(n) < 0.5)
    expected = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else NAN
    got = cohen_kappa(a, b)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=1e-12)
    assert percent_agreement(a, b) == pytest.approx(100 * np.mean(a == b))


def test_kappa_undefined_is_nan():
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))
    assert math.isnan(cohen_kappa([1, 1], [1, 1]))
    assert math.isnan(cohen_kappa([], []))


def test_alpha_krippendorff_2011_example():
    got = krippendorff_alpha(K2011)
    assert round(got, 3) == 0.743
    assert got == pytest.approx(krippendorff.alpha(reliability_data=K2011, level_of_measurement="nominal"))


def test_alpha_hand_worked_binary():
    # coincidences: o00 = 4, o01 = o10 = 1, o11 = 2; n = 8, n0 = 5, n1 = 3
    # alpha = 1 - (n - 1) * (o01 + o10) / (2 * n0 * n1) = 1 - 7 * 2 / 30 = 8/15
    assert krippendorff_alpha([[1, 1, 0, 0], [1, 0, 0, 0]]) == pytest.approx(8 / 15)


def test_alpha_undefined_is_nan_without_warning():
    with np.errstate(all="raise"):
        assert math.isnan(krippendorff_alpha([[0, 0, 0], [0, 0, 0]]))
    assert math.isnan(krippendorff_alpha([[1, NAN], [NAN, 0]]))  # no pairable unit


# ---------------------------------------------------------------- the table

SEG = pd.DataFrame({"segment_id": ["S1", "S2", "S3", "S4"], "text_sv": ["a" * 10, "b" * 20, "c" * 10, "d" * 10]})


def test_table_hand_worked():
    cod = codings(
        ("S1", "b", "ann", None, None),  # ann: all of S1 (10 characters)
        ("S1", "b", "bo", 5, 10),        # bo: half of S1
        ("S2", "b", "ann", 0, 10),       # ann: first half of S2
        ("S3", "b", "bo", None, None),   # bo: all of S3
    )
    table = agreement_table(cod, SEG, ("ann", "bo"), level="code", codebook=BOOK)
    assert list(table.columns) == TABLE_COLUMNS
    t = table.set_index("code_id")
    row = t.loc["b"]
    assert (row.segments_a, row.segments_b, row.segments_both) == (2, 2, 1)
    # segments: ann [1,1,0,0], bo [1,0,1,0]: po = 2/4, pe = .5*.5 + .5*.5 = .5 -> kappa 0
    assert row.pct_agree_segment == 50.0
    assert row.kappa_segment == 0.0
    # characters (50): both 5, ann only 5 + 10 = 15, bo only 10, neither 5 + 10 + 0 + 10 = 20
    a = np.r_[np.ones(10), np.ones(10), np.zeros(10), np.zeros(10), np.zeros(10)]
    b = np.r_[np.zeros(5), np.ones(5), np.zeros(20), np.ones(10), np.zeros(10)]
    assert row.pct_agree_char == pytest.approx(100 * 25 / 50)
    assert row.kappa_char == pytest.approx(cohen_kappa_score(a, b))
    assert row.kappa_char == pytest.approx(kappa_from_counts(5, 15, 10, 20))
    # NVivo: per segment kappa -> S1 0 (ann constant), S2 0 (bo constant), S3 0, S4 1 (no coding, complete agreement)
    assert row.kappa_char_nvivo_weighted == pytest.approx((10 * 0 + 20 * 0 + 10 * 0 + 10 * 1) / 50)
    assert row.alpha_segment == pytest.approx(
        krippendorff.alpha(reliability_data=[[1, 1, 0, 0], [1, 0, 1, 0]], level_of_measurement="nominal"))


def test_nvivo_weighted_average_of_per_segment_kappas():
    cod = codings(("S1", "b", "ann", 0, 6), ("S1", "b", "bo", 2, 10), ("S2", "b", "ann", 0, 20), ("S2", "b", "bo", 0, 10))
    row = agreement_table(cod, SEG, ("ann", "bo"), level="code", codebook=BOOK).set_index("code_id").loc["b"]
    k1 = cohen_kappa_score(np.arange(10) < 6, np.arange(10) >= 2)
    k2 = 0.0  # ann codes all of S2: constant rating, kappa 0
    assert row.kappa_char_nvivo_weighted == pytest.approx((10 * k1 + 20 * k2 + 10 + 10) / 50)


def test_degenerate_codes_give_nan_with_reason():
    cod = codings(("S1", "b", "ann", None, None), ("S1", "c", "ann", None, None), ("S1", "c", "bo", None, None),
                  ("S2", "c", "ann", None, None), ("S2", "c", "bo", None, None), ("S3", "c", "ann", None, None),
                  ("S3", "c", "bo", None, None), ("S4", "c", "ann", None, None), ("S4", "c", "bo", None, None))
    t = agreement_table(cod, SEG, ("ann", "bo"), level="top", codebook=BOOK).set_index("code_id")
    assert list(t.index) == ["a", "b", "c"]
    never = t.loc["a"]  # neither coder used it
    assert math.isnan(never.kappa_segment) and math.isnan(never.kappa_char) and math.isnan(never.alpha_segment)
    assert never.pct_agree_segment == 100.0 and never.kappa_char_nvivo_weighted == 1.0
    assert "neither ann nor bo used this code" in never.note
    one = t.loc["b"]  # only ann
    assert one.kappa_segment == 0.0 and one.kappa_char == 0.0
    assert "only ann used this code" in one.note
    everywhere = t.loc["c"]  # both, on every character of every segment
    assert math.isnan(everywhere.kappa_segment) and math.isnan(everywhere.kappa_char)
    assert math.isnan(everywhere.alpha_segment)
    assert everywhere.pct_agree_char == 100.0
    assert "every segment" in everywhere.note and "every character" in everywhere.note


def test_top_level_rolls_sub_codes_up():
    cod = codings(("S1", "a1", "ann", None, None), ("S1", "a", "bo", None, None),
                  ("S2", "a2", "ann", 0, 5), ("S2", "a1", "bo", 0, 5))
    top = agreement_table(cod, SEG, ("ann", "bo"), level="top", codebook=BOOK).set_index("code_id")
    assert top.loc["a", "kappa_segment"] == 1.0 and top.loc["a", "kappa_char"] == 1.0
    code = agreement_table(cod, SEG, ("ann", "bo"), level="code", codebook=BOOK).set_index("code_id")
    assert list(code.index) == ["a", "a1", "a2", "b", "c"]
    assert (code.loc["a", "segments_a"], code.loc["a", "segments_b"]) == (0, 1)
    assert code.loc["a1", "kappa_segment"] < 1


def test_overlapping_codings_count_once():
    cod = codings(("S1", "a1", "ann", 0, 6), ("S1", "a2", "ann", 4, 10), ("S1", "a", "bo", None, None))
    row = agreement_table(cod, SEG, ("ann", "bo"), level="top", codebook=BOOK).set_index("code_id").loc["a"]
    assert row.pct_agree_char == 100.0 and row.kappa_char == 1.0


def test_missing_segments_are_left_out():
    cod = codings(("S1", "b", "ann", None, None), ("S1", "b", "bo", None, None), ("S3", "b", "bo", None, None))
    scope = {"ann": ["S1", "S2"]}  # ann has not read S3 and S4
    row = agreement_table(cod, SEG, ("ann", "bo"), level="code", codebook=BOOK,
                          coded_segments=scope).set_index("code_id").loc["b"]
    assert (row.segments_a, row.segments_b) == (1, 1)  # bo's S3 is outside the common scope
    assert row.pct_agree_segment == 100.0
    expected = krippendorff.alpha(reliability_data=[[1, 0, NAN, NAN], [1, 0, 1, 0]], level_of_measurement="nominal")
    assert row.alpha_segment == pytest.approx(expected)


def test_three_coders_pairs_and_alpha_table():
    cod = codings(("S1", "b", "ann", None, None), ("S1", "b", "bo", None, None), ("S1", "b", "cy", None, None),
                  ("S2", "b", "cy", None, None), ("S3", "c", "ann", None, None))
    t = agreement_table(cod, SEG, ("ann", "bo", "cy"), level="code", codebook=BOOK)
    assert set(zip(t.coder_a, t.coder_b)) == {("ann", "bo"), ("ann", "cy"), ("bo", "cy")}
    assert len(t) == 3 * len(BOOK)
    at = alpha_table(cod, SEG, ("ann", "bo", "cy"), level="code", codebook=BOOK,
                     coded_segments={"bo": ["S1", "S2", "S3"]}).set_index("code_id")
    data = [[1, 0, 0, 0], [1, 0, 0, NAN], [1, 1, 0, 0]]
    assert at.loc["b", "alpha"] == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    assert at.loc["b", "segments_pairable"] == 4
    assert math.isnan(at.loc["a", "alpha"]) and "no coder used" in at.loc["a", "note"]


@pytest.mark.parametrize("kwargs, message", [
    ({"coders": ("ann", "nobody")}, "'nobody', who has no codings"),
    ({"coders": ("ann",)}, "two or more different coders"),
    ({"level": "sub"}, "level must be 'top'"),
    ({"level": "top", "codebook": None}, "needs the codebook"),
])
def test_bad_arguments_raise_data_error(kwargs, message):
    cod = codings(("S1", "b", "ann", None, None), ("S1", "b", "bo", None, None))
    args = {"coders": ("ann", "bo"), "level": "code", "codebook": BOOK} | kwargs
    with pytest.raises(DataError, match=message):
        agreement_table(cod, SEG, **args)


def test_bad_codings_raise_data_error():
    with pytest.raises(DataError, match="S9"):
        agreement_table(codings(("S9", "b", "ann", None, None), ("S1", "b", "bo", None, None)), SEG,
                        ("ann", "bo"), level="code", codebook=BOOK)
    with pytest.raises(DataError, match=r"start 5, end 11.*<= 10"):
        agreement_table(codings(("S1", "b", "ann", 5, 11), ("S1", "b", "bo", None, None)), SEG,
                        ("ann", "bo"), level="code", codebook=BOOK)
    with pytest.raises(DataError, match="'zz'"):
        agreement_table(codings(("S1", "zz", "ann", None, None), ("S1", "b", "bo", None, None)), SEG,
                        ("ann", "bo"), level="code", codebook=BOOK)


def test_format_shows_nan_as_na_and_notes():
    cod = codings(("S1", "b", "ann", None, None), ("S1", "b", "bo", None, None))
    text = format_agreement_table(agreement_table(cod, SEG, ("ann", "bo"), level="top", codebook=BOOK))
    assert text.startswith("ann vs bo")
    assert "n/a" in text and "notes:" in text and "a: neither ann nor bo" in text


# ---------------------------------------------------------------- the real data

@pytest.fixture(scope="module")
def project():
    return load_project()


@pytest.mark.parametrize("level", ["top", "code"])
def test_coder1_vs_dictionary_on_ebm_data(project, level):
    t = dictionary_agreement(project, level=level)
    book = project.codebook
    expected = book.loc[book["parent_id"].isna(), "code_id"].tolist() if level == "top" else book["code_id"].tolist()
    assert t["code_id"].tolist() == expected
    assert (t["coder_a"] == "coder1").all() and (t["coder_b"] == "dictionary").all()
    n = len(project.segments())
    assert ((0 <= t["segments_both"]) & (t["segments_both"] <= t[["segments_a", "segments_b"]].min(axis=1))).all()
    assert (t[["segments_a", "segments_b"]] <= n).all().all()
    for col in ("pct_agree_segment", "pct_agree_char"):
        assert t[col].between(0, 100).all()
    for col in ("kappa_segment", "kappa_char", "kappa_char_nvivo_weighted", "alpha_segment"):
        values = t[col].astype(float)
        assert values.dropna().between(-1, 1).all()
        nan_rows = t[values.isna()]
        assert (nan_rows["note"].str.len() > 0).all(), f"{col}: NaN without a reason"
    # every code that coder1 uses somewhere is used at least once by the dictionary at top level
    if level == "top":
        used = t[t["segments_a"] > 0]
        assert (used["segments_b"] > 0).all()


def test_agreement_report_names_the_dictionary_as_automatic(project):
    text = agreement_report()
    assert "automatic coder 'dictionary', not a human" in text
    assert "coder1 vs dictionary" in text


# ---------------------------------------------------------------- disagreements


def test_disagreements_are_the_segments_one_side_coded(project):
    from ebm_analysis.agreement import DISAGREEMENT_COLUMNS, disagreements

    for theme in ("stress", "belonging", "soft_values", "moderator_translator"):
        d = disagreements(project, theme)
        row = dictionary_agreement(project).set_index("code_id").loc[theme]
        assert list(d.columns) == DISAGREEMENT_COLUMNS
        only_human = int((d["coded_by"] == "coder1 only").sum())
        only_dict = int((d["coded_by"] == "dictionary only").sum())
        assert only_human == row["segments_a"] - row["segments_both"]
        assert only_dict == row["segments_b"] - row["segments_both"]
        # the dictionary's rows always name the keyword that fired; the human's never do
        assert (d.loc[d["coded_by"] == "dictionary only", "keywords"].str.contains("→")).all()
        assert (d.loc[d["coded_by"] == "coder1 only", "keywords"] == "").all()
        assert d["segment_id"].is_unique


def test_disagreements_show_the_known_false_positive(project):
    from ebm_analysis.agreement import disagreements

    d = disagreements(project, "belonging").set_index("segment_id")
    assert d.loc["O039", "coded_by"] == "dictionary only"
    assert "tillhörighet* → 'tillhörighet'" in d.loc["O039", "keywords"]
    assert "cultural_prejudice" in d.loc["O039", "other_codes"]
    assert d.loc["O039", "text_en"].startswith("The mentor shared")


def test_disagreements_on_synthetic_project(project, tmp_path):
    """A synthetic dictionary: one keyword that fires where coder1 did not code, on the real segments."""
    from ebm_analysis.agreement import disagreements

    words = pd.DataFrame({"code_id": ["workload"], "keyword": ["upptagna"], "note": [None]}, dtype="string")
    d = disagreements(project, "workload", dictionary=words)
    human = set(project.codings.loc[project.codings["code_id"] == "workload", "segment_id"])
    assert set(d.loc[d["coded_by"] == "coder1 only", "segment_id"]) == human - {"E013"}
    assert (d["coded_by"] != "dictionary only").all()  # E013 ("alla är så upptagna") is coded by both


def test_disagreements_bad_arguments(project):
    from ebm_analysis.agreement import disagreements

    with pytest.raises(DataError, match="theme"):
        disagreements(project, "no_such_theme")
    with pytest.raises(DataError, match="who has no codings"):
        disagreements(project, "stress", coder="coder9")
