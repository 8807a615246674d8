"""Helpers every command module shares: JSON output and the one-sentence error policy."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

import click

from simulator.errors import UserError

#: Escaped in JSON too: DEL, C1 and the bidirectional overrides `printable` strips.
_C1 = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _plain(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def echo(message: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold users' or documents' words, without terminal controls."""
    from simulator.textio import printable

    click.echo(printable(str(message)), err=err, nl=nl)


def _dumps(obj: Any, **kwargs: Any) -> str:
    # json escapes C0 controls itself; DEL, C1 (0x9b is a one-byte CSI) and bidi overrides get
    # the same \u form, so a terminal never acts on them and a JSON reader gets the text back.
    text = json.dumps(_plain(obj), ensure_ascii=False, default=str, **kwargs)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo_json(obj: Any) -> None:
    """Print one JSON document."""
    click.echo(_dumps(obj, indent=2))


def echo_jsonl(objs: Iterable[Any]) -> None:
    """Print JSON Lines, one object per line, flushed as each is ready."""
    for obj in objs:
        click.echo(_dumps(obj))
        sys.stdout.flush()


def read_input(path: str) -> str:
    """Read a text file, or stdin for `-`; a bad file raises a `UserError`."""
    from simulator.textio import read_text_file

    if path == "-":
        return sys.stdin.read()
    return read_text_file(path)


def _user(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise UserError("--user is empty; give a name (e.g. --user alice) or leave it out.")
    return value


def user_option(help: str):
    """`--user` (or STAFFSIM_USER): whose documents; an empty name is refused, not `local`."""
    return click.option("--user", default=None, envvar="STAFFSIM_USER", help=help, callback=_user)


def run_main(group: click.Group) -> None:
    """Run the CLI; a `UserError` becomes one sentence on stderr and exit code 2."""
    try:
        group.main(standalone_mode=False)
    except UserError as exc:
        echo(f"Error: {exc}", err=True)
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
