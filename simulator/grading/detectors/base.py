"""What every detector returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.grading.text import Doc, Span, sentences_with


@dataclass
class Finding:
    """A detector's reading of one answer: a 0-1 score, the spans behind it, and a note."""

    score: float
    spans: list[Span] = field(default_factory=list)
    note: str = ""
    count: int = 0


def saturate(count: float, full: float) -> float:
    """`count / full`, capped at 1."""
    return max(0.0, min(1.0, count / full)) if full > 0 else 0.0


def cue_finding(doc: Doc, phrases: list[str], full: float, what: str) -> Finding:
    """A detector that counts sentences mentioning any of `phrases`."""
    spans = sentences_with(doc, phrases)
    return Finding(
        saturate(len(spans), full), spans, f"{len(spans)} sentences on {what}", len(spans)
    )
