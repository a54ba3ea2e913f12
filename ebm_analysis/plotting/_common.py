"""Helpers shared by the plotting modules (private)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def figure_and_axes(ax: Axes | None, size: tuple[float, float], layout: str | None = None) -> tuple[Figure, Axes]:
    """The figure of ``ax``, or a new figure of ``size`` inches with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout=layout)
    return fig, ax
