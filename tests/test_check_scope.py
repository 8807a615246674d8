"""Where a check may pass: the section a sentence stands in, its inline label, and what
reads as a heading, a sentence or lip service."""

from __future__ import annotations

import pytest

from simulator.grading.checklist import answer, units
from simulator.grading.text import Doc
from simulator.knowledge.rubrics import RubricError, get_artifact_rubric, get_panel


def _check(rubric, check_id: str):
    return next(c for s in rubric.signals for c in s.checks if c.id == check_id)


def _passes(rubric, check_id: str, text: str) -> bool:
    return answer(_check(rubric, check_id), units(Doc(text))).passed


def test_a_heading_begins_a_line_and_a_wrapped_fragment_is_prose():
    text = (
        "Jordan set the rollout to 100% for all US traffic. Jordan did not check the\n"
        "percentage and did not announce the change.\n\n"
        "Timeline (UTC)\n- 13:58 Config change merges.\n"
    )
    found = {u.text.split("\n")[0]: u.heading for u in units(Doc(text))}
    assert found["Jordan did not check the"] == ""  # not a heading over the next line
    assert found["- 13:58 Config change merges."] == "Timeline (UTC)"


def test_an_initial_before_a_surname_does_not_end_the_sentence():
    sentences = [
        s.text for s in Doc("Route events to on-call: Flags (S. Ruiz), due 2025-03-17.").sentences
    ]
    assert sentences == ["Route events to on-call: Flags (S. Ruiz), due 2025-03-17."]
    assert len(Doc("We chose option B. The team agreed.").sentences) == 2


def test_a_context_check_does_not_pass_under_reconsider_or_alternatives():
    adr = get_artifact_rubric("adr")
    line = "More than two teams need progressive delivery that Argo Rollouts cannot express."
    assert _passes(adr, "quantified_force", f"Context\n{line}\n")
    assert not _passes(adr, "quantified_force", f"Reconsider if\n- {line}\n")
    assert not _passes(adr, "quantified_force", f"Alternatives\n- {line}\n")


def test_a_heading_that_names_the_checks_own_concept_is_its_own_section():
    design = get_panel("system-design")
    line = "The SLO is 99.9% of checks under 5 ms at the gateway over 28 days."
    assert not _passes(design, "sli_target", f"Requirements:\n{line}\n")
    assert _passes(design, "sli_target", f"SLOs and targets:\n{line}\n")


def test_inline_labels_scope_the_sentences_of_a_labelled_answer():
    design = get_panel("system-design")
    failure = (
        "Failure modes: if Redis is slow the gateway falls back to a local limiter set to the "
        "limit divided by node count, roughly 2,000 requests per second per node."
    )
    labelled = "\n\n".join(
        [
            "Requirements: per-key limits per second and per day.",
            "Data model: one counter per key and window.",
            failure,
        ]
    )
    # The same sentence reads as capacity work on its own, and as a failure mode under its label.
    assert _passes(design, "derived_load", failure.split(": ", 1)[1])
    assert not _passes(design, "derived_load", labelled)


def test_a_label_in_a_one_paragraph_answer_speaks_for_its_sentence_only():
    text = (
        "First the requirements: 50k requests per second at peak. Each region enforces a share "
        "of the quota with token buckets, and we chose local buckets over a central Redis "
        "counter because the latency target matters more."
    )
    headings = [u.heading for u in units(Doc(text))]
    assert headings[0] == "First the requirements" and headings[1:] == ["", ""][: len(headings) - 1]


def test_lip_service_passes_no_check():
    design = get_panel("system-design")
    vague = "Job definitions go into a database; we'd make sure it stays consistent and use transactions where it makes sense."
    assert not _passes(design, "consistency_choice", vague)


def test_an_unquoted_phrase_yaml_reads_as_a_number_is_refused(tmp_path, monkeypatch):
    from simulator.knowledge import rubrics

    bad = tmp_path / "check_terms.yaml"
    bad.write_text("influence: [met with, 1:1, sat down with]\n", encoding="utf-8")
    monkeypatch.setattr(rubrics, "CHECK_TERMS_PATH", bad)
    rubrics.check_terms.cache_clear()
    try:
        with pytest.raises(RubricError, match="quote the phrases"):
            rubrics.check_terms()
    finally:
        rubrics.check_terms.cache_clear()


def test_a_timestamped_line_is_chronology_wherever_it_stands():
    pm = get_artifact_rubric("postmortem")
    entry = "- 14:24 found the platform team changed the load balancer config without a review"
    assert units(Doc(entry))[0].heading == "timeline"
    # A log line is not analysis: it passes no root-cause check, however it reads.
    assert not _passes(pm, "systemic_cause", entry)
    prose = "The load balancer config changed without a review, because no check guards it."
    assert _passes(pm, "systemic_cause", prose)


def test_an_initial_before_a_lower_case_word_is_one_sentence():
    text = "An engineer (K.) edited the apex record. K. did not ask for a review."
    assert [s.text for s in Doc(text).sentences] == [
        "An engineer (K.) edited the apex record.",
        "K. did not ask for a review.",
    ]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("The outage was caused by Dave deploying a config change without checking it.", True),
        ("Tom restarted the wrong Redis node.", True),
        ("K. did not follow the process.", True),
        ("The outage was caused by Redis eviction under memory pressure.", False),
        ("Why didn't earlier switchovers show this?", False),
        ("He also failed to announce the change in the channel.", True),
        ("The on-call engineer followed the runbook.", False),
    ],
)
def test_a_person_named_as_the_actor_is_read_and_a_question_word_is_not(text, named):
    from simulator.grading.specifics import has_person

    assert has_person(text) is named


def test_an_owner_and_date_in_parentheses_own_and_date_an_action():
    pm = get_artifact_rubric("postmortem")
    item = (
        "- Shared pool -> separate pools for transactional and marketing mail (messaging, 14 Jun)"
    )
    assert _passes(pm, "action_owned", f"Actions\n{item}\n")
    assert _passes(pm, "action_dated", f"Actions\n{item}\n")
    assert not _passes(pm, "action_owned", "Actions\n- Separate the pools (about 3, 14 Jun)\n")


def test_a_lesson_passes_when_it_reaches_beyond_the_incident_not_as_a_platitude():
    pm = get_artifact_rubric("postmortem")
    lesson = "Lesson: a health check must not fail because a shared dependency did."
    assert _passes(pm, "lesson_generalises", lesson)
    assert not _passes(pm, "lesson_generalises", "Lessons learned: we need to stay vigilant.")
    assert not _passes(pm, "lesson_generalises", "We learned from app-store reviews.")


def test_a_documents_title_names_the_whole_text_not_a_section():
    text = (
        "Webhook delays, 2025-01-22: five whys\n"
        "Impact: 14:02-14:50 UTC, webhooks for all 3,100 merchants delayed, median 31 min.\n"
        "## Root cause\nOne queue, no per-merchant fairness.\n"
    )
    found = units(Doc(text), labels=False)
    assert found[0].heading == ""  # not "under" five whys, so not under a cause section
    assert found[-1].heading == "Root cause"


def test_a_five_whys_answer_is_read_with_its_question():
    text = "2. Why did rev B get it? The OTA targeting rule filters by model, not by revision.\n"
    (unit,) = units(Doc(text))
    assert unit.text.endswith(
        "Why did rev B get it? The OTA targeting rule filters by model, not by revision."
    )
    from simulator.grading.specifics import kinds

    assert kinds()["causal"](unit.text)
