"""Ownership: actions the candidate took personally ("I ...") against "we ..."."""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.grading.detectors.base import Finding, saturate
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    own = lexicon()["ownership"]
    stop = "|".join(re.escape(w) for w in own["non_actions"])
    i_action = re.compile(
        rf"(?:^|[\s(\-–—:;,.*])I\s+(?!(?:{stop})\b)(?:also\s+|then\s+|personally\s+)?[a-z]+(?:ed|t)?\b"
    )
    we_action = re.compile(
        r"(?:^|[\s(\-–—:;,.*])(?:[Ww]e|[Oo]ur team|[Tt]he team)\s+(?!(?:were|are|had|have)\b)[a-z]+"
    )
    return i_action, we_action


def counts(doc: Doc) -> tuple[int, int]:
    """(first-person actions, team actions)."""
    i_action, we_action = _patterns()
    return len(i_action.findall(doc.text)), len(we_action.findall(doc.text))


def detect(doc: Doc) -> Finding:
    """Score from the number of personal actions, discounted when "we" dominates."""
    i_action, _ = _patterns()
    mine, ours = counts(doc)
    share = mine / (mine + ours) if mine + ours else 0.0
    score = saturate(mine, 4.0) * (0.5 + 0.5 * share)
    spans = [s for s in doc.sentences if i_action.search(" " + s.text)][:6]
    return Finding(score, spans, f"{mine} actions in the first person, {ours} as 'we'", mine)
