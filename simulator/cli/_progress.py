"""Progress of long ingests on stderr: a bar in a terminal, one line per stage otherwise."""

from __future__ import annotations

import sys
from typing import TextIO

import click

#: Outside a terminal, a counted stage also reports when it passes each quarter.
_MARKS = (0.25, 0.5, 0.75)


class TerminalProgress:
    """A `simulator.store.ingest.Progress` that writes to stderr (or `stream`)."""

    def __init__(self, stream: TextIO | None = None, *, bar: bool | None = None):
        self.stream = stream or sys.stderr
        self.bar_wanted = self.stream.isatty() if bar is None else bar
        self._bar = None
        self._name = ""
        self._total = 0
        self._done = 0
        self._marks: list[float] = []

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc) -> None:
        self._close_bar()  # an error line must not land on a half-drawn bar

    def _line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(f"staffsim: {text}", file=self.stream)
        else:
            click.echo(f"staffsim: {text}", file=self.stream)

    def stage(self, name: str, total: int | None = None) -> None:
        self._close_bar()
        self._name, self._total, self._done = name, total or 0, 0
        self._marks = list(_MARKS)
        if total and self.bar_wanted:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="chunk", desc=name, file=self.stream, leave=False)
            return
        self._line(f"{name}: {total} chunks" if total else name)

    def advance(self, n: int) -> None:
        self._done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        if not self._total:
            return
        share = self._done / self._total
        passed = [m for m in self._marks if share >= m]
        if passed:
            self._marks = [m for m in self._marks if share < m]
            self._line(f"{self._name}: {self._done}/{self._total} chunks ({share:.0%})")

    def done(self, summary: str) -> None:
        self._close_bar()
        self._line(summary)

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
