"""OpenDocument text (``.odt``, LibreOffice), read with odfpy.

Every paragraph (``text:p``) of the document body, in order, is a block,
also those inside lists and tables; headings (``text:h``) are left out.
"""

from __future__ import annotations

import io
import zipfile

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.importing.blocks import Block, clean


def read_odt(data: bytes, file: str) -> list[Block]:
    """The non-empty paragraphs of an .odt document; ``line`` is the paragraph's number (1-based).

    Examples
    --------
    >>> from odf.opendocument import OpenDocumentText
    >>> from odf.text import P
    >>> doc = OpenDocumentText(); doc.text.addElement(P(text="Första.")); doc.text.addElement(P(text="Andra."))
    >>> out = io.BytesIO(); doc.write(out)
    >>> [b.text for b in read_odt(out.getvalue(), "n.odt")]
    ['Första.', 'Andra.']
    """
    from odf import teletype, text as odf_text
    from odf.opendocument import load

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DataError(Problem(file, None, None, "a file that is not an .odt (an .odt is a zip archive; this is not one)",
                                "check that the file is an OpenDocument text and was copied whole; save it again as .odt"))
    try:
        document = load(io.BytesIO(data))
        body = document.text
    except Exception as exc:  # odfpy raises several types for a broken package
        raise DataError(Problem(file, None, None, f"a zip archive that is not a readable OpenDocument text "
                                f"({type(exc).__name__})", "open it in LibreOffice and save it again as .odt")) from None
    blocks = []
    for number, paragraph in enumerate(body.getElementsByType(odf_text.P), start=1):
        text = clean(teletype.extractText(paragraph), file, number).strip()
        if text:
            blocks.append(Block(text, number))
    return blocks
