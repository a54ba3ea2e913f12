"""Plots of the survey: printed means with their consistency, and Likert answers.

Every function takes data and an optional matplotlib ``ax``, returns the
:class:`~matplotlib.figure.Figure`, never calls ``plt.show`` and labels in
English (``lang="en"``) or Swedish (``lang="sv"``). Nothing here draws an
invented distribution: :func:`plot_survey_means` shows only printed means and
ranges implied by them.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ebm_analysis.plotting._common import figure_and_axes

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.labels import current_language, label
from ebm_analysis.survey import TOTAL_GROUP, distribution_table, joint_table, response_distribution

__all__ = ["plot_survey_means", "plot_diverging_likert", "plot_answer_counts", "LABELS"]

LABELS = {
    "en": {
        "sub": "Social secretaries",
        "total": "All respondents",
        "rest": "Other respondents: mean implied by the printed means",
        "bad": "Cannot be right as printed",
        "grim_bad": "GRIM: impossible",
        "joint_bad": "means do not fit together",
        "means_title": "Survey means as printed, per statement",
        "n_head": "n: social secr. / all",
        "n_reported": "n = {a} / {b}",
        "n_inferred": "n ≈ {a} / {b} (inferred)",
        "n_unknown": "n = {a} / {b} (basis not given)",
        "n_note": "n in grey italics: inferred (the report prints no n)",
        "means_x": "Mean ({lo} = do not agree at all, {hi} = agree fully)",
        "likert_title": "Answers per statement",
        "likert_x": "Share of answers (%)",
        "answer": "Answer",
        "synthetic": "synthetic data",
        "low": "do not agree at all",
        "high": "agree fully",
    },
    "sv": {
        "sub": "Socialsekreterare",
        "total": "Alla svarande",
        "rest": "Övriga svarande: medelvärde som följer av de tryckta",
        "bad": "Kan inte stämma som tryckt",
        "grim_bad": "GRIM: omöjligt",
        "joint_bad": "medelvärdena går inte ihop",
        "means_title": "Enkätens medelvärden som tryckta, per påstående",
        "n_head": "n: socialsekr. / alla",
        "n_reported": "n = {a} / {b}",
        "n_inferred": "n ≈ {a} / {b} (härlett)",
        "n_unknown": "n = {a} / {b} (grund ej angiven)",
        "n_note": "n i grå kursiv: härlett (rapporten anger inget n)",
        "means_x": "Medelvärde ({lo} = håller inte med alls, {hi} = håller helt med)",
        "likert_title": "Svar per påstående",
        "likert_x": "Andel av svaren (%)",
        "answer": "Svar",
        "synthetic": "syntetiska data",
        "low": "håller inte med alls",
        "high": "håller helt med",
    },
}

_JOINT_COLUMNS = ("item", "sub_value", "total_value", "rest_mean_min", "rest_mean_max",
                  "sub_grim_any", "total_grim_any", "combos_any")
_BAD = "#c0392b"


def _labels(lang: str | None) -> dict[str, str]:
    lang = lang or current_language()
    if lang not in LABELS:
        raise DataError(Problem("(arguments)", None, "lang", repr(lang), "expected 'en' or 'sv'"))
    return LABELS[lang]



def _as_joint(table: pd.DataFrame, scale: tuple[int, int]) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame) and "group" in table.columns:
        return joint_table(table, scale=scale)
    missing = [c for c in _JOINT_COLUMNS if not isinstance(table, pd.DataFrame)
               or c not in table.columns]
    if missing:
        raise DataError(Problem("(arguments)", None, None, f"a table without {missing}",
                                "expected survey_means (with a 'group' column) or the "
                                "output of ebm_analysis.survey.joint_table"))
    return table


def _mark_bad(ax: Axes, x: float, y: float, text: str, right_side: bool) -> None:
    ax.plot([x], [y], marker="x", color=_BAD, markersize=12, markeredgewidth=2.5,
            linestyle="none", zorder=5, gid="impossible")
    ax.annotate(text, (x, y), xytext=(-10 if right_side else 10, -3),
                textcoords="offset points", ha="right" if right_side else "left",
                va="center", color=_BAD, fontsize=8, gid="impossible_text")


def plot_survey_means(means_or_joint_table: pd.DataFrame, lang: str | None = None,
                      ax: Axes | None = None, scale: tuple[int, int] = (1, 4), *,
                      items: pd.DataFrame | None = None) -> Figure:
    """Dot plot of both printed means per item, with the other respondents' implied range.

    Parameters
    ----------
    means_or_joint_table : DataFrame
        ``data/survey_means.csv`` (long, with ``group``) or the output of
        :func:`ebm_analysis.survey.joint_table`. From ``survey_means`` the
        basis of each n (``n_basis``) is known: an inferred n is drawn in
        grey italics with "≈", a reported one in plain black; from a joint
        table the basis is not known and the label says so.
    lang : {"en", "sv"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if omitted.
    scale : (int, int)
        Answer scale (the x axis).
    items : DataFrame, optional
        ``data/survey_items.csv``: each statement is written beside its
        item id (``statement_en`` or ``statement_sv`` by ``lang``).

    Returns
    -------
    Figure
        Circles: social secretaries; squares: all respondents; grey line: the
        range of the other respondents' mean implied by both printed means
        (under any rounding rule); red ✕ and text: a printed mean that fails
        GRIM under every rule, or a pair of means that cannot fit together.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"item": ["S5", "S5"],
    ...     "group": ["social_secretaries", "all_respondents"],
    ...     "mean_printed": ["3,33", "3,8"], "n_min": [3, 6], "n_max": [4, 8],
    ...     "n_likely": [3, 7], "n_basis": ["inferred", "inferred"]})
    >>> fig = plot_survey_means(df)
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "impossible_text"]
    ['means do not fit together']
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "n"]
    ['n ≈ 3 / 7 (inferred)']
    """
    words = _labels(lang)
    table = _as_joint(means_or_joint_table, scale).reset_index(drop=True)
    statements = _statements(items, lang)
    fig, ax = figure_and_axes(ax, (9.5 if statements else 7, (1.0 if statements else 0.6) * len(table) + 1.8))
    ys = np.arange(len(table))[::-1]
    ax.plot([float(v) for v in table["sub_value"]], ys + 0.12, "o", color="#1f77b4",
            label=words["sub"], zorder=4)
    ax.plot([float(v) for v in table["total_value"]], ys - 0.12, "s", color="#ff7f0e",
            label=words["total"], zorder=4)
    rest_drawn, bad_drawn = False, False
    for y, row in zip(ys, table.to_dict("records")):
        if row["rest_mean_min"] is not None and not pd.isna(row["rest_mean_min"]):
            lo, hi = float(row["rest_mean_min"]), float(row["rest_mean_max"])
            ax.plot([lo, hi], [y - 0.32] * 2, color="0.45", linewidth=3, marker="|",
                    markersize=10, label=None if rest_drawn else words["rest"])
            rest_drawn = True
        marks = []
        if not row["sub_grim_any"]:
            marks.append((float(row["sub_value"]), y + 0.12, words["grim_bad"]))
        if not row["total_grim_any"]:
            marks.append((float(row["total_value"]), y - 0.12, words["grim_bad"]))
        elif row["combos_any"] == 0 and row["sub_grim_any"]:
            marks.append((float(row["total_value"]), y - 0.12, words["joint_bad"]))
        for x, yy, text in marks:
            _mark_bad(ax, x, yy, text, right_side=x > sum(scale) / 2)
            bad_drawn = True
    if bad_drawn:
        ax.plot([], [], "x", color=_BAD, markeredgewidth=2.5, label=words["bad"])
    lo, hi = scale
    ax.set_xlim(lo - 0.2, hi + 0.4)
    ax.set_xticks(range(lo, hi + 1))
    ax.set_yticks(ys, [_item_label(item, statements) for item in table["item"]], fontsize=8 if statements else None)
    ax.set_ylim(-0.8, len(table) - 0.4)
    ax.set_xlabel(words["means_x"].format(lo=lo, hi=hi))
    ax.set_title(words["means_title"])
    ax.grid(axis="x", color="0.9")
    inferred = _draw_n(ax, ys, table, _n_basis(means_or_joint_table), words)
    if inferred:
        ax.plot([], [], linestyle="none", label=words["n_note"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35 / max(1.0, fig.get_size_inches()[1] / 4)), ncol=2,
              fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def _statements(items: pd.DataFrame | None, lang: str | None) -> dict[str, str]:
    if items is None:
        return {}
    column = "statement_sv" if (lang or current_language()) == "sv" else "statement_en"
    return {str(i): str(t) for i, t in zip(items["item"], items[column])}


def _item_label(item: str, statements: dict[str, str]) -> str:
    if item not in statements:
        return str(item)
    return f"{item}  " + "\n".join(textwrap.wrap(statements[item], 48))


def _n_basis(table: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(item, "sub"/"total") → basis of n, when the table is survey_means."""
    if not isinstance(table, pd.DataFrame) or not {"group", "n_basis"} <= set(table.columns):
        return {}
    side = {"social_secretaries": "sub", "all_respondents": "total"}
    return {(str(i), side.get(str(g), str(g))): str(b) for i, g, b in zip(table["item"], table["group"], table["n_basis"])}


def _draw_n(ax: Axes, ys, table: pd.DataFrame, basis: dict, words: dict[str, str]) -> bool:
    """Write "n = a / b" right of each row; inferred n in grey italics. True if any is inferred."""
    transform = ax.get_yaxis_transform()
    ax.text(1.02, len(table) - 0.5, words["n_head"], transform=transform, fontsize=7, color="0.3",
            va="bottom", ha="left", gid="n_head")
    any_inferred = False
    for y, row in zip(ys, table.to_dict("records")):
        kinds = {basis.get((str(row["item"]), side)) for side in ("sub", "total")}
        key = "n_reported" if kinds == {"reported"} else "n_inferred" if "inferred" in kinds else "n_unknown"
        any_inferred |= key == "n_inferred"
        style = {"color": "black"} if key == "n_reported" else {"color": "0.45", "fontstyle": "italic"}
        ax.text(1.02, y, words[key].format(a=row["sub_n"], b=row["total_n"]), transform=transform, fontsize=8,
                va="center", ha="left", gid="n", **style)
    return any_inferred


def _diverging_segments(shares: dict[int, float], scale: tuple[int, int]) -> list[tuple[int, float, float]]:
    """(answer, left, width) per answer: disagreement left of 0, agreement right.

    On an odd scale the middle answer is split evenly across 0
    (Heiberger & Robbins 2014).
    """
    lo, hi = scale
    mid = (lo + hi) / 2
    segments, left = [], 0.0
    below = [a for a in range(lo, hi + 1) if a < mid]
    for a in reversed(below):  # nearest the middle first, going left
        left -= shares[a]
        segments.append((a, left, shares[a]))
    if mid in shares:
        segments.append((int(mid), -shares[int(mid)] / 2, shares[int(mid)]))
    right = shares[int(mid)] / 2 if mid in shares else 0.0
    for a in (a for a in range(lo, hi + 1) if a > mid):
        segments.append((a, right, shares[a]))
        right += shares[a]
    return segments


def plot_diverging_likert(responses: pd.DataFrame, lang: str | None = None, ax: Axes | None = None,
                          scale: tuple[int, int] = (1, 4), *, synthetic: bool = False,
                          title: str | None = None) -> Figure:
    """Diverging stacked bar chart of per-respondent answers (Heiberger & Robbins 2014).

    Parameters
    ----------
    responses : DataFrame
        Long answers: ``respondent_id, group, item, answer`` (see
        :func:`ebm_analysis.survey.validate_responses`).
    lang : {"en", "sv"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if omitted.
    scale : (int, int)
        Answer scale.
    synthetic : bool
        Say "synthetic data" in the title and legend (use for made-up data;
        the EBM report has no per-respondent answers).
    title : str, optional
        Title; default "Answers per statement".

    Returns
    -------
    Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> r = pd.DataFrame({"respondent_id": ["a", "b"], "group": ["x", "x"],
    ...                   "item": ["S1", "S1"], "answer": [1, 4]})
    >>> fig = plot_diverging_likert(r, synthetic=True)
    >>> "synthetic" in fig.axes[0].get_title()
    True
    """
    words = _labels(lang)
    lo, hi = scale
    dist = response_distribution(responses, scale)
    items = sorted(dist["item"].unique())
    fig, ax = figure_and_axes(ax, (8, 0.5 * len(items) + 1.8))
    colours = plt.get_cmap("RdBu")(np.linspace(0.1, 0.9, hi - lo + 1))
    ys = np.arange(len(items))[::-1]
    drawn, extent = set(), 1.0
    for y, item in zip(ys, items):
        part = dist[dist["item"] == item]
        shares = {int(a): 100 * float(s) for a, s in zip(part["answer"], part["share"])}
        for answer, left, width in _diverging_segments(shares, scale):
            label = None if answer in drawn else _answer_label(answer, scale, words)
            drawn.add(answer)
            ax.barh(y, width, left=left, color=colours[answer - lo], edgecolor="white",
                    label=label)
            extent = max(extent, abs(left), abs(left + width))
    ax.set_xlim(-extent * 1.05, extent * 1.05)
    ax.axvline(0, color="0.2", linewidth=1)
    ax.set_yticks(ys, items)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_xlabel(words["likert_x"])
    suffix = f" ({words['synthetic']})" if synthetic else ""
    ax.set_title((title or words["likert_title"]) + suffix)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: int(labels[i].split()[0]))
    ax.legend([handles[i] for i in order], [labels[i] for i in order],
              title=words["answer"] + suffix, loc="upper center",
              bbox_to_anchor=(0.5, -0.2), ncol=hi - lo + 1, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def _answer_label(answer: int, scale: tuple[int, int], words: dict[str, str]) -> str:
    lo, hi = scale
    if answer == lo:
        return f"{answer} {words['low']}"
    if answer == hi:
        return f"{answer} {words['high']}"
    return str(answer)


def _group_name(group: str, lang: str) -> str:
    name = label(group, lang)
    return name.replace("_", " ") if name == group else name


def plot_answer_counts(responses: pd.DataFrame, lang: str | None = None, ax: Axes | None = None,
                       scale: tuple[int, int] = (1, 4), *, pooled: bool = True, synthetic: bool = False,
                       title: str | None = None) -> Figure:
    """Stacked bars of how many gave each answer, per statement and respondent group.

    One bar per statement and group (and, with ``pooled``, one for all
    respondents), its segments the counts of each answer from the lowest
    (left) to the highest; the number of answers is written at the end of
    each bar. Counts, not shares: with a handful of respondents a share hides
    how few people it is.

    Parameters
    ----------
    responses : DataFrame
        Long answers: ``respondent_id, group, item, answer``.
    lang : {"en", "sv"}, optional
        Language of the labels (default: the run's, see :mod:`ebm_analysis.labels`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if omitted.
    scale : (int, int)
        Answer scale.
    pooled : bool
        Add a bar for all respondents under each statement.
    synthetic : bool
        Say "synthetic data" in the title (for made-up answers).
    title : str, optional
        Title; default "Answers per statement and group".

    Returns
    -------
    Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> r = pd.DataFrame({"respondent_id": ["A1", "B1"], "group": ["social_secretaries", "mentors"],
    ...                   "item": ["S1", "S1"], "answer": [4, 2]})
    >>> fig = plot_answer_counts(r, lang="sv", synthetic=True)
    >>> fig.axes[0].get_title(), [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ('Svar per påstående och grupp (SYNTETISKA DATA)', ['S1 · mentors', 'S1 · Socialsekreterare', 'S1 · Alla svarande'])
    """
    lang = lang or current_language()
    lo, hi = scale
    table = distribution_table(responses, scale, pooled=TOTAL_GROUP if pooled else None)
    fig, ax = figure_and_axes(ax, (8, 0.38 * len(table) + 1.9))
    colours = plt.get_cmap("RdBu")(np.linspace(0.1, 0.9, hi - lo + 1))
    ys = -np.arange(len(table), dtype=float) - 0.6 * table["item"].ne(table["item"].shift()).cumsum().to_numpy()
    left = np.zeros(len(table))
    for k, answer in enumerate(range(lo, hi + 1)):
        counts = table[str(answer)].to_numpy(dtype=float)
        name = f"{answer} {label('answer_low', lang)}" if answer == lo else \
            f"{answer} {label('answer_high', lang)}" if answer == hi else str(answer)
        ax.barh(ys, counts, left=left, color=colours[k], edgecolor="white", label=name)
        left += counts
    for y, n in zip(ys, table["n"]):
        ax.text(n + 0.1, y, f"n = {n}", va="center", fontsize=8)
    ax.set_yticks(ys, [f"{i} · {_group_name(g, lang)}" for i, g in zip(table["item"], table["group"])])
    ax.set_xlim(0, max(table["n"].max(), 1) * 1.15)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(label("answers_x", lang))
    suffix = f" ({label('synthetic', lang)})" if synthetic else ""
    ax.set_title((title or label("answers_title", lang)) + suffix)
    ax.legend(title=label("answer", lang), loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8,
              frameon=False)
    fig.tight_layout()
    return fig
