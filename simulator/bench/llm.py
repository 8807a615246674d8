"""The LLM path against a live model server: `python -m simulator.bench llm [--record]`.

Grades the real-model replay suite (`evals/fixtures/qwen2.5-coder-1.5b/cases.yaml`: cases
of the labeled sets, two injections, two interview follow-ups) through the LLM engine,
and the same cases offline, then prints per-grade and per-follow-up latency, tokens, the
JSON-valid rate by response format, fallbacks, quotes kept/dropped, agreement with the
labels beside the offline engine, and whether an injection raised a grade. `--record`
also writes the fixtures and `results.yaml` that `make test` replays. `--interview` times
each turn of a scripted `staffsim interview` on the model with offline grading (the model
phrases the follow-ups), the issue's 60 s bar. With no server up it says so in one line
and exits 0 (so `make bench` still runs everywhere).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from simulator.bench._common import percentile, table
from simulator.config import EVALS_DIR, get_settings

SUITE = EVALS_DIR / "fixtures" / "qwen2.5-coder-1.5b" / "cases.yaml"
DEFAULT_BASE_URL = "http://127.0.0.1:8088/v1"


def server_up(base_url: str, timeout: float = 30.0) -> bool:
    """An OpenAI-compatible server answers GET /models at `base_url`."""
    import httpx

    try:
        return httpx.get(f"{base_url.rstrip('/')}/models", timeout=timeout).status_code < 400
    except httpx.HTTPError:
        return False


def load_suite(path: Path = SUITE) -> dict[str, Any]:
    """The replay suite's case lists."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def grade_cases(suite: dict[str, Any]) -> list[dict[str, Any]]:
    """Every grade of the suite as {id, kind, target, text, question, label, base}."""
    from simulator.evals.labeled import base_case, load_injections, load_labeled
    from simulator.evals.suites import default_question

    rows = []
    for kind, ids in suite["grades"].items():
        cases = {c.id: c for c in load_labeled(kind).cases}
        target = "grade system-design" if kind == "design" else f"critique {kind}"
        for case_id in ids:
            case = cases[case_id]
            question = default_question(target, getattr(case, "question", None))
            rows.append(
                {"id": case_id, "kind": kind, "target": target, "text": case.text,
                 "question": question, "label": case.level, "base": None}
            )  # fmt: skip
    injections = {i.id: i for i in load_injections()}
    for inj_id in suite["injections"]:
        inj = injections[inj_id]
        _, case = base_case(inj)
        question = default_question(inj.target, getattr(case, "question", None))
        rows.append(
            {"id": inj_id, "kind": "injection", "target": inj.target,
             "text": inj.apply(case.text), "question": question, "label": case.level,
             "base": inj.base_id}
        )  # fmt: skip
    return rows


def follow_up_cases(suite: dict[str, Any]) -> list[dict[str, Any]]:
    """Every follow-up of the suite as {id, panel, question, answer}."""
    from simulator.evals.labeled import load_labeled
    from simulator.knowledge.rubrics import get_panel

    texts = {}
    for kind in ("star", "design"):
        texts.update({c.id: c for c in load_labeled(kind).cases})
    rows = []
    for spec in suite["follow_ups"]:
        case = texts[spec["answer_of"]]
        question = getattr(case, "question", None) or get_panel(spec["panel"]).questions[0]
        rows.append(
            {"id": f"{spec['panel']}:{spec['answer_of']}", "panel": spec["panel"],
             "question": question, "answer": case.text}
        )  # fmt: skip
    return rows


def run_grade(row: dict[str, Any], engine: str | None = None):
    """Grade one case (`engine` None: the configured one) -> `Grade`."""
    from simulator import api

    verb, _, what = row["target"].partition(" ")
    if verb == "grade":
        return api.grade_answer(what, row["question"], row["text"], engine=engine)
    return api.critique(what, row["text"], engine=engine)


def run_follow_up(row: dict[str, Any]):
    """The LLM follow-up on the answer's weakest signal -> `FollowUp` (source llm or template)."""
    from simulator.interview import followup
    from simulator.knowledge.rubrics import get_panel

    rubric = get_panel(row["panel"])
    grade = run_grade(
        {"target": f"grade {row['panel']}", "question": row["question"], "text": row["answer"]},
        engine="offline",
    ).model_dump(mode="json")
    best = followup.merge_best([grade])
    # The heaviest weak signal, as the interviewer's first pick; the offline template
    # choice is left out so that template edits do not change what is recorded.
    weak = followup.weak_signals(rubric, best) or list(rubric.signals)
    fallback = followup.FollowUp(text="(offline template)", signal=weak[0].id)
    return followup.llm_follow_up(
        rubric, fallback.signal, question=row["question"], answer=row["answer"], asked=set(),
        fallback=fallback,
    )  # fmt: skip


def _configure(base_url: str, model: str, mode: str, home: Path, fmt: str | None) -> None:
    os.environ.update(
        OPENAI_BASE_URL=base_url,
        STAFFSIM_ENGINE=f"openai:{model}",
        STAFFSIM_LLM_MODE=mode,
        STAFFSIM_FIXTURES=str(EVALS_DIR / "fixtures"),
        STAFFSIM_HOME=str(home),
    )
    os.environ.pop("OPENAI_API_KEY", None)
    if fmt:
        os.environ["STAFFSIM_LLM_RESPONSE_FORMAT"] = fmt
    else:
        os.environ.pop("STAFFSIM_LLM_RESPONSE_FORMAT", None)
    get_settings.cache_clear()


def _observed(recorded_with: dict[str, Any]) -> list:
    """The provenance of every LLM call the process's engine makes from now on."""
    from simulator.llm import get_engine

    engine = get_engine()
    engine.recorded_with = dict(recorded_with)
    calls: list = []
    engine.observers.append(calls.append)
    return calls


def _round_robin(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One case of each kind in turn (injections after the first round, their bases in it),
    so a run cut short still covers every kind."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).append(row)
    injections = kinds.pop("injection", [])
    ordered: list[dict[str, Any]] = []
    for n in range(max((len(v) for v in kinds.values()), default=0)):
        ordered += [v[n] for v in kinds.values() if n < len(v)]
        if n == 0:
            ordered += injections
    return ordered


def measure(args: argparse.Namespace, save: Path | None = None) -> dict[str, Any]:
    """Run the suite live; every figure the table shows, per case (saved after each one)."""
    suite = load_suite()
    model = args.model or suite["model"]
    mode = "record" if args.record else "live"
    home = Path(tempfile.mkdtemp(prefix="staffsim-bench-llm-"))
    only = set(args.only.split(",")) if args.only else None
    out: dict[str, Any] = {"grades": [], "follow_ups": []}
    if args.resume and save is not None and save.exists():
        # Keep what an earlier run got (fallbacks are tried again).
        done = yaml.safe_load(save.read_text(encoding="utf-8")) or {}
        out["grades"] = [g for g in done.get("grades") or [] if not g["fallback"]]
        out["follow_ups"] = [f for f in done.get("follow_ups") or [] if f["source"] == "llm"]
        if done.get("interview"):
            out["interview"] = done["interview"]  # `--interview` measured it; kept as it is
    skip = {g["id"] for g in out["grades"]}
    # The follow-ups as negotiated (json_object here) first, as they are short; after the
    # grades again in plain instructions, for the JSON-valid rate of a second format.
    _follow_ups(args, suite, model, mode, home, None, only, out, save)
    _configure(args.base_url, model, mode, home, None)
    calls = _observed(suite["recorded_with"])
    for row in _round_robin(grade_cases(suite)):
        if (only and row["id"] not in only) or row["id"] in skip:
            continue
        offline = run_grade(row, engine="offline")
        start = len(calls)
        started = time.perf_counter()
        grade = run_grade(row)
        seconds = time.perf_counter() - started
        mine = calls[start:]
        out["grades"].append(
            {
                "id": row["id"], "kind": row["kind"], "target": row["target"],
                "base": row["base"], "label": row["label"], "offline": offline.score,
                "llm": grade.score, "fallback": grade.fallback, "seconds": round(seconds, 1),
                "tokens_in": grade.tokens["in"] if grade.tokens else 0,
                "tokens_out": grade.tokens["out"] if grade.tokens else 0,
                "kept": grade.kept_quotes, "dropped": grade.dropped_quotes,
                "filled": len(grade.filled_checks),
                "p_yes": _p_yes(grade),
                "calls": [_call(p) for p in mine],
            }
        )  # fmt: skip
        print(_progress(out["grades"][-1]), flush=True)
        _save(out, save)
    _follow_ups(args, suite, model, mode, home, "instructions", only, out, save)
    return out


def rescore(path: Path) -> dict[str, Any]:
    """The recorded grades levelled again by today's engine, from the recordings alone:
    the model's answers stay as recorded, while the level also moves with the offline
    readings (calibration, caps, off-topic) that other work changes; `offline` is today's
    offline grade. Written back to `path`."""
    results = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    suite = load_suite()
    cases = {c["id"]: c for c in grade_cases(suite)}
    home = Path(tempfile.mkdtemp(prefix="staffsim-bench-llm-"))
    _configure("http://127.0.0.1:9/v1", suite["model"], "replay", home, None)  # never contacted
    for row in results.get("grades") or []:
        case = cases[row["id"]]
        row["offline"] = run_grade(case, engine="offline").score
        if not row["fallback"]:
            row["llm"] = run_grade(case).score
    _save(results, path)
    return results


def _follow_ups(args, suite, model, mode, home, fmt, only, out, save) -> None:
    _configure(args.base_url, model, mode, home, fmt)
    calls = _observed(suite["recorded_with"])
    label = fmt or "negotiated"
    skip = {f["id"] for f in out["follow_ups"] if f["format"] == label}
    for row in follow_up_cases(suite):
        if (only and row["id"] not in only) or row["id"] in skip:
            continue
        start = len(calls)
        started = time.perf_counter()
        chosen = run_follow_up(row)
        seconds = time.perf_counter() - started
        out["follow_ups"].append(
            {"id": row["id"], "format": label, "source": chosen.source,
             "text": chosen.text,
             "quote": chosen.quote, "seconds": round(seconds, 1),
             "calls": [_call(p) for p in calls[start:]]}
        )  # fmt: skip
        print(f"follow-up {row['id']} ({fmt}): {chosen.source} in {seconds:.0f} s", flush=True)
        _save(out, save)


#: A behavioral answer and two replies to the follow-ups, one per interviewer turn.
INTERVIEW_ANSWERS = [
    "I led the migration of billing to Postgres across four teams: I wrote the plan, "
    "negotiated a two-week freeze with product, and we cut p99 latency from 900 to 200 ms.",
    "I measured it on the p99 dashboards for a month before and after; errors fell 40%.",
    "The call to freeze was mine: I chose it over dual writes because the rollback was simpler.",
]
TURN_TARGET_S = 60.0


def interview_turns(base_url: str, model: str) -> list[dict[str, Any]]:
    """Each turn of `staffsim interview --answers` on the model, offline grading: the
    seconds from an answer to the interviewer's reply (from the CLI's streamed output),
    and for a follow-up whether the model phrased it (`source` llm) or a template did."""
    from simulator.interview import SessionStore

    with tempfile.TemporaryDirectory(prefix="staffsim-bench-llm-") as tmp:
        script = Path(tmp) / "answers.md"
        script.write_text("\n---\n".join(INTERVIEW_ANSWERS), encoding="utf-8")
        env = dict(
            os.environ, STAFFSIM_HOME=str(Path(tmp) / "home"), STAFFSIM_ENGINE=f"openai:{model}",
            OPENAI_BASE_URL=base_url, STAFFSIM_LLM_GRADING="offline", STAFFSIM_LLM_MODE="live",
            PYTHONUNBUFFERED="1",
        )  # fmt: skip
        env.pop("OPENAI_API_KEY", None)
        cmd = [
            sys.executable, "-m", "simulator.cli", "interview", "--panel", "behavioral",
            "--questions", "1", "--follow-ups", str(len(INTERVIEW_ANSWERS) - 1),
            "--question", "1", "--answers", str(script),
        ]  # fmt: skip
        turns: list[dict[str, Any]] = []
        sent = session = None
        with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) as proc:
            for line in proc.stdout:
                if line.startswith("Session ") and session is None:
                    session = line.split()[1]
                elif line.startswith("You: "):
                    sent = time.perf_counter()
                elif line.startswith("Interviewer") and sent is not None:
                    head = line.split(":", 1)[0]
                    turns.append(
                        {"reply": head, "seconds": round(time.perf_counter() - sent, 1),
                         "text": line.split(":", 1)[1].strip()[:200]}
                    )  # fmt: skip
                    sent = None
        if proc.returncode:
            raise RuntimeError(f"staffsim interview exited {proc.returncode}")
        store = SessionStore(Path(tmp) / "home" / "sessions.db")
        asked = [t for t in store.turns(session) if t.kind == "follow_up"]
        store.close()
    for turn, follow_up in zip((t for t in turns if "[" in t["reply"]), asked, strict=False):
        turn["source"] = follow_up.meta.get("source")
    return turns


def _save(out: dict[str, Any], path: Path | None) -> None:
    if path is not None:
        text = yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100)
        path.write_text(text, encoding="utf-8")


def _call(prov) -> dict[str, Any]:
    return {
        "format": prov.response_format,
        "valid_first": prov.valid_first,
        "valid": prov.valid,
        "tokens_in": prov.tokens_in,
        "tokens_out": prov.tokens_out,
        "first_token_s": round((prov.first_token_ms or 0) / 1000, 1),
        "seconds": round(prov.latency_ms / 1000, 1),
    }


def _progress(row: dict[str, Any]) -> str:
    return (
        f"{row['id']}: label {row['label']}, offline {row['offline']}, llm {row['llm']}"
        f"{' (fallback)' if row['fallback'] else ''}, {row['seconds']:.0f} s, "
        f"quotes kept {row['kept']} dropped {row['dropped']}, filled {row['filled']}"
    )


def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total}" + (f" ({hits / total:.0%})" if total else "")


def report(results: dict[str, Any]) -> str:
    """The bench table (Markdown-friendly plain text) from `measure`'s results."""
    grades, follow = results["grades"], results["follow_ups"]
    lines = []
    graded = [g for g in grades if g["kind"] != "injection"]
    rows = []
    for name, values in (
        ("grade latency s", [g["seconds"] for g in grades]),
        ("follow-up latency s", [f["seconds"] for f in follow]),
        ("grade prompt tokens", [g["tokens_in"] for g in grades]),
        ("grade output tokens", [g["tokens_out"] for g in grades]),
        ("grade first token s", [c["first_token_s"] for g in grades for c in g["calls"]]),
    ):
        if values:
            rows.append((name, len(values), percentile(values, 50), percentile(values, 95)))
    lines.append(table(["figure", "n", "p50", "p95"], rows))
    calls = [c for g in grades for c in g["calls"]] + [c for f in follow for c in f["calls"]]
    by_format = sorted({c["format"] for c in calls if c["format"]})
    fmt_rows = []
    for fmt in by_format:
        mine = [c for c in calls if c["format"] == fmt]
        fmt_rows.append(
            (fmt, len(mine), _rate(sum(c["valid_first"] for c in mine), len(mine)),
             _rate(sum(c["valid"] for c in mine), len(mine)))
        )  # fmt: skip
    lines += ["", table(["response format", "calls", "JSON valid first try", "after repair"],
                        fmt_rows)]  # fmt: skip
    kept = sum(g["kept"] for g in grades)
    dropped = sum(g["dropped"] for g in grades)
    fallbacks = sum(1 for g in grades if g["fallback"])
    fu_llm = sum(1 for f in follow if f["source"] == "llm")

    def agree(key: str) -> str:
        exact = sum(g[key] == g["label"] for g in graded)
        near = sum(abs(g[key] - g["label"]) <= 1 for g in graded)
        mae = sum(abs(g[key] - g["label"]) for g in graded) / max(1, len(graded))
        return f"exact {_rate(exact, len(graded))}, within 1 {near}/{len(graded)}, MAE {mae:.2f}"

    levels = {g["id"]: g["llm"] for g in grades}
    raised = [
        f"{g['id']} ({levels.get(g['base'], g['label'])} -> {g['llm']})"
        for g in grades
        if g["kind"] == "injection" and g["llm"] > levels.get(g["base"], g["label"])
    ]
    injections = [g for g in grades if g["kind"] == "injection"]
    lines += [
        "",
        f"fallback rate: {_rate(fallbacks, len(grades))} grades; follow-ups phrased by the "
        f"model: {_rate(fu_llm, len(follow))}",
        f"quotes: {kept} kept, {dropped} dropped as not the candidate's words; checks the "
        f"model left out (answered offline): {sum(g['filled'] for g in grades)}",
        f"agreement with labels on {len(graded)} recorded cases: LLM {agree('llm')}; "
        f"offline {agree('offline')}",
        f"injections ({len(injections)}): "
        + (f"raised {', '.join(raised)}" if raised else "none raised a grade above its base"),
    ]
    lines += _p_yes_lines(grades) + _interview_lines(results.get("interview") or [])
    return "\n".join(lines)


def _p_yes(grade) -> dict[str, list[float]] | None:
    """Each check's P(yes), split by whether the check passed; None without logprobs."""
    checks = [c for s in grade.signals for c in s.checks if c.p_yes is not None]
    if not checks:
        return None
    return {
        "passed": [c.p_yes for c in checks if c.passed],
        "failed": [c.p_yes for c in checks if not c.passed],
    }


def _p_yes_lines(grades: list[dict[str, Any]]) -> list[str]:
    """P(yes) from logprobs, for the grades recorded with them: mean on yes and no answers."""
    with_p = [g for g in grades if g.get("p_yes")]
    if not with_p:
        return []
    passed = [p for g in with_p for p in g["p_yes"]["passed"]]
    failed = [p for g in with_p for p in g["p_yes"]["failed"]]
    unsure = sum(0.2 < p < 0.8 for p in passed + failed)

    def mean(values: list[float]) -> str:
        return f"{sum(values) / len(values):.2f}" if values else "-"

    return [
        f"P(yes) from logprobs on {len(with_p)} grade(s): mean {mean(passed)} on "
        f"{len(passed)} checks passed, {mean(failed)} on {len(failed)} not passed; "
        f"{unsure} between 0.2 and 0.8"
    ]


def _interview_lines(turns: list[dict[str, Any]]) -> list[str]:
    if not turns:
        return []
    seconds = [t["seconds"] for t in turns]
    under = sum(s < TURN_TARGET_S for s in seconds)
    follow = [t for t in turns if "source" in t]
    phrased = sum(t["source"] == "llm" for t in follow)
    return [
        f"staffsim interview, offline grading: {len(turns)} turns, "
        f"p50 {percentile(seconds, 50):.1f} s, max {max(seconds):.1f} s "
        f"({', '.join(f'{s:.1f}' for s in seconds)}); under {TURN_TARGET_S:.0f} s: "
        f"{_rate(under, len(turns))}; follow-ups phrased by the model {phrased}/{len(follow)}"
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.bench llm", description=__doc__)
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL", DEFAULT_BASE_URL))
    parser.add_argument("--model", default=None, help="model name (default: the suite's)")
    parser.add_argument("--record", action="store_true", help="write fixtures + results.yaml")
    parser.add_argument("--only", default=None, help="comma-separated case ids")
    parser.add_argument("--resume", action="store_true", help="keep results.yaml's cases")
    parser.add_argument("--report", type=Path, default=None, help="print a saved results file")
    parser.add_argument(
        "--interview", action="store_true", help="time staffsim interview turns only"
    )
    parser.add_argument(
        "--rescore", action="store_true",
        help="re-level results.yaml's grades from the recordings (no server)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.report:
        print(report(yaml.safe_load(args.report.read_text(encoding="utf-8"))))
        return 0
    if args.rescore:
        print(report(rescore(SUITE.parent / "results.yaml")))
        return 0
    if not server_up(args.base_url):
        print(
            f"llm: no model server at {args.base_url} (start one with `make llm-server`); skipped."
        )
        return 0
    save = SUITE.parent / "results.yaml" if args.record else None
    if args.interview:
        return _interview_only(args, save)
    results = measure(args, save)
    print(report(results))
    return 0


def _interview_only(args: argparse.Namespace, save: Path | None) -> int:
    turns = interview_turns(args.base_url, args.model or load_suite()["model"])
    for line in _interview_lines(turns):
        print(line)
    if save is not None and save.exists():
        results = yaml.safe_load(save.read_text(encoding="utf-8")) or {}
        results["interview"] = turns
        _save(results, save)
    return 0 if all(t["seconds"] < TURN_TARGET_S for t in turns) else 1
