"""Trade-offs and alternatives: options weighed, what was given up and why."""

from __future__ import annotations

import re

from simulator.grading.detectors.base import Finding, cue_finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, matches

_ENUMERATED = re.compile(
    r"(?:\(\d\)|\boption\s+[a-z0-9]\b|\balternative\s+\d\b|^\s*(?:[-*]|\d+[.)])\s+.{0,80}?"
    r"(?:pros?|cons?|\bvs\.?\b|instead|rejected|chosen|chose))",
    re.IGNORECASE | re.MULTILINE,
)


def detect(doc: Doc) -> Finding:
    """Sentences on trade-offs, with enumerated options counting extra."""
    cues = lexicon()["tradeoffs"]
    base = cue_finding(doc, cues, 5.0, "trade-offs and alternatives")
    distinct = len(matches(doc.text, cues))
    options = len(_ENUMERATED.findall(doc.text))
    score = saturate(base.count + 0.5 * distinct + 1.5 * options, 6.0)
    return Finding(score, base.spans, f"{base.note}; {options} enumerated options", base.count)
