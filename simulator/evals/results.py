"""What an eval run produces: per-case results, per-suite metrics and the gate's verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simulator.errors import UserError

REPORT_JSON = "report.json"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseResult(_Out):
    """One case: what was expected, what was observed, and whether it held."""

    id: str
    target: str
    status: Literal["pass", "fail", "error"]
    expected: dict[str, Any] = Field(default_factory=dict)
    observed: dict[str, Any] = Field(default_factory=dict)
    #: How far off the case is (e.g. |level - label|); larger is worse, for "worst cases".
    miss: float = 0.0
    message: str = ""
    tags: list[str] = Field(default_factory=list)
    latency_ms: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0


class ThresholdResult(_Out):
    metric: str
    bound: str
    value: float | None
    passed: bool


class SuiteResult(_Out):
    """One suite's metrics, the thresholds they were held to, and its cases."""

    id: str
    type: str
    description: str = ""
    status: Literal["pass", "fail", "skip"]
    reason: str = ""
    metrics: dict[str, int | float | None] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)
    thresholds: list[ThresholdResult] = Field(default_factory=list)
    targets: list[ThresholdResult] = Field(default_factory=list)
    cases: list[CaseResult] = Field(default_factory=list)
    duration_s: float = 0.0

    def shortfalls(self) -> list[str]:
        """What fell short, one line each."""
        out = [
            f"{self.id}: {t.metric} = {_fmt(t.value)}, needs {t.bound}"
            for t in self.thresholds
            if not t.passed
        ]
        errors = [c for c in self.cases if c.status == "error"]
        if errors:
            first = "\n    ".join(errors[0].message.splitlines()[:3])
            out.append(f"{self.id}: {len(errors)} case(s) errored, first {errors[0].id}: {first}")
        return out


class RunResult(_Out):
    """A whole eval run (what `report.json` holds)."""

    run_id: str
    started: str
    duration_s: float
    engine: str
    mode: str
    commit: str | None = None
    passed: bool
    shortfalls: list[str] = Field(default_factory=list)
    totals: dict[str, float] = Field(default_factory=dict)
    suites: list[SuiteResult]

    def suite(self, suite_id: str) -> SuiteResult | None:
        """The suite result with this id."""
        return next((s for s in self.suites if s.id == suite_id), None)


def _fmt(value: float | None) -> str:
    if value is None:
        return "not measured"
    return f"{value:.4g}"


def load_run(path: Path) -> RunResult:
    """A run from its folder or its `report.json`."""
    path = Path(path)
    file = path / REPORT_JSON if path.is_dir() else path
    if not file.is_file():
        raise UserError(f"No eval report at {file}; give a run folder, a run id or `latest`.")
    return RunResult.model_validate(json.loads(file.read_text(encoding="utf-8")))
