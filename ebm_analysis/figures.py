"""Saving figures reproducibly to the project's ``figures/`` folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from ebm_analysis.labels import current_language

FIGURES = Path(__file__).resolve().parent.parent / "figures"

# No timestamps or random ids in written files, so that re-running changes nothing.
matplotlib.rcParams["svg.hashsalt"] = "ebm-analysis"
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


def save_figure(fig: Figure, name: str, lang: str | None = None,
                formats: tuple[str, ...] = ("png", "svg", "pdf"), folder: Path | None = None) -> list[str]:
    """Write a figure as PNG (for the page) and SVG/PDF (for print).

    English figures go to ``figures/``, Swedish ones to ``figures/sv/``.

    Parameters
    ----------
    fig : Figure
        The figure.
    name : str
        File name without extension, e.g. ``"survey_means"``.
    lang : str, optional
        Label language of the figure (default: the run's language).
    formats : tuple of str
        Any of png, svg, pdf.
    folder : Path, optional
        Where to write (default: the project's ``figures/``).

    Returns
    -------
    list of str
        The written paths, relative to the project root (no absolute paths,
        so that notebook outputs are the same on every machine).

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     save_figure(fig, "demo", lang="sv", formats=("png",), folder=Path(d))
    ['figures/sv/demo.png']
    """
    lang = lang or current_language()
    base = folder or FIGURES
    target = base / "sv" if lang == "sv" else base
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = target / f"{name}.{fmt}"
        fig.savefig(path, format=fmt, dpi=150 if fmt == "png" else None, bbox_inches="tight",
                    metadata=METADATA[fmt])
        written.append(str(Path("figures") / path.relative_to(base)))
    return written
