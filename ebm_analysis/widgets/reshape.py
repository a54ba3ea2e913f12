"""The *Reshape the codebook* panel's plain parts: reading the split form, the table of codings to re-assign.

The coding workbench (:class:`~ebm_analysis.widgets.workbench.CodingWidget`)
lets the researcher rename, move, retire and split a code. The actions
themselves are :class:`~ebm_analysis.widgets.core.Workbench` methods that
call the store (:mod:`ebm_analysis.codebook_ops`); this module holds what
they need around it, without ipywidgets: :func:`parse_new_codes` reads the
lines typed in the split form, :func:`split_table_html` shows the codings a
split lists for re-assignment.
"""

from __future__ import annotations

import html
from typing import Mapping

import pandas as pd

from ebm_analysis.errors import DataError, Problem

__all__ = ["SPLIT_FORM", "parse_new_codes", "split_table_html"]

#: The name under which a problem in the split form is reported (it is typed, not read from a file).
SPLIT_FORM = "(the split form)"


def parse_new_codes(text: str) -> list[dict[str, str]]:
    """The new codes typed in the split form, one per line as ``id; name_sv; name_en``.

    Blank lines are skipped; spaces around each field are dropped.

    Parameters
    ----------
    text : str
        What the researcher typed.

    Returns
    -------
    list of dict
        One ``{"code_id", "name_sv", "name_en"}`` per line, in order.

    Raises
    ------
    DataError
        Naming every line that does not have exactly three non-empty fields
        (line numbers count from 1 in the form), and a form with no line.

    Examples
    --------
    >>> parse_new_codes("trust_peer; tillit till kollegor; trust in peers\\n\\n"
    ...                 "trust_user ;tillit till brukare; trust in service users")[1]
    {'code_id': 'trust_user', 'name_sv': 'tillit till brukare', 'name_en': 'trust in service users'}
    >>> parse_new_codes("trust_peer; tillit")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - (the split form), line 1: found 'trust_peer; tillit' (2 fields); write each new code on its own line as id; name_sv; name_en
    """
    problems, codes = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(";")]
        if len(fields) != 3 or not all(fields):
            found = f"'{line.strip()}' ({len(fields)} field{'s' if len(fields) != 1 else ''}" + \
                    (", one empty)" if len(fields) == 3 else ")")
            problems.append(Problem(SPLIT_FORM, number, None, found,
                                    "write each new code on its own line as id; name_sv; name_en"))
            continue
        codes.append(dict(zip(("code_id", "name_sv", "name_en"), fields)))
    if problems:
        raise DataError(problems)
    if not codes:
        raise DataError(Problem(SPLIT_FORM, None, None, "no line",
                                "write the new codes, one per line as id; name_sv; name_en"))
    return codes


def _span(start, end) -> str:
    return "whole segment" if pd.isna(start) else f"{int(start)}–{int(end)}"


def _coded_text(row, texts: Mapping[str, str]) -> str:
    if pd.notna(row.span_text) and str(row.span_text):
        return str(row.span_text)
    whole = " ".join(str(texts.get(row.segment_id, "")).split())
    return whole if len(whole) <= 160 else whole[:159] + "…"


def split_table_html(table: pd.DataFrame, code_id: str, texts: Mapping[str, str] | None = None) -> str:
    """The codings a split lists for re-assignment (:data:`~ebm_analysis.codebook_ops.SPLIT_COLUMNS`), as HTML.

    Parameters
    ----------
    table : DataFrame
        What :meth:`~ebm_analysis.coding.CodingStore.split_code` returned.
    code_id : str
        The code that was split.
    texts : mapping of str to str, optional
        Segment id to ``text_sv``: the coded text of a whole-segment coding
        (its ``span_text`` is empty), cut after 160 characters.

    Examples
    --------
    >>> empty = pd.DataFrame(columns=["coding_id", "segment_id", "coder", "start", "end", "span_text", "memo",
    ...                               "code_id", "candidates"])
    >>> split_table_html(empty, "stress")
    '<p class="ebm-split-table"><em>stress has no codings: nothing to re-assign.</em></p>'
    """
    if table.empty:
        return (f'<p class="ebm-split-table"><em>{html.escape(code_id)} has no codings: nothing to '
                "re-assign.</em></p>")
    rows = "".join(
        f'<tr><td style="white-space:nowrap">{html.escape(str(r.coding_id))}</td>'
        f"<td>{html.escape(str(r.segment_id))}</td>"
        f'<td style="white-space:nowrap;padding-right:0.8em">{_span(r.start, r.end)}</td>'
        f'<td lang="sv">{html.escape(_coded_text(r, texts or {}))}</td>'
        f"<td>{html.escape(str(r.coder))}</td></tr>" for r in table.itertuples())
    head = "".join(f'<th style="text-align:left;padding-right:0.8em">{h}</th>'
                   for h in ("Coding", "Segment", "Span", "Coded text", "Coder"))
    candidates = html.escape(str(table["candidates"].iloc[0]).replace(";", ","))
    return (f'<div class="ebm-split-table"><p>{len(table)} coding(s) of <b>{html.escape(code_id)}</b> to '
            f"re-assign to {candidates} (pick its segment, select it in <em>Codings</em>, choose the new code "
            f"and click <em>Recode</em>; retire {html.escape(code_id)} when none is left):</p>"
            f'<div style="max-height:14em;overflow-y:auto"><table style="width:100%;border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div></div>")
