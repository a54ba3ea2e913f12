"""Tests for ebm_analysis.source_check and ``check --source``.

The first part builds small SYNTHETIC report texts and data folders and always
runs. The second part checks the real data against the real report; the
report is not part of the project, so those tests skip with a reason when its
text is not available (EBM_REPORT_TEXT; see tests/conftest.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, read_rows, write_rows
from ebm_analysis import DataError
from ebm_analysis.source_check import (check_source, normalise, quotation_coverage, quoted_fragments, read_source,
                                       report_quotations, report_text_paths, source_problems)


# ---------------------------------------------------------------- reading a rendering (synthetic)

PDF_TEXT = """\
 Mentorskapsträffarna
Vid den andra träffen berättade brukarmentorerna om hur de som brukare ser nyanställda och unga

Mentorskapskontraktet
Syfte och mål: ”Hjälpa varandra. Ge något åt jobbet. Tänka utanför boxen.”
 socialsekreterare. Sedan talade de om ASI14 som metod och om ”det lilla extra” i arbetet, liksom
om hur man kan vara personlig utan att bli
                                                
14 Addiction Severity Index är en intervjumetod.
 privat. Träffen avslutades.
18
 Efter projektet
Socialsekreterarna skrev att det är mer en känsla, som en av dem sa: ”[…] en känsla.” Och mer text
"""

MARKDOWN = """\
# Mentorskapsträffarna

Vid den andra träffen berättade brukarmentorerna om hur de som brukare ser nyanställda och unga

socialsekreterare. Sedan talade de om ASI<sup>14</sup> som metod och om "det lilla extra" i arbetet, liksom om hur man kan vara personlig utan att bli

---

<sup>14</sup> Addiction Severity Index är en intervjumetod.

privat. Träffen avslutades.

### Mentorskapskontraktet

Syfte och mål: ”Hjälpa varandra. Ge något åt jobbet. Tänka utanför boxen.”

## Efter projektet

Socialsekreterarna skrev att det är mer en känsla, som en av dem sa: ”[...] en känsla.” Och mer text
"""


@pytest.fixture
def renderings(tmp_path):
    pdf, md = tmp_path / "report.txt", tmp_path / "report.md"
    pdf.write_text(PDF_TEXT, encoding="utf-8")
    md.write_text(MARKDOWN, encoding="utf-8")
    return read_source(pdf), read_source(md)


def test_normalisation_is_only_quotes_ellipsis_and_space():
    assert normalise("a  ”b”\n“c” „d” «e» ’f’ g…") == "a \"b\" \"c\" \"d\" \"e\" 'f' g..."
    assert normalise("Arbetssituationen") != normalise("Arbetsituationen")   # letters are compared exactly
    assert normalise("Brukare") != normalise("brukare")                      # and case


def test_pdf_text_layout_is_undone(renderings):
    pdf, _ = renderings
    assert "nyanställda och unga socialsekreterare. Sedan" in pdf.text          # the box moved out of the sentence
    assert "om ASI som metod" in pdf.text                                         # footnote marker dropped
    assert "utan att bli privat. Träffen" in pdf.text                            # footnote area dropped
    assert "Addiction" not in pdf.text and " 18 " not in pdf.text                # footnote and page number
    assert 'Träffen avslutades. Mentorskapskontraktet Syfte och mål: "Hjälpa' in pdf.text   # the box, after the paragraph


def test_markdown_layout_is_undone(renderings):
    _, md = renderings
    assert "nyanställda och unga socialsekreterare. Sedan" in md.text
    assert "om ASI som metod" in md.text and "utan att bli privat. Träffen" in md.text
    assert "Addiction" not in md.text and "<sup>" not in md.text


def test_headings_of_both_renderings(renderings):
    pdf, md = renderings
    assert sorted(pdf.heading_names) == sorted(md.heading_names) == [
        "Efter projektet", "Mentorskapskontraktet", "Mentorskapsträffarna"]


def test_quoted_fragments_skip_apostrophes():
    assert quoted_fragments("the mentors' advice ('våga vara ”mänsklig”') and the expert's role") == [
        "våga vara ”mänsklig”"]
    assert quoted_fragments("'Ej observerad' and ”det lilla extra”, \"svåra frågor\"") == [
        "Ej observerad", "det lilla extra", "svåra frågor"]
    assert quoted_fragments("nothing quoted, it's plain") == []


def write_folder(folder: Path, excerpts: list[list[str]], variants: list[list[str]] | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    write_rows(folder / "excerpts.csv", [["excerpt_id", "text_sv", "note", "section"], *excerpts])
    if variants is not None:
        write_rows(folder / "rendering_differences.csv",
                   [["difference_id", "source", "source_sv", "stored_sv", "follows", "section", "where", "note"],
                    *variants])
    return folder


def test_a_changed_quotation_is_reported_with_file_line_and_column(tmp_path, renderings):
    folder = write_folder(tmp_path / "data", [
        ["E1", "[…] en känsla.", "Said 'en av dem sa'.", "Efter projektet"],
        ["E2", "det lilla extra", "", "Mentorskapsträffarna"],
        ["E3", "det stora extra", "Not in the report: 'det stora'.", "Mötesanteckningar"],
    ])
    result = check_source(folder, renderings)
    missing = result[~result["found"]]
    assert set(zip(missing["line"], missing["column"], missing["check"])) == {
        (4, "text_sv", "whole"), (4, "note", "quoted"), (4, "section", "section")}
    assert set(missing["source"]) == {"report.txt", "report.md"}
    text = [str(p) for p in source_problems(missing)]
    assert "excerpts.csv, line 4, column 'text_sv': found 'det stora extra' (E3); not found in report.txt" in text[0]


def test_elided_passages_must_keep_their_order(tmp_path, renderings):
    folder = write_folder(tmp_path / "data", [
        ["E1", "Sedan talade de ... utan att bli privat.", "", "Mentorskapsträffarna"],
        ["E2", "utan att bli privat. ... Sedan talade de", "", "Mentorskapsträffarna"],
    ])
    found = check_source(folder, renderings[:1]).set_index(["row_id", "column"])["found"]
    assert not found[("E1", "text_sv")]          # a whole value (a quotation) never leaves words out
    folder = write_folder(tmp_path / "data", [
        ["E1", "x", "'Sedan talade de ... utan att bli privat.'", "Mentorskapsträffarna"],
        ["E2", "x", "'utan att bli privat. ... Sedan talade de'", "Mentorskapsträffarna"],
    ])
    result = check_source(folder, renderings[:1])
    notes = result[result["column"] == "note"].set_index("row_id")["found"]
    assert bool(notes["E1"]) and not bool(notes["E2"])


def test_a_listed_rendering_difference_is_used_and_named(tmp_path, renderings):
    pdf, md = renderings
    md_path = md.path
    md_path.write_text(MARKDOWN.replace("det lilla extra", "det lila extra"), encoding="utf-8")
    md = read_source(md_path)
    rows = [["E1", "det lilla extra", "", "Mentorskapsträffarna"]]
    folder = write_folder(tmp_path / "data", rows)
    assert not check_source(folder, [md])["found"].all()
    folder = write_folder(tmp_path / "data", rows,
                          [["R1", "report.md", "det lila extra", "det lilla extra", "report.txt", "Mentorskapsträffarna",
                            "excerpts.csv E1", ""]])
    result = check_source(folder, [pdf, md])
    assert result["found"].all()
    assert result.set_index(["source", "column"]).loc[("report.md", "text_sv"), "variants"] == "R1"
    # the list itself is checked: a difference that is not in the rendering it names is a mismatch
    folder = write_folder(tmp_path / "data", rows,
                          [["R1", "report.md", "det lilla extra", "det lilla extra", "report.txt",
                            "Mentorskapsträffarna", "excerpts.csv E1", ""]])
    bad = check_source(folder, [md])
    listed = bad[bad["check"] == "variant"]
    assert listed[["line", "column", "found"]].values.tolist() == [[2, "source_sv", False]]


def test_quotations_of_the_findings_must_be_stored_or_left_out(tmp_path, renderings):
    pdf, _ = renderings
    assert report_quotations(pdf, start="Mentorskapsträffarna")["quote"].tolist() == [
        "det lilla extra", "Hjälpa varandra. Ge något åt jobbet. Tänka utanför boxen.", "[...] en känsla."]
    folder = write_folder(tmp_path / "data", [["E1", "[…] en känsla.", "", "Efter projektet"]])
    write_rows(folder / "quotations_left_out.csv", [["quote_sv", "section", "why_en"],
                                                    ["det lilla extra", "Mentorskapsträffarna", "a theme name"]])
    cov = quotation_coverage(folder, pdf)
    # the default findings start at the heading Planering, which this synthetic text lacks: all of it is read
    assert dict(zip(cov["quote"], cov["status"])) == {
        "det lilla extra": "left_out", "Hjälpa varandra. Ge något åt jobbet. Tänka utanför boxen.": "missing",
        "[...] en känsla.": "stored"}


def test_unreadable_source_is_a_data_error(tmp_path):
    bad = tmp_path / "report.txt"
    bad.write_bytes(b"\xff\xfe latin-1 \xe5")
    with pytest.raises(DataError, match="UTF-8"):
        read_source(bad)


def test_report_paths_from_the_environment(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.md"
    a.write_text("x", encoding="utf-8")
    b.write_text("x", encoding="utf-8")
    assert report_text_paths({"EBM_REPORT_TEXT": f"{a}:{b}"}) == [a, b]
    assert report_text_paths({}, fallback=tmp_path) == [a, b]
    assert report_text_paths({}, fallback=tmp_path / "none") == []


# ---------------------------------------------------------------- the real data against the real report

def test_every_cited_value_is_in_every_rendering(report_sources):
    """`check --source` over each rendering: no mismatch (issue #15)."""
    result = check_source(None, report_sources)
    assert source_problems(result) == []
    assert len(result) > 700 * len(report_sources)


def test_every_quotation_of_the_findings_is_stored_or_left_out(report_sources):
    for source in report_sources:
        coverage = quotation_coverage(None, source)
        assert coverage[coverage["status"] == "missing"]["quote"].tolist() == []
        assert (coverage["status"] == "stored").sum() >= 70


def test_a_changed_quotation_in_a_copy_is_reported(report_sources, data_copy):
    rows = read_rows(data_copy / "excerpts.csv")
    header = rows[0]
    row = next(i for i, r in enumerate(rows) if r[0] == "E018")
    rows[row][header.index("text_sv")] = "Varför går vi dit då?"
    write_rows(data_copy / "excerpts.csv", rows)
    problems = source_problems(check_source(data_copy, report_sources))
    hits = [p for p in problems if p.file == "excerpts.csv"]
    assert [(p.line, p.column) for p in hits] == [(row + 1, "text_sv")] * len(report_sources)
    assert "Varför går vi dit då?" in str(hits[0])


def test_a_section_that_is_no_heading_is_reported(report_sources, data_copy):
    rows = read_rows(data_copy / "observations.csv")
    rows[5][rows[0].index("section")] = "Mentorskapsträffar"
    write_rows(data_copy / "observations.csv", rows)
    hits = [p for p in source_problems(check_source(data_copy, report_sources)) if p.file == "observations.csv"]
    assert {(p.line, p.column) for p in hits} == {(6, "section")} and "not a heading" in hits[0].expected


def test_cli_check_source_reports_and_fails(report_sources, data_copy):
    sources = [str(s.path) for s in report_sources]
    args = [sys.executable, "-m", "ebm_analysis", "check", str(data_copy)] + [a for s in sources for a in ("--source", s)]
    ok = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("that cite the report found in it") == len(sources)
    rows = read_rows(data_copy / "advice.csv")
    rows[3][rows[0].index("advice_sv")] = "Var ärligt"
    write_rows(data_copy / "advice.csv", rows)
    bad = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert bad.returncode == 1
    assert "advice.csv, line 4, column 'advice_sv': found 'Var ärligt' (A03)" in bad.stderr


def test_both_renderings_have_the_same_headings(report_sources):
    if len(report_sources) < 2:
        pytest.skip("needs both renderings of the report")
    names = [s.heading_names for s in report_sources]
    extra = {"Erfarenhetsbaserat Mentorskap", "Innehållsförteckning", "Referenser"}   # title page, contents, references
    assert names[0] - extra == names[1] - extra


def _source_named(report_sources, suffix):
    found = [s for s in report_sources if s.name.endswith(suffix)]
    if not found:
        pytest.skip(f"needs the report's rendering ending in {suffix}")
    return found[0]


def test_observations_cover_the_account_of_the_meetings_exactly_once(report_sources):
    """observations.csv, in order, is the whole narrative of section Mentorskapsträffarna (contract box apart)."""
    from ebm_analysis import load_project

    text = _source_named(report_sources, ".txt").text
    start = text.index("Vid den första mentorskapsträffen presenterades")
    end = text.index("efter sommaren.") + len("efter sommaren.")
    narrative = text[start:end]
    box = re.search(r"Mentorskapskontraktet .*?Ge feedback till mentorerna längs vägen\" ", narrative)
    narrative = narrative[:box.start()] + narrative[box.end():]
    stored = " ".join(normalise(t) for t in load_project().observations["text_sv"])
    assert stored == narrative


def test_advice_is_the_overview_table_meeting_by_meeting(report_sources):
    from ebm_analysis import load_project

    md = _source_named(report_sources, ".md")
    table = {}
    for line in md.path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"<b>(\d)\. ", line)
        if match:
            table[int(match.group(1))] = re.findall(r'[”"]([^”"]+)[”"]', line.split("\t")[3])
    stored = load_project().advice.groupby("meeting")["advice_sv"].agg(list).to_dict()
    assert {m: v for m, v in table.items() if v} == stored
