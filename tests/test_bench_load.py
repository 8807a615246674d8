"""The load benchmark: real `app.py` on 127.0.0.1, several gradio_client sessions at once."""

from __future__ import annotations

import pytest

from simulator.bench import load


@pytest.mark.slow
def test_simultaneous_sessions_get_their_own_transcripts(capsys):
    code = load.main(["--sessions", "4", "--answers", "2", "--timeout", "240"])
    out = capsys.readouterr().out
    assert "turns" in out and "8/8" in out, out
    assert "errors: 0 (target 0); cross-talk: 0 (target 0)" in out
    assert code == 0


def test_a_transcript_with_another_sessions_answer_is_cross_talk(monkeypatch):
    """The check itself: a session shown someone else's answer is caught."""
    other = load._Session(1)
    session = load._Session(0)
    every = {s.tag(a) for s in (session, other) for a in range(2)}

    class _Client:
        def __init__(self, *args, **kwargs):
            self.said: list[dict] = []

        def view_api(self, **kwargs):
            return {"named_endpoints": {"/start": {"parameters": []}}}

        def predict(self, *args, api_name):
            if api_name == "/answer":
                leaked = {"role": "user", "content": load._ANSWER.format(tag=other.tag(0))}
                self.said += [{"role": "user", "content": args[0]}, leaked]
            return ["state", list(self.said)]

    monkeypatch.setattr("gradio_client.Client", _Client)
    load._run_session(session, "http://127.0.0.1:1/", 2, every)
    assert len(session.turns_s) == 2 and session.errors == []
    assert session.crosstalk and "tag-s01-a0" in session.crosstalk[0]
