"""Response-format negotiation against the scripted server: json_schema, json_object, then
plain instructions, stepped down on the first refusal naming response_format."""

from __future__ import annotations

import json

import pytest
from openai_server import Reply

from simulator.config import get_settings
from simulator.llm import LLMEngine, LLMUnavailable, negotiation
from simulator.llm.retry import RetryPolicy

VARS = {
    "panel_name": "Behavioral",
    "question": "Tell me about a conflict.",
    "signal": {
        "id": "ownership",
        "name": "Ownership",
        "description": "d",
        "strong": "s",
        "weak": "w",
    },
    "answer": "I led the migration of 40 services in 6 weeks.",
    "asked": [],
    "context": ["Ownership: name what you did."],
}
GOOD = json.dumps(
    {
        "question": "What did you do first?",
        "targets_signal": "ownership",
        "quote": "I led the migration",
    }
)
#: What llama-cpp-python's server answers to `response_format: json_schema` (HTTP 500).
LLAMA_500 = (
    "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}]"
)


@pytest.fixture
def env(monkeypatch, fake_openai, tmp_path):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:fake-model-1")
    monkeypatch.setenv("STAFFSIM_FIXTURES", str(tmp_path / "fixtures"))
    monkeypatch.setenv("STAFFSIM_LLM_TIMEOUT", "5")
    monkeypatch.delenv("STAFFSIM_LLM_RESPONSE_FORMAT", raising=False)
    get_settings.cache_clear()
    return fake_openai


def _engine(**kwargs) -> LLMEngine:
    return LLMEngine(retry=RetryPolicy(retries=2, sleep=lambda s: None), **kwargs)


def _formats(server) -> list[str | None]:
    return [(r["body"].get("response_format") or {}).get("type") for r in server.chat_requests()]


def test_http_500_to_json_schema_steps_down_to_json_object_once_and_is_remembered(env):
    env.push(Reply(status=500, error=LLAMA_500), Reply(content=GOOD), Reply(content=GOOD))
    engine = _engine()
    out, prov = engine.structured("follow_up", VARS)
    assert out.question == "What did you do first?" and prov.response_format == "json_object"
    # Not retried as a transient 5xx: one refusal, then the next format.
    assert _formats(env) == ["json_schema", "json_object"]
    body = env.chat_requests()[1]["body"]
    assert '"targets_signal"' in body["messages"][0]["content"]  # schema in the prompt too
    engine.structured("follow_up", VARS)
    assert _formats(env) == ["json_schema", "json_object", "json_object"]

    # A new process starts where this one ended (the memory is on disk).
    negotiation.forget()
    assert _engine().response_format == "json_object"
    line = negotiation.describe(get_settings().home, engine.endpoint, engine.model)
    assert line.startswith("json_object (json_schema refused (HTTP 500:")


def test_a_server_refusing_both_gets_plain_instructions(env):
    refuse = Reply(status=400, error="response_format is not supported by this server")
    env.push(refuse, refuse, Reply(content="Here you go:\n" + GOOD))
    out, prov = _engine().structured("follow_up", VARS)
    assert out.targets_signal == "ownership" and prov.response_format == "instructions"
    assert _formats(env) == ["json_schema", "json_object", None]
    last = env.chat_requests()[-1]["body"]
    assert "response_format" not in last and '"targets_signal"' in last["messages"][0]["content"]


def test_a_500_that_does_not_name_response_format_is_an_outage_not_a_refusal(env):
    env.default = Reply(status=500)
    with pytest.raises(LLMUnavailable, match="HTTP 500"):
        _engine().structured("follow_up", VARS)
    assert _formats(env) == ["json_schema"] * 3  # retried, never stepped down
    engine = _engine()
    assert engine.response_format == "json_schema"
    assert negotiation.remembered(get_settings().home, engine.endpoint, engine.model) is None


def test_a_forced_format_that_is_refused_says_how_to_negotiate(env):
    env.push(Reply(status=500, error=LLAMA_500))
    with pytest.raises(LLMUnavailable, match="unset STAFFSIM_LLM_RESPONSE_FORMAT"):
        _engine(response_format="json_schema").structured("follow_up", VARS)
    assert len(env.chat_requests()) == 1


def test_replay_finds_the_format_the_recording_was_made_with(env, monkeypatch):
    env.push(Reply(status=500, error=LLAMA_500), Reply(content=GOOD))
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "record")
    get_settings.cache_clear()
    _engine().structured("follow_up", VARS)
    env.stop()
    negotiation.forget()
    monkeypatch.setenv("STAFFSIM_HOME", str(get_settings().home / "other"))  # nothing remembered
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "replay")
    get_settings.cache_clear()
    out, prov = _engine().structured("follow_up", VARS)
    assert out.question == "What did you do first?" and prov.response_format == "json_object"


def test_doctor_reports_the_negotiated_format_and_the_endpoint_speed(env):
    from click.testing import CliRunner

    from simulator.cli.doctor import doctor

    note = json.dumps({"ok": True, "note": "An error budget says how much failure is fine."})
    env.push(Reply(status=500, error=LLAMA_500), Reply(chunks=[note[:20], note[20:]]))
    result = CliRunner().invoke(doctor, ["--json"])
    lines = [c["line"] for c in json.loads(result.output)["checks"]]
    llm = next(line for line in lines if line.startswith("llm: "))
    assert "response format json_object (json_schema refused (HTTP 500:" in llm
    assert "tokens/s" in llm and "first token" in llm and "concurrency 1" in llm
