"""The compendium's KPIs and 4-month cadence, measured on one user's artifacts, critiques and
mock panels; per-signal trends over time and each panel's pass rate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from simulator.activity import Critique, digest, is_quantified
from simulator.knowledge.compendium import KPI, Phase, load_compendium

__all__ = [
    "Cadence", "KPIStatus", "Mock", "ProgressReport", "TrendPoint", "build_report",
    "is_quantified", "kpi_status", "plural", "progress_report", "user_mocks",
]  # fmt: skip

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
    #: (signal id, signal name, mean score 0-4 over the session's questions).
    signals: tuple[tuple[str, str, float], ...] = ()

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


@dataclass(frozen=True)
class TrendPoint:
    """One graded piece of work on a rubric: when, and each signal's score."""

    day: date
    label: str  # "mock" or the critiqued file's name
    scores: dict[str, float]  # signal name -> 0-4


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
    #: panel id -> (pass rate 0-1, finished mocks), panels with mocks only.
    panel_pass: dict[str, tuple[float, int]] = field(default_factory=dict)
    #: rubric (panel id or artifact kind) -> its graded work, oldest first.
    trends: dict[str, list[TrendPoint]] = field(default_factory=dict)
    critiques: int = 0


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def plural(n: float, one: str, many: str | None = None) -> str:
    """`1 story`, `2 stories`, `0 ADRs`."""
    return f"{n:g} {one if n == 1 else (many or one + 's')}"


def kpi_status(
    kpi: KPI, kinds: Counter, quantified_stories: int, mocks: list[Mock], today: date, stories=0
) -> KPIStatus:
    """One KPI measured: documents of its kind (stored or critiqued), or design mocks this month."""
    low = kpi.text.lower()
    if "panel" in low or "mock" in low:
        design = "design" in low
        this_month = [
            m
            for m in mocks
            if month_key(m.day) == month_key(today) and (not design or m.panel in DESIGN_PANELS)
        ]
        note = plural(len(this_month), "mock") + " this month"
        return KPIStatus(kpi.text, kpi.target, len(this_month), True, note)
    if "star" in low:
        told = stories or kinds.get("star", 0)
        note = f"{plural(told, 'story', 'stories')}, {quantified_stories} with quantified impact"
        return KPIStatus(kpi.text, kpi.target, quantified_stories, note=note)
    for word, kind in KPI_KINDS:
        if word in low:
            n = kinds.get(kind, 0)
            return KPIStatus(kpi.text, kpi.target, n, note=plural(n, f"{kind} document"))
    return KPIStatus(kpi.text, kpi.target, 0, note="not measured")


def _documents(artifacts: list[dict], critiques: list[Critique]) -> Counter:
    """Distinct documents per kind: stored in the library or critiqued (one text counts once)."""
    seen: dict[str, set[str]] = {}
    for n, row in enumerate(artifacts):
        seen.setdefault(str(row["kind"]), set()).add(str(row.get("digest") or f"row-{n}"))
    for c in critiques:
        if c.target == "critique":
            seen.setdefault(c.kind, set()).add(c.digest)
    return Counter({kind: len(ids) for kind, ids in seen.items()})


def _trends(mocks: list[Mock], critiques: list[Critique]) -> dict[str, list[TrendPoint]]:
    points: dict[str, list[TrendPoint]] = {}
    for m in mocks:
        if m.signals:
            scores = {name: float(score) for _, name, score in m.signals}
            points.setdefault(m.panel, []).append(TrendPoint(m.day, "mock", scores))
    for c in critiques:
        scores = {name: float(score) for _, name, score in c.signals}
        points.setdefault(c.kind, []).append(TrendPoint(c.day, c.name or c.target, scores))
    return {k: sorted(v, key=lambda p: p.day) for k, v in points.items()}


def build_report(
    user: str,
    artifacts: list[dict],
    stories: list[str],
    mocks: list[Mock],
    *,
    critiques: list[Critique] | None = None,
    started: date | None = None,
    today: date | None = None,
) -> ProgressReport:
    """The report from plain inputs: artifact rows (`kind`, optional `digest`), the STAR
    bank's story texts, finished mocks and the critique log."""
    comp = load_compendium()
    critiques = critiques or []
    today = today or date.today()
    kinds = _documents(artifacts, critiques)
    # STAR stories: the bank's, and other stories critiqued (one text counts once).
    told = {digest(s): is_quantified(s) for s in stories}
    for c in critiques:
        if c.kind == "star" and c.target == "critique":
            told.setdefault(c.digest, bool(c.quantified))
    quantified = sum(told.values())
    firsts = [m.day for m in mocks] + [c.day for c in critiques] + ([started] if started else [])
    cadence = Cadence(min(firsts, default=today), today, list(comp.cadence))
    coverage = Counter((m.panel, month_key(m.day)) for m in mocks)
    by_month: dict[str, list[Mock]] = {}
    by_panel: dict[str, list[Mock]] = {}
    for m in sorted(mocks, key=lambda m: m.day):
        by_month.setdefault(month_key(m.day), []).append(m)
        by_panel.setdefault(m.panel, []).append(m)
    trend = [
        (month, sum(m.passed for m in ms) / len(ms), len(ms)) for month, ms in by_month.items()
    ]
    return ProgressReport(
        user=user,
        kpis=[kpi_status(k, kinds, quantified, mocks, today, len(told)) for k in comp.kpis],
        cadence=cadence,
        stories=len(told),
        quantified_stories=quantified,
        kinds=dict(kinds),
        coverage=dict(coverage),
        pass_trend=trend,
        panel_pass={
            p: (sum(m.passed for m in ms) / len(ms), len(ms)) for p, ms in by_panel.items()
        },
        trends=_trends(mocks, critiques),
        critiques=len(critiques),
    )


def progress_report(user: str, *, today: date | None = None) -> ProgressReport:
    """The Progress report of `user`, from their stored artifacts, STAR bank, critiques and
    finished mock sessions."""
    from simulator import activity, library

    artifacts: list[dict] = []
    for row in library.list_artifacts(user):
        try:
            text = library.artifact_text(row, user)
        except Exception:  # noqa: BLE001 - a kept file gone missing still counts once
            text = ""
        artifacts.append({**row, "digest": digest(text) if text else None})
    stories = [s.text for s in library.star_bank(user)]
    return build_report(
        user,
        artifacts,
        stories,
        user_mocks(user),
        critiques=activity.critiques(user),
        started=_first_upload(user),
        today=today,
    )


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
            signals = tuple(
                (str(s["id"]), str(s["name"]), float(s.get("mean", s.get("best", 0))))
                for s in row.scorecard.get("signals", [])
            )
            mocks.append(Mock(row.panel, day, int(row.scorecard["score"]), signals))
    return mocks


def _first_upload(user: str) -> date | None:
    from simulator.library import user_dir

    times = [p.stat().st_mtime for p in user_dir(user).iterdir() if p.is_file()]
    return datetime.fromtimestamp(min(times)).date() if times else None
