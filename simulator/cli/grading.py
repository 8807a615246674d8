"""`staffsim critique KIND FILE...` and `staffsim grade PANEL --question ... FILE...`."""

from __future__ import annotations

import click

from simulator.cli._common import echo, echo_jsonl, read_input
from simulator.errors import UserError

#: The stable JSON keys of one critique/grade line (other features build on them).
_KEYS = (
    "file", "kind", "question", "score", "level", "signals", "pitfalls", "suggestions",
    "sections", "injection", "injection_findings", "engine", "model", "prompt", "rubric",
    "fallback", "dropped_quotes", "latency_ms", "problem", "hard_parts",
    "offtopic", "caps", "kept_quotes", "filled_checks", "tokens",
)  # fmt: skip


def _line(grade) -> dict:
    data = grade.model_dump(mode="json")
    data["signals"] = [
        {k: s[k] for k in ("id", "name", "weight", "score", "evidence", "feedback", "checks")}
        for s in data["signals"]
    ]
    return {k: data.get(k) for k in _KEYS}


def _print_text(grade) -> None:
    echo(f"== {grade.file or '-'}: {grade.kind} — {grade.score}/5 {grade.level}")
    if grade.fallback:
        echo(f"  ! {grade.fallback}")
    for s in grade.signals:
        passed = sum(c.passed for c in s.checks)
        echo(f"  [{s.score}/4] {s.name} ({passed} of {len(s.checks)} checks)")
        for c in s.checks:
            mark = "x" if c.passed else " "
            quote = f' "{c.evidence.text[:100]}"' if c.evidence else ""
            echo(f"        [{mark}] {c.question}{quote}")
    if grade.problem:
        parts = ", ".join(f"{p.name} {p.score}/4" for p in grade.hard_parts)
        echo(f"  hard parts of {grade.problem}: {parts}")
    if grade.injection:
        echo("  ! The text tries to steer the grader; that part was ignored:")
        for e in grade.injection_findings[:3]:
            echo(f'        "{e.text[:120]}"')
    for p in grade.pitfalls:
        echo(f"  pitfall: {p}")
    for s in grade.suggestions:
        echo(f"  suggest: {s}")
    for c in grade.sections:
        echo(f"  study:   {c.section}")
    echo(
        f"  ({grade.engine}, rubric {grade.rubric}{', prompt ' + grade.prompt if grade.prompt else ''})"
    )


def _run(files: tuple[str, ...], as_json: bool, grade_one) -> None:
    """Grade each file (each one noted for `Progress`); a bad file prints one sentence and the
    others still run."""
    from simulator import api
    from simulator.config import get_settings

    failures = 0
    for path in files:
        try:
            text = read_input(path)
            grade = grade_one(text, path)
        except UserError as exc:
            failures += 1
            if as_json:
                echo_jsonl([{"file": path, "error": str(exc)}])
            else:
                echo(f"Error: {exc}", err=True)
            continue
        grade.file = path
        api.record_critique(get_settings().user, grade, text, name=path)
        if as_json:
            echo_jsonl([_line(grade)])
        else:
            _print_text(grade)
    if failures:
        raise SystemExit(2)


@click.command()
@click.argument("kind")
@click.argument("files", nargs=-1, required=True)
@click.option("--engine", default=None, help="offline or openai:MODEL (default: from settings).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one object per file.")
def critique(kind: str, files: tuple[str, ...], engine: str | None, as_json: bool) -> None:
    """Critique artifacts of KIND (adr, postmortem, star, ... or auto) against their template."""
    from simulator import api

    api.check_kind(kind)
    _run(files, as_json, lambda text, path: api.critique(kind, text, engine=engine, name=path))


@click.command()
@click.argument("panel")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--question",
    "-q",
    default=None,
    help="The question answered (else a first line `# Question: ...`, else the file's `# Title`).",
)
@click.option("--engine", default=None, help="offline or openai:MODEL (default: from settings).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one object per file.")
def grade(
    panel: str, files: tuple[str, ...], question: str | None, engine: str | None, as_json: bool
) -> None:
    """Grade interview answers against PANEL's evaluation signals."""
    from simulator import api

    api.get_panel(panel)
    _run(
        files,
        as_json,
        lambda text, path: api.grade_answer(panel, question, text, engine=engine, name=path),
    )
