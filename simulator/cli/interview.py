"""`staffsim interview` and `staffsim sessions list|show|resume|export`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TextIO

import click

from simulator.cli._common import echo, echo_json
from simulator.errors import UserError
from simulator.textio import printable

_PANELS = (
    "coding", "system-design", "architecture-deep-dive", "behavioral", "leadership",
    "cross-functional", "bar-raiser",
)  # fmt: skip
_SHOW_GRADES = click.option(
    "--show-grades/--no-show-grades",
    "show_grades",
    default=False,
    envvar="STAFFSIM_SHOW_GRADES",
    help="Print each question's grade as soon as the interview moves past it "
    "(env STAFFSIM_SHOW_GRADES).",
)
PAUSE = "/pause"
SKIP = "/skip"
END = "/end"


def answer_blocks(stream: TextIO) -> Iterator[str]:
    """Answers from a script: blocks separated by a line holding only `---`, read lazily."""
    block: list[str] = []
    for line in stream:
        if line.strip() == "---":
            yield "".join(block).strip()
            block = []
            continue
        block.append(line)
    if "".join(block).strip():  # a blank tail after the last `---` is not an answer
        yield "".join(block).strip()


def _typed_answers() -> Iterator[str]:
    """Answers typed in the terminal: lines until an empty line; `/pause`, `/skip` and
    `/end` on their own line are commands."""
    while True:
        click.echo(click.style("You", bold=True) + " (end with an empty line):", err=True)
        lines: list[str] = []
        while True:
            try:
                line = input()
            except EOFError:
                if lines:
                    yield "\n".join(lines)
                return
            if line.strip() in (PAUSE, SKIP, END):
                yield line.strip()
                if line.strip() == PAUSE:
                    return
                lines = []
                break
            if not line.strip():
                yield "\n".join(lines)
                break
            lines.append(line)


def _answers(path: str | None) -> Iterator[str]:
    if path is None:
        return _typed_answers()
    if path == "-":
        return answer_blocks(sys.stdin)
    import io

    from simulator.textio import read_text_file

    # Read (and decoded, BOM and all) once: one clear sentence for a bad file, before any turn.
    return answer_blocks(io.StringIO(read_text_file(path)))


def _show(turns, as_json: bool) -> None:
    if as_json:
        return
    for turn in turns:
        label = "Interviewer" if turn.role == "interviewer" else "You"
        tag = f" [{turn.probes}]" if turn.kind == "follow_up" and turn.probes else ""
        click.echo(f"\n{click.style(label + tag, bold=True)}: {printable(turn.text)}")


def _grades(iv, shown: set[int]) -> None:
    """Print the grade of each question the interview has moved past, once."""
    current = None if iv.done or not iv.transcript else iv.transcript[-1].question_index
    for q in iv.scorecard().questions:
        if q.index in shown or (current is not None and q.index >= current):
            continue
        shown.add(q.index)
        signals = ", ".join(f"{s.name} {s.score}/4" for s in q.signals)
        extra = " (off-topic)" if q.offtopic else ""
        click.echo(
            f"\n{click.style(f'Grade, question {q.index + 1}', bold=True)}: "
            f"{q.level} ({q.score}/5){extra} — {signals}"
        )


def _drive(
    iv, answers: Iterator[str], as_json: bool, scripted: bool, show_grades: bool = False
) -> None:
    """Run the session until it ends or the answers run out, then print the result."""
    shown: set[int] = set()

    def reply(turns) -> None:
        if show_grades and not as_json:
            _grades(iv, shown)
        _show(turns, as_json)

    _show(iv.start(), as_json)
    while not iv.done:
        try:
            text = next(answers)
        except StopIteration:
            break
        command = text.strip().lower()
        if command == PAUSE:
            iv.pause()
            break
        if command in (SKIP, END):
            reply(iv.skip() if command == SKIP else iv.end())
            continue
        if scripted and not as_json:
            preview = " ".join(text.split())
            echo(f"\nYou: {preview[:300]}{'…' if len(preview) > 300 else ''}")
        reply(iv.answer(text))
    _finish(iv, as_json)


def _finish(iv, as_json: bool) -> None:
    if as_json:
        echo_json(iv.to_dict())
        return
    if iv.done:
        echo("\n" + iv.scorecard().to_markdown())
        click.echo(f"Export: staffsim sessions export {iv.id} --format md|json|pdf")
    else:
        click.echo(f"\nSession {iv.id} paused; continue with `staffsim sessions resume {iv.id}`.")


@click.command()
@click.option("--panel", required=True, type=click.Choice(_PANELS), help="The interview panel.")
@click.option(
    "--level",
    default="staff",
    show_default=True,
    envvar="STAFFSIM_LEVEL",
    type=click.Choice(["senior", "staff", "principal"]),
    help="Target level (env STAFFSIM_LEVEL).",
)
@click.option(
    "--questions",
    default=3,
    show_default=True,
    envvar="STAFFSIM_QUESTIONS",
    type=click.IntRange(1, 5),
    help="Main questions, 1-5 (env STAFFSIM_QUESTIONS).",
)
@click.option(
    "--follow-ups",
    "follow_ups",
    default=2,
    show_default=True,
    envvar="STAFFSIM_FOLLOW_UPS",
    type=click.IntRange(0, 5),
    help="Follow-ups at most per question (env STAFFSIM_FOLLOW_UPS).",
)
@click.option(
    "--answers",
    "answers_path",
    default=None,
    metavar="FILE",
    help="Scripted answers: blocks separated by a line holding only `---`, one per "
    "interviewer turn (question or follow-up); `-` reads stdin.",
)
@click.option(
    "--question",
    "chosen",
    multiple=True,
    metavar="TEXT|ID",
    help="A question to ask (repeatable): a bank id from --list-questions, a bank question, "
    "or your own (a design question is matched to a known problem when one fits). "
    "Default: random bank questions you have not practised lately.",
)
@click.option(
    "--list-questions", is_flag=True, help="List the panel's bank questions with their ids."
)
@_SHOW_GRADES
@click.option("--json", "as_json", is_flag=True, help="Print the transcript and scorecard as JSON.")
def interview(
    panel: str,
    level: str,
    questions: int,
    follow_ups: int,
    answers_path: str | None,
    chosen: tuple[str, ...],
    list_questions: bool,
    show_grades: bool,
    as_json: bool,
) -> None:
    """Run a mock interview: intro, questions, follow-ups on weak signals, scorecard.

    \b
    In a terminal: type each answer over one or more lines and end it with an
    empty line (an empty answer is asked again). Type /pause on its own line to
    stop, /skip to skip the question, /end to end early with a scorecard;
    `staffsim sessions resume ID` picks a paused session up where it stopped.
    Every answer is saved before the interviewer replies.
    """
    from simulator import api

    if list_questions:
        bank = api.get_panel(panel).questions
        if as_json:
            echo_json([{"id": str(n), "question": q} for n, q in enumerate(bank, start=1)])
        else:
            for n, q in enumerate(bank, start=1):
                click.echo(f"{n:>3}  {q}")
        return
    if len(chosen) > 5:
        raise UserError(f"An interview has 1 to 5 main questions, not {len(chosen)}.")
    answers = _answers(answers_path)
    iv = api.start_interview(
        panel, level=level, questions=questions, follow_ups=follow_ups, chosen=list(chosen)
    )
    if not as_json:
        click.echo(f"Session {iv.id} ({iv.rubric.name}, {level}).")
        for item in iv.row.plan:
            if item.get("problem_name"):
                click.echo(
                    f"Your question is graded as the design problem: {item['problem_name']}."
                )
    _drive(iv, answers, as_json, scripted=answers_path is not None, show_grades=show_grades)


@click.group()
def sessions() -> None:
    """Your saved interview sessions: list, show, resume, export."""


@sessions.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(as_json: bool) -> None:
    """List your sessions, newest first."""
    from simulator import api

    rows = api.list_sessions()
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    if not rows:
        click.echo("No sessions yet; start one with `staffsim interview --panel system-design`.")
    from datetime import datetime

    for r in rows:
        when = datetime.fromtimestamp(r.created_at).strftime("%Y-%m-%d %H:%M")
        score = f"{r.scorecard['score']}/5 {r.scorecard['recommendation']}" if r.scorecard else "-"
        first = r.plan[0]["text"] if r.plan else ""
        more = f" (+{len(r.plan) - 1})" if len(r.plan) > 1 else ""
        click.echo(
            f"{r.id}  {when}  {r.panel:<22} {r.level:<9} {r.status:<7} {score:<20} "
            f"{printable(first[:60])}{more}"
        )


@sessions.command()
@click.argument("session_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(session_id: str, as_json: bool) -> None:
    """Show a session's transcript (and scorecard when finished)."""
    from simulator import api

    iv = api.load_interview(session_id)
    if as_json:
        echo_json(iv.to_dict())
        return
    click.echo(f"Session {iv.id}: {iv.rubric.name}, {iv.row.level}, {iv.row.status}.")
    _show(iv.transcript, False)
    if iv.done:
        echo("\n" + iv.scorecard().to_markdown())


@sessions.command()
@click.argument("session_id")
@click.option("--answers", "answers_path", default=None, metavar="FILE", help="Scripted answers.")
@_SHOW_GRADES
@click.option("--json", "as_json", is_flag=True, help="Print the transcript and scorecard as JSON.")
def resume(session_id: str, answers_path: str | None, show_grades: bool, as_json: bool) -> None:
    """Continue a session from its last saved turn."""
    from simulator import api

    iv = api.load_interview(session_id)
    if iv.done:
        raise UserError(f"Session {session_id} is finished; `staffsim sessions show` prints it.")
    _drive(
        iv,
        _answers(answers_path),
        as_json,
        scripted=answers_path is not None,
        show_grades=show_grades,
    )


@sessions.command()
@click.argument("session_id")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json", "pdf"]), default="md", show_default=True
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file (a PDF goes to interview-ID.pdf when not given).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
def export(session_id: str, fmt: str, output: str | None, as_json: bool) -> None:
    """Export a session's scorecard, per-question grades and transcript as Markdown, JSON
    or PDF."""
    from pathlib import Path

    from simulator import api

    fmt = "json" if as_json else fmt
    if fmt != "pdf" and output is None:
        echo(api.export_session(session_id, fmt=fmt), nl=False)
        return
    data = api.export_session_bytes(session_id, fmt=fmt)
    path = Path(output or f"interview-{session_id}.pdf")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise UserError(
            f"Cannot write {path}: {exc.strerror or exc}; choose another --output."
        ) from None
    click.echo(f"Wrote {path} ({len(data):,} bytes).")
