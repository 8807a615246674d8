"""Progress: the compendium's KPIs and cadence measured on a user's data (pure inputs)."""

from __future__ import annotations

from datetime import date

from simulator.progress import Mock, build_report, is_quantified


def _kpi(report, word):
    return next(k for k in report.kpis if word in k.text)


def test_kpis_count_artifacts_of_their_kind_and_quantified_stories():
    rows = [{"kind": "adr"}] * 3 + [{"kind": "perf_case"}, {"kind": "star"}, {"kind": "star"}]
    stories = [
        "Situation: x.\nResult: latency fell from 900ms to 300ms.",
        "Result: people liked it.",
    ]
    report = build_report("alice", rows, stories, [], today=date(2024, 5, 10))
    assert _kpi(report, "ADR").actual == 3 and _kpi(report, "ADR").target == 12
    assert _kpi(report, "perf").actual == 1
    star = _kpi(report, "STAR")
    assert (star.actual, star.target) == (1, 25) and not star.met
    assert report.stories == 2 and report.quantified_stories == 1


def test_design_panels_per_month_count_only_this_months_design_mocks():
    mocks = [
        Mock("system-design", date(2024, 5, 2), 4),
        Mock("architecture-deep-dive", date(2024, 5, 9), 2),
        Mock("behavioral", date(2024, 5, 9), 5),
        Mock("system-design", date(2024, 4, 20), 3),
    ]
    report = build_report("alice", [], [], mocks, today=date(2024, 5, 10))
    panels = _kpi(report, "panels/month")
    assert panels.per_month and panels.actual == 2 and panels.met
    assert report.coverage[("system-design", "2024-04")] == 1
    assert report.coverage[("behavioral", "2024-05")] == 1
    assert report.pass_trend == [("2024-04", 0.0, 1), ("2024-05", 2 / 3, 3)]


def test_cadence_starts_at_first_activity_and_stops_at_month_four():
    report = build_report("alice", [], [], [], started=date(2024, 1, 1), today=date(2024, 2, 15))
    c = report.cadence
    assert (c.day, c.month) == (45, 2) and c.phase.name.startswith("Month 2")
    late = build_report("alice", [], [], [], started=date(2023, 1, 1), today=date(2024, 2, 15))
    assert late.cadence.month == 4 and late.cadence.fraction == 1.0
    fresh = build_report("alice", [], [], [], today=date(2024, 2, 15))
    assert (fresh.cadence.day, fresh.cadence.month) == (0, 1)


def test_quantified_means_a_number_in_the_result():
    assert is_quantified("Result: pages -65%, MTTR -30%.")
    assert not is_quantified("Situation: 40 pages a week.\nResult: things got better.")
    assert is_quantified("We cut p99 latency from 900ms to 300ms.")
