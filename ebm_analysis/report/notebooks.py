"""Notebooks as report pages: find, classify, execute, and render to static HTML.

The renderer is our own, small and strict, rather than nbconvert's page
template: markdown goes through nbconvert's markdown converter, outputs by
MIME priority (HTML, then PNG, then text). A figure shown with
:func:`ebm_analysis.figures.show_figure` (image output + caption output)
becomes one ``<figure>`` with its alt text and ``<figcaption>``. No scripts,
no network: images stay embedded as data URIs.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from ebm_analysis.figures import FIGURE_KEY

__all__ = ["FINDINGS", "NotebookFailed", "RenderedNotebook", "notebook_paths", "part_of", "execute",
           "render_notebook", "describe"]

#: Notebooks that are findings pages, in reading order. Every other numbered
#: notebook (interchange, the workbench, imports, queries, and any new one
#: until it is listed here) is a tooling page in the appendix.
FINDINGS = ("01_corpus", "02_themes", "03_survey", "04_attendance")


class NotebookFailed(RuntimeError):
    """A notebook raised an error while the report was being built."""


@dataclass
class RenderedNotebook:
    """One notebook rendered for the report."""

    name: str                  # file stem, e.g. "02_themes"
    title: str                 # its first heading
    summary: str               # its first paragraph (plain text)
    body: str                  # HTML of the cells, without the first heading
    headings: list[tuple[int, str, str]] = field(default_factory=list)   # (level, id, text)
    figures: int = 0


def notebook_paths(folder: Path) -> list[Path]:
    """The numbered notebooks (``NN_*.ipynb``) of ``folder``, in reading order."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def part_of(name: str) -> str:
    """``"findings"`` for the notebooks in :data:`FINDINGS`, else ``"appendix"``.

    Examples
    --------
    >>> part_of("03_survey"), part_of("08_queries")
    ('findings', 'appendix')
    """
    return "findings" if name in FINDINGS else "appendix"


# ---------------------------------------------------------------- executing

def execute(path: Path, lang: str, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute a notebook in a fresh kernel (``EBM_LANG`` set to ``lang``); the file is not changed.

    The kernel talks to us over local IPC sockets in a private temporary
    folder, not TCP: nothing listens on a network port, and the kernel has
    no reason to warn that TCP traffic is unencrypted.

    Raises
    ------
    NotebookFailed
        Naming the notebook and the error.
    """
    from traitlets.config import Config

    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("EBM_LANG")
    os.environ["EBM_LANG"] = lang
    try:
        with tempfile.TemporaryDirectory(prefix="ebm-kernel-") as sockets:
            config = Config()
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = os.path.join(sockets, "kernel")
            # the client creates, owns and shuts down the kernel (a kernel manager passed in would be left running)
            NotebookClient(nb, config=config, kernel_name="python3", timeout=timeout, store_widget_state=False,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
    except Exception as exc:  # nbclient raises CellExecutionError, DeadKernelError and others
        if getattr(exc, "ename", None) != "NotThisStudy":
            raise NotebookFailed(f"{path.name} failed while building the report:\n{exc}") from exc
        stopped_at(nb, str(getattr(exc, "evalue", "")))
    finally:
        if env_before is None:
            os.environ.pop("EBM_LANG", None)
        else:
            os.environ["EBM_LANG"] = env_before
    return nb


def stopped_at(nb: nbformat.NotebookNode, message: str) -> None:
    """A notebook stopped by :class:`ebm_analysis.study.NotThisStudy`: its page says why, and ends there.

    The cell that stopped shows the message as a note instead of an error,
    and the cells after it, which did not run, are left out.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("require_study(...)"),
    ...                                      nbformat.v4.new_markdown_cell("## Never run")])
    >>> nb.cells[0].outputs = [nbformat.v4.new_output("error", ename="NotThisStudy", evalue="Lacks x.",
    ...                                              traceback=[])]
    >>> stopped_at(nb, "Lacks x.")
    >>> len(nb.cells), nb.cells[0].outputs[0]["data"]["text/plain"]
    (1, 'Lacks x.')
    """
    for i, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            note = f'<p class="ebm-note ebm-not-this-study">{html.escape(message)}</p>'
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"] + [
                nbformat.v4.new_output("display_data", data={"text/html": note, "text/plain": message})]
            del nb.cells[i + 1:]
            return


# ---------------------------------------------------------------- rendering

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r"<h([1-6])([^>]*)>(.*?)</h\1>", re.DOTALL)
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-")
    return slug or "section"


class _Ids:
    """Unique heading ids within one page."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, text: str) -> str:
        base = _slug(text)[:60].strip("-") or "section"
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate


def _markdown(source: str, ids: _Ids, headings: list[tuple[int, str, str]], prose_lang: str | None) -> str:
    body = _SCRIPT.sub("", _ANCHOR.sub("", markdown2html_mistune(source)))

    def heading(match: re.Match) -> str:
        level, inner = int(match.group(1)), match.group(3)
        text = _plain(inner)
        anchor = ids.new(text)
        headings.append((level, anchor, text))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    body = _HEADING.sub(heading, body)
    lang = f' lang="{prose_lang}"' if prose_lang else ""
    return f'<div class="ebm-prose"{lang}>{body}</div>'


def _figure(output: dict, caption_output: dict | None) -> str:
    meta = output.get("metadata", {})
    info = meta.get(FIGURE_KEY, {})
    alt = meta.get("image/png", {}).get("alt", "")
    png = str(output["data"]["image/png"]).replace("\n", "")
    anchor = "figure-" + re.sub(r"[^\w]+", "-", str(info.get("number", ""))).strip("-")
    caption = ""
    if caption_output is not None:
        caption = caption_output["data"]["text/html"]
        caption = re.sub(r"^<p\b[^>]*>|</p>$", "", caption.strip())
    return (f'<figure class="ebm-figure" id="{anchor}"><img src="data:image/png;base64,{png}" '
            f'alt="{html.escape(alt, quote=True)}"><figcaption>{caption}</figcaption></figure>')


def _is_caption(output: dict | None) -> bool:
    return bool(output) and 'class="ebm-caption"' in str(output.get("data", {}).get("text/html", ""))


def _output(output: dict) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name", "stdout")
        return f'<pre class="ebm-{name}">{html.escape(str(output.get("text", "")).rstrip())}</pre>'
    if kind == "error":
        raise NotebookFailed(f"a cell's saved output is an error ({output.get('ename')}: {output.get('evalue')}); "
                             "re-run the notebook")
    data = output.get("data", {})
    if "text/html" in data:
        return f'<div class="ebm-output">{_SCRIPT.sub("", str(data["text/html"]))}</div>'
    if "image/png" in data:
        alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
        png = str(data["image/png"]).replace("\n", "")
        return f'<div class="ebm-output"><img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}"></div>'
    if "text/markdown" in data:
        return f'<div class="ebm-output">{markdown2html_mistune(str(data["text/markdown"]))}</div>'
    if "text/plain" in data:
        return f'<pre class="ebm-output-text">{html.escape(str(data["text/plain"]))}</pre>'
    return ""


def _outputs(outputs: list[dict]) -> list[str]:
    parts, i = [], 0
    while i < len(outputs):
        out = outputs[i]
        if FIGURE_KEY in out.get("metadata", {}) and "image/png" in out.get("data", {}):
            following = outputs[i + 1] if i + 1 < len(outputs) else None
            parts.append(_figure(out, following if _is_caption(following) else None))
            i += 2 if _is_caption(following) else 1
            continue
        parts.append(_output(out))
        i += 1
    return [p for p in parts if p]


def describe(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, str]:
    """Title (the first heading) and summary (the first paragraph) of a notebook.

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> describe(new_notebook(cells=[new_markdown_cell("# 01 — A title\\n\\nFirst *para*.\\n\\nMore.")]), "x")
    ('01 — A title', 'First para.')
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.strip().splitlines()
        title = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("#")), fallback)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", cell.source)
                      if p.strip() and not p.lstrip().startswith("#")]
        return title, _plain_markdown(paragraphs[0]) if paragraphs else ""
    return fallback, ""


def _plain_markdown(markdown: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)
    text = re.sub(r"(?<!\w)_([^_]+)_(?!\w)", r"\1", text)   # _emphasis_, but not snake_case names
    return re.sub(r"[*`]", "", text)


def render_notebook(nb: nbformat.NotebookNode, name: str, show_code: bool = False,
                    prose_lang: str | None = None) -> RenderedNotebook:
    """A notebook's cells as an HTML fragment, with its headings and figures counted.

    Parameters
    ----------
    nb : NotebookNode
        Executed (or with saved outputs).
    name : str
        Its file stem.
    show_code : bool
        Include the code cells.
    prose_lang : str, optional
        ``lang`` of the markdown cells when it differs from the page's (the
        notebooks' prose is English, also on the Swedish pages).

    Raises
    ------
    NotebookFailed
        When a saved output is an error.
    """
    title, summary = describe(nb, name)
    ids, headings, parts = _Ids(), [], []
    first_heading_dropped = False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = cell.source
            if not first_heading_dropped and source.lstrip().startswith("# "):
                source = source.lstrip().split("\n", 1)[1] if "\n" in source.strip() else ""
                first_heading_dropped = True
            if source.strip():
                parts.append(_markdown(source, ids, headings, prose_lang))
        elif cell.cell_type == "code":
            if show_code and cell.source.strip():
                parts.append(f'<pre class="ebm-code"><code>{html.escape(cell.source)}</code></pre>')
            parts.extend(_outputs(cell.get("outputs", [])))
    body = "\n".join(parts)
    return RenderedNotebook(name, title, summary, body, headings, body.count('<figure class="ebm-figure"'))
