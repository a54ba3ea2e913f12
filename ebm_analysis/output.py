"""Where the workbench may write an export, and the message when it cannot.

An export (a ``.qdpx`` project, a ``.qdc`` codebook) is a new file a
researcher sends elsewhere. It must never replace one of the project's own
tables, nor any other file, unless the researcher says so. The checks here
are shared by the library's export functions and the command line.
"""
from __future__ import annotations

import os
from pathlib import Path

from ebm_analysis.errors import DataError, Problem, printable

__all__ = ["export_target", "write_failed"]


def _inside(path: Path, folder: Path) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base + os.sep)


def export_target(out: str | os.PathLike, data_dir: str | os.PathLike | None = None, *,
                  overwrite: bool = False) -> Path:
    """Check that an export may be written to ``out`` and return it as a ``Path``.

    Parameters
    ----------
    out : str or path
        The file to write.
    data_dir : str or path, optional
        The project's data folder: nothing may be written inside it.
    overwrite : bool, default False
        Replace ``out`` if it exists (the command line's ``--force``).

    Returns
    -------
    Path

    Raises
    ------
    DataError
        ``out`` is inside the data folder, is a folder, lies in a folder that
        does not exist or may not be written, or exists and ``overwrite`` is
        false. Nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> export_target(folder / "ebm.qdpx").name
    'ebm.qdpx'
    >>> _ = (folder / "ebm.qdpx").write_text("x")
    >>> export_target(folder / "ebm.qdpx")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: ...a file that already exists...
    """
    target = Path(out)
    shown = printable(str(target), 300)
    parent = target.parent if str(target.parent) else Path(".")
    if data_dir is not None and _inside(parent, Path(data_dir)):
        raise DataError(Problem(shown, None, None, "a path inside the data folder",
                                "write exports outside the data folder (e.g. exports/ebm.qdpx); the data folder "
                                "holds the project's tables, which an export must never replace"))
    if target.is_dir():
        raise DataError(Problem(shown, None, None, "a folder", "give the path of the file to write, e.g. ebm.qdpx"))
    if not parent.is_dir():
        raise DataError(Problem(shown, None, None, f"no folder {printable(str(parent), 200)}",
                                "create the folder first, or write the export somewhere that exists"))
    if os.path.lexists(target) and not overwrite:
        raise DataError(Problem(shown, None, None, "a file that already exists",
                                "choose another name, or replace it on purpose (overwrite=True; "
                                "--force on the command line)"))
    if not os.access(parent, os.W_OK):
        raise DataError(Problem(shown, None, None, "a folder you may not write to",
                                "write the export into a folder you own, or ask for write permission"))
    return target


def write_failed(target: str | os.PathLike, exc: OSError) -> DataError:
    """The ``DataError`` for an export the system refused to write (disk full, permissions).

    Examples
    --------
    >>> print(write_failed("out.qdpx", OSError(28, "No space left on device")))
    1 problem in the data:
      - out.qdpx: found that the file could not be written (No space left on device); nothing was written; check the disk space and the folder's permissions
    """
    return DataError(Problem(printable(str(target), 300), None, None,
                             f"that the file could not be written ({printable(exc.strerror or str(exc), 200)})",
                             "nothing was written; check the disk space and the folder's permissions"))
