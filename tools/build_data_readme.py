"""Assemble data/README.md from its hand-written parts and the data it describes.

The contradictions, the rendering differences and the quotations left out are
generated from their tables in data/, and the change log from
tools/data_readme/changes.csv, so that the README and the data never disagree;
tests/test_data_readme.py checks that data/README.md is current.

Usage: python tools/build_data_readme.py [--check]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "tools" / "data_readme"
README = ROOT / "data" / "README.md"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def contradictions_section() -> str:
    lines = ["## Contradictions in the report", "",
             "Generated from `contradictions.csv`. Each is kept, not resolved; the analysis shows both readings.", ""]
    for row in _rows(ROOT / "data" / "contradictions.csv"):
        lines += [f"### {row['contradiction_id']}. {row['topic_en']} ({row['kind'].replace('_', ' ')})", "",
                  f"- *{row['reading_a_section']}*: «{row['reading_a_sv']}» — {row['reading_a_en']}",
                  f"- *{row['reading_b_section']}*: «{row['reading_b_sv']}» — {row['reading_b_en']}",
                  f"- How the data keeps both: {row['how_kept_en']}", ""]
    return "\n".join(lines)


def rendering_differences_section() -> str:
    lines = ["### Differences in stored text (from `rendering_differences.csv`)", "",
             "| id | section | the other rendering prints | stored (follows) | where | note |",
             "|---|---|---|---|---|---|"]
    for r in _rows(ROOT / "data" / "rendering_differences.csv"):
        lines.append(f"| {r['difference_id']} | {r['section']} | «{r['source_sv']}» ({r['source']}) | "
                     f"«{r['stored_sv']}» ({r['follows']}) | {r['where']} | {r['note']} |")
    return "\n".join(lines) + "\n"


def left_out_section() -> str:
    lines = ["## Quotations of the findings left out (from `quotations_left_out.csv`)", "",
             "Every other quotation (”…”) of the report's findings (from *Planering* to the end) is stored in "
             "data/; `check --source` verifies it.", ""]
    for r in _rows(ROOT / "data" / "quotations_left_out.csv"):
        lines.append(f"- «{r['quote_sv']}» (*{r['section']}*): {r['why_en']}")
    return "\n".join(lines) + "\n"


def _value(text: str) -> str:
    return f"«{text}»" if text else "(empty)"


def changelog_section() -> str:
    """The change log, one item per change; identical changes to several rows are merged."""
    groups: dict[tuple, list[str]] = {}
    rows = _rows(PARTS / "changes.csv")
    first = {}
    for i, r in enumerate(rows):
        first.setdefault(r["file"], i)
    for r in sorted(rows, key=lambda r: first[r["file"]]):      # stable: the log's order within a file
        key = (r["issue"], r["file"], r["column"], r["old"], r["new"], r["why"])
        groups.setdefault(key, []).append(r["row"])
    lines = ["## Change log", "",
             "Changes made to the data after reading every row of every file against the report "
             "(issue numbers of the project's tracker). Source: `tools/data_readme/changes.csv`.", ""]
    current = None
    for (issue, file, column, old, new, why), rows in groups.items():
        if file != current:
            lines += ["", f"### {file}", ""]
            current = file
        where = rows[0] if rows[0].startswith("every") else f"row{'s' if len(rows) > 1 else ''} {', '.join(rows)}"
        if column == "(new row)":
            lines.append(f"- **{where}** ({issue}): added, «{new}». {why}")
        elif new == "(removed)":
            lines.append(f"- **{where}** ({issue}): removed, «{old}». {why}")
        elif column.startswith("(") or new.startswith("("):
            lines.append(f"- **{where}, {column}** ({issue}): {why}")
        else:
            lines.append(f"- **{where}, `{column}`** ({issue}): {_value(old)} → {_value(new)}. *Why:* {why}")
    return "\n".join(lines) + "\n"


def build() -> str:
    parts = [(PARTS / "head.md").read_text(encoding="utf-8"),
             (PARTS / "codebook.md").read_text(encoding="utf-8"),
             (PARTS / "dictionary.md").read_text(encoding="utf-8"),
             contradictions_section(),
             (PARTS / "tail.md").read_text(encoding="utf-8"),
             rendering_differences_section(),
             left_out_section(),
             changelog_section()]
    return "\n".join(p.rstrip() + "\n" for p in parts)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = build()
    if "--check" in argv:
        current = README.read_text(encoding="utf-8") if README.exists() else ""
        if current != text:
            print("data/README.md is not current: run python tools/build_data_readme.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
