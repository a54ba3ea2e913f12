"""load_project on the real data and on broken copies of it."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import read_rows, set_cell, write_rows
from ebm_analysis import DataError, load_project
from ebm_analysis.schema import TABLES
from ebm_analysis.source_check import check_source, source_problems


# ------------------------------------------------------------------ the real data

def test_bundled_data_loads_with_documented_dtypes():
    project = load_project()
    for table in TABLES:
        frame = project.tables[table.name]
        for col in table.columns:
            assert str(frame[col.name].dtype) == col.dtype, (table.name, col.name)
    assert project.survey_means["mean_value"].dtype == "Float64"


def test_real_corpus_shape():
    project = load_project()
    assert project.meetings["meeting"].tolist() == list(range(1, 9))
    roles = project.participants.groupby("role").size().to_dict()
    assert roles == {"social_secretary": 6, "lvm_case_officer": 1, "service_user_mentor": 3,
                     "expert_social_secretary": 1}
    assert len(project.attendance) == 11 * 8
    assert set(project.observations["meeting"]) == set(range(1, 9))
    assert len(project.excerpts) >= 25


def test_every_quote_is_verbatim_in_the_report(report_sources):
    """Every quotation, note and other value that cites the report is in its text (check --source).

    Skips with a reason when the report text is not available (it is not part of
    the project): set EBM_REPORT_TEXT (see tests/conftest.py).
    """
    result = check_source(None, report_sources)
    assert source_problems(result) == []
    quotes = result[(result["file"] == "excerpts.csv") & (result["column"] == "text_sv")]
    assert len(quotes) == len(load_project().excerpts) * len(report_sources)


def test_survey_means_exactly_as_printed():
    means = load_project().survey_means.set_index(["item", "group"])["mean_printed"]
    assert means[("S1", "all_respondents")] == "3,14"
    assert means[("S5", "all_respondents")] == "3,8"
    assert means[("S4", "social_secretaries")] == "4"


def test_nothing_is_shared_between_loads(data_copy):
    a, b = load_project(data_copy), load_project(data_copy)
    a.meetings.loc[0, "theme_en"] = "changed"
    assert b.meetings.loc[0, "theme_en"] != "changed"


# ------------------------------------------------------------------ broken variants

def problems_of(folder):
    with pytest.raises(DataError) as info:
        load_project(folder)
    return info.value.problems


def assert_problem(problems, file, line, column, found=None):
    hits = [p for p in problems if p.file == file and p.line == line and p.column == column]
    assert hits, f"no problem at {file}:{line}:{column}; got: " + "; ".join(map(str, problems))
    if found is not None:
        assert any(found in p.found for p in hits), [p.found for p in hits]
    text = str(hits[0])
    assert file in text and (line is None or f"line {line}" in text)
    return hits[0]


def test_missing_column(data_copy, edit_table):
    def drop(rows):
        i = rows[0].index("theme_en")
        for r in rows:
            del r[i]
    edit_table(data_copy, "meetings.csv", drop)
    p = assert_problem(problems_of(data_copy), "meetings.csv", 1, "theme_en")
    assert "expected the columns" in p.expected


def test_extra_column(data_copy, edit_table):
    edit_table(data_copy, "advice.csv", lambda rows: [r.append("x") for r in rows])
    assert_problem(problems_of(data_copy), "advice.csv", 1, "x", "extra column")


def test_meeting_out_of_range(data_copy, edit_table):
    line = []
    edit_table(data_copy, "attendance.csv", lambda rows: line.append(set_cell(rows, 4, "meeting", "9")))
    p = assert_problem(problems_of(data_copy), "attendance.csv", line[0], "meeting", "9")
    assert "1 to 8" in p.expected


def test_meeting_zero_in_observations(data_copy, edit_table):
    edit_table(data_copy, "observations.csv", lambda rows: set_cell(rows, 0, "meeting", "0"))
    assert_problem(problems_of(data_copy), "observations.csv", 2, "meeting", "0")


def test_meeting_not_a_number(data_copy, edit_table):
    edit_table(data_copy, "advice.csv", lambda rows: set_cell(rows, 2, "meeting", "tre"))
    p = assert_problem(problems_of(data_copy), "advice.csv", 4, "meeting", "tre")
    assert "whole number" in p.expected


def test_unknown_participant(data_copy, edit_table):
    edit_table(data_copy, "attendance.csv", lambda rows: set_cell(rows, 0, "participant_id", "SS9"))
    p = assert_problem(problems_of(data_copy), "attendance.csv", 2, "participant_id", "SS9")
    assert "participants.csv" in p.found and "SS1" in p.expected


def test_duplicate_id(data_copy, edit_table):
    edit_table(data_copy, "excerpts.csv", lambda rows: set_cell(rows, 3, "excerpt_id", rows[1][0]))
    p = assert_problem(problems_of(data_copy), "excerpts.csv", 5, "excerpt_id", "E001")
    assert "first on line 2" in p.found


def test_duplicate_compound_key(data_copy, edit_table):
    edit_table(data_copy, "attendance.csv", lambda rows: rows.append(list(rows[1])))
    rows = read_rows(data_copy / "attendance.csv")
    assert_problem(problems_of(data_copy), "attendance.csv", len(rows), "participant_id, meeting")


def test_empty_required_text(data_copy, edit_table):
    edit_table(data_copy, "excerpts.csv", lambda rows: set_cell(rows, 6, "text_sv", "   "))
    p = assert_problem(problems_of(data_copy), "excerpts.csv", 8, "text_sv", "empty")
    assert "verbatim Swedish" in p.expected


def test_bad_choice(data_copy, edit_table):
    edit_table(data_copy, "attendance.csv", lambda rows: set_cell(rows, 10, "status", "maybe"))
    p = assert_problem(problems_of(data_copy), "attendance.csv", 12, "status", "maybe")
    assert "present, absent, unknown" in p.expected


def test_bad_role(data_copy, edit_table):
    edit_table(data_copy, "participants.csv", lambda rows: set_cell(rows, 0, "role", "socialsekreterare"))
    assert_problem(problems_of(data_copy), "participants.csv", 2, "role", "socialsekreterare")


def test_id_pattern(data_copy, edit_table):
    edit_table(data_copy, "participants.csv", lambda rows: set_cell(rows, 1, "participant_id", "Anna"))
    problems = problems_of(data_copy)
    p = assert_problem(problems, "participants.csv", 3, "participant_id", "Anna")
    assert p.expected == "expected a pseudonym such as SS1, LVM1, BM1 or SK1"


def test_likert_answer_outside_scale(data_copy):
    write_rows(data_copy / "survey_responses.csv", [
        ["respondent_id", "group", "item", "answer", "source"],
        ["R1", "social_secretaries", "S1", "4", "paper forms"],
        ["R1", "social_secretaries", "S2", "5", "paper forms"],
    ])
    p = assert_problem(problems_of(data_copy), "survey_responses.csv", 3, "answer", "5 for 'S2'")
    assert p.expected == "expected a whole number from 1 to 4 (the scale of S2 in survey_items.csv)"


def test_survey_answers_checked_against_item_scales_and_groups(data_copy, edit_table):
    def s2_scale(rows):
        set_cell(rows, 1, "scale_min", "0")
        set_cell(rows, 1, "scale_max", "")
        set_cell(rows, 2, "scale_min", "4")
        set_cell(rows, 2, "scale_max", "4")
    edit_table(data_copy, "survey_items.csv", s2_scale)
    write_rows(data_copy / "survey_responses.csv", [
        ["respondent_id", "group", "item", "answer", "source"],
        ["R1", "social_secretaries", "S1", "0", "x"],
        ["R1", "mentors", "S4", "4", "x"],
    ])
    problems = problems_of(data_copy)
    assert_problem(problems, "survey_items.csv", 3, "scale_max", "an empty cell")
    assert_problem(problems, "survey_items.csv", 4, "scale_max", "4, not above scale_min 4")
    assert_problem(problems, "survey_responses.csv", 2, "answer", "0 for 'S1'")
    assert_problem(problems, "survey_responses.csv", 3, "group", "'mentors' for 'R1', who is 'social_secretaries'")
    write_rows(data_copy / "survey_responses.csv", [
        ["respondent_id", "group", "item", "answer", "source"],
        ["Anna", "all_respondents", "S5", "4", "x"],
    ])
    problems = problems_of(data_copy)
    assert_problem(problems, "survey_responses.csv", 2, "respondent_id", "'Anna'")
    assert_problem(problems, "survey_responses.csv", 2, "group", "'all_respondents'")


def test_survey_items_without_scale_columns_still_load(data_copy, edit_table):
    edit_table(data_copy, "survey_items.csv", lambda rows: [r.__delitem__(slice(-2, None)) for r in rows])
    assert load_project(data_copy).survey_items["scale_min"].isna().all()


def test_mean_outside_scale(data_copy, edit_table):
    edit_table(data_copy, "survey_means.csv", lambda rows: set_cell(rows, 0, "mean_printed", "4,5"))
    p = assert_problem(problems_of(data_copy), "survey_means.csv", 2, "mean_printed", "4,5")
    assert "1–4 scale" in p.expected


def test_mean_not_a_number(data_copy, edit_table):
    edit_table(data_copy, "survey_means.csv", lambda rows: set_cell(rows, 1, "mean_printed", "ca 3"))
    assert_problem(problems_of(data_copy), "survey_means.csv", 3, "mean_printed", "ca 3")


def test_unknown_survey_item(data_copy, edit_table):
    edit_table(data_copy, "survey_means.csv", lambda rows: set_cell(rows, 2, "item", "S9"))
    assert_problem(problems_of(data_copy), "survey_means.csv", 4, "item", "S9")


def test_n_likely_outside_range(data_copy, edit_table):
    edit_table(data_copy, "survey_means.csv", lambda rows: set_cell(rows, 0, "n_likely", "9"))
    assert_problem(problems_of(data_copy), "survey_means.csv", 2, "n_likely", "9")


def test_wrong_number_of_fields(data_copy):
    path = data_copy / "contract.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ",surplus\n"
    path.write_text("".join(lines), encoding="utf-8")
    p = assert_problem(problems_of(data_copy), "contract.csv", 3, None, "fields")
    assert "double quotes" in p.expected


def test_unclosed_quote(data_copy):
    path = data_copy / "meetings.csv"
    path.write_text(path.read_text(encoding="utf-8") + '9,"2016-07\n', encoding="utf-8")
    problems = problems_of(data_copy)
    assert any(p.file == "meetings.csv" and "quot" in p.found for p in problems)


def test_latin1_file_is_refused_with_advice(data_copy):
    path = data_copy / "advice.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    problems = problems_of(data_copy)
    p = next(p for p in problems if p.file == "advice.csv")
    assert (p.line, p.column) == (2, "advice_sv")
    assert "UTF-8" in p.expected and "0x" in p.found


def test_mojibake_is_flagged(data_copy, edit_table):
    edit_table(data_copy, "advice.csv", lambda rows: set_cell(rows, 0, "advice_sv", "Lita pÃ¥ dig sjÃ¤lv"))
    p = assert_problem(problems_of(data_copy), "advice.csv", 2, "advice_sv", "Ã")
    assert "UTF-8" in p.expected


def test_missing_file(data_copy):
    (data_copy / "meetings.csv").unlink()
    problems = problems_of(data_copy)
    assert any(p.file == "meetings.csv" and p.found == "no such file" for p in problems)


def test_basis_must_match_status(data_copy, edit_table):
    # row 12 is SS2 at meeting 2: unknown, no basis. Mark it present without a basis.
    edit_table(data_copy, "attendance.csv", lambda rows: set_cell(rows, 12, "status", "present"))
    assert_problem(problems_of(data_copy), "attendance.csv", 14, "basis")


def test_missing_attendance_row(data_copy, edit_table):
    edit_table(data_copy, "attendance.csv", lambda rows: rows.pop(2))  # SS2 at meeting 1
    problems = problems_of(data_copy)
    p = next(p for p in problems if p.file == "attendance.csv")
    assert p.found == "no row for SS2 at meeting 1" and "status 'unknown'" in p.expected


def test_count_range(data_copy, edit_table):
    edit_table(data_copy, "attendance_counts.csv", lambda rows: set_cell(rows, 0, "present_min", "7"))
    assert_problem(problems_of(data_copy), "attendance_counts.csv", 2, "present_min")


def test_several_problems_in_one_file_reported_together(data_copy, edit_table):
    def break_three(rows):
        set_cell(rows, 0, "meeting", "12")
        set_cell(rows, 1, "month", "november")
        set_cell(rows, 2, "observed", "perhaps")
    edit_table(data_copy, "meetings.csv", break_three)
    problems = problems_of(data_copy)
    where = {(p.line, p.column) for p in problems if p.file == "meetings.csv"}
    assert {(2, "meeting"), (3, "month"), (4, "observed")} <= where
    with pytest.raises(DataError, match=r"3 problems|problems in the data"):
        load_project(data_copy)


def test_not_a_folder(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        load_project(tmp_path / "nowhere")


def _codebook_rows():
    return [["code_id", "parent_id", "name_sv", "name_en", "definition", "include", "exclude", "example", "color", "status"],
            ["stress", "", "stress", "stress", "d", "i", "e", "x", "#aa0000", "active"],
            ["workload", "stress", "arbetsbelastning", "workload", "d", "i", "e", "x", "", "active"]]


def test_codings_validated_against_codebook_and_text(data_copy):
    write_rows(data_copy / "codebook.csv", _codebook_rows())
    write_rows(data_copy / "codings.csv", [
        ["coding_id", "segment_id", "code_id", "coder", "start", "end", "memo"],
        ["K0001", "E012", "stress", "coder1", "", "", ""],
        ["K0002", "E012", "nonsense", "coder1", "", "", ""],
        ["K0003", "E012", "stress", "coder1", "0", "100000", ""],
        ["K0004", "E999", "stress", "coder1", "", "", ""],
        ["K0005", "O001", "workload", "coder1", "3", "", ""],
    ])
    problems = problems_of(data_copy)
    assert_problem(problems, "codings.csv", 3, "code_id", "nonsense")
    assert_problem(problems, "codings.csv", 4, "end", "100000")
    assert_problem(problems, "codings.csv", 5, "segment_id", "E999")
    assert_problem(problems, "codings.csv", 6, "end")


def test_codebook_cycle(data_copy):
    rows = _codebook_rows()
    rows[1][1] = "workload"
    write_rows(data_copy / "codebook.csv", rows)
    write_rows(data_copy / "codings.csv", [["coding_id", "segment_id", "code_id", "coder", "start", "end", "memo"]])
    assert_problem(problems_of(data_copy), "codebook.csv", 2, "parent_id", "cycle")


def test_bad_colour(data_copy):
    rows = _codebook_rows()
    rows[1][8] = "red"
    write_rows(data_copy / "codebook.csv", rows)
    assert_problem(problems_of(data_copy), "codebook.csv", 2, "color", "red")


# ------------------------------------------------------------------ Swedish Excel

def save_as_swedish_excel(folder):
    """Rewrite every table as Swedish Excel's 'CSV UTF-8' does: BOM, ';', CRLF, decimal comma."""
    for path in folder.glob("*.csv"):
        rows = read_rows(path)
        with path.open("w", newline="", encoding="utf-8-sig") as f:
            import csv
            csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(rows)


def test_swedish_excel_files_load_identically(data_copy):
    reference = load_project(data_copy)
    save_as_swedish_excel(data_copy)
    assert (data_copy / "meetings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in (data_copy / "meetings.csv").read_bytes()
    excel = load_project(data_copy)
    for name, frame in reference.tables.items():
        pd.testing.assert_frame_equal(frame, excel.tables[name], obj=name)


def test_decimal_comma_and_point_read_as_numbers(data_copy, edit_table):
    edit_table(data_copy, "survey_means.csv", lambda rows: set_cell(rows, 1, "mean_printed", "3.14"))
    means = load_project(data_copy).survey_means
    assert means.loc[1, "mean_printed"] == "3.14"
    assert means.loc[1, "mean_value"] == pytest.approx(3.14)
    s1_all = means[(means["item"] == "S1") & (means["group"] == "all_respondents")]
    assert s1_all["mean_value"].iloc[0] == pytest.approx(3.14)


def test_excel_trailing_empty_columns_are_ignored(data_copy):
    path = data_copy / "contract.csv"
    rows = read_rows(path)
    write_rows(path, [r + ["", ""] for r in rows], delimiter=";", newline="\r\n")
    assert len(load_project(data_copy).contract) == len(rows) - 1


def test_windows_line_ends_in_quoted_text(data_copy, edit_table):
    edit_table(data_copy, "advice.csv", lambda rows: set_cell(rows, 0, "advice_en", "Trust\r\nyourself"))
    assert load_project(data_copy).advice.loc[0, "advice_en"] == "Trust\r\nyourself"


# ------------------------------------------------------------------ a loader that trusts nothing (#10.4)

@pytest.mark.parametrize("file", ["codebook.csv", "codings.csv", "meetings.csv"])
def test_required_file_deleted(data_copy, file):
    (data_copy / file).unlink()
    p = assert_problem(problems_of(data_copy), file, None, None, "no such file")
    assert file in p.expected


@pytest.mark.parametrize("file, saved_as", [("codebook.csv", "Codebook.csv"), ("codings.csv", "codings (1).csv"),
                                            ("codings.csv", "codings.CSV"), ("excerpts.csv", "excerpts - Copy.csv"),
                                            ("meetings.csv", "meetings.csv.txt")])
def test_near_miss_name_is_suggested(data_copy, file, saved_as):
    (data_copy / file).rename(data_copy / saved_as)
    p = assert_problem(problems_of(data_copy), file, None, None, saved_as)
    assert f"rename it to {file}" in p.expected


def test_near_miss_of_an_optional_table_is_not_ignored(data_copy):
    write_rows(data_copy / "Survey_responses.csv", [["respondent_id", "group", "item", "answer"]])
    assert_problem(problems_of(data_copy), "survey_responses.csv", None, None, "Survey_responses.csv")


def test_invalid_month(data_copy, edit_table):
    edit_table(data_copy, "meetings.csv", lambda rows: set_cell(rows, 2, "month", "2015-13"))
    p = assert_problem(problems_of(data_copy), "meetings.csv", 4, "month", "2015-13")
    assert "YYYY-MM" in p.expected


def test_duplicate_coding_is_refused(data_copy, edit_table):
    def duplicate(rows):
        copy = list(rows[5])
        copy[0] = "K9999"
        rows.append(copy)
    edit_table(data_copy, "codings.csv", duplicate)
    n = len(read_rows(data_copy / "codings.csv"))
    p = assert_problem(problems_of(data_copy), "codings.csv", n, "coding_id", "K9999")
    assert "K0005" in p.found and "line 6" in p.found


def test_same_span_by_two_coders_is_not_a_duplicate(data_copy, edit_table):
    def second_coder(rows):
        copy = list(rows[5])
        copy[0], copy[3] = "K9999", "coder2"
        rows.append(copy)
    edit_table(data_copy, "codings.csv", second_coder)
    assert len(load_project(data_copy).codings) == 143


def _code_chain(n: int, cycle: bool = False) -> list[list[str]]:
    rows = _codebook_rows()[:1]
    for i in range(n):
        parent = f"c{i - 1}" if i else (f"c{n - 1}" if cycle else "")
        rows.append([f"c{i}", parent, "k", "c", "d", "i", "e", "x", "", "active"])
    return rows


def _with_time_limit(seconds, fn):
    """Run fn, failing (not hanging) if it takes longer than ``seconds``: a guard, not a timing assertion."""
    import signal

    def stop(*_):
        raise TimeoutError(f"took longer than {seconds} s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_twenty_thousand_deep_code_tree_loads(data_copy):
    write_rows(data_copy / "codebook.csv", _code_chain(20_000))
    write_rows(data_copy / "codings.csv", [["coding_id", "segment_id", "code_id", "coder", "start", "end", "memo"],
                                           ["K0001", "E001", "c19999", "coder1", "", "", ""]])
    project = _with_time_limit(10, lambda: load_project(data_copy))
    assert len(project.codebook) == 20_000


def test_twenty_thousand_deep_code_tree_is_shown_queried_and_reported(data_copy, tmp_path):
    """Every walk of the code tree is linear: the widgets' tree, top-level codes, the appendix, the .qdc."""
    from ebm_analysis import export_qdc
    from ebm_analysis.queries import top_level_codes
    from ebm_analysis.report.appendix import codebook_usage
    from ebm_analysis.widgets import code_options, code_tree

    write_rows(data_copy / "codebook.csv", _code_chain(20_000))
    write_rows(data_copy / "codings.csv", [["coding_id", "segment_id", "code_id", "coder", "start", "end", "memo"],
                                           ["K0001", "E001", "c19999", "coder1", "", "", ""]])
    project = load_project(data_copy)
    tree = _with_time_limit(10, lambda: code_tree(project.codebook))
    assert tree["depth"].tolist() == list(range(20_000))
    assert tree["path"].iloc[-1] == "c0 > … > c19995 > c19996 > c19997 > c19998 > c19999"
    labels = _with_time_limit(10, lambda: code_options(project.codebook))
    assert max(len(label) for label, _ in labels) < 200
    assert set(_with_time_limit(10, lambda: top_level_codes(project.codebook)).values()) == {"c0"}
    usage = _with_time_limit(10, lambda: codebook_usage(project)).set_index("code_id")
    assert usage.loc["c0", "codings"] == 1 and usage.loc["c19999", "direct_codings"] == 1
    _with_time_limit(10, lambda: export_qdc(project, tmp_path / "deep.qdc"))


def test_twenty_thousand_long_cycle_is_found(data_copy):
    write_rows(data_copy / "codebook.csv", _code_chain(20_000, cycle=True))
    write_rows(data_copy / "codings.csv", [["coding_id", "segment_id", "code_id", "coder", "start", "end", "memo"]])
    problems = _with_time_limit(10, lambda: problems_of(data_copy))
    cycle = [p for p in problems if p.file == "codebook.csv" and "cycle" in p.found]
    assert len(cycle) == 20_000


def test_error_messages_escape_what_they_quote(data_copy, edit_table):
    edit_table(data_copy, "attendance.csv", lambda rows: set_cell(rows, 0, "status", "närv\u202earo" + "x" * 300))
    p = assert_problem(problems_of(data_copy), "attendance.csv", 2, "status")
    assert "\\u202e" in str(p) and "\u202e" not in str(p) and "(308 characters)" in p.found


def test_ids_must_be_ascii(data_copy, edit_table):
    edit_table(data_copy, "advice.csv", lambda rows: set_cell(rows, 0, "advice_id", "A\u0661"))  # Arabic-Indic one
    assert_problem(problems_of(data_copy), "advice.csv", 2, "advice_id")


def test_the_store_hook_sees_a_validated_project(data_copy):
    """load_project returns only after every table validated (the store replays its log on top)."""
    project = load_project(data_copy)
    assert set(project.tables) >= {t.name for t in TABLES}
