"""The compendium parser against the real compendium and damaged copies."""

from __future__ import annotations

import pytest

from simulator.knowledge.compendium import (
    COMPENDIUM_PATH,
    CompendiumError,
    load_compendium,
    parse_compendium,
    parse_metric,
)
from simulator.knowledge.rubrics import KIND_IDS

TEXT = COMPENDIUM_PATH.read_text(encoding="utf-8")


def test_every_section_becomes_a_kind_in_order():
    comp = load_compendium()
    assert list(comp.kinds) == list(KIND_IDS)
    assert [k.number for k in comp.kinds.values()] == list(range(1, 21))
    for kind in comp.kinds.values():
        assert kind.purpose and kind.when_to_use
        assert kind.template and kind.pitfalls and kind.metrics
        assert len(kind.resources) == 5, kind.id


def test_template_fields_are_parsed_in_order():
    comp = load_compendium()
    adr = [f.name for f in comp.kind("adr").template]
    assert adr[0] == "Title / ID"
    assert "Alternatives Considered" in adr and "Rollback / Reconsider Triggers" in adr
    assert adr[-1] == "Follow-up Tasks"
    assert comp.kind("adr").template[5].detail == "≥3 with Pros/Cons"
    postmortem = [f.name for f in comp.kind("postmortem").template]
    assert postmortem[:3] == ["Summary", "Timeline", "Impact Metrics"]
    star = [f.name for f in comp.kind("star").template]
    assert star == [
        "Category", "Situation", "Task", "Action", "Result", "Reflection", "Competencies"
    ]  # fmt: skip
    review = comp.kind("design_review").template
    assert review[0].name == "Clarity" and "success metric" in review[0].detail
    assert len(comp.kind("slo").template) == 9


def test_pitfalls_and_exemplars():
    comp = load_compendium()
    assert comp.kind("adr").pitfalls == [
        "Vague context (unclear why)", "Missing alternatives", "No revisit triggers"
    ]  # fmt: skip
    assert comp.kind("postmortem").pitfalls == [
        "Blameful tone",
        "vague actions",
        "missing deadlines",
    ]
    assert len(comp.kind("adr").exemplars) == 2
    assert "Envoy" in " ".join(comp.kind("adr").exemplars[0].lines)


def test_numeric_metric_targets():
    comp = load_compendium()
    adr = comp.kind("adr").metrics[0]
    assert (adr.op, adr.value, adr.unit) == (">=", 90.0, "%")
    forecast = comp.kind("capacity").metrics[0]
    assert (forecast.op, forecast.value, forecast.unit) == ("<", 15.0, "%")
    util = comp.kind("capacity").metrics[2]
    assert (util.op, util.value, util.high) == ("between", 60.0, 70.0)
    cutover = comp.kind("migration").metrics[0]
    assert (cutover.op, cutover.value) == ("<", 0.2)
    star = comp.kind("star").metrics[0]
    assert (star.op, star.value) == (">=", 25.0)
    assert parse_metric("MTTR trend").op is None


def test_cadence_rhythm_and_kpis():
    comp = load_compendium()
    assert [p.name.split(" (")[0] for p in comp.cadence] == [
        "Month 1",
        "Month 2",
        "Month 3",
        "Month 4",
    ]
    assert "15 STAR stories curated" in comp.cadence[2].items
    assert comp.weekly_rhythm["Wed"] == "Mock design + retro"
    kpis = {k.text: k for k in comp.kpis}
    assert kpis["12+ ADRs"].target == 12
    assert kpis["≥25 STAR stories"].target == 25
    assert kpis["≥2 mock design panels/month"].per_month
    assert len(comp.kpis) == 6


@pytest.mark.parametrize(
    ("damage", "line", "needle"),
    [
        (("**Purpose**: Permanently", "**Purpose** Permanently"), 9, "colon"),
        (("## 3. SLO / Reliability Playbook", "## 4. SLO / Reliability Playbook"), 97, "section 3"),
        (("**Common Pitfalls**:", "**Gotchas**:"), 8, "section 1 has no **Pitfalls**"),
        (("**When to Use**: Service onboarding", "Service onboarding"), 97, "no **When to Use**"),
        (
            ("## 2. Capacity & Cost Modeling\n", "## 2. Capacity & Cost Modeling\nstray words\n"),
            66,
            "unexpected",
        ),
    ],
)
def test_damaged_compendium_names_the_line(damage, line, needle):
    old, new = damage
    assert old in TEXT
    broken = TEXT.replace(old, new, 1)
    with pytest.raises(CompendiumError) as info:
        parse_compendium(broken)
    message = str(info.value)
    assert f"line {line}" in message and needle in message


def test_missing_purpose_names_the_section_line():
    broken = TEXT.replace(
        "**Purpose**: Rationalize build vs buy vs OSS vs partner decisions.\n", ""
    )
    with pytest.raises(CompendiumError, match=r"line 592: section 20 has no \*\*Purpose\*\*"):
        parse_compendium(broken)
