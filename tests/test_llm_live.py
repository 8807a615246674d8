"""Against the real llama-cpp-python server of `make llm-server` (skipped when it is not up).

Opt-in, because a CPU generation takes seconds to minutes: start the server, then
`STAFFSIM_LIVE_LLM=1 .venv/bin/pytest tests/test_llm_live.py`.
"""

from __future__ import annotations

import os
import time

import pytest

from simulator.bench.llm import DEFAULT_BASE_URL, server_up
from simulator.config import get_settings

_UP = os.environ.get("STAFFSIM_LIVE_LLM") == "1" and server_up(DEFAULT_BASE_URL)
pytestmark = pytest.mark.skipif(
    not _UP, reason="no live model server (make llm-server, then STAFFSIM_LIVE_LLM=1)"
)


@pytest.fixture
def live(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", DEFAULT_BASE_URL)
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:qwen2.5-coder-1.5b")
    monkeypatch.delenv("STAFFSIM_LLM_RESPONSE_FORMAT", raising=False)
    get_settings.cache_clear()


def test_default_settings_negotiate_json_object_with_llama_cpp_python(live):
    from simulator.llm import LLMEngine

    engine = LLMEngine()
    out, prov = engine.structured("endpoint_probe", {"topic": "an error budget"})
    assert out.note and prov.response_format == "json_object" and prov.valid_first
    assert prov.first_token_ms is not None


def test_an_interview_turn_with_offline_grading_answers_in_under_60_s(live):
    from simulator.interview import Interview

    iv = Interview.create("behavioral", questions=1, follow_ups=1)
    iv.start()
    started = time.perf_counter()
    replies = iv.answer(
        "I led the migration of our billing service to Postgres: I wrote the plan, "
        "negotiated a two-week freeze with product, and we cut p99 latency from 900 to 200 ms."
    )
    assert time.perf_counter() - started < 60
    assert any(t.kind == "follow_up" for t in replies)
