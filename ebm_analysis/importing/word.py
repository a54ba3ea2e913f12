"""Word documents (``.docx``), read with python-docx.

Every paragraph of the body, in order, is a block, also the paragraphs inside
table cells (transcripts are often typed into a table). Headers, footers,
footnotes and comments are not read. A file that is not a .docx (an old
binary ``.doc``, a renamed file, a cut download) is refused by name.
"""

from __future__ import annotations

import io
import zipfile

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.importing.blocks import Block, clean

_OLE = b"\xd0\xcf\x11\xe0"          # the old binary Word .doc (and .xls) format


def read_docx(data: bytes, file: str) -> list[Block]:
    """The non-empty paragraphs of a .docx document; ``line`` is the paragraph's number (1-based).

    Examples
    --------
    >>> import docx, io
    >>> doc = docx.Document(); _ = doc.add_paragraph("Första."); _ = doc.add_paragraph(""); _ = doc.add_paragraph("Andra.")
    >>> out = io.BytesIO(); doc.save(out)
    >>> [(b.line, b.text) for b in read_docx(out.getvalue(), "n.docx")]
    [(1, 'Första.'), (3, 'Andra.')]
    """
    import docx
    from docx.table import Table

    if data.startswith(_OLE):
        raise DataError(Problem(file, None, None, "an old Word document (.doc), not .docx",
                                "open it in Word or LibreOffice and save it as .docx (Word document)"))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DataError(Problem(file, None, None, "a file that is not a .docx (a .docx is a zip archive; this is not one)",
                                "check that the file is a Word document and was copied whole; save it again as .docx"))
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise DataError(Problem(file, None, None, f"a zip archive that is not a readable Word document ({type(exc).__name__})",
                                "open it in Word or LibreOffice and save it again as .docx")) from None
    paragraphs = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                for cell in _unique_cells(row.cells):
                    paragraphs.extend(cell.paragraphs)
        else:
            paragraphs.append(item)
    blocks = []
    for number, paragraph in enumerate(paragraphs, start=1):
        text = clean(paragraph.text, file, number).strip()
        if text:
            blocks.append(Block(text, number))
    return blocks


def _unique_cells(cells):
    """A merged cell appears once per grid column it spans; read it once."""
    seen = []
    for cell in cells:
        if not any(cell._tc is other._tc for other in seen):
            seen.append(cell)
    return seen
