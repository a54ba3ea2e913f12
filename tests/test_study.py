"""Notebooks written for the EBM study stop cleanly, with a note, on another study's data (ebm_analysis.study)."""

from __future__ import annotations

import pytest

from ebm_analysis import load_project
from ebm_analysis.newproject import new_project
from ebm_analysis.study import NotThisStudy, missing_for, require_study


@pytest.fixture
def other_study(tmp_path):
    return load_project(new_project(tmp_path / "other"))


def test_nothing_is_missing_for_the_ebm_data():
    project = load_project()
    assert missing_for(project, codes=["stress", "belonging", "soft_values", "moderator_translator"],
                       tables=["codings", "survey_items", "attendance"]) == []
    require_study(project, "Notebook 02", codes=["stress"], tables=["codings"])  # returns, shows nothing


def test_an_empty_study_lacks_codes_and_rows_in_the_order_asked(other_study):
    assert missing_for(other_study, codes=["stress", "belonging"], tables=["codings"]) == [
        "the code stress", "the code belonging", "rows in codings.csv"]


def test_the_message_names_the_folder_what_is_missing_and_where_to_go(other_study):
    with pytest.raises(NotThisStudy) as caught:
        require_study(other_study, "Notebook 04 (attendance)", tables=["meetings", "participants", "attendance"])
    message = str(caught.value)
    assert message.startswith("Notebook 04 (attendance) analyses the EBM evaluation, and the data folder other/ lacks "
                              "rows in meetings.csv, rows in participants.csv and rows in attendance.csv.")
    assert "Notebook 06 codes any project" in message and "notebook 07" in message
    assert caught.value._render_traceback_() == [message]  # Jupyter shows the sentence, not a traceback


def test_a_long_list_is_shortened(other_study):
    with pytest.raises(NotThisStudy, match=r"the code c5 and 3 more\."):
        require_study(other_study, "Notebook X", codes=[f"c{i}" for i in range(9)])


def test_a_stopped_notebook_in_jupyter_shows_the_sentence_alone(tmp_path, monkeypatch):
    """Run in a real kernel: the error output carries the sentence, and no traceback frames."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv("EBM_DATA_DIR", str(new_project(tmp_path / "other")))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from ebm_analysis import load_project\nfrom ebm_analysis.study import require_study\n"
        "require_study(load_project(), 'Notebook 02 (themes)', codes=['stress'])"),
        nbformat.v4.new_code_cell("print('never')")])
    with pytest.raises(CellExecutionError):
        NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    error = nb.cells[0].outputs[-1]
    assert error.ename == "NotThisStudy"
    assert error.traceback == [error.evalue] and "lacks the code stress" in error.evalue
    assert nb.cells[1].outputs == []
