"""A project as QualCoder would give it back: import a ``.qdpx`` into QualCoder's model, export it again.

SYNTHETIC TEST FIXTURE. Written for these tests from a reading of QualCoder's
REFI-QDA import and export (``src/qualcoder/refi.py`` of the public repository
ccbogel/QualCoder, LGPL; read, not copied): what its import keeps of each
element and what its export writes. It is a model of that behaviour, not
QualCoder itself; ``docs/interchange.md`` says what running the real program
showed.

What QualCoder's import keeps (its SQLite tables, modelled by :class:`QualCoderProject`):

- users: name and guid, used to name owners (an unknown or missing user is
  ``"default"``);
- codes: name (unique: a second code of the same name is merged into the
  first), description as memo, colour matched to QualCoder's palette, nesting
  (sub-codes);
- text sources: name, full text (read as UTF-8, a BOM kept as a character),
  description as memo, owner (``creatingUser``), date (``creationDateTime``);
- codings of text (``code_text``): code, positions, owner and date of the
  *selection*, the selection's ``Description`` as the memo; a NoteRef on a
  Coding is not read; one coding per code, source, span and owner;
- notes: a Note without ``creationDateTime`` and ``modifiedDateTime`` stops the
  import with ``AttributeError: 'NoneType' object has no attribute 'replace'``;
  a Note with a ``plainTextPath`` and a name becomes a journal, a Note with
  inline text only is dropped;
- variables (attribute types): name (unique), description as memo, ``Integer``
  and ``Float`` as "numeric", everything else as "character"; a variable used by
  any case becomes a case attribute (by name);
- cases: name, description, variable values; their SourceRefs are not read;
- sets: each Set with member sources becomes a source (file) variable named
  after the set, valued with the set's name on its members, the set's
  description as the variable's memo; a name already taken is skipped;
- the project's description.

What its export writes: ``xmlns:xsd``/``xmlns:xsi`` declarations,
``creatingUserGUID`` and ``creationDateTime`` on the Project, new random
GUIDs everywhere, Users (owners of codings and sources), the CodeBook, the
Variables (``Float`` or ``Text``, ``<Description />`` when empty), Cases
(without SourceRefs), Sources (each text as a BOM-prefixed UTF-8 file under
``sources/``, plus a second, unreferenced copy; selections named by their
selected text with ``Description`` as memo and a Coding with a CodeRef; source
variable values), journals as Notes, the project Description; no Sets.
"""

from __future__ import annotations

import io
import random
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

Q = "{urn:QDA-XML:project:1.0}"
VALUE_TAGS = tuple(Q + t for t in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                                   "DateTimeValue"))


@dataclass
class QualCoderProject:
    """What QualCoder's REFI import keeps of a project (a model of its SQLite tables)."""

    users: dict[str, str] = field(default_factory=dict)           # guid -> name
    codes: list[dict] = field(default_factory=list)               # name, memo, color, parent (index) , guid
    sources: list[dict] = field(default_factory=list)             # name, fulltext, memo, owner, date, guid
    code_text: list[dict] = field(default_factory=list)           # cid, fid, pos0, pos1, owner, memo, date
    attribute_types: dict[str, dict] = field(default_factory=dict)  # name -> memo, case_or_file, valuetype
    attributes: list[dict] = field(default_factory=list)          # name, attr_type, value, id
    cases: list[dict] = field(default_factory=list)               # name, memo
    journals: list[dict] = field(default_factory=list)
    memo: str = ""
    messages: list[str] = field(default_factory=list)


def qualcoder_import(qdpx: Path) -> QualCoderProject:
    """Read a ``.qdpx`` as QualCoder's REFI import does (see the module's notes)."""
    archive = zipfile.ZipFile(qdpx)
    root = ET.fromstring(archive.read("project.qde"))
    qc = QualCoderProject()
    for user in root.iter(Q + "User"):
        qc.users[user.get("guid")] = user.get("name")
    codes_by_guid: dict[str, int] = {}
    for top in root.findall(f"{Q}CodeBook/{Q}Codes/{Q}Code"):
        stack = [(top, None)]
        while stack:
            element, parent = stack.pop()
            index = _import_code(qc, element, parent)
            codes_by_guid[element.get("guid")] = index
            stack.extend((child, index) for child in reversed(element.findall(Q + "Code")))
    variables = {}
    for var in root.iter(Q + "Variable"):
        kind = "numeric" if var.get("typeOfVariable") in ("Integer", "Float") else "character"
        name = var.get("name")
        description = var.find(Q + "Description")
        variables[var.get("guid")] = name
        if name in qc.attribute_types:
            qc.messages.append(f"Variable name already exists: {name}")
            continue
        qc.attribute_types[name] = {"memo": (description.text or "") if description is not None else "",
                                    "case_or_file": "file", "valuetype": kind}
    for element in root.iter(Q + "TextSource"):
        _import_text_source(qc, archive, element, codes_by_guid, variables)
    for note in root.iter(Q + "Note"):
        date = note.get("creationDateTime") or note.get("modifiedDateTime")
        date = date.replace("T", " ")  # QualCoder: AttributeError when a Note has neither date
        if note.get("plainTextPath") is not None and note.get("name"):
            qc.journals.append({"name": note.get("name"), "date": date})
    for case in root.iter(Q + "Case"):
        if case.get("name") is None:
            continue
        description = case.find(Q + "Description")
        qc.cases.append({"name": case.get("name"), "memo": (description.text or "") if description is not None else ""})
        case_id = len(qc.cases) - 1
        for vv in case.findall(Q + "VariableValue"):
            name = variables.get(vv.find(Q + "VariableRef").get("targetGUID"), "")
            value = next((v.text for v in vv if v.tag in VALUE_TAGS), None)
            qc.attributes.append({"name": name, "attr_type": "case", "value": value, "id": case_id})
            if name in qc.attribute_types:
                qc.attribute_types[name]["case_or_file"] = "case"
    source_ids = {s["guid"]: i for i, s in enumerate(qc.sources)}
    for element in root.iter(Q + "Set"):
        members = [source_ids[m.get("targetGUID")] for m in element.findall(Q + "MemberSource")
                   if m.get("targetGUID") in source_ids]
        if not members:
            continue
        name = element.get("name")
        if name in qc.attribute_types:
            qc.messages.append(f"Variable name already exists: {name}")
            continue
        description = element.find(Q + "Description")
        qc.attribute_types[name] = {"memo": (description.text or "") if description is not None else "",
                                    "case_or_file": "file", "valuetype": "character"}
        qc.attributes += [{"name": name, "attr_type": "file", "value": name, "id": i} for i in members]
    description = root.find(Q + "Description")
    qc.memo = (description.text or "") if description is not None else ""
    return qc


def _import_code(qc: QualCoderProject, element: ET.Element, parent: int | None) -> int:
    name = element.get("name")
    for i, code in enumerate(qc.codes):  # code names are unique in QualCoder: the second one is merged
        if code["name"] == name:
            return i
    description = element.find(Q + "Description")
    qc.codes.append({"name": name, "memo": (description.text or "") if description is not None else "",
                     "color": _palette(element.get("color")), "parent": parent})
    return len(qc.codes) - 1


def _palette(color: str | None) -> str:
    """A colour as QualCoder keeps it: the nearest of a fixed palette (modelled as steps of 0x33)."""
    if not color or len(color) != 7:
        return "#999999"
    channels = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c / 0x33) * 0x33:02X}" for c in channels)


def _import_text_source(qc, archive, element, codes_by_guid, variables) -> None:
    owner = qc.users.get(element.get("creatingUser") or element.get("modifyingUser"), "default")
    date = (element.get("creationDateTime") or element.get("modifiedDateTime") or "").replace("T", " ").replace("Z", "")
    path = element.get("plainTextPath").split("internal:/")[1]
    fulltext = archive.read("sources" + path).decode("utf-8")  # QualCoder reads with encoding='utf-8'
    description = element.find(Q + "Description")
    name = element.get("name")
    qc.sources.append({"name": name, "fulltext": fulltext, "guid": element.get("guid"), "owner": owner, "date": date,
                       "memo": (description.text or "") if description is not None else ""})
    fid = len(qc.sources) - 1
    for selection in element.findall(Q + "PlainTextSelection"):
        sel_owner = qc.users.get(selection.get("creatingUser") or selection.get("modifyingUser"), "default")
        sel_date = (selection.get("creationDateTime") or selection.get("modifiedDateTime") or "now")
        memo_element = selection.find(Q + "Description")
        memo = memo_element.text if memo_element is not None and memo_element.text is not None else ""
        for coding in selection.findall(Q + "Coding"):
            cid = codes_by_guid.get(list(coding)[0].get("targetGUID"))
            row = {"cid": cid, "fid": fid, "pos0": int(selection.get("startPosition")),
                   "pos1": int(selection.get("endPosition")), "owner": sel_owner, "memo": memo,
                   "date": sel_date.replace("T", " ").replace("Z", "")}
            key = (cid, fid, row["pos0"], row["pos1"], sel_owner)
            if any((c["cid"], c["fid"], c["pos0"], c["pos1"], c["owner"]) == key for c in qc.code_text):
                qc.messages.append("Duplicated text coding for code and coder. Only one loaded.")
                continue
            qc.code_text.append(row)
    for vv in element.findall(Q + "VariableValue"):
        name = variables.get(vv.find(Q + "VariableRef").get("targetGUID"), "")
        value = next(((v.text or "").strip() for v in vv if v.tag in VALUE_TAGS and v.text is not None), "")
        qc.attributes.append({"name": name, "attr_type": "file", "value": value, "id": fid})


def qualcoder_export(qc: QualCoderProject, out: Path, *, decimals: bool = False, seed: int = 0) -> Path:
    """Write ``qc`` as QualCoder's REFI export does (see the module's notes).

    ``decimals=True`` writes numeric values as decimals (``3.0``), as a tool
    that keeps numbers as floating point does; QualCoder itself writes the
    stored text of the value.
    """
    rng = random.Random(seed)

    def new_guid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    owners = sorted({c["owner"] for c in qc.code_text} | {s["owner"] for s in qc.sources})
    users = {name: new_guid() for name in owners}
    code_guids = [new_guid() for _ in qc.codes]
    variables = {name: new_guid() for name in qc.attribute_types}
    xml = ['<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="ebm.qda" origin="QualCoder 3.8" '
           f'creatingUserGUID="{new_guid()}" creationDateTime="2026-01-01T12:00:00Z" xmlns="urn:QDA-XML:project:1.0">\n']
    xml.append("<Users>\n" + "".join(f'<User guid="{users[n]}" name="{escape(n)}" />\n' for n in owners) + "</Users>\n")
    xml.append("<CodeBook>\n<Codes>\n")
    for i, code in enumerate(qc.codes):
        if code["parent"] is None:
            xml.append(_code_xml(qc, i, code_guids))
    xml.append("</Codes>\n</CodeBook>\n")
    if variables:
        xml.append("<Variables>\n")
        for name, var in qc.attribute_types.items():
            kind = "Float" if var["valuetype"] == "numeric" else "Text"
            memo = f"<Description>{escape(var['memo'])}</Description>\n" if var["memo"] else "<Description />\n"
            xml.append(f'<Variable guid="{variables[name]}" name="{escape(name)}" typeOfVariable="{kind}" >\n{memo}'
                       "</Variable>\n")
        xml.append("</Variables>\n")
    if qc.cases:
        xml.append("<Cases>\n")
        for i, case in enumerate(qc.cases):
            memo = f"<Description>{escape(case['memo'])}</Description>\n" if case["memo"] else "<Description />\n"
            xml.append(f'<Case guid="{new_guid()}" name="{escape(case["name"])}">\n{memo}')
            xml += [_value_xml(qc, a, variables, decimals) for a in qc.attributes
                    if a["attr_type"] == "case" and a["id"] == i]
            xml.append("</Case>\n")
        xml.append("</Cases>\n")
    files: dict[str, str] = {}
    xml.append("<Sources>\n")
    for fid, source in enumerate(qc.sources):
        plain = f"{new_guid()}.txt"
        files[f"sources/{new_guid()}.txt"] = source["fulltext"]  # the unreferenced copy of the document
        files[f"sources/{plain}"] = source["fulltext"]
        xml.append(f'<TextSource plainTextPath="internal://{plain}" creatingUser="{users[source["owner"]]}" '
                   f'creationDateTime="{_stamp(source["date"])}" guid="{new_guid()}" name="{escape(source["name"])}">\n')
        if source["memo"]:
            xml.append(f"<Description>{escape(source['memo'])}</Description>\n")
        for row in (r for r in qc.code_text if r["fid"] == fid):
            xml.append(f'<PlainTextSelection guid="{new_guid()}" startPosition="{row["pos0"]}" '
                       f'endPosition="{row["pos1"]}" name="{escape(source["fulltext"][row["pos0"]:row["pos1"]])}" '
                       f'creatingUser="{users[row["owner"]]}" creationDateTime="{_stamp(row["date"])}">\n')
            if row["memo"]:
                xml.append(f"<Description>{escape(row['memo'])}</Description>\n")
            xml.append(f'<Coding guid="{new_guid()}" creatingUser="{users[row["owner"]]}" >\n'
                       f'<CodeRef targetGUID="{code_guids[row["cid"]]}" />\n</Coding>\n</PlainTextSelection>\n')
        xml += [_value_xml(qc, a, variables, decimals) for a in qc.attributes
                if a["attr_type"] == "file" and a["id"] == fid]
        xml.append("</TextSource>\n")
    xml.append("</Sources>\n")
    xml.append(f"<Description>{escape(qc.memo)}</Description>\n</Project>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", "".join(xml).encode("utf-8"))
        archive.writestr(zipfile.ZipInfo("sources/"), b"")
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8-sig"))  # QualCoder writes sources with a BOM
    out.write_bytes(buffer.getvalue())
    return out


def _code_xml(qc: QualCoderProject, index: int, guids: list[str]) -> str:
    code = qc.codes[index]
    children = [i for i, c in enumerate(qc.codes) if c["parent"] == index]
    xml = f'<Code guid="{guids[index]}" name="{escape(code["name"])}" isCodable="true" color="{code["color"]}"'
    if not code["memo"] and not children:
        return xml + " />\n"
    xml += ">\n"
    if code["memo"]:
        xml += f"<Description>{escape(code['memo'])}</Description>\n"
    return xml + "".join(_code_xml(qc, i, guids) for i in children) + "</Code>\n"


def _value_xml(qc: QualCoderProject, attribute: dict, variables: dict[str, str], decimals: bool) -> str:
    name, value = attribute["name"], attribute["value"] or ""
    numeric = qc.attribute_types.get(name, {}).get("valuetype") == "numeric"
    xml = f'<VariableValue>\n<VariableRef targetGUID="{variables.get(name, "")}" />\n'
    if numeric and value != "":
        xml += f"<FloatValue>{float(value) if decimals else value}</FloatValue>\n"
    if not numeric:
        xml += f"<TextValue>{escape(value)}</TextValue>\n"
    return xml + "</VariableValue>\n"


def _stamp(date: str) -> str:
    return f"{date[0:10]}T{date[11:]}Z"


def qualcoder_round_trip(qdpx: Path, out: Path, *, decimals: bool = False) -> Path:
    """``qdpx`` imported into (a model of) QualCoder and exported again, written to ``out``."""
    return qualcoder_export(qualcoder_import(qdpx), out, decimals=decimals)
