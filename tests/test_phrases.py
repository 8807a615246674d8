"""Phrase matching: the substring pre-check never changes what the regexes find."""

from __future__ import annotations

import random

from simulator.grading.lexicon import lexicon
from simulator.knowledge.design import design_knowledge
from simulator.phrases import contains_any, matches, phrase_pattern


def _all_phrases() -> list[str]:
    lex = lexicon()
    phrases = [p for key in ("tradeoffs", "failure_modes", "metrics", "hedges") for p in lex[key]]
    for problem in design_knowledge().problems:
        phrases += [c for part in problem.hard_parts for c in part.cues]
    return sorted(set(phrases))


def test_matches_agrees_with_every_regex_on_random_text():
    phrases = _all_phrases()
    rng = random.Random(7)
    words = [w for p in phrases for w in p.rstrip("*").split()] + [
        "the",
        "We",
        "-",
        "\u00e9t\u00e9",
    ]
    for _ in range(200):
        text = " ".join(rng.choice(words).upper() if rng.random() < 0.2 else rng.choice(words)
                        for _ in range(rng.randint(5, 60)))  # fmt: skip
        sample = rng.sample(phrases, 60)
        expected = [p for p in sample if phrase_pattern(p).search(text)]
        assert matches(text, sample) == expected
        assert contains_any(text, sample) is bool(expected)


def test_wildcards_spaces_and_case():
    assert matches("Sharding the TOKEN\n bucket", ["shard*", "token bucket", "bucket size"]) == [
        "shard*",
        "token bucket",
    ]
    assert not contains_any("sharp", ["shard*"]) and not contains_any("anything", [])
