"""The project's memos (``memos/*.md``, :mod:`ebm_analysis.memos`) as REFI-QDA ``Note`` elements, and back.

Export: each memo is a ``Note`` in ``<Notes>`` (name ``M001: <title>``, the
memo's Markdown as ``PlainTextContent``, ``creatingUser`` its author,
``creationDateTime`` its date, ``modifiedDateTime`` its ``updated`` date,
and a ``Description`` ``ebm-analysis memo; links: code:x; segment:E001``).
Where it is linked, a ``NoteRef`` points to it from the ``Code``, from the
segment's ``TextSource`` and from the meeting's ``Set`` (``MemberNote``);
a free memo is referenced from the project itself (``Project/NoteRef``).

Import: every ``Note`` that no coding refers to becomes a memo file again:
the id and title from a name ``M001: title`` (else the next free id and the
whole name), the links from the ``Description`` written here, else from
where the references to it stand (codes, sources restored as segments,
meeting sets).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from ebm_analysis.refi.common import guid

__all__ = ["project_memos", "add_memo_notes", "memo_files_from_notes", "MEMO_DESCRIPTION"]

#: How the Description of an exported memo's Note begins.
MEMO_DESCRIPTION = "ebm-analysis memo; links: "


def project_memos(project) -> pd.DataFrame:
    """The memos of ``project``'s data folder (validated; empty when it has none)."""
    from ebm_analysis.memos import MEMO_COLUMNS, MEMO_DIR, load_memos

    folder = getattr(project, "path", None)
    if folder is None or not (Path(folder) / MEMO_DIR).is_dir():
        return pd.DataFrame(columns=MEMO_COLUMNS)
    return load_memos(folder, project=project)


def memo_guid(memo_id: str) -> str:
    """The Note's GUID of a memo."""
    return guid("project-memo", memo_id)


def add_memo_notes(root: ET.Element, memos: pd.DataFrame) -> None:
    """Add the memos to a ``Project`` element built by :func:`~ebm_analysis.refi.export.project_xml`.

    The memos' authors must already be among the root's ``Users``.
    """
    if memos.empty:
        return
    notes = root.find("Notes")
    if notes is None:
        notes = ET.Element("Notes")
        root.insert(_position(root, ("Links", "Sets", "Graphs", "Description", "NoteRef")), notes)
    targets = _targets(root)
    for memo in memos.to_dict("records"):
        links = [x for x in str(memo["links"] or "").split("; ") if x]
        attrs = {"guid": memo_guid(memo["memo_id"]), "name": f"{memo['memo_id']}: {memo['title']}",
                 "creatingUser": guid("user", memo["author"]), "creationDateTime": f"{memo['created']}T00:00:00Z"}
        if isinstance(memo.get("updated"), str) and memo["updated"]:
            attrs.update(modifyingUser=guid("user", memo["author"]), modifiedDateTime=f"{memo['updated']}T00:00:00Z")
        note = ET.SubElement(notes, "Note", attrs)
        ET.SubElement(note, "Description").text = MEMO_DESCRIPTION + "; ".join(links)
        ET.SubElement(note, "PlainTextContent").text = memo["text"]
        ref = {"targetGUID": memo_guid(memo["memo_id"])}
        for link in links:
            element = targets.get(link)
            if element is None:
                continue
            if element.tag == "Set":
                ET.SubElement(element, "MemberNote", ref)
            else:
                before = ("Code",) if element.tag == "Code" else ("VariableValue",)
                element.insert(_position(element, before), ET.Element("NoteRef", ref))
        if not links:
            ET.SubElement(root, "NoteRef", ref)


def _position(parent: ET.Element, before: tuple[str, ...]) -> int:
    """The index before the first child named one of ``before`` (the end if none)."""
    for i, child in enumerate(parent):
        if child.tag in before:
            return i
    return len(parent)


def _targets(root: ET.Element) -> dict[str, ET.Element]:
    """``code:x`` / ``segment:E001`` / ``meeting:3`` -> the element a NoteRef to the memo belongs in."""
    out: dict[str, ET.Element] = {}
    by_guid = {e.get("guid"): e for e in root.iter() if e.tag in ("Code", "TextSource", "Set")}
    for element in by_guid.values():
        out[f"{_kind(element)}:{_key(element)}"] = element
    return {k: v for k, v in out.items() if not k.startswith("?")}


def _kind(element: ET.Element) -> str:
    return {"Code": "code", "TextSource": "segment"}.get(element.tag, "meeting" if element.tag == "Set" else "?")


def _key(element: ET.Element) -> str:
    if element.tag == "Code":
        description = element.findtext("Description") or ""
        match = re.search(r"^Code id:\s*(\S+)", description, re.M)
        return match.group(1) if match else "?"
    if element.tag == "TextSource":
        return element.get("name", "?")
    match = re.fullmatch(r"Meeting notes — meeting (\d+)", element.get("name", ""))
    return match.group(1) if match else "?"


# ---------------------------------------------------------------- import

def memo_files_from_notes(root: ET.Element, notes: dict[str, dict], users: dict[str, str],
                          code_ids: dict[str, str], segment_ids: dict[str, str],
                          known: dict[str, set[str]]) -> tuple[dict[str, str], list[str]]:
    """Memo files (``memos/M001.md`` -> content) for the Notes no coding uses, and what could not be kept.

    Parameters
    ----------
    root : Element
        The parsed ``Project``.
    notes : dict
        Note GUID -> ``{"name", "text", "used_by"}`` (the importer's notes;
        ``used_by`` non-empty for a coding's note).
    users : dict
        User GUID -> name.
    code_ids, segment_ids : dict
        GUID -> the imported code_id / segment_id.
    known : dict
        ``code``/``segment``/``meeting`` -> ids the imported folder has, so
        that a link to something not imported is dropped (and said).
    """
    from ebm_analysis.memos import format_memo

    refs = _refs_to_notes(root, code_ids, segment_ids)
    elements = {_norm(n.get("guid")): n for n in root.iter("Note")}
    files, lost, used_ids = {}, [], set()
    pending = []
    for g, note in notes.items():
        if note["used_by"] or g not in elements:
            continue
        element = elements[g]
        match = re.fullmatch(r"(M\d{3,}): (.*)", note["name"].strip(), re.S)
        memo_id, title = (match.group(1), match.group(2)) if match else (None, note["name"].strip())
        description = element.findtext("Description") or ""
        if description.startswith(MEMO_DESCRIPTION):
            links = [x for x in description[len(MEMO_DESCRIPTION):].strip().split("; ") if x]
        else:
            links = refs.get(g, [])
        kept = [x for x in links if x.partition(":")[2] in known.get(x.partition(":")[0], set())]
        lost += [f"the link {x} of the note '{note['name']}' (not in the imported folder)" for x in links
                 if x not in kept]
        if memo_id in used_ids:
            memo_id = None
        if memo_id:
            used_ids.add(memo_id)
        pending.append((memo_id, title, element, kept, note["text"]))
    number = max((int(m[1:]) for m in used_ids), default=0)
    for memo_id, title, element, links, text in pending:
        if memo_id is None:
            number += 1
            memo_id = f"M{number:03d}"
        author = users.get(_norm(element.get("creatingUser")), "unknown")
        created = (element.get("creationDateTime") or "1980-01-01")[:10]
        updated = (element.get("modifiedDateTime") or "")[:10] or None
        title = " ".join(title.split())[:200] or memo_id
        files[f"memos/{memo_id}.md"] = format_memo(title, author, created, links, text or "(empty note)",
                                                   updated=updated)
    return files, lost


def _norm(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _refs_to_notes(root: ET.Element, code_ids: dict[str, str], segment_ids: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for element in root.iter():
        if element.tag == "Code":
            link = f"code:{code_ids.get(_norm(element.get('guid')), '')}"
        elif element.tag == "TextSource":
            link = f"segment:{segment_ids.get(_norm(element.get('guid')), '')}"
        elif element.tag == "Set":
            link = f"meeting:{_key(element)}"
        else:
            continue
        for child in element:
            if child.tag in ("NoteRef", "MemberNote"):
                out.setdefault(_norm(child.get("targetGUID")), []).append(link)
    return out
