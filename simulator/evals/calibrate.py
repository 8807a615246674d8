"""Fitting the offline engine's calibration (`python -m simulator.evals.calibrate`).

The model is small and inspectable: a text's strength is the weighted share of its checks
passed (signal weights from the rubric, check weights from the checklist), blended for
design answers with the problem's hard parts, less penalties for answer-level problems;
four cut points per rubric turn it into a level. The hard-part weight and the penalties
are chosen on the calibration splits (team and content-controlled) by rank agreement,
then the cut points by quadratic weighted kappa, never on the test split and never on
`../shared/realworld`. The result is written to `corpus/calibration.yaml`, which
`simulator.grading.calibration` reads at grading time.
"""

from __future__ import annotations

import itertools

import yaml

from simulator.evals.labeled import load_labeled
from simulator.evals.metrics import quadratic_weighted_kappa, spearman
from simulator.grading.calibration import CALIBRATION_PATH, load, strength
from simulator.grading.features import Features


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


def midpoint_cuts(values: list[float], labels: list[int]) -> list[float]:
    """Cut points halfway between the median strengths of adjacent levels (smoother than
    kappa-optimal cuts on few cases; a level with no case borrows its neighbours')."""
    from statistics import median

    medians: list[float | None] = []
    for level in range(1, 6):
        at = [v for v, lv in zip(values, labels, strict=True) if lv == level]
        medians.append(median(at) if at else None)
    known = [(i, m) for i, m in enumerate(medians) if m is not None]
    filled = []
    for i in range(5):
        if medians[i] is not None:
            filled.append(medians[i])
        else:
            near = min(known, key=lambda t: abs(t[0] - i))
            filled.append(near[1])
    filled = sorted(filled)
    return [round((filled[k] + filled[k + 1]) / 2, 4) for k in range(4)]


CUT_METHODS = {"kappa": fit_cuts, "midpoint": midpoint_cuts}
#: The lowest first cut point: a text with no passed check stays at level 1.
MIN_FIRST_CUT = 0.02


def loo_kappa(values: list[float], labels: list[int], caps: list[int], method: str) -> float:
    """Leave-one-out kappa of a cut-point method on the calibration split (model choice)."""
    fit = CUT_METHODS[method]
    predicted = []
    for i in range(len(values)):
        train = [
            (v, lv)
            for j, (v, lv, cap) in enumerate(zip(values, labels, caps, strict=True))
            if j != i and cap == 5
        ]
        cuts = fit([v for v, _ in train], [lv for _, lv in train])
        predicted.append(min(1 + sum(values[i] >= c for c in cuts), caps[i]))
    return quadratic_weighted_kappa(labels, predicted)


#: Labeled set -> (target, rubric key) it calibrates.
SETS = {
    "star": ("critique", "star"),
    "adr": ("critique", "adr"),
    "postmortem": ("critique", "postmortem"),
    "design": ("grade", "system-design"),
}
#: How much a known design problem's hard parts weigh in a design answer's strength, and
#: what proposing a mechanism that cannot work costs it (beside its cap at 2).
_MECHANISM_GRID = {"weight": (0.0, 0.15, 0.3, 0.45, 0.6), "unsound": (0.0, 0.1, 0.2, 0.3)}
_PADDING_GRID = (0.0, 0.1, 0.2, 0.3, 0.4)
_PENALTY_GRID = {
    "rambling": (0.0, 0.1, 0.2),
    "hedging": (0.0, 0.1, 0.3),
    "stuffing": (0.0, 0.1, 0.2),
}


def features_of(set_name: str, split: str = "calibration") -> list[tuple[str, int, Features]]:
    """(id, label, features) for each case of one split of a labeled set."""
    from simulator.grading.offline import offline_grader
    from simulator.grading.text import Doc
    from simulator.knowledge.rubrics import get_artifact_rubric, get_panel

    target, key = SETS[set_name]
    rubric = get_panel(key) if target == "grade" else get_artifact_rubric(key)
    grader = offline_grader()
    rows = []
    for case in load_labeled(set_name).cases:
        if case.split != split:
            continue
        question = case.question if target == "grade" else None
        features = grader.read(Doc(case.text), rubric, target=target, question=question)
        rows.append((case.id, case.level, features))
    return rows


def _grid(grid: dict[str, tuple[float, ...]]):
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        yield dict(zip(keys, values, strict=True))


def _capped(value: float, features: Features) -> float:
    """A strength that respects the caps, for ranking (a capped text ranks as its cap)."""
    return min(value, features.cap / 5 - 0.2 + 1e-3 * value) if features.cap < 5 else value


def main() -> None:
    """Fit the hard-part weight, penalties and cut points on the calibration splits only."""
    rows = {name: features_of(name) for name in SETS}

    def fitness(penalties: dict, mechanism: dict, padding: dict[str, float]) -> float:
        total = 0.0
        for name, data in rows.items():
            w = padding.get(SETS[name][1], 0.0)
            values = [
                strength(f, penalties=penalties, mechanism=mechanism, padding=w) for _, _, f in data
            ]
            total += spearman([lv for _, lv, _ in data], values)
        return total / len(rows)

    def fit_padding(penalties: dict, mechanism: dict) -> dict[str, float]:
        # Padding weighs differently per kind (a long postmortem's timeline is not padding
        # in the way a design answer's version list is): fitted per rubric key by Spearman;
        # weights within 0.002 of the best are told apart by the figure reported,
        # leave-one-out kappa (with the better way of placing cuts).
        out: dict[str, float] = {"default": 0.0}
        for name, data in rows.items():
            labels = [lv for _, lv, _ in data]
            caps = [f.cap for *_, f in data]
            values = {
                w: [
                    strength(f, penalties=penalties, mechanism=mechanism, padding=w)
                    for *_, f in data
                ]
                for w in _PADDING_GRID
            }
            rho = {w: spearman(labels, v) for w, v in values.items()}
            near = [w for w in _PADDING_GRID if rho[w] >= max(rho.values()) - 0.002]
            out[SETS[name][1]] = max(
                near,
                key=lambda w: (
                    max(loo_kappa(values[w], labels, caps, m) for m in CUT_METHODS),
                    rho[w],
                ),
            )
        return out

    # Penalties and hard-part weight, then padding, in turn until neither moves: each is
    # fitted with the other's current values, so the pair is a joint optimum.
    padding: dict[str, float] = {"default": 0.0}
    for _ in range(4):
        score, penalties, mechanism = max(
            (
                (fitness(p, m, padding), p, m)
                for p in _grid(_PENALTY_GRID)
                for m in _grid(_MECHANISM_GRID)
            ),
            key=lambda t: t[0],
        )
        refit = fit_padding(penalties, mechanism)
        if refit == padding:
            break
        padding = refit
    # The hard parts weigh in design answers only: their weight is chosen on the design
    # split by the figure reported (leave-one-out kappa), Spearman breaking ties.
    design = rows["design"]
    labels = [lv for _, lv, _ in design]
    caps = [f.cap for *_, f in design]
    w = padding.get(SETS["design"][1], 0.0)

    def design_merit(m: dict) -> tuple[float, float]:
        values = [strength(f, penalties=penalties, mechanism=m, padding=w) for *_, f in design]
        loo = max(loo_kappa(values, labels, caps, method) for method in CUT_METHODS)
        return round(loo, 4), spearman(labels, values)

    mechanism = max(_grid(_MECHANISM_GRID), key=design_merit)
    cal = {
        **load(),
        "version": 2,
        "penalties": penalties,
        "mechanism": mechanism,
        "padding": padding,
    }
    cal.pop("blend", None)
    cuts: dict[str, list[float]] = {}
    pooled: tuple[list[float], list[int]] = ([], [])
    for name, data in rows.items():
        key = SETS[name][1]
        values = [
            strength(f, penalties=penalties, mechanism=mechanism, padding=padding[key])
            for _, _, f in data
        ]
        labels = [lv for _, lv, _ in data]
        # Capped texts do not inform where the cut points of uncapped ones lie.
        free = [
            (v, lv) for v, lv, (_, _, f) in zip(values, labels, data, strict=True) if f.cap == 5
        ]
        caps = [f.cap for _, _, f in data]
        # Which way of placing the cuts generalises is chosen by leave-one-out on this split.
        scored = {m: loo_kappa(values, labels, caps, m) for m in CUT_METHODS}
        method = max(scored, key=lambda m: scored[m])
        fitted = CUT_METHODS[method]([v for v, _ in free], [lv for _, lv in free])
        # A text that passes no check is a 1, whatever a few cases would suggest.
        cuts[key] = [max(fitted[0], MIN_FIRST_CUT), *fitted[1:]]
        pooled[0].extend(v for v, _ in free)
        pooled[1].extend(lv for _, lv in free)
        loo = ", ".join(f"{m} {k:.3f}" for m, k in scored.items())
        print(
            f"{name:<12} {len(data):>3} calibration cases, LOO kappa {loo} -> {method} {cuts[key]}"
        )
    cal["cuts"] = {"default": midpoint_cuts(*pooled), **cuts}
    print(f"penalties {penalties}\nmechanism {mechanism}\npadding {padding}")
    print(f"mean calibration Spearman {score:.3f}")
    header = "# Fitted by `python -m simulator.evals.calibrate` on the calibration splits only.\n"
    CALIBRATION_PATH.write_text(header + yaml.safe_dump(cal, sort_keys=False), encoding="utf-8")
    load.cache_clear()
    print(f"wrote {CALIBRATION_PATH}")


if __name__ == "__main__":
    main()
