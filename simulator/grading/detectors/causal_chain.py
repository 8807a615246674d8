"""Causal chain: a root cause traced past the trigger to the conditions that allowed it."""

from __future__ import annotations

from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, matches, sentences_with


def detect(doc: Doc) -> Finding:
    """Causal sentences count; depth words (trigger vs root cause, contributing factors,
    whys, systemic conditions) count extra. Score 1 at about four links and two depths."""
    cues = lexicon()["causal_chain"]
    links = sentences_with(doc, cues["links"])
    depth = matches(doc.text, cues["depth"])  # a "Causal chain" heading counts here
    score = saturate(len(links) + 1.5 * len(depth), 7.0)
    return Finding(
        score, links, f"{len(links)} causal sentences, depth markers {depth}", len(links)
    )
