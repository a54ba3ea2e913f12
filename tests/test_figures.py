"""Figures a reader can trust: numbered, captioned, alt text, one unit each, legends in the figure's colours."""

from __future__ import annotations

import base64
import re

import matplotlib.pyplot as plt
import nbformat
import pytest
from matplotlib.colors import to_hex

from conftest import ROOT
from ebm_analysis import code_by_meeting, code_frequencies, cooccurrence, load_project
from ebm_analysis.attendance import attendance_bounds, group_over_time
from ebm_analysis.errors import DataError
from ebm_analysis.figures import FIGURE_KEY, show_figure
from ebm_analysis.plotting.attendance import ROLE_COLORS, plot_attendance_bounds, plot_group_timeline
from ebm_analysis.plotting.captions import CAPTIONS
from ebm_analysis.plotting.themes import (plot_cooccurrence_heatmap, plot_theme_frequencies_by_role,
                                          plot_theme_meeting_heatmap)

SHOWN = re.compile(r'"(?P<name>[a-z_]+)", "(?P<number>\d+\.\d+)"\)')


@pytest.fixture(scope="module")
def project():
    return load_project()


def test_show_figure_saves_closes_and_carries_number_caption_and_alt(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    shown = show_figure(fig, "demo", "2.3", caption={"en": "A line.", "sv": "En linje."},
                        alt={"en": "A rising line.", "sv": "En stigande linje."}, lang="sv", folder=tmp_path)
    assert not plt.fignum_exists(fig.number)                        # not shown a second time by the backend
    assert sorted(p.name for p in (tmp_path / "sv").iterdir()) == ["demo.pdf", "demo.png", "demo.svg"]
    assert base64.b64decode(shown.png).startswith(b"\x89PNG")
    data, meta = shown.image_bundle()
    assert meta["image/png"] == {"alt": "En stigande linje."}
    assert meta[FIGURE_KEY]["number"] == "2.3" and data["text/plain"] == "Figur 2.3: En stigande linje."
    assert shown.caption_bundle()["text/plain"] == "Figur 2.3. En linje."


def test_a_figure_without_a_caption_is_refused(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(DataError, match="caption.*CAPTIONS"):
        show_figure(fig, "no_such_figure", "9.9", alt="Something.", folder=tmp_path)
    with pytest.raises(DataError, match="alt text"):
        show_figure(fig, "no_such_figure", "9.9", caption="Something.", alt="  ", folder=tmp_path)
    plt.close(fig)


def test_in_a_notebook_the_image_and_the_caption_are_two_outputs(tmp_path, monkeypatch):
    published = []
    monkeypatch.setattr("IPython.display.publish_display_data",
                        lambda data, metadata=None, **kw: published.append((data, metadata)))
    fig, _ = plt.subplots()
    show_figure(fig, "survey_means", "3.1", lang="en", save=False)._ipython_display_()
    (image, meta), (caption, _) = published
    assert "image/png" in image and meta["image/png"]["alt"] == " ".join(CAPTIONS["survey_means"]["en"]["alt"].split())
    assert caption["text/html"].startswith('<p class="ebm-caption" data-figure="3.1"><b>Figure 3.1.</b> ')


def test_every_figure_in_the_notebooks_has_a_caption_and_alt_text_in_both_languages():
    shown = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        for source in (c for c in cells if "show_figure(" in c):
            shown.extend((path.stem[:2], m["name"], m["number"]) for m in SHOWN.finditer(source))
    assert len(shown) >= 8
    numbers = [n for _, _, n in shown]
    assert len(numbers) == len(set(numbers))
    for prefix, name, number in shown:
        assert number.split(".")[0] == str(int(prefix)), (name, number)   # figure 2.x lives in notebook 02
        for lang in ("en", "sv"):
            entry = CAPTIONS.get(name, {}).get(lang, {})
            assert len(entry.get("caption", "")) > 60 and len(entry.get("alt", "")) > 60, (name, lang)


def test_theme_figures_name_their_unit_in_title_and_colour_bar(project):
    for count, word in (("segments", "segment"), ("codings", "coding")):
        fig = plot_theme_meeting_heatmap(code_by_meeting(project, count=count), project.codebook, count=count, lang="en")
        ax, bar = fig.axes
        assert word in ax.get_title().lower() and word in bar.get_ylabel().lower(), count
        plt.close(fig)
    fig = plot_cooccurrence_heatmap(cooccurrence(project), project.codebook, lang="en")
    assert "segments" in fig.axes[0].get_title() and "Segments" in fig.axes[1].get_ylabel()
    plt.close(fig)
    freq = code_frequencies(project, by="speaker_role")
    fig = plot_theme_frequencies_by_role(freq, project.codebook, count="segments", lang="sv")
    assert fig.axes[0].get_title().endswith("kodade segment")
    plt.close(fig)
    with pytest.raises(DataError, match="count"):
        plot_theme_meeting_heatmap(code_by_meeting(project), count="words")


def _legend_entries(legend) -> dict[str, list]:
    """Legend text → the artists drawn as its key (all of them, also for a tuple of swatches)."""
    entries = {}
    for column in legend._legend_handle_box.get_children():
        for row in column.get_children():
            key, text = row.get_children()
            entries[text.get_text()] = key.get_children()
    return entries


def _colours(parts) -> set[str]:
    found = set()
    for part in parts:
        for getter in ("get_facecolor", "get_edgecolor"):
            if hasattr(part, getter):
                colour = getattr(part, getter)()
                if len(colour) == 4 and colour[3] > 0:
                    found.add(to_hex(colour[:3]))
    return found


def test_attendance_legends_show_the_roles_colours(project):
    fig = plot_attendance_bounds(attendance_bounds(project), lang="en")
    handles = _legend_entries(fig.axes[0].get_legend())
    texts = list(handles)
    roles = {to_hex(c) for c in ROLE_COLORS.values()}
    for entry in ("Count given by the report", "Exact count, inferred from the report",
                  "Not given: at least (bottom) to at most (top)"):
        assert entry in texts
    assert roles <= _colours(handles["Count given by the report"])
    assert roles <= _colours(handles["Not given: at least (bottom) to at most (top)"])
    plt.close(fig)
    fig = plot_group_timeline(group_over_time(project), lang="en")
    handles = _legend_entries(fig.axes[0].get_legend())
    assert roles <= _colours(handles["Member"])
    plt.close(fig)
