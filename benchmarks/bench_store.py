"""Benchmark of the coding store at study scale: the cost of a save, and what saving leaves on disk.

SYNTHETIC DATA. The project is generated here (small and self-contained):
the bundled EBM folder with its excerpts replaced by 40,000 synthetic
Swedish-like segments (about 50 words each, 2 M words), a synthetic codebook
of 100 codes in three levels and 50,000 synthetic codings (30 % whole
segment). Nothing in it comes from the EBM report.

What is timed (wall clock, ``time.perf_counter``):

1. ``load_project`` and ``CodingStore.open`` on that folder.
2. 1,000 saves through the store (a mix of ``add``, ``set_memo``,
   ``recode``, ``remove``), each a complete, fsync-ed transaction.
   Percentiles and the largest save are printed. The very first save of a
   folder also creates its change log (a one-off, timed separately).
   Saves do not rewrite the snapshot files (compaction happens on open,
   close, exit or ``compact``); a compaction is timed on its own.
3. The same saves after the history has grown to 100,000 logged changes,
   to show that a save does not get slower with the history; and
   ``load_project`` with 0 to 20,000 changes pending after the snapshot.
4. Baselines, side by side on the same machine and folder: the previous
   approach (rewrite ``codings.csv`` atomically and keep a copy in
   ``.versions/`` on every save, run for 30 saves) and SQLite (one ``INSERT``
   and ``COMMIT`` per save into a table of the same 50,000 codings,
   ``synchronous=FULL``, rollback journal).
5. Disk use: the data folder's size before and after the 1,000 saves,
   split into the change log, the snapshot files and ``.versions/``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_store.py [--saves 1000] [--keep DIR]

The numbers depend on the machine and its load; the ratios printed (store
vs baseline, both run in the same process, one after the other) are what
to compare.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ebm_analysis import atomic  # noqa: E402
from ebm_analysis.coding import CodingStore  # noqa: E402
from ebm_analysis.errors import DataError  # noqa: E402
from ebm_analysis.project import BUNDLED_DATA, load_project  # noqa: E402
from ebm_analysis.schema import TABLES_BY_NAME  # noqa: E402

SYLLABLES = ["för", "att", "vi", "hade", "det", "som", "mö", "te", "ni", "stö", "d", "kän", "sla", "ar", "be",
             "tet", "och", "kli", "ent", "bru", "ka", "re", "men", "tor", "sam", "tal", "ti", "llit", "gå", "ng"]


# ---------------------------------------------------------------- the synthetic project

def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))


def make_folder(folder: Path, n_segments: int = 40_000, n_codings: int = 50_000, seed: int = 7) -> Path:
    """Write a SYNTHETIC study-scale data folder (see the module docstring); returns it."""
    rng = random.Random(seed)
    shutil.copytree(BUNDLED_DATA, folder, ignore=shutil.ignore_patterns(".*", "README*", "changes.jsonl"))
    texts = {}
    with (folder / "excerpts.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(TABLES_BY_NAME["excerpts"].column_names)
        for i in range(1, n_segments + 1):
            words = [_word(rng) for _ in range(rng.randint(30, 70))]
            text = " ".join(words).capitalize() + "."
            texts[f"E{i:05d}"] = text
            w.writerow([f"E{i:05d}", "interview", "unknown", "", "", "", text, "SYNTHETIC", "synthetic", ""])
    codes = []
    for a in range(5):
        codes.append((f"t{a}", ""))
        for b in range(4):
            codes.append((f"t{a}_{b}", f"t{a}"))
            for c in range(4):
                codes.append((f"t{a}_{b}_{c}", f"t{a}_{b}"))
    with (folder / "codebook.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(TABLES_BY_NAME["codebook"].column_names)
        for code, parent in codes:
            w.writerow([code, parent, code, code, "synthetic", "synthetic", "synthetic", "synthetic", "", "active"])
    seen = set()
    ids = list(texts)
    with (folder / "codings.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(TABLES_BY_NAME["codings"].column_names)
        n = 0
        while n < n_codings:
            seg = rng.choice(ids)
            code = rng.choice(codes)[0]
            text = texts[seg]
            if rng.random() < 0.3:
                start = end = None
            else:
                start = rng.randrange(0, len(text) - 20)
                end = min(len(text), start + rng.randint(10, 200))
                while text[start].isspace():
                    start += 1
            if (seg, code, start, end) in seen:
                continue
            seen.add((seg, code, start, end))
            n += 1
            span = "" if start is None else text[start:end].strip()
            w.writerow([f"K{n:05d}", seg, code, "coder1", "" if start is None else start, "" if end is None else end,
                        "", span, "2016-01-01T00:00:00Z", "coder1"])
    return folder


def folder_size(folder: Path) -> dict[str, int]:
    sizes = {"log": 0, "snapshots": 0, "versions": 0, "other": 0}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        if path.name == "changes.jsonl":
            sizes["log"] += size
        elif path.name in ("codings.csv", "codebook.csv"):
            sizes["snapshots"] += size
        elif atomic.VERSIONS_DIR in path.parts:
            sizes["versions"] += size
        else:
            sizes["other"] += size
    return sizes


# ---------------------------------------------------------------- timing

def run_saves(store: CodingStore, n: int, rng: random.Random) -> list[tuple[str, float]]:  # noqa: C901
    """n saves, each timed: 40 % add, 25 % set_memo, 20 % recode, 15 % remove."""
    segments = list(store._texts)
    codes = list(store._tables["codebook"].keys())
    mine: list[str] = []
    times = []
    for i in range(n):
        kind = rng.choices(["add", "memo", "recode", "remove"], [40, 25, 20, 15])[0]
        if kind != "add" and not mine:
            kind = "add"
        t0 = time.perf_counter()
        try:
            if kind == "add":
                seg = rng.choice(segments)
                text = store.text(seg)
                start = rng.randrange(0, len(text) - 12)
                while text[start].isspace():
                    start += 1
                mine.append(store.add(seg, rng.choice(codes), "bench", start=start, end=start + 10))
            elif kind == "memo":
                store.set_memo(rng.choice(mine), f"memo {i}")
            elif kind == "recode":
                store.recode(rng.choice(mine), rng.choice(codes))
            else:
                store.remove(mine.pop(rng.randrange(len(mine))))
        except DataError:  # a random recode onto a code already on that span: refused, nothing saved
            kind = "refused"
        times.append((kind, time.perf_counter() - t0))
    return times


def grow_history(store: CodingStore, entries: int) -> None:
    """Log ``entries`` memo changes quickly, in transactions of 5,000 (to build a long history)."""
    ids = list(store._tables["codings"].keys())[:5000]
    done = 0
    while done < entries:
        with store.transaction(coder="history", reason="SYNTHETIC history for the benchmark") as tx:
            for cid in ids[: min(5000, entries - done)]:
                tx.update_coding(cid, memo=f"history {done}")
                done += 1


def old_approach_saves(folder: Path, n: int) -> list[float]:
    """The previous store's save: rewrite codings.csv atomically, keeping a copy in .versions/."""
    frame = load_project(folder).codings
    columns = TABLES_BY_NAME["codings"].column_names
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        frame.loc[len(frame)] = {**{c: None for c in columns}, "coding_id": f"K9{i:05d}", "segment_id": "E00001",
                                 "code_id": "t0", "coder": "bench"}
        atomic.write_text_atomic(folder / "codings.csv", atomic.frame_to_csv_text(frame[columns]),
                                 keep_previous=True)
        times.append(time.perf_counter() - t0)
    return times


def sqlite_saves(folder: Path, n: int) -> list[float]:
    """One INSERT + COMMIT per save into an SQLite table holding the same codings (synchronous=FULL)."""
    db_path = folder.parent / "baseline.sqlite"
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE codings (coding_id TEXT PRIMARY KEY, segment_id TEXT, code_id TEXT, coder TEXT, "
               "start INTEGER, end_ INTEGER, memo TEXT, span_text TEXT, created_at TEXT, created_by TEXT)")
    with (folder / "codings.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    db.executemany("INSERT INTO codings VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.execute("CREATE INDEX by_segment ON codings(segment_id, code_id)")
    db.commit()
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        db.execute("INSERT INTO codings VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (f"S{i:06d}", "E00001", "t0", "bench", 0, 10, None, "x", "2016-01-01T00:00:00Z", "bench"))
        db.commit()
        times.append(time.perf_counter() - t0)
    db.close()
    return times


def fsync_floor(folder: Path, n: int) -> list[float]:
    """Append one 300-byte line and fsync it, n times: what any durable save costs on this disk right now."""
    path = folder / ".fsync-floor.tmp"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    times = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            os.write(fd, b"x" * 299 + b"\n")
            os.fsync(fd)
            times.append(time.perf_counter() - t0)
    finally:
        os.close(fd)
        path.unlink()
    return times


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def mb(x: int) -> str:
    return f"{x / 1e6:.1f} MB"


def best_of(fn, repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--keep", help="build the folder here and keep it")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-store-"))
    folder = base / "data"
    print("SYNTHETIC study-scale project: 40,000 segments, 100 codes, 50,000 codings (generating...)")
    make_folder(folder)
    print(f"load_project            {best_of(lambda: load_project(folder)):.2f} s (best of 2)")
    print(f"CodingStore.open        {best_of(lambda: CodingStore.open(folder)):.2f} s (best of 2)")
    before = folder_size(folder)
    data_size = before["snapshots"]
    store = CodingStore.open(folder, coder="bench")
    rng = random.Random(1)
    first = run_saves(store, 1, rng)[0][1]
    times = run_saves(store, args.saves, rng)
    after = folder_size(folder)
    all_t = [t for kind, t in times if kind != "refused"]
    print(f"\nthe first save of the folder (creates changes.jsonl with a digest of each table): {ms(first)}")
    print(f"{args.saves} saves after it:")
    print(f"  p50 {ms(pct(all_t, 50))}  p90 {ms(pct(all_t, 90))}  p99 {ms(pct(all_t, 99))}  "
          f"max {ms(max(all_t))}  mean {ms(statistics.mean(all_t))}")
    for kind in ("add", "memo", "recode", "remove"):
        k = [t for name, t in times if name == kind]
        print(f"  {kind:7s} n={len(k):4d}  p50 {ms(pct(k, 50))}  p99 {ms(pct(k, 99))}  max {ms(max(k))}")
    print(f"  saves over 20 ms: {sum(t > 0.020 for t in all_t)} of {len(all_t)} "
          f"(refused as duplicates, not counted: {sum(kind == 'refused' for kind, _ in times)})")
    floor = fsync_floor(folder, 300)
    print(f"  for comparison, one append + fsync of 300 bytes on this disk now: p50 {ms(pct(floor, 50))}  "
          f"p90 {ms(pct(floor, 90))}  p99 {ms(pct(floor, 99))}")
    print(f"  disk: snapshots {mb(before['snapshots'])} -> {mb(after['snapshots'])}, log +{mb(after['log'])}, "
          f".versions {mb(after['versions'])}")
    t0 = time.perf_counter()
    store.compact()
    compaction = time.perf_counter() - t0
    compacted = folder_size(folder)
    print(f"  compact() after them: {ms(compaction)}; then .versions {mb(compacted['versions'])}; "
          f"history (log + versions) = {(compacted['log'] + compacted['versions']) / data_size:.2f} x the data")

    for pending in (0, 500, 5000, 20000):
        store.compact()
        if pending:
            grow_history(store, pending)
        t0 = time.perf_counter()
        load_project(folder)
        print(f"  load_project with {pending:6,d} changes pending after the snapshot: {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    grow_history(store, args.history)
    grown = time.perf_counter() - t0
    store.compact()
    size_long = folder_size(folder)
    t_long = [t for kind, t in run_saves(store, min(args.saves, 500), random.Random(2)) if kind != "refused"]
    print(f"\nafter growing the history to {store.sequence:,} log entries ({grown:.1f} s, log {mb(size_long['log'])}):")
    print(f"  p50 {ms(pct(t_long, 50))}  p90 {ms(pct(t_long, 90))}  p99 {ms(pct(t_long, 99))}  max {ms(max(t_long))}")
    print(f"  saves over 20 ms: {sum(t > 0.020 for t in t_long)} of {len(t_long)}")
    t0 = time.perf_counter()
    load_project(folder)
    print(f"  load_project with that history (500 pending): {time.perf_counter() - t0:.2f} s")

    old = old_approach_saves(folder, 30)
    lite = sqlite_saves(folder, args.saves)
    store_p50 = pct(all_t, 50)
    print("\nbaselines (same machine, same run):")
    print(f"  previous store (rewrite codings.csv + copy to .versions/), 30 saves: p50 {ms(pct(old, 50))}  "
          f"-> ratio previous/store at p50 = {pct(old, 50) / store_p50:.0f}x")
    print(f"  SQLite INSERT+COMMIT (synchronous=FULL), {len(lite)} saves: p50 {ms(pct(lite, 50))}  "
          f"p99 {ms(pct(lite, 99))}  -> ratio SQLite/store at p50 = {pct(lite, 50) / store_p50:.1f}x")
    if not args.keep:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
