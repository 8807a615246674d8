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
    out = {
        "qwk": round(m.quadratic_weighted_kappa(labels, levels), 4),
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
