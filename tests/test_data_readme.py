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


def _builder():
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("build_data_readme", ROOT / "tools" / "build_data_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_is_generated_from_its_sources_and_the_data():
    """data/README.md = tools/data_readme/*.md + the generated sections; rerun tools/build_data_readme.py."""
    assert _builder().build() == README


def test_change_log_rows_name_existing_files_and_columns():
    import csv

    from ebm_analysis.schema import TABLES_BY_NAME

    files = {t.file: t.column_names for t in TABLES_BY_NAME.values()}
    files["dictionary.csv"] = ["code_id", "keyword", "note"]        # read by ebm_analysis.autocode
    with (DATA.parent / "tools" / "data_readme" / "changes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert row["file"] in files, row
            columns = [c.strip() for c in row["column"].split(",")]
            if not row["column"].startswith("("):
                assert set(columns) <= set(files[row["file"]]), row
            assert row["why"].strip(), row


def test_every_rendering_difference_and_left_out_quotation_is_listed():
    for file, key in (("rendering_differences.csv", "difference_id"), ("quotations_left_out.csv", "quote_sv")):
        for value in pd.read_csv(DATA / file)[key]:
            assert f"«{value}" in README or f"| {value} |" in README, (file, value)
