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


def kappa_interval(
    labels: Sequence[int], predicted: Sequence[int], *, draws: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """90% bootstrap interval of quadratic weighted kappa (cases resampled with replacement).

    Small test splits make kappa noisy; the interval says how far one run can be trusted.
    """
    import random

    pairs = list(zip(labels, predicted, strict=True))
    if len(pairs) < 2:
        return (0.0, 0.0)
    rng = random.Random(seed)
    values = []
    for _ in range(draws):
        sample = [pairs[rng.randrange(len(pairs))] for _ in pairs]
        values.append(quadratic_weighted_kappa([a for a, _ in sample], [b for _, b in sample]))
    values.sort()
    return values[int(0.05 * (draws - 1))], values[int(0.95 * (draws - 1))]


def ordering_accuracy(better: Sequence[float], worse: Sequence[float]) -> dict[str, float]:
    """Share of pairs where `better` scores strictly higher, lower, or ties with `worse`."""
    pairs = list(zip(better, worse, strict=True))
    if not pairs:
        return {"higher": 0.0, "ties": 0.0, "lower": 0.0}
    n = len(pairs)
    return {
        "higher": sum(a > b for a, b in pairs) / n,
        "ties": sum(a == b for a, b in pairs) / n,
        "lower": sum(a < b for a, b in pairs) / n,
    }


def first_hit_rank(ranked: Sequence[str], expected: Sequence[str]) -> int | None:
    """1-based rank of the first item of `ranked` that is in `expected` (None when absent)."""
    wanted = set(expected)
    return next((i for i, item in enumerate(ranked, start=1) if item in wanted), None)


def recall_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of queries whose first relevant result is within the top `k`."""
    return sum(r is not None and r <= k for r in ranks) / len(ranks) if ranks else 0.0


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float:
    """Mean of 1/rank of the first relevant result (0 when none was found)."""
    return sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100), linearly interpolated; 0.0 for no values."""
    if not values:
        return 0.0
    return float(np.percentile(np.asarray(values, dtype=float), q))


def length_baseline(labels: Sequence[int], words: Sequence[int]) -> list[int]:
    """Levels from length alone: the labels, sorted, handed out in order of word count.

    The baseline has the labels' own distribution, so its kappa says what ranking by
    length reaches; a grader that does not beat it clearly reads volume, not content.
    """
    ordered = sorted(labels)
    ranks = sorted(range(len(words)), key=lambda i: (words[i], i))
    out = [0] * len(words)
    for rank, i in enumerate(ranks):
        out[i] = ordered[rank]
    return out
