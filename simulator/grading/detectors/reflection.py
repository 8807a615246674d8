"""Reflection: the lesson learned and the reusable play."""

from __future__ import annotations

from simulator.grading.detectors.base import Finding, cue_finding
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc


def detect(doc: Doc) -> Finding:
    """Score 1 at two sentences of reflection."""
    return cue_finding(doc, lexicon()["reflection"], 2.0, "reflection")
