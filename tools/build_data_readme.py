"""Assemble data/README.md from its hand-written parts and contradictions.csv.

The contradictions section is generated from data/contradictions.csv so that
the two never disagree; tests/test_data_readme.py checks the result.

Usage: python tools/build_data_readme.py
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "tools" / "data_readme"


def contradictions_section() -> str:
    lines = ["## Contradictions in the report", "",
             "Generated from `contradictions.csv`. Each is kept, not resolved; the analysis shows both readings.", ""]
    with (ROOT / "data" / "contradictions.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lines += [f"### {row['contradiction_id']}. {row['topic_en']}", "",
                      f"- *{row['reading_a_section']}*: «{row['reading_a_sv']}»",
                      f"- *{row['reading_b_section']}*: «{row['reading_b_sv']}»",
                      f"- How the data keeps both: {row['how_kept_en']}", ""]
    return "\n".join(lines)


def main() -> None:
    parts = [(PARTS / "head.md").read_text(encoding="utf-8"),
             (PARTS / "codebook.md").read_text(encoding="utf-8"),
             (PARTS / "dictionary.md").read_text(encoding="utf-8"),
             contradictions_section(),
             (PARTS / "tail.md").read_text(encoding="utf-8")]
    (ROOT / "data" / "README.md").write_text("\n".join(p.rstrip() + "\n" for p in parts), encoding="utf-8")


if __name__ == "__main__":
    main()
