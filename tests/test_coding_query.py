"""Tests for ebm_analysis.coding_query: hand-worked answers, a brute-force reference, the EBM data.

The reference evaluator below works on Python sets of character positions
and counts words with a regular expression: a second, independent way to the
same answers.
"""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

from conftest import coded
from ebm_analysis import coding_query, load_project
from ebm_analysis.coding_query import QUERY_COLUMNS, parse_expression
from ebm_analysis.errors import DataError
from ebm_analysis.queries import descendants


def spans(result: pd.DataFrame) -> list[tuple[str, int, int]]:
    return list(zip(result["segment_id"], result["start"].tolist(), result["end"].tolist()))


# ---------------------------------------------------------------- hand-worked answers (SYNTHETIC `nested`)

@pytest.mark.parametrize("expression, expected", [
    ("a11", [("S1", 0, 4)]),
    ("a1", [("S1", 0, 4), ("S3", 0, 4)]),                                  # a11 is inside a1
    ("a", [("S1", 0, 4), ("S2", 0, 15), ("S3", 0, 4)]),
    ("c", []),                                                             # never used
    ("a AND b", [("S1", 0, 4), ("S1", 22, 30), ("S2", 0, 15), ("S3", 0, 4), ("S3", 5, 10)]),
    ("a OVERLAPS b", [("S2", 0, 15)]),                                     # whole segment covers "eta"
    ("a1 OVERLAPS b", []),
    ("a NEAR/0 b", [("S2", 0, 15), ("S3", 0, 10)]),                        # "Iota kappa": 0 words between
    ("a NEAR/2 b", [("S2", 0, 15), ("S3", 0, 10)]),
    ("a NEAR/3 b", [("S1", 0, 30), ("S2", 0, 15), ("S3", 0, 10)]),         # beta gamma delta
    ("NOT a", [("S4", 0, 14)]),
    ("b AND NOT a", [("S4", 0, 14)]),
    ("NOT a AND b", [("S4", 0, 14)]),                                      # NOT binds tighter than AND
    ("a OR b AND NOT b", [("S1", 0, 4), ("S2", 0, 15), ("S3", 0, 4)]),     # AND before OR
    ("(a OR b) AND NOT b", []),
    ("a11 OR (b AND NOT a)", [("S1", 0, 4), ("S4", 0, 14)]),
    ("NOT (a OR b)", []),
    ("a and not A1", [("S2", 0, 15)]),                                     # keywords in any case
])
def test_expressions_by_hand(nested, expression, expected):
    if expression == "a and not A1":
        with pytest.raises(DataError, match="'A1'"):            # codes are case-sensitive ids
            coding_query(nested, expression)
        expression = "a and not a1"
    assert spans(coding_query(nested, expression)) == expected


def test_result_columns_text_and_whole_segment(nested):
    out = coding_query(nested, "a AND b")
    assert out.columns.tolist() == QUERY_COLUMNS
    assert out["text"].tolist() == ["Alfa", "epsilon.", "Zeta eta theta.", "Iota", "kappa"]
    assert out["whole_segment"].tolist() == [False, False, True, False, False]
    assert out["speaker_role"].tolist()[2] == "service_user_mentor"
    assert out["text_en"].tolist()[0] == "(English of S1)"
    empty = coding_query(nested, "c")
    assert empty.empty and empty.columns.tolist() == QUERY_COLUMNS


def test_filters_limit_the_universe_of_not(nested):
    assert spans(coding_query(nested, "a", meeting=1)) == [("S1", 0, 4), ("S3", 0, 4)]
    assert spans(coding_query(nested, "NOT a1", meeting=[1, 2])) == [("S2", 0, 15)]
    assert spans(coding_query(nested, "b", role="unknown")) == [("S4", 0, 14)]
    with pytest.raises(DataError, match="meeting"):
        coding_query(nested, "a", meeting=9)


@pytest.mark.parametrize("expression, position, message", [
    ("", 1, "empty expression"),
    ("a AND", 6, "the end of the expression"),
    ("a AND x", 7, "'x', which the codebook does not list"),
    ("a AND aa", 7, "did you mean 'a"),
    ("(a OR b", 8, "expected ')' to close the '(' at character 1"),
    ("a OR b)", 7, "closes no"),
    ("a b", 3, "expected AND, OR"),
    ("a NEAR b", 3, "NEAR/n"),
    ("a NEAR/ b", 3, "NEAR/n"),
    ("a OVERLAPS", 11, "expected a code"),
    ("NOT", 4, "expected a code"),
    ('a AND "b', 7, "unclosed quote"),
    ("a AND OR b", 7, "'OR'"),
])
def test_bad_expressions_point_at_the_position(nested, expression, position, message):
    with pytest.raises(DataError) as err:
        coding_query(nested, expression)
    problem = err.value.problems[0]
    assert problem.column == f"character {position}"
    assert message in str(err.value)
    assert "⟨here⟩" in problem.found or expression == ""


def test_quoted_codes_may_be_keywords():
    data = coded({"S1": "Nära och över."}, [("near", None), ("overlaps", None)],
                 [("K1", "S1", "near", 0, 4), ("K2", "S1", "overlaps", 9, 13)])
    assert spans(coding_query(data, '"near" NEAR/1 "overlaps"')) == [("S1", 0, 13)]
    assert spans(coding_query(data, "'near' OVERLAPS 'overlaps'")) == []
    assert parse_expression('"near" and "overlaps"', ["near", "overlaps"]).op == "and"


def test_near_counts_whole_words_with_swedish_letters():
    text = "Stressen på jobbet är hög, och gemenskapen i gruppen hjälper."
    data = coded({"S1": text}, [("stress", None), ("belonging", None)],
                 [("K1", "S1", "stress", 0, 8), ("K2", "S1", "belonging", 31, 42)])
    between = len(re.findall(r"\w+", text[8:31]))          # på jobbet är hög och = 5
    assert between == 5
    assert coding_query(data, f"stress NEAR/{between - 1} belonging").empty
    assert coding_query(data, f"stress NEAR/{between} belonging")["text"].tolist() == [text[:42]]
    assert coding_query(data, f"belonging NEAR/{between} stress")["text"].tolist() == [text[:42]]


# ---------------------------------------------------------------- a brute-force reference

WORD = re.compile(r"[^\W\d_]+(?:[-'’‐‑][^\W\d_]+)*")


class Reference:
    """Per segment: (matched, set of character positions). Slow and obvious."""

    def __init__(self, data, universe):
        self.data, self.universe = data, universe
        self.texts = dict(zip(data.segments["segment_id"], data.segments["text_sv"]))

    def code(self, code):
        wanted = set(descendants(self.data.codebook, code, include_self=True))
        out = {}
        for row in self.data.codings.itertuples():
            if row.code_id in wanted and row.segment_id in self.universe:
                text = self.texts[row.segment_id]
                s, e = (0, len(text)) if pd.isna(row.start) else (int(row.start), int(row.end))
                out.setdefault(row.segment_id, set()).update(range(s, e))
        return out

    def evaluate(self, node):
        op = node.op
        if op == "code":
            return self.code(node.code)
        if op == "not":
            inner = self.evaluate(node.args[0])
            return {s: set() for s in self.universe if s not in inner}
        a, b = self.evaluate(node.args[0]), self.evaluate(node.args[1])
        if op == "and":
            return {s: a[s] | b[s] for s in a if s in b}
        if op == "or":
            return {s: a.get(s, set()) | b.get(s, set()) for s in set(a) | set(b)}
        out = {}
        for s in set(a) & set(b):
            for x in self.pieces(s, a[s]):
                for y in self.pieces(s, b[s]):
                    if self.meets(op, node.words, s, x, y):
                        out.setdefault(s, set()).update(range(min(x[0], y[0]), max(x[1], y[1])))
        return out

    def pieces(self, segment, chars):
        if not chars:
            return [(0, len(self.texts[segment]))]
        runs, ordered = [], sorted(chars)
        start = prev = ordered[0]
        for c in ordered[1:]:
            if c != prev + 1:
                runs.append((start, prev + 1))
                start = c
            prev = c
        return runs + [(start, prev + 1)]

    def meets(self, op, n, segment, x, y):
        if op == "overlaps":
            return max(x[0], y[0]) < min(x[1], y[1])
        first, second = sorted([x, y])
        if second[0] < first[1]:
            return True
        words = [m for m in WORD.finditer(self.texts[segment]) if m.start() >= first[1] and m.end() <= second[0]]
        return len(words) <= n

    def rows(self, result):
        order = {s: i for i, s in enumerate(self.data.segments["segment_id"])}
        out = []
        for s in sorted(result, key=order.get):
            for run in self.pieces(s, result[s]):
                out.append((s, *run))
        return out


def random_data(rng: random.Random):
    words = ["och", "tillit", "möte", "Å", "gemenskap", "stress", "är", "BM-råd", "tid", "1", "ö"]
    texts = {f"S{i}": " ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) + rng.choice([".", "", "!"])
             for i in range(rng.randint(1, 6))}
    book = [("a", None), ("a1", "a"), ("a11", "a1"), ("b", None), ("b1", "b"), ("c", None)]
    rows = []
    for k in range(rng.randint(0, 14)):
        seg = rng.choice(list(texts))
        n = len(texts[seg])
        if rng.random() < 0.3 or n < 2:
            s = e = None
        else:
            s = rng.randrange(0, n - 1)
            e = rng.randint(s + 1, n)
        rows.append((f"K{k}", seg, rng.choice(book)[0], s, e))
    return coded(texts, book, rows, meetings={s: rng.choice([1, 2, None]) for s in texts})


def random_expression(rng: random.Random, depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.35:
        return rng.choice(["a", "a1", "a11", "b", "b1", "c"])
    kind = rng.choice(["NOT", "AND", "OR", "OVERLAPS", "NEAR", "()"])
    left, right = random_expression(rng, depth + 1), random_expression(rng, depth + 1)
    if kind == "NOT":
        return f"NOT {left}"
    if kind == "()":
        return f"({left})"
    if kind == "NEAR":
        return f"{left} NEAR/{rng.randint(0, 3)} {right}"
    return f"{left} {kind} {right}"


def test_random_projects_and_expressions_agree_with_the_reference():
    rng = random.Random(20151101)
    for case in range(200):
        data = random_data(rng)
        expression = random_expression(rng)
        meeting = rng.choice([None, 1])
        seg = data.segments
        universe = set(seg["segment_id"] if meeting is None else seg.loc[seg["meeting"] == 1, "segment_id"])
        ref = Reference(data, universe)
        expected = ref.rows(ref.evaluate(parse_expression(expression, data.codebook["code_id"].tolist())))
        got = spans(coding_query(data, expression, meeting=meeting))
        assert got == expected, f"case {case}: {expression!r} on {dict(zip(seg['segment_id'], seg['text_sv']))}"


# ---------------------------------------------------------------- the EBM data

def test_ebm_and_or_not_match_sets_of_coded_segments():
    project = load_project()
    book, cod = project.codebook, project.codings

    def segments_of(code):
        return set(cod.loc[cod["code_id"].isin(descendants(book, code, include_self=True)), "segment_id"])

    stress, belonging = segments_of("stress"), segments_of("belonging")
    everything = set(project.segments()["segment_id"])
    assert set(coding_query(project, "stress AND belonging")["segment_id"]) == stress & belonging
    assert set(coding_query(project, "stress OR belonging")["segment_id"]) == stress | belonging
    assert set(coding_query(project, "stress AND NOT belonging")["segment_id"]) == stress - belonging
    assert set(coding_query(project, "NOT stress")["segment_id"]) == everything - stress
    overlap = set(coding_query(project, "stress OVERLAPS belonging")["segment_id"])
    near = set(coding_query(project, "stress NEAR/10 belonging")["segment_id"])
    assert overlap <= near <= stress & belonging


# ---------------------------------------------------------------- reading the result

def test_matches_by_segment_and_by_meeting(nested):
    from ebm_analysis.coding_query import NOT_PLACED, matches_by_meeting, matches_by_segment

    result = coding_query(nested, "a AND b")
    table = matches_by_segment(result)
    assert table.index.tolist() == ["S1", "S2", "S3"]
    assert table.loc["S1", "text"] == "Alfa … epsilon." and table.loc["S1", "stretches"] == 2
    assert table["meeting"].tolist() == ["1", "2", "1"]
    by = matches_by_meeting(nested, result)
    assert by.index.tolist() == [str(m) for m in range(1, 9)] + [NOT_PLACED]
    assert by.loc["1"].tolist() == [2, 2, 100.0] and by.loc["2"].tolist() == [1, 1, 100.0]
    assert by.loc[NOT_PLACED].tolist() == [0, 1, 0.0] and by.loc["5"].tolist() == [0, 0, 0.0]
    assert matches_by_meeting(nested, coding_query(nested, "NOT a")).loc[NOT_PLACED, "matching"] == 1
    empty = coding_query(nested, "c")
    assert matches_by_segment(empty).empty and matches_by_meeting(nested, empty)["matching"].sum() == 0
    assert matches_by_segment(coding_query(nested, "b", role="unknown")).loc["S4", "meeting"] == NOT_PLACED


def test_query_counts_sum_the_result(nested):
    from ebm_analysis.coding_query import query_counts

    table = query_counts(nested, ["a AND b", "a OVERLAPS b", "c"], meeting=[1, 2])
    assert table.index.tolist() == ["a AND b", "a OVERLAPS b", "c"]
    assert table.loc["a AND b"].tolist() == [3, 5, 4 + 8 + 15 + 4 + 5]
    assert table.loc["a OVERLAPS b"].tolist() == [1, 1, 15] and table.loc["c"].tolist() == [0, 0, 0]


def test_query_passages_one_row_per_segment_with_the_omission_marked(nested):
    from ebm_analysis.coding_query import OMITTED, PASSAGE_COLUMNS, query_passages

    passages = query_passages(coding_query(nested, "a AND b"))
    assert passages.columns.tolist() == PASSAGE_COLUMNS
    assert passages["segment_id"].tolist() == ["S1", "S2", "S3"]
    assert passages["coded_sv"].tolist() == ["Alfa […] epsilon.", "Zeta eta theta.", "Iota […] kappa"]
    assert OMITTED.strip() == "[…]"
    assert passages["segment_en"].tolist() == ["(English of S1)", "(English of S2)", "(English of S3)"]
    assert str(passages["meeting"].dtype) == "Int64" and passages["meeting"].tolist() == [1, 2, 1]
    assert passages["speaker_role"].tolist() == ["social_secretary", "service_user_mentor", "observer"]
    unplaced = query_passages(coding_query(nested, "b AND NOT a"))
    assert unplaced["segment_id"].tolist() == ["S4"] and unplaced["meeting"].isna().all()
    empty = query_passages(coding_query(nested, "c"))
    assert empty.empty and empty.columns.tolist() == PASSAGE_COLUMNS


def test_query_passages_show_as_quotations_without_raw_values(nested):
    from ebm_analysis import display
    from ebm_analysis.coding_query import query_passages

    passages = query_passages(coding_query(nested, "b")).assign(section="Synthetic section")
    shown = display.quotes(passages, lang="en")
    text = str(shown)
    assert "Meeting 1" in text and "Meeting 2" in text          # placed segments say where
    assert "<NA>" not in text and "nan" not in text.lower().split()
    assert shown.columns == ["Segment", "Coded passage (Swedish, verbatim)",
                             "The whole segment (English, our translation)"]


def test_query_by_meeting_by_hand(nested):
    from ebm_analysis.coding_query import NOT_PLACED, query_by_meeting

    table = query_by_meeting(nested, {"both": "a AND b", "b only": "b AND NOT a"})
    assert table.columns.tolist() == ["both", "b only", "segments"]
    assert table.index.tolist() == [str(m) for m in range(1, 9)] + [NOT_PLACED]
    assert table.loc["1"].tolist() == [2, 0, 2] and table.loc["2"].tolist() == [1, 0, 1]
    assert table.loc[NOT_PLACED].tolist() == [0, 1, 1] and table.loc["5"].tolist() == [0, 0, 0]
    picked = query_by_meeting(nested, ["a AND b"], meetings=[2, 1])
    assert picked.index.tolist() == ["2", "1"] and picked.columns.tolist() == ["a AND b", "segments"]
    assert NOT_PLACED not in query_by_meeting(nested, ["a"], placed_only=True).index
    with pytest.raises(DataError, match="meetings"):
        query_by_meeting(nested, ["a"], meetings=[9])
    with pytest.raises(DataError, match="codebook"):
        query_by_meeting(nested, {"x": "a AND zzz"})


def test_query_by_meeting_on_the_ebm_data_splits_a_theme():
    """With and without a second code, the matching segments add up to the theme's segments at each meeting."""
    from ebm_analysis.coding_query import query_by_meeting

    project = load_project()
    table = query_by_meeting(project, {"with": "prejudice_exclusion AND perspective_shift",
                                       "without": "prejudice_exclusion AND NOT perspective_shift",
                                       "all": "prejudice_exclusion"})
    assert (table["with"] + table["without"]).equals(table["all"])
    assert (table["all"] <= table["segments"]).all()
    assert int(table["segments"].sum()) == len(project.segments())
