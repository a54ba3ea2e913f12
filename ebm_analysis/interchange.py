"""Exchange projects with other QDA programs through the REFI-QDA standard.

REFI-QDA (www.qdasoftware.org) is how NVivo, ATLAS.ti, MAXQDA, QualCoder
and others exchange whole projects (``.qdpx``: a zip archive holding
``project.qde`` and the sources' texts) and codebooks (``.qdc``).

- :func:`export_qdpx` writes the project: every excerpt and meeting-notes
  segment as a text source, the codebook with its hierarchy, colours and
  descriptions, every coding with its coder and memo, participants as cases.
- :func:`export_qdc` writes the codebook alone.
- :func:`import_qdpx` reads a ``.qdpx`` from another program into a new data
  folder that :func:`~ebm_analysis.load_project` accepts, reading the archive
  within :class:`ArchiveLimits` (archive bombs are refused before they are
  read); :func:`import_notes` lists what it could not recover.

What other programs keep of an export, and how that is known, is
:func:`ebm_analysis.refi.what_survives` (also in ``docs/interchange.md``).

Exports are reproducible byte for byte, and an export followed by an import
gives back ``codebook.csv``, ``codings.csv`` and the segments' texts exactly;
so does a trip through QualCoder's import and export, except code colours.
The mapping tables are in :mod:`ebm_analysis.refi.export` and
:mod:`ebm_analysis.refi.importer`.

Examples
--------
>>> import tempfile, pathlib
>>> from ebm_analysis import load_project
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = export_qdpx(load_project(), folder / "ebm.qdpx")
>>> back = import_qdpx(folder / "ebm.qdpx", folder / "data")
>>> len(back.codings) == len(load_project().codings)
True
"""

from ebm_analysis.refi.archive import ArchiveLimits
from ebm_analysis.refi.export import export_qdc, export_qdpx
from ebm_analysis.refi.importer import import_notes, import_qdpx

__all__ = ["export_qdpx", "export_qdc", "import_qdpx", "import_notes", "ArchiveLimits"]
