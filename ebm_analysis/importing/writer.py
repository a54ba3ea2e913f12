"""Import documents into a data folder: read, split, pseudonymise, validate, and store all at once.

:func:`import_text` is what ``python -m ebm_analysis import-text`` runs. Each
file becomes segments (:mod:`.segmenting`); every segment's text is
pseudonymised (:mod:`ebm_analysis.pseudonymise`) before anything is written;
the new rows get ids that continue the folder's sequences (``E031``, ...)
and a provenance row each in ``segment_sources.csv`` (file name, SHA-256
checksum, position, line, cue times).

Where the segments go:

=============  ===========  =====================================================
``--kind``     split        rows
=============  ===========  =====================================================
interview      any          ``excerpts.csv``, ``source_type`` interview
observation    turns        ``excerpts.csv``, ``source_type`` meeting (said in a meeting)
observation    paragraphs   ``observations.csv``, ``basis`` observed
=============  ===========  =====================================================

The default split is ``turns`` for timed transcripts and interviews,
``paragraphs`` for observation notes. Imported segments have ``text_en``
"(not translated)" and ``section`` naming the file and the position.

Storing is all-or-nothing: inside the data folder's lock the new tables are
built, validated together with every other table exactly as
:func:`~ebm_analysis.project.load_project` would, staged with a ``READY``
mark, and only then moved into place (the staging of
:mod:`ebm_analysis.redaction`, which the next load completes after a
crash). The previous versions are kept in ``.versions/``. The key is written
before the data, so that no pseudonym is ever stored without its key.

A file already imported (same checksum) is refused, and so is a changed file
with the name of one imported before, unless ``update=True``
(``--update``): then its segments are updated in place and the codings
follow their text (:mod:`.update`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ebm_analysis import atomic
from ebm_analysis.errors import DataError, Problem, printable
from ebm_analysis.importing.blocks import Block, display_name, sha256
from ebm_analysis.importing.opendocument import read_odt
from ebm_analysis.importing.plain import read_plain
from ebm_analysis.importing.segmenting import SPLITS, Segment, segment
from ebm_analysis.importing.speakers import read_speaker_map
from ebm_analysis.importing.timed import read_srt, read_vtt
from ebm_analysis.importing.word import read_docx
from ebm_analysis.lock import DEFAULT_TIMEOUT, FolderLock
from ebm_analysis.pseudonymise import (REPLACEMENT_COLUMNS, build_key, pseudonymise, read_key, read_names_list,
                                       refuse_inside, write_key)
from ebm_analysis.reading import parse_table, sniff_delimiter
from ebm_analysis.schema import MEETINGS, SOURCE_FORMATS, TABLES, TABLES_BY_NAME

__all__ = ["ImportResult", "import_text", "read_document", "KINDS", "NOT_TRANSLATED"]

KINDS = ("interview", "observation")
NOT_TRANSLATED = "(not translated)"
TIMED = ("vtt", "srt")
SOURCES = TABLES_BY_NAME["segment_sources"]
#: Files larger than this are refused (a whole study's transcripts are a few MB).
MAX_BYTES = 64 * 1024 * 1024


@dataclass
class ImportResult:
    """What :func:`import_text` did (or, in a dry run, would do).

    Attributes
    ----------
    segments : DataFrame
        One row per new segment: ``segment_id``, ``table`` (excerpts or
        observations), ``source_file``, ``position``, ``speaker`` (a
        pseudonym or empty), ``start_time``, ``text_sv`` (pseudonymised).
    replacements : DataFrame
        Every replacement made: ``source_file``, ``position`` and the columns
        of :func:`ebm_analysis.pseudonymise.pseudonymise` (``kind``,
        ``original``, ``pseudonym``, ``offset``, ``context``). It holds the
        originals: show it only to who may see them.
    written : list of str
        The files written in the data folder (empty in a dry run).
    key_file : Path or None
        The key written (None in a dry run).
    updated : list of str
        The files whose segments were updated (``update=True``).
    moved : DataFrame or None
        The span codings moved with their text (:func:`ebm_analysis.repair.plan_span_repairs`).
    """

    segments: pd.DataFrame
    replacements: pd.DataFrame
    written: list[str] = field(default_factory=list)
    key_file: Path | None = None
    dry_run: bool = False
    updated: list[str] = field(default_factory=list)
    moved: pd.DataFrame | None = None


@dataclass
class _Document:
    name: str
    checksum: str
    fmt: str
    split: str
    segments: list[Segment]


def _format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in SOURCE_FORMATS:
        raise DataError(Problem(display_name(path), None, None, f"a file ending in {printable(path.suffix) or '(nothing)'}",
                                f"expected one of {', '.join('.' + f for f in SOURCE_FORMATS)}; save the document "
                                "in one of these formats"))
    return fmt


def read_document(path: str | Path, split: str | None = None, kind: str = "interview") -> tuple[str, str, list[Block]]:
    """Read one document: its format, its checksum and its blocks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "notes.md"
    >>> _ = p.write_text("# Möte\\n\\nEtt.\\n\\nTvå.\\n", encoding="utf-8")
    >>> fmt, checksum, blocks = read_document(p)
    >>> fmt, len(checksum), [b.text for b in blocks]
    ('md', 64, ['Ett.', 'Två.'])
    """
    path = Path(path)
    fmt = _format_of(path)
    name = display_name(path)
    if not path.is_file():
        raise DataError(Problem(name, None, None, "no such file" if not path.exists() else "not a regular file",
                                "give the path of a document to import"))
    if path.stat().st_size > MAX_BYTES:
        raise DataError(Problem(name, None, None, f"a file of {path.stat().st_size:,} bytes",
                                f"expected at most {MAX_BYTES:,} bytes; split the document"))
    data = path.read_bytes()
    split = split or _default_split(fmt, kind)
    if fmt in ("txt", "md"):
        blocks = read_plain(data, name, markdown=fmt == "md", lines=split == "turns")
    elif fmt == "docx":
        blocks = read_docx(data, name)
    elif fmt == "odt":
        blocks = read_odt(data, name)
    else:
        blocks = (read_vtt if fmt == "vtt" else read_srt)(data, name)
    return fmt, sha256(data), blocks


def _default_split(fmt: str, kind: str) -> str:
    return "turns" if fmt in TIMED or kind == "interview" else "paragraphs"


def _check_options(kind: str, meeting: int | None, split: str | None) -> None:
    problems = []
    if kind not in KINDS:
        problems.append(Problem("(import)", None, "--kind", repr(kind), f"expected one of {', '.join(KINDS)}"))
    if split is not None and split not in SPLITS:
        problems.append(Problem("(import)", None, "--split", repr(split), f"expected one of {', '.join(SPLITS)}"))
    if meeting is not None and not MEETINGS[0] <= meeting <= MEETINGS[1]:
        problems.append(Problem("(import)", None, "--meeting", str(meeting),
                                f"expected a meeting number from {MEETINGS[0]} to {MEETINGS[1]}"))
    if kind == "observation" and meeting is None:
        problems.append(Problem("(import)", None, "--meeting", "no meeting",
                                "observations belong to a meeting: give --meeting N"))
    if problems:
        raise DataError(problems)


def import_text(files, data_dir: str | Path | None = None, *, kind: str, speaker_map: str | Path,
                key: str | Path | None = None, names: str | Path | None = None, meeting: int | None = None,
                split: str | None = None, dry_run: bool = False, update: bool = False,
                lock_timeout: float = DEFAULT_TIMEOUT) -> ImportResult:
    """Import documents into a data folder, pseudonymised, with provenance; all or nothing.

    Parameters
    ----------
    files : list of str or Path
        The documents (.txt, .md, .docx, .odt, .vtt, .srt).
    data_dir : str or Path, optional
        The data folder (None: :func:`~ebm_analysis.project.default_data_dir`).
    kind : {"interview", "observation"}
    speaker_map : str or Path
        The speaker map (:mod:`ebm_analysis.importing.speakers`), outside the data folder.
    key : str or Path
        The pseudonym key to extend, outside the data folder; required unless ``dry_run``.
    names : str or Path, optional
        A names list (:func:`ebm_analysis.pseudonymise.read_names_list`).
    meeting : int, optional
        The meeting (required for observations).
    split : {"turns", "paragraphs"}, optional
        Default: turns for timed transcripts and interviews, paragraphs for observation notes.
    dry_run : bool
        Do everything but write: the result shows every segment and replacement.
    update : bool
        A changed version of a file imported before updates its segments in
        place (:mod:`ebm_analysis.importing.update`); without it, it is refused.
    lock_timeout : float
        Seconds to wait for another writer.

    Returns
    -------
    ImportResult

    Raises
    ------
    DataError
        For a document that cannot be read (naming file, line and what was
        found), a file imported before, a key or speaker map inside the data
        folder, or rows that would not load (an unknown participant or
        meeting); nothing is written then.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis.newproject import new_project
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> folder = new_project(home / "study")
    >>> _ = (home / "map.csv").write_text("speaker,participant_id,role,pseudonym\\n"
    ...                                   "Karin,,not_a_participant,[INT1]\\nOlle,,unknown,[P1]\\n", encoding="utf-8")
    >>> _ = (home / "i.txt").write_text("Karin: Hur var det?\\nOlle: Bra, Karin.\\n", encoding="utf-8")
    >>> result = import_text([home / "i.txt"], folder, kind="interview", speaker_map=home / "map.csv",
    ...                      key=home / "key.csv")
    >>> result.segments[["segment_id", "speaker", "text_sv"]].values.tolist()
    [['E001', '[INT1]', 'Hur var det?'], ['E002', '[P1]', 'Bra, [INT1].']]
    """
    from ebm_analysis.project import default_data_dir

    folder = default_data_dir() if data_dir is None else Path(data_dir)
    _check_options(kind, meeting, split)
    refuse_inside(speaker_map, folder, "the speaker map")
    if key is None and not dry_run:
        raise DataError(Problem("(import)", None, "--key", "no key file",
                                "give --key KEY.csv outside the data folder: without the key the pseudonyms "
                                "could never be reversed"))
    if key is not None:
        refuse_inside(key, folder, "the pseudonym key")
    speakers = read_speaker_map(speaker_map)
    names_list = read_names_list(names) if names else []
    documents = _read_all(files, kind, split, speakers)
    with FolderLock(folder, lock_timeout, holder="import-text"):
        from ebm_analysis.redaction import finish_interrupted

        finish_interrupted(folder, locked=True)
        # the key is read inside the lock: two imports into one folder never hand out the same new pseudonym
        key_frame = build_key(speakers, names_list, read_key(key) if key else None)
        rows, replacements, key_frame = _pseudonymised_rows(documents, key_frame)
        staged, segments, updated = _build_tables(folder, documents, rows, kind, meeting, update)
        if dry_run:
            return ImportResult(segments, replacements, dry_run=True, updated=updated)
        key_file = write_key(key, key_frame, folder)
        _store(folder, staged)
    moved = None
    if updated:
        from ebm_analysis.repair import repair_spans

        moved = repair_spans(folder, coder="import-text", reason=f"update of {', '.join(updated)}")
    return ImportResult(segments, replacements, sorted(staged), key_file, updated=updated, moved=moved)


def _read_all(files, kind: str, split: str | None, speakers) -> list[_Document]:
    documents: list[_Document] = []
    seen: dict[str, str] = {}
    for path in map(Path, files):
        fmt, checksum, blocks = read_document(path, split, kind)
        name = display_name(path)
        if checksum in seen:
            raise DataError(Problem(name, None, None, f"the same content as {seen[checksum]}",
                                    "give each document once"))
        seen[checksum] = name
        how = split or _default_split(fmt, kind)
        documents.append(_Document(name, checksum, fmt, how,
                                   segment(blocks, speakers, how, name, " " if fmt in TIMED else "\n")))
        if not documents[-1].segments:
            raise DataError(Problem(name, None, None, "no text", "expected a document with at least one paragraph"))
    return documents


def _pseudonymised_rows(documents: list[_Document], key: pd.DataFrame):
    rows, found = [], []
    for doc in documents:
        for seg in doc.segments:
            text, done, key = pseudonymise(seg.text, key)
            rows.append((doc, seg, text))
            found.append(done.assign(source_file=doc.name, position=seg.position))
    columns = ["source_file", "position", *REPLACEMENT_COLUMNS]
    replacements = pd.concat(found, ignore_index=True)[columns] if found else pd.DataFrame(columns=columns)
    return rows, replacements.reset_index(drop=True), key


# ---------------------------------------------------------------- the tables

def _current(folder: Path) -> dict[str, bytes]:
    """The bytes of every table file in the folder (read safely: links, pipes and devices refused)."""
    from ebm_analysis.reading import read_file_bytes

    contents, problems = {}, []
    for table in TABLES:
        if os.path.lexists(folder / table.file):
            data, found = read_file_bytes(folder / table.file, table.file, folder)
            problems.extend(found)
            if data is not None:
                contents[table.name] = data
    if problems:
        raise DataError(problems)
    return contents


def _next_number(frame: pd.DataFrame, column: str) -> tuple[int, int]:
    """The next number of an id sequence such as E001, and the width of its digits."""
    ids = [str(v) for v in frame[column].dropna().tolist()] if column in frame else []
    digits = [v.lstrip("EO") for v in ids if v[1:].isdigit()]
    return (max(map(int, digits)) + 1 if digits else 1), max([3, *map(len, digits)])


def _build_tables(folder: Path, documents, rows, kind: str, meeting: int | None, update: bool = False):
    from ebm_analysis.project import _validated_frames

    contents = _current(folder)
    frames, _ = _validated_frames(dict(contents), [])
    updated = _refuse_imported(documents, frames.get("segment_sources"), update)
    counters = {"excerpts": _next_number(frames.get("excerpts", pd.DataFrame()), "excerpt_id"),
                "observations": _next_number(frames.get("observations", pd.DataFrame()), "note_id")}

    def id_of_new(table: str) -> str:
        number, width = counters[table]
        counters[table] = (number + 1, width)
        return f"{'E' if table == 'excerpts' else 'O'}{number:0{width}d}"

    items = {doc.name: [] for doc in documents}
    for doc, seg, text in rows:
        items[doc.name].append(_segment_row(doc, seg, text, kind, meeting))
    shown, staged = [], {}
    if not updated:
        new: dict[str, list[dict]] = {"excerpts": [], "observations": [], "segment_sources": []}
        for doc in documents:
            for item in items[doc.name]:
                segment_id = id_of_new(item["table"])
                key = "excerpt_id" if item["table"] == "excerpts" else "note_id"
                new[item["table"]].append({key: segment_id, **item["row"]})
                new["segment_sources"].append({"segment_id": segment_id, **item["source"]})
                shown.append(_shown(segment_id, item))
        for name, added in new.items():
            if added:
                staged[TABLES_BY_NAME[name].file] = _appended(contents.get(name), name, added)
    else:
        from ebm_analysis.importing.update import update_frames

        changed = {name: frames[name] for name in ("excerpts", "observations", "segment_sources", "codings")}
        for doc in documents:
            if doc.name in updated:
                before = set(changed["segment_sources"]["segment_id"])
                result, _ = update_frames(changed, doc, items[doc.name], id_of_new)
                changed.update(result)
                src = result["segment_sources"]
                ids = src[src["source_file"] == doc.name].sort_values("position")["segment_id"].tolist()
            else:
                ids = []
                for item in items[doc.name]:
                    segment_id = id_of_new(item["table"])
                    key = "excerpt_id" if item["table"] == "excerpts" else "note_id"
                    changed[item["table"]] = _with_row(changed[item["table"]], {key: segment_id, **item["row"]})
                    changed["segment_sources"] = _with_row(changed["segment_sources"],
                                                           {"segment_id": segment_id, **item["source"]})
                    ids.append(segment_id)
            shown += [_shown(i, item) for i, item in zip(ids, items[doc.name])]
        for name in ("excerpts", "observations", "segment_sources"):
            if not changed[name].equals(frames[name]):
                staged[TABLES_BY_NAME[name].file] = _rewritten(contents.get(name), name, changed[name])
    for rel, data in staged.items():
        contents[next(t.name for t in TABLES if t.file == rel)] = data
    _validated_frames_except_moved_spans(contents, bool(updated))
    segments = pd.DataFrame(shown, columns=["segment_id", "table", "source_file", "position", "speaker",
                                            "start_time", "text_sv"]).astype(
        {"segment_id": "string", "table": "string", "source_file": "string", "position": "int64",
         "speaker": "string", "start_time": "string", "text_sv": "string"})
    return staged, segments, sorted(updated)


def _segment_row(doc, seg, text: str, kind: str, meeting: int | None) -> dict:
    """The segment table, its row (without the id) and its provenance row (without the id)."""
    where = f"{doc.name}, {'turn' if doc.split == 'turns' else 'paragraph'} {seg.position}"
    if kind == "observation" and doc.split == "paragraphs":
        table = "observations"
        row = {"meeting": meeting, "basis": "observed", "text_sv": text, "text_en": NOT_TRANSLATED,
               "section": where, "note": "imported"}
    else:
        table = "excerpts"
        speaker = seg.speaker
        row = {"source_type": "interview" if kind == "interview" else "meeting",
               "speaker_role": speaker.role if speaker else "unknown",
               "speaker_id": speaker.participant_id if speaker else None, "speaker_group": None,
               "meeting": meeting, "text_sv": text, "text_en": NOT_TRANSLATED, "section": where, "note": "imported"}
    source = {"source_file": doc.name, "sha256": doc.checksum, "source_format": doc.fmt, "split": doc.split,
              "position": seg.position, "line": seg.line, "start_time": seg.start, "end_time": seg.end}
    return {"table": table, "row": row, "source": source,
            "speaker": seg.speaker.pseudonym if seg.speaker else "", "start": seg.start or ""}


def _shown(segment_id: str, item: dict) -> tuple:
    return (segment_id, item["table"], item["source"]["source_file"], item["source"]["position"], item["speaker"],
            item["start"], item["row"]["text_sv"])


def _with_row(frame: pd.DataFrame, values: dict) -> pd.DataFrame:
    row = pd.DataFrame([{c: values.get(c) for c in frame.columns}]).astype(frame.dtypes.to_dict())
    return pd.concat([frame, row], ignore_index=True)


def _rewritten(data: bytes | None, name: str, frame: pd.DataFrame) -> bytes:
    """The whole table written again (after an update), in the file's own column order."""
    table = TABLES_BY_NAME[name]
    header = table.column_names
    if data:
        rt, problems = parse_table(data, table.file)
        if rt is None:
            raise DataError(problems)
        header = [c for c in rt.header if c in frame.columns]
    return atomic.frame_to_csv_text(frame[header].reset_index(drop=True), table.file).encode("utf-8")


def _validated_frames_except_moved_spans(contents: dict[str, bytes], spans_may_move: bool) -> None:
    """Validate everything together, as the next load will; after an update, codings' spans are moved next."""
    from ebm_analysis.project import _validated_frames

    try:
        _validated_frames(dict(contents), [])
    except DataError as err:
        if not spans_may_move:
            raise
        left = [p for p in err.problems if not (p.file == "codings.csv" and p.column in ("end", "start"))]
        if left:
            raise DataError(left) from None


def _refuse_imported(documents, sources: pd.DataFrame | None, update: bool = False) -> set[str]:
    """Refuse files imported before; with ``update``, the names of changed files to update."""
    if sources is None or sources.empty:
        return set()
    problems, updated = [], set()
    for doc in documents:
        same = sources[sources["sha256"] == doc.checksum]
        named = sources[(sources["source_file"] == doc.name) & (sources["sha256"] != doc.checksum)]
        if len(same):
            ids = same["segment_id"].tolist()
            problems.append(Problem(doc.name, None, None, f"a file imported before (the same checksum as "
                                    f"{same['source_file'].iloc[0]}, now {ids[0]}–{ids[-1]})",
                                    "it is in the data folder already; nothing was imported"))
        elif len(named) and update:
            updated.add(doc.name)
        elif len(named):
            problems.append(Problem(doc.name, None, None, "a changed version of a file imported before "
                                    f"({named['segment_id'].iloc[0]}–{named['segment_id'].iloc[-1]})",
                                    "give --update to update its segments (codings follow their text), or rename "
                                    "the file to import it as new material"))
    if problems:
        raise DataError(problems)
    return updated


def _appended(data: bytes | None, name: str, added: list[dict]) -> bytes:
    """The table file with the rows added at its end (existing rows kept byte for byte)."""
    table = TABLES_BY_NAME[name]
    if data is None:
        header = table.column_names
    else:
        rt, problems = parse_table(data, table.file)
        if rt is None:
            raise DataError(problems)
        header = rt.header
    frame = pd.DataFrame([{c: row.get(c) for c in header} for row in added], columns=header)
    for col in header:
        if col in table.column_names and table.column(col).kind == "int":
            frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    body = atomic.frame_to_csv_text(frame, table.file).split("\n", 1)[1]
    if data is None or not data.strip():
        return (",".join(header) + "\n" + body).encode("utf-8")
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0].rstrip("\r")
    if sniff_delimiter(first) != "," or "\r\n" in text:
        whole = pd.concat([_frame_of(rt), frame], ignore_index=True)
        return atomic.frame_to_csv_text(whole[header], table.file).encode("utf-8")
    return data + body.encode("utf-8")


def _frame_of(rt) -> pd.DataFrame:
    return pd.DataFrame([cells for cells in rt.cells], columns=rt.header)


def _store(folder: Path, staged: dict[str, bytes]) -> None:
    """Stage the files with a READY mark, keep the previous versions, then move them into place."""
    from ebm_analysis.redaction import _stage, finish_interrupted

    for rel in staged:
        if (folder / rel).is_file():
            atomic._keep_previous(folder / rel)
    _stage(folder, staged, [])
    finish_interrupted(folder, locked=True)


def identifiers_left(project, *, names: str | Path | None = None, key: str | Path | None = None) -> pd.DataFrame:
    """Personal identifiers in the imported segments of a project (those ``segment_sources.csv`` lists).

    Parameters
    ----------
    project : Project
    names : str or Path, optional
        A names list to look for as well.
    key : str or Path, optional
        A pseudonym key: its originals are looked for as well.

    Returns
    -------
    DataFrame
        ``segment_id``, ``source_file``, ``position``, ``kind``, ``value``; empty when none is left.

    Examples
    --------
    >>> from ebm_analysis.project import load_project
    >>> identifiers_left(load_project()).empty
    True
    """
    from ebm_analysis.privacy import find_identifiers

    from ebm_analysis.pseudonymise import name_patterns

    found = build_key({}, read_names_list(names) if names else [], read_key(key) if key else None)
    patterns = name_patterns(found)
    sources = project.segment_sources
    texts = dict(zip(project.segments()["segment_id"], project.segments()["text_sv"]))
    rows = []
    for seg, file, position in zip(sources["segment_id"], sources["source_file"], sources["position"]):
        text = texts.get(seg, "")
        names_found = sorted((m.start(), -m.end(), m.group(0)) for rx in patterns for m in rx.finditer(text))
        last = -1
        hits = find_identifiers(text)
        for start, end, value in names_found:       # a part of a name already reported whole is not repeated
            if start >= last:
                hits.append(("name", value))
                last = -end
        rows += [(seg, file, int(position), kind, value) for kind, value in hits]
    return pd.DataFrame(rows, columns=["segment_id", "source_file", "position", "kind", "value"]).astype(
        {"segment_id": "string", "source_file": "string", "position": "int64", "kind": "string", "value": "string"})
