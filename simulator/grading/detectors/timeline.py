"""Timeline: timestamped events (in UTC) from detection through mitigation to resolution."""

from __future__ import annotations

import re

from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, matches

_TIME = re.compile(
    r"\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\b|\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\bT\s?[+-]\s?\d+\s?m",
    re.IGNORECASE,
)
_UTC = re.compile(r"\b(?:UTC|GMT)\b|\d{2}:\d{2}(?::\d{2})?Z\b")


def detect(doc: Doc) -> Finding:
    """Timestamps count most; UTC and detect -> mitigate -> resolve phases complete it."""
    phases = lexicon()["timeline"]["phases"]
    stamped = [s for s in doc.sentences if _TIME.search(s.text)]
    phase_words = set(matches(doc.text, phases))
    score = 0.65 * saturate(len(stamped), 5.0)
    score += 0.15 * bool(_UTC.search(doc.text)) + 0.2 * saturate(len(phase_words), 4.0)
    utc = "in UTC" if _UTC.search(doc.text) else "no time zone"
    return Finding(
        min(score, 1.0), stamped[:6], f"{len(stamped)} timestamped events, {utc}", len(stamped)
    )
