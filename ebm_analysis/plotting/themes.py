"""Plots of the coded themes: frequencies by role, theme × meeting, co-occurrence.

Each function takes the DataFrame of the matching query in
:mod:`ebm_analysis.queries`, an optional codebook (to show code names rather
than ids, ``name_en`` or ``name_sv`` by ``lang``) and an optional matplotlib
``ax``; it returns the :class:`~matplotlib.figure.Figure` and never calls
``plt.show``. Every bar and cell is annotated with its count. Drawing is
deterministic (fixed colours and order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ebm_analysis.plotting._common import figure_and_axes

from ebm_analysis.errors import DataError
from ebm_analysis.labels import LANGUAGES, current_language, label

__all__ = ["plot_theme_frequencies_by_role", "plot_theme_meeting_heatmap", "plot_cooccurrence_heatmap", "TEXTS"]

TEXTS = {
    "en": {"theme": "Theme", "codings": "Number of codings", "segments": "Number of coded segments",
           "freq_title": "Themes by {by}: {unit}", "meeting_title": "Themes by meeting: {unit}",
           "co_title": "Themes coded together ({mode}): number of segments", "segment": "same segment",
           "overlap": "overlapping text", "speaker_role": "speaker's role", "source_type": "source",
           "without": "{unit} not placed at a meeting (left out): {n}",
           "unit": {"segments": "segments coded", "codings": "codings"},
           "bar": {"segments": "Segments coded with the theme\n(a segment counts once per theme)",
                   "codings": "Codings (a segment coded twice\ncounts twice)"},
           "co_bar": "Segments coded with both themes\n(diagonal: with the theme)"},
    "sv": {"theme": "Tema", "codings": "Antal kodningar", "segments": "Antal kodade segment",
           "freq_title": "Teman efter {by}: {unit}", "meeting_title": "Teman per träff: {unit}",
           "co_title": "Teman kodade tillsammans ({mode}): antal segment", "segment": "samma segment",
           "overlap": "överlappande text", "speaker_role": "talarens roll", "source_type": "källa",
           "without": "{unit} som inte hör till en träff (utelämnade): {n}",
           "unit": {"segments": "kodade segment", "codings": "kodningar"},
           "bar": {"segments": "Segment kodade med temat\n(ett segment räknas en gång per tema)",
                   "codings": "Kodningar (ett segment kodat två gånger\nräknas två gånger)"},
           "co_bar": "Segment kodade med båda temana\n(diagonalen: med temat)"},
}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def plot_theme_frequencies_by_role(freq: pd.DataFrame, codebook: pd.DataFrame | None = None, *,
                                   count: str = "segments", ax: Axes | None = None, lang: str | None = None) -> Figure:
    """Grouped horizontal bars: for each theme, one bar per role (or source type).

    Parameters
    ----------
    freq : DataFrame
        From :func:`~ebm_analysis.queries.code_frequencies`: ``code_id``, the
        grouping column (e.g. ``speaker_role``), ``codings``, ``segments``.
    codebook : DataFrame, optional
        For code names; without it the code ids are shown.
    count : {"segments", "codings"}, default "segments"
    ax : Axes, optional
    lang : {"en", "sv"}, optional
        Label language (default: the run's, see :func:`ebm_analysis.labels.current_language`).

    Returns
    -------
    Figure

    Examples
    --------
    >>> freq = pd.DataFrame({"code_id": ["a", "a"], "speaker_role": ["social_secretary", "observer"],
    ...                      "codings": [3, 1], "segments": [2, 1]})
    >>> fig = plot_theme_frequencies_by_role(freq, lang="sv")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['Socialsekreterare', 'Utvärderarens anteckningar']
    """
    lang = _check_lang(lang)
    _check_count(count)
    by = next(c for c in freq.columns if c not in ("code_id", "codings", "segments"))
    table = freq.pivot(index="code_id", columns=by, values=count)
    table = table.reindex(index=list(dict.fromkeys(freq["code_id"])), columns=list(dict.fromkeys(freq[by])))
    table = table.loc[:, table.sum() > 0].fillna(0).astype(int)
    height = 1.2 + 0.45 * len(table) * max(1, len(table.columns)) ** 0.5
    fig, ax = figure_and_axes(ax, (8, height), layout="constrained")
    height = 0.8 / max(1, len(table.columns))
    y = np.arange(len(table))[::-1]
    for k, value in enumerate(table.columns):
        bars = ax.barh(y + 0.4 - height * (k + 0.5), table[value], height,
                       color=PALETTE[k % len(PALETTE)], label=label(str(value), lang))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in table[value]], padding=2, fontsize=8)
    ax.set_yticks(y, _names(table.index, codebook, lang))
    ax.set_xlabel(TEXTS[lang][count])
    ax.set_ylabel(TEXTS[lang]["theme"])
    ax.set_title(TEXTS[lang]["freq_title"].format(by=TEXTS[lang].get(by, by), unit=TEXTS[lang]["unit"][count]))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.margins(x=0.1)
    return fig


def plot_theme_meeting_heatmap(matrix: pd.DataFrame, codebook: pd.DataFrame | None = None, *,
                               count: str = "codings", ax: Axes | None = None, lang: str | None = None) -> Figure:
    """A theme × meeting heatmap with the count in each cell, the unit in title and colour bar.

    Parameters
    ----------
    matrix : DataFrame
        From :func:`~ebm_analysis.queries.code_by_meeting` (index ``code_id``,
        columns meetings 1–8). If ``matrix.attrs["without_meeting"]`` is set,
        the number left out is noted under the plot.
    codebook : DataFrame, optional
    count : {"codings", "segments"}, default "codings"
        What the matrix counts: pass the ``count=`` given to
        :func:`~ebm_analysis.queries.code_by_meeting`; it names the unit in
        the title and on the colour bar.
    ax : Axes, optional
    lang : {"en", "sv"}, optional
        Label language (default: the run's, see :func:`ebm_analysis.labels.current_language`).

    Returns
    -------
    Figure

    Examples
    --------
    >>> m = pd.DataFrame([[1, 0], [2, 5]], index=pd.Index(["a", "b"], name="code_id"), columns=[1, 2])
    >>> fig = plot_theme_meeting_heatmap(m, count="segments", lang="sv")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_title()
    ('Träff', 'Teman per träff: kodade segment')
    >>> fig.axes[1].get_ylabel().splitlines()[0]
    'Segment kodade med temat'
    """
    lang = _check_lang(lang)
    _check_count(count)
    words = TEXTS[lang]
    fig, ax = _heatmap(matrix, _names(matrix.index, codebook, lang), [str(c) for c in matrix.columns], ax,
                       bar_label=words["bar"][count])
    ax.set_xlabel(label("meeting", lang))
    ax.set_ylabel(words["theme"])
    ax.set_title(words["meeting_title"].format(unit=words["unit"][count]))
    if matrix.attrs.get("without_meeting"):
        unit = words["unit"][count]
        ax.annotate(words["without"].format(n=matrix.attrs["without_meeting"], unit=unit[:1].upper() + unit[1:]),
                    (0, -0.08), xycoords="axes fraction", ha="left", va="top", fontsize=8)
    return fig


def plot_cooccurrence_heatmap(matrix: pd.DataFrame, codebook: pd.DataFrame | None = None, *,
                              mode: str = "segment", ax: Axes | None = None, lang: str | None = None) -> Figure:
    """A theme × theme heatmap of co-occurrence counts (the diagonal shows each theme's total).

    Parameters
    ----------
    matrix : DataFrame
        From :func:`~ebm_analysis.queries.cooccurrence`.
    codebook : DataFrame, optional
    mode : {"segment", "overlap"}, default "segment"
        Only for the title: how the matrix was counted.
    ax : Axes, optional
    lang : {"en", "sv"}, optional
        Label language (default: the run's, see :func:`ebm_analysis.labels.current_language`).

    Returns
    -------
    Figure

    Examples
    --------
    >>> m = pd.DataFrame([[3, 1], [1, 2]], index=["a", "b"], columns=["a", "b"])
    >>> book = pd.DataFrame({"code_id": ["a", "b"], "name_sv": ["Tillit", "Makt"], "name_en": ["Trust", "Power"]})
    >>> fig = plot_cooccurrence_heatmap(m, book)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Trust', 'Power']
    """
    lang = _check_lang(lang)
    names = _names(matrix.index, codebook, lang)
    fig, ax = _heatmap(matrix, names, names, ax, rotate=True, bar_label=TEXTS[lang]["co_bar"])
    ax.set_title(TEXTS[lang]["co_title"].format(mode=TEXTS[lang].get(mode, mode)))
    return fig


# ---------------------------------------------------------------- helpers

def _heatmap(matrix: pd.DataFrame, rows: list[str], cols: list[str], ax: Axes | None,
             rotate: bool = False, bar_label: str = "") -> tuple[Figure, Axes]:
    values = matrix.to_numpy(dtype=float)
    width = 1.5 + 0.6 * len(cols) + 0.08 * max(map(len, rows), default=0)
    fig, ax = figure_and_axes(ax, (width, 1.2 + 0.45 * len(rows)), layout="constrained")
    image = ax.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=max(1.0, values.max(initial=0)))
    high = values.max(initial=0) / 2
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=8, color="white" if v > high else "black")
    ax.set_xticks(range(len(cols)), cols, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticks(range(len(rows)), rows)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(bar_label, fontsize=8)
    return fig, ax


def _names(codes, codebook: pd.DataFrame | None, lang: str) -> list[str]:
    if codebook is None or f"name_{lang}" not in codebook.columns:
        return [str(c) for c in codes]
    names = dict(zip(codebook["code_id"], codebook[f"name_{lang}"]))
    return [str(names.get(c, c)) for c in codes]



def _check_count(count: str) -> None:
    if count not in ("segments", "codings"):
        raise DataError(f"count must be 'segments' or 'codings', not {count!r}")


def _check_lang(lang: str | None) -> str:
    lang = lang or current_language()
    if lang not in LANGUAGES:
        raise DataError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang
