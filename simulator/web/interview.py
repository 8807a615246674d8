"""Mock Interview tab: choose the question, stream answers, pause/skip/end, resume, scorecard.

The session lives in SQLite (`simulator.interview`); the page keeps only its id in `gr.State`.
Each answer runs in one worker thread that owns the session's database connection, while
the handler streams the interviewer's reply from a queue.

Errors a user can cause never raise on this tab: they become one sentence in the status
line (`#iv-status`), every other output is left as it was (the typed answer is kept and the
answer box stays usable), so no error badge covers the chat or the controls.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import gradio as gr

from simulator import api
from simulator.config import get_settings
from simulator.errors import UserError
from simulator.web import plots, warmup
from simulator.web.auth import user_of

log = logging.getLogger("staffsim.web")
LEVELS = ["senior", "staff", "principal"]
ROLES = {"interviewer": "assistant", "candidate": "user"}
RANDOM, BANK, OWN = "Random (not practised lately)", "From the bank", "Type my own"
MODES = [RANDOM, BANK, OWN]
#: The outputs every handler returns, in this order (the answer handler adds the answer box).
OUTPUTS = (
    "session", "chat", "covered", "status", "card_box", "card", "radar", "md", "json", "pdf",
    "sessions", "panel", "level", "length", "follow_ups",
)  # fmt: skip
_N = len(OUTPUTS)


def session_choices(user: str) -> list[tuple[str, str]]:
    """(label, id) of the user's sessions, newest first: date · panel · question · grade."""
    out = []
    for row in api.interview_sessions(user):
        when = datetime.fromtimestamp(row.created_at).strftime("%Y-%m-%d %H:%M")
        first = row.plan[0]["text"] if row.plan else ""
        first = first if len(first) <= 48 else first[:47].rstrip() + "…"
        more = f" +{len(row.plan) - 1}" if len(row.plan) > 1 else ""
        card = row.scorecard or {}
        grade = f"{card['recommendation']} {card['score']}/5" if card else row.status
        out.append((f"{when} · {row.panel} · {first}{more} · {grade}", row.id))
    return out


def bank_choices(panel: str) -> list[tuple[str, str]]:
    """(label, bank id) of a panel's questions."""
    return [(f"{n}. {q}", str(n)) for n, q in enumerate(api.get_panel(panel).questions, start=1)]


def pick_panel(panel: str):
    """A new panel: its bank questions in the picker."""
    choices = bank_choices(panel)
    return gr.update(choices=choices, value=choices[0][1] if choices else None)


def _messages(interview) -> list[dict]:
    return [{"role": ROLES[t.role], "content": t.text} for t in interview.transcript]


def _covered_md(card, show_grades: bool) -> str:
    lines = ["**Signals covered so far**", ""]
    for s in card.signals:
        mark = "✓" if s.best >= 3 else ("·" if s.best else "○")
        lines.append(f"- {mark} {s.name}: {s.best}/4")
    if show_grades and card.questions:
        lines += ["", "**Grades so far**", ""]
        for q in card.questions:
            extra = " (off-topic)" if q.offtopic else ""
            lines.append(f"- Q{q.index + 1}: {q.level} ({q.score}/5){extra}")
    return "\n".join(lines)


def user_folder(user: str) -> str:
    from simulator.library import user_dir

    return Path(user_dir(user)).name


def _exports(interview, user: str) -> tuple[str, str, str]:
    """The session (scorecard, per-question grades and checks, transcript) as .md, .json
    and .pdf files."""
    folder = get_settings().path("exports", user_folder(user), "x").parent
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in ("md", "json", "pdf"):
        path = folder / f"interview-{interview.id}.{fmt}"
        path.write_bytes(api.export_session_bytes(interview.id, fmt=fmt, user=user))
        paths.append(str(path))
    return paths[0], paths[1], paths[2]


def _status(interview) -> str:
    row = interview.row
    if row.status == "paused":
        return f"Paused. Every answer is saved; pick this session under Resume to go on ({row.id})."
    if row.status == "ended":
        return "Ended early: the scorecard covers the questions you answered."
    if row.status == "done":
        return "Finished: your scorecard and downloads are below."
    return ""


def _view(interview, user: str, show_grades: bool = True) -> tuple:
    """Every output (see `OUTPUTS`) for a session, controls set to the session's own values."""
    card = interview.scorecard()
    done = interview.done
    answered = any(t.role == "candidate" for t in interview.transcript)
    md = js = pdf = None
    if done or (interview.paused and answered):
        md, js, pdf = _exports(interview, user)
    radar = None
    if done:
        radar = plots.radar([(s.name, s.best) for s in card.signals], title=card.recommendation)
    row = interview.row
    return (
        interview.id,
        _messages(interview),
        _covered_md(card, show_grades),
        _status(interview),
        gr.update(visible=done),
        card.to_markdown() if done else "",
        radar,
        md,
        js,
        pdf,
        gr.update(choices=session_choices(user), value=None),
        row.panel,
        row.level,
        row.questions,
        row.follow_ups,
    )


def _refused(message: str) -> tuple:
    """One sentence in the status line; everything else as it was."""
    out = [gr.skip()] * _N
    out[OUTPUTS.index("status")] = f"⚠ {message}"
    return tuple(out)


def _safe(fn: Callable[..., tuple]) -> Callable[..., tuple]:
    # functools.wraps: Gradio reads the signature through __wrapped__ to pass `request`, so
    # with login on the handler sees the signed-in user (not the configured local one).
    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            warmup.wait()  # a click made while the app warms up waits for the model
            return fn(*args, **kwargs)
        except UserError as exc:
            return _refused(str(exc))
        except Exception as exc:  # noqa: BLE001 - the page must stay usable
            log.exception("unexpected error in the interview tab")
            return _refused(
                f"Something went wrong on the server ({type(exc).__name__}); your input is kept."
            )

    return call


def _chosen(mode: str | None, bank_id: str | None, own: str | None) -> list[str]:
    if mode == BANK:
        if not bank_id:
            raise UserError("Pick a question from the bank, or choose Random.")
        return [bank_id]
    if mode == OWN:
        if not (own or "").strip():
            raise UserError("Type your question first, or choose Random.")
        return [own.strip()]
    return []


@_safe
def start(
    panel: str,
    level: str,
    length: float,
    follow_ups: float,
    mode: str | None = RANDOM,
    bank_id: str | None = None,
    own: str | None = None,
    show_grades: bool = True,
    request: gr.Request = None,
):
    """Start a new session (the chosen question first) and show its opening turns."""
    user = user_of(request)
    interview = api.new_interview(
        panel,
        level=level,
        questions=int(length),
        follow_ups=int(follow_ups),
        user=user,
        chosen=_chosen(mode, bank_id, own),
    )
    interview.start()
    return _view(interview, user, show_grades)


@_safe
def resume(session_id: str | None, show_grades: bool = True, request: gr.Request = None):
    """Reopen one of the user's sessions where it left off, with its own panel and settings."""
    if not session_id:
        raise UserError("Pick a past session to resume first.")
    user = user_of(request)
    interview = api.open_interview(session_id, user=user)
    if not interview.done:
        interview.start()
    return _view(interview, user, show_grades)


def _control(action: str):
    @_safe
    def handler(session_id: str | None, show_grades: bool = True, request: gr.Request = None):
        if not session_id:
            raise UserError("Start an interview (or resume one) first.")
        user = user_of(request)
        interview = api.open_interview(session_id, user=user)
        getattr(interview, action)()
        return _view(interview, user, show_grades)

    handler.__name__ = action
    handler.__doc__ = f"{action.title()} the session and show where it stands."
    return handler


pause = _control("pause")
skip = _control("skip")
end = _control("end")


def _in_thread(work: Callable[[Callable[[str], None]], tuple]) -> Iterator[tuple[str, object]]:
    """Run `work(emit)` in its own thread; yield ("chunk", text), the chunks emitted since the
    last yield joined, then ("view", result)."""
    box: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            box.put(("view", work(lambda chunk: box.put(("chunk", chunk)))))
        except BaseException as exc:  # handed to the status line
            box.put(("error", exc))

    threading.Thread(target=run, daemon=True, name="interview-turn").start()
    held = None
    while True:
        kind, value = held or box.get()
        held = None
        # Every yield re-renders all of the tab's outputs in Gradio (a skipped one rebuilds its
        # component), so chunks that arrived together go out as one update.
        while kind == "chunk" and held is None and not box.empty():
            more = box.get()
            if more[0] == "chunk":
                value += more[1]
            else:
                held = more
        if kind == "error":
            raise value  # type: ignore[misc]
        yield kind, value
        if kind == "view":
            return


def answer(
    session_id: str | None,
    text: str,
    chat: list | None,
    show_grades: bool = True,
    request: gr.Request = None,
):
    """Send an answer; stream the interviewer's reply; at the end show the scorecard."""
    keep = (gr.skip(),)
    if not session_id:
        yield _refused("Start an interview (or resume one) before answering.") + keep
        return
    if not (text or "").strip():
        yield _refused("Your answer is empty; type an answer, then send it.") + keep
        return
    user = user_of(request)
    history = list(chat or []) + [
        {"role": "user", "content": text},
        {"role": "assistant", "content": "…"},
    ]

    def work(emit: Callable[[str], None]) -> tuple:
        warmup.wait()
        interview = api.open_interview(session_id, user=user)
        for chunk in interview.answer_stream(text):
            emit(chunk)
        return _view(interview, user, show_grades)

    def partial(messages: list) -> tuple:
        out = [gr.skip()] * _N
        out[OUTPUTS.index("chat")] = messages
        out[OUTPUTS.index("status")] = ""
        return (*out, gr.skip())

    yield partial(list(history))
    reply = ""
    try:
        for kind, value in _in_thread(work):
            if kind == "chunk":
                reply += str(value)
                history[-1] = {"role": "assistant", "content": reply}
                yield partial(list(history))
            else:
                yield (*value, "")  # the answer box is cleared only once the answer is stored
    except UserError as exc:
        out = list(_refused(str(exc)))
        out[OUTPUTS.index("chat")] = list(chat or [])
        yield (*out, gr.skip())
    except Exception as exc:  # noqa: BLE001 - the page must stay usable
        log.exception("unexpected error answering in the interview tab")
        out = list(_refused(f"Something went wrong on the server ({type(exc).__name__}); "
                            "your answer is kept."))  # fmt: skip
        out[OUTPUTS.index("chat")] = list(chat or [])
        yield (*out, gr.skip())
