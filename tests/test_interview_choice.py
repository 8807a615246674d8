"""Choosing the question, per-question grades, off-topic retries, follow-ups that listen."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from simulator import api
from simulator.cli import cli
from simulator.errors import UserError
from simulator.interview import followup, questions
from simulator.knowledge.rubrics import get_panel

URL_QUESTION = "Design a URL shortener handling 100M new links a month."
URL_ANSWERS = [
    "Requirements first: 100M new links a month is about 40 writes per second on average and "
    "400 at peak; reads are 100x that, so 40k redirects per second at peak, with p99 redirect "
    "latency under 50 ms and 99.95% availability. Codes are 7 base62 characters from a counter "
    "range-allocated per node, so there are no collisions. We chose a key-value store keyed by "
    "the code rather than Postgres, because redirects are single-key reads; the trade-off is no "
    "cross-key transactions, and we would revisit if custom aliases pass 10% of links.",
    "If the key-value store is slow, the CDN keeps serving popular links, so users see "
    "old-but-valid redirects; new links fail closed with a retry. Failover to the second "
    "region takes under 60 seconds.",
    "We alert on the burn rate of the availability SLO: 2% of the budget in an hour pages.",
    "v1 is one region with the CDN; at 10x we shard the store by code and add a second region.",
]
LIMITER = "Design a multi-region rate limiter for a public API serving 50k RPS."
LIMITER_ANSWER = (
    "First the requirements: 50k requests per second at peak, p99 under 5 ms for the check. "
    "Each region enforces a share of the quota locally with token buckets and syncs counts "
    "asynchronously, so overshoot is bounded by the sync interval of 1 second; we chose local "
    "buckets over a central Redis counter because the latency target matters more. If Redis "
    "is down we fail open for internal callers with a 5 ms timeout."
)


@pytest.fixture(scope="module", autouse=True)
def _warm_model():
    from simulator.grading import grade_answer

    grade_answer("system-design", "Design a cache.", "We cache reads for 60 seconds in Redis.")


def _run(iv, answers):
    turns = list(iv.start())
    for text in answers:
        if iv.done:
            break
        turns += iv.answer(text)
    return turns


# -- choosing the question ------------------------------------------------------------------


def test_a_question_is_chosen_by_bank_id_bank_text_or_the_candidates_own_words():
    rubric = get_panel("system-design")
    assert questions.chosen_question(rubric, "1")["text"] == rubric.questions[0]
    assert questions.chosen_question(rubric, "#14")["bank_index"] == 13
    by_text = questions.chosen_question(rubric, rubric.questions[4].upper().rstrip("."))
    assert by_text["source"] == "bank" and by_text["bank_index"] == 4
    own = questions.chosen_question(rubric, URL_QUESTION)
    assert own["source"] == "own" and own["problem"] == "url_shortener"
    assert own["topic"] == "the URL shortener"
    with pytest.raises(UserError, match="questions 1 to 14"):
        questions.chosen_question(rubric, "99")
    with pytest.raises(UserError, match="neither a bank id nor a question"):
        questions.chosen_question(rubric, "foo")


def test_random_questions_skip_the_ones_practised_lately():
    rubric = get_panel("behavioral")
    recent = list(range(len(rubric.questions) - 2))
    for seed in "abcdef":
        plan = questions.plan_questions(rubric, 2, seed=seed, recent=recent)
        assert {p["bank_index"] for p in plan} == set(range(len(recent), len(rubric.questions)))
    # With everything practised, the least recently practised come first.
    everything = list(range(len(rubric.questions)))
    plan = questions.plan_questions(rubric, 1, seed="x", recent=everything)
    assert plan[0]["bank_index"] == everything[-1]


def test_a_new_session_does_not_repeat_the_last_sessions_questions():
    first = api.start_interview("coding", questions=5)
    second = api.start_interview("coding", questions=5)
    asked = {p["bank_index"] for p in first.row.plan}
    assert not asked & {p["bank_index"] for p in second.row.plan}


# -- per-question grades --------------------------------------------------------------------


def test_acceptance_command_gives_a_grade_per_question_with_hard_parts(tmp_path):
    script = tmp_path / "answers.md"
    script.write_text("\n---\n".join(URL_ANSWERS), encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["interview", "--panel", "system-design", "--question", URL_QUESTION, "--questions",
         "1", "--follow-ups", "3", "--answers", str(script), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)["scorecard"]
    (question,) = card["questions"]
    assert question["question"] == URL_QUESTION and question["problem"] == "URL shortener"
    assert 1 <= question["score"] <= 5 and question["level"]
    assert {s["id"] for s in question["signals"]} == {
        s.id for s in get_panel("system-design").signals
    }
    checks = [c for s in question["signals"] for c in s["checks"]]
    assert checks and all(c["evidence"] for c in checks if c["passed"])
    assert question["hard_parts"] and {"id", "name", "score", "state"} <= set(
        question["hard_parts"][0]
    )
    assert card["overall"].startswith("the mean of the question scores (Q1")


def test_each_question_is_graded_on_its_own_answers_only():
    iv = api.start_interview("system-design", questions=2, follow_ups=0, chosen=[LIMITER, "1"])
    _run(iv, [LIMITER_ANSWER, "We keep it simple and use one Redis."])
    card = iv.scorecard()
    first, second = card.questions
    assert first.score > second.score
    quotes = [c.evidence for s in second.signals for c in s.checks if c.evidence]
    quotes += [p.evidence for p in second.hard_parts if p.evidence]
    assert all(q in "We keep it simple and use one Redis." for q in quotes)
    assert all(p.evidence is None or p.evidence in LIMITER_ANSWER for p in first.hard_parts)
    # The overall grade says how it combined the questions.
    assert f"Q1 {first.score}/5, Q2 {second.score}/5" in card.overall
    # A signal below the level's bar on average is never a strength.
    by_name = {s.name: s for s in card.signals}
    for strength in card.strengths:
        assert by_name[strength.rsplit(" (", 1)[0]].mean >= card.bar
    md = card.to_markdown()
    assert "## Question 1:" in md and "## Question 2:" in md and card.overall in md


# -- off-topic ------------------------------------------------------------------------------


def test_an_off_topic_answer_is_named_retried_without_counting_then_graded():
    search = "Design a multi-tenant search service for 50k tenants with noisy-neighbour isolation."
    iv = api.start_interview("system-design", questions=1, follow_ups=0, chosen=[search])
    iv.start()
    reply = iv.answer(LIMITER_ANSWER)
    (reask,) = reply
    assert reask.kind == "reask" and reask.meta["why"] == "offtopic"
    assert "That sounds like a multi-region rate limiter" in reask.text
    assert "multi-tenant search" in reask.text and "won't count" in reask.text
    assert iv.scorecard().questions == []  # the retried attempt does not count
    second = iv.answer(LIMITER_ANSWER)
    assert second[0].kind == "note" and "different question" in second[0].text
    card = iv.scorecard()
    (question,) = card.questions
    assert question.offtopic and question.score <= 2 and question.not_counted == 1
    assert any("retried" in f for f in card.flags)


def test_a_behavioral_story_for_another_question_is_caught():
    inherited = "Describe a time you inherited a struggling system or team and turned it around."
    feedback = (
        "A peer on my team kept merging changes without review, and two of them caused "
        "incidents. I gave him difficult feedback in a one-to-one: I described the two "
        "incidents, the impact on the on-call engineers, and asked what was getting in his "
        "way. He was defensive at first, then agreed to pair on reviews for a month. Since "
        "then he has reviewed 40 changes and asked for feedback himself; I learned to give "
        "feedback early and in private, with specific examples."
    )
    iv = api.start_interview("behavioral", questions=1, follow_ups=0, chosen=[inherited])
    iv.start()
    (reask,) = iv.answer(feedback)
    assert reask.meta.get("why") == "offtopic" and "difficult feedback" in reask.text


# -- follow-ups -----------------------------------------------------------------------------


def test_quotes_are_whole_clauses_never_fragments():
    answer = (
        "Writes go to a key-value store keyed by a base62 code generated from a counter that "
        "is range-allocated per node and handed out in blocks of ten thousand codes at a time, "
        "and reads hit a CDN cache first. We run 1M jobs a day."
    )
    # The first clause is too long to quote whole, so it is not cut: another clause is quoted.
    assert followup.find_quote(answer) in ("We run 1M jobs a day", "reads hit a CDN cache first")
    assert followup.find_quote("1M jobs a day.") is None  # a bare figure is not a clause
    assert followup.find_quote('We call it "the golden path" and it has 3 steps.') is None


def test_a_follow_up_never_asks_for_what_the_answer_already_gave():
    story = (
        "Three teams depended on the billing service, and it paged 40 times a week. "
        "We agreed on a plan and the pages went down."
    )
    iv = api.start_interview(
        "behavioral", questions=1, follow_ups=3, chosen=["Tell me about the highest-impact "
        "thing you did in the last two years."],
    )  # fmt: skip
    turns = _run(iv, [story, "We shipped it.", "It went fine."])
    asked = [t for t in turns if t.kind == "follow_up"]
    assert asked
    assert not any(re.search(r"how many teams", t.text, re.IGNORECASE) for t in asked)
    # On the behavioral panel, the first follow-up names a missing STAR part in the story.
    assert asked[0].meta.get("check") in load_check_ids("behavioral")
    quotes = [t.meta["quote"] for t in asked if t.meta.get("quote")]
    assert all(q in story or q in "We shipped it. It went fine." for q in quotes)
    assert all(t.text.count('"') in (0, 2) for t in asked)
    # Transitions vary: no two follow-ups open with the same words.
    leads = [t.text.split(" ", 1)[0] for t in asked]
    assert len(set(leads)) == len(leads)


def load_check_ids(panel: str) -> set[str]:
    return {c.id for s in get_panel(panel).signals for c in s.checks}


def test_control_skip_end_early_and_pause():
    iv = api.start_interview("system-design", questions=3, follow_ups=0, chosen=[LIMITER])
    iv.start()
    iv.answer(LIMITER_ANSWER)
    skipped = iv.skip()
    assert skipped[-1].kind == "question" and skipped[-1].question_index == 2
    iv.pause()
    again = api.load_interview(iv.id)
    assert again.paused and [t.text for t in again.start()] == [skipped[-1].text]
    assert not again.paused
    end = again.end()
    assert end[-1].kind == "wrap_up" and again.done
    card = again.scorecard()
    assert card.questions_answered == 1 and any("ended early" in f for f in card.flags)
    assert any("Skipped: question 2" in f for f in card.flags)
    row = api.list_sessions()[0]
    assert row.status == "ended" and row.to_dict()["questions_asked"][0] == LIMITER
