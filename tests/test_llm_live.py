"""Against the real llama-cpp-python server of `make llm-server` (skipped when it is not up).

Opt-in, because a CPU generation takes seconds to minutes (a critique 5-10 on 2 idle
cores): start the server, then `STAFFSIM_LIVE_LLM=1 .venv/bin/pytest -m live_llm`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from simulator.bench.llm import DEFAULT_BASE_URL, server_up
from simulator.config import get_settings

_UP = os.environ.get("STAFFSIM_LIVE_LLM") == "1" and server_up(DEFAULT_BASE_URL)
pytestmark = [
    pytest.mark.live_llm,
    pytest.mark.skipif(
        not _UP, reason="no live model server (make llm-server, then STAFFSIM_LIVE_LLM=1)"
    ),
]


@pytest.fixture
def live(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", DEFAULT_BASE_URL)
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:qwen2.5-coder-1.5b")
    monkeypatch.delenv("STAFFSIM_LLM_RESPONSE_FORMAT", raising=False)
    monkeypatch.delenv("STAFFSIM_LLM_MODE", raising=False)
    get_settings.cache_clear()


def _staffsim(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, with the test's environment (the live endpoint)."""
    cmd = [sys.executable, "-m", "simulator.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def test_doctor_measures_the_real_server_and_says_logprobs_are_given(live):
    done = _staffsim("doctor", "--json", timeout=900)
    lines = [c["line"] for c in json.loads(done.stdout)["checks"]]
    llm = next(line for line in lines if line.startswith("llm: "))
    assert "response format json_object (json_schema refused (HTTP 500" in llm
    assert "logprobs given" in llm and "tokens/s" in llm


def test_one_critique_is_an_llm_grade_with_p_yes_beside_each_answer(live, tmp_path):
    from simulator.evals.labeled import load_labeled

    case = next(c for c in load_labeled("star").cases if c.id == "star-02")
    path = tmp_path / "star.md"
    path.write_text(case.text, encoding="utf-8")
    done = _staffsim("critique", "star", str(path), "--json", timeout=3600)
    grade = json.loads(done.stdout.splitlines()[-1])
    assert grade["engine"] == "openai" and grade["fallback"] is None, grade.get("fallback")
    assert not grade["filled_checks"]
    p_yes = [c["p_yes"] for s in grade["signals"] for c in s["checks"]]
    assert p_yes and all(p is not None and 0 <= p <= 1 for p in p_yes)


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
