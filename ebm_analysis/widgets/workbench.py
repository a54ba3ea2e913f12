"""The coding workbench widget: a thin ipywidgets view over :class:`~ebm_analysis.widgets.core.Workbench`."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w
import pandas as pd

from ebm_analysis.labels import label
from ebm_analysis.queries import ORDERS
from ebm_analysis.widgets.core import (
    ALL, CHARS, NO_MEETING, WHOLE, Outcome, Workbench, code_options, code_tree, search_codes, segments_html,
    shorten, status_html,
)
from ebm_analysis.widgets.reshape import split_table_html
from ebm_analysis.widgets.segment_list import SegmentList
from ebm_analysis.widgets.segment_text import SegmentText

__all__ = ["CodingWidget"]

_WIDE = w.Layout(width="100%")
#: The buttons of *Reshape the codebook*, keys of :attr:`CodingWidget.button_status`.
RESHAPE_BUTTONS = ("rename", "move", "retire", "split")


def _classed(widget: w.Widget, *classes: str) -> w.Widget:
    for name in classes:
        widget.add_class(name)
    return widget


class CodingWidget(w.VBox):
    """The researcher's coding workbench: browse, read, code, memo, grow and reshape the codebook, undo.

    Every change is saved at once through :class:`~ebm_analysis.coding.CodingStore`
    (a transaction in the folder's change log). A change that cannot be saved
    (refused, an edit conflict with another kernel, a read-only folder or
    file, a full disk, a missing permission, another writer busy too long) is
    shown in red in the status line and next to the button that was pressed;
    what the researcher typed stays in the form. After an edit conflict the
    *Reload* button loads the other changes.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; None means the bundled EBM data.
    coder : str, default "coder1"
        Written in the ``coder`` column of new codings.

    Attributes
    ----------
    bench : Workbench
        The logic (store, coder, segments); usable without the widget.
    source_filter, meeting_filter, role_filter, code_filter, search_text
        The filters (``search_text`` searches Swedish and English).
    segment_select : SegmentList
        The filtered segments, each with its whole Swedish text (up to three
        lines shown, all of it on hover); its value is a segment id.
    segment_view : SegmentText
        The selected segment, codes highlighted (each sub-code a shade of its
        parent's colour), its English translation. Selecting Swedish text in
        it with the mouse sets the span (:meth:`select_span`); clicking a
        highlight selects that coding (:meth:`pick_codings`); Enter or ``a``
        in it applies the chosen code (:meth:`apply`).
    codings_view : HTML
        The table of the segment's codings.
    sentence_select : Dropdown
        The span: :data:`~ebm_analysis.widgets.core.WHOLE`, a sentence
        ``(start, end)``, or :data:`~ebm_analysis.widgets.core.CHARS` (use
        ``start_text``/``end_text``).
    start_text, end_text : BoundedIntText
        Character positions (end exclusive); typing in them selects ``CHARS``.
    span_preview : HTML
        The chosen span's text.
    code_search : Text
        Narrows ``code_select`` to the codes whose id or name contains the
        text, with their parents and sub-codes.
    code_select : Select
        The codebook tree; its value is a code id.
    chosen_code : HTML
        The code that *Apply code* will apply, in full (path, name, colour).
    apply_button, coding_select, recode_button, remove_button, memo_text, memo_button, undo_button, reload_button
        Apply the code to the span; the segment's codings; give the
        selected one the chosen code; remove it; its memo and the button
        that saves it; undo; reload.
    merge_source, merge_target, merge_button
        *Merge codes*: the code to merge (its codings follow; it is retired)
        and the code to merge it into.
    reshape_code, rename_sv, rename_en, rename_button, move_parent, move_button, retire_button
        *Reshape the codebook*: the code to reshape (picking one fills in its
        names and parent); its new Swedish and English names and *Rename*;
        its new parent (``""`` for the top level) and *Move*; *Retire* (its
        codings stay, it leaves the code lists; its parent is picked next).
    split_text, split_children, split_button, split_result
        *Split* in the same panel: the new codes, one per line as
        ``id; name_sv; name_en``; whether they go under the code (else
        beside it); the button; the table of the code's codings listed for
        re-assignment (none is re-assigned by the split).
    memo_title, memo_body, memo_link_segment, memo_link_code, memo_link_meeting, write_memo_button
        *Write a memo* (a Markdown file in ``memos/``): title, text, and
        whether to link it to the selected segment, the chosen code and the
        segment's meeting; none ticked makes a free analytic memo.
    panels : Accordion
        *New code*, *Merge codes*, *Reshape the codebook*, *Write a memo*
        (closed at first).
    action_bar : HBox
        *Apply code*, *Recode*, *Remove coding*, *Undo*, *Reload* and, next
        to them, ``status``.
    new_code_id, new_name_sv, new_name_en, new_parent, new_definition, new_include, new_exclude, new_example, new_color, add_code_button
        The form for a new code.
    status : HTML
        What the last action did, or why it was refused; in ``action_bar``,
        next to the buttons.
    button_status : dict of str to HTML
        For the buttons away from the action bar (keys ``memo``,
        ``add_code``, ``merge``, ``rename``, ``move``, ``retire``, ``split``
        and ``note``, the last for *Write memo*):
        what the click did (saved or refused), next to the button pressed.

    Examples
    --------
    >>> wb = CodingWidget()
    >>> wb.segment_select.value
    'E001'
    >>> wb.meeting_filter.value = 3
    >>> wb.segment_select.value
    'E001'
    """

    def __init__(self, data_dir: str | Path | None = None, coder: str = "coder1"):
        self.bench = Workbench.open(data_dir, coder)
        self._busy = False
        self._last_code: str | None = None
        seg = self.bench.segments
        roles = [r for r in ORDERS["speaker_role"] if r in set(seg["speaker_role"].dropna())]
        sources = [s for s in ORDERS["source_type"] if s in set(seg["source_type"].dropna())]
        # ---- filters
        self.source_filter = _classed(w.Dropdown(
            options=[("All sources", ALL), *[(label(s), s) for s in sources]], value=ALL,
            description="Source", layout=w.Layout(width="15em")), "ebm-source-filter")
        self.meeting_filter = _classed(w.Dropdown(
            options=[("All meetings", ALL), *[(f"Meeting {m}", m) for m in ORDERS["meeting"]],
                     ("No meeting", NO_MEETING)], value=ALL,
            description="Meeting", layout=w.Layout(width="13em")), "ebm-meeting-filter")
        self.role_filter = _classed(w.Dropdown(
            options=[("All speakers", ALL), *[(label(r), r) for r in roles]], value=ALL,
            description="Speaker", layout=w.Layout(width="17em")), "ebm-role-filter")
        self.code_filter = _classed(w.Dropdown(
            options=[("All codes", ALL)], value=ALL, description="Code", layout=w.Layout(width="20em")),
            "ebm-code-filter")
        self.search_text = _classed(w.Text(
            value="", placeholder="word or phrase (Swedish or English)", description="Search",
            continuous_update=False, layout=w.Layout(width="22em")), "ebm-search")
        self.count_label = _classed(w.HTML(), "ebm-count")
        # ---- segment list and view
        self.segment_select = _classed(SegmentList(layout=w.Layout(width="100%", height="24em")),
                                       "ebm-segment-select")
        self.segment_view = _classed(SegmentText(layout=w.Layout(width="100%")), "ebm-segment-view")
        self.codings_view = _classed(w.HTML(layout=w.Layout(width="100%")), "ebm-codings-view")
        # ---- span
        self.sentence_select = _classed(w.Dropdown(options=[("Whole segment", WHOLE)], value=WHOLE,
                                                   description="Span", layout=w.Layout(width="100%")),
                                        "ebm-sentence-select")
        self.start_text = _classed(w.BoundedIntText(value=0, min=0, max=0, description="Start",
                                                    layout=w.Layout(width="10em")), "ebm-start")
        self.end_text = _classed(w.BoundedIntText(value=0, min=0, max=0, description="End",
                                                  layout=w.Layout(width="10em")), "ebm-end")
        self.span_preview = _classed(w.HTML(), "ebm-span-preview")
        # ---- code and apply
        self.code_search = _classed(w.Text(value="", placeholder="search codes (id or name)",
                                           continuous_update=True, layout=w.Layout(width="auto")),
                                    "ebm-code-search")
        self.code_select = _classed(w.Select(options=[], rows=14, layout=w.Layout(width="auto")),
                                    "ebm-code-select")
        self.chosen_code = _classed(w.HTML(), "ebm-chosen-code")
        self.apply_button = _classed(w.Button(description="Apply code", button_style="primary", icon="check",
                                              tooltip="Code the chosen span with the chosen code and save "
                                                      "(or press Enter or A in the segment text)"),
                                     "ebm-apply")
        self.recode_button = _classed(w.Button(description="Recode", icon="exchange",
                                               tooltip="Give the selected coding the chosen code and save"),
                                      "ebm-recode")
        # ---- codings of the segment
        self.coding_select = _classed(w.Select(options=[], rows=4, description="Codings",
                                               layout=w.Layout(width="100%")), "ebm-coding-select")
        self.remove_button = _classed(w.Button(description="Remove coding", button_style="danger", icon="trash",
                                               tooltip="Delete the selected coding and save"), "ebm-remove")
        self.memo_text = _classed(w.Textarea(value="", placeholder="memo on the selected coding",
                                             description="Memo", layout=w.Layout(width="100%", height="5em")),
                                  "ebm-memo")
        self.memo_button = _classed(w.Button(description="Save memo", icon="save",
                                             tooltip="Save the memo of the selected coding"), "ebm-save-memo")
        # ---- new code
        self.new_code_id = _classed(w.Text(description="Code id", placeholder="e.g. soft_values"), "ebm-new-code-id")
        self.new_name_sv = _classed(w.Text(description="Name (sv)"), "ebm-new-name-sv")
        self.new_name_en = _classed(w.Text(description="Name (en)"), "ebm-new-name-en")
        self.new_parent = _classed(w.Dropdown(options=[("(top level)", ALL)], value=ALL, description="Parent",
                                              layout=w.Layout(width="40em")), "ebm-new-parent")
        self.new_definition = _classed(w.Textarea(description="Definition", layout=w.Layout(width="40em")),
                                       "ebm-new-definition")
        self.new_include = _classed(w.Textarea(description="Include", layout=w.Layout(width="40em")), "ebm-new-include")
        self.new_exclude = _classed(w.Textarea(description="Exclude", layout=w.Layout(width="40em")), "ebm-new-exclude")
        self.new_example = _classed(w.Textarea(description="Example", layout=w.Layout(width="40em")), "ebm-new-example")
        self.new_color = _classed(w.Text(description="Colour", placeholder="#RRGGBB (optional)"), "ebm-new-color")
        self.add_code_button = _classed(w.Button(description="Add code", icon="plus",
                                                 tooltip="Add this code to the codebook and save"), "ebm-add-code")
        # ---- merge codes, write a memo
        self.merge_source = _classed(w.Dropdown(options=[], description="Merge", layout=w.Layout(width="40em")),
                                     "ebm-merge-source")
        self.merge_target = _classed(w.Dropdown(options=[], description="into", layout=w.Layout(width="40em")),
                                     "ebm-merge-target")
        self.merge_button = _classed(w.Button(description="Merge codes", icon="compress",
                                              tooltip="Recode every coding of the first code to the second, move its "
                                                      "sub-codes, retire it; one change (Undo takes it back)"),
                                     "ebm-merge")
        self._build_reshape()
        self.memo_title = _classed(w.Text(description="Title", layout=w.Layout(width="40em")), "ebm-memo-title")
        self.memo_body = _classed(w.Textarea(description="Memo", placeholder="Markdown",
                                             layout=w.Layout(width="40em", height="7em")), "ebm-memo-body")
        self.memo_link_segment = _classed(w.Checkbox(value=True, description="link to this segment", indent=True),
                                          "ebm-memo-link-segment")
        self.memo_link_code = _classed(w.Checkbox(value=False, description="link to the chosen code", indent=False),
                                       "ebm-memo-link-code")
        self.memo_link_meeting = _classed(w.Checkbox(value=False, description="link to its meeting", indent=False),
                                          "ebm-memo-link-meeting")
        self.write_memo_button = _classed(w.Button(description="Write memo", icon="pencil",
                                                   tooltip="Save this memo as a file in memos/"), "ebm-write-memo")
        # ---- undo, reload, status
        self.undo_button = _classed(w.Button(description="Undo", icon="undo",
                                             tooltip="Take back your last change (also one of an earlier session) "
                                                     "and save"), "ebm-undo")
        self.reload_button = _classed(w.Button(description="Reload", icon="refresh",
                                               tooltip="Read codebook.csv and codings.csv again from disk"),
                                      "ebm-reload")
        self.status = _classed(w.HTML(layout=w.Layout(flex="1 1 auto", margin="0 0 0 1em")), "ebm-status")
        self.button_status = {name: _classed(w.HTML(), "ebm-button-status", f"ebm-{name.replace('_', '-')}-status")
                              for name in ("memo", "add_code", "merge", "note", *RESHAPE_BUTTONS)}

        new_code_form = w.VBox([self.new_code_id, self.new_name_sv, self.new_name_en, self.new_parent,
                                self.new_definition, self.new_include, self.new_exclude, self.new_example,
                                self.new_color, w.HBox([self.add_code_button, self.button_status["add_code"]])])
        merge_form = w.VBox([
            w.HTML("All codings of the first code move to the second (a coding the second already has on the same "
                   "span by the same coder is removed, its memo kept); its sub-codes move under the second; the "
                   "first is retired, never deleted. <b>Undo</b> takes the whole merge back."),
            self.merge_source, self.merge_target, w.HBox([self.merge_button, self.button_status["merge"]])])
        memo_form = w.VBox([
            w.HTML("A memo on the selected segment, the chosen code, the segment's meeting — or, with nothing "
                   "ticked, a free analytic memo. Saved as a Markdown file in <code>memos/</code>."),
            self.memo_title, self.memo_body,
            w.HBox([self.memo_link_segment, self.memo_link_code, self.memo_link_meeting]),
            w.HBox([self.write_memo_button, self.button_status["note"]])])
        self.panels = _classed(w.Accordion(children=[new_code_form, merge_form, self._reshape_form(), memo_form],
                                           titles=("New code", "Merge codes", "Reshape the codebook", "Write a memo"),
                                           selected_index=None),
                               "ebm-panels")
        self.action_bar = _classed(w.HBox(
            [self.apply_button, self.recode_button, self.remove_button, self.undo_button, self.reload_button,
             self.status],
            layout=w.Layout(align_items="center", width="100%")), "ebm-action-bar")
        left = w.VBox([self.segment_select], layout=w.Layout(width="29%", min_width="14em"))
        middle = w.VBox([self.segment_view, self.span_preview],
                        layout=w.Layout(flex="1 1 0%", min_width="0", margin="0 0.5em"))
        right = w.VBox([self.code_search, self.code_select, self.chosen_code],
                       layout=w.Layout(width="25%", min_width="14em"))
        folder = html.escape(self.bench.store.folder.name)
        super().__init__(children=[
            w.HTML(f"<b>Coding workbench</b> — coder <code>{html.escape(coder)}</code>, data folder "
                   f"<code>{folder}/</code>. Every change is saved at once."),
            w.HBox([self.source_filter, self.meeting_filter, self.role_filter]),
            w.HBox([self.code_filter, self.search_text, self.count_label]),
            self.action_bar,
            w.HBox([left, middle, right], layout=w.Layout(width="100%")),
            w.HBox([w.Box([self.sentence_select], layout=w.Layout(flex="1 1 auto")), self.start_text,
                    self.end_text], layout=w.Layout(width="100%")),
            w.HBox([w.Box([self.coding_select], layout=w.Layout(width="40%")),
                    w.Box([self.memo_text], layout=w.Layout(flex="1 1 auto")),
                    w.VBox([self.memo_button, self.button_status["memo"]], layout=w.Layout(width="14em"))],
                   layout=w.Layout(width="100%")),
            self.codings_view,
            self.panels,
        ])
        self.add_class("ebm-coding-widget")
        for button in (self.apply_button, self.recode_button, self.remove_button, self.undo_button,
                       self.reload_button):
            button.layout = w.Layout(width="auto", flex="0 0 auto")
        self.layout.padding = "0 6px 0 0"  # keep the right-hand borders off the output area's edge

        for filt in (self.source_filter, self.meeting_filter, self.role_filter, self.code_filter, self.search_text):
            filt.observe(self._on_filter, names="value")
        self.segment_select.observe(self._on_segment, names="value")
        self.sentence_select.observe(self._on_span, names="value")
        self.start_text.observe(self._on_chars, names="value")
        self.end_text.observe(self._on_chars, names="value")
        self.coding_select.observe(self._on_coding, names="value")
        self.code_search.observe(lambda _: self._refresh_codebook(), names="value")
        self.code_select.observe(lambda _: self._show_chosen_code(), names="value")
        self.segment_view.on_select(self.select_span)
        self.segment_view.on_mark(self.pick_codings)
        self.segment_view.on_apply(self.apply)
        self.apply_button.on_click(lambda _: self.apply())
        self.remove_button.on_click(lambda _: self.remove())
        self.recode_button.on_click(lambda _: self.recode())
        self.memo_button.on_click(lambda _: self.save_memo())
        self.add_code_button.on_click(lambda _: self.add_code())
        self.merge_button.on_click(lambda _: self.merge_codes())
        self.reshape_code.observe(lambda _: None if self._busy else self._fill_reshape(), names="value")
        self.rename_button.on_click(lambda _: self.rename_code())
        self.move_button.on_click(lambda _: self.move_code())
        self.retire_button.on_click(lambda _: self.retire_code())
        self.split_button.on_click(lambda _: self.split_code())
        self.write_memo_button.on_click(lambda _: self.write_memo())
        self.undo_button.on_click(lambda _: self.undo())
        self.reload_button.on_click(lambda _: self.reload())

        self._refresh_codebook()
        self._refresh_segments()
        ready = ("Ready. Choose a segment, drag across its text (or choose a span), choose a code, "
                 "click “Apply code”.")
        if self.bench.store.cleaned:
            ready += (f" (Removed {len(self.bench.store.cleaned)} temporary file(s) that an interrupted save had left "
                      "in the data folder.)")
        self._show(Outcome("info", ready))

    # ------------------------------------------------------------ the reshape panel

    def _build_reshape(self) -> None:
        """The controls of *Reshape the codebook*: a code, then rename, move, retire or split it."""
        self.reshape_code = _classed(w.Dropdown(options=[], description="Code", layout=w.Layout(width="40em")),
                                     "ebm-reshape-code")
        self.rename_sv = _classed(w.Text(description="Name (sv)", layout=w.Layout(width="22em")), "ebm-rename-sv")
        self.rename_en = _classed(w.Text(description="Name (en)", layout=w.Layout(width="22em")), "ebm-rename-en")
        self.rename_button = _classed(w.Button(description="Rename", icon="i-cursor",
                                               tooltip="Save the code's new Swedish and/or English name"),
                                      "ebm-rename")
        self.move_parent = _classed(w.Dropdown(options=[("(top level)", ALL)], value=ALL, description="Parent",
                                               layout=w.Layout(width="40em")), "ebm-move-parent")
        self.move_button = _classed(w.Button(description="Move", icon="level-up",
                                             tooltip="Place the code under this parent; its sub-codes and "
                                                     "codings follow"), "ebm-move")
        self.retire_button = _classed(w.Button(description="Retire", icon="archive",
                                               tooltip="Hide the code from the code lists; its codings stay"),
                                      "ebm-retire")
        self.split_text = _classed(w.Textarea(
            description="New codes", placeholder="one per line: id; name_sv; name_en\n"
                                                 "e.g. trust_peer; tillit till kollegor; trust in peers",
            layout=w.Layout(width="40em", height="5em")), "ebm-split-text")
        self.split_children = _classed(w.Checkbox(value=True, description="as its sub-codes (untick: beside it)",
                                                  indent=False), "ebm-split-children")
        self.split_button = _classed(w.Button(description="Split", icon="code-fork",
                                              tooltip="Add the new codes and list this code's codings for "
                                                      "re-assignment (none is re-assigned)"), "ebm-split")
        self.split_result = _classed(w.HTML(layout=w.Layout(width="100%")), "ebm-split-result")

    def _reshape_form(self) -> w.VBox:
        beside = {name: self.button_status[name] for name in RESHAPE_BUTTONS}
        for button in (self.rename_button, self.move_button, self.retire_button, self.split_button):
            button.layout = w.Layout(width="7em", flex="0 0 auto")
        row = w.Layout(align_items="center", width="100%")
        return w.VBox([
            w.HTML("Choose a code, then rename it, move it under another parent, retire it (its codings stay; "
                   "it takes no new ones) or split it into new codes (its codings are listed below for "
                   "re-assignment). Each is one change: <b>Undo</b> takes it back."),
            self.reshape_code,
            w.HBox([self.rename_sv, self.rename_en, self.rename_button, beside["rename"]], layout=row),
            w.HBox([self.move_parent, self.move_button, beside["move"]], layout=row),
            w.HBox([self.retire_button, beside["retire"]], layout=row),
            w.HBox([self.split_text, w.VBox([self.split_children, w.HBox([self.split_button, beside["split"]])],
                                            layout=w.Layout(flex="1 1 auto"))], layout=row),
            self.split_result])

    def _fill_reshape(self) -> None:
        """Show the picked code's current names and parent in the reshape form."""
        code = self.reshape_code.value
        book = self.bench.store.codebook.set_index("code_id")
        if not code or code not in book.index:
            self.rename_sv.value = self.rename_en.value = ""
            return
        self.rename_sv.value, self.rename_en.value = str(book.at[code, "name_sv"]), str(book.at[code, "name_en"])
        parent = book.at[code, "parent_id"]
        values = [v for _, v in self.move_parent.options]
        self.move_parent.value = parent if pd.notna(parent) and parent in values else ALL
        self.split_result.value = ""

    # ------------------------------------------------------------ display

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = "CodingWidget (live coding workbench: needs a running kernel)"
        return bundle

    def static_html(self, max_rows: int = 15) -> str:
        """What the workbench shows, as static HTML: filters, the segment list, the selected segment.

        Deterministic (no widget ids, no paths), for rendered notebooks and nbval.

        Parameters
        ----------
        max_rows : int, default 15
            Segments listed before "… and N more".
        """
        filters = {"source": self.source_filter.label, "meeting": self.meeting_filter.label,
                   "speaker": self.role_filter.label, "code": self.code_filter.label.strip(),
                   "search": self.search_text.value or "—"}
        shown = "; ".join(f"{k}: {html.escape(str(v))}" for k, v in filters.items())
        table = self.filtered
        parts = [f'<div class="ebm-static ebm-coding-static"><p><b>Coding workbench</b> (static view) — '
                 f"{len(table)} of {len(self.bench.segments)} segments match ({shown}).</p>",
                 segments_html(table, max_rows=max_rows)]
        if self.segment_select.value:
            parts.append(f"<p><b>Selected segment</b></p>{self.segment_view.value}{self.codings_view.value}")
        parts.append("</div>")
        return "".join(parts)

    def static_view(self, max_rows: int = 15):
        """:meth:`static_html` as an ``IPython.display.HTML`` object (displays as a table in any viewer)."""
        from IPython.display import HTML
        return HTML(self.static_html(max_rows=max_rows))

    # ------------------------------------------------------------ state helpers

    @property
    def filtered(self) -> pd.DataFrame:
        """The segments that pass the current filters (:func:`~ebm_analysis.widgets.core.filter_segments`)."""
        return self.bench.filter(source_type=self.source_filter.value, meeting=self.meeting_filter.value,
                                 role=self.role_filter.value, code=self.code_filter.value,
                                 search=self.search_text.value)

    @property
    def span(self) -> tuple[int | None, int | None]:
        """The chosen ``(start, end)``; ``(None, None)`` for the whole segment."""
        choice = self.sentence_select.value
        if choice == WHOLE or choice is None:
            return None, None
        if choice == CHARS:
            return int(self.start_text.value), int(self.end_text.value)
        return int(choice[0]), int(choice[1])

    def _show(self, outcome: Outcome, button: str | None = None) -> Outcome:
        self.status.value = status_html(outcome.kind, outcome.message)
        for name, place in self.button_status.items():
            place.value = status_html(outcome.kind, outcome.message) if name == button else ""
        self.reload_button.button_style = "warning" if outcome.kind == "conflict" else ""
        return outcome

    def _refresh_codebook(self) -> None:
        picked = self.reshape_code.value
        book = self.bench.store.codebook
        tree = code_options(book)
        found = code_options(book, search=self.code_search.value, paths=False)
        self._busy = True
        try:
            for select, head, options in ((self.code_select, [], found), (self.code_filter, [("All codes", ALL)], tree),
                                          (self.new_parent, [("(top level)", ALL)], tree),
                                          (self.merge_source, [], tree), (self.merge_target, [], tree),
                                          (self.reshape_code, [], tree), (self.move_parent, [("(top level)", ALL)], tree)):
                keep = select.value
                if select is self.code_select:  # a search that matched nothing leaves no value: keep the last one
                    keep = keep or self._last_code
                select.options = [*head, *options]
                values = [v for _, v in select.options]
                if select is self.code_select and keep not in values and self.code_search.value.strip():
                    values = search_codes(book, self.code_search.value) or values  # the first match, not its parent
                select.value = keep if keep in values else (values[0] if values else None)
        finally:
            self._busy = False
        if self.reshape_code.value != picked:
            self._fill_reshape()
        self._show_chosen_code()

    def _show_chosen_code(self) -> None:
        code = self.code_select.value
        self._last_code = code or self._last_code
        if not code:
            self.chosen_code.value = ('<span style="color:#b00020">No code matches the search.</span>'
                                      if self.code_search.value.strip() else "")
            return
        tree = code_tree(self.bench.store.codebook).set_index("code_id")
        color = self.bench.code_colors.get(code, "#bbbbbb")
        self.chosen_code.value = (
            f'<div class="ebm-chosen" style="line-height:1.3"><span style="display:inline-block;width:0.9em;'
            f'height:0.9em;background:{color};vertical-align:middle"></span> <b>Code to apply:</b> '
            f"{html.escape(str(tree.at[code, 'path']))} — {html.escape(str(tree.at[code, 'name_en']))}</div>")

    def _refresh_segments(self) -> None:
        table = self.filtered
        self.count_label.value = f"{len(table)} of {len(self.bench.segments)} segments"
        options = [(f"{r.segment_id} · {label(str(r.source_type))} · "
                    f"{'m' + str(int(r.meeting)) if pd.notna(r.meeting) else '–'} · "
                    f"{' '.join(str(r.text_sv).split())}",
                    r.segment_id) for r in table.itertuples()]
        keep = self.segment_select.value
        self._busy = True
        try:
            self.segment_select.options = options
            ids = [v for _, v in options]
            self.segment_select.value = keep if keep in ids else (ids[0] if ids else None)
        finally:
            self._busy = False
        self._show_segment(keep_span=self.segment_select.value == keep)

    def _show_segment(self, keep_span: bool = False, select_coding: str | None = None) -> None:
        seg = self.segment_select.value
        self._busy = True
        try:
            if not seg:
                self.segment_view.value = "<p><em>No segment matches the filters.</em></p>"
                self.segment_view.text = ""
                self.segment_view.selected = ""
                self.codings_view.value = ""
                self.sentence_select.options = [("Whole segment", WHOLE)]
                self.coding_select.options = []
                self.memo_text.value = ""
                self.span_preview.value = ""
                return
            text = self.bench.text(seg)
            self.segment_view.text = text
            self.segment_view.value = self.bench.view_html(seg, search=self.search_text.value)
            self.codings_view.value = self.bench.codings_table_html(seg)
            previous = self.sentence_select.value
            spans = self.bench.sentences(seg)
            options = [("Whole segment", WHOLE)]
            options += [(f"Sentence {i} ({s}–{e}): {shorten(text[s:e], 70)}", (s, e))
                        for i, (s, e) in enumerate(spans, start=1)]
            options += [("Characters: start and end below", CHARS)]
            self.sentence_select.options = options
            values = [v for _, v in options]
            self.sentence_select.value = previous if keep_span and previous in values else WHOLE
            self.start_text.max = self.end_text.max = len(text)
            if not keep_span:
                self.start_text.value, self.end_text.value = 0, len(text)
            cod = self.bench.codings_of(seg)
            self.coding_select.options = [
                (f"{r.coding_id} · {r.code_id} · "
                 f"{'whole segment' if pd.isna(r.start) else f'{int(r.start)}–{int(r.end)}'}"
                 f"{' · memo' if pd.notna(r.memo) else ''}", r.coding_id) for r in cod.itertuples()]
            ids = cod["coding_id"].tolist()
            self.coding_select.value = select_coding if select_coding in ids else (ids[0] if ids else None)
            self._fill_memo()
        finally:
            self._busy = False
        self._preview()

    def _fill_memo(self) -> None:
        coding = self.coding_select.value
        self.segment_view.selected = coding or ""
        memo = ""
        if coding:
            cod = self.bench.store.codings.set_index("coding_id")
            if coding in cod.index and pd.notna(cod.at[coding, "memo"]):
                memo = str(cod.at[coding, "memo"])
        self.memo_text.value = memo

    def _preview(self) -> None:
        seg = self.segment_select.value
        if not seg:
            self.span_preview.value = ""
            return
        text = self.bench.text(seg)
        start, end = self.span
        if start is None:
            self.span_preview.value = (f"<b>Span:</b> the whole segment ({len(text)} characters). "
                                       '<span style="color:#555">Drag across the text to code a part of it.</span>')
        elif not 0 <= start < end <= len(text):
            self.span_preview.value = (f'<span style="color:#b00020"><b>Span:</b> start {start}, end {end} — '
                                       f"need 0 ≤ start &lt; end ≤ {len(text)}</span>")
        else:
            self.span_preview.value = (f'<b>Span {start}–{end}:</b> «<span lang="sv">'
                                       f"{html.escape(text[start:end])}</span>»")

    # ------------------------------------------------------------ events

    def _on_filter(self, change) -> None:
        if not self._busy:
            self._refresh_segments()

    def _on_segment(self, change) -> None:
        if not self._busy:
            self._show_segment()

    def _on_span(self, change) -> None:
        if self._busy:
            return
        if isinstance(change["new"], tuple):
            self._busy = True
            try:
                self.start_text.value, self.end_text.value = change["new"]
            finally:
                self._busy = False
        self._preview()

    def _on_chars(self, change) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self.sentence_select.value = CHARS
        finally:
            self._busy = False
        self._preview()

    def _on_coding(self, change) -> None:
        if not self._busy:
            self._fill_memo()

    def select_span(self, start: int, end: int) -> None:
        """Choose ``text_sv[start:end]`` of the selected segment as the span (what a mouse selection does).

        Parameters
        ----------
        start, end : int
            Python character offsets (code points), ``end`` exclusive; the
            segment view converts the browser's UTF-16 positions first.
        """
        seg = self.segment_select.value
        if not seg:
            return
        length = len(self.bench.text(seg))
        if not 0 <= start < end <= length:
            self._show(Outcome("error", f"the selection {start}–{end} is not inside the text (0–{length})."))
            return
        self._busy = True
        try:
            self.start_text.value, self.end_text.value = int(start), int(end)
            self.sentence_select.value = CHARS
        finally:
            self._busy = False
        self._preview()

    def pick_codings(self, coding_ids: list[str]) -> None:
        """Select one of ``coding_ids`` in *Codings* (what a click on a highlight does).

        The highlight lists the codings covering the clicked text, narrowest
        first; the first is selected, and clicking again on the same
        highlight selects the next one, so every overlapping coding can be
        reached.
        """
        here = [v for _, v in self.coding_select.options]
        ids = [c for c in coding_ids if c in here]
        if not ids:
            return
        current = self.coding_select.value
        self.coding_select.value = ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0]

    # ------------------------------------------------------------ actions

    def _after_change(self, outcome: Outcome, button: str, select_coding: str | None = None,
                      codebook: bool = False) -> Outcome:
        """Show the outcome; refresh the views only after a saved change, so a refused one keeps what was typed."""
        if outcome.ok:
            if codebook:
                self._refresh_codebook()
            self._refresh_segments()
            if select_coding:
                self._show_segment(keep_span=True, select_coding=select_coding)
        return self._show(outcome, button)

    def apply(self) -> Outcome:
        """Apply the chosen code to the chosen span of the selected segment (the *Apply code* button)."""
        seg, code = self.segment_select.value, self.code_select.value
        if not seg or not code:
            return self._show(Outcome("error", "choose a segment and a code first."), "apply")
        start, end = self.span
        outcome = self.bench.apply(seg, code, start, end)
        return self._after_change(outcome, "apply", select_coding=outcome.coding_id)

    def recode(self) -> Outcome:
        """Give the selected coding the chosen code (the *Recode* button)."""
        coding, code = self.coding_select.value, self.code_select.value
        if not coding or not code:
            return self._show(Outcome("error", "choose a coding of this segment and the code to give it."), "recode")
        return self._after_change(self.bench.recode(coding, code), "recode", select_coding=coding)

    def remove(self) -> Outcome:
        """Remove the selected coding (the *Remove coding* button)."""
        coding = self.coding_select.value
        if not coding:
            return self._show(Outcome("error", "choose a coding of this segment to remove."), "remove")
        return self._after_change(self.bench.remove(coding), "remove")

    def save_memo(self) -> Outcome:
        """Save ``memo_text`` as the selected coding's memo (the *Save memo* button)."""
        coding = self.coding_select.value
        if not coding:
            return self._show(Outcome("error", "choose a coding of this segment to write its memo."), "memo")
        return self._after_change(self.bench.set_memo(coding, self.memo_text.value), "memo", select_coding=coding)

    def add_code(self) -> Outcome:
        """Add the code described in the *New code* form to the codebook (the *Add code* button)."""
        code_id = self.new_code_id.value.strip()
        outcome = self.bench.add_code(
            code_id, self.new_name_sv.value, self.new_name_en.value, self.new_parent.value or None,
            definition=self.new_definition.value, include=self.new_include.value,
            exclude=self.new_exclude.value, example=self.new_example.value, color=self.new_color.value)
        if outcome.ok:
            self._refresh_codebook()
            self.code_select.value = code_id
            for field in (self.new_code_id, self.new_name_sv, self.new_name_en, self.new_definition,
                          self.new_include, self.new_exclude, self.new_example, self.new_color):
                field.value = ""
            self.new_parent.value = ALL
        return self._show(outcome, "add_code")

    def merge_codes(self) -> Outcome:
        """Merge ``merge_source`` into ``merge_target`` (the *Merge codes* button)."""
        outcome = self.bench.merge_codes(self.merge_source.value, self.merge_target.value)
        return self._after_change(outcome, "merge", codebook=True)

    def rename_code(self) -> Outcome:
        """Give the picked code the names in ``rename_sv`` and ``rename_en`` (the *Rename* button)."""
        outcome = self.bench.rename_code(self.reshape_code.value, self.rename_sv.value, self.rename_en.value)
        return self._after_change(outcome, "rename", codebook=True)

    def move_code(self) -> Outcome:
        """Place the picked code under ``move_parent``, or at the top level (the *Move* button)."""
        outcome = self.bench.move_code(self.reshape_code.value, self.move_parent.value or None)
        return self._after_change(outcome, "move", codebook=True)

    def retire_code(self) -> Outcome:
        """Retire the picked code; its codings stay (the *Retire* button). Its parent is picked next."""
        code = self.reshape_code.value
        parent = self.bench.store.codebook.set_index("code_id")["parent_id"].get(code)
        outcome = self._after_change(self.bench.retire_code(code), "retire", codebook=True)
        if outcome.ok and pd.notna(parent) and parent in [v for _, v in self.reshape_code.options]:
            self.reshape_code.value = parent
        return outcome

    def split_code(self) -> Outcome:
        """Add the codes typed in ``split_text`` from the picked code; list its codings (the *Split* button)."""
        code = self.reshape_code.value
        outcome = self.bench.split_code(code, self.split_text.value, as_children=self.split_children.value)
        self._after_change(outcome, "split", codebook=True)
        if outcome.ok:
            self.split_text.value = ""
            texts = dict(zip(self.bench.segments["segment_id"], self.bench.segments["text_sv"]))
            self.split_result.value = split_table_html(outcome.table, code, texts)
        return outcome

    def memo_links(self) -> list[str]:
        """The links the ticked boxes of *Write a memo* give, e.g. ``["segment:O010", "code:trust"]``."""
        links = []
        seg = self.segment_select.value
        if self.memo_link_segment.value and seg:
            links.append(f"segment:{seg}")
        if self.memo_link_code.value and self.code_select.value:
            links.append(f"code:{self.code_select.value}")
        if self.memo_link_meeting.value and seg:
            meeting = self.bench.segments.set_index("segment_id").at[seg, "meeting"]
            if pd.notna(meeting):
                links.append(f"meeting:{int(meeting)}")
        return links

    def write_memo(self) -> Outcome:
        """Save the memo of *Write a memo* as a file in ``memos/`` (the *Write memo* button)."""
        if self.memo_link_meeting.value and not any(x.startswith("meeting:") for x in self.memo_links()):
            return self._show(Outcome("error", "this segment belongs to no meeting: untick “link to its meeting”."),
                              "note")
        outcome = self.bench.add_memo(self.memo_title.value, self.memo_body.value, self.memo_links())
        if outcome.ok:
            self.memo_title.value = self.memo_body.value = ""
            if self.segment_select.value:  # the new memo is listed under the segment's text
                self.segment_view.value = self.bench.view_html(self.segment_select.value, search=self.search_text.value)
        return self._show(outcome, "note")

    def undo(self) -> Outcome:
        """Take back this coder's last change, also one of an earlier session (the *Undo* button)."""
        outcome = self._after_change(self.bench.undo(), "undo", codebook=True)
        if outcome.ok:
            self._fill_reshape()
        return outcome

    def reload(self) -> Outcome:
        """Read the files again from disk (the *Reload* button), e.g. after an edit conflict."""
        outcome = self.bench.reload()
        if outcome.ok:
            self._refresh_codebook()
            self._refresh_segments()
            self._fill_reshape()
        return self._show(outcome, "reload")
