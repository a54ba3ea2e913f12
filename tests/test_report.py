"""The offline HTML report: structure (fast) and a real-browser screenshot of the index."""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image

from conftest import ARTIFACTS
from ebm_analysis import report

PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def tiny_notebook():
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# A title\n\nThe first paragraph, with *emphasis*.\n\nMore."),
                new_code_cell("x = 1", outputs=[new_output("display_data", data={"image/png": PNG_1PX, "text/plain": "fig"})])]
    return nb


def test_describe_takes_heading_and_first_paragraph():
    assert report.describe(tiny_notebook(), "fallback") == ("A title", "The first paragraph, with *emphasis*.")


def test_first_figure_found():
    assert report.first_figure(tiny_notebook()) == PNG_1PX


def test_rendered_page_has_no_script_and_no_network(tmp_path):
    html = report.render(tiny_notebook(), "A title", show_code=False)
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["']https?://""", html)
    text = lambda page: re.sub(r"<[^>]+>", "", page)  # noqa: E731
    assert "x = 1" not in text(html)
    assert "x = 1" in text(report.render(tiny_notebook(), "A title", show_code=True))


def test_index_summary_keeps_code_names():
    items = [report.RenderedNotebook("06_w", "W", "Logic is in `ebm_analysis.widgets`, *tested* _there_.", "06_w.html", None)]
    assert "Logic is in ebm_analysis.widgets, tested there." in report.index_page(items, "en")


def test_index_page_links_every_notebook():
    items = [report.RenderedNotebook("01_a", "First", "Sum <one>", "01_a.html", PNG_1PX),
             report.RenderedNotebook("02_b", "Second", "Sum two", "02_b.html", None)]
    html = report.index_page(items, "sv")
    assert "href='01_a.html'" in html and "href='02_b.html'" in html
    assert "Sum &lt;one&gt;" in html and "Swedish" in html
    assert html.count("<img") == 1


def test_failing_notebook_fails_loudly(tmp_path):
    nb = new_notebook(cells=[new_code_cell("raise RuntimeError('boom')")])
    path = tmp_path / "01_broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(report.NotebookFailed, match="01_broken.ipynb"):
        report.build_report(notebooks=[path], out=tmp_path / "out")
    assert not (tmp_path / "out" / "index.html").exists()


@pytest.fixture(scope="module")
def built_report(tmp_path_factory):
    """The real report, built from every notebook into a temporary folder."""
    out = tmp_path_factory.mktemp("reports")
    report.build_report(lang="en", out=out)
    return out


def test_report_has_a_page_per_notebook(built_report):
    pages = sorted(p.name for p in built_report.glob("*.html"))
    expected = sorted(p.stem + ".html" for p in report.notebook_paths()) + ["index.html"]
    assert pages == sorted(expected)
    for page in built_report.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), page.name
        assert not re.search(r"""(src|href)=["']https?://""", html), page.name
        assert not re.search(r"/(root|home|work|tmp)/", html), page.name


def test_index_screenshot_offline(built_report, browser):
    """Open the index in headless Chromium with the network cut off; screenshot it."""
    blocked = []
    context = browser.new_context(viewport={"width": 1200, "height": 1600})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                  else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.goto((built_report / "index.html").as_uri())
    page.wait_for_load_state("load")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-index.png"
    page.screenshot(path=str(shot), full_page=True)
    figures = page.locator("img[alt^='Key figure']")
    assert figures.count() >= 1
    widths = figures.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 100 for w in widths), widths
    assert figures.first.is_visible()
    context.close()
    assert blocked == []
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.std() > 10, "the screenshot is blank"
    assert (pixels < 128).mean() > 0.01, "almost no dark pixels: no text or figure drawn"


def test_notebook_page_offline_in_browser(built_report, browser):
    blocked = []
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                  else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.goto((built_report / "03_survey.html").as_uri())
    assert "The survey" in page.locator("h1").first.inner_text()
    assert page.locator("table").count() >= 3
    broken = page.locator("img").evaluate_all("imgs => imgs.filter(i => !i.complete || i.naturalWidth == 0).length")
    assert broken == 0
    context.close()
    assert blocked == []
