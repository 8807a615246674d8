"""Fitting the calibration: cut points from labeled strengths (the tooling, not the file)."""

from __future__ import annotations

from simulator.evals.calibrate import fit_cuts
from simulator.evals.metrics import quadratic_weighted_kappa


def _levels(values, cuts):
    return [1 + sum(v >= c for c in cuts) for v in values]


def test_separable_strengths_get_cuts_that_recover_every_level():
    values = [0.05, 0.1, 0.22, 0.27, 0.41, 0.44, 0.6, 0.63, 0.8, 0.9]
    labels = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    cuts = fit_cuts(values, labels)
    assert cuts == sorted(cuts) and len(cuts) == 4
    assert _levels(values, cuts) == labels


def test_noisy_strengths_get_the_best_kappa_on_the_grid():
    values = [0.1, 0.3, 0.2, 0.5, 0.4, 0.7, 0.6, 0.9]
    labels = [1, 1, 2, 2, 3, 4, 4, 5]
    cuts = fit_cuts(values, labels)
    fitted = quadratic_weighted_kappa(labels, _levels(values, cuts))
    assert fitted >= quadratic_weighted_kappa(labels, _levels(values, [0.25, 0.4, 0.55, 0.7]))
    assert fitted > 0.8
