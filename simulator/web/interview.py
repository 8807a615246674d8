"""Mock Interview tab: start, stream answers, live signals, scorecard with radar, export, resume.

The session lives in SQLite (`simulator.interview`); the page keeps only its id in `gr.State`.
Each answer runs in one worker thread that owns the session's database connection, while
the handler streams the interviewer's reply from a queue.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import gradio as gr

from simulator import api
from simulator.config import get_settings
from simulator.errors import UserError
from simulator.web import plots
from simulator.web.auth import user_of
from simulator.web.handlers import guarded

LEVELS = ["senior", "staff", "principal"]
ROLES = {"interviewer": "assistant", "candidate": "user"}


def session_choices(user: str) -> list[tuple[str, str]]:
    """(label, id) of the user's sessions, newest first."""
    out = []
    for row in api.interview_sessions(user):
        when = datetime.fromtimestamp(row.created_at).strftime("%Y-%m-%d %H:%M")
        out.append((f"{when} · {row.panel} · {row.level} · {row.status}", row.id))
    return out


def _messages(interview) -> list[dict]:
    return [{"role": ROLES[t.role], "content": t.text} for t in interview.transcript]


def _signals_md(card) -> str:
    lines = ["**Signals covered so far**", ""]
    for s in card.signals:
        mark = "✓" if s.best >= 3 else ("·" if s.best else "○")
        lines.append(f"- {mark} {s.name}: {s.best}/4")
    return "\n".join(lines)


def _exports(card, user: str) -> tuple[str, str]:
    folder = get_settings().path("exports", user_folder(user), "x").parent
    md = folder / f"scorecard-{card.session}.md"
    js = folder / f"scorecard-{card.session}.json"
    md.write_text(card.to_markdown(), encoding="utf-8")
    js.write_text(json.dumps(card.model_dump(mode="json"), indent=2), encoding="utf-8")
    return str(md), str(js)


def user_folder(user: str) -> str:
    from simulator.library import user_dir

    return Path(user_dir(user)).name


def _view(interview, user: str) -> tuple:
    """(state, chat, signals, card box, card, radar, md, json, sessions) for a session."""
    card = interview.scorecard()
    done = interview.done
    if done:
        md, js = _exports(card, user)
        radar = plots.radar([(s.name, s.best) for s in card.signals], title=card.recommendation)
        card_md = card.to_markdown()
    else:
        md = js = radar = None
        card_md = ""
    return (
        interview.id,
        _messages(interview),
        _signals_md(card),
        gr.update(visible=done),
        card_md,
        radar,
        md,
        js,
        gr.update(choices=session_choices(user)),
    )


@guarded
def start(panel: str, level: str, length: float, follow_ups: float, request: gr.Request = None):
    """Start a new session and show its opening turns."""
    user = user_of(request)
    interview = api.new_interview(
        panel, level=level, questions=int(length), follow_ups=int(follow_ups), user=user
    )
    interview.start()
    return _view(interview, user)


@guarded
def resume(session_id: str | None, request: gr.Request = None):
    """Reopen one of the user's sessions where it left off."""
    if not session_id:
        raise UserError("Pick a past session to resume first.")
    user = user_of(request)
    interview = api.open_interview(session_id, user=user)
    if not interview.done:
        interview.start()
    return _view(interview, user)


def _in_thread(work: Callable[[Callable[[str], None]], tuple]) -> Iterator[tuple[str, object]]:
    """Run `work(emit)` in its own thread; yield ("chunk", text) then ("view", result)."""
    box: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            box.put(("view", work(lambda chunk: box.put(("chunk", chunk)))))
        except BaseException as exc:  # handed to the page's error message
            box.put(("error", exc))

    threading.Thread(target=run, daemon=True, name="interview-turn").start()
    while True:
        kind, value = box.get()
        if kind == "error":
            raise value  # type: ignore[misc]
        yield kind, value
        if kind == "view":
            return


@guarded
def answer(session_id: str | None, text: str, chat: list | None, request: gr.Request = None):
    """Send an answer; stream the interviewer's reply; at the end show the scorecard."""
    if not session_id:
        raise UserError("Start an interview (or resume one) before answering.")
    if not (text or "").strip():
        raise UserError("Your answer is empty; type an answer, then send it.")
    user = user_of(request)
    history = list(chat or []) + [
        {"role": "user", "content": text},
        {"role": "assistant", "content": ""},
    ]
    skip = (gr.skip(),) * 9

    def work(emit: Callable[[str], None]) -> tuple:
        interview = api.open_interview(session_id, user=user)
        for chunk in interview.answer_stream(text):
            emit(chunk)
        return _view(interview, user)

    yield (gr.skip(), [*history[:-1], {"role": "assistant", "content": "…"}], *skip[2:], gr.skip())
    reply = ""
    for kind, value in _in_thread(work):
        if kind == "chunk":
            reply += str(value)
            history[-1] = {"role": "assistant", "content": reply}
            yield (gr.skip(), history, *skip[2:], gr.skip())
        else:
            yield (*value, "")  # the answer box is cleared only once the answer is stored
