"""Helpers every command module shares: JSON output and the one-sentence error policy."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

import click

from simulator.errors import UserError


def _plain(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def echo_json(obj: Any) -> None:
    """Print one JSON document."""
    click.echo(json.dumps(_plain(obj), indent=2, ensure_ascii=False, default=str))


def echo_jsonl(objs: Iterable[Any]) -> None:
    """Print JSON Lines, one object per line, flushed as each is ready."""
    for obj in objs:
        click.echo(json.dumps(_plain(obj), ensure_ascii=False, default=str))
        sys.stdout.flush()


def read_input(path: str) -> str:
    """Read a text file, or stdin for `-`; a bad file raises a `UserError`."""
    from simulator.textio import read_text_file

    if path == "-":
        return sys.stdin.read()
    return read_text_file(path)


def run_main(group: click.Group) -> None:
    """Run the CLI; a `UserError` becomes one sentence on stderr and exit code 2."""
    try:
        group.main(standalone_mode=False)
    except UserError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
