"""Write a project as a REFI-QDA ``.qdpx`` archive or its codebook as ``.qdc``.

Mapping (EBM -> REFI):

============================  ==================================================
EBM                           REFI-QDA (``project.qde``)
============================  ==================================================
coder (codings.csv)           ``User`` (name = id = coder), coders first, in
                              the order of their first coding
codebook.csv row              ``Code`` (name = name_en, color, nested by
                              parent_id; ``Description`` = definition + labelled
                              include / exclude / example / Swedish name /
                              status / code id)
participants.csv row          ``Case`` (name = participant_id) with
                              ``VariableValue`` per attribute (``note`` and
                              ``section`` as ``participant_note`` and
                              ``participant_section``: one variable, one
                              meaning)
excerpt / observation         ``TextSource`` (name = excerpt_id / note_id,
                              text in ``sources/<guid>.txt``, creatingUser =
                              the project's first coder), segment columns as
                              ``VariableValue``
coding                        ``PlainTextSelection`` (name = coding_id, offsets;
                              whole segment = 0..len) with one ``Coding``;
                              creatingUser = the coder, creationDateTime =
                              ``created_at`` where codings.csv has it
coding memo                   the selection's ``Description`` (what QualCoder
                              and MAXQDA read) and a ``Note`` referenced by
                              ``NoteRef`` on the Coding (what NVivo writes)
memo (memos/M001.md)          a ``Note`` with a ``NoteRef`` from each linked
                              codes and sources, ``MemberNote`` of its
                              meeting's Set, or the project's ``NoteRef`` for
                              a free memo (:mod:`ebm_analysis.refi.memo_notes`)
source type / meeting         ``Set`` ("Interviews", "Survey comments", "Said at
                              meetings", "Meeting notes — meeting k"; the last
                              carries the meetings.csv row in its Description)
============================  ==================================================

GUIDs are uuid5 of the ids and the zip entries carry a fixed timestamp, so
exporting the same data twice gives identical bytes.

**Times and users.** Other tools expect ``creationDateTime`` and
``creatingUser`` on notes, sources, selections and codings (QualCoder's import
stops on a Note without a date), so every element whose schema allows them
carries both, never left out. A coding's time is its ``created_at`` and its
user its ``created_by`` (the coder when that column is absent or empty) where
codings.csv has those columns. Where the data have no time — sources, and
codings without ``created_at`` — the export writes a deterministic time, so
that two exports of the same data stay identical: the earliest ``created_at``
of the project's codings (a source existed before it was first coded), else
:data:`UNKNOWN_TIME`, 1980-01-01T00:00:00Z, the earliest date a zip archive can
hold, which no one will take for a real date. Pass ``time=`` to write another
(e.g. the export time). A source's owner is the project's first coder (the
coder of the first coding), or the user ``ebm-analysis`` in a project without
codings: the data do not record who added a segment.
"""

from __future__ import annotations

import os
import zipfile
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ebm_analysis.atomic import write_bytes_atomic
from ebm_analysis.output import export_target, write_failed
from ebm_analysis.refi.memo_notes import add_memo_notes, project_memos
from ebm_analysis.refi.common import (CASE_VARIABLE_NAMES, CODEBOOK_NS, PROJECT_NS, WHOLE_SEGMENT, _text,
                                      code_description, guid, labelled_block)

__all__ = ["export_qdpx", "export_qdc", "project_xml", "codebook_xml", "UNKNOWN_TIME"]

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: creationDateTime written where the data have no time (the zip entries' fixed date).
UNKNOWN_TIME = "1980-01-01T00:00:00Z"
#: The user that owns the sources of a project without codings.
PROGRAM_USER = "ebm-analysis"
SOURCE_SETS = (("interview", "Interviews"), ("survey_comment", "Survey comments"), ("meeting", "Said at meetings"))
INTEGER_VARIABLES = {"meeting", "joined_meeting"}
EXCERPT_VARIABLES = ("source_type", "speaker_role", "speaker_id", "speaker_group", "meeting", "text_en", "section", "note")
OBSERVATION_VARIABLES = ("meeting", "basis", "text_en", "section", "note")
PARTICIPANT_VARIABLES = ("role", "role_sv", "joined_meeting", "joined_basis", "left_project", "left_basis",
                         "answered_survey", "tenure_at_start", "introduction_track", "participant_note",
                         "participant_section")
#: participants.csv column of each case variable (the same name unless renamed, see CASE_VARIABLE_NAMES).
PARTICIPANT_COLUMNS = {var: CASE_VARIABLE_NAMES.get(var, var) for var in PARTICIPANT_VARIABLES}
VARIABLE_DESCRIPTIONS = {
    "source_type": "interview, survey_comment or meeting (said at a meeting)",
    "speaker_role": "role of the speaker, or unknown",
    "speaker_id": "participant id of the speaker where known",
    "speaker_group": "subgroup of the speaker where the source says it",
    "meeting": "meeting number 1 to 8",
    "basis": "observed, retold or unclear (meeting notes)",
    "text_en": "English translation of the text",
    "section": "report section the segment comes from (provenance)",
    "note": "notes on the segment",
    "participant_note": "notes on the participant",
    "participant_section": "report section the participant's row comes from (provenance)",
    "role": "the participant's role in the project",
    "joined_meeting": "the meeting (1 to 8) at which the participant joined",
}


def export_qdpx(project, out_path: str | os.PathLike, name: str = "EBM evaluation", *,
                time: str | datetime | None = None, overwrite: bool = False) -> Path:
    """Write the whole project as a REFI-QDA project archive (``.qdpx``).

    Parameters
    ----------
    project : Project
        A loaded project (:func:`ebm_analysis.load_project`).
    out_path : str or path
        The ``.qdpx`` file to write, outside the data folder.
    name : str, default "EBM evaluation"
        The project name shown by the receiving tool.
    time : str or datetime, optional
        The ``creationDateTime`` written where the data have no time; default
        the earliest ``created_at`` of the codings, else :data:`UNKNOWN_TIME`
        (deterministic, see the module's notes).
    overwrite : bool, default False
        Replace ``out_path`` if it exists (atomically). By default an existing
        file is refused, and so is any path inside the project's data folder
        (see :func:`ebm_analysis.output.export_target`).

    Returns
    -------
    Path
        ``out_path``.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> from ebm_analysis import load_project
    >>> out = export_qdpx(load_project(), pathlib.Path(tempfile.mkdtemp()) / "ebm.qdpx")
    >>> zipfile.ZipFile(out).namelist()[0]
    'project.qde'
    """
    target = export_target(out_path, getattr(project, "path", None), overwrite=overwrite)
    root = project_xml(project, name, time=time)
    members = [("project.qde", _xml_bytes(root))]
    for seg in _segments(project).itertuples(index=False):
        members.append((f"sources/{guid('source', seg.segment_id)}.txt", seg.text_sv.encode("utf-8")))
    return _write_atomic(target, _zip_bytes(members))


def export_qdc(project, out_path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write the codebook alone as a REFI-QDA codebook (``.qdc``).

    Parameters
    ----------
    project : Project
        A loaded project.
    out_path : str or path
        The ``.qdc`` file to write, outside the data folder.
    overwrite : bool, default False
        Replace ``out_path`` if it exists; refused by default, as for
        :func:`export_qdpx`.

    Returns
    -------
    Path
        ``out_path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> out = export_qdc(load_project(), pathlib.Path(tempfile.mkdtemp()) / "ebm.qdc")
    >>> b'urn:QDA-XML:codebook:1.0' in out.read_bytes()
    True
    """
    target = export_target(out_path, getattr(project, "path", None), overwrite=overwrite)
    return _write_atomic(target, _xml_bytes(codebook_xml(project)))


# ---------------------------------------------------------------- XML trees

def codebook_xml(project) -> ET.Element:
    """The ``CodeBook`` root element of a ``.qdc`` for ``project``."""
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": _origin()})
    root.append(_codes(project.codebook))
    return root


def project_xml(project, name: str = "EBM evaluation", *, time: str | datetime | None = None) -> ET.Element:
    """The ``Project`` root element of ``project.qde`` for ``project``.

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> root = project_xml(load_project())   # no time given: the earliest coding's time
    >>> root.get("creationDateTime"), [u.get("name") for u in root.iter("User")]
    ('2026-11-23T19:13:59Z', ['coder1'])
    """
    stamps = _Stamps(project.codings, time)
    memos = project_memos(project)
    stamps.users += [a for a in dict.fromkeys(memos["author"].tolist()) if a not in stamps.users]
    root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": name, "origin": _origin(),
                                  "creatingUserGUID": stamps.owner_guid, "creationDateTime": stamps.fallback})
    segments = _segments(project)
    users = ET.SubElement(root, "Users")
    for user in stamps.users:
        ET.SubElement(users, "User", {"guid": guid("user", user), "name": user, "id": user})
    if len(project.codebook):
        ET.SubElement(root, "CodeBook").append(_codes(project.codebook))
    _add_variables(root, project)
    _add_cases(root, project)
    if len(segments):
        _add_sources(root, project, segments, stamps)
    _add_notes(root, project.codings, stamps)
    _add_sets(root, project, segments)
    ET.SubElement(root, "Description").text = (
        "Exported by ebm-analysis. Sources are the project's excerpts (quotations) and segments of the "
        "meeting notes, named by their ids; each code's description lists its definition, when to use "
        "it and when not, an example, and its code id. Participants are pseudonyms.")
    add_memo_notes(root, memos)
    return root


class _Stamps:
    """Who and when, for each element that carries ``creatingUser`` / ``creationDateTime``."""

    def __init__(self, codings: pd.DataFrame, time: str | datetime | None):
        self.times = _column_times(codings, "created_at")
        self.authors = _column_text(codings, "created_by")
        coders = [str(c) for c in codings["coder"].tolist()]
        given = [a for a in self.authors if a]
        self.users = list(dict.fromkeys(coders + given)) or [PROGRAM_USER]
        self.owner = self.users[0]
        self.owner_guid = guid("user", self.owner)
        known = sorted(t for t in self.times if t)
        self.fallback = _xsd_time(time) if time is not None else (known[0] if known else UNKNOWN_TIME)

    def coding(self, position: int, coder: str) -> tuple[str, str, str]:
        """(time, guid of the selection's user, guid of the coder) of the coding at ``position``."""
        author = self.authors[position] or coder
        return self.times[position] or self.fallback, guid("user", author), guid("user", coder)


def _column_times(frame: pd.DataFrame, column: str) -> list[str | None]:
    if column not in frame.columns:
        return [None] * len(frame)
    stamps = pd.to_datetime(frame[column].astype("string"), utc=True, errors="coerce", format="ISO8601")
    return [None if pd.isna(t) else _xsd_time(t) for t in stamps]


def _xsd_time(moment) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.fff]Z``: milliseconds kept when there are any, so store times round-trip."""
    fraction = f".{moment.microsecond // 1000:03d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _column_text(frame: pd.DataFrame, column: str) -> list[str | None]:
    if column not in frame.columns:
        return [None] * len(frame)
    return [_text(v) or None for v in frame[column].tolist()]


def _xsd_time(value: str | datetime) -> str:
    """A time as xsd:dateTime in UTC, ``YYYY-MM-DDTHH:MM:SSZ``.

    Examples
    --------
    >>> _xsd_time("2016-05-31 14:00+02:00")
    '2016-05-31T12:00:00Z'
    """
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(timezone.utc)
    return stamp.tz_convert(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _codes(codebook: pd.DataFrame) -> ET.Element:
    codes = ET.Element("Codes")
    rows = codebook.to_dict("records")
    elements: dict[str, ET.Element] = {}
    pending = list(rows)
    while pending:  # parents before children, keeping the table's order
        left = []
        for row in pending:
            parent = _text(row["parent_id"])
            if parent and parent not in elements:
                left.append(row)
                continue
            elements[row["code_id"]] = _code(elements[parent] if parent else codes, row)
        if len(left) == len(pending):
            break  # cannot happen in a loaded project (no cycles, parents exist)
        pending = left
    return codes


def _code(parent: ET.Element, row: dict) -> ET.Element:
    attrs = {"guid": guid("code", row["code_id"]), "name": row["name_en"], "isCodable": "true"}
    if _text(row.get("color")):
        attrs["color"] = row["color"]
    element = ET.SubElement(parent, "Code", attrs)
    ET.SubElement(element, "Description").text = code_description(row)
    return element


def _add_variables(root: ET.Element, project) -> None:
    names = list(PARTICIPANT_VARIABLES) if len(project.participants) else []
    if len(project.excerpts):
        names += EXCERPT_VARIABLES
    if len(project.observations):
        names += OBSERVATION_VARIABLES
    names = list(dict.fromkeys(names))
    if not names:
        return
    variables = ET.SubElement(root, "Variables")
    for var in names:
        kind = "Integer" if var in INTEGER_VARIABLES else "Text"
        element = ET.SubElement(variables, "Variable",
                                {"guid": guid("variable", var), "name": var, "typeOfVariable": kind})
        if var in VARIABLE_DESCRIPTIONS:
            ET.SubElement(element, "Description").text = VARIABLE_DESCRIPTIONS[var]


def _add_variable_values(element: ET.Element, row: dict, names, columns: dict[str, str] | None = None) -> None:
    for var in names:
        value = _text(row.get((columns or {}).get(var, var)))
        if value == "":
            continue
        vv = ET.SubElement(element, "VariableValue")
        ET.SubElement(vv, "VariableRef", {"targetGUID": guid("variable", var)})
        ET.SubElement(vv, "IntegerValue" if var in INTEGER_VARIABLES else "TextValue").text = value


def _add_cases(root: ET.Element, project) -> None:
    participants = project.participants.to_dict("records")
    if not participants:
        return
    spoken = project.excerpts.dropna(subset=["speaker_id"])
    cases = ET.SubElement(root, "Cases")
    for row in participants:
        pid = row["participant_id"]
        case = ET.SubElement(cases, "Case", {"guid": guid("case", pid), "name": pid})
        ET.SubElement(case, "Description").text = f"Participant {pid} ({row['role_sv']}; pseudonym)"
        _add_variable_values(case, row, PARTICIPANT_VARIABLES, PARTICIPANT_COLUMNS)
        for seg in spoken.loc[spoken["speaker_id"] == pid, "excerpt_id"]:
            ET.SubElement(case, "SourceRef", {"targetGUID": guid("source", seg)})


def _add_sources(root: ET.Element, project, segments: pd.DataFrame, stamps: _Stamps) -> None:
    sources = ET.SubElement(root, "Sources")
    codings = project.codings.reset_index(drop=True)
    rows = {r["excerpt_id"]: r for r in project.excerpts.to_dict("records")}
    rows.update({r["note_id"]: r for r in project.observations.to_dict("records")})
    by_segment: dict[str, list[int]] = {}
    for position, sid in enumerate(codings["segment_id"].tolist()):
        by_segment.setdefault(sid, []).append(position)
    records = codings.to_dict("records")
    for seg in segments.itertuples(index=False):
        sid = seg.segment_id
        source = ET.SubElement(sources, "TextSource", {
            "guid": guid("source", sid), "name": sid, "plainTextPath": f"internal://{guid('source', sid)}.txt",
            "creatingUser": stamps.owner_guid, "creationDateTime": stamps.fallback})
        ET.SubElement(source, "Description").text = _source_description(seg)
        for position in by_segment.get(sid, []):
            row = records[position]
            _add_selection(source, row, len(seg.text_sv), stamps.coding(position, row["coder"]))
        names = OBSERVATION_VARIABLES if seg.kind == "observation" else EXCERPT_VARIABLES
        _add_variable_values(source, rows[sid], names)


def _source_description(seg) -> str:
    kinds = {"interview": "Quotation from an interview", "survey_comment": "Survey comment",
             "meeting": "Said at a meeting", "observation_note": "Meeting notes"}
    text = f"{kinds.get(seg.source_type, seg.source_type)} ({seg.segment_id})"
    if seg.kind == "excerpt":
        text += f"; speaker role: {seg.speaker_role}"
    if pd.notna(seg.meeting):
        text += f"; meeting {seg.meeting}"
    return text


def _add_selection(source: ET.Element, coding: dict, length: int, stamp: tuple[str, str, str]) -> None:
    whole = pd.isna(coding["start"])
    start, end = (0, length) if whole else (int(coding["start"]), int(coding["end"]))
    cid = coding["coding_id"]
    time, author, coder = stamp
    selection = ET.SubElement(source, "PlainTextSelection", {
        "guid": guid("selection", cid), "name": f"{cid} {WHOLE_SEGMENT}" if whole else cid,
        "startPosition": str(start), "endPosition": str(end), "creatingUser": author, "creationDateTime": time})
    memo = _text(coding["memo"])
    if memo:  # the coding memo where QualCoder and MAXQDA read it ...
        ET.SubElement(selection, "Description").text = memo
    element = ET.SubElement(selection, "Coding", {"guid": guid("coding", cid), "creatingUser": coder,
                                                  "creationDateTime": time})
    ET.SubElement(element, "CodeRef", {"targetGUID": guid("code", coding["code_id"])})
    if memo:  # ... and as a Note on the coding, where NVivo writes it
        ET.SubElement(element, "NoteRef", {"targetGUID": guid("memo", cid)})


def _add_notes(root: ET.Element, codings: pd.DataFrame, stamps: _Stamps) -> None:
    records = codings.reset_index(drop=True).to_dict("records")
    memos = [(i, row) for i, row in enumerate(records) if _text(row["memo"])]
    if not memos:
        return
    notes = ET.SubElement(root, "Notes")
    for position, row in memos:
        cid = row["coding_id"]
        time, author, _ = stamps.coding(position, row["coder"])
        note = ET.SubElement(notes, "Note", {"guid": guid("memo", cid), "name": f"Memo on coding {cid}",
                                             "creatingUser": author, "creationDateTime": time})
        ET.SubElement(note, "PlainTextContent").text = row["memo"]


def _add_sets(root: ET.Element, project, segments: pd.DataFrame) -> None:
    groups = []
    for source_type, title in SOURCE_SETS:
        members = segments.loc[segments["source_type"] == source_type, "segment_id"].tolist()
        groups.append((guid("set", source_type), title, None, members))
    notes = segments.loc[segments["kind"] == "observation"]
    for row in project.meetings.to_dict("records"):
        k = row["meeting"]
        members = notes.loc[notes["meeting"] == k, "segment_id"].tolist()
        title = f"Meeting notes — meeting {k}"
        description = labelled_block(f"Meeting {k} ({row['month']}): {row['theme_en']}", row)
        groups.append((guid("set", f"meeting/{k}"), title, description, members))
    groups = [g for g in groups if g[3] or g[2]]
    if not groups:
        return
    sets = ET.SubElement(root, "Sets")
    for set_guid, title, description, members in groups:
        element = ET.SubElement(sets, "Set", {"guid": set_guid, "name": title})
        if description:
            ET.SubElement(element, "Description").text = description
        for sid in members:
            ET.SubElement(element, "MemberSource", {"targetGUID": guid("source", sid)})


# ---------------------------------------------------------------- helpers

def _segments(project) -> pd.DataFrame:
    return project.segments()


def _origin() -> str:
    from ebm_analysis import __version__

    return f"ebm-analysis {__version__}"


def _xml_bytes(root: ET.Element) -> bytes:
    text = "\n".join(_xml_lines(root))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


#: Lines are indented two spaces a level up to this depth (deeper ones are not indented further),
#: so that a deeply nested codebook does not fill the file with spaces.
MAX_INDENT = 24


def _xml_lines(root: ET.Element) -> list[str]:
    """The element as indented XML lines (two spaces a level, at most :data:`MAX_INDENT` levels).

    Iterative, so any depth of nesting works.

    Examples
    --------
    >>> root = ET.Element("A", {"x": 'say "hi" & go'})
    >>> ET.SubElement(ET.SubElement(root, "B"), "C").text = "1 < 2"
    >>> print("\\n".join(_xml_lines(root)))
    <A x="say &quot;hi&quot; &amp; go">
      <B>
        <C>1 &lt; 2</C>
      </B>
    </A>
    """
    lines: list[str] = []
    stack: list[tuple[ET.Element | str, int]] = [(root, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):  # a closing tag
            lines.append(item)
            continue
        pad = "  " * min(depth, MAX_INDENT)
        start = "<" + item.tag + "".join(f' {k}="{_escape_attribute(v)}"' for k, v in item.attrib.items())
        text = _escape_text(item.text) if item.text else ""
        if not len(item):
            lines.append(f"{pad}{start}>{text}</{item.tag}>" if text else f"{pad}{start} />")
            continue
        lines.append(f"{pad}{start}>{text}")
        stack.append((f"{pad}</{item.tag}>", depth))
        stack.extend((child, depth + 1) for child in reversed(item))
    return lines


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    return (_escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#09;"))


def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _write_atomic(path: Path, data: bytes) -> Path:
    try:
        write_bytes_atomic(path, data, keep_previous=False)
    except OSError as exc:
        raise write_failed(path, exc) from None
    return path
