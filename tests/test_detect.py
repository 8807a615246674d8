"""Kind detection from artifact rubric markers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from simulator.knowledge import detect
from simulator.knowledge.rubrics import KIND_IDS, RubricError, load_artifact_rubrics


@pytest.fixture
def fake_markers(monkeypatch):
    rubrics = {
        "postmortem": SimpleNamespace(markers=["root cause", "timeline", "action items"]),
        "adr": SimpleNamespace(markers=["alternatives considered", "decision", "status"]),
    }
    monkeypatch.setattr(detect, "load_artifact_rubrics", lambda: rubrics)
    detect._patterns.cache_clear()
    yield
    detect._patterns.cache_clear()


def test_best_marker_match_wins(fake_markers):
    text = "## Timeline\n...\n## Root Cause\nA bad deploy. Root cause was config.\n## Action Items"
    kind, confidence = detect.detect_kind(text)
    assert kind == "postmortem" and 0.5 < confidence <= 1.0


def test_markers_match_on_word_boundaries(fake_markers):
    assert detect.marker_scores("indecisions and statuses") == {}
    assert "adr" in detect.marker_scores("Status: accepted. Decision: use Envoy.")


def test_nothing_matching_falls_back_to_general(fake_markers):
    assert detect.detect_kind("a shopping list: eggs, milk") == ("general", 0.0)


def test_real_rubrics_detect_the_compendium_exemplars():
    try:
        load_artifact_rubrics()
    except RubricError:
        pytest.skip("corpus/rubrics/artifacts/ does not hold all 20 rubric files yet")
    detect._patterns.cache_clear()
    from simulator.knowledge.compendium import COMPENDIUM_PATH
    from simulator.store.chunking import chunk_markdown

    chunks = chunk_markdown(COMPENDIUM_PATH.read_text(encoding="utf-8"), source="c.md", doc_id="c")
    right = 0
    for kind in KIND_IDS:
        text = "\n".join(c.text for c in chunks if c.kind == kind)
        right += detect.detect_kind(text)[0] == kind
    assert right >= 16  # most sections read as their own kind
