"""The report: the notebooks, a method page and the appendix as offline HTML in English and Swedish, and a PDF.

``make report`` calls :func:`build_report` (``python -m ebm_analysis report``).
The pieces, one module each: :mod:`~ebm_analysis.report.notebooks` (find,
execute, render), :mod:`~ebm_analysis.report.pages` (the page template),
:mod:`~ebm_analysis.report.method` and :mod:`~ebm_analysis.report.appendix`
(pages written from the data), :mod:`~ebm_analysis.report.stamp` (date,
commit, data checksum), :mod:`~ebm_analysis.report.pdf` (printing with
headless Chromium), :mod:`~ebm_analysis.report.scan` (the check for raw
reprs) and :mod:`~ebm_analysis.report.build` (putting it together).
"""

from ebm_analysis.report.build import NOTEBOOKS, REPORTS, Built, build_report, pdf_name
from ebm_analysis.report.notebooks import FINDINGS, NotebookFailed, notebook_paths, part_of
from ebm_analysis.report.pdf import PdfFailed

__all__ = ["FINDINGS", "NOTEBOOKS", "REPORTS", "Built", "NotebookFailed", "PdfFailed", "build_report",
           "notebook_paths", "part_of", "pdf_name"]
