"""REFI-QDA interchange: export (.qdpx, .qdc), import, round trip, malformed archives."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xmlschema

from ebm_analysis import DataError, load_project
from ebm_analysis.interchange import export_qdc, export_qdpx, import_qdpx

from ebm_analysis.refi.describe import SCHEMA_DIR as XSD

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def project():
    return load_project()


@pytest.fixture(scope="module")
def exported(project, tmp_path_factory) -> Path:
    return export_qdpx(project, tmp_path_factory.mktemp("export") / "ebm.qdpx")


def qde_root(path: Path) -> ET.Element:
    return ET.fromstring(zipfile.ZipFile(path).read("project.qde"))


# ---------------------------------------------------------------- export

def test_project_qde_validates_against_the_refi_schema(exported):
    schema = xmlschema.XMLSchema(str(XSD / "Project-mrt2019.xsd"))
    schema.validate(zipfile.ZipFile(exported).read("project.qde").decode("utf-8"))


def test_qdc_validates_against_the_refi_codebook_schema(project, tmp_path):
    out = export_qdc(project, tmp_path / "ebm.qdc")
    xmlschema.XMLSchema(str(XSD / "Codebook-mrt2019.xsd")).validate(out.read_text(encoding="utf-8"))
    codes = ET.fromstring(out.read_bytes()).iter("{urn:QDA-XML:codebook:1.0}Code")
    assert len(list(codes)) == len(project.codebook)


def test_exports_are_byte_identical(project, exported, tmp_path):
    again = export_qdpx(project, tmp_path / "again.qdpx")
    assert again.read_bytes() == exported.read_bytes()
    assert export_qdc(project, tmp_path / "a.qdc").read_bytes() == export_qdc(project, tmp_path / "b.qdc").read_bytes()
    assert {info.date_time for info in zipfile.ZipFile(exported).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_export_contents(project, exported):
    root = qde_root(exported)
    segments = project.segments()
    sources = root.findall(".//q:TextSource", NS)
    assert [s.get("name") for s in sources] == segments["segment_id"].tolist()
    archive = zipfile.ZipFile(exported)
    for source, text in zip(sources, segments["text_sv"]):
        path = source.get("plainTextPath")
        assert re.fullmatch(r"internal://[0-9a-f-]{36}\.txt", path)
        assert archive.read("sources/" + path.removeprefix("internal://")).decode("utf-8") == text
    assert len(root.findall(".//q:PlainTextSelection", NS)) == len(project.codings)
    assert len(root.findall(".//q:Coding", NS)) == len(project.codings)
    assert len(root.findall(".//q:Note", NS)) == project.codings["memo"].notna().sum()
    assert [u.get("name") for u in root.findall(".//q:User", NS)] == ["coder1"]
    assert len(root.findall(".//q:Case", NS)) == len(project.participants)
    top = root.findall("./q:CodeBook/q:Codes/q:Code", NS)
    assert len(top) == project.codebook["parent_id"].isna().sum()
    stress = next(c for c in top if c.get("name") == "stress")
    assert stress.get("color") == "#d62728"
    assert {c.get("name") for c in stress.findall("q:Code", NS)} == {"workload and demands", "relief from stress; a pause"}
    sets = {s.get("name") for s in root.findall(".//q:Set", NS)}
    assert {"Interviews", "Survey comments", "Said at meetings", "Meeting notes — meeting 3"} <= sets


def test_whole_segment_coding_spans_the_whole_text(project, exported):
    root = qde_root(exported)
    first = project.codings.iloc[0]  # K0001, whole segment of E001
    text = project.segments().set_index("segment_id").loc[first["segment_id"], "text_sv"]
    selection = next(s for s in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection")
                     if s.get("name", "").startswith(first["coding_id"]))
    assert (selection.get("startPosition"), selection.get("endPosition")) == ("0", str(len(text)))


# ---------------------------------------------------------------- round trip

def test_round_trip_is_lossless(project, exported, tmp_path):
    back = import_qdpx(exported, tmp_path / "data")
    pd.testing.assert_frame_equal(back.codebook, project.codebook)
    pd.testing.assert_frame_equal(back.codings, project.codings)
    pd.testing.assert_frame_equal(back.segments(), project.segments())
    for table in ("excerpts", "observations", "meetings", "participants"):
        pd.testing.assert_frame_equal(back.tables[table], project.tables[table])
    assert back.path == tmp_path / "data"
    assert load_project(tmp_path / "data").codings.shape == project.codings.shape


# ---------------------------------------------------------------- real files

def test_import_nvivo_sample(tmp_path, refi_sample):
    back = import_qdpx(refi_sample("nvivo_project.qdpx"), tmp_path / "nvivo")
    assert len(back.codebook) == 262
    assert len(back.excerpts) == 2
    assert len(back.codings) == 0
    assert back.codebook["code_id"].is_unique
    assert (back.codebook["name_en"] == back.codebook["name_sv"]).all()
    assert set(back.codebook["include"]) == {"(not given in the imported project)"}
    assert back.codebook.loc[back.codebook["code_id"] == "competencies", "parent_id"].item() == "rq1_definition"
    assert set(back.excerpts["speaker_role"]) == {"unknown"}
    assert len(back.meetings) == 0 and len(back.attendance) == 0
    assert (tmp_path / "nvivo" / "IMPORTED_FROM_REFI.md").exists()


def test_import_qc_sample(tmp_path, refi_sample):
    back = import_qdpx(refi_sample("qc_demo.qdpx"), tmp_path / "qc")
    root = ET.fromstring(zipfile.ZipFile(refi_sample("qc_demo.qdpx")).read("project.qde"))
    assert len(back.codebook) == 262
    assert len(back.excerpts) == 2
    assert len(back.codings) == 205
    assert set(back.codings["coder"]) == {"cp"}
    spans = back.codings[["segment_id", "start", "end"]].drop_duplicates()
    assert len(spans) == len(root.findall(".//q:PlainTextSelection", NS)) == 158
    # offsets point at the same text as in the archive
    source = root.find(".//q:TextSource[@plainTextPath='board_2017.txt']", NS)
    raw = zipfile.ZipFile(refi_sample("qc_demo.qdpx")).read("sources/board_2017.txt").decode("utf-8")
    selection = source.find("q:PlainTextSelection", NS)
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    seg = back.excerpts.loc[back.excerpts["section"] == "board_2017.txt", "excerpt_id"].item()
    text = back.excerpts.set_index("excerpt_id").loc[seg, "text_sv"]
    row = back.codings.loc[back.codings["segment_id"] == seg].iloc[0]
    assert text[row["start"]:row["end"]].strip() == raw[start:end].strip()
    used = set(back.codings["code_id"])
    assert set(back.codebook.loc[back.codebook["status"] == "active", "code_id"]) >= used


# ---------------------------------------------------------------- synthetic archives

CODE = "11111111-1111-1111-1111-111111111111"
SOURCE = "22222222-2222-2222-2222-222222222222"
USER = "33333333-3333-3333-3333-333333333333"


def make_qdpx(path: Path, *, text: str = "Hej världen, en text.", start: int = 0, end: int = 3,
              code_ref: str = CODE, plain: str = "internal://s1.txt", folder: str = "sources",
              qde: str | None = None, files: dict[str, bytes] | None = None) -> Path:
    if qde is None:
        qde = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="t">'
               f'<Users><User guid="{USER}" name="Anna"/></Users>'
               f'<CodeBook><Codes><Code guid="{CODE}" name="Tema Ä" isCodable="true" color="#abc">'
               f'<Description>A theme.</Description></Code></Codes></CodeBook>'
               f'<Sources><TextSource guid="{SOURCE}" name="Intervju 1" plainTextPath="{plain}">'
               f'<PlainTextSelection guid="44444444-4444-4444-4444-444444444444" startPosition="{start}" '
               f'endPosition="{end}"><Coding guid="55555555-5555-5555-5555-555555555555" creatingUser="{USER}">'
               f'<CodeRef targetGUID="{code_ref}"/></Coding></PlainTextSelection></TextSource></Sources></Project>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, data in (files if files is not None else {f"{folder}/s1.txt": text.encode("utf-8")}).items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def test_synthetic_archive_imports(tmp_path):
    back = import_qdpx(make_qdpx(tmp_path / "a.qdpx"), tmp_path / "data")
    assert back.codebook[["code_id", "name_en", "name_sv", "definition", "color", "status"]].iloc[0].tolist() == [
        "tema_a", "Tema Ä", "Tema Ä", "A theme.", "#aabbcc", "active"]
    assert back.codings[["coding_id", "segment_id", "code_id", "coder", "start", "end"]].iloc[0].tolist() == [
        "K0001", "E001", "tema_a", "Anna", 0, 3]
    assert back.excerpts[["source_type", "speaker_role", "text_en", "section"]].iloc[0].tolist() == [
        "interview", "unknown", "(not translated)", "Intervju 1"]


@pytest.mark.parametrize("folder, plain", [("Sources", "internal://s1.txt"), ("sources", "s1.txt"),
                                           ("SOURCES", "internal://S1.TXT")])
def test_tolerated_variations(tmp_path, folder, plain):
    back = import_qdpx(make_qdpx(tmp_path / "a.qdpx", folder=folder, plain=plain), tmp_path / "data")
    assert back.excerpts["text_sv"].tolist() == ["Hej världen, en text."]


def test_leading_blank_space_shifts_offsets(tmp_path):
    back = import_qdpx(make_qdpx(tmp_path / "a.qdpx", text="\n  Hej världen\n", start=3, end=6), tmp_path / "data")
    text = back.excerpts["text_sv"].item()
    row = back.codings.iloc[0]
    assert text[row["start"]:row["end"]] == "Hej"


def broken_archives(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each malformed case: the archive and a phrase its message must contain."""
    not_zip = tmp_path / "not_zip.qdpx"
    not_zip.write_bytes(b"this is not a zip archive")
    no_qde = tmp_path / "no_qde.qdpx"
    with zipfile.ZipFile(no_qde, "w") as archive:
        archive.writestr("sources/s1.txt", "x")
    good = make_qdpx(tmp_path / "good.qdpx")
    qde = zipfile.ZipFile(good).read("project.qde").decode("utf-8")
    return {
        "not a zip": (not_zip, "not a zip archive"),
        "no project.qde": (no_qde, "no project.qde"),
        "bad XML": (make_qdpx(tmp_path / "badxml.qdpx", qde=qde[:200]), "XML that does not parse"),
        "past end": (make_qdpx(tmp_path / "past.qdpx", start=5, end=500), "endPosition 500"),
        "unknown code": (make_qdpx(tmp_path / "code.qdpx", code_ref="99999999-9999-9999-9999-999999999999"),
                         "not a Code"),
        "missing file": (make_qdpx(tmp_path / "file.qdpx", plain="internal://missing.txt"), "missing.txt"),
    }


@pytest.mark.parametrize("case", ["not a zip", "no project.qde", "bad XML", "past end", "unknown code", "missing file"])
def test_malformed_archive_raises_and_writes_nothing(tmp_path, case):
    archive, phrase = broken_archives(tmp_path)[case]
    target = tmp_path / "out" / "data"
    with pytest.raises(DataError) as info:
        import_qdpx(archive, target)
    assert phrase in str(info.value)
    assert archive.name in str(info.value)
    assert not target.exists()
    assert not list(tmp_path.rglob("*.importing-*"))


def test_bad_xml_message_names_line(tmp_path):
    archive = make_qdpx(tmp_path / "a.qdpx", qde='<?xml version="1.0"?>\n<Project name="x">\n<Users>\n</Project>')
    with pytest.raises(DataError) as info:
        import_qdpx(archive, tmp_path / "data")
    problem = info.value.problems[0]
    assert problem.file == "a.qdpx: project.qde" and problem.line == 4


def test_refuses_to_overwrite_coding_work(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "codings.csv").write_text("precious coding work\n", encoding="utf-8")
    with pytest.raises(DataError, match="already holds files"):
        import_qdpx(make_qdpx(tmp_path / "a.qdpx"), target)
    assert (target / "codings.csv").read_text(encoding="utf-8") == "precious coding work\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.qdpx", "data"]


def test_overwrite_keeps_a_backup(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "codings.csv").write_text("precious coding work\n", encoding="utf-8")
    back = import_qdpx(make_qdpx(tmp_path / "a.qdpx"), target, overwrite=True)
    assert len(back.codings) == 1
    assert (tmp_path / "data.backup-1" / "codings.csv").read_text(encoding="utf-8") == "precious coding work\n"
    import_qdpx(make_qdpx(tmp_path / "a.qdpx"), target, overwrite=True)
    assert (tmp_path / "data.backup-2" / "codings.csv").exists()


def test_empty_existing_folder_is_used(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    import_qdpx(make_qdpx(tmp_path / "a.qdpx"), target)
    assert (target / "codings.csv").exists()
    assert not (tmp_path / "data.backup-1").exists()


def test_broken_archive_leaves_existing_folder_unchanged(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "codings.csv").write_text("work\n", encoding="utf-8")
    with pytest.raises(DataError):
        import_qdpx(make_qdpx(tmp_path / "a.qdpx", end=500), target, overwrite=True)
    assert sorted(p.name for p in target.iterdir()) == ["codings.csv"]
    assert not (tmp_path / "data.backup-1").exists()


def test_imported_sample_exports_again_and_validates(tmp_path, refi_sample):
    back = import_qdpx(refi_sample("qc_demo.qdpx"), tmp_path / "qc")
    out = export_qdpx(back, tmp_path / "again.qdpx")
    xmlschema.XMLSchema(str(XSD / "Project-mrt2019.xsd")).validate(
        zipfile.ZipFile(out).read("project.qde").decode("utf-8"))
    again = import_qdpx(out, tmp_path / "again")
    pd.testing.assert_frame_equal(again.codings, back.codings)
    pd.testing.assert_frame_equal(again.codebook, back.codebook)


def test_entity_declarations_are_refused(tmp_path):
    qde = ('<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">]>\n'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&a;"/>')
    with pytest.raises(DataError, match="XML that does not parse"):
        import_qdpx(make_qdpx(tmp_path / "a.qdpx", qde=qde), tmp_path / "data")
    assert not (tmp_path / "data").exists()


# ---------------------------------------------------------------- looking inside (refi.describe)

def test_describe_counts_match_the_project(project, exported):
    from ebm_analysis.refi import describe_qdpx

    d = describe_qdpx(exported).set_index("element")["count"]
    assert d["TextSource"] == len(project.segments())
    assert d["Code"] == len(project.codebook)
    assert d["PlainTextSelection"] == d["Coding"] == len(project.codings)
    assert d["User"] == 1 and d["Case"] == len(project.participants)
    assert d["Note"] == project.codings["memo"].notna().sum()
    assert describe_qdpx(exported).attrs["origin"].startswith("ebm-analysis")


def test_describe_reads_a_qdc(project, tmp_path):
    from ebm_analysis.refi import describe_qdpx

    qdc = describe_qdpx(export_qdc(project, tmp_path / "ebm.qdc")).set_index("element")["count"]
    assert qdc["Code"] == len(project.codebook) and qdc["TextSource"] == 0


def test_describe_reads_foreign_files(refi_sample):
    from ebm_analysis.refi import describe_qdpx

    qc = describe_qdpx(refi_sample("qc_demo.qdpx")).set_index("element")["count"]
    assert (qc["TextSource"], qc["PlainTextSelection"], qc["Coding"]) == (2, 158, 205)
    nvivo = describe_qdpx(refi_sample("nvivo_project.qdpx")).set_index("element")["count"]
    assert (nvivo["Code"], nvivo["Coding"], nvivo["User"]) == (262, 0, 2)


def test_members_are_relative_names(exported):
    from ebm_analysis.refi import qdpx_members

    m = qdpx_members(exported)
    assert m["name"].iloc[0] == "project.qde"
    assert m["name"].str.fullmatch(r"project\.qde|sources/[0-9a-f-]{36}\.txt").all()
    assert (m["bytes"] > 0).all()


def test_members_of_a_foreign_file(refi_sample):
    from ebm_analysis.refi import qdpx_members

    kinds = qdpx_members(refi_sample("nvivo_project.qdpx"))["kind"].value_counts().to_dict()
    assert kinds == {"source (original)": 3, "source text": 2, "project": 1}  # .docx twice and .root


def test_the_shipped_schemas_are_the_official_ones():
    """The two schema files are shipped unchanged, with their licence notice and origin."""
    import hashlib

    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in XSD.glob("*.xsd")}
    assert digests == {
        "Project-mrt2019.xsd": "a2cc1ffb4ab1c07c51d6c78e69f2c9968458a9f0ad3b317ddde27f1e86f15a15",
        "Codebook-mrt2019.xsd": "62a941a02df90991fd9e18bd97c571b88e3c493a722ef1e45a7247f787849c75",
    }
    for path in XSD.glob("*.xsd"):
        assert "licensed under the MIT license" in path.read_text(encoding="utf-8")
    readme = (XSD / "README.md").read_text(encoding="utf-8")
    assert "MIT" in readme and "18 March 2019" in readme


def test_validate_uses_the_shipped_schemas_by_default(project, exported, tmp_path):
    from ebm_analysis.refi import validate_qdpx

    assert validate_qdpx(exported) == []
    assert validate_qdpx(export_qdc(project, tmp_path / "ebm.qdc")) == []


def test_validate_accepts_exports_and_reports_errors(project, exported, tmp_path):
    from ebm_analysis.refi import validate_qdpx

    assert validate_qdpx(exported, XSD) == []
    assert validate_qdpx(export_qdc(project, tmp_path / "ebm.qdc"), XSD) == []
    bad = make_qdpx(tmp_path / "bad.qdpx",
                    qde='<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Bogus/></Project>')
    errors = validate_qdpx(bad)
    assert errors and all(isinstance(e, str) for e in errors)
    # a source whose text file is missing from the archive
    missing = tmp_path / "missing.qdpx"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(missing, "w") as dst:
        for name in src.namelist()[:-1]:
            dst.writestr(name, src.read(name))
    assert any("is not in the archive" in e for e in validate_qdpx(missing))
    with pytest.raises(DataError, match="schemas"):
        validate_qdpx(exported, tmp_path)


def test_validate_accepts_a_foreign_file(refi_sample):
    from ebm_analysis.refi import validate_qdpx

    assert validate_qdpx(refi_sample("qc_demo.qdpx")) == []


def test_qde_element_shows_one_element(exported):
    from ebm_analysis.refi import qde_element

    code = qde_element(exported, "Code", "stress")
    assert code.startswith('<Code guid="') and "Code id: stress" in code
    assert "nested Code element(s) left out" in code
    assert "<Code " not in code[1:]
    sel = qde_element(exported, "PlainTextSelection", where="TextSource=E001")
    assert "<Coding " in sel and "<CodeRef " in sel and "{urn:" not in sel
    with pytest.raises(DataError, match="no Code named"):
        qde_element(exported, "Code", "no such code")


def test_data_model_coverage_of_our_project(project):
    from ebm_analysis.refi import data_model_coverage

    ours = data_model_coverage(project).set_index("part")
    assert (ours["filled"] == ours["of"]).loc[["meetings", "English translation of each text"]].all()


def test_data_model_coverage_of_an_import(tmp_path, refi_sample):
    from ebm_analysis.refi import data_model_coverage

    qc = data_model_coverage(import_qdpx(refi_sample("qc_demo.qdpx"), tmp_path / "qc")).set_index("part")
    assert qc.loc["English translation of each text", "filled"] == 0
    assert qc.loc["speaker role of each quotation", "filled"] == 0
    assert qc.loc["meetings", "of"] == 0 and qc.loc["participants with roles (pseudonyms)", "of"] == 0
    assert qc.loc["codings", "filled"] == 205
    nvivo = data_model_coverage(import_qdpx(refi_sample("nvivo_project.qdpx"), tmp_path / "nv")).set_index("part")
    assert nvivo.loc["text sources (segments) with text", ["filled", "of"]].tolist() == [0, 2]


def test_compare_projects_after_round_trip(project, exported, tmp_path):
    from ebm_analysis.refi import compare_projects

    back = import_qdpx(exported, tmp_path / "data")
    c = compare_projects(project, back)
    assert c["identical"].all() and (c["difference"] == "").all()
    assert c.set_index("what").loc["codings (codings.csv)", "rows_other"] == len(project.codings)


def test_compare_projects_shows_differences(project):
    from ebm_analysis import Project
    from ebm_analysis.refi import compare_projects

    fewer = Project(project.path, dict(project.tables, codings=project.codings.iloc[1:].reset_index(drop=True)))
    c = compare_projects(project, fewer).set_index("what")
    assert not c.loc["codings (codings.csv)", "identical"]
    assert c.loc["codings (codings.csv)", "difference"] != ""
    assert c.loc["codebook (codebook.csv)", "identical"]


def test_imported_values_that_look_like_formulas_are_escaped_in_the_tables(tmp_path):
    """Imported text beginning with = is written '= (not run by a spreadsheet) and read back as =."""
    back = import_qdpx(make_qdpx(tmp_path / "a.qdpx", text="=HYPERLINK(\"http://x\") och mer"), tmp_path / "data")
    assert back.excerpts["text_sv"].tolist() == ["=HYPERLINK(\"http://x\") och mer"]
    assert "'=HYPERLINK" in (tmp_path / "data" / "excerpts.csv").read_text(encoding="utf-8")
