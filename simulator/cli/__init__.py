"""The `staffsim` command: a thin layer over `simulator.api`.

Each command group lives in its own module and imports heavy libraries only inside
its commands, so `staffsim --help` stays fast.
"""

from __future__ import annotations

import importlib

import click

from simulator.cli._common import run_main

#: (module, attribute) of every command or group; each module registers one name.
_COMMANDS = [
    ("simulator.cli.corpus", "corpus"),
    ("simulator.cli.corpus", "panels"),
    ("simulator.cli.doctor", "doctor"),
    ("simulator.cli.eval", "eval"),
    ("simulator.cli.prompts", "prompts"),
    ("simulator.cli.grading", "critique"),
    ("simulator.cli.grading", "grade"),
    ("simulator.cli.store", "ingest"),
    ("simulator.cli.store", "add"),
    ("simulator.cli.store", "docs"),
    ("simulator.cli.store", "ask"),
    ("simulator.cli.interview", "interview"),
    ("simulator.cli.interview", "sessions"),
]


class _LazyGroup(click.Group):
    """Imports a command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for _, name in _COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module, name in _COMMANDS:
            if name == cmd_name:
                return getattr(importlib.import_module(module), name.replace("-", "_"))
        return None


@click.group(cls=_LazyGroup)
@click.version_option(package_name="staffsim")
def cli() -> None:
    """StaffSim: mock Staff+ interviews and critiques of Staff artifacts."""


def main() -> None:
    run_main(cli)
