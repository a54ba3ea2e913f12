"""Attendance: what the report says about who was at each meeting, as bounds.

The report keeps no attendance register. It mentions attendance in passing
(a new mentor at meeting 4, "only three of the social secretaries" at meeting
6, the expert absent at meeting 6, three social secretaries resigning at
unknown times). This module turns those scattered facts into

- :func:`attendance_bounds` -- for each meeting and role, the smallest and
  largest number of people who can have been present, and whether the report
  gives the number outright;
- :func:`group_over_time` -- who belonged to the group at each meeting, with
  unknown membership kept unknown and both readings of the mentor question
  (contradiction X2) side by side;
- :func:`group_size` -- the same, counted per role;
- :func:`expert_presence` -- the expert social secretary meeting by meeting;
- :func:`check_membership_statuses` and :func:`check_counts_match_statuses` --
  the loader's checks that ``attendance.csv`` agrees with ``participants.csv``
  and with ``attendance_counts.csv``.

A person who had not yet joined the project, or had already left it, was
not *absent*: ``attendance.csv`` records them as ``not_yet_member`` or
``no_longer_member``, and nothing here counts those as absences.

Nothing here fills in an unknown: every number is either stated in
``data/`` or follows from it by the rules written in each docstring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ebm_analysis.errors import DataError, Problem

__all__ = [
    "ROLES",
    "MEETINGS",
    "attendance_bounds",
    "group_over_time",
    "group_size",
    "expert_presence",
    "bounds_matrix",
    "size_matrix",
    "NOT_PRESENT",
    "check_membership_statuses",
    "check_counts_match_statuses",
]

#: Roles in the order tables and figures show them.
ROLES: tuple[str, ...] = ("social_secretary", "lvm_case_officer", "service_user_mentor",
                          "expert_social_secretary")
#: The eight meetings.
MEETINGS: tuple[int, ...] = tuple(range(1, 9))
#: Statuses that say a person was certainly not at the meeting. Only ``absent``
#: is an absence; the other two say the person was not (or no longer) in the project.
NOT_PRESENT: tuple[str, ...] = ("absent", "not_yet_member", "no_longer_member")

MENTOR = "service_user_mentor"
EXPERT = "expert_social_secretary"
#: Contradiction X3: "Vid den fjärde och femte mentorskapsträffen ersattes en av
#: brukarmentorerna" -- under the 'replaced' reading the old mentor may still
#: have belonged to the group at these meetings.
HANDOVER_MEETINGS: tuple[int, ...] = (4, 5)

_NEEDED = {
    "participants": ("participant_id", "role", "joined_meeting", "left_project"),
    "attendance": ("participant_id", "meeting", "status", "basis"),
    "attendance_counts": ("meeting", "role", "present_min", "present_max", "basis"),
}
_FILES = {"participants": "participants.csv", "attendance": "attendance.csv",
          "attendance_counts": "attendance_counts.csv", "cohort_facts": "cohort_facts.csv"}


# ---------------------------------------------------------------- inputs

def _frame(source: Any, name: str, required: bool = True) -> pd.DataFrame | None:
    """Table ``name`` from a Project or a mapping of DataFrames, with its columns checked."""
    if isinstance(source, Mapping):
        frame = source.get(name)
    else:
        frame = getattr(source, "tables", {}).get(name)
    if frame is None:
        if required:
            raise DataError(Problem(_FILES[name], None, None, "no such table",
                                    f"pass a Project or a dict holding a '{name}' DataFrame"))
        return None
    missing = [c for c in _NEEDED.get(name, ()) if c not in frame.columns]
    if missing:
        raise DataError(Problem(_FILES[name], 1, missing[0], "no such column",
                                f"expected the columns {', '.join(_NEEDED[name])}"))
    return frame


def _role_order(*role_columns: pd.Series) -> list[str]:
    found = set().union(*(set(s.dropna()) for s in role_columns))
    return [r for r in ROLES if r in found] + sorted(found - set(ROLES))


def _attendance_with_roles(participants: pd.DataFrame, attendance: pd.DataFrame) -> pd.DataFrame:
    """Attendance rows with the person's role and whether they had joined by then.

    Raises DataError for a person recorded present before joining.
    """
    people = participants[["participant_id", "role", "joined_meeting"]]
    att = attendance.merge(people, on="participant_id", how="left")
    unknown = att[att["role"].isna()]
    if len(unknown):
        pid = unknown["participant_id"].iloc[0]
        raise DataError(Problem("attendance.csv", None, "participant_id", f"'{pid}'",
                                "expected an id listed in participants.csv"))
    att["in_roster"] = (att["meeting"] >= att["joined_meeting"]).astype(bool)
    early = att[(att["status"] == "present") & ~att["in_roster"]]
    if len(early):
        r = early.iloc[0]
        raise DataError(Problem("attendance.csv", None, "status",
                                f"{r['participant_id']} present at meeting {r['meeting']}",
                                f"participants.csv says {r['participant_id']} joined at meeting "
                                f"{r['joined_meeting']}; correct one of the two"))
    return att


# ---------------------------------------------------------------- bounds

def _count_known(att: pd.DataFrame, statuses: tuple[str, ...], reported_only: bool) -> pd.Series:
    rows = att[att["status"].isin(statuses) & att["in_roster"]]
    if reported_only:
        rows = rows[rows["basis"] == "reported"]
    return rows.groupby(["meeting", "role"]).size()


def _grid(participants: pd.DataFrame, counts: pd.DataFrame,
          meetings: Sequence[int], roles: Sequence[str] | None) -> pd.DataFrame:
    roles = list(roles) if roles is not None else _role_order(participants["role"], counts["role"])
    grid = pd.MultiIndex.from_product([list(meetings), roles], names=["meeting", "role"]).to_frame(index=False)
    joined = participants[["role", "joined_meeting"]]
    grid["roster"] = [int(((joined["role"] == r) & (joined["joined_meeting"] <= m)).sum())
                      for m, r in zip(grid["meeting"], grid["role"])]
    return grid


def _lookup(grid: pd.DataFrame, series: pd.Series) -> list[int]:
    return [int(series.get((m, r), 0)) for m, r in zip(grid["meeting"], grid["role"])]


def _interval(roster: int, present: int, absent: int, cmin: Any, cmax: Any) -> tuple[int, int]:
    lo = max(present, 0 if pd.isna(cmin) else int(cmin))
    hi = roster - absent if pd.isna(cmax) else min(roster - absent, int(cmax))
    return lo, hi


def _contradiction(row: pd.Series) -> Problem:
    why_lo = (f"attendance_counts.csv gives at least {row['count_min']}"
              if pd.notna(row["count_min"]) and row["count_min"] >= row["known_present"]
              else f"attendance.csv has {row['known_present']} present")
    why_hi = (f"attendance_counts.csv gives at most {row['count_max']}"
              if pd.notna(row["count_max"]) and row["count_max"] < row["roster"] - row["known_absent"]
              else f"{row['roster']} had joined and {row['known_absent']} are recorded absent")
    return Problem("attendance.csv; attendance_counts.csv", None, None,
                   f"meeting {row['meeting']}, role {row['role']}: at least {row['present_min']} "
                   f"present ({why_lo}) but at most {row['present_max']} ({why_hi})",
                   "correct the attendance rows or the count for this meeting and role")


def _sources(row: pd.Series) -> tuple[str, str]:
    if pd.notna(row["count_min"]) and row["count_min"] > row["known_present"]:
        lo = "count"
    else:
        lo = "attendance" if row["known_present"] > 0 else "none"
    if pd.notna(row["count_max"]) and row["count_max"] < row["roster"] - row["known_absent"]:
        hi = "count"
    else:
        hi = "roster_minus_absent" if row["known_absent"] > 0 else "roster"
    return lo, hi


def attendance_bounds(project_or_frames: Any, meetings: Sequence[int] = MEETINGS,
                      roles: Sequence[str] | None = None) -> pd.DataFrame:
    """How many of each role can have been at each meeting: exact where reported, else bounds.

    Parameters
    ----------
    project_or_frames : Project or mapping of str to DataFrame
        A loaded :class:`~ebm_analysis.project.Project`, or a dict with the
        DataFrames ``participants`` (``participant_id``, ``role``,
        ``joined_meeting``, ``left_project``), ``attendance``
        (``participant_id``, ``meeting``, ``status``, ``basis``) and
        ``attendance_counts`` (``meeting``, ``role``, ``present_min``,
        ``present_max``, ``basis``), as in ``data/README.md``.
    meetings : sequence of int
        Meetings to cover (default 1--8).
    roles : sequence of str, optional
        Roles to cover (default: every role in participants or counts, in
        the order of :data:`ROLES`).

    Returns
    -------
    DataFrame
        One row per meeting x role, with columns

        - ``meeting``, ``role``;
        - ``roster`` -- people of the role who had joined by this meeting
          (``joined_meeting <= meeting``). Nobody is removed for resigning:
          the report does not say who resigned or when, so every joined
          person *could* still have been there;
        - ``known_present``, ``known_absent`` -- people of the roster
          recorded present / not there (``absent`` or ``no_longer_member``)
          in ``attendance.csv`` (reported or inferred). Someone who had not
          yet joined (``not_yet_member``) is not counted: the roster already
          leaves them out;
        - ``present_min``, ``present_max`` -- the bounds (rules below);
        - ``reported_count`` (``Int64``) -- the number when the report gives
          it, else ``<NA>``;
        - ``basis`` -- ``reported`` (the report gives the number),
          ``inferred`` (the number is exact, but only by an inference
          recorded in the data, e.g. both mentors at meetings 1--3), or
          ``bounded`` (only a range is known);
        - ``min_from`` (``count`` / ``attendance`` / ``none``) and
          ``max_from`` (``count`` / ``roster_minus_absent`` / ``roster``) --
          which fact sets each bound.

    Raises
    ------
    DataError
        If the facts contradict each other: a person present before joining,
        or ``present_min > present_max`` for some meeting and role (the
        message names the meeting and role and both facts).

    Notes
    -----
    The rules, each applied to one meeting and one role:

    1. ``present_min = max(known_present, count's present_min)``: everyone
       recorded present was there, and the report's count (or lower bound,
       e.g. "socialsekreterarna" in the plural at meetings 3 and 4: at least
       two) holds. With neither, 0.
    2. ``present_max = min(roster - known_absent, count's present_max)``:
       nobody who had not joined, and nobody recorded absent, can have been
       there; and the report's count or upper bound holds. Resignations
       enter only through ``attendance_counts.csv``: three of the six social
       secretaries had resigned before the end, so at most three remained
       for the last meeting (the count row for meeting 8). Whether the
       survey, which they did not answer, was given at meeting 7 or 8 is
       itself contradicted (X4), so no bound is put on meeting 7.
    3. Both readings of the mentor question (X2: a third mentor added, or
       one replaced) are covered: the two original mentors' attendance from
       meeting 4 on is ``unknown``, so the upper bound allows all three.
    4. ``basis`` is ``reported`` when the same two rules using *reported*
       facts only (reported attendance rows, reported counts) already give
       ``present_min == present_max``; ``inferred`` when only the full set
       of facts makes the bounds meet; ``bounded`` otherwise.
    5. No bound is tighter than these facts: a role nobody mentions at a
       meeting gets ``0 .. roster``.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> b = attendance_bounds(load_project()).set_index(["meeting", "role"])
    >>> rows = b.loc[[(6, "social_secretary"), (8, "social_secretary")],
    ...              ["roster", "present_min", "present_max", "reported_count", "basis"]]
    >>> print(rows.to_string())
                              roster  present_min  present_max  reported_count     basis
    meeting role
    6       social_secretary       6            3            3               3  reported
    8       social_secretary       6            2            3            <NA>   bounded
    """
    participants = _frame(project_or_frames, "participants")
    attendance = _frame(project_or_frames, "attendance")
    counts = _frame(project_or_frames, "attendance_counts")
    att = _attendance_with_roles(participants, attendance)
    grid = _grid(participants, counts, meetings, roles)
    gone = ("absent", "no_longer_member")
    for col, statuses, rep in (("known_present", ("present",), False), ("known_absent", gone, False),
                               ("rep_present", ("present",), True), ("rep_absent", gone, True)):
        grid[col] = _lookup(grid, _count_known(att, statuses, rep))
    c = counts.set_index(["meeting", "role"])
    key = list(zip(grid["meeting"], grid["role"]))
    grid["count_min"] = [c["present_min"].get(k, pd.NA) for k in key]
    grid["count_max"] = [c["present_max"].get(k, pd.NA) for k in key]
    grid["count_basis"] = [c["basis"].get(k, pd.NA) for k in key]
    full = [_interval(r.roster, r.known_present, r.known_absent, r.count_min, r.count_max)
            for r in grid.itertuples()]
    grid["present_min"] = [lo for lo, _ in full]
    grid["present_max"] = [hi for _, hi in full]
    bad = grid[grid["present_min"] > grid["present_max"]]
    if len(bad):
        raise DataError([_contradiction(row) for _, row in bad.iterrows()])
    grid["basis"] = [_basis(r) for r in grid.itertuples()]
    grid["reported_count"] = pd.array([r.present_min if r.basis == "reported" else pd.NA
                                       for r in grid.itertuples()], dtype="Int64")
    sources = [_sources(row) for _, row in grid.iterrows()]
    grid["min_from"] = [s[0] for s in sources]
    grid["max_from"] = [s[1] for s in sources]
    cols = ["meeting", "role", "roster", "known_present", "known_absent", "present_min", "present_max",
            "reported_count", "basis", "min_from", "max_from"]
    out = grid[cols].astype({"meeting": "int64", "roster": "int64", "known_present": "int64",
                             "known_absent": "int64", "present_min": "int64", "present_max": "int64",
                             "role": "string", "basis": "string", "min_from": "string",
                             "max_from": "string"})
    return out.reset_index(drop=True)


def _basis(r: Any) -> str:
    reported = r.count_basis == "reported" if pd.notna(r.count_basis) else False
    lo, hi = _interval(r.roster, r.rep_present, r.rep_absent,
                       r.count_min if reported else pd.NA, r.count_max if reported else pd.NA)
    if lo == hi:
        return "reported"
    return "inferred" if r.present_min == r.present_max else "bounded"


# ---------------------------------------------------------------- the group over time

def _membership(joined: int, meeting: int, left: str, last_present: int, gone_from: int | None) -> str:
    if meeting < joined:
        return "not_joined"
    if gone_from is not None and meeting >= gone_from:
        return "left"
    if meeting == joined or left == "no" or last_present >= meeting:
        return "member"
    return "unknown"


def group_over_time(project: Any, meetings: Sequence[int] = MEETINGS) -> pd.DataFrame:
    """Who belonged to the group at each meeting, person by person.

    Parameters
    ----------
    project : Project or mapping of str to DataFrame
        Needs ``participants`` and ``attendance``.
    meetings : sequence of int
        Meetings to cover (default 1--8).

    Returns
    -------
    DataFrame
        One row per person x meeting, people in the order of
        participants.csv, with columns ``participant_id``, ``role``,
        ``meeting``, ``joined_meeting``, ``status`` and ``basis`` (from
        attendance.csv), and three membership columns, each
        ``not_joined`` / ``member`` / ``unknown`` / ``left``:

        - ``membership`` -- as the data records it;
        - ``membership_if_added`` -- under the reading "en tredje
          brukarmentor" / "En brukarmentor tillkom" (X2): no mentor left, so
          the original mentors stay members;
        - ``membership_if_replaced`` -- under the reading "ersattes en av
          brukarmentorerna med en ny" (X2): one of BM1/BM2 left, which one is
          not stated, so both stay ``unknown`` from the new mentor's arrival.

    Notes
    -----
    A person is ``not_joined`` before ``joined_meeting`` and a ``member`` at
    it. From the first meeting recorded ``no_longer_member`` on they have
    ``left``. Otherwise they are a ``member`` if ``left_project`` is ``no``,
    or if they are recorded present at this or a later meeting (someone who
    resigned does not come back); else ``unknown``. So the three social
    secretaries who resigned at unknown times are not given dates: all six
    are ``unknown`` from meeting 2 on, and :func:`group_size` gives the
    counts that *are* known (three of six had gone by the end).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> t = group_over_time(load_project()).set_index(["participant_id", "meeting"])
    >>> t.loc[("BM3", 3), "membership"], t.loc[("BM3", 4), "membership"]
    ('not_joined', 'member')
    >>> t.loc[("BM1", 6), ["membership_if_added", "membership_if_replaced"]].tolist()
    ['member', 'unknown']
    """
    participants = _frame(project, "participants")
    att = _attendance_with_roles(participants, _frame(project, "attendance"))
    present = att[att["status"] == "present"].groupby("participant_id")["meeting"].max()
    gone = att[att["status"] == "no_longer_member"].groupby("participant_id")["meeting"].min()
    status = att.set_index(["participant_id", "meeting"])
    rows = []
    for p in participants.itertuples():
        last = int(present.get(p.participant_id, 0))
        gone_from = int(gone[p.participant_id]) if p.participant_id in gone.index else None
        for m in meetings:
            known = (p.participant_id, m) in status.index
            rows.append({
                "participant_id": p.participant_id, "role": p.role, "meeting": m,
                "joined_meeting": int(p.joined_meeting),
                "status": status.loc[(p.participant_id, m), "status"] if known else "unknown",
                "basis": status.loc[(p.participant_id, m), "basis"] if known else pd.NA,
                "membership": _membership(p.joined_meeting, m, p.left_project, last, gone_from),
                "membership_if_added": _membership(
                    p.joined_meeting, m, "no" if p.role == MENTOR else p.left_project, last, gone_from),
                "membership_if_replaced": _membership(p.joined_meeting, m, p.left_project, last, gone_from),
            })
    text = ["participant_id", "role", "status", "basis", "membership", "membership_if_added",
            "membership_if_replaced"]
    out = pd.DataFrame(rows, columns=["participant_id", "role", "meeting", "joined_meeting", *text[2:]])
    return out.astype({c: "string" for c in text} | {"meeting": "int64", "joined_meeting": "int64"})


def _left_count(facts: pd.DataFrame | None, role: str) -> int | None:
    """How many of ``role`` left, from cohort facts; None if no fact says."""
    if facts is None:
        return None
    rows = facts[(facts["role"] == role) & (facts["attribute"] == "left_project") & (facts["value"] == "yes")]
    return int(rows["count"].sum()) if len(rows) else None


def _size(members: pd.Series, left: int | None, last: bool, handover: bool) -> tuple[int, int]:
    """Bounds on group size from membership values and a count of leavers."""
    certain = int((members == "member").sum())
    uncertain = int((members == "unknown").sum())
    if left is None:                      # no count: any of the uncertain may have gone
        return certain, certain + uncertain
    lo = certain + uncertain - min(left, uncertain)   # `left` of the uncertain go before the end
    hi = lo if last and not handover else certain + uncertain
    return lo, hi


def group_size(project: Any, meetings: Sequence[int] = MEETINGS) -> pd.DataFrame:
    """How many of each role belonged to the group at each meeting, under each reading of X2.

    Parameters
    ----------
    project : Project or mapping of str to DataFrame
        Needs ``participants`` and ``attendance``; ``cohort_facts``
        (``role``, ``attribute``, ``value``, ``count``) is used if present.
    meetings : sequence of int
        Meetings to cover (default 1--8).

    Returns
    -------
    DataFrame
        Columns ``meeting``, ``role``, ``reading`` (``both`` for roles the
        mentor question does not touch; ``third_mentor_added`` and
        ``mentor_replaced`` for the mentors), ``joined`` (people of the role
        who had joined by the meeting), ``members_min``, ``members_max``.

    Notes
    -----
    Counted from :func:`group_over_time`: people whose membership is
    ``member`` count for certain, ``unknown`` ones may or may not.

    - Resignations: a cohort fact ``left_project = yes`` with count *k*
      (three social secretaries) says exactly *k* of the uncertain left
      during the project and before its end: at least ``members + unknown -
      k``, and exactly that at the last meeting.
    - Without such a fact (the LVM case officer, ``left_project`` unknown)
      every uncertain person may have left: ``members .. members +
      unknown``.
    - Mentors, "added": no mentor left, all who joined are members.
    - Mentors, "replaced": exactly one of the original mentors left. The
      report places the replacement "vid den fjärde och femte
      mentorskapsträffen" (X3), so at meetings 4 and 5 the old mentor may
      still have belonged (:data:`HANDOVER_MEETINGS`); from meeting 6 the
      group had two mentors.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> s = group_size(load_project()).set_index(["meeting", "role", "reading"])
    >>> s.loc[[(2, "social_secretary", "both"), (8, "social_secretary", "both"),
    ...        (6, "service_user_mentor", "mentor_replaced")], ["members_min", "members_max"]]
                                                 members_min  members_max
    meeting role                reading
    2       social_secretary    both                       3            6
    8       social_secretary    both                       3            3
    6       service_user_mentor mentor_replaced            2            2
    """
    facts = _frame(project, "cohort_facts", required=False)
    timeline = group_over_time(project, meetings)
    last = max(meetings)
    rows: list[dict] = []
    for role in _role_order(timeline["role"]):
        people = timeline[timeline["role"] == role]
        if role == MENTOR:
            readings = (("third_mentor_added", "membership_if_added", 0),
                        ("mentor_replaced", "membership_if_replaced", 1))
        else:
            readings = (("both", "membership", _left_count(facts, role)),)
        for reading, column, left in readings:
            for m in meetings:
                at = people[people["meeting"] == m]
                handover = reading == "mentor_replaced" and m in HANDOVER_MEETINGS
                # under "replaced", the one leaver has gone once the new mentor is in (after the handover)
                lo, hi = _size(at[column], left, m == last or reading == "mentor_replaced", handover)
                rows.append({"meeting": m, "role": role, "reading": reading,
                             "joined": int((at[column] != "not_joined").sum()),
                             "members_min": lo, "members_max": hi})
    return pd.DataFrame(rows).astype({"role": "string", "reading": "string"})


# ---------------------------------------------------------------- tables for reading

def _range_text(lo: int, hi: int) -> str:
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def bounds_matrix(bounds: pd.DataFrame) -> pd.DataFrame:
    """The bounds as a role x meeting table of short texts, for reading.

    Parameters
    ----------
    bounds : DataFrame
        From :func:`attendance_bounds`.

    Returns
    -------
    DataFrame
        Index ``role`` (in the order of :data:`ROLES`), one column per
        meeting; each cell ``"3"`` (the report gives 3), ``"2 (inferred)"``
        (exactly 2, by inference) or ``"0–6"`` (only bounded).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> m = bounds_matrix(attendance_bounds(load_project()))
    >>> m.loc["social_secretary", [3, 6, 8]].tolist()
    ['2–6', '3', '2–3']
    >>> m.loc["service_user_mentor", 1]
    '2 (inferred)'
    """
    def cell(r: Any) -> str:
        text = _range_text(int(r.present_min), int(r.present_max))
        return f"{text} (inferred)" if r.basis == "inferred" else text

    out = bounds.assign(text=[cell(r) for r in bounds.itertuples()])
    table = out.pivot(index="role", columns="meeting", values="text")
    table = table.reindex(_role_order(out["role"]))
    table.columns.name = "meeting"
    return table


def size_matrix(sizes: pd.DataFrame) -> pd.DataFrame:
    """Group sizes as a (role, reading) x meeting table of short texts (``"3"`` or ``"3–6"``).

    Parameters
    ----------
    sizes : DataFrame
        From :func:`group_size`.

    Returns
    -------
    DataFrame
        Index ``role``, ``reading``; one column per meeting.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> m = size_matrix(group_size(load_project()))
    >>> m.loc[("social_secretary", "both"), [1, 2, 8]].tolist()
    ['6', '3–6', '3']
    """
    out = sizes.assign(text=[_range_text(int(a), int(b))
                             for a, b in zip(sizes["members_min"], sizes["members_max"])])
    table = out.pivot(index=["role", "reading"], columns="meeting", values="text")
    order = {r: i for i, r in enumerate(_role_order(out["role"]))}
    table = table.sort_index(key=lambda idx: idx.map(order) if idx.name == "role" else idx)
    table.columns.name = "meeting"
    return table


# ---------------------------------------------------------------- the expert

def expert_presence(project: Any, role: str = EXPERT) -> pd.DataFrame:
    """The expert social secretary's attendance at each meeting, with the report's words.

    Parameters
    ----------
    project : Project or mapping of str to DataFrame
        Needs ``participants`` and ``attendance``; ``meetings`` (with
        ``observed``) is joined in if present.
    role : str
        The role to show (default ``expert_social_secretary``).

    Returns
    -------
    DataFrame
        One row per meeting for each person of ``role``: ``meeting``,
        ``participant_id``, ``status`` (present / absent / unknown),
        ``basis`` (reported / inferred / ``<NA>``), ``reasoning``,
        ``section``, and ``observed`` (whether the evaluator observed the
        meeting: yes / no / unclear) when meetings are available. ``status``
        is one of present / absent / unknown / not_yet_member /
        no_longer_member.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> e = expert_presence(load_project()).set_index("meeting")
    >>> e["status"].tolist()
    ['present', 'unknown', 'present', 'present', 'present', 'absent', 'present', 'unknown']
    """
    participants = _frame(project, "participants")
    attendance = _frame(project, "attendance")
    ids = participants.loc[participants["role"] == role, "participant_id"]
    if ids.empty:
        raise DataError(Problem("participants.csv", None, "role", f"no participant with role '{role}'",
                                "add the person to participants.csv or pass another role"))
    cols = ["meeting", "participant_id", "status", "basis", "reasoning", "section"]
    out = attendance.loc[attendance["participant_id"].isin(ids), [c for c in cols if c in attendance]]
    meetings = _meetings_frame(project)
    if meetings is not None:
        out = out.merge(meetings[["meeting", "observed"]], on="meeting", how="left")
    return out.sort_values(["participant_id", "meeting"]).reset_index(drop=True)


def _meetings_frame(project: Any) -> pd.DataFrame | None:
    if isinstance(project, Mapping):
        return project.get("meetings")
    return getattr(project, "tables", {}).get("meetings")


# ---------------------------------------------------------------- loader checks

def _people(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    people = frames.get("participants")
    if people is None or not {"participant_id", "role", "joined_meeting", "left_project"} <= set(people.columns):
        return None
    people = people.dropna(subset=["participant_id", "joined_meeting"])
    # a repeated id is reported by the loader's key check; use its first row here
    return people.drop_duplicates("participant_id").set_index("participant_id")


def check_membership_statuses(table: Any, frame: pd.DataFrame, lines: Sequence[int],
                              frames: Mapping[str, pd.DataFrame]):
    """Loader check: membership statuses in attendance.csv agree with participants.csv.

    ``not_yet_member`` only before the person's ``joined_meeting``, and
    nothing but ``not_yet_member`` or ``unknown`` there (not joining is not an
    absence); ``no_longer_member`` only after joining, never for a person
    whose ``left_project`` is ``no``, and never followed by ``present``.

    Parameters
    ----------
    table : Table
        The attendance table's specification (for its file name).
    frame : DataFrame
        attendance.csv as loaded.
    lines : sequence of int
        The line of each row in the file.
    frames : mapping of str to DataFrame
        Every table loaded so far (``participants`` is used).

    Yields
    ------
    Problem

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> people = pd.DataFrame({"participant_id": ["BM3"], "role": ["service_user_mentor"],
    ...                        "joined_meeting": [4], "left_project": ["no"]})
    >>> att = pd.DataFrame({"participant_id": ["BM3"], "meeting": [2], "status": ["absent"]})
    >>> [p.column for p in check_membership_statuses(SimpleNamespace(file="attendance.csv"), att, [3],
    ...                                              {"participants": people})]
    ['status']
    """
    people = _people(frames)
    if people is None or frame.empty:
        return
    gone: dict[str, int] = {}
    rows = sorted(zip(frame["participant_id"], frame["meeting"], frame["status"], lines),
                  key=lambda r: (r[0], r[1]))
    for pid, meeting, status, line in rows:
        if pid not in people.index or pd.isna(meeting):
            continue
        joined, left = int(people.at[pid, "joined_meeting"]), people.at[pid, "left_project"]
        where = f"'{status}' for {pid} at meeting {meeting}"
        if meeting < joined and status not in ("not_yet_member", "unknown"):
            yield Problem(table.file, line, "status", where,
                          f"participants.csv says {pid} joined at meeting {joined}: before that write "
                          "not_yet_member (not absent), or correct joined_meeting")
        elif meeting >= joined and status == "not_yet_member":
            yield Problem(table.file, line, "status", where,
                          f"participants.csv says {pid} joined at meeting {joined}; "
                          "not_yet_member is only for meetings before that")
        elif status == "no_longer_member" and left == "no":
            yield Problem(table.file, line, "status", where,
                          f"participants.csv says {pid} did not leave the project (left_project 'no'); "
                          "correct one of the two")
        elif status == "present" and pid in gone:
            yield Problem(table.file, line, "status", where,
                          f"{pid} is no longer a member from meeting {gone[pid]}; "
                          "someone who left cannot be present later")
        if status == "no_longer_member":
            gone.setdefault(pid, meeting)


def check_counts_match_statuses(table: Any, frame: pd.DataFrame, lines: Sequence[int],
                                frames: Mapping[str, pd.DataFrame]):
    """Loader check: every count range in attendance_counts.csv agrees with attendance.csv.

    For a meeting and role, let *P* be the people recorded present, *U*
    those recorded unknown (and who had joined), the rest certainly not
    there (absent, not yet or no longer a member). The count
    ``present_min``--``present_max`` must be possible (``present_min <= P +
    U`` and ``present_max >= P``), and it must not settle what
    attendance.csv leaves open: ``present_max == P`` says that every unknown
    person was not there, and ``present_min == P + U`` that every one was,
    so with *U* > 0 either is a disagreement between the two files.

    Parameters
    ----------
    table : Table
        The counts table's specification (for its file name).
    frame : DataFrame
        attendance_counts.csv as loaded.
    lines : sequence of int
        The line of each row in the file.
    frames : mapping of str to DataFrame
        Every table loaded so far (``participants`` and ``attendance``).

    Yields
    ------
    Problem

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> people = pd.DataFrame({"participant_id": ["LVM1"], "role": ["lvm_case_officer"],
    ...                        "joined_meeting": [1], "left_project": ["unknown"]})
    >>> att = pd.DataFrame({"participant_id": ["LVM1"], "meeting": [6], "status": ["unknown"]})
    >>> counts = pd.DataFrame({"meeting": [6], "role": ["lvm_case_officer"],
    ...                        "present_min": [0], "present_max": [0]})
    >>> found = check_counts_match_statuses(SimpleNamespace(file="attendance_counts.csv"), counts, [8],
    ...                                     {"participants": people, "attendance": att})
    >>> [(p.line, p.column) for p in found]
    [(8, 'present_max')]
    """
    people, att = _people(frames), frames.get("attendance")
    if people is None or att is None or att.empty or frame.empty:
        return
    merged = att.merge(people[["role", "joined_meeting"]], left_on="participant_id", right_index=True)
    merged = merged[(merged["meeting"] >= merged["joined_meeting"]) & merged["status"].isin(("present", "unknown"))]
    ids = merged.groupby(["meeting", "role", "status"])["participant_id"].agg(list).to_dict()
    for (meeting, role, lo, hi), line in zip(
            frame[["meeting", "role", "present_min", "present_max"]].itertuples(index=False, name=None), lines):
        present, unknown = ids.get((meeting, role, "present"), []), ids.get((meeting, role, "unknown"), [])
        p, u = len(present), len(unknown)
        said = f"{lo}–{hi} for {role} at meeting {meeting}"
        if lo > p + u:
            yield Problem(table.file, line, "present_min", said,
                          f"attendance.csv allows at most {p + u} ({p} present, {u} unknown); "
                          "correct the count or the people's statuses")
        elif hi < p:
            yield Problem(table.file, line, "present_max", said,
                          f"attendance.csv records {p} present ({', '.join(present)}); "
                          "correct the count or the people's statuses")
        elif u and hi == p:
            yield Problem(table.file, line, "present_max", said,
                          f"this says {', '.join(unknown)} were not there, but attendance.csv records them "
                          f"as unknown: record them absent (with the count's reasoning) or widen the range to "
                          f"{lo}–{p + u}")
        elif u and lo == p + u:
            yield Problem(table.file, line, "present_min", said,
                          f"this says {', '.join(unknown)} were all there, but attendance.csv records them "
                          "as unknown: record them present (with the count's reasoning) or widen the range")
