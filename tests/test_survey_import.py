"""Importing per-respondent survey answers (SYNTHETIC answers made by the tests; the EBM report has none)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from conftest import write_rows
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project
from ebm_analysis.survey_import import import_survey, read_answers

ANSWERS = "survey_responses.csv"
ITEMS = ["S1", "S2", "S3", "S4", "S5", "S6"]

# SYNTHETIC: seven made-up respondents, one row each (wide); R3 left S6 unanswered.
WIDE = [
    ["respondent_id", "group", *ITEMS],
    ["SS1", "social_secretaries", "4", "4", "3", "4", "4", "4"],
    ["SS2", "social_secretaries", "4", "3", "3", "4", "3", "4"],
    ["SS3", "social_secretaries", "4", "3", "4", "4", "3", ""],
    ["SK1", "expert_social_secretary", "3", "2", "2", "4", "4", "4"],
    ["BM1", "service_user_mentors", "2", "2", "2", "3", "4", "3"],
    ["BM2", "service_user_mentors", "3", "3", "3", "4", "4", "4"],
    ["BM3", "service_user_mentors", "2", "2", "3", "4", "4", "4"],
]


def _long(rows: list[list[str]]) -> list[list[str]]:
    out = [["respondent_id", "group", "item", "answer"]]
    for who, group, *answers in rows[1:]:
        out += [[who, group, item, a] for item, a in zip(ITEMS, answers) if a]
    return out


def _write_xlsx(path: Path, rows: list[list], sheet: str = "Svar") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append([int(v) if isinstance(v, str) and v.isdigit() else (v if v != "" else None) for v in row])
    book.save(path)
    return path


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


# ------------------------------------------------------------------ the shapes

def test_wide_csv_is_imported_with_provenance(data_copy, tmp_path):
    source = tmp_path / "enkät.csv"
    write_rows(source, WIDE)
    result = import_survey(source, data_copy)
    assert result.shape == "wide" and result.written == data_copy / ANSWERS
    answers = load_project(data_copy).survey_responses
    assert len(answers) == 7 * 6 - 1
    r = answers.set_index(["respondent_id", "item"])
    assert r.loc[("SS3", "S5"), "answer"] == 3 and ("SS3", "S6") not in r.index
    assert r.loc[("BM1", "S4"), ["source", "source_row", "source_column"]].tolist() == ["enkät.csv", 6, "S4"]
    assert set(answers["source_sha256"]) == {hashlib.sha256(source.read_bytes()).hexdigest()}
    assert answers.drop_duplicates("respondent_id").set_index("respondent_id")["group"]["SK1"] == \
        "expert_social_secretary"


def test_long_csv_with_semicolons_gives_the_same_answers(data_copy, tmp_path):
    wide, long = tmp_path / "wide.csv", tmp_path / "long.csv"
    write_rows(wide, WIDE)
    write_rows(long, _long(WIDE), delimiter=";")
    items = load_project(data_copy).survey_items
    a, shape_a, _ = read_answers(wide, items)
    b, shape_b, _ = read_answers(long, items)
    assert (shape_a, shape_b) == ("wide", "long")
    key = ["respondent_id", "group", "item", "answer"]
    pd.testing.assert_frame_equal(a[key].sort_values(key).reset_index(drop=True),
                                  b[key].sort_values(key).reset_index(drop=True))
    assert b["source_column"].eq("answer").all() and b["source_row"].tolist() == list(range(2, 2 + len(b)))


def test_xlsx_written_by_openpyxl_is_imported(data_copy, tmp_path):
    source = _write_xlsx(tmp_path / "answers.xlsx", WIDE)
    result = import_survey(source, data_copy)
    assert (result.shape, result.sheet) == ("wide", "Svar")
    assert "answers.xlsx, sheet 'Svar' (wide): 41 answers from 7 respondents" in result.summary()
    answers = load_project(data_copy).survey_responses
    assert len(answers) == 41 and answers["answer"].sum() == sum(int(v) for r in WIDE[1:] for v in r[2:] if v)
    assert answers.loc[answers["respondent_id"] == "BM3", "source_row"].unique().tolist() == [8]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_blank_cell_inside_a_row_keeps_the_other_answers_in_their_columns(data_copy, tmp_path, kind):
    rows = [WIDE[0], ["R1", "mentors", "4", "", "2", "", "", "1"]]
    if kind == "csv":
        write_rows(tmp_path / "gaps.csv", rows)
        source = tmp_path / "gaps.csv"
    else:
        source = _write_xlsx(tmp_path / "gaps.xlsx", rows)
    answers, _, _ = read_answers(source, load_project(data_copy).survey_items)
    assert answers[["item", "answer", "source_column"]].values.tolist() == [["S1", 4, "S1"], ["S3", 2, "S3"],
                                                                          ["S6", 1, "S6"]]


def test_whole_numbers_written_with_decimals_are_read_as_whole(data_copy, tmp_path):
    write_rows(tmp_path / "dec.csv", [["respondent_id", "group", "S1", "S2", "S3"], ["R1", "x", "4,0", "3.00", "+2"]],
               delimiter=";")
    answers, _, _ = read_answers(tmp_path / "dec.csv", load_project(data_copy).survey_items)
    assert answers["answer"].tolist() == [4, 3, 2]


def test_fuzz_a_file_is_imported_whole_or_not_at_all(data_copy, tmp_path):
    """Random wide files with some bad cells: either every answer imported exactly, or one error per bad cell and
    the folder untouched."""
    import random

    rng = random.Random(2016)
    bad_values = ["5", "0", "x", "2,5", "-1", "4.4", "ja"]
    outcomes = set()
    for round_ in range(25):
        rows, expected, bad = [["respondent_id", "group", *ITEMS]], {}, 0
        for r in range(rng.randint(1, 9)):
            who, group = f"R{round_:02d}{r}", rng.choice(["social_secretaries", "service_user_mentors"])
            cells = []
            for item in ITEMS:
                roll = rng.random()
                if roll < 0.15:
                    cells.append("")
                elif roll < 0.22:
                    cells.append(rng.choice(bad_values))
                    bad += 1
                else:
                    answer = rng.randint(1, 4)
                    cells.append(str(answer))
                    expected[(who, item)] = answer
            rows.append([who, group, *cells])
        source = tmp_path / f"fuzz{round_}.csv"
        write_rows(source, rows)
        before = _folder_bytes(data_copy)
        if bad or not expected:
            with pytest.raises(DataError) as err:
                import_survey(source, data_copy, replace=True)
            assert len(err.value.problems) == (bad or 1)
            assert _folder_bytes(data_copy) == before
            outcomes.add("refused")
        else:
            import_survey(source, data_copy, replace=True)
            got = load_project(data_copy).survey_responses
            assert dict(zip(zip(got["respondent_id"], got["item"]), got["answer"])) == expected
            outcomes.add("imported")
    assert outcomes == {"refused", "imported"}


def test_xlsx_value_without_a_column_name_or_header_below_row_1(data_copy, tmp_path):
    items = load_project(data_copy).survey_items
    source = _write_xlsx(tmp_path / "extra.xlsx", [["respondent_id", "group", "S1"], ["R1", "mentors", "4", "", "3"]])
    with pytest.raises(DataError, match="extra.xlsx, sheet 'Svar', line 2: found a value '3' right of the last "
                                        "named column; give the column a name"):
        read_answers(source, items)
    source = _write_xlsx(tmp_path / "low.xlsx", [[], ["respondent_id", "group", "S1"], ["R1", "mentors", "4"]])
    with pytest.raises(DataError, match="low.xlsx, sheet 'Svar', line 2: found the header on row 2"):
        read_answers(source, items)


def test_xlsx_long_on_a_named_sheet(data_copy, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["notes"])
    ws = book.create_sheet("long")
    for row in _long(WIDE):
        ws.append([int(v) if v.isdigit() else v for v in row])
    book.save(tmp_path / "two.xlsx")
    result = import_survey(tmp_path / "two.xlsx", data_copy, sheet="long")
    assert result.shape == "long" and len(result.answers) == 41
    with pytest.raises(DataError, match="no sheet named 'nope'.*expected one of the sheets Sheet, long"):
        import_survey(tmp_path / "two.xlsx", data_copy, sheet="nope", replace=True)


# ------------------------------------------------------------------ bad input: clear error, nothing written

def _bad_wide(edit) -> list[list[str]]:
    rows = [list(r) for r in WIDE]
    edit(rows)
    return rows


BAD_FILES = {
    # name: (edit of the wide rows, or a long table, expected text in the message)
    "unknown item": (lambda rows: rows[0].__setitem__(7, "S9"),
                     "line 1, column 'S9': found 'S9'; expected a statement of survey_items.csv (S1, S2"),
    "out of scale": (lambda rows: rows[2].__setitem__(4, "5"),
                     "line 3, column 'S3': found '5'; expected a whole number from 1 to 4 (the scale of S3 in "
                     "survey_items.csv)"),
    "zero": (lambda rows: rows[2].__setitem__(4, "0"), "line 3, column 'S3': found '0'; expected a whole number"),
    "text answer": (lambda rows: rows[4].__setitem__(2, "instämmer helt"),
                    "line 5, column 'S1': found the text 'instämmer helt'; expected a whole number from 1 to 4 "
                    "(the scale of S1 in survey_items.csv); recode text answers as numbers"),
    "decimal answer": (lambda rows: rows[4].__setitem__(2, "3,5"), "line 5, column 'S1': found '3,5'; expected"),
    "duplicate respondent": (lambda rows: rows[3].__setitem__(0, "SS1"),
                             "line 4, column 'respondent_id': found 'SS1' again (first on line 2); expected one row "
                             "per respondent"),
    "a name": (lambda rows: rows[5].__setitem__(0, "Anna"),
               "line 6, column 'respondent_id': found 'Anna'; expected a pseudonym such as R01"),
    "pooled group": (lambda rows: rows[5].__setitem__(1, "all_respondents"),
                     "line 6, column 'group': found 'all_respondents'; all_respondents is the pooled column"),
    "missing group column": (lambda rows: [r.pop(1) for r in rows],
                             "line 1, column 'group': found no such column in the header"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bad_wide_file_names_line_column_value_and_fix_and_writes_nothing(data_copy, tmp_path, case, kind):
    edit, expected = BAD_FILES[case]
    rows = _bad_wide(edit)
    if kind == "csv":
        source = tmp_path / "bad.csv"
        write_rows(source, rows)
    else:
        source = _write_xlsx(tmp_path / "bad.xlsx", rows)
        expected = expected.replace("line", "bad.xlsx, sheet 'Svar', line", 1)
    before = _folder_bytes(data_copy)
    with pytest.raises(DataError) as err:
        import_survey(source, data_copy)
    assert expected in str(err.value)
    assert _folder_bytes(data_copy) == before and not (data_copy / ANSWERS).exists()


@pytest.mark.parametrize("rows, expected", [
    ([["R1", "x", "S1", "4"], ["R1", "x", "S1", "3"]],
     "line 3, column 'answer': found a second answer from R1 to S1 (the first on line 2); keep one answer"),
    ([["R1", "x", "S1", "4"], ["R1", "y", "S2", "3"]],
     "line 3, column 'group': found 'y' for R1, who is 'x' on line 2; expected one group per respondent"),
    ([["R1", "x", "S7", "4"]], "line 2, column 'item': found 'S7'; expected a statement of survey_items.csv"),
    ([["R1", "x", "S1", ""]], "line 2, column 'answer': found an empty cell; give the answer, or delete the row"),
])
def test_bad_long_file(data_copy, tmp_path, rows, expected):
    source = tmp_path / "long.csv"
    write_rows(source, [["respondent_id", "group", "item", "answer"], *rows])
    with pytest.raises(DataError) as err:
        import_survey(source, data_copy)
    assert f"long.csv, {expected}" in str(err.value)
    assert not (data_copy / ANSWERS).exists()


def test_every_problem_is_reported_at_once(data_copy, tmp_path):
    rows = _bad_wide(lambda r: (r[2].__setitem__(4, "5"), r[3].__setitem__(5, "x"), r[4].__setitem__(0, "Eva")))
    write_rows(tmp_path / "bad.csv", rows)
    with pytest.raises(DataError) as err:
        import_survey(tmp_path / "bad.csv", data_copy)
    assert len(err.value.problems) == 3


@pytest.mark.parametrize("name, content, expected", [
    ("broken.xlsx", b"not a zip at all", "broken.xlsx: found a file that is not an Excel workbook (BadZipFile)"),
    ("answers.xls", b"\xd0\xcf\x11\xe0", "answers.xls: found a file ending in '.xls'; expected a .csv (UTF-8) or "
                                         ".xlsx file"),
    ("latin1.csv", "respondent_id,group,S1\nR1,sjuksköterskor,4\n".encode("latin-1"),
     "latin1.csv, line 2, column 'group': found byte 0xF6 (ö in Windows-1252/Latin-1), which is not UTF-8"),
    ("empty.csv", b"", "empty.csv: found an empty file"),
    ("headeronly.csv", b"respondent_id,group,S1\n", "headeronly.csv: found no answers"),
    ("noitems.csv", b"respondent_id,group\nR1,x\n", "found no column named after a statement"),
])
def test_unreadable_files(data_copy, tmp_path, name, content, expected):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataError) as err:
        import_survey(tmp_path / name, data_copy)
    assert expected in str(err.value)
    assert not (data_copy / ANSWERS).exists()


def test_formula_cells_are_refused(data_copy, tmp_path):
    rows = [list(r) for r in WIDE]
    rows[1][2] = "=2+2"
    source = _write_xlsx(tmp_path / "formula.xlsx", rows)
    with pytest.raises(DataError, match=r"formula.xlsx, sheet 'Svar', line 2, column 'S1': found a formula '=2\+2'; "
                                        "expected values"):
        import_survey(source, data_copy)


def test_a_folder_or_missing_path_is_refused(data_copy, tmp_path):
    with pytest.raises(DataError, match="nope.csv: found no such file"):
        import_survey(tmp_path / "nope.csv", data_copy)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(DataError, match="not a regular file"):
        import_survey(tmp_path / "dir.csv", data_copy)


# ------------------------------------------------------------------ answers already there

def test_reimport_is_refused_unless_replace_or_append(data_copy, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_rows(first, WIDE[:4])
    write_rows(second, [WIDE[0], *WIDE[4:]])
    import_survey(first, data_copy)
    saved = (data_copy / ANSWERS).read_bytes()
    with pytest.raises(DataError, match=r"found 17 answers already \(from first.csv\); nothing was imported; "
                                        "add --replace"):
        import_survey(second, data_copy)
    assert (data_copy / ANSWERS).read_bytes() == saved
    with pytest.raises(DataError, match="respondents already in survey_responses.csv: SS1, SS2, SS3"):
        import_survey(_renamed(first, tmp_path), data_copy, append=True)
    with pytest.raises(DataError, match="a file already imported"):
        import_survey(first, data_copy, append=True)
    result = import_survey(second, data_copy, append=True)
    assert (result.kept, len(load_project(data_copy).survey_responses)) == (17, 41)
    result = import_survey(first, data_copy, replace=True)
    assert result.replaced == 41 and len(load_project(data_copy).survey_responses) == 17
    assert (data_copy / ".versions").is_dir()          # the previous table is kept


def _renamed(source: Path, tmp_path: Path) -> Path:
    """The same answers in a file with other bytes (a trailing blank line)."""
    target = tmp_path / "again.csv"
    target.write_bytes(source.read_bytes() + b"\n")
    return target


def test_dry_run_writes_nothing(data_copy, tmp_path):
    write_rows(tmp_path / "a.csv", WIDE)
    before = _folder_bytes(data_copy)
    result = import_survey(tmp_path / "a.csv", data_copy, dry_run=True)
    assert result.written is None and "Dry run: nothing written." in result.summary()
    assert _folder_bytes(data_copy) == before


def test_a_folder_with_problems_is_not_imported_into(data_copy, tmp_path, edit_table):
    write_rows(tmp_path / "a.csv", WIDE)
    edit_table(data_copy, "survey_items.csv", lambda rows: rows[1].__setitem__(rows[0].index("scale_max"), ""))
    with pytest.raises(DataError, match="survey_items.csv, line 2, column 'scale_max': found an empty cell"):
        import_survey(tmp_path / "a.csv", data_copy)
    assert not (data_copy / ANSWERS).exists()


def test_the_lock_is_respected(data_copy, tmp_path):
    from ebm_analysis.lock import FolderLock, LockTimeoutError

    write_rows(tmp_path / "a.csv", WIDE)
    with FolderLock(data_copy, holder="someone"):
        with pytest.raises(LockTimeoutError):
            import_survey(tmp_path / "a.csv", data_copy, timeout=0.2)
    assert not (data_copy / ANSWERS).exists()


def test_other_scales_come_from_the_items_table(data_copy, tmp_path, edit_table):
    def zero_to_ten(rows):
        for r in rows[1:]:
            r[rows[0].index("scale_min")], r[rows[0].index("scale_max")] = "0", "10"
    edit_table(data_copy, "survey_items.csv", zero_to_ten)
    write_rows(tmp_path / "a.csv", [["respondent_id", "group", "S1"], ["R1", "x", "0"], ["R2", "x", "10"]])
    assert import_survey(tmp_path / "a.csv", data_copy).answers["answer"].tolist() == [0, 10]
    write_rows(tmp_path / "b.csv", [["respondent_id", "group", "S1"], ["R3", "x", "11"]])
    with pytest.raises(DataError, match="found '11'; expected a whole number from 0 to 10"):
        import_survey(tmp_path / "b.csv", data_copy, append=True)


# ------------------------------------------------------------------ notebook 03, both paths

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_survey.ipynb"


def _outputs_text(nb) -> str:
    return "\n".join("".join(o.get("data", {}).get("text/plain", "")) + "".join(o.get("text", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def test_notebook_03_says_the_ebm_data_has_no_answers():
    """The committed outputs (nbval checks they are current): a clear sentence, no figure 3.3, no error."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = _outputs_text(nb)
    assert "This data folder holds no per-respondent answers (survey_responses.csv has no rows)" in text
    assert "Figure 3.3" not in text and "Traceback" not in text
    assert "SYNTHETIC answers: the printed means recomputed" in text


def test_notebook_03_shows_imported_answers(data_copy, tmp_path, monkeypatch):
    """With answers imported into EBM_DATA_DIR the section shows counts, figure 3.3 and the means check."""
    from ebm_analysis.report.notebooks import execute

    source = tmp_path / "answers.csv"
    write_rows(source, WIDE)
    import_survey(source, data_copy)
    work = tmp_path / "notebooks"
    work.mkdir()
    copy = work / NOTEBOOK.name
    copy.write_bytes(NOTEBOOK.read_bytes())
    monkeypatch.setenv("EBM_DATA_DIR", str(data_copy))
    monkeypatch.chdir(tmp_path)
    from ebm_analysis.figures import FIGURES

    written = [FIGURES / f"survey_answers.{ext}" for ext in ("png", "svg", "pdf")]
    assert not any(p.exists() for p in written)      # the EBM data has no answers: the repository has no such figure
    try:
        text = _outputs_text(execute(copy, "en"))
    finally:
        for p in written:                            # show_figure saved the synthetic-data figure into figures/
            p.unlink(missing_ok=True)
    assert "no per-respondent answers" not in text
    assert "Answered 4" in text and "Figure 3.3" in text
    # S1 of the synthetic WIDE answers: 4, 4, 4 | 3 | 2, 3, 2 -> 12/3 prints 4; 22/7 prints 3,14
    assert "S1, social secretaries: 3 answers, mean 4, prints as 4 under every rounding rule: as printed." in text
    assert "S1, all respondents: 7 answers, mean 22/7 = 3.143, prints as 3,14 under every rounding rule" in text
