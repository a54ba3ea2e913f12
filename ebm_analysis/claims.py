"""Claims the report makes about its own survey numbers, tested against those numbers.

``data/claims.csv`` holds each verbal claim the report makes about its
survey table (quote, section, and how it is read against the table); this
module evaluates every claim against ``survey_means.csv`` with exact
arithmetic and says, for each, one of

- ``supported`` -- every set of answers that fits the printed means bears the
  claim out;
- ``not supported`` -- the printed numbers go against the claim (for example
  a column said to be higher is lower on some statement);
- ``impossible`` -- no set of answers that fits the printed means can make
  the claim true, or the printed means themselves cannot all be right;
- ``cannot tell`` -- some fitting sets of answers bear the claim out and some
  do not, or the table does not measure what the claim is about.

Every verdict comes with its arithmetic, written out for a reader to check
by hand. The computations reuse :mod:`ebm_analysis.survey`: GRIM sums
(:func:`~ebm_analysis.survey.grim_sums`), the enumeration of every answer set
(:func:`~ebm_analysis.survey.possible_answer_sets`) and the joint check of
the two nested columns (:func:`~ebm_analysis.survey.joint_combinations`).

Assumptions, stated once: answers are whole numbers on the 1--4 scale; every
respondent of a column answered every statement (so a column has one group
size, the sizes in ``n_min``..``n_max`` that fit *all* its printed means);
a printed mean may have been rounded half-up, half-to-even or truncated
(rule ``any``); "agreeing" is an answer of 3 or 4, the upper half of the
scale.

Tests (column ``test`` of claims.csv):

``group_higher``
    The social secretaries' mean is higher than the whole group's on every
    listed statement.
``all_agree``
    Every respondent of the column agreed with every listed statement.
``means_consistent``
    The two printed means of every listed statement can both be right.
``goals_met``
    Every goal of the contract (the phrases of its *Syfte och mål*) is
    tested by a linked statement with which a majority agreed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.survey import (SUB_GROUP, TOTAL_GROUP, grim_n_values, grim_sums, joint_combinations,
                                 parse_printed_mean, possible_answer_sets)

__all__ = ["VERDICTS", "ClaimResult", "evaluate_claim", "evaluate_claims", "column_sizes", "contract_goals"]

#: The verdicts, from the best case for the claim to the worst.
VERDICTS: tuple[str, ...] = ("supported", "cannot tell", "not supported", "impossible")

Scale = tuple[int, int]
_GROUP_WORDS = {SUB_GROUP: "the social secretaries", TOTAL_GROUP: "all respondents"}
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class ClaimResult:
    """The evaluation of one claim.

    Attributes
    ----------
    claim_id : str
    verdict : str
        One of :data:`VERDICTS`.
    summary : str
        One or two sentences in plain English.
    arithmetic : tuple of str
        The computation, one step a line, for a reader to check by hand.
    """

    claim_id: str
    verdict: str
    summary: str
    arithmetic: tuple[str, ...]


# ---------------------------------------------------------------- inputs

def _table(source: Any, name: str, required: bool = True) -> pd.DataFrame | None:
    frame = source.get(name) if isinstance(source, Mapping) else getattr(source, "tables", {}).get(name)
    if frame is None and required:
        raise DataError(Problem(f"{name}.csv", None, None, "no such table",
                                f"pass a Project or a dict holding a '{name}' DataFrame"))
    return frame


def _means_by_item(means: pd.DataFrame) -> dict[tuple[str, str], dict]:
    out = {}
    for r in means.to_dict("records"):
        value, decimals = parse_printed_mean(str(r["mean_printed"]), file="survey_means.csv")
        out[(str(r["item"]), str(r["group"]))] = {
            "text": str(r["mean_printed"]), "value": value, "decimals": decimals,
            "n_min": int(r["n_min"]), "n_max": int(r["n_max"])}
    return out


def _items_of(claim: Mapping) -> list[str]:
    return [s.strip() for s in str(claim["items"]).split(";") if s.strip()]


# ---------------------------------------------------------------- small helpers

def _word(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def _exact(value: Fraction) -> str:
    """22/7 = 3.143; 4 for a whole number; 3.5 for a short decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    for places in (1, 2):
        if (value * 10 ** places).denominator == 1:
            return f"{float(value):.{places}f}"
    return f"{value.numerator}/{value.denominator} = {float(value):.3f}"


def _join(words: Sequence[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _or(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _either(words: Sequence[str]) -> str:
    return f"{words[0]} and {words[1]} both" if len(words) == 2 else _join(words) + " all"


def _range(lo: int, hi: int, n: int) -> str:
    return f"all {n}" if lo == hi == n else f"{lo} of {n}" if lo == hi else f"{lo} to {hi} of {n}"


def _printed(value: Fraction, decimals: int) -> str:
    return f"{float(value):.{decimals}f}".replace(".", ",")


def _sets(printed: str, n: int, scale: Scale) -> list[tuple[int, ...]]:
    return possible_answer_sets(printed, n, scale, rule="any")


def _agree_from(scale: Scale) -> int:
    return (scale[0] + scale[1]) // 2 + 1


def column_sizes(means: pd.DataFrame, group: str, scale: Scale = (1, 4)) -> tuple[list[int], list[str]]:
    """The group sizes of a column that fit every one of its printed means.

    Parameters
    ----------
    means : DataFrame
        ``survey_means.csv`` (``item``, ``group``, ``mean_printed``, ``n_min``, ``n_max``).
    group : str
        ``social_secretaries`` or ``all_respondents``.
    scale : (int, int)
        Answer scale.

    Returns
    -------
    sizes : list of int
        The n in the column's ``n_min``..``n_max`` for which every printed
        mean of the column passes GRIM under some rounding rule (every
        respondent answered every statement, so one n serves them all).
    reasons : list of str
        For each n of the range that is ruled out, the printed mean that
        rules it out.

    Examples
    --------
    >>> m = pd.DataFrame({"item": ["S1", "S2"], "group": ["g", "g"], "mean_printed": ["4", "3,33"],
    ...                   "n_min": [3, 3], "n_max": [4, 4]})
    >>> column_sizes(m, "g")
    ([3], ['n = 4: no four answers give 3,33 (S2)'])
    """
    sizes, ruled_out = _column_sizes(means, group, scale)
    return sizes, [f"n = {n}: {why}" for n, why in ruled_out.items()]


def _column_sizes(means: pd.DataFrame, group: str, scale: Scale) -> tuple[list[int], dict[int, str]]:
    rows = means[means["group"] == group]
    if rows.empty:
        raise DataError(Problem("survey_means.csv", None, "group", f"no rows for group '{group}'",
                                "expected rows for social_secretaries and all_respondents"))
    lo, hi = int(rows["n_min"].min()), int(rows["n_max"].max())
    sizes, ruled_out = [], {}
    for n in range(lo, hi + 1):
        failing = [(str(r["item"]), str(r["mean_printed"])) for r in rows.to_dict("records")
                   if not grim_n_values(str(r["mean_printed"]), n, scale, rule="any")]
        if failing:
            item, text = failing[0]
            ruled_out[n] = f"no {_word(n)} answers give {text} ({item})"
        else:
            sizes.append(n)
    return sizes, ruled_out


# ---------------------------------------------------------------- the tests

def _pairs(sub: dict, tot: dict, n_sub: int, n_tot: int, scale: Scale) -> list[tuple[int, int]]:
    """Feasible (sub sum, total sum): each prints as printed, and the rest's sum fits the scale."""
    lo, hi = scale
    rest = n_tot - n_sub
    return [(a, b) for a in grim_sums(sub["text"], n_sub, scale, "any")
            for b in grim_sums(tot["text"], n_tot, scale, "any") if rest * lo <= b - a <= rest * hi]


def _direction(pairs: list[tuple[int, int]], n_sub: int, n_tot: int) -> set[str]:
    out = set()
    for a, b in pairs:
        d = Fraction(a, n_sub) - Fraction(b, n_tot)
        out.add("higher" if d > 0 else "lower" if d < 0 else "equal")
    return out


def _group_higher(items: list[str], means: dict, sizes: dict, scale: Scale) -> tuple[str, str, list[str]]:
    span = scale[1] - scale[0]
    lines, settled_fail, open_items, higher, biggest = [], [], [], [], Fraction(0)
    for item in items:
        sub, tot = means[(item, SUB_GROUP)], means[(item, TOTAL_GROUP)]
        printed_diff = sub["value"] - tot["value"]
        head = (f"{item}: {sub['text']} against {tot['text']} as printed, a difference of "
                f"{_exact(printed_diff)} ({float(printed_diff / span):.0%} of the scale's length, {span})")
        dirs: set[str] = set()
        for ns in sizes[SUB_GROUP]:
            for nt in sizes[TOTAL_GROUP]:
                pairs = _pairs(sub, tot, ns, nt, scale)
                dirs |= _direction(pairs, ns, nt)
                if pairs:
                    subs = sorted({Fraction(a, ns) for a, _ in pairs})
                    tots = sorted({Fraction(b, nt) for _, b in pairs})
                    head += (f"; with {ns} and {nt} respondents the social secretaries' mean can be "
                             f"{_or(_exact(v) for v in subs)} and all respondents' {_or(_exact(v) for v in tots)}")
        if not dirs:
            dirs = {"higher" if printed_diff > 0 else "lower" if printed_diff < 0 else "equal"}
            head += "; no answers fit both means (read as printed)"
        if dirs == {"higher"}:
            higher.append(item)
            biggest = max(biggest, printed_diff)
            head += ": higher"
        elif "higher" not in dirs:
            settled_fail.append(f"{' or '.join(sorted(dirs))} on {item}")
            head += f": {' or '.join(sorted(dirs))}, never higher"
        else:
            open_items.append(item)
            head += f": {_either(sorted(dirs))} possible"
        lines.append(head + ".")
    parts = []
    if settled_fail:
        parts.append(_join(settled_fail))
    if open_items:
        parts.append(f"on {_join(open_items)} the printed means allow either")
    if higher:
        parts.append(f"higher on {_join(higher)}, by up to {_exact(biggest)} "
                     f"({float(biggest / span):.0%} of the scale's length)")
    summary = "; ".join(parts) + "."
    summary = summary[0].upper() + summary[1:]
    verdict = "not supported" if settled_fail else "cannot tell" if open_items else "supported"
    return verdict, summary, lines


def _agree_counts(sets: list[tuple[int, ...]], agree_from: int) -> list[int]:
    return [sum(1 for a in s if a >= agree_from) for s in sets]


def _general_bound(rec: dict, scale: Scale, agree_from: int) -> str | None:
    """The argument, valid for every n, that a mean printed this low excludes everyone agreeing."""
    unit = Fraction(1, 10 ** rec["decimals"])
    ceiling = rec["value"] + unit          # no rule prints a value at or above this as `printed`
    if ceiling <= agree_from:
        return (f"For every n: a mean that prints as {rec['text']} under any rounding rule is below "
                f"{_printed(ceiling, rec['decimals'])}, which is below {agree_from}. Had all n answered "
                f"{agree_from} or more, the sum would be at least {agree_from}n and the mean at least "
                f"{agree_from}. So at least one answer was below {agree_from}, whatever n.")
    return None


def _all_agree(items: list[str], group: str, means: dict, sizes: dict, scale: Scale,
               agree_from: int, ruled_out: dict) -> tuple[str, str, list[str]]:
    lines, verdicts, bits = [], [], []
    for item in items:
        rec = means[(item, group)]
        lines.append(f"{item}, {_GROUP_WORDS[group]}: printed {rec['text']}.")
        general = _general_bound(rec, scale, agree_from)
        if general:
            lines.append("  " + general)
        all_n = range(rec["n_min"], rec["n_max"] + 1)
        outcomes = []
        for n in all_n:
            sets = _sets(rec["text"], n, scale)
            if not sets:
                lines.append(f"  n = {n}: no {_word(n)} answers give {rec['text']}.")
                continue
            agreeing = _agree_counts(sets, agree_from)
            sums = sorted({sum(s) for s in sets})
            every = sum(1 for a in agreeing if a == n)
            fit = "" if n in sizes[group] else f" (but {ruled_out[group].get(n, 'this n is ruled out')})"
            mean_words = [_exact(Fraction(s, n)) for s in sums]
            lines.append(f"  n = {n}: sums {', '.join(str(s) for s in sums)}, "
                         f"i.e. means {_and_list(mean_words)}; all {_word(n)} agreeing needs "
                         f"at least {agree_from * n}. {len(sets)} answer set(s) fit, {every} with everyone "
                         f"agreeing; {_range(min(agreeing), max(agreeing), n)} agreed{fit}.")
            if n in sizes[group]:
                outcomes.append((n, every, len(sets), min(agreeing), max(agreeing)))
        if not outcomes:
            verdicts.append("impossible")
            bits.append(f"{item}: no group size fits the printed mean")
        elif all(every == 0 for _, every, _, _, _ in outcomes):
            verdicts.append("impossible")
            bits.append(f"{item}: at least one of {_GROUP_WORDS[group]} answered below {agree_from}")
        elif all(every == total for _, every, total, _, _ in outcomes):
            verdicts.append("supported")
            bits.append(f"{item}: every one agreed")
        else:
            verdicts.append("cannot tell")
            lo = min(o[3] for o in outcomes)
            n_text = "/".join(str(o[0]) for o in outcomes)
            bits.append(f"{item}: at least {lo} of {n_text} agreed, perhaps all {n_text}")
    verdict = ("impossible" if "impossible" in verdicts else "supported" if set(verdicts) == {"supported"}
               else "cannot tell")
    return verdict, "; ".join(bits) + ".", lines


def _means_consistent(items: list[str], means: dict, sizes: dict, scale: Scale) -> tuple[str, str, list[str]]:
    lines, bad = [], []
    lo, hi = scale
    for item in items:
        sub, tot = means[(item, SUB_GROUP)], means[(item, TOTAL_GROUP)]
        feasible = {}
        for ns in sizes[SUB_GROUP]:
            for nt in sizes[TOTAL_GROUP]:
                result = joint_combinations(sub["text"], ns, tot["text"], nt, scale, rule="any")
                feasible[(ns, nt)] = result.count
                subs = grim_sums(sub["text"], ns, scale, "any")
                tots = grim_sums(tot["text"], nt, scale, "any")
                rest = nt - ns
                lines.append(
                    f"{item}: {sub['text']} from {ns} answers needs a sum of {', '.join(map(str, subs)) or 'none'}; "
                    f"{tot['text']} from {nt} needs {', '.join(map(str, tots)) or 'none'}. The other {rest} "
                    f"would then have a mean of "
                    f"{', '.join(sorted({_exact(Fraction(b - a, rest)) for a in subs for b in tots})) or '-'}, "
                    f"and must lie between {lo} and {hi}: {result.count} set(s) of answers fit.")
        wide = joint_combinations(sub["text"], (sub["n_min"], sub["n_max"]), tot["text"],
                                  (tot["n_min"], tot["n_max"]), scale, rule="any")
        elsewhere = [k for k, v in wide.by_n.items() if v and k not in feasible]
        if elsewhere:
            lines.append(f"{item}: over the whole ranges they would fit only with "
                         f"{', '.join(f'n = {a} and {b}' for a, b in elsewhere)}, sizes the column's other "
                         "means rule out.")
        if not any(feasible.values()):
            bad.append(item)
    if bad:
        return ("impossible", f"No set of answers gives both printed means of {', '.join(bad)}, at the group "
                f"sizes that fit the rest of the table.", lines)
    return "supported", "Both printed means of every statement fit one set of answers.", lines


def contract_goals(contract: pd.DataFrame, heading: str = "Syfte och mål") -> list[str]:
    """The goals of the contract: each phrase of the clause ``heading`` (split at full stops and commas).

    Examples
    --------
    >>> c = pd.DataFrame({"heading_sv": ["Syfte och mål"], "text_sv": ["Utbyta erfarenheter, öka förståelse. Hjälpa varandra."]})
    >>> contract_goals(c)
    ['Utbyta erfarenheter', 'öka förståelse', 'Hjälpa varandra']
    """
    rows = contract[contract["heading_sv"] == heading]
    if rows.empty:
        raise DataError(Problem("contract.csv", None, "heading_sv", f"no clause '{heading}'",
                                "expected the contract's clause of goals"))
    text = str(rows["text_sv"].iloc[0])
    return [p.strip() for p in re.split(r"[.,]\s*", text) if p.strip()]


def _goal_key(text: str) -> str:
    return re.sub(r"[.\s]+$", "", text.strip()).casefold()


def _goals_met(items: list[str], survey_items: pd.DataFrame, means: dict, sizes: dict, scale: Scale,
               agree_from: int, contract: pd.DataFrame) -> tuple[str, str, list[str]]:
    goals = contract_goals(contract)
    links: dict[str, list[tuple[str, str]]] = {g: [] for g in goals}
    for r in survey_items.to_dict("records"):
        if str(r["item"]) not in items or pd.isna(r.get("contract_goal_sv")):
            continue
        linked = {_goal_key(p) for part in str(r["contract_goal_sv"]).split(" / ") for p in re.split(r"\.\s+", part)}
        for g in goals:
            if _goal_key(g) in linked:
                links[g].append((str(r["item"]), str(r.get("link_basis", ""))))
    lines, untested, majority_no, open_goals, broken = [], [], [], [], []
    for goal in goals:
        if not links[goal]:
            untested.append(goal)
            lines.append(f"{goal}: no statement tests it.")
            continue
        for item, basis in links[goal]:
            rec = means[(item, TOTAL_GROUP)]
            sub = means[(item, SUB_GROUP)]
            outcomes = []
            for nt in sizes[TOTAL_GROUP]:
                fits = any(_pairs(sub, rec, ns, nt, scale) for ns in sizes[SUB_GROUP])
                agreeing = _agree_counts(_sets(rec["text"], nt, scale), agree_from)
                outcomes.append((nt, fits, min(agreeing, default=0), max(agreeing, default=0)))
            text = "; ".join(f"n = {nt}: {_range(lo, hi, nt)} agreed" + ("" if fits else
                             ", but the two printed means do not fit together") for nt, fits, lo, hi in outcomes)
            lines.append(f"{goal}: {item} (link {basis}), all respondents {rec['text']}; {text}.")
            if not all(fits for _, fits, _, _ in outcomes):
                broken.append(goal)
            elif all(2 * hi <= nt for nt, _, _, hi in outcomes):
                majority_no.append(goal)
            elif not all(2 * lo > nt for nt, _, lo, _ in outcomes):
                open_goals.append(goal)
    if majority_no:
        verdict = "not supported"
    elif untested or open_goals or broken:
        verdict = "cannot tell"
    else:
        verdict = "supported"
    parts = []
    if untested:
        parts.append(f"{len(untested)} of {len(goals)} goals are tested by no statement ({', '.join(untested)})")
    if open_goals:
        parts.append(f"for {_join(list(dict.fromkeys(open_goals)))} a majority agreeing is not certain")
    if broken:
        parts.append(f"for {_join(list(dict.fromkeys(broken)))} the statement's two printed means cannot both be right")
    if majority_no:
        parts.append(f"for {_join(majority_no)} no majority agreed")
    if not parts:
        parts.append("every goal is tested and a majority agreed with each")
    linked_basis = {b for g in goals for _, b in links[g]}
    if linked_basis == {"inferred"}:
        parts.append("every link between a statement and a goal is our reading, not the report's")
    summary = "; ".join(parts) + "."
    return verdict, summary[0].upper() + summary[1:], lines


# ---------------------------------------------------------------- evaluation

def evaluate_claim(claim: Mapping, survey_items: pd.DataFrame, survey_means: pd.DataFrame,
                   contract: pd.DataFrame | None = None, scale: Scale = (1, 4),
                   agree_from: int | None = None) -> ClaimResult:
    """Evaluate one claim (a row of claims.csv) against the survey table.

    Parameters
    ----------
    claim : mapping
        ``claim_id``, ``test``, ``items`` (``;``-separated) and ``group``.
    survey_items, survey_means : DataFrame
        ``survey_items.csv`` and ``survey_means.csv``.
    contract : DataFrame, optional
        ``contract.csv``; needed by the ``goals_met`` test.
    scale : (int, int)
        Answer scale.
    agree_from : int, optional
        Lowest answer counted as agreeing (default: the upper half, 3 on 1--4).

    Returns
    -------
    ClaimResult

    Raises
    ------
    DataError
        For an unknown test, or a statement without both printed means.

    Examples
    --------
    >>> means = pd.DataFrame({"item": ["S3", "S3"], "group": ["social_secretaries", "all_respondents"],
    ...                       "mean_printed": ["3,33", "2,85"], "n_min": [3, 6], "n_max": [4, 8]})
    >>> r = evaluate_claim({"claim_id": "C", "test": "all_agree", "items": "S3", "group": "all_respondents"},
    ...                    pd.DataFrame({"item": ["S3"]}), means)
    >>> r.verdict
    'impossible'
    """
    agree_from = _agree_from(scale) if agree_from is None else agree_from
    by_item = _means_by_item(survey_means)
    items = _items_of(claim)
    missing = [i for i in items for g in (SUB_GROUP, TOTAL_GROUP) if (i, g) not in by_item]
    if missing:
        raise DataError(Problem("claims.csv", None, "items", f"'{claim['items']}' ({claim['claim_id']})",
                                f"expected statements with both printed means in survey_means.csv "
                                f"(missing: {', '.join(dict.fromkeys(missing))})"))
    sizes, ruled = {}, {}
    for group in (SUB_GROUP, TOTAL_GROUP):
        sizes[group], ruled[group] = _column_sizes(survey_means, group, scale)
    head = [f"Group sizes that fit every printed mean of the column: social secretaries "
            f"{', '.join(map(str, sizes[SUB_GROUP])) or 'none'}, all respondents "
            f"{', '.join(map(str, sizes[TOTAL_GROUP])) or 'none'}"
            + (f" ({'; '.join(r for g in ruled for r in ruled[g].values())})" if any(ruled.values()) else "") + "."]
    test = str(claim["test"])
    if test == "group_higher":
        verdict, summary, lines = _group_higher(items, by_item, sizes, scale)
    elif test == "all_agree":
        groups = (SUB_GROUP, TOTAL_GROUP) if claim["group"] == "both" else (str(claim["group"]),)
        results = [_all_agree(items, g, by_item, sizes, scale, agree_from, ruled) for g in groups]
        verdict = min((r[0] for r in results), key=lambda v: -VERDICTS.index(v))
        summary, lines = " ".join(r[1] for r in results), [ln for r in results for ln in r[2]]
    elif test == "means_consistent":
        verdict, summary, lines = _means_consistent(items, by_item, sizes, scale)
    elif test == "goals_met":
        if contract is None:
            raise DataError(Problem("contract.csv", None, None, "no contract",
                                    "the goals_met test needs contract.csv"))
        verdict, summary, lines = _goals_met(items, survey_items, by_item, sizes, scale, agree_from, contract)
    else:
        raise DataError(Problem("claims.csv", None, "test", f"'{test}' ({claim['claim_id']})",
                                "expected group_higher, all_agree, means_consistent or goals_met"))
    return ClaimResult(str(claim["claim_id"]), verdict, summary, tuple(head + lines))


def evaluate_claims(project: Any, scale: Scale = (1, 4), agree_from: int | None = None) -> pd.DataFrame:
    """Evaluate every claim of ``claims.csv`` against the survey table.

    Parameters
    ----------
    project : Project or mapping of str to DataFrame
        Needs ``claims``, ``survey_items``, ``survey_means``; ``contract``
        for the ``goals_met`` test.
    scale : (int, int)
        Answer scale.
    agree_from : int, optional
        Lowest answer counted as agreeing.

    Returns
    -------
    DataFrame
        One row per claim: ``claim_id``, ``quote_sv``, ``quote_en``,
        ``section``, ``test``, ``items``, ``verdict``, ``summary`` and
        ``arithmetic`` (the steps, one per line, as one string).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = evaluate_claims(load_project()).set_index("claim_id")
    >>> t.loc[["CL1", "CL2", "CL3", "CL4"], "verdict"].tolist()
    ['not supported', 'impossible', 'impossible', 'cannot tell']
    """
    claims = _table(project, "claims")
    items, means = _table(project, "survey_items"), _table(project, "survey_means")
    contract = _table(project, "contract", required=False)
    rows = []
    for claim in claims.to_dict("records"):
        r = evaluate_claim(claim, items, means, contract, scale, agree_from)
        rows.append({"claim_id": r.claim_id, "quote_sv": claim["quote_sv"], "quote_en": claim["quote_en"],
                     "section": claim["section"], "test": claim["test"], "items": claim["items"],
                     "verdict": r.verdict, "summary": r.summary, "arithmetic": "\n".join(r.arithmetic)})
    columns = ["claim_id", "quote_sv", "quote_en", "section", "test", "items", "verdict", "summary", "arithmetic"]
    return pd.DataFrame(rows, columns=columns).astype("string")


def _and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' (a list in words, not a Python tuple)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
