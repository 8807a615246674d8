"""LLM follow-ups: generated from the `follow_up` prompt, grounded, with an offline fallback."""

from __future__ import annotations

import json

import pytest

from simulator.config import get_settings
from simulator.interview import followup
from simulator.knowledge.rubrics import get_panel

QUESTION = "Design a multi-region rate limiter for a public API serving 50k RPS."
ANSWER = "We keep token buckets per region and sync them every 100 ms through Redis."
FALLBACK = followup.FollowUp(text="offline question?", signal="failure_modes", template=0)


@pytest.fixture
def llm(fake_openai, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:fake-model-1")
    monkeypatch.setenv("STAFFSIM_LLM_RETRIES", "0")
    get_settings.cache_clear()
    return fake_openai


def _ask(asked=frozenset()):
    return followup.llm_follow_up(
        get_panel("system-design"), "failure_modes", question=QUESTION, answer=ANSWER,
        asked=set(asked), fallback=FALLBACK,
    )  # fmt: skip


def test_llm_follow_up_is_grounded_in_the_compendium(llm, compendium_store):
    from openai_server import Reply

    llm.push(
        Reply(
            content=json.dumps(
                {
                    "question": "When Redis is slow, what does a caller of the limiter see?",
                    "targets_signal": "tradeoffs",
                    "quote": "sync them every 100 ms",
                }
            )
        )
    )
    fu = _ask()
    # The targeted signal is the one the interviewer chose, whatever the model says.
    assert fu.source == "llm" and fu.signal == "failure_modes"
    assert fu.quote == "sync them every 100 ms" and fu.prompt.startswith("follow_up@1@")
    sent = json.dumps(llm.chat_requests()[-1]["body"], ensure_ascii=False)
    assert "§" in sent  # a cited compendium passage went into the prompt


def test_invented_quote_is_dropped_and_a_repeat_falls_back(llm):
    from openai_server import Reply

    payload = {"question": "What fails first?", "targets_signal": "x", "quote": "Paxos"}
    llm.push(Reply(content=json.dumps(payload)), Reply(content=json.dumps(payload)))
    assert _ask().quote is None
    assert _ask(asked={"What fails first?"}) is FALLBACK


def test_dead_endpoint_falls_back_to_the_offline_template(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:fake-model-1")
    monkeypatch.setenv("STAFFSIM_LLM_RETRIES", "0")
    monkeypatch.setenv("STAFFSIM_LLM_TIMEOUT", "2")
    get_settings.cache_clear()
    assert _ask() is FALLBACK


def test_llm_follow_up_on_a_hard_part_describes_the_part(llm):
    from openai_server import Reply

    llm.push(Reply(content=json.dumps({"question": "How do regions share one limit?",
                                       "targets_signal": "x", "quote": ""})))  # fmt: skip
    fallback = followup.FollowUp(
        text="offline?", signal=None, hard_part="limiter_cross_region_state"
    )
    fu = followup.llm_follow_up(
        get_panel("system-design"), None, question=QUESTION, answer=ANSWER, asked=set(),
        fallback=fallback,
    )  # fmt: skip
    assert fu.source == "llm" and fu.hard_part == "limiter_cross_region_state" and fu.signal is None
    sent = json.dumps(llm.chat_requests()[-1]["body"], ensure_ascii=False)
    assert "Cross-region counter state" in sent
    gone = followup.FollowUp(text="offline?", signal=None, hard_part="no_such_part")
    assert followup.llm_follow_up(
        get_panel("system-design"), None, question=QUESTION, answer=ANSWER, asked=set(),
        fallback=gone,
    ) is gone  # fmt: skip


@pytest.mark.parametrize("grading, graded_by_llm", [("offline", False), ("llm", True)])
def test_llm_grading_setting_decides_who_grades_an_interview_turn(
    llm, monkeypatch, grading, graded_by_llm
):
    """STAFFSIM_LLM_GRADING=offline: the model phrases the follow-up, the grade stays offline."""
    from openai_server import Reply

    from simulator.interview import Interview

    monkeypatch.setenv("STAFFSIM_LLM_GRADING", grading)
    get_settings.cache_clear()
    follow = {"question": "Which region fails first?", "targets_signal": "x", "quote": ""}
    llm.default = Reply(content=json.dumps(follow))
    # The question is named: a random bank question could make ANSWER off-topic (a retry,
    # not a follow-up).
    iv = Interview.create("system-design", questions=1, follow_ups=1, chosen=[QUESTION])
    iv.start()
    replies = iv.answer(ANSWER)
    prompts = [r["body"]["messages"][0]["content"] for r in llm.chat_requests()]
    asked_to_grade = any("yes/no checks" in p for p in prompts)
    assert asked_to_grade is graded_by_llm
    assert any(t.kind == "follow_up" for t in replies)
    if not graded_by_llm:
        assert "Which region fails first?" in [t.text for t in replies]


def test_a_quote_wrapped_in_tags_and_quotation_marks_is_kept_as_the_candidates_words(llm):
    from openai_server import Reply

    wrapped = '<candidate_answer>"sync them every 100 ms..."</candidate_answer>'
    payload = {"question": "What breaks at 100 ms?", "targets_signal": "x", "quote": wrapped}
    llm.push(Reply(content=json.dumps(payload)))
    assert _ask().quote == "sync them every 100 ms"
