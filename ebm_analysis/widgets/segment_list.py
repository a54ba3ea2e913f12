"""The live segment list: every segment's whole text, three lines at most, in full on hover.

A plain ``ipywidgets.Select`` shows one line per option, cut at the box's
edge, with no way to see the rest. :class:`SegmentList` (an anywidget
widget; front end ``segment_list.js``, style ``segment_text.css``) has the
same ``options`` / ``value`` as a ``Select``, so the workbench and its tests
use it the same way, and shows each label over up to three lines with the
segment id in bold and the whole label as a tooltip.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

__all__ = ["SegmentList"]

_HERE = Path(__file__).parent


class SegmentList(anywidget.AnyWidget):
    """A list of segments to choose from, as ``options`` of ``(label, segment_id)`` and a ``value``.

    Attributes
    ----------
    options : list of (str, str)
        ``(label, segment_id)`` in the order shown; the label's part before
        the first ``" · "`` (the segment id) is shown in bold.
    value : str or None
        The chosen segment id (None when the list is empty).

    Examples
    --------
    >>> chooser = SegmentList()
    >>> chooser.options = [("E1 · Interview · Hej", "E1"), ("E2 · Interview · Då", "E2")]
    >>> chooser.value = "E2"
    >>> [value for _, value in chooser.options], chooser.value
    (['E1', 'E2'], 'E2')
    """

    _esm = _HERE / "segment_list.js"
    _css = _HERE / "segment_text.css"
    options = traitlets.List().tag(sync=True)
    value = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.validate("options")
    def _pairs(self, proposal):
        return [(str(label), str(value)) for label, value in proposal["value"]]

    @traitlets.validate("value")
    def _known(self, proposal):
        value = proposal["value"]
        if value is not None and value not in {v for _, v in self.options}:
            raise traitlets.TraitError(f"{value!r} is not a segment in the list")
        return value
