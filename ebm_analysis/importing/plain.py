"""Plain text (``.txt``) and Markdown (``.md``) documents.

A paragraph is a run of lines between blank lines. With ``lines=True`` (used
when a document is split into speaker turns) every non-blank line is a block
of its own, since transcripts are often written one turn a line. Markdown
headings (``# ...``) are left out: they title the notes, they are not notes.
"""

from __future__ import annotations

from ebm_analysis.importing.blocks import Block, clean, decode_text


def read_plain(data: bytes, file: str, *, markdown: bool = False, lines: bool = False) -> list[Block]:
    """The paragraphs (or lines) of a plain-text or Markdown document.

    Parameters
    ----------
    data : bytes
        The file's content (UTF-8).
    file : str
        Its name, for messages.
    markdown : bool
        Leave out Markdown headings.
    lines : bool
        One block per non-blank line instead of per paragraph.

    Returns
    -------
    list of Block

    Examples
    --------
    >>> [b.text for b in read_plain("# Möte 3\\n\\nFörsta stycket\\nfortsätter.\\n\\nAndra.\\n".encode(), "n.md",
    ...                             markdown=True)]
    ['Första stycket\\nfortsätter.', 'Andra.']
    """
    text = clean(decode_text(data, file), file, 1)
    blocks: list[Block] = []
    current: list[str] = []
    first = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        heading = markdown and line.lstrip().startswith("#")
        if not line.strip() or heading or lines:
            if current:
                blocks.append(Block("\n".join(current), first))
                current = []
            if lines and line.strip() and not heading:
                blocks.append(Block(line.strip(), number))
            continue
        if not current:
            first = number
        current.append(line.strip())
    if current:
        blocks.append(Block("\n".join(current), first))
    return blocks
