"""Detection: how the incident was noticed, what should have caught it, and what went well."""

from __future__ import annotations

from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, sentences_with


def detect(doc: Doc) -> Finding:
    """Score 1 at three sentences on detection and one on what went well in the response."""
    cues = lexicon()["detection"]
    noticed = sentences_with(doc, cues["detection"])
    kept = sentences_with(doc, cues["went_well"])
    score = 0.7 * saturate(len(noticed), 3.0) + 0.3 * saturate(len(kept), 1.0)
    return Finding(
        score,
        noticed[:3] + kept[:1],
        f"{len(noticed)} sentences on detection, {len(kept)} on what went well",
        len(noticed) + len(kept),
    )
