"""Interactive views for JupyterLab (ipywidgets): thin layers over the library.

- :class:`CodingWidget` — the coding workbench: browse and filter segments,
  read one with its codes highlighted, code a sentence or a character span,
  remove codings, write memos, add codes, undo. Every click saves at once
  through :class:`~ebm_analysis.coding.CodingStore`.
- :class:`MemoWidget` — list, search, read, write and edit memos
  (:mod:`ebm_analysis.memos`).
- :class:`AdjudicationWidget` — walk two coders' disagreements one by one and
  record each decision, with a reason, as the coder ``consensus``.
- :class:`ThemeExplorer` — a theme's passages in context (Swedish with
  English) and its place across the eight meetings. Read-only.

The logic behind both lives in :mod:`ebm_analysis.widgets.core` as plain
functions and the screen-less :class:`Workbench`, so it is tested without a
kernel. Each widget also has ``static_html()`` / ``static_view()``: a
deterministic HTML table of what it shows, for rendered notebooks (the HTML
report has no live kernel) and for nbval.

Browser tests can find the main controls by their CSS classes:
``ebm-segment-select``, ``ebm-sentence-select``, ``ebm-code-select``,
``ebm-apply``, ``ebm-undo``, ``ebm-reload``, ``ebm-status`` (and more, see
the attributes of :class:`CodingWidget`).
"""

from ebm_analysis.widgets.core import (
    ALL, CHARS, NO_MEETING, WHOLE, Outcome, Workbench, code_options, code_tree, filter_segments,
    highlight_html, sentence_spans, theme_by_meeting, theme_quotes,
)
from ebm_analysis.widgets.adjudicate import AdjudicationWidget
from ebm_analysis.widgets.explorer import ThemeExplorer
from ebm_analysis.widgets.memos import MemoWidget
from ebm_analysis.widgets.workbench import CodingWidget

__all__ = [
    "CodingWidget", "ThemeExplorer", "MemoWidget", "AdjudicationWidget", "Workbench", "Outcome", "sentence_spans", "code_tree", "code_options",
    "filter_segments", "highlight_html", "theme_quotes", "theme_by_meeting", "ALL", "NO_MEETING", "WHOLE", "CHARS",
]
