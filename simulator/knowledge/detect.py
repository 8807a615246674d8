"""Which artifact kind a text is, from the `markers` phrases of the artifact rubrics."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from simulator.knowledge.rubrics import RubricError, load_artifact_rubrics

#: The kind returned when no marker matches.
FALLBACK_KIND = "general"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    try:
        rubrics = load_artifact_rubrics()
    except RubricError:
        return {}
    return {
        kind: [
            re.compile(r"(?<!\w)" + re.escape(m.lower().strip()) + r"(?!\w)")
            for m in rubric.markers
            if m.strip()
        ]
        for kind, rubric in rubrics.items()
    }


def marker_scores(text: str) -> dict[str, float]:
    """Each kind's score: distinct markers found, plus a damped bonus for repeats."""
    lowered = text.lower()
    scores: dict[str, float] = {}
    for kind, patterns in _patterns().items():
        score = 0.0
        for pattern in patterns:
            count = len(pattern.findall(lowered))
            if count:
                score += 1.0 + math.log(count)
        if score:
            scores[kind] = score
    return scores


def detect_kind(text: str) -> tuple[str, float]:
    """The best-matching kind and a confidence in [0, 1]; (`general`, 0.0) when nothing matches."""
    scores = marker_scores(text)
    if not scores:
        return FALLBACK_KIND, 0.0
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best_kind, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    # Confidence grows with the margin over the runner-up and with the evidence itself.
    margin = (best - runner_up) / best
    evidence = 1.0 - math.exp(-best / 3.0)
    return best_kind, round(0.5 * margin + 0.5 * evidence, 3)
