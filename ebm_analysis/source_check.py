"""Check every datum that cites the report against the report's own text.

``python -m ebm_analysis check [DATA_DIR] --source REPORT.txt`` (and
:func:`check_source`) reads a text rendering of the source report and checks,
cell by cell, every value in ``data/`` that claims to be the report's words:

- **whole values** -- quotations (``excerpts.text_sv``), the account of the
  meetings (``observations.text_sv``), ``statement_sv``, contract and advice
  text, theme names, survey statements -- must occur in the report;
- **passages** -- values that hold several separate passages separated by
  ``" / "`` (for example a contradiction's two passages, or the bullets of one
  cell of the overview table) -- each passage must occur; a passage may leave
  words out with ``...`` (not ``[...]``, which is the report's own mark), and
  then its parts must occur in order, close together;
- **quoted fragments** inside English prose (``*_reasoning``, ``note``,
  ``how_kept_en`` ...): every fragment in quotation marks (``'...'``,
  ``"..."``, ``”...”``, ``«...»``) must be the report's words. English glosses
  are therefore never put in quotation marks in these columns;
- **section names** (``section``, ``reading_a_section`` ...; several
  separated by ``"; "``) must each be a heading of the report;
- **survey rows**: each statement with its two printed means must appear as
  one row of the report's table.

What "occur" means (the normalisation, applied to the report and to the data
alike, and nothing more):

1. Unicode NFC;
2. every double quotation mark (``” “ „ " « »``) counts as ``"`` and every
   single one (``’ ‘ '``) as ``'``; the ellipsis character ``…`` counts as
   ``...``;
3. every run of white space (line breaks included) counts as one space.

Letters, case, punctuation and word order are compared exactly. No
hyphenation is undone: the renderings of the EBM report break no word at a
line end.

Page layout is undone before comparing, so that a passage continued on the
next page is found (see :func:`read_source` for the exact rules): footnote
areas, page numbers and footnote markers are dropped, and a box printed at
the foot of a page inside a sentence is moved after that paragraph. Where the
two renderings of the report differ in a word that the data stores, the data
follows one rendering and ``rendering_differences.csv`` lists the difference;
a value is then accepted against the other rendering *only* with that listed
difference, and the result names it.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.reading import read_raw_table

__all__ = [
    "REPORT_TEXT_VARIABLE",
    "SourceText",
    "normalise",
    "read_source",
    "cited_values",
    "check_source",
    "source_problems",
    "report_quotations",
    "quotation_coverage",
    "coverage_problems",
    "quoted_fragments",
    "report_text_paths",
]

#: Environment variable naming the report text(s) to check against
#: (several paths separated by the OS path separator, ``:`` on Linux).
REPORT_TEXT_VARIABLE = "EBM_REPORT_TEXT"

_DOUBLE_QUOTES = "”“„\"«»"
_SINGLE_QUOTES = "’‘'"
#: How far apart (in normalised characters) the parts of an elided passage may lie.
ELISION_WINDOW = 600
#: Where the report's findings begin and end (headings), for :func:`report_quotations`.
FINDINGS_FROM = "Planering"
FINDINGS_TO = "Referenser"

# How each column is checked.
WHOLE, PASSAGES, QUOTED, SECTIONS, EXAMPLE = "whole", "passages", "quoted", "sections", "example"

#: file -> {column: how it is checked}. Columns not listed are not checked.
CITED: dict[str, dict[str, str]] = {
    "meetings.csv": {"month_reasoning": QUOTED, "theme_sv": WHOLE, "theme_narrative_sv": WHOLE,
                     "observed_table": WHOLE, "observed_reasoning": QUOTED,
                     "talked_about_sv": PASSAGES, "other_topics_sv": PASSAGES, "section": SECTIONS},
    "participants.csv": {"role_sv": WHOLE, "note": QUOTED, "section": SECTIONS},
    "cohort_facts.csv": {"statement_sv": PASSAGES, "reasoning": QUOTED, "section": SECTIONS},
    "attendance.csv": {"reasoning": QUOTED, "section": SECTIONS},
    "attendance_counts.csv": {"statement_sv": PASSAGES, "reasoning": QUOTED, "section": SECTIONS},
    "advice.csv": {"advice_sv": WHOLE, "section": SECTIONS},
    "contract.csv": {"heading_sv": WHOLE, "text_sv": WHOLE, "section": SECTIONS},
    "excerpts.csv": {"text_sv": WHOLE, "note": QUOTED, "section": SECTIONS},
    "observations.csv": {"text_sv": WHOLE, "note": QUOTED, "section": SECTIONS},
    "contradictions.csv": {"topic_en": QUOTED, "reading_a_sv": PASSAGES, "reading_a_en": QUOTED,
                           "reading_a_section": SECTIONS, "reading_b_sv": PASSAGES,
                           "reading_b_en": QUOTED, "reading_b_section": SECTIONS,
                           "how_kept_en": QUOTED},
    "survey_items.csv": {"statement_sv": WHOLE, "contract_goal_sv": PASSAGES,
                         "link_reasoning": QUOTED, "section": SECTIONS},
    "survey_means.csv": {"n_reasoning": QUOTED, "section": SECTIONS},
    "codebook.csv": {"example": EXAMPLE},
    "claims.csv": {"quote_sv": PASSAGES, "reading_en": QUOTED, "section": SECTIONS},
    "quotations_left_out.csv": {"quote_sv": WHOLE, "why_en": QUOTED, "section": SECTIONS},
    "rendering_differences.csv": {"section": SECTIONS},
}

_VALUE_COLUMNS = ("file", "line", "column", "row_id", "check", "value")
_RESULT_COLUMNS = ("file", "line", "column", "row_id", "check", "value", "source", "found",
                   "variants", "problem")


# ---------------------------------------------------------------- normalising

def normalise(text: str) -> str:
    """The text as compared: NFC, one kind of each quotation mark, ``…`` as ``...``, single spaces.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise("som att”[…] bakom\\n  varje")
    'som att"[...] bakom varje'
    >>> normalise("’vad har jag’")
    "'vad har jag'"
    """
    text = unicodedata.normalize("NFC", text)
    text = re.sub(f"[{_DOUBLE_QUOTES}]", '"', text)
    text = re.sub(f"[{_SINGLE_QUOTES}]", "'", text)
    text = text.replace("…", "...")
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class SourceText:
    """A rendering of the report, in reading order and normalised.

    Attributes
    ----------
    path : Path
        The file read.
    name : str
        Its file name (``rendering_differences.csv`` refers to it by this).
    text : str
        The whole text, normalised (:func:`normalise`), page layout undone.
    headings : tuple of (int, str)
        Every heading, normalised, with its offset in ``text``, in order.
    """

    path: Path
    name: str
    text: str
    headings: tuple[tuple[int, str], ...]

    @property
    def heading_names(self) -> frozenset[str]:
        """The normalised headings, as a set."""
        return frozenset(h for _, h in self.headings)

    def section_at(self, offset: int) -> str | None:
        """The heading under which ``offset`` in :attr:`text` lies."""
        current = None
        for start, name in self.headings:
            if start > offset:
                break
            current = name
        return current


def _is_blank(line: str) -> bool:
    return not line.strip()


def _is_page_start(line: str) -> bool:
    """In the PDF-text rendering a new page starts with one space before the text."""
    return len(line) > 1 and line[0] == " " and not line[1].isspace()


_FOOTNOTE_RULE = re.compile(r"^ {20,}$")
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_SENTENCE_END = tuple(".!?:\"”’)")


def _drop_footnote_areas(lines: list[str]) -> list[str]:
    """Drop each footnote area: from a rule of spaces to the next page's first line."""
    out, skipping = [], False
    for line in lines:
        if _FOOTNOTE_RULE.match(line):
            skipping = True
            continue
        if skipping and _is_page_start(line):
            skipping = False
        if not skipping:
            out.append(line)
    return out


def _move_floats(lines: list[str]) -> list[str]:
    """Move a box printed at the foot of a page, inside a sentence, after that paragraph.

    A page that begins in the middle of a sentence (its first line starts with
    a lower-case letter) continues the last full-width line (50 characters or
    more) of the page before that ends without closing punctuation and is
    followed by a blank line. Whatever lies between that line and the new page
    (a box such as the contract) is moved to after the continued paragraph,
    which ends at a blank line or at a page that starts with a capital letter.
    """
    lines = list(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_page_start(line) and line[1].islower():
            cut = _interrupted_line(lines, i)
            if cut is not None and cut + 1 < i:
                float_lines = lines[cut + 1:i]
                end = i + 1
                while end < len(lines) and not _is_blank(lines[end]) and not (
                        _is_page_start(lines[end]) and lines[end][1].isupper()):
                    end += 1
                lines = lines[:cut + 1] + lines[i:end] + [""] + float_lines + lines[end:]
                i = cut + 1 + (end - i)
        i += 1
    return lines


def _interrupted_line(lines: list[str], page_start: int) -> int | None:
    for j in range(page_start - 1, 0, -1):
        if _is_page_start(lines[j]):
            return None
        text = lines[j].rstrip()
        if len(text) >= 50 and not text.endswith(_SENTENCE_END) and _is_blank(lines[j + 1]):
            return j
    return None


_GLUED_MARKER = re.compile(r"(?<=[^\W\d_])\d{1,2}(?=[\s.,;:)]|$)|(?<=[^\W\d_][.,])\d{1,2}(?=\s|$)")


def _text_headings(lines: list[str]) -> dict[int, int]:
    """Heading lines of a plain-text rendering: ``{first line: number of lines}``.

    A heading stands on a line of its own (after a blank line, or first on a
    page), has at most ten words, starts with a capital letter or a digit,
    does not end with a full stop, comma, semicolon or colon, and is
    followed (after at most one blank line) by a paragraph: a line of 50
    characters or more starting with a capital letter. A heading may run on
    to one more short line that starts in lower case (it may end with a full
    stop), if the paragraph follows that line.
    """
    found: dict[int, int] = {}
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or len(text.split()) > 10 or not (text[0].isupper() or text[0].isdigit()):
            continue
        if i > 0 and not (_is_blank(lines[i - 1]) or _is_page_start(line)):
            continue
        if not text.endswith((".", ",", ";", ":")) and _paragraph_follows(lines, i + 1):
            found[i] = 1
            continue
        second = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if (second and second[0].islower() and len(second) < 50 and not text.endswith((".", ",", ";", ":"))
                and len((text + " " + second).split()) <= 10 and _paragraph_follows(lines, i + 2)):
            found[i] = 2
    return found


def _paragraph_follows(lines: list[str], nxt: int) -> bool:
    if nxt < len(lines) and _is_blank(lines[nxt]):
        nxt += 1
    if nxt >= len(lines):
        return False
    para = lines[nxt].strip()
    return len(para) >= 50 and para[0].isupper()


def _read_text_rendering(raw: str) -> tuple[str, list[tuple[int, str]]]:
    lines = raw.splitlines()
    lines = _drop_footnote_areas(lines)
    lines = [ln for ln in lines if not _PAGE_NUMBER.match(ln)]
    lines = _move_floats(lines)
    return _join(lines, _text_headings(lines), lambda s: _GLUED_MARKER.sub("", s))


def _join(lines: list[str], heads: dict[int, int], clean) -> tuple[str, list[tuple[int, str]]]:
    """Normalised text of the lines, and each heading (``{line: number of lines}``) with its offset."""
    parts, headings, length = [], [], 0
    pending: tuple[int, int, list[str]] | None = None   # (offset, lines left, pieces) of a heading
    for i, line in enumerate(lines):
        piece = normalise(clean(line))
        if not piece:
            continue
        if length:
            length += 1
        if i in heads:
            pending = (length, heads[i], [])
        if pending is not None:
            start, left, words = pending
            words.append(piece)
            pending = (start, left - 1, words) if left > 1 else None
            if left == 1:
                headings.append((start, " ".join(words)))
        parts.append(piece)
        length += len(piece)
    return " ".join(parts), headings


_MD_FOOTNOTE = re.compile(r"^\s*(<sup>\d+</sup>|\d+ )")


def _read_markdown_rendering(raw: str) -> tuple[str, list[tuple[int, str]]]:
    lines = raw.splitlines()
    kept, in_notes = [], False
    for line in lines:
        if line.strip() == "---":
            in_notes = True
            continue
        if in_notes:
            if _is_blank(line) or _MD_FOOTNOTE.match(line):
                continue
            in_notes = False
        kept.append(line)
    heads = {i: 1 for i, ln in enumerate(kept) if ln.lstrip().startswith("#")}

    def clean(line: str) -> str:
        line = re.sub(r"<sup>.*?</sup>", "", line)
        line = re.sub(r"<[^>]+>", " ", line)
        line = html.unescape(line)
        line = re.sub(r"^\s*#+\s*", "", line)
        return line.replace("*", "").replace("\t", " ")

    return _join(kept, heads, clean)


def read_source(path: str | Path) -> SourceText:
    """Read a rendering of the report: plain text (PDF text) or Markdown (``.md``).

    Parameters
    ----------
    path : str or Path
        The file. A name ending in ``.md`` is read as Markdown, anything else
        as text extracted from a PDF.

    Returns
    -------
    SourceText

    Raises
    ------
    DataError
        If the file cannot be read as UTF-8 text.

    Notes
    -----
    PDF text: a rule of 20 or more spaces starts a footnote area, which runs
    to the first line of the next page (a line that starts with one space) and
    is dropped; lines holding only a page number are dropped; footnote
    markers glued to a word (``ASI14``, ``brukare.2``) are dropped; a box at
    the foot of a page that interrupts a sentence is moved after the
    paragraph (see ``_move_floats``). Headings are found by layout (see
    ``_text_headings``).

    Markdown: a line ``---`` and the footnote paragraphs after it are
    dropped, ``<sup>`` markers are dropped, other tags become spaces,
    entities are decoded, ``#`` and ``*`` marks are removed; headings are the
    lines that start with ``#``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "r.md").write_text("# Planering\\n\\nText<sup>3</sup> med ”citat”.\\n", encoding="utf-8")
    >>> src = read_source(folder / "r.md")
    >>> src.text, sorted(src.heading_names)
    ('Planering Text med "citat".', ['Planering'])
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(Problem(str(path), None, None, f"a file that cannot be read ({err.__class__.__name__})",
                                "expected the report as a UTF-8 text file (--source REPORT.txt)")) from None
    reader = _read_markdown_rendering if path.suffix.lower() == ".md" else _read_text_rendering
    text, headings = reader(raw)
    return SourceText(path, path.name, text, tuple(headings))


# ---------------------------------------------------------------- what the data cites

_OPENERS = {"'": "'", '"': '"', "”": "”", "“": "”", "„": "”", "«": "»", "’": "’", "‘": "’"}


def quoted_fragments(prose: str) -> list[str]:
    """The fragments in quotation marks in a piece of prose (outermost only).

    An opening mark follows the start, a space or one of ``([/`` and is
    followed by a non-space; the closing mark is the next matching mark that
    follows a non-space and is not followed by a letter (so ``mentors'``
    and ``expert's`` are apostrophes, not quotes).

    Examples
    --------
    >>> quoted_fragments("the mentors' advice ('våga vara ”mänsklig”, ”okonstlad”') and the expert's")
    ['våga vara ”mänsklig”, ”okonstlad”']
    >>> quoted_fragments('"Brukarmentorernas svarade" [sic]')
    ['Brukarmentorernas svarade']
    """
    out, i = [], 0
    while i < len(prose):
        ch = prose[i]
        before = prose[i - 1] if i else " "
        if ch in _OPENERS and (before.isspace() or before in "([/") and i + 1 < len(prose) \
                and not prose[i + 1].isspace():
            close = _closing(prose, i + 1, _OPENERS[ch])
            if close is not None:
                out.append(prose[i + 1:close])
                i = close + 1
                continue
        i += 1
    return out


def _closing(prose: str, start: int, mark: str) -> int | None:
    marks = {mark, "'"} if mark == "’" else {mark}
    for j in range(start, len(prose)):
        if prose[j] in marks and not prose[j - 1].isspace():
            after = prose[j + 1] if j + 1 < len(prose) else " "
            if not after.isalpha():
                return j
    return None


def _passages(value: str) -> list[str]:
    return [p.strip() for p in value.split(" / ") if p.strip()]


def _sections(value: str) -> list[str]:
    return [p.strip() for p in value.split(";") if p.strip()]


def _example_swedish(value: str) -> str:
    """The Swedish phrase of a codebook example: the text before its English in parentheses.

    Examples
    --------
    >>> _example_swedish("alla är så upptagna (everyone is so busy)")
    'alla är så upptagna'
    """
    return value.split(" (", 1)[0].strip()


def _row_id(header: list[str], cells: list[str]) -> str:
    return cells[0] if cells else ""


def cited_values(folder: str | Path) -> pd.DataFrame:
    """Every value in a data folder that cites the report, with where it is.

    Parameters
    ----------
    folder : str or Path
        A data folder.

    Returns
    -------
    DataFrame
        Columns ``file``, ``line`` (the line of the row in the file, the
        header being line 1), ``column``, ``row_id`` (the row's first cell),
        ``check`` (``whole``, ``passage``, ``quoted``, ``section``) and
        ``value`` (the text to find; one row per passage, quoted fragment or
        section name). Files that are absent are skipped.

    Examples
    --------
    >>> from ebm_analysis.project import default_data_dir
    >>> v = cited_values(default_data_dir())
    >>> sorted(set(v["check"]))
    ['passage', 'quoted', 'section', 'whole']
    """
    folder = Path(folder)
    rows: list[tuple] = []
    for file, columns in CITED.items():
        path = folder / file
        if not path.exists():
            continue
        raw, problems = read_raw_table(path, file)
        if raw is None:
            raise DataError(problems)
        index = {name: i for i, name in enumerate(raw.header)}
        for line, cells in raw.rows:
            rid = _row_id(raw.header, cells)
            for column, how in columns.items():
                if column not in index or index[column] >= len(cells):
                    continue
                rows.extend((file, line, column, rid, check, value)
                            for check, value in _split(cells[index[column]].strip(), how))
    return pd.DataFrame(rows, columns=list(_VALUE_COLUMNS)).astype(
        {"file": "string", "column": "string", "row_id": "string", "check": "string", "value": "string"})


def _split(cell: str, how: str) -> Iterable[tuple[str, str]]:
    if not cell or cell == "-" and how != WHOLE:
        return
    if how == WHOLE:
        yield "whole", cell
    elif how == PASSAGES:
        yield from (("passage", p) for p in _passages(cell))
    elif how == QUOTED:
        yield from (("quoted", q) for q in quoted_fragments(cell))
    elif how == SECTIONS:
        yield from (("section", s) for s in _sections(cell))
    elif how == EXAMPLE:
        phrase = _example_swedish(cell)
        if phrase:
            yield "whole", phrase


# ---------------------------------------------------------------- matching

@dataclass(frozen=True)
class _Variant:
    variant_id: str
    source: str
    source_text: str
    stored_text: str
    follows: str


def _variants(folder: Path) -> list[_Variant]:
    path = folder / "rendering_differences.csv"
    if not path.exists():
        return []
    raw, problems = read_raw_table(path, "rendering_differences.csv")
    if raw is None:
        raise DataError(problems)
    idx = {n: i for i, n in enumerate(raw.header)}
    return [_Variant(c[idx["difference_id"]], c[idx["source"]], normalise(c[idx["source_sv"]]),
                     normalise(c[idx["stored_sv"]]), c[idx["follows"]]) for _, c in raw.rows]


def _variant_line(folder: Path, variant_id: str) -> int | None:
    raw, _ = read_raw_table(folder / "rendering_differences.csv", "rendering_differences.csv")
    return next((line for line, cells in raw.rows if cells and cells[0] == variant_id), None) if raw else None


def _find_elided(text: str, passage: str) -> bool:
    """Whether a passage with words left out (``...``) occurs: parts in order, close together."""
    parts = [p.strip() for p in re.split(r"(?<!\[)\.\.\.(?!\])", passage) if p.strip()]
    if not parts or parts == [passage]:
        return False
    start = 0
    while True:
        first = text.find(parts[0], start)
        if first < 0:
            return False
        pos, ok = first + len(parts[0]), True
        for part in parts[1:]:
            nxt = text.find(part, pos)
            if nxt < 0 or nxt - pos > ELISION_WINDOW:
                ok = False
                break
            pos = nxt + len(part)
        if ok:
            return True
        start = first + 1


def _occurs(text: str, value: str, elision: bool) -> bool:
    return value in text or (elision and _find_elided(text, value))


def _match(source: SourceText, value: str, check: str,
           variants: Sequence[_Variant]) -> tuple[bool, str]:
    """(found, ids of the rendering differences used)."""
    wanted = normalise(value)
    if check == "section":
        if wanted in source.heading_names:
            return True, ""
        for v in variants:
            if v.source == source.name and wanted.replace(v.stored_text, v.source_text) in source.heading_names:
                return True, v.variant_id
        return False, ""
    elision = check in ("passage", "quoted")
    if _occurs(source.text, wanted, elision):
        return True, ""
    used, changed = [], wanted
    for v in variants:
        if v.source == source.name and v.stored_text in changed:
            changed = changed.replace(v.stored_text, v.source_text)
            used.append(v.variant_id)
    if used and _occurs(source.text, changed, elision):
        return True, " ".join(used)
    return False, ""


def _problem_text(check: str, source: SourceText) -> str:
    return {"section": f"not a heading of {source.name}",
            "quoted": f"a quoted fragment not found in {source.name}",
            "passage": f"a passage not found in {source.name}",
            "whole": f"not found in {source.name}",
            "variant": f"the listed text is not in {source.name}",
            "survey_row": f"this statement with these two means is not a row of the table in {source.name}"}[check]


def _survey_rows(folder: Path) -> list[tuple]:
    """(file, line, column, row_id, 'survey_row', 'statement mean mean') per survey item."""
    items_path, means_path = folder / "survey_items.csv", folder / "survey_means.csv"
    if not (items_path.exists() and means_path.exists()):
        return []
    items, p1 = read_raw_table(items_path, "survey_items.csv")
    means, p2 = read_raw_table(means_path, "survey_means.csv")
    if items is None or means is None:
        raise DataError(p1 + p2)
    ii = {n: i for i, n in enumerate(items.header)}
    mi = {n: i for i, n in enumerate(means.header)}
    printed: dict[tuple[str, str], tuple[int, str]] = {
        (c[mi["item"]], c[mi["group"]]): (line, c[mi["mean_printed"]]) for line, c in means.rows}
    out = []
    for _, c in items.rows:
        item = c[ii["item"]]
        sub, tot = printed.get((item, "social_secretaries")), printed.get((item, "all_respondents"))
        if sub and tot:
            out.append(("survey_means.csv", sub[0], "mean_printed", item, "survey_row",
                        f"{c[ii['statement_sv']]} {sub[1]} {tot[1]}"))
    return out


def check_source(folder: str | Path | None, sources: Sequence[str | Path | SourceText]) -> pd.DataFrame:
    """Check every value that cites the report against each rendering of it.

    Parameters
    ----------
    folder : str or Path or None
        The data folder (None: :func:`~ebm_analysis.project.default_data_dir`).
    sources : sequence of str, Path or SourceText
        The report's renderings (each checked on its own).

    Returns
    -------
    DataFrame
        One row per value and source: ``file``, ``line``, ``column``,
        ``row_id``, ``check``, ``value``, ``source`` (file name), ``found``
        (bool), ``variants`` (ids of the rendering differences needed to find
        it, ``""`` when none) and ``problem`` (empty when found).

    Examples
    --------
    >>> import tempfile, pathlib, shutil
    >>> from ebm_analysis.project import default_data_dir
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "r.txt").write_text("Genomförande\\nNågot helt annat som inte står i data, "
    ...                                 "och en lång rad till.\\n", encoding="utf-8")
    >>> result = check_source(default_data_dir(), [tmp / "r.txt"])
    >>> bool(result["found"].all())
    False
    """
    from ebm_analysis.project import default_data_dir

    folder = default_data_dir() if folder is None else Path(folder)
    values = cited_values(folder)
    records = list(values.itertuples(index=False, name=None)) + _survey_rows(folder)
    variants = _variants(folder)
    out = []
    for src in sources:
        source = src if isinstance(src, SourceText) else read_source(src)
        for file, line, column, rid, check, value in records:
            found, used = _match(source, value, check, variants)
            out.append((file, line, column, rid, check, value, source.name, found, used,
                        "" if found else _problem_text(check, source)))
        for v in variants:     # the list itself must be true of each rendering it names
            for column, text, named in (("source_sv", v.source_text, v.source), ("stored_sv", v.stored_text, v.follows)):
                if named == source.name and text not in source.text:
                    out.append(("rendering_differences.csv", _variant_line(folder, v.variant_id), column,
                                v.variant_id, "variant", text, source.name, False, "",
                                _problem_text("variant", source)))
    frame = pd.DataFrame(out, columns=list(_RESULT_COLUMNS))
    return frame.astype({"line": "Int64", "found": "bool"})


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def source_problems(result: pd.DataFrame) -> list[Problem]:
    """The mismatches of :func:`check_source` as :class:`~ebm_analysis.errors.Problem` s.

    Examples
    --------
    >>> row = {"file": "excerpts.csv", "line": 3, "column": "text_sv", "row_id": "E002",
    ...        "check": "whole", "value": "mänskligt", "source": "r.txt", "found": False,
    ...        "variants": "", "problem": "not found in r.txt"}
    >>> print(source_problems(pd.DataFrame([row]))[0])
    excerpts.csv, line 3, column 'text_sv': found 'mänskligt' (E002); not found in r.txt: correct the data to the report's words, or list a difference between the renderings in rendering_differences.csv
    """
    problems = []
    for r in result[~result["found"]].itertuples(index=False):
        line = None if pd.isna(r.line) else int(r.line)
        problems.append(Problem(r.file, line, r.column, f"'{_shorten(r.value)}' ({r.row_id})",
                                f"{r.problem}: correct the data to the report's words, or list a "
                                "difference between the renderings in rendering_differences.csv"))
    return problems


# ---------------------------------------------------------------- the report's quotations

def report_quotations(source: SourceText, start: str = FINDINGS_FROM, end: str = FINDINGS_TO) -> pd.DataFrame:
    """Every quotation ("...") in the report's findings, with its section.

    Parameters
    ----------
    source : SourceText
        A rendering of the report.
    start, end : str
        Headings between which the findings lie (default: from
        ``Planering`` to ``Referenser`` or the end). Quotation marks inside
        headings are not quotations.

    Returns
    -------
    DataFrame
        Columns ``section`` and ``quote`` (normalised, without the marks), in
        order of appearance.
    """
    text = source.text
    begin = next((o for o, h in source.headings if h == start), 0)
    stop = next((o for o, h in source.headings if h == end and o > begin), len(text))
    masked = list(text)
    for offset, heading in source.headings:       # quotation marks in a heading are not quotations
        masked[offset:offset + len(heading)] = " " * len(heading)
    masked_text = "".join(masked)
    marks = [m.start() for m in re.finditer('"', masked_text[begin:stop])]
    rows = [(source.section_at(begin + a), text[begin + a + 1:begin + b].strip())
            for a, b in zip(marks[::2], marks[1::2])]
    return pd.DataFrame(rows, columns=["section", "quote"]).astype("string")


def _stored_texts(folder: Path) -> list[tuple[str, str, str]]:
    values = cited_values(folder)
    keep = values[values["check"].isin(["whole", "passage"])]
    return [(f, r, normalise(v)) for f, r, v in zip(keep["file"], keep["row_id"], keep["value"])]


def _covered(quote: str, stored: list[tuple[str, str, str]]) -> str | None:
    """Where a quotation is stored: one value holding it, or values that together make it up.

    Values that together make it up: stored values (ten characters or more)
    found in the quotation, longest first, which leave nothing but
    punctuation and the dashes of an exchange once removed (E015 and E016
    are the two turns of one printed quotation).
    """
    for file, rid, text in stored:
        if quote in text:
            return f"{file} {rid}"
    parts = sorted(((file, rid, text) for file, rid, text in stored if len(text) >= 10 and text in quote),
                   key=lambda p: -len(p[2]))
    rest, used = quote, []
    for file, rid, text in parts:
        if text in rest:
            rest = rest.replace(text, " ")
            used.append(f"{file} {rid}")
    if used and not re.search(r"\w", rest):
        return "; ".join(used)
    return None


def quotation_coverage(folder: str | Path | None, source: SourceText | str | Path) -> pd.DataFrame:
    """Is every quotation in the report's findings stored in the data, or listed as left out?

    Parameters
    ----------
    folder : str or Path or None
        The data folder (None: the default).
    source : SourceText, str or Path
        A rendering of the report.

    Returns
    -------
    DataFrame
        Columns ``section``, ``quote``, ``status`` (``stored``, ``left_out``
        or ``missing``) and ``where`` (the file and row id holding it, or the
        reason it was left out).
    """
    from ebm_analysis.project import default_data_dir

    folder = default_data_dir() if folder is None else Path(folder)
    source = source if isinstance(source, SourceText) else read_source(source)
    variants = [v for v in _variants(folder) if v.source == source.name]
    stored = [(f, r, _as_printed_in(t, variants)) for f, r, t in _stored_texts(folder)
              if f != "quotations_left_out.csv"]
    left_out = {_as_printed_in(q, variants): why for q, why in _left_out(folder).items()}
    rows = []
    for section, quote in report_quotations(source).itertuples(index=False):
        where = _covered(quote, stored)
        if where:
            rows.append((section, quote, "stored", where))
        elif quote in left_out:
            rows.append((section, quote, "left_out", left_out[quote]))
        else:
            rows.append((section, quote, "missing", ""))
    return pd.DataFrame(rows, columns=["section", "quote", "status", "where"]).astype("string")


def _as_printed_in(text: str, variants: Sequence[_Variant]) -> str:
    """A stored (normalised) text as the rendering of ``variants`` prints it."""
    for v in variants:
        text = text.replace(v.stored_text, v.source_text)
    return text


def _left_out(folder: Path) -> dict[str, str]:
    path = folder / "quotations_left_out.csv"
    if not path.exists():
        return {}
    raw, problems = read_raw_table(path, "quotations_left_out.csv")
    if raw is None:
        raise DataError(problems)
    idx = {n: i for i, n in enumerate(raw.header)}
    return {normalise(c[idx["quote_sv"]]): c[idx["why_en"]] for _, c in raw.rows}


def coverage_problems(coverage: pd.DataFrame, source: SourceText | str) -> list[Problem]:
    """Quotations of the report that the data neither stores nor lists as left out."""
    name = source.name if isinstance(source, SourceText) else Path(source).name
    return [Problem(name, None, None, f"the quotation '{_shorten(r.quote)}' (section {r.section})",
                    "store it in data/ or list it in quotations_left_out.csv with the reason")
            for r in coverage[coverage["status"] == "missing"].itertuples(index=False)]


# ---------------------------------------------------------------- where the report is

def report_text_paths(environ: dict | None = None, fallback: Path | None = None) -> list[Path]:
    """The report texts named by ``EBM_REPORT_TEXT``, else those in ``fallback`` (if it exists).

    Parameters
    ----------
    environ : dict, optional
        The environment (default ``os.environ``).
    fallback : Path, optional
        A folder whose ``*.txt`` and ``*.md`` files are the report's renderings.

    Returns
    -------
    list of Path
        Existing files only; empty when the report is not available.

    Examples
    --------
    >>> report_text_paths({"EBM_REPORT_TEXT": "/no/such/file.txt"})
    []
    """
    env = os.environ if environ is None else environ
    named = env.get(REPORT_TEXT_VARIABLE, "")
    if named:
        return [p for p in (Path(s) for s in named.split(os.pathsep) if s) if p.is_file()]
    if fallback is not None and fallback.is_dir():
        return sorted(p for p in fallback.iterdir() if p.suffix in (".txt", ".md") and p.is_file())
    return []
