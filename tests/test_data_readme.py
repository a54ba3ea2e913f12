"""data/README.md documents every file and column, and every contradiction."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import DATA
from ebm_analysis.schema import TABLES

README = (DATA / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", TABLES, ids=[t.file for t in TABLES])
def test_every_file_and_column_is_documented(table):
    heading = re.search(rf"^### {re.escape(table.file)}\b", README, flags=re.MULTILINE)
    assert heading, f"data/README.md has no section for {table.file}"
    assert not [c.name for c in table.columns if f"`{c.name}`" not in README]


def test_every_contradiction_is_listed():
    ids = pd.read_csv(DATA / "contradictions.csv")["contradiction_id"]
    assert [i for i in ids if f"### {i}." not in README] == []
