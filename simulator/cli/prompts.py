"""`staffsim prompts`: list, show, diff and lock the versioned prompt registry."""

from __future__ import annotations

import difflib
import sys

import click

from simulator.cli._common import echo_json
from simulator.errors import UserError


def _registry():
    from simulator.llm.prompts import get_registry

    return get_registry()


def _row(prompt, locked: dict[str, str]) -> dict:
    key = f"{prompt.id}@v{prompt.version}"
    status = "unlocked" if key not in locked else "locked"
    if key in locked and locked[key] != prompt.sha256:
        status = "changed"
    return {
        "id": prompt.id,
        "version": prompt.version,
        "sha256": prompt.sha256,
        "labels": prompt.labels,
        "lock": status,
        "output_schema": prompt.record.output_schema,
        "inputs": prompt.record.inputs,
        "path": str(prompt.path),
    }


@click.group()
def prompts() -> None:
    """The versioned prompts the LLM engine sends."""


@prompts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(as_json: bool) -> None:
    """Every prompt version with its sha256 and labels."""
    from simulator.llm.prompts import read_lock

    registry = _registry()
    locked = read_lock(registry.root)
    rows = [_row(p, locked) for p in registry.all()]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        labels = ",".join(row["labels"]) or "-"
        click.echo(
            f"{row['id']:<20} v{row['version']:<3} {row['sha256'][:12]}  {labels:<22} {row['lock']}"
        )


@prompts.command()
@click.argument("ref")
@click.option("--label", default=None, help="Pick the version holding this label.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(ref: str, label: str | None, as_json: bool) -> None:
    """One prompt version: ID (label-chosen), ID@N or ID@vN."""
    prompt = _registry().get(ref, label)
    if as_json:
        echo_json({"ref": prompt.ref, "sha256": prompt.sha256, **prompt.record.model_dump()})
        return
    click.echo(f"# {prompt.ref}")
    click.echo(prompt.path.read_text(encoding="utf-8"), nl=False)


@prompts.command()
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def diff(a: str, b: str, as_json: bool) -> None:
    """A unified diff between two versions: ID@A ID@B."""
    if "@" not in a or "@" not in b:
        raise UserError(
            "Give two versions, e.g. `staffsim prompts diff grade_answer@1 grade_answer@2`."
        )
    registry = _registry()
    left, right = registry.get(a), registry.get(b)
    lines = list(
        difflib.unified_diff(
            left.path.read_text(encoding="utf-8").splitlines(),
            right.path.read_text(encoding="utf-8").splitlines(),
            fromfile=f"{left.id}@v{left.version}",
            tofile=f"{right.id}@v{right.version}",
            lineterm="",
        )
    )
    if as_json:
        echo_json({"from": left.ref, "to": right.ref, "diff": "\n".join(lines)})
        return
    click.echo("\n".join(lines) if lines else "(no differences)")


@prompts.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def lock(as_json: bool) -> None:
    """Add new prompt versions to prompts/registry.lock; never rewrites a locked one."""
    from simulator.llm.prompts import lock as lock_registry

    added = lock_registry(_registry())
    if as_json:
        echo_json({"added": added})
        return
    click.echo("locked: " + (", ".join(added) if added else "nothing new"))


@prompts.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(as_json: bool) -> None:
    """Fail if a released version was edited or a version is not locked."""
    from simulator.llm.prompts import check_lock

    problems = check_lock(_registry())
    if as_json:
        echo_json({"ok": not problems, "problems": problems})
    else:
        click.echo("\n".join(problems) if problems else "prompt lock ok")
    if problems:
        sys.exit(1)
