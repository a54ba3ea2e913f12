"""Tests for ebm_analysis.spans and ebm_analysis.repair: spans that cannot drift, and re-anchoring after an edit.

The folders are SYNTHETIC (tests/test_coding.py) or a scratch copy of the
bundled data; the texts are edited here with the csv module.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from conftest import codings_on_disk
from ebm_analysis.changelog import LOG_FILE
from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project
from ebm_analysis.repair import plan_span_repairs, repair_spans
from ebm_analysis.spans import find_span, shift_offset, span_problems


def edit_text(folder: Path, file: str, key: str, edit) -> None:
    with (folder / file).open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("text_sv")
    for row in rows[1:]:
        if row[0] == key:
            row[col] = edit(row[col])
    with (folder / file).open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def spans_of(folder: Path, segment: str) -> dict[str, tuple[int, int, str]]:
    project = load_project(folder)
    text = project.segments().set_index("segment_id").loc[segment, "text_sv"]
    cod = project.codings[(project.codings["segment_id"] == segment) & project.codings["start"].notna()]
    return {r.coding_id: (int(r.start), int(r.end), text[int(r.start):int(r.end)]) for r in cod.itertuples()}


# ---------------------------------------------------------------- loading refuses drift

def test_every_span_coding_of_the_bundled_data_records_its_text():
    project = load_project()
    spans = project.codings[project.codings["start"].notna()]
    assert len(spans) and spans["span_text"].notna().all()
    assert span_problems(project.codings, project.segments().set_index("segment_id")["text_sv"].to_dict()) == []


def test_nfd_normalisation_of_a_text_is_refused_with_file_line_and_column(data_copy):
    before = spans_of(data_copy, "O016")
    original = load_project(data_copy).segments().set_index("segment_id").loc["O016", "text_sv"]
    nfd = unicodedata.normalize("NFD", original)
    assert nfd != original and len(before) >= 2
    moved = {k for k, (s, e, t) in before.items() if nfd[s:e].strip() != t.strip()}
    edit_text(data_copy, "observations.csv", "O016", lambda t: unicodedata.normalize("NFD", t))
    with pytest.raises(DataError) as err:
        load_project(data_copy)
    problems = [p for p in err.value.problems if p.column == "span_text"]
    with (data_copy / "codings.csv").open(newline="", encoding="utf-8") as f:
        lines = {r["coding_id"]: i + 2 for i, r in enumerate(csv.DictReader(f))}  # one row per line here
    assert sorted((p.file, p.line) for p in problems) == sorted(("codings.csv", lines[k]) for k in moved)
    assert all("NFD instead of NFC" in p.found and "repair-spans" in p.expected for p in problems)


def test_an_inserted_sentence_is_refused_then_repaired_exactly(data_copy):
    before = spans_of(data_copy, "O010")
    edit_text(data_copy, "observations.csv", "O010", lambda t: "Tillagt i efterhand. " + t)
    with pytest.raises(DataError, match="O010's text_sv was changed"):
        load_project(data_copy)
    plan = repair_spans(data_copy, coder="R1")
    assert set(plan["status"]) == {"moved"} and set(plan["detail"]) == {"found exactly"}
    after = spans_of(data_copy, "O010")
    assert {k: (s + 21, e + 21, t) for k, (s, e, t) in before.items()} == after
    entry = [x for x in (data_copy / LOG_FILE).read_text(encoding="utf-8").splitlines() if "repair spans" in x]
    assert len(entry) == len(before)  # one transaction, one entry per coding, in the log
    assert CodingStore.open(data_copy).undo(coder="R1").startswith("repair spans")


def test_nfd_text_is_repaired_by_normalising_the_recorded_text(data_copy):
    before = spans_of(data_copy, "O016")
    edit_text(data_copy, "observations.csv", "O016", lambda t: unicodedata.normalize("NFD", t))
    plan = repair_spans(data_copy)
    assert set(plan["detail"]) == {"found after NFD normalisation"}
    after = spans_of(data_copy, "O016")
    assert {k: unicodedata.normalize("NFD", t) for k, (_, _, t) in before.items()} == \
        {k: t for k, (_, _, t) in after.items()}


def test_a_deleted_passage_is_listed_for_the_researcher_and_left_alone(data_copy):
    before = spans_of(data_copy, "O010")
    victim = next(iter(before))
    start, end, text = before[victim]
    edit_text(data_copy, "observations.csv", "O010", lambda t: t.replace(text, "omskrivet"))
    folder_before = (data_copy / "codings.csv").read_bytes()
    plan = repair_spans(data_copy, dry_run=True)
    assert plan.set_index("coding_id").loc[victim, "status"] == "not found"
    assert (data_copy / "codings.csv").read_bytes() == folder_before and not (data_copy / LOG_FILE).exists()
    repair_spans(data_copy)
    assert codings_on_disk(data_copy)[victim]["start"] == str(start)  # left as it was
    with pytest.raises(DataError, match=victim):
        load_project(data_copy)


def test_codings_without_recorded_text_are_recorded_from_their_offsets(data_copy):
    with (data_copy / "codings.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["span_text"] = ""
    with (data_copy / "codings.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    assert len(load_project(data_copy).codings)  # an empty span_text is not checked
    plan = repair_spans(data_copy)
    assert set(plan["status"]) == {"recorded"} and len(plan) == sum(1 for r in rows if r["start"])
    assert load_project(data_copy).codings.query("start.notna()")["span_text"].notna().all()


def test_a_span_found_where_the_same_code_already_is_is_not_moved():
    cod = pd.DataFrame({"coding_id": ["K1", "K2"], "segment_id": ["E1", "E1"], "code_id": ["a", "a"],
                        "start": pd.array([0, 3], dtype="Int64"), "end": pd.array([2, 5], dtype="Int64"),
                        "span_text": ["vi", "vi"]})
    plan = plan_span_repairs(cod, {"E1": "vi xx vi"}).set_index("coding_id")  # K2 drifted onto "xx"
    assert list(plan.index) == ["K2"]
    assert (plan.loc["K2", "status"], plan.loc["K2", "new_start"]) == ("duplicate", 0)


# ---------------------------------------------------------------- helpers

def test_find_span_prefers_the_occurrence_nearest_the_old_position():
    text = "tillit ... tillit ... tillit"
    assert find_span(text, "tillit", 12) == (11, 17, "exact")
    assert find_span(text, "tillit", 100) == (22, 28, "exact")


@pytest.mark.parametrize("offset, is_end, expected", [
    (0, False, 0), (10, False, 10), (11, False, 10), (13, True, 17), (14, False, 17), (20, True, 23)])
def test_shift_offset_around_a_replacement(offset, is_end, expected):
    # text[10:14] (4 characters) replaced by 7 characters
    assert shift_offset(offset, 10, 4, 7, is_end=is_end) == expected
