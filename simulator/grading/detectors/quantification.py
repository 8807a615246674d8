"""Quantification: numbers with units, percentages, and before -> after baselines."""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc

_NUMBER = r"[$€£]?\d+(?:[.,]\d+)*"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    lex = lexicon()
    words = "|".join(lex["number_words"])
    units = lex["units"].replace(" ", "").replace("\n", "")
    quantity = re.compile(
        rf"(?:[$€£]\d|[-+~]?{_NUMBER}\s?(?:{units})(?![a-z])|\d+(?:\.\d+)?\s?%"
        rf"|\b(?:{words})\s+(?:{units})(?![a-z]))",
        re.IGNORECASE,
    )
    verbs = "|".join(lex["improvement_verbs"])
    number = rf"(?:{_NUMBER}|\b(?:{words})\b)"
    baseline = re.compile(
        rf"(?:from\s+{number}[^.;\n]{{0,30}}?\s+to\s+{number}"
        rf"|{_NUMBER}\S*\s*(?:→|->|=>|to)\s*{_NUMBER}"
        rf"|\b(?:{verbs})\b[^.;\n]{{0,40}}?\b(?:by|to)\s+(?:roughly\s+|about\s+|nearly\s+|over\s+)?{number}"
        rf"|\b(?:{verbs})\b\s+(?:by\s+)?(?:roughly\s+|about\s+|nearly\s+)?(?:half|a\s+third|a\s+quarter|\d+x)"
        rf"|[-+−]\s?\d+(?:\.\d+)?\s?%)",
        re.IGNORECASE,
    )
    return quantity, baseline


def detect(doc: Doc) -> Finding:
    """Score 1 at four quantified sentences, baselines counting double."""
    quantity, baseline = _patterns()
    spans, points = [], 0.0
    for sentence in doc.sentences:
        has_baseline = bool(baseline.search(sentence.text))
        if has_baseline or quantity.search(sentence.text):
            spans.append(sentence)
            points += 2.0 if has_baseline else 1.0
    note = f"{len(spans)} quantified sentences" if spans else "no quantified outcomes"
    return Finding(saturate(points, 5.0), spans, note, len(spans))


def numeric_tokens(doc: Doc) -> int:
    """How many figures the text holds, times and dates aside (for number-stuffing checks)."""
    text = re.sub(
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?Z?)?|\b\d{1,2}:\d{2}(?::\d{2})?",
        " ",
        doc.text,
    )
    return len(re.findall(r"\d+(?:[.,]\d+)*", text))
