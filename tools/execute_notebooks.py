"""Re-execute notebooks in place, as the report builder executes them, for committing.

Each notebook runs in a fresh kernel (IPC transport, English labels, no widget
state stored), exactly as ``make report`` runs it; the outputs are written back
into ``notebooks/``. Per-cell execution timestamps are dropped so that a
re-run changes a notebook only where an output changed.

Usage: .venv/bin/python tools/execute_notebooks.py [notebooks/NN_name.ipynb ...]
(default: every numbered notebook)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    from ebm_analysis.report.notebooks import NotebookFailed, execute, notebook_paths

    paths = [Path(a).resolve() for a in argv] or notebook_paths(ROOT / "notebooks")
    failed = []
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        try:
            nb = execute(path, "en")
        except NotebookFailed as exc:  # the notebook is left as it was; go on with the others
            failed.append(path.name)
            print(str(exc)[-3000:], file=sys.stderr)
            continue
        for cell in nb.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(nb, path)
    if failed:
        print(f"failed: {', '.join(failed)} (left unchanged)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
