"""The live segment view: select text with the mouse, click a highlight, press a key.

:class:`SegmentText` is a small `anywidget <https://anywidget.dev>`_ widget
(the front end is ``segment_text.js`` beside this file, loaded by anywidget's
JupyterLab extension, which ships in its wheel: nothing is downloaded).
It shows the HTML of the selected segment (:meth:`Workbench.segment_html
<ebm_analysis.widgets.core.Workbench.segment_html>`) and turns what the
researcher does into calls:

- a mouse selection in the Swedish text -> ``on_select(start, end)`` with
  Python character offsets into ``text_sv`` (the browser's UTF-16 positions
  converted by :func:`~ebm_analysis.widgets.selection.selection_span`);
- a click on a highlight -> ``on_mark(coding_ids)``, narrowest coding first;
- Enter or ``a`` pressed in the view -> ``on_apply()``.

Tests simulate the front end with :meth:`SegmentText.receive`, which takes
the same message the browser sends.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets

from ebm_analysis.widgets.selection import selection_span

__all__ = ["SegmentText"]

_HERE = Path(__file__).parent


class SegmentText(anywidget.AnyWidget):
    """The segment's HTML, live: mouse selections, clicks on highlights and keys go to Python.

    Attributes
    ----------
    value : str
        The HTML shown (as an ``ipywidgets.HTML``'s ``value``); its Swedish
        text is the element ``.ebm-segment-text``.
    text : str
        The Swedish text shown there (``text_sv``), for converting positions.
    selected : str
        A coding id whose highlights get an outline ("" for none).
    last_message : str
        What the last message from the front end did (for the tests and
        for a researcher wondering why nothing happened).

    Examples
    --------
    >>> view = SegmentText()
    >>> view.text = "Vi 🙂 åt."
    >>> got = []
    >>> view.on_select(lambda start, end: got.append((start, end)))
    >>> view.receive({"type": "select", "start": 3, "end": 7})  # UTF-16: the emoji counts two
    >>> got, view.text[3:6]
    ([(3, 6)], '🙂 å')
    """

    _esm = _HERE / "segment_text.js"
    _css = _HERE / "segment_text.css"
    value = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    text = traitlets.Unicode("")
    last_message = traitlets.Unicode("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._select: Callable[[int, int], None] | None = None
        self._mark: Callable[[list[str]], None] | None = None
        self._apply: Callable[[], None] | None = None
        self.on_msg(lambda _widget, content, _buffers: self.receive(content))

    def on_select(self, callback: Callable[[int, int], None]) -> None:
        """Call ``callback(start, end)`` (Python offsets into :attr:`text`) on a mouse selection."""
        self._select = callback

    def on_mark(self, callback: Callable[[list[str]], None]) -> None:
        """Call ``callback(coding_ids)`` when a highlight is clicked."""
        self._mark = callback

    def on_apply(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` when Enter or ``a`` is pressed in the view."""
        self._apply = callback

    def receive(self, content: dict) -> None:
        """Act on a message from the front end (what ``segment_text.js`` sends); bad ones are ignored."""
        if not isinstance(content, dict):
            self.last_message = "ignored: not a message"
            return
        kind = content.get("type")
        if kind == "select":
            self._receive_selection(content)
        elif kind == "mark":
            ids = [str(c) for c in content.get("codings") or [] if str(c)]
            self.last_message = f"highlight of {' '.join(ids) or 'nothing'}"
            if ids and self._mark:
                self._mark(ids)
        elif kind == "apply":
            self.last_message = "apply key"
            if self._apply:
                self._apply()
        else:
            self.last_message = f"ignored: unknown message {str(kind)[:40]!r}"

    def _receive_selection(self, content: dict) -> None:
        try:
            start16, end16 = int(content["start"]), int(content["end"])
        except (KeyError, TypeError, ValueError):
            self.last_message = "ignored: a selection without start and end"
            return
        span = selection_span(self.text, start16, end16)
        if span is None:
            self.last_message = "ignored: only white space selected"
            return
        self.last_message = f"selected characters {span[0]}–{span[1]}"
        if self._select:
            self._select(*span)
