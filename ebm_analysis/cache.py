"""A cache of validated tables, so that a large project opens fast.

After :func:`~ebm_analysis.project.load_project` has read and fully validated
a data folder of at least :data:`MIN_BYTES`, it stores the typed tables in
``.cache/tables.npz`` inside the folder. The next load reads every table file
as before (with every safety check of :mod:`ebm_analysis.reading`), computes
a SHA-256 key over their exact bytes and over the code that validates them,
and uses the cache only when the key stored in it is the same: the same
bytes validated by the same code give the same tables, so nothing is skipped
that could come out differently. Any change to any table file, to the schema
or to the loader gives another key, and the tables are read and validated
afresh (and the cache rewritten).

It is written only for tables whose span codings all cover their text (see
:func:`ebm_analysis.spans.span_problems`), so that a load from the cache
checks only the codings the change log wrote after them.

The cache is never trusted blindly: a cache file that is missing, unreadable,
truncated, corrupt (every member carries a CRC), a link, of another format
version, or whose columns do not match the schema is ignored, and the folder
is loaded from its tables. It holds only numbers, booleans and UTF-8 text
(``numpy.load`` with ``allow_pickle=False``: nothing in it can run code).
Writing it is best effort: a read-only folder or a full disk leaves the
project loaded and simply uncached.

``.cache/`` holds a ``.gitignore`` of ``*``, so git ignores it wherever the
data folder lives. It holds copies of the tables' text: whoever removes text
from a folder for privacy (e.g. redaction) must also call :func:`clear_cache`.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import io
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ebm_analysis.schema import TABLES_BY_NAME

__all__ = ["CACHE_DIR", "CACHE_FILE", "MIN_BYTES", "CachedTables", "cache_key", "read_cache", "holds_key", "write_cache",
           "clear_cache"]

#: Folder, inside the data folder, that holds the cache.
CACHE_DIR = ".cache"
#: The cache file inside :data:`CACHE_DIR`.
CACHE_FILE = "tables.npz"
#: Data folders whose table files add up to fewer bytes are not cached (they load fast anyway).
MIN_BYTES = 4 * 1024 * 1024
FORMAT = "ebm-analysis validated tables, format 2"
#: Separates the texts of a column in the cache: a control character, which no validated cell holds.
_SEP = "\x1f"
_CODE_FILES = ("schema.py", "project.py", "reading.py", "cache.py", "errors.py", "spans.py")
_code_digest: bytes | None = None


def _code() -> bytes:
    """A digest of the code that reads and validates tables (any change to it invalidates caches)."""
    global _code_digest
    if _code_digest is None:
        from ebm_analysis.project import CHECKS

        h = hashlib.sha256(FORMAT.encode())
        here = Path(__file__).resolve().parent
        files = [here / name for name in _CODE_FILES]
        files += sorted({Path(inspect.getsourcefile(check)).resolve() for check in CHECKS.values()} - set(files))
        for path in files:                # the loader, and wherever a registered check is defined
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        h.update(f"{pd.__version__} {np.__version__}".encode())
        _code_digest = h.digest()
    return _code_digest


def cache_key(contents: dict[str, bytes]) -> str:
    """The key of a folder's tables: SHA-256 over each file's name and exact bytes, and the loader's code.

    Examples
    --------
    >>> cache_key({"meetings": b"a"}) == cache_key({"meetings": b"a"})
    True
    >>> cache_key({"meetings": b"a"}) == cache_key({"meetings": b"b"})
    False
    """
    h = hashlib.sha256(_code())
    for name in sorted(contents):
        data = contents[name]
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def cache_path(folder: str | Path) -> Path:
    """Where the cache of ``folder`` is kept."""
    return Path(folder) / CACHE_DIR / CACHE_FILE


class CachedTables(NamedTuple):
    """What a cache holds: the validated tables and the change log's digests of them."""

    frames: dict[str, pd.DataFrame]
    digests: dict[str, str]      # see ebm_analysis.changelog.snapshot_digests; may be empty


def read_cache(folder: str | Path, key: str) -> CachedTables | None:
    """The cached tables of ``folder`` (and their digests) if the cache holds exactly ``key``, else None.

    Never raises: anything unexpected about the cache means None.
    """
    from ebm_analysis.reading import read_file_bytes

    path = cache_path(folder)
    try:
        if not _plain_folder(path.parent):
            return None
        data, problems = read_file_bytes(path, CACHE_FILE, folder)
        if data is None or problems:
            return None
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if str(npz["format"]) != FORMAT or str(npz["key"]) != key:
                return None
            frames = {str(name): _frame(npz, str(name)) for name in npz["tables"]}
            digests = json.loads(str(npz["digests"]))
            if not isinstance(digests, dict) or not all(isinstance(v, str) for v in digests.values()):
                return None
            return CachedTables(frames, digests)
    except Exception:  # a cache that cannot be read is not used, whatever the reason
        return None


def holds_key(folder: str | Path, key: str) -> bool:
    """Whether the cache of ``folder`` says it was built for ``key`` (its tables are not read). Never raises."""
    path = cache_path(folder)
    try:
        if not _plain_folder(path.parent) or not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with np.load(path, allow_pickle=False) as npz:
            return str(npz["format"]) == FORMAT and str(npz["key"]) == key
    except Exception:  # no cache, or one that cannot be read
        return False


def write_cache(folder: str | Path, key: str, frames: dict[str, pd.DataFrame],
                digests: dict[str, str] | None = None) -> bool:
    """Store validated ``frames`` (and the change log's ``digests`` of them) under ``key``; True if written.

    Never raises.
    """
    path = cache_path(folder)
    try:
        if path.parent.exists() and not _plain_folder(path.parent):
            return False
        path.parent.mkdir(exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not os.path.lexists(ignore):
            ignore.write_text("# a cache of validated tables, rebuilt when the tables change\n*\n", encoding="utf-8")
        arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT), "key": np.array(key),
                                         "tables": np.array(sorted(frames)),
                                         "digests": np.array(json.dumps(digests or {}, sort_keys=True))}
        for name, frame in frames.items():
            arrays.update(_arrays(name, frame))
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        _replace_without_sync(path, buffer.getvalue())
        return True
    except Exception:
        return False


def _replace_without_sync(path: Path, data: bytes) -> None:
    """Write a temporary file and rename it over ``path``.

    Not fsync-ed: a cache torn by a power cut fails its CRC check and is
    rebuilt, so the cost of syncing 20 MB on every first open is not paid.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def clear_cache(folder: str | Path) -> bool:
    """Delete the cache of ``folder`` (for example after redacting text); True if there was one.

    Examples
    --------
    >>> import tempfile
    >>> clear_cache(tempfile.mkdtemp())
    False
    """
    path = cache_path(folder)
    if not os.path.lexists(path):
        return False
    os.unlink(path)
    return True


# ---------------------------------------------------------------- columns

def _plain_folder(path: Path) -> bool:
    """A real folder, not a link (the cache never writes through a link out of the data folder)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _arrays(name: str, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {f"{name}/columns": np.array(list(frame.columns)),
           f"{name}/dtypes": np.array([str(frame[c].dtype) for c in frame.columns])}
    for j, column in enumerate(frame.columns):
        series = frame[column]
        mask = series.isna().to_numpy(dtype=bool)
        out[f"{name}/{j}/mask"] = mask
        if str(series.dtype) == "Int64":
            out[f"{name}/{j}/values"] = series.to_numpy(dtype=np.int64, na_value=0)
        else:
            joined = _SEP.join("" if m else v for v, m in zip(series.tolist(), mask))
            if joined.count(_SEP) != max(len(mask) - 1, 0):
                raise ValueError("a text holds the separator")  # impossible after validation; then no cache
            out[f"{name}/{j}/text"] = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    return out


def _frame(npz, name: str) -> pd.DataFrame:
    table = TABLES_BY_NAME[name]
    columns = [str(c) for c in npz[f"{name}/columns"]]
    dtypes = [str(d) for d in npz[f"{name}/dtypes"]]
    if columns != table.column_names or dtypes != [c.dtype for c in table.columns]:
        raise ValueError("the cache does not match the schema")
    data = {}
    for j, (column, dtype) in enumerate(zip(columns, dtypes)):
        mask = npz[f"{name}/{j}/mask"]
        if dtype == "Int64":
            values = npz[f"{name}/{j}/values"]
            if values.dtype != np.int64 or mask.dtype != bool or values.shape != mask.shape:
                raise ValueError("bad column")
            data[column] = pd.arrays.IntegerArray(values.copy(), mask.copy())
            continue
        texts = npz[f"{name}/{j}/text"].tobytes().decode("utf-8").split(_SEP) if len(mask) else []
        if len(texts) != len(mask) or mask.dtype != bool:
            raise ValueError("bad column")
        if not mask.any():
            data[column] = pd.array(texts, dtype=dtype)
            continue
        cells = np.array(texts, dtype=object)
        cells[mask] = None
        data[column] = pd.array(cells, dtype=dtype)
    frame = pd.DataFrame(data)
    if list(frame.columns) != columns:
        raise ValueError("bad table")
    return frame
