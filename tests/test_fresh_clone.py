"""A fresh clone works on its own: nothing outside the repository is needed.

``make test`` runs the whole suite (unit tests, doctests, nbval over the
notebooks, the browser tests) with ``EBM_NO_SHARED=1``, i.e. as in a clone
with nothing beside it: the tests that need files which are not part of the
project (:data:`conftest.EXTERNAL_FIXTURES`) skip with their reason and every
other test must pass. This module adds the two checks that make that run
meaningful:

- no file of the project refers to a path outside the repository (except the
  documented fallback in ``tests/conftest.py``);
- the tests that need external files really run and pass when the files are
  there (in a subprocess with the fallback allowed), so skipping them in the
  main run hides nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import NO_SHARED_VARIABLE, REFI_SAMPLE_FILES, REFI_SAMPLES_VARIABLE, REPORT_TEXT_VARIABLE, ROOT, SHARED

REPORT_FILES = ("ebm-evaluation-pdftext.txt", "ebm-evaluation-structured.md")

#: What the project ships and runs: everything a researcher gets in a clone.
SCANNED = ("ebm_analysis", "tests", "notebooks", "tools", "benchmarks", ".ci", "data",
           "Makefile", "README.md", "pyproject.toml", "environment.yml")
SUFFIXES = {".py", ".ipynb", ".md", ".toml", ".yml", ".txt", ".csv", ""}
#: A path that leaves the repository towards ../shared (in any spelling used in Python or shell).
OUTSIDE = re.compile(r"""\.\./shared\b|["']shared["']\s*(?:/|\))|parent\s*/\s*["']shared|/work/shared""")
#: The one place allowed to look beside the repository (optional fallback, switched off by EBM_NO_SHARED).
ALLOWED = {ROOT / "tests" / "conftest.py", ROOT / "tests" / "test_fresh_clone.py"}
#: Where the README documents that fallback: lines between these two markers may name it.
README_SECTION = ("**Tests that need files from outside the project.**", "`make report` writes")


def project_files():
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts and ".versions" not in p.parts:
                    yield p


def test_nothing_refers_outside_the_repository():
    found = []
    for path in project_files():
        if path in ALLOWED:
            continue
        documenting = False
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if path.name == "README.md" and path.parent == ROOT:
                documenting = (documenting or README_SECTION[0] in line) and README_SECTION[1] not in line
            if OUTSIDE.search(line) and not documenting:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert found == [], "paths outside the repository:\n" + "\n".join(found)


def test_the_scan_would_see_a_reference():
    """The pattern above catches the spellings that were once in the project."""
    for line in ('REFI = REPO.parent / "shared" / "refi"', "see ../shared/report/", 'ROOT.parent / "shared"',
                 "xsd = BUNDLED_DATA.parent.parent / 'shared' / 'refi'"):
        assert OUTSIDE.search(line), line
    for line in ("The mentor shared their knowledge", "shared = tmp_path / 'shared.csv'"):
        assert not OUTSIDE.search(line), line


def test_external_file_tests_pass_when_the_files_are_there(tmp_path, request):
    """Run the tests marked ``external`` with the files available; all must run and pass.

    When this session collected them (``make test`` collects everything), exactly those tests are run, by
    node id, so that the subprocess collects only their files; run on its own, this test collects the whole
    suite with ``-m external``.
    """
    have = {
        REFI_SAMPLES_VARIABLE: _folder_with(REFI_SAMPLES_VARIABLE, SHARED / "refi" / "samples", REFI_SAMPLE_FILES),
    }
    report = _report_files()
    missing = [variable for variable, folder in have.items() if folder is None] + ([] if report else [REPORT_TEXT_VARIABLE])
    if missing:
        pytest.skip(f"the external files are not here (set {' and '.join(missing)}, or put them in ../shared/ "
                    "beside the repository); the tests that need them were skipped with their reasons")
    env = {k: v for k, v in os.environ.items() if k != NO_SHARED_VARIABLE}
    env.update({variable: str(folder) for variable, folder in have.items()})
    env[REPORT_TEXT_VARIABLE] = report
    collected = [item.nodeid for item in request.session.items if item.get_closest_marker("external")]
    selection = collected or ["tests", "-m", "external"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *selection, "-q", "-rs", "-p", "no:cacheprovider",
         "-o", "addopts=", "--basetemp", str(tmp_path / "run")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    counts = dict((word, int(n)) for n, word in re.findall(r"(\d+) (passed|failed|skipped|error)", summary))
    assert counts.get("passed", 0) > 0 and not counts.get("skipped") and not counts.get("failed"), summary
    if collected:
        assert counts["passed"] == len(collected), summary


def _report_files():
    """Both renderings of the report, as EBM_REPORT_TEXT wants them, or None."""
    named = [p for p in os.environ.get(REPORT_TEXT_VARIABLE, "").split(os.pathsep) if p]
    if named:
        return os.pathsep.join(named) if all(os.path.isfile(p) for p in named) else None
    files = [str(SHARED / "report" / n) for n in REPORT_FILES]
    return os.pathsep.join(files) if all(os.path.isfile(p) for p in files) else None


def _folder_with(variable, fallback, names):
    for folder in (os.environ.get(variable), str(fallback)):
        if folder and all((os.path.isfile(os.path.join(folder, n))) for n in names):
            return folder
    return None
