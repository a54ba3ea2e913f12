"""Plots of agreement between coders (see :mod:`ebm_analysis.agreement`).

Each function takes the table of :func:`ebm_analysis.agreement.agreement_table`
(or :func:`~ebm_analysis.agreement.dictionary_agreement`), an optional
codebook (for code names, ``name_en`` or ``name_sv`` by ``lang``) and an
optional matplotlib ``ax``; it returns the :class:`~matplotlib.figure.Figure`
and never calls ``plt.show``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ebm_analysis.plotting._common import figure_and_axes

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.labels import LANGUAGES, current_language

__all__ = ["plot_kappa_by_code", "TEXTS"]

TEXTS = {
    "en": {
        "title": "Agreement per code: {a} vs {b}",
        "x": "Cohen's kappa (1 = full agreement, 0 = chance level)",
        "segment": "segment level (coded anywhere in the segment or not)",
        "char": "character level (pooled over all segments)",
        "na": "n/a: neither used the code",
        "counts": "segments\n{a} / {b}",
        "interval": "95 % interval of the segment-level kappa",
        "few": "fewer than 5 segments for a coder: kappa unstable",
    },
    "sv": {
        "title": "Överensstämmelse per kod: {a} mot {b}",
        "x": "Cohens kappa (1 = full överensstämmelse, 0 = slumpnivå)",
        "segment": "segmentnivå (kodat någonstans i segmentet eller inte)",
        "char": "teckennivå (sammanslaget över alla segment)",
        "na": "ej def.: ingen använde koden",
        "counts": "segment\n{a} / {b}",
        "interval": "95 %-intervall för kappa på segmentnivå",
        "few": "färre än 5 segment för en kodare: kappa instabilt",
    },
}
_COLUMNS = ("coder_a", "coder_b", "code_id", "kappa_segment", "kappa_char", "segments_a", "segments_b")


def plot_kappa_by_code(table: pd.DataFrame, codebook: pd.DataFrame | None = None, *,
                       ax: Axes | None = None, lang: str | None = None) -> Figure:
    """Dot plot of Cohen's kappa per code, at segment and at character level.

    One row per code (in the table's order, first at the top): a filled dot
    for the segment-level kappa, an open diamond for the pooled
    character-level kappa, joined by a line; on the right the number of
    segments each coder gave the code. Codes whose kappa is undefined are
    marked "n/a" rather than drawn at 0. With the columns of
    :func:`ebm_analysis.uncertainty.with_kappa_intervals`, the segment-level
    kappa gets its interval (a horizontal bar) and codes that fewer than five
    segments carry are marked with an open triangle and their counts in red.

    Parameters
    ----------
    table : DataFrame
        From :func:`~ebm_analysis.agreement.agreement_table` for one pair of
        coders (columns ``coder_a``, ``coder_b``, ``code_id``,
        ``kappa_segment``, ``kappa_char``, ``segments_a``, ``segments_b``).
    codebook : DataFrame, optional
        For code names (``name_en``/``name_sv``); without it the ids are shown.
    ax : Axes, optional
    lang : {"en", "sv"}, optional
        Label language (default: the run's, see
        :func:`ebm_analysis.labels.current_language`).

    Returns
    -------
    Figure

    Raises
    ------
    DataError
        When the table lacks a column or holds more than one pair of coders.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"coder_a": ["ann"] * 2, "coder_b": ["bo"] * 2, "code_id": ["x", "y"],
    ...                   "kappa_segment": [0.5, float("nan")], "kappa_char": [0.25, float("nan")],
    ...                   "segments_a": [2, 0], "segments_b": [3, 0]})
    >>> fig = plot_kappa_by_code(t, lang="en")
    >>> [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    ['x', 'y']
    >>> any("n/a" in text.get_text() for text in fig.axes[0].texts)
    True
    """
    lang = lang or current_language()
    if lang not in LANGUAGES:
        raise DataError(Problem("(arguments)", None, "lang", repr(lang), "expected 'en' or 'sv'"))
    words = TEXTS[lang]
    missing = [c for c in _COLUMNS if c not in table.columns]
    if missing:
        raise DataError(Problem("(arguments)", None, ", ".join(missing), "no such column",
                                "expected the table of ebm_analysis.agreement.agreement_table"))
    pairs = table[["coder_a", "coder_b"]].drop_duplicates()
    if len(pairs) != 1:
        raise DataError(Problem("(arguments)", None, "coder_a", f"{len(pairs)} pairs of coders",
                                "expected the rows of one pair; select them first, e.g. "
                                "table[(table.coder_a == 'coder1') & (table.coder_b == 'dictionary')]"))
    a, b = (str(v) for v in pairs.iloc[0])
    rows = table.reset_index(drop=True)
    names = dict(zip(rows["code_id"], rows["code_id"]))
    if codebook is not None:
        column = "name_sv" if lang == "sv" else "name_en"
        names.update({c: n for c, n in zip(codebook["code_id"], codebook[column]) if c in names})
    fig, ax = figure_and_axes(ax, (8, 0.42 * len(rows) + 1.8))
    ys = np.arange(len(rows))[::-1]
    seg = rows["kappa_segment"].astype(float).to_numpy()
    char = rows["kappa_char"].astype(float).to_numpy()
    finite = np.concatenate([seg[~np.isnan(seg)], char[~np.isnan(char)]])
    lo = min(0.0, float(finite.min()) if finite.size else 0.0) - 0.05
    for y, s, c in zip(ys, seg, char):
        if not (np.isnan(s) or np.isnan(c)):
            ax.plot([s, c], [y, y], color="0.75", linewidth=1.5, zorder=2)
    ax.plot(seg, ys, "o", color="#1f77b4", markersize=7, label=words["segment"], zorder=4,
            gid="kappa_segment")
    ax.plot(char, ys, "D", markerfacecolor="white", markeredgecolor="#d62728", markeredgewidth=1.6,
            markersize=6, label=words["char"], zorder=5, gid="kappa_char")
    if {"kappa_segment_low", "kappa_segment_high"} <= set(rows.columns):
        low = rows["kappa_segment_low"].astype(float).to_numpy()
        high = rows["kappa_segment_high"].astype(float).to_numpy()
        lo = min(lo, float(np.nanmin(low)) - 0.05) if np.isfinite(low).any() else lo
        drawn = ~np.isnan(low)
        ax.hlines(ys[drawn] + 0.18, low[drawn], high[drawn], color="#1f77b4", linewidth=2, alpha=0.6, zorder=3,
                  label=words["interval"], gid="kappa_interval")
    few = rows["few_positives"].astype(bool).to_numpy() if "few_positives" in rows.columns else np.zeros(len(rows), bool)
    for y, s, c in zip(ys, seg, char):
        if np.isnan(s) and np.isnan(c):
            ax.text(lo + 0.02, y, words["na"], va="center", ha="left", fontsize=8, color="0.4")
    for y, na, nb, thin in zip(ys, rows["segments_a"], rows["segments_b"], few):
        ax.text(1.04, y, f"{int(na)} / {int(nb)}", va="center", ha="left", fontsize=8,
                color="#c0392b" if thin else "0.3", fontweight="bold" if thin else "normal")
    if few.any():
        ax.plot(np.full(few.sum(), 1.0), ys[few], linestyle="none", marker="^", markerfacecolor="white",
                markeredgecolor="#c0392b", markersize=7, clip_on=False, zorder=6, label=words["few"], gid="few")
    ax.text(1.04, len(rows) - 0.45, words["counts"].format(a=a, b=b), va="bottom", ha="left", fontsize=8,
            color="0.3")
    ax.axvline(0, color="0.6", linewidth=0.8, zorder=1)
    ax.set_xlim(lo, 1.32)
    ax.set_xticks([t for t in np.arange(-1.0, 1.01, 0.2) if t >= lo - 1e-9])
    ax.set_yticks(ys, [str(names[c]) for c in rows["code_id"]])
    ax.set_ylim(-0.7, len(rows) + 0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="0.92")
    ax.set_xlabel(words["x"])
    ax.set_title(words["title"].format(a=a, b=b))
    height = fig.get_size_inches()[1]
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.55 / height - 0.03), ncol=1, fontsize=8,
              frameon=False)
    fig.tight_layout()
    return fig

