"""``make report``: execute every notebook, write figures/ and an offline HTML report.

Each notebook in ``notebooks/`` is executed in a fresh kernel (a copy, so the
committed notebooks are not touched), then rendered to static HTML in
``reports/`` with an index page. The pages load nothing from the network: no
scripts at all, styles inline, figures embedded as data URIs.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"

STYLE = """
body { font-family: Georgia, 'DejaVu Serif', serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
h1, h2, h3 { font-family: 'DejaVu Sans', Arial, sans-serif; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; display: block; max-width: 100%;
        overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.4rem; vertical-align: top; text-align: left; }
img { max-width: 100%; }
pre { background: #f6f6f6; padding: 0.5rem; overflow-x: auto; font-size: 0.8rem; white-space: pre-wrap;
      overflow-wrap: anywhere; }
.jp-InputArea, .input { background: #f6f6f6; }
nav a { margin-right: 1rem; }
.anchor-link { display: none; }
.card { border: 1px solid #ddd; padding: 1rem; margin: 1rem 0; }
.card img { max-height: 22rem; }
"""


class NotebookFailed(RuntimeError):
    """A notebook raised an error while the report was being built."""


@dataclass
class RenderedNotebook:
    """One notebook of the report."""

    name: str
    title: str
    summary: str
    html_file: str
    first_figure: str | None


def notebook_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks in reading order (by their number prefix)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def execute(path: Path, lang: str, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute a notebook in a fresh kernel, with ``EBM_LANG`` set for its labels."""
    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("EBM_LANG")
    os.environ["EBM_LANG"] = lang
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except Exception as exc:  # nbclient raises CellExecutionError and others
        raise NotebookFailed(f"{path.name} failed while building the report:\n{exc}") from exc
    finally:
        if env_before is None:
            os.environ.pop("EBM_LANG", None)
        else:
            os.environ["EBM_LANG"] = env_before
    return nb


def render(nb: nbformat.NotebookNode, title: str, show_code: bool) -> str:
    """Static HTML for an executed notebook: no scripts, no network."""
    exporter = HTMLExporter(template_name="basic", exclude_input=not show_code,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    body = re.sub(r"<script\b.*?</script>", "", body, flags=re.DOTALL | re.IGNORECASE)
    return page(title, f"<nav><a href='index.html'>Index</a></nav>\n{body}")


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n")


def describe(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, str]:
    """Title (first heading) and summary (first paragraph) of a notebook."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.strip().splitlines()
        title = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("#")), fallback)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", cell.source) if p.strip() and not p.lstrip().startswith("#")]
        return title, (paragraphs[0] if paragraphs else "")
    return fallback, ""


def first_figure(nb: nbformat.NotebookNode) -> str | None:
    """The first PNG output of a notebook, as base64."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                return data["image/png"].replace("\n", "")
    return None


def index_page(items: list[RenderedNotebook], lang: str) -> str:
    cards = []
    for it in items:
        fig = (f"<p><a href='{it.html_file}'><img alt='Key figure of {html.escape(it.title)}' "
               f"src='data:image/png;base64,{it.first_figure}'></a></p>" if it.first_figure else "")
        cards.append(f"<div class='card'><h2><a href='{it.html_file}'>{html.escape(it.title)}</a></h2>"
                     f"<p>{html.escape(_plain(it.summary))}</p>{fig}</div>")
    intro = ("<p>The analysis of the evaluation of the pilot <i>Erfarenhetsbaserat Mentorskap</i> (EBM, "
             "Helsingborg 2015–2016), rendered from the project's notebooks. Every table and figure is "
             "computed from the plain-text data in <code>data/</code>; figure labels: "
             f"{'Swedish' if lang == 'sv' else 'English'}.</p>")
    return page("EBM analysis — report", f"<h1>EBM analysis — report</h1>\n{intro}\n" + "\n".join(cards))


def _plain(markdown: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)
    text = re.sub(r"(?<!\w)_([^_]+)_(?!\w)", r"\1", text)   # _emphasis_, but not snake_case names
    return re.sub(r"[*`]", "", text)


def build_report(lang: str = "en", show_code: bool = False, notebooks: list[Path] | None = None,
                 out: Path = REPORTS) -> list[RenderedNotebook]:
    """Execute every notebook and write ``reports/`` (one page each and ``index.html``).

    Parameters
    ----------
    lang : {"en", "sv"}
        Label language for figures.
    show_code : bool
        Include code cells in the HTML.
    notebooks : list of Path, optional
        Default: every numbered notebook in ``notebooks/``.
    out : Path
        Output folder.

    Raises
    ------
    NotebookFailed
        If any notebook fails; no index page is written then.
    """
    out.mkdir(parents=True, exist_ok=True)
    items = []
    for path in notebooks or notebook_paths():
        print(f"executing {path.name} ...", flush=True)
        nb = execute(path, lang)
        title, summary = describe(nb, path.stem)
        html_file = f"{path.stem}.html"
        (out / html_file).write_text(render(nb, title, show_code), encoding="utf-8")
        items.append(RenderedNotebook(path.stem, title, summary, html_file, first_figure(nb)))
    (out / "index.html").write_text(index_page(items, lang), encoding="utf-8")
    print(f"wrote {len(items)} notebook page(s) and index.html to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}/")
    return items
