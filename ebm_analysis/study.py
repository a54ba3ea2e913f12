"""Which data a notebook was written for, and a clean stop when the data folder is another study.

The analysis notebooks 02–05 and 08 read the EBM evaluation: they name its
codes (``stress``, ``belonging``, …) and its survey and attendance tables.
Pointed at another study's data folder (``EBM_DATA_DIR``), for example one
made by ``new-project``, they would fail half-way with an error about a
missing code. Instead each one checks, right after loading, that the data
folder holds what it reads, and otherwise stops with one sentence saying
what is missing and where to go instead; the report shows that sentence as
the notebook's page.
"""

from __future__ import annotations

from collections.abc import Iterable

from ebm_analysis.errors import printable
from ebm_analysis.project import Project

__all__ = ["NotThisStudy", "missing_for", "require_study"]


class NotThisStudy(Exception):
    """A notebook written for one study was run on a data folder that lacks what it reads.

    Not a :class:`~ebm_analysis.errors.DataError`: the data may be perfectly
    valid, they are simply another study's (or not coded yet). Jupyter shows
    the message alone, without a traceback.
    """

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return [str(self)]


def missing_for(project: Project, *, codes: Iterable[str] = (), tables: Iterable[str] = ()) -> list[str]:
    """What a notebook needs that the project lacks: codes not in the codebook, empty tables.

    Parameters
    ----------
    project : Project
        The loaded project.
    codes : iterable of str
        Code ids the notebook names.
    tables : iterable of str
        Tables the notebook reads, which must have at least one row.

    Returns
    -------
    list of str
        One phrase per missing thing, in the order given; empty when nothing is missing.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> missing_for(load_project(), codes=["stress"], tables=["attendance"])
    []
    >>> missing_for(load_project(), codes=["stress", "joy"], tables=["survey_responses"])
    ['the code joy', 'rows in survey_responses.csv']
    """
    known = set(project.codebook["code_id"])
    found = [f"the code {printable(code, 60)}" for code in codes if code not in known]
    found += [f"rows in {table}.csv" for table in tables if project.tables[table].empty]
    return found


def require_study(project: Project, notebook: str, *, codes: Iterable[str] = (),
                  tables: Iterable[str] = ()) -> None:
    """Stop the notebook, with a sentence for the reader, if the project lacks what it reads.

    Parameters
    ----------
    project : Project
        The loaded project.
    notebook : str
        How the notebook is named to the reader, e.g. ``"Notebook 02 (themes)"``.
    codes, tables
        As in :func:`missing_for`.

    Raises
    ------
    NotThisStudy
        Naming the data folder and everything missing. Nothing is raised
        (and nothing shown) when the project has all of it.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> require_study(load_project(), "Notebook 02 (themes)", codes=["stress"])
    >>> try:
    ...     require_study(load_project(), "Notebook 02 (themes)", codes=["joy"])
    ... except NotThisStudy as stop:
    ...     print(str(stop)[:96])
    Notebook 02 (themes) analyses the EBM evaluation, and the data folder data/ lacks the code joy.
    """
    missing = missing_for(project, codes=codes, tables=tables)
    if not missing:
        return
    folder = printable(project.path.name or str(project.path), 200)
    raise NotThisStudy(
        f"{notebook} analyses the EBM evaluation, and the data folder {folder}/ lacks {_listed(missing)}. "
        "It is another study's data, or not coded yet, so nothing below applies to it. "
        "Notebook 06 codes any project, notebook 07 shows how to bring in a study's own material, "
        "and the library's functions (retrieve, code_frequencies, coding_query, …) work on any data folder.")


def _listed(items: list[str]) -> str:
    shown = items[:6] + ([f"{len(items) - 6} more"] if len(items) > 6 else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
