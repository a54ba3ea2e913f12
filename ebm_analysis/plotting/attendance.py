"""Plots of attendance: reported counts against bounds, and the group over time.

Every function takes data and an optional matplotlib ``ax``, returns the
:class:`~matplotlib.figure.Figure`, never calls ``plt.show`` and labels in
English (``lang="en"``) or Swedish (``lang="sv"``). What the report states
and what is only bounded are drawn differently, so that no unknown looks
like a fact.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ebm_analysis.plotting._common import figure_and_axes
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ebm_analysis.attendance import ROLES
from ebm_analysis.errors import DataError, Problem
from ebm_analysis.labels import current_language, label

__all__ = ["plot_attendance_bounds", "plot_group_timeline", "LABELS", "ROLE_COLORS"]

ROLE_COLORS = {"social_secretary": "#1f77b4", "lvm_case_officer": "#9467bd",
               "service_user_mentor": "#d62728", "expert_social_secretary": "#2ca02c"}
_OTHER = "#7f7f7f"

LABELS = {
    "en": {
        "bounds_title": "How many were at each meeting: reported counts and bounds",
        "y": "People present",
        "reported": "Count given by the report",
        "inferred": "Exact count, inferred from the report",
        "bounded": "Not given: at least (bottom) to at most (top)",
        "roster": "Had joined the project by then",
        "timeline_title": "The group over the eight meetings",
        "member": "Member",
        "unknown_member": "Member or already left (not reported)",
        "present_reported": "Present (reported)",
        "present_inferred": "Present (inferred)",
        "absent_reported": "Absent (reported)",
        "absent_inferred": "Absent (inferred)",
        "not_yet_member_reported": "Not yet a member (reported)",
        "not_yet_member_inferred": "Not yet a member (inferred)",
        "no_longer_member_reported": "No longer a member (reported)",
        "no_longer_member_inferred": "No longer a member (inferred)",
        "no_marker": "No marker: attendance not reported",
        "ss_note": "3 of these 6 resigned;\nwho and when is not reported.\nAt most 3 at meeting 8.",
        "bm_note": "From meeting 4: both stayed if a third\nmentor was added; one of them left\nif one was replaced (X2).",
        "bm3_note": "New mentor from meeting 4\n(X3: 'fourth and fifth').",
        "m6_note": "Meeting 6: 3 social secretaries,\n2 mentors, no expert",
        "short": {"social_secretary": "social secretary", "lvm_case_officer": "LVM case officer",
                  "service_user_mentor": "mentor", "expert_social_secretary": "expert"},
    },
    "sv": {
        "bounds_title": "Hur många var med vid varje träff: rapporterade antal och gränser",
        "y": "Närvarande personer",
        "reported": "Antal som rapporten anger",
        "inferred": "Exakt antal, härlett ur rapporten",
        "bounded": "Anges inte: minst (nederkant) till högst (överkant)",
        "roster": "Hade börjat i projektet",
        "timeline_title": "Gruppen under de åtta träffarna",
        "member": "Med i gruppen",
        "unknown_member": "Med eller redan slutat (rapporteras inte)",
        "present_reported": "Närvarande (rapporterat)",
        "present_inferred": "Närvarande (härlett)",
        "absent_reported": "Frånvarande (rapporterat)",
        "absent_inferred": "Frånvarande (härlett)",
        "not_yet_member_reported": "Ännu inte med i projektet (rapporterat)",
        "not_yet_member_inferred": "Ännu inte med i projektet (härlett)",
        "no_longer_member_reported": "Inte längre med i projektet (rapporterat)",
        "no_longer_member_inferred": "Inte längre med i projektet (härlett)",
        "no_marker": "Ingen markering: närvaro rapporteras inte",
        "ss_note": "3 av dessa 6 sa upp sig;\nvilka och när rapporteras inte.\nHögst 3 vid träff 8.",
        "bm_note": "Från träff 4: båda stannade om en tredje\nmentor tillkom; en av dem slutade\nom en ersattes (X2).",
        "bm3_note": "Ny mentor från träff 4\n(X3: 'fjärde och femte').",
        "m6_note": "Träff 6: 3 socialsekreterare,\n2 mentorer, ingen sakkunnig",
        "short": {"social_secretary": "socialsekreterare", "lvm_case_officer": "LVM-handläggare",
                  "service_user_mentor": "brukarmentor", "expert_social_secretary": "sakkunnig"},
    },
}

_BOUNDS_COLUMNS = ("meeting", "role", "roster", "present_min", "present_max", "basis")
_TIMELINE_COLUMNS = ("participant_id", "role", "meeting", "status", "basis", "membership")


def _labels(lang: str | None) -> tuple[str, dict]:
    lang = lang or current_language()
    if lang not in LABELS:
        raise DataError(Problem("(arguments)", None, "lang", repr(lang), "expected 'en' or 'sv'"))
    return lang, LABELS[lang]



def _check(frame: pd.DataFrame, columns: tuple[str, ...], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(Problem("(arguments)", None, missing[0], "no such column",
                                f"expected a DataFrame from {source} with columns {', '.join(columns)}"))


# ---------------------------------------------------------------- bounds

def _draw_cell(ax: Axes, x: float, w: float, row, color: str) -> None:
    ax.hlines(row.roster, x - w / 2, x + w / 2, colors="#555555", linewidth=1.2, zorder=1)
    lo, hi = int(row.present_min), int(row.present_max)
    if row.basis == "bounded":
        ax.add_patch(Rectangle((x - w / 2, lo), w, hi - lo, facecolor="white", edgecolor=color,
                               hatch="////", linewidth=1.2, zorder=2))
        return
    filled = row.basis == "reported"
    ax.bar(x, lo, width=w, color=color, alpha=1.0 if filled else 0.35, linewidth=0, zorder=2)
    ax.plot([x], [lo], marker="o", markersize=6, clip_on=False, zorder=3,
            markerfacecolor=color if filled else "white", markeredgecolor="black" if filled else color)


def _bounds_legend(ax: Axes, text: dict, roles: list[str], lang: str) -> None:
    """Roles by colour, then each way of drawing a count with one swatch per role, in the roles' own colours."""
    colors = [ROLE_COLORS.get(r, _OTHER) for r in roles]
    handles = [Patch(facecolor=c, label=label(r, lang)) for r, c in zip(roles, colors)]
    labels = [h.get_label() for h in handles]
    styles = [
        ([Patch(facecolor=c) for c in colors]
         + [Line2D([], [], marker="o", markerfacecolor="#555555", markeredgecolor="black", linestyle="none")],
         text["reported"]),
        ([Patch(facecolor=c, alpha=0.35) for c in colors]
         + [Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor="#555555", linestyle="none")],
         text["inferred"]),
        ([Patch(facecolor="white", edgecolor=c, hatch="////") for c in colors], text["bounded"]),
        ([Line2D([], [], color="#555555", linewidth=1.2)], text["roster"]),
    ]
    for group, words in styles:
        handles.append(tuple(group))
        labels.append(words)
    ax.legend(handles=handles, labels=labels, handler_map={tuple: HandlerTuple(ndivide=None, pad=0.15)},
              handlelength=4.5, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def plot_attendance_bounds(bounds: pd.DataFrame, lang: str | None = None, ax: Axes | None = None) -> Figure:
    """Per meeting and role: reported counts as filled bars, bounds as hatched intervals.

    Parameters
    ----------
    bounds : DataFrame
        From :func:`ebm_analysis.attendance.attendance_bounds` (columns
        ``meeting``, ``role``, ``roster``, ``present_min``, ``present_max``,
        ``basis``).
    lang : {"en", "sv"}, optional
        Label language (default: the run's).
    ax : Axes, optional
        Where to draw; a new figure otherwise.

    Returns
    -------
    Figure
        Per meeting one slot per role: a filled bar with a filled dot where
        the report gives the count (``reported``), a pale bar with an open
        dot where the count is exact only by inference, and a hatched box
        from ``present_min`` to ``present_max`` where only bounds are known.
        A short line marks how many of the role had joined by then.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.attendance import attendance_bounds
    >>> fig = plot_attendance_bounds(attendance_bounds(load_project()), lang="sv")
    >>> fig.axes[0].get_xlabel()
    'Träff'
    """
    _check(bounds, _BOUNDS_COLUMNS, "attendance_bounds()")
    lang, text = _labels(lang)
    fig, ax = figure_and_axes(ax, (10, 4.5))
    roles = [r for r in ROLES if r in set(bounds["role"])] + sorted(set(bounds["role"]) - set(ROLES))
    w = 0.8 / len(roles)
    offsets = {r: (i - (len(roles) - 1) / 2) * w for i, r in enumerate(roles)}
    for row in bounds.itertuples():
        _draw_cell(ax, row.meeting + offsets[row.role], w * 0.85, row, ROLE_COLORS.get(row.role, _OTHER))
    meetings = sorted(bounds["meeting"].unique())
    ax.set_xticks(meetings)
    ax.set_xlim(min(meetings) - 0.5, max(meetings) + 0.5)
    top = int(bounds["roster"].max())
    ax.set_ylim(-0.25, top + 0.5)
    ax.set_yticks(range(top + 1))
    ax.grid(axis="y", color="#eeeeee", zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(label("meeting", lang))
    ax.set_ylabel(text["y"])
    ax.set_title(text["bounds_title"])
    _bounds_legend(ax, text, roles, lang)
    return fig


# ---------------------------------------------------------------- the group over time

_MARKERS = {("present", "reported"): dict(marker="o", mfc="black", mec="black"),
            ("present", "inferred"): dict(marker="o", mfc="white", mec="black"),
            ("absent", "reported"): dict(marker="X", mfc="#c0392b", mec="#c0392b"),
            ("absent", "inferred"): dict(marker="X", mfc="white", mec="#c0392b"),
            # not (yet, or any longer) in the project: not an absence, so neither a cross nor red
            ("not_yet_member", "reported"): dict(marker="<", mfc="#777777", mec="#777777"),
            ("not_yet_member", "inferred"): dict(marker="<", mfc="white", mec="#777777"),
            ("no_longer_member", "reported"): dict(marker=">", mfc="#777777", mec="#777777"),
            ("no_longer_member", "inferred"): dict(marker=">", mfc="white", mec="#777777")}


def _draw_membership(ax: Axes, y: int, meeting: int, membership: str, color: str) -> None:
    if membership == "member":
        ax.add_patch(Rectangle((meeting - 0.5, y - 0.35), 1, 0.7, facecolor=color, alpha=0.35,
                               edgecolor="none", zorder=1))
    elif membership == "unknown":
        ax.add_patch(Rectangle((meeting - 0.5, y - 0.35), 1, 0.7, facecolor="white", edgecolor=color,
                               hatch="///", alpha=0.6, linewidth=0, zorder=1))


def _bracket(ax: Axes, y0: float, y1: float, x: float, note: str) -> None:
    ax.plot([x, x + 0.1, x + 0.1, x], [y0 - 0.3, y0 - 0.3, y1 + 0.3, y1 + 0.3], color="#333333",
            linewidth=0.8, clip_on=False)
    ax.text(x + 0.2, (y0 + y1) / 2, note, va="center", ha="left", fontsize="small", clip_on=False)


def _annotate_timeline(ax: Axes, rows: dict[str, int], roles: dict[str, str], text: dict,
                       last: int, timeline: pd.DataFrame) -> None:
    x = last + 0.6
    ss = [rows[p] for p, r in roles.items() if r == "social_secretary"]
    if ss:
        _bracket(ax, min(ss), max(ss), x, text["ss_note"])
    differ = timeline[timeline["membership_if_added"] != timeline["membership_if_replaced"]] \
        if {"membership_if_added", "membership_if_replaced"} <= set(timeline.columns) else timeline.iloc[:0]
    bm = sorted({rows[p] for p in differ["participant_id"]})
    if bm:
        _bracket(ax, min(bm), max(bm), x, text["bm_note"])
    late = timeline.loc[(timeline["role"] == "service_user_mentor")
                        & (timeline["membership"] == "not_joined"), "participant_id"].unique()
    for p in late:
        ax.text(x + 0.2, rows[p], text["bm3_note"], va="center", ha="left", fontsize="small", clip_on=False)


def plot_group_timeline(timeline: pd.DataFrame, lang: str | None = None, ax: Axes | None = None) -> Figure:
    """Who was in the group at each meeting, and who is known present or absent.

    Parameters
    ----------
    timeline : DataFrame
        From :func:`ebm_analysis.attendance.group_over_time` (columns
        ``participant_id``, ``role``, ``meeting``, ``status``, ``basis``,
        ``membership``; ``membership_if_added`` and
        ``membership_if_replaced`` are used for the note on the mentors).
    lang : {"en", "sv"}, optional
        Label language (default: the run's).
    ax : Axes, optional
        Where to draw; a new figure otherwise.

    Returns
    -------
    Figure
        One row per person: a solid band where they were certainly in the
        group, a hatched band where they may already have left (nothing is
        dated that the report does not date), nothing before they joined;
        dots and crosses for reported/inferred presence and absence, grey
        triangles where the data records that a person was not yet (◀) or no
        longer (▶) a member -- not an absence. Meeting 6 is shaded.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.attendance import group_over_time
    >>> fig = plot_group_timeline(group_over_time(load_project()), lang="sv")
    >>> fig.axes[0].get_title()
    'Gruppen under de åtta träffarna'
    """
    _check(timeline, _TIMELINE_COLUMNS, "group_over_time()")
    lang, text = _labels(lang)
    fig, ax = figure_and_axes(ax, (10, 5))
    people = list(dict.fromkeys(timeline["participant_id"]))
    roles = dict(zip(timeline["participant_id"], timeline["role"]))
    rows = {p: i for i, p in enumerate(people)}
    meetings = sorted(timeline["meeting"].unique())
    if 6 in meetings:
        ax.axvspan(5.5, 6.5, color="#fff3c4", zorder=0)
        ax.text(6, -1.4, text["m6_note"], ha="center", va="top", fontsize="x-small")
    for r in timeline.itertuples():
        color = ROLE_COLORS.get(r.role, _OTHER)
        _draw_membership(ax, rows[r.participant_id], r.meeting, r.membership, color)
        style = _MARKERS.get((r.status, r.basis if pd.notna(r.basis) else None))
        if style:
            ax.plot([r.meeting], [rows[r.participant_id]], linestyle="none", markersize=7, zorder=3, **style)
    ax.set_yticks(range(len(people)))
    ax.set_yticklabels([f"{p} – {text['short'].get(roles[p], roles[p])}" for p in people])
    for tick, p in zip(ax.get_yticklabels(), people):
        tick.set_color(ROLE_COLORS.get(roles[p], _OTHER))
    ax.set_ylim(len(people) - 0.5, -1.5)
    ax.set_xticks(meetings)
    ax.set_xlim(min(meetings) - 0.5, max(meetings) + 0.5)
    ax.set_xlabel(label("meeting", lang))
    ax.set_title(text["timeline_title"])
    _annotate_timeline(ax, rows, roles, text, max(meetings), timeline)
    colors = [ROLE_COLORS.get(r, _OTHER) for r in dict.fromkeys(roles.values())]
    handles = [tuple(Patch(facecolor=c, alpha=0.35) for c in colors),
               tuple(Patch(facecolor="white", edgecolor=c, hatch="///") for c in colors)]
    labels = [text["member"], text["unknown_member"]]
    used = set(zip(timeline["status"], timeline["basis"].fillna("")))
    for s, b in _MARKERS:
        if (s, b) in used:
            handles.append(Line2D([], [], linestyle="none", markersize=7, **_MARKERS[(s, b)]))
            labels.append(text[f"{s}_{b}"])
    handles.append(Line2D([], [], linestyle="none"))
    labels.append(text["no_marker"])
    ax.legend(handles=handles, labels=labels, handler_map={tuple: HandlerTuple(ndivide=None, pad=0.1)},
              handlelength=4, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3,
              frameon=False)
    return fig
