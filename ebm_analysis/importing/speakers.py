"""The speaker map: who each speaker label of a transcript is, as a pseudonym and a role.

A CSV file (UTF-8, comma or semicolon) kept OUTSIDE the data folder, since
its first column holds real names:

=================  ==========================================================
``speaker``        the label as the transcript writes it (``Anna Berg``,
                   ``Intervjuare``, ``Speaker 2``); matched ignoring case
``participant_id`` the participant's pseudonym in ``participants.csv``
                   (``BM1``, ``SS3``), empty for someone who is not a participant
``role``           one of the roles of ``participants.csv``, or
                   ``not_a_participant`` (the interviewer), or ``unknown``
``pseudonym``      optional: what replaces the label's name in the text;
                   default ``[<participant_id>]``; required without one
=================  ==========================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ebm_analysis.errors import DataError, Problem, excerpt
from ebm_analysis.reading import parse_table
from ebm_analysis.schema import ROLES

COLUMNS = ("speaker", "participant_id", "role", "pseudonym")
SPEAKER_ROLES = (*ROLES, "not_a_participant", "unknown")
PSEUDONYM = re.compile(r"\[[A-Za-z][A-Za-z0-9_-]{0,29}\]")
_PARTICIPANT = re.compile(r"(SS|LVM|BM|SK)\d+")


@dataclass(frozen=True)
class Speaker:
    """One row of the speaker map."""

    label: str
    participant_id: str | None
    role: str
    pseudonym: str


def read_speaker_map(path: str | Path) -> dict[str, Speaker]:
    """The speaker map, by label in lower case.

    Raises
    ------
    DataError
        Naming the line and column of every problem (unknown role, a
        participant id of the wrong form, a label given twice, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "map.csv"
    >>> _ = p.write_text("speaker,participant_id,role,pseudonym\\nAnna Berg,BM1,service_user_mentor,\\n"
    ...                  "Intervjuare,,not_a_participant,[INT]\\n", encoding="utf-8")
    >>> sorted((k, s.pseudonym) for k, s in read_speaker_map(p).items())
    [('anna berg', '[BM1]'), ('intervjuare', '[INT]')]
    """
    path = Path(path)
    file = path.name
    rt, problems = parse_table(path.read_bytes(), file)
    if rt is None:
        raise DataError(problems)
    missing = [c for c in COLUMNS[:3] if c not in rt.header]
    if missing:
        raise DataError(Problem(file, 1, None, f"the columns {', '.join(rt.header)}",
                                f"expected the columns {', '.join(COLUMNS)} (pseudonym may be left out)"))
    out: dict[str, Speaker] = {}
    seen: set[str] = set()
    for line, cells in rt.rows:
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(rt.header)}
        found = _row_problems(file, line, row, seen)
        seen.add(" ".join(row["speaker"].split()).lower())
        problems.extend(found)
        if not found:
            pid = row["participant_id"] or None
            label = " ".join(row["speaker"].split())
            out[label.lower()] = Speaker(label, pid, row["role"], row.get("pseudonym") or f"[{pid}]")
    if problems:
        raise DataError(problems)
    if not out:
        raise DataError(Problem(file, None, None, "a speaker map without rows", "list one speaker a line"))
    return out


def _row_problems(file: str, line: int, row: dict, seen: set[str]) -> list[Problem]:
    problems = []
    label = " ".join(row["speaker"].split())
    if not label:
        problems.append(Problem(file, line, "speaker", "an empty cell", "write the label as the transcript writes it"))
    elif label.lower() in seen:
        problems.append(Problem(file, line, "speaker", f"{excerpt(label)} again", "list each label once"))
    if row["role"] not in SPEAKER_ROLES:
        problems.append(Problem(file, line, "role", excerpt(row["role"]) or "an empty cell",
                                f"expected one of: {', '.join(SPEAKER_ROLES)}"))
    pid, pseudonym = row["participant_id"], row.get("pseudonym", "")
    if pid and not _PARTICIPANT.fullmatch(pid):
        problems.append(Problem(file, line, "participant_id", excerpt(pid),
                                "expected a participant id such as SS1, LVM1, BM1 or SK1, or an empty cell"))
    if pid and row["role"] in ("not_a_participant", "unknown"):
        problems.append(Problem(file, line, "role", row["role"], "a participant needs their role in the project"))
    if pseudonym and not PSEUDONYM.fullmatch(pseudonym):
        problems.append(Problem(file, line, "pseudonym", excerpt(pseudonym),
                                "expected a pseudonym in brackets such as [INT1] (letters, digits, _ or -)"))
    if not pid and not pseudonym:
        problems.append(Problem(file, line, "pseudonym", "an empty cell",
                                "someone without a participant_id needs a pseudonym such as [INT1]"))
    return problems
