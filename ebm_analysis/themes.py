"""The four themes the EBM analysis follows, and the comparisons notebook 02 makes.

The themes are top-level codes of the codebook: ``stress``, ``belonging``
(gemenskap och tillhörighet), ``soft_values`` (mjuka värden) and
``moderator_translator`` (the expert social secretary as moderator and
translator). Every function counts a sub-code for its theme.
"""

from __future__ import annotations

import pandas as pd

from ebm_analysis.attendance import expert_presence
from ebm_analysis.project import Project
from ebm_analysis.queries import code_by_meeting, cooccurrence, descendants, retrieve

FOUR_THEMES = ("stress", "belonging", "soft_values", "moderator_translator")

#: Codes that tie a meeting's talk to the social secretaries' professional
#: role and work: the link the report says was weaker at meeting 6.
PRACTICE_LINK_CODES = ("moderator_translator", "discretion", "personal_not_private", "professional_confidence")


def theme_definition(project: Project, theme: str) -> pd.DataFrame:
    """The theme and its sub-codes as the codebook defines them.

    Returns
    -------
    DataFrame
        Columns ``code_id``, ``parent_id``, ``name_sv``, ``name_en``,
        ``definition``, ``include``, ``exclude``, ``status``; the theme first.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> theme_definition(load_project(), "stress")["code_id"].tolist()
    ['stress', 'workload', 'relief_from_stress']
    """
    codes = descendants(project.codebook, theme, include_self=True)
    cols = ["code_id", "parent_id", "name_sv", "name_en", "definition", "include", "exclude", "status"]
    book = project.codebook.set_index("code_id", drop=False)
    return book.loc[codes, cols].reset_index(drop=True)


def theme_quotes(project: Project, theme: str) -> pd.DataFrame:
    """Every passage coded with the theme (or a sub-code): Swedish with English beside.

    Returns
    -------
    DataFrame
        Columns ``segment_id``, ``code_id``, ``source_type``,
        ``speaker_role``, ``meeting``, ``coded_sv`` (the exact coded span),
        ``segment_en`` (the English translation of the whole segment: spans
        are not translated separately) and ``memo``.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> q = theme_quotes(load_project(), "stress")
    >>> sorted(q["code_id"].unique())
    ['relief_from_stress', 'workload']
    """
    found = retrieve(project, code=theme)
    out = found.rename(columns={"coded_text": "coded_sv", "text_en": "segment_en"})
    return out[["segment_id", "code_id", "source_type", "speaker_role", "meeting", "coded_sv", "segment_en", "memo"]]


def theme_sources(project: Project, themes: tuple[str, ...] = FOUR_THEMES) -> pd.DataFrame:
    """For each theme, how many coded segments come from each kind of source.

    Returns
    -------
    DataFrame
        Index ``theme``; columns the source types (interview, meeting,
        observation_note, survey_comment) and ``total``; counts of distinct
        segments.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> int(theme_sources(load_project()).loc["stress", "observation_note"])
    0
    """
    rows = {}
    for theme in themes:
        found = retrieve(project, code=theme).drop_duplicates("segment_id")
        rows[theme] = found["source_type"].value_counts()
    table = pd.DataFrame(rows).T.fillna(0).astype("int64")
    order = ["interview", "survey_comment", "meeting", "observation_note"]
    table = table.reindex(columns=order, fill_value=0)
    table["total"] = table.sum(axis=1)
    table.index.name = "theme"
    return table


def theme_timeline(project: Project, theme: str, count: str = "codings") -> pd.DataFrame:
    """The theme and its sub-codes across the eight meetings (codings or segments per meeting).

    Only segments placed at a meeting count; most interview quotations are
    not, and their number is in ``.attrs["without_meeting"]``.

    Parameters
    ----------
    project : Project
    theme : str
        A top-level code.
    count : {"codings", "segments"}, default "codings"
        Count codings, or segments (a segment counts once per code, and once
        for the theme total however many of its sub-codes it carries).

    Returns
    -------
    DataFrame
        Index ``code_id``: the theme's codes (theme first, then sub-codes),
        plus a ``theme total`` row (the theme with its sub-codes); columns
        meetings 1–8. ``attrs["without_meeting"]`` is the number of codings
        (or segments) of the theme not placed at a meeting, ``attrs["count"]``
        the unit.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = theme_timeline(load_project(), "soft_values")
    >>> list(t.columns) == list(range(1, 9)) and "theme total" in t.index
    True
    >>> s = theme_timeline(load_project(), "soft_values", count="segments")
    >>> bool((s.loc["theme total"] <= t.loc["theme total"]).all()), s.attrs["count"]
    (True, 'segments')
    """
    codes = descendants(project.codebook, theme, include_self=True)
    by_code = code_by_meeting(project, level="code", count=count).reindex(codes).fillna(0).astype("int64")
    total = code_by_meeting(project, level="top", count=count).loc[[theme]].rename(index={theme: "theme total"})
    out = pd.concat([by_code, total])
    out.index.name = "code_id"
    found = retrieve(project, code=theme)
    unplaced = found[found["meeting"].isna()]
    out.attrs["without_meeting"] = int(len(unplaced) if count == "codings" else unplaced["segment_id"].nunique())
    out.attrs["count"] = count
    return out


def cooccurring_themes(project: Project, theme: str, n: int = 5) -> pd.DataFrame:
    """The top-level codes most often applied to the same segments as ``theme``.

    Returns
    -------
    DataFrame
        Columns ``code_id``, ``name_en``, ``same_segment`` (segments coded
        with both), ``overlapping_text`` (segments where the coded spans
        overlap); the ``n`` largest by ``same_segment``, ties by code id.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> cooccurring_themes(load_project(), "stress")["code_id"].iloc[0]
    'belonging'
    """
    seg = cooccurrence(project, level="top", mode="segment")[theme].drop(theme)
    over = cooccurrence(project, level="top", mode="overlap")[theme].drop(theme)
    names = project.codebook.set_index("code_id")["name_en"]
    out = pd.DataFrame({"code_id": seg.index, "name_en": names.reindex(seg.index).to_numpy(),
                        "same_segment": seg.to_numpy(), "overlapping_text": over.reindex(seg.index).to_numpy()})
    out = out[out["same_segment"] > 0].sort_values(["same_segment", "code_id"], ascending=[False, True])
    return out.head(n).reset_index(drop=True)


def practice_link_by_meeting(project: Project, codes: tuple[str, ...] = PRACTICE_LINK_CODES) -> pd.DataFrame:
    """Per meeting: the expert's attendance and how much of the account ties talk to practice.

    The evaluator writes that at meeting 6, without the expert social
    secretary, "the link to the social secretaries' professional role and
    work was less clear". This table puts that comparison on the data: for
    each meeting, the number of observation segments, how many carry one of
    ``codes`` (with sub-codes), and the expert's attendance.

    Returns
    -------
    DataFrame
        Columns ``meeting``, ``expert`` (present / absent / unknown),
        ``expert_basis``, ``observed``, ``segments``, ``practice_linked``,
        ``share`` (practice_linked / segments).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = practice_link_by_meeting(load_project()).set_index("meeting")
    >>> t.loc[6, "expert"], int(t.loc[6, "practice_linked"])
    ('absent', 0)
    """
    notes = project.observations[["note_id", "meeting"]]
    linked = set()
    for code in codes:
        found = retrieve(project, code=code, source_type="observation_note")
        linked |= set(found["segment_id"])
    per = notes.assign(linked=notes["note_id"].isin(linked)).groupby("meeting")["linked"].agg(["size", "sum"])
    expert = expert_presence(project).set_index("meeting")
    out = pd.DataFrame({
        "meeting": range(1, 9),
        "expert": expert["status"].reindex(range(1, 9)).to_numpy(),
        "expert_basis": expert["basis"].reindex(range(1, 9)).to_numpy(),
        "observed": expert["observed"].reindex(range(1, 9)).to_numpy(),
        "segments": per["size"].reindex(range(1, 9), fill_value=0).to_numpy(),
        "practice_linked": per["sum"].reindex(range(1, 9), fill_value=0).astype("int64").to_numpy(),
    })
    out["share"] = (out["practice_linked"] / out["segments"]).round(2)
    return out
