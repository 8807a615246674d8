"""Owners and dates: follow-ups and actions with someone accountable and a deadline."""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, Span, matches


@lru_cache(maxsize=1)
def _date() -> re.Pattern[str]:
    lex = lexicon()["owners_dates"]
    months = "|".join(lex["months"])
    return re.compile(
        rf"\b\d{{4}}-\d{{2}}(?:-\d{{2}})?\b|\bQ[1-4]\b|\b(?:{months})\.?\s+\d{{1,2}}\b"
        rf"|\b\d{{1,2}}\s+(?:{months})\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b"
        r"|\b(?:end of|by)\s+(?:next\s+)?(?:week|month|quarter|sprint|year|monday|friday)\b",
        re.IGNORECASE,
    )


_NAME_OWNER = re.compile(
    r"(?:\(|—|-|–|:)\s*@?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s*(?:\)|,|$)|@\w+"
    r"|(?i:\(\s*[a-z][\w .&/-]{1,30},\s*[^()]{2,40}\)|\b[a-z]+\s+team\b|\b(?:sre|ops|on-call|platform)\b)"
)


def detect(doc: Doc) -> Finding:
    """Lines with an owner and a date; both on one line counts most."""
    cues = lexicon()["owners_dates"]
    both, either, spans = 0, 0, []
    clauses = [
        Span(sentence.start + m.start(), sentence.start + m.end(), m.group(0))
        for sentence in doc.sentences
        for m in re.finditer(r"[^;]+", sentence.text)
        if m.group(0).strip()
    ]
    for sentence in clauses:
        dated = bool(_date().search(sentence.text)) or bool(
            matches(sentence.text, cues["date_cues"])
        )
        owned = bool(matches(sentence.text, cues["owner_cues"])) or bool(
            _NAME_OWNER.search(sentence.text)
        )
        if dated and owned:
            both += 1
            spans.append(sentence)
        elif dated or owned:
            either += 1
            spans.append(sentence)
    score = saturate(both * 2 + either * 0.5, 6.0)
    return Finding(score, spans[:6], f"{both} lines with owner and date, {either} with one", both)
