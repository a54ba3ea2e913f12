"""The table of what survives a trip through other QDA programs: one table, shown in the docs and notebook 05."""

from __future__ import annotations

import json

from conftest import ROOT
from ebm_analysis.refi.survival import TOOLS, survival_markdown, what_survives

DOC = ROOT / "docs" / "interchange.md"


def test_docs_page_holds_the_generated_table():
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- survival table: start -->\n", "<!-- survival table: end -->"
    assert text[text.index(start) + len(start):text.index(end)].strip() == survival_markdown().strip()


def test_every_cell_says_how_it_is_known():
    table = what_survives()
    assert list(table.columns) == ["part", "exported_as", *TOOLS]
    for tool in TOOLS:
        for cell in table[tool]:
            assert cell == "lost" or any(word in cell for word in ("tested", "documented", "reported")), (tool, cell)


def test_readme_links_the_page():
    assert "docs/interchange.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_notebook_05_shows_the_table():
    notebook = json.loads((ROOT / "notebooks" / "05_interchange_and_agreement.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert any("what_survives()" in source for source in sources)
