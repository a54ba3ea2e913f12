"""Figures: saved reproducibly to ``figures/``, shown numbered, captioned and with alt text.

:func:`save_figure` writes PNG/SVG/PDF files. :func:`show_figure` saves a
figure and shows it in the notebook as two outputs: the image (its alt text
in the output's metadata, where nbconvert puts it on the ``<img>``) and the
numbered caption under it. The report (:mod:`ebm_analysis.report`) joins the
two into one HTML ``<figure>`` with a ``<figcaption>``.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ebm_analysis.atomic import write_bytes_atomic
from ebm_analysis.errors import DataError, Problem
from ebm_analysis.labels import LANGUAGES, current_language

FIGURES = Path(__file__).resolve().parent.parent / "figures"


def figures_dir() -> Path:
    """Where figures of the current data folder go: ``figures/`` beside it.

    For the bundled EBM data that is the repository's ``figures/``; when
    ``EBM_DATA_DIR`` names another study's data folder (or a copy), its
    figures go to the ``figures/`` folder next to that data folder, so that
    running the notebooks on other data never replaces the EBM figures.

    Examples
    --------
    >>> figures_dir() == FIGURES  # the bundled data
    True
    """
    from ebm_analysis.project import BUNDLED_DATA, default_data_dir

    data = default_data_dir().resolve()
    return FIGURES if data == BUNDLED_DATA.resolve() else data.parent / "figures"

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
        Where to write (default: :func:`figures_dir`, the ``figures/`` beside
        the data folder in use).

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
    base = folder or figures_dir()
    target = base / "sv" if lang == "sv" else base
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = target / f"{name}.{fmt}"
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else None, bbox_inches="tight",
                    metadata=METADATA[fmt])
        # whole or not at all: a reader (the report, a second run) never sees half a figure
        write_bytes_atomic(path, buffer.getvalue(), keep_previous=False)
        written.append(str(Path("figures") / path.relative_to(base)))
    return written


#: Key of the image output's metadata that marks a figure shown by :func:`show_figure`.
FIGURE_KEY = "ebm_figure"
_WORD = {"en": "Figure", "sv": "Figur"}


@dataclass
class CaptionedFigure:
    """A figure as shown: PNG, number, caption and alt text (see :func:`show_figure`)."""

    png: str
    number: str
    caption: str
    alt: str
    lang: str

    @property
    def label(self) -> str:
        """"Figure 2.1" ("Figur 2.1" in Swedish)."""
        return f"{_WORD[self.lang]} {self.number}"

    def image_bundle(self) -> tuple[dict, dict]:
        """The image output: data and metadata (alt text for nbconvert, the figure's number and caption)."""
        data = {"image/png": self.png, "text/plain": f"{self.label}: {self.alt}"}
        meta = {"image/png": {"alt": self.alt},
                FIGURE_KEY: {"number": self.number, "label": self.label, "caption": self.caption}}
        return data, meta

    def caption_html(self) -> str:
        """The caption as an HTML paragraph."""
        return (f'<p class="ebm-caption" data-figure="{html.escape(self.number)}">'
                f"<b>{html.escape(self.label)}.</b> {html.escape(self.caption)}</p>")

    def caption_bundle(self) -> dict:
        """The caption output: HTML and plain text."""
        return {"text/html": self.caption_html(), "text/plain": f"{self.label}. {self.caption}"}

    def _ipython_display_(self) -> None:
        from IPython.display import publish_display_data

        data, meta = self.image_bundle()
        publish_display_data(data, metadata=meta)
        publish_display_data(self.caption_bundle())

    def __repr__(self) -> str:
        return f"{self.label}: {self.alt}\n{self.label}. {self.caption}"


def _in_language(text: str | Mapping[str, str] | None, lang: str, what: str, name: str) -> str:
    if isinstance(text, Mapping):
        text = text.get(lang) or text.get("en")
    if not text or not str(text).strip():
        raise DataError(Problem("(figure)", None, what, f"no {what} for figure {name!r}",
                                f"expected a {what}: pass {what}= (text, or {{'en': …, 'sv': …}}) or add one to "
                                "ebm_analysis.plotting.captions.CAPTIONS"))
    return " ".join(str(text).split())


def show_figure(fig: Figure, name: str, number: str, *, caption: str | Mapping[str, str] | None = None,
                alt: str | Mapping[str, str] | None = None, lang: str | None = None, save: bool = True,
                folder: Path | None = None) -> CaptionedFigure:
    """Save a figure and show it numbered, captioned and with alt text.

    Parameters
    ----------
    fig : Figure
        The figure (closed afterwards, so that it is not shown twice).
    name : str
        File name without extension (see :func:`save_figure`); also the key
        of its default caption in :data:`ebm_analysis.plotting.captions.CAPTIONS`.
    number : str
        The figure's number in the report, e.g. ``"2.1"`` (notebook 02, first figure).
    caption, alt : str or mapping, optional
        Caption (what the figure shows and how to read it) and alt text (what
        a reader who cannot see it needs), as text or ``{"en": …, "sv": …}``;
        default: the figure's entry in ``CAPTIONS``.
    lang : {"en", "sv"}, optional
        Language of caption and label (default: the run's).
    save : bool, default True
        Also write the PNG/SVG/PDF files.
    folder : Path, optional
        Where to write (default: :func:`figures_dir`, the ``figures/`` beside
        the data folder in use).

    Returns
    -------
    CaptionedFigure
        Shown in a notebook when it is the cell's result (image, then caption).

    Raises
    ------
    DataError
        When the figure has no caption or no alt text.

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     shown = show_figure(fig, "demo", "1.1", caption="A demo.", alt="An empty plot.", lang="en",
    ...                         folder=Path(d))
    >>> shown
    Figure 1.1: An empty plot.
    Figure 1.1. A demo.
    >>> shown.caption_html()
    '<p class="ebm-caption" data-figure="1.1"><b>Figure 1.1.</b> A demo.</p>'
    """
    from ebm_analysis.plotting.captions import CAPTIONS

    lang = lang or current_language()
    if lang not in LANGUAGES:
        raise DataError(Problem("(arguments)", None, "lang", repr(lang), "expected 'en' or 'sv'"))
    entry = CAPTIONS.get(name, {})
    caption = _in_language(caption if caption is not None else {k: v["caption"] for k, v in entry.items()},
                           lang, "caption", name)
    alt = _in_language(alt if alt is not None else {k: v["alt"] for k, v in entry.items()}, lang, "alt text", name)
    if save:
        save_figure(fig, name, lang=lang, folder=folder)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata=METADATA["png"])
    plt.close(fig)
    return CaptionedFigure(base64.b64encode(buffer.getvalue()).decode("ascii"), str(number), caption, alt, lang)

