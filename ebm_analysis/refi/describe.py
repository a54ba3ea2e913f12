"""Look inside a REFI-QDA file: what another program receives, and whether it is valid.

- :func:`qdpx_members` lists the files of a ``.qdpx`` archive;
- :func:`describe_qdpx` counts the REFI elements (sources, codes, selections,
  codings, users, cases, notes, sets, ...) in ``project.qde`` or a ``.qdc``;
- :func:`qde_element` shows one element as indented XML;
- :func:`validate_qdpx` checks a file against the official REFI-QDA schemas
  (and, for a ``.qdpx``, that every source's text file is in the archive);
- :func:`data_model_coverage` says which parts of the EBM data model an
  (imported) project actually fills;
- :func:`importer_checks` counts what other programs' importers need (times,
  users, memos as descriptions, one variable per meaning).

Nothing here writes a file. Paths in the results are the archive's own
relative member names, never paths on this machine.
"""

from __future__ import annotations

import copy
import os
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd

from ebm_analysis.errors import DataError, Problem
from ebm_analysis.refi.archive import DEFAULT_LIMITS, SafeArchive
from ebm_analysis.refi.common import NOT_GIVEN, NOT_TRANSLATED, PROJECT_NS

__all__ = ["qdpx_members", "describe_qdpx", "qde_element", "validate_qdpx", "data_model_coverage", "compare_projects",
           "importer_checks", "PROJECT_XSD", "CODEBOOK_XSD", "SCHEMA_DIR"]

#: File name of the official schema of ``project.qde``.
PROJECT_XSD = "Project-mrt2019.xsd"
#: File name of the official schema of a ``.qdc`` codebook.
CODEBOOK_XSD = "Codebook-mrt2019.xsd"
#: The official REFI-QDA schemas (release of 18 March 2019, MIT licence), shipped
#: with the package; see ``schemas/README.md`` for their origin.
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

#: Elements counted by :func:`describe_qdpx`, with what each is.
ELEMENTS = (
    ("TextSource", "sources", "text documents (here: one per excerpt or meeting-notes segment)"),
    ("Code", "codes", "codes of the codebook, nested by hierarchy"),
    ("PlainTextSelection", "selections", "coded passages: a source and character offsets"),
    ("Coding", "codings", "a code applied to a selection, with its coder"),
    ("User", "users", "coders"),
    ("Case", "cases", "cases (here: the participants, by pseudonym)"),
    ("Variable", "variables", "attributes of cases and sources"),
    ("Note", "notes", "memos (here: the coders' memos on codings)"),
    ("Set", "sets", "groups of sources (here: by source type and by meeting)"),
)


def _open_xml(path: Path) -> tuple[bytes, str]:
    """The XML bytes of a ``.qdpx`` (its ``project.qde``) or of a ``.qdc``, and which it was.

    Read within the default :class:`~ebm_analysis.refi.archive.ArchiveLimits`, as an import is.
    """
    if not path.is_file():
        raise DataError(Problem(path.name, None, None, "no such file", "expected a .qdpx or .qdc file"))
    if zipfile.is_zipfile(path):
        with SafeArchive(path) as archive:
            names = {n.lower(): n for n in archive.names}
            if "project.qde" not in names:
                raise DataError(Problem(path.name, None, None, "a zip archive without project.qde",
                                        "expected a REFI-QDA project archive (.qdpx)"))
            return archive.read(names["project.qde"], kind="xml"), "project"
    if path.stat().st_size > DEFAULT_LIMITS.xml_bytes:
        raise DataError(Problem(path.name, None, None, f"a file of {path.stat().st_size:,} bytes",
                                f"expected a REFI-QDA codebook of at most {DEFAULT_LIMITS.xml_bytes:,} bytes"))
    return path.read_bytes(), "codebook"


def _parse(data: bytes, name: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise DataError(Problem(name, exc.position[0], None, f"XML that does not parse ({exc})",
                                "expected a well-formed REFI-QDA XML file")) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def qdpx_members(path: str | os.PathLike) -> pd.DataFrame:
    """The files inside a ``.qdpx`` archive.

    Parameters
    ----------
    path : str or path
        The ``.qdpx`` file.

    Returns
    -------
    DataFrame
        One row per archive member, in archive order: ``name`` (the relative
        member name), ``bytes`` (uncompressed size) and ``kind``
        (``project`` for ``project.qde``, ``source text``, ``source
        (original)`` for other files under ``sources/``, ``other``).

    Raises
    ------
    DataError
        When the file is missing or not a zip archive.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.refi.export import export_qdpx
    >>> out = export_qdpx(load_project(), pathlib.Path(tempfile.mkdtemp()) / "ebm.qdpx")
    >>> m = qdpx_members(out)
    >>> m["kind"].value_counts().to_dict()
    {'source text': 79, 'project': 1}
    """
    path = Path(path)
    if not path.is_file() or not zipfile.is_zipfile(path):
        raise DataError(Problem(path.name, None, None, "no such file" if not path.is_file() else "not a zip archive",
                                "expected a REFI-QDA project archive (.qdpx)"))
    rows = []
    with SafeArchive(path) as safe:
        for info in safe.zip.infolist():
            if info.is_dir():
                continue
            name = info.filename
            lower = name.lower()
            if lower == "project.qde":
                kind = "project"
            elif lower.startswith("sources/"):
                kind = "source text" if lower.endswith(".txt") else "source (original)"
            else:
                kind = "other"
            rows.append((name, info.file_size, kind))
    out = pd.DataFrame(rows, columns=["name", "bytes", "kind"])
    out["bytes"] = out["bytes"].astype("int64")
    return out


def describe_qdpx(path: str | os.PathLike) -> pd.DataFrame:
    """Count the REFI-QDA elements of a project (``.qdpx``) or codebook (``.qdc``).

    Parameters
    ----------
    path : str or path
        A ``.qdpx`` archive (its ``project.qde`` is read) or a ``.qdc`` file.

    Returns
    -------
    DataFrame
        One row per element kind of :data:`ELEMENTS`, in that order:
        ``element`` (the REFI element name), ``what`` (plural noun),
        ``count``, ``meaning``. The frame's ``attrs`` hold ``origin`` and
        ``name`` of the root element (the writing program and project name).

    Raises
    ------
    DataError
        When the file is missing, is a zip without ``project.qde``, or its
        XML does not parse.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.refi.export import export_qdpx
    >>> out = export_qdpx(load_project(), pathlib.Path(tempfile.mkdtemp()) / "ebm.qdpx")
    >>> d = describe_qdpx(out)
    >>> d.set_index("element").loc[["TextSource", "Code", "Coding", "User"], "count"].tolist()
    [79, 34, 142, 1]
    """
    path = Path(path)
    data, _ = _open_xml(path)
    root = _parse(data, path.name)
    counts: dict[str, int] = {}
    for element in root.iter():
        tag = _local(element.tag)
        counts[tag] = counts.get(tag, 0) + 1
    out = pd.DataFrame([(tag, what, counts.get(tag, 0), meaning) for tag, what, meaning in ELEMENTS],
                       columns=["element", "what", "count", "meaning"])
    out["count"] = out["count"].astype("int64")
    out.attrs["origin"] = root.get("origin", "")
    out.attrs["name"] = root.get("name", "")
    return out


def qde_element(path: str | os.PathLike, tag: str, name: str | None = None, *,
                nested: bool = False, where: str | None = None) -> str:
    """One element of a REFI-QDA file as indented XML text.

    Parameters
    ----------
    path : str or path
        A ``.qdpx`` or ``.qdc``.
    tag : str
        The element name without namespace, e.g. ``"Code"``,
        ``"PlainTextSelection"``.
    name : str, optional
        The element's ``name`` attribute; default the first element of that
        tag (in document order).
    nested : bool, default False
        Keep nested elements of the same tag (sub-codes of a code). By
        default they are left out, with a comment saying how many.
    where : str, optional
        Restrict the search to elements inside the first element of this tag
        whose ``name`` is given after a ``=``, e.g. ``"TextSource=E012"``.

    Returns
    -------
    str
        The element as XML, namespace prefix removed, indented two spaces.

    Raises
    ------
    DataError
        When no such element exists.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.refi.export import export_qdc
    >>> out = export_qdc(load_project(), pathlib.Path(tempfile.mkdtemp()) / "ebm.qdc")
    >>> print(qde_element(out, "Code", "stress").splitlines()[0])
    <Code guid="..." name="stress" isCodable="true" color="#d62728">
    """
    path = Path(path)
    data, _ = _open_xml(path)
    scope = _parse(data, path.name)
    if where:
        outer_tag, _, outer_name = where.partition("=")
        scope = next((e for e in scope.iter() if _local(e.tag) == outer_tag and e.get("name") == outer_name), None)
        if scope is None:
            raise DataError(Problem(path.name, None, None, f"no {outer_tag} named {outer_name!r}",
                                    f"expected the name of a {outer_tag} in the file"))
    found = next((e for e in scope.iter() if _local(e.tag) == tag and (name is None or e.get("name") == name)), None)
    if found is None:
        shown = f"{tag} named {name!r}" if name is not None else tag
        raise DataError(Problem(path.name, None, None, f"no {shown}", f"expected an element {shown} in the file"))
    element = copy.deepcopy(found)
    for node in element.iter():
        node.tag = _local(node.tag)
    if not nested:
        inner = [child for child in list(element) if child.tag == tag]
        for child in inner:
            element.remove(child)
        if inner:
            element.append(ET.Comment(f" {len(inner)} nested {tag} element(s) left out "))
    ET.indent(element, space="  ")
    return ET.tostring(element, encoding="unicode").rstrip()


def validate_qdpx(path: str | os.PathLike, xsd_dir: str | os.PathLike | None = None) -> list[str]:
    """Check a ``.qdpx`` or ``.qdc`` against the official REFI-QDA schema.

    For a ``.qdpx`` the archive is checked too: every ``TextSource`` whose
    ``plainTextPath`` is ``internal://<file>`` must have ``sources/<file>``
    in the archive.

    Parameters
    ----------
    path : str or path
        The ``.qdpx`` (its ``project.qde`` is validated against
        :data:`PROJECT_XSD`) or ``.qdc`` (against :data:`CODEBOOK_XSD`).
    xsd_dir : str or path, optional
        A folder holding the two schema files, to validate against another
        copy; by default the official schemas shipped with the package
        (:data:`SCHEMA_DIR`, REFI-QDA release of March 2019).

    Returns
    -------
    list of str
        One message per problem (``"<path in the XML>: <reason>"``); empty
        when the file is valid.

    Raises
    ------
    DataError
        When a schema file is missing, or the file cannot be read at all.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.refi.export import export_qdpx
    >>> out = export_qdpx(load_project(), pathlib.Path(tempfile.mkdtemp()) / "ebm.qdpx")
    >>> validate_qdpx(out)
    []
    """
    import xmlschema

    path, xsd_dir = Path(path), Path(SCHEMA_DIR if xsd_dir is None else xsd_dir)
    data, kind = _open_xml(path)
    xsd = xsd_dir / (PROJECT_XSD if kind == "project" else CODEBOOK_XSD)
    if not xsd.is_file():
        raise DataError(Problem(xsd.name, None, None, f"no such file in the folder {xsd_dir.name!r}",
                                "expected the folder with the official REFI-QDA schemas "
                                f"({PROJECT_XSD}, {CODEBOOK_XSD})"))
    schema = xmlschema.XMLSchema(str(xsd))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"{'project.qde' if kind == 'project' else path.name}: not UTF-8 ({exc.reason} at byte {exc.start})"]
    root = _parse(data, path.name)
    problems = [f"{error.path or '/'}: {error.reason or error.message}" for error in schema.iter_errors(text)]
    if kind == "project":
        with zipfile.ZipFile(path) as archive:
            members = {n.lower() for n in archive.namelist()}
        for source in root.iter(f"{{{PROJECT_NS}}}TextSource"):
            ref = source.get("plainTextPath") or ""
            if ref.startswith("internal://") and f"sources/{ref.removeprefix('internal://')}".lower() not in members:
                problems.append(f"TextSource {source.get('name')!r}: its text {ref} is not in the archive")
    return problems


def data_model_coverage(project) -> pd.DataFrame:
    """Which parts of the EBM data model a project fills (e.g. after an import).

    A REFI-QDA project carries sources, codes and codings; the EBM data model
    also has meetings, roles, translations, a codebook with include/exclude
    rules, and more. This table shows, for a loaded project, how much of each
    is really there — placeholders written by the importer
    (``"(not translated)"``, ``"(not given in the imported project)"``,
    ``"(the imported source has no text)"``, speaker role ``unknown``) count
    as not filled.

    Parameters
    ----------
    project : Project
        A loaded project.

    Returns
    -------
    DataFrame
        Columns ``part`` (what the EBM model holds), ``table`` (the file),
        ``filled`` (rows or cells with real content) and ``of`` (rows or
        cells there are).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> c = data_model_coverage(load_project()).set_index("part")
    >>> c.loc["meetings", ["filled", "of"]].tolist()
    [8, 8]
    """
    from ebm_analysis.refi.importer import EMPTY_TEXT

    segments = project.segments()
    codebook = project.codebook
    excerpts = project.excerpts

    def real(values, placeholders=()) -> int:
        s = pd.Series(values, dtype="object")
        return int((s.notna() & ~s.isin(list(placeholders)) & (s.astype("string").str.strip() != "")).sum())

    n_seg, n_codes = len(segments), len(codebook)
    rows = [
        ("text sources (segments) with text", "excerpts.csv, observations.csv",
         real(segments["text_sv"], [EMPTY_TEXT]), n_seg),
        ("English translation of each text", "text_en", real(segments["text_en"], [NOT_TRANSLATED]), n_seg),
        ("speaker role of each quotation", "excerpts.csv speaker_role",
         real(excerpts["speaker_role"], ["unknown"]), len(excerpts)),
        ("meeting a text belongs to", "meeting", int(segments["meeting"].notna().sum()), n_seg),
        ("meetings", "meetings.csv", len(project.meetings), len(project.meetings)),
        ("participants with roles (pseudonyms)", "participants.csv", len(project.participants),
         len(project.participants)),
        ("attendance facts", "attendance.csv", len(project.attendance), len(project.attendance)),
        ("codes", "codebook.csv", n_codes, n_codes),
        ("code definitions", "codebook.csv definition", real(codebook["definition"], [NOT_GIVEN]), n_codes),
        ("include / exclude rules", "codebook.csv include, exclude",
         real(codebook["include"], [NOT_GIVEN]) + real(codebook["exclude"], [NOT_GIVEN]), 2 * n_codes),
        ("codings", "codings.csv", len(project.codings), len(project.codings)),
        ("coding memos", "codings.csv memo", real(project.codings["memo"]), len(project.codings)),
    ]
    out = pd.DataFrame(rows, columns=["part", "table", "filled", "of"])
    for col in ("filled", "of"):
        out[col] = out[col].astype("int64")
    return out


#: What :func:`compare_projects` compares: label and how to get the table from a project.
COMPARED = (
    ("codebook (codebook.csv)", lambda p: p.codebook),
    ("codings (codings.csv)", lambda p: p.codings),
    ("segment texts, Swedish (text_sv)", lambda p: p.segments()[["segment_id", "text_sv"]]),
    ("segment translations (text_en)", lambda p: p.segments()[["segment_id", "text_en"]]),
    ("excerpts.csv", lambda p: p.excerpts),
    ("observations.csv (meeting notes)", lambda p: p.observations),
    ("meetings.csv", lambda p: p.meetings),
    ("participants.csv", lambda p: p.participants),
)


def compare_projects(original, other) -> pd.DataFrame:
    """Table by table, are two projects identical? (e.g. before and after a REFI round trip)

    Parameters
    ----------
    original, other : Project
        Two loaded projects.

    Returns
    -------
    DataFrame
        One row per compared table: ``what``, ``rows_original``,
        ``rows_other``, ``identical`` (values, column names, order and
        dtypes all equal, as :func:`pandas.testing.assert_frame_equal`
        checks) and ``difference`` (the first difference found, or empty).

    Examples
    --------
    >>> from ebm_analysis import load_project
    >>> p = load_project()
    >>> compare_projects(p, p)["identical"].all()
    np.True_
    """
    rows = []
    for what, get in COMPARED:
        a, b = get(original).reset_index(drop=True), get(other).reset_index(drop=True)
        try:
            pd.testing.assert_frame_equal(a, b)
            same, why = True, ""
        except AssertionError as exc:
            same, why = False, " ".join(str(exc).split())[:200]
        rows.append((what, len(a), len(b), same, why))
    out = pd.DataFrame(rows, columns=["what", "rows_original", "rows_other", "identical", "difference"])
    return out.astype({"rows_original": "int64", "rows_other": "int64", "identical": "bool"})


def importer_checks(path: str | os.PathLike) -> pd.DataFrame:
    """What other programs' importers need from a ``.qdpx``, counted: times, users, memos, variables.

    QualCoder's import stops on a ``Note`` without a date, files sources without
    ``creatingUser`` under "default", reads a coding memo only from the coded
    passage's ``Description``, and keeps a variable used by cases and sources as
    a case variable only. This counts each of those in a project file.

    Parameters
    ----------
    path : str or path
        A ``.qdpx``.

    Returns
    -------
    DataFrame
        One row per check: ``check`` (what is counted), ``found``, ``of`` (how
        many there are) and ``ok`` (``found == of``; for the shared variables,
        ``found == 0``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ebm_analysis import load_project
    >>> from ebm_analysis.refi.export import export_qdpx
    >>> out = export_qdpx(load_project(), pathlib.Path(tempfile.mkdtemp()) / "ebm.qdpx")
    >>> bool(importer_checks(out)["ok"].all())
    True
    """
    path = Path(path)
    data, _ = _open_xml(path)
    root = _parse(data, path.name)
    q = f"{{{PROJECT_NS}}}"
    users = {u.get("guid") for u in root.iter(q + "User")}
    rows = []
    for tag, what in (("Note", "notes (memos)"), ("TextSource", "sources"), ("PlainTextSelection", "coded passages"),
                      ("Coding", "codings")):
        elements = list(root.iter(q + tag))
        dated = sum(bool(e.get("creationDateTime") or e.get("modifiedDateTime")) for e in elements)
        owned = sum(e.get("creatingUser") in users for e in elements)
        rows.append((f"{what} with a creation time", dated, len(elements)))
        rows.append((f"{what} with a user listed in <Users>", owned, len(elements)))
    notes = {n.get("guid") for n in root.iter(q + "Note")}
    with_memo = [s for s in root.iter(q + "PlainTextSelection")
                 if any(r.get("targetGUID") in notes for r in s.iter(q + "NoteRef"))
                 or s.find(q + "Description") is not None]
    described = sum(s.find(q + "Description") is not None for s in with_memo)
    rows.append(("coded passages with a memo that carry it as their Description", described, len(with_memo)))
    names = {v.get("guid"): v.get("name") for v in root.iter(q + "Variable")}

    def used_by(tag):
        return {names.get(r.get("targetGUID")) for e in root.iter(q + tag) for r in e.iter(q + "VariableRef")}

    shared = used_by("Case") & (used_by("TextSource") | used_by("PDFSource"))
    rows.append(("variables used by both cases and sources", len(shared), len(names)))
    out = pd.DataFrame(rows, columns=["check", "found", "of"]).astype({"found": "int64", "of": "int64"})
    out["ok"] = [found == 0 if check.startswith("variables used by both") else found == total
                 for check, found, total in out[["check", "found", "of"]].itertuples(index=False)]
    return out
