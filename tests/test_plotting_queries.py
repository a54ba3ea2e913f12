"""Tests for ebm_analysis.plotting.queries: the plots show the numbers of the queries they draw."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from ebm_analysis import code_by_meeting, load_project, word_frequencies
from ebm_analysis.errors import DataError
from ebm_analysis.plotting.queries import plot_percent_heatmap, plot_word_comparison, plot_word_frequencies


def test_percent_heatmap_labels_every_cell_with_the_matrix_value():
    project = load_project()
    matrix = code_by_meeting(project, count="coverage")
    fig = plot_percent_heatmap(matrix, project.codebook, lang="en")
    ax = fig.axes[0]
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == matrix.size
    expected = ["0" if v == 0 else f"{v:.1f}" for v in matrix.to_numpy().ravel()]
    assert cells == expected
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "stress"
    assert "Coverage" in fig.axes[1].get_ylabel()
    _, given = plt.subplots()
    assert plot_percent_heatmap(code_by_meeting(project, percent="row"), kind="row", ax=given) is given.figure
    with pytest.raises(DataError, match="kind"):
        plot_percent_heatmap(matrix, kind="cell")
    plt.close("all")


def test_word_plots_show_counts_and_groups():
    project = load_project()
    freq = word_frequencies(project, stem=True)
    fig = plot_word_frequencies(freq, top=5, lang="sv")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == freq["word"].head(5).tolist()[::-1]
    assert [t.get_text() for t in ax.texts] == [str(c) for c in freq["count"].head(5)][::-1]
    assert "ordstam" in ax.get_title()
    by = word_frequencies(project, by="speaker_role")
    fig = plot_word_comparison(by, "speaker_role", ("social_secretary", "service_user_mentor"), top=4)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Social secretaries", "Service-user mentors"]
    assert ax.get_title() == "Most frequent words: social secretaries and service-user mentors"
    shown = {t.get_text() for t in ax.get_yticklabels()}
    tops = set(by[by["speaker_role"] == "social_secretary"]["word"].head(4))
    assert tops <= shown
    with pytest.raises(DataError, match="no words"):
        plot_word_comparison(by, "speaker_role", ("social_secretary", "nobody"))
    plt.close("all")
