"""A new study (ebm_analysis.newproject): an empty, valid data folder, and the workbench on it."""

from __future__ import annotations

import pytest

from ebm_analysis import DataError, load_project
from ebm_analysis.newproject import new_project
from ebm_analysis.schema import TABLES


@pytest.fixture
def empty(tmp_path):
    return load_project(new_project(tmp_path / "study"))


def test_every_table_with_its_header_and_a_readme(tmp_path):
    folder = new_project(tmp_path / "study")
    for table in TABLES:
        assert (folder / table.file).read_text(encoding="utf-8") == ",".join(table.column_names) + "\n"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "import-text" in readme and "code_id,parent_id,name_sv" in readme


def test_it_loads_empty(empty):
    assert set(empty.summary()["rows"]) == {0}
    assert empty.segments().empty


def test_refuses_a_folder_with_files_and_a_file(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(DataError, match="holds files already"):
        new_project(tmp_path / "x")
    assert (tmp_path / "x" / "notes.txt").read_text(encoding="utf-8") == "keep me"
    (tmp_path / "f").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="a file, not a folder"):
        new_project(tmp_path / "f")


def test_queries_on_an_empty_project(empty):
    from ebm_analysis import code_by_meeting, code_frequencies, cooccurrence, retrieve, search_text

    assert retrieve(empty).empty
    assert code_frequencies(empty).empty
    assert code_by_meeting(empty).empty
    assert cooccurrence(empty).empty
    assert search_text(empty, "tillit").empty


def test_coding_store_on_an_empty_project(tmp_path):
    from ebm_analysis import CodingStore

    folder = new_project(tmp_path / "study")
    with CodingStore.open(folder, coder="R1") as store:
        store.add_code("trust", "tillit", "trust", definition="d", include="i", exclude="e", example="x")
    assert load_project(folder).codebook["code_id"].tolist() == ["trust"]


def test_widgets_export_and_attendance_on_an_empty_project(tmp_path):
    from ebm_analysis import CodingWidget, ThemeExplorer, export_qdpx, group_over_time

    folder = new_project(tmp_path / "study")
    project = load_project(folder)
    CodingWidget(folder, coder="R1")
    ThemeExplorer(folder)
    assert group_over_time(project).empty
    assert export_qdpx(project, tmp_path / "empty.qdpx").stat().st_size > 0


def test_agreement_on_an_empty_project_says_what_is_missing(empty):
    from ebm_analysis import agreement_table

    with pytest.raises(DataError, match="'coder1', who has no codings"):
        agreement_table(empty.codings, empty.segments())


def test_the_whole_report_builds_on_a_new_project(tmp_path, monkeypatch):
    """Every notebook runs on an empty data folder: 01, 06 and 07 work on it, the EBM analyses stop with a note.

    The notebooks' figures go beside the new data folder; the repository's figures/ stay as they were.
    """
    import hashlib

    from conftest import ROOT
    from ebm_analysis.report.build import build_report

    def fingerprint(folder):
        return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    folder = new_project(tmp_path / "study" / "data")
    monkeypatch.setenv("EBM_DATA_DIR", str(folder))
    figures_before = fingerprint(ROOT / "figures")
    built = build_report(["en"], out=tmp_path / "reports", data_dir=folder, make_pdf=False, root=ROOT)
    pages = {p.name: p.read_text(encoding="utf-8") for p in built["en"].folder.glob("0*.html")}
    assert sorted(pages) == sorted(f"{nb.stem}.html" for nb in (ROOT / "notebooks").glob("0*.ipynb"))
    stopped = sorted(name for name, text in pages.items() if "ebm-not-this-study" in text)
    assert stopped == ["02_themes.html", "03_survey.html", "04_attendance.html",
                       "05_interchange_and_agreement.html", "06_coding_workbench.html", "08_queries.html"]
    # notebook 06 shows the coding workbench and the memos, and stops before the EBM theme explorer
    workbench = pages["06_coding_workbench.html"]
    assert workbench.index("No memos yet") < workbench.index("ebm-not-this-study")
    assert "The rest of notebook 06" in workbench and "Exploring a theme" not in workbench
    assert "lacks the code stress" in pages["02_themes.html"]
    assert "lacks rows in survey_items.csv" in pages["03_survey.html"]
    assert not any("Traceback" in text for text in pages.values())
    assert fingerprint(ROOT / "figures") == figures_before
    assert (tmp_path / "study" / "figures").is_dir()
