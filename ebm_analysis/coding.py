"""The coding store: every change to the codings and the codebook, made safely.

A :class:`CodingStore` holds the codebook and the codings of one data
folder. Every change is a *transaction*:

1. take the folder's write lock (:class:`~ebm_analysis.lock.FolderLock`);
2. read what other writers logged since this store last looked, and check
   that nobody changed ``codings.csv`` / ``codebook.csv`` behind the store's
   back (a change to a row that somebody else changed meanwhile is refused
   with :class:`ConcurrentEditError`; other changes are re-checked against
   the new state and then made);
3. check the change (unknown segment or code, offsets outside the text, a
   cell longer than :data:`~ebm_analysis.reading.FIELD_LIMIT`, ... raise
   :class:`~ebm_analysis.errors.DataError` and change nothing) and give out
   new ids;
4. append it to the change log ``changes.jsonl`` (:mod:`ebm_analysis.changelog`),
   ``fsync`` it, and read it back;
5. only then change the store's memory, and release the lock.

A save therefore writes a few hundred bytes, whatever the size of the
project and the length of its history. ``codings.csv`` and
``codebook.csv`` are *snapshots*: the store rewrites them from memory
(*compaction*) on :meth:`CodingStore.compact`, on :meth:`CodingStore.close`
(also for every store still open when the Python process, e.g. the
kernel, exits normally), when a store is opened with
:data:`DEFAULT_COMPACT_ON_OPEN` or more changes logged after them, and, as a
safety valve, on the save that brings that number to
:data:`DEFAULT_COMPACT_EVERY`. Compaction is kept off the ordinary save
because writing a large table takes long (half a second for 50,000
codings). Loading a folder (:func:`~ebm_analysis.project.load_project`)
reads the snapshot and replays the newer log lines, so a reader always sees
every saved change.

Code that changes several rows at once uses a transaction directly; its
changes are logged together and apply together or not at all::

    with store.transaction(coder="R1", reason="split trust") as tx:
        tx.add_code("trust_staff", "Tillit till personal", "Trust in staff", parent_id="trust",
                    definition="...", include="...", exclude="...", example="...")
        tx.update_coding("K0012", code_id="trust_staff")

:meth:`CodingStore.add`, :meth:`~CodingStore.remove`, :meth:`~CodingStore.recode`,
:meth:`~CodingStore.set_memo`, :meth:`~CodingStore.add_code` and
:meth:`~CodingStore.update_code` are one-change transactions.
:meth:`CodingStore.undo` takes back a coder's last change (also one made in
an earlier session) by logging the opposite change.

Offsets ``start``/``end`` are Python character offsets into the segment's
``text_sv`` (``end`` exclusive): ``text_sv[start:end]`` is the coded text,
recorded in ``span_text`` (see :mod:`ebm_analysis.spans`). Both empty means
the whole segment.
"""

from __future__ import annotations

import atexit
import os
import re
import warnings
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from ebm_analysis import atomic, codebook_ops
from ebm_analysis.changelog import (
    LOG_FILE, ROW_OPS, STORE_TABLES, WRITTEN, Entry, LogPosition, _log_exists, describe, read_forward, read_tail,
    replay, table_digest, utc_now,
)
from ebm_analysis.errors import DataError, Problem
from ebm_analysis.lock import DEFAULT_TIMEOUT, FolderLock, LockTimeoutError, SaveError, save_error
from ebm_analysis.project import Project, load_project, refresh_cache
from ebm_analysis.rowtable import RowTable, py_value
from ebm_analysis.spans import segment_texts
from ebm_analysis.transaction import (
    CODEBOOK, CODINGS, ConcurrentEditError, Transaction, _actor, _check_coder, _check_now, _clean, _format_id,
    _shorten, _span_key,
)

__all__ = ["CodingStore", "Transaction", "ConcurrentEditError", "LockTimeoutError", "SaveError", "next_coding_id",
           "DEFAULT_COMPACT_EVERY"]

#: Opening a store rewrites the snapshot files when at least this many changes are logged after them.
DEFAULT_COMPACT_ON_OPEN = 500
#: A save rewrites them when this many are pending: a safety valve only, as this save then takes as
#: long as writing the files (about half a second for 50,000 codings).
DEFAULT_COMPACT_EVERY = 20_000
#: Seconds a store closing at interpreter exit waits for the lock before giving up.
_EXIT_TIMEOUT = 2.0

#: Open stores, so that pending changes are compacted when the interpreter (the kernel) exits normally.
_OPEN_STORES: weakref.WeakSet = weakref.WeakSet()


def next_coding_id(codings: pd.DataFrame, floor: int = 1) -> str:
    """The next free coding id: one more than the highest ``K`` number in the table (at least ``floor``).

    Ids are never given out twice: the store passes as ``floor`` the
    lowest number its change log has never used, so the id of a removed
    coding does not come back.

    Examples
    --------
    >>> next_coding_id(pd.DataFrame({"coding_id": ["K0001", "K0007"]}))
    'K0008'
    >>> next_coding_id(pd.DataFrame({"coding_id": pd.Series([], dtype="string")}), floor=12)
    'K0012'
    """
    return _format_id(max(_highest_number(codings["coding_id"]) + 1, floor))


def _highest_number(ids: pd.Series) -> int:
    """The highest ``n`` of the ids of the form ``K<digits>`` (0 if none).

    When every id has the same length (the store writes ``K`` and five or
    more digits), the greatest id in text order is the highest number if it
    is ``K`` and ASCII digits (any other digit sorts after those). Otherwise
    vectorised: of the digit strings with leading zeros removed, only the
    longest are compared (as text, which orders digits of one script as
    numbers).

    Examples
    --------
    >>> _highest_number(pd.Series(["K0002", "K0010", "X0500", "K0003"]))
    10
    >>> _highest_number(pd.Series(["K9", "K10", "K0011", "Kx12"]))
    11
    """
    values = ids.dropna().to_numpy(dtype=object)
    if len(values) and min(map(len, values)) == max(map(len, values)):
        top = max(values)
        if top[:1] == "K" and top[1:].isascii() and top[1:].isdigit():
            return int(top[1:])
    texts = values.astype(str)
    texts = texts[np.strings.startswith(texts, "K")]
    digits = np.strings.slice(texts, 1, None)
    digits = np.strings.lstrip(digits[np.strings.isdecimal(digits)], "0")
    lengths = np.strings.str_len(digits)
    if not digits.size or not lengths.max():
        return 0
    return int(max(digits[lengths == lengths.max()].tolist()))


@dataclass
class _FileState:
    """What the store knows of a snapshot file, to notice changes made behind its back."""

    ino: int | None
    size: int | None
    mtime_ns: int | None

    @classmethod
    def of(cls, path: Path) -> _FileState:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return cls(None, None, None)
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


# ==================================================================== the store

class CodingStore:
    """Codebook and codings of one data folder, every change saved at once in the change log.

    Create with :meth:`CodingStore.open`.

    Attributes
    ----------
    folder : Path
        The data folder.
    coder : str or None
        Who makes the changes when a method is not told (``coder=``).
    compact_every : int
        A save compacts when this many changes are logged after the snapshot
        files (a safety valve; see the module's description).
    lock_timeout : float
        Seconds to wait for another writer's lock.
    cleaned : list of Path
        Temporary files of interrupted writes removed when the store opened.

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> from ebm_analysis.project import BUNDLED_DATA
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "data"
    >>> _ = shutil.copytree(BUNDLED_DATA, folder, ignore=shutil.ignore_patterns(".*"))
    >>> store = CodingStore.open(folder, coder="R1")
    >>> store.add_code("demo_code", "Demo", "Demo", definition="d", include="i",
    ...                exclude="e", example="x")
    >>> cid = store.add("O001", "demo_code", "R1", start=0, end=3)
    >>> row = store.codings.set_index("coding_id").loc[cid]
    >>> int(row["end"]), row["span_text"], row["created_by"]
    (3, 'Vid', 'R1')
    >>> store.undo()
    'add coding ...'
    >>> load_project(folder).codings["code_id"].eq("demo_code").any()
    np.False_
    """

    def __init__(self, project: Project, *, coder: str | None = None, compact_every: int = DEFAULT_COMPACT_EVERY,
                 lock_timeout: float = DEFAULT_TIMEOUT, files: dict[str, _FileState] | None = None):
        self.folder = Path(project.path)
        self.coder = coder
        self.compact_every = compact_every
        self.lock_timeout = lock_timeout
        self._project = project
        handed = project.__dict__.pop("_for_store", None)     # what loading built already (taken once)
        self._tables = {name: handed.tables[name] if handed and name in handed.tables
                        else RowTable(t, project.tables[name]) for name, t in STORE_TABLES.items()}
        self._digests = {name: (self._tables[name]._base, 0, digest)
                         for name, digest in (handed.digests.items() if handed else ())}
        self._texts = handed.texts if handed else segment_texts(project.tables)
        position = getattr(project, "change_log", None) or LogPosition()
        self._position = LogPosition(position.sequence, position.end, position.marker, position.since_marker,
                                     dict(position.next_ids))
        self._next_number = self._first_free_number(project, position)
        self._spans = _SpanIndex(self._tables["codings"].frame())
        self._files = files or self._file_states()
        self._log_ino = _FileState.of(self.folder / LOG_FILE).ino
        self._session: list[tuple[int, str, str]] = []  # (tx, description, coder): this session's, not undone
        self._foreign: dict[tuple[str, str], Entry] = {}  # rows other writers changed since we loaded
        self.cleaned: list[Path] = []
        self.last_compaction_error: Exception | None = None
        _OPEN_STORES.add(self)

    # ------------------------------------------------------------ opening and closing

    @classmethod
    def open(cls, path: str | Path | None = None, *, coder: str | None = None,
             compact_every: int = DEFAULT_COMPACT_EVERY, compact_on_open: int | None = DEFAULT_COMPACT_ON_OPEN,
             lock_timeout: float = DEFAULT_TIMEOUT) -> CodingStore:
        """Load and validate a data folder (see :func:`~ebm_analysis.project.load_project`).

        Opening changes no data. When the folder is writable and no other
        writer is busy, it removes temporary files left by an interrupted
        save (listed in :attr:`cleaned`, with a warning) and, when
        ``compact_on_open`` or more changes are logged after the snapshot
        files, rewrites them (:meth:`compact`; a failure there only warns).

        Parameters
        ----------
        path : str or Path, optional
            The data folder; None means the bundled EBM data.
        coder : str, optional
            Who makes the changes, for methods not told otherwise.
        compact_every : int, default 20000
            A save compacts when this many changes are pending (a safety valve).
        compact_on_open : int or None, default 500
            Compact on opening when this many changes are pending; None: never.
        lock_timeout : float, default 10
            Seconds to wait for another writer.

        Returns
        -------
        CodingStore

        Raises
        ------
        DataError
            When any file of the folder has a problem.

        Examples
        --------
        >>> store = CodingStore.open()
        >>> list(store.codings.columns)
        ['coding_id', 'segment_id', 'code_id', 'coder', 'start', 'end', 'memo', 'span_text', 'created_at', 'created_by']
        """
        from ebm_analysis.project import default_data_dir

        folder = default_data_dir() if path is None else Path(path)
        cleaned = _clean_leftovers(folder)
        project, files = _load_consistent(folder)
        store = cls(project, coder=coder, compact_every=compact_every, lock_timeout=lock_timeout, files=files)
        store.cleaned = cleaned
        if compact_on_open is not None and store._position.since_marker >= compact_on_open:
            store._compact_if_free()
        return store

    def reload(self) -> None:
        """Read the folder again from disk (other writers' changes included); the session's history is dropped.

        Examples
        --------
        >>> store = CodingStore.open()
        >>> store.reload()
        """
        fresh = CodingStore.open(self.folder, coder=self.coder, compact_every=self.compact_every,
                                 compact_on_open=None, lock_timeout=self.lock_timeout)
        _OPEN_STORES.discard(fresh)
        self.__dict__.update(fresh.__dict__)

    def close(self) -> None:
        """Write the snapshot files if changes were logged since the last one (see :meth:`compact`)."""
        if self._position.since_marker:
            self.compact()
        _OPEN_STORES.discard(self)

    def __enter__(self) -> CodingStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ views

    @property
    def codings(self) -> pd.DataFrame:
        """A copy of the codings: ``coding_id``, ``segment_id``, ``code_id``, ``coder``, ``start``,
        ``end`` (``Int64``, empty = whole segment), ``memo``, ``span_text``, ``created_at``, ``created_by``."""
        return self._tables["codings"].frame().copy()

    @property
    def codebook(self) -> pd.DataFrame:
        """A copy of the codebook, with the columns of ``codebook.csv``."""
        return self._tables["codebook"].frame().copy()

    @property
    def sequence(self) -> int:
        """The last change-log entry this store has applied (0: no log yet); grows with every change."""
        return self._position.sequence

    @property
    def project(self) -> Project:
        """The project with the current codebook and codings (for queries); ``project.sequence`` is set."""
        tables = dict(self._project.tables, codings=self.codings, codebook=self.codebook)
        project = Project(self.folder, tables)
        project.sequence = self.sequence
        project.change_log = LogPosition(**vars(self._position))
        return project

    @property
    def history(self) -> list[str]:
        """This session's changes that are not undone, oldest first (:meth:`undo` can also reach earlier ones)."""
        return [description for _, description, _ in self._session]

    def text(self, segment_id: str) -> str:
        """A segment's ``text_sv``."""
        return self._texts[segment_id]

    # ------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self, coder: str | None = None, reason: str | None = None,
                    action: str | None = None) -> Iterator[Transaction]:
        """Make several changes as one: all are saved together, or none is.

        Inside the ``with`` block the folder is locked (keep it short), the
        store is up to date with other writers, and the changes made through
        the :class:`Transaction` are checked one by one. When the block ends
        without an exception they are logged and saved; an exception drops
        them all.

        Parameters
        ----------
        coder : str, optional
            Who makes the changes (default: :attr:`coder`).
        reason : str, optional
            Why, written into the log.
        action : str, optional
            A name for the whole transaction in the log (e.g. ``merge codes``);
            by default each change is named by what it does.

        Yields
        ------
        Transaction

        Raises
        ------
        ConcurrentEditError, LockTimeoutError, SaveError, DataError
            Nothing was saved.

        Examples
        --------
        >>> import shutil, tempfile, pathlib
        >>> from ebm_analysis.project import BUNDLED_DATA
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "data"
        >>> _ = shutil.copytree(BUNDLED_DATA, folder, ignore=shutil.ignore_patterns(".*"))
        >>> store = CodingStore.open(folder)
        >>> with store.transaction(coder="R1", reason="demo") as tx:
        ...     tx.add_code("demo", "Demo", "Demo", definition="d", include="i", exclude="e", example="x")
        ...     first = tx.add_coding("O001", "demo", start=0, end=3)
        ...     second = tx.add_coding("O002", "demo")
        >>> store.history
        ['add code (3 changes)']
        """
        actor = _actor(coder, self.coder)
        reason = _clean(reason)
        self._refuse_read_only()  # before the lock, so that not even the lock file is created
        lock = FolderLock(self.folder, self.lock_timeout, holder=actor)
        lock.acquire()
        try:
            self._sync()
            tx = Transaction(self, actor, reason, action)
            yield tx
            if tx._entries or tx._notes:
                self._commit(tx)
        finally:
            lock.release()

    # ------------------------------------------------------------ one-change methods

    def add(self, segment_id: str, code_id: str, coder: str, start: int | None = None,
            end: int | None = None, memo: str = "", *, reason: str | None = None) -> str:
        """Code a segment (or the span ``text_sv[start:end]`` of it) and save.

        Parameters
        ----------
        segment_id : str
            An ``excerpt_id`` or ``note_id``.
        code_id : str
            A code of the codebook.
        coder : str
            Who codes (initials or a pseudonym); also logged as who made the change.
        start, end : int, optional
            Character offsets into ``text_sv``, ``end`` exclusive; leave both
            out to code the whole segment.
        memo : str, default ""
            A note on this coding.
        reason : str, optional
            Written into the change log.

        Returns
        -------
        str
            The new coding id (``K####``).

        Raises
        ------
        DataError
            Unknown segment or code, offsets outside the text, an empty
            coder, the same code already on the same span, a memo longer
            than the cell limit. Nothing changes.
        ConcurrentEditError, LockTimeoutError, SaveError
            Nothing was saved (see :meth:`transaction`).

        Examples
        --------
        >>> store = CodingStore.open()
        >>> store.add("NO_SUCH", "x", "R1")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: 2 problems in the data:
        ...
        """
        _check_now(_check_coder(coder))
        self._precheck([*self._check_segment(segment_id), *self._check_code(code_id)])
        with self.transaction(coder, reason) as tx:
            return tx.add_coding(segment_id, code_id, coder=coder, start=start, end=end, memo=memo)

    def remove(self, coding_id: str, *, coder: str | None = None, reason: str | None = None) -> None:
        """Delete a coding and save.

        Raises
        ------
        DataError
            When there is no such coding.

        Examples
        --------
        >>> CodingStore.open().remove("K999999")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: 1 problem in the data:
          - codings.csv, column 'coding_id': found 'K999999', which is not a coding; ...
        """
        self._precheck(self._check_coding(coding_id))
        with self.transaction(coder, reason) as tx:
            tx.remove_coding(coding_id)

    def recode(self, coding_id: str, new_code_id: str, *, coder: str | None = None,
               reason: str | None = None) -> None:
        """Move a coding to another code (same segment, span and memo) and save.

        Raises
        ------
        DataError
            When the coding or the code does not exist.

        Examples
        --------
        >>> CodingStore.open().recode("K999999", "x")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: ...
        """
        self._precheck([*self._check_coding(coding_id), *self._check_code(new_code_id)])
        with self.transaction(coder, reason) as tx:
            tx.update_coding(coding_id, code_id=new_code_id)

    def set_memo(self, coding_id: str, memo: str, *, coder: str | None = None, reason: str | None = None) -> None:
        """Replace a coding's memo (``""`` clears it) and save.

        Examples
        --------
        >>> CodingStore.open().set_memo("K999999", "note")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: ...
        """
        self._precheck(self._check_coding(coding_id))
        with self.transaction(coder, reason) as tx:
            tx.update_coding(coding_id, memo=memo)

    def add_code(self, code_id: str, name_sv: str, name_en: str, parent_id: str | None = None, *,
                 definition: str, include: str, exclude: str, example: str,
                 color: str | None = None, coder: str | None = None, reason: str | None = None) -> None:
        """Add a code to the codebook (status ``active``) and save.

        Parameters
        ----------
        code_id : str
            Lower-case letters, digits and ``_``, starting with a letter.
        name_sv, name_en : str
            The code's name in Swedish and English.
        parent_id : str, optional
            An existing code to place this one under; None for a top-level code.
        definition, include, exclude, example : str
            The codebook entry: what the code means, what to code with it,
            what not to, and an example.
        color : str, optional
            ``#RRGGBB``.
        coder, reason : str, optional
            Logged with the change.

        Raises
        ------
        DataError
            Id taken or malformed, unknown parent, an empty text, a bad colour.

        Examples
        --------
        >>> CodingStore.open().add_code("Bad Id", "n", "n", definition="d",
        ...                             include="i", exclude="e", example="x")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: 1 problem in the data:
          - codebook.csv, column 'code_id': found 'Bad Id'; ...
        """
        row = {"code_id": code_id, "parent_id": parent_id, "name_sv": name_sv, "name_en": name_en,
               "definition": definition, "include": include, "exclude": exclude, "example": example,
               "color": color, "status": "active"}
        self._precheck(Transaction(self, "check", None, None)._code_problems(row, new=True))
        with self.transaction(coder, reason) as tx:
            tx.add_code(**{k: v for k, v in row.items() if k != "status"})

    def update_code(self, code_id: str, *, coder: str | None = None, reason: str | None = None, **changes) -> None:
        """Change columns of a code (name, definition, parent, colour, status, ...) and save.

        Examples
        --------
        >>> CodingStore.open().update_code("no_such", name_en="x")
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: ...
        """
        self._precheck(self._check_code(code_id, file=CODEBOOK.file))
        with self.transaction(coder, reason) as tx:
            tx.update_code(code_id, **changes)

    # ------------------------------------------------------------ reshaping the codebook (ebm_analysis.codebook_ops)

    def rename_code(self, code_id: str, *, name_sv: str | None = None, name_en: str | None = None,
                    coder: str | None = None, reason: str | None = None) -> None:
        """Rename a code (one transaction; see :func:`ebm_analysis.codebook_ops.rename_code`)."""
        codebook_ops.rename_code(self, code_id, name_sv=name_sv, name_en=name_en, coder=coder, reason=reason)

    def move_code(self, code_id: str, new_parent_id: str | None, *, coder: str | None = None,
                  reason: str | None = None) -> None:
        """Move a code under another parent, None = top level (see :func:`ebm_analysis.codebook_ops.move_code`)."""
        codebook_ops.move_code(self, code_id, new_parent_id, coder=coder, reason=reason)

    def merge_codes(self, source_id: str, target_id: str, *, coder: str | None = None,
                    reason: str | None = None) -> pd.DataFrame:
        """Merge a code into another, codings following (see :func:`ebm_analysis.codebook_ops.merge_codes`)."""
        return codebook_ops.merge_codes(self, source_id, target_id, coder=coder, reason=reason)

    def split_code(self, code_id: str, new_codes, *, as_children: bool = True, coder: str | None = None,
                   reason: str | None = None) -> pd.DataFrame:
        """Create new codes from one; returns its codings to re-assign (see :func:`ebm_analysis.codebook_ops.split_code`)."""
        return codebook_ops.split_code(self, code_id, new_codes, as_children=as_children, coder=coder,
                                       reason=reason)

    def retire_code(self, code_id: str, *, coder: str | None = None, reason: str | None = None) -> None:
        """Retire a code, keeping its codings (see :func:`ebm_analysis.codebook_ops.retire_code`)."""
        codebook_ops.retire_code(self, code_id, coder=coder, reason=reason)

    def delete_code(self, code_id: str, *, coder: str | None = None, reason: str | None = None) -> None:
        """Delete a code without codings or sub-codes (see :func:`ebm_analysis.codebook_ops.delete_code`)."""
        codebook_ops.delete_code(self, code_id, coder=coder, reason=reason)

    # ------------------------------------------------------------ memos (ebm_analysis.memos)

    def add_memo(self, title: str, text: str, links=(), *, coder: str | None = None,
                 reason: str | None = None) -> str:
        """Write a new memo file in ``memos/``; returns its id (see :func:`ebm_analysis.memos.add_memo`)."""
        from ebm_analysis import memos

        return memos.add_memo(self, title, text, links, coder=coder, reason=reason)

    def edit_memo(self, memo_id: str, text: str | None = None, *, title: str | None = None, links=None,
                  coder: str | None = None, reason: str | None = None) -> None:
        """Change a memo's text, title or links (see :func:`ebm_analysis.memos.edit_memo`)."""
        from ebm_analysis import memos

        memos.edit_memo(self, memo_id, text, title=title, links=links, coder=coder, reason=reason)

    # ------------------------------------------------------------ undo

    def undo(self, coder: str | None = None, *, reason: str | None = None) -> str:
        """Take back a coder's last change that is not yet undone, and save.

        The change may have been made in an earlier session: the change log
        is read backwards to find it. Undo logs the opposite change (it
        does not erase the original), so the log keeps both. Undoing again
        takes back the change before that, and so on.

        Parameters
        ----------
        coder : str, optional
            Whose change to take back. Default: the coder of this session's
            last change; after a reload, name the coder.
        reason : str, optional
            Written into the change log.

        Returns
        -------
        str
            What was undone, e.g. ``"add coding K0012 (trust on E004)"``.

        Raises
        ------
        DataError
            When there is nothing to undo, or when a later change touched
            the same rows (undo that one first).

        Examples
        --------
        >>> CodingStore.open().undo()
        Traceback (most recent call last):
        ...
        ebm_analysis.errors.DataError: 1 problem in the data:
          - (project): nothing to undo: no change has been made since the store was opened; ...
        """
        if coder is None:
            coder = self._session_coder()
        if coder is None:
            raise DataError("nothing to undo: no change has been made since the store was opened; to take back a "
                            "change of an earlier session, say whose: store.undo(coder='R1')")
        if not (self.folder / LOG_FILE).exists():  # checked before taking the lock: no log, no lock file either
            raise DataError(f"nothing to undo: the change log holds no change by {coder} that is not undone")
        with self.transaction(coder, reason, action="undo") as tx:
            target = self._last_undoable(coder)
            if target is None:
                raise DataError(f"nothing to undo: the change log holds no change by {coder} that is not undone")
            for entry in reversed(target):
                if entry.op in ROW_OPS:
                    tx._compensate(entry)
            tx._undoes = target[0].tx
            done = describe([e for e in target if e.op in ROW_OPS])
        self._session = [s for s in self._session if s[0] != target[0].tx]
        return done

    def _session_coder(self) -> str | None:
        return self._session[-1][2] if self._session else None

    def _last_undoable(self, coder: str) -> list[Entry] | None:
        """The newest transaction by ``coder`` with row changes, not undone and not itself an undo."""
        path = self.folder / LOG_FILE
        if not path.is_file():
            return None
        undone: set[int] = set()
        found: list[Entry] = []

        def stop(entry: Entry) -> bool:
            if entry.undoes is not None:
                undone.add(entry.undoes)
                return False
            if entry.op in ROW_OPS and entry.coder == coder and entry.tx not in undone:
                found.append(entry)
                return entry.seq == entry.tx
            return False

        tail = read_tail(path, stop=stop)
        if not found:
            return None
        tx = found[-1].tx
        return [e for e in tail.entries if e.tx == tx]

    # ------------------------------------------------------------ compaction

    def compact(self) -> list[str]:
        """Write ``codings.csv`` and ``codebook.csv`` from the current state, under the lock.

        The change log keeps every entry; a snapshot entry records what the
        files now hold, so loading replays only what comes after it. The
        previous files are kept in ``.versions/`` (bounded, see
        :mod:`ebm_analysis.atomic`).

        Returns
        -------
        list of str
            The files written (none when they were up to date).

        Examples
        --------
        >>> CodingStore.open().compact()  # the bundled data has no change log: nothing to do
        []
        """
        if not (self.folder / LOG_FILE).exists():
            return []
        self._refuse_read_only()
        with FolderLock(self.folder, self.lock_timeout, holder=_actor(None, self.coder)):
            self._sync()
            return self._compact_locked(_actor(None, self.coder), refresh=True)

    # ================================================================ internals

    def _file_states(self) -> dict[str, _FileState]:
        return {t.file: _FileState.of(self.folder / t.file) for t in STORE_TABLES.values()}

    def _sync(self) -> None:
        """Under the lock: refuse read-only files, catch up with other writers, notice outside edits."""
        self._refuse_read_only()
        path = self.folder / LOG_FILE
        _log_exists(path)  # refuses a link or a folder by that name
        log = _FileState.of(path)
        if log.ino is None:
            if self._position.sequence:
                raise ConcurrentEditError(LOG_FILE, self.folder, "that the change log was removed since this "
                                          "coding store loaded it")
            self._check_snapshot_files(foreign_marker=False)
            return
        if self._log_ino is not None and log.ino != self._log_ino:
            raise ConcurrentEditError(LOG_FILE, self.folder, "that the change log was replaced (e.g. by a "
                                      "redaction or a restore) since this coding store loaded it")
        if log.size < self._position.end:
            raise ConcurrentEditError(LOG_FILE, self.folder, "that the change log was cut short since this "
                                      "coding store loaded it")
        foreign_marker = False
        if log.size > self._position.end:
            chunk = read_forward(path, self._position.end, self._position.sequence + 1)
            if chunk.torn:
                _truncate(path, chunk.end)
                warnings.warn(f"{LOG_FILE}: removed an incomplete last change ({chunk.torn} bytes) that an "
                              "interrupted save left; it had never been reported saved", stacklevel=4)
            foreign_marker = self._catch_up(chunk.entries, chunk.end)
        self._log_ino = log.ino
        self._check_snapshot_files(foreign_marker)

    def _catch_up(self, entries: list[Entry], end: int) -> bool:
        """Apply entries other writers logged; remember which rows they touched."""
        try:
            replay(self._tables, entries)
        except DataError as err:
            raise ConcurrentEditError(LOG_FILE, self.folder, "changes by another writer that do not fit what "
                                      f"this store holds ({err.problems[0].found})") from None
        foreign_marker = False
        for entry in entries:
            if entry.op in ROW_OPS:
                self._foreign[(entry.table, entry.key)] = entry
                self._index(entry)
                self._position.since_marker += 1
            elif entry.op == "snapshot":
                foreign_marker = True
                self._position.marker = entry.seq
                self._position.since_marker = 0
                for table, number in (entry.after or {}).get("next", {}).items():
                    if table == "codings":
                        self._next_number = max(self._next_number, number)
        self._position.sequence = entries[-1].seq if entries else self._position.sequence
        self._position.end = end
        return foreign_marker

    def _check_snapshot_files(self, foreign_marker: bool) -> None:
        for file, known in self._files.items():
            now = _FileState.of(self.folder / file)
            if now == known:
                continue
            if foreign_marker:
                self._files[file] = now
                continue
            raise ConcurrentEditError(file, self.folder, "that it was changed outside the coding store (by hand, "
                                      "by git, or by another program) since this coding store loaded it")

    def _refuse_read_only(self) -> None:
        if atomic.is_read_only(self.folder):
            raise SaveError(Problem(self.folder.name + "/", None, None, "that the data folder is read-only",
                                    "nothing was saved; make the folder writable (chmod u+w) or work on a writable "
                                    "copy (EBM_DATA_DIR=/path/to/copy)"))
        for file in (*(t.file for t in STORE_TABLES.values()), LOG_FILE):
            if atomic.is_read_only(self.folder / file):
                raise SaveError(Problem(file, None, None, "that the file is read-only (it has no write permission)",
                                        f"nothing was saved and {file} was not touched; if you made it read-only on "
                                        f"purpose, work on a copy; else make it writable (chmod u+w {file})"))

    def _commit(self, tx: Transaction) -> None:
        entries: list[Entry] = []
        seq = self._position.sequence
        if seq == 0:
            entries.append(self._marker(seq + 1, tx.coder, "start change log", tx.time))
            seq += 1
        first = seq + 1
        staged = [*tx._entries, *(("note", None, None, None, after, action) for action, after in tx._notes)]
        n = len(staged)
        for i, (op, table, key, before, after, action) in enumerate(staged):
            entries.append(Entry(first + i, first, n, tx.time, tx.coder, tx.action or action, op, table, key,
                                 before, after, tx.reason, tx._undoes))
        self._append(entries)
        for entry in entries[-n:]:
            if entry.op in ROW_OPS:
                self._apply(entry)
        description = describe([e for e in entries[-n:] if e.op in ROW_OPS] or entries[-n:])
        if tx._undoes is None and tx._entries:
            self._session.append((first, description, tx.coder))
        if self._position.since_marker >= self.compact_every:
            self._compact_after_commit(tx.coder)

    @staticmethod
    def _first_free_number(project: Project, position: LogPosition) -> int:
        """The lowest coding number never used: from the log alone when its snapshot entry vouches for
        codings.csv, else also one more than the highest in the table (a scan of every id)."""
        floor = position.next_ids.get("codings")
        if floor is not None and "codings" in position.matched:
            return floor
        return max(_highest_number(project.tables["codings"]["coding_id"]) + 1, floor or 1)

    def _marker(self, seq: int, coder: str, action: str, time: str | None = None) -> Entry:
        tables = {name: {"digest": self._digest(name), "rows": len(t)} for name, t in self._tables.items()}
        return Entry(seq, seq, 1, time or utc_now(), coder, action, "snapshot",
                     after={"tables": tables, "next": {"codings": self._next_number}})

    def _digest(self, name: str) -> str:
        """The table's :func:`table_digest`, computed once per state of the table (base and version)."""
        table = self._tables[name]
        known = self._digests.get(name)
        if known is not None and known[0] is table._base and known[1] == table.version:
            return known[2]
        digest = table_digest(table.frame(), table.table)
        self._digests[name] = (table._base, table.version, digest)
        return digest

    def _append(self, entries: list[Entry]) -> None:
        """Append entries to the log, fsync, read them back; on any failure leave the log as it was."""
        path = self.folder / LOG_FILE
        data = "".join(e.to_json() + "\n" for e in entries).encode("utf-8")
        offset = self._position.end
        created = not path.exists()
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise save_error(exc, path) from exc
        try:
            try:
                if os.fstat(fd).st_size != offset:
                    raise ConcurrentEditError(LOG_FILE, self.folder, "that the change log changed while this "
                                              "store held the lock")
                written = 0
                while written < len(data):
                    written += os.pwrite(fd, data[written:], offset + written)
                os.fsync(fd)
                if os.pread(fd, len(data), offset) != data:
                    raise SaveError(Problem(LOG_FILE, None, None, "that what was written could not be read back",
                                            "nothing was saved; the disk may be failing: copy the data folder "
                                            "elsewhere and check the disk"))
            except OSError as exc:
                _undo_append(fd, offset)
                raise save_error(exc, path) from exc
            except DataError:
                _undo_append(fd, offset)
                raise
        finally:
            os.close(fd)
        if created:
            atomic._fsync_folder(self.folder)
            self._log_ino = _FileState.of(path).ino
        self._position.end = offset + len(data)
        self._position.sequence = entries[-1].seq
        self._position.since_marker += sum(1 for e in entries if e.op in ROW_OPS)
        if entries[0].op == "snapshot":
            self._position.marker = entries[0].seq

    def _apply(self, entry: Entry) -> None:
        table = self._tables[entry.table]
        if entry.op == "delete":
            table.delete(entry.key)
        else:
            table.put(entry.key, entry.after)
        self._index(entry)

    def _index(self, entry: Entry) -> None:
        """Keep the duplicate-span index and the next id in step with a row change."""
        if entry.table != "codings":
            return
        if entry.op == "insert":
            number = _number_of(entry.key)
            if number is not None:
                self._next_number = max(self._next_number, number + 1)
        if entry.before is not None:
            self._spans.pop(_span_key(entry.before), None)
        if entry.after is not None:
            self._spans[_span_key(entry.after)] = entry.key

    def _compact_if_free(self, timeout: float = 0.0, refresh: bool = False) -> None:
        """Compact now if the folder is writable and its lock free within ``timeout``; a failure only warns."""
        if atomic.is_read_only(self.folder):
            return
        lock = FolderLock(self.folder, timeout, holder=_actor(None, self.coder))
        try:
            if timeout:
                lock.acquire()
            elif not lock.try_acquire():
                return
        except DataError:
            return
        try:
            self._sync()
            self._compact_locked(_actor(None, self.coder), refresh)
            self.last_compaction_error = None
        except (OSError, DataError) as exc:
            self.last_compaction_error = exc
            warnings.warn(f"{self.folder.name}/: could not rewrite the snapshot files ({exc}); every change is "
                          f"kept in {LOG_FILE}", stacklevel=3)
        finally:
            lock.release()

    def _compact_after_commit(self, coder: str) -> None:
        """Automatic compaction: the change is already saved, so a failure here only warns."""
        try:
            self._compact_locked(coder)
            self.last_compaction_error = None
        except (OSError, DataError) as exc:
            self.last_compaction_error = exc
            warnings.warn(f"the change was saved in {LOG_FILE}, but writing the snapshot files failed: {exc}",
                          stacklevel=4)

    def _compact_locked(self, coder: str, refresh: bool = False) -> list[str]:
        """Write both snapshot files (under the lock): temp files, snapshot entry, renames, read back.

        With ``refresh``, a large folder's validated cache is then rebuilt for
        the new files (seconds at study scale), so that the next load comes
        from it: done by :meth:`compact` (and so :meth:`close`) and at exit,
        not by the automatic compactions on opening and on a save.

        Both files are always written, so that after a compaction both
        match its snapshot entry. A crash at any point is safe: before the
        snapshot entry the temp files are leftovers; after it, loading finds
        for each file the snapshot entry it matches (see
        :func:`ebm_analysis.changelog.replay_pending`).
        """
        if self._position.sequence and not self._position.since_marker and not self._files_missing():
            return []
        temps: list[tuple[Path, Path, bytes]] = []
        written = []
        try:
            for table in self._tables.values():
                target = self.folder / table.table.file
                data = atomic.frame_to_csv_text(table.frame()[table.columns]).encode("utf-8")
                temps.append((atomic._write_temp(target, data), target, data))
            marker = self._marker(self._position.sequence + 1, coder, "compact")
            self._append([marker])
            for tmp, target, _ in temps:
                if target.exists():
                    atomic._keep_previous(target)
                os.replace(tmp, target)
                written.append(target.name)
            atomic._fsync_folder(self.folder)
            self._append([Entry(marker.seq + 1, marker.seq + 1, 1, utc_now(), coder, WRITTEN, "note",
                                after={"snapshot": marker.seq, "files": written})])
        except OSError as exc:
            raise save_error(exc, temps[len(written)][1] if len(written) < len(temps) else self.folder / LOG_FILE,
                             "writing the snapshot files") from exc
        finally:
            for tmp, _, _ in temps:
                atomic._remove_quietly(tmp)
        for _, target, data in temps:
            _verify_snapshot(target, data)
            atomic.prune_versions(target)
        for table in self._tables.values():
            if table.changed:
                table.rebase()
        self._files = self._file_states()
        self._position.since_marker = 0
        if refresh:
            refresh_cache(self.folder)   # a large folder's next load then comes from the cache
        return written

    def _files_missing(self) -> bool:
        return any(not (self.folder / t.file).exists() and len(self._tables[n]) for n, t in STORE_TABLES.items())

    def _precheck(self, problems) -> None:
        """Refuse a change at once when memory already shows it is wrong, unless other writers logged since.

        The transaction checks again, authoritatively, under the lock.
        """
        problems = list(problems)
        if problems and _FileState.of(self.folder / LOG_FILE).size in (None, self._position.end):
            raise DataError(problems)

    # ------------------------------------------------------------ checks used before taking the lock

    def _check_coding(self, coding_id: str):
        if coding_id not in self._tables["codings"]:
            yield Problem(CODINGS.file, None, "coding_id", f"'{coding_id}', which is not a coding",
                          "expected a coding_id from the codings table (store.codings)")

    def _check_segment(self, segment_id: str):
        if segment_id not in self._texts:
            yield Problem(CODINGS.file, None, "segment_id", f"'{segment_id}', which is neither an excerpt_id nor "
                          "a note_id", "expected an id from excerpts.csv (E...) or observations.csv (O...)")

    def _check_code(self, code_id: str | None, column: str = "code_id", file: str = CODINGS.file):
        if code_id not in self._tables["codebook"]:
            yield Problem(file, None, column, f"'{code_id}', which codebook.csv does not list",
                          f"expected a code_id of the codebook ({_shorten(list(self._tables['codebook'].keys()))}); "
                          "add new codes with store.add_code(...)")


# ==================================================================== helpers

def _load_consistent(folder: Path, tries: int = 5) -> tuple[Project, dict[str, _FileState]]:
    """Load the folder and the state of its snapshot files, such that the two belong together.

    Another writer may compact (replace the snapshot files) or append to the
    change log while this one loads without the lock. The files' state is
    read again after the load, and the load repeated when they changed, so
    that the store does not later take its own, consistent, load for an edit
    made behind its back; a load that failed while the files or the log
    changed underneath it is tried again (at most ``tries`` loads in all).
    """
    def tables() -> dict[str, _FileState]:
        return {t.file: _FileState.of(folder / t.file) for t in STORE_TABLES.values()}

    for attempt in range(tries):
        files, log = tables(), _FileState.of(folder / LOG_FILE)
        try:
            project = load_project(folder)
        except DataError:
            if attempt + 1 < tries and (tables() != files or _FileState.of(folder / LOG_FILE) != log):
                continue  # read while another writer compacted or logged: read again
            raise
        if files == tables():
            break
    return project, files


class _SpanIndex:
    """``(segment_id, code_id, coder, start, end) -> coding_id``: the codings as loaded, and every change since.

    Used like a dict (``get``, ``pop``, ``[key] = id``), to refuse a coder's
    second coding of a code on a span. Nothing is indexed when a store opens:
    the loaded rows of a segment are looked up the first time a key of that
    segment is asked for (one comparison over the segment column), so that
    opening a folder of 50,000 codings costs no index of 50,000 keys.
    """

    def __init__(self, codings: pd.DataFrame):
        self._codings = codings
        self._segments = codings["segment_id"].to_numpy(dtype=object, na_value=None)
        self._loaded: dict[str, dict[tuple, str]] = {}   # per segment asked for: its loaded rows' keys
        self._since: dict[tuple, str | None] = {}         # keys set (an id) or removed (None) since loading

    def get(self, key: tuple, default: str | None = None) -> str | None:
        if key in self._since:
            found = self._since[key]
        else:
            found = self._of_segment(key[0]).get(key)
        return default if found is None else found

    def pop(self, key: tuple, default: str | None = None) -> str | None:
        found = self.get(key)
        self._since[key] = None
        return default if found is None else found

    def __setitem__(self, key: tuple, coding_id: str) -> None:
        self._since[key] = coding_id

    def _of_segment(self, segment_id: str) -> dict[tuple, str]:
        if segment_id not in self._loaded:
            rows = np.flatnonzero(self._segments == segment_id)
            self._loaded[segment_id] = _span_index(self._codings.iloc[rows])
        return self._loaded[segment_id]


def _span_index(codings: pd.DataFrame) -> dict[tuple, str]:
    """``(segment_id, code_id, coder, start, end) -> coding_id``, to refuse a coder's second coding of a code on a span."""
    return dict(zip(zip(codings["segment_id"].tolist(), codings["code_id"].tolist(), codings["coder"].tolist(),
                        _ints(codings["start"]), _ints(codings["end"])), codings["coding_id"].tolist()))


def _ints(column: pd.Series) -> list:
    """A whole-number column as Python ints and None (fast for the nullable Int64 dtype)."""
    values = column.array
    if hasattr(values, "_mask"):
        out = values._data.astype(object)
        out[values._mask] = None
        return out.tolist()
    return [py_value(v) for v in column.tolist()]


def _number_of(key: str) -> int | None:
    match = re.fullmatch(r"K(\d+)", key)
    return int(match.group(1)) if match else None


def _truncate(path: Path, size: int) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


def _undo_append(fd: int, offset: int) -> None:
    """After a failed append, cut the log back to where it was (best effort; a leftover is a torn tail)."""
    try:
        os.ftruncate(fd, offset)
        os.fsync(fd)
    except OSError:
        pass


def _verify_snapshot(path: Path, data: bytes) -> None:
    """Read a written snapshot back: the same bytes, and every row splits into the header's fields."""
    import csv
    import io

    try:
        back = path.read_bytes()
    except OSError as exc:
        raise save_error(exc, path, "reading the snapshot back") from exc
    problem = None
    if back != data:
        problem = "that the file on disk differs from what was written"
    else:
        rows = csv.reader(io.StringIO(back.decode("utf-8"), newline=""), strict=True)
        header = next(rows, [])
        if any(len(r) != len(header) for r in rows):
            problem = "rows that do not split into the header's columns"
    if problem:
        raise SaveError(Problem(path.name, None, None, problem, "the changes are kept in the change log; "
                                "check the disk, then run `python -m ebm_analysis compact` again"))


def _clean_leftovers(folder: Path) -> list[Path]:
    """Remove temporary files of interrupted saves, if the lock is free now (never waits, never fails)."""
    try:
        names = os.listdir(folder)
        names += [f"{atomic.VERSIONS_DIR}/{n}" for n in os.listdir(folder / atomic.VERSIONS_DIR)] \
            if (folder / atomic.VERSIONS_DIR).is_dir() else []
    except OSError:
        return []
    if not any(Path(n).name.startswith(".") and n.endswith(".tmp") for n in names):
        return []
    lock = FolderLock(folder)
    if not lock.try_acquire():
        return []
    try:
        owned = (*(t.file for t in STORE_TABLES.values()), LOG_FILE)
        removed = atomic.clean_temp_files(folder, always=owned)
    finally:
        lock.release()
    if removed:
        warnings.warn(f"{folder.name}/: removed {len(removed)} temporary file(s) left by an interrupted save: "
                      + ", ".join(p.name for p in removed), stacklevel=3)
    return removed


@atexit.register
def _compact_open_stores() -> None:
    """When the interpreter exits normally, compact the stores still open (best effort, never raises)."""
    for store in list(_OPEN_STORES):
        try:
            if store._position.since_marker:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    store._compact_if_free(timeout=_EXIT_TIMEOUT, refresh=True)
        except Exception:  # noqa: BLE001 - nothing may stop the interpreter from exiting
            pass
