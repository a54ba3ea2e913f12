"""One lock per data folder, so that two writers never interleave.

Every change to a data folder's codings and codebook is made while holding
an exclusive lock on the file ``.ebm-store.lock`` inside the folder (see
:mod:`ebm_analysis.coding`). The lock is an operating-system advisory lock
(``fcntl.flock`` on Linux and macOS, ``msvcrt.locking`` on Windows), so it is
released by the operating system when the process ends, even after
``kill -9`` or a crash: there are no stale locks to clean up by hand. The
lock file itself stays in the folder; it holds only a note of the last
holder (process id, host, coder, time) for messages, and git should ignore
it.

Locks are taken per open file, so two stores in the same process (two
widgets, two threads) exclude each other just as two kernels do.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

from ebm_analysis.errors import DataError, Problem

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt

__all__ = ["LOCK_FILE", "FolderLock", "LockTimeoutError", "SaveError", "save_error"]

#: Name of the lock file inside a data folder.
LOCK_FILE = ".ebm-store.lock"

#: Seconds a writer waits for another writer's lock before giving up.
DEFAULT_TIMEOUT = 10.0


class SaveError(DataError):
    """The disk or the operating system refused a write; nothing was saved.

    Raised for a read-only folder or file, a full disk, a missing permission
    and similar: the message names the file and says what to do.
    """


class LockTimeoutError(DataError):
    """Another writer held the data folder's lock for longer than the timeout; nothing was saved."""


_ADVICE = {
    errno.ENOSPC: ("the disk is full", "free some space on the disk, then try again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space in your quota, then try again"),
    errno.EROFS: ("the file system is mounted read-only", "work on a writable copy of the data folder "
                  "(EBM_DATA_DIR=/path/to/copy)"),
    errno.EACCES: ("no permission to write", "make the data folder and its files writable for you "
                   "(e.g. chmod u+w), or work on a writable copy"),
    errno.EPERM: ("the operating system does not permit the write", "make the data folder and its files "
                  "writable for you, or work on a writable copy"),
}


def save_error(exc: OSError, path: Path, what: str = "saving") -> SaveError:
    """Turn an :class:`OSError` from a write into a :class:`SaveError` a researcher can act on.

    Examples
    --------
    >>> err = save_error(OSError(28, "No space left on device"), Path("data/changes.jsonl"))
    >>> print(err.problems[0])
    changes.jsonl: found that the disk is full (while saving); nothing was saved; free some space on the disk, then try again
    """
    found, advice = _ADVICE.get(exc.errno, (f"the operating system refused the write ({exc.strerror or exc})",
                                            "check the data folder's disk and permissions, then try again"))
    return SaveError(Problem(Path(path).name, None, None, f"that {found} (while {what})",
                             f"nothing was saved; {advice}"))


class FolderLock:
    """The exclusive write lock of one data folder.

    Use as a context manager; the lock is held inside the ``with`` block.
    The lock file is created on first use (only writers create it: reading
    a folder never does).

    Parameters
    ----------
    folder : str or Path
        The data folder.
    timeout : float, default 10
        Seconds to wait for another writer; then :class:`LockTimeoutError`.
    holder : str, default ""
        Who takes the lock (a coder id), written into the lock file for the
        messages other writers get.

    Raises
    ------
    LockTimeoutError
        When another writer held the lock for ``timeout`` seconds.
    SaveError
        When the lock file cannot be created or opened (read-only folder,
        no permission).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with FolderLock(folder, holder="R1") as lock:
    ...     lock.held
    True
    >>> FolderLock(folder).held
    False
    """

    def __init__(self, folder: str | Path, timeout: float = DEFAULT_TIMEOUT, holder: str = ""):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.timeout = timeout
        self.holder = holder
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (see the class)."""
        if self._fd is not None:
            raise RuntimeError("this FolderLock is already held; locks are not re-entrant")
        try:
            fd = _open_lock_file(self.path)
        except OSError as exc:
            raise save_error(exc, self.path, "taking the data folder's write lock") from exc
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(Problem(
                        LOCK_FILE, None, None,
                        f"that another kernel or program has been saving to this data folder for more than "
                        f"{self.timeout:g} s ({_describe_holder(fd)})",
                        "nothing was saved; wait for the other save to finish and try again; if it never "
                        "finishes, close the other kernel or program"))
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        _write_holder(fd, self.holder)

    def try_acquire(self) -> bool:
        """Take the lock if it is free right now; never waits. False also when the folder is read-only."""
        try:
            fd = _open_lock_file(self.path)
        except OSError:
            return False
        if not _try_lock(fd):
            os.close(fd)
            return False
        self._fd = fd
        _write_holder(fd, self.holder)
        return True

    def release(self) -> None:
        """Give the lock back (closing the file releases it)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


# ---------------------------------------------------------------- platform

def _open_lock_file(path: Path) -> int:
    """Open (or create) the lock file; a lock file another user created read-only still locks (read-only)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        if not path.exists() or fcntl is None:
            raise
        return os.open(path, os.O_RDONLY)


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


_NOTE_SIZE = 256


def _write_holder(fd: int, holder: str) -> None:
    """Note who holds the lock (best effort: a full disk must not stop the lock itself).

    The note is padded to a fixed size and written over the old one, so the
    file never needs truncating (which costs as much as an fsync).
    """
    note = (f"pid {os.getpid()} on {socket.gethostname()}, coder {holder or 'unknown'}, "
            f"since {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M:%S')} UTC").encode("utf-8")
    note = note[:_NOTE_SIZE - 1].ljust(_NOTE_SIZE - 1) + b"\n"
    try:
        if fcntl is not None:
            os.pwrite(fd, note, 0)
    except OSError:
        pass


def _describe_holder(fd: int) -> str:
    try:
        note = os.pread(fd, _NOTE_SIZE, 0).decode("utf-8", "replace").strip()
    except (OSError, AttributeError):
        note = ""
    return f"held by {note}" if note else "the holder is not known"
