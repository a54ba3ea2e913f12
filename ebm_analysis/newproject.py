"""A new study from scratch: an empty, valid data folder.

:func:`new_project` (``python -m ebm_analysis new-project DIR``) writes every
table of :mod:`ebm_analysis.schema` as a header row, a ``README.md`` saying
what goes where (with a codebook template to copy), and nothing else: the
folder loads with :func:`~ebm_analysis.project.load_project` at once, and
the notebooks, queries and the report show empty tables until material is
imported (``import-text``) and coded.
"""

from __future__ import annotations

import os
from pathlib import Path

from ebm_analysis import atomic
from ebm_analysis.errors import DataError, Problem, printable
from ebm_analysis.schema import TABLES

__all__ = ["new_project"]

README = """# {name}: a data folder of ebm-analysis

Created empty by `python -m ebm_analysis new-project`. Every table is here with
its header row only; the column descriptions are in the ebm-analysis README
(and in `data/README.md` of the EBM project, which uses the same tables).
Use it from the notebooks with `EBM_DATA_DIR={name}` (or
`load_project("{name}")`).

## What to fill in, in order

1. `meetings.csv`: one row per meeting (numbers 1 to 8), and `participants.csv`:
   one row per person, with a pseudonym as id (SS1, LVM1, BM1, SK1).
   Never a real name: the names live only in the speaker map and the key,
   outside this folder.
2. Import the material, pseudonymised:
   `python -m ebm_analysis import-text interview1.docx --data {name} --kind interview
   --speaker-map ../private/speakers.csv --names ../private/names.txt --key ../private/key.csv`
   (`--dry-run` first shows every replacement). Segments go to `excerpts.csv`
   or `observations.csv`, their provenance to `segment_sources.csv`.
3. The codebook, `codebook.csv`: one row per code. A template row to copy:

   ```
   code_id,parent_id,name_sv,name_en,definition,include,exclude,example,color,status
   soft_values,,Mjuka värden,Soft values,"What the code means","When to apply it","When not to","A short example",#1f77b4,active
   ```

4. Code, with the coding workbench (notebook 06) or `CodingStore`; every
   change is logged in `changes.jsonl`.
5. `python -m ebm_analysis check {name}` validates everything and fails on any
   personal identifier left in imported material.
"""


def new_project(path: str | Path) -> Path:
    """Write an empty, valid data folder at ``path`` (which must not exist or be empty).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    DataError
        When ``path`` holds files already, or is a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis.project import load_project
    >>> folder = new_project(pathlib.Path(tempfile.mkdtemp()) / "study")
    >>> project = load_project(folder)
    >>> int(project.summary()["rows"].sum())
    0
    """
    folder = Path(path)
    shown = printable(str(folder), 300)
    if folder.exists() and not folder.is_dir():
        raise DataError(Problem(shown, None, None, "a file, not a folder", "give the path of a new folder"))
    if folder.is_dir() and any(folder.iterdir()):
        raise DataError(Problem(shown, None, None, "a folder that holds files already",
                                "give a new or empty folder; nothing was written"))
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        atomic.write_text_atomic(folder / table.file, ",".join(table.column_names) + "\n", keep_previous=False)
    atomic.write_text_atomic(folder / "README.md", README.format(name=folder.name), keep_previous=False)
    atomic._fsync_folder(folder)
    return folder
