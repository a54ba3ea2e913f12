"""Benchmark: ebm_analysis.queries against a plain SQLite implementation (QualCoder-style joins).

Generates a SYNTHETIC corpus on the fly (seeded, nothing is saved in the
repository): 200 interviews of about 10,000 words each (about 2 million words)
split into segments of 20–80 words, a codebook of 100 codes in a three-level
hierarchy (10 top-level codes, 30 sub-codes, 60 sub-sub-codes) and 50,000
codings (30 % whole-segment, the rest spans of 3–40 words).

Loading goes through the same code path as a real project: the synthetic
excerpts, codebook and codings are written as CSV files into a temporary copy
of the bundled data folder and read with ``load_project`` (full validation).
The same data are then put into an in-memory SQLite database (tables
``sources``, ``codes``, ``codings``, indexed on the join columns) and the same
queries are answered with SQL. Both run in one process, one after the other,
best of several repetitions each. Every pair of answers is checked to agree.

Run from the repository root::

    python benchmarks/bench_queries.py [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ebm_analysis import queries  # noqa: E402
from ebm_analysis.atomic import write_csv_atomic  # noqa: E402
from ebm_analysis.project import BUNDLED_DATA, Project, load_project  # noqa: E402
from ebm_analysis.queries import (  # noqa: E402
    code_by_attribute, code_by_meeting, code_frequencies, coded_data, cooccurrence, retrieve, search_text,
)
from ebm_analysis.schema import ROLES  # noqa: E402

SEED = 20151101
KEYWORD = "tillit"


# ---------------------------------------------------------------- the synthetic corpus

def make_vocabulary(rng: np.random.Generator, n: int = 5000) -> np.ndarray:
    syllables = ["sam", "tal", "et", "vå", "ga", "män", "sk", "lig", "tr", "äff", "ar", "för", "li", "te",
                 "tid", "sor", "g", "stöd", "hjä", "lp", "möt", "en", "kun", "skap", "e", "rfa", "ren", "het"]
    words = {"".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(n * 2)}
    words.discard(KEYWORD)
    return np.array(sorted(words)[:n] + [KEYWORD])


def make_corpus(participants: list[str], interviews: int = 200, words_per_interview: int = 10_000,
                n_codings: int = 50_000) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    vocab = make_vocabulary(rng)
    weights = 1 / np.arange(1, len(vocab) + 1)          # Zipf-like word frequencies
    weights[-1] = weights[200]                           # the keyword is a common-ish word
    weights /= weights.sum()
    rows = []
    for i in range(interviews):
        words = vocab[rng.choice(len(vocab), size=words_per_interview, p=weights)]
        cuts = np.cumsum(rng.integers(20, 81, size=words_per_interview // 20))
        cuts = cuts[cuts < words_per_interview]
        speaker = participants[i % len(participants)]
        role = ROLES[i % len(ROLES)]
        for chunk in np.split(words, cuts):
            meeting = int(rng.integers(1, 9)) if rng.random() < 0.8 else None
            text = " ".join(chunk).capitalize() + "."
            rows.append((role, speaker, f"G{i % 5}", meeting, text))
    ex = pd.DataFrame(rows, columns=["speaker_role", "speaker_id", "speaker_group", "meeting", "text_sv"])
    ex["meeting"] = pd.array(ex["meeting"].tolist(), dtype="Int64")
    ex.insert(0, "excerpt_id", [f"E{k + 1:06d}" for k in range(len(ex))])
    ex.insert(1, "source_type", "interview")
    ex["text_en"] = "(synthetic)"
    ex["section"] = "synthetic benchmark"
    ex["note"] = None
    codebook = make_codebook()
    codings = make_codings(rng, ex, codebook, n_codings)
    return {"excerpts": ex, "codebook": codebook, "codings": codings}


def make_codebook() -> pd.DataFrame:
    rows = []
    for t in range(10):
        rows.append((f"theme_{t}", None))
        for s in range(3):
            rows.append((f"theme_{t}_{s}", f"theme_{t}"))
            for u in range(2):
                rows.append((f"theme_{t}_{s}_{u}", f"theme_{t}_{s}"))
    book = pd.DataFrame(rows, columns=["code_id", "parent_id"])
    for column in ("name_sv", "name_en", "definition", "include", "exclude", "example"):
        book[column] = book["code_id"] + " " + column
    book["color"] = None
    book["status"] = "active"
    return book


def make_codings(rng, ex: pd.DataFrame, book: pd.DataFrame, n: int) -> pd.DataFrame:
    seg = rng.integers(0, len(ex), size=n)
    code = book["code_id"].to_numpy()[rng.integers(0, len(book), size=n)]
    lengths = ex["text_sv"].str.len().to_numpy()[seg]
    span = np.minimum(rng.integers(15, 250, size=n), lengths - 1)
    start = (rng.random(n) * (lengths - span)).astype(np.int64)
    whole = rng.random(n) < 0.3
    frame = pd.DataFrame({
        "coding_id": [f"K{k + 1:05d}" for k in range(n)],
        "segment_id": ex["excerpt_id"].to_numpy()[seg], "code_id": code, "coder": "bench",
        "start": pd.array(np.where(whole, 0, start), dtype="Int64"),
        "end": pd.array(np.where(whole, 0, start + span), dtype="Int64"), "memo": None})
    frame.loc[whole, ["start", "end"]] = pd.NA
    return frame.drop_duplicates(["segment_id", "code_id", "start", "end"])


# ---------------------------------------------------------------- loading

def load_ours(corpus: dict[str, pd.DataFrame], folder: Path) -> tuple[Project, float, float]:
    shutil.copytree(BUNDLED_DATA, folder, ignore=shutil.ignore_patterns(".versions", "*.bak", "README*"))
    t0 = time.perf_counter()
    for name in ("excerpts", "codebook", "codings"):
        write_csv_atomic(folder / f"{name}.csv", corpus[name], keep_previous=False)
    t1 = time.perf_counter()
    project = load_project(folder)
    return project, t1 - t0, time.perf_counter() - t1


def load_sqlite(project: Project) -> tuple[sqlite3.Connection, float]:
    t0 = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.executescript("""
        CREATE TABLE sources (ord INTEGER PRIMARY KEY, id TEXT UNIQUE, source_type TEXT, speaker_role TEXT,
                              speaker_id TEXT, speaker_group TEXT, meeting INTEGER, text_sv TEXT, text_en TEXT);
        CREATE TABLE codes (code_id TEXT PRIMARY KEY, parent_id TEXT, name_sv TEXT, name_en TEXT);
        CREATE TABLE codings (coding_id TEXT PRIMARY KEY, segment_id TEXT, code_id TEXT, coder TEXT,
                              start INTEGER, "end" INTEGER, memo TEXT);
    """)
    seg = coded_data(project).segments
    db.executemany("INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?)", (
        (i, *_plain(r)) for i, r in enumerate(seg[["segment_id", "source_type", "speaker_role", "speaker_id",
                                                    "speaker_group", "meeting", "text_sv", "text_en"]]
                                              .itertuples(index=False))))
    db.executemany("INSERT INTO codes VALUES (?,?,?,?)", map(_plain, project.codebook[
        ["code_id", "parent_id", "name_sv", "name_en"]].itertuples(index=False)))
    db.executemany("INSERT INTO codings VALUES (?,?,?,?,?,?,?)", map(_plain, project.codings.itertuples(index=False)))
    db.executescript("CREATE INDEX ix_cod_code ON codings(code_id); CREATE INDEX ix_cod_seg ON codings(segment_id);"
                     "CREATE INDEX ix_codes_parent ON codes(parent_id);")
    return db, time.perf_counter() - t0


def _plain(row) -> tuple:
    return tuple(None if v is pd.NA or v is None or (isinstance(v, float) and v != v) else
                 (int(v) if isinstance(v, np.integer) else v) for v in row)


# ---------------------------------------------------------------- the SQLite queries

TOP = """WITH RECURSIVE top(code_id, top_id) AS (
    SELECT code_id, code_id FROM codes WHERE parent_id IS NULL
    UNION ALL SELECT c.code_id, t.top_id FROM codes c JOIN top t ON c.parent_id = t.code_id)"""


def sql_retrieve(db, code: str, context: int = 40) -> list:
    return db.execute("""WITH RECURSIVE sub(code_id) AS (
            SELECT ? UNION ALL SELECT c.code_id FROM codes c JOIN sub ON c.parent_id = sub.code_id)
        SELECT k.coding_id, k.segment_id, k.code_id, s.source_type, s.speaker_role, s.meeting,
               CASE WHEN k.start IS NULL THEN s.text_sv ELSE substr(s.text_sv, k.start + 1, k."end" - k.start) END,
               CASE WHEN k.start IS NULL THEN '' ELSE substr(s.text_sv, max(k.start - ?, 0) + 1, k.start - max(k.start - ?, 0)) END,
               CASE WHEN k.start IS NULL THEN '' ELSE substr(s.text_sv, k."end" + 1, ?) END,
               s.text_sv, s.text_en, k.memo
        FROM codings k JOIN sub ON k.code_id = sub.code_id JOIN sources s ON s.id = k.segment_id
        ORDER BY s.ord, k.start IS NOT NULL, k.start, k.coding_id""", (code, context, context, context)).fetchall()


def sql_frequencies(db, by: str = "speaker_role") -> list:
    return db.execute(f"""{TOP} SELECT t.top_id, s.{by}, count(*), count(DISTINCT k.segment_id)
        FROM codings k JOIN top t ON t.code_id = k.code_id JOIN sources s ON s.id = k.segment_id
        GROUP BY t.top_id, s.{by}""").fetchall()


def sql_by_meeting(db) -> list:
    return db.execute(f"""{TOP} SELECT t.top_id, s.meeting, count(*)
        FROM codings k JOIN top t ON t.code_id = k.code_id JOIN sources s ON s.id = k.segment_id
        WHERE s.meeting IS NOT NULL GROUP BY t.top_id, s.meeting""").fetchall()


def sql_by_attribute(db, attribute: str) -> list:
    return db.execute(f"""{TOP} SELECT t.top_id, s.{attribute}, count(*)
        FROM codings k JOIN top t ON t.code_id = k.code_id JOIN sources s ON s.id = k.segment_id
        GROUP BY t.top_id, s.{attribute}""").fetchall()


def sql_cooccurrence(db, mode: str) -> list:
    if mode == "segment":
        return db.execute(f"""{TOP}, pairs AS (
                SELECT DISTINCT k.segment_id, t.top_id FROM codings k JOIN top t ON t.code_id = k.code_id)
            SELECT a.top_id, b.top_id, count(*) FROM pairs a JOIN pairs b ON a.segment_id = b.segment_id
            GROUP BY a.top_id, b.top_id""").fetchall()
    return db.execute(f"""{TOP}, spans AS (
            SELECT k.segment_id, t.top_id, coalesce(k.start, 0) AS s,
                   coalesce(k."end", length(src.text_sv)) AS e
            FROM codings k JOIN top t ON t.code_id = k.code_id JOIN sources src ON src.id = k.segment_id)
        SELECT a.top_id, b.top_id, count(DISTINCT a.segment_id) FROM spans a JOIN spans b
            ON a.segment_id = b.segment_id AND max(a.s, b.s) < min(a.e, b.e)
        GROUP BY a.top_id, b.top_id""").fetchall()


def sql_search(db, word: str, context: int = 30) -> list:
    """LIKE narrows the rows (as QualCoder does), Python lists every occurrence with its context."""
    rx = re.compile(re.escape(word), re.IGNORECASE)
    out = []
    for seg_id, text in db.execute("SELECT id, text_sv FROM sources WHERE text_sv LIKE ? ORDER BY ord",
                                   (f"%{word}%",)):
        for m in rx.finditer(text):
            out.append((seg_id, m.start(), m.end(), m.group(), text[max(0, m.start() - context):m.start()],
                        text[m.end():m.end() + context]))
    return out


def sql_search_unicode(db, word: str, context: int = 30) -> list:
    """The same search with our semantics: case-insensitive for å, ä, ö too.

    SQLite's own lower() and LIKE fold ASCII letters only, so a Python
    ``str.lower`` is registered as an SQL function (as a tool must do to
    find ``Får`` when searching ``får``).
    """
    db.create_function("py_lower", 1, str.lower, deterministic=True)
    rx = re.compile(re.escape(word), re.IGNORECASE)
    out = []
    for seg_id, text in db.execute("SELECT id, text_sv FROM sources WHERE instr(py_lower(text_sv), ?) > 0 "
                                   "ORDER BY ord", (word.lower(),)):
        for m in rx.finditer(text):
            out.append((seg_id, m.start(), m.end(), m.group(), text[max(0, m.start() - context):m.start()],
                        text[m.end():m.end() + context]))
    return out


# ---------------------------------------------------------------- timing

def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def check_same(name: str, ours, theirs) -> None:
    """Raise if the two implementations disagree (compared as totals / row sets)."""
    if name.startswith("retrieve"):
        ok = ours["coding_id"].tolist() == [r[0] for r in theirs] and ours["coded_text"].tolist() == [r[6] for r in theirs]
    elif name.startswith("search"):
        ok = list(zip(ours["segment_id"], ours["start"])) == [(r[0], r[1]) for r in theirs]
    elif name.startswith("co-occurrence"):
        ok = {(a, b): int(n) for (a, b), n in ours.stack().items() if n} == {(a, b): n for a, b, n in theirs}
    elif name.startswith("frequencies"):
        ok = int(ours["codings"].sum()) == sum(r[2] for r in theirs) and \
            int(ours["segments"].sum()) == sum(r[3] for r in theirs)
    else:
        ok = int(ours.to_numpy().sum()) == sum(r[2] for r in theirs)
    if not ok:
        raise SystemExit(f"MISMATCH in {name}: the two implementations disagree")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a tenth of the size, for a smoke test")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs; SYNTHETIC corpus, seed {SEED}")
    participants = load_project().participants["participant_id"].tolist()
    t0 = time.perf_counter()
    corpus = make_corpus(participants, interviews=200 // scale, n_codings=50_000 // scale)
    words = int(corpus["excerpts"]["text_sv"].str.count(" ").sum() + len(corpus["excerpts"]))
    print(f"generated {len(corpus['excerpts']):,} segments, {words:,} words, {len(corpus['codebook'])} codes, "
          f"{len(corpus['codings']):,} codings in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        project, t_write, t_load = load_ours(corpus, Path(tmp) / "data")
    db, t_sql_load = load_sqlite(project)
    print(f"\nwrite 3 CSV files atomically: {t_write:.2f} s; load_project (full validation): {t_load:.2f} s; "
          f"SQLite load (inserts + indexes): {t_sql_load:.2f} s\n")
    data = coded_data(project)
    t_prep, _ = best(lambda: coded_data(project), args.repeat)
    cases = [
        ("retrieve theme_3 + subcodes", lambda d: retrieve(d, code="theme_3"), lambda: sql_retrieve(db, "theme_3")),
        ("frequencies by role", lambda d: code_frequencies(d, by="speaker_role"), lambda: sql_frequencies(db)),
        ("code x meeting", lambda d: code_by_meeting(d), lambda: sql_by_meeting(db)),
        ("code x speaker_group", lambda d: code_by_attribute(d, "speaker_group"),
         lambda: sql_by_attribute(db, "speaker_group")),
        ("co-occurrence, segment", lambda d: cooccurrence(d, mode="segment"), lambda: sql_cooccurrence(db, "segment")),
        ("co-occurrence, overlap", lambda d: cooccurrence(d, mode="overlap"), lambda: sql_cooccurrence(db, "overlap")),
        ("search 'tillit' (KWIC), cold", lambda d: (queries._JOINED.clear(), search_text(d, KEYWORD))[1],
         lambda: sql_search(db, KEYWORD)),
        ("search 'tillit' (KWIC), repeat", lambda d: search_text(d, KEYWORD), lambda: sql_search(db, KEYWORD)),
        ("search, cold, vs Unicode SQLite", lambda d: (queries._JOINED.clear(), search_text(d, KEYWORD))[1],
         lambda: sql_search_unicode(db, KEYWORD)),
    ]
    print(f"{'query':32} {'ours':>9} {'ours+prep':>10} {'SQLite':>9} {'ratio':>7}  rows")
    for name, ours_fn, sql_fn in cases:
        t_ours, ours = best(lambda: ours_fn(data), args.repeat)
        t_sql, theirs = best(sql_fn, args.repeat)
        check_same(name, ours, theirs)
        print(f"{name:32} {t_ours:8.3f}s {t_ours + t_prep:9.3f}s {t_sql:8.3f}s {t_ours / t_sql:7.2f}  {len(ours):,}")
    print(f"\n'ours' runs on CodedData prepared once; 'ours+prep' adds coded_data(project) ({t_prep:.3f} s), "
          "the cost when a query is called with a Project.\nratio = ours / SQLite (below 1: ours is faster). "
          "Every pair of answers was checked to agree.")


if __name__ == "__main__":
    main()
