"""The build stamp on every page: date, git commit, a checksum of ``data/``.

A reader of a printed page can tell which code and which data it came from:
the commit names the code (and says "with uncommitted changes" when the
working tree differed from it), the checksum names the data folder's
content, the date says when it was built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BuildStamp", "build_stamp", "data_checksum", "git_commit"]

#: Files and folders of a data folder that are not data (caches, kept versions, locks, editor files).
IGNORED = (".cache", ".versions", ".git")


@dataclass(frozen=True)
class BuildStamp:
    """When and from what a report was built."""

    date: str            # ISO date, UTC
    commit: str | None   # full commit hash, None outside a git checkout
    dirty: bool          # the working tree differed from the commit
    data_sha256: str     # see data_checksum
    executed: bool       # notebooks executed for this build (False: rendered from their saved outputs)

    @property
    def short_commit(self) -> str:
        """The first 12 characters of the commit ("unknown" outside git)."""
        return self.commit[:12] if self.commit else "unknown"


def data_checksum(folder: Path) -> str:
    """SHA-256 over every data file's relative path and bytes, in sorted order.

    Caches, kept versions and hidden files are left out, so the checksum
    changes exactly when the data a reader relies on changes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "a.csv").write_text("x\\n1\\n")
    ...     first = data_checksum(Path(d))
    ...     _ = (Path(d) / ".versions").mkdir()
    ...     same = data_checksum(Path(d)) == first
    ...     _ = (Path(d) / "a.csv").write_text("x\\n2\\n")
    ...     same, data_checksum(Path(d)) == first, len(first)
    (True, False, 64)
    """
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_commit(root: Path) -> tuple[str | None, bool]:
    """The checked-out commit of ``root`` and whether tracked files differ from it.

    ``(None, False)`` outside a git checkout (e.g. an unpacked archive).
    """
    commit = _git(root, "rev-parse", "HEAD")
    if not commit:
        return None, False
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return commit, bool(status)


def build_stamp(root: Path, data_dir: Path, executed: bool, today: dt.date | None = None) -> BuildStamp:
    """The stamp of a build of the project at ``root`` with the data in ``data_dir``."""
    commit, dirty = git_commit(root)
    date = (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()
    return BuildStamp(date, commit, dirty, data_checksum(data_dir), executed)
