"""Cut points that turn the offline engine's features into a 1-5 level.

They are fitted on the calibration split of the team's labeled sets only
(`python -m simulator.evals.calibrate` rewrites `corpus/calibration.yaml`),
never on the test split and never on `../shared/realworld`. This module only reads them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from simulator.config import CORPUS_DIR

if TYPE_CHECKING:
    from simulator.grading.offline import Features

CALIBRATION_PATH = CORPUS_DIR / "calibration.yaml"
_DEFAULT = {
    "version": 1,
    "penalties": {"offtopic": 0.5, "rambling": 0.15, "hedging": 0.3, "stuffing": 0.3},
    "short_words": 60,
    "blend": {"detected": 0.5, "semantic": 0.25, "lexical": 0.25, "semantic_alone": 0.55},
    "cuts": {"default": [0.25, 0.4, 0.55, 0.7]},
    "mechanism": {"weight": 0.0, "unsound": 0.0},
}


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The calibration file (defaults when it has not been fitted yet)."""
    if CALIBRATION_PATH.exists():
        return yaml.safe_load(CALIBRATION_PATH.read_text(encoding="utf-8"))
    return _DEFAULT


def blend(
    semantic: float, lexical: float, detected: float | None, weights: dict | None = None
) -> float:
    """A signal's 0-1 value from its semantic, lexical and detector readings."""
    w = weights or load().get("blend", _DEFAULT["blend"])
    if detected is None:
        return w["semantic_alone"] * semantic + (1 - w["semantic_alone"]) * lexical
    total = w["detected"] + w["semantic"] + w["lexical"]
    return (w["detected"] * detected + w["semantic"] * semantic + w["lexical"] * lexical) / total


def strength(
    features: Features,
    penalties: dict[str, float] | None = None,
    short: int | None = None,
    mechanism: dict[str, float] | None = None,
) -> float:
    """One number per answer: weighted signal coverage (blended with the hard parts of a
    known design problem) less the penalties, scaled down for short answers and term lists."""
    cal = load()
    p = penalties or cal["penalties"]
    m = mechanism or cal.get("mechanism", _DEFAULT["mechanism"])
    value = features.coverage
    if features.mechanism is not None:
        value = (1 - m["weight"]) * value + m["weight"] * features.mechanism
    value -= m["unsound"] * features.unsound
    value -= p["offtopic"] * features.offtopic
    value -= p["rambling"] * features.rambling
    value -= p["hedging"] * features.hedging
    value -= p["stuffing"] * features.stuffing
    short = short or cal["short_words"]
    # Scaling shrinks toward zero: it never lifts an answer whose penalties made it negative.
    if features.words < short and value > 0:
        value *= features.words / short
    # Lists of names show no reasoning: past half the answer, they take the rest down with them.
    if value > 0:
        value *= 1.0 - features.terms
    return value


def _cuts(key: str) -> list[float]:
    cal = load()
    return cal["cuts"].get(key, cal["cuts"]["default"])


def level_for(key: str, features: Features) -> int:
    """The 1-5 level for `features` under the cut points of `key` (or the default)."""
    value = strength(features)
    return 1 + sum(value >= c for c in _cuts(key))


def signal_score(key: str, value: float) -> int:
    """A signal's 0-4 score: its 0-1 value read on the same cut points as the overall level.

    The level is the weighted mean of the signal values cut at `key`'s points, so a signal
    scores 4 when on its own it would carry the answer to level 5, and 0 when it would leave
    it at level 1: an answer whose signals all read 4 is a 5, and the other way round.
    """
    return sum(value >= c for c in _cuts(key))
