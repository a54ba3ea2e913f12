"""Plots of the researcher's queries: coverage and percentage matrices, word frequencies.

Each function takes the DataFrame of the matching query, an optional
matplotlib ``ax`` and a label language, and returns the
:class:`~matplotlib.figure.Figure` (never calling ``plt.show``). Drawing is
deterministic: fixed colours, and the order of the data given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ebm_analysis.errors import DataError
from ebm_analysis.labels import label
from ebm_analysis.plotting._common import figure_and_axes
from ebm_analysis.plotting.themes import _check_lang, _names

__all__ = ["plot_percent_heatmap", "plot_word_frequencies", "plot_word_comparison", "TEXTS"]

TEXTS = {
    "en": {"theme": "Theme", "word": "Word", "percent_words": "Share of the words counted (%)",
           "count": "Occurrences", "coverage": "Coverage: share of the text coded (%)",
           "row": "Row percentages (%)", "column": "Column percentages (%)", "words_title": "Most frequent words",
           "compare_title": "Most frequent words: {a} and {b}", "stems": "words grouped by stem",
           "meeting": "Meeting", "speaker_role": "Speaker's role"},
    "sv": {"theme": "Tema", "word": "Ord", "percent_words": "Andel av de räknade orden (%)",
           "count": "Förekomster", "coverage": "Täckning: andel av texten som kodats (%)",
           "row": "Radprocent (%)", "column": "Kolumnprocent (%)", "words_title": "Vanligaste orden",
           "compare_title": "Vanligaste orden: {a} och {b}", "stems": "ord grupperade efter ordstam",
           "meeting": "Träff", "speaker_role": "Talarens roll"},
}
PAIR_COLOURS = ("#1f77b4", "#ff7f0e")


def plot_percent_heatmap(matrix: pd.DataFrame, codebook: pd.DataFrame | None = None, *, kind: str = "coverage",
                         ax: Axes | None = None, lang: str | None = None) -> Figure:
    """A code × value heatmap of percentages, each cell labelled to one decimal.

    Parameters
    ----------
    matrix : DataFrame
        From :func:`~ebm_analysis.queries.code_by_meeting` or
        :func:`~ebm_analysis.queries.code_by_attribute` with
        ``count="coverage"`` or ``percent="row"`` / ``"column"``.
    codebook : DataFrame, optional
        For code names (``name_en`` / ``name_sv``); without it, code ids.
    kind : {"coverage", "row", "column"}, default "coverage"
        What the percentages are (for the colour bar's label).
    ax : Axes, optional
    lang : {"en", "sv"}, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> m = pd.DataFrame([[12.5, 0.0], [3.25, 50.0]], index=pd.Index(["a", "b"], name="code_id"),
    ...                  columns=pd.Index([1, 2], name="meeting"))
    >>> fig = plot_percent_heatmap(m, lang="sv")
    >>> [t.get_text() for t in fig.axes[0].texts], fig.axes[0].get_xlabel()
    (['12.5', '0', '3.2', '50.0'], 'Träff')
    """
    lang = _check_lang(lang)
    if kind not in ("coverage", "row", "column"):
        raise DataError(f"kind must be 'coverage', 'row' or 'column', not {kind!r}")
    values = matrix.to_numpy(dtype=float)
    rows = _names(matrix.index, codebook, lang)
    cols = [label(str(c), lang) for c in matrix.columns]
    width = 2.0 + 0.75 * len(cols) + 0.08 * max(map(len, rows), default=0)
    fig, ax = figure_and_axes(ax, (width, 1.3 + 0.42 * len(rows)), layout="constrained")
    top = max(values.max(initial=0.0), 1e-9)
    image = ax.imshow(values, cmap="Purples", aspect="auto", vmin=0, vmax=top)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, "0" if v == 0 else f"{v:.1f}", ha="center", va="center", fontsize=8,
                color="white" if v > top / 2 else "black")
    long = max(map(len, cols), default=0) > 3
    ax.set_xticks(range(len(cols)), cols, rotation=30 if long else 0, ha="right" if long else "center")
    ax.set_yticks(range(len(rows)), rows)
    name = matrix.columns.name
    ax.set_xlabel(TEXTS[lang].get(name, name or ""))
    ax.set_ylabel(TEXTS[lang]["theme"])
    fig.colorbar(image, ax=ax, shrink=0.8).set_label(TEXTS[lang][kind])
    return fig


def plot_word_frequencies(freq: pd.DataFrame, *, top: int = 15, ax: Axes | None = None,
                          lang: str | None = None) -> Figure:
    """Horizontal bars of the most frequent words, most frequent on top, each bar labelled with its count.

    Parameters
    ----------
    freq : DataFrame
        From :func:`~ebm_analysis.words.word_frequencies` without ``by``.
    top : int, default 15
    ax : Axes, optional
    lang : {"en", "sv"}, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> freq = pd.DataFrame({"word": ["tillit", "tid"], "count": [3, 2], "percent": [60.0, 40.0],
    ...                      "segments": [2, 1]})
    >>> fig = plot_word_frequencies(freq)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['tid', 'tillit']
    """
    lang = _check_lang(lang)
    shown = freq.head(top).iloc[::-1]
    fig, ax = figure_and_axes(ax, (6.5, 1.0 + 0.3 * len(shown)), layout="constrained")
    bars = ax.barh(range(len(shown)), shown["count"], color=PAIR_COLOURS[0])
    ax.bar_label(bars, labels=[str(int(c)) for c in shown["count"]], padding=2, fontsize=8)
    ax.set_yticks(range(len(shown)), shown["word"].tolist())
    ax.set_xlabel(TEXTS[lang]["count"])
    title = TEXTS[lang]["words_title"]
    ax.set_title(f"{title} ({TEXTS[lang]['stems']})" if "stem" in freq.columns else title)
    ax.margins(x=0.12)
    return fig


def plot_word_comparison(freq: pd.DataFrame, by: str, groups: tuple, *, top: int = 10, ax: Axes | None = None,
                         lang: str | None = None) -> Figure:
    """Two groups' most frequent words side by side, as shares of each group's words (paired bars).

    The words shown are each group's ``top`` most frequent, together; each
    bar is the word's share of all words counted in that group, so groups of
    different size compare fairly. Bars are labelled with the raw counts.

    Parameters
    ----------
    freq : DataFrame
        From :func:`~ebm_analysis.words.word_frequencies` with ``by``.
    by : str
        The grouping column (e.g. ``speaker_role``).
    groups : tuple of two values
        The two values of ``by`` to compare.
    top : int, default 10
    ax : Axes, optional
    lang : {"en", "sv"}, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> freq = pd.DataFrame({"speaker_role": ["observer", "observer", "unknown"], "word": ["a", "b", "a"],
    ...                      "count": [2, 1, 4], "percent": [66.7, 33.3, 100.0], "segments": [1, 1, 2]})
    >>> fig = plot_word_comparison(freq, "speaker_role", ("observer", "unknown"), lang="en")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ["Evaluator's notes", 'Unknown']
    """
    lang = _check_lang(lang)
    if len(groups) != 2:
        raise DataError(f"groups must name two values of {by}, not {groups!r}")
    missing = [g for g in groups if g not in set(freq[by])]
    if missing:
        raise DataError(f"no words counted for {by} = {', '.join(map(repr, missing))}")
    parts = [freq[freq[by] == g].set_index("word") for g in groups]
    words = list(dict.fromkeys([w for p in parts for w in p.head(top).index]))
    share = pd.DataFrame({g: p["percent"].reindex(words, fill_value=0.0) for g, p in zip(groups, parts)})
    count = pd.DataFrame({g: p["count"].reindex(words, fill_value=0) for g, p in zip(groups, parts)})
    order = share.max(axis=1).sort_values(kind="stable").index         # largest share on top
    share, count = share.loc[order], count.loc[order]
    fig, ax = figure_and_axes(ax, (7.5, 1.2 + 0.38 * len(order)), layout="constrained")
    y = np.arange(len(order))
    for k, g in enumerate(groups):
        bars = ax.barh(y + (0.2 if k == 0 else -0.2), share[g], 0.4, color=PAIR_COLOURS[k], label=label(str(g), lang))
        ax.bar_label(bars, labels=[str(int(c)) if c else "" for c in count[g]], padding=2, fontsize=7)
    ax.set_yticks(y, order.tolist())
    ax.set_xlabel(TEXTS[lang]["percent_words"])
    a, b = (_in_sentence(label(str(g), lang)) for g in groups)
    ax.set_title(TEXTS[lang]["compare_title"].format(a=a, b=b))
    ax.legend(fontsize=8, loc="lower right")
    ax.margins(x=0.12)
    return fig


def _in_sentence(text: str) -> str:
    """A label as it reads inside a sentence: "Social secretaries" → "social secretaries", "LVM case officer" kept.

    Examples
    --------
    >>> _in_sentence("Service-user mentors"), _in_sentence("LVM case officer"), _in_sentence("")
    ('service-user mentors', 'LVM case officer', '')
    """
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
