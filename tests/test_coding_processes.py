"""The coding store with real processes: two writers at once, kill -9 during saves, a lock held by another process.

Each child process is a fresh Python running ebm_analysis against a scratch
copy of the bundled data (``data_copy``). A child prints one JSON line per
change *after* the store reported it saved ("acknowledged"), so the parent
knows exactly what must be on disk; before each change it prints what it is
about to change, so that after a kill the parent knows which one change was
in flight (saved or not: the store may have saved it before the kill without
having said so yet).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from ebm_analysis.coding import CodingStore, LockTimeoutError
from ebm_analysis.project import load_project

WRITER = textwrap.dedent("""
    import json, random, sys, time, warnings
    warnings.simplefilter("ignore")
    from ebm_analysis.coding import CodingStore, ConcurrentEditError
    from ebm_analysis.errors import DataError

    folder, coder, code, n, seed, every, *rest = sys.argv[1:]
    pause = float(rest[0]) if rest else 0.0  # seconds between changes (a fast coder, not a loop)
    store = CodingStore.open(folder, coder=coder, compact_every=int(every))
    rng = random.Random(int(seed))
    texts = {s: store.text(s) for s in store._texts}
    segments = sorted(texts)
    mine = []
    i = 0
    while int(n) < 0 or i < int(n):
        i += 1
        if pause:
            time.sleep(pause)
        kind = rng.choice(["add", "add", "add", "memo", "remove"]) if mine else "add"
        cid = None if kind == "add" else rng.choice(mine)
        print(json.dumps(["try", kind, cid, time.monotonic()]), flush=True)  # what is being changed, and when
        try:
            if kind == "add":
                seg = rng.choice(segments)
                start = rng.randrange(0, max(1, len(texts[seg]) - 8))
                cid = store.add(seg, code, coder, start=start, end=start + 6)
                mine.append(cid)
                print(json.dumps(["add", cid]), flush=True)
            elif kind == "memo":
                memo = f"{coder} memo {i}"
                store.set_memo(cid, memo)
                print(json.dumps(["memo", cid, memo]), flush=True)
            else:
                mine.remove(cid)
                store.remove(cid)
                print(json.dumps(["remove", cid]), flush=True)
        except ConcurrentEditError:
            store.reload()
            print(json.dumps(["conflict"]), flush=True)
        except DataError as err:
            if kind == "remove":
                mine.append(cid)
            print(json.dumps(["refused", str(err)[:200]]), flush=True)
""")


def _child(args: list[str], **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-c", WRITER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, **kwargs)


def _expected(acks: list[list]) -> tuple[dict[str, str | None], set[str]]:
    """From one writer's acknowledged changes: its codings that must exist (with their memo) and those removed.

    A coding whose change was in flight when the writer was killed (a "try"
    with no acknowledgement after it) may be either way, and is left out.
    """
    present: dict[str, str | None] = {}
    removed: set[str] = set()
    in_flight = _in_flight(acks)
    for ack in acks:
        if ack[0] == "add":
            present[ack[1]] = None
        elif ack[0] == "memo":
            present[ack[1]] = ack[2]
        elif ack[0] == "remove":
            present.pop(ack[1])
            removed.add(ack[1])
    return {k: v for k, v in present.items() if k not in in_flight}, removed - in_flight


def _in_flight(lines: list[list]) -> set[str]:
    """Codings targeted by a "try" that no acknowledgement, refusal or conflict followed (a kill came first)."""
    out, last_try = set(), None
    for line in lines:
        if line[0] == "try":
            if last_try and last_try[2]:
                out.add(last_try[2])
            last_try = line
        else:
            last_try = None
    if last_try and last_try[2]:
        out.add(last_try[2])
    return out


def _tried_since(lines: list[list], moment: float) -> bool:
    """Whether a "try" line stamped after ``moment`` has arrived (the lines come in the writer's order)."""
    return any(line[0] == "try" and line[3] > moment for line in lines[-4:])


def _memos(folder: Path) -> dict[str, str | None]:
    codings = load_project(folder).codings
    return {r.coding_id: (None if pd.isna(r.memo) else r.memo) for r in codings.itertuples()}


def test_two_processes_200_changes_each_lose_nothing_and_resurrect_nothing(data_copy):
    procs = [_child([str(data_copy), coder, code, "200", str(seed), "25"])
             for coder, code, seed in (("proc_a", "trust", 1), ("proc_b", "empathy", 2))]
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    acks = [[json.loads(line) for line in out.splitlines()] for out, _ in outputs]
    on_disk = _memos(data_copy)
    added = [a[1] for ack in acks for a in ack if a[0] == "add"]
    assert len(added) == len(set(added)) > 150  # ids given out once, across both processes
    for ack in acks:
        present, removed = _expected(ack)
        assert {cid: on_disk.get(cid, "MISSING") for cid in present} == present  # every acknowledged change
        assert not removed & set(on_disk)  # nothing removed comes back
    assert sum(1 for ack in acks for a in ack if a[0] in ("add", "memo", "remove")) >= 390
    assert not [p for p in data_copy.iterdir() if p.name.endswith(".tmp")]


def test_kill_9_during_saves_loses_nothing_acknowledged(data_copy):
    rng = random.Random(9)
    acknowledged: list[list] = []
    for round_ in range(6):
        proc = _child([str(data_copy), "killed", "trust", "-1", str(round_), "3"])
        wanted = rng.randint(3, 30)
        lines = []
        while len(lines) < wanted:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(json.loads(line))
        time.sleep(rng.random() * 0.02)  # stop it at a random point of a later save
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        rest = proc.stdout.read()  # lines printed after the ones read: acknowledged too
        lines += [json.loads(x) for x in rest.splitlines() if x.strip()]
        acknowledged += lines
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an incomplete last change is reported as a warning
            store = CodingStore.open(data_copy)  # removes temp files of an interrupted compaction
        assert not [p for p in data_copy.iterdir() if p.name.endswith(".tmp")]
        present, removed = _expected(acknowledged)
        on_disk = {cid: memo for cid, memo in zip(store.codings["coding_id"], store.codings["memo"].tolist())}
        on_disk = {k: (None if v is pd.NA else v) for k, v in on_disk.items()}
        assert {cid: on_disk.get(cid, "MISSING") for cid in present} == present, f"round {round_}"
        assert not removed & set(on_disk)
    assert len(acknowledged) > 6 * 3


def test_a_lock_held_by_another_process_refuses_after_the_timeout_and_is_freed_by_kill_9(data_copy):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time, warnings
            warnings.simplefilter("ignore")
            from ebm_analysis.coding import CodingStore
            store = CodingStore.open({str(data_copy)!r})
            with store.transaction(coder="slow_coder"):
                print("locked", flush=True)
                time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "locked"
        store = CodingStore.open(data_copy, lock_timeout=0.5)
        with pytest.raises(LockTimeoutError) as err:
            store.add("E001", "trust", "R1", start=0, end=5)
        assert f"pid {holder.pid}" in str(err.value) and "slow_coder" in str(err.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    started = time.monotonic()
    cid = store.add("E001", "trust", "R1", start=0, end=5)
    assert time.monotonic() - started < 5  # the lock died with the process
    assert cid in set(load_project(data_copy).codings["coding_id"])


def test_a_process_that_exits_normally_leaves_the_snapshot_files_up_to_date(data_copy):
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        from ebm_analysis.coding import CodingStore
        store = CodingStore.open({str(data_copy)!r}, coder="R1")
        print(store.add("E001", "trust", "R1", start=0, end=5))
    """)], capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    cid = out.stdout.strip()
    with (data_copy / "codings.csv").open(encoding="utf-8") as f:
        assert cid in f.read()  # written at exit (the process never called close())


def test_a_plain_reader_loads_while_another_process_compacts_again_and_again(data_copy):
    """load_project, without the lock, beside a writer saving every 20 ms and compacting every 3 changes.

    No error, and every coding the writer acknowledged before a load began is
    in it, unless the writer touched it after the load began. Before the
    loader compared the files' state around its reads, a load that read the
    old codings.csv and then the log the compaction had just written failed
    with an error about a change-log entry (seen in the two-writer test
    above); this test fails that way without the re-read.

    The writer's lines reach this process through a pipe and a thread, a
    little after the writer acted. Each "try" line carries the writer's
    ``time.monotonic()`` (one clock for every process on Linux): what it
    touched "after the load began" (its lines after those the load was
    checked against) is read once a "try" stamped after the load's end has
    arrived, so that a change made during the load is never mistaken
    for a lost one (an earlier version of this test did, and blamed the
    loader).
    """
    import threading

    writer = _child([str(data_copy), "coder_w", "stress", "-1", "7", "3", "0.02"])
    lines: list[list] = []

    def collect():
        for line in writer.stdout:
            lines.append(json.loads(line))

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any(line[0] == "add" for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        for _ in range(40):
            before = list(lines)
            present, _ = _expected(before)
            project = load_project(data_copy)          # must not raise while the writer compacts
            ended = time.monotonic()
            while not _tried_since(lines, ended) and time.monotonic() < ended + 30:
                time.sleep(0.01)                       # the writer's lines about the load's time are all here
            touched = {line[2] for line in list(lines)[len(before):] if line[0] == "try" and line[2]}
            missing = set(present) - touched - set(project.codings["coding_id"])
            assert not missing, f"acknowledged before the load and untouched since, missing: {sorted(missing)[:5]}"
        assert writer.poll() is None, writer.stderr.read()
        assert sum(1 for line in lines if line[0] in ("add", "memo", "remove")) >= 15  # >= 5 compactions
    finally:
        writer.kill()
        writer.wait()
