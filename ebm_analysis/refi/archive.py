"""Reading a ``.qdpx`` archive safely: limits checked before reading and while reading.

A ``.qdpx`` is a zip archive, and a zip archive can be hostile: a member of a
1.6 MB file can unpack to gigabytes (a "zip bomb"), a directory can announce
millions of members, and the sizes written in the directory can be false. This
module reads only what an import needs (``project.qde`` and the sources' text
files) and refuses, with a message naming the member and the limit, anything
beyond the :class:`ArchiveLimits`:

- the archive's **member count** and the size of its central directory, read
  from the end-of-archive record before the directory itself is parsed;
- each member's **uncompressed size** and **compression ratio** as the
  directory states them, before the member is opened;
- the **total** of what will be read, from the directory, before reading;
- the same sizes again **while streaming** (the decompressed bytes are counted
  as they come, so a member whose directory entry lies is stopped at the
  limit), with a damaged or falsified entry (bad CRC) reported as damaged;
- the **XML**: the size of ``project.qde`` and the number of its elements
  (entity declarations are refused by the parser in
  :mod:`~ebm_analysis.refi.importer`).

Nothing here extracts files to disk.
"""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ebm_analysis.errors import DataError, Problem

__all__ = ["ArchiveLimits", "DEFAULT_LIMITS", "SafeArchive", "format_bytes"]

MiB = 1024 * 1024
#: What reading a damaged zip archive can raise (besides DataError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, struct.error, OSError, EOFError, ValueError,
              NotImplementedError, RuntimeError, UnicodeDecodeError)
CHUNK = MiB
#: Bytes of one central-directory entry at most, on average, for the directory-size check.
DIRECTORY_BYTES_PER_MEMBER = 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """What an import may read from a ``.qdpx`` archive.

    The defaults fit real projects — about 200 MB of text in sources of up to
    32 MiB each (a long interview transcript is 0.1–2 MB) — and refuse archive
    bombs long before memory or disk fill up. Raise a limit when a real
    project needs it: ``import_qdpx(..., limits=ArchiveLimits(member_bytes=64 * 2**20))``,
    or on the command line ``import-qdpx ... --max-source-mb 64``.

    Attributes
    ----------
    member_bytes : int
        Largest uncompressed size of one source text file (default 32 MiB).
    xml_bytes : int
        Largest uncompressed size of ``project.qde`` (default 128 MiB).
    total_bytes : int
        Largest total of everything read: ``project.qde`` and all source
        texts (default 512 MiB).
    ratio : int
        Largest compression ratio (uncompressed / compressed size) of a
        member, checked for members larger than ``ratio_floor`` (default 100;
        text compresses 3–10 times, a bomb about 1,000 times).
    ratio_floor : int
        Members up to this size are not ratio-checked (default 1 MiB: small
        files can compress very well and are harmless).
    members : int
        Largest number of files in the archive (default 100,000).
    xml_elements : int
        Largest number of XML elements in ``project.qde`` (default 5,000,000).

    Examples
    --------
    >>> ArchiveLimits().member_bytes == 32 * 2**20
    True
    >>> ArchiveLimits(ratio=500).ratio
    500
    """

    member_bytes: int = 32 * MiB
    xml_bytes: int = 128 * MiB
    total_bytes: int = 512 * MiB
    ratio: int = 100
    ratio_floor: int = 1 * MiB
    members: int = 100_000
    xml_elements: int = 5_000_000

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"ArchiveLimits.{f.name} must be a positive whole number, not {value!r}")

    def changed(self, **changes: int) -> "ArchiveLimits":
        """A copy with some limits changed (``None`` values are ignored).

        Examples
        --------
        >>> ArchiveLimits().changed(members=10, ratio=None).members
        10
        """
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


#: The limits used when none are given.
DEFAULT_LIMITS = ArchiveLimits()

#: How to raise each limit, for messages: (keyword of ArchiveLimits, command-line option and its unit).
HOW_TO_RAISE = {
    "member_bytes": ("member_bytes", "--max-source-mb"),
    "xml_bytes": ("xml_bytes", "--max-xml-mb"),
    "total_bytes": ("total_bytes", "--max-total-mb"),
    "ratio": ("ratio", "--max-ratio"),
    "members": ("members", "--max-files"),
    "xml_elements": ("xml_elements", "--max-xml-elements"),
}


def format_bytes(n: int) -> str:
    """A byte count for people.

    Examples
    --------
    >>> format_bytes(1536), format_bytes(3 * 2**20), format_bytes(1_610_612_736)
    ('1.5 KiB', '3.0 MiB', '1.50 GiB')
    """
    if n >= 1024 ** 3:
        return f"{n / 1024 ** 3:.2f} GiB"
    if n >= MiB:
        return f"{n / MiB:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"


def limit_advice(name: str, limits: ArchiveLimits, what: str) -> str:
    """The 'expected' part of a limit message: the limit, and how to raise it if the file is trusted."""
    keyword, option = HOW_TO_RAISE[name]
    value = getattr(limits, name)
    shown = format_bytes(value) if name.endswith("bytes") else f"{value:,}"
    return (f"expected at most {shown} ({what}); the archive may be damaged or hostile (an archive bomb). "
            f"If you trust this file, raise the limit: import_qdpx(..., limits=ArchiveLimits({keyword}=...)), "
            f"or {option} on the command line")


class SafeArchive:
    """A ``.qdpx`` opened for reading within :class:`ArchiveLimits`.

    Parameters
    ----------
    path : Path
        The archive.
    limits : ArchiveLimits
        The limits to enforce.

    Raises
    ------
    DataError
        When the file is missing, not a zip archive, or its directory is over
        the member-count limit.

    Examples
    --------
    >>> import io, tempfile, pathlib, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.qdpx"
    >>> with zipfile.ZipFile(path, "w") as z:
    ...     z.writestr("project.qde", "<Project/>")
    >>> with SafeArchive(path) as archive:
    ...     archive.read("project.qde", kind="xml")
    b'<Project/>'
    """

    def __init__(self, path: Path, limits: ArchiveLimits = DEFAULT_LIMITS):
        self.path, self.limits = Path(path), limits
        self.total_read = 0
        self._check_file()
        self._check_directory_size()
        try:
            self.zip = zipfile.ZipFile(self.path)
        except ZIP_ERRORS as exc:
            raise self._damaged(None, exc) from None
        self.infos = {i.filename: i for i in self.zip.infolist() if not i.is_dir()}
        self._check_count(len(self.zip.infolist()), "in its directory")

    # -- context manager
    def __enter__(self) -> "SafeArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    @property
    def names(self) -> list[str]:
        """The archive's file names (folders left out), in archive order."""
        return list(self.infos)

    # -- checks before reading
    def _check_file(self) -> None:
        if not self.path.is_file():
            raise DataError(Problem(self.path.name, None, None, "no such file" if not self.path.exists()
                                    else "not a regular file", "expected the path of a .qdpx file"))
        if not zipfile.is_zipfile(self.path):
            raise DataError(Problem(self.path.name, None, None, "a file that is not a zip archive",
                                    "expected a REFI-QDA project (.qdpx): a zip archive holding project.qde "
                                    "and a sources/ folder; export the project again from your QDA program"))

    def _check_directory_size(self) -> None:
        """Member count and directory size from the end-of-archive record, before the directory is parsed."""
        record = end_of_archive(self.path)
        if record is None:
            return  # zipfile will report the damage
        count, directory_bytes = record
        self._check_count(count, "announced by its end-of-archive record")
        if directory_bytes > self.limits.members * DIRECTORY_BYTES_PER_MEMBER:
            raise DataError(Problem(self.path.name, None, None,
                                    f"a central directory of {format_bytes(directory_bytes)}",
                                    limit_advice("members", self.limits,
                                                 f"files; a directory of at most "
                                                 f"{format_bytes(self.limits.members * DIRECTORY_BYTES_PER_MEMBER)}")))

    def _check_count(self, count: int, how: str) -> None:
        if count > self.limits.members:
            raise DataError(Problem(self.path.name, None, None, f"{count:,} files ({how})",
                                    limit_advice("members", self.limits, "files in one archive")))

    def check_planned(self, names: list[str]) -> None:
        """Refuse, before reading any of them, source files over a limit, alone or together.

        Uses the sizes in the archive's directory (checked again while reading):
        each file's size and compression ratio, then their total.
        """
        infos = [self.infos[n] for n in dict.fromkeys(names) if n in self.infos]
        for info in infos:
            self._check_entry(info, "member_bytes", total=False)
        planned = self.total_read + sum(info.file_size for info in infos)
        if planned > self.limits.total_bytes:
            largest = sorted(infos, key=lambda i: -i.file_size)[:3]
            shown = ", ".join(f"{i.filename} {format_bytes(i.file_size)}" for i in largest)
            raise DataError(Problem(self.path.name, None, None,
                                    f"{len(infos):,} source file{'s' if len(infos) != 1 else ''} to read, "
                                    f"{format_bytes(planned)} in all with project.qde (largest: {shown}; from the "
                                    "archive's directory)",
                                    limit_advice("total_bytes", self.limits, "read from one archive in all")))

    def _check_entry(self, info: zipfile.ZipInfo, limit_name: str, total: bool = True) -> None:
        where = f"{self.path.name}: {info.filename}"
        limit = getattr(self.limits, limit_name)
        if info.file_size > limit:
            raise DataError(Problem(where, None, None, f"a file of {format_bytes(info.file_size)} uncompressed "
                                    "(from the archive's directory)",
                                    limit_advice(limit_name, self.limits, _what(limit_name))))
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > self.limits.ratio_floor and ratio > self.limits.ratio:
            raise DataError(Problem(where, None, None,
                                    f"a compression ratio of {ratio:,.0f} ({format_bytes(info.compress_size)} "
                                    f"unpacking to {format_bytes(info.file_size)})",
                                    limit_advice("ratio", self.limits, "times; text compresses 3 to 10 times")))
        if total and self.total_read + info.file_size > self.limits.total_bytes:
            raise DataError(Problem(where, None, None, f"{format_bytes(self.total_read + info.file_size)} read "
                                    "from the archive with this file",
                                    limit_advice("total_bytes", self.limits, "read from one archive in all")))

    # -- reading
    def read(self, name: str, kind: str = "source") -> bytes:
        """The bytes of member ``name``, within the limits for ``kind`` (``"xml"`` or ``"source"``).

        Raises
        ------
        DataError
            When the member is over a limit (named in the message), or damaged.
        """
        info = self.infos[name]
        limit_name = "xml_bytes" if kind == "xml" else "member_bytes"
        self._check_entry(info, limit_name)
        try:
            with self.zip.open(info) as stream:
                return self._stream(stream, info, limit_name)
        except DataError:
            raise
        except ZIP_ERRORS as exc:
            raise self._damaged(info.filename, exc) from None

    def _stream(self, stream: io.BufferedIOBase, info: zipfile.ZipInfo, limit_name: str) -> bytes:
        """Read a member chunk by chunk, counting the bytes as they come (directory sizes can lie)."""
        limit = getattr(self.limits, limit_name)
        parts, size = [], 0
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise DataError(Problem(f"{self.path.name}: {info.filename}", None, None,
                                        f"more than {format_bytes(limit)} when unpacked (its directory entry says "
                                        f"{format_bytes(info.file_size)})",
                                        limit_advice(limit_name, self.limits, _what(limit_name))))
            if self.total_read + size > self.limits.total_bytes:
                raise DataError(Problem(f"{self.path.name}: {info.filename}", None, None,
                                        f"more than {format_bytes(self.limits.total_bytes)} read from the archive",
                                        limit_advice("total_bytes", self.limits, "read from one archive in all")))
            parts.append(chunk)
        self.total_read += size
        return b"".join(parts)

    def _damaged(self, member: str | None, exc: BaseException) -> DataError:
        where = f"{self.path.name}: {member}" if member else self.path.name
        return DataError(Problem(where, None, None, f"a damaged archive entry ({_reason(exc)})",
                                 "export the project again from your QDA program"))


def _what(limit_name: str) -> str:
    return {"member_bytes": "for one source's text", "xml_bytes": "for project.qde"}[limit_name]


def _reason(exc: BaseException) -> str:
    """A short, path-free reason for a zip error."""
    text = str(exc).split("\n")[0][:120]
    return text or type(exc).__name__


def end_of_archive(path: Path) -> tuple[int, int] | None:
    """``(member count, central directory size)`` from a zip file's end record; None when not found.

    Reads only the end of the file (at most 64 KiB plus the fixed records),
    following the ZIP64 locator when the classic record says so.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(path, "w") as z:
    ...     z.writestr("a.txt", "a"); z.writestr("b.txt", "b")
    >>> end_of_archive(path)[0]
    2
    """
    size = path.stat().st_size
    with open(path, "rb") as f:
        tail_size = min(size, 22 + 65535)
        f.seek(size - tail_size)
        tail = f.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        _, _, _, _, count, directory_bytes, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
        if count != 0xFFFF and directory_bytes != 0xFFFFFFFF:
            return count, directory_bytes
        locator_at = size - tail_size + at - 20
        if locator_at < 0:
            return count, directory_bytes
        f.seek(locator_at)
        locator = f.read(20)
        if locator[:4] != b"PK\x06\x07":
            return count, directory_bytes
        _, _, record_at, _ = struct.unpack("<4sLQL", locator)
        if record_at > size - 56:
            return count, directory_bytes
        f.seek(record_at)
        record = f.read(56)
        if record[:4] != b"PK\x06\x06":
            return count, directory_bytes
        _, _, _, _, _, _, _, count64, directory64, _ = struct.unpack("<4sQ2H2L4Q", record)
        return count64, directory64
