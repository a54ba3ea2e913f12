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
number is the most recent previous version). Nothing is ever pruned, so no
save can lose earlier coding work; delete old copies by hand when you no
longer need them. To go back to a version, copy it over the file (with the
workbench closed) or use :meth:`ebm_analysis.coding.CodingStore.undo` within
a session. The ``.versions/`` folder should not be committed to git.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from itertools import repeat
from operator import itemgetter
from pathlib import Path

import pandas as pd

from ebm_analysis.errors import DataError, Problem

__all__ = ["write_text_atomic", "write_csv_atomic", "versions_folder", "previous_versions", "VERSIONS_DIR"]

#: Name of the folder, next to each saved file, that holds its previous versions.
VERSIONS_DIR = ".versions"


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
    tmp = _write_temp(path, data)
    try:
        kept = _keep_previous(path) if keep_previous and path.exists() else None
        os.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(path.parent)
    return kept


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
