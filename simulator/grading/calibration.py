"""The fitted model that turns answered checks into a 1-5 level.

The level is read off one inspectable number: the weighted share of checks passed
(signals weighted as the rubric says, checks as the checklist says), blended for design
answers with the problem's hard parts, less penalties for answer-level problems; cut
points turn it into 1-5, and the anchored caps (off-topic, an unsound mechanism, no
personal action, blame) bound it. Weights, penalties and cut points are fitted on the
calibration split of the team's labeled sets only (`python -m simulator.evals.calibrate`
rewrites `corpus/calibration.yaml`), never on the test split and never on
`../shared/realworld`. This module only reads them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from simulator.config import CORPUS_DIR
from simulator.grading.features import Features

CALIBRATION_PATH = CORPUS_DIR / "calibration.yaml"
_DEFAULT: dict[str, Any] = {
    "version": 2,
    "penalties": {"rambling": 0.0, "hedging": 0.1, "stuffing": 0.1},
    "short_words": 40,
    "cuts": {"default": [0.15, 0.3, 0.45, 0.6]},
    "mechanism": {"weight": 0.3, "unsound": 0.1},
}


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The calibration file (defaults when it has not been fitted yet)."""
    if CALIBRATION_PATH.exists():
        data = yaml.safe_load(CALIBRATION_PATH.read_text(encoding="utf-8")) or {}
        if data.get("version", 1) >= 2:
            return data
    return _DEFAULT


#: What a nearly met check adds to the strength, against a passed check's 1: a tie-breaker
#: (a vague "Consequences" section beats none) far below the gap between levels.
NEAR_CREDIT = 0.03


def strength(
    features: Features,
    penalties: dict[str, float] | None = None,
    short: int | None = None,
    mechanism: dict[str, float] | None = None,
    key: str | None = None,
    padding: float | None = None,
) -> float:
    """One number per answer: the weighted share of checks passed (blended with the hard
    parts of a known design problem), less the penalties (padding's weight is fitted per
    rubric key), scaled down for very short answers and for answers made of lists of names."""
    cal = load()
    p = {**_DEFAULT["penalties"], **(penalties or cal.get("penalties", {}))}
    m = mechanism or cal.get("mechanism", _DEFAULT["mechanism"])
    value = features.coverage + NEAR_CREDIT * features.near
    if features.mechanism is not None:
        value = (1 - m["weight"]) * value + m["weight"] * features.mechanism
    value -= m.get("unsound", 0.0) * features.unsound
    value -= p.get("rambling", 0.0) * features.rambling
    value -= p.get("hedging", 0.0) * features.hedging
    value -= p.get("stuffing", 0.0) * features.stuffing
    if padding is None:
        per_key = cal.get("padding", {})
        padding = per_key.get(key, per_key.get("default", 0.0)) if key else 0.0
    value -= padding * features.padding
    short = short or cal.get("short_words", _DEFAULT["short_words"])
    # Scaling shrinks toward zero: it never lifts an answer whose penalties made it negative.
    if features.words < short and value > 0:
        value *= features.words / short
    # Lists of names show no reasoning: past half the answer, they take the rest down with them.
    if value > 0:
        value *= 1.0 - features.terms
    return value


def cuts(key: str) -> list[float]:
    """The four cut points of `key` (a rubric's calibration key) or the default ones."""
    cal = load()
    return cal["cuts"].get(key, cal["cuts"]["default"])


def uncapped_level(key: str, value: float) -> int:
    """The 1-5 level a strength reads on `key`'s cut points."""
    return 1 + sum(value >= c for c in cuts(key))


def level_for(key: str, features: Features) -> int:
    """The 1-5 level for `features`: the strength on the cut points, bounded by the caps."""
    return min(uncapped_level(key, strength(features, key=key)), features.cap)
