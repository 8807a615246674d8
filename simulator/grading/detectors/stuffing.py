"""Number-stuffing: many figures with little substance around them (names: `term_lists`)."""

from __future__ import annotations

import re

from simulator.grading.detectors import failure_modes, ownership, quantification, tradeoffs
from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.text import Doc


def detect(doc: Doc) -> Finding:
    """A 0-1 stuffing score (higher is worse): dense numbers, few actions or reasons."""
    numbers = quantification.numeric_tokens(doc)
    if numbers < 6:
        return Finding(0.0, [], "few numbers", numbers)
    density = numbers / max(doc.word_count, 1)
    mine, ours = ownership.counts(doc)
    reasons = tradeoffs.detect(doc).count + failure_modes.detect(doc).count
    because = len(
        re.findall(
            r"\b(?:because|so that|since|which means|to avoid|due to|caused|led to|root cause|"
            r"mitigat\w*|so we|therefore|in order to|trade-?off)\b",
            doc.lower,
        )
    )
    substance = saturate(mine + ours + reasons + because, 8.0)
    score = saturate(density - 0.08, 0.1) * (1.0 - substance)
    return Finding(
        score, [], f"{numbers} numbers, density {density:.2f}, substance {substance:.2f}", numbers
    )
