"""The LLM bench's table, from a results file shaped like a recording's."""

from __future__ import annotations

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
