"""The 20 artifact critique rubrics in corpus/rubrics/artifacts agree with the schema and the compendium."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from simulator.config import CORPUS_DIR
from simulator.knowledge.compendium import load_compendium
from simulator.knowledge.rubrics import KIND_IDS, RubricError, load_artifact_rubrics

ARTIFACTS = CORPUS_DIR / "rubrics" / "artifacts"

#: Signals the critique engine relies on by id, with detectors each must name.
REQUIRED = {
    "adr": {
        "context": set(),
        "decision": set(),
        "alternatives": {"tradeoffs"},
        "impact_risk": set(),
        "status_owners": set(),
        "observability": set(),
        "reconsider_triggers": set(),
        "follow_ups_dated": {"owners_dates"},
    },
    "postmortem": {
        "timeline": {"timeline"},
        "impact_metrics": {"quantification"},
        "blameless": {"blameless"},
        "action_items": {"owners_dates"},
        "root_cause": set(),
        "detection_gaps": set(),
    },
    "star": {
        "situation": set(),
        "task": set(),
        "actions": {"ownership"},
        "result": {"quantification"},
        "reflection": {"reflection"},
    },
    "slo": {
        "slo_table": {"quantification", "metrics"},
        "error_budget_policy": set(),
        "burn_rate_alerts": set(),
        "escalation": set(),
        "postmortem_triggers": set(),
    },
}

#: Compendium pitfalls whose revealing signal the issue fixes.
PITFALL_SIGNALS = {
    ("adr", "Vague context"): "context",
    ("adr", "Missing alternatives"): "alternatives",
    ("adr", "No revisit triggers"): "reconsider_triggers",
    ("postmortem", "Blameful tone"): "blameless",
    ("postmortem", "Vague actions"): "action_items",
    ("postmortem", "Missing deadlines"): "action_items",
    ("star", "Missing quant metrics"): "result",
    ("star", "Overlong chronology"): "structure",
}


@pytest.fixture(scope="module")
def rubrics():
    return load_artifact_rubrics()


@pytest.fixture(scope="module")
def compendium():
    return load_compendium()


def _marker_hits(markers: list[str], text: str) -> int:
    hits = 0
    for marker in markers:
        left = r"\b" if marker[0].isalnum() else ""
        right = r"\b" if marker[-1].isalnum() else ""
        hits += len(re.findall(left + re.escape(marker) + right, text))
    return hits


def test_all_twenty_kinds_load_in_compendium_order(rubrics, compendium):
    assert list(rubrics) == list(KIND_IDS)
    for kind, rubric in rubrics.items():
        assert rubric.id == kind
        assert rubric.version >= 1
        assert rubric.name == compendium.kinds[kind].title
        assert rubric.purpose == compendium.kinds[kind].purpose
        assert kind in rubric.draws_on


def test_each_rubric_has_enough_signals_and_pitfalls(rubrics):
    for kind, rubric in rubrics.items():
        assert 4 <= len(rubric.signals) <= 8, kind
        assert rubric.pitfalls, kind
        ids = {s.id for s in rubric.signals}
        for pitfall in rubric.pitfalls:
            assert pitfall.signal in ids, (kind, pitfall.id)
        for signal in rubric.signals:
            assert kind in signal.sections, (kind, signal.id)
            assert 8 <= len(signal.cues) <= 20, (kind, signal.id)
            assert all(c == c.lower() for c in signal.cues), (kind, signal.id)


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_required_signals_name_their_detectors(rubrics, kind):
    rubric = rubrics[kind]
    ids = {s.id for s in rubric.signals}
    for signal_id, detectors in REQUIRED[kind].items():
        assert signal_id in ids, f"{kind} lacks signal {signal_id}"
        assert detectors <= set(rubric.signal(signal_id).detectors), (kind, signal_id)


def test_star_structure_detector_is_used(rubrics):
    star = rubrics["star"]
    assert any("star_structure" in s.detectors for s in star.signals)


def test_alternatives_asks_for_three_with_pros_and_cons(rubrics):
    alternatives = rubrics["adr"].signal("alternatives")
    assert "Alternatives Considered (≥3 with Pros/Cons)" in alternatives.fields
    assert {"pros", "cons"} <= set(alternatives.cues)


def test_compendium_pitfalls_map_to_the_named_signals(rubrics, compendium):
    for kind, rubric in rubrics.items():
        texts = [p.text.lower() for p in rubric.pitfalls]
        for pitfall in compendium.kinds[kind].pitfalls:
            assert pitfall.lower() in texts, (kind, pitfall)
    for (kind, text), signal_id in PITFALL_SIGNALS.items():
        pitfall = next(p for p in rubrics[kind].pitfalls if p.text.startswith(text))
        assert pitfall.signal == signal_id, (kind, text)


def test_fields_are_verbatim_and_cover_every_template_field(rubrics, compendium):
    source = (CORPUS_DIR / "compendium.md").read_text(encoding="utf-8")
    for kind, rubric in rubrics.items():
        fields = [f for s in rubric.signals for f in s.fields]
        for field in fields:
            assert field in source, (kind, field)
        for template_field in compendium.kinds[kind].template:
            assert any(f.startswith(template_field.name) for f in fields), (
                kind,
                template_field.name,
            )


def test_markers_are_distinctive(rubrics):
    seen: dict[tuple[str, ...], str] = {}
    for kind, rubric in rubrics.items():
        assert 8 <= len(rubric.markers) <= 15, kind
        assert all(m == m.lower() for m in rubric.markers), kind
        key = tuple(sorted(rubric.markers))
        assert key not in seen, f"{kind} and {seen.get(key)} share a marker list"
        seen[key] = kind


def test_markers_pick_out_each_kind_from_its_exemplar(rubrics, compendium):
    """Each kind's template and exemplars score highest on that kind's own markers."""
    for kind in KIND_IDS:
        section = compendium.kinds[kind]
        parts = [f"{f.name} {f.detail}" for f in section.template]
        parts += [line for ex in section.exemplars for line in ex.lines]
        parts += [item for items in section.lists.values() for item in items]
        text = "\n".join(parts).lower()
        scores = {k: _marker_hits(r.markers, text) for k, r in rubrics.items()}
        best = max(scores, key=scores.get)
        assert best == kind, f"{kind} text looks like {best}: {scores}"


def _copy(tmp_path):
    root = tmp_path / "artifacts"
    shutil.copytree(ARTIFACTS, root)
    return root


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_copy_loads_like_the_original(tmp_path):
    rubrics = load_artifact_rubrics(_copy(tmp_path))
    assert list(rubrics) == list(KIND_IDS)


def test_pitfall_naming_unknown_signal_is_reported_with_file(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "adr.yaml", lambda d: d["pitfalls"][0].update(signal="no_such_signal"))
    with pytest.raises(RubricError, match=r"adr\.yaml.*no_such_signal"):
        load_artifact_rubrics(root)


def test_missing_kind_is_reported(tmp_path):
    root = _copy(tmp_path)
    (root / "dr.yaml").unlink()
    with pytest.raises(RubricError, match=r"missing artifact rubrics \['dr'\]"):
        load_artifact_rubrics(root)


def test_unknown_detector_and_extra_field_are_rejected(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "star.yaml", lambda d: d["signals"][0]["detectors"].append("vibes"))
    with pytest.raises(RubricError, match=r"star\.yaml.*vibes"):
        load_artifact_rubrics(root)
    root2 = _copy(tmp_path / "two")
    _edit(root2 / "slo.yaml", lambda d: d.update(owner="someone"))
    with pytest.raises(RubricError, match=r"slo\.yaml: owner"):
        load_artifact_rubrics(root2)


def test_id_must_match_file_name(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "threat.yaml", lambda d: d.update(id="compliance"))
    with pytest.raises(RubricError, match=r"threat\.yaml.*does not match"):
        load_artifact_rubrics(root)
