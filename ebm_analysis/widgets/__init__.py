"""Interactive views for JupyterLab (ipywidgets): thin layers over the library.

- :class:`CodingWidget` — the coding workbench: browse and filter segments,
  read one with its codes highlighted (each sub-code its own shade of its
  parent's colour, :func:`code_colors`), select text with the mouse to code
  it (:class:`SegmentText`; the browser's UTF-16 positions converted by
  :func:`selection_span`), or code a sentence or a character span, click a
  highlight to select its coding, remove codings, write memos, add, merge,
  rename, move, split and retire codes, undo. Every click saves at once through
  :class:`~ebm_analysis.coding.CodingStore`.
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

Two small custom widgets, built with anywidget (its JupyterLab extension
ships in its Python package; their JavaScript is in this folder, no build
step): :class:`SegmentText`, the segment view that reports mouse selections,
clicks on highlights and keys, and :class:`SegmentList`, the segment list
that shows whole texts.

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
from ebm_analysis.widgets.segment_list import SegmentList
from ebm_analysis.widgets.segment_text import SegmentText
from ebm_analysis.widgets.selection import selection_span, utf16_to_index
from ebm_analysis.widgets.shades import code_colors
from ebm_analysis.widgets.workbench import CodingWidget

__all__ = [
    "CodingWidget", "ThemeExplorer", "MemoWidget", "AdjudicationWidget", "Workbench", "Outcome", "sentence_spans", "code_tree", "code_options",
    "filter_segments", "highlight_html", "theme_quotes", "theme_by_meeting", "ALL", "NO_MEETING", "WHOLE", "CHARS",
    "SegmentText", "SegmentList", "selection_span", "utf16_to_index", "code_colors",
]
