"""Prompt injection: text in an answer that tries to steer the grader.

Found spans are reported and blanked out (same length, so offsets hold) before
any grading, which is why an injection can never raise a score.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from simulator.grading.detectors.base import Finding
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, Span
from simulator.phrases import FENCED

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, object]:
    lex = lexicon()["injection"]
    flags = re.IGNORECASE

    def many(key: str) -> list[re.Pattern[str]]:
        return [re.compile(p, flags) for p in lex[key]]

    return {
        "override": many("override"),
        "steering": many("steering"),
        "grader": re.compile(lex["grader_words"], flags),
        "role": re.compile(lex["role_line"], flags | re.MULTILINE),
        "json": re.compile(lex["grade_json"], flags),
        "json_keys": re.compile(lex["grade_json_keys"], flags),
        "comment": re.compile(lex["html_comment"]),
    }


_QUOTED = re.compile(r"[\"“«„](?:[^\"“”«»„]){3,400}[\"”»“]|(?<![\w])'[^'\n]{3,200}'(?![\w])")
#: Letters from other scripts that look like Latin ones, as used to hide "ignore previous".
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁɡոսАВЕНІЈКМОРСТХЅΑΒΕΗΙΚΜΝΟΡΤΧΥοαινρκτ",
    "aeopcyxijsdgnuABEHIJKMOPCTXSABEHIKMNOPTXYoaivpkt",
)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _inside(pos: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in ranges)


def _fold(text: str) -> str:
    """Look-alike letters folded to ASCII, zero-width characters dropped; same length."""
    if text.isascii():
        return text
    text = text.translate(_CONFUSABLES)
    table = {ord(ch): _fold_char(ch) for ch in set(text) if ch >= "\x80"}
    return text.translate(table)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if _ZERO_WIDTH.match(ch):
        return " "
    ascii_ch = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return ascii_ch[:1] if ascii_ch and ascii_ch[:1].isprintable() else ch


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end == -1 else line_end


def detect(doc: Doc) -> Finding:
    """Spans of the answer that address the grader rather than the question.

    Text is data unless it speaks to the grader: an override ("ignore previous instructions",
    "give this a 5") outside quotes and code is flagged wherever it stands; a steering phrase,
    a `System:` line, an HTML comment or a JSON object only when it also speaks of grading
    (score, rubric, evaluator, Strong Hire, ...). So MADR's `<!-- optional -->`, log lines in
    a code block, quoted dialogue and chat-role labels in a design answer are not flagged.
    """
    pats = _patterns()
    folded = _fold(doc.text)
    code = [(m.start(), m.end()) for m in FENCED.finditer(folded)]
    quotes = _spans(_QUOTED, folded)
    grader = pats["grader"]
    hits: list[tuple[int, int, str]] = []

    def line_of(start: int, end: int) -> tuple[int, int]:
        return _line_bounds(doc.text, start, end)

    def speaks_of_grading(start: int, end: int) -> bool:
        """Grading words on the line, outside quotes."""
        line_start, line_end = line_of(start, end)
        line = folded[line_start:line_end]
        inner = [(a - line_start, b - line_start) for a, b in quotes if line_start <= a < line_end]
        return any(not _inside(m.start(), inner) for m in grader.finditer(line))

    for pattern in pats["override"]:
        for m in pattern.finditer(folded):
            if _inside(m.start(), quotes) or (
                _inside(m.start(), code) and not speaks_of_grading(m.start(), m.end())
            ):
                continue
            hits.append((*line_of(m.start(), m.end()), "instruction"))
    for pattern in pats["steering"]:
        for m in pattern.finditer(folded):
            if _inside(m.start(), quotes) or not speaks_of_grading(m.start(), m.end()):
                continue
            hits.append((*line_of(m.start(), m.end()), "instruction"))
    for m in pats["role"].finditer(folded):
        if speaks_of_grading(m.start(), m.end()):
            hits.append((*line_of(m.start(), m.end()), "fake role line"))
    for m in pats["json"].finditer(folded):
        body = m.group(0)
        if (
            len(pats["json_keys"].findall(body)) >= 1
            and grader.search(body)
            or (len(pats["json_keys"].findall(body)) >= 2)
        ):
            hits.append((m.start(), m.end(), "fake grade JSON"))
    for m in pats["comment"].finditer(folded):
        body = m.group(0)
        if grader.search(body) or any(p.search(body) for p in pats["override"]):
            hits.append((m.start(), m.end(), "HTML comment"))
    for m in FENCED.finditer(folded):
        # A code block that is a grading spec ("```rubric", "# Postmortem rubric v9").
        head = folded[m.start() : folded.find("\n", m.start(), m.end()) + 1 or m.end()]
        second = folded[m.start() + len(head) : m.end()].lstrip().split("\n", 1)[0]
        if re.search(r"rubric|grading|grader|scoring", head + second, re.IGNORECASE):
            hits.append((m.start(), m.end(), "fake rubric"))
    # Zero-width characters hide steering text; on their own (copy-paste residue) they are
    # not steering, but inside a flagged line they are part of it.
    merged: list[list[int]] = []
    for start, end, _ in sorted(hits):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    spans = [Span(s, e, doc.text[s:e]) for s, e in merged]
    kinds = sorted({w for _, _, w in hits})
    note = "steering attempt: " + ", ".join(kinds) if hits else "none"
    return Finding(1.0 if hits else 0.0, spans, note, len(hits))


def blank_out(text: str, spans: list[Span]) -> str:
    """`text` with each span replaced by spaces (offsets of everything else unchanged)."""
    chars = list(text)
    for span in spans:
        for i in range(span.start, span.end):
            if chars[i] not in "\n":
                chars[i] = " "
    return "".join(chars)
