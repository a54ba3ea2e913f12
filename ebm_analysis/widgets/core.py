"""The logic behind the widgets, as plain functions and classes (no ipywidgets).

Everything the coding workbench and the theme explorer *do* lives here, so it
can be tested without a browser or a kernel: splitting a segment into
sentences, the indented code tree, filtering segments, the highlighted HTML of
a segment, the coding actions with their status messages
(:class:`Workbench`), and the theme queries and their HTML tables. The
widgets in :mod:`ebm_analysis.widgets.workbench` and
:mod:`ebm_analysis.widgets.explorer` only arrange these on screen.

All HTML produced here is deterministic (no ids, no timestamps, no paths)
and escapes every text taken from the data.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ebm_analysis.coding import CodingStore, ConcurrentEditError
from ebm_analysis.errors import DataError
from ebm_analysis.lock import LockTimeoutError, SaveError, save_error
from ebm_analysis.labels import current_language, label
from ebm_analysis.queries import (
    CodedData, ORDERS, code_by_meeting, descendants, retrieve, search_text, segment_table,
)
from ebm_analysis.widgets.reshape import parse_new_codes
from ebm_analysis.widgets.shades import DEFAULT_COLOR, code_colors

__all__ = [
    "ALL", "NO_MEETING", "WHOLE", "CHARS", "sentence_spans", "code_tree", "code_options", "search_codes",
    "filter_segments", "highlight_html", "codings_html", "Outcome", "Workbench", "theme_quotes",
    "theme_by_meeting", "quotes_html", "meeting_bars_html", "segments_html", "status_html",
]

#: Filter value meaning "no filter".
ALL = ""
#: Meeting filter value for segments placed at no meeting (most interviews).
NO_MEETING = "none"
#: Span choice: the whole segment (``start`` and ``end`` empty).
WHOLE = "whole"
#: Span choice: the character positions typed in.
CHARS = "chars"

_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+[\"”“'(\[]?[A-ZÅÄÖÉÜ0-9])")


# ---------------------------------------------------------------- text

def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of a text, as ``(start, end)`` character offsets (end exclusive).

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quote
    or bracket) followed by white space and a capital letter, digit or
    opening quote; abbreviations such as ``t.ex.`` followed by a lower-case
    word do not end one. Spans carry no leading or trailing white space, as
    the coding conventions ask.

    Parameters
    ----------
    text : str
        A segment's ``text_sv``.

    Returns
    -------
    list of tuple of int
        In order; empty for an empty or blank text.

    Examples
    --------
    >>> text = "Vi träffades. Det var t.ex. bra! ”Ja.” Slut"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Vi träffades.', 'Det var t.ex. bra!', '”Ja.”', 'Slut']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        _append_trimmed(spans, text, start, match.end())
        start = match.end()
    _append_trimmed(spans, text, start, len(text))
    return spans


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    if start + lead < end - trail:
        spans.append((start + lead, end - trail))


def shorten(text: str, n: int = 70) -> str:
    """``text`` cut to ``n`` characters with an ellipsis.

    Examples
    --------
    >>> shorten("abcdefgh", 5)
    'abcd…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- the code tree

def code_tree(codebook: pd.DataFrame) -> pd.DataFrame:
    """The codebook in tree order (each code followed by its sub-codes), with depth and path.

    Parameters
    ----------
    codebook : DataFrame
        With ``code_id``, ``parent_id`` and optionally ``name_en``,
        ``color``, ``status``.

    Returns
    -------
    DataFrame
        ``code_id``, ``depth`` (0 for top-level codes), ``path``
        (``"parent > child"``; below five levels ``"top > … > child"``), ``name_en``, ``color`` (the codebook colour,
        or a grey where none is given), ``status``.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "b", "a1"], "parent_id": [None, None, "a"]})
    >>> code_tree(book)[["code_id", "depth", "path"]].values.tolist()
    [['a', 0, 'a'], ['a1', 1, 'a > a1'], ['b', 0, 'b']]
    >>> chain = pd.DataFrame({"code_id": list("abcdefg"), "parent_id": [None, *"abcdef"]})
    >>> code_tree(chain)["path"].iloc[-1]
    'a > … > c > d > e > f > g'
    """
    book = codebook.reset_index(drop=True)
    ids = book["code_id"].tolist()
    parent = dict(zip(ids, book["parent_id"]))
    names = book["name_en"].tolist() if "name_en" in book.columns else ids
    colors = book["color"].tolist() if "color" in book.columns else [None] * len(ids)
    statuses = book["status"].tolist() if "status" in book.columns else ["active"] * len(ids)
    out = []
    for i, depth, path in _tree_walk(ids, parent):
        color = colors[i]
        out.append({
            "code_id": ids[i], "depth": depth, "path": path,
            "name_en": str(names[i]), "color": str(color) if pd.notna(color) else DEFAULT_COLOR,
            "status": str(statuses[i]),
        })
    return pd.DataFrame(out, columns=["code_id", "depth", "path", "name_en", "color", "status"])


PATH_SHOWN = 5  # a deeper code's path shows its top-level code, "…" and its last ancestors


def _tree_walk(ids: list, parent: dict):
    """``(row, depth, path)`` per code in tree order, in time linear in the codebook.

    ``path`` is ``"top > … > parent > code"``: the top-level code and at most
    ``PATH_SHOWN`` codes below it, ending with the code itself. Codes under a
    missing parent, or in a cycle (which the loader refuses), come last, as
    if top-level.
    """
    position = {code: i for i, code in enumerate(ids)}
    children: dict[str, list[int]] = {}
    roots = []
    for i, code in enumerate(ids):
        up = parent.get(code)
        if pd.isna(up):
            roots.append(i)
        elif up in position and up != code:
            children.setdefault(up, []).append(i)
    seen = [False] * len(ids)
    for start in [*roots, *range(len(ids))]:
        if seen[start]:
            continue
        stack = [(start, 0, ids[start], ())]
        while stack:
            i, depth, top, tail = stack.pop()
            if seen[i]:
                continue
            seen[i] = True
            shown = (top, *tail) if len(tail) == depth else (top, "…", *tail)
            yield i, depth, " > ".join(shown)
            for child in reversed(children.get(ids[i], [])):
                stack.append((child, depth + 1, top, (*tail, ids[child])[-PATH_SHOWN:]))


def code_options(codebook: pd.DataFrame, top_only: bool = False, search: str = "",
                 paths: bool = True) -> list[tuple[str, str]]:
    """``(label, code_id)`` pairs for a dropdown: the code tree, indented, ``parent > child``.

    Indentation uses no-break spaces (browsers collapse ordinary ones in a
    list). Codes whose status is ``unused`` are marked so; ``retired`` codes are left out.

    Parameters
    ----------
    codebook : DataFrame
        ``code_id``, ``parent_id``, optionally ``name_en``, ``name_sv``, ``status``.
    top_only : bool, default False
        Only the top-level codes.
    search : str, optional
        Keep the codes whose id, Swedish or English name contains this text
        (case-insensitive), with their parents (so the tree stays readable)
        and their sub-codes.
    paths : bool, default True
        Label a sub-code with its path (``parent > child``); False: with its
        id only (for a list where the indentation shows the tree).

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a1", "b"], "parent_id": [None, "a", None],
    ...                      "name_en": ["Alpha", "Alpha one", "Beta"], "name_sv": ["alfa", "ett", "beta"]})
    >>> [label.replace("\\u00a0", "_") for label, _ in code_options(book)]
    ['a — Alpha', '____a > a1 — Alpha one', 'b — Beta']
    >>> code_options(book, top_only=True)
    [('a — Alpha', 'a'), ('b — Beta', 'b')]
    >>> [code for _, code in code_options(book, search="ETT")]
    ['a', 'a1']
    >>> [label.replace("\\u00a0", "_") for label, _ in code_options(book, paths=False)][1]
    '____a1 — Alpha one'

    """
    tree = code_tree(codebook)
    if top_only:
        tree = tree[tree["depth"] == 0]
    tree = tree[tree["status"] != "retired"]  # retired codes take no new codings (ebm_analysis.codebook_ops)
    if search.strip():
        hits = set(search_codes(codebook, search))
        parent = dict(zip(codebook["code_id"], codebook["parent_id"]))
        keep = set()
        for code in tree["code_id"]:
            chain = [code]  # the code and its ancestors, nearest first
            while pd.notna(parent.get(chain[-1])) and parent[chain[-1]] not in chain:
                chain.append(parent[chain[-1]])
            if any(c in hits for c in chain):  # a match, or under one: keep it and its ancestors up to the top
                keep.update(chain)
        tree = tree[tree["code_id"].isin(keep)]
    options = []
    for row in tree.itertuples():
        text = f"{chr(0xA0) * 4 * min(row.depth, PATH_SHOWN)}{row.path if paths else row.code_id} — {row.name_en}"
        if row.status == "unused":
            text += " (unused)"
        options.append((text, row.code_id))
    return options


def search_codes(codebook: pd.DataFrame, query: str) -> list[str]:
    """The codes whose id, English or Swedish name contains ``query`` (case-insensitive), in tree order.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a1"], "parent_id": [None, "a"], "name_sv": ["alfa", "Tillit"]})
    >>> search_codes(book, "TILL"), search_codes(book, "a")
    (['a1'], ['a', 'a1'])
    """
    query = query.strip().casefold()
    book = codebook.set_index("code_id")
    hits = []
    for code in code_tree(codebook)["code_id"]:
        names = [code] + [str(book.at[code, col]) for col in ("name_en", "name_sv")
                          if col in book.columns and pd.notna(book.at[code, col])]
        if any(query in name.casefold() for name in names):
            hits.append(code)
    return hits


# ---------------------------------------------------------------- filtering

def filter_segments(data: CodedData, *, source_type: str = ALL, meeting: int | str = ALL, role: str = ALL,
                    code: str = ALL, search: str = "") -> pd.DataFrame:
    """The segments that pass every filter given, in data order.

    Parameters
    ----------
    data : CodedData
        Segments (as :func:`~ebm_analysis.queries.segment_table`), codings, codebook.
    source_type, role : str, optional
        Keep this ``source_type`` / ``speaker_role``; :data:`ALL` (``""``)
        keeps all.
    meeting : int or str, optional
        A meeting number, :data:`NO_MEETING` for segments without one, or
        :data:`ALL`.
    code : str, optional
        Keep segments coded with this code or any of its sub-codes.
    search : str, optional
        Keep segments whose Swedish or English text contains this text
        (case-insensitive, via :func:`~ebm_analysis.queries.search_text`).

    Returns
    -------
    DataFrame
        The segment rows, plus ``codes`` (the segment's code ids, comma
        separated, in coding order) and ``hits`` (number of search matches;
        0 without a search).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1", "O1"], "source_type": ["interview", "observation_note"],
    ...     "speaker_role": ["social_secretary", "observer"], "meeting": pd.array([None, 2], dtype="Int64"),
    ...     "text_sv": ["Tillit är viktigt.", "Vi talade."], "text_en": ["Trust matters.", "We talked."]})
    >>> book = pd.DataFrame({"code_id": ["soft", "trust"], "parent_id": [None, "soft"]})
    >>> cod = pd.DataFrame({"coding_id": ["K1"], "segment_id": ["E1"], "code_id": ["trust"],
    ...     "start": pd.array([None], dtype="Int64"), "end": pd.array([None], dtype="Int64")})
    >>> data = CodedData(seg, cod, book)
    >>> filter_segments(data, code="soft")["segment_id"].tolist()
    ['E1']
    >>> filter_segments(data, meeting=NO_MEETING, search="trust")[["segment_id", "hits"]].values.tolist()
    [['E1', 1]]
    """
    seg = data.segments
    keep = pd.Series(True, index=seg.index)
    if source_type != ALL:
        keep &= (seg["source_type"] == source_type).fillna(False)
    if role != ALL:
        keep &= (seg["speaker_role"] == role).fillna(False)
    if meeting == NO_MEETING:
        keep &= seg["meeting"].isna()
    elif meeting != ALL:
        keep &= (seg["meeting"] == int(meeting)).fillna(False)
    cod = data.codings
    if code != ALL:
        wanted = descendants(data.codebook, code, include_self=True)
        keep &= seg["segment_id"].isin(cod.loc[cod["code_id"].isin(wanted), "segment_id"])
    hits = pd.Series(0, index=seg.index, dtype="int64")
    if search and search.strip():
        found = pd.concat([search_text(data, search.strip(), language=lang) for lang in ("sv", "en")])
        counts = found["segment_id"].value_counts()
        hits = seg["segment_id"].map(counts).fillna(0).astype("int64")
        keep &= hits > 0
    out = seg[keep.astype(bool)].copy()
    codes = cod.groupby("segment_id", sort=False)["code_id"].agg(lambda s: ", ".join(s))
    out["codes"] = out["segment_id"].map(codes).fillna("").astype("string")
    out["hits"] = hits[keep.astype(bool)].to_numpy()
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- highlighting

def _spans(text: str, codings: pd.DataFrame) -> list[tuple[str, str, int, int]]:
    spans = []
    for row in codings.itertuples():
        start = 0 if pd.isna(row.start) else int(row.start)
        end = len(text) if pd.isna(row.end) else int(row.end)
        spans.append((str(row.coding_id), str(row.code_id), start, end))
    return spans


def highlight_html(text: str, codings: pd.DataFrame, codebook: pd.DataFrame,
                   hits: list[tuple[int, int]] | None = None) -> str:
    """A segment's text as HTML, each coded span in a ``<mark>`` coloured by its code.

    The text is cut at every span boundary; each piece covered by codings is
    one ``<mark class="ebm-mark">`` whose ``data-codings`` and ``data-codes``
    list the codings and codes covering it (narrowest first), whose
    background is the narrowest coding's display colour (:func:`~ebm_analysis.widgets.shades.code_colors`:
    each sub-code a shade of its parent's colour), and whose further
    codings show as coloured underlines. A whole-segment coding covers the
    whole text. Search matches (``hits``) are underlined with
    ``<u class="ebm-hit">``. Every piece of text is HTML-escaped.

    Parameters
    ----------
    text : str
        The segment's ``text_sv``.
    codings : DataFrame
        The segment's codings (``coding_id``, ``code_id``, ``start``, ``end``).
    codebook : DataFrame
        For the colours (``code_id``, ``color``).
    hits : list of (start, end), optional
        Spans to underline.

    Returns
    -------
    str
        A ``<div class="ebm-segment-text">``.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a"], "parent_id": [None], "color": ["#ff0000"]})
    >>> cod = pd.DataFrame({"coding_id": ["K1"], "code_id": ["a"], "start": [3], "end": [6]})
    >>> print(highlight_html("Ja <b> nej", cod, book))  # doctest: +NORMALIZE_WHITESPACE
    <div class="ebm-segment-text" lang="sv" style="white-space:pre-wrap;line-height:1.7">Ja
    <mark class="ebm-mark" data-codings="K1" data-codes="a" title="a (K1)"
    style="background-color:#ff000066;padding:0">&lt;b&gt;</mark> nej</div>
    """
    colors = code_colors(codebook)
    spans = _spans(text, codings)
    hits = list(hits or [])
    cuts = sorted({0, len(text), *(p for _, _, s, e in spans for p in (s, e)),
                   *(p for s, e in hits for p in (s, e))})
    parts = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        piece = html.escape(text[a:b])
        if any(s <= a and b <= e for s, e in hits):
            piece = f'<u class="ebm-hit">{piece}</u>'
        cover = sorted((sp for sp in spans if sp[2] <= a and b <= sp[3]), key=lambda sp: (sp[3] - sp[2], sp[0]))
        if cover:
            cols = [colors.get(code, DEFAULT_COLOR) for _, code, _, _ in cover]
            style = f"background-color:{cols[0]}66;padding:0"
            if len(cols) > 1:
                shadows = ",".join(f"inset 0 -{3 * k}px 0 {c}" for k, c in enumerate(cols[1:], start=1))
                style += f";box-shadow:{shadows}"
            ids = " ".join(cid for cid, _, _, _ in cover)
            codes = " ".join(code for _, code, _, _ in cover)
            title = "; ".join(f"{code} ({cid})" for cid, code, _, _ in cover)
            piece = (f'<mark class="ebm-mark" data-codings="{html.escape(ids)}" data-codes="{html.escape(codes)}" '
                     f'title="{html.escape(title)}" style="{style}">{piece}</mark>')
        parts.append(piece)
    return ('<div class="ebm-segment-text" lang="sv" style="white-space:pre-wrap;line-height:1.7">'
            + "".join(parts) + "</div>")


def _span_text(start, end) -> str:
    return "whole segment" if pd.isna(start) else f"{int(start)}–{int(end)}"


def codings_html(text: str, codings: pd.DataFrame, codebook: pd.DataFrame) -> str:
    """A table of a segment's codings: colour, coding, code, span, coded text, coder, memo.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a"], "parent_id": [None], "name_en": ["A"], "color": ["#ff0000"]})
    >>> cod = pd.DataFrame({"coding_id": ["K1"], "code_id": ["a"], "coder": ["c1"],
    ...                     "start": [None], "end": [None], "memo": [None]})
    >>> "whole segment" in codings_html("abc", cod, book)
    True
    """
    if codings.empty:
        return '<p class="ebm-codings"><em>No codings yet.</em></p>'
    paths = code_tree(codebook).set_index("code_id")
    colors = code_colors(codebook)
    rows = []
    for row in codings.itertuples():
        color = colors.get(row.code_id, DEFAULT_COLOR)
        path = paths.at[row.code_id, "path"] if row.code_id in paths.index else row.code_id
        coded = text if pd.isna(row.start) else text[int(row.start):int(row.end)]
        memo = "" if pd.isna(row.memo) else str(row.memo)
        rows.append(
            f'<tr><td><span style="display:inline-block;width:1em;height:1em;background:{color}"></span></td>'
            f'<td style="white-space:nowrap">{html.escape(str(row.coding_id))}</td>'
            f"<td>{html.escape(str(path))}</td>"
            f'<td style="white-space:nowrap">{_span_text(row.start, row.end)}</td>'
            f'<td lang="sv">{html.escape(coded)}</td>'
            f"<td>{html.escape(str(row.coder))}</td><td>{html.escape(memo)}</td></tr>")
    head = "".join(f'<th style="white-space:nowrap;text-align:left;padding-right:0.8em">{h}</th>'
                   for h in ("", "Coding", "Code", "Span", "Coded text", "Coder", "Memo"))
    return (f'<table class="ebm-codings" style="width:100%;border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def segments_html(table: pd.DataFrame, max_rows: int = 15, lang: str | None = None) -> str:
    """A table of segments (as :func:`filter_segments` returns), the first ``max_rows`` of them, texts whole.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["E1"], "source_type": ["interview"], "speaker_role": ["unknown"],
    ...     "meeting": pd.array([None], dtype="Int64"), "codes": ["a"], "text_sv": ["Hej <du>"]})
    >>> "Hej &lt;du&gt;" in segments_html(seg, lang="en")
    True
    """
    lang = lang or current_language()
    rows = []
    for row in table.head(max_rows).itertuples():
        meeting = "" if pd.isna(row.meeting) else str(int(row.meeting))
        rows.append(f"<tr><td>{html.escape(str(row.segment_id))}</td><td>{html.escape(label(str(row.source_type), lang))}</td>"
                    f"<td>{html.escape(label(str(row.speaker_role), lang))}</td><td>{meeting}</td>"
                    f"<td>{html.escape(str(row.codes))}</td><td lang=\"sv\">{html.escape(str(row.text_sv))}</td></tr>")
    more = len(table) - min(len(table), max_rows)
    if more:
        rows.append(f'<tr><td colspan="6"><em>… and {more} more segment{"s" if more != 1 else ""}</em></td></tr>')
    head = "".join(f"<th>{h}</th>" for h in ("Segment", "Source", "Speaker", "Meeting", "Codes", "Swedish text"))
    return (f'<table class="ebm-segments"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def status_html(kind: str, message: str) -> str:
    """The status line: ``kind`` is success, info, error or conflict (errors and conflicts in red).

    Examples
    --------
    >>> status_html("error", "a <b>")
    '<div class="ebm-status-message ebm-status-error" style="color:#b00020"><b>Error:</b> a &lt;b&gt;</div>'
    """
    colors = {"success": "#1b5e20", "info": "#333333", "error": "#b00020", "conflict": "#b00020"}
    heads = {"success": "Saved:", "info": "", "error": "Error:", "conflict": "Not saved — edit conflict:"}
    head = f"<b>{heads.get(kind, '')}</b> " if heads.get(kind) else ""
    body = html.escape(message).replace("\n", "<br>")
    return (f'<div class="ebm-status-message ebm-status-{kind}" style="color:{colors.get(kind, "#333333")}">'
            f"{head}{body}</div>")


# ---------------------------------------------------------------- the coding actions

@dataclass(frozen=True)
class Outcome:
    """What a coding action did, for the status area.

    Attributes
    ----------
    kind : str
        ``success``, ``info``, ``error`` (the change was refused, nothing
        saved) or ``conflict`` (another writer changed the files; nothing
        saved; reload).
    message : str
        Plain text for the researcher.
    coding_id : str or None
        The new coding's id, after :meth:`Workbench.apply`; the new memo's
        id after :meth:`Workbench.add_memo`.
    table : DataFrame or None
        After :meth:`Workbench.split_code`: the codings listed for
        re-assignment (:data:`~ebm_analysis.codebook_ops.SPLIT_COLUMNS`).
    """

    kind: str
    message: str
    coding_id: str | None = None
    table: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when the change was made (or nothing needed doing)."""
        return self.kind in ("success", "info")


def conflict_message(err: ConcurrentEditError) -> str:
    """The status text for a :class:`~ebm_analysis.coding.ConcurrentEditError` (no paths).

    Examples
    --------
    >>> from pathlib import Path
    >>> print(conflict_message(ConcurrentEditError("codings.csv", Path("data"))))  # doctest: +ELLIPSIS
    Another kernel or program changed codings.csv in this data folder since this workbench loaded it. ...
    """
    file = err.problems[0].file if err.problems else "the data files"
    return (f"Another kernel or program changed {file} in this data folder since this workbench loaded it. "
            "Your change was NOT saved, and nothing on disk was overwritten. "
            "Click “Reload” to load the other changes, then redo your change.")


class Workbench:
    """The coding workbench without a screen: a :class:`~ebm_analysis.coding.CodingStore`,
    a coder, and the segments, with actions that return an :class:`Outcome`.

    Every action saves at once through the store (a transaction appended to
    the change log, see :mod:`ebm_analysis.coding`). Nothing an action can
    run into raises: refused changes, edit conflicts, a read-only folder or
    file, a full disk, a missing permission, another writer holding the lock
    too long, all come back as an :class:`Outcome` of kind ``error`` or
    ``conflict``, which the widget shows.

    Parameters
    ----------
    store : CodingStore
        The open store.
    coder : str
        Written in the ``coder`` column of new codings.

    Examples
    --------
    >>> bench = Workbench.open(None, coder="coder1")
    >>> bench.sentences("E001")
    [(0, 12)]
    >>> bench.undo().kind
    'error'
    """

    def __init__(self, store: CodingStore, coder: str = "coder1"):
        self.store = store
        self.coder = coder
        self.segments = segment_table(store.project)

    @classmethod
    def open(cls, data_dir: str | Path | None = None, coder: str = "coder1") -> Workbench:
        """Open the data folder (None: the bundled EBM data) for coding as ``coder``."""
        return cls(CodingStore.open(data_dir, coder=coder), coder)

    # ------------------------------------------------------------ views

    @property
    def data(self) -> CodedData:
        """Segments, current codings and codebook, for the queries."""
        return CodedData(self.segments, self.store.codings, self.store.codebook)

    @property
    def code_colors(self) -> dict[str, str]:
        """The display colour of each code (:func:`~ebm_analysis.widgets.shades.code_colors`)."""
        return code_colors(self.store.codebook)

    def filter(self, **filters) -> pd.DataFrame:
        """:func:`filter_segments` on the current data."""
        return filter_segments(self.data, **filters)

    def text(self, segment_id: str) -> str:
        """A segment's ``text_sv``."""
        return str(self.segments.set_index("segment_id").at[segment_id, "text_sv"])

    def text_en(self, segment_id: str) -> str:
        """A segment's ``text_en``."""
        return str(self.segments.set_index("segment_id").at[segment_id, "text_en"])

    def codings_of(self, segment_id: str) -> pd.DataFrame:
        """The segment's codings, by span start (whole-segment codings first), then coding id."""
        cod = self.store.codings
        cod = cod[cod["segment_id"] == segment_id]
        return cod.sort_values(["start", "coding_id"], na_position="first", kind="stable").reset_index(drop=True)

    def sentences(self, segment_id: str) -> list[tuple[int, int]]:
        """:func:`sentence_spans` of the segment's ``text_sv``."""
        return sentence_spans(self.text(segment_id))

    def segment_html(self, segment_id: str, search: str = "") -> str:
        """The segment highlighted (:func:`highlight_html`), its English translation and its codings."""
        return self.view_html(segment_id, search) + self.codings_table_html(segment_id)

    def codings_table_html(self, segment_id: str) -> str:
        """The table of the segment's codings (:func:`codings_html`)."""
        return codings_html(self.text(segment_id), self.codings_of(segment_id), self.store.codebook)

    def view_html(self, segment_id: str, search: str = "") -> str:
        """The segment's head line, its Swedish text highlighted (:func:`highlight_html`) and its English."""
        text = self.text(segment_id)
        book = self.store.codebook
        cod = self.codings_of(segment_id)
        hits = []
        if search and search.strip():
            found = search_text(self.data, search.strip(), language="sv")
            found = found[found["segment_id"] == segment_id]
            hits = list(zip(found["start"].tolist(), found["end"].tolist()))
        row = self.segments.set_index("segment_id").loc[segment_id]
        meeting = "no meeting" if pd.isna(row["meeting"]) else f"meeting {int(row['meeting'])}"
        head = (f'<div class="ebm-segment-head"><b>{html.escape(segment_id)}</b> · '
                f"{html.escape(label(str(row['source_type'])))} · {html.escape(label(str(row['speaker_role'])))} · {meeting}</div>")
        english = (f'<div class="ebm-segment-en" lang="en" style="color:#555;margin-top:0.4em">'
                   f"<em>{html.escape(self.text_en(segment_id))}</em></div>")
        return head + highlight_html(text, cod, book, hits) + english + self.memos_html(segment_id)

    def memos_html(self, segment_id: str) -> str:
        """The memos linked to a segment (``segment:<id>``), one line each; empty when there are none.

        A memo folder that cannot be read is shown as a red line naming the
        problem, never as an exception.
        """
        from ebm_analysis.memos import MEMO_DIR, load_memos, search_memos

        if not (self.store.folder / MEMO_DIR).is_dir():
            return ""
        try:
            memos = load_memos(self.store.folder, project=self.store.project)
            found = search_memos(memos, link=f"segment:{segment_id}")
        except DataError as err:
            return (f'<div class="ebm-segment-memos" style="color:#b00020">The memos could not be read: '
                    f"{html.escape(str(err.problems[0]) if err.problems else str(err))}</div>")
        if found.empty:
            return ""
        items = "".join(f"<li><b>{html.escape(str(r.memo_id))}</b> {html.escape(str(r.title))} "
                        f'<span style="color:#777">({html.escape(str(r.author))}, {html.escape(str(r.created))})</span>'
                        "</li>" for r in found.itertuples())
        return (f'<div class="ebm-segment-memos" style="margin-top:0.4em"><b>Memos on this segment</b>'
                f'<ul style="margin:0.2em 0">{items}</ul></div>')

    # ------------------------------------------------------------ actions

    def _run(self, action, success, returns_id: bool = False, returns_table: bool = False) -> Outcome:
        try:
            result = action()
        except ConcurrentEditError as err:
            return Outcome("conflict", conflict_message(err))
        except (SaveError, LockTimeoutError) as err:
            return Outcome("error", "Not saved: " + "; ".join(str(p) for p in err.problems))
        except DataError as err:
            return Outcome("error", "; ".join(p.expected if p.file == "(project)" else str(p) for p in err.problems))
        except OSError as err:  # the store turns these into SaveError; anything else writing still must not vanish
            problem = save_error(err, Path(err.filename or self.store.folder.name)).problems[0]
            return Outcome("error", f"Not saved: {problem}")
        except Exception as err:  # noqa: BLE001 - a bug must show in the status line, not only in the log console
            return Outcome("error", f"The change may not have been saved: an unexpected {type(err).__name__} "
                                    f"({str(err)[:200]}). Click “Reload” to see what is on disk.")
        return Outcome("success", success(result), result if returns_id else None,
                       result if returns_table else None)

    def apply(self, segment_id: str, code_id: str, start: int | None = None, end: int | None = None,
              memo: str = "") -> Outcome:
        """Code ``text_sv[start:end]`` of a segment (both None: the whole segment) and save.

        Returns
        -------
        Outcome
            ``coding_id`` is the new coding's id on success.
        """
        where = "the whole segment" if start is None else f"characters {start}–{end}"
        outcome = self._run(lambda: self.store.add(segment_id, code_id, self.coder, start=start, end=end, memo=memo),
                            lambda cid: f"{cid}: {code_id} on {where} of {segment_id}.", returns_id=True)
        return outcome

    def recode(self, coding_id: str, code_id: str) -> Outcome:
        """Give a coding another code (same segment, span, coder and memo) and save."""
        return self._run(lambda: self.store.recode(coding_id, code_id, coder=self.coder),
                         lambda _: f"{coding_id} recoded to {code_id}.")

    def remove(self, coding_id: str) -> Outcome:
        """Delete a coding and save."""
        return self._run(lambda: self.store.remove(coding_id, coder=self.coder), lambda _: f"removed coding {coding_id}.")

    def set_memo(self, coding_id: str, memo: str) -> Outcome:
        """Replace a coding's memo (empty clears it) and save."""
        return self._run(lambda: self.store.set_memo(coding_id, memo, coder=self.coder),
                         lambda _: f"memo of {coding_id} updated.")

    def add_code(self, code_id: str, name_sv: str, name_en: str, parent_id: str | None = None, *,
                 definition: str, include: str, exclude: str, example: str, color: str | None = None) -> Outcome:
        """Add a code to the codebook and save (see :meth:`CodingStore.add_code`)."""
        return self._run(lambda: self.store.add_code(
            code_id.strip(), name_sv, name_en, parent_id or None, definition=definition, include=include,
            exclude=exclude, example=example, color=(color or "").strip() or None, coder=self.coder),
            lambda _: f"new code {code_id.strip()} added to the codebook.")

    def merge_codes(self, source_id: str, target_id: str) -> Outcome:
        """Merge a code into another, its codings following, and save (:meth:`CodingStore.merge_codes`).

        One transaction: the source's codings are recoded to the target (a
        coding the target already has on the same span by the same coder is
        removed, its memo kept), its sub-codes move under the target, and the
        source is retired. *Undo* takes all of it back.
        """
        def done(table: pd.DataFrame) -> str:
            recoded = int((table["outcome"] == "recoded").sum()) if len(table) else 0
            removed = len(table) - recoded
            return (f"merged {source_id} into {target_id}: {recoded} coding(s) recoded, {removed} duplicate(s) "
                    f"removed; {source_id} is retired.")

        if not source_id or not target_id:
            return Outcome("error", "choose the code to merge and the code to merge it into.")
        return self._run(lambda: self.store.merge_codes(source_id, target_id, coder=self.coder), done)

    # ------------------------------------------------------------ reshaping the codebook

    def _code_row(self, code_id: str | None) -> pd.Series | None:
        book = self.store.codebook.set_index("code_id")
        return book.loc[code_id] if code_id and code_id in book.index else None

    def rename_code(self, code_id: str, name_sv: str | None = None, name_en: str | None = None) -> Outcome:
        """Give a code a new Swedish and/or English name and save (:meth:`CodingStore.rename_code`).

        A name that is None or the same as now is left as it is; a blank name
        is refused (a code keeps a name in both languages), as is a rename
        that changes nothing.

        Examples
        --------
        >>> bench = Workbench.open(None)
        >>> bench.rename_code("trust", "  ", None).message  # refused before anything is written
        'the Swedish name is empty: a code keeps a name in both languages; type one (now “tillit och förtroende”).'
        """
        if not code_id:
            return Outcome("error", "choose the code to rename first.")
        row = self._code_row(code_id)
        if row is None:  # the store names the unknown code
            row = pd.Series({"name_sv": None, "name_en": None})
        changes = {}
        for column, value, language in (("name_sv", name_sv, "Swedish"), ("name_en", name_en, "English")):
            if value is None:
                continue
            if not value.strip():
                now = f" (now “{row[column]}”)" if pd.notna(row[column]) else ""
                return Outcome("error", f"the {language} name is empty: a code keeps a name in both languages; "
                                        f"type one{now}.")
            if value.strip() != row[column]:
                changes[column] = value.strip()
        if not changes:
            return Outcome("error", f"the names of {code_id} are as they were: type a new Swedish or English name.")
        said = " and ".join(f"“{v}”" for v in changes.values())
        return self._run(lambda: self.store.rename_code(code_id, **changes, coder=self.coder),
                         lambda _: f"{code_id} renamed to {said}.")

    def move_code(self, code_id: str, parent_id: str | None) -> Outcome:
        """Place a code under ``parent_id`` (None or empty: at the top level) and save (:meth:`CodingStore.move_code`).

        Its sub-codes and codings follow. A move that makes a code its own
        ancestor is refused by the store; a move to where it already is, here.
        """
        if not code_id:
            return Outcome("error", "choose the code to move first.")
        parent_id = parent_id or None
        row = self._code_row(code_id)
        if row is not None and (None if pd.isna(row["parent_id"]) else row["parent_id"]) == parent_id:
            where = f"under {parent_id}" if parent_id else "at the top level"
            return Outcome("error", f"{code_id} is already {where}: choose another parent.")
        where = f"under {parent_id}" if parent_id else "to the top level"
        return self._run(lambda: self.store.move_code(code_id, parent_id, coder=self.coder),
                         lambda _: f"{code_id} moved {where}, its sub-codes and codings with it.")

    def retire_code(self, code_id: str) -> Outcome:
        """Retire a code and save (:meth:`CodingStore.retire_code`): its codings stay, it takes no new ones."""
        if not code_id:
            return Outcome("error", "choose the code to retire first.")
        kept = int((self.store.codings["code_id"] == code_id).sum())
        return self._run(lambda: self.store.retire_code(code_id, coder=self.coder),
                         lambda _: f"{code_id} is retired: hidden from the code lists, its {kept} coding(s) kept.")

    def split_code(self, code_id: str, new_codes: str, as_children: bool = True) -> Outcome:
        """Create new codes from a code and list its codings for re-assignment; save (:meth:`CodingStore.split_code`).

        Parameters
        ----------
        code_id : str
            The code to split (it stays; retire it once its codings are re-assigned).
        new_codes : str
            One new code per line, ``id; name_sv; name_en``
            (:func:`~ebm_analysis.widgets.reshape.parse_new_codes`).
        as_children : bool, default True
            The new codes go under ``code_id``; False: beside it.

        Returns
        -------
        Outcome
            ``table`` holds the codings to re-assign on success.

        Examples
        --------
        >>> Workbench.open(None).split_code("trust", "trust_peer; tillit").message  # doctest: +ELLIPSIS
        "(the split form), line 1: found 'trust_peer; tillit' (2 fields); write each new code on its own line as ..."
        """
        if not code_id:
            return Outcome("error", "choose the code to split first.")
        try:
            specs = parse_new_codes(new_codes)
        except DataError as err:
            return Outcome("error", "; ".join(str(p) for p in err.problems))
        made = ", ".join(s["code_id"] for s in specs)
        where = "under it" if as_children else "beside it"

        def done(table: pd.DataFrame) -> str:
            return (f"split {code_id}: new code(s) {made} {where}; {len(table)} coding(s) of {code_id} listed "
                    "below for re-assignment (none re-assigned yet).")

        return self._run(lambda: self.store.split_code(code_id, specs, as_children=as_children, coder=self.coder),
                         done, returns_table=True)

    def add_memo(self, title: str, text: str, links: list[str] | tuple[str, ...] = ()) -> Outcome:
        """Write a memo file in ``memos/`` linked to ``links`` (``code:…``, ``segment:…``, ``meeting:…``); save.

        Returns
        -------
        Outcome
            ``coding_id`` holds the new memo's id (``M001``…) on success.
        """
        where = ", ".join(links) if links else "nothing (a free memo)"
        return self._run(lambda: self.store.add_memo(title.strip(), text, list(links), coder=self.coder),
                         lambda memo_id: f"memo {memo_id} “{title.strip()}” written, linked to {where}.",
                         returns_id=True)

    def undo(self) -> Outcome:
        """Take back this coder's last change that is not undone yet (also one of an earlier session), and save."""
        return self._run(lambda: self.store.undo(coder=self.coder), lambda done: f"undid “{done}”.")

    def reload(self) -> Outcome:
        """Read the files again from disk (other writers' changes included); the undo history is dropped."""
        try:
            self.store.reload()
        except DataError as err:
            return Outcome("error", "could not reload: " + "; ".join(str(p) for p in err.problems))
        self.segments = segment_table(self.store.project)
        return Outcome("info", "Reloaded the codebook and the codings from disk (other writers' changes included). "
                               "Redo any change that was not saved.")


# ---------------------------------------------------------------- themes

def _restrict(data: CodedData, role: str = ALL, source_type: str = ALL) -> CodedData:
    seg = data.segments
    if role != ALL:
        seg = seg[(seg["speaker_role"] == role).fillna(False)]
    if source_type != ALL:
        seg = seg[(seg["source_type"] == source_type).fillna(False)]
    return CodedData(seg, data.codings, data.codebook)


def theme_quotes(data: CodedData, theme: str, role: str = ALL, meeting: int | str = ALL,
                 source_type: str = ALL, context: int = 60) -> pd.DataFrame:
    """The passages coded with a theme or any of its sub-codes (:func:`~ebm_analysis.queries.retrieve`).

    Parameters
    ----------
    data : CodedData
    theme : str
        A code (usually a top-level one); its sub-codes are included.
    role, source_type : str, optional
        :data:`ALL` or a ``speaker_role`` / ``source_type``.
    meeting : int or str, optional
        :data:`ALL`, a meeting number, or :data:`NO_MEETING`.
    context : int, default 60
        Characters of context either side of a partial span.

    Returns
    -------
    DataFrame
        The columns of :func:`~ebm_analysis.queries.retrieve`.

    Examples
    --------
    >>> from ebm_analysis.queries import coded_data
    >>> from ebm_analysis import load_project
    >>> quotes = theme_quotes(coded_data(load_project()), "soft_values", meeting=5)
    >>> len(quotes) > 0, quotes["meeting"].unique().tolist()
    (True, [5])
    """
    kwargs = {}
    if role != ALL:
        kwargs["role"] = role
    if source_type != ALL:
        kwargs["source_type"] = source_type
    if meeting not in (ALL, NO_MEETING):
        kwargs["meeting"] = int(meeting)
    out = retrieve(data, code=theme, include_subcodes=True, context=context, **kwargs)
    if meeting == NO_MEETING:
        out = out[out["meeting"].isna()].reset_index(drop=True)
    return out


def theme_by_meeting(data: CodedData, theme: str, role: str = ALL, source_type: str = ALL) -> pd.DataFrame:
    """A theme's codings and coded segments per meeting (:func:`~ebm_analysis.queries.code_by_meeting`).

    Returns
    -------
    DataFrame
        ``meeting`` (1–8), ``codings``, ``segments``; ``attrs["without_meeting"]``
        holds the number of the theme's codings on segments with no meeting.

    Examples
    --------
    >>> from ebm_analysis.queries import coded_data
    >>> from ebm_analysis import load_project
    >>> table = theme_by_meeting(coded_data(load_project()), "project_process")
    >>> table["meeting"].tolist()
    [1, 2, 3, 4, 5, 6, 7, 8]
    """
    data = _restrict(data, role, source_type)
    wanted = descendants(data.codebook, theme, include_self=True)
    only = CodedData(data.segments, data.codings[data.codings["code_id"].isin(wanted)], data.codebook)
    codings = code_by_meeting(only, level="top", count="codings")
    segments = code_by_meeting(only, level="top", count="segments")
    meetings = list(ORDERS["meeting"])
    out = pd.DataFrame({"meeting": meetings,
                        "codings": [int(codings[m].sum()) for m in meetings],
                        "segments": [int(segments[m].sum()) for m in meetings]})
    out.attrs["without_meeting"] = int(codings.attrs.get("without_meeting", 0))
    return out


def meeting_bars_html(counts: pd.DataFrame, highlight: int | str = ALL, title: str = "") -> str:
    """A small bar chart as an HTML table: one row per meeting, bar length = coded segments.

    Examples
    --------
    >>> counts = pd.DataFrame({"meeting": [1, 2], "codings": [2, 0], "segments": [1, 0]})
    >>> counts.attrs["without_meeting"] = 3
    >>> page = meeting_bars_html(counts, highlight=1)
    >>> "width:100%" in page, "3 codings" in page
    (True, True)
    """
    top = max(int(counts["segments"].max()) if len(counts) else 0, 1)
    rows = []
    for row in counts.itertuples():
        width = round(100 * row.segments / top)
        weight = "font-weight:bold;" if highlight != ALL and str(row.meeting) == str(highlight) else ""
        bar = (f'<div style="background:#4c72b0;height:0.9em;width:{width}%"></div>' if width else "")
        rows.append(f'<tr style="{weight}"><td>{row.meeting}</td><td style="text-align:right">{row.segments}</td>'
                    f'<td style="text-align:right">{row.codings}</td><td style="width:14em">{bar}</td></tr>')
    without = counts.attrs.get("without_meeting", 0)
    note = (f'<p class="ebm-note">Not placed at a meeting (e.g. interviews): {without} coding'
            f'{"s" if without != 1 else ""}.</p>')
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return (f'<table class="ebm-meeting-bars">{caption}<thead><tr><th>Meeting</th><th>Segments</th>'
            f"<th>Codings</th><th></th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>" + note)


def quotes_html(quotes: pd.DataFrame, lang: str | None = None, max_rows: int | None = None,
                whole: bool = False) -> str:
    """The quotes as an HTML table: where from, the code, the Swedish passage in context, the English.

    The coded span is in ``<mark>``, with up to the retrieved context either
    side ("…" where the segment goes on), or the whole segment when
    ``whole`` (retrieved with a context longer than any segment); the
    English column is the translation of the whole segment.

    Examples
    --------
    >>> q = pd.DataFrame({"segment_id": ["E1"], "code_id": ["a"], "source_type": ["interview"],
    ...     "speaker_role": ["unknown"], "meeting": pd.array([None], dtype="Int64"), "context_before": ["x "],
    ...     "coded_text": ["<y>"], "context_after": [""], "text_en": ["Y"], "memo": [None]})
    >>> "x <mark>&lt;y&gt;</mark>" in quotes_html(q, lang="en")
    True
    """
    lang = lang or current_language()
    if quotes.empty:
        return '<p class="ebm-quotes"><em>No passages match.</em></p>'
    shown = quotes if max_rows is None else quotes.head(max_rows)
    rows = []
    for row in shown.itertuples():
        meeting = "—" if pd.isna(row.meeting) else str(int(row.meeting))
        cut = not whole
        before = ("…" if cut and row.context_before else "") + html.escape(str(row.context_before or ""))
        after = html.escape(str(row.context_after or "")) + ("…" if cut and row.context_after else "")
        memo = "" if pd.isna(row.memo) else f'<div style="color:#777"><small>Memo: {html.escape(str(row.memo))}</small></div>'
        rows.append(
            f"<tr><td>{html.escape(str(row.segment_id))}</td><td>{html.escape(label(str(row.source_type), lang))}</td>"
            f"<td>{html.escape(label(str(row.speaker_role), lang))}</td><td>{meeting}</td>"
            f"<td>{html.escape(str(row.code_id))}</td>"
            f'<td lang="sv">{before}<mark>{html.escape(str(row.coded_text))}</mark>{after}{memo}</td>'
            f'<td lang="en">{html.escape(str(row.text_en))}</td></tr>')
    more = len(quotes) - len(shown)
    if more:
        rows.append(f'<tr><td colspan="7"><em>… and {more} more passage{"s" if more != 1 else ""}</em></td></tr>')
    head = "".join(f"<th>{h}</th>" for h in ("Segment", "Source", "Speaker", "Meeting", "Code",
                                              "Swedish (coded passage marked)", "English (whole segment)"))
    return (f'<table class="ebm-quotes"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")
