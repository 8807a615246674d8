"""Mock Interview tab handlers: start, streamed answers, scorecard and exports, resume, isolation."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from simulator.web import handlers as h
from simulator.web import interview as iv

ANSWERS = [
    "I would shard by tenant id behind a gateway, with a write-ahead queue absorbing 20k "
    "writes/s; p99 under 200 ms. If a shard fails we fail over to a replica within 30 s; "
    "the trade-off is cost versus consistency, and I'd measure it with an SLO of 99.9%.",
    "For the data model I'd pick Postgres with read replicas, because it handles 5k QPS per "
    "node; the alternative, DynamoDB, costs less to operate but loses cross-item transactions.",
]


def as_user(name):
    return SimpleNamespace(username=name)


def _send(state, text, chat, user):
    return list(iv.answer(state, text, chat, as_user(user)))


def test_two_question_interview_streams_to_a_scorecard_with_exports():
    state, chat, covered, box, card, radar, md, js, picker = iv.start(
        "system-design", "staff", 2, 0, as_user("alice")
    )
    assert chat[0]["role"] == "assistant" and "Question 1 of 2" in chat[-1]["content"]
    assert box["visible"] is False and md is None
    for text in ANSWERS:
        steps = _send(state, text, chat, "alice")
        assert len(steps) >= 3, "the user's message, then streamed chunks, then the final view"
        assert steps[0][1][-2] == {"role": "user", "content": text}
        final = steps[-1]
        assert final[-1] == "", "the answer box is cleared once the answer is stored"
        chat = final[1]
        assert "Signals covered so far" in final[2]
    state, chat, covered, box, card, radar, md, js, picker = final[:9]
    assert box["visible"] is True
    assert card.startswith("# Scorecard — system-design (staff)")
    assert radar.axes and radar.axes[0].name == "polar"
    assert Path(md).read_text().startswith("# Scorecard")
    assert json.loads(Path(js).read_text())["session"] == state
    assert any(value == state for _, value in picker["choices"])


def test_empty_answer_is_refused_and_nothing_is_stored():
    state, chat, *_ = iv.start("behavioral", "senior", 1, 0, as_user("alice"))
    with pytest.raises(gr.Error, match="Your answer is empty"):
        _send(state, "   ", chat, "alice")
    with pytest.raises(gr.Error, match="Start an interview"):
        _send(None, "hello", [], "alice")
    resumed = iv.resume(state, as_user("alice"))
    assert resumed[1] == chat


def test_sessions_are_private_and_resume_where_they_left_off():
    state, chat, *_ = iv.start("system-design", "staff", 2, 0, as_user("alice"))
    _send(state, ANSWERS[0], chat, "alice")
    assert [v for _, v in iv.session_choices("alice")] == [state]
    assert iv.session_choices("bob") == []
    with pytest.raises(gr.Error, match="You have no session"):
        iv.resume(state, as_user("bob"))
    resumed = iv.resume(state, as_user("alice"))
    assert "Question 2 of 2" in resumed[1][-1]["content"]
    assert any(m["content"] == ANSWERS[0] for m in resumed[1])


def test_finished_mocks_show_in_progress():
    state, chat, *_ = iv.start("system-design", "staff", 1, 0, as_user("alice"))
    final = _send(state, ANSWERS[0], chat, "alice")[-1]
    assert final[3]["visible"] is True
    summary = h.show_progress(as_user("alice"))[0]
    assert "| ≥2 mock design panels/month | 1 (this month) | 2 |" in summary
    assert (
        "| ≥2 mock design panels/month | 0 (this month) | 2 |" in h.show_progress(as_user("bob"))[0]
    )
