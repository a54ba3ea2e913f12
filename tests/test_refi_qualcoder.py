"""Our .qdpx holds what QualCoder's REFI import reads, and comes back whole from QualCoder's export (issue #17).

The QualCoder side is a synthetic model of its import and export
(``tests/qualcoder_form.py``), built from reading its ``refi.py``; what running
the real program showed is in ``docs/interchange.md``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from ebm_analysis import Project, load_project
from ebm_analysis.interchange import export_qdpx, import_qdpx
from ebm_analysis.refi import validate_qdpx
from ebm_analysis.refi.common import guid
from ebm_analysis.refi.export import UNKNOWN_TIME
from ebm_analysis.refi.importer import import_notes
from qualcoder_form import qualcoder_export, qualcoder_import, qualcoder_round_trip

Q = "{urn:QDA-XML:project:1.0}"
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@pytest.fixture(scope="module")
def project():
    return load_project()


@pytest.fixture(scope="module")
def exported(project, tmp_path_factory) -> Path:
    return export_qdpx(project, tmp_path_factory.mktemp("qc") / "ebm.qdpx")


def qde(path: Path) -> ET.Element:
    return ET.fromstring(zipfile.ZipFile(path).read("project.qde"))


def content(codings: pd.DataFrame) -> pd.DataFrame:
    """Codings without their ids, in a fixed order (another tool may renumber them)."""
    columns = ["segment_id", "code_id", "coder", "start", "end", "memo"]
    return codings[columns].sort_values(columns[:5], na_position="first").reset_index(drop=True)


# ---------------------------------------------------------------- what QualCoder's import needs

def test_every_note_source_selection_and_coding_has_a_time_and_a_known_user(exported):
    root = qde(exported)
    users = {u.get("guid") for u in root.iter(Q + "User")}
    counted = {}
    for tag in ("Note", "TextSource", "PlainTextSelection", "Coding"):
        elements = list(root.iter(Q + tag))
        counted[tag] = len(elements)
        for element in elements:
            assert DATETIME.fullmatch(element.get("creationDateTime") or ""), (tag, element.get("name"))
            assert element.get("creatingUser") in users, (tag, element.get("name"))
    assert counted == {"Note": 57, "TextSource": 79, "PlainTextSelection": 142, "Coding": 142}
    assert DATETIME.fullmatch(root.get("creationDateTime")) and root.get("creatingUserGUID") in users


def test_coding_memos_are_the_selections_descriptions_and_notes(project, exported):
    root = qde(exported)
    notes = {n.get("guid"): n.find(Q + "PlainTextContent").text for n in root.iter(Q + "Note")}
    selections = {s.get("name").split()[0]: s for s in root.iter(Q + "PlainTextSelection")}
    with_memo = project.codings.dropna(subset=["memo"])
    assert len(with_memo) == 57
    for row in project.codings.itertuples(index=False):
        selection = selections[row.coding_id]
        description = selection.find(Q + "Description")
        refs = [r.get("targetGUID") for r in selection.iter(Q + "NoteRef")]
        if pd.isna(row.memo):
            assert description is None and refs == []
        else:
            assert description.text == row.memo
            assert [notes[r] for r in refs] == [row.memo]


def test_sources_are_owned_by_the_coder(exported):
    root = qde(exported)
    owner = guid("user", "coder1")
    assert {s.get("creatingUser") for s in root.iter(Q + "TextSource")} == {owner}
    assert [u.get("name") for u in root.iter(Q + "User")] == ["coder1"]


def test_case_and_source_variables_have_separate_names(exported):
    root = qde(exported)
    names = {v.get("guid"): v.get("name") for v in root.iter(Q + "Variable")}

    def used_by(tag):
        return {names[r.get("targetGUID")] for e in root.iter(Q + tag) for r in e.iter(Q + "VariableRef")}

    case_variables, source_variables = used_by("Case"), used_by("TextSource")
    assert case_variables & source_variables == set()
    assert {"participant_note", "participant_section"} <= case_variables
    assert {"note", "section", "meeting", "source_type"} <= source_variables
    assert len(names) == len(set(names.values()))


def test_the_export_still_validates(exported):
    assert validate_qdpx(exported) == []


def test_coding_times_and_authors_come_from_the_data_when_present(project, tmp_path):
    codings = project.codings.copy()
    codings["created_at"] = pd.array([f"2026-03-{1 + i % 28:02d}T10:00:00+01:00" for i in range(len(codings))],
                                     dtype="string")
    codings["created_by"] = pd.array(["coder1"] * (len(codings) - 1) + [None], dtype="string")
    dated = Project(project.path, dict(project.tables, codings=codings))
    out = export_qdpx(dated, tmp_path / "dated.qdpx")
    root = qde(out)
    first = next(s for s in root.iter(Q + "PlainTextSelection") if s.get("name").startswith("K0001"))
    assert first.get("creationDateTime") == "2026-03-01T09:00:00Z"
    assert first.find(Q + "Coding").get("creationDateTime") == "2026-03-01T09:00:00Z"
    # where the data have no time, the earliest coding time: a source existed before it was first coded
    assert {s.get("creationDateTime") for s in root.iter(Q + "TextSource")} == {"2026-03-01T09:00:00Z"}
    assert validate_qdpx(out) == []
    assert export_qdpx(dated, tmp_path / "again.qdpx").read_bytes() == out.read_bytes()


def test_without_times_the_export_writes_a_fixed_date_or_the_one_given(project, tmp_path):
    undated = Project(project.path, dict(project.tables, codings=project.codings.drop(columns=["created_at", "created_by"])))
    out = export_qdpx(undated, tmp_path / "undated.qdpx")
    assert {e.get("creationDateTime") for e in qde(out).iter() if e.get("creationDateTime")} == {UNKNOWN_TIME}
    given = export_qdpx(undated, tmp_path / "given.qdpx", time="2026-12-01 15:30:00+01:00")
    assert {e.get("creationDateTime") for e in qde(given).iter() if e.get("creationDateTime")} == {
        "2026-12-01T14:30:00Z"}


def test_import_keeps_coding_times_and_authors(tmp_path):
    """Each coding's ``created_at`` / ``created_by`` survive the trip through QualCoder's form."""
    project = load_project()
    back = import_qdpx(qualcoder_round_trip(export_qdpx(project, tmp_path / "ebm.qdpx"), tmp_path / "qc.qdpx"),
                       tmp_path / "back")
    assert len(back.codings) == len(project.codings) == 142
    pd.testing.assert_series_equal(back.codings["created_at"], project.codings["created_at"])
    pd.testing.assert_series_equal(back.codings["created_by"], project.codings["created_by"])


# ---------------------------------------------------------------- QualCoder's import of our export

def test_the_qualcoder_model_stops_on_a_note_without_a_date_as_qualcoder_does(exported, tmp_path):
    """The fixture reproduces issue #17's crash on an export whose Notes carry no date."""
    undated = tmp_path / "undated.qdpx"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(undated, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                data = re.sub(rb'(<Note [^>]*?) creatingUser="[^"]*" creationDateTime="[^"]*"', rb"\1", data)
            dst.writestr(name, data)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'replace'"):
        qualcoder_import(undated)


def test_qualcoder_import_holds_every_code_source_coding_and_memo_with_the_coder_as_owner(project, exported):
    qc = qualcoder_import(exported)
    assert len(qc.codes) == len(project.codebook)
    assert sum(c["parent"] is not None for c in qc.codes) == project.codebook["parent_id"].notna().sum()
    assert len(qc.sources) == len(project.segments())
    assert {s["owner"] for s in qc.sources} == {"coder1"}
    assert len(qc.code_text) == len(project.codings) and {c["owner"] for c in qc.code_text} == {"coder1"}
    assert sorted(c["memo"] for c in qc.code_text if c["memo"]) == sorted(project.codings["memo"].dropna())
    texts = dict(zip(project.segments()["segment_id"], project.segments()["text_sv"]))
    for row in qc.code_text:
        assert qc.sources[row["fid"]]["fulltext"] == texts[qc.sources[row["fid"]]["name"]]
    assert len(qc.cases) == len(project.participants)
    case_types = {n for n, t in qc.attribute_types.items() if t["case_or_file"] == "case"}
    assert {"role", "participant_note", "participant_section"} <= case_types
    assert {"note", "section", "meeting", "speaker_role"}.isdisjoint(case_types)
    assert qc.messages == []


# ---------------------------------------------------------------- and back again

@pytest.mark.parametrize("decimals", [False, True], ids=["numbers as stored", "numbers as 3.0"])
def test_round_trip_through_qualcoder_keeps_codings_memos_meetings_and_kinds(project, exported, tmp_path, decimals):
    qdpx = qualcoder_round_trip(exported, tmp_path / "qc.qdpx", decimals=decimals)
    text = zipfile.ZipFile(qdpx).read("project.qde").decode("utf-8")
    assert "<Set" not in text and "<FloatValue>" in text and ("<FloatValue>3.0<" in text) == decimals
    assert zipfile.ZipFile(qdpx).read(next(n for n in zipfile.ZipFile(qdpx).namelist()
                                           if n.endswith(".txt"))).startswith(b"\xef\xbb\xbf")
    back = import_qdpx(qdpx, tmp_path / "back")
    pd.testing.assert_frame_equal(content(back.codings), content(project.codings))
    assert back.codings["memo"].notna().sum() == 57
    for table in ("meetings", "participants", "excerpts", "observations"):
        pd.testing.assert_frame_equal(back.tables[table], project.tables[table])
    assert back.segments()["kind"].value_counts().to_dict() == {"observation": 49, "excerpt": 30}
    pd.testing.assert_frame_equal(back.codebook.drop(columns="color"), project.codebook.drop(columns="color"))
    assert import_notes(tmp_path / "back") == []
    readme = (tmp_path / "back" / "IMPORTED_FROM_REFI.md").read_text(encoding="utf-8")
    assert "Recovered: 8 meetings, from the descriptions of variables" in readme
    placed = project.segments()["meeting"].notna().sum()
    assert (f"49 meeting-notes segments and 30 quotations with their kind, speaker and translation, {placed} of "
            "them") in readme


def test_what_cannot_be_recovered_is_said(project, exported, tmp_path):
    """A tool that also dropped the variables' descriptions: no meetings; the import says so, and what follows."""
    qc = qualcoder_import(exported)
    for variable in qc.attribute_types.values():
        variable["memo"] = ""
    back = import_qdpx(qualcoder_export(qc, tmp_path / "qc.qdpx"), tmp_path / "back")
    assert len(back.meetings) == 0 and len(back.observations) == 0
    assert back.excerpts["meeting"].isna().all()
    assert len(back.codings) == len(project.codings)
    notes = import_notes(tmp_path / "back")
    placed = project.segments()["meeting"].notna().sum()
    assert any(n.startswith(f"Not recovered: the meeting number of {placed} sources") for n in notes)
    assert any("49 meeting-notes segments (O001" in n and "came back as quotations" in n for n in notes)
    assert any(n.startswith("Not recovered: 11 participants") for n in notes)
    result = subprocess.run([sys.executable, "-m", "ebm_analysis", "import-qdpx", tmp_path / "qc.qdpx",
                             tmp_path / "cli"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Not recovered (3; also in cli/IMPORTED_FROM_REFI.md):" in result.stdout
    assert f"the meeting number of {placed} sources" in result.stdout


def test_a_selection_of_the_whole_text_from_another_tool_is_a_whole_segment_coding(exported, tmp_path):
    back = import_qdpx(qualcoder_round_trip(exported, tmp_path / "qc.qdpx"), tmp_path / "back")
    whole = load_project().codings["start"].isna()
    assert back.codings["start"].isna().sum() == whole.sum() > 0


def test_importer_checks_pass_for_our_export_and_name_what_an_undated_export_lacks(exported, tmp_path):
    from ebm_analysis.refi import importer_checks

    ours = importer_checks(exported).set_index("check")
    assert ours["ok"].all()
    assert ours.loc["coded passages with a memo that carry it as their Description", ["found", "of"]].tolist() == [57, 57]
    undated = tmp_path / "undated.qdpx"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(undated, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                data = re.sub(rb' creationDateTime="[^"]*"', b"", data)
            dst.writestr(name, data)
    checks = importer_checks(undated).set_index("check")
    assert checks.loc["notes (memos) with a creation time", ["found", "of", "ok"]].tolist() == [0, 57, False]
    assert checks.loc["sources with a user listed in <Users>", "ok"]


def test_sources_without_an_owner_come_back_with_a_default_user_and_the_coders_intact(exported, tmp_path):
    """As QualCoder files sources without creatingUser: under a user "default", who then owns nothing we import."""
    ownerless = tmp_path / "ownerless.qdpx"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(ownerless, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                data = re.sub(rb'(<TextSource [^>]*?) creatingUser="[^"]*"', rb"\1", data)
            dst.writestr(name, data)
    qc = qualcoder_import(ownerless)
    assert {s["owner"] for s in qc.sources} == {"default"}
    out = qualcoder_export(qc, tmp_path / "qc.qdpx")
    assert [u.get("name") for u in qde(out).iter(Q + "User")] == ["coder1", "default"]
    back = import_qdpx(out, tmp_path / "back")
    assert set(back.codings["coder"]) == {"coder1"} and len(back.codings) == 142
