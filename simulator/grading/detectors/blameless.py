"""Blameless tone: systems and processes examined, not people blamed."""

from __future__ import annotations

from simulator.grading.detectors.base import Finding
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, matches, sentences_with


def detect(doc: Doc) -> Finding:
    """1.0 when no sentence blames a person; each blaming sentence costs 0.4."""
    cues = lexicon()["blameless"]
    blaming = sentences_with(doc, cues["blameful"])
    hits = len(matches(doc.text, cues["blameful"]))
    systemic = sentences_with(doc, cues["blameless"])
    score = (
        max(0.0, 1.0 - 0.3 * (len(blaming) + hits))
        if blaming
        else min(1.0, 0.75 + 0.1 * len(systemic))
    )
    note = f"{len(blaming)} sentences blame people" if blaming else "blameless"
    return Finding(score, blaming or systemic[:3], note, len(blaming))
