"""Splitting a document's blocks into segments: speaker turns or paragraphs.

A block may start with a speaker label (``Anna Berg: ...``); a label listed
in the speaker map marks a new speaker and is taken off the text (the turn's
speaker is stored as a pseudonym and a role instead). When splitting into
turns, a label-like start that the map does not list is refused: it is most
likely a speaker missing from the map, and left in the text it would leak a
name.

- ``turns``: consecutive blocks by the same speaker make one segment; a block
  without a label continues the turn before it.
- ``paragraphs``: every block is a segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ebm_analysis.errors import DataError, Problem, excerpt
from ebm_analysis.importing.blocks import Block
from ebm_analysis.importing.speakers import Speaker

SPLITS = ("turns", "paragraphs")
_LABEL = re.compile(r"(?P<label>[^\W\d_][\w .'’-]{0,48}?)[ \t]*:[ \t]*(?P<rest>.*)", re.DOTALL)


@dataclass(frozen=True)
class Segment:
    """One segment of a source document, before pseudonymisation.

    ``position`` is its number in the document (1-based), ``line`` the line
    (text, timed transcript) or paragraph (.docx, .odt) where it starts.
    """

    text: str
    position: int
    line: int
    speaker: Speaker | None
    start: str | None
    end: str | None


def _looks_like_a_name(label: str) -> bool:
    words = label.split()
    return 1 <= len(words) <= 4 and all(w[0].isupper() or w[0].isdigit() for w in words)


def _speaker_of(block: Block, speakers: dict[str, Speaker], split: str, file: str) -> tuple[Speaker | None, str]:
    if block.speaker is not None:
        known = speakers.get(block.speaker.lower())
        if known is None:
            raise DataError(Problem(file, block.line, None, f"the speaker {excerpt(block.speaker)}, "
                                    "which the speaker map does not list", "add the speaker to the speaker map"))
        return known, block.text
    m = _LABEL.fullmatch(block.text)
    if m:
        label = " ".join(m.group("label").split())
        if label.lower() in speakers:
            return speakers[label.lower()], m.group("rest").strip()
        if split == "turns" and _looks_like_a_name(label):
            raise DataError(Problem(file, block.line, None, f"the speaker label {excerpt(label)}, "
                                    "which the speaker map does not list",
                                    "add it to the speaker map (role not_a_participant if it is not a person), "
                                    "or write the text without the colon after it"))
    return None, block.text


def segment(blocks: list[Block], speakers: dict[str, Speaker], split: str, file: str,
            joiner: str = "\n") -> list[Segment]:
    """The segments of one document.

    Examples
    --------
    >>> from ebm_analysis.importing.speakers import Speaker
    >>> anna = Speaker("Anna", "BM1", "service_user_mentor", "[BM1]")
    >>> blocks = [Block("Anna: Hej.", 1), Block("Hur mår du?", 2), Block("Intervjuare: Bra.", 3)]
    >>> iv = Speaker("Intervjuare", None, "not_a_participant", "[INT]")
    >>> [(s.text, s.speaker.pseudonym) for s in segment(blocks, {"anna": anna, "intervjuare": iv}, "turns", "i.txt")]
    [('Hej.\\nHur mår du?', '[BM1]'), ('Bra.', '[INT]')]
    """
    if split not in SPLITS:
        raise DataError(Problem("(import)", None, None, f"the split {split!r}", f"expected one of {', '.join(SPLITS)}"))
    out: list[Segment] = []
    current: dict | None = None
    for block in blocks:
        speaker, text = _speaker_of(block, speakers, split, file)
        labelled = speaker is not None
        if split == "turns" and current is not None and (not labelled or speaker == current["speaker"]):
            current["texts"].append(text)
            current["end"] = block.end or current["end"]
            continue
        _flush(out, current, joiner)
        current = {"texts": [text], "line": block.line, "speaker": speaker, "start": block.start, "end": block.end}
    _flush(out, current, joiner)
    return out


def _flush(out: list[Segment], current: dict | None, joiner: str) -> None:
    """Append the segment being built, if it has any text; positions count only segments kept."""
    if current is None:
        return
    text = joiner.join(t for t in current["texts"] if t).strip()
    if text:
        out.append(Segment(text, len(out) + 1, current["line"], current["speaker"], current["start"], current["end"]))
