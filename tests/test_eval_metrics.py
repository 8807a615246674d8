"""The ranking, ordering and percentile metrics the eval harness adds."""

import pytest

from simulator.evals.metrics import (
    first_hit_rank,
    kappa_interval,
    mean_reciprocal_rank,
    ordering_accuracy,
    percentile,
    quadratic_weighted_kappa,
    recall_at_k,
)


def test_ordering_accuracy_counts_ties_apart():
    out = ordering_accuracy([3.0, 2.0, 1.0, 2.5], [1.0, 2.0, 1.5, 2.0])
    assert out == {"higher": 0.5, "ties": 0.25, "lower": 0.25}


def test_ordering_accuracy_empty_is_zero():
    assert ordering_accuracy([], [])["higher"] == 0.0


def test_first_hit_rank():
    assert first_hit_rank(["slo", "adr", "slo"], ["adr", "threat"]) == 2
    assert first_hit_rank(["slo"], ["adr"]) is None


def test_recall_and_mrr():
    ranks = [1, 3, None, 2]
    assert recall_at_k(ranks, 1) == 0.25
    assert recall_at_k(ranks, 3) == 0.75
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert recall_at_k([], 3) == 0.0


def test_percentile_interpolates():
    assert percentile([10, 20, 30, 40, 50], 50) == 30
    assert percentile([0, 100], 95) == pytest.approx(95)
    assert percentile([], 50) == 0.0


def test_kappa_interval_brackets_kappa_and_narrows_with_more_cases():
    labels = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 2, 4]
    predicted = [1, 2, 2, 4, 5, 2, 1, 3, 5, 4, 2, 4]
    low, high = kappa_interval(labels, predicted)
    assert low < quadratic_weighted_kappa(labels, predicted) < high
    wide = high - low
    low4, high4 = kappa_interval(labels * 4, predicted * 4)
    assert high4 - low4 < wide
    perfect = kappa_interval(labels, labels)
    assert perfect == (1.0, 1.0)
    assert kappa_interval([3], [3]) == (0.0, 0.0)
