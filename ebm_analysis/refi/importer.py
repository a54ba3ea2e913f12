"""Read a REFI-QDA ``.qdpx`` project (from NVivo, ATLAS.ti, MAXQDA, QualCoder, ...) into a data folder.

Mapping (REFI -> EBM):

=============================  ===============================================
REFI-QDA                       EBM data folder
=============================  ===============================================
``Code`` (nested)              codebook.csv: code_id (from the description's
                               "Code id:" line, else made from the name),
                               parent_id, name_en = name_sv = name, color,
                               definition = Description; include / exclude /
                               example "(not given in the imported project)"
``TextSource``                 excerpts.csv: one excerpt per source, the whole
                               plain text as text_sv, source_type interview,
                               speaker_role unknown, section = source name.
                               Sources exported by ebm-analysis (named E.../O...
                               with their variables) are restored as excerpts
                               and observations, also after a trip through a
                               tool that drops Sets (see below)
``PlainTextSelection/Coding``  codings.csv: offsets, coder = User name
                               (or "unknown"), memo = the selection's
                               ``Description`` and the text of the NoteRefs
                               (each distinct text once)
``Set`` / ``Variable``         meetings.csv from a description holding a
                               meeting's labelled block (ebm-analysis writes it
                               on the meeting's Set; QualCoder turns Sets into
                               variables and keeps it as the variable's
                               description)
``User``, ``Case``,            refi_users.csv, refi_cases.csv,
``VariableValue``, ``Set``,    refi_variables.csv, refi_sets.csv,
``Note``                       refi_notes.csv (the loader ignores these files)
``Note`` no coding uses        memos/M001.md, linked to the codes, sources and
                               meeting sets that refer to it
                               (:mod:`ebm_analysis.refi.memo_notes`)
=============================  ===============================================

Numbers written as decimals by another tool (``<FloatValue>3.0</FloatValue>``
for a meeting number) are read back as whole numbers. What could not be
recovered is said in ``IMPORTED_FROM_REFI.md`` in the new folder (and printed by
the command line). Tables REFI has no place for (attendance, survey, ...) are
written with their header only.

The archive is read within :class:`~ebm_analysis.refi.archive.ArchiveLimits`
and the new folder is built in a locked staging folder beside the target
(:mod:`ebm_analysis.refi.target`): a failed or killed import leaves nothing
behind, and leftovers of a killed one are removed by the next import.
"""

from __future__ import annotations

import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.parsers import expat

import pandas as pd

from ebm_analysis.atomic import frame_to_csv_text
from ebm_analysis.errors import DataError, Problem
from ebm_analysis.project import Project, load_project
from ebm_analysis.reading import FIELD_LIMIT
from ebm_analysis.refi.export import UNKNOWN_TIME
from ebm_analysis.refi.archive import DEFAULT_LIMITS, ArchiveLimits, SafeArchive, limit_advice
from ebm_analysis.refi.common import (CASE_VARIABLE_NAMES, NOT_GIVEN, NOT_TRANSLATED, WHOLE_SEGMENT,
                                      parse_code_description, parse_labelled_block)
from ebm_analysis.refi.target import Staging, clean_stale_imports, resolve_target
from ebm_analysis.schema import TABLES, TABLES_BY_NAME, Column
from ebm_analysis.spans import covered_text

__all__ = ["import_qdpx", "import_notes", "ArchiveLimits"]

EMPTY_TEXT = "(the imported source has no text)"
SEGMENT_VARIABLES = ("source_type", "speaker_role", "speaker_id", "speaker_group", "meeting", "basis",
                     "text_en", "section", "note")
#: Elements whose GUIDs must be unique among elements of the same kind (the importer looks them up by GUID).
UNIQUE_GUIDS = ("Code", "TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource",
                "PlainTextSelection", "Note", "User", "Variable", "Case", "Set")
README = "IMPORTED_FROM_REFI.md"
NOT_RECOVERED = "## Not recovered"


def import_qdpx(qdpx_path: str | os.PathLike, data_dir: str | os.PathLike, *, overwrite: bool = False,
                limits: ArchiveLimits | None = None) -> Project:
    """Import a REFI-QDA project archive into a new data folder.

    The folder is built in a hidden staging folder next to ``data_dir``,
    checked with :func:`~ebm_analysis.load_project`, and only then moved into
    place; if anything is wrong, or the import is interrupted, nothing is
    written (a staging folder left by a killed import is removed by the next
    import into the same place).

    Parameters
    ----------
    qdpx_path : str or path
        The ``.qdpx`` file.
    data_dir : str or path
        The data folder to create. It must not exist or be empty; a symbolic
        link to a folder is followed. It may not be the current folder (or
        one containing it).
    overwrite : bool, default False
        Replace a non-empty ``data_dir``. The previous folder is kept, renamed
        to ``<data_dir>.backup-1`` (``-2``, ... if that exists).
    limits : ArchiveLimits, optional
        What may be read from the archive (sizes, compression ratio, number
        of files, XML size); default :data:`~ebm_analysis.refi.archive.DEFAULT_LIMITS`,
        which fits real projects and refuses archive bombs.

    Returns
    -------
    Project
        The imported project, loaded from ``data_dir``. What could not be
        recovered is listed by :func:`import_notes`.

    Raises
    ------
    DataError
        When the archive is not a readable REFI-QDA project (not a zip, no
        ``project.qde``, XML that does not parse, a missing source file,
        positions past the end of a text, a coding of an unknown code, two
        elements with one GUID), is over a limit (the message names the
        member and the limit), or when ``data_dir`` cannot be used (it holds
        files and ``overwrite`` is False, it is a dangling link, a file, or
        the current folder).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.refi.export import export_qdpx
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> archive = export_qdpx(load_project(), folder / "ebm.qdpx")
    >>> project = import_qdpx(archive, folder / "data")
    >>> project.codings[["segment_id", "code_id", "coder"]].iloc[0].tolist()
    ['E001', 'bemotande', 'coder1']
    >>> import_qdpx(archive, folder / "data")
    Traceback (most recent call last):
    ...
    ebm_analysis.errors.DataError: 1 problem in the data:
    ...
    """
    qdpx_path = Path(qdpx_path)
    target = resolve_target(data_dir, overwrite)
    cleaned = clean_stale_imports(target.path)
    with SafeArchive(qdpx_path, limits or DEFAULT_LIMITS) as safe:
        archive = _Archive.open(safe)
        converter = _Converter(archive)
        files = converter.convert()
    notes = target.notes + [f"Removed {name}, left by an import that was interrupted." for name in cleaned]
    files[README] = _readme(archive, converter, target.backup, notes)
    staging = Staging(target)
    with staging as tmp:
        _write_files(tmp, files)
        try:
            project = load_project(tmp)
            if (tmp / "memos").is_dir():
                from ebm_analysis.memos import load_memos

                load_memos(tmp, project=project)  # the memos made from notes load back too
        except DataError as exc:
            raise DataError([Problem(qdpx_path.name, None, None, "content that the data folder cannot hold",
                                     "see the problems below; nothing was written"), *exc.problems]) from None
        staging.commit()
    return Project(Path(data_dir), project.tables)


def import_notes(data_dir: str | os.PathLike) -> list[str]:
    """What an import could not recover, as written in the folder's ``IMPORTED_FROM_REFI.md``.

    Parameters
    ----------
    data_dir : str or path
        A folder made by :func:`import_qdpx`.

    Returns
    -------
    list of str
        One sentence per item; empty when everything was recovered or the
        folder was not made by an import.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.refi.export import export_qdpx
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = import_qdpx(export_qdpx(load_project(), folder / "ebm.qdpx"), folder / "data")
    >>> import_notes(folder / "data")
    []
    """
    path = Path(data_dir) / README
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    if NOT_RECOVERED not in text:
        return []
    section = text.split(NOT_RECOVERED, 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]


# ---------------------------------------------------------------- writing

def _write_files(folder: Path, files: dict[str, str]) -> None:
    try:
        for name, text in files.items():
            (folder / name).parent.mkdir(exist_ok=True)
            with open(folder / name, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
    except OSError as exc:
        raise DataError(Problem(str(folder.parent), None, None, f"a folder that cannot be written "
                                f"({exc.strerror or exc})", "free some space or choose another folder; "
                                "nothing was written")) from None


# ---------------------------------------------------------------- archive and XML

@dataclass
class _Archive:
    """An opened ``.qdpx``: the parsed ``project.qde`` and the archive's files."""

    path: Path
    safe: SafeArchive
    qde_name: str
    root: ET.Element
    lines: dict[int, int]
    members: dict[str, str]  # lower-case name -> name

    @classmethod
    def open(cls, safe: SafeArchive) -> "_Archive":
        path = safe.path
        members = {n.lower(): n for n in safe.names}
        qde = members.get("project.qde") or _only([n for n in members.values() if n.lower().endswith(".qde")])
        if qde is None:
            raise DataError(Problem(path.name, None, None, f"no project.qde among {_shorten(sorted(members.values()))}",
                                    "expected project.qde at the top of the archive (a REFI-QDA .qdpx)"))
        where = f"{path.name}: {qde}"
        root, lines = _parse_xml(safe.read(qde, kind="xml"), where, safe.limits)
        if _local(root.tag) != "Project":
            raise DataError(Problem(where, lines.get(id(root)), None, f"a <{root.tag}> root element",
                                    "expected <Project> (urn:QDA-XML:project:1.0) as the root of project.qde"))
        archive = cls(path, safe, qde, root, lines, members)
        archive.plan_reading()
        return archive

    def plan_reading(self) -> None:
        """Check the total size of every text the import will read, before reading any."""
        refs = [e.get("plainTextPath") for e in self.root.iter() if e.tag in ("TextSource", "Note")]
        self.safe.check_planned([name for ref in refs if ref and (name := self._find(ref))])

    def where(self) -> str:
        return f"{self.path.name}: {self.qde_name}"

    def line(self, element: ET.Element) -> int | None:
        return self.lines.get(id(element))

    def read_text(self, ref: str) -> str | None:
        """The text of an internal file named by a ``plainTextPath``; None if absent."""
        name = self._find(ref)
        if name is None:
            return None
        data = self.safe.read(name, kind="source")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError(Problem(f"{self.path.name}: {name}", None, None, f"byte 0x{data[exc.start]:02X} at byte "
                                    f"{exc.start}, which is not UTF-8",
                                    "expected plain text in UTF-8, as REFI-QDA requires")) from None

    def _find(self, ref: str) -> str | None:
        path = re.sub(r"^internal://", "", ref.strip(), flags=re.IGNORECASE).replace("\\", "/").lstrip("/")
        path = re.sub(r"^\./", "", path)
        base = PurePosixPath(path).name
        for candidate in (path, f"sources/{path}", f"sources/{base}"):
            if candidate.lower() in self.members:
                return self.members[candidate.lower()]
        return None


def _only(items: list[str]) -> str | None:
    return items[0] if len(items) == 1 else None


class _TooManyElements(Exception):
    pass


def _parse_xml(data: bytes, where: str, limits: ArchiveLimits = DEFAULT_LIMITS) -> tuple[ET.Element, dict[int, int]]:
    """Parse XML into an ElementTree with local tag names; also each element's line.

    Iterative (any depth of nesting), refuses entity declarations and more
    than ``limits.xml_elements`` elements.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[ET.Element] = []
    lines: dict[int, int] = {}
    top: list[ET.Element] = []

    def start(tag, attrs):
        element = ET.Element(_local(tag), {_local(k): v for k, v in attrs.items()})
        lines[id(element)] = parser.CurrentLineNumber
        if len(lines) > limits.xml_elements:
            raise _TooManyElements()
        (stack[-1].append(element) if stack else top.append(element))
        stack.append(element)

    def end(tag):
        stack.pop()

    def text(data):
        if stack and not len(stack[-1]):
            stack[-1].text = (stack[-1].text or "") + data

    def entity(*args):
        raise expat.ExpatError("entity declarations are not allowed")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler, parser.EntityDeclHandler = text, entity
    try:
        parser.Parse(data, True)
    except _TooManyElements:
        raise DataError(Problem(where, parser.CurrentLineNumber, None,
                                f"more than {limits.xml_elements:,} XML elements",
                                limit_advice("xml_elements", limits, "elements in project.qde"))) from None
    except expat.ExpatError as exc:
        line = getattr(exc, "lineno", None) or parser.CurrentLineNumber
        column = getattr(exc, "offset", None)
        found = f"XML that does not parse ({_expat_message(exc)}, line {line}, position {column})"
        raise DataError(Problem(where, line, None, found,
                                "expected well-formed XML; the file may be truncated or damaged: export it again")) from None
    return top[0], lines


def _expat_message(exc: expat.ExpatError) -> str:
    return str(exc).split(":")[0]


def _g(value: str | None) -> str:
    """A GUID in one spelling: no braces, lower case."""
    return (value or "").strip().strip("{}").lower()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if c.tag == name]


def _child_text(element: ET.Element, name: str) -> str:
    found = _children(element, name)
    return (found[0].text or "") if found else ""


def _shorten(values: list[str], n: int = 6) -> str:
    return ", ".join(values[:n]) + (", ..." if len(values) > n else "") if values else "no files"


# ---------------------------------------------------------------- conversion

@dataclass
class _Source:
    element: ET.Element
    guid: str
    name: str
    text: str
    lead: int
    variables: dict[str, str]
    segment_id: str | None = None
    kind: str = "excerpt"
    codings: list[dict] = field(default_factory=list)


class _Converter:
    """Turns a parsed archive into the files of a data folder."""

    def __init__(self, archive: _Archive):
        self.a = archive
        self.problems: list[Problem] = []
        self.dropped: list[str] = []
        self.skipped_sources: list[str] = []
        self.recovered: list[str] = []
        self.not_recovered: list[str] = []
        self.uncoded_comments = 0

    def problem(self, element, column, found, expected):
        self.problems.append(Problem(self.a.where(), self.a.line(element) if element is not None else None,
                                     column, found, expected))

    def convert(self) -> dict[str, str]:
        root = self.a.root
        self._check_unique_guids()
        if self.problems:
            raise DataError(self.problems)
        self.users = {_g(u.get("guid")): (u.get("name") or u.get("id") or "unknown").strip() or "unknown"
                      for u in root.iter("User")}
        self.variables = {_g(v.get("guid")): (v.get("name", ""), v.get("typeOfVariable", "Text"))
                          for v in root.iter("Variable")}
        self.notes = self._notes()
        self.codes = self._codes()
        self.sources = self._sources()
        if self.problems:
            raise DataError(self.problems)
        self.cases = self._cases()
        self.sets = self._sets()
        return self._files()

    def _check_unique_guids(self) -> None:
        seen: dict[tuple[str, str], ET.Element] = {}
        for element in self.a.root.iter():
            if element.tag not in UNIQUE_GUIDS or not element.get("guid"):
                continue
            key = (element.tag, _g(element.get("guid")))
            if key in seen:
                first = seen[key]
                self.problem(element, "guid", f"a second <{element.tag}> with guid '{element.get('guid')}' "
                             f"(name '{element.get('name', '')}'; the first, name '{first.get('name', '')}', is on "
                             f"line {self.a.line(first)})",
                             f"expected every {element.tag} to have its own guid; export the project again from "
                             "your QDA program")
            else:
                seen[key] = element

    # -- codes
    def _codes(self) -> list[dict]:
        codes: list[dict] = []
        book = next(iter(self.a.root.iter("CodeBook")), None)
        codes_el = _children(book, "Codes") if book is not None else []
        # depth first, parents before children, in document order; iterative (any depth)
        stack = [(element, None) for element in reversed(_children(codes_el[0], "Code") if codes_el else [])]
        taken: set[str] = set()
        while stack:
            element, parent_guid = stack.pop()
            code = self._code(element, parent_guid, taken)
            codes.append(code)
            stack.extend((child, code["guid"]) for child in reversed(_children(element, "Code")))
        used = {c["code_id"] for c in codes if c["code_id"]}
        for code in codes:
            if not code["code_id"]:
                code["code_id"] = _unique(_slug(code["name"]), used)
        by_guid = {c["guid"]: c for c in codes}
        for code in codes:
            code["parent_id"] = by_guid[code["parent_guid"]]["code_id"] if code["parent_guid"] else None
        return codes

    def _code(self, element: ET.Element, parent_guid: str | None, taken: set[str]) -> dict:
        guid = _g(element.get("guid"))
        if not guid:
            self.problem(element, "guid", "a Code without a guid", "expected every Code to have its own guid")
        name = (element.get("name") or "").strip() or "unnamed code"
        description = _child_text(element, "Description").strip()
        block = parse_code_description(description)
        code_id = block["code_id"] if block and block["code_id"] not in taken else None
        if code_id:
            taken.add(code_id)
        return {"guid": guid, "parent_guid": parent_guid, "name": name, "color": _color(element.get("color")),
                "description": description, "block": block, "code_id": code_id}

    # -- notes
    def _notes(self) -> dict[str, dict]:
        notes = {}
        for element in self.a.root.iter("Note"):
            text = self._source_text(element, "Note")
            notes[_g(element.get("guid"))] = {"name": element.get("name", ""), "text": (text or "").strip(),
                                              "used_by": []}
        return notes

    def _note_texts(self, element: ET.Element, owner: str) -> list[str]:
        texts = []
        for ref in _children(element, "NoteRef"):
            note = self.notes.get(_g(ref.get("targetGUID")))
            if note is None:
                self.problem(ref, "targetGUID", f"a NoteRef to '{ref.get('targetGUID')}', which no Note has",
                             "expected the guid of a Note in <Notes>")
                continue
            note["used_by"].append(owner)
            if note["text"]:
                texts.append(note["text"])
        return texts

    # -- sources
    def _source_text(self, element: ET.Element, what: str) -> str | None:
        inline = _children(element, "PlainTextContent")
        if inline:
            return inline[0].text or ""
        ref = element.get("plainTextPath")
        if not ref:
            if what == "Note":
                return ""
            self.problem(element, "plainTextPath", f"a {what} '{element.get('name', '')}' without text",
                         "expected a plainTextPath attribute or a PlainTextContent element")
            return None
        text = self.a.read_text(ref)
        if text is None:
            self.problem(element, "plainTextPath", f"'{ref}', which is not in the archive",
                         f"expected a file of that name in the archive's sources/ folder "
                         f"(it holds {_shorten(sorted(self.a.members.values()))})")
        return text

    def _sources(self) -> list[_Source]:
        sources = []
        for element in self.a.root.iter():
            if element.tag in ("PictureSource", "PDFSource", "AudioSource", "VideoSource"):
                self.skipped_sources.append(f"{element.tag} '{element.get('name', '')}' (only text sources "
                                            "can be imported)")
            if element.tag != "TextSource":
                continue
            text = self._source_text(element, "TextSource")
            if text is None:
                continue
            if len(text) > FIELD_LIMIT:
                self.problem(element, "plainTextPath", f"a text of {len(text):,} characters in source "
                             f"'{element.get('name', '')}'",
                             f"expected at most {FIELD_LIMIT:,} characters, the most one cell of a data folder "
                             "holds; split the source into parts in your QDA program and export again")
                continue
            lead = len(text) - len(text.lstrip())
            guid = _g(element.get("guid"))
            name = (element.get("name") or "").strip() or element.get("plainTextPath") or guid
            source = _Source(element, guid, name, text, lead, self._variable_values(element))
            self._codings(source)
            sources.append(source)
        return sources

    def _variable_values(self, element: ET.Element) -> dict[str, str]:
        values = {}
        for vv in _children(element, "VariableValue"):
            ref = _children(vv, "VariableRef")
            var = self.variables.get(_g(ref[0].get("targetGUID"))) if ref else None
            value_element = next((c for c in vv if c.tag.endswith("Value")), None)
            if var is None or value_element is None:
                continue
            value = (value_element.text or "").strip()
            if var[1] in ("Integer", "Float") or value_element.tag in ("IntegerValue", "FloatValue"):
                value = _whole_number(value)
            values[var[0]] = value
        return values

    def _codings(self, source: _Source) -> None:
        text, lead = source.text, source.lead
        stripped = len(text.strip())
        for coding in _children(source.element, "Coding"):  # the whole source
            self._coding(source, coding, None, None, None, [])
        for selection in _children(source.element, "PlainTextSelection"):
            start, end = self._positions(selection, len(text))
            if start is None:
                continue
            memo = [_child_text(selection, "Description").strip()]
            memo += self._note_texts(selection, selection.get("name", ""))
            s, e = max(0, start - lead), min(stripped, end - lead)
            codings = _children(selection, "Coding")
            if not codings and any(memo):
                self.uncoded_comments += 1
            kept_id = _coding_id(selection.get("name")) if len(codings) == 1 else None
            if kept_id is not None:  # written by ebm-analysis: the name says whether it is the whole segment
                whole = (selection.get("name") or "").endswith(WHOLE_SEGMENT) and (start, end) == (0, len(text))
            else:  # another tool: a selection of all the text is the whole segment
                whole = stripped > 0 and (s, e) == (0, stripped)
            if not whole and s >= e:
                self.dropped.append(f"selection {start}..{end} of '{source.name}' covers only blank space")
                continue
            for coding in codings:
                self._coding(source, coding, selection, None if whole else s, None if whole else e, memo, kept_id)

    def _positions(self, selection: ET.Element, length: int) -> tuple[int | None, int | None]:
        try:
            start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
        except ValueError:
            self.problem(selection, "startPosition", f"startPosition '{selection.get('startPosition')}', "
                         f"endPosition '{selection.get('endPosition')}'", "expected whole numbers (character offsets)")
            return None, None
        if not 0 <= start < end <= length:
            self.problem(selection, "endPosition", f"startPosition {start}, endPosition {end}",
                         f"expected 0 <= start < end <= {length}, the length of the source's text in characters")
            return None, None
        return start, end

    def _coding(self, source, coding, selection, start, end, memo, kept_id=None) -> None:
        ref = _children(coding, "CodeRef")
        target = _g(ref[0].get("targetGUID")) if ref else ""
        if target not in self.code_guids:
            self.problem(ref[0] if ref else coding, "targetGUID", f"a coding of '{target or '(no CodeRef)'}', "
                         "which is not a Code in the CodeBook", "expected the guid of a Code in <CodeBook>")
            return
        user = coding.get("creatingUser") or (selection.get("creatingUser") if selection is not None else None)
        author = (selection.get("creatingUser") if selection is not None else None) or coding.get("creatingUser")
        when = coding.get("creationDateTime") or (selection.get("creationDateTime") if selection is not None else None)
        texts = [t for t in memo + self._note_texts(coding, coding.get("guid", "")) if t]
        source.codings.append({"coding_id": kept_id, "code_guid": target, "coder": self.users.get(_g(user), "unknown"),
                               "start": start, "end": end, "memo": "\n\n".join(dict.fromkeys(texts)) or None,
                               "created_at": _utc_time(when), "created_by": self.users.get(_g(author)) or self.users.get(_g(user))})

    @property
    def code_guids(self) -> set[str]:
        if not hasattr(self, "_code_guids"):
            self._code_guids = {c["guid"] for c in self.codes}
        return self._code_guids

    # -- cases and sets
    def _cases(self) -> list[dict]:
        cases = []
        by_guid = {s.guid: s for s in self.sources}
        for element in self.a.root.iter("Case"):
            refs = [_g(r.get("targetGUID")) for r in _children(element, "SourceRef")]
            cases.append({"guid": element.get("guid", ""), "name": (element.get("name") or "").strip(),
                          "description": _child_text(element, "Description").strip(),
                          "variables": self._variable_values(element),
                          "sources": [by_guid[r] for r in refs if r in by_guid]})
        return cases

    def _sets(self) -> list[dict]:
        return [{"guid": s.get("guid", ""), "name": s.get("name", ""),
                 "description": _child_text(s, "Description").strip(),
                 "members": [(c.tag, _g(c.get("targetGUID"))) for c in s if c.tag.startswith("Member")]}
                for s in self.a.root.iter("Set")]

    # -- tables
    def _files(self) -> dict[str, str]:
        meetings = self._meetings()
        known = {"meetings": {r["meeting"] for r in meetings}}
        participants = self._participants(known)
        known["participants"] = {r["participant_id"] for r in participants}
        excerpts, observations = self._segments(known)
        codings = self._coding_rows()
        tables = {"meetings": meetings, "participants": participants, "excerpts": excerpts,
                  "observations": observations, "codebook": self._codebook(codings), "codings": codings}
        self.counts = {TABLES_BY_NAME[n].file: len(rows) for n, rows in tables.items() if rows}
        files = {t.file: _csv(t.name, tables.get(t.name, [])) for t in TABLES if not t.optional or t.name in tables}
        files.update(self._extra_files())
        files.update(self._memo_files(tables))
        return files

    def _memo_files(self, tables: dict[str, list[dict]]) -> dict[str, str]:
        """Notes no coding uses, as memo files (see :mod:`ebm_analysis.refi.memo_notes`)."""
        from ebm_analysis.refi.memo_notes import memo_files_from_notes

        known = {"code": {r["code_id"] for r in tables["codebook"]},
                 "segment": {r["excerpt_id"] for r in tables["excerpts"]} | {r["note_id"] for r in tables["observations"]},
                 "meeting": {str(r["meeting"]) for r in tables["meetings"]}}
        files, lost = memo_files_from_notes(self.a.root, self.notes, self.users,
                                            {c["guid"]: c["code_id"] for c in self.codes},
                                            {s.guid: s.segment_id for s in self.sources}, known)
        self.not_recovered += lost
        if files:
            self.recovered.append(f"{len(files)} memo(s) in memos/, from the notes that no coding uses")
        return files

    def _meetings(self) -> list[dict]:
        """Meetings from descriptions holding a meeting's labelled block: of Sets, else of Variables.

        ebm-analysis writes each meeting's row in the description of the
        meeting's Set; QualCoder turns Sets into source variables and keeps
        the description as the variable's.
        """
        table = TABLES_BY_NAME["meetings"]
        described = [("Set", s["name"], s["description"]) for s in self.sets]
        described += [("Variable", v.get("name", ""), _child_text(v, "Description").strip())
                      for v in self.a.root.iter("Variable")]
        rows, where = {}, {}
        for kind, name, description in described:
            values = parse_labelled_block(description, table.column_names)
            row = _valid_row(table, values, {})
            if row is not None and row["meeting"] not in rows:
                rows[row["meeting"]] = row
                where.setdefault(kind, 0)
                where[kind] += 1
        if where.get("Variable") and not where.get("Set"):
            self.recovered.append(f"{len(rows)} meetings, from the descriptions of variables (the project has no "
                                  "Sets; QualCoder, for one, turns Sets into variables)")
        return [rows[k] for k in sorted(rows)]

    def _participants(self, known) -> list[dict]:
        table = TABLES_BY_NAME["participants"]
        rows = []
        for case in self.cases:
            values = {name: case["variables"].get(name) for name in table.column_names}
            for ours, column in CASE_VARIABLE_NAMES.items():
                if ours in case["variables"]:
                    values[column] = case["variables"][ours]
            row = _valid_row(table, {**values, "participant_id": case["name"]}, known)
            if row is not None and row["participant_id"] not in {r["participant_id"] for r in rows}:
                rows.append(row)
                case["participant_id"] = row["participant_id"]
        described = [c for c in self.cases
                     if "role" in c["variables"] and re.fullmatch(r"(SS|LVM|BM|SK)\d+", c["name"])]
        missing = [c["name"] for c in described if not c.get("participant_id")]
        if missing:
            why = ("their joined_meeting refers to meetings the project does not describe" if not known["meetings"]
                   else "some of their variables are missing or not valid")
            self.not_recovered.append(f"{len(missing)} participants ({_shorten(missing)}): {why}; their variables "
                                      "are kept in refi_variables.csv")
        return rows

    def _segments(self, known) -> tuple[list[dict], list[dict]]:
        used: set[str] = set()
        excerpts, observations = [], []
        speakers = {id(s): c["participant_id"] for c in self.cases if c.get("participant_id") for s in c["sources"]}
        obs_cols = {c.name: c for c in TABLES_BY_NAME["observations"].columns}
        lost_meetings, lost_observations = [], []
        for source in self.sources:
            v = source.variables
            text = source.text.strip() or EMPTY_TEXT
            ours = any(k in v for k in SEGMENT_VARIABLES)
            if v.get("meeting") and not _ok(obs_cols["meeting"], v["meeting"], known):
                lost_meetings.append(source.name)
            if (re.fullmatch(r"O\d+", source.name) and source.name not in used
                    and _ok(obs_cols["meeting"], v.get("meeting", ""), known)
                    and v.get("meeting") and _ok(obs_cols["basis"], v.get("basis", ""), known) and v.get("basis")):
                source.segment_id, source.kind = source.name, "observation"
                used.add(source.name)
                observations.append({"note_id": source.name, "meeting": int(v["meeting"]), "basis": v["basis"],
                                     "text_sv": text, "text_en": v.get("text_en") or NOT_TRANSLATED,
                                     "section": v.get("section") or source.name, "note": v.get("note") or None})
                continue
            if re.fullmatch(r"O\d+", source.name) and v.get("basis"):
                lost_observations.append(source.name)
            if re.fullmatch(r"E\d+", source.name) and source.name not in used:
                source.segment_id = source.name
                used.add(source.name)
            excerpts.append(self._excerpt(source, text, ours, speakers.get(id(source)), known))
        _number([s for s in self.sources if s.segment_id is None], used, "E", 3)
        for row, source in zip(excerpts, [s for s in self.sources if s.kind == "excerpt"]):
            row["excerpt_id"] = source.segment_id
        self._say_what_segments_kept(excerpts, observations, lost_meetings, lost_observations)
        return excerpts, observations

    def _say_what_segments_kept(self, excerpts, observations, lost_meetings, lost_observations) -> None:
        typed = sum(row.pop("_ours") for row in excerpts)
        if not self.sets and (typed or observations):
            placed = len(observations) + sum(row["meeting"] is not None for row in excerpts)
            self.recovered.append(f"{len(observations)} meeting-notes segments and {typed} quotations with their kind, "
                                  f"speaker and translation, {placed} of them with their meeting, from the sources' "
                                  "variables (written by ebm-analysis; the project has no Sets)")
        if lost_meetings:
            self.not_recovered.append(
                f"the meeting number of {len(lost_meetings)} sources ({_shorten(lost_meetings)}): the project "
                "describes no such meeting (no Set or Variable holds the meetings' descriptions, which "
                "ebm-analysis writes on the meeting Sets); the numbers are kept in refi_variables.csv, and "
                "meetings.csv must be filled in by hand")
        if lost_observations:
            self.not_recovered.append(
                f"{len(lost_observations)} meeting-notes segments ({_shorten(lost_observations)}) came back as "
                "quotations (excerpts.csv), because their meeting is not described in the project")

    def _excerpt(self, source: _Source, text: str, ours: bool, speaker: str | None, known) -> dict:
        cols = {c.name: c for c in TABLES_BY_NAME["excerpts"].columns}
        v = source.variables

        def pick(name, default=None):
            value = v.get(name, "")
            return value if value and _ok(cols[name], value, known) else default

        meeting = pick("meeting")
        note = v.get("note") or (None if ours else f"Imported from the REFI-QDA source '{source.name}' "
                                 f"of {self.a.path.name}; speaker and translation not given there.")
        return {"excerpt_id": None, "source_type": pick("source_type", "interview"),
                "speaker_role": pick("speaker_role", "unknown"), "speaker_id": pick("speaker_id", speaker),
                "speaker_group": v.get("speaker_group") or None, "meeting": int(meeting) if meeting else None,
                "text_sv": text, "text_en": v.get("text_en") or NOT_TRANSLATED,
                "section": v.get("section") or source.name, "note": note, "_ours": ours}

    def _coding_rows(self) -> list[dict]:
        code_ids = {c["guid"]: c["code_id"] for c in self.codes}
        columns = {c.name: c for c in TABLES_BY_NAME["codings"].columns}
        rows, used = [], set()
        for source in self.sources:
            for coding in source.codings:
                cid = coding["coding_id"]
                if cid in used:
                    cid = None
                if cid:
                    used.add(cid)
                row = {"coding_id": cid, "segment_id": source.segment_id,
                       "code_id": code_ids[coding["code_guid"]], "coder": coding["coder"],
                       "start": coding["start"], "end": coding["end"], "memo": coding["memo"]}
                for extra in ("created_at", "created_by"):  # written when the codings table has these columns
                    value = coding[extra]
                    if extra in columns and value and _ok(columns[extra], value, {}):
                        row[extra] = value
                if "span_text" in columns:  # the text a span covers, so that an edited text is noticed
                    row["span_text"] = covered_text(source.text.strip(), coding["start"], coding["end"])
                rows.append(row)
        _number([r for r in rows if r["coding_id"] is None], used, "K", 4, key="coding_id")
        return sorted(rows, key=lambda r: int(r["coding_id"][1:]))

    def _codebook(self, codings: list[dict]) -> list[dict]:
        parents = {c["code_id"]: c["parent_id"] for c in self.codes}
        active = set()
        for code in (r["code_id"] for r in codings):
            while code and code not in active:
                active.add(code)
                code = parents.get(code)
        rows = []
        for c in self.codes:
            b = c["block"] if c["block"] and c["block"]["code_id"] == c["code_id"] else None
            status = "active" if c["code_id"] in active else "unused"
            rows.append({"code_id": c["code_id"], "parent_id": c["parent_id"],
                         "name_sv": (b["name_sv"] if b else "") or c["name"], "name_en": c["name"],
                         "definition": (b["definition"] if b else c["description"]) or NOT_GIVEN,
                         "include": (b["include"] if b else "") or NOT_GIVEN,
                         "exclude": (b["exclude"] if b else "") or NOT_GIVEN,
                         "example": (b["example"] if b else "") or NOT_GIVEN, "color": c["color"],
                         "status": b["status"] if b and b["status"] in ("active", "unused", "retired") else status})
        return rows

    def _extra_files(self) -> dict[str, str]:
        code_ids = {c["guid"]: c["code_id"] for c in self.codes}
        segment_ids = {s.guid: s.segment_id for s in self.sources}
        frames = {
            "refi_sources.csv": pd.DataFrame(
                [(s.segment_id, s.guid, s.name, s.element.get("plainTextPath", ""), s.lead,
                  len(s.text) - len(s.text.rstrip())) for s in self.sources],
                columns=["segment_id", "refi_guid", "refi_name", "plain_text_path",
                         "leading_blank_characters_removed", "trailing_blank_characters_removed"]),
            "refi_users.csv": pd.DataFrame(sorted(self.users.items(), key=lambda kv: kv[1]),
                                           columns=["user_guid", "name"]),
            "refi_cases.csv": pd.DataFrame(
                [(c["guid"], c["name"], c["description"], c.get("participant_id"),
                  ";".join(s.segment_id for s in c["sources"])) for c in self.cases],
                columns=["case_guid", "name", "description", "participant_id", "segment_ids"]),
            "refi_variables.csv": pd.DataFrame(
                [("case", c["guid"], c["name"], k, v) for c in self.cases for k, v in c["variables"].items()]
                + [("source", s.guid, s.segment_id, k, v) for s in self.sources for k, v in s.variables.items()],
                columns=["owner_type", "owner_guid", "owner", "variable", "value"]),
            "refi_sets.csv": pd.DataFrame(
                [(s["guid"], s["name"], s["description"], tag,
                  code_ids.get(g) or segment_ids.get(g) or g) for s in self.sets for tag, g in s["members"] or [("", "")]],
                columns=["set_guid", "name", "description", "member_type", "member"]),
            "refi_notes.csv": pd.DataFrame(
                [(g, n["name"], n["text"], ";".join(n["used_by"])) for g, n in self.notes.items()],
                columns=["note_guid", "name", "text", "attached_to"]),
        }
        return {name: frame_to_csv_text(frame, name) for name, frame in frames.items() if len(frame)}


# ---------------------------------------------------------------- values

def _ok(col: Column, text: str, known: dict[str, set]) -> bool:
    """Whether ``text`` is a valid value for ``col`` (empty is valid when optional)."""
    text = text.strip()
    if text == "":
        return not col.required
    if col.kind == "int":
        if not re.fullmatch(r"-?\d+", text) or (col.bounds and not col.bounds[0] <= int(text) <= col.bounds[1]):
            return False
    if col.kind == "choice" and text not in (col.choices or ()):
        return False
    if col.kind == "color" and not re.fullmatch(r"#[0-9A-Fa-f]{6}", text):
        return False
    if col.pattern and not re.fullmatch(col.pattern, text):
        return False
    if col.references and col.references[0] in known:
        value = int(text) if col.kind == "int" else text
        return value in known[col.references[0]]
    return True


def _whole_number(text: str) -> str:
    """A number written as a decimal with no fraction (``3.0``, ``3,00``) as a whole number; else unchanged.

    Examples
    --------
    >>> _whole_number("3.0"), _whole_number("3"), _whole_number("3,00"), _whole_number("3.5"), _whole_number("x")
    ('3', '3', '3', '3.5', 'x')
    """
    match = re.fullmatch(r"\s*([+-]?\d+)(?:[.,]0*)?\s*", text or "")
    return str(int(match.group(1))) if match else text


def _valid_row(table, values: dict[str, str], known: dict[str, set]) -> dict | None:
    """A typed row of ``table`` from text ``values``, or None if any value is missing or invalid."""
    row = {}
    for col in table.columns:
        text = (values.get(col.name) or "").strip()
        if not _ok(col, text, known):
            return None
        row[col.name] = (int(text) if col.kind == "int" else text) if text else None
    return row


def _csv(name: str, rows: list[dict]) -> str:
    table = TABLES_BY_NAME[name]
    frame = pd.DataFrame({c.name: pd.array([r.get(c.name) for r in rows], dtype=c.dtype) for c in table.columns})
    return frame_to_csv_text(frame, table.file)


def _number(items: list, used: set[str], prefix: str, width: int, key: str | None = None) -> None:
    """Give each item a new id ``<prefix><n>`` not in ``used`` (sets ``segment_id`` or ``item[key]``)."""
    n = 0
    for item in items:
        n += 1
        while f"{prefix}{n:0{width}d}" in used:
            n += 1
        new = f"{prefix}{n:0{width}d}"
        used.add(new)
        if key:
            item[key] = new
        else:
            item.segment_id = new


def _coding_id(name: str | None) -> str | None:
    match = re.fullmatch(r"(K\d+)(?: " + re.escape(WHOLE_SEGMENT) + ")?", (name or "").strip())
    return match.group(1) if match else None


def _slug(name: str) -> str:
    """A code id made from a code name.

    Examples
    --------
    >>> _slug("Tillhörighet & gemenskap"), _slug("2nd round"), _slug("???")
    ('tillhorighet_gemenskap', 'c_2nd_round', 'code')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_") or "code"
    return slug if slug[0].isalpha() else f"c_{slug}"


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}_{n}"
    used.add(candidate)
    return candidate


def _color(value: str | None) -> str | None:
    """REFI colours (``#RGB`` or ``#RRGGBB``) as ``#RRGGBB``; None when absent or not a colour."""
    value = (value or "").strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return value
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", value):
        return "#" + "".join(ch * 2 for ch in value[1:])
    return None


def _readme(archive: _Archive, converter: _Converter, backup: Path | None, notes: list[str]) -> str:
    origin = archive.root.get("origin") or "an unnamed program"
    counts = converter.counts
    empty = sorted(t.file for t in TABLES if not t.optional and t.file not in counts)
    lines = [
        "# Imported from a REFI-QDA project",
        "",
        f"This folder was made by `ebm_analysis.interchange.import_qdpx` from `{archive.path.name}` "
        f"(project '{archive.root.get('name', '')}', written by {origin}).",
        "",
        "Rows imported: " + (", ".join(f"{n} {c}" for n, c in counts.items()) or "none") + ".",
        "",
        "- Each text source is one row of excerpts.csv (source_type `interview`, speaker_role `unknown`, "
        f"text_en `{NOT_TRANSLATED}`, section = the source's name) unless it was exported by ebm-analysis.",
        f"- Code descriptions became `definition`; include, exclude and example say `{NOT_GIVEN}`.",
        "- Blank characters at the start and end of a text are removed (the loader strips cells) and the "
        "offsets shifted; refi_sources.csv records how many.",
        "- refi_*.csv keep the REFI users, cases, variables, sets and notes; the loader ignores them.",
        "- Tables REFI-QDA has no place for hold only their header: " + ", ".join(empty) + ".",
    ]
    lines += [f"- Recovered: {item}." for item in converter.recovered]
    lines += [f"- Left out: {item}." for item in converter.skipped_sources + converter.dropped]
    lines += [f"- {note}" for note in notes]
    if backup is not None:
        lines.append(f"- The folder's previous content was kept as `{backup.name}` next to it.")
    if converter.uncoded_comments:
        n = converter.uncoded_comments
        lines.append(f"- Left out: {n} comment{'s' if n != 1 else ''} on passages that carry no code (MAXQDA, for "
                     "one, writes comments this way); a data folder keeps memos on codings only. They are in the "
                     f"archive's project.qde.")
    if converter.not_recovered:
        lines += ["", NOT_RECOVERED, ""]
        lines += [f"- Not recovered: {item}." for item in converter.not_recovered]
    return "\n".join(lines) + "\n"


def _utc_time(value: str | None) -> str | None:
    """A REFI ``creationDateTime`` as the codings table writes it (UTC, ``...Z``); None when absent or unreadable.

    Examples
    --------
    >>> _utc_time("2016-03-01T14:05:00Z"), _utc_time("2016-03-01T15:05:00+01:00"), _utc_time("soon")
    ('2016-03-01T14:05:00Z', '2016-03-01T14:05:00Z', None)
    >>> _utc_time(UNKNOWN_TIME) is None  # the export's mark for an unknown time
    True
    """
    from datetime import datetime, timezone

    if not value:
        return None
    value = value.strip()
    if value == UNKNOWN_TIME:  # what our export writes where the time is not known: unknown again
        return None
    if re.fullmatch(TABLES_BY_NAME["codings"].column("created_at").pattern, value):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:  # no zone given: taken as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    fraction = f".{moment.microsecond // 1000:03d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
