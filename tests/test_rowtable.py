"""Tests for ebm_analysis.rowtable: a table as loaded plus the rows changed since."""

from __future__ import annotations

import random

import pandas as pd

from ebm_analysis.rowtable import RowTable, rows_equal
from ebm_analysis.schema import TABLES_BY_NAME

CODINGS = TABLES_BY_NAME["codings"]


def frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"coding_id": [f"K{i:04d}" for i in range(1, n + 1)], "segment_id": ["E1"] * n,
                         "code_id": ["a"] * n, "coder": ["R1"] * n,
                         "start": pd.array([i if i % 3 else None for i in range(n)], dtype="Int64"),
                         "end": pd.array([i + 2 if i % 3 else None for i in range(n)], dtype="Int64")})


def test_random_puts_and_deletes_match_a_dictionary_model():
    """The assembled frame equals a plain dict of rows, in order, after random changes (SYNTHETIC rows)."""
    rng = random.Random(3)
    table = RowTable(CODINGS, frame(50))
    model = {r["coding_id"]: {c: r.get(c) for c in CODINGS.column_names} for r in
             table.frame().astype(object).where(table.frame().notna(), None).to_dict("records")}
    next_id = 51
    for step in range(400):
        action = rng.choice(["insert", "update", "delete"])
        if action == "insert" or not model:
            key = f"K{next_id:04d}"
            next_id += 1
            row = {c: None for c in CODINGS.column_names} | {"coding_id": key, "segment_id": "E2", "code_id": "b",
                                                              "coder": "R2", "start": step, "end": step + 1}
            table.put(key, row)
            model[key] = row
        elif action == "update":
            key = rng.choice(list(model))
            row = model[key] | {"memo": f"memo {step}", "start": None, "end": None}
            table.put(key, row)
            model[key] = row
        else:
            key = rng.choice(list(model))
            table.delete(key)
            del model[key]
        if step % 50 == 0 or step == 399:
            got = table.frame()
            assert list(got["coding_id"]) == list(table.keys())
            assert len(table) == len(model) == len(got)
            for key, row in model.items():
                assert rows_equal(table.get(key), row)
            assert str(got["start"].dtype) == "Int64" and str(got["memo"].dtype) == "string"
    assert set(table.frame()["coding_id"]) == set(model)


def test_loaded_rows_keep_their_place_and_new_rows_come_last():
    table = RowTable(CODINGS, frame(3))
    table.put("K0002", table.get("K0002") | {"memo": "ändrad"})
    table.put("K0009", {"coding_id": "K0009", "segment_id": "E1", "code_id": "a", "coder": "R1"})
    table.delete("K0001")
    assert table.frame()["coding_id"].tolist() == ["K0002", "K0003", "K0009"]
    assert table.frame()["memo"].tolist()[0] == "ändrad"
    assert table.base_position("K0003") == 2 and table.base_position("K0009") is None
    table.rebase()
    assert not table.changed and table.base_position("K0009") == 2


def test_a_missing_schema_column_is_added_empty():
    table = RowTable(CODINGS, frame(2))
    assert table.frame()["span_text"].isna().all() and table.get("K0001")["created_by"] is None
