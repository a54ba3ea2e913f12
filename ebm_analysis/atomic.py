"""Crash-safe writes to the data folder.

Every write goes to a temporary file in the same folder, which is flushed and
``fsync``-ed and only then moved over the target with :func:`os.replace` (an
atomic rename); the folder itself is ``fsync``-ed afterwards so the rename
survives a power cut. A failure at any point (full disk, a crash, an
exception) leaves the original file exactly as it was, and the temporary file
is removed.

**Previous versions.** Before a file is replaced, its previous content is
kept as a numbered copy in a ``.versions/`` folder next to it:
``data/.versions/codings.0001.csv``, ``codings.0002.csv``, ... (the highest
number is the most recent previous version). The copies are bounded: the
newest :data:`KEEP_LAST` are kept, and the newest of each of the last
:data:`KEEP_DAILY` days (by the time the content was written); older ones
are deleted (:func:`prune_versions`). The coding store does not save by
rewriting files (it appends to its change log, see :mod:`ebm_analysis.coding`),
so copies are made only when it writes a snapshot. To go back to a version,
copy it over the file with the workbench closed. The ``.versions/`` folder
should not be committed to git.

**Read-only files are not replaced.** Renaming over a file succeeds even
when the file itself is read-only; a file without any write permission
(``chmod 444``) is therefore refused explicitly (``PermissionError``), so a
researcher's "do not touch" is respected.

**Leftovers.** A process killed in the middle of a write leaves its
temporary file (``.NAME.XXXX.tmp``) behind; :func:`clean_temp_files` removes
such files (the coding store calls it under its lock and reports them).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from itertools import repeat
from operator import itemgetter
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ebm_analysis.errors import DataError, Problem

__all__ = ["write_text_atomic", "write_bytes_atomic", "write_csv_atomic", "versions_folder", "previous_versions",
           "prune_versions", "clean_temp_files", "is_read_only", "VERSIONS_DIR", "KEEP_LAST", "KEEP_DAILY"]

#: Name of the folder, next to each saved file, that holds its previous versions.
VERSIONS_DIR = ".versions"
#: Previous versions always kept (the newest ones).
KEEP_LAST = 5
#: Days for which the newest previous version of the day is kept as well.
KEEP_DAILY = 7


def versions_folder(path: str | Path) -> Path:
    """The folder where previous versions of ``path`` are kept.

    Examples
    --------
    >>> versions_folder("data/codings.csv").as_posix()
    'data/.versions'
    """
    return Path(path).parent / VERSIONS_DIR


def previous_versions(path: str | Path) -> list[Path]:
    """Kept previous versions of ``path``, oldest first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_text_atomic(folder / "a.csv", "one\\n")
    >>> _ = write_text_atomic(folder / "a.csv", "two\\n")
    >>> [p.name for p in previous_versions(folder / "a.csv")]
    ['a.0001.csv']
    """
    path = Path(path)
    folder = versions_folder(path)
    if not folder.is_dir():
        return []
    found = [(n, p) for p in folder.iterdir() if (n := _version_number(path, p.name)) is not None]
    return [p for _, p in sorted(found)]


def write_text_atomic(path: str | Path, text: str, *, keep_previous: bool = True) -> Path | None:
    """Replace a file's content with ``text`` (UTF-8) atomically.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder must exist.
    text : str
        The new content, written as UTF-8 exactly as given (no newline
        translation).
    keep_previous : bool, default True
        Keep the file's previous content as a numbered copy in ``.versions/``.

    Returns
    -------
    Path or None
        The kept previous version, or None when there was no previous file
        (or ``keep_previous`` is False).

    Raises
    ------
    OSError
        When the disk refuses the write; the original file is then unchanged
        and no temporary file is left behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> write_text_atomic(target, "första\\n") is None
    True
    >>> kept = write_text_atomic(target, "andra\\n")
    >>> target.read_text(encoding="utf-8"), kept.read_text(encoding="utf-8")
    ('andra\\n', 'första\\n')
    """
    return write_bytes_atomic(path, text.encode("utf-8"), keep_previous=keep_previous)


def write_bytes_atomic(path: str | Path, data: bytes, *, keep_previous: bool = True) -> Path | None:
    """Replace a file's content with ``data`` atomically (see :func:`write_text_atomic`).

    The new file keeps the permissions of the file it replaces; a new file
    gets the usual permissions of the user's umask (e.g. readable by the
    group and others under umask 022), so a shared data folder stays shared.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.bin"
    >>> write_bytes_atomic(target, b"EBM", keep_previous=False) is None
    True
    >>> target.read_bytes()
    b'EBM'
    """
    path = Path(path)
    if is_read_only(path):
        raise PermissionError(errno.EACCES, "the file is read-only (it has no write permission)", str(path))
    tmp = _write_temp(path, data)
    try:
        kept = _keep_previous(path) if keep_previous and path.exists() else None
        os.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(path.parent)
    if kept is not None:
        prune_versions(path)
    return kept


def is_read_only(path: str | Path) -> bool:
    """Whether ``path`` exists without any write permission bit (as after ``chmod 444``).

    Checked from the permission bits, not by trying: the superuser could
    write anyway, and the point is to respect the owner's intent.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> is_read_only(f)
    False
    >>> _ = f.write_text("x"); f.chmod(0o444); is_read_only(f)
    True
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def prune_versions(path: str | Path, keep_last: int = KEEP_LAST, keep_daily: int = KEEP_DAILY) -> list[Path]:
    """Delete kept versions of ``path`` beyond the newest ``keep_last`` and the newest of each of ``keep_daily`` days.

    Days are UTC calendar days of each version's modification time (when
    that content was written); only the ``keep_daily`` most recent days
    that have a version count.

    Returns
    -------
    list of Path
        The versions deleted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> for i in range(5):
    ...     _ = write_text_atomic(target, f"v{i}\\n")
    >>> [p.name for p in previous_versions(target)]
    ['a.0001.csv', 'a.0002.csv', 'a.0003.csv', 'a.0004.csv']
    >>> [p.name for p in prune_versions(target, keep_last=2, keep_daily=0)]
    ['a.0001.csv', 'a.0002.csv']
    """
    versions = previous_versions(path)
    keep = set(versions[-keep_last:]) if keep_last > 0 else set()
    by_day: dict[str, Path] = {}
    for version in versions:  # oldest first, so the newest of each day wins
        try:
            stamp = version.stat().st_mtime
        except OSError:
            continue
        by_day[datetime.fromtimestamp(stamp, timezone.utc).strftime("%Y-%m-%d")] = version
    for day in sorted(by_day)[-keep_daily:] if keep_daily > 0 else []:
        keep.add(by_day[day])
    removed = []
    for version in versions:
        if version not in keep:
            _remove_quietly(version)
            removed.append(version)
    return removed


#: Temporary files this module writes: ``.NAME.RANDOM.tmp``.
_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")


def clean_temp_files(folder: str | Path, *, older_than: float = 60.0, always: tuple[str, ...] = ()) -> list[Path]:
    """Remove temporary files that interrupted writes left in ``folder`` and its ``.versions/``.

    A temporary file is removed when it is older than ``older_than``
    seconds, or at once when it belongs to one of the files named in
    ``always`` (files whose writers hold a lock the caller holds now).

    Returns
    -------
    list of Path
        The files removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".codings.csv.abc123.tmp").write_text("half")
    >>> [p.name for p in clean_temp_files(folder, always=("codings.csv",))]
    ['.codings.csv.abc123.tmp']
    """
    folder = Path(folder)
    removed = []
    now = time.time()
    for place in (folder, folder / VERSIONS_DIR):
        try:
            names = os.listdir(place)
        except OSError:
            continue
        for name in names:
            if not _TEMP.match(name):
                continue
            path = place / name
            try:
                info = path.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            owned = place == folder and any(name.startswith(f".{target}.") for target in always)
            if owned or place != folder and any(name.startswith(f".{Path(t).stem}.") for t in always) \
                    or now - info.st_mtime > older_than:
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass
    return removed


def write_csv_atomic(path: str | Path, frame: pd.DataFrame, *, keep_previous: bool = True) -> Path | None:
    """Write a DataFrame as a UTF-8 CSV file atomically (see :func:`write_text_atomic`).

    The file has a header row, comma delimiters, ``\\n`` line ends, no index
    column, and missing values as empty cells.

    Parameters
    ----------
    path : str or Path
        The CSV file to write.
    frame : DataFrame
        The table; its columns are written in order.
    keep_previous : bool, default True
        Keep the previous content in ``.versions/``.

    Returns
    -------
    Path or None
        The kept previous version, if any.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv_atomic(target, pd.DataFrame({"a": [1, None], "b": ["x", "y,z"]}))
    >>> print(target.read_text(encoding="utf-8"), end="")
    a,b
    1.0,x
    ,"y,z"
    """
    return write_text_atomic(path, frame_to_csv_text(frame, Path(path).name), keep_previous=keep_previous)


def frame_to_csv_text(frame: pd.DataFrame, file: str = "the table") -> str:
    """The CSV text :func:`write_csv_atomic` writes for ``frame``.

    Text that a spreadsheet would run as a formula (beginning with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return) is written with an
    apostrophe in front, and the loader takes it off again, so values
    round-trip exactly (see :func:`ebm_analysis.reading.escape_formula` for
    the reversible rule). A cell holding a carriage return is always quoted.

    Parameters
    ----------
    frame : DataFrame
        The table; its columns are written in order.
    file : str, default "the table"
        The file name used in a message.

    Raises
    ------
    DataError
        When a cell is longer than :data:`ebm_analysis.reading.FIELD_LIMIT`
        characters; nothing is written then.

    Examples
    --------
    >>> frame_to_csv_text(pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "s": ["a", None]}))
    'n,s\\n1,a\\n,\\n'
    >>> print(frame_to_csv_text(pd.DataFrame({"memo": ["=HYPERLINK(x)", "-5 %", "'=kept"]})), end="")
    memo
    '=HYPERLINK(x)
    '-5 %
    ''=kept
    """
    from ebm_analysis.reading import FIELD_LIMIT, escape_formula

    frame = frame.copy()
    has_cr = False
    for i, name in enumerate(frame.columns):
        column = frame[name]
        if not (pd.api.types.is_string_dtype(column.dtype) or column.dtype == object):
            continue
        values = column.tolist()
        texts = column.dropna().tolist() if isinstance(column.dtype, pd.StringDtype) else \
            [v for v in values if isinstance(v, str)]
        if not texts:
            continue
        longest = max(map(len, texts))
        if longest > FIELD_LIMIT:
            row = next(k for k, v in enumerate(values) if isinstance(v, str) and len(v) == longest)
            raise DataError(Problem(file, row + 2, str(name), f"a text of {longest:,} characters",
                                    f"expected at most {FIELD_LIMIT:,} characters in one cell; split the text "
                                    "into several segments or shorten the memo (nothing was written)"))
        if not _ESCAPE_STARTS.isdisjoint(map(_FIRST, texts)):
            escaped = [escape_formula(v) if isinstance(v, str) else v for v in values]
            frame[name] = pd.array(escaped, dtype=column.dtype) if column.dtype != object else escaped
        has_cr = has_cr or any(map(str.__contains__, texts, repeat("\r")))
    if has_cr:
        return _csv_quoting_cr(frame)
    return frame.to_csv(index=False, lineterminator="\n")


_ESCAPE_STARTS = frozenset("=+-@\t\r'")
_FIRST = itemgetter(slice(0, 1))


def _csv_quoting_cr(frame: pd.DataFrame) -> str:
    """CSV text as ``DataFrame.to_csv`` writes it, but quoting cells with a lone carriage return.

    pandas and the csv module leave a cell with ``\\r`` (and no ``\\n``) unquoted
    when lines end in ``\\n``, and every CSV reader then splits the row there.
    """
    def cell(value) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return ""
        text = str(value)
        if any(ch in text for ch in ',"\n\r'):
            return '"' + text.replace('"', '""') + '"'
        return text

    header = ",".join(cell(str(c)) for c in frame.columns)
    rows = (",".join(cell(v) for v in row) for row in frame.itertuples(index=False, name=None))
    return "\n".join([header, *rows]) + "\n"


# ---------------------------------------------------------------- helpers

def _mode_for(path: Path) -> int:
    """The permissions a file written at ``path`` should get: those of the file it replaces, else the umask's."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _write_temp(path: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        _remove_quietly(tmp)
        raise
    return tmp


def _keep_previous(path: Path) -> Path:
    """Copy the current file to ``.versions/<stem>.<NNNN><suffix>`` (itself atomically)."""
    folder = versions_folder(path)
    folder.mkdir(exist_ok=True)
    existing = previous_versions(path)
    number = (_version_number(path, existing[-1].name) + 1) if existing else 1
    target = folder / f"{path.stem}.{number:04d}{path.suffix}"
    tmp = _write_temp(target, path.read_bytes())
    try:
        shutil.copystat(path, tmp)
        os.replace(tmp, target)
    except BaseException:
        _remove_quietly(tmp)
        raise
    return target


def _version_number(path: Path, name: str) -> int | None:
    match = re.fullmatch(re.escape(path.stem) + r"\.(\d+)" + re.escape(path.suffix), name)
    return int(match.group(1)) if match else None


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable; a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
