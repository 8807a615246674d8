"""Record the LLM grader's fixtures: `python -m simulator.evals.record`.

Starts the StaffSim reference server on 127.0.0.1 with the offline grader behind it
(`refresponder`), then critiques/grades the labeled sets' cases through the real LLM
client path in record mode, so `STAFFSIM_LLM_MODE=replay` can run them with no network.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from simulator.config import EVALS_DIR, get_settings

SETS = ("star", "design", "adr", "postmortem")


def record(sets: list[str], split: str | None, out: Path, injections: bool = True) -> int:
    """Record every case of `sets` (and the injection set); returns the number of calls."""
    from simulator.evals.labeled import base_case, load_injections, load_labeled
    from simulator.evals.suites import default_question
    from simulator.grading import refresponder
    from simulator.llm.refserver import RefServer

    count = 0
    with RefServer() as server:
        server.set_responder(refresponder.respond, refresponder.MODEL)
        os.environ.update(
            OPENAI_BASE_URL=server.base_url,
            STAFFSIM_ENGINE=f"openai:{refresponder.MODEL}",
            STAFFSIM_LLM_MODE="record",
            STAFFSIM_FIXTURES=str(out),
        )
        os.environ.pop("OPENAI_API_KEY", None)
        get_settings.cache_clear()
        for name in sets:
            labeled = load_labeled(name)
            for case in labeled.cases:
                if split and case.split != split:
                    continue
                _run(name, case.text, getattr(case, "question", None))
                count += 1
        if injections:
            for inj in load_injections():
                _, case = base_case(inj)
                question = default_question(inj.target, getattr(case, "question", None))
                run_target(inj.target, case.text, question)  # the base, for the comparison
                run_target(inj.target, inj.apply(case.text), question)
                count += 2
    return count


def _run(name: str, text: str, question: str | None) -> None:
    run_target("grade system-design" if name == "design" else f"critique {name}", text, question)


def run_target(target: str, text: str, question: str | None = None):
    """Run a `critique KIND` or `grade PANEL` target on `text` -> `Grade`."""
    from simulator import api

    verb, _, what = target.partition(" ")
    if verb == "grade":
        return api.grade_answer(what, question, text)
    return api.critique(what, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--split", default="test", help="calibration, test, or all")
    parser.add_argument("--out", type=Path, default=EVALS_DIR / "fixtures")
    parser.add_argument("--no-injections", action="store_true")
    args = parser.parse_args(argv)
    split = None if args.split == "all" else args.split
    n = record(args.sets.split(","), split, args.out, injections=not args.no_injections)
    print(f"recorded {n} grading calls into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
