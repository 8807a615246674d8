"""The seven interview-panel rubric files under corpus/rubrics/panels."""

from __future__ import annotations

import re
import shutil
import string

import pytest
import yaml

from simulator.config import CORPUS_DIR
from simulator.knowledge.rubrics import DETECTORS, PANEL_IDS, RubricError, load_panels

PANELS_DIR = CORPUS_DIR / "rubrics" / "panels"
ALLOWED_SLOTS = {"quote", "topic"}
# Cues are matched as whole lowercase words or phrases; a trailing `*` matches any ending.
CUE = re.compile(r"^[a-z0-9(][a-z0-9 ()':/.+-]*\*?$")


@pytest.fixture(scope="module")
def panels():
    return load_panels.__wrapped__(PANELS_DIR)


def _signals(panels):
    return [(pid, s) for pid, p in panels.items() for s in p.signals]


def test_all_seven_panels_load_in_matrix_order(panels):
    assert tuple(panels) == PANEL_IDS
    for pid, panel in panels.items():
        assert panel.id == pid
        assert panel.version >= 1
        assert len(panel.signals) >= 5, pid
        assert len(panel.questions) >= 12, pid
        assert len(set(panel.questions)) == len(panel.questions), f"{pid}: repeated question"
        assert len(panel.failure_modes) >= 4, pid
        assert set(panel.levels) == {"senior", "staff", "principal"}
        assert len({v.strip() for v in panel.levels.values()}) == 3, f"{pid}: levels repeat"


def test_signal_fields_are_filled_in(panels):
    for pid, signal in _signals(panels):
        where = f"{pid}/{signal.id}"
        assert 0 < signal.weight <= 5, where
        assert signal.description.count(". ") >= 1, f"{where}: description under 2 sentences"
        assert signal.strong.strip() and signal.weak.strip(), where
        assert 8 <= len(signal.cues) <= 20, where
        assert len(set(signal.cues)) == len(signal.cues), f"{where}: repeated cue"
        for cue in signal.cues:
            assert CUE.match(cue), f"{where}: cue {cue!r} is not a lowercase word or phrase"
        assert set(signal.detectors) <= set(DETECTORS), where
        assert 3 <= len(signal.follow_ups) <= 5, where


def test_signal_sections_are_listed_in_draws_on(panels):
    for pid, panel in panels.items():
        for signal in panel.signals:
            assert set(signal.sections) <= set(panel.draws_on), f"{pid}/{signal.id}"


def test_follow_ups_use_only_quote_and_topic_slots(panels):
    used = set()
    for pid, signal in _signals(panels):
        for question in signal.follow_ups:
            slots = {
                name for _, name, _, _ in string.Formatter().parse(question) if name is not None
            }
            assert slots <= ALLOWED_SLOTS, f"{pid}/{signal.id}: {question!r} uses {slots}"
            filled = question.format(quote="we sharded it", topic="the rate limiter")
            assert "{" not in filled and "}" not in filled, question
            used |= slots
    assert used == ALLOWED_SLOTS  # both slots are exercised somewhere


def test_each_file_opens_with_a_comment_naming_its_sections(panels):
    for pid, panel in panels.items():
        text = (PANELS_DIR / f"{pid}.yaml").read_text(encoding="utf-8")
        header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        assert text.startswith("#"), pid
        for kind in panel.draws_on:
            assert re.search(rf"\b{kind}\b", header), f"{pid}: header comment omits {kind}"


def test_system_design_has_failure_modes_and_core_signals(panels):
    sd = panels["system-design"]
    fm = sd.signal("failure_modes")
    assert fm.name == "Failure modes & degradation"
    assert "failure_modes" in fm.detectors
    assert fm.weight == max(s.weight for s in sd.signals)
    detectors = {d for s in sd.signals for d in s.detectors}
    assert {"quantification", "tradeoffs", "metrics", "failure_modes"} <= detectors
    assert "Design a multi-region rate limiter for a public API serving 50k RPS." in sd.questions


@pytest.mark.parametrize(
    ("panel", "signal", "detector"),
    [
        ("behavioral", "star_structure", "star_structure"),
        ("behavioral", "quantified_impact", "quantification"),
        ("behavioral", "ownership", "ownership"),
        ("behavioral", "reflection", "reflection"),
        ("bar-raiser", "quantified_impact", "quantification"),
        ("bar-raiser", "long_term_judgment", "tradeoffs"),
        ("architecture-deep-dive", "failure_modes", "failure_modes"),
        ("architecture-deep-dive", "cost_perf_tradeoffs", "tradeoffs"),
    ],
)
def test_required_signals_carry_their_detector(panels, panel, signal, detector):
    assert detector in panels[panel].signal(signal).detectors


def test_bar_raiser_covers_the_cross_cutting_signals(panels):
    ids = {s.id for s in panels["bar-raiser"].signals}
    assert {"scope", "ambiguity", "influence", "long_term_judgment", "raising_the_bar"} <= ids


def test_architecture_deep_dive_keeps_the_matrix_signals(panels):
    ids = {s.id for s in panels["architecture-deep-dive"].signals}
    assert {"mental_model", "failure_modes", "cost_perf_tradeoffs", "evolution_plan"} <= ids
    assert any(
        "premature solutioning" in f.lower() for f in panels["architecture-deep-dive"].failure_modes
    )
    assert any("no metrics" in f.lower() for f in panels["architecture-deep-dive"].failure_modes)


def _duplicate_signal(data):
    data["signals"].append(dict(data["signals"][0]))


def _unknown_section(data):
    data["signals"][1]["sections"] = ["design_review", "not_a_section"]


def _unknown_detector(data):
    data["signals"][0]["detectors"] = ["vibes"]


def _extra_field(data):
    data["signals"][0]["colour"] = "blue"


def _one_follow_up(data):
    data["signals"][2]["follow_ups"] = data["signals"][2]["follow_ups"][:1]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_duplicate_signal, "duplicate signal ids"),
        (_unknown_section, "not_a_section"),
        (_unknown_detector, "vibes"),
        (_extra_field, "colour"),
        (_one_follow_up, "follow_ups"),
    ],
)
def test_a_damaged_copy_raises_rubric_error_naming_the_file(tmp_path, damage, message):
    root = tmp_path / "panels"
    shutil.copytree(PANELS_DIR, root)
    target = root / "system-design.yaml"
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    damage(data)
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_panels.__wrapped__(root)
    assert "system-design.yaml" in str(err.value)
    assert message in str(err.value)


def test_a_missing_panel_is_reported(tmp_path):
    root = tmp_path / "panels"
    shutil.copytree(PANELS_DIR, root)
    (root / "bar-raiser.yaml").unlink()
    with pytest.raises(RubricError, match="bar-raiser"):
        load_panels.__wrapped__(root)


def test_the_cached_loader_reads_the_real_files():
    assert load_panels() is load_panels()
    assert set(load_panels()) == set(PANEL_IDS)
