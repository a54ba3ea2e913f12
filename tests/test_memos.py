"""Memos (ebm_analysis.memos): Markdown files with front matter, written through the store, validated on load."""

from __future__ import annotations

import re

import pandas as pd
from datetime import datetime, timezone

import pytest

from ebm_analysis.changelog import LOG_FILE, log_table
from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.memos import load_memos, memo_links, parse_memo, search_memos

TODAY = datetime.now(timezone.utc).date().isoformat()


@pytest.fixture
def store(data_copy):
    return CodingStore.open(data_copy, coder="R1")


def write(folder, name, content):
    (folder / "memos").mkdir(exist_ok=True)
    (folder / "memos" / name).write_text(content, encoding="utf-8")


GOOD = "---\ntitle: T\nauthor: R1\ncreated: 2026-12-01\nlinks:\n  - code:stress\n---\nBody\n"


def test_add_memo_writes_a_markdown_file_with_front_matter(store, data_copy):
    mid = store.add_memo("Trust and the expert", "The *expert* translates.\n\nSecond paragraph.",
                         ["code:trust", "segment:O016", "meeting:3"], reason="first idea")
    assert mid == "M001"
    content = (data_copy / "memos" / "M001.md").read_text(encoding="utf-8")
    assert content == ("---\ntitle: Trust and the expert\nauthor: R1\ncreated: " + TODAY + "\nlinks:\n"
                       "  - code:trust\n  - segment:O016\n  - meeting:3\n---\n"
                       "The *expert* translates.\n\nSecond paragraph.\n")
    free = store.add_memo("A free memo", "No links.", coder="R2")
    memos = load_memos(data_copy).set_index("memo_id")
    assert list(memos.index) == ["M001", "M002"] and free == "M002"
    assert memos.at["M001", "links"] == "code:trust; segment:O016; meeting:3"
    assert (memos.at["M001", "kind"], memos.at["M002", "kind"]) == ("linked", "free")
    assert memos.at["M002", "author"] == "R2" and memos.at["M002", "file"] == "memos/M002.md"
    log = log_table(data_copy, action="add memo")
    assert log["coder"].tolist() == ["R1", "R2"] and log["reason"].tolist()[0] == "first idea"
    assert "M001" in log["what"].tolist()[0]


def test_edit_memo_keeps_author_and_created_sets_updated_and_keeps_the_old_version(store, data_copy):
    mid = store.add_memo("Title", "old text", ["code:stress"])
    store.edit_memo(mid, "new text", links=[], coder="R2", reason="rethought")
    memo = load_memos(data_copy).iloc[0]
    assert (memo["text"], memo["author"], memo["created"], memo["updated"], memo["links"]) == \
        ("new text", "R1", TODAY, TODAY, "")
    kept = list((data_copy / "memos" / ".versions").iterdir())
    assert len(kept) == 1 and "old text" in kept[0].read_text(encoding="utf-8")
    [entry] = log_table(data_copy, action="edit memo").itertuples()
    assert entry.coder == "R2" and entry.reason == "rethought" and "text, links changed" in entry.what


def test_writing_refuses_links_to_nothing_and_empty_texts(store, data_copy):
    cases = [(("T", "x", ["code:no_such"]), "'code:no_such', which names no code"),
             (("T", "x", ["segment:E999"]), "names no segment"),
             (("T", "x", ["meeting:9"]), "names no meeting"),
             (("T", "x", ["person:SS1"]), "expected a link as code:"),
             (("", "x", []), "a memo needs a title"),
             (("T", " ", []), "a memo needs a text"),
             (("T", "a\n---\nb", []), "reserved for the front matter")]
    for args, message in cases:
        with pytest.raises(DataError, match=re.escape(message)):
            store.add_memo(*args)
    assert not (data_copy / "memos").exists() and not (data_copy / LOG_FILE).exists()
    with pytest.raises(DataError, match="'M404', which is not a memo"):
        store.edit_memo("M404", "x")


def test_parse_accepts_inline_and_empty_links():
    assert parse_memo(GOOD.replace("links:\n  - code:stress", "links: [code:stress, meeting:2]"))["links"] == \
        ["code:stress", "meeting:2"]
    assert parse_memo(GOOD.replace("links:\n  - code:stress", "links: []"))["links"] == []
    assert parse_memo(GOOD.replace("links:\n  - code:stress\n", ""))["links"] == []


@pytest.mark.parametrize("content, line, message", [
    ("title: T\n", 1, "expected a first line '---'"),
    ("---\ntitle: T\nauthor: R1\n", 3, "no closing '---'"),
    (GOOD.replace("author: R1", "owner: R1"), 3, "the field 'owner'"),
    (GOOD.replace("created: 2026-12-01", "created: 1 Dec 2026"), 4, "expected a date as YYYY-MM-DD"),
    (GOOD.replace("created: 2026-12-01", "created: 2026-02-30"), 4, "expected a date as YYYY-MM-DD"),
    (GOOD.replace("author: R1\n", ""), 1, "no author"),
    (GOOD.replace("title: T", "title: T\ntitle: U"), 3, "'title' a second time (first on line 2)"),
    (GOOD.replace("  - code:stress", "  - theme:stress"), 6, "expected a link as code:"),
    (GOOD.replace("links:\n", "links: code:stress\n"), 5, "expected the links as a list"),
    (GOOD.replace("title: T", "just words"), 2, "expected 'field: value'"),
])
def test_front_matter_errors_name_file_and_line(data_copy, content, line, message):
    write(data_copy, "M001.md", content)
    with pytest.raises(DataError) as err:
        load_memos(data_copy)
    problem = err.value.problems[0]
    assert (problem.file, problem.line) == ("memos/M001.md", line)
    assert message in str(err.value)


def test_load_refuses_links_to_nothing_other_files_and_bad_encoding(data_copy):
    write(data_copy, "M001.md", GOOD.replace("code:stress", "code:gone"))
    write(data_copy, "notes.txt", "x")
    (data_copy / "memos" / "M002.md").write_bytes(b"---\ntitle: \xff\n---\n")
    with pytest.raises(DataError) as err:
        load_memos(data_copy)
    found = {(p.file, p.line): str(p) for p in err.value.problems}
    assert "names no code" in found[("memos/M001.md", 5)]
    assert "M<number>.md" in found[("memos/notes.txt", None)]
    assert "not UTF-8" in found[("memos/M002.md", None)]


def test_search_and_links(store, data_copy):
    store.add_memo("Tillit", "Förtroende växer i gruppen", ["code:trust", "meeting:3"])
    store.add_memo("Time", "No time to attend", ["code:stress"])
    store.add_memo("Free", "Thinking about trust in general")
    memos = load_memos(data_copy)
    assert search_memos(memos, "FÖRTROENDE gruppen")["memo_id"].tolist() == ["M001"]
    assert search_memos(memos, "trust")["memo_id"].tolist() == ["M003"]
    assert search_memos(memos, link="code:trust")["memo_id"].tolist() == ["M001"]
    assert search_memos(memos, "time", link="code:trust").empty
    links = memo_links(memos)
    assert links.values.tolist() == [["M001", "code", "trust"], ["M001", "meeting", "3"], ["M002", "code", "stress"]]


def test_a_folder_without_memos_gives_an_empty_table(data_copy):
    assert load_memos(data_copy).empty


# ---------------------------------------------------------------- REFI-QDA notes

def test_memos_export_as_notes_that_validate_and_import_back(store, data_copy, tmp_path):
    import xml.etree.ElementTree as ET
    import zipfile

    import xmlschema

    from ebm_analysis.interchange import export_qdpx, import_qdpx
    from ebm_analysis.project import load_project
    from ebm_analysis.refi.describe import SCHEMA_DIR
    from ebm_analysis.refi.memo_notes import memo_guid

    store.add_memo("Trust", "Tillit *växer* i gruppen", ["code:trust", "segment:O016", "meeting:3"])
    store.add_memo("Free", "An analytic memo", coder="R7")
    store.edit_memo("M002", "An analytic memo, edited")
    archive = export_qdpx(load_project(data_copy), tmp_path / "x.qdpx")
    qde = zipfile.ZipFile(archive).read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(str(SCHEMA_DIR / "Project-mrt2019.xsd")).validate(qde)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    root = ET.fromstring(qde)
    note = root.find(f"q:Notes/q:Note[@guid='{memo_guid('M001')}']", ns)
    assert note.get("name") == "M001: Trust" and note.findtext("q:PlainTextContent", None, ns) == \
        "Tillit *växer* i gruppen"
    refs = {e.tag.split("}")[1] + ":" + (e.get("name") or "") for e in root.iter()
            if any(c.get("targetGUID") == memo_guid("M001") for c in e)}
    assert refs == {"Code:trust", "TextSource:O016", "Set:Meeting notes — meeting 3"}
    assert root.find(f"q:NoteRef[@targetGUID='{memo_guid('M002')}']", ns) is not None  # a free memo: the project's
    assert "R7" in [u.get("name") for u in root.iter("{urn:QDA-XML:project:1.0}User")]
    back = import_qdpx(archive, tmp_path / "back")
    cols = ["memo_id", "title", "author", "created", "updated", "links", "kind", "text"]
    pd.testing.assert_frame_equal(load_memos(back.path)[cols], load_memos(data_copy)[cols])


def test_a_memo_whose_log_entry_cannot_be_saved_is_taken_back(store, data_copy, monkeypatch):
    from ebm_analysis.lock import SaveError

    mid = store.add_memo("Title", "first text")
    before = (data_copy / "memos" / f"{mid}.md").read_bytes()

    def fail(entries):
        raise SaveError("the disk is full (simulated)")

    monkeypatch.setattr(store, "_append", fail)
    with pytest.raises(SaveError):
        store.add_memo("Second", "text")
    with pytest.raises(SaveError):
        store.edit_memo(mid, "second text")
    assert sorted(p.name for p in (data_copy / "memos").glob("*.md")) == ["M001.md"]
    assert (data_copy / "memos" / f"{mid}.md").read_bytes() == before


def test_redaction_reaches_the_memos_and_their_kept_versions(store, data_copy):
    from ebm_analysis.redaction import redact

    mid = store.add_memo("Call Anna Lindqvist", "Anna Lindqvist said so.", ["meeting:3"])
    store.edit_memo(mid, "Anna Lindqvist said so, twice.")
    redact("Anna Lindqvist", data_copy, coder="R1", reason="a name")
    texts = [p.read_text(encoding="utf-8") for p in (data_copy / "memos").rglob("*.md")]
    assert len(texts) == 2 and not any("Lindqvist" in t for t in texts)
    memo = load_memos(data_copy).iloc[0]
    assert (memo["title"], memo["text"]) == ("Call [REDACTED]", "[REDACTED] said so, twice.")


def test_notes_of_another_tool_become_memos(tmp_path):
    """A qdpx whose free Note has no ebm-analysis description: a memo linked where it is referenced."""
    import zipfile

    from ebm_analysis.interchange import export_qdpx, import_qdpx
    from ebm_analysis.project import load_project

    archive = export_qdpx(load_project(), tmp_path / "x.qdpx")
    with zipfile.ZipFile(archive) as z:
        members = {n: z.read(n) for n in z.namelist()}
    qde = members["project.qde"].decode("utf-8")
    note = ('<Note guid="aaaaaaaa-0000-4000-8000-000000000001" name="Thoughts on trust&#10;and time" '
            'creationDateTime="2020-05-04T10:00:00Z"><PlainTextContent>Line one\n---\nline two</PlainTextContent>'
            '</Note>')
    qde = qde.replace("</Notes>", note + "</Notes>", 1)
    qde = qde.replace("</Project>", '<NoteRef targetGUID="aaaaaaaa-0000-4000-8000-000000000001"/></Project>', 1)
    members["project.qde"] = qde.encode("utf-8")
    with zipfile.ZipFile(tmp_path / "y.qdpx", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    back = import_qdpx(tmp_path / "y.qdpx", tmp_path / "back")
    memo = load_memos(back.path).iloc[0]
    assert (memo["memo_id"], memo["title"], memo["created"], memo["kind"]) == \
        ("M001", "Thoughts on trust and time", "2020-05-04", "free")
    assert memo["text"] == "Line one\n---\nline two" and memo["author"] == "unknown"
