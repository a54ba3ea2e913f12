"""Tests for ebm_analysis.claims: the report's claims about its survey, against its numbers.

The first tests use the real EBM data; the rest build SYNTHETIC tables (made-up
means) to show that each verdict can come out either way.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from ebm_analysis import DataError, evaluate_claims, load_project
from ebm_analysis.claims import VERDICTS, _general_bound, column_sizes, contract_goals, evaluate_claim
from ebm_analysis.survey import possible_answer_sets


@pytest.fixture(scope="module")
def claims():
    return evaluate_claims(load_project()).set_index("claim_id")


# ---------------------------------------------------------------- the real claims

def test_every_claim_has_a_verdict_and_arithmetic(claims):
    assert set(claims["verdict"]) <= set(VERDICTS)
    assert (claims["arithmetic"].str.len() > 0).all() and (claims["summary"].str.len() > 0).all()
    assert len(claims) >= 4


def test_marginally_higher_is_not_supported(claims):
    """'Socialsekreterarna har gett marginellt högre siffror': S5 is lower, S6 undecided, S1 0.86 higher."""
    row = claims.loc["CL1"]
    assert row["verdict"] == "not supported"
    assert "Lower on S5" in row["summary"] and "S6" in row["summary"]
    assert "S1: 4 against 3,14 as printed, a difference of 0.86 (29% of the scale's length" in row["arithmetic"]


def test_all_agreed_on_reflection_is_impossible_for_every_n(claims):
    """S3's 2,85: below 3 whatever n, and at n = 7 (the only size that fits) no answer set has all agreeing."""
    row = claims.loc["CL2"]
    assert row["verdict"] == "impossible"
    text = row["arithmetic"]
    assert "For every n: a mean that prints as 2,85 under any rounding rule is below 2,86" in text
    assert "n = 6: no six answers give 2,85." in text and "n = 8: no eight answers give 2,85." in text
    assert "n = 7: sums 20, i.e. means 20/7 = 2.857; all seven agreeing needs at least 21. 9 answer set(s) fit, 0 with" in text


def test_s5_is_impossible_at_every_size_the_table_allows(claims):
    row = claims.loc["CL3"]
    assert row["verdict"] == "impossible"
    assert "The other 4 would then have a mean of 4.25" in row["arithmetic"]
    assert "only with n = 3 and 8, sizes the column's other means rule out" in row["arithmetic"]


def test_goals_in_high_degree_cannot_be_told(claims):
    row = claims.loc["CL4"]
    assert row["verdict"] == "cannot tell"
    assert "2 of 7 goals are tested by no statement (Utbyta erfarenheter, Släppa de vanliga rollerna)" in row["summary"]


def test_the_social_secretaries_claims(claims):
    assert claims.loc["CL5", "verdict"] == "supported"          # S4 "4" from three answers: (3,4,4) or (4,4,4)
    assert claims.loc["CL6", "verdict"] == "cannot tell"        # S3 "3,33": (2,4,4) or (3,3,4)
    assert "at least 2 of 3 agreed, perhaps all 3" in claims.loc["CL6", "summary"]


def test_column_sizes_of_the_real_table():
    means = load_project().survey_means
    assert column_sizes(means, "social_secretaries")[0] == [3]
    sizes, reasons = column_sizes(means, "all_respondents")
    assert sizes == [7] and reasons == ["n = 6: no six answers give 3,14 (S1)", "n = 8: no eight answers give 3,14 (S1)"]


def test_contract_goals_of_the_real_contract():
    goals = contract_goals(load_project().contract)
    assert goals[:2] == ["Utbyta erfarenheter", "öka förståelse för brukare"] and len(goals) == 7


# ---------------------------------------------------------------- the proof for every n, checked by brute force

@pytest.mark.parametrize("hundredths", range(100, 300, 7))
def test_general_bound_agrees_with_enumeration(hundredths):
    """Wherever the 'for every n' argument is made, no n from 1 to 9 has an answer set with all agreeing."""
    printed = f"{hundredths // 100},{hundredths % 100:02d}"
    rec = {"text": printed, "value": Fraction(hundredths, 100), "decimals": 2}
    assert _general_bound(rec, (1, 4), 3) is not None
    for n in range(1, 10):
        assert all(min(s) < 3 for s in possible_answer_sets(printed, n, rule="any"))


def test_general_bound_is_not_made_where_all_may_agree():
    rec = {"text": "3,00", "value": Fraction(3), "decimals": 2}
    assert _general_bound(rec, (1, 4), 3) is None
    assert (3, 3, 3) in possible_answer_sets("3,00", 3, rule="any")
    rec = {"text": "2,99", "value": Fraction(299, 100), "decimals": 2}   # 2.995 rounds half-up to 3,00, not 2,99
    assert _general_bound(rec, (1, 4), 3) is not None


# ---------------------------------------------------------------- SYNTHETIC tables: each verdict both ways

def synthetic_means(rows):
    return pd.DataFrame([{"item": i, "group": g, "mean_printed": m, "n_min": lo, "n_max": hi}
                         for i, g, m, lo, hi in rows])


def claim(test, items, group="both", cid="T1"):
    return {"claim_id": cid, "test": test, "items": items, "group": group}


ITEMS = pd.DataFrame({"item": ["A", "B"], "contract_goal_sv": ["Hjälpa varandra.", "Ge något åt jobbet."],
                      "link_basis": ["inferred", "inferred"]})


def test_group_higher_supported_and_not():
    higher = synthetic_means([("A", "social_secretaries", "4", 3, 3), ("A", "all_respondents", "3,29", 7, 7)])
    assert evaluate_claim(claim("group_higher", "A"), ITEMS, higher).verdict == "supported"
    lower = synthetic_means([("A", "social_secretaries", "2,33", 3, 3), ("A", "all_respondents", "3,29", 7, 7)])
    r = evaluate_claim(claim("group_higher", "A"), ITEMS, lower)
    assert r.verdict == "not supported" and "Lower on A" in r.summary


def test_all_agree_supported_for_a_mean_that_forces_it():
    means = synthetic_means([("A", "social_secretaries", "3,67", 3, 3), ("A", "all_respondents", "3,71", 7, 7)])
    r = evaluate_claim(claim("all_agree", "A", "all_respondents"), ITEMS, means)
    # 26/7 = 3.714: the lowest answer could still be 2 (e.g. 2,4,4,4,4,4,4), so not certain
    assert r.verdict == "cannot tell"
    means = synthetic_means([("A", "social_secretaries", "4", 3, 3), ("A", "all_respondents", "3,86", 7, 7)])
    assert evaluate_claim(claim("all_agree", "A", "all_respondents"), ITEMS, means).verdict == "supported"


def test_means_consistent_both_ways():
    ok = synthetic_means([("A", "social_secretaries", "3,33", 3, 3), ("A", "all_respondents", "2,71", 7, 7)])
    assert evaluate_claim(claim("means_consistent", "A"), ITEMS, ok).verdict == "supported"
    bad = synthetic_means([("A", "social_secretaries", "3,33", 3, 3), ("A", "all_respondents", "3,8", 7, 7)])
    assert evaluate_claim(claim("means_consistent", "A"), ITEMS, bad).verdict == "impossible"


def test_goals_met_all_three_outcomes():
    contract = pd.DataFrame({"heading_sv": ["Syfte och mål"], "text_sv": ["Hjälpa varandra. Ge något åt jobbet."]})
    good = synthetic_means([("A", "social_secretaries", "4", 3, 3), ("A", "all_respondents", "3,86", 7, 7),
                            ("B", "social_secretaries", "4", 3, 3), ("B", "all_respondents", "4", 7, 7)])
    assert evaluate_claim(claim("goals_met", "A; B", "all_respondents"), ITEMS, good, contract).verdict == "supported"
    poor = synthetic_means([("A", "social_secretaries", "2", 3, 3), ("A", "all_respondents", "1,57", 7, 7),
                            ("B", "social_secretaries", "4", 3, 3), ("B", "all_respondents", "4", 7, 7)])
    r = evaluate_claim(claim("goals_met", "A; B", "all_respondents"), ITEMS, poor, contract)
    assert r.verdict == "not supported" and "no majority agreed" in r.summary
    untested = contract.assign(text_sv="Hjälpa varandra. Ge något åt jobbet. Släppa de vanliga rollerna.")
    r = evaluate_claim(claim("goals_met", "A; B", "all_respondents"), ITEMS, good, untested)
    assert r.verdict == "cannot tell" and "Släppa de vanliga rollerna" in r.summary


def test_bad_claims_raise_data_error():
    means = synthetic_means([("A", "social_secretaries", "4", 3, 3), ("A", "all_respondents", "3,86", 7, 7)])
    with pytest.raises(DataError, match="group_higher, all_agree"):
        evaluate_claim(claim("guess", "A"), ITEMS, means)
    with pytest.raises(DataError, match="missing: Z"):
        evaluate_claim(claim("group_higher", "A; Z"), ITEMS, means)
    with pytest.raises(DataError, match="contract"):
        evaluate_claim(claim("goals_met", "A", "all_respondents"), ITEMS, means)
