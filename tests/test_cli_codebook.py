"""The codebook and second-coder commands (code …, coder-copy, merge-coder), run as a user runs them."""

from __future__ import annotations

from conftest import codings_on_disk
from ebm_analysis.coding import CodingStore
from ebm_analysis.project import load_project
from test_cli_store import run


def test_code_rename_move_merge_retire_delete(data_copy):
    out = run("code", "rename", "workload", "--name-en", "demands", data_copy, "--coder", "R1", "--reason", "r")
    assert out.returncode == 0 and "renamed workload" in out.stdout, out.stderr
    assert run("code", "move", "workload", data_copy, "--top").returncode == 0
    book = load_project(data_copy).codebook.set_index("code_id")
    assert book.at["workload", "name_en"] == "demands" and book.isna().at["workload", "parent_id"]
    out = run("code", "merge", "workload", "relief_from_stress", data_copy, "--coder", "R1")
    assert out.returncode == 0, out.stderr
    assert "K0021 (E013, coder1): recoded" in out.stdout and "workload is retired" in out.stdout
    assert codings_on_disk(data_copy)["K0021"]["code_id"] == "relief_from_stress"
    assert run("code", "retire", "lack_of_time", data_copy).returncode == 0
    assert load_project(data_copy).codebook.set_index("code_id").at["lack_of_time", "status"] == "retired"
    assert run("code", "delete", "unclear_purpose", data_copy).returncode == 0
    assert "unclear_purpose" not in set(load_project(data_copy).codebook["code_id"])
    undo = run("undo", data_copy, "--coder", "R1")
    assert undo.returncode == 0 and "merge codes" in undo.stdout
    assert codings_on_disk(data_copy)["K0021"]["code_id"] == "workload"


def test_code_refusals_exit_1_with_the_reason(data_copy):
    out = run("code", "move", "stress", data_copy, "--to", "workload")
    assert out.returncode == 1 and "cycle" in out.stderr
    out = run("code", "delete", "workload", data_copy)
    assert out.returncode == 1 and "retire the code" in out.stderr
    out = run("code", "retire", "a", "b", "c")
    assert out.returncode == 1 and "expected CODE [DATA_DIR]" in out.stderr


def test_coder_copy_then_merge_coder(data_copy, tmp_path):
    out = run("coder-copy", tmp_path / "copy", "--coder", "coder2", data_copy)
    assert out.returncode == 0 and "merge-coder" in out.stdout, out.stderr
    store = CodingStore.open(tmp_path / "copy", coder="coder2")
    store.add("E001", "trust", "coder2")
    store.close()
    out = run("merge-coder", tmp_path / "copy", data_copy, "--reason", "done")
    assert out.returncode == 0 and "merged 1 coding(s) by coder2" in out.stdout, out.stderr
    assert [r["code_id"] for r in codings_on_disk(data_copy).values() if r["coder"] == "coder2"] == ["trust"]
    again = run("merge-coder", tmp_path / "copy", data_copy)
    assert again.returncode == 1 and "already has codings by coder2" in again.stderr
    refused = run("coder-copy", tmp_path / "copy", "--coder", "coder3", data_copy)
    assert refused.returncode == 1 and "not empty" in refused.stderr


def test_agreement_between_two_coders(data_copy):
    store = CodingStore.open(data_copy)
    for cid in ("K0001", "K0002", "K0003"):
        row = store.codings.set_index("coding_id").loc[cid]
        store.add(row["segment_id"], row["code_id"], "coder2")
    out = run("agreement", data_copy, "--other", "coder2", "--level", "code")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Agreement between coder1 and coder2, level 'code'") and "coder1 vs coder2" in out.stdout
    missing = run("agreement", data_copy, "--other", "nobody")
    assert missing.returncode == 1 and "'nobody', who has no codings" in missing.stderr


def test_check_validates_the_memos(data_copy):
    CodingStore.open(data_copy, coder="R1").add_memo("Trust", "text", ["code:trust"])
    out = run("check", data_copy)
    assert "memos/: 1 memo(s), all valid." in out.stdout, out.stderr
    path = data_copy / "memos" / "M001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("code:trust", "code:gone"), encoding="utf-8")
    bad = run("check", data_copy)
    assert bad.returncode == 1 and "memos/M001.md, line 5" in bad.stderr and "names no code" in bad.stderr
