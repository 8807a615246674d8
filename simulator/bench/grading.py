"""Grader benchmark: agreement with the labels beside a length-only baseline, signal absence,
off-topic, injection precision and invariance, degradation ordering, warm latency.

`python -m simulator.bench grading` prints the checklist-grading issue's figures side by
side in one run (offline engine): per kind, kappa on the test split and on its
content-controlled part with 90% bootstrap intervals, the length-only baseline and the
level/length Spearman of every split; the absence suites (development and held out);
strong answers graded against another question; false injection flags on benign and real
texts; injections raised; degradation ordering on real documents; and warm latency for
texts up to 400 words and for the real documents.
"""

from __future__ import annotations

import time

from simulator.bench._common import percentile, table

_KINDS = ("star", "adr", "postmortem", "design")
_OTHER = ("absence", "absence_heldout", "offtopic", "flags", "injection", "degradation")


def _labeled_rows(result) -> list[tuple]:
    from simulator.evals.metrics import kappa_interval, length_baseline, quadratic_weighted_kappa

    by_id = {s.id: s for s in result.suites}
    rows = []
    for kind in _KINDS:
        for suite_id, part in ((kind, "test"), (f"{kind}_controlled", "controlled test")):
            s = by_id.get(suite_id)
            if s is None or not s.cases:
                continue
            labels = [c.expected["level"] for c in s.cases]
            levels = [c.observed["level"] for c in s.cases]
            words = [c.expected.get("words", 0) for c in s.cases]
            low, high = kappa_interval(labels, levels)
            base = quadratic_weighted_kappa(labels, length_baseline(labels, words))
            bl, bh = kappa_interval(labels, length_baseline(labels, words))
            rows.append(
                (
                    kind,
                    part,
                    len(labels),
                    f"{s.metrics['qwk']:.3f} [{low:.2f}, {high:.2f}]",
                    f"{base:.3f} [{bl:.2f}, {bh:.2f}]",
                    f"{s.metrics['qwk'] - base:+.3f}",
                    f"{s.metrics['length_spearman']:+.2f}",
                )
            )
    return rows


def _surface_rows() -> list[tuple]:
    """Spearman of the level with words, digits and heading lines, per set, part and split."""
    from simulator.evals.labeled import load_labeled, surface_correlation

    rows = []
    for kind in _KINDS:
        labeled = load_labeled(kind)
        for part in ("team", "controlled"):
            for split in ("calibration", "test"):
                cases = labeled.split(split, part)  # type: ignore[arg-type]
                if len(cases) < 3:
                    continue
                rho = [surface_correlation(cases, f) for f in ("words", "digits", "headings")]
                rows.append((kind, part, split, len(cases), *(f"{r:+.2f}" for r in rho)))
    return rows


def _metric_rows(result) -> list[tuple]:
    rows = []
    keys = (
        "absent_low_rate",
        "unsupported_high",
        "absent_signals",
        "capped_rate",
        "own_flagged",
        "pairs",
        "flagged",
        "raised",
        "ordering",
        "ties",
    )
    for s in result.suites:
        if s.id not in _OTHER:
            continue
        for key in keys:
            if key in s.metrics:
                bound = next((t.bound for t in [*s.targets, *s.thresholds] if t.metric == key), "")
                rows.append((s.id, key, s.metrics[key], bound, s.metrics.get("n", "")))
    return rows


def _latency(max_words: int = 400) -> tuple[float, float, int]:
    """Warm critique latency over labeled artifacts of at most `max_words` words, none seen."""
    from simulator import api
    from simulator.evals.labeled import load_labeled
    from simulator.grading.embedding import clear_vector_cache

    cases = [
        (kind, c.text)
        for kind in ("star", "adr", "postmortem")
        for c in load_labeled(kind).cases
        if c.words <= max_words
    ]
    api.critique(*cases[0])  # warm: rubric and lexicon load
    clear_vector_cache()
    times = []
    for kind, text in cases[1:]:
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


def _real_latency() -> str:
    from simulator import api
    from simulator.grading.embedding import clear_vector_cache, encode

    docs = _real_docs()
    if not docs:
        return "real documents not found (../shared/realworld); their latency is not measured"
    encode(["warm the embedding model: its load is not a grade's latency"])
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
    return (
        f"warm latency over {len(docs)} real documents (up to {words} words): "
        f"p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    from simulator.evals.runner import run
    from simulator.evals.suites import find_suites

    names = [*_KINDS, *(f"{k}_controlled" for k in _KINDS), *_OTHER]
    result = run(find_suites(names), engine="offline", progress=False)
    print("Agreement with the labels (offline engine), 90% bootstrap intervals:")
    print(
        table(
            ("kind", "split", "n", "QWK", "length-only QWK", "margin", "rho(level, words)"),
            _labeled_rows(result),
        )
    )
    print("\nSurface features against the level (Spearman) in every split:")
    print(table(("kind", "part", "split", "n", "words", "digits", "headings"), _surface_rows()))
    print("\nAbsence, off-topic, injection and degradation:")
    print(table(("suite", "metric", "value", "target/gate", "cases"), _metric_rows(result)))
    p50, p95, n = _latency()
    print(
        f"\nwarm critique latency over {n} labeled artifacts of <= 400 words: "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < 100 ms)"
    )
    print(_real_latency())
    return 0
