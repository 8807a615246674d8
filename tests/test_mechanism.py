"""The mechanism detector: design problems recognised, hard parts read, traps found (not
when rejected), and the knowledge file validated."""

from __future__ import annotations

import pytest

from simulator.errors import UserError
from simulator.grading.detectors import mechanism
from simulator.grading.text import Doc
from simulator.knowledge.design import AntiPattern, design_knowledge, load_design_knowledge
from simulator.knowledge.rubrics import get_panel

LOCK = AntiPattern(
    id="global_lock",
    name="A global lock on every request",
    why="Adds a cross-region round trip to every call.",
    when=(("global lock", "distributed lock"), ("every request", "each request")),
)


@pytest.mark.parametrize(
    "sentence",
    [
        "We take a global lock in the primary region on every request and then decrement.",
        "Each request acquires a distributed lock; the counter lives in one database.",
    ],
)
def test_a_proposed_trap_is_found_with_its_sentence(sentence):
    found = mechanism.traps(Doc(f"Some context first. {sentence} Then more."), (LOCK,))
    assert [(t.id, s.text) for t, s in found] == [("global_lock", sentence)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Instead of a global lock on every request, each region keeps a local bucket.",
        "We avoid a distributed lock per call; each request is checked locally.",
        "A global lock on every request would not work across regions.",
        "Taking a global lock here is fine, but only at deploy time.",
        "I prefer this to a global lock on every request: it is slow and silently misses hosts.",
    ],
)
def test_a_rejected_or_partial_trap_is_not_found(sentence):
    assert mechanism.traps(Doc(sentence), (LOCK,)) == []


def test_every_bank_question_of_the_design_panel_names_a_known_problem():
    panel = get_panel("system-design")
    unknown = [q for q in panel.questions if mechanism.problem_for(q) is None]
    assert unknown == []


def test_problems_are_told_apart():
    ids = {
        q: mechanism.problem_for(q).id  # type: ignore[union-attr]
        for q in (
            "Design a multi-region rate limiter for a public API serving 50k RPS.",
            "Design an API gateway that centralises authentication and throttling.",
            "Design a URL shortener for 100M new links/month.",
        )
    }
    assert len(set(ids.values())) == 3
    assert mechanism.problem_for("Tell me about a time you disagreed with your manager.") is None
    assert mechanism.problem_for(None) is None


def test_hard_parts_are_read_from_their_cues():
    problem = mechanism.problem_for("Design a multi-region rate limiter for a public API.")
    assert problem is not None
    solved = " ".join(
        f"We handle this with {p.cues[0]} because it bounds the error." for p in problem.hard_parts
    )
    named = " ".join(f"We handle this with {p.cues[0]}." for p in problem.hard_parts)
    full = mechanism.detect(Doc(solved), problem)
    touched = mechanism.detect(Doc(named), problem)
    empty = mechanism.detect(Doc("We use good engineering and the cloud."), problem)
    # A part is solved by a sentence that names it with a reason; naming it only touches it.
    assert full.coverage == 1.0
    assert touched.coverage == 0.5
    assert empty.coverage == 0.0
    assert all(p.spans for p in full.parts)
    # Only knowledge of the problem gives a coverage at all.
    assert mechanism.detect(Doc(solved), None).coverage is None


def test_the_knowledge_file_is_complete():
    knowledge = design_knowledge()
    assert len(knowledge.problems) >= 20
    for problem in knowledge.problems:
        assert 4 <= len(problem.hard_parts) <= 6, problem.id
        assert len({p.id for p in problem.hard_parts}) == len(problem.hard_parts)


def _all_anti_patterns() -> list[AntiPattern]:
    knowledge = design_knowledge()
    problems = [a for p in knowledge.problems for a in p.anti_patterns]
    return list(knowledge.generic_anti_patterns) + problems


@pytest.mark.parametrize("pattern", _all_anti_patterns(), ids=lambda a: a.id)
def test_every_anti_pattern_can_fire_and_be_rejected(pattern):
    """A `when` whose groups cannot meet in one sentence would never fire: each anti-pattern
    is found in a sentence holding one phrase of every group, and not after "instead of"."""
    claim = " with ".join(group[0].rstrip("*") for group in pattern.when)
    assert mechanism.traps(Doc(f"We would use {claim}."), (pattern,)), claim
    assert not mechanism.traps(Doc(f"Instead of {claim}, we partition."), (pattern,)), claim


def test_hard_part_cues_are_distinct_within_a_part():
    for problem in design_knowledge().problems:
        for part in problem.hard_parts:
            lowered = [c.lower() for c in part.cues]
            assert len(set(lowered)) == len(lowered), part.id


def test_a_damaged_knowledge_file_names_itself(tmp_path):
    bad = tmp_path / "design_problems.yaml"
    bad.write_text("version: 1\nproblems:\n  - id: x\n    name: X\n    match: []\n")
    with pytest.raises(UserError, match=r"design_problems\.yaml: problems\.0\.match"):
        load_design_knowledge(bad)
    bad.write_text("version: [1\n")
    with pytest.raises(UserError, match="not valid YAML"):
        load_design_knowledge(bad)
