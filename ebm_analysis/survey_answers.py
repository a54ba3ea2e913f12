"""Per-respondent survey answers: each statement's scale, and the checks of answers against it.

``survey_items.csv`` may give each statement its answer scale
(``scale_min``, ``scale_max``; the EBM survey is 1–4). ``survey_responses.csv``
holds one row per respondent x statement (see :mod:`ebm_analysis.schema`),
written by ``python -m ebm_analysis import-survey`` (:mod:`ebm_analysis.survey_import`).
The loader (:mod:`ebm_analysis.project`) runs the checks below on every load:

* a statement's scale is both ends or neither, lowest below highest;
* every answer lies on its statement's scale, and a statement with answers has a scale;
* each respondent belongs to one group.

Examples
--------
>>> import pandas as pd
>>> items = pd.DataFrame({"item": ["S1", "S2"], "scale_min": [1, 0], "scale_max": [4, 10]})
>>> item_scales(items)
{'S1': (1, 4), 'S2': (0, 10)}
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from ebm_analysis.errors import DataError, Problem, excerpt
from ebm_analysis.schema import Table

__all__ = ["item_scales", "common_scale", "scale_text", "check_item_scales",
           "check_answers_on_item_scale", "check_one_group_per_respondent"]

Scale = tuple[int, int]
ITEMS_FILE = "survey_items.csv"


def _value(v) -> int | None:
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else int(v)


def item_scales(items: pd.DataFrame) -> dict[str, Scale | None]:
    """Each statement's answer scale, from ``scale_min`` and ``scale_max`` of the items table.

    Parameters
    ----------
    items : DataFrame
        ``survey_items`` (columns ``item``, and ``scale_min``, ``scale_max`` if known).

    Returns
    -------
    dict
        ``{item: (lowest, highest)}``; None for a statement without a (valid) scale.

    Examples
    --------
    >>> item_scales(pd.DataFrame({"item": ["S1"], "scale_min": [pd.NA], "scale_max": [pd.NA]}))
    {'S1': None}
    """
    out: dict[str, Scale | None] = {}
    if "scale_min" not in items.columns or "scale_max" not in items.columns:
        return {str(i): None for i in items["item"].tolist()}
    for item, lo, hi in zip(items["item"].tolist(), items["scale_min"].tolist(), items["scale_max"].tolist()):
        lo, hi = _value(lo), _value(hi)
        out[str(item)] = (lo, hi) if lo is not None and hi is not None and lo < hi else None
    return out


def scale_text(item: str, scale: Scale | None) -> str:
    """How a message states what an answer to ``item`` must be.

    Examples
    --------
    >>> scale_text("S1", (1, 4))
    'expected a whole number from 1 to 4 (the scale of S1 in survey_items.csv)'
    """
    if scale is None:
        return (f"a scale for {item}: give scale_min and scale_max for {item} in {ITEMS_FILE} "
                "(e.g. 1 and 4)")
    return f"expected a whole number from {scale[0]} to {scale[1]} (the scale of {item} in {ITEMS_FILE})"


def common_scale(items: pd.DataFrame, default: Scale | None = None) -> Scale:
    """The one scale every statement shares, for summaries that pool statements.

    Parameters
    ----------
    items : DataFrame
        ``survey_items``.
    default : (int, int), optional
        Used when no statement gives a scale (e.g. an items file from before
        the scale columns existed).

    Returns
    -------
    (int, int)

    Raises
    ------
    DataError
        When the statements' scales differ, or none is given and there is no default.

    Examples
    --------
    >>> common_scale(pd.DataFrame({"item": ["S1", "S2"], "scale_min": [1, 1], "scale_max": [4, 4]}))
    (1, 4)
    """
    scales = {s for s in item_scales(items).values() if s is not None}
    if len(scales) == 1:
        return scales.pop()
    if not scales and default is not None:
        return default
    found = "no scale" if not scales else "the scales " + ", ".join(f"{a}–{b}" for a, b in sorted(scales))
    raise DataError(Problem(ITEMS_FILE, None, "scale_min, scale_max", found,
                            "expected one scale shared by every statement (summaries pool the statements); "
                            "give scale_min and scale_max for each"))


def check_item_scales(table: Table, frame: pd.DataFrame, lines: list[int], frames: dict) -> Iterator[Problem]:
    """Loader check of survey_items.csv: both ends of a scale or neither, lowest below highest.

    Examples
    --------
    >>> from ebm_analysis.schema import TABLES_BY_NAME
    >>> items = pd.DataFrame({"item": ["S1", "S2"], "scale_min": [1, 4], "scale_max": [pd.NA, 4]})
    >>> for p in check_item_scales(TABLES_BY_NAME["survey_items"], items, [2, 3], {}): print(p)
    survey_items.csv, line 2, column 'scale_max': found an empty cell; give both scale_min and scale_max, or leave both empty
    survey_items.csv, line 3, column 'scale_max': found 4, not above scale_min 4; expected scale_min < scale_max, e.g. 1 and 4
    """
    for i, (lo, hi) in enumerate(zip(frame["scale_min"].tolist(), frame["scale_max"].tolist())):
        lo, hi = _value(lo), _value(hi)
        if (lo is None) != (hi is None):
            column = "scale_max" if hi is None else "scale_min"
            yield Problem(table.file, lines[i], column, "an empty cell",
                          "give both scale_min and scale_max, or leave both empty")
        elif lo is not None and lo >= hi:
            yield Problem(table.file, lines[i], "scale_max", f"{hi}, not above scale_min {lo}",
                          "expected scale_min < scale_max, e.g. 1 and 4")


def check_answers_on_item_scale(table: Table, frame: pd.DataFrame, lines: list[int],
                                frames: dict) -> Iterator[Problem]:
    """Loader check of survey_responses.csv: every answer on its statement's scale.

    Examples
    --------
    >>> from ebm_analysis.schema import TABLES_BY_NAME
    >>> items = pd.DataFrame({"item": ["S1"], "scale_min": [1], "scale_max": [4]})
    >>> answers = pd.DataFrame({"item": ["S1", "S1"], "answer": [4, 5]})
    >>> for p in check_answers_on_item_scale(TABLES_BY_NAME["survey_responses"], answers, [2, 3],
    ...                                      {"survey_items": items}): print(p)
    survey_responses.csv, line 3, column 'answer': found 5 for 'S1'; expected a whole number from 1 to 4 (the scale of S1 in survey_items.csv)
    """
    if "survey_items" not in frames or frame.empty:
        return
    scales = item_scales(frames["survey_items"])
    for i, (item, answer) in enumerate(zip(frame["item"].tolist(), frame["answer"].tolist())):
        if item not in scales:          # an unknown item is reported by the reference check
            continue
        scale = scales[item]
        if scale is None:
            yield Problem(table.file, lines[i], "answer", f"{answer} for {excerpt(item)}, which has no scale",
                          scale_text(item, None))
        elif not scale[0] <= answer <= scale[1]:
            yield Problem(table.file, lines[i], "answer", f"{answer} for {excerpt(item)}", scale_text(item, scale))


def check_one_group_per_respondent(table: Table, frame: pd.DataFrame, lines: list[int],
                                   frames: dict) -> Iterator[Problem]:
    """Loader check of survey_responses.csv: a respondent is in one group on every row.

    Examples
    --------
    >>> from ebm_analysis.schema import TABLES_BY_NAME
    >>> answers = pd.DataFrame({"respondent_id": ["R1", "R1"], "group": ["mentors", "others"]})
    >>> for p in check_one_group_per_respondent(TABLES_BY_NAME["survey_responses"], answers, [2, 3], {}): print(p)
    survey_responses.csv, line 3, column 'group': found 'others' for 'R1', who is 'mentors' on line 2; expected one group per respondent
    """
    first: dict[str, tuple[str, int]] = {}
    for i, (who, group) in enumerate(zip(frame["respondent_id"].tolist(), frame["group"].tolist())):
        if who not in first:
            first[who] = (group, lines[i])
        elif first[who][0] != group:
            yield Problem(table.file, lines[i], "group",
                          f"{excerpt(group)} for {excerpt(who)}, who is {excerpt(first[who][0])} "
                          f"on line {first[who][1]}", "expected one group per respondent")
