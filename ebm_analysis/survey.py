"""Consistency checks for the survey means printed in the EBM evaluation report.

The report prints one table: six statements (items S1-S6) answered on a 1-4
agreement scale (1 = do not agree at all, 4 = agree fully), with one column of
means for the social secretaries and one for all respondents (the social
secretaries, the expert social secretary and the service-user mentors). The
group sizes are not printed; ``data/survey_means.csv`` holds inferred values.

This module asks, with exact arithmetic (:class:`fractions.Fraction`, never
floats), whether the printed means can be right:

* **GRIM** (Brown & Heathers 2016): a mean of ``n`` whole-number answers is
  ``S / n`` for an integer sum ``S``; a printed mean is *consistent* when some
  such ``S`` (within the scale) rounds to it.
* **Joint check** of the two nested columns: the social secretaries are part of
  "all respondents", so both printed means must come from one set of answers.
  :func:`joint_combinations` counts every feasible combination exactly.

Rounding rules
--------------
``"half_up"``
    Ties away from zero (2.855 -> 2.86), as Excel and SPSS display.
``"half_even"``
    Ties to the even digit (2.845 -> 2.84), as R and Python's ``round``.
``"truncate"``
    Cut the digits off (2.857 -> 2.85).
``"any"``
    Any one of the three. In the joint check each printed mean may use its own
    rule, so ``"any"`` is the most lenient reading: infeasible under ``"any"``
    means infeasible under every rule.

The number of decimals is taken from the printed text: ``"4"`` has 0 decimals
(any mean from 3.5 up to 4.5 prints as 4 under half-up rounding), ``"3,8"`` has 1.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import pandas as pd

from ebm_analysis.errors import DataError, Problem

__all__ = [
    "RULES",
    "ALL_RULES",
    "SUB_GROUP",
    "TOTAL_GROUP",
    "JointResult",
    "parse_printed_mean",
    "round_mean",
    "rounds_to",
    "grim_sums",
    "grim_consistent",
    "grim_n_values",
    "default_agree_from",
    "multiset_count",
    "joint_combinations",
    "grim_table",
    "joint_table",
    "survey_summary",
    "format_summary_table",
    "reported_table",
    "validate_responses",
    "response_distribution",
    "response_means",
    "distribution_table",
    "means_check",
    "items_with_goals",
    "arithmetic",
    "possible_answer_sets",
]

RULES: tuple[str, ...] = ("half_up", "half_even", "truncate")
ALL_RULES: tuple[str, ...] = RULES + ("any",)
SUB_GROUP = "social_secretaries"
TOTAL_GROUP = "all_respondents"
GROUP_LABELS = {SUB_GROUP: "social secretaries", TOTAL_GROUP: "all respondents"}
RULE_LABELS = {"half_up": "half-up", "half_even": "half-even", "truncate": "truncation"}

Scale = tuple[int, int]
NSpec = int | tuple[int, int]

_ARGS = "(arguments)"
_MEAN_RE = re.compile(r"^\s*(-?)(\d+)(?:[.,](\d+))?\s*$")
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven",
                 "eight", "nine", "ten", "eleven", "twelve")


# --------------------------------------------------------------------------
# Parsing and argument checks
# --------------------------------------------------------------------------

def parse_printed_mean(text: str, *, file: str = "(input)", line: int | None = None,
                       column: str | None = "mean_printed") -> tuple[Fraction, int]:
    """Read a mean as printed, with a decimal comma or point.

    Parameters
    ----------
    text : str
        The mean as printed, e.g. ``"3,14"``, ``"3.14"``, ``"4"``, ``"4,00"``.
    file, line, column : optional
        Where the text came from, used in the error message.

    Returns
    -------
    value : Fraction
        The printed value, exactly.
    decimals : int
        Number of printed decimals (``"4"`` -> 0, ``"4.00"`` -> 2).

    Raises
    ------
    DataError
        If the text is not a plain decimal number.

    Examples
    --------
    >>> parse_printed_mean("3,14")
    (Fraction(157, 50), 2)
    >>> parse_printed_mean("4")
    (Fraction(4, 1), 0)
    """
    match = _MEAN_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise DataError(Problem(
            file, line, column, repr(text),
            "expected a mean as printed, e.g. '3,14', '3.14' or '4' "
            "(digits, then optionally a decimal comma or point and more digits)"))
    sign, whole, frac = match.groups()
    frac = frac or ""
    value = Fraction(int(whole + frac), 10 ** len(frac))
    return (-value if sign else value), len(frac)


def _arg_error(name: str, found: object, expected: str) -> DataError:
    return DataError(Problem(_ARGS, None, name, repr(found), expected))


def _check_rule(rule: str) -> str:
    if rule not in ALL_RULES:
        raise _arg_error("rule", rule, f"expected one of {', '.join(ALL_RULES)}")
    return rule


def _check_scale(scale: Scale) -> Scale:
    ok = (isinstance(scale, tuple) and len(scale) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
          and scale[0] < scale[1])
    if not ok:
        raise _arg_error("scale", scale, "expected (lowest, highest) whole numbers, "
                                         "lowest < highest, e.g. (1, 4)")
    return scale


def _n_values(n: NSpec, name: str = "n") -> list[int]:
    """Expand an n (int) or an n range (n_min, n_max) into a list of n."""
    if isinstance(n, tuple) and len(n) == 2:
        lo, hi = n
    else:
        lo = hi = n
    ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi))
    if not ok or lo < 1 or lo > hi:
        raise _arg_error(name, n, "expected a whole number >= 1 or a range "
                                  "(n_min, n_max) with 1 <= n_min <= n_max")
    return list(range(lo, hi + 1))


def _as_printed(printed: str | Fraction | int, decimals: int | None) -> tuple[Fraction, int]:
    if isinstance(printed, str):
        return parse_printed_mean(printed, file=_ARGS, column="printed")
    if decimals is None or not isinstance(decimals, int) or decimals < 0:
        raise _arg_error("decimals", decimals,
                         "give the printed text (e.g. '3,14'), or a value with decimals >= 0")
    return Fraction(printed), decimals


# --------------------------------------------------------------------------
# Rounding and GRIM
# --------------------------------------------------------------------------

def round_mean(value: Fraction, decimals: int, rule: str) -> Fraction:
    """Round a value to ``decimals`` places under one rounding rule, exactly.

    Parameters
    ----------
    value : Fraction
        The exact value.
    decimals : int
        Number of decimals to keep.
    rule : {"half_up", "half_even", "truncate"}
        Rounding rule (``"half_up"`` rounds ties away from zero).

    Returns
    -------
    Fraction
        The rounded value.

    Examples
    --------
    >>> str(round_mean(Fraction(20, 7), 2, "half_up")), str(round_mean(Fraction(20, 7), 2, "truncate"))
    ('143/50', '57/20')
    """
    if _check_rule(rule) == "any":
        raise _arg_error("rule", rule, "round_mean needs one rule: half_up, half_even or truncate")
    unit = 10 ** decimals
    scaled = Fraction(value) * unit
    if rule == "truncate":
        whole = math.trunc(scaled)
    elif rule == "half_even":
        whole = round(scaled)  # Fraction.__round__ rounds ties to even, exactly
    else:
        whole = math.floor(abs(scaled) + Fraction(1, 2)) * (1 if scaled >= 0 else -1)
    return Fraction(whole, unit)


def rounds_to(value: Fraction, printed: Fraction, decimals: int, rule: str) -> bool:
    """Whether ``value`` rounds to ``printed`` (with ``decimals`` places) under ``rule``.

    Parameters
    ----------
    value : Fraction
        Exact value, e.g. ``Fraction(22, 7)``.
    printed : Fraction
        The printed value.
    decimals : int
        Printed decimals.
    rule : {"half_up", "half_even", "truncate", "any"}
        Rounding rule; ``"any"`` means any one of the three.

    Returns
    -------
    bool

    Examples
    --------
    >>> rounds_to(Fraction(20, 7), Fraction(285, 100), 2, "half_up")
    False
    >>> rounds_to(Fraction(20, 7), Fraction(285, 100), 2, "truncate")
    True
    """
    rules = RULES if _check_rule(rule) == "any" else (rule,)
    return any(round_mean(value, decimals, r) == printed for r in rules)


def _sums(printed: Fraction, decimals: int, n: int, scale: Scale, rule: str) -> list[int]:
    """Integer sums S, n*lo <= S <= n*hi, whose mean S/n rounds to ``printed``."""
    lo, hi = scale
    unit = Fraction(1, 10 ** decimals)
    # Every value that rounds to `printed` under any rule lies strictly within
    # one unit of it, so only this window of sums needs testing.
    first = max(n * lo, math.floor((printed - unit) * n))
    last = min(n * hi, math.ceil((printed + unit) * n))
    return [s for s in range(first, last + 1)
            if rounds_to(Fraction(s, n), printed, decimals, rule)]


def grim_sums(printed: str | Fraction, n: int, scale: Scale = (1, 4), rule: str = "half_up",
              *, decimals: int | None = None) -> list[int]:
    """All integer sums of ``n`` answers whose mean rounds to the printed mean.

    Parameters
    ----------
    printed : str or Fraction
        The mean as printed (``"3,14"``), or its value together with ``decimals``.
    n : int
        Number of answers.
    scale : (int, int)
        Lowest and highest answer.
    rule : str
        Rounding rule (see module docstring).
    decimals : int, optional
        Printed decimals, needed only when ``printed`` is not text.

    Returns
    -------
    list of int

    Examples
    --------
    >>> grim_sums("3,14", 7)      # 22/7 = 3.1428...
    [22]
    >>> grim_sums("4", 3)         # 11/3 = 3.67 and 12/3 = 4 both print as 4
    [11, 12]
    """
    value, dec = _as_printed(printed, decimals)
    (n,) = _n_values(n)
    return _sums(value, dec, n, _check_scale(scale), _check_rule(rule))


def grim_n_values(printed: str | Fraction, n: NSpec, scale: Scale = (1, 4),
                  rule: str = "half_up", *, decimals: int | None = None) -> list[int]:
    """The sample sizes in ``n`` (an int or a range) for which the mean passes GRIM.

    Parameters
    ----------
    printed : str or Fraction
        The mean as printed, or its value with ``decimals``.
    n : int or (int, int)
        One n, or an inclusive range ``(n_min, n_max)``.
    scale, rule, decimals
        As in :func:`grim_sums`.

    Returns
    -------
    list of int
        The n that work, ascending (empty if none).

    Examples
    --------
    >>> grim_n_values("3,33", (3, 4))   # 10/3 = 3.333; no sum of 4 answers fits
    [3]
    """
    value, dec = _as_printed(printed, decimals)
    scale, rule = _check_scale(scale), _check_rule(rule)
    return [k for k in _n_values(n) if _sums(value, dec, k, scale, rule)]


def grim_consistent(printed: str | Fraction, n: NSpec, scale: Scale = (1, 4),
                    rule: str = "half_up", *, decimals: int | None = None) -> bool:
    """GRIM test: could ``n`` whole-number answers have the printed mean?

    Parameters
    ----------
    printed : str or Fraction
        The mean as printed, or its value with ``decimals``.
    n : int or (int, int)
        Number of answers, or an inclusive range when n is unknown (then the
        result is True if any n in the range works).
    scale : (int, int)
        Lowest and highest possible answer.
    rule : str
        ``"half_up"``, ``"half_even"``, ``"truncate"`` or ``"any"``.
    decimals : int, optional
        Printed decimals, needed only when ``printed`` is not text.

    Returns
    -------
    bool

    Examples
    --------
    >>> grim_consistent("3,14", 7)
    True
    >>> grim_consistent("2,85", 7), grim_consistent("2,85", 7, rule="truncate")
    (False, True)
    """
    return bool(grim_n_values(printed, n, scale, rule, decimals=decimals))


# --------------------------------------------------------------------------
# Counting answer combinations exactly
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _multiset_counts(m: int, width: int) -> tuple[int, ...]:
    """counts[t] = number of multisets of m values from 0..width with sum t.

    Dynamic programme over the values 0..width (an unbounded knapsack with a
    size dimension); exact integers throughout.
    """
    top = m * width
    dp = [[0] * (top + 1) for _ in range(m + 1)]
    dp[0][0] = 1
    for v in range(width + 1):
        for c in range(1, m + 1):
            row, prev = dp[c], dp[c - 1]
            for t in range(v, c * width + 1):
                row[t] += prev[t - v]
    return tuple(dp[m])


def multiset_count(m: int, total: int, scale: Scale = (1, 4)) -> int:
    """Number of multisets of ``m`` answers on ``scale`` that sum to ``total``.

    A multiset ignores who gave which answer: {3, 4, 4} is one multiset.

    Parameters
    ----------
    m : int
        Number of answers (0 allowed: the empty multiset sums to 0).
    total : int
        Required sum.
    scale : (int, int)
        Lowest and highest answer.

    Returns
    -------
    int

    Examples
    --------
    >>> multiset_count(3, 10)   # {2,4,4} and {3,3,4}
    2
    """
    lo, hi = _check_scale(scale)
    shifted = total - m * lo
    counts = _multiset_counts(m, hi - lo)
    return counts[shifted] if 0 <= shifted < len(counts) else 0


def default_agree_from(scale: Scale) -> int:
    """Lowest answer counted as agreeing: the top half of the scale.

    The top half is every answer above the scale's midpoint; on an odd scale
    the middle (neutral) answer does not count. On 1-4 this is 3 and 4; on
    1-7 it is 5, 6 and 7.

    Examples
    --------
    >>> default_agree_from((1, 4)), default_agree_from((1, 7))
    (3, 5)
    """
    lo, hi = _check_scale(scale)
    return (lo + hi) // 2 + 1


@lru_cache(maxsize=None)
def _agree_range(m: int, total: int, scale: Scale, agree_from: int) -> tuple[int, int] | None:
    """Fewest and most answers >= agree_from among m answers summing to total."""
    lo, hi = scale
    top_lo, bottom_hi = max(agree_from, lo), min(agree_from - 1, hi)
    possible = []
    for a in range(m + 1):
        if (a and top_lo > hi) or (m - a and bottom_hi < lo):
            continue
        least = a * top_lo + (m - a) * lo
        most = a * hi + (m - a) * bottom_hi
        if least <= total <= most:  # every integer sum in between is reachable
            possible.append(a)
    return (min(possible), max(possible)) if possible else None


@dataclass(frozen=True)
class JointResult:
    """Feasible answer combinations for a subgroup nested in a total.

    Attributes
    ----------
    count : int
        Number of feasible combinations (subgroup multiset, rest multiset),
        summed over every (sub_n, total_n) pair considered.
    rest_mean_range : (Fraction, Fraction) or None
        Lowest and highest mean of the other respondents (total minus
        subgroup); None when nothing is feasible or the rest is always empty.
    agreed_range : (int, int) or None
        Fewest and most respondents in total who agreed (answer >=
        ``agree_from``); None when nothing is feasible.
    by_n : dict
        ``{(sub_n, total_n): count}`` for every pair considered.
    implied_rest_means : tuple of Fraction
        Rest means implied by the printed means when the rest's answers are
        *not* bounded by the scale (used to explain infeasibility).
    """

    count: int
    rest_mean_range: tuple[Fraction, Fraction] | None
    agreed_range: tuple[int, int] | None
    by_n: dict[tuple[int, int], int]
    implied_rest_means: tuple[Fraction, ...]

    @property
    def feasible(self) -> bool:
        """True if at least one combination is feasible."""
        return self.count > 0


def _joint_one(sub: tuple[Fraction, int], n_sub: int, tot: tuple[Fraction, int], n_tot: int,
               scale: Scale, rule: str, agree_from: int) -> dict:
    lo, hi = scale
    n_rest = n_tot - n_sub
    sub_sums = _sums(*sub, n_sub, scale, rule)
    tot_sums = _sums(*tot, n_tot, scale, rule)
    count, rest_means, agreed, implied = 0, [], [], set()
    for s_sub in sub_sums:
        ways_sub = multiset_count(n_sub, s_sub, scale)
        for s_tot in tot_sums:
            s_rest = s_tot - s_sub
            if n_rest:
                implied.add(Fraction(s_rest, n_rest))
            ways_rest = multiset_count(n_rest, s_rest, scale)
            if not ways_rest:
                continue
            count += ways_sub * ways_rest
            if n_rest:
                rest_means.append(Fraction(s_rest, n_rest))
            a_sub = _agree_range(n_sub, s_sub, scale, agree_from)
            a_rest = _agree_range(n_rest, s_rest, scale, agree_from)
            agreed += [a_sub[0] + a_rest[0], a_sub[1] + a_rest[1]]
    return {"count": count, "rest_means": rest_means, "agreed": agreed, "implied": implied}


def joint_combinations(sub_printed: str | Fraction, sub_n: NSpec, total_printed: str | Fraction,
                       total_n: NSpec, scale: Scale = (1, 4), rule: str = "half_up", *,
                       agree_from: int | None = None, sub_decimals: int | None = None,
                       total_decimals: int | None = None) -> JointResult:
    """Count every set of answers that fits both nested printed means.

    The subgroup's ``sub_n`` answers are part of the total's ``total_n``; the
    other ``total_n - sub_n`` answers are "the rest". A *combination* is a
    pair (multiset of the subgroup's answers, multiset of the rest's answers)
    in which the subgroup's mean rounds to ``sub_printed`` and the mean of all
    answers rounds to ``total_printed``. The count is exact: feasible sums are
    enumerated and multisets per sum are counted by dynamic programming.

    Parameters
    ----------
    sub_printed, total_printed : str or Fraction
        The printed means (text, or values with ``sub_decimals`` /
        ``total_decimals``).
    sub_n, total_n : int or (int, int)
        Group sizes, or inclusive ranges when unknown; every pair with
        ``sub_n <= total_n`` is counted. ``sub_n == total_n`` is allowed (the
        rest is empty, and both means must then fit the same answers).
    scale : (int, int)
        Lowest and highest answer (any whole-number scale, e.g. (1, 7)).
    rule : str
        ``"half_up"``, ``"half_even"``, ``"truncate"`` or ``"any"`` (each
        printed mean may then fit under its own rule).
    agree_from : int, optional
        Lowest answer counted as agreeing; default :func:`default_agree_from`
        (the top half of the scale: 3-4 on a 1-4 scale).

    Returns
    -------
    JointResult

    Examples
    --------
    >>> r = joint_combinations("3,33", 3, "2,71", 7)   # sums 10 and 19: 2 x 4 multisets
    >>> r.count, [str(x) for x in r.rest_mean_range], r.agreed_range
    (8, ['9/4', '9/4'], (3, 5))
    >>> joint_combinations("3,33", 3, "3,8", 7, rule="any").count   # rest would need 17/4
    0
    """
    scale, rule = _check_scale(scale), _check_rule(rule)
    agree_from = default_agree_from(scale) if agree_from is None else agree_from
    sub = _as_printed(sub_printed, sub_decimals)
    tot = _as_printed(total_printed, total_decimals)
    pairs = [(a, b) for a in _n_values(sub_n, "sub_n") for b in _n_values(total_n, "total_n")
             if a <= b]
    if not pairs:
        raise _arg_error("sub_n", sub_n, f"expected sub_n <= total_n (total_n = {total_n!r})")
    by_n, rest_means, agreed, implied = {}, [], [], set()
    for a, b in pairs:
        one = _joint_one(sub, a, tot, b, scale, rule, agree_from)
        by_n[(a, b)] = one["count"]
        rest_means += one["rest_means"]
        agreed += one["agreed"]
        implied |= one["implied"]
    return JointResult(
        count=sum(by_n.values()),
        rest_mean_range=(min(rest_means), max(rest_means)) if rest_means else None,
        agreed_range=(min(agreed), max(agreed)) if agreed else None,
        by_n=by_n,
        implied_rest_means=tuple(sorted(implied)),
    )


# --------------------------------------------------------------------------
# Tables from survey_means.csv
# --------------------------------------------------------------------------

_MEANS_COLUMNS = ("item", "group", "mean_printed", "n_min", "n_max", "n_likely")
_ITEM_COLUMNS = ("item", "statement_sv", "statement_en", "contract_goal_sv",
                 "contract_goal_en", "link_basis")


def _require_columns(df: pd.DataFrame, columns: tuple[str, ...], file: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataError(Problem(file, None, None, f"a {type(df).__name__}",
                                "expected a pandas DataFrame"))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(Problem(file, 1, None, f"columns {list(df.columns)}",
                                f"expected also the column(s) {', '.join(missing)}"))


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        return None
    return int(number) if number.denominator == 1 else None


def _mean_records(means: pd.DataFrame, file: str = "survey_means.csv") -> list[dict]:
    """Validate the means table and return one dict per row (problems collected)."""
    _require_columns(means, _MEANS_COLUMNS, file)
    records, problems = [], []
    for pos, row in enumerate(means.to_dict("records")):
        line = pos + 2
        try:
            value, dec = parse_printed_mean(row["mean_printed"], file=file, line=line)
        except DataError as err:
            problems += err.problems
            continue
        ns = {c: _as_int(row[c]) for c in ("n_min", "n_max", "n_likely")}
        bad = [c for c, v in ns.items() if v is None or v < 1]
        for c in bad:
            problems.append(Problem(file, line, c, repr(row[c]), "expected a whole number >= 1"))
        if not bad and not ns["n_min"] <= ns["n_likely"] <= ns["n_max"]:
            problems.append(Problem(file, line, "n_likely", repr(row["n_likely"]),
                                    f"expected n_min <= n_likely <= n_max "
                                    f"({ns['n_min']}..{ns['n_max']})"))
        records.append({"item": str(row["item"]), "group": str(row["group"]),
                        "text": row["mean_printed"], "value": value, "decimals": dec,
                        "line": line, **ns})
    if problems:
        raise DataError(problems)
    return records


def grim_table(means: pd.DataFrame, rules: tuple[str, ...] = ALL_RULES,
               scale: Scale = (1, 4)) -> pd.DataFrame:
    """GRIM result for every printed mean, per rounding rule.

    Parameters
    ----------
    means : DataFrame
        Columns ``item, group, mean_printed, n_min, n_max, n_likely`` (as in
        ``data/survey_means.csv``; ``mean_printed`` is text as printed).
    rules : tuple of str
        Rounding rules to test.
    scale : (int, int)
        Answer scale.

    Returns
    -------
    DataFrame
        One row per item x group: ``item, group, mean_printed, decimals,
        mean_value`` (Fraction), ``n_likely, n_min, n_max``, and per rule R:
        ``grim_R`` (bool, at n_likely), ``grim_R_range`` (bool, some n in
        n_min..n_max works) and ``n_ok_R`` (tuple of the n that work).

    Examples
    --------
    >>> df = pd.DataFrame({"item": ["S3"], "group": ["all_respondents"],
    ...     "mean_printed": ["2,85"], "n_min": [6], "n_max": [8], "n_likely": [7]})
    >>> grim_table(df, rules=("half_up", "truncate")).loc[0, ["grim_half_up", "grim_truncate"]].tolist()
    [False, True]
    """
    scale = _check_scale(scale)
    rules = tuple(_check_rule(r) for r in rules)
    rows = []
    for rec in _mean_records(means):
        row = {k: rec[k] for k in ("item", "group")}
        row.update(mean_printed=rec["text"], decimals=rec["decimals"], mean_value=rec["value"],
                   n_likely=rec["n_likely"], n_min=rec["n_min"], n_max=rec["n_max"])
        for r in rules:
            ok = grim_n_values(rec["value"], (rec["n_min"], rec["n_max"]), scale, r,
                               decimals=rec["decimals"])
            row[f"grim_{r}"] = rec["n_likely"] in ok
            row[f"grim_{r}_range"] = bool(ok)
            row[f"n_ok_{r}"] = tuple(ok)
        rows.append(row)
    return pd.DataFrame(rows)


def _pairs_by_item(records: list[dict], sub_group: str, total_group: str,
                   file: str = "survey_means.csv") -> dict[str, tuple[dict, dict]]:
    by_item: dict[str, dict[str, dict]] = {}
    for rec in records:
        by_item.setdefault(rec["item"], {})[rec["group"]] = rec
    problems, pairs = [], {}
    for item, groups in by_item.items():
        missing = [g for g in (sub_group, total_group) if g not in groups]
        if missing:
            problems.append(Problem(file, None, "group", f"item {item} with groups {sorted(groups)}",
                                    f"expected a row for {' and '.join(missing)}"))
        else:
            pairs[item] = (groups[sub_group], groups[total_group])
    if problems:
        raise DataError(problems)
    return pairs


def _word(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _fmt(value: Fraction) -> str:
    """Exact value for a sentence: 4.25, 2.5, or 22/7 = 3.143 when not a short decimal."""
    for places in range(4):
        if (value * 10 ** places).denominator == 1:
            return f"{float(value):.{places}f}"
    return f"{value.numerator}/{value.denominator} = {float(value):.3f}"


def _fmt_printed(value: Fraction, decimals: int, like: str) -> str:
    text = f"{float(value):.{decimals}f}"
    return text.replace(".", ",") if "," in like or "." not in like else text


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _need_clause(implied: tuple[Fraction, ...], scale: Scale) -> str:
    lo, hi = scale
    above = [v for v in implied if v > hi]
    below = [v for v in implied if v < lo]
    if len(implied) == 1:
        return f"a mean of {_fmt(implied[0])}"
    if above and below:
        return f"a mean of at most {_fmt(max(below))} or at least {_fmt(min(above))}"
    if above:
        return f"a mean of at least {_fmt(min(above))}"
    return f"a mean of at most {_fmt(max(below))}"


def _rules_phrase(rules: list[str]) -> str:
    """'half-up and half-even rounding', 'truncation', 'half-up rounding and truncation'."""
    rounding = [RULE_LABELS[r] for r in rules if r != "truncate"]
    parts = [_join(rounding) + " rounding"] if rounding else []
    return _join(parts + (["truncation"] if "truncate" in rules else []))


def _grim_failure(rec: dict, rules: list[str], scale: Scale) -> str:
    """Explain why a printed mean fails GRIM under the given rules."""
    n, value, dec = rec["n_likely"], rec["value"], rec["decimals"]
    lo, hi = scale
    below = min(max(math.floor(value * n), n * lo), n * hi)
    near = sorted({below, min(below + 1, n * hi)})
    shown = [_fmt_printed(round_mean(Fraction(s, n), dec, rules[0]), dec, rec["text"])
             for s in near]
    sums = " and ".join(f"{s}/{n}" for s in near)
    return (f"Under {_rules_phrase(rules)} no {n} answers give {rec['text']}: the nearest "
            f"sums, {sums}, print as {' and '.join(shown)}.")


def _item_verdict(item: str, sub: dict, tot: dict, grim: dict, counts: dict,
                  range_counts: dict, likely: JointResult, ranged: JointResult,
                  scale: Scale, agree_from: int) -> str:
    lo, hi = scale
    head = (f"{item}: the printed {sub['text']} (n={sub['n_likely']}) and "
            f"{tot['text']} (n={tot['n_likely']})")
    n_rest = tot["n_likely"] - sub["n_likely"]
    if counts["any"] == 0:
        dead = [rec for rec, g in ((sub, grim["sub"]), (tot, grim["tot"]))
                if not any(g[r] for r in RULES)]
        if dead:
            why = "; ".join(f"no {r['n_likely']} answers on a {lo}–{hi} scale give a mean "
                            f"that rounds to {r['text']}" for r in dead)
        elif n_rest == 0:
            why = "the same answers cannot give both printed means"
        else:
            why = (f"the other {_word(n_rest)} respondents would need "
                   f"{_need_clause(likely.implied_rest_means, scale)} on a {lo}–{hi} scale")
        text = f"{head} cannot both be right under any rounding rule: {why}."
        fits = [k for k, v in ranged.by_n.items() if v]
        if fits:
            ns = _join([f"n={a} and n={b}" for a, b in fits])
            text += (f" Over the possible group sizes ({sub['n_min']}–{sub['n_max']} and "
                     f"{tot['n_min']}–{tot['n_max']}) they fit only with {ns}.")
        elif range_counts["any"] == 0:
            text += (f" No group sizes in {sub['n_min']}–{sub['n_max']} and "
                     f"{tot['n_min']}–{tot['n_max']} make them fit either.")
        return text
    ok = [r for r in RULES if counts[r]]
    if len(ok) == len(RULES):
        text = f"{head} fit together under every rounding rule."
    elif not ok:
        text = (f"{head} fit together only if they were rounded by different rules "
                f"(no single rule fits both).")
    else:
        text = f"{head} fit together only under {_rules_phrase(ok)}."
        fails = []
        for rec, g in ((sub, grim["sub"]), (tot, grim["tot"])):
            bad = [r for r in RULES if not g[r]]
            if bad:
                fails.append(_grim_failure(rec, bad, scale))
        text += " " + " ".join(fails) if fails else \
            " Under the other rules the two means cannot come from the same answers."
    text += " Where they fit,"
    if likely.rest_mean_range is not None:
        a, b = likely.rest_mean_range
        span = f"is {_fmt(a)}" if a == b else f"lies between {_fmt(a)} and {_fmt(b)}"
        text += f" the other {_word(n_rest)} respondents' mean {span}, and"
    a, b = likely.agreed_range
    who = f"{a}" if a == b else f"{a} to {b}"
    who = f"all {b}" if a == b == tot["n_likely"] else who
    of = "" if who.startswith("all") else f" of the {tot['n_likely']}"
    return text + (f" {who}{of} respondents agreed "
                   f"(answered {agree_from}–{hi}).")


def _item_analysis(sub: dict, tot: dict, scale: Scale, agree_from: int) -> dict:
    """All joint and GRIM results for one item (every rule, likely n and n ranges)."""
    def joint(rule: str, ranged: bool) -> JointResult:
        sn = (sub["n_min"], sub["n_max"]) if ranged else sub["n_likely"]
        tn = (tot["n_min"], tot["n_max"]) if ranged else tot["n_likely"]
        return joint_combinations(sub["value"], sn, tot["value"], tn, scale, rule,
                                  agree_from=agree_from, sub_decimals=sub["decimals"],
                                  total_decimals=tot["decimals"])
    likely = {r: joint(r, False) for r in ALL_RULES}
    ranged = {r: joint(r, True) for r in ALL_RULES}
    grim = {key: {r: grim_consistent(rec["value"], rec["n_likely"], scale, r,
                                     decimals=rec["decimals"]) for r in ALL_RULES}
            for key, rec in (("sub", sub), ("tot", tot))}
    counts = {r: likely[r].count for r in ALL_RULES}
    range_counts = {r: ranged[r].count for r in ALL_RULES}
    return {"likely": likely, "ranged": ranged, "grim": grim, "counts": counts,
            "range_counts": range_counts}


def _analyse(means: pd.DataFrame, scale: Scale, agree_from: int | None,
             sub_group: str, total_group: str) -> list[tuple[str, dict, dict, dict]]:
    scale = _check_scale(scale)
    agree_from = default_agree_from(scale) if agree_from is None else agree_from
    pairs = _pairs_by_item(_mean_records(means), sub_group, total_group)
    out = []
    for item, (sub, tot) in pairs.items():
        res = _item_analysis(sub, tot, scale, agree_from)
        res["verdict"] = _item_verdict(item, sub, tot, res["grim"], res["counts"],
                                       res["range_counts"], res["likely"]["any"],
                                       res["ranged"]["any"], scale, agree_from)
        out.append((item, sub, tot, res))
    return out


def joint_table(means: pd.DataFrame, rules: tuple[str, ...] = ALL_RULES, scale: Scale = (1, 4),
                *, agree_from: int | None = None, sub_group: str = SUB_GROUP,
                total_group: str = TOTAL_GROUP) -> pd.DataFrame:
    """Joint check of the nested columns, one row per item.

    Parameters
    ----------
    means : DataFrame
        As for :func:`grim_table`, with one ``sub_group`` and one
        ``total_group`` row per item.
    rules : tuple of str
        Rules for the count columns (the verdict always considers all).
    scale : (int, int)
        Answer scale.
    agree_from : int, optional
        Lowest answer counted as agreeing (default: top half of the scale).
    sub_group, total_group : str
        Group names of the subgroup and of the total that contains it.

    Returns
    -------
    DataFrame
        ``item, sub_printed, sub_value, sub_n, total_printed, total_value,
        total_n, rest_n, sub_grim_any, total_grim_any``; per rule R
        ``combos_R`` (feasible combinations at the likely n) and
        ``combos_R_range`` (summed over every n pair in the ranges);
        ``rest_mean_min, rest_mean_max`` (Fractions, the other respondents'
        mean, any rule, likely n; None if infeasible or no other respondents),
        ``agreed_min, agreed_max`` (respondents in total answering >=
        agree_from; None if infeasible) and ``verdict`` (plain English).

    Examples
    --------
    >>> df = pd.DataFrame({"item": ["S5", "S5"],
    ...     "group": ["social_secretaries", "all_respondents"],
    ...     "mean_printed": ["3,33", "3,8"], "n_min": [3, 6], "n_max": [4, 8],
    ...     "n_likely": [3, 7]})
    >>> row = joint_table(df).iloc[0]
    >>> int(row["combos_any"]), int(row["combos_any_range"])
    (0, 2)
    >>> print(row["verdict"])  # doctest: +ELLIPSIS
    S5: the printed 3,33 (n=3) and 3,8 (n=7) cannot both be right under any rounding rule: the other four respondents would need a mean of 4.25 on a 1–4 scale. ...
    """
    rules = tuple(_check_rule(r) for r in rules)
    rows = []
    for item, sub, tot, res in _analyse(means, scale, agree_from, sub_group, total_group):
        best = res["likely"]["any"]
        row = {"item": item, "sub_printed": sub["text"], "sub_value": sub["value"],
               "sub_n": sub["n_likely"], "total_printed": tot["text"],
               "total_value": tot["value"], "total_n": tot["n_likely"],
               "rest_n": tot["n_likely"] - sub["n_likely"],
               "sub_grim_any": res["grim"]["sub"]["any"],
               "total_grim_any": res["grim"]["tot"]["any"]}
        for r in rules:
            row[f"combos_{r}"] = res["counts"][r]
            row[f"combos_{r}_range"] = res["range_counts"][r]
        rest, agreed = best.rest_mean_range, best.agreed_range
        row.update(rest_mean_min=rest[0] if rest else None, rest_mean_max=rest[1] if rest else None,
                   agreed_min=agreed[0] if agreed else None,
                   agreed_max=agreed[1] if agreed else None, verdict=res["verdict"])
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.astype({"agreed_min": "Int64", "agreed_max": "Int64"}) if rows else out


# --------------------------------------------------------------------------
# JSON-ready summary and a terminal table
# --------------------------------------------------------------------------

def _item_texts(items: pd.DataFrame) -> dict[str, dict]:
    _require_columns(items, ("item", "statement_sv"), "survey_items.csv")
    return {str(r["item"]): r for r in items.to_dict("records")}


def survey_summary(items: pd.DataFrame, means: pd.DataFrame, scale: Scale = (1, 4), *,
                   agree_from: int | None = None) -> list[dict]:
    """One JSON-ready object per item: printed means, GRIM, joint counts, verdict.

    Parameters
    ----------
    items : DataFrame
        At least ``item, statement_sv`` (``statement_en`` used if present).
    means : DataFrame
        As for :func:`grim_table`.
    scale : (int, int)
        Answer scale.
    agree_from : int, optional
        Lowest answer counted as agreeing.

    Returns
    -------
    list of dict
        Keys: ``item, statement_sv, statement_en, groups`` (list of
        ``{group, n, n_range, mean_reported, grim: {rule: bool}}``),
        ``joint`` ({rule: feasible combinations at the likely n}),
        ``joint_n_range`` (the same over the n ranges), ``rest_mean_range``
        (two strings or None), ``agreed_range`` (two ints or None) and
        ``verdict``. Only str, int, bool, list, dict and None.

    Examples
    --------
    >>> items = pd.DataFrame({"item": ["S2"], "statement_sv": ["..."]})
    >>> means = pd.DataFrame({"item": ["S2", "S2"],
    ...     "group": ["social_secretaries", "all_respondents"],
    ...     "mean_printed": ["3,33", "2,71"], "n_min": [3, 6], "n_max": [4, 8],
    ...     "n_likely": [3, 7]})
    >>> s = survey_summary(items, means)[0]
    >>> s["joint"]["half_up"], s["groups"][1]["grim"]["half_up"], s["rest_mean_range"]
    (8, True, ['9/4', '9/4'])
    """
    texts = _item_texts(items)
    out = []
    for item, sub, tot, res in _analyse(means, scale, agree_from, SUB_GROUP, TOTAL_GROUP):
        info = texts.get(item, {})
        best = res["likely"]["any"]
        groups = [{"group": rec["group"], "n": rec["n_likely"],
                   "n_range": [rec["n_min"], rec["n_max"]], "mean_reported": str(rec["text"]),
                   "grim": {r: bool(res["grim"][key][r]) for r in ALL_RULES}}
                  for key, rec in (("sub", sub), ("tot", tot))]
        rest = best.rest_mean_range
        out.append({
            "item": item,
            "statement_sv": str(info.get("statement_sv", "")),
            "statement_en": str(info.get("statement_en", "")),
            "groups": groups,
            "joint": {r: int(res["counts"][r]) for r in ALL_RULES},
            "joint_n_range": {r: int(res["range_counts"][r]) for r in ALL_RULES},
            "rest_mean_range": [str(rest[0]), str(rest[1])] if rest else None,
            "agreed_range": list(best.agreed_range) if best.agreed_range else None,
            "verdict": res["verdict"],
        })
    return out


def format_summary_table(summary: list[dict]) -> str:
    """A plain-text table of :func:`survey_summary` for a terminal.

    GRIM marks per group are ``hu/he/tr`` (half-up, half-even, truncation):
    ``+`` consistent, ``-`` not. The verdicts follow the table.

    Examples
    --------
    >>> print(format_summary_table([{"item": "S1", "groups": [
    ...     {"group": "social_secretaries", "n": 3, "mean_reported": "4",
    ...      "grim": {"half_up": True, "half_even": True, "truncate": True}},
    ...     {"group": "all_respondents", "n": 7, "mean_reported": "3,14",
    ...      "grim": {"half_up": True, "half_even": True, "truncate": False}}],
    ...     "joint": {"half_up": 9, "half_even": 9, "truncate": 0, "any": 9},
    ...     "verdict": "S1: fine."}]))
    item  social secretaries  all respondents  joint combinations (hu/he/tr/any)
    S1    4 (n=3) +++         3,14 (n=7) ++-   9/9/0/9
    <BLANKLINE>
    S1: fine.
    """
    header = ["item", "social secretaries", "all respondents",
              "joint combinations (hu/he/tr/any)"]
    rows = []
    for s in summary:
        cells = [s["item"]]
        for g in s["groups"][:2]:
            marks = "".join("+" if g["grim"][r] else "-" for r in RULES)
            cells.append(f"{g['mean_reported']} (n={g['n']}) {marks}")
        cells.append("/".join(str(s["joint"][r]) for r in ALL_RULES))
        rows.append(cells)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    return "\n".join(lines + [""] + [s["verdict"] for s in summary])


def reported_table(items: pd.DataFrame, means: pd.DataFrame, decimal: str = ",") -> pd.DataFrame:
    """The survey table exactly as printed in the report.

    Parameters
    ----------
    items : DataFrame
        At least ``item, statement_sv``.
    means : DataFrame
        As for :func:`grim_table`.
    decimal : {",", "."}
        Decimal mark for the means (``","`` keeps the printed text).

    Returns
    -------
    DataFrame
        ``item, statement_sv, social_secretaries, n_social_secretaries,
        all_respondents, n_all_respondents`` — means as text, n as the likely
        (inferred, not printed) size.

    Examples
    --------
    >>> items = pd.DataFrame({"item": ["S1"], "statement_sv": ["Påstående"]})
    >>> means = pd.DataFrame({"item": ["S1", "S1"],
    ...     "group": ["social_secretaries", "all_respondents"],
    ...     "mean_printed": ["4", "3,14"], "n_min": [3, 6], "n_max": [4, 8],
    ...     "n_likely": [3, 7]})
    >>> reported_table(items, means, decimal=".").loc[0, ["social_secretaries", "all_respondents"]].tolist()
    ['4', '3.14']
    """
    if decimal not in (",", "."):
        raise _arg_error("decimal", decimal, "expected ',' or '.'")
    texts = _item_texts(items)
    pairs = _pairs_by_item(_mean_records(means), SUB_GROUP, TOTAL_GROUP)
    rows = []
    for item, (sub, tot) in pairs.items():
        row = {"item": item, "statement_sv": str(texts.get(item, {}).get("statement_sv", ""))}
        for g, rec in ((SUB_GROUP, sub), (TOTAL_GROUP, tot)):
            row[g] = str(rec["text"]).strip().replace(",", decimal).replace(".", decimal)
            row[f"n_{g}"] = rec["n_likely"]
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Per-respondent answers (schema; the EBM data has none)
# --------------------------------------------------------------------------

_RESPONSE_COLUMNS = ("respondent_id", "group", "item", "answer")


def validate_responses(responses: pd.DataFrame, scale: Scale = (1, 4),
                       file: str = "responses") -> pd.DataFrame:
    """Check a long table of answers and return it with integer answers.

    Parameters
    ----------
    responses : DataFrame
        Columns ``respondent_id, group, item, answer`` (one row per answer).
    scale : (int, int)
        Allowed answers (inclusive).
    file : str
        Name used in error messages.

    Returns
    -------
    DataFrame
        A copy with ``answer`` as int64.

    Raises
    ------
    DataError
        Naming respondent, item and value for every answer that is not a
        whole number on the scale, and every repeated (respondent, item).

    Examples
    --------
    >>> bad = pd.DataFrame({"respondent_id": ["r1"], "group": ["mentor"],
    ...                     "item": ["S1"], "answer": [5]})
    >>> validate_responses(bad)
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - responses, line 2, column 'answer': found 5 (respondent r1, item S1); expected a whole number from 1 to 4
    """
    lo, hi = _check_scale(scale)
    _require_columns(responses, _RESPONSE_COLUMNS, file)
    problems, answers, seen = [], [], set()
    for pos, row in enumerate(responses.to_dict("records")):
        who = f"(respondent {row['respondent_id']}, item {row['item']})"
        value = _as_int(row["answer"])
        if value is None or not lo <= value <= hi:
            problems.append(Problem(file, pos + 2, "answer", f"{row['answer']!r} {who}",
                                    f"expected a whole number from {lo} to {hi}"))
        key = (row["respondent_id"], row["item"])
        if key in seen:
            problems.append(Problem(file, pos + 2, "item", f"a second answer {who}",
                                    "expected one answer per respondent and item"))
        seen.add(key)
        answers.append(value)
    if problems:
        raise DataError(problems)
    out = responses.copy()
    out["answer"] = pd.Series(answers, index=out.index, dtype="int64")
    return out


def response_distribution(responses: pd.DataFrame, scale: Scale = (1, 4), *,
                          by_group: bool = False) -> pd.DataFrame:
    """Counts of each answer per item (and optionally group), zeros included.

    Parameters
    ----------
    responses : DataFrame
        Long answers, see :func:`validate_responses`.
    scale : (int, int)
        Answer scale; every answer on it gets a row.
    by_group : bool
        Split the counts by ``group``.

    Returns
    -------
    DataFrame
        ``item, [group,] answer, count, share`` (share of the item's answers).

    Examples
    --------
    >>> r = pd.DataFrame({"respondent_id": ["a", "b"], "group": ["x", "x"],
    ...                   "item": ["S1", "S1"], "answer": [4, 4]})
    >>> response_distribution(r)["count"].tolist()
    [0, 0, 0, 2]
    """
    lo, hi = _check_scale(scale)
    data = validate_responses(responses, scale)
    keys = ["item", "group"] if by_group else ["item"]
    rows = []
    for key, part in data.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        counts = part["answer"].value_counts()
        for answer in range(lo, hi + 1):
            c = int(counts.get(answer, 0))
            rows.append({**dict(zip(keys, key)), "answer": answer, "count": c,
                         "share": c / len(part)})
    return pd.DataFrame(rows, columns=[*keys, "answer", "count", "share"])


def response_means(responses: pd.DataFrame, scale: Scale = (1, 4), *,
                   pooled: str | None = TOTAL_GROUP) -> pd.DataFrame:
    """Mean answer per item x group, as the report would print it.

    Parameters
    ----------
    responses : DataFrame
        Long answers, see :func:`validate_responses`.
    scale : (int, int)
        Answer scale (for validation).
    pooled : str or None
        If given, also a row per item pooling every group under this name
        (the report's "all respondents" column).

    Returns
    -------
    DataFrame
        ``item, group, n, sum, mean`` (``mean`` a float, ``sum`` exact).

    Examples
    --------
    >>> r = pd.DataFrame({"respondent_id": ["a", "b", "c"], "group": ["x", "x", "y"],
    ...                   "item": ["S1"] * 3, "answer": [3, 4, 4]})
    >>> response_means(r)[["group", "n", "sum"]].values.tolist()
    [['all_respondents', 3, 11], ['x', 2, 7], ['y', 1, 4]]
    """
    data = validate_responses(responses, scale)
    parts = [data]
    if pooled is not None:
        parts.append(data.assign(group=pooled))
    both = pd.concat(parts, ignore_index=True)
    out = (both.groupby(["item", "group"], sort=True)["answer"]
           .agg(n="count", sum="sum").reset_index())
    out["mean"] = out["sum"] / out["n"]
    return out


def distribution_table(responses: pd.DataFrame, scale: Scale = (1, 4), *,
                       pooled: str | None = TOTAL_GROUP) -> pd.DataFrame:
    """Counts of each answer per item and group, one row each, for reading.

    Parameters
    ----------
    responses : DataFrame
        Long answers, see :func:`validate_responses`.
    scale : (int, int)
        Answer scale; every answer on it gets a column, zeros included.
    pooled : str or None
        If given, also a row per item pooling every group under this name.

    Returns
    -------
    DataFrame
        ``item, group, n``, one column per answer (named ``"1"``, ``"2"``, ...)
        holding counts, and ``mean`` (a float).

    Examples
    --------
    >>> r = pd.DataFrame({"respondent_id": ["A1", "A2", "B1"], "group": ["a", "a", "b"],
    ...                   "item": ["S1"] * 3, "answer": [3, 4, 4]})
    >>> distribution_table(r).values.tolist()
    [['S1', 'a', 2, 0, 0, 1, 1, 3.5], ['S1', 'b', 1, 0, 0, 0, 1, 4.0], ['S1', 'all_respondents', 3, 0, 0, 1, 2, 3.6666666666666665]]
    """
    lo, hi = _check_scale(scale)
    data = validate_responses(responses, scale)
    parts = [data] + ([data.assign(group=pooled)] if pooled is not None else [])
    rows = []
    for part in parts:
        for (item, group), answers in part.groupby(["item", "group"], sort=True):
            counts = answers["answer"].value_counts()
            rows.append({"item": item, "group": group, "n": len(answers),
                         **{str(a): int(counts.get(a, 0)) for a in range(lo, hi + 1)},
                         "mean": float(answers["answer"].mean())})
    columns = ["item", "group", "n", *map(str, range(lo, hi + 1)), "mean"]
    out = pd.DataFrame(rows, columns=columns)
    order = {g: i for i, g in enumerate(dict.fromkeys([*sorted(data["group"].unique()), pooled]))}
    out = out.sort_values(["item", "group"], key=lambda c: c.map(order) if c.name == "group" else c,
                          kind="stable")
    return out.reset_index(drop=True)


def _check_sentence(rec: dict, n: int, exact: Fraction | None, shown: dict, matching: list[str]) -> str:
    head = f"{rec['item']}, {GROUP_LABELS.get(rec['group'], rec['group'].replace('_', ' '))}"
    if exact is None:
        return f"{head}: no answers from this group, so the printed {rec['text']} cannot be checked."
    text = f"{head}: {n} answer{'s' * (n != 1)}, mean {_fmt(exact)}"
    if len(matching) == len(RULES):
        text += f", prints as {rec['text']} under every rounding rule: as printed."
    elif matching:
        others = ", ".join(f"{shown[r]} by {RULE_LABELS[r]}" for r in RULES if r not in matching)
        text += f", prints as {rec['text']} only by {_rules_phrase(matching)} ({others})."
    else:
        alike = {shown[r] for r in RULES}
        prints = (f"prints as {alike.pop()} by every rule" if len(alike) == 1 else
                  "prints as " + ", ".join(f"{shown[r]} by {RULE_LABELS[r]}" for r in RULES))
        text += f", {prints}, not {rec['text']} as printed."
    if not rec["n_min"] <= n <= rec["n_max"]:
        text += f" The {n} answers lie outside the {rec['n_min']}–{rec['n_max']} respondents the report allows."
    return text


def means_check(responses: pd.DataFrame, means: pd.DataFrame, scale: Scale = (1, 4)) -> pd.DataFrame:
    """Each printed mean against the mean recomputed from the answers, under every rounding rule.

    The social secretaries' column is recomputed from the answers of the group
    of that name, ``all_respondents`` from every answer. The recomputed mean is
    exact (a fraction) and rounded to the printed number of decimals by
    half-up, half-even and truncation; the printed mean is *consistent* when at
    least one rule gives it, since the report does not say how it rounded.

    Parameters
    ----------
    responses : DataFrame
        Long answers, see :func:`validate_responses`.
    means : DataFrame
        ``survey_means`` (columns ``item, group, mean_printed, n_min, n_max, n_likely``).
    scale : (int, int)
        Answer scale.

    Returns
    -------
    DataFrame
        One row per printed mean: ``item, group, mean_printed, n_answers``,
        ``n_in_range`` (n_min <= n_answers <= n_max), ``mean_recomputed``
        (text, four decimals; empty without answers), per rule R
        ``printed_R`` (the recomputed mean as the report would print it),
        ``matching_rules`` (the rules that reproduce the print, as text;
        ``"none"`` if no rule does),
        ``consistent`` (boolean; missing without answers) and ``note``
        (a sentence that flags each difference).

    Examples
    --------
    >>> r = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(7)],
    ...     "group": ["social_secretaries"] * 3 + ["others"] * 4,
    ...     "item": ["S3"] * 7, "answer": [4, 3, 3, 3, 3, 2, 2]})
    >>> m = pd.DataFrame({"item": ["S3", "S3"], "group": ["social_secretaries", "all_respondents"],
    ...     "mean_printed": ["3,33", "2,85"], "n_min": [3, 6], "n_max": [4, 8], "n_likely": [3, 7]})
    >>> for note in means_check(r, m)["note"]: print(note)
    S3, social secretaries: 3 answers, mean 10/3 = 3.333, prints as 3,33 under every rounding rule: as printed.
    S3, all respondents: 7 answers, mean 20/7 = 2.857, prints as 2,85 only by truncation (2,86 by half-up, 2,86 by half-even).
    """
    data = validate_responses(responses, scale)
    rows = []
    for rec in _mean_records(means):
        part = data[data["item"] == rec["item"]]
        if rec["group"] != TOTAL_GROUP:
            part = part[part["group"] == rec["group"]]
        n = len(part)
        exact = Fraction(int(part["answer"].sum()), n) if n else None
        shown = {r: _fmt_printed(round_mean(exact, rec["decimals"], r), rec["decimals"], str(rec["text"]))
                 for r in RULES} if n else {r: "" for r in RULES}
        matching = [r for r in RULES if n and rounds_to(exact, rec["value"], rec["decimals"], r)]
        rows.append({"item": rec["item"], "group": rec["group"], "mean_printed": rec["text"], "n_answers": n,
                     "n_in_range": rec["n_min"] <= n <= rec["n_max"],
                     "mean_recomputed": f"{float(exact):.4f}" if n else "",
                     **{f"printed_{r}": shown[r] for r in RULES},
                     "matching_rules": (", ".join(RULE_LABELS[r] for r in matching) or "none") if n else "",
                     "consistent": bool(matching) if n else None,
                     "note": _check_sentence(rec, n, exact, shown, matching)})
    out = pd.DataFrame(rows, columns=["item", "group", "mean_printed", "n_answers", "n_in_range", "mean_recomputed",
                                      *(f"printed_{r}" for r in RULES), "matching_rules", "consistent", "note"])
    return out.astype({"consistent": "boolean"})


def items_with_goals(items: pd.DataFrame) -> pd.DataFrame:
    """Each statement with the contract goal it is linked to.

    Parameters
    ----------
    items : DataFrame
        ``data/survey_items.csv``.

    Returns
    -------
    DataFrame
        ``item, statement_sv, statement_en, contract_goal_sv,
        contract_goal_en, link_basis`` (``reported`` = the report makes the
        link; ``inferred`` = our reading). Missing goals are empty strings.

    Examples
    --------
    >>> items = pd.DataFrame({"item": ["S5"], "statement_sv": ["sv"], "statement_en": ["en"],
    ...     "contract_goal_sv": ["Ge något åt jobbet."], "contract_goal_en": ["Give something."],
    ...     "link_basis": ["inferred"], "section": ["x"]})
    >>> list(items_with_goals(items).columns) == list(_ITEM_COLUMNS)
    True
    """
    _require_columns(items, _ITEM_COLUMNS, "survey_items.csv")
    out = items.loc[:, list(_ITEM_COLUMNS)].copy()
    for c in _ITEM_COLUMNS:
        out[c] = out[c].fillna("").astype(str)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------
# The arithmetic behind the verdicts, for a reader to check by hand
# --------------------------------------------------------------------------

def arithmetic(means: pd.DataFrame, scale: Scale = (1, 4)) -> pd.DataFrame:
    """The sums near each printed mean, and how each rounding rule prints them.

    For each item and group (at ``n_likely``), the integer sums ``S`` whose
    mean ``S/n`` lies within one printed unit of the printed value, the exact
    mean to four decimals, and what half-up, half-even and truncation print.

    Parameters
    ----------
    means : DataFrame
        ``survey_means`` (columns item, group, mean_printed, n_likely).
    scale : (int, int)
        Answer scale.

    Returns
    -------
    DataFrame
        Columns ``item``, ``group``, ``n``, ``mean_printed``, ``sum``,
        ``exact_mean`` (text, four decimals), ``half_up``, ``half_even``,
        ``truncate`` (the printed form under each rule, decimal comma) and
        ``matches`` (the rules under which it prints as the report does).

    Examples
    --------
    >>> df = pd.DataFrame({"item": ["S3"], "group": ["all_respondents"],
    ...                    "mean_printed": ["2,85"], "n_likely": [7]})
    >>> arithmetic(df)[["sum", "exact_mean", "half_up", "truncate", "matches"]]
       sum exact_mean half_up truncate   matches
    0   19     2.7143    2,71     2,71
    1   20     2.8571    2,86     2,85  truncate
    2   21     3.0000    3,00     3,00
    """
    _require_columns(means, ("item", "group", "mean_printed", "n_likely"), "survey_means.csv")
    rows = []
    for rec in means.to_dict("records"):
        value, dec = parse_printed_mean(str(rec["mean_printed"]))
        n = int(rec["n_likely"])
        unit = Fraction(1, 10 ** dec)
        lo = max(n * scale[0], math.floor((value - unit) * n))
        hi = min(n * scale[1], math.ceil((value + unit) * n))
        for s in range(lo, hi + 1):
            exact = Fraction(s, n)
            shown = {r: _fmt_printed(round_mean(exact, dec, r), dec, ",") for r in RULES}
            matches = [r for r in RULES if rounds_to(exact, value, dec, r)]
            rows.append({"item": rec["item"], "group": rec["group"], "n": n,
                         "mean_printed": rec["mean_printed"], "sum": s,
                         "exact_mean": f"{float(exact):.4f}", **shown, "matches": " ".join(matches)})
    return pd.DataFrame(rows)


def possible_answer_sets(printed: str, n: int, scale: Scale = (1, 4), rule: str = "half_up") -> list[tuple[int, ...]]:
    """Every multiset of ``n`` answers whose mean prints as ``printed``.

    Shows how little, or how much, a mean of very few answers says.

    Examples
    --------
    >>> possible_answer_sets("3,33", 3)
    [(2, 4, 4), (3, 3, 4)]
    >>> possible_answer_sets("4", 3, rule="truncate")
    [(4, 4, 4)]
    """
    from itertools import combinations_with_replacement

    value, dec = parse_printed_mean(printed)
    _check_rule(rule)
    rules = RULES if rule == "any" else (rule,)
    answers = range(scale[0], scale[1] + 1)
    return [combo for combo in combinations_with_replacement(answers, n)
            if any(rounds_to(Fraction(sum(combo), n), value, dec, r) for r in rules)]
