"""Fitting the offline engine's calibration (`python -m simulator.evals.calibrate`).

Blend weights, penalties, the design hard-part weight and the cut points are fitted on the
calibration split of the team's labeled sets only, never on the test split and never on
`../shared/realworld`; the result is written to `corpus/calibration.yaml`, which
`simulator.grading.calibration` reads at grading time.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import yaml

from simulator.evals.labeled import load_labeled
from simulator.evals.metrics import quadratic_weighted_kappa, spearman
from simulator.grading.calibration import CALIBRATION_PATH, blend, load, strength

if TYPE_CHECKING:
    from simulator.grading.offline import Features


def fit_cuts(values: list[float], labels: list[int]) -> list[float]:
    """Four increasing cut points that maximise quadratic weighted kappa on the pairs."""
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
_BLEND_GRID = {
    "detected": (0.3, 0.5, 0.7),
    "semantic": (0.1, 0.25, 0.4, 0.6),
    "lexical": (0.1, 0.25, 0.4),
    "semantic_alone": (0.4, 0.55, 0.7, 0.85),
}
#: How much a known design problem's hard parts weigh, and what a proposed trap costs.
_MECHANISM_GRID = {
    "weight": (0.0, 0.2, 0.35, 0.5, 0.65, 0.8),
    "unsound": (0.0, 0.1, 0.2, 0.3, 0.45),
}
_PENALTY_GRID = {
    "offtopic": (0.3, 0.5),
    "rambling": (0.15, 0.3),
    "hedging": (0.3,),
    "stuffing": (0.15, 0.3, 0.5),
}


def features_of(set_name: str) -> tuple[list[float], list[tuple[str, int, str, Features]]]:
    """The signal weights of the set's rubric and (id, label, split, features) per case."""
    from simulator.grading.offline import offline_grader
    from simulator.grading.text import Doc
    from simulator.knowledge.rubrics import get_artifact_rubric, get_panel

    target, key = SETS[set_name]
    rubric = get_panel(key) if target == "grade" else get_artifact_rubric(key)
    grader = offline_grader()
    rows = []
    for case in load_labeled(set_name).cases:
        question = getattr(case, "question", None) if target == "grade" else None
        _, features = grader.score_signals(Doc(case.text), rubric, target=target, question=question)
        rows.append((case.id, case.level, case.split, features))
    return [s.weight for s in rubric.signals], rows


def rescore(
    weights: list[float],
    features: Features,
    blend_w: dict,
    penalties: dict,
    mechanism: dict | None = None,
) -> float:
    """The strength of `features` under other blend weights, penalties and mechanism weights."""
    from dataclasses import replace

    values = [blend(*part, weights=blend_w) for part in features.parts.values()]
    coverage = sum(w * v for w, v in zip(weights, values, strict=True)) / sum(weights)
    return strength(replace(features, coverage=coverage), penalties=penalties, mechanism=mechanism)


def _grid(grid: dict[str, tuple[float, ...]]):
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        yield dict(zip(keys, values, strict=True))


def main() -> None:
    """Fit blend weights, penalties and cut points on the calibration splits only."""
    data = {name: features_of(name) for name in SETS}
    calibration_rows = {
        name: (weights, [(lv, f) for _, lv, sp, f in rows if sp == "calibration"])
        for name, (weights, rows) in data.items()
    }

    def fitness(blend_w: dict, penalties: dict) -> float:
        total = 0.0
        for weights, rows in calibration_rows.values():
            values = [rescore(weights, f, blend_w, penalties) for _, f in rows]
            total += spearman([lv for lv, _ in rows], values)
        return total / len(calibration_rows)

    best = max(
        ((fitness(b, p), b, p) for b in _grid(_BLEND_GRID) for p in _grid(_PENALTY_GRID)),
        key=lambda t: t[0],
    )
    _, blend_w, penalties = best
    # Only answers to known design problems carry a mechanism reading: fitted on those alone.
    weights, design_rows = calibration_rows["design"]
    mechanism = max(
        _grid(_MECHANISM_GRID),
        key=lambda m: spearman(
            [lv for lv, _ in design_rows],
            [rescore(weights, f, blend_w, penalties, m) for _, f in design_rows],
        ),
    )
    cal = {**load(), "blend": blend_w, "penalties": penalties, "mechanism": mechanism}
    cuts: dict[str, list[float]] = {}
    pooled: tuple[list[float], list[int]] = ([], [])
    for name, (weights, rows) in calibration_rows.items():
        values = [rescore(weights, f, blend_w, penalties, mechanism) for _, f in rows]
        labels = [lv for lv, _ in rows]
        cuts[SETS[name][1]] = fit_cuts(values, labels)
        pooled[0].extend(values)
        pooled[1].extend(labels)
        print(f"{name:<12} {len(rows):>3} calibration cases -> cuts {cuts[SETS[name][1]]}")
    cal["cuts"] = {"default": fit_cuts(*pooled), **cuts}
    print(f"blend {blend_w}\npenalties {penalties}\nmechanism {mechanism}")
    print(f"mean calibration Spearman {best[0]:.3f}")
    header = "# Fitted by `python -m simulator.evals.calibrate` on the calibration splits only.\n"
    CALIBRATION_PATH.write_text(header + yaml.safe_dump(cal, sort_keys=False), encoding="utf-8")
    load.cache_clear()
    print(f"wrote {CALIBRATION_PATH}")


if __name__ == "__main__":
    main()
