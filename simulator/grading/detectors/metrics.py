"""Metrics, SLIs and SLOs: how success and health are measured."""

from __future__ import annotations

from simulator.grading.detectors.base import Finding, cue_finding
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc


def detect(doc: Doc) -> Finding:
    """Score 1 at four sentences naming metrics, SLIs, SLOs or alerts."""
    return cue_finding(doc, lexicon()["metrics"], 4.0, "metrics, SLIs and SLOs")
