"""Number-stuffing: many figures with little substance around them."""

from __future__ import annotations

from simulator.grading.detectors import ownership, quantification, tradeoffs
from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.text import Doc


def detect(doc: Doc) -> Finding:
    """A 0-1 stuffing score (higher is worse): dense numbers, few actions or reasons."""
    numbers = quantification.numeric_tokens(doc)
    if numbers < 6:
        return Finding(0.0, [], "few numbers", numbers)
    density = numbers / max(doc.word_count, 1)
    mine, ours = ownership.counts(doc)
    reasons = tradeoffs.detect(doc).count
    substance = saturate(mine + ours + reasons, 6.0)
    score = saturate(density - 0.06, 0.1) * (1.0 - substance)
    return Finding(
        score, [], f"{numbers} numbers, density {density:.2f}, substance {substance:.2f}", numbers
    )
