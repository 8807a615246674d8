"""Cut points that turn the offline engine's features into a 1-5 level.

They are fitted on the calibration split of the team's labeled sets only
(`python -m simulator.grading.calibration` rewrites `corpus/calibration.yaml`),
never on the test split and never on `../shared/realworld`.
"""

from __future__ import annotations

import itertools
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
    "cuts": {"default": [0.25, 0.4, 0.55, 0.7]},
}


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The calibration file (defaults when it has not been fitted yet)."""
    if CALIBRATION_PATH.exists():
        return yaml.safe_load(CALIBRATION_PATH.read_text(encoding="utf-8"))
    return _DEFAULT


def strength(
    features: Features, penalties: dict[str, float] | None = None, short: int | None = None
) -> float:
    """One number per answer: weighted signal coverage less the penalties."""
    cal = load()
    p = penalties or cal["penalties"]
    value = features.coverage
    value -= p["offtopic"] * features.offtopic
    value -= p["rambling"] * features.rambling
    value -= p["hedging"] * features.hedging
    value -= p["stuffing"] * features.stuffing
    short = short or cal["short_words"]
    if features.words < short:
        value *= features.words / short
    return value


def level_for(key: str, features: Features) -> int:
    """The 1-5 level for `features` under the cut points of `key` (or the default)."""
    cal = load()
    cuts = cal["cuts"].get(key, cal["cuts"]["default"])
    value = strength(features)
    return 1 + sum(value >= c for c in cuts)


def fit_cuts(values: list[float], labels: list[int]) -> list[float]:
    """Four increasing cut points that maximise quadratic weighted kappa on the pairs."""
    from simulator.evals.metrics import quadratic_weighted_kappa

    ordered = sorted(set(values))
    candidates = [(a + b) / 2 for a, b in zip(ordered, ordered[1:], strict=False)] or ordered
    grid = sorted(set(round(c, 4) for c in candidates))
    if len(grid) > 24:
        grid = [grid[int(i * (len(grid) - 1) / 23)] for i in range(24)]
    best, best_cuts = -2.0, [0.25, 0.4, 0.55, 0.7]
    for cuts in itertools.combinations(grid, 4):
        predicted = [1 + sum(v >= c for c in cuts) for v in values]
        score = quadratic_weighted_kappa(labels, predicted)
        if score > best:
            best, best_cuts = score, list(cuts)
    return [round(c, 4) for c in best_cuts]


#: Labeled set -> (target, rubric key) it calibrates.
SETS = {
    "star": ("critique", "star"),
    "adr": ("critique", "adr"),
    "postmortem": ("critique", "postmortem"),
    "design": ("grade", "system-design"),
}


def strengths(set_name: str, split: str | None = None) -> list[tuple[str, int, float, str]]:
    """(case id, label, strength, split) for every case of a labeled set."""
    from simulator.evals.labeled import load_labeled
    from simulator.grading.offline import offline_grader
    from simulator.grading.text import Doc
    from simulator.knowledge.rubrics import get_artifact_rubric, get_panel

    target, key = SETS[set_name]
    rubric = get_panel(key) if target == "grade" else get_artifact_rubric(key)
    grader = offline_grader()
    out = []
    for case in load_labeled(set_name).cases:
        if split and case.split != split:
            continue
        question = getattr(case, "question", None) if target == "grade" else None
        _, features = grader.score_signals(Doc(case.text), rubric, target=target, question=question)
        out.append((case.id, case.level, strength(features), case.split))
    return out


def main() -> None:
    """Fit cut points on each set's calibration split and rewrite `corpus/calibration.yaml`."""
    cal = dict(load())
    cuts = {"default": cal["cuts"]["default"]}
    pooled_values: list[float] = []
    pooled_labels: list[int] = []
    for set_name, (_, key) in SETS.items():
        rows = strengths(set_name, split="calibration")
        values, labels = [r[2] for r in rows], [r[1] for r in rows]
        cuts[key] = fit_cuts(values, labels)
        pooled_values += values
        pooled_labels += labels
        print(f"{set_name:<12} {len(rows):>3} calibration cases -> cuts {cuts[key]}")
    cuts["default"] = fit_cuts(pooled_values, pooled_labels)
    cal["cuts"] = cuts
    header = (
        "# Fitted by `python -m simulator.grading.calibration` on the calibration splits only.\n"
    )
    CALIBRATION_PATH.write_text(header + yaml.safe_dump(cal, sort_keys=False), encoding="utf-8")
    load.cache_clear()
    print(f"wrote {CALIBRATION_PATH}")


if __name__ == "__main__":
    main()
