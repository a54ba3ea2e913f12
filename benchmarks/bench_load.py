"""Benchmark: opening a study-scale project, ``load_project`` against building SQLite from the same CSVs.

The study is SYNTHETIC (``benchmarks/study.py``: 200 interviews, about 2 M
words in 40,000 segments, 100 codes in three levels, 50,000 codings, 30 %
whole-segment), written once into a temporary folder.

- **ours**, three ways: ``load_project(folder)`` on the first open (every
  table read and every value, key and reference checked, then the validated
  cache written to ``.cache/``); with the cache switched off (validation
  only); and on a later open of the same bytes (every file still read,
  checked for links/pipes/size and hashed; the tables come from the cache).
- **SQLite**: what a QualCoder-style tool does when it opens the same CSV
  files: decode each file, split it with the ``csv`` module, insert every
  row into an in-memory SQLite table, and build indexes on the key and join
  columns. It validates nothing.

Both run in this one process, one after the other, best of ``--repeat`` runs
each; the ratio is ours / SQLite (below 1: ours is faster). The two are
checked to hold the same number of rows per table.

Run from the repository root::

    python benchmarks/bench_load.py [--repeat 3] [--quick] [--profile]

``--profile`` also prints the top lines of cProfile runs of ``load_project``
(sorted by own time), as quoted in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import platform
import pstats
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from study import SEED, make_study  # noqa: E402

from ebm_analysis import cache  # noqa: E402
from ebm_analysis.project import load_project  # noqa: E402
from ebm_analysis.reading import FIELD_LIMIT  # noqa: E402
from ebm_analysis.schema import TABLES  # noqa: E402

csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))


def build_sqlite(folder: Path) -> sqlite3.Connection:
    """An in-memory SQLite database from every table file of ``folder`` (no validation)."""
    db = sqlite3.connect(":memory:")
    for table in TABLES:
        path = folder / table.file
        if not path.exists():
            continue
        text = path.read_bytes().decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        columns = ", ".join(f'"{c}"' for c in header)
        db.execute(f'CREATE TABLE "{table.name}" ({columns})')
        marks = ", ".join("?" * len(header))
        db.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', reader)
        keys = ", ".join(f'"{k}"' for k in table.key)
        db.execute(f'CREATE UNIQUE INDEX "ix_{table.name}_key" ON "{table.name}" ({keys})')
        for col in table.columns:
            if col.references:
                db.execute(f'CREATE INDEX "ix_{table.name}_{col.name}" ON "{table.name}" ("{col.name}")')
    db.execute('CREATE INDEX "ix_codings_segment" ON "codings" ("segment_id")')
    db.commit()
    return db


def best_interleaved(fns: dict, repeat: int) -> tuple[dict[str, float], dict[str, object]]:
    """Best of ``repeat`` wall times of each function, run in turn so that load on the machine hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t0)
    return {name: min(t) for name, t in times.items()}, results


def first_open(folder: Path):
    cache.clear_cache(folder)
    return load_project(folder)


def validation_only(folder: Path):
    saved = cache.MIN_BYTES
    cache.MIN_BYTES = 1 << 62
    try:
        return load_project(folder)
    finally:
        cache.MIN_BYTES = saved


def same_rows(project, db: sqlite3.Connection) -> None:
    for table in TABLES:
        ours = len(project.tables[table.name])
        try:
            theirs = db.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
        except sqlite3.OperationalError:
            theirs = 0
        if ours != theirs:
            raise SystemExit(f"MISMATCH in {table.file}: load_project has {ours} rows, SQLite {theirs}")


def profile(folder: Path, top: int, title: str, load) -> None:
    load(folder)
    prof = cProfile.Profile()
    prof.enable()
    load(folder)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    total = next(line for line in lines if "function calls" in line)
    print(f"\nprofile of {title} ({total.strip()}), top {top} by own time:")
    print("\n".join(lines[start:start + top + 1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a tenth of the size, for a smoke test")
    parser.add_argument("--profile", action="store_true", help="print the top lines of a cProfile run")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; SYNTHETIC study, seed {SEED}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        t0 = time.perf_counter()
        make_study(folder, 200 // scale, n_segments=40_000 // scale, n_words=2_000_000 // scale,
                   n_codings=50_000 // scale)
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"generated in {time.perf_counter() - t0:.1f} s: {size / 1e6:.1f} MB of CSV")
        fns = {"first": lambda: first_open(folder), "validation": lambda: validation_only(folder),
               "cached": lambda: load_project(folder), "sqlite": lambda: build_sqlite(folder)}
        times, results = best_interleaved(fns, args.repeat)
        for name in ("first", "validation", "cached"):
            same_rows(results[name], results["sqlite"])
        t_sql = times["sqlite"]
        print(f"\n{'step':58} {'time':>8} {'/ SQLite':>9}")
        for name, label in (("first", "load_project, first open (validate + write cache)"),
                            ("validation", "load_project, cache off (validation only)"),
                            ("cached", "load_project, files unchanged (cache used)"),
                            ("sqlite", "CSV -> SQLite (inserts + indexes, no validation)")):
            print(f"{label:58} {times[name]:7.3f}s {times[name] / t_sql:9.2f}")
        project = results["cached"]
        print(f"\nrows: {len(project.excerpts):,} segments, {len(project.codebook)} codes, "
              f"{len(project.codings):,} codings; best of {args.repeat}, run in turn; every way holds "
              "the same rows as SQLite.")
        if args.profile:
            profile(folder, args.top, "load_project with the cache off (validation only)", validation_only)
            profile(folder, args.top, "load_project with the cache used", load_project)


if __name__ == "__main__":
    main()
