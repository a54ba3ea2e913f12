"""Plots of the corpus: what material exists for each meeting."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ebm_analysis.labels import current_language

LABELS = {
    "en": {"title": "Material per meeting, in segments", "x": "Meeting", "y": "Number of segments",
           "observed": "Meeting notes: observed", "retold": "Meeting notes: retold",
           "unclear": "Meeting notes: observed or retold (the report disagrees)",
           "excerpts": "Quotations placed at the meeting"},
    "sv": {"title": "Material per träff, i segment", "x": "Träff", "y": "Antal segment",
           "observed": "Mötesanteckningar: observerad", "retold": "Mötesanteckningar: återberättad",
           "unclear": "Mötesanteckningar: observerad eller återberättad (rapporten motsäger sig)",
           "excerpts": "Citat från träffen"},
}
COLORS = {"observed": "#1f77b4", "retold": "#aec7e8", "unclear": "#c7c7c7", "excerpts": "#ff7f0e"}


def material_per_meeting(observations: pd.DataFrame, excerpts: pd.DataFrame) -> pd.DataFrame:
    """Counts of observation segments (by basis) and quotations per meeting.

    Returns
    -------
    DataFrame
        Index ``meeting`` 1–8; columns ``observed``, ``retold``, ``unclear``,
        ``excerpts``.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> p = load_project()
    >>> t = material_per_meeting(p.observations, p.excerpts)
    >>> int(t.loc[1, "retold"]) > 0 and int(t.loc[1, "observed"]) == 0
    True
    """
    notes = pd.crosstab(observations["meeting"], observations["basis"])
    quotes = excerpts.dropna(subset=["meeting"]).groupby("meeting").size().rename("excerpts")
    table = notes.join(quotes, how="outer").reindex(range(1, 9)).fillna(0).astype("int64")
    table = table.reindex(columns=["observed", "retold", "unclear", "excerpts"], fill_value=0)
    table.index.name = "meeting"
    table.columns.name = None
    return table


def plot_material_per_meeting(table: pd.DataFrame, lang: str | None = None, ax: Axes | None = None) -> Figure:
    """Stacked bars of meeting-note segments by basis, with quotations beside them.

    Parameters
    ----------
    table : DataFrame
        From :func:`material_per_meeting`.
    lang : {"en", "sv"}, optional
        Label language (default: the run's).
    ax : Axes, optional
        Where to draw; a new figure otherwise.

    Returns
    -------
    Figure

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> p = load_project()
    >>> fig = plot_material_per_meeting(material_per_meeting(p.observations, p.excerpts), lang="sv")
    >>> fig.axes[0].get_xlabel()
    'Träff'
    """
    text = LABELS[lang or current_language()]
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4))
    fig = ax.figure
    x = table.index.to_numpy()
    bottom = 0
    for basis in ("observed", "retold", "unclear"):
        ax.bar(x - 0.2, table[basis], width=0.4, bottom=bottom, color=COLORS[basis], label=text[basis])
        bottom = bottom + table[basis].to_numpy()
    ax.bar(x + 0.2, table["excerpts"], width=0.4, color=COLORS["excerpts"], label=text["excerpts"])
    ax.set_xticks(x)
    ax.set_xlabel(text["x"])
    ax.set_ylabel(text["y"])
    ax.set_title(text["title"])
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig
