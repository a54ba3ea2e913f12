"""The memo widget: list, search and write memos (:mod:`ebm_analysis.memos`) in JupyterLab."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w
import pandas as pd

from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.memos import MEMO_COLUMNS, load_memos, search_memos
from ebm_analysis.widgets.core import status_html

__all__ = ["MemoWidget", "parse_links", "memo_html", "memos_table_html", "LiveWidget"]

_WIDE = w.Layout(width="100%")
ALL_LINKS = "(all memos)"


def parse_links(text: str) -> list[str]:
    """Links typed in a box (separated by spaces, commas or semicolons) as a list.

    Examples
    --------
    >>> parse_links("code:trust, segment:E001;meeting:3  ")
    ['code:trust', 'segment:E001', 'meeting:3']
    """
    return [p for p in text.replace(",", " ").replace(";", " ").split() if p]


def memo_html(memo: pd.Series | dict | None) -> str:
    """One memo for reading: title, author and dates, links, then its text (escaped, line breaks kept).

    Examples
    --------
    >>> memo_html({"memo_id": "M001", "title": "T", "author": "R1", "created": "2026-12-03",
    ...            "updated": None, "links": "", "text": "a <b>"})
    '<div class="ebm-memo"><b>M001: T</b><br><small>R1, 2026-12-03 · free memo</small><div style="white-space:pre-wrap">a &lt;b&gt;</div></div>'
    """
    if memo is None:
        return '<div class="ebm-memo"><i>No memo selected.</i></div>'
    memo = dict(memo)
    dates = memo["created"] + (f", edited {memo['updated']}" if isinstance(memo.get("updated"), str) else "")
    links = memo.get("links") if isinstance(memo.get("links"), str) and memo.get("links") else ""
    about = f"on {links}" if links else "free memo"
    return (f'<div class="ebm-memo"><b>{html.escape(memo["memo_id"])}: {html.escape(memo["title"])}</b><br>'
            f"<small>{html.escape(memo['author'])}, {html.escape(dates)} · {html.escape(about)}</small>"
            f'<div style="white-space:pre-wrap">{html.escape(memo["text"])}</div></div>')


def memos_table_html(memos: pd.DataFrame) -> str:
    """Every memo as a static HTML table (for the report and rendered notebooks); deterministic.

    Examples
    --------
    >>> memos_table_html(pd.DataFrame(columns=["memo_id"]))
    '<p><i>No memos yet.</i></p>'
    """
    if memos.empty:
        return "<p><i>No memos yet.</i></p>"
    head = "".join(f"<th>{h}</th>" for h in ("Memo", "Title", "Author", "Created", "About", "Text"))
    rows = []
    for m in memos.to_dict("records"):
        about = m["links"] if isinstance(m.get("links"), str) and m["links"] else "free memo"
        cells = [m["memo_id"], m["title"], m["author"], m["created"], about]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                    + f'<td style="white-space:pre-wrap;text-align:left">{html.escape(m["text"])}</td></tr>')
    return f'<table class="ebm-memos"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


class LiveWidget(w.VBox):
    """A VBox whose plain-text form says it is a live widget (what a rendered page shows instead of a repr)."""

    live_name = "widget"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = f"{self.live_name} (live widget: needs a running kernel)"
        return bundle

    def static_html(self) -> str:  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    def static_view(self):
        """:meth:`static_html` as an ``IPython.display.HTML`` object."""
        from IPython.display import HTML

        return HTML(self.static_html())


class MemoWidget(LiveWidget):
    """List, search, read, write and edit memos; every save goes through the coding store.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; None means the bundled EBM data.
    coder : str, default "coder1"
        The author of new memos (and who edits).

    Attributes
    ----------
    search_text : Text
        Words to find in titles and texts.
    link_filter : Dropdown
        Only memos with this link (``code:…``, ``segment:…``, ``meeting:…``).
    memo_select : Select
        The memos found; its value is a memo id.
    memo_view : HTML
        The selected memo.
    title_text, body_text, links_text : Text, Textarea, Text
        The form: filled with the selected memo, or empty for a new one.
    new_button, save_button, clear_button
        Save the form as a new memo; save it over the selected memo; empty the form.
    status : HTML
        What the last action did, or why it was refused.

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> from ebm_analysis.project import BUNDLED_DATA
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "data"
    >>> _ = shutil.copytree(BUNDLED_DATA, folder, ignore=shutil.ignore_patterns(".*"))
    >>> mw = MemoWidget(folder, coder="R1")
    >>> mw.title_text.value, mw.body_text.value, mw.links_text.value = "Trust", "Grows.", "code:trust"
    >>> mw.new_button.click()
    >>> mw.memo_select.value, "Saved" in mw.status.value
    ('M001', True)
    """

    live_name = "MemoWidget"

    def __init__(self, data_dir: str | Path | None = None, coder: str = "coder1"):
        self.store = CodingStore.open(data_dir, coder=coder)
        self.coder = coder
        self.memos = pd.DataFrame()
        self.search_text = w.Text(placeholder="search memos", description="Search", layout=_WIDE)
        self.link_filter = w.Dropdown(options=[ALL_LINKS], value=ALL_LINKS, description="About")
        self.memo_select = w.Select(options=[], rows=8, layout=_WIDE)
        self.memo_view = w.HTML()
        self.title_text = w.Text(description="Title", layout=_WIDE)
        self.body_text = w.Textarea(description="Text", layout=w.Layout(width="100%", height="8em"))
        self.links_text = w.Text(description="Links", placeholder="code:trust segment:E001 meeting:3 (none: free)",
                                 layout=_WIDE)
        self.new_button = w.Button(description="Save as new memo", button_style="primary")
        self.save_button = w.Button(description="Save changes")
        self.clear_button = w.Button(description="New (empty form)")
        self.status = w.HTML()
        for widget, name in ((self.memo_select, "ebm-memo-select"), (self.new_button, "ebm-memo-new"),
                             (self.save_button, "ebm-memo-save"), (self.status, "ebm-memo-status")):
            widget.add_class(name)
        self.search_text.observe(lambda _: self._refresh_list(), names="value")
        self.link_filter.observe(lambda _: self._refresh_list(), names="value")
        self.memo_select.observe(lambda _: self._show(), names="value")
        self.new_button.on_click(lambda _: self._save(new=True))
        self.save_button.on_click(lambda _: self._save(new=False))
        self.clear_button.on_click(lambda _: self._clear())
        buttons = w.HBox([self.new_button, self.save_button, self.clear_button, self.status])
        super().__init__([w.HBox([self.search_text, self.link_filter]), self.memo_select, self.memo_view,
                          self.title_text, self.body_text, self.links_text, buttons])
        self.reload()

    # ------------------------------------------------------------ state

    def reload(self, select: str | None = None) -> None:
        """Read the memos from disk again (keeping or setting the selection)."""
        try:
            self.memos = load_memos(self.store.folder, project=self.store.project)
        except DataError as err:
            self.memos = pd.DataFrame(columns=MEMO_COLUMNS)
            self.status.value = status_html("error", str(err))
        links = sorted({x for s in self.memos.get("links", pd.Series(dtype="string")).fillna("")
                        for x in str(s).split("; ") if x})
        self.link_filter.options = [ALL_LINKS, *links]
        self._refresh_list(select)

    def _found(self) -> pd.DataFrame:
        link = None if self.link_filter.value == ALL_LINKS else self.link_filter.value
        return search_memos(self.memos, self.search_text.value, link=link) if len(self.memos) else self.memos

    def _refresh_list(self, select: str | None = None) -> None:
        found = self._found()
        keep = select or self.memo_select.value
        self.memo_select.options = [(f"{r.memo_id}: {r.title}", r.memo_id) for r in found.itertuples()]
        ids = list(found["memo_id"]) if len(found) else []
        self.memo_select.value = keep if keep in ids else (ids[0] if ids else None)
        self._show()

    def _selected(self) -> dict | None:
        if self.memo_select.value is None or not len(self.memos):
            return None
        return self.memos.set_index("memo_id", drop=False).loc[self.memo_select.value].to_dict()

    def _show(self) -> None:
        memo = self._selected()
        self.memo_view.value = memo_html(memo)
        if memo is not None:
            self.title_text.value, self.body_text.value = memo["title"], memo["text"]
            self.links_text.value = " ".join(x for x in str(memo["links"] or "").split("; ") if x)

    def _clear(self) -> None:
        self.memo_select.value = None
        self.title_text.value = self.body_text.value = self.links_text.value = ""
        self.memo_view.value = memo_html(None)

    # ------------------------------------------------------------ actions

    def _save(self, new: bool) -> None:
        links = parse_links(self.links_text.value)
        try:
            if new:
                memo_id = self.store.add_memo(self.title_text.value, self.body_text.value, links, coder=self.coder)
                message = f"Saved new memo {memo_id}."
            else:
                memo_id = self.memo_select.value
                if memo_id is None:
                    self.status.value = status_html("error", "Select a memo to change, or save as a new memo.")
                    return
                self.store.edit_memo(memo_id, self.body_text.value, title=self.title_text.value, links=links,
                                     coder=self.coder)
                message = f"Saved memo {memo_id}."
        except DataError as err:  # refused, conflicts and save errors alike: nothing was written
            self.status.value = status_html("error", str(err))
            return
        self.search_text.value = ""
        self.link_filter.value = ALL_LINKS
        self.reload(select=memo_id)
        self.status.value = status_html("success", message)

    # ------------------------------------------------------------ static

    def static_html(self) -> str:
        """Every memo as a static HTML table (deterministic), for rendered notebooks."""
        return memos_table_html(self.memos)
