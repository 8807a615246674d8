"""The reference server, the record command, and replay of the committed fixtures."""

from __future__ import annotations

import json
import re
import socket

import pytest

from simulator.config import EVALS_DIR, get_settings
from simulator.llm import LLMFollowUp, LLMGrade, get_engine
from simulator.llm.record import Call, load_calls, main, record_calls
from simulator.llm.refserver import DEFAULT_MODEL, neutral_instance

CALLS = EVALS_DIR / "fixtures" / "calls.yaml"


def _refuse_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("replay touched the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_neutral_instance_satisfies_the_schemas():
    grade = LLMGrade.model_validate(neutral_instance(LLMGrade.model_json_schema()))
    assert grade.overall == 3 and grade.signals == [] and grade.injection_detected is False
    LLMFollowUp.model_validate(neutral_instance(LLMFollowUp.model_json_schema()))


def test_record_against_refserver_then_replay_offline(tmp_path, monkeypatch):
    calls = load_calls(CALLS)
    rows = record_calls(calls, tmp_path / "fx")
    files = sorted((tmp_path / "fx" / DEFAULT_MODEL).glob("*.json"))
    assert len(files) == len(calls) == len(rows)
    for path in files:
        recorded = json.loads(path.read_text())["recorded_with"]
        assert recorded["server"].startswith("staffsim-refserver")
        assert recorded["model"] == DEFAULT_MODEL

    monkeypatch.setenv("STAFFSIM_ENGINE", f"openai:{DEFAULT_MODEL}")
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "replay")
    monkeypatch.setenv("STAFFSIM_FIXTURES", str(tmp_path / "fx"))
    get_settings.cache_clear()
    _refuse_network(monkeypatch)
    grade, prov = get_engine().structured("grade_answer", calls[0].variables)
    assert grade == LLMGrade.model_validate(rows[0]["result"])
    assert prov.cache_key == rows[0]["key"] and prov.served_by == DEFAULT_MODEL


def test_custom_responder_names_its_model(tmp_path):
    answer = {"question": "What did you do yourself?", "targets_signal": "ownership", "quote": "We"}
    call = next(c for c in load_calls(CALLS) if c.prompt == "follow_up")
    rows = record_calls(
        [call], tmp_path, responder=lambda body: json.dumps(answer), served_model="offline-v1"
    )
    assert rows[0]["result"] == answer
    fixture = json.loads(next(tmp_path.rglob("*.json")).read_text())
    assert fixture["recorded_with"]["model"] == "offline-v1"


def test_committed_fixtures_replay_with_network_refused(monkeypatch):
    """Acceptance: STAFFSIM_ENGINE=openai:<model> + replay runs from evals/fixtures offline."""
    monkeypatch.setenv("STAFFSIM_ENGINE", f"openai:{DEFAULT_MODEL}")
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "replay")
    get_settings.cache_clear()
    _refuse_network(monkeypatch)
    engine = get_engine()
    for call in load_calls(CALLS):
        if call.prompt == "interviewer_turn":
            stream = engine.stream(call.prompt, call.variables)
            assert "".join(stream) and stream.provenance.mode == "replay"
        else:
            result, prov = engine.structured(call.prompt, call.variables)
            assert prov.prompt.startswith(call.prompt + "@")


def test_record_cli_writes_fixtures(tmp_path, capsys):
    calls = tmp_path / "calls.yaml"
    calls.write_text(
        json.dumps(
            [Call(prompt="follow_up", variables=load_calls(CALLS)[2].variables).model_dump()]
        )
    )
    assert main(["--out", str(tmp_path / "out"), "--calls", str(calls)]) == 0
    printed = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (tmp_path / "out" / DEFAULT_MODEL / f"{printed['key']}.json").exists()


@pytest.mark.parametrize("path", sorted((EVALS_DIR / "fixtures").glob("*/*.json")))
def test_committed_fixtures_are_scrubbed_and_say_what_made_them(path):
    data = json.loads(path.read_text())
    assert data["recorded_with"]["server"] and data["recorded_with"]["model"]
    # An API key's shape (a text may well say "disk-full"), and no auth header at all (as
    # a key or a bearer token; the word itself may be among a token's logprob alternatives).
    assert not re.search(r"\bsk-[A-Za-z0-9_-]{16,}|Bearer\s+[A-Za-z0-9_\-.=]{8,}", path.read_text())
    assert not any(k.lower() == "authorization" for k in _keys(data))


def _keys(obj) -> list[str]:
    """Every key of every object in a JSON document."""
    if isinstance(obj, dict):
        return [*obj, *(key for value in obj.values() for key in _keys(value))]
    if isinstance(obj, list):
        return [k for v in obj for k in _keys(v)]
    return []
