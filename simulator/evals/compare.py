"""Two runs side by side (prompt versions, engines): metric deltas and per-case differences."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simulator.evals.results import RunResult


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MetricDelta(_Out):
    suite: str
    metric: str
    a: float | None
    b: float | None
    delta: float | None


class CaseChange(_Out):
    suite: str
    id: str
    status_a: str | None
    status_b: str | None
    observed_a: dict[str, Any] = Field(default_factory=dict)
    observed_b: dict[str, Any] = Field(default_factory=dict)


class Comparison(_Out):
    """What changed from run `a` to run `b`."""

    a: str
    b: str
    engines: tuple[str, str]
    passed: tuple[bool, bool]
    metrics: list[MetricDelta]
    cases: list[CaseChange]


def _num(value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def compare(a: RunResult, b: RunResult) -> Comparison:
    """Metric deltas for every suite either run has; the cases whose outcome changed."""
    metrics: list[MetricDelta] = []
    changes: list[CaseChange] = []
    ids = list(dict.fromkeys([s.id for s in a.suites] + [s.id for s in b.suites]))
    for sid in ids:
        sa, sb = a.suite(sid), b.suite(sid)
        ma = sa.metrics if sa else {}
        mb = sb.metrics if sb else {}
        for name in dict.fromkeys([*ma, *mb]):
            va, vb = _num(ma.get(name)), _num(mb.get(name))
            delta = round(vb - va, 6) if va is not None and vb is not None else None
            metrics.append(MetricDelta(suite=sid, metric=name, a=va, b=vb, delta=delta))
        ca = {c.id: c for c in (sa.cases if sa else [])}
        cb = {c.id: c for c in (sb.cases if sb else [])}
        for cid in dict.fromkeys([*ca, *cb]):
            x, y = ca.get(cid), cb.get(cid)
            if x and y and x.status == y.status and x.observed == y.observed:
                continue
            changes.append(
                CaseChange(
                    suite=sid,
                    id=cid,
                    status_a=x.status if x else None,
                    status_b=y.status if y else None,
                    observed_a=x.observed if x else {},
                    observed_b=y.observed if y else {},
                )
            )
    return Comparison(
        a=a.run_id,
        b=b.run_id,
        engines=(a.engine, b.engine),
        passed=(a.passed, b.passed),
        metrics=metrics,
        cases=changes,
    )


def comparison_markdown(cmp: Comparison, *, all_metrics: bool = False) -> str:
    """Metric deltas (changed ones unless `all_metrics`) and changed cases as Markdown tables."""
    lines = [
        f"# {cmp.a} ({cmp.engines[0]}) -> {cmp.b} ({cmp.engines[1]})",
        "",
        "| suite | metric | A | B | delta |",
        "|---|---|---|---|---|",
    ]
    for d in cmp.metrics:
        if not all_metrics and d.delta == 0:
            continue
        lines.append(f"| {d.suite} | {d.metric} | {_f(d.a)} | {_f(d.b)} | {_f(d.delta, True)} |")
    lines += ["", f"{len(cmp.cases)} case(s) changed.", ""]
    if cmp.cases:
        lines += ["| suite | case | A | B | observed A | observed B |", "|---|---|---|---|---|---|"]
        for c in cmp.cases:
            lines.append(
                f"| {c.suite} | {c.id} | {c.status_a} | {c.status_b} | "
                f"{_brief(c.observed_a)} | {_brief(c.observed_b)} |"
            )
    return "\n".join(lines) + "\n"


def _f(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.4g}" if signed else f"{value:.4g}"


def _brief(observed: dict[str, Any]) -> str:
    keys = ("level", "full", "degraded", "signal", "hybrid")
    return ", ".join(f"{k}={observed[k]}" for k in keys if k in observed) or "—"
