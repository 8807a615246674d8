"""`staffsim corpus ...` and `staffsim panels ...`: the compendium and the panel rubrics."""

from __future__ import annotations

import click

from simulator.cli._common import echo_json


def _kind_summary(kind) -> dict:
    return {
        "id": kind.id,
        "number": kind.number,
        "title": kind.title,
        "purpose": kind.purpose,
        "template": [f.name for f in kind.template],
        "pitfalls": kind.pitfalls,
        "metrics": [m.model_dump(exclude_none=True) for m in kind.metrics],
    }


@click.group()
def corpus() -> None:
    """The compendium's 20 artifact kinds."""


@corpus.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def corpus_list(as_json: bool) -> None:
    """List the artifact kinds."""
    from simulator import api

    kinds = api.list_kinds()
    if as_json:
        echo_json([_kind_summary(k) for k in kinds])
        return
    for k in kinds:
        click.echo(f"{k.id:<20} {k.number:>2}. {k.title}")


@corpus.command("show")
@click.argument("kind")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def corpus_show(kind: str, as_json: bool) -> None:
    """Show one artifact kind: template, pitfalls, metrics."""
    from simulator import api

    k = api.get_kind(kind)
    if as_json:
        echo_json(k)
        return
    click.echo(f"{k.number}. {k.title}\n\nPurpose: {k.purpose}\nWhen to use: {k.when_to_use}\n")
    click.echo("Template:")
    for f in k.template:
        click.echo(f"  - {f.name}" + (f" ({f.detail})" if f.detail else ""))
    click.echo("Pitfalls:\n" + "\n".join(f"  - {p}" for p in k.pitfalls))
    click.echo("Metrics:\n" + "\n".join(f"  - {m.text}" for m in k.metrics))


def _panel_summary(panel) -> dict:
    return {
        "id": panel.id,
        "version": panel.version,
        "name": panel.name,
        "goal": panel.goal,
        "signals": [{"id": s.id, "name": s.name, "weight": s.weight} for s in panel.signals],
        "questions": list(panel.questions),
        "failure_modes": list(panel.failure_modes),
        "levels": dict(panel.levels),
    }


@click.group()
def panels() -> None:
    """The interview panels of the simulation matrix."""


@panels.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def panels_list(as_json: bool) -> None:
    """List the panels with their signals."""
    from simulator import api

    items = api.list_panels()
    if as_json:
        echo_json([_panel_summary(p) for p in items])
        return
    for p in items:
        click.echo(f"{p.id:<24} {p.name} ({len(p.signals)} signals, {len(p.questions)} questions)")


@panels.command("show")
@click.argument("panel")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def panels_show(panel: str, as_json: bool) -> None:
    """Show one panel: goal, signals, questions, failure modes, level expectations."""
    from simulator import api

    p = api.get_panel(panel)
    if as_json:
        echo_json(p)
        return
    click.echo(f"{p.name} (v{p.version})\nGoal: {p.goal}\n\nSignals:")
    for s in p.signals:
        click.echo(f"  - {s.name} [{s.id}, weight {s.weight}]: {s.strong}")
    click.echo("Questions:\n" + "\n".join(f"  - {q}" for q in p.questions))
    click.echo("Failure modes:\n" + "\n".join(f"  - {f}" for f in p.failure_modes))
    for level, text in p.levels.items():
        click.echo(f"{level.title()}: {text}")
