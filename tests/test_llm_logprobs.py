"""Logprobs: asked for where the endpoint gives them, dropped once refused, and read back as
each check's P(yes) beside its answer."""

from __future__ import annotations

import json
import math
import re

import pytest
from openai_server import Reply

from simulator.config import get_settings
from simulator.llm import LLMEngine, negotiation
from simulator.llm.logprobs import TokenLogprob, dump, load, yes_probabilities
from simulator.llm.retry import RetryPolicy

PROBE = json.dumps({"ok": True, "note": "An error budget says how much failure is fine."})
#: What llama-cpp-python built without logits_all answers to `logprobs: true`.
NO_LOGITS = "logprobs is not supported for models created with logits_all=False"


def _tokens(text: str, p_true: dict[str, float]) -> list[TokenLogprob]:
    """`text` as tokens; each boolean value a token whose alternatives give P(true)."""
    out, values = [], iter(p_true.values())
    for piece in re.findall(r" true| false|[^tf ]+|.", text):
        if piece in (" true", " false"):
            p = next(values)
            top = {" true": math.log(p), " false": math.log(1 - p), ' "': -9.0}
            out.append(TokenLogprob(piece, top[piece], top))
        else:
            out.append(TokenLogprob(piece, -0.01, {piece: -0.01}))
    return out


def test_p_yes_is_read_at_each_passed_value_and_renormalised_over_true_and_false():
    # The shape of a reply llama-cpp-python streamed for a two-check rubric (its tokens
    # carry a leading space; ' "' is a token the grammar forbids there and is not counted).
    text = (
        '{"signals": [{"id": "impact", "checks": [{"id": "metric", "passed": true, "quote": '
        '"cut p99 from 900 to 200 ms"}, {"id": "rollback", "passed": false, "quote": ""}]}, '
        '{"id": "scope", "checks": [{"id": "metric", "passed": false, "quote": ""}]}], '
        '"injection_detected": false, "summary": "ok"}'
    )
    tokens = _tokens(text, {"a": 0.92, "b": 0.6, "c": 0.01, "injection": 0.05})
    assert "".join(t.token for t in tokens) == text
    p = yes_probabilities(tokens)
    # Same check id under two signals: each keeps its own; injection_detected is no check.
    assert p == pytest.approx({"impact.metric": 0.92, "impact.rollback": 0.6, "scope.metric": 0.01})
    assert yes_probabilities(None) == {} and yes_probabilities([]) == {}


def test_a_value_whose_alternatives_leave_out_false_is_near_certain_yes():
    # `false` was not even among the top alternatives: P(yes) over what is known is 1.
    text = '{"signals": [{"id": "s", "checks": [{"id": "c", "passed": true, "quote": ""}]}]}'
    tokens = [
        TokenLogprob(t.token, -0.01, {" true": -0.01, ' "': -6.0}) if t.token == " true" else t
        for t in _tokens(text, {"c": 0.5})
    ]
    assert yes_probabilities(tokens) == {"s.c": 1.0}


def test_dumped_tokens_load_back():
    tokens = _tokens('{"passed": true}', {"c": 0.7})
    assert [t.token for t in load(dump(tokens))] == [t.token for t in tokens]
    assert load(None) is None


def test_alternatives_named_like_secrets_survive_the_fixture_scrubber():
    from simulator.llm.cache import scrub

    tokens = [TokenLogprob(" true", -0.1, {" true": -0.1, "cookie": -3.0, "api_key": -4.0})]
    kept = load(scrub(dump(tokens)))
    assert kept[0].top == {" true": -0.1, "cookie": -3.0, "api_key": -4.0}
    # Recordings made before pairs keep reading.
    assert load([[" true", -0.1, {" true": -0.1}]])[0].top == {" true": -0.1}


@pytest.fixture
def env(monkeypatch, fake_openai, tmp_path):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STAFFSIM_ENGINE", "openai:fake-model-1")
    monkeypatch.setenv("STAFFSIM_FIXTURES", str(tmp_path / "fixtures"))
    monkeypatch.setenv("STAFFSIM_LLM_TIMEOUT", "5")
    monkeypatch.setenv("STAFFSIM_LLM_RESPONSE_FORMAT", "json_object")
    get_settings.cache_clear()
    return fake_openai


def _engine() -> LLMEngine:
    return LLMEngine(retry=RetryPolicy(retries=2, sleep=lambda s: None))


def _streamed(text: str, tokens: list[TokenLogprob]) -> Reply:
    content = [
        [{"token": t.token, "logprob": t.logprob, "bytes": None,
          "top_logprobs": [{"token": k, "logprob": v, "bytes": None} for k, v in t.top.items()]}]
        for t in tokens
    ]  # fmt: skip
    return Reply(chunks=[t.token for t in tokens], logprobs=content)


def test_logprobs_are_asked_for_streamed_back_and_recorded_with_the_reply(env, monkeypatch):
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "record")
    get_settings.cache_clear()
    tokens = _tokens(PROBE, {"ok": 0.8})
    env.push(_streamed(PROBE, tokens))
    out, prov = _engine().structured("endpoint_probe", {"topic": "x"}, with_logprobs=True)
    body = env.chat_requests()[0]["body"]
    assert body["logprobs"] is True and body["top_logprobs"] == 5
    assert out.ok and [t.token for t in prov.logprobs] == [t.token for t in tokens]
    assert "logprobs" not in prov.model_dump()  # kept out of every JSON the user sees

    # Replayed, the recording gives the same tokens back without the server.
    env.stop()
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "replay")
    get_settings.cache_clear()
    _, replayed = _engine().structured("endpoint_probe", {"topic": "x"}, with_logprobs=True)
    assert replayed.cache_key == prov.cache_key
    assert [t.token for t in replayed.logprobs] == [t.token for t in tokens]


def test_a_refusal_naming_logprobs_drops_them_once_and_is_remembered(env):
    env.push(Reply(status=500, error=NO_LOGITS), Reply(content=PROBE), Reply(content=PROBE))
    engine = _engine()
    out, prov = engine.structured("endpoint_probe", {"topic": "x"}, with_logprobs=True)
    assert out.ok and prov.logprobs is None
    asked = [r["body"].get("logprobs") for r in env.chat_requests()]
    assert asked == [True, None]  # not retried as a transient 5xx
    negotiation.forget()  # a new process reads it from STAFFSIM_HOME
    _engine().structured("endpoint_probe", {"topic": "x"}, with_logprobs=True)
    assert env.chat_requests()[-1]["body"].get("logprobs") is None
    line = negotiation.describe(get_settings().home, engine.endpoint, engine.model)
    assert "logprobs refused (HTTP 500:" in line and "logits_all=False" in line


def test_a_recording_made_without_logprobs_still_replays_when_they_are_asked_for(env, monkeypatch):
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "record")
    get_settings.cache_clear()
    env.push(Reply(content=PROBE))
    _, recorded = _engine().structured("endpoint_probe", {"topic": "x"})
    env.stop()
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "replay")
    get_settings.cache_clear()
    _, replayed = _engine().structured("endpoint_probe", {"topic": "x"}, with_logprobs=True)
    assert replayed.cache_key == recorded.cache_key and replayed.logprobs is None


def test_a_checklist_grade_keeps_p_yes_beside_each_answer_the_model_gave(env):
    from simulator.grading.llm import LLMGrader
    from simulator.knowledge.rubrics import get_artifact_rubric

    rubric = get_artifact_rubric("star")
    checks = [
        [{"id": c.id, "passed": False, "quote": ""} for c in s.checks] for s in rubric.signals
    ]
    checks[0] = checks[0][:-1]  # one check left out
    signals = [{"id": s.id, "checks": c} for s, c in zip(rubric.signals, checks, strict=True)]
    reply = {"signals": signals, "injection_detected": False, "summary": "ok"}
    text = json.dumps(reply)
    values = {f"{s['id']}.{c['id']}": 0.3 for s in reply["signals"] for c in s["checks"]}
    env.push(_streamed(text, _tokens(text, {**values, "injection": 0.1})))
    grade = LLMGrader("openai:fake-model-1").grade(
        "I led the migration.", rubric, target="critique", kind="star"
    )
    assert grade.engine == "openai" and len(grade.filled_checks) == 1
    by_id = {f"{s.id}.{c.id}": c.p_yes for s in grade.signals for c in s.checks}
    assert by_id.pop(grade.filled_checks[0]) is None  # answered offline: no P(yes)
    assert by_id and all(p == pytest.approx(0.3) for p in by_id.values())
    assert "p_yes" in grade.model_dump()["signals"][0]["checks"][0]


def test_doctor_says_whether_the_endpoint_gives_logprobs(env):
    from click.testing import CliRunner

    from simulator.cli.doctor import doctor

    env.push(_streamed(PROBE, _tokens(PROBE, {"ok": 0.9})), Reply(content=PROBE))
    lines = []
    for _ in range(2):
        result = CliRunner().invoke(doctor, ["--json"])
        lines += [c["line"] for c in json.loads(result.output)["checks"] if "llm: " in c["line"]]
    assert f"logprobs given ({len(_tokens(PROBE, {'ok': 0.9}))} tokens" in lines[0]
    assert "logprobs asked for but not sent" in lines[1]


def test_logprobs_off_never_asks_for_them(env, monkeypatch):
    monkeypatch.setenv("STAFFSIM_LLM_LOGPROBS", "off")
    env.push(Reply(content=PROBE))
    _, prov = _engine().structured("endpoint_probe", {"topic": "x"}, with_logprobs=True)
    assert "logprobs" not in env.chat_requests()[0]["body"] and prov.logprobs is None
