"""Mock Interview tab handlers: start, streamed answers, scorecard and exports, resume, isolation."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
from pypdf import PdfReader

from simulator.web import handlers as h
from simulator.web import interview as iv

ANSWERS = [
    "I would shard by tenant id behind a gateway, with a write-ahead queue absorbing 20k "
    "writes/s; p99 under 200 ms. If a shard fails we fail over to a replica within 30 s; "
    "the trade-off is cost versus consistency, and I'd measure it with an SLO of 99.9%.",
    "For the data model I'd pick Postgres with read replicas, because it handles 5k QPS per "
    "node; the alternative, DynamoDB, costs less to operate but loses cross-item transactions.",
]


SHARDED = "Design a multi-tenant search service for 50k tenants with noisy-neighbour isolation."


def as_user(name):
    return SimpleNamespace(username=name)


def _start(panel, level, length, follow_ups, user, mode=iv.OWN, bank=None, own=SHARDED):
    return iv.start(panel, level, length, follow_ups, mode, bank, own, True, as_user(user))


def _send(state, text, chat, user):
    return list(iv.answer(state, text, chat, True, as_user(user)))


def test_a_typed_question_and_its_follow_up_stream_to_a_scorecard_with_exports():
    state, chat, covered, status, box, card, radar, md, js, pdf, picker, *controls = _start(
        "system-design", "staff", 1, 1, "alice"
    )
    assert controls == ["system-design", "staff", 1, 1]
    assert SHARDED in chat[-1]["content"]
    assert chat[0]["role"] == "assistant" and "Question 1 of 1" in chat[-1]["content"]
    assert box["visible"] is False and md is None and pdf is None
    for text in ANSWERS:
        steps = _send(state, text, chat, "alice")
        assert len(steps) >= 3, "the user's message, then streamed chunks, then the final view"
        assert steps[0][1][-2] == {"role": "user", "content": text}
        final = steps[-1]
        assert final[-1] == "", "the answer box is cleared once the answer is stored"
        chat = final[1]
        assert "Signals covered so far" in final[2]
    state, chat, covered, status, box, card, radar, md, js, pdf, picker = final[:11]
    assert box["visible"] is True
    assert card.startswith("# Scorecard — system-design (staff)")
    assert radar.axes and radar.axes[0].name == "polar"
    exported = Path(md).read_text()
    assert exported.startswith("# Scorecard") and "## Transcript" in exported
    assert "## Question 1:" in exported and ANSWERS[0][:40] in exported
    assert json.loads(Path(js).read_text())["scorecard"]["session"] == state
    printed = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert printed.startswith("Scorecard — system-design (staff)") and "Transcript" in printed
    assert "Question 1:" in printed and " ".join(ANSWERS[1].split()[:8]) in printed
    assert any(value == state for _, value in picker["choices"])


def test_empty_answer_is_one_sentence_in_the_status_line_and_nothing_is_stored():
    state, chat, *_ = _start("behavioral", "senior", 1, 0, "alice", mode=iv.RANDOM)
    (refused,) = _send(state, "   ", chat, "alice")
    assert refused[3].startswith("⚠ Your answer is empty")
    # Every other output is left as it was: the typed text and the chat are kept.
    assert all(isinstance(v, type(gr.skip())) for i, v in enumerate(refused) if i != 3)
    (refused,) = _send(None, "hello", [], "alice")
    assert "Start an interview" in refused[3]
    resumed = iv.resume(state, True, as_user("alice"))
    assert resumed[1] == chat


def test_a_bad_question_choice_is_refused_in_the_status_line():
    out = _start("system-design", "staff", 1, 0, "alice", mode=iv.OWN, own="  ")
    assert out[3] == "⚠ Type your question first, or choose Random."
    out = _start("system-design", "staff", 1, 0, "alice", mode=iv.BANK, bank="3", own="")
    assert "notification system" in out[1][-1]["content"]


def test_sessions_are_private_and_resume_where_they_left_off():
    state, chat, *_ = _start("architecture-deep-dive", "principal", 2, 0, "alice", mode=iv.RANDOM)
    sent = _send(state, ANSWERS[0], chat, "alice")[-1]
    iv.pause(state, True, as_user("alice"))
    ((label, value),) = iv.session_choices("alice")
    assert value == state and "architecture-deep-dive" in label and "paused" in label
    assert iv.session_choices("bob") == []
    assert "You have no session" in iv.resume(state, True, as_user("bob"))[3]
    resumed = iv.resume(state, True, as_user("alice"))
    assert resumed[1] == sent[1]  # the transcript up to the question still open
    assert any(m["content"] == ANSWERS[0] for m in resumed[1])
    # The controls show the session's own settings, not the page defaults.
    controls = [resumed[iv.OUTPUTS.index(name)] for name in ("panel", "level", "length")]
    assert controls + [resumed[iv.OUTPUTS.index("follow_ups")]] == [
        "architecture-deep-dive",
        "principal",
        2,
        0,
    ]


def test_finished_mocks_show_in_progress():
    state, chat, *_ = _start("system-design", "staff", 1, 0, "alice")
    final = _send(state, ANSWERS[0], chat, "alice")[-1]
    assert final[4]["visible"] is True
    summary, *_, panels, pick, signals = h.show_progress(as_user("alice"))
    assert "| ≥2 mock design panels/month | 1 | 2 | 1 mock this month | 50% of target |" in summary
    bob = h.show_progress(as_user("bob"))[0]
    assert "| ≥2 mock design panels/month | 0 | 2 | 0 mocks this month |" in bob
    # The finished mock draws its panel's pass rate and its signals' trend.
    labels = [t.get_text() for t in panels.axes[0].texts]
    assert any(label.endswith("of 1") for label in labels) and "no mocks yet" in labels
    assert pick["value"] == "system-design" and signals.axes[0].lines
