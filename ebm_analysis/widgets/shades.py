"""Display colours of codes: every sub-code its own shade of its parent's colour.

The EBM codebook gives all sub-codes of a theme one colour (a lighter tint
of the theme's), so in a segment with two sub-codes of the same theme the
highlights could not be told apart. :func:`code_colors` keeps a top-level
code's codebook colour and gives each sub-code a distinct shade of its
parent's: lighter than the parent, the siblings spread in lightness and
turned a little in hue. A sub-code keeps a colour of its own when the
codebook gives it one that no sibling and not its parent shares.

Only the screen uses these colours; the codebook is not changed.
"""

from __future__ import annotations

import colorsys
import re

import pandas as pd

__all__ = ["DEFAULT_COLOR", "code_colors", "shade"]

#: The colour of a code without a (valid) codebook colour.
DEFAULT_COLOR = "#bbbbbb"
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def _valid(value) -> str | None:
    value = str(value) if value is not None and not pd.isna(value) else ""
    return value.lower() if _HEX.fullmatch(value) else None


def shade(color: str, index: int, count: int) -> str:
    """Shade ``index`` (0-based) of ``count`` sibling shades derived from ``color``.

    Shades are lighter than ``color`` (lightness spread over about a quarter
    of the scale, never paler than 0.86) and turned in hue by ±6° per
    step away from the middle sibling. Lightness goes by every other
    sibling (0, 2, 4, …, then 1, 3, …), so that neighbours in the codebook,
    which hue alone would keep close, differ in lightness by two steps or
    more.

    Parameters
    ----------
    color : str
        ``#rrggbb``.
    index, count : int
        Which sibling, of how many.

    Returns
    -------
    str
        ``#rrggbb`` (lower case).

    Examples
    --------
    >>> shade("#1f77b4", 0, 1)
    '#57a9e2'
    >>> len({shade("#1f77b4", i, 5) for i in range(5)})
    5
    """
    r, g, b = (int(color[k:k + 2], 16) / 255 for k in (1, 3, 5))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    top = min(light + 0.32, 0.86)
    low = min(light + 0.08, top - 0.04)
    step = 0.0 if count <= 1 else (top - low) / (count - 1)
    order = [*range(0, count, 2), *range(1, count, 2)]
    new_light = (low + top) / 2 if count <= 1 else low + order.index(index) * step
    new_hue = (hue + (index - (count - 1) / 2) * (6 / 360)) % 1.0
    r, g, b = colorsys.hls_to_rgb(new_hue, new_light, min(sat, 0.85))
    return "#" + "".join(f"{round(v * 255):02x}" for v in (r, g, b))


def code_colors(codebook: pd.DataFrame) -> dict[str, str]:
    """The colour each code is shown in: ``code_id -> "#rrggbb"``.

    Parameters
    ----------
    codebook : DataFrame
        ``code_id``, ``parent_id`` and optionally ``color``.

    Returns
    -------
    dict
        Top-level codes: their codebook colour (:data:`DEFAULT_COLOR`
        without a valid one). Sub-codes: their own codebook colour when no
        sibling and not the parent has it, else a :func:`shade` of the
        parent's display colour by their place among the siblings (codebook
        order). Deeper levels follow the same rule.

    Examples
    --------
    >>> book = pd.DataFrame({"code_id": ["a", "a1", "a2", "b", "b1"],
    ...                      "parent_id": [None, "a", "a", None, "b"],
    ...                      "color": ["#1f77b4", "#79b0d9", "#79b0d9", "#d62728", "#00ff00"]})
    >>> colors = code_colors(book)
    >>> colors["a"], colors["b1"]
    ('#1f77b4', '#00ff00')
    >>> colors["a1"] != colors["a2"] and colors["a1"] != colors["a"]
    True
    """
    book = codebook.reset_index(drop=True)
    own = {c: _valid(col) for c, col in zip(book["code_id"], book["color"] if "color" in book.columns
                                            else [None] * len(book))}
    parents = book["parent_id"] if "parent_id" in book.columns else [None] * len(book)
    parent = {c: (p if pd.notna(p) and p in own and p != c else None) for c, p in zip(book["code_id"], parents)}
    children: dict[str | None, list[str]] = {}
    for code in book["code_id"]:
        children.setdefault(parent[code], []).append(code)
    colors: dict[str, str] = {}
    todo = [(code, None) for code in children.get(None, [])]
    while todo:
        code, up = todo.pop(0)
        if up is None:
            colors[code] = own[code] or DEFAULT_COLOR
        else:
            siblings = children[up]
            taken = [own[s] for s in siblings if s != code] + [own[up], colors[up]]
            mine = own[code]
            colors[code] = mine if mine and mine not in taken else shade(colors[up], siblings.index(code),
                                                                          len(siblings))
        todo += [(child, code) for child in children.get(code, [])]
    for code in own:  # codes in a parent cycle: their own colour or grey
        colors.setdefault(code, own[code] or DEFAULT_COLOR)
    return colors
