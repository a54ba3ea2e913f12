"""Write a project as a REFI-QDA ``.qdpx`` archive or its codebook as ``.qdc``.

Mapping (EBM -> REFI):

============================  ==================================================
EBM                           REFI-QDA (``project.qde``)
============================  ==================================================
coder (codings.csv)           ``User`` (name = id = coder)
codebook.csv row              ``Code`` (name = name_en, color, nested by
                              parent_id; ``Description`` = definition + labelled
                              include / exclude / example / Swedish name /
                              status / code id)
participants.csv row          ``Case`` (name = participant_id) with
                              ``VariableValue`` per attribute
excerpt / observation         ``TextSource`` (name = excerpt_id / note_id,
                              text in ``sources/<guid>.txt``), segment columns
                              as ``VariableValue``
coding                        ``PlainTextSelection`` (name = coding_id, offsets;
                              whole segment = 0..len) with one ``Coding``
coding memo                   ``Note`` referenced by ``NoteRef`` on the Coding
source type / meeting         ``Set`` ("Interviews", "Survey comments", "Said at
                              meetings", "Meeting notes — meeting k"; the last
                              carries the meetings.csv row in its Description)
============================  ==================================================

GUIDs are uuid5 of the ids and the zip entries carry a fixed timestamp, so
exporting the same data twice gives identical bytes.
"""

from __future__ import annotations

import os
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from ebm_analysis.atomic import write_bytes_atomic
from ebm_analysis.refi.common import (CODEBOOK_NS, PROJECT_NS, WHOLE_SEGMENT, _text, code_description, guid,
                               labelled_block)

__all__ = ["export_qdpx", "export_qdc", "project_xml", "codebook_xml"]

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SOURCE_SETS = (("interview", "Interviews"), ("survey_comment", "Survey comments"), ("meeting", "Said at meetings"))
INTEGER_VARIABLES = {"meeting", "joined_meeting"}
EXCERPT_VARIABLES = ("source_type", "speaker_role", "speaker_id", "speaker_group", "meeting", "text_en", "section", "note")
OBSERVATION_VARIABLES = ("meeting", "basis", "text_en", "section", "note")
PARTICIPANT_VARIABLES = ("role", "role_sv", "joined_meeting", "joined_basis", "left_project", "left_basis",
                         "answered_survey", "tenure_at_start", "introduction_track", "note", "section")
VARIABLE_DESCRIPTIONS = {
    "source_type": "interview, survey_comment or meeting (said at a meeting)",
    "speaker_role": "role of the speaker, or unknown",
    "speaker_id": "participant id of the speaker where known",
    "speaker_group": "subgroup of the speaker where the source says it",
    "meeting": "meeting number 1 to 8",
    "basis": "observed, retold or unclear (meeting notes)",
    "text_en": "English translation of the text",
    "section": "report section the row comes from (provenance)",
    "note": "notes on the row",
}


def export_qdpx(project, out_path: str | os.PathLike, name: str = "EBM evaluation") -> Path:
    """Write the whole project as a REFI-QDA project archive (``.qdpx``).

    Parameters
    ----------
    project : Project
        A loaded project (:func:`ebm_analysis.load_project`).
    out_path : str or path
        The ``.qdpx`` file to write (replaced atomically if it exists).
    name : str, default "EBM evaluation"
        The project name shown by the receiving tool.

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
    root = project_xml(project, name)
    members = [("project.qde", _xml_bytes(root))]
    for seg in _segments(project).itertuples(index=False):
        members.append((f"sources/{guid('source', seg.segment_id)}.txt", seg.text_sv.encode("utf-8")))
    return _write_atomic(Path(out_path), _zip_bytes(members))


def export_qdc(project, out_path: str | os.PathLike) -> Path:
    """Write the codebook alone as a REFI-QDA codebook (``.qdc``).

    Parameters
    ----------
    project : Project
        A loaded project.
    out_path : str or path
        The ``.qdc`` file to write.

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
    return _write_atomic(Path(out_path), _xml_bytes(codebook_xml(project)))


# ---------------------------------------------------------------- XML trees

def codebook_xml(project) -> ET.Element:
    """The ``CodeBook`` root element of a ``.qdc`` for ``project``."""
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": _origin()})
    root.append(_codes(project.codebook))
    return root


def project_xml(project, name: str = "EBM evaluation") -> ET.Element:
    """The ``Project`` root element of ``project.qde`` for ``project``."""
    root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": name, "origin": _origin()})
    segments = _segments(project)
    makers = project.codings["created_by"].dropna().tolist() if "created_by" in project.codings.columns else []
    coders = list(dict.fromkeys(project.codings["coder"].tolist() + makers))
    if coders:
        users = ET.SubElement(root, "Users")
        for coder in coders:
            ET.SubElement(users, "User", {"guid": guid("user", coder), "name": coder, "id": coder})
    if len(project.codebook):
        ET.SubElement(root, "CodeBook").append(_codes(project.codebook))
    _add_variables(root, project)
    _add_cases(root, project)
    if len(segments):
        _add_sources(root, project, segments)
    _add_notes(root, project.codings)
    _add_sets(root, project, segments)
    ET.SubElement(root, "Description").text = (
        "Exported by ebm-analysis. Sources are the project's excerpts (quotations) and segments of the "
        "meeting notes, named by their ids; each code's description lists its definition, when to use "
        "it and when not, an example, and its code id. Participants are pseudonyms.")
    return root


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


def _add_variable_values(element: ET.Element, row: dict, names) -> None:
    for var in names:
        value = _text(row.get(var))
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
        _add_variable_values(case, row, PARTICIPANT_VARIABLES)
        for seg in spoken.loc[spoken["speaker_id"] == pid, "excerpt_id"]:
            ET.SubElement(case, "SourceRef", {"targetGUID": guid("source", seg)})


def _add_sources(root: ET.Element, project, segments: pd.DataFrame) -> None:
    sources = ET.SubElement(root, "Sources")
    codings = project.codings
    rows = {r["excerpt_id"]: r for r in project.excerpts.to_dict("records")}
    rows.update({r["note_id"]: r for r in project.observations.to_dict("records")})
    for seg in segments.itertuples(index=False):
        sid = seg.segment_id
        source = ET.SubElement(sources, "TextSource", {
            "guid": guid("source", sid), "name": sid, "plainTextPath": f"internal://{guid('source', sid)}.txt"})
        ET.SubElement(source, "Description").text = _source_description(seg)
        for coding in codings.loc[codings["segment_id"] == sid].to_dict("records"):
            _add_selection(source, coding, len(seg.text_sv))
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


def _add_selection(source: ET.Element, coding: dict, length: int) -> None:
    whole = pd.isna(coding["start"])
    start, end = (0, length) if whole else (int(coding["start"]), int(coding["end"]))
    cid, user = coding["coding_id"], guid("user", coding["coder"])
    made_by, made_at = coding.get("created_by"), coding.get("created_at")
    when = {"creationDateTime": made_at} if _text(made_at) else {}
    selection = ET.SubElement(source, "PlainTextSelection", {
        "guid": guid("selection", cid), "name": f"{cid} {WHOLE_SEGMENT}" if whole else cid,
        "startPosition": str(start), "endPosition": str(end),
        "creatingUser": guid("user", made_by) if _text(made_by) else user, **when})
    element = ET.SubElement(selection, "Coding", {"guid": guid("coding", cid), "creatingUser": user, **when})
    ET.SubElement(element, "CodeRef", {"targetGUID": guid("code", coding["code_id"])})
    if _text(coding["memo"]):
        ET.SubElement(element, "NoteRef", {"targetGUID": guid("memo", cid)})


def _add_notes(root: ET.Element, codings: pd.DataFrame) -> None:
    memos = codings.dropna(subset=["memo"])
    if not len(memos):
        return
    notes = ET.SubElement(root, "Notes")
    for row in memos.to_dict("records"):
        cid = row["coding_id"]
        note = ET.SubElement(notes, "Note", {"guid": guid("memo", cid), "name": f"Memo on coding {cid}"})
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
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


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
    write_bytes_atomic(path, data, keep_previous=False)
    return path
