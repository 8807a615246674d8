"""Handler-level tests of the web app: each handler called as the page would call it."""

from __future__ import annotations

import re
from types import SimpleNamespace

import gradio as gr
import pytest

from simulator.web import handlers as h

STORY = (
    "Situation: Our checkout service paged on-call 40 times a week across 3 teams.\n"
    "Task: I owned reducing pages within one quarter without new headcount.\n"
    "Action: I built an alert taxonomy, proposed SLO gating and aligned the three teams.\n"
    "Result: Pages fell from 40 to 12 a week (-70%) and MTTR dropped 30%.\n"
    "Reflection: I now start with the error budget before tooling.\n"
)
POSTMORTEM = """# Postmortem: checkout outage

## Summary
Checkout was down for 42 minutes; 12% of orders failed.

## Timeline
- 10:02 deploy of v2.3 starts
- 10:05 error rate alert fires
- 10:44 rollback completes

## Root cause
A config change removed the connection pool limit.

## Action items
- Add a pool limit check to CI — owner: Dana, due 2024-06-01
"""
ADR = """# ADR 7: Use Postgres for the ledger

## Status
Accepted

## Context
We need strong consistency for money movements.

## Decision
We will use Postgres with serializable transactions.

## Alternatives considered
DynamoDB, rejected for cross-item transactions.

## Consequences
We run one more database; trade-off accepted.
"""


def as_user(name: str | None):
    return SimpleNamespace(username=name)


def _message(excinfo) -> str:
    return str(excinfo.value.message if hasattr(excinfo.value, "message") else excinfo.value)


def test_star_critique_highlights_evidence_verbatim_and_outlines_a_rewrite():
    marks, summary, outline = h.critique_star(STORY)
    assert "".join(seg for seg, _ in marks) == STORY
    labels = dict(marks)
    assert labels["Reflection: I now start with the error budget before tooling."] == "reflection"
    first = labels[STORY.splitlines()[0]]
    assert first is not None and "situation" in first.split(" · ")
    assert "/5" in summary and "Quantified result" in summary
    for field in ("Situation", "Task", "Action", "Result", "Reflection", "Competencies"):
        assert f"**{field}**" in outline


def test_empty_story_is_one_message_not_a_traceback():
    with pytest.raises(gr.Error) as excinfo:
        h.critique_star("   ")
    assert _message(excinfo) == "the story is empty; paste or upload some text first."


def test_unexpected_errors_are_shown_without_internals(monkeypatch):
    def boom(*_a, **_k):
        raise KeyError("secret internals")

    monkeypatch.setattr(h.api, "critique", boom)
    with pytest.raises(gr.Error) as excinfo:
        h.critique_star(STORY)
    assert "KeyError" in _message(excinfo) and "secret" not in _message(excinfo)


def test_design_grading_needs_a_question_and_prefers_the_typed_one():
    with pytest.raises(gr.Error, match="Pick a question"):
        h.grade_design(None, "  ", "We shard by user id.")
    questions = h.design_questions()
    assert len(questions) >= 10
    answer = "I would shard by tenant id, with a queue absorbing 10k writes/s; the trade-off is X."
    marks, summary = h.grade_design(questions[0], "Design a URL shortener", answer)
    assert "Design a URL shortener" in summary
    assert "".join(seg for seg, _ in marks) == answer


def test_artifact_critic_detects_kind_and_refuses_wrong_file_types(tmp_path):
    good = tmp_path / "outage.md"
    good.write_text(POSTMORTEM)
    note, marks, summary = h.critique_file(str(good), "auto")
    assert "`postmortem`" in note and "outage.md" in note
    assert "/5" in summary
    notes = tmp_path / "notes.md"
    notes.write_text("Shopping list\n- eggs\n- milk\n")
    # A rejected file: one sentence where the kind goes; the previous result is cleared.
    note, marks, summary = h.critique_file(str(notes), "auto")
    assert re.match(r"⚠ .*notes.md does not look like any .* choose a kind in", note)
    assert marks == [] and summary == ""
    bad = tmp_path / "data.csv"
    bad.write_text("a,b\n1,2\n")
    assert "StaffSim reads .md, .txt, .pdf and .docx" in h.critique_file(str(bad), "auto")[0]
    binary = tmp_path / "photo.md"
    binary.write_bytes(bytes(range(256)) * 8)
    note, marks, summary = h.critique_file(str(binary), "auto")
    assert note.startswith("⚠ ") and marks == [] and summary == ""
    assert "Upload a .md" in h.critique_file(None, "auto")[0]


def test_library_upload_list_delete_is_per_user(tmp_path):
    adr = tmp_path / "ledger-adr.md"
    adr.write_text(ADR)
    table, picker, status = h.upload_files([str(adr)], as_user("alice"))
    assert "ledger-adr.md as adr" in status
    assert [row[1:3] for row in table] == [["ledger-adr.md", "adr"]]
    doc_id = table[0][0]
    assert picker["choices"] == [("ledger-adr.md (adr)", doc_id)]

    bob_rows, _ = h.refresh_library(as_user("bob"))
    assert bob_rows == []
    with pytest.raises(gr.Error, match="You have no document"):
        h.delete_doc(doc_id, as_user("bob"))
    with pytest.raises(gr.Error, match="You have no document"):
        h.delete_doc("compendium", as_user("alice"))

    table, _, status = h.delete_doc(doc_id, as_user("alice"))
    assert table == [] and doc_id in status
    assert h.refresh_library(as_user("alice"))[0] == []


def test_library_refuses_a_bad_file_before_storing_anything(tmp_path):
    good = tmp_path / "ledger-adr.md"
    good.write_text(ADR)
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(gr.Error, match="photo.png has the extension '.png'"):
        h.upload_files([str(good), str(bad)], as_user("alice"))
    assert h.refresh_library(as_user("alice"))[0] == []


def test_saved_story_joins_the_bank_with_its_competencies():
    status, picker = h.save_story(STORY, "ownership, influence", as_user("alice"))
    assert "ownership, influence" in status
    mine = [c for c in picker["choices"] if c.startswith("My bank: ")]
    assert len(mine) == 1
    text, competencies = h.pick_story(mine[0], as_user("alice"))
    assert text.startswith(STORY.strip()[:40]) and competencies == "ownership, influence"
    assert not [c for c in h.star_choices("bob") if c.startswith("My bank: ")]
    with pytest.raises(gr.Error, match="at least one competency"):
        h.save_story(STORY, " ", as_user("alice"))


def test_compendium_exemplar_can_be_picked():
    first = h.star_choices("alice")[0]
    text, competencies = h.pick_story(first, as_user("alice"))
    assert "Situation:" in text and competencies == ""


def test_progress_counts_the_users_artifacts_against_the_kpis(tmp_path):
    adr = tmp_path / "ledger-adr.md"
    adr.write_text(ADR)
    h.upload_files([str(adr)], as_user("alice"))
    h.save_story(STORY, "ownership", as_user("alice"))
    summary, kpis, cadence, heatmap, trend, panels, pick, signals = h.show_progress(
        as_user("alice")
    )
    assert "| KPI | You | Target | Counted | Status |" in summary  # every column named
    assert "| 12+ ADRs | 1 | 12 | 1 adr document | 8% of target |" in summary
    assert "1 story, 1 with quantified impact" in summary and "1 stories" not in summary
    assert "Month 1 of 4" in summary
    for fig in (kpis, cadence, heatmap, trend, panels, signals):
        assert fig.axes, "each plot draws something"
    bob_summary = h.show_progress(as_user("bob"))[0]
    assert "| 12+ ADRs | 0 | 12 | 0 adr documents | 0% of target |" in bob_summary


def test_progress_counts_critiques_once_per_text_and_draws_their_signal_trends(tmp_path):
    for n in (1, 2):
        path = tmp_path / f"adr-{n}.md"
        path.write_text(ADR.replace("Postgres", f"Postgres {n}"))
        h.critique_file(str(path), "auto", as_user("alice"))
    h.critique_file(str(tmp_path / "adr-1.md"), "auto", as_user("alice"))  # the same text again
    h.critique_star(STORY, as_user("alice"))
    h.critique_star(STORY.replace("\n", "\n\n"), as_user("alice"))  # re-wrapped: same story
    summary, *_, pick, signals = h.show_progress(as_user("alice"))
    assert "| 12+ ADRs | 2 | 12 | 2 adr documents |" in summary
    assert "1 story, 1 with quantified impact" in summary
    assert "5 critiques" in summary
    labels = dict(pick["choices"])
    assert pick["value"] == "adr" and labels
    assert [k for k in labels.values()] == ["adr", "star"]  # most graded first
    assert signals.axes[0].get_title().startswith("Signals over time: ")
    from simulator.knowledge.rubrics import get_artifact_rubric

    assert len(signals.axes[0].lines) == len(get_artifact_rubric("adr").signals)  # one per signal
    star = h.show_signal_trend("star", as_user("alice"))
    assert len(star.axes[0].lines[0].get_xdata()) == 2  # two STAR critiques, two points
    assert "0 critiques" in h.show_progress(as_user("bob"))[0]  # alice's critiques are hers


def test_evals_tab_says_what_to_run_when_there_is_no_run(monkeypatch):
    from simulator import api

    monkeypatch.setattr(api, "latest_eval_summary", lambda: None, raising=False)
    assert "staffsim eval run" in h.show_evals()
