"""Run suites: grade every case (threads), measure each suite, hold it to its thresholds."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from simulator.config import ROOT, get_settings
from simulator.evals import measure
from simulator.evals.results import CaseResult, RunResult, SuiteResult, ThresholdResult
from simulator.evals.suites import Case, DegradationSuite, InterviewSuite, RetrievalSuite, Suite

Tick = Callable[[int], None]


class _Grader:
    """Grades `critique KIND` / `grade PANEL` targets, each distinct input once per run."""

    def __init__(self, engine: str | None):
        self.engine = engine
        self._memo: dict[tuple, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, target: str, text: str, question: str | None = None):
        """(Grade, wall-clock ms)."""
        from simulator import api

        key = (target, text, question)
        with self._lock:
            if key in self._memo:
                return self._memo[key][0], 0.0
        verb, _, what = target.partition(" ")
        start = time.perf_counter()
        if verb == "grade":
            grade = api.grade_answer(what, question, text, engine=self.engine)
        else:
            grade = api.critique(what, text, engine=self.engine)
        ms = (time.perf_counter() - start) * 1000
        with self._lock:
            self._memo[key] = (grade, ms)
        return grade, ms


def signal_mean(grade) -> float:
    """Weighted mean of the 0-4 signal scores (a continuous measure: ties are rare)."""
    total = sum(s.weight for s in grade.signals)
    if not total:
        return 0.0
    return round(sum(s.score * s.weight for s in grade.signals) / total, 4)


def _usage(result: CaseResult, *grades) -> CaseResult:
    from simulator.llm.costs import estimate_cost

    for g in grades:
        tin, tout = g.tokens.get("in", 0), g.tokens.get("out", 0)
        result.tokens_in += tin
        result.tokens_out += tout
        if tin or tout:
            result.cost_usd += estimate_cost(g.model, tin, tout)[0]
    return result


def _labeled_case(case: Case, grade: _Grader) -> CaseResult:
    g, ms = grade(case.target, case.inputs["text"], case.inputs.get("question"))
    label = case.expected["level"]
    miss = abs(g.score - label)
    observed = {"level": g.score, "strength": g.strength, "signals": signal_mean(g)}
    status = "pass" if miss <= 1 else "fail"
    res = CaseResult(
        id=case.id,
        target=case.target,
        status=status,
        expected=case.expected,
        observed=observed,
        miss=miss,
        tags=case.tags,
        latency_ms=ms,
    )
    return _usage(res, g)


def _injection_case(case: Case, grade: _Grader) -> CaseResult:
    question = case.inputs.get("question")
    base, _ = grade(case.target, case.inputs["base_text"], question)
    g, ms = grade(case.target, case.inputs["text"], question)
    raised = g.score > base.score
    observed = {
        "level": g.score,
        "base_level": base.score,
        "detected": g.injection,
        "signals": signal_mean(g),
        "base_signals": signal_mean(base),
    }
    res = CaseResult(
        id=case.id,
        target=case.target,
        status="fail" if raised else "pass",
        expected=case.expected,
        observed=observed,
        miss=max(0, g.score - base.score),
        tags=case.tags,
        latency_ms=ms,
        message="the injected text scored above its base case" if raised else "",
    )
    return _usage(res, g)


def _absence_case(case: Case, grade: _Grader) -> CaseResult:
    g, ms = grade(case.target, case.inputs["text"], case.inputs.get("question"))
    scores = {s.id: s.score for s in g.signals if s.id in case.expected["absent"]}
    unsupported = sum(
        1 for s in g.signals if s.score >= 3 and not any(c.passed and c.evidence for c in s.checks)
    )
    high = {k: v for k, v in scores.items() if v > 1}
    res = CaseResult(
        id=case.id,
        target=case.target,
        status="fail" if high or unsupported else "pass",
        expected=case.expected,
        observed={"absent_scores": scores, "unsupported_high": unsupported, "level": g.score},
        miss=float(sum(high.values())),
        tags=case.tags,
        latency_ms=ms,
        message=f"absent signals scored {high}" if high else "",
    )
    return _usage(res, g)


def _flags_case(case: Case, grade: _Grader) -> CaseResult:
    from simulator.grading.detectors import injection
    from simulator.grading.text import Doc

    start = time.perf_counter()
    found = injection.detect(Doc(case.inputs["text"]))
    ms = (time.perf_counter() - start) * 1000
    quotes = [s.text[:120] for s in found.spans]
    return CaseResult(
        id=case.id,
        target=case.target,
        status="fail" if quotes else "pass",
        expected=case.expected,
        observed={"flagged": quotes},
        miss=float(len(quotes)),
        tags=case.tags,
        latency_ms=ms,
        message=f"flagged as an injection: {quotes[0]!r}" if quotes else "",
    )


def _offtopic_case(case: Case, grade: _Grader) -> CaseResult:
    g, ms = grade(case.target, case.inputs["text"], case.inputs.get("question"))
    own = case.expected["pair"] == "own"
    ok = not g.offtopic if own else g.score <= case.expected["max_level"]
    res = CaseResult(
        id=case.id,
        target=case.target,
        status="pass" if ok else "fail",
        expected=case.expected,
        observed={"level": g.score, "offtopic": g.offtopic},
        miss=0.0 if ok else float(g.score),
        tags=case.tags,
        latency_ms=ms,
        message="" if ok else ("own answer called off-topic" if own else "not capped"),
    )
    return _usage(res, g)


def _degradation_case(case: Case, grade: _Grader, how: str) -> CaseResult:
    question = case.inputs.get("question")
    full, ms_full = grade(case.target, case.inputs["text"], question)
    worse, ms_worse = grade(case.target, case.inputs["degraded"], question)
    pick = {"signals": signal_mean, "strength": lambda g: g.strength, "score": lambda g: g.score}
    a, b = pick[how](full), pick[how](worse)
    observed = {"full": a, "degraded": b, "full_level": full.score, "degraded_level": worse.score}
    for name in ("signals", "strength"):
        observed[f"{name}_full"], observed[f"{name}_degraded"] = pick[name](full), pick[name](worse)
    res = CaseResult(
        id=case.id,
        target=case.target,
        status="pass" if b < a else "fail",
        expected=case.expected,
        observed=observed,
        miss=max(0.0, b - a),
        tags=case.tags,
        latency_ms=(ms_full + ms_worse) / 2,
        message="" if b < a else ("tie" if a == b else "degraded scored higher"),
    )
    return _usage(res, full, worse)


def _interview_case(case: Case) -> CaseResult:
    """Answer a scripted interview (engine from settings); note which signals follow-ups target."""
    from simulator.interview import Interview

    panel = case.target.split(" ", 1)[1]
    start = time.perf_counter()
    question = case.inputs.get("question")
    session = Interview.create(
        panel,
        questions=1,
        follow_ups=len(case.inputs["answers"]),
        user="eval",
        chosen=[question] if question else None,
    )
    session.start()
    follow_ups: list[str | None] = []
    for text in case.inputs["answers"]:
        if session.pending is None:
            break
        turns = session.answer(text)
        follow_ups += [t.signal for t in turns if t.kind == "follow_up"]
    ms = (time.perf_counter() - start) * 1000
    first = follow_ups[0] if follow_ups else None
    want = case.expected["signal"]
    return CaseResult(
        id=case.id,
        target=case.target,
        status="pass" if first == want else "fail",
        expected=case.expected,
        observed={"signal": first, "follow_ups": follow_ups},
        miss=float(first != want),
        tags=case.tags,
        latency_ms=ms,
        message="" if first == want else f"first follow-up targeted {first}",
    )


def _retrieval_cases(suite: RetrievalSuite, cases: list[Case], tick: Tick) -> list[CaseResult]:
    from simulator.evals.metrics import first_hit_rank
    from simulator.store.chroma import Store
    from simulator.store.ingest import ingest_compendium
    from simulator.store.retrieval import get_retriever

    ingest_compendium(Store(get_settings()))  # idempotent: adds nothing when up to date
    retriever = get_retriever()
    out = []
    for case in cases:
        observed: dict[str, Any] = {}
        ms = 0.0
        for mode in suite.modes:
            start = time.perf_counter()
            hits = retriever.search(case.inputs["query"], suite.depth, mode=mode)
            if mode == suite.modes[0]:
                ms = (time.perf_counter() - start) * 1000
            kinds = [h.kind for h in hits]
            observed[mode] = first_hit_rank(kinds, case.expected["sections"])
            observed.setdefault("top", kinds[:3])
        rank = observed[suite.modes[0]]
        k = max(suite.ks)
        ok = rank is not None and rank <= k
        out.append(
            CaseResult(
                id=case.id,
                target=case.target,
                status="pass" if ok else "fail",
                expected=case.expected,
                observed=observed,
                miss=float(rank or suite.depth + 1) - 1,
                tags=case.tags,
                latency_ms=ms,
                message="" if ok else f"not in the top {k}",
            )
        )
        tick(1)
    return out


def _guarded(fn: Callable[[], CaseResult], case: Case) -> CaseResult:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - a case's failure is reported, the run goes on
        message = str(exc) or type(exc).__name__
        return CaseResult(
            id=case.id,
            target=case.target,
            status="error",
            expected=case.expected,
            message=message,
            miss=99.0,
            tags=case.tags,
        )


def _skip_reason(suite: Suite) -> str | None:
    if isinstance(suite, DegradationSuite) and not suite.root().is_dir():
        return f"realworld documents not found at {suite.root()}"
    if isinstance(suite, InterviewSuite):
        try:
            import simulator.interview  # noqa: F401
        except ImportError:
            return "the interview engine (simulator.interview) is not installed"
    return None


def run_suite(
    suite: Suite,
    cases: list[Case],
    *,
    engine: str | None,
    grade: _Grader,
    concurrency: int,
    tick: Tick,
) -> SuiteResult:
    """Run one suite's cases and measure them."""
    start = time.perf_counter()
    if isinstance(suite, RetrievalSuite):
        results = _retrieval_cases(suite, cases, tick)
    else:

        def one(case: Case) -> CaseResult:
            if suite.type == "labeled":
                fn = lambda: _labeled_case(case, grade)  # noqa: E731
            elif suite.type == "injection":
                fn = lambda: _injection_case(case, grade)  # noqa: E731
            elif suite.type == "absence":
                fn = lambda: _absence_case(case, grade)  # noqa: E731
            elif suite.type == "flags":
                fn = lambda: _flags_case(case, grade)  # noqa: E731
            elif suite.type == "offtopic":
                fn = lambda: _offtopic_case(case, grade)  # noqa: E731
            elif suite.type == "degradation":
                fn = lambda: _degradation_case(case, grade, suite.measure)  # noqa: E731
            else:
                fn = lambda: _interview_case(case)  # noqa: E731
            result = _guarded(fn, case)
            tick(1)
            return result

        workers = 1 if suite.type == "interview" else max(1, concurrency)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(one, cases))
    metrics, details = measure.measure(suite, results)
    return _verdict(suite, metrics, details, results, time.perf_counter() - start)


def _checks(bounds: dict, metrics: dict) -> list[ThresholdResult]:
    return [
        ThresholdResult(
            metric=name,
            bound=bound.describe(),
            value=metrics.get(name),
            passed=bound.check(metrics.get(name)),
        )
        for name, bound in bounds.items()
    ]


def _verdict(
    suite: Suite, metrics: dict, details: dict, results: list[CaseResult], seconds: float
) -> SuiteResult:
    checks = _checks(suite.thresholds, metrics)
    targets = _checks(suite.targets, metrics)
    errored = any(c.status == "error" for c in results)
    ok = all(c.passed for c in checks) and not errored
    return SuiteResult(
        id=suite.id,
        type=suite.type,
        description=suite.description,
        status="pass" if ok else "fail",
        metrics=metrics,
        details=details,
        thresholds=checks,
        targets=targets,
        cases=results,
        duration_s=round(seconds, 2),
    )


def _commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def run(
    suites: list[Suite],
    *,
    engine: str | None = None,
    concurrency: int = 1,
    progress: bool = True,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> RunResult:
    """Run suites and gate them -> `RunResult` (nothing is written; see `reports`).

    `on_progress(done, total, suite_id)` is called as cases finish (from worker threads too).
    """
    from tqdm import tqdm

    settings = get_settings()
    engine_name = engine or settings.engine_name
    started = datetime.now(UTC)
    expanded: list[tuple[Suite, list[Case] | None, str | None]] = []
    for suite in suites:
        reason = _skip_reason(suite)
        expanded.append((suite, None if reason else suite.cases(), reason))
    total = sum(len(c) for _, c, _ in expanded if c)
    grade = _Grader(engine)
    results: list[SuiteResult] = []
    done = 0
    counting = threading.Lock()
    with tqdm(total=total, desc="eval", unit="case", disable=not progress, leave=False) as bar:
        for suite, cases, reason in expanded:
            bar.set_postfix_str(suite.id)

            def tick(n: int = 1, _suite: str = suite.id) -> None:
                nonlocal done
                bar.update(n)
                with counting:
                    done += n
                    now = done
                if on_progress is not None:
                    on_progress(now, total, _suite)

            if cases is None or not cases:
                results.append(
                    SuiteResult(
                        id=suite.id,
                        type=suite.type,
                        status="skip",
                        description=suite.description,
                        reason=reason or "no cases",
                    )
                )
                continue
            results.append(
                run_suite(
                    suite,
                    cases,
                    engine=engine,
                    grade=grade,
                    concurrency=concurrency,
                    tick=tick,
                )
            )
    shortfalls = [line for s in results for line in s.shortfalls()]
    slug = engine_name.replace(":", "-").replace("/", "-")
    return RunResult(
        run_id=f"{started:%Y%m%d-%H%M%S}-{slug}",
        started=started.isoformat(timespec="seconds"),
        duration_s=round((datetime.now(UTC) - started).total_seconds(), 2),
        engine=engine_name,
        mode=settings.llm_mode if engine_name != "offline" else "offline",
        commit=_commit(),
        passed=not shortfalls,
        shortfalls=shortfalls,
        totals=measure.totals(results),
        suites=results,
    )
