"""Agreement metrics between a grader's levels and the labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def confusion(labels: Sequence[int], predicted: Sequence[int], levels: int = 5) -> list[list[int]]:
    """`matrix[label-1][predicted-1]` counts."""
    matrix = np.zeros((levels, levels), dtype=int)
    for truth, guess in zip(labels, predicted, strict=True):
        matrix[truth - 1][guess - 1] += 1
    return matrix.tolist()


def quadratic_weighted_kappa(
    labels: Sequence[int], predicted: Sequence[int], levels: int = 5
) -> float:
    """Cohen's kappa with quadratic weights (1.0 perfect, 0.0 chance agreement)."""
    if not labels:
        return 0.0
    observed = np.array(confusion(labels, predicted, levels), dtype=float)
    n = observed.sum()
    i, j = np.indices((levels, levels))
    weights = (i - j) ** 2 / (levels - 1) ** 2
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    denominator = (weights * expected).sum()
    if denominator == 0:
        return 1.0 if (weights * observed).sum() == 0 else 0.0
    return float(1.0 - (weights * observed).sum() / denominator)


def exact_agreement(labels: Sequence[int], predicted: Sequence[int]) -> float:
    pairs = list(zip(labels, predicted, strict=True))
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0


def adjacent_agreement(labels: Sequence[int], predicted: Sequence[int]) -> float:
    """Share of predictions within one level of the label."""
    pairs = list(zip(labels, predicted, strict=True))
    return sum(abs(a - b) <= 1 for a, b in pairs) / len(pairs) if pairs else 0.0


def spearman(labels: Sequence[float], predicted: Sequence[float]) -> float:
    """Spearman rank correlation (0.0 when either side is constant)."""
    from scipy.stats import spearmanr

    if len(set(labels)) < 2 or len(set(predicted)) < 2:
        return 0.0
    return float(spearmanr(labels, predicted).statistic)
