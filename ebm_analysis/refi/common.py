"""What the REFI-QDA exporter and importer must agree on.

This module holds what the exporter (:mod:`ebm_analysis.refi.export`) and the importer
(:mod:`ebm_analysis.refi.importer`) must agree on:

- deterministic GUIDs (:func:`guid`), so that an export is reproducible
  byte for byte;
- the *labelled description* of a code (:func:`code_description`,
  :func:`parse_code_description`): definition, include, exclude, example,
  Swedish name, status and ``code_id`` written as readable text in the REFI
  ``Description`` of the code, so another tool shows them and an import
  restores ``codebook.csv`` exactly;
- the *labelled block* (:func:`labelled_block`, :func:`parse_labelled_block`)
  used in the description of a meeting's Set to carry that meeting's row of
  ``meetings.csv``.
"""

from __future__ import annotations

import re
import uuid

#: Namespace of ``project.qde``.
PROJECT_NS = "urn:QDA-XML:project:1.0"
#: Namespace of a ``.qdc`` codebook.
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: Fixed namespace for the uuid5 GUIDs of this package (never change it:
#: it would change every GUID of every export).
GUID_NAMESPACE = uuid.UUID("6f1c2a52-3e0b-5b8e-9a57-4d0c2f7e9b11")
#: Marker in a PlainTextSelection's name for a coding of the whole segment.
WHOLE_SEGMENT = "(whole segment)"
#: Text put in required columns that a foreign project cannot fill.
NOT_GIVEN = "(not given in the imported project)"
#: ``text_en`` of an imported source.
NOT_TRANSLATED = "(not translated)"

#: Case (participant) variables whose column name is also a source variable's: exported under
#: their own name, so that one variable has one meaning (QualCoder, for one, keeps a variable
#: used by cases and sources as a case attribute only). Variable name -> participants.csv column.
CASE_VARIABLE_NAMES = {"participant_note": "note", "participant_section": "section"}

CODE_LABELS = (
    ("include", "Include"),
    ("exclude", "Exclude"),
    ("example", "Example"),
    ("name_sv", "Swedish name"),
    ("status", "Status"),
    ("code_id", "Code id"),
)


def guid(kind: str, key: str) -> str:
    """A deterministic GUID for an object of ``kind`` identified by ``key``.

    Examples
    --------
    >>> guid("code", "stress") == guid("code", "stress")
    True
    >>> guid("code", "stress") != guid("source", "stress")
    True
    >>> len(guid("code", "stress"))
    36
    """
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}/{key}"))


def code_description(row: dict) -> str:
    """The REFI ``Description`` of a codebook row: definition, then labelled lines.

    Examples
    --------
    >>> row = dict(code_id="stress", definition="Stress at work.", include="talk of stress",
    ...            exclude="workload: use workload", example="stress (stress)",
    ...            name_sv="stress", status="active")
    >>> print(code_description(row))
    Stress at work.
    <BLANKLINE>
    Include: talk of stress
    Exclude: workload: use workload
    Example: stress (stress)
    Swedish name: stress
    Status: active
    Code id: stress
    """
    lines = [f"{label}: {_text(row.get(key))}" for key, label in CODE_LABELS]
    return f"{_text(row.get('definition'))}\n\n" + "\n".join(lines)


_CODE_RE = re.compile(
    r"(?P<definition>.*)\n\n"
    + r"\n".join(rf"{label}: (?P<{key}>.*)" for key, label in CODE_LABELS)
    + r"\s*",
    re.DOTALL,
)


def parse_code_description(text: str | None) -> dict[str, str] | None:
    """Read back :func:`code_description`; None when ``text`` is not one.

    Examples
    --------
    >>> parse_code_description("Stress.\\n\\nInclude: a\\nExclude: b\\nExample: c\\n"
    ...                        "Swedish name: d\\nStatus: active\\nCode id: stress")["code_id"]
    'stress'
    >>> parse_code_description("Just a description") is None
    True
    """
    match = _CODE_RE.fullmatch(text or "")
    if not match:
        return None
    found = {k: v.strip() for k, v in match.groupdict().items()}
    return found if re.fullmatch(r"[a-z][a-z0-9_]*", found["code_id"]) else None


def labelled_block(title: str, values: dict) -> str:
    """A title line, then one ``name: value`` line per non-empty value.

    Examples
    --------
    >>> print(labelled_block("Meeting 3", {"meeting": 3, "month": "2016-01", "note": None}))
    Meeting 3
    meeting: 3
    month: 2016-01
    """
    lines = [f"{k}: {_text(v)}" for k, v in values.items() if _text(v) != ""]
    return "\n".join([title, *lines])


def parse_labelled_block(text: str | None, names: list[str]) -> dict[str, str]:
    """Read the ``name: value`` lines of :func:`labelled_block` for the given names.

    A line that starts with none of the names continues the previous value.

    Examples
    --------
    >>> parse_labelled_block("Meeting 3\\nmeeting: 3\\nmonth: 2016-01", ["meeting", "month"])
    {'meeting': '3', 'month': '2016-01'}
    """
    found: dict[str, str] = {}
    current = None
    pattern = re.compile(r"(%s): (.*)" % "|".join(re.escape(n) for n in names))
    for line in (text or "").split("\n")[1:]:
        match = pattern.fullmatch(line)
        if match:
            current = match.group(1)
            found[current] = match.group(2)
        elif current is not None:
            found[current] += "\n" + line
    return found


def _text(value) -> str:
    """A cell as text: missing values become ''."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except (TypeError, ValueError):
        return ""
    return str(value)

