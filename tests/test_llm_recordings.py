"""The real-model recordings (Qwen2.5-Coder-1.5B on llama-cpp-python's server) replay offline.

A prompt, rubric or schema change without re-recording fails here with the request key
and a diff against the closest recording; re-record with `make llm-server` and
`python -m simulator.bench llm --record` (see the README).
"""

from __future__ import annotations

import pytest
import yaml

from simulator.bench import llm as bench
from simulator.config import get_settings

RESULTS = bench.SUITE.parent / "results.yaml"
SUITE = bench.load_suite()
RECORDED = yaml.safe_load(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else None
pytestmark = pytest.mark.skipif(RECORDED is None, reason=f"{RESULTS} not recorded yet")


@pytest.fixture
def replay(monkeypatch):
    monkeypatch.setenv("STAFFSIM_ENGINE", f"openai:{SUITE['model']}")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # never contacted
    monkeypatch.setenv("STAFFSIM_LLM_MODE", "replay")
    monkeypatch.delenv("STAFFSIM_LLM_RESPONSE_FORMAT", raising=False)
    get_settings.cache_clear()


def _recorded(kind: str) -> list[dict]:
    return list((RECORDED or {}).get(kind) or [])


@pytest.mark.parametrize("row", _recorded("grades"), ids=lambda r: r["id"])
def test_a_recorded_grade_replays_to_the_same_answers(replay, row):
    case = next(c for c in bench.grade_cases(SUITE) if c["id"] == row["id"])
    grade = bench.run_grade(case)
    assert grade.engine == ("offline" if row["fallback"] else "openai")
    # What the model decided; the level also moves with the offline readings (off-topic,
    # caps, calibration), which other work changes without touching the recordings.
    answers = (grade.kept_quotes, grade.dropped_quotes, len(grade.filled_checks))
    assert answers == (row["kept"], row["dropped"], row["filled"])
    # Recorded with logprobs: the same P(yes) beside each answer (None before logprobs).
    assert bench._p_yes(grade) == row.get("p_yes")


@pytest.mark.parametrize("row", _recorded("follow_ups"), ids=lambda r: f"{r['id']}-{r['format']}")
def test_a_recorded_follow_up_replays_to_the_same_question(replay, monkeypatch, row):
    if row["format"] != "negotiated":
        monkeypatch.setenv("STAFFSIM_LLM_RESPONSE_FORMAT", row["format"])
        get_settings.cache_clear()
    case = next(c for c in bench.follow_up_cases(SUITE) if c["id"] == row["id"])
    chosen = bench.run_follow_up(case)
    assert (chosen.source, chosen.text, chosen.quote) == (row["source"], row["text"], row["quote"])


def test_every_recording_names_the_model_quantisation_and_server():
    import json

    paths = sorted(bench.SUITE.parent.glob("*.json"))
    assert RECORDED is None or paths
    for path in paths:
        made = json.loads(path.read_text(encoding="utf-8"))["recorded_with"]
        assert made["model"] == "Qwen2.5-Coder-1.5B-Instruct"
        assert made["quantisation"].startswith("Q4_K_M")
        assert made["server"].startswith("llama-cpp-python[server] 0.3.36")
