"""STAR structure: situation, task, action, result, reflection — labelled or in prose."""

from __future__ import annotations

import re

from simulator.grading.detectors.base import Finding
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, Span, matches

PARTS = ("situation", "task", "action", "result", "reflection")
_MIN_WORDS = 5


def _label_re(names: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        rf"^\s*(?:[-*#>\s]*)(?:\*\*)?\s*(?:{alternatives})\s*(?:\*\*)?\s*[:\-–—)]", re.I
    )


def parts(doc: Doc) -> dict[str, list[Span]]:
    """The sentences that carry each STAR part (labels first, then prose cues)."""
    star = lexicon()["star"]
    found: dict[str, list[Span]] = {p: [] for p in PARTS}
    labels_seen: set[str] = set()
    current: str | None = None
    label_res = {p: _label_re(star["labels"][p]) for p in PARTS}
    for sentence in doc.sentences:
        for part, pattern in label_res.items():
            m = pattern.match(sentence.text)
            if m:
                labels_seen.add(part)
                current = part
                rest = sentence.text[m.end() :]
                if len(rest.split()) >= _MIN_WORDS:
                    found[part].append(sentence)
                break
        else:
            if current and len(sentence.text.split()) >= _MIN_WORDS:
                found[current].append(sentence)
    if len(labels_seen) >= 3:
        return found
    for sentence in doc.sentences:
        for part in PARTS:
            if matches(sentence.text, star[part]) and sentence not in found[part]:
                found[part].append(sentence)
    return found


def detect(doc: Doc) -> Finding:
    """Fraction of the five parts present with content."""
    found = parts(doc)
    present = [p for p in PARTS if found[p]]
    spans = [found[p][0] for p in present]
    missing = [p for p in PARTS if p not in present]
    note = "all five STAR parts present" if not missing else "missing: " + ", ".join(missing)
    return Finding(len(present) / len(PARTS), spans, note, len(present))
