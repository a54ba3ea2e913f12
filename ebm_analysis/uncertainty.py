"""How uncertain an agreement figure is when few segments carry a code.

Cohen's kappa at segment level rests on a 2 × 2 table of segments: coded by
both coders, by the first only, by the second only, by neither. With three or
four positive segments out of 79, one segment more or less moves kappa a long
way, and a kappa printed to two decimals looks more certain than it is. This
module gives:

- :func:`segment_kappa` — kappa from the four counts;
- :func:`kappa_interval` — the narrowest interval holding 95 % of the
  posterior of kappa, the four cell shares drawn from their posterior
  under a Jeffreys prior, Dirichlet(counts + ½), with a
  fixed seed (so the same table always gives the same interval). A plain
  percentile bootstrap would not do here: where the two coders agree on
  every one of six segments it resamples only perfect tables and returns the
  empty "interval" 1.00–1.00; the half counts keep a small table's
  uncertainty visible;
- :func:`with_kappa_intervals` — the intervals and a flag for codes that
  fewer than five segments carry, added to the table of
  :func:`ebm_analysis.agreement.agreement_table` /
  :func:`~ebm_analysis.agreement.dictionary_agreement`.

The model treats segments as independent draws, which they are not quite
(segments of one meeting share a context); the interval is a reminder of the
scale of the uncertainty, not an exact coverage guarantee. When no segment
carries the code for either coder, kappa is undefined and so is its interval.

References
----------
Jeffreys, H. (1946). An invariant form for the prior probability in
estimation problems. *Proceedings of the Royal Society A* 186, 453–461.
Rubin, D. B. (1981). The Bayesian bootstrap. *Annals of Statistics* 9(1), 130–134.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ebm_analysis.errors import DataError, Problem

__all__ = ["segment_kappa", "kappa_interval", "with_kappa_intervals", "FEW_POSITIVES"]

#: A code carried by fewer segments than this (for either coder) is flagged.
FEW_POSITIVES = 5


def _kappa(both: np.ndarray, only_a: np.ndarray, only_b: np.ndarray, neither: np.ndarray) -> np.ndarray:
    n = both + only_a + only_b + neither
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = (both + neither) / n
        a, b = (both + only_a) / n, (both + only_b) / n
        expected = a * b + (1 - a) * (1 - b)
        kappa = (observed - expected) / (1 - expected)
    return np.where(np.isclose(expected, 1.0), np.nan, kappa)


def segment_kappa(both: int, only_a: int, only_b: int, neither: int) -> float:
    """Cohen's kappa for two coders' yes/no decisions over segments (NaN when undefined).

    Examples
    --------
    >>> round(segment_kappa(3, 0, 1, 75), 4)
    0.8507
    >>> segment_kappa(0, 0, 0, 79)
    nan
    """
    return float(_kappa(*(np.asarray(v, dtype=float) for v in (both, only_a, only_b, neither))))


def kappa_interval(both: int, only_a: int, only_b: int, neither: int, *, level: float = 0.95,
                   resamples: int = 4000, seed: int = 2016) -> tuple[float, float, float]:
    """An interval for segment-level kappa: Dirichlet(counts + ½) draws of the 2 × 2 table.

    Parameters
    ----------
    both, only_a, only_b, neither : int
        Segments coded by both coders, by the first only, by the second only, by neither.
    level : float, default 0.95
    resamples : int, default 4000
        Draws of the four cell shares.
    seed : int, default 2016
        Fixed, so that the interval is the same on every run.

    Returns
    -------
    (low, high, undefined_share)
        The interval, and the share of draws in which kappa was undefined
        (left out; with the half counts this happens only by rounding).
        ``(nan, nan, 1.0)`` when no segment carries the code for either
        coder: then kappa is 0/0 and there is nothing to bound.

    Raises
    ------
    DataError
        For negative counts, no segments, or a level outside (0, 1).

    Examples
    --------
    >>> low, high, undefined = kappa_interval(3, 0, 1, 75)
    >>> low < 0.6 and 0.85 < high <= 1, undefined
    (True, 0.0)
    >>> low, high, _ = kappa_interval(6, 0, 0, 73)     # perfect agreement on six segments
    >>> low < 0.9 and high > 0.99
    True
    >>> kappa_interval(0, 0, 0, 79)
    (nan, nan, 1.0)
    """
    counts = np.array([both, only_a, only_b, neither], dtype=float)
    if (counts < 0).any() or counts.sum() == 0 or not 0 < level < 1:
        raise DataError(Problem("(arguments)", None, "counts", f"{counts.astype(int).tolist()}, level {level}",
                                "expected non-negative segment counts with at least one segment, 0 < level < 1"))
    if counts[:3].sum() == 0:
        return float("nan"), float("nan"), 1.0
    shares = np.random.default_rng(seed).dirichlet(counts + 0.5, size=resamples)
    kappas = _kappa(*shares.T)
    defined = kappas[~np.isnan(kappas)]
    undefined = 1 - defined.size / resamples
    if defined.size == 0:
        return float("nan"), float("nan"), 1.0
    low, high = _shortest_interval(defined, level)
    return low, high, float(undefined)


def _shortest_interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    """The narrowest interval holding ``level`` of the draws (so an estimate at 1 is not cut off)."""
    ordered = np.sort(draws)
    k = max(1, int(np.ceil(level * ordered.size)))
    widths = ordered[k - 1:] - ordered[: ordered.size - k + 1]
    i = int(np.argmin(widths))
    return float(ordered[i]), float(ordered[i + k - 1])


def with_kappa_intervals(table: pd.DataFrame, n_segments: int, *, level: float = 0.95, resamples: int = 4000,
                         seed: int = 2016, few: int = FEW_POSITIVES) -> pd.DataFrame:
    """The agreement table with an interval for segment kappa and a flag for thin codes.

    Parameters
    ----------
    table : DataFrame
        From :func:`~ebm_analysis.agreement.agreement_table` or
        :func:`~ebm_analysis.agreement.dictionary_agreement`: one row per code
        with ``segments_a``, ``segments_b``, ``segments_both``.
    n_segments : int
        How many segments both coders coded (the rows of the 2 × 2 tables),
        e.g. ``len(project.segments())``.
    level, resamples, seed
        As in :func:`kappa_interval`.
    few : int, default 5
        A code is flagged when either coder gave it to fewer segments.

    Returns
    -------
    DataFrame
        The table with ``kappa_segment_low``, ``kappa_segment_high``,
        ``kappa_undefined_share`` and ``few_positives`` (bool) added.

    Raises
    ------
    DataError
        When a column is missing or the counts do not fit ``n_segments``.

    Examples
    --------
    >>> t = pd.DataFrame({"code_id": ["stress"], "segments_a": [3], "segments_b": [4], "segments_both": [3]})
    >>> out = with_kappa_intervals(t, 79)
    >>> bool(out.loc[0, "few_positives"]), out.loc[0, "kappa_segment_low"] < out.loc[0, "kappa_segment_high"]
    (True, np.True_)
    """
    needed = ("segments_a", "segments_b", "segments_both")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(Problem("(arguments)", None, ", ".join(missing), "no such column",
                                "expected the table of ebm_analysis.agreement.agreement_table"))
    rows = []
    for a, b, both in zip(table["segments_a"], table["segments_b"], table["segments_both"]):
        a, b, both = int(a), int(b), int(both)
        neither = n_segments - a - b + both
        if both > min(a, b) or neither < 0:
            raise DataError(Problem("(arguments)", None, "n_segments", str(n_segments),
                                    f"expected counts that fit: {a} and {b} segments coded, {both} by both"))
        rows.append(kappa_interval(both, a - both, b - both, neither, level=level, resamples=resamples, seed=seed))
    out = table.copy()
    out["kappa_segment_low"] = [r[0] for r in rows]
    out["kappa_segment_high"] = [r[1] for r in rows]
    out["kappa_undefined_share"] = [r[2] for r in rows]
    out["few_positives"] = [min(int(a), int(b)) < few for a, b in zip(table["segments_a"], table["segments_b"])]
    return out
