"""Progress: the compendium's KPIs and cadence measured on a user's data (pure inputs)."""

from __future__ import annotations

from datetime import date

from simulator.activity import Critique
from simulator.progress import Mock, build_report, is_quantified, plural


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


def _critique(kind: str, digest: str, day: str, scores: dict[str, int], **kw) -> Critique:
    signals = [(name.lower(), name, score) for name, score in scores.items()]
    return Critique(f"{day}T10:00:00", "critique", kind, f"{kind}.md", digest, 3, "Hire",
                    signals, **kw)  # fmt: skip


def test_critiques_count_toward_kpis_once_per_text_beside_the_library():
    rows = [{"kind": "adr", "digest": "aaa"}, {"kind": "postmortem", "digest": "ppp"}]
    log = [
        _critique("adr", "aaa", "2024-05-01", {"Context": 2}),  # the stored ADR, critiqued
        _critique("adr", "bbb", "2024-05-02", {"Context": 3}),
        _critique("adr", "bbb", "2024-05-03", {"Context": 4}),  # the same text again
        _critique("postmortem", "qqq", "2024-05-03", {"Timeline": 1}),
        _critique("star", "s1", "2024-05-04", {"Result": 3}, quantified=True),
    ]
    report = build_report("alice", rows, [], [], critiques=log, today=date(2024, 5, 10))
    assert _kpi(report, "ADR").actual == 2 and _kpi(report, "ADR").note == "2 adr documents"
    assert _kpi(report, "postmortem").actual == 2
    star = _kpi(report, "STAR")
    assert star.actual == 1 and star.note == "1 story, 1 with quantified impact"
    assert report.critiques == 5 and report.cadence.started == date(2024, 5, 1)
    adr = report.trends["adr"]
    assert [p.scores["Context"] for p in adr] == [2, 3, 4]  # every grade, oldest first


def test_pass_rate_per_panel_and_signal_trends_from_mocks():
    sd = (("req", "Requirements", 2.0), ("scale", "Scale", 1.0))
    mocks = [
        Mock("system-design", date(2024, 5, 2), 4, sd),
        Mock("system-design", date(2024, 5, 9), 2, (("req", "Requirements", 3.5),)),
        Mock("behavioral", date(2024, 5, 9), 5),
    ]
    report = build_report("alice", [], [], mocks, today=date(2024, 5, 10))
    assert report.panel_pass == {"system-design": (0.5, 2), "behavioral": (1.0, 1)}
    points = report.trends["system-design"]
    assert [p.scores for p in points] == [
        {"Requirements": 2.0, "Scale": 1.0},
        {"Requirements": 3.5},
    ]
    assert "behavioral" not in report.trends  # a mock without signal scores draws nothing


def test_counts_read_as_english():
    assert plural(1, "story", "stories") == "1 story"
    assert plural(0, "story", "stories") == "0 stories"
    assert plural(2, "adr document") == "2 adr documents"
    report = build_report("alice", [], [], [], today=date(2024, 5, 10))
    assert _kpi(report, "panels/month").note == "0 mocks this month"


def test_heatmap_numbers_are_readable_on_every_cell_and_no_figure_is_transparent():
    from matplotlib.colors import to_rgba

    from simulator.web import plots

    assert plots.ink_on(to_rgba("#08306b")) == "white"  # navy cell: white digits
    assert plots.ink_on(to_rgba("#f7fbff")) == "#111827"  # pale cell: dark digits
    panels = ["system-design", "behavioral"]
    fig = plots.coverage_heatmap(panels, {("system-design", "2024-05"): 6})
    image = fig.axes[0].images[0]
    for text in fig.axes[0].texts:
        x, y = text.get_position()
        cell = image.cmap(image.norm(image.get_array()[round(y)][round(x)]))
        assert _contrast(to_rgba(text.get_color()), cell) >= 4.5, text.get_text()
    figures = [
        fig,
        plots.panel_pass_rates(panels, {"behavioral": (0.5, 2)}),
        plots.signal_trend("x", []),
        plots.pass_trend([]),
    ]
    for figure in figures:
        assert to_rgba(figure.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


def _contrast(a, b) -> float:
    def lum(c):
        r, g, b_ = (x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_activity_log_skips_a_torn_line_and_keeps_users_apart(staffsim_home):
    from types import SimpleNamespace

    from simulator import activity

    grade = SimpleNamespace(
        target="critique", kind="star", score=4, level="Hire",
        signals=[SimpleNamespace(id="result", name="Result", score=3)],
    )  # fmt: skip
    activity.record("alice", grade, "Result: pages fell 40%.", name="s.md")
    with activity._log_file("alice").open("a") as out:
        out.write('{"at": "2024-05-0\n')  # a write cut short
    activity.record("alice", grade, "Result: it went well.", name="t.md")
    entries = activity.critiques("alice")
    assert [(e.name, e.quantified) for e in entries] == [("s.md", True), ("t.md", False)]
    assert entries[0].signals == [("result", "Result", 3)]
    assert activity.critiques("bob") == []
