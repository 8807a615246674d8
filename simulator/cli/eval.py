"""`staffsim eval run` (suites -> metrics, four reports, a gate) and `staffsim eval compare`."""

from __future__ import annotations

import os
import sys

import click

from simulator.cli._common import echo_json


@click.group("eval")
def eval_() -> None:
    """Offline evals: grader agreement, injection invariance, degradations, retrieval."""


#: `_COMMANDS` looks the group up by its command name.
eval = eval_  # noqa: A001


@eval_.command("run")
@click.option(
    "--suite",
    "suites",
    multiple=True,
    metavar="S",
    help="Suite id or suite file (repeatable); default: every suite in evals/suites/.",
)
@click.option(
    "--engine",
    envvar="STAFFSIM_ENGINE",
    default=None,
    help="offline or openai:MODEL (default: from settings).",
)
@click.option(
    "--mode",
    type=click.Choice(["live", "record", "replay"]),
    envvar="STAFFSIM_LLM_MODE",
    default=None,
    help="LLM calls: live, record fixtures, or replay fixtures only.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the reports (default: $STAFFSIM_HOME/evals/<run-id>/).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=None,
    help="Cases graded at once (default: 1 offline, STAFFSIM_LLM_CONCURRENCY for LLMs).",
)
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
def run_cmd(suites, engine, mode, report_dir, concurrency, no_progress, as_json) -> None:
    """Run eval suites, write JSON/Markdown/JUnit/HTML reports; exit 1 when a gate falls short."""
    from pathlib import Path

    from simulator.config import get_settings
    from simulator.evals.reports import runs_dir, summary_markdown, write_reports
    from simulator.evals.runner import run
    from simulator.evals.suites import find_suites

    overrides = {"STAFFSIM_ENGINE": engine, "STAFFSIM_LLM_MODE": mode}
    saved = {k: os.environ.get(k) for k in overrides}
    try:
        # The graders read settings from the environment; the overrides last for this run only.
        os.environ.update({k: v for k, v in overrides.items() if v})
        get_settings.cache_clear()
        settings = get_settings()
        chosen = find_suites(list(suites))
        workers = concurrency or (1 if settings.is_offline else settings.llm_concurrency)
        result = run(
            chosen,
            engine=settings.engine_name,
            concurrency=workers,
            progress=not no_progress and not as_json,
        )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
    folder = Path(report_dir) if report_dir else runs_dir() / result.run_id
    files = write_reports(result, folder)
    if as_json:
        echo_json(result)
    else:
        click.echo(summary_markdown(result))
        click.echo("Reports: " + ", ".join(str(p) for p in files.values()))
    if not result.passed:
        click.echo(f"Eval gate failed: {len(result.shortfalls)} shortfall(s).", err=True)
        sys.exit(1)


@eval_.command("compare")
@click.argument("run_a")
@click.argument("run_b")
@click.option("--all", "all_metrics", is_flag=True, help="List unchanged metrics too.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def compare_cmd(run_a: str, run_b: str, all_metrics: bool, as_json: bool) -> None:
    """Two runs (folders, run ids or `latest`) side by side: metric deltas, changed cases."""
    from simulator.evals.compare import compare, comparison_markdown
    from simulator.evals.reports import resolve_run
    from simulator.evals.results import load_run

    cmp = compare(load_run(resolve_run(run_a)), load_run(resolve_run(run_b)))
    if as_json:
        echo_json(cmp)
    else:
        click.echo(comparison_markdown(cmp, all_metrics=all_metrics))
