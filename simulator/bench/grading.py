"""Grader benchmark: agreement with the labels, degradation ordering, injection, warm latency.

`python -m simulator.bench grading` prints the issue's figures side by side: quadratic
weighted kappa on the labeled test splits (offline engine), ordering on degraded real
documents, injection invariance, and warm critique latency p50/p95 per artifact.
"""

from __future__ import annotations

import time

from simulator.bench._common import percentile, table

_SUITES = ("star", "design", "adr", "postmortem", "degradation", "injection")


def _latency(samples: int = 80) -> tuple[float, float, int]:
    from simulator import api
    from simulator.evals.labeled import load_labeled

    cases = [
        (kind, c.text) for kind in ("star", "adr", "postmortem") for c in load_labeled(kind).cases
    ]
    from simulator.grading.offline import clear_vector_cache

    api.critique(*cases[0])  # warm: model load and rubric probes
    clear_vector_cache()  # time text the grader has not embedded before
    times = []
    for kind, text in cases[1 : samples + 1]:
        start = time.perf_counter()
        api.critique(kind, text)
        times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 50), percentile(times, 95), len(times)


def _long_latency() -> tuple[float, float, int, int] | None:
    """Warm latency on the real documents of `../shared/realworld` (300-4000 words)."""
    from simulator import api
    from simulator.evals.suites import REALWORLD_DIR
    from simulator.grading.offline import clear_vector_cache

    docs = [
        (folder, p.read_text(encoding="utf-8", errors="replace"))
        for folder in ("adr", "postmortem", "design")
        for p in sorted((REALWORLD_DIR / folder).glob("*.md"))
    ]
    if not docs:
        return None
    clear_vector_cache()
    times = []
    for folder, text in docs:
        start = time.perf_counter()
        if folder == "design":
            api.grade_answer("system-design", None, text)
        else:
            api.critique(folder, text)
        times.append((time.perf_counter() - start) * 1000)
    words = max(len(text.split()) for _, text in docs)
    return percentile(times, 50), percentile(times, 95), len(times), words


def main(argv: list[str] | None = None) -> int:
    from simulator.evals.runner import run
    from simulator.evals.suites import find_suites

    result = run(find_suites(list(_SUITES)), engine="offline", progress=False)
    rows = []
    for s in result.suites:
        for key in ("qwk", "exact", "adjacent", "spearman", "ordering", "ties", "raised"):
            if key in s.metrics:
                target = next((t.bound for t in s.targets + s.thresholds if t.metric == key), "")
                rows.append((s.id, key, s.metrics[key], target))
    print(table(("suite", "metric", "value", "target/gate"), rows))
    p50, p95, n = _latency()
    print(
        f"\nwarm critique latency over {n} artifacts: p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < 100 ms)"
    )
    long = _long_latency()
    if long:
        lp50, lp95, ln, words = long
        print(
            f"warm latency over {ln} real documents (up to {words} words): "
            f"p50 {lp50:.1f} ms, p95 {lp95:.1f} ms"
        )
    return 0
