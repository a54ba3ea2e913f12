"""Intervals for segment-level kappa and the flag for thinly coded codes."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from ebm_analysis import load_project
from ebm_analysis.agreement import dictionary_agreement
from ebm_analysis.errors import DataError
from ebm_analysis.plotting.agreement import plot_kappa_by_code
from ebm_analysis.uncertainty import kappa_interval, segment_kappa, with_kappa_intervals


@pytest.fixture(scope="module")
def ebm():
    project = load_project()
    return project, with_kappa_intervals(dictionary_agreement(project), len(project.segments()))


def test_segment_kappa_matches_the_agreement_module(ebm):
    project, table = ebm
    n = len(project.segments())
    for row in table.itertuples():
        k = segment_kappa(row.segments_both, row.segments_a - row.segments_both,
                          row.segments_b - row.segments_both, n - row.segments_a - row.segments_b + row.segments_both)
        if math.isnan(row.kappa_segment):
            assert math.isnan(k), row.code_id
        else:
            assert k == pytest.approx(row.kappa_segment), row.code_id


def test_every_defined_kappa_lies_in_its_interval(ebm):
    _, table = ebm
    defined = table.dropna(subset=["kappa_segment"])
    assert len(defined) >= 10
    # a posterior interval: an estimate of exactly 1 sits at its upper edge (0.9999…), shown as 1.00
    assert (defined["kappa_segment_low"] <= defined["kappa_segment"] + 0.005).all()
    assert (defined["kappa_segment"] <= defined["kappa_segment_high"] + 0.005).all()
    assert (defined["kappa_segment_high"] <= 1).all()
    undefined = table[table["kappa_segment"].isna()]
    assert undefined["kappa_segment_low"].isna().all() and (undefined["kappa_undefined_share"] == 1).all()


def test_few_positives_flag(ebm):
    _, table = ebm
    flagged = set(table.loc[table["few_positives"], "code_id"])
    expected = set(table.loc[(table["segments_a"] < 5) | (table["segments_b"] < 5), "code_id"])
    assert flagged == expected and "stress" in flagged and "soft_values" not in flagged


def test_interval_is_reproducible_and_shrinks_with_more_segments():
    first = kappa_interval(3, 0, 1, 75)
    assert first == kappa_interval(3, 0, 1, 75)
    assert first != kappa_interval(3, 0, 1, 75, seed=1)
    wide = first[1] - first[0]
    narrow = kappa_interval(30, 0, 10, 750)
    assert narrow[1] - narrow[0] < wide / 2


def test_perfect_agreement_on_few_segments_is_not_certain():
    low, high, _ = kappa_interval(6, 0, 0, 73)
    assert low < 0.9 and high > 0.99


@pytest.mark.parametrize("counts", [(-1, 0, 0, 5), (0, 0, 0, 0)])
def test_bad_counts_are_refused(counts):
    with pytest.raises(DataError, match="non-negative"):
        kappa_interval(*counts)


def test_counts_that_do_not_fit_the_segments_are_refused():
    t = pd.DataFrame({"segments_a": [10], "segments_b": [10], "segments_both": [0]})
    with pytest.raises(DataError, match="fit"):
        with_kappa_intervals(t, 15)
    with pytest.raises(DataError, match="segments_both"):
        with_kappa_intervals(t.drop(columns="segments_both"), 15)


def test_plot_draws_intervals_and_flags(ebm):
    project, table = ebm
    fig = plot_kappa_by_code(table, project.codebook, lang="en")
    ax = fig.axes[0]
    bars = [c for c in ax.collections if c.get_gid() == "kappa_interval"]
    assert len(bars) == 1 and len(bars[0].get_segments()) == table["kappa_segment_low"].notna().sum()
    flags = [line for line in ax.get_lines() if line.get_gid() == "few"]
    assert len(flags) == 1 and len(flags[0].get_ydata()) == table["few_positives"].sum()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("interval" in t for t in legend) and any("fewer than 5" in t for t in legend)
    plt.close(fig)
