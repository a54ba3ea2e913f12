"""The adjudication widget: walk two coders' disagreements one by one and record each decision as ``consensus``."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w
import numpy as np
import pandas as pd

from ebm_analysis.coders import CONSENSUS, adjudicate, coder_disagreements, decisions
from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.widgets.core import status_html
from ebm_analysis.widgets.memos import LiveWidget

__all__ = ["AdjudicationWidget", "spans_mask", "disagreement_html"]

#: Background colours of the characters only A coded, only B coded, both coded.
COLORS = {"a": "#cfe2ff", "b": "#ffe0b3", "both": "#c8e6c9"}


def spans_mask(spans: str, length: int) -> np.ndarray:
    """A ``spans_a``/``spans_b`` value of :func:`~ebm_analysis.coders.coder_disagreements` as a mask.

    Examples
    --------
    >>> spans_mask("1–3; 5–6", 7).astype(int).tolist()
    [0, 1, 1, 0, 0, 1, 0]
    >>> int(spans_mask("whole", 4).sum()), int(spans_mask("", 4).sum())
    (4, 0)
    """
    mask = np.zeros(length, dtype=bool)
    if spans == "whole":
        mask[:] = True
    elif spans:
        for part in spans.split("; "):
            start, end = part.split("–")
            mask[int(start):int(end)] = True
    return mask


def disagreement_html(row: pd.Series | dict) -> str:
    """One disagreement: the segment's text with what A only, B only and both coded marked, and a key.

    Examples
    --------
    >>> row = {"disagreement_id": "E1/x", "code_id": "x", "coder_a": "ann", "coder_b": "bo",
    ...        "coded_by": "both, spans differ", "spans_a": "0–2", "spans_b": "1–3", "text_sv": "abcd",
    ...        "text_en": "ABCD"}
    >>> "ann only" in disagreement_html(row) and "<mark" in disagreement_html(row)
    True
    """
    text = str(row["text_sv"])
    a, b = spans_mask(str(row["spans_a"] or ""), len(text)), spans_mask(str(row["spans_b"] or ""), len(text))
    state = np.where(a & b, 3, np.where(a, 1, np.where(b, 2, 0)))
    parts, i = [], 0
    names = {1: "a", 2: "b", 3: "both"}
    while i < len(text):
        j = i
        while j < len(text) and state[j] == state[i]:
            j += 1
        chunk = html.escape(text[i:j])
        if state[i]:
            parts.append(f'<mark style="background:{COLORS[names[int(state[i])]]}">{chunk}</mark>')
        else:
            parts.append(chunk)
        i = j
    key = " ".join(f'<mark style="background:{COLORS[k]}">{html.escape(label)}</mark>'
                   for k, label in (("a", f"{row['coder_a']} only"), ("b", f"{row['coder_b']} only"),
                                    ("both", "both")))
    english = row.get("text_en")
    english = f'<div style="color:#555"><i>{html.escape(str(english))}</i></div>' if isinstance(english, str) else ""
    return (f'<div class="ebm-disagreement"><b>{html.escape(str(row["disagreement_id"]))}</b> — code '
            f"<code>{html.escape(str(row['code_id']))}</code>: {html.escape(str(row['coded_by']))}<br>"
            f"<small>{key}</small><div style='white-space:pre-wrap;margin-top:4px'>{''.join(parts)}</div>"
            f"{english}</div>")


class AdjudicationWidget(LiveWidget):
    """Walk the disagreements between two coders and record a decision, with a reason, for each.

    Each decision is saved at once (:func:`~ebm_analysis.coders.adjudicate`)
    as codings by ``consensus``; after a decision the next undecided
    disagreement is shown.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; None means the bundled EBM data.
    coder_a, coder_b : str
        The two coders compared.
    adjudicator : str, default "adjudicator"
        Who decides (logged).
    level : {"code", "top"}, default "code"
        As :func:`~ebm_analysis.coders.coder_disagreements`.
    consensus : str, default "consensus"
        The coder the decisions are recorded as.

    Attributes
    ----------
    table : DataFrame
        The disagreements (:func:`~ebm_analysis.coders.coder_disagreements`).
    position : int
        The index shown.
    view : HTML
        The disagreement shown, the two codings marked.
    progress : HTML
        "3 of 17 · 2 decided".
    decision : ToggleButtons
        Values ``a``, ``b``, ``both``, ``neither`` (labelled with the coders' names).
    reason_text : Textarea
        Why (required).
    decide_button, previous_button, next_button
        Record the decision; move.
    status : HTML
        What the last action did, or why it was refused.
    """

    live_name = "AdjudicationWidget"

    def __init__(self, data_dir: str | Path | None = None, coder_a: str = "coder1", coder_b: str = "coder2", *,
                 adjudicator: str = "adjudicator", level: str = "code", consensus: str = CONSENSUS):
        self.store = CodingStore.open(data_dir, coder=adjudicator)
        self.coder_a, self.coder_b, self.level, self.consensus = coder_a, coder_b, level, consensus
        self.table = coder_disagreements(self.store.project, coder_a, coder_b, level=level)
        self.position = 0
        self.view = w.HTML()
        self.progress = w.HTML()
        self.decision = w.ToggleButtons(options=[(f"{coder_a}'s", "a"), (f"{coder_b}'s", "b"), ("both", "both"),
                                                 ("neither", "neither")], value="a", description="Keep")
        self.reason_text = w.Textarea(description="Reason", placeholder="why (required)",
                                      layout=w.Layout(width="100%", height="4em"))
        self.decide_button = w.Button(description="Record decision", button_style="primary")
        self.previous_button = w.Button(description="◀ Previous")
        self.next_button = w.Button(description="Next ▶")
        self.status = w.HTML()
        for widget, name in ((self.decide_button, "ebm-adjudicate-decide"), (self.status, "ebm-adjudicate-status"),
                             (self.view, "ebm-adjudicate-view")):
            widget.add_class(name)
        self.decide_button.on_click(lambda _: self.decide())
        self.previous_button.on_click(lambda _: self.go(self.position - 1))
        self.next_button.on_click(lambda _: self.go(self.position + 1))
        super().__init__([self.progress, self.view, self.decision, self.reason_text,
                          w.HBox([self.previous_button, self.decide_button, self.next_button, self.status])])
        self.go(self._next_undecided(0))

    # ------------------------------------------------------------ state

    def decided(self) -> pd.DataFrame:
        """The decisions recorded so far between the two coders (:func:`~ebm_analysis.coders.decisions`)."""
        return decisions(self.store.folder, self.coder_a, self.coder_b)

    def _next_undecided(self, start: int) -> int:
        done = set(self.decided()["disagreement_id"])
        ids = list(self.table["disagreement_id"])
        for i in list(range(start, len(ids))) + list(range(0, start)):
            if ids[i] not in done:
                return i
        return min(start, max(len(ids) - 1, 0))

    def go(self, position: int) -> None:
        """Show the disagreement at ``position`` (clamped to the table)."""
        n = len(self.table)
        self.position = max(0, min(position, n - 1)) if n else 0
        done = self.decided().set_index("disagreement_id") if n else pd.DataFrame()
        if not n:
            self.view.value = "<p><i>The two coders do not disagree anywhere.</i></p>"
            self.progress.value = "0 disagreements"
            return
        row = self.table.iloc[self.position]
        self.view.value = disagreement_html(row)
        mark = ""
        if row["disagreement_id"] in done.index:
            d = done.loc[row["disagreement_id"]]
            mark = f" · decided: kept {html.escape(str(d['kept']))} ({html.escape(str(d['reason']))})"
        self.progress.value = (f"<b>{self.position + 1} of {n}</b> · {len(done)} decided{mark}")
        self.reason_text.value = ""

    # ------------------------------------------------------------ actions

    def decide(self) -> None:
        """Record the chosen decision with the reason for the disagreement shown, then show the next undecided."""
        if not len(self.table):
            return
        row = self.table.iloc[self.position]
        try:
            made = adjudicate(self.store, row, self.decision.value, self.reason_text.value,
                              consensus=self.consensus)
        except DataError as err:
            self.status.value = status_html("error", str(err))
            return
        self.status.value = status_html("success", f"Saved: {row['disagreement_id']} → {self.decision.value} "
                                        f"({len(made)} consensus coding(s)).")
        self.go(self._next_undecided(self.position + 1))

    # ------------------------------------------------------------ static

    def static_html(self) -> str:
        """Every disagreement with its decision so far, as a static HTML table (deterministic)."""
        done = self.decided().set_index("disagreement_id")
        rows = []
        for r in self.table.itertuples(index=False):
            decided = done.loc[r.disagreement_id] if r.disagreement_id in done.index else None
            cells = [r.disagreement_id, r.coded_by, r.spans_a, r.spans_b,
                     "" if decided is None else decided["kept"], "" if decided is None else decided["reason"]]
            rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
        head = "".join(f"<th>{h}</th>" for h in ("Disagreement", "Coded by", f"Spans {self.coder_a}",
                                                  f"Spans {self.coder_b}", "Coding kept", "Reason"))
        return f'<table class="ebm-adjudication"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
