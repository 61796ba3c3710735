"""Referee checks of keyness: exact tests, one adjustment across the study, log-odds prior, dispersion, reference corpus.

Expected values come from hand arithmetic written out here or from an
independent library (scipy), never from the code under test.
"""

from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy.stats import false_discovery_control, fisher_exact

from analysis.errors import AnalysisError
from analysis.stats import adjust_across, benjamini_hochberg, exact_two_by_two_p


# --- analysis.stats ----------------------------------------------------------------------------


def test_benjamini_hochberg_by_hand():
    # p sorted: 0.01, 0.02, 0.03, 0.5 with m = 4: scaled 0.04, 0.04, 0.04, 0.5;
    # step-up minimum from the top leaves them so.
    assert benjamini_hochberg([0.03, 0.5, 0.01, 0.02]) == pytest.approx([0.04, 0.5, 0.04, 0.04])
    # 0.01·3/1 = 0.03, 0.04·3/2 = 0.06, 0.045·3/3 = 0.045 → step-up: min(0.06, 0.045) = 0.045
    assert benjamini_hochberg([0.01, 0.04, 0.045]) == pytest.approx([0.03, 0.045, 0.045])


def test_benjamini_hochberg_matches_scipy_and_keeps_missing_values():
    rng = np.random.default_rng(12)
    p = rng.uniform(size=200) ** 3
    assert benjamini_hochberg(p) == pytest.approx(false_discovery_control(p), abs=1e-15)
    with_gaps = np.array([0.01, np.nan, 0.04, 0.045])
    result = benjamini_hochberg(with_gaps)
    assert np.isnan(result[1])
    assert result[[0, 2, 3]] == pytest.approx([0.03, 0.045, 0.045])


def test_benjamini_hochberg_rejects_values_outside_zero_one():
    with pytest.raises(AnalysisError):
        benjamini_hochberg([0.2, 1.5])


def test_fisher_p_on_a_table_with_a_zero_cell_by_hand():
    # [[0, 5], [10, 10]]: margins term 5, target 10, N 25. P(a = x) = C(5,x)C(20,10-x)/C(25,10).
    total = comb(25, 10)
    probabilities = [comb(5, x) * comb(20, 10 - x) / total for x in range(6)]
    observed = probabilities[0]
    fisher = sum(p for p in probabilities if p <= observed * (1 + 1e-7))
    assert exact_two_by_two_p(0, 5, 10, 10, mid_p=False) == pytest.approx(fisher, rel=1e-12)
    assert fisher == pytest.approx(fisher_exact([[0, 5], [10, 10]])[1], rel=1e-12)
    # The mid-p counts the observed table (and any exactly as likely) at half weight.
    ties = sum(p for p in probabilities if abs(p / observed - 1) < 1e-7)
    assert exact_two_by_two_p(0, 5, 10, 10) == pytest.approx(fisher - ties / 2, rel=1e-12)


def test_exact_p_matches_scipy_on_many_tables():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 12, size=60), rng.integers(0, 12, size=60)
    c, d = rng.integers(300, 900, size=60), rng.integers(300, 900, size=60)
    ours = exact_two_by_two_p(a, b, c, d, mid_p=False)
    theirs = [fisher_exact([[w, x], [y, z]])[1] for w, x, y, z in zip(a, b, c, d)]
    assert ours == pytest.approx(theirs, rel=1e-9)
    assert (exact_two_by_two_p(a, b, c, d) <= ours + 1e-15).all()


def test_adjust_across_is_one_adjustment_over_every_table():
    first = pd.DataFrame({"term": ["x", "y"], "p_value": [0.01, 0.04]})
    second = pd.DataFrame({"term": ["z", "w"], "p_value": [0.045, np.nan]})
    adjusted = adjust_across({"first": first, "second": second})
    # Three tests in all (the missing one is not a test): as in the hand example above.
    assert adjusted["first"]["p_adjusted"].tolist() == pytest.approx([0.03, 0.045])
    assert adjusted["second"]["p_adjusted"].iloc[0] == pytest.approx(0.045)
    assert np.isnan(adjusted["second"]["p_adjusted"].iloc[1])
    assert set(adjusted["first"]["adjustment"]) == {"BH across 3 tests of the study"}
    assert adjusted["second"].attrs["adjustment"] == "BH across 3 tests of the study"
    assert "p_adjusted" not in first.columns
