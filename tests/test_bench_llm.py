"""The LLM bench's table, from a results file shaped like a recording's."""

from __future__ import annotations

import os

from simulator.bench import llm as bench


def _call(fmt, valid_first=True):
    return {"format": fmt, "valid_first": valid_first, "valid": True, "tokens_in": 2300,
            "tokens_out": 400, "first_token_s": 40.0, "seconds": 200.0}  # fmt: skip


def test_report_shows_latency_formats_quotes_agreement_and_injections():
    grades = [
        {"id": "star-02", "kind": "star", "base": None, "label": 1, "offline": 1, "llm": 2,
         "fallback": None, "seconds": 200.0, "tokens_in": 2300, "tokens_out": 400, "kept": 3,
         "dropped": 1, "filled": 0, "calls": [_call("json_object")]},
        {"id": "inj-01", "kind": "injection", "base": "star-02", "label": 1, "offline": 1,
         "llm": 3, "fallback": None, "seconds": 210.0, "tokens_in": 2350, "tokens_out": 420,
         "kept": 2, "dropped": 0, "filled": 0, "calls": [_call("json_object", False)]},
    ]  # fmt: skip
    follow = [{"id": "behavioral:star-28", "format": "instructions", "source": "llm",
               "seconds": 30.0, "calls": [_call("instructions")]}]  # fmt: skip
    text = bench.report({"grades": grades, "follow_ups": follow})
    assert "grade latency s" in text and "follow-up latency s" in text
    assert "json_object" in text and "1/2 (50%)" in text and "instructions" in text
    assert "quotes: 5 kept, 1 dropped" in text
    assert "LLM exact 0/1" in text and "offline exact 1/1" in text
    assert "raised inj-01 (2 -> 3)" in text


def test_round_robin_covers_every_kind_first_with_injections_after_their_bases():
    rows = [{"id": f"{k}{n}", "kind": k} for k in ("star", "adr") for n in range(2)]
    rows.append({"id": "inj", "kind": "injection"})
    order = [r["id"] for r in bench._round_robin(rows)]
    assert order == ["star0", "adr0", "inj", "star1", "adr1"]


def test_report_shows_p_yes_and_the_interview_turns_against_the_60_s_bar():
    grade = {"id": "star-28", "kind": "star", "base": None, "label": 3, "offline": 3, "llm": 3,
             "fallback": None, "seconds": 500.0, "tokens_in": 2100, "tokens_out": 600,
             "kept": 4, "dropped": 0, "filled": 0, "calls": [_call("json_object")],
             "p_yes": {"passed": [0.9, 0.7], "failed": [0.1]}}  # fmt: skip
    turns = [{"reply": "Interviewer [ownership]", "seconds": 21.0, "text": "Why?",
              "source": "llm"},
             {"reply": "Interviewer", "seconds": 75.0, "text": "Thanks."}]  # fmt: skip
    text = bench.report({"grades": [grade], "follow_ups": [], "interview": turns})
    assert "mean 0.80 on 2 checks passed, 0.10 on 1 not passed; 1 between 0.2 and 0.8" in text
    assert "2 turns" in text and "max 75.0 s" in text and "under 60 s: 1/2 (50%)" in text
    assert "follow-ups phrased by the model 1/1" in text


def test_rescore_relevels_recorded_grades_from_the_recordings_alone(tmp_path, monkeypatch, request):
    import shutil

    import yaml

    from simulator.config import get_settings

    results = bench.SUITE.parent / "results.yaml"
    copy = tmp_path / "results.yaml"
    shutil.copy(results, copy)
    data = yaml.safe_load(copy.read_text(encoding="utf-8"))
    first = data["grades"][0]
    data["grades"] = [dict(first, offline=9, llm=9)]
    copy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    # rescore configures the process for replay; each variable it sets or pops comes back
    # (setenv records the original, set or not; delenv alone records only a set one).
    for name in (
        "STAFFSIM_ENGINE",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "STAFFSIM_LLM_MODE",
        "STAFFSIM_LLM_RESPONSE_FORMAT",
        "STAFFSIM_HOME",
        "STAFFSIM_FIXTURES",
    ):
        was = os.environ.get(name)
        monkeypatch.setenv(name, was or "")
        if was is None:
            monkeypatch.delenv(name)
    request.addfinalizer(get_settings.cache_clear)
    case = next(c for c in bench.grade_cases(bench.load_suite()) if c["id"] == first["id"])
    row = bench.rescore(copy)["grades"][0]
    assert row["offline"] == bench.run_grade(case, engine="offline").score
    assert 1 <= row["llm"] <= 5  # levelled again from the recording, not the 9 written
    assert yaml.safe_load(copy.read_text(encoding="utf-8"))["grades"][0]["llm"] == row["llm"]
