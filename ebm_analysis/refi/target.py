"""Where an import writes: the target folder, a staging folder beside it, and the move into place.

An import builds the new data folder in a hidden staging folder next to the
target (``.<name>.importing-<pid>-<random>``), checks it with the loader, and
only then moves it into place with a rename; if anything fails, the staging
folder is removed. A staging folder holds a lock (``fcntl.flock`` on a file
beside it) for as long as its import runs, so an import that was killed
(``kill -9``, a time limit, a power cut) leaves a folder whose lock is free:
the next import into the same place removes it before starting.

Every case of the target is a clear :class:`~ebm_analysis.errors.DataError`
or works:

=====================================  ================================================
target                                 what happens
=====================================  ================================================
does not exist                         created (parents too)
an empty folder                        filled
a folder with files                    refused; with ``overwrite`` it is kept as
                                       ``<name>.backup-N`` and replaced
a symbolic link to a folder            the folder it points to is used (the link stays)
a dangling symbolic link               refused, naming the missing target
a file, or a link to a file            refused
the current folder (``.``) or one      refused: replacing it would leave the shell in a
that contains it                       deleted folder; run the command from its parent
=====================================  ================================================
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ebm_analysis.errors import DataError, Problem

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None

__all__ = ["Target", "resolve_target", "Staging", "clean_stale_imports", "STAGING_MARK"]

#: Marks a staging folder: ``.<name>.importing-<pid>-<random>``.
STAGING_MARK = ".importing-"
#: Without ``fcntl``, a staging folder this old (seconds) counts as left by a killed import.
STALE_AFTER = 24 * 3600


@dataclass
class Target:
    """A checked target folder.

    Attributes
    ----------
    path : Path
        The folder to create or fill (a symbolic link already followed).
    given : Path
        The path as the user gave it, made absolute.
    backup : Path or None
        Where the current content goes (``overwrite`` of a folder with files).
    notes : list of str
        What the user should know (a followed link, cleaned leftovers).
    """

    path: Path
    given: Path
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)


def _problem(path: Path, found: str, expected: str) -> DataError:
    return DataError(Problem(str(path), None, None, found, expected))


def resolve_target(data_dir: str | os.PathLike, overwrite: bool) -> Target:
    """Check the target folder of an import; follow a link to a folder.

    Raises
    ------
    DataError
        For every target that cannot be used, with what to do instead.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> resolve_target(folder / "new", overwrite=False).path.name
    'new'
    >>> resolve_target(".", overwrite=False)
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
    ...
    """
    given = Path(os.path.abspath(data_dir))
    if given.name in ("", ".", ".."):
        raise _problem(Path(data_dir), "a folder without a name (the root of the file system)",
                       "expected the path of a new or empty data folder, e.g. imported_data")
    path = given
    notes = []
    if given.is_symlink():
        link = Path(os.readlink(given))
        real = Path(os.path.realpath(given))
        if not real.exists():
            raise _problem(given, f"a symbolic link to {link}, which does not exist",
                           "create that folder first, remove the link, or give another folder name; "
                           "nothing was written")
        if not real.is_dir():
            raise _problem(given, f"a symbolic link to {link}, which is a file, not a folder",
                           "expected the path of a new or empty data folder; nothing was written")
        path = real
        notes.append(f"{given.name} is a symbolic link; the import went into the folder it points to ({real}).")
    elif given.exists() and not given.is_dir():
        raise _problem(given, "a file, not a folder", "expected the path of a new or empty data folder")
    _refuse_working_folder(Path(data_dir), path)
    target = Target(path, given, notes=notes)
    if _non_empty(path):
        if not overwrite:
            raise _problem(given, "a folder that already holds files",
                           "choose a new or empty folder, or pass overwrite=True (--overwrite on the command "
                           "line; the current folder is then kept as a backup next to it); coding work is "
                           "never replaced silently")
        target.backup = backup_name(path)
    return target


def _refuse_working_folder(given: Path, path: Path) -> None:
    cwd = Path(os.path.realpath(os.getcwd()))
    real = Path(os.path.realpath(path))
    if real == cwd or real in cwd.parents:
        raise _problem(given, "the folder you are working in (the current directory, or one that contains it)",
                       "an import replaces its target folder, which would leave you in a deleted folder; run the "
                       f"command from the folder above it and name the target ({path.name}); nothing was written")


def _non_empty(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def backup_name(data_dir: Path) -> Path:
    """``<data_dir>.backup-N`` with the first free N."""
    n = 1
    while (candidate := data_dir.with_name(f"{data_dir.name}.backup-{n}")).exists() or candidate.is_symlink():
        n += 1
    return candidate


# ---------------------------------------------------------------- staging

class Staging:
    """A locked, hidden staging folder next to the target; removed unless committed.

    Use as a context manager: ``with Staging(target) as tmp: ...write...;
    staging.commit()``. Leaving the block without :meth:`commit` (an error,
    ``KeyboardInterrupt``, ``SystemExit``) removes the folder and its lock.
    """

    def __init__(self, target: Target):
        self.target = target
        self.parent = target.path.parent
        self.folder: Path | None = None
        self._lock_file = None
        self.committed = False

    def __enter__(self) -> Path:
        name = f".{self.target.path.name}{STAGING_MARK}{os.getpid()}-{secrets.token_hex(4)}"
        folder = self.parent / name
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            # the lock first, then the folder: a cleaner never sees the folder unlocked
            self._lock_file = open(_lock_path(folder), "x")
            if fcntl is not None:
                fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            folder.mkdir()
            self.folder = folder
        except OSError as exc:
            self.folder = folder if folder.exists() else None
            self._remove()
            _unlink(_lock_path(folder))
            raise _problem(self.parent, f"a folder that cannot be written ({exc.strerror or exc})",
                           "import into a folder where you may write; nothing was written") from None
        return folder

    def commit(self) -> None:
        """Move the staged folder into place (keeping a backup if there is one).

        Raises
        ------
        DataError
            When the target changed while the import ran (e.g. another import
            into the same folder); nothing was replaced.
        """
        target = self.target
        try:
            if target.backup is not None:
                os.rename(target.path, target.backup)
            elif target.path.is_dir():
                target.path.rmdir()  # empty when checked; fails if files appeared since
        except OSError as exc:
            raise _problem(target.given, f"a folder that changed while the import ran ({exc.strerror or exc})",
                           "run the import again (is another import writing there?); nothing was replaced") from None
        try:
            os.rename(self.folder, target.path)
        except BaseException as exc:
            if target.backup is not None and not target.path.exists():
                os.rename(target.backup, target.path)
            if isinstance(exc, OSError):
                raise _problem(target.given, f"a folder that could not be replaced ({exc.strerror or exc})",
                               "run the import again; the previous content is unchanged") from None
            raise
        self.committed = True
        _fsync_dir(self.parent)

    def __exit__(self, *exc) -> None:
        self._remove()

    def _remove(self) -> None:
        if self.folder is not None and not self.committed:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.folder is not None:
            try:
                _lock_path(self.folder).unlink()
            except FileNotFoundError:
                pass
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock
            self._lock_file = None


def _lock_path(folder: Path) -> Path:
    return folder.with_name(folder.name + ".lock")


def _fsync_dir(folder: Path) -> None:
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


def clean_stale_imports(target: Path) -> list[str]:
    """Remove staging folders of ``target`` left by killed imports; their names.

    A staging folder belongs to a running import as long as its lock is held;
    one whose lock can be taken was left by an import that died. (Without
    ``fcntl``, folders older than a day count as left.)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / ".data.importing-1-abc").mkdir()
    >>> clean_stale_imports(folder / "data")
    ['.data.importing-1-abc']
    """
    removed = []
    prefix = f".{target.name}{STAGING_MARK}"
    try:
        candidates = sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix))
    except OSError:
        return removed
    for path in candidates:
        if path.name.endswith(".lock"):
            if not path.with_name(path.name[:-5]).exists() and _lock_is_free(path):
                _unlink(path)
            continue
        if path.is_symlink() or not path.is_dir():
            continue
        lock = _lock_path(path)
        if _lock_is_free(lock) if fcntl is not None else time.time() - path.stat().st_mtime > STALE_AFTER:
            shutil.rmtree(path, ignore_errors=True)
            _unlink(lock)
            removed.append(path.name)
    return removed


def _lock_is_free(lock: Path) -> bool:
    """Whether nobody holds the lock (a missing lock file counts as free)."""
    if fcntl is None:
        return False
    try:
        with open(lock, "a") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            return True
    except OSError:
        return False


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
