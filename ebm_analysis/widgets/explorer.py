"""The theme explorer widget: quotes of a theme in context, and the theme across the eight meetings."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w
import pandas as pd

from ebm_analysis.labels import label
from ebm_analysis.project import load_project
from ebm_analysis.queries import ORDERS, CodedData, coded_data
from ebm_analysis.widgets.core import (
    ALL, NO_MEETING, code_options, code_tree, meeting_bars_html, quotes_html, theme_by_meeting, theme_quotes,
)

__all__ = ["ThemeExplorer"]

#: Context (characters) longer than any segment: the static view shows each passage in its whole segment.
WHOLE_SEGMENT = 1_000_000


def _classed(widget: w.Widget, *classes: str) -> w.Widget:
    for name in classes:
        widget.add_class(name)
    return widget


class ThemeExplorer(w.VBox):
    """Pick a theme (a top-level code, its sub-codes included), optionally a speaker role,
    source and meeting; read its passages in context, Swedish with English beside, and see
    how many segments carry it at each of the eight meetings.

    Read-only: nothing is ever written. Built on
    :func:`~ebm_analysis.queries.retrieve` and
    :func:`~ebm_analysis.queries.code_by_meeting` (through
    :func:`~ebm_analysis.widgets.core.theme_quotes` and
    :func:`~ebm_analysis.widgets.core.theme_by_meeting`).

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; None means the bundled EBM data.
    data : CodedData, optional
        Use these tables instead of loading ``data_dir`` (e.g. a workbench's
        current state: ``ThemeExplorer(data=workbench.bench.data)``).

    Attributes
    ----------
    theme_select, role_select, source_select, meeting_select : Dropdown
        The choices; ``meeting_select`` also offers "no meeting".
    chart : HTML
        The theme per meeting (bar chart as an HTML table; the chosen meeting in bold).
    quotes_view : HTML
        The passages.
    quotes : DataFrame
        The passages shown (columns of :func:`~ebm_analysis.queries.retrieve`).
    counts : DataFrame
        The per-meeting counts shown (:func:`~ebm_analysis.widgets.core.theme_by_meeting`).

    Examples
    --------
    >>> explorer = ThemeExplorer()
    >>> explorer.theme_select.value = "soft_values"
    >>> explorer.meeting_select.value = 5
    >>> len(explorer.quotes) > 0, explorer.quotes["meeting"].unique().tolist()
    (True, [5])
    """

    def __init__(self, data_dir: str | Path | None = None, data: CodedData | None = None):
        self.data = data if data is not None else coded_data(load_project(data_dir))
        seg = self.data.segments
        roles = [r for r in ORDERS["speaker_role"] if r in set(seg["speaker_role"].dropna())]
        sources = [s for s in ORDERS["source_type"] if s in set(seg["source_type"].dropna())]
        themes = code_options(self.data.codebook, top_only=True)
        self.theme_select = _classed(w.Dropdown(options=themes, value=themes[0][1] if themes else None,
                                                description="Theme", layout=w.Layout(width="30em")),
                                     "ebm-theme-select")
        self.role_select = _classed(w.Dropdown(options=[("All speakers", ALL), *[(label(r), r) for r in roles]],
                                               value=ALL, description="Speaker", layout=w.Layout(width="20em")),
                                    "ebm-theme-role")
        self.source_select = _classed(w.Dropdown(options=[("All sources", ALL), *[(label(s), s) for s in sources]],
                                                 value=ALL, description="Source", layout=w.Layout(width="18em")),
                                      "ebm-theme-source")
        self.meeting_select = _classed(w.Dropdown(
            options=[("All meetings", ALL), *[(f"Meeting {m}", m) for m in ORDERS["meeting"]],
                     ("No meeting", NO_MEETING)], value=ALL, description="Meeting",
            layout=w.Layout(width="16em")), "ebm-theme-meeting")
        self.summary = _classed(w.HTML(), "ebm-theme-summary")
        self.chart = _classed(w.HTML(), "ebm-theme-chart")
        self.quotes_view = _classed(w.HTML(), "ebm-theme-quotes")
        self.quotes = pd.DataFrame()
        self.counts = pd.DataFrame()
        super().__init__(children=[
            w.HBox([self.theme_select, self.role_select]),
            w.HBox([self.source_select, self.meeting_select]),
            self.summary, self.chart, self.quotes_view,
        ])
        self.add_class("ebm-theme-explorer")
        for select in (self.theme_select, self.role_select, self.source_select, self.meeting_select):
            select.observe(lambda _: self.refresh(), names="value")
        self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = "ThemeExplorer (live widget: needs a running kernel)"
        return bundle

    def refresh(self) -> None:
        """Run the queries for the current choices and redraw."""
        theme = self.theme_select.value
        if theme is None:
            self.summary.value = "<p><em>The codebook has no codes.</em></p>"
            return
        role, source, meeting = self.role_select.value, self.source_select.value, self.meeting_select.value
        self.quotes = theme_quotes(self.data, theme, role=role, meeting=meeting, source_type=source)
        self.counts = theme_by_meeting(self.data, theme, role=role, source_type=source)
        tree = code_tree(self.data.codebook).set_index("code_id")
        subs = [c for c in tree.index if tree.at[c, "path"].startswith(f"{theme} > ")]
        sub_text = f" and its sub-codes ({', '.join(subs)})" if subs else ""
        segments = self.quotes["segment_id"].nunique() if len(self.quotes) else 0
        self.summary.value = (
            f'<p><b>{html.escape(theme)}</b> — {html.escape(str(tree.at[theme, "name_en"]))}{html.escape(sub_text)}: '
            f"{len(self.quotes)} coded passage{'s' if len(self.quotes) != 1 else ''} in {segments} "
            f"segment{'s' if segments != 1 else ''} for {html.escape(self._choice_text())}.</p>")
        self.chart.value = meeting_bars_html(
            self.counts, highlight=meeting,
            title=f"{theme}: segments and codings per meeting ({self._choice_text(with_meeting=False)})")
        self.quotes_view.value = quotes_html(self.quotes)

    def _choice_text(self, with_meeting: bool = True) -> str:
        parts = [self.role_select.label, self.source_select.label]
        if with_meeting:
            parts.append(self.meeting_select.label)
        return ", ".join(p.lower() if p.startswith("All") else p for p in parts)

    def static_html(self, max_rows: int | None = None) -> str:
        """What the explorer shows, as static HTML (summary, per-meeting table, passages); deterministic.

        Parameters
        ----------
        max_rows : int, optional
            Passages shown before "… and N more"; None shows all.

        For a reader of the static page each passage is shown within its
        whole segment (the coded span marked), never cut.
        """
        whole = theme_quotes(self.data, self.theme_select.value, role=self.role_select.value,
                             meeting=self.meeting_select.value, source_type=self.source_select.value,
                             context=WHOLE_SEGMENT)
        quotes = quotes_html(whole, max_rows=max_rows, whole=True)
        return (f'<div class="ebm-static ebm-theme-static">{self.summary.value}{self.chart.value}'
                f"{quotes}</div>")

    def static_view(self, max_rows: int | None = None):
        """:meth:`static_html` as an ``IPython.display.HTML`` object."""
        from IPython.display import HTML
        return HTML(self.static_html(max_rows=max_rows))
