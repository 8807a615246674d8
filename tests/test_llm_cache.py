"""Record then replay: fixtures keyed on the canonical request, scrubbed, and replayed offline."""

from __future__ import annotations

import json
import socket

import pytest
from openai_server import Reply
from test_llm_engine import GOOD, GRADE_VARS, SECRET, TURN_VARS, _engine

from simulator.config import get_settings
from simulator.llm import FixtureMissing
from simulator.llm.cache import FixtureStore, canonical_request, request_key, scrub
from simulator.llm.engine import LLMEngine
from simulator.llm.errors import LLMUnavailable


@pytest.fixture
def recorder(monkeypatch, fake_openai, tmp_path):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:fake-model-1")
    monkeypatch.setenv("STAFFSIM_FIXTURES", str(tmp_path / "fixtures"))
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "record")
    get_settings.cache_clear()
    return fake_openai


def _replay_mode(monkeypatch) -> None:
    """Replay with no endpoint configured at all, and every socket refused."""
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "replay")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()

    def refuse(*args, **kwargs):
        raise AssertionError("replay touched the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_record_then_replay_without_network(monkeypatch, recorder, tmp_path):
    recorder.push(Reply(content=json.dumps(GOOD)), Reply(chunks=["Tell me ", "more."]))
    engine = _engine()
    recorded, prov = engine.structured("grade_answer", GRADE_VARS, rubric_ref="sd@1")
    streamed = "".join(engine.stream("interviewer_turn", TURN_VARS))
    files = sorted((tmp_path / "fixtures" / "fake-model-1").glob("*.json"))
    assert len(files) == 2 and prov.cache_key in {f.stem for f in files}

    fixture = json.loads(
        (tmp_path / "fixtures" / "fake-model-1" / f"{prov.cache_key}.json").read_text()
    )
    assert fixture["recorded_with"]["model"] == "fake-model-1"
    assert fixture["recorded_with"]["server"].startswith("fake-openai/1.0")
    assert fixture["request"]["prompt"] == prov.prompt
    assert fixture["response"]["usage"]["prompt_tokens"] == 11

    recorder.stop()
    _replay_mode(monkeypatch)
    engine = _engine()
    replayed, rprov = engine.structured("grade_answer", GRADE_VARS, rubric_ref="sd@1")
    assert replayed == recorded
    assert rprov.cache_key == prov.cache_key and rprov.mode == "replay"
    assert rprov.served_by == "fake-model-1"
    assert "".join(engine.stream("interviewer_turn", TURN_VARS)) == streamed


def test_repair_turn_is_recorded_and_replayed(monkeypatch, recorder):
    recorder.push(Reply(content="{oops"), Reply(content=json.dumps(GOOD)))
    grade, _ = _engine().structured("grade_answer", GRADE_VARS)
    recorder.stop()
    _replay_mode(monkeypatch)
    again, prov = _engine().structured("grade_answer", GRADE_VARS)
    assert again == grade and prov.attempts == 0  # no HTTP attempts in replay


def test_fixtures_never_hold_the_key(recorder, tmp_path):
    recorder.push(Reply(content=json.dumps(GOOD)))
    variables = dict(GRADE_VARS, answer=f"my key is {SECRET} and sk-proj-otherkey123456")
    _engine().structured("grade_answer", variables)
    assert recorder.chat_requests()[0]["headers"]["authorization"] == f"Bearer {SECRET}"
    text = "".join(p.read_text() for p in (tmp_path / "fixtures").rglob("*.json"))
    assert SECRET not in text and "sk-proj-otherkey" not in text
    assert "Bearer" not in text and "[scrubbed]" in text


def test_key_ignores_secrets_timeouts_and_retries_but_not_the_request(monkeypatch, recorder):
    recorder.default = Reply(content=json.dumps(GOOD))
    first = _engine(retries=1).structured("grade_answer", GRADE_VARS)[1].cache_key
    monkeypatch.setenv("OPENAI_API_KEY", "sk-a-different-key-9999")
    monkeypatch.setenv("STAFFSIM_LLM_TIMEOUT", "17")
    get_settings.cache_clear()
    assert _engine(retries=5).structured("grade_answer", GRADE_VARS)[1].cache_key == first
    changed = dict(GRADE_VARS, answer=GRADE_VARS["answer"] + " Also a sliding window.")
    assert _engine().structured("grade_answer", changed)[1].cache_key != first
    other_model = LLMEngine(model="fake-model-2").structured("grade_answer", GRADE_VARS)
    assert other_model[1].cache_key != first


def test_replay_miss_names_key_nearest_and_diff(monkeypatch, recorder, tmp_path):
    recorder.push(Reply(content=json.dumps(GOOD)))
    _engine().structured("grade_answer", GRADE_VARS)
    _replay_mode(monkeypatch)
    changed = dict(GRADE_VARS, question="Design a rate limiter for an internal API.")
    with pytest.raises(FixtureMissing) as info:
        _engine().structured("grade_answer", changed)
    err = info.value
    assert len(err.key) == 64 and err.key in str(err)
    assert err.nearest and err.nearest.endswith(".json")
    assert "-Question: Design a rate limiter for a public API." in err.diff
    assert "+Question: Design a rate limiter for an internal API." in err.diff
    assert "STAFFSIM_LLM_MODE=record" in str(err)


def test_replay_miss_with_no_fixtures(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:gpt-4o-mini")
    monkeypatch.setenv("STAFFSIM_FIXTURES", str(tmp_path / "empty"))
    _replay_mode(monkeypatch)
    with pytest.raises(FixtureMissing, match="No fixtures at all"):
        _engine().structured("grade_answer", GRADE_VARS)


def test_fixture_missing_is_not_swallowed_by_fallback(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:gpt-4o-mini")
    monkeypatch.setenv("STAFFSIM_FIXTURES", str(tmp_path / "empty"))
    _replay_mode(monkeypatch)
    with pytest.raises(FixtureMissing):
        _engine().structured_or_fallback("grade_answer", GRADE_VARS, lambda: "offline")


def test_scrub_masks_secret_shapes():
    dirty = {
        "headers": {"Authorization": "Bearer abc.def", "x-api-key": "k"},
        "text": ["token sk-live_ABCDEF123456 here", "Bearer xyz123"],
        "n": 3,
    }
    clean = scrub(dirty)
    assert clean == {"headers": {}, "text": ["token [scrubbed] here", "[scrubbed]"], "n": 3}


def test_request_key_is_stable_and_order_free():
    a = canonical_request(
        model="m",
        params={"temperature": 0, "max_tokens": 5},
        messages=[{"role": "user", "content": "hi"}],
        response_schema={"type": "object"},
        prompt="p@1@abc",
    )
    b = canonical_request(
        model="m",
        params={"max_tokens": 5, "temperature": 0},
        messages=[{"role": "user", "content": "hi"}],
        response_schema={"type": "object"},
        prompt="p@1@abc",
    )
    assert request_key(a) == request_key(b)
    assert request_key(a) != request_key(dict(a, prompt="p@2@def"))


def test_unavailable_in_record_mode_writes_nothing(recorder, tmp_path):
    recorder.default = Reply(status=503)
    with pytest.raises(LLMUnavailable):
        _engine(retries=0).structured("grade_answer", GRADE_VARS)
    assert FixtureStore(tmp_path / "fixtures").all() == []
