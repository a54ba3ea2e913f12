"""Benchmark: exact joint enumeration of nested survey means.

Times :func:`ebm_analysis.survey.joint_combinations` (sums enumerated, multisets
per sum counted by dynamic programming) against a straightforward brute force
that lists every (subgroup multiset, rest multiset) pair with itertools.

Run from the repository root::

    python benchmarks/bench_survey.py

The brute force is run only on a size it can handle (10 answers, subgroup of
4, 1-7 scale); for the target size (30 answers, subgroup of 12, 1-7 scale)
its time is extrapolated from the number of pairs it would have to visit.
"""

from __future__ import annotations

import math
import sys
import time
from fractions import Fraction
from itertools import combinations_with_replacement
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ebm_analysis.survey import (  # noqa: E402
    _multiset_counts,
    grim_sums,
    joint_combinations,
    multiset_count,
    parse_printed_mean,
    rounds_to,
)

SCALE = (1, 7)
RULE = "any"
SMALL = ("4,50", 4, "4,40", 10)     # 18/4 and 44/10
TARGET = ("4,50", 12, "4,37", 30)   # 54/12 and 131/30 = 4.3667


def brute_force(sub: str, n_sub: int, tot: str, n_tot: int) -> tuple[int, int]:
    """Count feasible pairs by listing them; also return how many pairs were visited."""
    (sp, sd), (tp, td) = parse_printed_mean(sub), parse_printed_mean(tot)
    values = range(SCALE[0], SCALE[1] + 1)
    rests = [sum(r) for r in combinations_with_replacement(values, n_tot - n_sub)]
    count = visited = 0
    for c in combinations_with_replacement(values, n_sub):
        s = sum(c)
        if not rounds_to(Fraction(s, n_sub), sp, sd, RULE):
            continue
        for r in rests:
            visited += 1
            count += rounds_to(Fraction(s + r, n_tot), tp, td, RULE)
    return count, visited


def timed(fn, *args, repeat: int = 5) -> tuple[object, float]:
    """Best of ``repeat`` wall-clock times, with caches cleared before each run."""
    best, result = math.inf, None
    for _ in range(repeat):
        _multiset_counts.cache_clear()
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return result, best


def multisets(m: int) -> int:
    """Number of multisets of m answers on SCALE."""
    k = SCALE[1] - SCALE[0] + 1
    return math.comb(m + k - 1, k - 1)


def main() -> None:
    sub, n_sub, tot, n_tot = SMALL
    fast = lambda *a: joint_combinations(*a, scale=SCALE, rule=RULE).count  # noqa: E731
    (brute_count, visited), t_brute = timed(brute_force, *SMALL, repeat=3)
    fast_count, t_fast = timed(fast, *SMALL)
    assert brute_count == fast_count, (brute_count, fast_count)
    print(f"small: n={n_tot}, subgroup {n_sub}, scale {SCALE[0]}-{SCALE[1]}, rule {RULE}")
    print(f"  combinations: {fast_count:,} (both methods agree)")
    print(f"  brute force : {t_brute * 1000:9.2f} ms ({visited:,} pairs visited)")
    print(f"  joint (DP)  : {t_fast * 1000:9.2f} ms")
    print(f"  ratio       : {t_brute / t_fast:9.0f}x")

    sub, n_sub, tot, n_tot = TARGET
    target_count, t_target = timed(fast, *TARGET)
    # the brute force would visit (feasible subgroup multisets) x (rest multisets),
    # at the per-pair cost measured on the small run
    feasible_sub = sum(multiset_count(n_sub, s, SCALE) for s in grim_sums(sub, n_sub, SCALE, RULE))
    pairs = feasible_sub * multisets(n_tot - n_sub)
    per_pair = t_brute / max(visited, 1)
    print(f"target: n={n_tot}, subgroup {n_sub}, scale {SCALE[0]}-{SCALE[1]}, rule {RULE}")
    print(f"  combinations: {target_count:,}")
    print(f"  joint (DP)  : {t_target * 1000:9.2f} ms (cold cache)")
    print(f"  brute force : not run; {pairs:.2e} pairs to visit, about "
          f"{pairs * per_pair / 3600:,.0f} h at {per_pair * 1e6:.2f} µs per pair")
    print(f"  ratio       : about {pairs * per_pair / t_target:.1e}x")


if __name__ == "__main__":
    main()
