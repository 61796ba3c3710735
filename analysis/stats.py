"""Statistics shared by the analyses: exact tests on 2×2 tables and one adjustment for the whole study.

The steps:

* :func:`exact_two_by_two_p` returns the two-sided p of Fisher's exact test on
  a 2×2 table (by default its mid-p variant) for each of many tables at once.
  In keyness the table is a term's count and the count of all other words in
  two corpora: ``a`` = term in the target, ``b`` = term in the reference,
  ``c`` = other words in the target, ``d`` = other words in the reference.
  Conditional on the margins, ``a`` follows the hypergeometric distribution;
  the two-sided p sums the probabilities of every table no more likely than
  the observed one (the rule of R's ``fisher.test`` and of
  :func:`scipy.stats.fisher_exact`). The mid-p (Lancaster 1961) counts the
  tables exactly as likely as the observed one at half their probability:
  Fisher's p is conservative on discrete data (its real rate of false positives
  is below the nominal level, far below when counts are small), the mid-p's
  rate is close to nominal (Agresti 2013; Lydersen, Fagerland & Laake 2009).
* :func:`benjamini_hochberg` returns Benjamini–Hochberg adjusted p-values (the
  false discovery rate step-up procedure, as ``p.adjust(method="BH")`` in R);
  missing p-values stay missing and are not counted as tests.
* :func:`adjust_across` applies ONE Benjamini–Hochberg adjustment to the
  p-values of several tables together, so that a study can say that a single
  adjustment covers every test it reports. Each table gets ``p_adjusted`` and
  ``adjustment`` ("BH across N tests of the study").

Adjusting each table separately ("per comparison") controls the false
discovery rate within that table only; a study that reports several tables and
picks its findings from all of them should adjust once across all of them.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from scipy.special import gammaln

from analysis.errors import AnalysisError

# scipy.stats.fisher_exact counts a table as "no more likely" than the observed one
# up to this relative tolerance, so that ties lost to rounding still count as ties.
RELATIVE_TOLERANCE = 1e-7
STUDY_ADJUSTMENT = "BH across {n} tests of the study"
TABLE_ADJUSTMENT = "BH across {n} tests of the table"
COMPARISON_ADJUSTMENT = "BH within the comparison ({n} tests)"
NO_ADJUSTMENT = "none"


def benjamini_hochberg(p_values) -> np.ndarray:
    """Return the Benjamini–Hochberg adjusted p-values of ``p_values``, in the same order.

    NaN entries are left NaN and do not count towards the number of tests.
    Values must lie in [0, 1].
    """
    p_values = np.asarray(p_values, dtype=float)
    adjusted = np.full(p_values.shape, np.nan)
    present = ~np.isnan(p_values)
    values = p_values[present]
    if values.size == 0:
        return adjusted
    if values.min() < 0 or values.max() > 1:
        raise AnalysisError("p-values must lie between 0 and 1")
    order = np.argsort(values, kind="mergesort")
    ranked = values[order] * values.size / np.arange(1, values.size + 1)
    # Step-up: each adjusted value is the smallest scaled value at its rank or above.
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    result = np.empty_like(values)
    result[order] = np.minimum(ranked, 1.0)
    adjusted[present] = result
    return adjusted


def _log_hypergeometric(x, successes, draws, population):
    """Return log P(X = x) for X hypergeometric (population, successes, draws); arrays broadcast."""
    return (_log_choose(successes, x) + _log_choose(population - successes, draws - x)
            - _log_choose(population, draws))


def _log_choose(n, k):
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def _one_table_p(a: int, b: int, c: int, d: int, mid_p: bool) -> float:
    successes, draws, population = a + b, a + c, a + b + c + d
    low, high = max(0, draws + successes - population), min(draws, successes)
    support = np.arange(low, high + 1, dtype=float)
    log_probabilities = _log_hypergeometric(support, successes, draws, population)
    log_observed = _log_hypergeometric(float(a), successes, draws, population)
    probabilities = np.exp(log_probabilities - log_observed)  # relative to the observed table's probability
    observed = np.exp(log_observed)
    less = probabilities < 1 - RELATIVE_TOLERANCE
    as_likely = ~less & (probabilities <= 1 + RELATIVE_TOLERANCE)
    weight = probabilities[less].sum() + (0.5 if mid_p else 1.0) * probabilities[as_likely].sum()
    return float(min(1.0, observed * weight))


def exact_two_by_two_p(a, b, c, d, mid_p: bool = True) -> np.ndarray:
    """Return the two-sided exact p of each 2×2 table [[a, b], [c, d]] (mid-p unless ``mid_p=False``).

    ``a``–``d`` are non-negative integer counts, scalars or arrays of one shape
    (one table per position). With ``mid_p=False`` the result is Fisher's
    two-sided p, as :func:`scipy.stats.fisher_exact` gives it; with
    ``mid_p=True`` tables exactly as likely as the observed one count half.
    Identical tables are computed once.
    """
    cells = np.broadcast_arrays(*(np.asarray(cell) for cell in (a, b, c, d)))
    shape = cells[0].shape
    flat = [np.rint(cell.astype(float)).astype(np.int64).ravel() for cell in cells]
    if any((cell < 0).any() for cell in flat):
        raise AnalysisError("a 2×2 table cannot hold a negative count")
    tables = np.stack(flat, axis=1) if flat[0].size else np.empty((0, 4), dtype=np.int64)
    unique, inverse = np.unique(tables, axis=0, return_inverse=True)
    values = np.array([_one_table_p(*map(int, row), mid_p=mid_p) for row in unique])
    result = values[np.ravel(inverse)] if len(values) else np.empty(0)
    return result.reshape(shape)


def adjust_across(tables: Mapping[str, pd.DataFrame], p_column: str = "p_value") -> dict[str, pd.DataFrame]:
    """Return copies of ``tables`` with ``p_adjusted`` from one BH adjustment over all their p-values.

    Every non-missing value of ``p_column`` in every table counts as one test;
    the adjustment is done once over all of them. Each returned table gets
    ``p_adjusted`` and ``adjustment`` (the text "BH across N tests of the
    study", N the number of tests), and the same text in ``attrs["adjustment"]``.
    """
    for name, table in tables.items():
        if p_column not in table.columns:
            raise AnalysisError(f"table '{name}' has no column '{p_column}' to adjust")
    pooled = np.concatenate([table[p_column].to_numpy(dtype=float) for table in tables.values()]
                            or [np.empty(0)])
    adjusted = benjamini_hochberg(pooled)
    label = STUDY_ADJUSTMENT.format(n=int((~np.isnan(pooled)).sum()))
    result, start = {}, 0
    for name, table in tables.items():
        copy = table.copy()
        copy["p_adjusted"] = adjusted[start:start + len(table)]
        copy["adjustment"] = label
        copy.attrs["adjustment"] = label
        result[name] = copy
        start += len(table)
    return result
