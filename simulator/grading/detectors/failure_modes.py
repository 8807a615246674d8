"""Failure modes and degradation: what breaks, and what the system does then."""

from __future__ import annotations

from simulator.grading.detectors.base import Finding, cue_finding
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc


def detect(doc: Doc) -> Finding:
    """Score 1 at four sentences about failures, fallbacks or degradation."""
    return cue_finding(doc, lexicon()["failure_modes"], 4.0, "failure modes and degradation")
