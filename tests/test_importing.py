"""Importing documents (ebm_analysis.importing): real formats made by the tests, broken files, the whole flow.

Every fixture is SYNTHETIC and made here: a .docx written with python-docx,
an .odt written with odfpy, a .vtt and a .srt with two speakers.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ebm_analysis import DataError, load_project
from ebm_analysis.cli import main
from ebm_analysis.importing.timed import format_time, read_srt, read_vtt
from ebm_analysis.importing.writer import identifiers_left, import_text, read_document
from ebm_analysis.lock import LOCK_FILE
from ebm_analysis.newproject import new_project

SPEAKERS = ("speaker,participant_id,role,pseudonym\n"
            "Anna Berg,SS1,social_secretary,\n"
            "Karin Ek,,not_a_participant,[INT1]\n")
VTT = ("WEBVTT\n\nNOTE synthetic\n\n1\n00:00:01.000 --> 00:00:03.000\n<v Karin Ek>Hur var träffen, Anna?\n\n"
       "2\n00:00:03.500 --> 00:00:06.250\n<v Anna Berg>Lugn. Jag lärde mig mycket.\n\n"
       "3\n00:00:06.250 --> 00:00:08.000\n<v Anna Berg>Mest om tillit.\n")
SRT = ("1\n00:00:01,000 --> 00:00:03,000\nKarin Ek: Hur var träffen?\n\n"
       "2\n00:00:03,500 --> 00:00:06,250\nAnna Berg: Lugn, <i>verkligen</i>.\n")


def _meetings_and_people(folder: Path) -> None:
    from ebm_analysis.importing.synthetic import _csv, SECTION

    (folder / "meetings.csv").write_text(_csv([{
        "meeting": "1", "month": "2024-02", "month_basis": "reported", "month_reasoning": "synthetic",
        "theme_sv": "tema", "theme_en": "theme", "theme_narrative_sv": "", "observed": "yes", "observed_table": "",
        "observed_reasoning": "synthetic", "talked_about_sv": "x", "talked_about_en": "x", "other_topics_sv": "x",
        "other_topics_en": "x", "section": SECTION}]), encoding="utf-8")
    (folder / "participants.csv").write_text(_csv([{
        "participant_id": "SS1", "role": "social_secretary", "role_sv": "socialsekreterare", "joined_meeting": "1",
        "joined_basis": "reported", "left_project": "no", "left_basis": "reported", "answered_survey": "no",
        "tenure_at_start": "unknown", "introduction_track": "unknown", "note": "synthetic", "section": SECTION}]),
        encoding="utf-8")


@pytest.fixture
def study(tmp_path) -> dict[str, Path]:
    folder = new_project(tmp_path / "study")
    _meetings_and_people(folder)
    private = tmp_path / "private"
    private.mkdir()
    (private / "speakers.csv").write_text(SPEAKERS, encoding="utf-8")
    return {"data": folder, "map": private / "speakers.csv", "key": private / "key.csv", "home": tmp_path}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != LOCK_FILE}


def _import(study, *files, **options):
    options.setdefault("kind", "interview")
    return import_text(files, study["data"], speaker_map=study["map"], key=study["key"], **options)


# ---------------------------------------------------------------- formats

def test_docx_turns_with_provenance(study):
    document = docx.Document()
    for text in ("Karin Ek: Hur började det?", "Anna Berg: Med stress.", "Det gick över.", "Karin Ek: Tack."):
        document.add_paragraph(text)
    path = study["home"] / "intervju.docx"
    document.save(path)
    result = _import(study, path)
    assert result.segments["text_sv"].tolist() == ["Hur började det?", "Med stress.\nDet gick över.", "Tack."]
    project = load_project(study["data"])
    assert project.excerpts["speaker_id"].tolist()[1] == "SS1"
    assert project.excerpts["speaker_role"].tolist() == ["not_a_participant", "social_secretary", "not_a_participant"]
    src = project.segment_sources
    assert src["position"].tolist() == [1, 2, 3] and src["line"].tolist() == [1, 2, 4]
    assert set(src["source_format"]) == {"docx"} and len(src["sha256"].iloc[0]) == 64


def test_odt_paragraphs_become_observations(study):
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    notes = OpenDocumentText()
    notes.text.addElement(H(outlinelevel=1, text="Träff 1"))
    notes.text.addElement(P(text="Gruppen samlades."))
    notes.text.addElement(P(text="Anna Berg talade om stress."))
    path = study["home"] / "anteckningar.odt"
    notes.save(str(path))
    _import(study, path, kind="observation", meeting=1)
    obs = load_project(study["data"]).observations
    assert obs["note_id"].tolist() == ["O001", "O002"]
    assert obs["text_sv"].tolist() == ["Gruppen samlades.", "[SS1] talade om stress."]
    assert set(obs["meeting"]) == {1} and set(obs["basis"]) == {"observed"}


def test_vtt_keeps_speakers_and_times_and_merges_a_speakers_cues(study):
    path = study["home"] / "traff.vtt"
    path.write_text(VTT, encoding="utf-8")
    result = _import(study, path, kind="observation", meeting=1)
    assert result.segments["speaker"].tolist() == ["[INT1]", "[SS1]"]
    project = load_project(study["data"])
    assert project.excerpts["text_sv"].tolist() == ["Hur var träffen, [SS1]?", "Lugn. Jag lärde mig mycket. Mest om tillit."]
    assert set(project.excerpts["source_type"]) == {"meeting"}
    src = project.segment_sources
    assert src["start_time"].tolist() == ["00:00:01.000", "00:00:03.500"]
    assert src["end_time"].tolist() == ["00:00:03.000", "00:00:08.000"]


def test_srt_speaker_labels_in_the_text(study):
    path = study["home"] / "intervju.srt"
    path.write_text(SRT, encoding="utf-8")
    _import(study, path)
    ex = load_project(study["data"]).excerpts
    assert ex["text_sv"].tolist() == ["Hur var träffen?", "Lugn, verkligen."]
    assert ex["speaker_id"].isna().tolist() == [True, False]


def test_markdown_and_ids_continue_the_sequence(study):
    (study["home"] / "a.md").write_text("# Rubrik\n\nEtt stycke.\n\nAnnat stycke.\n", encoding="utf-8")
    (study["home"] / "b.txt").write_text("Tredje.\n", encoding="utf-8")
    _import(study, study["home"] / "a.md", kind="observation", meeting=1)
    _import(study, study["home"] / "b.txt", kind="observation", meeting=1)
    assert load_project(study["data"]).observations["note_id"].tolist() == ["O001", "O002", "O003"]


def test_ids_continue_the_ebm_sequences(tmp_path):
    import shutil

    from conftest import DATA

    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns(".*"))
    before = {f: (folder / f).read_bytes() for f in ("excerpts.csv", "observations.csv")}
    (tmp_path / "map.csv").write_text("speaker,participant_id,role\nBM1,BM1,service_user_mentor\n", encoding="utf-8")
    (tmp_path / "n.txt").write_text("BM1: Ny text.\n", encoding="utf-8")
    import_text([tmp_path / "n.txt"], folder, kind="interview", speaker_map=tmp_path / "map.csv", key=tmp_path / "k.csv")
    after = (folder / "excerpts.csv").read_bytes()
    assert after.startswith(before["excerpts.csv"])                    # existing rows kept byte for byte
    assert (folder / "observations.csv").read_bytes() == before["observations.csv"]
    ex = load_project(folder).excerpts
    assert ex["excerpt_id"].iloc[-1] == f"E{len(ex):03d}" and ex["speaker_id"].iloc[-1] == "BM1"


# ---------------------------------------------------------------- refused, and nothing written

def _broken(study, name: str, data: bytes, **options) -> str:
    path = study["home"] / name
    path.write_bytes(data)
    before = _snapshot(study["data"])
    with pytest.raises(DataError) as err:
        _import(study, path, **options)
    assert _snapshot(study["data"]) == before
    assert not study["key"].exists()
    return str(err.value)


def test_docx_that_is_not_a_zip(study):
    message = _broken(study, "intervju.docx", b"Det h\xe4r \xe4r ingen Word-fil.\n")
    assert "intervju.docx" in message and "not a .docx" in message and "save it again as .docx" in message


def test_old_binary_doc_renamed(study):
    assert "old Word document (.doc)" in _broken(study, "gammal.docx", b"\xd0\xcf\x11\xe0" + b"\0" * 100)


def test_zip_that_is_not_a_word_document(study):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hej")
    assert "not a readable Word document" in _broken(study, "zip.docx", out.getvalue())


def test_vtt_with_a_bad_timestamp(study):
    message = _broken(study, "t.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHej.\n")
    assert "t.vtt, line 3" in message and "00:00:0x.000" in message and "00:00:01.000 --> 00:00:04.000" in message


def test_vtt_cue_ending_before_it_starts(study):
    assert "ends (00:00:01.000) before it starts" in _broken(study, "t.vtt", b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nHej.\n")


def test_vtt_without_header(study):
    assert "whose first line is WEBVTT" in _broken(study, "t.vtt", b"00:00:01.000 --> 00:00:02.000\nHej.\n")


def test_srt_with_a_missing_cue_number(study):
    assert "line 1" in _broken(study, "t.srt", b"00:00:01,000 --> 00:00:02,000\nHej.\n")


@pytest.mark.parametrize("encoding, expected", [("latin-1", "line 2: found byte 0xE5 (å in Windows-1252/Latin-1)"),
                                                ("utf-16", "saved as UTF-16")])
def test_wrong_encodings(study, encoding, expected):
    message = _broken(study, "t.txt", "Karin Ek: Hej.\nAnna Berg: Jag mår bra, tack för att du frågar.\n"
                      .replace("bra", "bäst").encode(encoding))
    assert expected in message and "UTF-8" in message


def test_unknown_speaker_label_is_refused_not_leaked(study):
    message = _broken(study, "t.txt", "Karin Ek: Hej.\nLisa Holm: Hej själv.\n".encode())
    assert "Lisa Holm" in message and "speaker map does not list" in message


def test_unknown_participant_is_refused_by_validation(study):
    (study["map"]).write_text(SPEAKERS + "Olle Sten,SS9,social_secretary,\n", encoding="utf-8")
    message = _broken(study, "t.txt", "Olle Sten: Hej.\n".encode())
    assert "excerpts.csv" in message and "SS9" in message and "participants.csv does not list" in message


def test_observation_needs_a_meeting(study):
    assert "--meeting" in _broken(study, "t.txt", b"Hej.\n", kind="observation")


def test_same_file_twice_is_refused(study):
    path = study["home"] / "t.srt"
    path.write_text(SRT, encoding="utf-8")
    _import(study, path)
    before = _snapshot(study["data"])
    copy = study["home"] / "kopia.srt"
    copy.write_text(SRT, encoding="utf-8")
    with pytest.raises(DataError, match="imported before .*E001–E002"):
        _import(study, copy)
    path.write_text(SRT + "\n3\n00:00:07,000 --> 00:00:08,000\nKarin Ek: Mer?\n", encoding="utf-8")
    with pytest.raises(DataError, match="changed version of a file imported before"):
        _import(study, path)
    assert _snapshot(study["data"]) == before


def test_key_and_speaker_map_inside_the_data_folder_are_refused(study):
    path = study["home"] / "t.srt"
    path.write_text(SRT, encoding="utf-8")
    with pytest.raises(DataError, match="pseudonym key inside the data folder"):
        import_text([path], study["data"], kind="interview", speaker_map=study["map"], key=study["data"] / "key.csv")
    inside = study["data"] / "sub" / "map.csv"
    inside.parent.mkdir()
    inside.write_text(SPEAKERS, encoding="utf-8")
    with pytest.raises(DataError, match="speaker map inside the data folder"):
        import_text([path], study["data"], kind="interview", speaker_map=inside, key=study["key"])


def test_dry_run_writes_nothing_and_shows_every_replacement(study):
    path = study["home"] / "t.txt"
    path.write_text("Karin Ek: Hej Anna.\nAnna Berg: Mejla anna.berg@example.se eller ring 070-123 45 67.\n",
                    encoding="utf-8")
    before = _snapshot(study["data"])
    result = import_text([path], study["data"], kind="interview", speaker_map=study["map"], dry_run=True)
    assert _snapshot(study["data"]) == before and result.written == [] and result.key_file is None
    assert result.replacements["kind"].tolist() == ["name", "email", "phone"]
    assert result.replacements["context"].tolist()[0] == "Hej «Anna»."
    assert result.segments["text_sv"].tolist()[1] == "Mejla [EMAIL1] eller ring [PHONE1]."


def test_an_interrupted_store_is_completed_by_the_next_load(study, monkeypatch):
    from ebm_analysis.importing import writer
    from ebm_analysis.redaction import _stage

    def crash_after_staging(folder, staged):
        _stage(folder, staged, [])
        raise KeyboardInterrupt
    monkeypatch.setattr(writer, "_store", crash_after_staging)
    path = study["home"] / "t.srt"
    path.write_text(SRT, encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        _import(study, path)
    assert len(load_project(study["data"]).excerpts) == 2


# ---------------------------------------------------------------- check

def test_check_fails_on_an_identifier_left_in_imported_material(study, capsys):
    path = study["home"] / "t.srt"
    path.write_text(SRT, encoding="utf-8")
    _import(study, path)
    assert main(["check", str(study["data"]), "--key", str(study["key"])]) == 0
    text = (study["data"] / "excerpts.csv").read_text(encoding="utf-8").replace("Lugn", "Lugn, sa Anna Berg")
    (study["data"] / "excerpts.csv").write_text(text, encoding="utf-8")
    assert main(["check", str(study["data"])]) == 0                      # a name is only known from a list
    assert main(["check", str(study["data"]), "--key", str(study["key"])]) == 1
    assert "E002 (t.srt, position 2): name 'Anna Berg'" in capsys.readouterr().err
    left = identifiers_left(load_project(study["data"]), key=study["key"])
    assert left["value"].tolist() == ["Anna Berg"]


def test_check_of_the_ebm_data_is_unchanged(capsys):
    assert main(["check"]) == 0
    assert "imported" not in capsys.readouterr().out


# ---------------------------------------------------------------- the command line

def test_cli_new_project_and_import(tmp_path, capsys):
    assert main(["new-project", str(tmp_path / "s")]) == 0
    assert main(["new-project", str(tmp_path / "s")]) == 1               # not over an existing folder
    _meetings_and_people(tmp_path / "s")
    (tmp_path / "map.csv").write_text(SPEAKERS, encoding="utf-8")
    (tmp_path / "t.vtt").write_text(VTT, encoding="utf-8")
    args = ["import-text", str(tmp_path / "t.vtt"), "--data", str(tmp_path / "s"), "--kind", "interview",
            "--speaker-map", str(tmp_path / "map.csv")]
    assert main(args + ["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was written" in out and "name → [SS1]" in out
    assert main(args) == 1 and "--key" in capsys.readouterr().err
    assert main(args + ["--key", str(tmp_path / "key.csv")]) == 0
    assert "imported 2 segment(s) (E001–E002)" in capsys.readouterr().out


# ---------------------------------------------------------------- the whole flow

def test_whole_flow_new_project_import_code_query_export(tmp_path):
    import xmlschema

    from ebm_analysis import CodingStore, code_frequencies, export_qdpx, retrieve
    from ebm_analysis.importing.synthetic import SYNTHETIC_CODES, write_synthetic_study
    from ebm_analysis.refi.describe import SCHEMA_DIR

    paths = write_synthetic_study(tmp_path)
    common = {"speaker_map": paths["speaker_map"], "names": paths["names"], "key": paths["key"]}
    import_text([paths["interview"]], paths["data"], kind="interview", **common)
    import_text([paths["meeting"]], paths["data"], kind="observation", meeting=2, **common)
    import_text([paths["notes"]], paths["data"], kind="observation", meeting=2, **common)
    with CodingStore.open(paths["data"], coder="R1") as store:
        for code_id, name_sv, name_en, definition in SYNTHETIC_CODES:
            store.add_code(code_id, name_sv, name_en, definition=definition, include="-", exclude="-", example="-")
        text = store.text("E002")
        start = text.index("Stressigt")
        store.add("E002", "stress", "R1", start, start + len("Stressigt"))
        store.add("E005", "trust", "R1")
        store.add("O002", "trust", "R1")
    project = load_project(paths["data"])
    assert identifiers_left(project, names=paths["names"], key=paths["key"]).empty
    found = retrieve(project, "trust")
    assert sorted(found["segment_id"]) == ["E005", "O002"]
    assert retrieve(project, "stress")["coded_text"].tolist() == ["Stressigt"]
    assert code_frequencies(project).groupby("code_id")["segments"].sum()["trust"] == 2
    out = export_qdpx(project, tmp_path / "study.qdpx")
    schema = xmlschema.XMLSchema(str(SCHEMA_DIR / "Project-mrt2019.xsd"))
    schema.validate(zipfile.ZipFile(out).read("project.qde").decode("utf-8"))


# ---------------------------------------------------------------- fuzz

_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="<>&-\u2028\u2029\x85"),
                min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(bool)
_CUES = st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**6), _TEXT), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CUES)
def test_vtt_and_srt_round_trip(cues):
    vtt = "WEBVTT\n\n" + "".join(f"{format_time(s)} --> {format_time(s + d)}\n{t}\n\n" for s, d, t in cues)
    srt = "".join(f"{i}\n{format_time(s).replace('.', ',')} --> {format_time(s + d).replace('.', ',')}\n{t}\n\n"
                  for i, (s, d, t) in enumerate(cues, start=1))
    expected = [(t, format_time(s), format_time(s + d)) for s, d, t in cues]
    assert [(b.text, b.start, b.end) for b in read_vtt(vtt.encode(), "f.vtt")] == expected
    assert [(b.text, b.start, b.end) for b in read_srt(srt.encode(), "f.srt")] == expected


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["vtt", "srt"]))
def test_vtt_and_srt_parsers_never_fail_other_than_with_a_data_error(data, fmt):
    reader = read_vtt if fmt == "vtt" else read_srt
    for payload in (data, b"WEBVTT\n\n" + data, b"1\n00:00:01,000 --> 00:00:02,000\n" + data):
        try:
            blocks = reader(payload, f"f.{fmt}")
        except DataError:
            continue
        assert all(b.text.strip() for b in blocks)


def test_read_document_refuses_an_unknown_format(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(DataError, match="expected one of .txt, .md, .docx, .odt, .vtt, .srt"):
        read_document(tmp_path / "a.pdf")


# ---------------------------------------------------------------- --update

def _coded_study(study):
    from ebm_analysis import CodingStore

    path = study["home"] / "intervju.txt"
    path.write_text("Karin Ek: Hur var det?\nAnna Berg: Det var stressigt men lärorikt.\nKarin Ek: Tack.\n",
                    encoding="utf-8")
    _import(study, path)
    with CodingStore.open(study["data"], coder="R1") as store:
        store.add_code("stress", "stress", "stress", definition="d", include="i", exclude="e", example="x")
        text = store.text("E002")
        store.add("E002", "stress", "R1", text.index("stressigt"), text.index("stressigt") + len("stressigt"))
        store.add("E003", "stress", "R1")
    return path


def test_update_keeps_ids_and_moves_codings_with_their_text(study):
    from ebm_analysis import retrieve

    path = _coded_study(study)
    path.write_text("Karin Ek: Hur var det, berätta?\nAnna Berg: Jo. Det var ganska stressigt men lärorikt.\n"
                    "Karin Ek: Tack.\nAnna Berg: Varsågod.\n", encoding="utf-8")
    with pytest.raises(DataError, match="give --update"):
        _import(study, path)
    result = _import(study, path, update=True)
    assert result.updated == ["intervju.txt"] and result.moved["status"].tolist() == ["moved"]
    project = load_project(study["data"])
    assert project.excerpts["excerpt_id"].tolist() == ["E001", "E002", "E003", "E004"]
    assert project.excerpts["text_sv"].tolist()[1] == "Jo. Det var ganska stressigt men lärorikt."
    assert sorted(retrieve(project, "stress")["coded_text"]) == ["Tack.", "stressigt"]
    assert project.segment_sources["position"].tolist() == [1, 2, 3, 4]
    assert len(set(project.segment_sources["sha256"])) == 1


def test_update_refused_when_a_coding_cannot_follow(study):
    path = _coded_study(study)
    path.write_text("Karin Ek: Hur var det?\nAnna Berg: Det var lärorikt.\n", encoding="utf-8")
    before = _snapshot(study["data"])
    with pytest.raises(DataError) as err:
        _import(study, path, update=True)
    message = str(err.value)
    assert "E003, a segment the new version no longer has" in message
    assert "'stressigt' occurs nowhere" in message
    assert _snapshot(study["data"]) == before


def test_import_waits_for_the_lock_and_writes_nothing_when_it_is_held(study):
    from ebm_analysis.lock import FolderLock, LockTimeoutError

    path = study["home"] / "t.srt"
    path.write_text(SRT, encoding="utf-8")
    with FolderLock(study["data"], holder="R2"):
        before = _snapshot(study["data"])
        with pytest.raises(LockTimeoutError):
            _import(study, path, lock_timeout=0.2)
        assert _snapshot(study["data"]) == before
    assert not study["key"].exists()
