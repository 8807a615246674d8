"""The compendium's KPIs and 4-month cadence, measured on one user's artifacts and mock panels."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from simulator.knowledge.compendium import KPI, Phase, load_compendium

#: Which artifact kind a KPI counts, by a word its text contains; a KPI naming
#: a panel counts mock interview sessions instead.
KPI_KINDS = (
    ("adr", "adr"),
    ("migration", "migration"),
    ("postmortem", "postmortem"),
    ("star", "star"),
    ("perf", "perf_case"),
)
#: Panels a "mock design panel" KPI counts.
DESIGN_PANELS = ("system-design", "architecture-deep-dive")
#: A mock passes at this overall score (1-5) or above: "Hire".
PASS_SCORE = 4
CADENCE_DAYS = 30


@dataclass(frozen=True)
class Mock:
    """One finished mock interview, as progress needs it."""

    panel: str
    day: date
    score: int

    @property
    def passed(self) -> bool:
        return self.score >= PASS_SCORE


@dataclass(frozen=True)
class KPIStatus:
    """A compendium KPI with the user's count against its target."""

    text: str
    target: float
    actual: float
    per_month: bool = False
    note: str = ""

    @property
    def met(self) -> bool:
        return self.actual >= self.target

    @property
    def fraction(self) -> float:
        return min(1.0, self.actual / self.target) if self.target else 1.0


@dataclass(frozen=True)
class Cadence:
    """Where the user stands in the compendium's 4-month cadence."""

    started: date
    today: date
    phases: list[Phase]

    @property
    def day(self) -> int:
        return (self.today - self.started).days

    @property
    def month(self) -> int:
        """1-based month of the cadence; past the end it stays on the last month."""
        return min(len(self.phases), self.day // CADENCE_DAYS + 1)

    @property
    def phase(self) -> Phase:
        return self.phases[self.month - 1]

    @property
    def fraction(self) -> float:
        return min(1.0, self.day / (CADENCE_DAYS * len(self.phases)))


@dataclass
class ProgressReport:
    """Everything the Progress tab shows for one user."""

    user: str
    kpis: list[KPIStatus]
    cadence: Cadence
    stories: int = 0
    quantified_stories: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    #: (panel, "YYYY-MM") -> mock sessions finished.
    coverage: dict[tuple[str, str], int] = field(default_factory=dict)
    #: ("YYYY-MM", pass rate 0-1, mocks that month), oldest first.
    pass_trend: list[tuple[str, float, int]] = field(default_factory=list)


def is_quantified(story: str) -> bool:
    """True when the story's result (or, lacking a Result part, the story) has a number."""
    from simulator.grading.detectors.quantification import detect
    from simulator.grading.text import Doc

    m = re.search(r"^\W*(?:result|r)\W*:", story, re.IGNORECASE | re.MULTILINE)
    part = story[m.start() :] if m else story
    part = re.split(r"^\W*(?:reflection|competenc\w*)\W*:", part, flags=re.I | re.M)[0]
    return detect(Doc(part)).count > 0


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def kpi_status(
    kpi: KPI, kinds: Counter, quantified_stories: int, mocks: list[Mock], today: date
) -> KPIStatus:
    """One KPI measured: artifacts of its kind, or design mocks in the current month."""
    low = kpi.text.lower()
    if "panel" in low or "mock" in low:
        design = "design" in low
        this_month = [
            m
            for m in mocks
            if month_key(m.day) == month_key(today) and (not design or m.panel in DESIGN_PANELS)
        ]
        return KPIStatus(kpi.text, kpi.target, len(this_month), True, "this month")
    if "star" in low:
        note = f"{kinds.get('star', 0)} stories, {quantified_stories} with quantified impact"
        return KPIStatus(kpi.text, kpi.target, quantified_stories, note=note)
    for word, kind in KPI_KINDS:
        if word in low:
            return KPIStatus(kpi.text, kpi.target, kinds.get(kind, 0), note=f"{kind} documents")
    return KPIStatus(kpi.text, kpi.target, 0, note="not measured")


def build_report(
    user: str,
    artifacts: list[dict],
    stories: list[str],
    mocks: list[Mock],
    *,
    started: date | None = None,
    today: date | None = None,
) -> ProgressReport:
    """The report from plain inputs: artifact rows, story texts and finished mocks."""
    comp = load_compendium()
    today = today or date.today()
    kinds = Counter(str(r["kind"]) for r in artifacts)
    quantified = sum(is_quantified(s) for s in stories)
    firsts = [m.day for m in mocks] + ([started] if started else [])
    cadence = Cadence(min(firsts, default=today), today, list(comp.cadence))
    coverage = Counter((m.panel, month_key(m.day)) for m in mocks)
    by_month: dict[str, list[Mock]] = {}
    for m in sorted(mocks, key=lambda m: m.day):
        by_month.setdefault(month_key(m.day), []).append(m)
    trend = [
        (month, sum(m.passed for m in ms) / len(ms), len(ms)) for month, ms in by_month.items()
    ]
    return ProgressReport(
        user=user,
        kpis=[kpi_status(k, kinds, quantified, mocks, today) for k in comp.kpis],
        cadence=cadence,
        stories=len(stories),
        quantified_stories=quantified,
        kinds=dict(kinds),
        coverage=dict(coverage),
        pass_trend=trend,
    )


def progress_report(user: str, *, today: date | None = None) -> ProgressReport:
    """The Progress report of `user`, from their stored artifacts and finished mock sessions."""
    from simulator import library

    artifacts = library.list_artifacts(user)
    stories = [s.text for s in library.star_bank(user)]
    started = _first_upload(user)
    return build_report(user, artifacts, stories, user_mocks(user), started=started, today=today)


def user_mocks(user: str) -> list[Mock]:
    """The user's finished mock interviews, from their saved sessions."""
    from simulator.interview import SessionStore

    store = SessionStore()
    try:
        rows = store.list_sessions(user)
    finally:
        store.close()
    mocks = []
    for row in rows:
        if row.status == "done" and row.scorecard:
            day = datetime.fromtimestamp(row.updated_at).date()
            mocks.append(Mock(row.panel, day, int(row.scorecard["score"])))
    return mocks


def _first_upload(user: str) -> date | None:
    from simulator.library import user_dir

    times = [p.stat().st_mtime for p in user_dir(user).iterdir() if p.is_file()]
    return datetime.fromtimestamp(min(times)).date() if times else None
