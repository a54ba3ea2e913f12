"""Timed transcripts: WebVTT (``.vtt``) and SubRip (``.srt``), read by a small strict parser.

Both formats are simple enough that a strict reader with exact messages is
safer than a lenient one that guesses: a cue whose time cannot be read is an
error naming the line, the text found and the form expected, and nothing is
imported. (The maintained parsers on PyPI, webvtt-py and srt, either accept
malformed times silently or report them without a line number.)

What is kept: each cue's text (mark-up such as ``<i>`` removed, entities
such as ``&amp;`` decoded, its lines joined by a space), its start and end
time as ``HH:MM:SS.mmm``, and its speaker where the format names one: the
WebVTT voice tag ``<v Anna>``. Speaker labels written in the text
(``Anna: ...``) are found later, by :mod:`.segmenting`. WebVTT ``NOTE``,
``STYLE`` and ``REGION`` blocks are skipped.
"""

from __future__ import annotations

import html
import re

from ebm_analysis.errors import DataError, Problem, excerpt
from ebm_analysis.importing.blocks import Block, clean, decode_text

_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_SRT_TIME = r"(\d{2,}):([0-5]\d):([0-5]\d)[,.](\d{3})"
_VTT_TIMING = re.compile(rf"{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+.*)?")
_SRT_TIMING = re.compile(rf"{_SRT_TIME}[ \t]*-->[ \t]*{_SRT_TIME}(?:[ \t]+.*)?")
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>|\{\\[^}]*\}")


def _millis(hours, minutes, seconds, millis) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def format_time(ms: int) -> str:
    """Milliseconds as ``HH:MM:SS.mmm``.

    Examples
    --------
    >>> format_time(3_723_004)
    '01:02:03.004'
    """
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _timing(line: str, rx: re.Pattern, file: str, number: int, example: str) -> tuple[int, int]:
    m = rx.fullmatch(line.strip())
    if not m:
        raise DataError(Problem(file, number, None, f"a timing line that cannot be read: {excerpt(line, 60)}",
                                f"expected start --> end, e.g. {example}"))
    start, end = _millis(*m.groups()[:4]), _millis(*m.groups()[4:8])
    if end < start:
        raise DataError(Problem(file, number, None, f"a cue that ends ({format_time(end)}) before it starts "
                                f"({format_time(start)})", "correct the times of this cue"))
    return start, end


def _chunks(lines: list[str]):
    """Runs of non-blank lines, with the line number (1-based) of each."""
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            chunk.append((number, line))
        elif chunk:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _payload_blocks(payload: list[tuple[int, str]], start: int, end: int, voices: bool) -> list[Block]:
    """The blocks of one cue's text: one per run of lines by the same voice."""
    out: list[Block] = []
    speaker = None
    for number, line in payload:
        m = _VOICE.match(line.strip()) if voices else None
        if m:
            speaker = " ".join(m.group(1).split())
        text = " ".join(html.unescape(_TAG.sub("", line)).split())
        if not text:
            continue
        if out and out[-1].speaker == speaker and not m:
            out[-1] = Block(out[-1].text + " " + text, out[-1].line, speaker, out[-1].start, out[-1].end)
        else:
            out.append(Block(text, number, speaker, format_time(start), format_time(end)))
    return out


def read_vtt(data: bytes, file: str) -> list[Block]:
    """The cues of a WebVTT file, in order.

    Examples
    --------
    >>> vtt = "WEBVTT\\n\\n1\\n00:00:01.000 --> 00:00:04.500\\n<v Anna>Hej &amp; välkommen.\\n"
    >>> read_vtt(vtt.encode(), "i.vtt")
    [Block(text='Hej & välkommen.', line=5, speaker='Anna', start='00:00:01.000', end='00:00:04.500')]
    """
    lines = clean(decode_text(data, file), file, 1).split("\n")
    first = lines[0] if lines else ""
    if not re.fullmatch(r"WEBVTT([ \t].*)?", first):
        raise DataError(Problem(file, 1, None, f"a first line {excerpt(first, 40)!s}" if first else "an empty file",
                                "expected a WebVTT file, whose first line is WEBVTT"))
    blocks: list[Block] = []
    for chunk in _chunks(lines[1:]):
        chunk = [(n + 1, line) for n, line in chunk]
        head = chunk[0][1]
        if chunk[0][0] == 2 and not any("-->" in line for _, line in chunk):
            continue                      # header lines right under WEBVTT
        if re.match(r"(NOTE|STYLE|REGION)([ \t]|$)", head):
            continue
        at = 0 if "-->" in head else 1
        if at >= len(chunk) or "-->" not in chunk[at][1]:
            raise DataError(Problem(file, chunk[0][0], None, f"a block without a timing line: {excerpt(head, 60)}",
                                    "expected an optional cue id, then a line such as "
                                    "00:00:01.000 --> 00:00:04.000, then the text; separate cues by a blank line"))
        start, end = _timing(chunk[at][1], _VTT_TIMING, file, chunk[at][0], "00:00:01.000 --> 00:00:04.000")
        blocks += _payload_blocks(chunk[at + 1:], start, end, voices=True)
    return blocks


def read_srt(data: bytes, file: str) -> list[Block]:
    """The cues of a SubRip file, in order.

    Examples
    --------
    >>> srt = "1\\n00:00:01,000 --> 00:00:04,500\\nAnna: Hej.\\n\\n2\\n00:00:05,000 --> 00:00:06,000\\n<i>Tack.</i>\\n"
    >>> [(b.text, b.start) for b in read_srt(srt.encode(), "i.srt")]
    [('Anna: Hej.', '00:00:01.000'), ('Tack.', '00:00:05.000')]
    """
    lines = clean(decode_text(data, file), file, 1).split("\n")
    blocks: list[Block] = []
    for chunk in _chunks(lines):
        number, head = chunk[0]
        if not head.strip().isdigit():
            raise DataError(Problem(file, number, None, f"{excerpt(head, 60)} where a cue number belongs",
                                    "expected each cue as: its number, a line such as "
                                    "00:00:01,000 --> 00:00:04,000, the text, and a blank line"))
        if len(chunk) < 2:
            raise DataError(Problem(file, number, None, "a cue number without a timing line",
                                    "expected a line such as 00:00:01,000 --> 00:00:04,000 under the number"))
        start, end = _timing(chunk[1][1], _SRT_TIMING, file, chunk[1][0], "00:00:01,000 --> 00:00:04,000")
        blocks += _payload_blocks(chunk[2:], start, end, voices=False)
    return blocks
