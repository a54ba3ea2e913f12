"""The report as one PDF, printed by headless Chromium (Debian's ``/usr/bin/chromium``).

Chromium lays out the joined pages (:func:`ebm_analysis.report.pages.print_document`)
with the print styles: A4, tables fitted to the page width, page numbers and
the build stamp in the page margins (CSS ``@page`` margin boxes, which
Chromium supports from version 131). Nothing is fetched from the network: the
document is a local file with its images embedded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PdfFailed", "find_chromium", "print_pdf"]

#: Where Debian installs Chromium; ``EBM_CHROMIUM`` names another binary.
CHROMIUM = Path("/usr/bin/chromium")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-quic", "--no-pdf-header-footer",
          "--disable-extensions", "--mute-audio"]


class PdfFailed(RuntimeError):
    """Chromium could not print the report."""


def find_chromium() -> Path:
    """The Chromium binary: ``$EBM_CHROMIUM``, ``/usr/bin/chromium`` or ``chromium`` on the PATH.

    Raises
    ------
    PdfFailed
        With the command that installs it.
    """
    named = os.environ.get("EBM_CHROMIUM")
    for candidate in ([Path(named)] if named else []) + [CHROMIUM]:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium")
    if found:
        return Path(found)
    raise PdfFailed("the PDF is printed by Chromium, which is not installed: run `make browser-deps` "
                    "(apt-get install chromium), or set EBM_CHROMIUM to a Chromium binary")


def print_pdf(html_file: Path, pdf_file: Path, timeout: int = 300) -> Path:
    """Print a local HTML file to PDF with headless Chromium; Chromium's own chatter is kept out of sight.

    Raises
    ------
    PdfFailed
        When Chromium fails or writes no PDF; the message carries its output.
    """
    chromium = find_chromium()
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    partial = pdf_file.with_name(f".{pdf_file.name}.partial")
    with tempfile.TemporaryDirectory(prefix="ebm-chromium-") as profile:
        command = [str(chromium), *_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={partial}",
                   html_file.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired as exc:
            partial.unlink(missing_ok=True)
            raise PdfFailed(f"Chromium did not finish printing {html_file.name} within {timeout} s") from exc
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise PdfFailed(f"Chromium could not print {html_file.name} (exit status {done.returncode}):\n"
                        f"{done.stderr[-2000:]}")
    os.replace(partial, pdf_file)
    return pdf_file
