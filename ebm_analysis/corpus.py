"""Overviews of the corpus: who took part, the meetings, what material exists.

These are the tables behind ``notebooks/01_corpus.ipynb``.
"""

from __future__ import annotations

import pandas as pd

from ebm_analysis.project import Project


def participants_overview(project: Project) -> pd.DataFrame:
    """One row per person, with what the attendance data knows of them.

    Returns
    -------
    DataFrame
        Columns ``participant_id``, ``role``, ``joined_meeting``,
        ``left_project``, ``present``, ``absent``, ``unknown``,
        ``not_yet_member``, ``no_longer_member`` (numbers of meetings with
        that attendance status, reported or inferred; the last two are not
        absences: the person was not, or no longer, in the project).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = participants_overview(load_project()).set_index("participant_id")
    >>> int(t.loc["SK1", "absent"])
    1
    """
    status = (project.attendance.pivot_table(index="participant_id", columns="status", values="meeting",
                                             aggfunc="count", fill_value=0)
              .reindex(columns=["present", "absent", "unknown", "not_yet_member", "no_longer_member"],
                       fill_value=0))
    cols = ["participant_id", "role", "joined_meeting", "left_project"]
    out = project.participants[cols].merge(status, left_on="participant_id", right_index=True, how="left")
    return out.reset_index(drop=True)


def meetings_overview(project: Project) -> pd.DataFrame:
    """The eight meetings with their theme and how much material each has.

    Returns
    -------
    DataFrame
        Columns ``meeting``, ``month``, ``theme_sv``, ``theme_en``,
        ``observed``, ``segments`` (observation segments), ``excerpts``
        (quotations placed at the meeting), ``advice`` (mentors' advice items).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> meetings_overview(load_project())["meeting"].tolist()
    [1, 2, 3, 4, 5, 6, 7, 8]
    """
    counts = {
        "segments": project.observations.groupby("meeting").size(),
        "excerpts": project.excerpts.dropna(subset=["meeting"]).groupby("meeting").size(),
        "advice": project.advice.groupby("meeting").size(),
    }
    out = project.meetings[["meeting", "month", "theme_sv", "theme_en", "observed"]].copy()
    for name, series in counts.items():
        out[name] = out["meeting"].map(series).fillna(0).astype("int64")
    return out


def material_by_source(project: Project) -> pd.DataFrame:
    """Segments by source type and speaker role (excerpts and observation notes).

    Returns
    -------
    DataFrame
        Index ``source_type``; one column per speaker role; counts; a
        ``total`` column.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = material_by_source(load_project())
    >>> int(t.loc["observation_note", "total"]) == len(load_project().observations)
    True
    """
    seg = project.segments()
    table = pd.crosstab(seg["source_type"], seg["speaker_role"])
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table


def basis_summary(project: Project) -> pd.DataFrame:
    """How much of the attendance data is reported, inferred or unknown.

    Returns
    -------
    DataFrame
        Columns ``status``, ``basis`` (``reported``, ``inferred`` or
        ``unknown``), ``facts``.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = basis_summary(load_project())
    >>> int(t["facts"].sum())
    88
    """
    att = project.attendance.assign(basis=project.attendance["basis"].fillna("unknown"))
    return att.groupby(["status", "basis"]).size().rename("facts").reset_index()


def contradictions(project: Project) -> pd.DataFrame:
    """The report's contradictions, as kept in ``contradictions.csv``.

    Returns
    -------
    DataFrame
        Columns ``contradiction_id``, ``kind`` (contradiction,
        inconsistent_wording, inconsistent_precision, inconsistent_numbers,
        claim_vs_numbers or pseudonymisation_slip), ``topic_en``,
        ``reading_a_sv``, ``reading_a_en``, ``reading_b_sv``,
        ``reading_b_en``, ``how_kept_en``.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = contradictions(load_project())
    >>> t.set_index("contradiction_id").loc["X10", "kind"]
    'pseudonymisation_slip'
    """
    return project.contradictions[["contradiction_id", "kind", "topic_en", "reading_a_sv", "reading_a_en",
                                   "reading_b_sv", "reading_b_en", "how_kept_en"]]
