"""Memos: the researcher's notes on codes, segments, meetings, or free analytic memos.

A memo is a Markdown file ``memos/M001.md`` in the data folder, with a
front matter block naming what it is about::

    ---
    title: Trust grows where the expert translates
    author: R1
    created: 2026-12-03
    links:
      - code:moderator_translator
      - segment:O016
      - meeting:3
    ---
    The mentors' advice at meeting 3 ...

``title``, ``author`` and ``created`` (a date, ``YYYY-MM-DD``) are required;
``updated`` (a date) is optional; ``links`` is a list of ``code:<code_id>``,
``segment:<excerpt_id or note_id>`` and ``meeting:<number>``, empty (``links: []``
or no items) for a free analytic memo. Every link must name something the
project has; a memo that does not parse raises
:class:`~ebm_analysis.errors.DataError` naming the file and the line.

Memos are written only through the coding store
(:meth:`~ebm_analysis.coding.CodingStore.add_memo`,
:meth:`~ebm_analysis.coding.CodingStore.edit_memo`), under the data folder's
lock, atomically (the previous version kept in ``memos/.versions/``), and
each write is recorded in the change log as a note (``add memo`` /
``edit memo``). Undo does not take memo writes back: edit the memo again.
The per-coding memo (:meth:`~ebm_analysis.coding.CodingStore.set_memo`) is
a different thing and stays in ``codings.csv``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from ebm_analysis import atomic
from ebm_analysis.errors import DataError, Problem, shorten

if TYPE_CHECKING:
    from ebm_analysis.coding import CodingStore

__all__ = ["MEMO_DIR", "MEMO_COLUMNS", "LINK_KINDS", "load_memos", "search_memos", "memo_links", "parse_memo",
           "format_memo", "add_memo", "edit_memo"]

#: The memos' folder inside a data folder.
MEMO_DIR = "memos"
#: Columns of :func:`load_memos`.
MEMO_COLUMNS = ["memo_id", "title", "author", "created", "updated", "links", "kind", "text", "file"]
#: What a link may name.
LINK_KINDS = ("code", "segment", "meeting")

_ID = re.compile(r"M(\d{3,})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIELD = re.compile(r"([a-z_]+):(.*)")
_TITLE_LIMIT = 200


# ---------------------------------------------------------------- reading

def parse_memo(content: str, file: str = "memo.md") -> dict:
    """Parse one memo file's text into ``title``, ``author``, ``created``, ``updated``, ``links``, ``text``.

    Raises
    ------
    DataError
        Naming ``file``, the line and what is wrong, for a missing or
        unclosed front matter, an unknown or repeated field, a missing
        required field, a date that is not ``YYYY-MM-DD``, or a link that is
        not ``code:…``, ``segment:…`` or ``meeting:…``.

    Examples
    --------
    >>> memo = parse_memo("---\\ntitle: T\\nauthor: R1\\ncreated: 2026-12-03\\nlinks:\\n  - code:stress\\n---\\nBody\\n")
    >>> memo["links"], memo["text"]
    (['code:stress'], 'Body')
    >>> parse_memo("title: T\\n", "memos/M001.md")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
      - memos/M001.md, line 1: found 'title: T'; expected a first line '---' opening the front matter ...
    """
    lines = content.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise DataError(Problem(file, 1, None, repr(lines[0][:60]) if lines else "an empty file",
                                "expected a first line '---' opening the front matter (title, author, created, "
                                "links), then '---', then the memo's text"))
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        last = len(content.replace("\r\n", "\n").rstrip("\n").split("\n"))
        raise DataError(Problem(file, last, None, "no closing '---'",
                                "end the front matter with a line '---' before the memo's text")) from None
    fields = _front_matter(lines[1:close], file)
    body = "\n".join(lines[close + 1:]).strip("\n")
    return {**fields, "text": body}


def _front_matter(lines: list[str], file: str) -> dict:
    fields: dict = {"links": []}
    seen: dict[str, int] = {}
    in_links = False
    for offset, raw in enumerate(lines):
        line_no = offset + 2
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        item = re.fullmatch(r"\s+-\s*(.*)", raw) or re.fullmatch(r"-\s+(.*)", raw)
        if item and in_links:
            fields["links"].append(_link(item.group(1).strip().strip("'\""), file, line_no))
            continue
        match = _FIELD.fullmatch(raw.strip())
        if match is None or raw[:1].isspace():
            raise DataError(Problem(file, line_no, None, repr(raw.strip()[:60]),
                                    "expected 'field: value' (title, author, created, updated, links) or, under "
                                    "links:, an item '  - code:<code_id>'"))
        name, value = match.group(1), match.group(2).strip()
        if name not in ("title", "author", "created", "updated", "links"):
            raise DataError(Problem(file, line_no, name, f"the field '{name}'",
                                    "expected only title, author, created, updated and links"))
        if name in seen:
            raise DataError(Problem(file, line_no, name, f"'{name}' a second time (first on line {seen[name]})",
                                    "give each field once"))
        seen[name] = line_no
        in_links = name == "links"
        if in_links:
            fields["links"] = _inline_links(value, file, line_no)
        else:
            fields[name] = _scalar(name, value.strip("'\"") if len(value) > 1 else value, file, line_no)
    for name in ("title", "author", "created"):
        if not fields.get(name):
            raise DataError(Problem(file, 1, name, f"no {name}", f"add a line '{name}: ...' to the front matter"
                                    + (" (a date, YYYY-MM-DD)" if name == "created" else "")))
    fields.setdefault("updated", None)
    return fields


def _scalar(name: str, value: str, file: str, line_no: int) -> str:
    if name in ("created", "updated"):
        if not _DATE.fullmatch(value) or not _valid_date(value):
            raise DataError(Problem(file, line_no, name, repr(value), "expected a date as YYYY-MM-DD, e.g. 2026-12-03"))
    elif not value:
        raise DataError(Problem(file, line_no, name, "an empty value", f"{name} needs a text"))
    elif len(value) > _TITLE_LIMIT:
        raise DataError(Problem(file, line_no, name, f"a {name} of {len(value)} characters",
                                f"keep the {name} to at most {_TITLE_LIMIT} characters"))
    return value


def _valid_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _inline_links(value: str, file: str, line_no: int) -> list[str]:
    if value in ("", "[]"):
        return []
    if value.startswith("[") and value.endswith("]"):
        return [_link(v.strip().strip("'\""), file, line_no) for v in value[1:-1].split(",") if v.strip()]
    raise DataError(Problem(file, line_no, "links", repr(value), "expected the links as a list: 'links:' and then "
                            "one '  - code:<code_id>' per line, or 'links: [code:x, segment:E001]', or 'links: []'"))


def _link(value: str, file: str, line_no: int) -> str:
    kind, _, target = value.partition(":")
    if kind not in LINK_KINDS or not target.strip():
        raise DataError(Problem(file, line_no, "links", repr(value),
                                "expected a link as code:<code_id>, segment:<E… or O… id> or meeting:<number>"))
    return f"{kind}:{target.strip()}"


def link_problems(links: Iterable[str], project, file: str, line: int | None = None) -> list[Problem]:
    """The links that name no code, segment or meeting of ``project`` (as problems)."""
    codes = set(project.codebook["code_id"].astype(str))
    segments = set(project.tables["excerpts"]["excerpt_id"].astype(str)) | \
        set(project.tables["observations"]["note_id"].astype(str))
    meetings = {str(m) for m in project.tables["meetings"]["meeting"].tolist()}
    known = {"code": codes, "segment": segments, "meeting": meetings}
    problems = []
    for link in links:
        kind, _, target = link.partition(":")
        if target not in known.get(kind, set()):
            what = {"code": "a code_id of codebook.csv", "segment": "an excerpt_id or note_id",
                    "meeting": f"a meeting number ({shorten(sorted(meetings, key=_natural), 8)})"}[kind]
            problems.append(Problem(file, line, "links", f"'{link}', which names no {kind} of the project",
                                    f"expected {what}"))
    return problems


def _natural(value: str):
    return (len(value), value)


def load_memos(data_dir: str | Path | None = None, *, project=None) -> pd.DataFrame:
    """Every memo of a data folder, validated, in id order.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (None: the bundled EBM data, or ``project``'s folder).
    project : Project, optional
        The loaded project the links are checked against (loaded from
        ``data_dir`` when not given).

    Returns
    -------
    DataFrame
        Columns ``memo_id`` (``M001`` …, from the file name), ``title``,
        ``author``, ``created``, ``updated`` (dates as ``YYYY-MM-DD``,
        ``updated`` empty when never edited), ``links`` (``; ``-separated,
        empty for a free memo), ``kind`` (``free`` or ``linked``), ``text``
        (the Markdown body), ``file`` (``memos/M001.md``). No memos folder:
        an empty table with these columns.

    Raises
    ------
    DataError
        For every memo file that does not parse or links to nothing; a file
        in ``memos/`` not named ``M<number>.md``.

    Examples
    --------
    >>> load_memos().columns.tolist()
    ['memo_id', 'title', 'author', 'created', 'updated', 'links', 'kind', 'text', 'file']
    """
    from ebm_analysis.project import load_project

    if project is None:
        project = load_project(data_dir)
    folder = Path(project.path) if data_dir is None else Path(data_dir)
    rows, problems = [], []
    for path in _memo_files(folder, problems):
        rel = f"{MEMO_DIR}/{path.name}"
        try:
            content = path.read_text(encoding="utf-8")
            memo = parse_memo(content, rel)
        except UnicodeDecodeError as exc:
            problems.append(Problem(rel, None, None, f"bytes that are not UTF-8 ({exc.reason})",
                                    "save the memo as UTF-8"))
            continue
        except DataError as err:
            problems.extend(err.problems)
            continue
        problems += link_problems(memo["links"], project, rel, _links_line(content))
        rows.append([path.stem, memo["title"], memo["author"], memo["created"], memo["updated"],
                     "; ".join(memo["links"]), "linked" if memo["links"] else "free", memo["text"], rel])
    if problems:
        raise DataError(problems)
    out = pd.DataFrame(rows, columns=MEMO_COLUMNS)
    return out.astype("string").sort_values("memo_id", key=lambda s: s.str[1:].astype(int)).reset_index(drop=True)


def _memo_files(folder: Path, problems: list[Problem]) -> list[Path]:
    where = folder / MEMO_DIR
    if not where.is_dir():
        return []
    out = []
    for path in sorted(where.iterdir()):
        if path.name.startswith("."):
            continue
        if not (path.suffix == ".md" and _ID.fullmatch(path.stem) and path.is_file() and not path.is_symlink()):
            problems.append(Problem(f"{MEMO_DIR}/{path.name}", None, None, f"'{path.name}'",
                                    "expected only memo files named M<number>.md (e.g. M001.md) in memos/; "
                                    "move other files elsewhere"))
            continue
        out.append(path)
    return out


def _links_line(content: str) -> int | None:
    for i, line in enumerate(content.split("\n"), start=1):
        if line.startswith("links:"):
            return i
    return None


def memo_links(memos: pd.DataFrame) -> pd.DataFrame:
    """The memos' links, one row each: ``memo_id``, ``kind`` (code, segment, meeting), ``target``.

    Examples
    --------
    >>> memos = pd.DataFrame({"memo_id": ["M001", "M002"], "links": ["code:a; meeting:3", ""]})
    >>> memo_links(memos).values.tolist()
    [['M001', 'code', 'a'], ['M001', 'meeting', '3']]
    """
    rows = [[m, *link.split(":", 1)] for m, links in zip(memos["memo_id"], memos["links"].fillna(""))
            for link in str(links).split("; ") if link]
    return pd.DataFrame(rows, columns=["memo_id", "kind", "target"]).astype("string")


def search_memos(memos: pd.DataFrame, text: str = "", *, link: str | None = None) -> pd.DataFrame:
    """The memos whose title or text contains ``text`` (case-insensitive) and, if given, that carry ``link``.

    Parameters
    ----------
    memos : DataFrame
        From :func:`load_memos`.
    text : str
        Words to find (all of them, in any order); empty: every memo.
    link : str, optional
        Only memos with this link, e.g. ``"code:stress"``.

    Returns
    -------
    DataFrame
        The matching rows of ``memos``, same columns.

    Examples
    --------
    >>> memos = pd.DataFrame({"memo_id": ["M001", "M002"], "title": ["Trust", "Time"],
    ...                       "text": ["Tillit växer", "no time"], "links": ["code:a", ""]})
    >>> search_memos(memos, "TILLIT")["memo_id"].tolist()
    ['M001']
    >>> search_memos(memos, link="code:a")["memo_id"].tolist()
    ['M001']
    """
    haystack = (memos["title"].fillna("") + "\n" + memos["text"].fillna("")).str.casefold()
    keep = pd.Series(True, index=memos.index)
    for word in text.casefold().split():
        keep &= haystack.str.contains(word, regex=False)
    if link:
        keep &= memos["links"].fillna("").map(lambda s: link in str(s).split("; "))
    return memos[keep.astype(bool)]


# ---------------------------------------------------------------- writing

def format_memo(title: str, author: str, created: str, links: Iterable[str], text: str,
                updated: str | None = None) -> str:
    """A memo file's content (front matter and text), as :func:`parse_memo` reads it back.

    Examples
    --------
    >>> print(format_memo("T", "R1", "2026-12-03", ["code:stress"], "Body"))
    ---
    title: T
    author: R1
    created: 2026-12-03
    links:
      - code:stress
    ---
    Body
    <BLANKLINE>
    """
    links = list(links)
    head = ["---", f"title: {title}", f"author: {author}", f"created: {created}"]
    if updated:
        head.append(f"updated: {updated}")
    head += ["links:", *(f"  - {link}" for link in links)] if links else ["links: []"]
    return "\n".join([*head, "---", text.strip("\n"), ""])


def _check_fields(title: str, text: str, links: list[str], store: CodingStore, file: str) -> None:
    problems = []
    for name, value in (("title", title), ("text", text)):
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(file, None, name, "an empty value", f"a memo needs a {name}"))
    if isinstance(title, str) and ("\n" in title or len(title) > _TITLE_LIMIT):
        problems.append(Problem(file, None, "title", "a title with a line break or too long",
                                f"write the title on one line of at most {_TITLE_LIMIT} characters"))
    if isinstance(text, str) and any(line.strip() == "---" for line in text.split("\n")):
        problems.append(Problem(file, None, "text", "a line '---' in the text",
                                "a line of only '---' is reserved for the front matter; use '***' for a rule"))
    for link in links:
        try:
            _link(link, file, None)
        except DataError as err:
            problems.extend(err.problems)
    if not problems:
        problems = link_problems(links, store.project, file)
    if problems:
        raise DataError(problems)


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def _next_memo_id(folder: Path) -> str:
    numbers = [int(m.group(1)) for p in (folder.iterdir() if folder.is_dir() else [])
               if (m := _ID.fullmatch(p.stem)) and p.suffix == ".md"]
    return f"M{max(numbers, default=0) + 1:03d}"


def add_memo(store: CodingStore, title: str, text: str, links: Iterable[str] = (), *, coder: str | None = None,
             reason: str | None = None) -> str:
    """Write a new memo (under the folder's lock, atomically, logged); returns its id, e.g. ``M004``.

    Parameters
    ----------
    store : CodingStore
    title, text : str
        One line of title; the memo's Markdown text.
    links : iterable of str
        ``code:<code_id>``, ``segment:<id>``, ``meeting:<n>``; none for a free memo.
    coder : str, optional
        The author (default: the store's coder).
    reason : str, optional
        Logged with the change.

    Raises
    ------
    DataError
        An empty title or text, a link to nothing. Nothing is written.
    """
    links = list(links)
    _check_fields(title, text, links, store, f"{MEMO_DIR}/(new memo)")
    where = store.folder / MEMO_DIR
    written: Path | None = None
    try:
        with store.transaction(coder, reason, action="add memo") as tx:
            where.mkdir(exist_ok=True)
            memo_id = _next_memo_id(where)
            written = where / f"{memo_id}.md"
            atomic.write_text_atomic(written, format_memo(title, tx.coder, _today(), links, text))
            tx.note("add memo", f"memo {memo_id} “{title[:60]}”", memo=memo_id, links=links)
    except BaseException:
        if written is not None:  # the log could not record it: take the file back, so that nothing is half-saved
            written.unlink(missing_ok=True)
        raise
    return memo_id


def edit_memo(store: CodingStore, memo_id: str, text: str | None = None, *, title: str | None = None,
              links: Iterable[str] | None = None, coder: str | None = None, reason: str | None = None) -> None:
    """Change a memo's text, title and/or links; the author and created date stay, ``updated`` is set.

    The previous version is kept in ``memos/.versions/``.

    Raises
    ------
    DataError
        No such memo, a memo file that does not parse, an empty text or
        title, a link to nothing. Nothing is written.
    """
    path = store.folder / MEMO_DIR / f"{memo_id}.md"
    rel = f"{MEMO_DIR}/{memo_id}.md"
    if not (isinstance(memo_id, str) and _ID.fullmatch(memo_id) and path.is_file()):
        raise DataError(Problem(rel, None, "memo_id", f"'{memo_id}', which is not a memo",
                                "expected the id of a file in memos/ (see load_memos)"))
    previous: str | None = None
    try:
        with store.transaction(coder, reason, action="edit memo") as tx:
            content = path.read_text(encoding="utf-8")
            old = parse_memo(content, rel)
            new = {"title": old["title"] if title is None else title, "text": old["text"] if text is None else text,
                   "links": old["links"] if links is None else list(links)}
            _check_fields(new["title"], new["text"], new["links"], store, rel)
            previous = content
            atomic.write_text_atomic(path, format_memo(new["title"], old["author"], old["created"], new["links"],
                                                       new["text"], updated=_today()))
            changed = [k for k in ("title", "text", "links") if new[k] != old[k]]
            tx.note("edit memo", f"memo {memo_id}: {', '.join(changed) or 'nothing'} changed", memo=memo_id,
                    changed=changed)
    except BaseException:
        if previous is not None:  # the log could not record it: put the memo back as it was
            atomic.write_text_atomic(path, previous, keep_previous=False)
        raise
