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


def _real_docs() -> list[tuple[str, str]]:
    """(folder, text) of the real ADRs, postmortems and design answers (300-4000 words)."""
    from simulator.evals.suites import REALWORLD_DIR

    return [
        (folder, p.read_text(encoding="utf-8", errors="replace"))
        for folder in ("adr", "postmortem", "design")
        for p in sorted((REALWORLD_DIR / folder).glob("*.md"))
    ]


def _time_docs(docs: list[tuple[str, str]], budget: int) -> tuple[float, float]:
    """p50 and p95 ms over `docs` with `budget` windows embedded, none embedded before."""
    from simulator import api
    from simulator.grading import offline

    saved, offline.EMBED_WINDOWS = offline.EMBED_WINDOWS, budget
    offline.clear_vector_cache()
    times = []
    try:
        for folder, text in docs:
            start = time.perf_counter()
            if folder == "design":
                api.grade_answer("system-design", None, text)
            else:
                api.critique(folder, text)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        offline.EMBED_WINDOWS = saved
    return percentile(times, 50), percentile(times, 95)


def _long_latency() -> None:
    """Real documents, side by side: the window budget against embedding every window."""
    from simulator.grading.offline import EMBED_WINDOWS

    docs = _real_docs()
    if not docs:
        print("real documents not found (../shared/realworld); long-document latency skipped")
        return
    words = max(len(text.split()) for _, text in docs)
    print(f"warm latency over {len(docs)} real documents (up to {words} words):")
    for label, budget in ((f"{EMBED_WINDOWS} windows embedded", EMBED_WINDOWS), ("all", 10**6)):
        p50, p95 = _time_docs(docs, budget)
        print(f"  {label:<22} p50 {p50:7.1f} ms, p95 {p95:7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    from simulator.evals.metrics import kappa_interval
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
    print("\nquadratic weighted kappa on the test splits, 90% bootstrap interval:")
    for s in result.suites:
        if "qwk" in s.metrics:
            labels = [c.expected["level"] for c in s.cases]
            predicted = [c.observed["level"] for c in s.cases]
            low, high = kappa_interval(labels, predicted)
            print(
                f"  {s.id:<11} {s.metrics['qwk']:.3f} [{low:.3f}, {high:.3f}] over {len(labels)} cases"
            )
    p50, p95, n = _latency()
    print(
        f"\nwarm critique latency over {n} artifacts: p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < 100 ms)"
    )
    _long_latency()
    return 0
