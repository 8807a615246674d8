"""Small offline detectors, one module each, combined per signal by `grading.offline`.

Every detector takes a `Doc` and returns a `Finding` (a 0-1 score and the spans behind it).
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.grading.detectors import (
    blameless,
    causal_chain,
    detection,
    failure_modes,
    injection,
    metrics,
    owners_dates,
    ownership,
    quantification,
    rambling,
    reflection,
    star_structure,
    stuffing,
    timeline,
    tradeoffs,
)
from simulator.grading.detectors.base import Finding
from simulator.grading.text import Doc

#: The detectors a rubric signal may name (see `knowledge.rubrics.DETECTORS`).
SIGNAL_DETECTORS: dict[str, Callable[[Doc], Finding]] = {
    "quantification": quantification.detect,
    "star_structure": star_structure.detect,
    "ownership": ownership.detect,
    "tradeoffs": tradeoffs.detect,
    "failure_modes": failure_modes.detect,
    "metrics": metrics.detect,
    "owners_dates": owners_dates.detect,
    "timeline": timeline.detect,
    "blameless": blameless.detect,
    "reflection": reflection.detect,
    "causal_chain": causal_chain.detect,
    "detection": detection.detect,
}

__all__ = [
    "SIGNAL_DETECTORS",
    "Finding",
    "injection",
    "rambling",
    "stuffing",
]
