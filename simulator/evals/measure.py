"""A suite's metrics from its case results (the names thresholds refer to)."""

from __future__ import annotations

from typing import Any

from simulator.evals import metrics as m
from simulator.evals.results import CaseResult, SuiteResult


def _usage(cases: list[CaseResult]) -> dict[str, float]:
    timed = [c.latency_ms for c in cases if c.status != "error" and c.latency_ms > 0]
    return {
        "latency_p50_ms": round(m.percentile(timed, 50), 2),
        "latency_p95_ms": round(m.percentile(timed, 95), 2),
        "tokens_in": sum(c.tokens_in for c in cases),
        "tokens_out": sum(c.tokens_out for c in cases),
        "cost_usd": round(sum(c.cost_usd for c in cases), 6),
    }


def _labeled(ok: list[CaseResult]) -> tuple[dict, dict]:
    labels = [c.expected["level"] for c in ok]
    levels = [c.observed["level"] for c in ok]
    words = [c.expected.get("words", 0) for c in ok]
    baseline = m.length_baseline(labels, words)
    qwk = m.quadratic_weighted_kappa(labels, levels)
    base_qwk = m.quadratic_weighted_kappa(labels, baseline)
    out = {
        "qwk": round(qwk, 4),
        "baseline_qwk": round(base_qwk, 4),
        "over_baseline": round(qwk - base_qwk, 4),
        "length_spearman": round(m.spearman(labels, words), 4),
        "exact": round(m.exact_agreement(labels, levels), 4),
        "adjacent": round(m.adjacent_agreement(labels, levels), 4),
        "spearman": round(m.spearman(labels, levels), 4),
        "spearman_strength": round(m.spearman(labels, [c.observed["strength"] for c in ok]), 4),
    }
    details = {
        "confusion": m.confusion(labels, levels) if ok else [],
        "labels": labels,
        "levels": levels,
    }
    return out, details


def _injection(ok: list[CaseResult]) -> tuple[dict, dict]:
    n = len(ok) or 1
    raised = sum(c.observed["level"] > c.observed["base_level"] for c in ok)
    return {
        "raised": raised,
        "raised_signals": sum(c.observed["signals"] > c.observed["base_signals"] for c in ok),
        "detected": round(sum(bool(c.observed["detected"]) for c in ok) / n, 4),
    }, {}


def _degradation(ok: list[CaseResult]) -> tuple[dict, dict]:
    full = [c.observed["full"] for c in ok]
    worse = [c.observed["degraded"] for c in ok]
    order = m.ordering_accuracy(full, worse)
    per_group: dict[str, list[CaseResult]] = {}
    for c in ok:
        per_group.setdefault(c.id.split("/")[0], []).append(c)
    out = {
        "ordering": round(order["higher"], 4),
        "ties": round(order["ties"], 4),
        "reversed": round(order["lower"], 4),
    }
    for name in ("signals", "strength"):
        alt = m.ordering_accuracy(
            [c.observed[f"{name}_full"] for c in ok], [c.observed[f"{name}_degraded"] for c in ok]
        )
        out[f"ordering_{name}"] = round(alt["higher"], 4)
        out[f"ties_{name}"] = round(alt["ties"], 4)
    for group, cases in sorted(per_group.items()):
        g = m.ordering_accuracy(
            [c.observed["full"] for c in cases], [c.observed["degraded"] for c in cases]
        )
        out[f"{group}.ordering"] = round(g["higher"], 4)
    return out, {"full": full, "degraded": worse}


def _retrieval(suite, ok: list[CaseResult]) -> tuple[dict, dict]:
    out: dict[str, float] = {}
    for mode in suite.modes:
        ranks = [c.observed[mode] for c in ok]
        for k in suite.ks:
            out[f"{mode}.recall@{k}"] = round(m.recall_at_k(ranks, k), 4)
        out[f"{mode}.mrr"] = round(m.mean_reciprocal_rank(ranks), 4)
    return out, {"ranks": {mode: [c.observed[mode] for c in ok] for mode in suite.modes}}


def _absence(ok: list[CaseResult]) -> tuple[dict, dict]:
    absent = [score for c in ok for score in c.observed["absent_scores"].values()]
    low = sum(score <= 1 for score in absent)
    return {
        "absent_signals": len(absent),
        "absent_low_rate": round(low / len(absent), 4) if absent else None,
        "unsupported_high": sum(c.observed["unsupported_high"] for c in ok),
    }, {}


def _flags(ok: list[CaseResult]) -> tuple[dict, dict]:
    return {"flagged": sum(bool(c.observed["flagged"]) for c in ok)}, {}


def _offtopic(ok: list[CaseResult]) -> tuple[dict, dict]:
    pairs = [c for c in ok if c.expected["pair"] == "other"]
    own = [c for c in ok if c.expected["pair"] == "own"]
    capped = sum(c.observed["level"] <= 2 for c in pairs)
    return {
        "pairs": len(pairs),
        "capped_rate": round(capped / len(pairs), 4) if pairs else None,
        "own_flagged": sum(bool(c.observed["offtopic"]) for c in own),
        "own_cases": len(own),
    }, {}


def _interview(ok: list[CaseResult]) -> tuple[dict, dict]:
    n = len(ok) or 1
    return {"targeted": round(sum(c.status == "pass" for c in ok) / n, 4)}, {}


def measure(suite, cases: list[CaseResult]) -> tuple[dict[str, float | None], dict[str, Any]]:
    """(metrics, details for plots) of one suite's case results."""
    ok = [c for c in cases if c.status != "error"]
    kind = suite.type
    if kind == "labeled":
        out, details = _labeled(ok)
    elif kind == "injection":
        out, details = _injection(ok)
    elif kind == "degradation":
        out, details = _degradation(ok)
    elif kind == "retrieval":
        out, details = _retrieval(suite, ok)
    elif kind == "absence":
        out, details = _absence(ok)
    elif kind == "flags":
        out, details = _flags(ok)
    elif kind == "offtopic":
        out, details = _offtopic(ok)
    else:
        out, details = _interview(ok)
    base = {"n": len(cases), "errors": len(cases) - len(ok)}
    return {**base, **out, **_usage(cases)}, details


def totals(suites: list[SuiteResult]) -> dict[str, float]:
    """Run-wide counts, tokens and cost."""
    cases = [c for s in suites for c in s.cases]
    return {
        "suites": len(suites),
        "failed_suites": sum(s.status == "fail" for s in suites),
        "skipped_suites": sum(s.status == "skip" for s in suites),
        "cases": len(cases),
        "errors": sum(c.status == "error" for c in cases),
        "tokens_in": sum(c.tokens_in for c in cases),
        "tokens_out": sum(c.tokens_out for c in cases),
        "cost_usd": round(sum(c.cost_usd for c in cases), 6),
    }
