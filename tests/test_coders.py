"""A second coder and adjudication (ebm_analysis.coders): copy, merge back, disagreements, consensus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, codings_on_disk
from ebm_analysis.changelog import LOG_FILE, read_forward
from ebm_analysis.coders import (CONSENSUS, MARKER_FILE, adjudicate, agreement_by_pair, coder_agreement, coder_copy,
                                 coder_disagreements, decisions, disagreement_kinds, merge_coder, seed_consensus)
from ebm_analysis.coding import CodingStore
from ebm_analysis.errors import DataError
from ebm_analysis.project import load_project


@pytest.fixture
def copy(data_copy, tmp_path):
    return coder_copy(data_copy, tmp_path / "copy", "coder2")


def code_copy(copy_dir, plan):
    """Code the copy as coder2: ``plan`` is a list of (segment, code, start, end)."""
    store = CodingStore.open(copy_dir, coder="coder2")
    ids = [store.add(seg, code, "coder2", start=start, end=end) for seg, code, start, end in plan]
    store.close()
    return ids


PLAN = [("E001", "bemotande", None, None),      # as coder1 (agreement)
        ("E002", "trust", None, None),          # coder1 has use_of_self, mentor_advice: segment disagreements
        ("E013", "workload", 32, 45)]           # coder1 coded 32-51: a character disagreement


# ---------------------------------------------------------------- the copy

def test_copy_has_the_segments_and_codebook_and_no_codings(data_copy, tmp_path):
    store = CodingStore.open(data_copy, coder="R1")
    store.rename_code("workload", name_en="demands")  # pending in the log: the copy gets the current codebook
    store.add_memo("A memo", "text", ["code:stress"])
    out = coder_copy(data_copy, tmp_path / "copy", "coder2")
    assert (out / "excerpts.csv").read_bytes() == (data_copy / "excerpts.csv").read_bytes()
    assert (out / "observations.csv").read_bytes() == (data_copy / "observations.csv").read_bytes()
    theirs = load_project(out)
    assert len(theirs.codings) == 0
    pd.testing.assert_frame_equal(theirs.codebook, load_project(data_copy).codebook)
    assert theirs.codebook.set_index("code_id").at["workload", "name_en"] == "demands"
    assert not (out / LOG_FILE).exists() and not (out / "memos").exists()
    marker = json.loads((out / MARKER_FILE).read_text(encoding="utf-8"))
    assert marker["coder"] == "coder2" and marker["made_from"] == "data"
    assert set(marker["segments"]) == set(load_project(data_copy).segments()["segment_id"])


def test_copy_refuses_a_non_empty_folder_one_inside_the_data_and_a_used_coder(data_copy, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.txt").write_text("x")
    with pytest.raises(DataError, match="folder that is not empty"):
        coder_copy(data_copy, full, "coder2")
    with pytest.raises(DataError, match="inside the data folder"):
        coder_copy(data_copy, data_copy / "copy", "coder2")
    with pytest.raises(DataError, match="'coder1', who already has codings"):
        coder_copy(data_copy, tmp_path / "c1", "coder1")
    with pytest.raises(DataError, match="expected a coder id"):
        coder_copy(data_copy, tmp_path / "c2", "two words")
    assert not (tmp_path / "c1").exists() and not (tmp_path / "c2").exists()
    assert sorted(p.name for p in full.iterdir()) == ["x.txt"]


# ---------------------------------------------------------------- merging back

def test_merge_adds_the_copys_codings_in_one_undoable_change(data_copy, copy):
    before = load_project(data_copy).codings
    code_copy(copy, PLAN)
    result = merge_coder(data_copy, copy, reason="second coder done")
    assert len(result) == 3 and set(result["coder"]) == {"coder2"}
    assert not set(result["coding_id"]) & set(before["coding_id"])
    on_disk = codings_on_disk(data_copy)
    for row in result.itertuples():
        assert on_disk[row.coding_id]["coder"] == "coder2"
        assert on_disk[row.coding_id]["segment_id"] == row.segment_id
    assert on_disk[result.set_index("segment_id").at["E013", "coding_id"]]["span_text"] == \
        load_project(data_copy).segments().set_index("segment_id").at["E013", "text_sv"][32:45]
    entries = read_forward(data_copy / LOG_FILE).entries
    last = [e for e in entries if e.tx == entries[-1].tx]
    assert {e.action for e in last} == {"merge coder"} and len(last) == 4  # 3 inserts and a note
    assert last[0].reason == "second coder done" and last[0].coder == "coder2"
    CodingStore.open(data_copy).undo(coder="coder2")
    pd.testing.assert_frame_equal(load_project(data_copy).codings.reset_index(drop=True), before.reset_index(drop=True))


def test_merge_refuses_a_second_merge_changed_segments_and_codebook_listing_them(data_copy, copy, edit_table):
    code_copy(copy, PLAN)
    merge_coder(data_copy, copy)
    with pytest.raises(DataError, match="already has codings by coder2"):
        merge_coder(data_copy, copy)
    CodingStore.open(data_copy).undo(coder="coder2")
    CodingStore.open(data_copy, coder="R1").rename_code("trust", name_en="trust (renamed)")
    text = (data_copy / "observations.csv").read_text(encoding="utf-8")
    (data_copy / "observations.csv").write_text(text.replace("Vid", "Under", 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        merge_coder(data_copy, copy)
    message = str(err.value)
    assert "1 code(s) changed (trust (name_en))" in message
    assert "1 segment(s) changed (O001)" in message
    assert "nothing was merged" in message
    assert not {r["coder"] for r in codings_on_disk(data_copy).values()} & {"coder2"}


def test_merge_refuses_a_copy_whose_codebook_changed_or_that_has_no_codings(data_copy, copy):
    with pytest.raises(DataError, match="has no codings"):
        merge_coder(data_copy, copy)
    store = CodingStore.open(copy, coder="coder2")
    store.add_code("new_idea", "ny", "new", definition="d", include="i", exclude="e", example="x")
    store.add("E001", "new_idea", "coder2")
    store.close()
    with pytest.raises(DataError, match=r"1 code\(s\) added \(new_idea\)"):
        merge_coder(data_copy, copy)


def test_merge_needs_a_marker(data_copy, tmp_path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(DataError, match="no CODER_COPY.json"):
        merge_coder(data_copy, tmp_path / "plain")


# ---------------------------------------------------------------- disagreements and consensus

@pytest.fixture
def two_coders(data_copy, copy):
    code_copy(copy, PLAN)
    merge_coder(data_copy, copy)
    return CodingStore.open(data_copy, coder="R1")


def test_disagreements_at_segment_and_character_level(two_coders):
    d = coder_disagreements(two_coders.project, "coder1", "coder2").set_index("disagreement_id")
    assert "E001/bemotande" not in d.index  # both coded the whole of E001 with it
    assert d.at["E002/trust", "kind"] == "segment" and d.at["E002/trust", "coded_by"] == "coder2 only"
    assert d.at["E002/use_of_self", "coded_by"] == "coder1 only"
    row = d.loc["E013/workload"]
    assert row["kind"] == "character" and row["coded_by"] == "both, spans differ"
    assert (row["spans_a"], row["spans_b"], row["chars_both"]) == ("32–51", "32–45", 13)
    assert row["text_a_only"] == row["text_sv"][45:51] and row["text_b_only"] == ""
    top = coder_disagreements(two_coders.project, "coder2", "coder1", level="top").set_index("disagreement_id")
    assert "E002/soft_values" in top.index and top.at["E002/soft_values", "coded_by"] == "coder2 only"
    assert top.at["E013/stress", "kind"] == "character"


def test_disagreements_refuse_equal_or_absent_coders(two_coders):
    with pytest.raises(DataError, match="two or more different coders"):
        coder_disagreements(two_coders.project, "coder2", "coder2")
    with pytest.raises(DataError, match="'nobody', who has no codings"):
        coder_disagreements(two_coders.project, "coder1", "nobody")


def test_the_old_dictionary_disagreements_still_work(two_coders):
    from ebm_analysis.agreement import disagreements

    assert len(disagreements(two_coders.project, "belonging")) > 0


def test_agreement_by_pair_puts_each_pairs_statistic_side_by_side(two_coders):
    project = two_coders.project
    pairs = [("coder1", "coder2"), ("coder2", "coder1")]
    for statistic in ("kappa_segment", "pct_agree_char"):
        table = agreement_by_pair(project, pairs, statistic=statistic, level="code")
        assert table.columns.tolist() == ["code_id", "coder1 vs coder2", "coder2 vs coder1"]
        # the same numbers as one coder_agreement per pair, in codebook order, codes nobody could score left out
        expected = {}
        for a, b in pairs:
            for code, value in coder_agreement(project, a, b, level="code")[["code_id", statistic]].values:
                expected.setdefault(code, []).append(value)
        kept = [c for c in project.codebook["code_id"] if c in expected and not all(pd.isna(expected[c]))]
        assert table["code_id"].tolist() == kept
        if statistic == "kappa_segment":
            assert len(kept) < len(project.codebook)          # the unused codes have no kappa, and are left out
        for code, a_b, b_a in table.values:
            assert np.allclose([a_b, b_a], expected[code], equal_nan=True)
        assert np.allclose(table["coder1 vs coder2"], table["coder2 vs coder1"], equal_nan=True)  # symmetric
    with pytest.raises(DataError, match="statistic must be one of"):
        agreement_by_pair(project, pairs, statistic="kappa")


def test_disagreement_kinds_counts_each_kind_once_per_disagreement(two_coders):
    found = coder_disagreements(two_coders.project, "coder1", "coder2")
    kinds = disagreement_kinds(found)
    assert kinds.columns.tolist() == ["kind", "coded_by", "disagreements"]
    assert kinds["disagreements"].sum() == len(found)
    by_hand = {}
    for kind, who in zip(found["kind"], found["coded_by"]):
        by_hand[(kind, who)] = by_hand.get((kind, who), 0) + 1
    assert dict(zip(zip(kinds["kind"], kinds["coded_by"]), kinds["disagreements"])) == by_hand
    assert disagreement_kinds(found.iloc[:0]).empty


def test_adjudicate_records_the_decision_as_consensus_with_the_reason(two_coders, data_copy):
    d = coder_disagreements(two_coders.project, "coder1", "coder2").set_index("disagreement_id")
    made = adjudicate(two_coders, d.loc["E013/workload"].rename(None).to_dict() | {"disagreement_id": "E013/workload"},
                      "coder2", "the last words are context, not workload")
    [cid] = made
    row = codings_on_disk(data_copy)[cid]
    assert (row["coder"], row["segment_id"], row["code_id"], row["start"], row["end"]) == \
        (CONSENSUS, "E013", "workload", "32", "45")
    assert "coder2's coding" in row["memo"] and "not workload" in row["memo"]
    entries = read_forward(data_copy / LOG_FILE).entries
    note = entries[-1]
    assert note.op == "note" and note.action == "adjudicate" and note.reason == "the last words are context, not workload"
    assert note.after["decision"] == "b"

    def recorded():
        return decisions(data_copy, "coder1", "coder2").set_index("disagreement_id").loc[
            "E013/workload", ["decision", "kept", "reason"]].tolist()
    assert recorded() == ["b", "coder2", "the last words are context, not workload"]   # "kept" names the coder
    # deciding again replaces the earlier decision; "neither" leaves no coding
    assert adjudicate(two_coders, {**d.loc["E013/workload"], "disagreement_id": "x"}, "neither", "on reflection") == []
    assert cid not in codings_on_disk(data_copy)
    assert recorded() == ["neither", "neither", "on reflection"]
    two_coders.undo()
    assert codings_on_disk(data_copy)[cid]["end"] == "45"
    assert recorded()[:2] == ["b", "coder2"]


def test_adjudicate_refuses_a_bad_decision_or_no_reason(two_coders, data_copy):
    row = coder_disagreements(two_coders.project, "coder1", "coder2").iloc[0]
    size = (data_copy / LOG_FILE).stat().st_size
    with pytest.raises(DataError, match="expected one of a, b, both, neither"):
        adjudicate(two_coders, row, "maybe", "why")
    with pytest.raises(DataError, match="say why"):
        adjudicate(two_coders, row, "a", "  ")
    assert (data_copy / LOG_FILE).stat().st_size == size


def test_consensus_that_follows_coder1_agrees_fully_with_coder1(two_coders):
    seeded = seed_consensus(two_coders, "coder1", "coder2")
    assert ("E001", "bemotande") in set(zip(seeded["segment_id"], seeded["code_id"]))
    for _, row in coder_disagreements(two_coders.project, "coder1", "coder2").iterrows():
        adjudicate(two_coders, row, "a", "coder1's reading")
    table = coder_agreement(two_coders.project, "coder1", CONSENSUS, level="code")
    used = table[table["segments_a"] > 0]
    assert len(used) > 10
    assert np.allclose(used["pct_agree_char"], 100.0) and (used["segments_a"] == used["segments_b"]).all()
    other = coder_agreement(two_coders.project, "coder2", CONSENSUS, level="code").set_index("code_id")
    assert other.at["trust", "segments_a"] > other.at["trust", "segments_both"]  # coder2's E002/trust overruled


def test_both_takes_the_union_of_the_two_codings(two_coders, data_copy):
    d = coder_disagreements(two_coders.project, "coder1", "coder2").set_index("disagreement_id")
    made = adjudicate(two_coders, {**d.loc["E013/workload"]}, "both", "both readings")
    spans = sorted((codings_on_disk(data_copy)[c]["start"], codings_on_disk(data_copy)[c]["end"]) for c in made)
    assert spans == [("32", "45"), ("32", "51")]
    again = coder_disagreements(two_coders.project, "coder1", CONSENSUS).set_index("disagreement_id")
    assert "E013/workload" not in again.index


# ---------------------------------------------------------------- concurrency

WRITER = textwrap.dedent("""
    import os, sys, time, warnings
    warnings.simplefilter("ignore")
    from ebm_analysis.coding import CodingStore
    folder, stop, acks = sys.argv[1:]
    store = CodingStore.open(folder, coder="R9")
    segments = sorted(s for s in store._texts if len(store.text(s)) > 50 and store.text(s)[:40].strip())
    i = 0
    with open(acks, "a", encoding="utf-8") as out:
        while not os.path.exists(stop):
            seg = segments[i % len(segments)]
            cid = store.add(seg, "trust", "R9", start=0, end=10 + i // len(segments))
            out.write(cid + "\\n")  # acknowledged: saved
            out.flush()
            i += 1
            time.sleep(0.01)
""")


def _writer_after(folder, tx: int, timeout: float = 60.0) -> bool:
    """Wait until the writer has saved a coding after transaction ``tx``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(e.coder == "R9" and e.seq > tx for e in read_forward(folder / LOG_FILE).entries):
            return True
        time.sleep(0.05)
    return False


def test_merge_coder_beside_a_concurrent_writer_loses_nothing(data_copy, copy, tmp_path):
    plan = [(s, "trust", None, None) for s in sorted(load_project(copy).segments()["segment_id"])[:60]]
    code_copy(copy, plan)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    stop, acks = tmp_path / "stop", tmp_path / "acks"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(data_copy), str(stop), str(acks)],
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while not (acks.exists() and acks.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)  # until the writer is writing
        merged = merge_coder(data_copy, copy)
        merge_tx = next(e.tx for e in read_forward(data_copy / LOG_FILE).entries if e.action == "merge coder")
        assert _writer_after(data_copy, merge_tx)  # ... and went on writing after the merge
    finally:
        stop.touch()
    assert child.wait(timeout=60) == 0, child.stderr.read()
    written = acks.read_text(encoding="utf-8").split()
    entries = read_forward(data_copy / LOG_FILE).entries
    assert min(e.seq for e in entries if e.coder == "R9" and e.op == "insert") < merge_tx
    on_disk = codings_on_disk(data_copy)
    assert all(on_disk[c]["coder"] == "R9" for c in written)
    assert len(merged) == 60 and all(on_disk[c]["coder"] == "coder2" for c in merged["coding_id"])
    project = load_project(data_copy)
    assert (project.codings["coder"] == "R9").sum() == len(written)
    assert (project.codings["coder"] == "coder2").sum() == 60


def test_the_synthetic_coder_is_deterministic_and_labelled(data_copy, tmp_path):
    from ebm_analysis.coders import simulate_coder

    reference = load_project(data_copy).codings
    runs = []
    for name in ("a", "b"):
        out = coder_copy(data_copy, tmp_path / name, "coder2")
        runs.append(simulate_coder(out, reference, "coder2", seed=5))
        memos = set(load_project(out).codings["memo"])
        assert len(memos) == 1 and memos.pop().startswith("SYNTHETIC coding")
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert set(runs[0]["change"]) == {"kept", "other code", "trimmed"}
    assert 0 < len(runs[0]) < len(reference)
    with pytest.raises(DataError, match="sum of at most 1"):
        simulate_coder(tmp_path / "a", reference, "coder2", keep=0.9, trim=0.2)


def test_a_coder_copy_passes_the_identifier_scan(data_copy, tmp_path):
    from ebm_analysis.privacy import scan_folder

    out = coder_copy(data_copy, tmp_path / "copy", "coder2")
    assert scan_folder(out).empty
