"""The LLM engine end to end over real HTTP, against the scripted server in openai_server.py."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from openai_server import Reply

from simulator.config import get_settings
from simulator.llm import (
    LLMEngine,
    LLMGrade,
    LLMUnavailable,
    StructuredOutputError,
    breaker,
    count_tokens,
)
from simulator.llm.costs import Ledger, estimate_cost
from simulator.llm.retry import RetryPolicy

SECRET = "sk-test-abcdefghijklmnop0123"

GRADE_VARS = {
    "panel_name": "System design",
    "question": "Design a rate limiter for a public API.",
    "signals": [
        {
            "id": "tradeoffs",
            "name": "Trade-offs",
            "description": "Names options and why one wins.",
            "strong": "Compares token bucket and sliding window with numbers.",
            "weak": "One option, no alternatives.",
        }
    ],
    "level_names": ["absent", "weak", "adequate", "strong", "exemplary"],
    "offline_evidence": ["quantification: 2 numbers"],
    "context": ["ADR: record options and consequences."],
    "answer": "I would use a token bucket at 100 req/s per key because it allows bursts.",
}
TURN_VARS = {
    "panel_name": "Behavioral",
    "level": "staff",
    "instruction": "Ask about a conflict they resolved.",
    "transcript": [{"role": "interviewer", "content": "Welcome."}],
}

GOOD = {
    "signals": [{"id": "tradeoffs", "score": 3, "evidence": ["token bucket"], "feedback": "Good."}],
    "overall": 4,
    "pitfalls": [],
    "suggestions": ["Compare a sliding window."],
    "injection_detected": False,
}


class Sleeps(list):
    """Records the waits instead of sleeping them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def llm_env(monkeypatch, fake_openai, tmp_path):
    """Settings pointing at the fake server, with a key so we can prove it never leaks."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:fake-model-1")
    monkeypatch.setenv("STAFFSIM_FIXTURES", str(tmp_path / "fixtures"))
    monkeypatch.setenv("STAFFSIM_LLM_TIMEOUT", "5")
    monkeypatch.setenv("STAFFSIM_LLM_CONCURRENCY", "4")  # loopback would default to 1
    get_settings.cache_clear()
    return fake_openai


def _engine(retries: int = 2, sleeps: Sleeps | None = None, **kwargs) -> LLMEngine:
    return LLMEngine(
        retry=RetryPolicy(retries=retries, sleep=Sleeps() if sleeps is None else sleeps), **kwargs
    )


def test_structured_call_returns_model_and_provenance(llm_env):
    llm_env.push(Reply(content=json.dumps(GOOD)))
    grade, prov = _engine().structured("grade_answer", GRADE_VARS, rubric_ref="system-design@1")
    assert isinstance(grade, LLMGrade)
    assert grade.signals[0].evidence == ["token bucket"]
    assert prov.engine == "openai" and prov.model == "fake-model-1"
    assert prov.base_url_host == llm_env.base_url.split("/")[2]
    assert prov.prompt.startswith("grade_answer@1@") and len(prov.prompt.split("@")[2]) == 64
    assert prov.rubric == "system-design@1"
    assert prov.tokens_in > 50 and prov.tokens_out > 10
    assert prov.cost_usd == 0 and "no price" in prov.cost_note
    assert len(prov.cache_key) == 64 and prov.attempts == 1
    assert not prov.fallback
    assert SECRET not in prov.model_dump_json()
    sent = llm_env.chat_requests()[0]["body"]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["title"] == "LLMGrade"
    assert sent["temperature"] == 0.0
    assert "<candidate_answer>" in sent["messages"][1]["content"]


def test_malformed_json_is_repaired_once(llm_env):
    llm_env.push(Reply(content='{"signals": [], "overall": 9'), Reply(content=json.dumps(GOOD)))
    grade, prov = _engine().structured("grade_answer", GRADE_VARS)
    assert grade.overall == 4
    bodies = [r["body"] for r in llm_env.chat_requests()]
    assert len(bodies) == 2
    repair = bodies[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"signals": [], "overall": 9'}
    assert "validator said" in repair[-1]["content"]
    assert prov.attempts == 2


def test_schema_violation_after_repair_raises_and_falls_back(llm_env):
    bad = dict(GOOD, overall=9)  # out of range twice
    llm_env.push(Reply(content=json.dumps(bad)), Reply(content=json.dumps(bad)))
    engine = _engine()
    with pytest.raises(StructuredOutputError) as info:
        engine.structured("grade_answer", GRADE_VARS)
    assert "overall" in str(info.value) and info.value.raw == json.dumps(bad)

    llm_env.push(Reply(content="not json"), Reply(content="still not json"))
    result, prov = engine.structured_or_fallback(
        "grade_answer", GRADE_VARS, lambda: "offline grade", rubric_ref="system-design@1"
    )
    assert result == "offline grade"
    assert prov.fallback is True and prov.engine == "offline"
    assert "invalid structured output" in prov.fallback_reason
    assert prov.prompt.startswith("grade_answer@1@") and prov.tokens_in > 0


def test_code_fenced_json_is_accepted(llm_env):
    llm_env.push(Reply(content="```json\n" + json.dumps(GOOD) + "\n```"))
    grade, _ = _engine().structured("grade_answer", GRADE_VARS)
    assert grade.overall == 4
    assert len(llm_env.chat_requests()) == 1


def test_streaming_yields_chunks_then_provenance(llm_env):
    llm_env.push(Reply(chunks=["Tell me ", "about a ", "conflict."]))
    stream = _engine().stream("interviewer_turn", TURN_VARS)
    assert stream.provenance is None
    chunks = list(stream)
    assert chunks == ["Tell me ", "about a ", "conflict."]
    assert stream.text == "Tell me about a conflict."
    assert stream.provenance.tokens_out == count_tokens(stream.text, "fake-model-1")
    assert llm_env.chat_requests()[0]["body"]["stream"] is True


def test_429_then_success_retries_with_backoff(llm_env):
    llm_env.push(Reply(status=429), Reply(status=429), Reply(content=json.dumps(GOOD)))
    sleeps = Sleeps()
    grade, prov = _engine(retries=3, sleeps=sleeps).structured("grade_answer", GRADE_VARS)
    assert grade.overall == 4
    assert len(llm_env.chat_requests()) == 3 and prov.attempts == 3
    # backoff doubles (base 0.5s, jitter in [ceiling/2, ceiling])
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_retry_after_header_is_honoured(llm_env):
    llm_env.push(Reply(status=429, headers={"Retry-After": "3"}), Reply(content=json.dumps(GOOD)))
    sleeps = Sleeps()
    _engine(sleeps=sleeps).structured("grade_answer", GRADE_VARS)
    assert sleeps == [3.0]


def test_5xx_exhausts_retries_then_clear_error(llm_env):
    llm_env.default = Reply(status=500)
    sleeps = Sleeps()
    with pytest.raises(LLMUnavailable, match="HTTP 500"):
        _engine(retries=2, sleeps=sleeps).structured("grade_answer", GRADE_VARS)
    # one try + two retries, and the openai client did not retry on its own
    assert len(llm_env.chat_requests()) == 3 and len(sleeps) == 2
    retry_counts = [r["headers"].get("x-stainless-retry-count") for r in llm_env.chat_requests()]
    assert retry_counts == ["0", "0", "0"]


def test_4xx_is_not_retried(llm_env):
    llm_env.push(Reply(status=400))
    with pytest.raises(LLMUnavailable, match="HTTP 400"):
        _engine(retries=3).structured("grade_answer", GRADE_VARS)
    assert len(llm_env.chat_requests()) == 1


class Connects(list):
    """Records each TCP connection attempt to one port (on top of the no-internet guard)."""

    def __init__(self, monkeypatch, port: int):
        super().__init__()
        guarded = socket.socket.connect

        def connect(sock, address):
            if isinstance(address, tuple) and address[1] == port:
                self.append(address)
            return guarded(sock, address)

        monkeypatch.setattr(socket.socket, "connect", connect)


def test_connection_refused_is_not_retried_and_later_calls_skip_the_endpoint(monkeypatch, llm_env):
    url = llm_env.base_url
    llm_env.stop()  # nothing listens on that port any more
    connects = Connects(monkeypatch, int(url.split(":")[2].split("/")[0]))
    sleeps = Sleeps()
    engine = _engine(retries=3, sleeps=sleeps)
    with pytest.raises(LLMUnavailable, match="unreachable") as refused:
        engine.structured("grade_answer", GRADE_VARS)
    assert refused.value.unreachable and sleeps == [] and len(connects) == 1
    # The breaker is open: the next calls fall back without a connection attempt.
    started = time.perf_counter()
    result, prov = _engine().structured_or_fallback("grade_answer", GRADE_VARS, lambda: "offline")
    assert time.perf_counter() - started < 0.05 and len(connects) == 1
    assert result == "offline"
    assert prov.fallback_reason == (
        f"The model at {url.rstrip('/')} is unreachable; graded offline."
    )
    with pytest.raises(LLMUnavailable, match="not tried"):
        list(_engine().stream("interviewer_turn", TURN_VARS))
    assert len(connects) == 1


def test_the_breaker_lets_one_call_try_again_after_its_window(monkeypatch, llm_env):
    monkeypatch.setattr(breaker, "OPEN_SECONDS", 0.2)
    url = llm_env.base_url
    llm_env.stop()
    connects = Connects(monkeypatch, int(url.split(":")[2].split("/")[0]))
    for _ in range(3):
        with pytest.raises(LLMUnavailable):
            _engine().structured("grade_answer", GRADE_VARS)
    assert len(connects) == 1
    time.sleep(0.25)
    with pytest.raises(LLMUnavailable, match="no connection could be opened"):
        _engine().structured("grade_answer", GRADE_VARS)
    assert len(connects) == 2


def test_silence_past_the_idle_timeout_cancels_and_is_never_re_sent(monkeypatch, llm_env):
    monkeypatch.setenv("STAFFSIM_LLM_TIMEOUT", "0.3")
    get_settings.cache_clear()
    llm_env.push(Reply(hang=2.0), Reply(hang=2.0))
    started = time.perf_counter()
    result, prov = _engine(retries=3).structured_or_fallback(
        "grade_answer", GRADE_VARS, lambda: "offline"
    )
    elapsed = time.perf_counter() - started
    assert result == "offline" and prov.fallback
    assert "no token for 0.3 s before the first token" in prov.fallback_reason
    assert "not re-sent" in prov.fallback_reason
    assert elapsed < 1.5  # one wait of 0.3 s, not a hang of 2 s
    assert len(llm_env.chat_requests()) == 1  # the busy server is not sent it again


def test_a_slow_stream_that_keeps_sending_is_not_cut_off(monkeypatch, llm_env):
    monkeypatch.setenv("STAFFSIM_LLM_TIMEOUT", "0.5")
    get_settings.cache_clear()
    pieces = [json.dumps(GOOD)[i : i + 20] for i in range(0, len(json.dumps(GOOD)), 20)]
    llm_env.push(Reply(chunks=pieces, chunk_delay=0.2))  # 2+ s in all, never 0.5 s silent
    started = time.perf_counter()
    grade, prov = _engine().structured("grade_answer", GRADE_VARS)
    assert grade.overall == 4 and time.perf_counter() - started > 1.0
    assert prov.first_token_ms is not None and prov.first_token_ms < prov.latency_ms


def test_silence_mid_stream_is_final(monkeypatch, llm_env):
    monkeypatch.setenv("STAFFSIM_LLM_TIMEOUT", "0.3")
    get_settings.cache_clear()
    llm_env.push(Reply(chunks=['{"signals": [', "]}"], chunk_delay=1.5))
    with pytest.raises(LLMUnavailable, match="after 1 chunk"):
        _engine().structured("grade_answer", GRADE_VARS)
    assert len(llm_env.chat_requests()) == 1


def test_batch_respects_concurrency_limit(llm_env):
    llm_env.default = Reply(content=json.dumps(GOOD), delay=0.15)
    engine = _engine()
    calls = [lambda: engine.structured("grade_answer", GRADE_VARS)[0].overall] * 6
    assert engine.run_batch(calls, concurrency=2) == [4] * 6
    assert llm_env.max_in_flight == 2


def test_engine_gate_limits_independent_threads(monkeypatch, llm_env):
    monkeypatch.setenv("STAFFSIM_LLM_CONCURRENCY", "1")
    get_settings.cache_clear()
    llm_env.default = Reply(content=json.dumps(GOOD), delay=0.1)
    engine = _engine()
    threads = [
        threading.Thread(target=engine.structured, args=("grade_answer", GRADE_VARS))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert llm_env.max_in_flight == 1 and len(llm_env.chat_requests()) == 3


def test_json_object_mode_puts_schema_in_system_message(llm_env):
    llm_env.push(Reply(content=json.dumps(GOOD)))
    _engine(response_format="json_object").structured("grade_answer", GRADE_VARS)
    body = llm_env.chat_requests()[0]["body"]
    # The schema rides in the system message, and in `schema`, which llama-cpp-python
    # turns into a grammar (other servers ignore it).
    assert body["response_format"]["type"] == "json_object"
    assert body["response_format"]["schema"] == LLMGrade.model_json_schema()
    assert '"injection_detected"' in body["messages"][0]["content"]


def test_local_server_without_key_sends_placeholder(monkeypatch, llm_env):
    monkeypatch.delenv("OPENAI_API_KEY")
    get_settings.cache_clear()
    llm_env.push(Reply(content=json.dumps(GOOD)))
    _engine().structured("grade_answer", GRADE_VARS)
    assert llm_env.chat_requests()[0]["headers"]["authorization"] == "Bearer not-needed"


def test_no_endpoint_configured_is_a_user_error(monkeypatch):
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:gpt-4o-mini")
    get_settings.cache_clear()
    from simulator.errors import UserError

    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        _engine().structured("grade_answer", GRADE_VARS)


def test_token_counts_and_costs():
    text = "Staff engineers write ADRs."
    assert count_tokens(text, "gpt-4o") == 6
    assert count_tokens(text, "gpt-4") == 7  # cl100k splits it differently from o200k
    assert count_tokens("hello world", "gpt-4o-mini") == 2
    cost, note = estimate_cost("gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000)
    assert cost == pytest.approx(0.75) and note is None
    assert estimate_cost("gpt-4o", 1000, 0)[0] == pytest.approx(0.0025)  # not the mini price
    free, note = estimate_cost("llama3:8b", 10, 10)
    assert free == 0.0 and "no price listed for 'llama3:8b'" in note


def test_ledger_sums_a_session(llm_env):
    llm_env.default = Reply(content=json.dumps(GOOD))
    engine = _engine()
    ledger = Ledger()
    for _ in range(2):
        ledger.add(engine.structured("grade_answer", GRADE_VARS)[1])
    summary = ledger.summary()
    assert summary["calls"] == 2 and summary["models"] == ["fake-model-1"]
    assert summary["tokens_in"] > 100


def test_stream_retries_before_the_first_chunk(llm_env):
    llm_env.push(Reply(status=503), Reply(chunks=["Back ", "again."]))
    sleeps = Sleeps()
    stream = _engine(sleeps=sleeps).stream("interviewer_turn", TURN_VARS)
    assert "".join(stream) == "Back again."
    assert len(sleeps) == 1 and stream.provenance.attempts == 2


def test_stream_gives_up_with_a_clear_error(llm_env):
    llm_env.default = Reply(status=502)
    with pytest.raises(LLMUnavailable, match="HTTP 502"):
        list(_engine(retries=1).stream("interviewer_turn", TURN_VARS))
    assert len(llm_env.chat_requests()) == 2
