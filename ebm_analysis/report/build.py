"""``make report``: execute the notebooks, assemble the pages, write ``reports/`` and the PDF.

Layout of the output::

    reports/index.html            the two languages, each with its PDF
    reports/en/index.html         contents: findings, method, appendix
    reports/en/01_corpus.html …   one page per notebook, method and appendix page
    reports/en/print.html         every page joined, as printed
    reports/en/ebm-report-en.pdf  the whole report
    reports/sv/…                  the same in Swedish (lang="sv")

Nothing is written until every page of every language has been rendered, so
a failing notebook leaves the previous report as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ebm_analysis import __version__
from ebm_analysis.labels import LANGUAGES
from ebm_analysis.project import Project, default_data_dir, load_project
from ebm_analysis.report import appendix, method, pdf
from ebm_analysis.report.notebooks import RenderedNotebook, execute, notebook_paths, part_of, render_notebook
from ebm_analysis.report.pages import Page, index_page, print_document, render_page, root_index
from ebm_analysis.report.stamp import BuildStamp, build_stamp
from ebm_analysis.report.texts import ui

__all__ = ["ROOT", "NOTEBOOKS", "REPORTS", "Built", "assemble", "build_report", "pdf_name"]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class Built:
    """What :func:`build_report` wrote for one language."""

    lang: str
    folder: Path
    pages: list[Page]
    pdf: Path | None
    stamp: BuildStamp


def pdf_name(lang: str) -> str:
    """The file name of the report's PDF in ``lang``."""
    return f"ebm-report-{lang}.pdf"


def _key_figure(body: str) -> str | None:
    match = re.search(r'<figure class="ebm-figure"[^>]*>(<img [^>]*>)', body)
    return match.group(1) if match else None


def _notebook_page(nb: RenderedNotebook) -> Page:
    return Page(nb.name, nb.title, part_of(nb.name), nb.body, nb.headings, nb.summary, figures=nb.figures,
                key_figure=_key_figure(nb.body))


def assemble(notebooks: list[RenderedNotebook], project: Project, lang: str, readme: Path) -> list[Page]:
    """The report's pages in reading order: findings, method, then the appendix.

    The appendix is the codebook (A), the data dictionary (B), the tooling
    notebooks in their numbered order (C, D, …) and the references (last).
    """
    pages = [_notebook_page(nb) for nb in notebooks if part_of(nb.name) == "findings"]
    title, body, headings = method.method_page(project, lang)
    pages.append(Page("method", title, "method", body, headings, _first_sentence(body)))
    extra = []
    title, body, headings = appendix.codebook_page(project, lang)
    extra.append(Page("codebook", title, "appendix", body, headings, _first_sentence(body)))
    title, body, headings = appendix.data_dictionary_page(project, readme, lang)
    extra.append(Page("data-dictionary", title, "appendix", body, headings, _first_sentence(body)))
    extra += [_notebook_page(nb) for nb in notebooks if part_of(nb.name) == "appendix"]
    title, body, headings = appendix.references_page(lang)
    extra.append(Page("references", title, "appendix", body, headings, _first_sentence(body)))
    for letter, page in zip(_LETTERS, extra):
        page.label = ui(lang, "appendix_letter", letter=letter)
    return pages + extra


def _first_sentence(body: str) -> str:
    match = re.search(r"<p>(.*?)</p>", body, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", "", match.group(1)) if match else ""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return first


def _render_notebooks(paths: list[Path], lang: str, show_code: bool, run: bool) -> list[RenderedNotebook]:
    out = []
    for path in paths:
        if run:
            print(f"executing {path.name} ({lang}) ...", flush=True)
            nb = execute(path, lang)
        else:
            nb = nbformat.read(path, as_version=4)
        out.append(render_notebook(nb, path.stem, show_code, prose_lang="en" if lang != "en" else None))
    return out


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def build_report(langs: tuple[str, ...] | list[str] = LANGUAGES, *, show_code: bool = False, run: bool = True,
                 out: Path = REPORTS, notebooks: list[Path] | None = None, data_dir: Path | None = None,
                 make_pdf: bool = True, root: Path = ROOT) -> dict[str, Built]:
    """Build the report in each language of ``langs`` into ``out/<lang>/``, and ``out/index.html``.

    Parameters
    ----------
    langs : sequence of {"en", "sv"}
        The languages to build (default both). The labels of tables and
        figures follow the language; the notebooks' prose is English in both.
    show_code : bool
        Include the code cells.
    run : bool, default True
        Execute every notebook in a fresh kernel (``EBM_LANG`` set to the
        language). ``False`` renders the notebooks' saved outputs instead
        (fast; the saved outputs are the English ones that nbval checks),
        and the build stamp says so.
    out : Path
        Output folder (``reports/``).
    notebooks : list of Path, optional
        Default: every ``NN_*.ipynb`` in ``notebooks/``.
    data_dir : Path, optional
        The data folder the notebooks read (default :func:`default_data_dir`),
        for the method page, the appendix and the stamp's checksum.
    make_pdf : bool, default True
        Print the whole report to ``out/<lang>/ebm-report-<lang>.pdf`` with
        headless Chromium.
    root : Path
        The project checkout (for the commit in the stamp).

    Returns
    -------
    dict
        Language → :class:`Built`.

    Raises
    ------
    NotebookFailed
        If a notebook fails; nothing is written then.
    PdfFailed
        If Chromium is missing or cannot print.
    DataError
        If the data folder does not load.
    """
    langs = list(dict.fromkeys(langs))
    bad = [lang for lang in langs if lang not in LANGUAGES]
    if bad or not langs:
        raise ValueError(f"report languages must be among {', '.join(LANGUAGES)}, not {bad or 'none'}")
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    project = load_project(data_dir)
    paths = notebooks if notebooks is not None else notebook_paths(NOTEBOOKS)
    stamp = build_stamp(root, data_dir, executed=run)
    assembled = {lang: assemble(_render_notebooks(paths, lang, show_code, run), project, lang,
                                data_dir / "README.md") for lang in langs}
    built = {}
    for lang, pages in assembled.items():
        folder = out / lang
        other = next((o for o in LANGUAGES if o != lang and (o in assembled or (out / o / "index.html").exists())),
                     None)
        for i, page in enumerate(pages):
            _write(folder / page.file, render_page(
                page, lang=lang, stamp=stamp, version=__version__, previous=pages[i - 1] if i else None,
                following=pages[i + 1] if i + 1 < len(pages) else None, other_language=other))
        printed = None
        if make_pdf:
            _write(folder / "print.html", print_document(pages, lang=lang, stamp=stamp, version=__version__))
            printed = pdf.print_pdf(folder / "print.html", folder / pdf_name(lang))
        _write(folder / "index.html", index_page(pages, lang=lang, stamp=stamp, version=__version__,
                                                 pdf_name=pdf_name(lang) if printed else None, other_language=other))
        built[lang] = Built(lang, folder, pages, printed, stamp)
    present = {lang: (pdf_name(lang) if (out / lang / pdf_name(lang)).exists() else None)
               for lang in LANGUAGES if (out / lang / "index.html").exists()}
    _write(out / "index.html", root_index(present, stamp))
    where = out.relative_to(root) if out.is_relative_to(root) else out
    for lang, b in built.items():
        print(f"wrote {len(b.pages)} pages{' and the PDF' if b.pdf else ''} to {where}/{lang}/", flush=True)
    return built
