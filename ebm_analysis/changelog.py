"""The change log: every change to the codings and the codebook, in order, for good.

``data/changes.jsonl`` holds one JSON object per line, one line per change,
appended by the coding store (:mod:`ebm_analysis.coding`) inside its lock
and flushed to disk (``fsync``) before a save is reported. It is the audit
trail (who changed what, when, why) and the store's history: undo writes a
compensating change, and ``codings.csv`` / ``codebook.csv`` are *snapshots*
of the log, written now and then (compaction). Loading a folder reads the
snapshot and replays the log lines written after it
(:func:`replay_pending`, called by :func:`~ebm_analysis.project.load_project`).

A line (an *entry*) has these fields:

``seq``
    1, 2, 3, ... without gaps; equal to the entry's line number.
``tx``
    The transaction: the ``seq`` of its first entry. A transaction's entries
    are written together and apply together.
``n``
    How many entries the transaction has (so that a transaction cut short by
    a crash is recognised and ignored).
``time``
    When, in UTC (``2016-03-01T14:05:00.123Z``).
``coder``
    Who made the change.
``action``
    What the researcher did, e.g. ``add coding``, ``recode``, ``set memo``,
    ``add code``, ``undo``, ``compact``, ``redact``.
``op``
    ``insert``, ``update`` or ``delete`` of one row; ``snapshot`` (the
    tables were written to their CSV files; ``after`` holds a digest of each
    so that loading knows which lines the files already contain); ``note``
    (an event without a row change, e.g. a redaction).
``table``, ``key``
    The table (``codings`` or ``codebook``) and the row's id.
``before``, ``after``
    The whole row before and after (``null`` for an insert's before and a
    delete's after).
``reason``
    The reason given, or ``null``.
``undoes``
    Only on an undo's entries: the transaction it takes back.

**Crashes.** A save writes its transaction's lines with one write, then
``fsync``; only then is it reported saved. A crash in between can leave an
incomplete last transaction (a cut line, or fewer than ``n`` lines): such a
tail was never reported saved, so it is ignored (with a warning) and the
next save removes it. A damaged line *followed by* valid ones is not a crash
but damage, and loading refuses it, naming the line.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.rowtable import RowTable, rows_equal
from ebm_analysis.schema import TABLES_BY_NAME, Table

__all__ = [
    "LOG_FILE", "STORE_TABLES", "Entry", "LogPosition", "TornTailWarning", "utc_now", "table_digest",
    "read_forward", "read_tail", "replay", "replay_pending", "log_table", "describe",
]

#: The change log's file name inside a data folder.
LOG_FILE = "changes.jsonl"

#: The tables the coding store writes, by name (their first key column is the row id).
STORE_TABLES: dict[str, Table] = {"codebook": TABLES_BY_NAME["codebook"], "codings": TABLES_BY_NAME["codings"]}

ROW_OPS = ("insert", "update", "delete")
OPS = (*ROW_OPS, "snapshot", "note")
_FIELDS = ("seq", "tx", "n", "time", "coder", "action", "op", "table", "key", "before", "after", "reason")

#: A redaction stages its files here before moving them into place (see :mod:`ebm_analysis.redaction`).
STAGING_DIR = ".redact-staging"

#: How many snapshot entries loading looks back for the one the CSV files match: the last one, and the one
#: before it in case the last compaction was interrupted before its files were in place.
_MARKERS_TO_SEARCH = 2

#: The action of the note that confirms a snapshot's files are in place.
WRITTEN = "snapshot written"
_BLOCK = 1 << 16


class TornTailWarning(UserWarning):
    """The change log ends with an incomplete transaction (a save cut short); it was ignored."""


def utc_now() -> str:
    """The time now in UTC, as the log writes it.

    Examples
    --------
    >>> len(utc_now()), utc_now().endswith("Z")
    (24, True)
    """
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Entry:
    """One line of the change log (see the module's description of the fields)."""

    seq: int
    tx: int
    n: int
    time: str
    coder: str
    action: str
    op: str
    table: str | None = None
    key: str | None = None
    before: dict | None = None
    after: dict | None = None
    reason: str | None = None
    undoes: int | None = None

    def to_json(self) -> str:
        """The entry as one line of JSON (no newline).

        Examples
        --------
        >>> Entry(1, 1, 1, "2016-01-01T00:00:00.000Z", "R1", "add code", "insert", "codebook", "a",
        ...       None, {"code_id": "a"}).to_json()[:40]
        '{"seq": 1, "tx": 1, "n": 1, "time": "201'
        """
        data = {name: getattr(self, name) for name in _FIELDS}
        if self.undoes is not None:
            data["undoes"] = self.undoes
        return json.dumps(data, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Entry:
        """Parse one line; raises ValueError (with the reason) when it is not a valid entry."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        missing = [f for f in _FIELDS if f not in data]
        if missing:
            raise ValueError(f"the field{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing")
        for name in ("seq", "tx", "n"):
            if not isinstance(data[name], int) or isinstance(data[name], bool) or data[name] < 1:
                raise ValueError(f"{name} is not a positive whole number")
        if data["op"] not in OPS:
            raise ValueError(f"op {data['op']!r} is not one of {', '.join(OPS)}")
        if data["op"] in ROW_OPS:
            if data["table"] not in STORE_TABLES or not isinstance(data["key"], str):
                raise ValueError("a row change without a known table and key")
            for side in ("before", "after"):
                if data[side] is not None and not isinstance(data[side], dict):
                    raise ValueError(f"{side} is not a row")
        undoes = data.get("undoes")
        return cls(**{f: data[f] for f in _FIELDS}, undoes=undoes if isinstance(undoes, int) else None)

    @property
    def last_of_tx(self) -> bool:
        """Whether this is the transaction's last entry."""
        return self.seq == self.tx + self.n - 1


@dataclass
class LogPosition:
    """Where a loaded state stands in the change log.

    Attributes
    ----------
    sequence : int
        The last entry applied (0: no log yet).
    end : int
        Byte offset just after that entry's transaction.
    marker : int
        The ``seq`` of the last snapshot entry (0: none).
    since_marker : int
        Row changes logged after the last snapshot entry.
    next_ids : dict of str to int
        Per table, the lowest id number never used yet (removed ids are not
        given out again).
    matched : frozenset of str
        The store tables whose file, as loaded, holds the snapshot of one of
        the log's snapshot entries. Every id in such a file was in use when
        that entry recorded ``next_ids``, so their numbers are below those.
    """

    sequence: int = 0
    end: int = 0
    marker: int = 0
    since_marker: int = 0
    next_ids: dict[str, int] = field(default_factory=dict)
    matched: frozenset[str] = frozenset()


# ---------------------------------------------------------------- digests

def table_digest(frame: pd.DataFrame, table: Table) -> str:
    """A fingerprint of a table's content as loaded (values, not bytes: line ends and quoting do not count).

    The snapshot entries of the log record it, so that loading can tell
    which log entries a CSV file already contains.

    Examples
    --------
    >>> t = TABLES_BY_NAME["codebook"]
    >>> a = pd.DataFrame({"code_id": ["x"], "status": ["active"]})
    >>> table_digest(a, t) == table_digest(a.copy(), t), table_digest(a, t) == table_digest(a.iloc[:0], t)
    (True, False)
    """
    h = hashlib.sha256(f"{table.name}:{len(frame)}\n".encode())
    for col in table.columns:
        h.update(col.name.encode() + b"\x1e")
        if col.name in frame.columns:
            text = "\x1f".join(_digest_texts(frame[col.name]))
        else:
            text = "\x1f".join(["\x00"] * len(frame))
        h.update(text.encode("utf-8", "surrogatepass") + b"\x1e")
    return h.hexdigest()[:32]


def _digest_texts(column: pd.Series) -> list[str]:
    """Each value as the digest writes it: text as it is, a number as ``str``, a missing value as NUL."""
    values = column.array
    if isinstance(values.dtype, pd.StringDtype):
        return values.to_numpy(dtype=object, na_value="\x00").tolist()
    if str(values.dtype) == "Int64":
        texts = values.to_numpy(dtype=np.int64, na_value=0).astype(str).astype(object)
        texts[values.isna()] = "\x00"
        return texts.tolist()
    return [v if v.__class__ is str else "\x00" if v is None or v is pd.NA or v != v else str(v)
            for v in column.tolist()]


# ---------------------------------------------------------------- reading

@dataclass
class LogChunk:
    """Entries read forward from an offset: complete transactions only."""

    entries: list[Entry]
    end: int
    torn: int = 0


def _damaged(line: int, why: str) -> DataError:
    return DataError(Problem(LOG_FILE, line, None, f"a damaged entry ({why})",
                             "the change log was changed or damaged by something other than the coding store; "
                             "restore changes.jsonl from a backup or from git, and do not edit it by hand"))


def read_forward(path: Path, offset: int = 0, next_seq: int = 1) -> LogChunk:
    """Read the log from byte ``offset`` (where entry ``next_seq`` starts) to its end.

    An incomplete last transaction is left out (``torn`` says how many
    bytes it has); damage before the end raises :class:`DataError`.

    Parameters
    ----------
    path : Path
        The log file.
    offset : int
        A byte offset at a transaction boundary.
    next_seq : int
        The ``seq`` expected at ``offset``.

    Returns
    -------
    LogChunk
    """
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    return _parse_chunk(data, offset, next_seq)


def _parse_chunk(data: bytes, offset: int, next_seq: int) -> LogChunk:
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the data ends with a newline
    entries: list[Entry] = []
    done, end, pos = [], offset, offset
    pending: list[Entry] = []
    for i, raw in enumerate(lines):
        line_no = next_seq + len(entries) + len(pending)
        try:
            entry = Entry.from_json(raw.decode("utf-8"))
            _check_order(entry, line_no, pending)
        except (ValueError, UnicodeDecodeError) as exc:
            if i == len(lines) - 1 and not tail:
                return LogChunk(entries, end, len(data) - (end - offset))  # a damaged last line: torn
            raise _damaged(line_no, str(exc)) from None
        pos += len(raw) + 1
        pending.append(entry)
        if entry.last_of_tx:
            entries.extend(pending)
            pending = []
            end = pos
    return LogChunk(entries, end, len(data) - (end - offset))


def _check_order(entry: Entry, line_no: int, pending: list[Entry]) -> None:
    if entry.seq != line_no:
        raise ValueError(f"seq {entry.seq} on line {line_no}")
    if pending:
        first = pending[0]
        if entry.tx != first.tx or entry.n != first.n:
            raise ValueError(f"transaction {first.tx} has {len(pending)} of its {first.n} entries")
    elif entry.tx != entry.seq:
        raise ValueError(f"a transaction starting with entry {entry.seq} names transaction {entry.tx}")
    if entry.n < 1 or entry.seq > entry.tx + entry.n - 1:
        raise ValueError(f"entry {entry.seq} lies outside its transaction")


@dataclass
class LogTail:
    """The last part of the log, read backwards (see :func:`read_tail`).

    ``entries`` are in log order; ``end`` is the byte offset after the last
    complete transaction, ``size`` the file's size; ``torn`` the bytes of an
    incomplete last transaction (ignored); ``start`` whether the whole log was read.
    """

    entries: list[Entry]
    end: int
    size: int
    torn: int
    start: bool


def read_tail(path: Path, stop: Callable[[Entry], bool] | None = None) -> LogTail:
    """Read the log backwards, newest entry first, until ``stop(entry)`` is true (that entry included).

    Only the part of the file that is needed is read, so the cost does not
    grow with the length of the history. An incomplete last transaction is
    left out.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / LOG_FILE
    >>> _ = p.write_text("\\n".join(Entry(i, i, 1, "t", "R1", "x", "note").to_json() for i in (1, 2, 3)) + "\\n")
    >>> [e.seq for e in read_tail(p, stop=lambda e: e.seq == 2).entries]
    [2, 3]
    """
    reversed_entries: list[Entry] = []
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        lines = _lines_backward(f, size)
        end, torn = size, 0
        group: list[tuple[Entry, int]] = []  # the last transaction, newest first, with line lengths
        first = True
        for raw, start in lines:
            if first:
                first = False
                if start + len(raw) == size and raw:  # no newline at the end: a cut line
                    torn += len(raw)
                    end = start
                    continue
                if not raw and start == size:
                    continue
            try:
                entry = Entry.from_json(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                if not reversed_entries and not group:
                    torn += len(raw) + 1
                    end = start
                    continue
                seq = (group[-1][0].seq if group else reversed_entries[-1].seq) - 1
                raise _damaged(seq, str(exc)) from None
            if not reversed_entries:  # still checking that the last transaction is whole
                group.append((entry, start))
                if entry.seq == entry.tx:
                    if len(group) == entry.n and all(e.tx == entry.tx for e, _ in group):
                        reversed_entries.extend(e for e, _ in group)
                        if stop and any(stop(e) for e, _ in group):
                            break
                    else:  # fewer entries than the transaction says: cut short
                        torn += end - start
                        end = start
                    group = []
                continue
            if entry.seq != reversed_entries[-1].seq - 1:
                raise _damaged(reversed_entries[-1].seq - 1, f"seq {entry.seq} where {reversed_entries[-1].seq - 1} "
                               "was expected")
            reversed_entries.append(entry)
            if stop and stop(entry):
                break
        else:
            if group:  # the file starts inside a transaction: damage
                raise _damaged(1, "the first transaction is incomplete")
            return LogTail(reversed_entries[::-1], end, size, torn, True)
    return LogTail(reversed_entries[::-1], end, size, torn, False)


def _lines_backward(f, size: int) -> Iterator[tuple[bytes, int]]:
    """``(line without its newline, byte offset where it starts)``, last line first."""
    pos, rest = size, b""
    while pos > 0:
        step = min(_BLOCK, pos)
        pos -= step
        f.seek(pos)
        block = f.read(step) + rest
        parts = block.split(b"\n")
        rest = parts[0]
        offset = pos + len(parts[0]) + 1
        found = []
        for part in parts[1:]:
            found.append((part, offset))
            offset += len(part) + 1
        yield from reversed(found)
    yield rest, 0


# ---------------------------------------------------------------- replay

def replay(tables: dict[str, RowTable], entries: list[Entry], *, edited: set[str] = frozenset()) -> None:
    """Apply row changes to ``tables``, checking each against the row it changes.

    An insert needs the id to be free; an update or delete needs the row to
    be exactly the entry's ``before``. Snapshot and note entries change
    nothing.

    Raises
    ------
    DataError
        For the first entry that does not fit, naming its line; for a
        table in ``edited`` (its CSV file was changed outside the coding
        store) the message says so.
    """
    for entry in entries:
        if entry.op not in ROW_OPS or entry.table not in tables:
            continue
        table = tables[entry.table]
        current = table.get(entry.key)
        fits = current is None if entry.op == "insert" else rows_equal(current, entry.before)
        if not fits:
            raise _misfit(entry, table, current, entry.table in edited)
        if entry.op == "delete":
            table.delete(entry.key)
        else:
            table.put(entry.key, entry.after)


def _misfit(entry: Entry, table: RowTable, current: dict | None, edited: bool) -> DataError:
    file = table.table.file
    what = {"insert": f"adds {entry.key}, which {file} already has",
            "update": f"changes {entry.key}, which " + ("is not in " + file if current is None else
                                                        f"{file} holds with other values"),
            "delete": f"removes {entry.key}, which " + ("is not in " + file if current is None else
                                                        f"{file} holds with other values")}[entry.op]
    if edited:
        advice = (f"{file} was changed outside the coding store after this change was logged, and the change no "
                  f"longer fits it; restore {file} as the store wrote it (e.g. `git checkout` it) and load again, "
                  "or redo the logged changes by hand on the edited file and remove changes.jsonl")
    else:
        advice = (f"the change log and {file} are out of step (damaged, or restored from different times); "
                  "restore both from the same backup")
    return DataError(Problem(LOG_FILE, entry.seq, None,
                             f"entry {entry.seq} ({entry.action} by {entry.coder} at {entry.time}), which {what}",
                             advice))


def pending_after(tail: LogTail, digests: dict[str, str]) -> tuple[dict[str, int], set[str]]:
    """For each store table, the snapshot entry its file holds (0: before the log) and the edited tables.

    A compaction logs its snapshot entry *before* it moves the new files
    into place, and a note (:data:`WRITTEN`) after. So a file matches the
    last snapshot entry, or, when that compaction was interrupted (no note),
    possibly the snapshot entry before it. A table whose content matches
    neither was changed outside the store ("edited"): its changes are
    replayed from the last snapshot entry, checked row by row.
    """
    markers = [e for e in tail.entries if e.op == "snapshot"]
    last = markers[-1] if markers else None
    candidates = markers[-1:]
    if last is not None and len(markers) > 1 and not _confirmed(tail, last):
        candidates = markers[-2:]
    base: dict[str, int] = {}
    for marker in reversed(candidates):
        recorded = (marker.after or {}).get("tables", {})
        for name in STORE_TABLES:
            if name not in base and recorded.get(name, {}).get("digest") == digests[name]:
                base[name] = marker.seq
    edited = {name for name in STORE_TABLES if name not in base}
    for name in edited:
        base[name] = last.seq if last else 0
    return base, edited


def _confirmed(tail: LogTail, marker: Entry) -> bool:
    """Whether a snapshot entry's files are known to be in place (its note follows, or nothing was written)."""
    if marker.action == "start change log":
        return True
    return any(e.op == "note" and e.action == WRITTEN and (e.after or {}).get("snapshot") == marker.seq
               for e in tail.entries if e.seq > marker.seq)


def position_of(tail: LogTail) -> LogPosition:
    """The :class:`LogPosition` at the end of ``tail``."""
    last_marker = next((e for e in reversed(tail.entries) if e.op == "snapshot"), None)
    sequence = tail.entries[-1].seq if tail.entries else 0
    next_ids = dict((last_marker.after or {}).get("next", {})) if last_marker else {}
    for e in tail.entries:
        if e.op == "insert" and last_marker and e.seq > last_marker.seq:
            number = _id_number(e.key)
            if number is not None and number >= next_ids.get(e.table, 0):
                next_ids[e.table] = number + 1
    marker = last_marker.seq if last_marker else 0
    changes = sum(1 for e in tail.entries if e.seq > marker and e.op in ROW_OPS)
    return LogPosition(sequence, tail.end, marker, changes, next_ids)


def _id_number(key: str) -> int | None:
    digits = key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return int(digits) if digits.isdigit() and digits != key else None


def snapshot_digests(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The :func:`table_digest` of each store table (``codings``, ``codebook``) among ``frames``.

    Examples
    --------
    >>> from ebm_analysis.project import load_project
    >>> sorted(snapshot_digests(load_project().tables))
    ['codebook', 'codings']
    """
    return _digests({name: RowTable(t, frames[name]) for name, t in STORE_TABLES.items() if name in frames})


def _digests(tables: dict[str, RowTable]) -> dict[str, str]:
    return {name: table_digest(table.frame(), table.table) for name, table in tables.items()}


def apply_log(folder: Path, frames: dict[str, pd.DataFrame],
              digests: dict[str, str] | None = None) -> tuple[dict[str, RowTable], LogPosition,
                                                              dict[str, tuple[str, int]]]:
    """Replay the change log onto loaded ``codings``/``codebook`` frames (replaced in ``frames``).

    ``digests``, when given, holds the :func:`snapshot_digests` of
    ``frames`` as loaded (e.g. kept in the validated cache), so that they need
    not be computed; when it is an empty dict and a log is read, the digests
    computed here are put in it.

    Returns
    -------
    (tables, position, origins)
        The tables as :class:`~ebm_analysis.rowtable.RowTable`, the log
        position reached, and for each row the log replayed, the
        ``(file, line)`` of the entry that last wrote it.
    """
    path = Path(folder) / LOG_FILE
    origins: dict[str, tuple[str, int]] = {}
    tables = {name: RowTable(t, frames[name]) for name, t in STORE_TABLES.items()}
    if not _log_exists(path):
        return tables, LogPosition(), origins
    if digests is None:
        digests = {}
    if set(digests) != set(STORE_TABLES):      # not known: computed here, and left in the caller's dict
        digests.update(_digests(tables))
    try:
        tail = read_tail(path, stop=_marker_search(digests))
    except OSError as exc:
        raise DataError(Problem(LOG_FILE, None, None, f"that it cannot be read ({exc.strerror or exc})",
                                "make changes.jsonl readable for you; it holds saved changes")) from None
    if tail.torn:
        warnings.warn(TornTailWarning(
            f"{LOG_FILE}: the last {tail.torn} bytes are an incomplete change (a save cut short by a crash or "
            "still being written); it was never reported saved and is ignored"), stacklevel=4)
    base, edited = pending_after(tail, digests)
    for name in STORE_TABLES:
        todo = [e for e in tail.entries if e.table == name and e.seq > base[name]]
        replay(tables, todo, edited=edited & {name})
        for e in todo:
            if e.op in ROW_OPS:
                origins[e.key] = (LOG_FILE, e.seq)
    for name, table in tables.items():
        if table.changed:
            frames[name] = table.frame()
    position = position_of(tail)
    position.matched = frozenset(STORE_TABLES) - edited
    return tables, position, origins


def _log_exists(path: Path) -> bool:
    """Whether the folder has a change log; anything but a plain file by that name is refused."""
    if path.is_symlink():
        raise DataError(Problem(LOG_FILE, None, None, f"a link to {os.readlink(path)}",
                                "the change log must be a file in the data folder itself, not a link"))
    if not path.exists():
        return False
    if not path.is_file():
        raise DataError(Problem(LOG_FILE, None, None, "something that is not a file (a folder or a device)",
                                "changes.jsonl must be the coding store's change log, a plain file; move the "
                                "other thing away"))
    return True


def replay_pending(project, lines: dict[str, list[int]] | None = None, spans_checked: bool = False,
                   digests: dict[str, str] | None = None):
    """The loader's hook: bring a freshly loaded project up to date with the change log.

    Called once by :func:`~ebm_analysis.project.load_project`, after every
    table was read and checked. It finds which snapshot entry of
    ``changes.jsonl`` the loaded ``codings.csv`` and ``codebook.csv`` match,
    applies the changes logged after it (checked row by row), checks that
    every span coding still covers the text it was made on
    (:func:`ebm_analysis.spans.span_problems`), and sets
    ``project.sequence`` (the last log entry applied; 0 without a log) and
    ``project.change_log`` (a :class:`LogPosition`).

    Parameters
    ----------
    project : Project
        As loaded; its ``codings`` and ``codebook`` tables are replaced.
    lines : dict, optional
        Per table, the file line of each loaded row (for messages).
    spans_checked : bool, default False
        The loader already found every span coding of the loaded tables
        covering its text (on reading them, or when it cached them); then only
        the codings the log wrote are checked. The log changes codings and
        the codebook, never a text, so the others still cover theirs.
    digests : dict, optional
        :func:`snapshot_digests` of the loaded tables, if known.

    Returns
    -------
    Project
        The same object.

    Raises
    ------
    DataError
        A damaged log, a logged change that does not fit the loaded table,
        or a span whose text changed.
    """
    from ebm_analysis.spans import segment_texts, span_problems

    folder = Path(project.path)
    if (folder / STAGING_DIR / "READY").exists():
        from ebm_analysis.redaction import finish_interrupted
        from ebm_analysis.project import load_project

        finish_interrupted(folder)
        return load_project(folder)
    frames = project.tables
    digests = dict(digests or {})
    tables, position, origins = apply_log(folder, frames, digests)
    texts = segment_texts(frames)
    codings = frames["codings"]
    if spans_checked:
        codings = codings[codings["coding_id"].isin(list(origins))] if origins else codings.iloc[:0]
    problems = span_problems(codings, texts, _where(lines, origins, tables.get("codings")))
    if origins:
        problems = _reference_problems(tables, texts, origins) + problems
    if problems:
        raise DataError(problems)
    project.sequence = position.sequence
    project.change_log = position
    # What a coding store opened on this project may take over instead of building it again
    # (see CodingStore.__init__): the row tables the log did not change, their digests, the texts.
    unchanged = {name: table for name, table in tables.items() if not table.changed}
    project._for_store = Handover(unchanged, {name: digests[name] for name in unchanged if name in digests}, texts)
    return project


@dataclass
class Handover:
    """Built while loading, for the first coding store opened on the project (taken once)."""

    tables: dict[str, RowTable]     # store tables as loaded, unchanged by the log
    digests: dict[str, str]         # their table_digest, where known
    texts: dict[str, str]           # segment_id -> text_sv


def _marker_search(digests: dict[str, str]) -> Callable[[Entry], bool]:
    seen = {"markers": 0, "matched": set()}

    def stop(entry: Entry) -> bool:
        if entry.op != "snapshot":
            return False
        seen["markers"] += 1
        recorded = (entry.after or {}).get("tables", {})
        seen["matched"] |= {n for n in STORE_TABLES if recorded.get(n, {}).get("digest") == digests[n]}
        return len(seen["matched"]) == len(STORE_TABLES) or seen["markers"] >= _MARKERS_TO_SEARCH

    return stop


def _where(lines, origins, loaded_table: RowTable | None) -> Callable[[int, str], tuple[str, int | None]]:
    """Where a codings row comes from: the log entry that last wrote it, else its line in codings.csv."""
    loaded = (lines or {}).get("codings") or []
    file = STORE_TABLES["codings"].file

    def where(i: int, key: str) -> tuple[str, int | None]:
        if key in origins:
            return origins[key]
        if loaded_table is not None:
            i = loaded_table.base_position(key)
        return file, (loaded[i] if i is not None and i < len(loaded) else None)

    return where


def _reference_problems(tables: dict[str, RowTable], texts: dict[str, str], origins) -> list[Problem]:
    """Codes and segments that rows replayed from the log point to must exist."""
    problems = []
    codebook, codings = tables["codebook"], tables["codings"]
    for key, (file, line) in origins.items():
        row = codings.get(key)
        if row is not None:
            if row["code_id"] not in codebook:
                problems.append(Problem(file, line, "code_id", f"coding {key} with code '{row['code_id']}', "
                                        "which codebook.csv does not list", "restore the code in codebook.csv"))
            if row["segment_id"] not in texts:
                problems.append(Problem(file, line, "segment_id", f"coding {key} on '{row['segment_id']}', "
                                        "which is neither an excerpt_id nor a note_id",
                                        "restore the segment in excerpts.csv or observations.csv"))
        code = codebook.get(key)
        if code is not None and code["parent_id"] is not None and code["parent_id"] not in codebook:
            problems.append(Problem(file, line, "parent_id", f"code {key} under '{code['parent_id']}', "
                                    "which codebook.csv does not list", "restore the parent code"))
    return problems


# ---------------------------------------------------------------- showing

def describe(entries: list[Entry]) -> str:
    """One line saying what a transaction did, e.g. ``add coding K0012 (trust on E004)``.

    Examples
    --------
    >>> e = Entry(1, 1, 1, "t", "R1", "add coding", "insert", "codings", "K0012", None,
    ...           {"code_id": "trust", "segment_id": "E004", "start": None})
    >>> describe([e])
    'add coding K0012 (trust on E004)'
    """
    if not entries:
        return ""
    first = entries[0]
    if len(entries) > 1:
        return f"{first.action} ({len(entries)} changes)"
    return f"{first.action} {first.key}{_detail(first)}" if first.key else first.action


def _detail(e: Entry) -> str:
    row = e.after if e.after is not None else e.before or {}
    if e.table == "codings":
        if e.op == "update" and e.before and e.after:
            changed = [c for c in e.after if e.after.get(c) != e.before.get(c)]
            if changed == ["memo"]:
                return ""
            if changed == ["code_id"]:
                return f" ({e.before['code_id']} → {e.after['code_id']})"
            return f" ({', '.join(changed)})" if changed else ""
        span = "" if row.get("start") is None else f" [{row['start']}:{row['end']}]"
        return f" ({row.get('code_id')} on {row.get('segment_id')}{span})"
    return ""


def log_table(folder: str | Path | None = None, *, coder: str | None = None, since: str | None = None,
              action: str | None = None) -> pd.DataFrame:
    """The change log as a table: who changed what, when, and why.

    Parameters
    ----------
    folder : str or Path, optional
        The data folder (None: :func:`~ebm_analysis.project.default_data_dir`).
    coder : str, optional
        Only this coder's changes.
    since : str, optional
        Only changes at or after this UTC time or date (``2016-03-01`` or
        ``2016-03-01T14:00``).
    action : str, optional
        Only this action (e.g. ``add coding``).

    Returns
    -------
    DataFrame
        One row per entry: ``seq``, ``time``, ``coder``, ``action``,
        ``table``, ``key``, ``what`` (a short description), ``reason``,
        ``undoes``. Empty when the folder has no change log.

    Examples
    --------
    >>> log_table().columns.tolist()
    ['seq', 'time', 'coder', 'action', 'table', 'key', 'what', 'reason', 'undoes']
    """
    from ebm_analysis.project import default_data_dir

    folder = default_data_dir() if folder is None else Path(folder)
    path = folder / LOG_FILE
    columns = ["seq", "time", "coder", "action", "table", "key", "what", "reason", "undoes"]
    if not path.is_file():
        return pd.DataFrame({c: pd.Series([], dtype="Int64" if c in ("seq", "undoes") else "string")
                             for c in columns})
    entries = read_forward(path).entries
    if coder is not None:
        entries = [e for e in entries if e.coder == coder]
    if since is not None:
        entries = [e for e in entries if e.time >= since]
    if action is not None:
        entries = [e for e in entries if e.action == action]
    rows = [{"seq": e.seq, "time": e.time, "coder": e.coder, "action": e.action, "table": e.table,
             "key": e.key, "what": _what(e), "reason": e.reason, "undoes": e.undoes} for e in entries]
    return pd.DataFrame({c: pd.array([r[c] for r in rows], dtype="Int64" if c in ("seq", "undoes") else "string")
                         for c in columns})


def _what(e: Entry) -> str:
    if e.op == "snapshot":
        tables = (e.after or {}).get("tables", {})
        return "snapshot written: " + ", ".join(f"{t} ({v.get('rows')} rows)" for t, v in tables.items())
    if e.op == "note":
        if e.action == WRITTEN:
            return f"the files of snapshot {(e.after or {}).get('snapshot')} are in place"
        return str((e.after or {}).get("summary", ""))
    text = f"{e.op} {e.key}{_detail(e)}"
    if e.table == "codings" and e.op == "update" and e.before and e.after and \
            e.before.get("memo") != e.after.get("memo"):
        memo = " ".join((e.after.get("memo") or "").split())
        text += f": memo “{memo[:60]}{'…' if len(memo) > 60 else ''}”" if memo else ": memo cleared"
    return text


def coding_activity(project) -> pd.DataFrame:
    """Who coded, how much, and when: per coder, from the codings and the change log.

    Parameters
    ----------
    project : Project
        A loaded project (its ``codings`` and its folder's ``changes.jsonl``).

    Returns
    -------
    DataFrame
        Indexed by ``coder`` (everyone with a coding or a logged change),
        with ``codings`` (current codings in that coder's name),
        ``first_coded`` and ``last_coded`` (UTC dates from ``created_at``;
        ``not recorded`` where codings carry none), ``changes_logged``
        (entries of the change log made by that coder, undos and removals
        included) and ``last_change`` (its UTC time, or ``none``).

    Examples
    --------
    >>> from ebm_analysis.project import load_project
    >>> coding_activity(load_project()).loc["coder1", ["codings", "changes_logged"]].tolist()
    [142, 0]
    """
    codings = project.codings
    log = log_table(project.path)
    log = log[log["table"].notna()]
    coders = sorted(set(codings["coder"].dropna()) | set(log["coder"].dropna()))
    rows = []
    for coder in coders:
        mine = codings[codings["coder"] == coder]
        times = mine["created_at"].dropna() if "created_at" in mine.columns else pd.Series([], dtype="string")
        changes = log[log["coder"] == coder]
        rows.append({"coder": coder, "codings": len(mine),
                     "first_coded": str(times.min())[:10] if len(times) else "not recorded",
                     "last_coded": str(times.max())[:10] if len(times) else "not recorded",
                     "changes_logged": len(changes),
                     "last_change": (str(changes["time"].max())[:16].replace("T", " ") + " UTC") if len(changes)
                     else "none"})
    columns = ["coder", "codings", "first_coded", "last_coded", "changes_logged", "last_change"]
    return pd.DataFrame(rows, columns=columns).set_index("coder")
