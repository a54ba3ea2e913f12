"""Tests for ebm_analysis.survey and ebm_analysis.plotting.survey.

Hand-worked cases are explained in comments; the exact joint counts are checked
against a brute-force enumeration of multisets with itertools, and GRIM against
the independent ``grim`` package from PyPI.
"""

from __future__ import annotations

import decimal
import json
import time
from fractions import Fraction
from itertools import combinations_with_replacement
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ebm_analysis.errors import DataError  # noqa: E402
from ebm_analysis.plotting.survey import plot_diverging_likert, plot_survey_means  # noqa: E402
from ebm_analysis.survey import (  # noqa: E402
    ALL_RULES,
    RULES,
    _multiset_counts,
    default_agree_from,
    format_summary_table,
    grim_consistent,
    grim_n_values,
    grim_sums,
    grim_table,
    items_with_goals,
    joint_combinations,
    joint_table,
    multiset_count,
    parse_printed_mean,
    reported_table,
    response_distribution,
    response_means,
    round_mean,
    rounds_to,
    survey_summary,
    validate_responses,
)

DATA = Path(__file__).resolve().parents[1] / "data"


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def means() -> pd.DataFrame:
    return pd.read_csv(DATA / "survey_means.csv")


@pytest.fixture
def items() -> pd.DataFrame:
    return pd.read_csv(DATA / "survey_items.csv")


def _means_frame(rows: list[tuple]) -> pd.DataFrame:
    """Synthetic survey_means rows: (item, group, printed, n_min, n_max, n_likely)."""
    return pd.DataFrame(rows, columns=["item", "group", "mean_printed", "n_min", "n_max",
                                       "n_likely"])


@pytest.fixture
def synthetic_responses() -> pd.DataFrame:
    """Synthetic per-respondent answers (made up; the EBM report has none).

    S1: answers 4, 4, 3, 1 (social secretaries a, b; mentors c, d)
    S2: answers 2, 2, 2, 2
    """
    rows = [("a", "social_secretary", "S1", 4), ("b", "social_secretary", "S1", 4),
            ("c", "mentor", "S1", 3), ("d", "mentor", "S1", 1),
            ("a", "social_secretary", "S2", 2), ("b", "social_secretary", "S2", 2),
            ("c", "mentor", "S2", 2), ("d", "mentor", "S2", 2)]
    return pd.DataFrame(rows, columns=["respondent_id", "group", "item", "answer"])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------- independent brute force

_DECIMAL_RULES = {"half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN,
                  "truncate": decimal.ROUND_DOWN}


def _brute_rounds(total: int, n: int, text: str, rule: str) -> bool:
    """Round total/n with the decimal module (not our code) and compare as text."""
    printed = decimal.Decimal(text.replace(",", "."))
    rules = RULES if rule == "any" else (rule,)
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        exact = decimal.Decimal(total) / decimal.Decimal(n)
        return any(exact.quantize(printed, rounding=_DECIMAL_RULES[r]) == printed for r in rules)


def _brute_joint(sub: str, n_sub: int, tot: str, n_tot: int, scale, rule, agree_from):
    """Enumerate every (subgroup multiset, rest multiset) pair directly."""
    values = range(scale[0], scale[1] + 1)
    count, rest_means, agreed = 0, [], []
    subs = [c for c in combinations_with_replacement(values, n_sub)
            if _brute_rounds(sum(c), n_sub, sub, rule)]
    rests = list(combinations_with_replacement(values, n_tot - n_sub))
    for c in subs:
        for r in rests:
            if _brute_rounds(sum(c) + sum(r), n_tot, tot, rule):
                count += 1
                if r:
                    rest_means.append(Fraction(sum(r), len(r)))
                agreed.append(sum(v >= agree_from for v in c + r))
    return (count, (min(rest_means), max(rest_means)) if rest_means else None,
            (min(agreed), max(agreed)) if agreed else None)


# ------------------------------------------------------------------ parsing

@pytest.mark.parametrize("text, value, decimals", [
    ("3,14", Fraction(314, 100), 2),
    ("3.14", Fraction(314, 100), 2),
    ("4", Fraction(4), 0),
    ("4,00", Fraction(4), 2),      # precision comes from the text, not the value
    (" 3,8 ", Fraction(38, 10), 1),
    ("0,05", Fraction(5, 100), 2),
])
def test_parse_printed_mean(text, value, decimals):
    assert parse_printed_mean(text) == (value, decimals)


@pytest.mark.parametrize("bad", ["3,1,4", "abc", "", "3,", ",5", "3 14", 3.14, None])
def test_parse_printed_mean_rejects_bad_text(bad):
    with pytest.raises(DataError) as err:
        parse_printed_mean(bad, file="survey_means.csv", line=4)
    message = str(err.value)
    assert repr(bad) in message and "expected a mean as printed" in message
    assert "survey_means.csv, line 4" in message


# ----------------------------------------------------------------- rounding

def test_round_mean_rules_differ_on_ties_and_truncation():
    # 2.845 is a tie: half-up -> 2.85, half-even -> 2.84 (4 is even), truncate -> 2.84
    tie = Fraction(2845, 1000)
    assert round_mean(tie, 2, "half_up") == Fraction(285, 100)
    assert round_mean(tie, 2, "half_even") == Fraction(284, 100)
    assert round_mean(tie, 2, "truncate") == Fraction(284, 100)
    # 2.855: half-even goes up to 2.86 (6 is even)
    assert round_mean(Fraction(2855, 1000), 2, "half_even") == Fraction(286, 100)
    # negative ties round away from zero under half-up, truncation goes toward zero
    assert round_mean(-tie, 2, "half_up") == Fraction(-285, 100)
    assert round_mean(Fraction(-2859, 1000), 2, "truncate") == Fraction(-285, 100)


def test_rounds_to_any_is_union_of_rules():
    v, p = Fraction(20, 7), Fraction(285, 100)   # 20/7 = 2.857142...
    assert [rounds_to(v, p, 2, r) for r in RULES] == [False, False, True]
    assert rounds_to(v, p, 2, "any")
    assert not rounds_to(Fraction(19, 7), p, 2, "any")   # 2.714...


def test_bad_rule_and_scale_raise_data_error():
    with pytest.raises(DataError, match="rule"):
        rounds_to(Fraction(1), Fraction(1), 0, "ceiling")
    with pytest.raises(DataError, match="scale"):
        grim_consistent("3,14", 7, scale=(4, 1))
    with pytest.raises(DataError, match="n"):
        grim_consistent("3,14", 0)
    with pytest.raises(DataError, match="decimals"):
        grim_consistent(Fraction(314, 100), 7)   # a value needs its printed decimals


# --------------------------------------------------------------------- GRIM

def test_grim_hand_cases():
    # 3,14 with n=7: 22/7 = 3.142857 -> 3.14 under every rule
    assert grim_sums("3,14", 7) == [22]
    assert all(grim_consistent("3,14", 7, rule=r) for r in ALL_RULES)
    # 3,47 with n=3: 10/3 = 3.33, 11/3 = 3.67 -> impossible under every rule
    assert not any(grim_consistent("3,47", 3, rule=r) for r in ALL_RULES)
    # truncated means: 2,85 with n=7; 19/7 = 2.714, 20/7 = 2.857 (-> 2.86 rounded)
    assert not grim_consistent("2,85", 7, rule="half_up")
    assert not grim_consistent("2,85", 7, rule="half_even")
    assert grim_consistent("2,85", 7, rule="truncate")
    # "4" has 0 decimals: 11/3 = 3.67 rounds to 4, but truncates to 3
    assert grim_sums("4", 3, rule="half_up") == [11, 12]
    assert grim_sums("4", 3, rule="truncate") == [12]
    # the same value printed with two decimals is stricter: 4,00 needs exactly 12
    assert grim_sums("4,00", 3) == [12]


def test_grim_n_equal_one_and_scale_bounds():
    assert grim_consistent("3", 1) and grim_consistent("3,00", 1)
    assert not grim_consistent("3,5", 1)            # one answer is a whole number
    # 4,5 with n=2 needs sum 9 > 2*4: impossible on 1-4, fine on 1-5
    assert not grim_consistent("4,5", 2, scale=(1, 4))
    assert grim_consistent("4,5", 2, scale=(1, 5))
    assert not grim_consistent("0,9", 10)           # below the lowest answer


def test_grim_on_a_seven_point_scale():
    # 38/7 = 5.428571 -> 5,43; 39/7 = 5.571 -> 5,57; so 5,44 is impossible
    assert grim_consistent("5,43", 7, scale=(1, 7))
    assert not grim_consistent("5,44", 7, scale=(1, 7), rule="any")


def test_grim_unknown_n_ranges():
    # 3,33 = 10/3, 20/6, 30/9; no sum of 4, 5, 7 or 8 answers gives 3.33
    assert grim_n_values("3,33", (3, 9)) == [3, 6, 9]
    assert grim_n_values("3,33", (4, 5)) == []
    assert grim_consistent("3,33", (3, 4)) and not grim_consistent("3,33", (4, 5))
    # 3,8 (one decimal): n=7 fails half-up (26/7 = 3.71, 27/7 = 3.86) but n=6 (23/6 = 3.83) fits
    assert grim_n_values("3,8", (6, 8), rule="half_up") == [6, 8]
    assert grim_n_values("3,8", (6, 8), rule="truncate") == [6, 7, 8]


def test_grim_matches_grim_package_on_a_grid():
    """Cross-check against grim.mean_tester.consistency_check (PyPI 'grim').

    The package ignores the answer scale, so we use a wide scale here and
    means inside 1..4; rounding names map to decimal's ROUND_HALF_UP,
    ROUND_HALF_EVEN and ROUND_DOWN (truncation).
    """
    from grim import mean_tester

    texts = [f"{x / 100:.2f}" for x in range(100, 401, 7)] + \
            [f"{x / 10:.1f}" for x in range(10, 41, 3)]
    checked = disagreements = 0
    for text in texts:
        for n in range(1, 41):
            for rule in RULES:
                theirs = mean_tester.consistency_check(text, str(n), _DECIMAL_RULES[rule])
                ours = grim_consistent(text.replace(".", ","), n, scale=(-50, 50), rule=rule)
                checked += 1
                disagreements += theirs != ours
    assert checked > 5000
    assert disagreements == 0


# ------------------------------------------------------------- joint counts

def test_multiset_count_matches_enumeration():
    for scale in [(1, 4), (1, 7), (0, 2)]:
        values = range(scale[0], scale[1] + 1)
        for m in range(0, 6):
            sums = [sum(c) for c in combinations_with_replacement(values, m)]
            for total in range(m * scale[0] - 1, m * scale[1] + 2):
                assert multiset_count(m, total, scale) == sums.count(total)


def test_joint_hand_case_s2():
    # 3,33 (n=3) -> sum 10: {2,4,4}, {3,3,4}            = 2 multisets
    # 2,71 (n=7) -> sum 19 (18/7 = 2.57, 20/7 = 2.86)   -> rest of 4 sums to 9:
    # {1,1,3,4}, {1,2,2,4}, {1,2,3,3}, {2,2,2,3}         = 4 multisets -> 2 x 4 = 8
    r = joint_combinations("3,33", 3, "2,71", 7)
    assert r.count == 8
    assert r.rest_mean_range == (Fraction(9, 4), Fraction(9, 4))
    # agreeing (3-4): subgroup 2 or 3, rest 1 or 2 -> 3 to 5 in total
    assert r.agreed_range == (3, 5)


def test_joint_s5_is_infeasible_but_fits_with_eight():
    # 3,33 (n=3) -> sum 10. 3,8 (n=7): only truncation fits (27/7 = 3.857 -> 3.8),
    # so the other four must sum to 17: mean 4.25 > 4. Impossible under every rule.
    r = joint_combinations("3,33", 3, "3,8", 7, rule="any")
    assert r.count == 0 and not r.feasible and r.rest_mean_range is None
    assert r.implied_rest_means == (Fraction(17, 4),)
    # with n=8 (half-up: 30/8 = 3.75 -> 3.8) the other five answer 4, 4, 4, 4, 4:
    # 2 subgroup multisets x 1 rest multiset
    r8 = joint_combinations("3,33", 3, "3,8", 8)
    assert r8.count == 2 and r8.rest_mean_range == (Fraction(4), Fraction(4))


def test_joint_subgroup_equal_to_total():
    # rest is empty: both printed means must fit the same three answers
    same = joint_combinations("3,33", 3, "3,33", 3)
    assert same.count == 2 and same.rest_mean_range is None and same.agreed_range == (2, 3)
    assert joint_combinations("3,33", 3, "3,67", 3).count == 0


def test_joint_with_n_equal_one():
    # one subgroup answer printed as 4 (0 decimals, n=1 -> answer 4);
    # total 3,5 with n=2 -> sum 7 -> the other answer is 3
    r = joint_combinations("4", 1, "3,5", 2)
    assert r.count == 1 and r.rest_mean_range == (Fraction(3), Fraction(3))
    assert r.agreed_range == (2, 2)


def test_joint_n_ranges_sum_over_pairs():
    ranged = joint_combinations("3,33", (3, 4), "3,8", (6, 8), rule="half_up")
    singles = {(a, b): joint_combinations("3,33", a, "3,8", b, rule="half_up").count
               for a in (3, 4) for b in (6, 7, 8)}
    assert ranged.by_n == singles
    assert ranged.count == sum(singles.values()) == 2
    with pytest.raises(DataError, match="sub_n"):
        joint_combinations("3", 5, "3", 4)


CASES = [
    ("3,33", 3, "2,71", 7, (1, 4)),
    ("4", 3, "3,85", 7, (1, 4)),
    ("3,33", 3, "2,85", 7, (1, 4)),
    ("2,5", 2, "3,2", 5, (1, 5)),
    ("5,5", 2, "4,33", 6, (1, 7)),
    ("2", 1, "2,25", 4, (1, 4)),
    ("1,67", 3, "1,67", 3, (1, 3)),
    ("3,2", 5, "3,17", 6, (1, 4)),
]


@pytest.mark.parametrize("rule", ALL_RULES)
@pytest.mark.parametrize("sub, n_sub, tot, n_tot, scale", CASES)
def test_joint_matches_brute_force(sub, n_sub, tot, n_tot, scale, rule):
    agree = default_agree_from(scale)
    expected = _brute_joint(sub, n_sub, tot, n_tot, scale, rule, agree)
    r = joint_combinations(sub, n_sub, tot, n_tot, scale, rule)
    assert (r.count, r.rest_mean_range, r.agreed_range) == expected


def test_joint_brute_force_cases_are_not_all_trivial():
    counts = [_brute_joint(*c, "half_up", default_agree_from(c[4]))[0] for c in CASES]
    assert min(counts) == 0 and max(counts) > 10


def test_agree_threshold_is_top_half_and_a_parameter():
    assert default_agree_from((1, 4)) == 3 and default_agree_from((1, 7)) == 5
    assert default_agree_from((1, 5)) == 4            # the neutral 3 does not count
    # S2 with only answer 4 counted as agreeing: subgroup {2,4,4} has 2, {3,3,4} 1
    r = joint_combinations("3,33", 3, "2,71", 7, agree_from=4)
    expected = _brute_joint("3,33", 3, "2,71", 7, (1, 4), "half_up", 4)
    assert r.agreed_range == expected[2] == (1, 3)


def test_joint_is_fast_for_thirty_on_seven_points():
    _multiset_counts.cache_clear()
    start = time.perf_counter()
    r = joint_combinations("4,50", 12, "4,37", 30, scale=(1, 7), rule="any")
    elapsed = time.perf_counter() - start
    assert r.count > 10**6          # many combinations, counted without listing them
    assert elapsed < 1.0


# ------------------------------------------------------------ tables (real)

def test_grim_table_on_report(means):
    g = grim_table(means).set_index(["item", "group"])
    assert len(g) == 12
    # every social-secretary mean passes GRIM with n=3
    assert g.xs("social_secretaries", level="group")["grim_any"].all()
    for item in ("S3", "S4"):       # 2,85 and 3,85: truncation only
        row = g.loc[(item, "all_respondents")]
        assert not row["grim_half_up"] and not row["grim_half_even"] and row["grim_truncate"]
    s5 = g.loc[("S5", "all_respondents")]
    assert not s5["grim_half_up"] and s5["grim_half_up_range"]
    assert s5["n_ok_half_up"] == (6, 8) and s5["n_ok_truncate"] == (6, 7, 8)
    assert g.loc[("S2", "social_secretaries"), "n_ok_any"] == (3,)   # 3,33 not n=4


def test_joint_table_on_report(means):
    j = joint_table(means).set_index("item")
    assert list(j.index) == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert j.loc["S5", "combos_any"] == 0 and j.loc["S5", "combos_any_range"] > 0
    assert (j.loc[["S3", "S4"], "combos_half_up"] == 0).all()
    assert (j.loc[["S3", "S4"], "combos_truncate"] > 0).all()
    assert j.loc["S2", "combos_half_up"] == 8
    assert j.loc["S2", "rest_mean_min"] == Fraction(9, 4)
    # the counts agree with brute force for every item and rule
    for item, row in j.iterrows():
        for rule in ALL_RULES:
            brute = _brute_joint(row["sub_printed"], 3, row["total_printed"], 7, (1, 4), rule, 3)
            assert row[f"combos_{rule}"] == brute[0], (item, rule)


def test_joint_table_verdicts_are_computed(means):
    v = joint_table(means).set_index("item")["verdict"]
    assert v["S5"].startswith("S5: the printed 3,33 (n=3) and 3,8 (n=7) cannot both be right "
                              "under any rounding rule")
    assert "would need a mean of 4.25 on a 1–4 scale" in v["S5"]
    assert "n=3 and n=8" in v["S5"]
    assert "only under truncation" in v["S3"] and "2,86" in v["S3"]
    assert "every rounding rule" in v["S1"]
    # a changed printed value changes the verdict (nothing hard-coded)
    changed = means.copy()
    changed.loc[(changed["item"] == "S5") & (changed["group"] == "all_respondents"),
                "mean_printed"] = "3,71"     # 26/7 = 3.714: the other four sum to 16
    v2 = joint_table(changed).set_index("item")["verdict"]
    assert "cannot" not in v2["S5"] and "every rounding rule" in v2["S5"]
    assert "the other four respondents' mean is 4" in v2["S5"]


def test_verdict_when_only_mixed_rules_fit():
    # 3,7 (n=3) fits only rounding (11/3 = 3.667 -> 3.7; truncation gives 3.6);
    # 3,85 (n=7) fits only truncation (27/7 = 3.857): only a mix of rules fits,
    # with the other four answering 4, 4, 4, 4 (27 - 11 = 16)
    table = _means_frame([("S9", "social_secretaries", "3,7", 3, 3, 3),
                          ("S9", "all_respondents", "3,85", 7, 7, 7)])
    row = joint_table(table).iloc[0]
    assert [row[f"combos_{r}"] for r in ALL_RULES] == [0, 0, 0, 1]
    assert "rounded by different rules" in row["verdict"]
    assert "the other four respondents' mean is 4" in row["verdict"]


def test_survey_summary_is_json_ready(items, means):
    summary = survey_summary(items, means)
    text = json.dumps(summary, ensure_ascii=False)
    back = json.loads(text)
    assert [s["item"] for s in back] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    s3 = back[2]
    assert s3["statement_sv"].startswith("Under mentorskapsträffarna")
    assert [g["group"] for g in s3["groups"]] == ["social_secretaries", "all_respondents"]
    assert s3["groups"][1]["mean_reported"] == "2,85" and s3["groups"][1]["n"] == 7
    assert s3["groups"][1]["grim"] == {"half_up": False, "half_even": False,
                                       "truncate": True, "any": True}
    assert s3["joint"]["half_up"] == 0 and s3["joint"]["truncate"] > 0
    assert back[4]["joint"]["any"] == 0 and "4.25" in back[4]["verdict"]


def test_format_summary_table(items, means):
    text = format_summary_table(survey_summary(items, means))
    lines = text.splitlines()
    assert lines[0].startswith("item") and "joint combinations" in lines[0]
    s3 = next(line for line in lines if line.startswith("S3 "))
    assert "2,85 (n=7) --+" in s3
    assert sum(line.startswith("S5: ") for line in lines) == 1


def test_reported_table(items, means):
    t = reported_table(items, means)
    assert t.loc[0, "all_respondents"] == "3,14" and t.loc[0, "social_secretaries"] == "4"
    assert t.loc[4, "all_respondents"] == "3,8"          # not padded to 3,80
    assert int(t.loc[0, "n_all_respondents"]) == 7
    assert t.loc[5, "statement_sv"] == "Mentorskapsträffarna har varit avslappnande"
    dot = reported_table(items, means, decimal=".")
    assert dot.loc[1, "social_secretaries"] == "3.33"
    with pytest.raises(DataError, match="decimal"):
        reported_table(items, means, decimal=";")


def test_items_with_goals(items):
    g = items_with_goals(items)
    assert list(g.columns) == ["item", "statement_sv", "statement_en", "contract_goal_sv",
                               "contract_goal_en", "link_basis"]
    assert g.set_index("item").loc["S5", "contract_goal_sv"] == "Ge något åt jobbet."
    assert g.set_index("item").loc["S3", "contract_goal_en"] == ""
    assert set(g["link_basis"]) <= {"reported", "inferred"}


# -------------------------------------------------------------- bad tables

def test_bad_means_tables_raise_data_error(means):
    with pytest.raises(DataError, match="n_likely"):
        grim_table(means.drop(columns=["n_likely"]))
    bad = means.copy()
    bad.loc[2, "mean_printed"] = "3;33"
    bad.loc[3, "n_likely"] = 9            # outside 6..8
    with pytest.raises(DataError) as err:
        grim_table(bad)
    message = str(err.value)
    assert "2 problems" in message
    assert "line 4, column 'mean_printed': found '3;33'" in message
    assert "line 5, column 'n_likely'" in message
    missing = _means_frame([("S1", "social_secretaries", "4", 3, 4, 3)])
    with pytest.raises(DataError, match="all_respondents"):
        joint_table(missing)
    with pytest.raises(DataError, match="DataFrame"):
        grim_table([1, 2, 3])


# --------------------------------------------------------------- responses

def test_response_distribution_includes_zeros(synthetic_responses):
    d = response_distribution(synthetic_responses)
    assert len(d) == 2 * 4
    s1 = d[d["item"] == "S1"].set_index("answer")["count"].to_dict()
    assert s1 == {1: 1, 2: 0, 3: 1, 4: 2}
    s2 = d[d["item"] == "S2"].set_index("answer")["share"].to_dict()
    assert s2 == {1: 0.0, 2: 1.0, 3: 0.0, 4: 0.0}
    by_group = response_distribution(synthetic_responses, by_group=True)
    assert len(by_group) == 2 * 2 * 4 and by_group["count"].sum() == 8


def test_response_means(synthetic_responses):
    m = response_means(synthetic_responses).set_index(["item", "group"])
    # S1 pooled: (4 + 4 + 3 + 1) / 4 = 3; social secretaries 8/2 = 4; mentors 4/2 = 2
    assert m.loc[("S1", "all_respondents"), "mean"] == 3.0
    assert m.loc[("S1", "social_secretary"), ["n", "sum"]].tolist() == [2, 8]
    assert m.loc[("S1", "mentor"), "mean"] == 2.0
    assert len(response_means(synthetic_responses, pooled=None)) == 4


@pytest.mark.parametrize("value", [5, 0, 2.5, "x"])
def test_answers_outside_scale_name_respondent_item_value(synthetic_responses, value):
    bad = synthetic_responses.astype({"answer": object})
    bad.loc[6, "answer"] = value       # respondent c, item S2
    with pytest.raises(DataError) as err:
        response_distribution(bad)
    message = str(err.value)
    assert "respondent c" in message and "item S2" in message and repr(value) in message
    assert "line 8" in message


def test_duplicate_answers_are_rejected(synthetic_responses):
    dup = pd.concat([synthetic_responses, synthetic_responses.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match="second answer"):
        validate_responses(dup)
    with pytest.raises(DataError, match="answer"):
        validate_responses(synthetic_responses.drop(columns=["answer"]))


# -------------------------------------------------------------------- plots

def _legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_survey_means_marks_impossible(means):
    fig = plot_survey_means(means)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    ticks = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))
    assert [ticks[y] for y in sorted(ticks)] == ["S6", "S5", "S4", "S3", "S2", "S1"]  # S1 on top
    crosses = [line for line in ax.get_lines() if line.get_gid() == "impossible"]
    assert len(crosses) == 1                                # only S5 (jointly infeasible)
    assert crosses[0].get_xdata()[0] == pytest.approx(3.8)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "impossible_text"] == ["means do not fit together"]
    n_labels = [t for t in ax.texts if t.get_gid() == "n"]           # n written beside each statement
    assert len(n_labels) == 6 and all(t.get_fontstyle() == "italic" for t in n_labels)   # inferred n: italic
    legend = _legend_texts(ax)
    assert "Social secretaries" in legend and "All respondents" in legend
    assert any(t.startswith("Other respondents") for t in legend)
    assert "Cannot be right as printed" in legend
    assert "agree fully" in ax.get_xlabel()


def test_plot_survey_means_marks_grim_failure_and_swedish():
    table = _means_frame([("S1", "social_secretaries", "3,47", 3, 3, 3),
                          ("S1", "all_respondents", "3,14", 7, 7, 7)])
    fig, ax = plt.subplots()
    out = plot_survey_means(joint_table(table), lang="sv", ax=ax)
    assert out is fig
    assert [t.get_text() for t in ax.texts if t.get_gid() == "impossible_text"] == ["GRIM: omöjligt"]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "n"] == ["n = 3 / 7 (grund ej angiven)"]
    assert "Socialsekreterare" in _legend_texts(ax)
    assert "håller helt med" in ax.get_xlabel()
    with pytest.raises(DataError, match="lang"):
        plot_survey_means(table, lang="de")
    with pytest.raises(DataError):
        plot_survey_means(pd.DataFrame({"x": [1]}))


def test_plot_diverging_likert(synthetic_responses):
    fig = plot_diverging_likert(synthetic_responses, synthetic=True)
    ax = fig.axes[0]
    assert "synthetic" in ax.get_title()
    assert "synthetic" in ax.get_legend().get_title().get_text()
    bars = ax.patches
    assert len(bars) == 2 * 4                             # items x answers
    # S1: answers 1 and 2 (25 % + 0 %) go left of zero, 3 and 4 (25 % + 50 %) right
    s1 = [b for b in bars if b.get_y() + b.get_height() / 2 == pytest.approx(1)]
    left = sum(b.get_width() for b in s1 if b.get_x() < 0)
    right = sum(b.get_width() for b in s1 if b.get_x() >= 0)
    assert left == pytest.approx(25) and right == pytest.approx(75)
    assert _legend_texts(ax)[0] == "1 do not agree at all"
    plain = plot_diverging_likert(synthetic_responses, lang="sv")
    assert "synthetic" not in plain.axes[0].get_title()
    assert "syntetiska" not in plain.axes[0].get_title()
    assert _legend_texts(plain.axes[0])[-1] == "4 håller helt med"


def test_plot_diverging_likert_odd_scale_splits_neutral():
    rows = [("a", "g", "S1", 4), ("b", "g", "S1", 4), ("c", "g", "S1", 7), ("d", "g", "S1", 1)]
    data = pd.DataFrame(rows, columns=["respondent_id", "group", "item", "answer"])
    ax = plot_diverging_likert(data, scale=(1, 7)).axes[0]
    neutral = [b for b in ax.patches if b.get_width() == pytest.approx(50)]
    assert len(neutral) == 1 and neutral[0].get_x() == pytest.approx(-25)


# ------------------------------------------------- answers against the printed means (issue 13)

from ebm_analysis.plotting.survey import plot_answer_counts  # noqa: E402
from ebm_analysis.survey import distribution_table, means_check  # noqa: E402


def _answers(groups: dict[str, list[int]], item: str = "S1") -> pd.DataFrame:
    """SYNTHETIC long answers: {group: [answer, ...]} for one item."""
    rows = [(f"R{g[:2].upper()}{i}", g, item, a) for g in groups for i, a in enumerate(groups[g])]
    return pd.DataFrame(rows, columns=["respondent_id", "group", "item", "answer"])


def test_means_check_matches_flags_and_explains():
    # S1 as printed: 4 (n=3) and 3,14 (n=7): answers 4,4,4 + 3,3,2,2 give 12/3 and 22/7 = 3.142857
    ok = _answers({"social_secretaries": [4, 4, 4], "others": [3, 3, 2, 2]})
    printed = _means_frame([("S1", "social_secretaries", "4", 3, 4, 3), ("S1", "all_respondents", "3,14", 6, 8, 7)])
    check = means_check(ok, printed)
    assert check["consistent"].tolist() == [True, True]
    assert check[["n_answers", "mean_recomputed", "printed_half_up"]].values.tolist() == [
        [3, "4.0000", "4"], [7, "3.1429", "3,14"]]
    # one mentor answers 3 instead of 2: 23/7 = 3.2857 prints 3,29 or 3,28, not 3,14
    bad = ok.assign(answer=[4, 4, 4, 3, 3, 3, 2])
    row = means_check(bad, printed).iloc[1]
    assert not row["consistent"] and row["matching_rules"] == "none"
    assert row["note"] == ("S1, all respondents: 7 answers, mean 23/7 = 3.286, prints as 3,29 by half-up, "
                           "3,29 by half-even, 3,28 by truncation, not 3,14 as printed.")


def test_means_check_without_answers_and_outside_n_range():
    printed = _means_frame([("S1", "social_secretaries", "4", 3, 4, 3), ("S1", "all_respondents", "3,5", 6, 8, 7)])
    check = means_check(_answers({"others": [3, 4]}), printed)
    first, second = check.iloc[0], check.iloc[1]
    assert first["n_answers"] == 0 and pd.isna(first["consistent"]) and "no answers from this group" in first["note"]
    assert second["consistent"] and not second["n_in_range"]
    assert second["note"].endswith("The 2 answers lie outside the 6–8 respondents the report allows.")


def test_means_check_property_recomputed_means_always_reproduce_their_own_print():
    """Fuzz: print the mean of random answers by each rule; the check must find that rule, and a nudged print fail."""
    import random

    rng = random.Random(13)
    for _ in range(300):
        lo = rng.choice([0, 1])
        hi = lo + rng.choice([3, 4, 6, 10])
        n_sub, n_rest = rng.randint(1, 6), rng.randint(0, 6)
        sub = [rng.randint(lo, hi) for _ in range(n_sub)]
        rest = [rng.randint(lo, hi) for _ in range(n_rest)]
        answers = _answers({"social_secretaries": sub, "others": rest})
        rule, decimals = rng.choice(RULES), rng.choice([0, 1, 2])
        rows = []
        for group, values in (("social_secretaries", sub), ("all_respondents", sub + rest)):
            exact = Fraction(sum(values), len(values))
            printed = round_mean(exact, decimals, rule)
            text = f"{float(printed):.{decimals}f}".replace(".", ",")
            rows.append(("S1", group, text, 1, 20, len(values)))
        check = means_check(answers, _means_frame(rows), scale=(lo, hi))
        assert check["consistent"].all(), (sub, rest, rule, decimals)
        assert check["n_answers"].tolist() == [n_sub, n_sub + n_rest]
        assert all(rule.replace("_", "-") in m or rule == "truncate" and "truncation" in m
                   for m in check["matching_rules"])
        # a print one unit off can only match if it is within one unit of the exact mean under another rule
        nudged = [(i, g, f"{float(_value(t) + Fraction(2, 10 ** decimals)):.{decimals}f}".replace(".", ","), a, b, c)
                  for i, g, t, a, b, c in rows]
        assert not means_check(answers, _means_frame(nudged), scale=(lo, hi))["consistent"].any()


def _value(text: str) -> Fraction:
    return Fraction(text.replace(",", "."))


def test_distribution_table_counts_per_group_and_pooled(synthetic_responses):
    table = distribution_table(synthetic_responses)
    s1 = table[table["item"] == "S1"].set_index("group")
    assert list(s1.index) == ["mentor", "social_secretary", "all_respondents"]
    assert s1.loc["all_respondents", ["n", "1", "2", "3", "4"]].tolist() == [4, 1, 0, 1, 2]
    assert s1.loc["mentor", "mean"] == 2.0
    assert len(distribution_table(synthetic_responses, pooled=None)) == 4


def test_plot_answer_counts_bars_add_up_and_labels_follow_language(synthetic_responses):
    fig = plot_answer_counts(synthetic_responses, lang="en", synthetic=True)
    ax = fig.axes[0]
    assert ax.get_title() == "Answers per statement and group (SYNTHETIC DATA)"
    assert [t.get_text() for t in ax.get_yticklabels()][:3] == ["S1 · mentor", "S1 · Social secretaries",
                                                              "S1 · All respondents"]
    widths = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2, 6)
        widths[y] = widths.get(y, 0) + patch.get_width()
    assert sorted(widths.values()) == [2, 2, 2, 2, 4, 4]
    assert ax.get_legend().get_texts()[0].get_text() == "1 do not agree at all"
    sv = plot_answer_counts(synthetic_responses, lang="sv").axes[0]
    assert sv.get_xlabel() == "Antal svar" and sv.get_legend().get_title().get_text() == "Svar"
    fig2, ax2 = plt.subplots()
    assert plot_answer_counts(synthetic_responses, ax=ax2) is fig2
