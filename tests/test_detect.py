"""Kind detection from artifact rubric markers, and the refusal of texts that are no artifact."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from simulator.config import ROOT
from simulator.errors import UserError
from simulator.grading import critique
from simulator.knowledge import detect
from simulator.knowledge.rubrics import KIND_IDS, RubricError, load_artifact_rubrics

#: Real documents kept outside the repository (see its README); tests skip without them.
REALWORLD = ROOT.parent / "shared" / "realworld"


@pytest.fixture
def fake_markers(monkeypatch):
    rubrics = {
        "postmortem": SimpleNamespace(markers=["root cause", "timeline", "action items"]),
        "adr": SimpleNamespace(markers=["alternatives considered", "decision", "status"]),
    }
    monkeypatch.setattr(detect, "load_artifact_rubrics", lambda: rubrics)
    _clear_caches()
    yield
    _clear_caches()


def _clear_caches():
    detect._patterns.cache_clear()
    detect._section_names.cache_clear()


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
    _clear_caches()
    from simulator.knowledge.compendium import COMPENDIUM_PATH
    from simulator.store.chunking import chunk_markdown

    chunks = chunk_markdown(COMPENDIUM_PATH.read_text(encoding="utf-8"), source="c.md", doc_id="c")
    right = 0
    for kind in KIND_IDS:
        text = "\n".join(c.text for c in chunks if c.kind == kind)
        right += detect.detect_kind(text)[0] == kind
    assert right >= 16  # most sections read as their own kind


def _realworld(folder: str) -> list:
    files = sorted((REALWORLD / folder).glob("*.md"))
    if not files:
        pytest.skip(f"{REALWORLD / folder} holds no documents")
    return files


@pytest.mark.parametrize("folder", ["adr", "postmortem", "star"])
def test_real_artifacts_are_detected_as_their_kind(folder):
    wrong = []
    for path in _realworld(folder):
        found = detect.detect(path.read_text(encoding="utf-8"))
        if not (found.is_artifact and found.kind == folder):
            wrong.append((path.name, found))
    assert not wrong


def _refusal(text: str, name: str) -> str:
    with pytest.raises(UserError) as caught:
        critique("auto", text, name=name)
    sentence = str(caught.value)
    assert sentence.startswith(f"{name} does not look like any compendium artifact")
    assert "`staffsim critique " in sentence and f" {name}`" in sentence  # how to force a kind
    one = sentence.replace("e.g. ", "")
    assert "\n" not in one and one.endswith(".") and one.count(". ") == 0
    return sentence


def test_question_banks_are_refused_not_critiqued():
    for path in _realworld("questions"):
        sentence = _refusal(path.read_text(encoding="utf-8"), path.name)
        assert "reads like a list of interview questions (closest kind: " in sentence


def test_design_answers_are_pointed_at_the_system_design_grader():
    for path in _realworld("design"):
        sentence = _refusal(path.read_text(encoding="utf-8"), path.name)
        assert f"`staffsim grade system-design {path.name}`" in sentence


PROSE = (
    "The history of the city stretches back many centuries. Its river carried goods from the "
    "hills to the sea, and traders settled along its banks. Over time the markets grew.\n"
)
MUSINGS = (
    "I have been thinking about how our team works. The decision to move to two-week sprints "
    "was right, but the action items from retros pile up and nobody follows up. The result is "
    "that people are tired; we should look at the situation again at the offsite.\n"
)


def test_code_prose_and_lists_are_refused():
    code = (ROOT / "simulator" / "grading" / "graders.py").read_text(encoding="utf-8")
    assert "reads like source code" in _refusal(code, "graders.py")
    assert "no artifact vocabulary" in _refusal(PROSE, "city.txt")
    assert "no artifact vocabulary" in _refusal("Shopping list\n- eggs\n- milk\n", "list.txt")
    # Artifact words in loose prose name the closest kind and the sections it lacks.
    sentence = _refusal(MUSINGS, "notes.md")
    assert "(closest kind: star, confidence 0." in sentence and "Situation" in sentence
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    _refusal(readme, "README.md")


def test_the_same_words_under_section_headings_are_an_artifact():
    star = (
        "## Situation\nOur deploys failed 30% of the time across 12 teams.\n"
        "## Task\nI was asked to halve the failure rate in a quarter.\n"
        "## Action\nI led a working group, added canaries and a rollback button.\n"
        "## Result\nFailures fell to 4%; what I learned is to measure first.\n"
    )
    assert critique("auto", star, name="story.md").kind == "star"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "slo",
            "# Checkout SLOs\n## Service overview\nCheckout takes 2M payments a day.\n"
            "## SLOs\nAvailability 99.9% over 28 days; p95 latency under 300 ms.\n"
            "## Error budget policy\nWhen the budget is spent, launches freeze.\n",
        ),
        (
            "dr",
            "# DR plan: ledger\n## RTO/RPO matrix\nRTO 15 min, RPO 1 min.\n"
            "## Failover runbook\nPromote the standby region, then move DNS.\n"
            "## Test schedule\nA drill every quarter; the last took 12 minutes.\n",
        ),
        (
            "threat",
            "# Threat model: payments API\n## Data classification\nCard numbers are PII.\n"
            "## STRIDE per trust boundary\nSpoofing: stolen keys; mitigation: mTLS.\n"
            "## Residual risk\nInsider access remains; reviewed quarterly.\n",
        ),
    ],
)
def test_other_kinds_under_their_usual_headings_are_artifacts(kind, text):
    assert detect.detect(text).is_artifact and critique("auto", text).kind == kind


def test_cli_refuses_a_question_bank_with_one_sentence():
    path = _realworld("questions")[0]
    proc = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "critique", "auto", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"Error: {path} does not look like any compendium artifact")
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
