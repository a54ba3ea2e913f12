"""The agreement dot plot (synthetic tables, and the real coder1 vs dictionary table)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from ebm_analysis.agreement import dictionary_agreement  # noqa: E402
from ebm_analysis.errors import DataError  # noqa: E402
from ebm_analysis.plotting.agreement import plot_kappa_by_code  # noqa: E402
from ebm_analysis.project import load_project  # noqa: E402

NAN = float("nan")


def table(**extra):
    data = {"coder_a": ["ann"] * 3, "coder_b": ["bo"] * 3, "code_id": ["x", "y", "z"],
            "kappa_segment": [0.5, NAN, -0.2], "kappa_char": [0.25, NAN, 0.1],
            "segments_a": [2, 0, 1], "segments_b": [3, 0, 4]}
    data.update(extra)
    return pd.DataFrame(data)


def test_points_are_where_the_table_says():
    fig = plot_kappa_by_code(table(), lang="en")
    ax = fig.axes[0]
    by_gid = {line.get_gid(): line for line in ax.lines}
    seg, char = by_gid["kappa_segment"], by_gid["kappa_char"]
    np.testing.assert_allclose(seg.get_xdata(), [0.5, NAN, -0.2])
    np.testing.assert_allclose(char.get_xdata(), [0.25, NAN, 0.1])
    assert ax.get_xlim()[0] < -0.2  # negative kappa is inside the axis
    texts = [t.get_text() for t in ax.texts]
    assert "n/a: neither used the code" in texts
    assert "2 / 3" in texts and "1 / 4" in texts
    plt.close(fig)


def test_first_code_is_at_the_top():
    fig = plot_kappa_by_code(table(), lang="en")
    ax = fig.axes[0]
    ys = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks()))
    assert ys["x"] > ys["y"] > ys["z"]
    plt.close(fig)


def test_swedish_labels_and_code_names():
    book = pd.DataFrame({"code_id": ["x", "y", "z"], "name_en": ["ex", "why", "zed"],
                         "name_sv": ["ix", "y-kod", "zäta"]})
    fig = plot_kappa_by_code(table(), book, lang="sv")
    ax = fig.axes[0]
    assert {t.get_text() for t in ax.get_yticklabels()} == {"ix", "y-kod", "zäta"}
    assert ax.get_xlabel().startswith("Cohens kappa")
    assert ax.get_title() == "Överensstämmelse per kod: ann mot bo"
    plt.close(fig)


def test_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    assert plot_kappa_by_code(table(), ax=ax, lang="en") is fig
    plt.close(fig)


@pytest.mark.parametrize("bad, message", [
    (table().drop(columns="kappa_char"), "no such column"),
    (table(coder_b=["bo", "cy", "bo"]), "pairs of coders"),
])
def test_bad_tables_raise(bad, message):
    with pytest.raises(DataError, match=message):
        plot_kappa_by_code(bad, lang="en")


def test_bad_language_raises():
    with pytest.raises(DataError, match="lang"):
        plot_kappa_by_code(table(), lang="de")


def test_real_table_one_row_per_top_level_code():
    project = load_project()
    t = dictionary_agreement(project)
    fig = plot_kappa_by_code(t, project.codebook, lang="en")
    ax = fig.axes[0]
    assert len(ax.get_yticks()) == len(t) == 14
    assert "stress" in [tick.get_text() for tick in ax.get_yticklabels()]
    plt.close(fig)
