"""What one text's grade is computed from: its answered checks and answer-level readings.

The offline engine builds a `Features`; calibration turns it into a level and feedback
into words. Both read it from here, so neither imports the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.grading.checklist import CheckAnswer, fraction
from simulator.grading.detectors.mechanism import Reading
from simulator.grading.text import Span


@dataclass(frozen=True)
class Topic:
    """How the answer stands against the question asked (see `grading.topic`)."""

    offtopic: bool = False
    #: What the answer seems to answer instead (a problem or bank question), when known.
    answered: str | None = None
    asked: str | None = None
    #: 0-1 relevance of the answer to the question (1: no question to miss).
    relevance: float = 1.0


@dataclass(frozen=True)
class CapHit:
    """A cap that applies, with the sentence behind it when a pitfall check found one."""

    id: str
    level: int
    text: str
    span: Span | None = None


@dataclass
class Features:
    """The checks per signal and what else the level is computed from."""

    #: Per signal id, its checks answered (rubric order).
    checks: dict[str, list[CheckAnswer]]
    weights: dict[str, float]
    words: int
    rambling: float = 0.0
    hedging: float = 0.0
    stuffing: float = 0.0
    #: Term-stuffing: most of the answer is lists of names (see `detectors.term_lists`).
    terms: float = 0.0
    topic: Topic = field(default_factory=Topic)
    #: An answer to a design question read against its problem (None for anything else).
    reading: Reading | None = None
    caps: list[CapHit] = field(default_factory=list)
    #: Share of the text's sentences that pass no check and solve no hard part: padding
    #: (generic template text, vanity figures, chronology) reads here, not as evidence.
    padding: float = 0.0
    #: Pitfalls found by their own check, each with the sentence that shows it.
    pitfalls: list[CapHit] = field(default_factory=list)
    #: Signals a found pitfall holds down (blame found: "blameless" scores at most 1).
    signal_caps: dict[str, int] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        """Weighted mean over signals of the weighted share of their checks passed."""
        total = sum(self.weights.values())
        return sum(self.weights[s] * self.signal_fraction(s) for s in self.checks) / total

    @property
    def near(self) -> float:
        """Weighted mean over signals of the weighted share of their checks not passed but
        nearly met (a sentence names the concept without the detail): each check at most
        once, so volume cannot add to it."""
        total = sum(self.weights.values())
        out = 0.0
        for s, answers in self.checks.items():
            weight = sum(a.check.weight for a in answers)
            near = sum(a.check.weight for a in answers if not a.passed and a.near is not None)
            out += self.weights[s] * (near / weight if weight else 0.0)
        return out / total

    def signal_fraction(self, signal_id: str) -> float:
        """The weighted share of a signal's checks passed, held down by a found pitfall."""
        value = fraction(self.checks[signal_id])
        cap = self.signal_caps.get(signal_id)
        return value if cap is None else min(value, cap / 4)

    @property
    def offtopic(self) -> float:
        return 1.0 if self.topic.offtopic else 0.0

    @property
    def mechanism(self) -> float | None:
        """Mean 0-1 coverage of the design problem's hard parts (None: no known problem)."""
        return self.reading.coverage if self.reading else None

    @property
    def unsound(self) -> float:
        """1 when the answer proposes a mechanism that cannot work (an anti-pattern)."""
        return 1.0 if self.reading and self.reading.traps else 0.0

    @property
    def cap(self) -> int:
        """The lowest cap that applies (5: none)."""
        return min((c.level for c in self.caps), default=5)
