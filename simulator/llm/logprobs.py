"""Token log probabilities, read back as the probability of each checklist answer's "yes".

With `logprobs: true` and `top_logprobs: N` an OpenAI-compatible endpoint (OpenAI, vLLM,
llama.cpp's llama-server, llama-cpp-python's server with `logits_all`, its default)
streams each generated token with its log probability and the N likeliest tokens at its
place, taken before sampling and before any grammar. A check's answer is the JSON value
of its `"passed"` field, one token (`true` or `false`); P(yes) is the mass of the
alternatives spelling the start of `true` over that of `true` and `false` together, so
the tokens a grammar forbids there do not count. An endpoint that refuses the parameters
is remembered (`negotiation`) and asked without them, and its answers carry no P(yes).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

#: Alternatives asked for at each token: enough for `true` and `false` both to be among
#: them where a boolean goes, small enough to keep a recording readable.
TOP = 5

_SIGNAL = re.compile(r'"id"\s*:\s*"(?P<id>[^"]*)"\s*,\s*"checks"')
_CHECK = re.compile(r'"id"\s*:\s*"(?P<id>[^"]*)"\s*,\s*"passed"\s*:\s*(?P<value>true|false)')


@dataclass(frozen=True)
class TokenLogprob:
    """One generated token, its log probability, and the likeliest tokens at its place."""

    token: str
    logprob: float
    top: dict[str, float]


def from_stream(content: list[Any] | None) -> list[TokenLogprob]:
    """The tokens of one streamed chunk's `choices[0].logprobs.content` (openai objects)."""
    out = []
    for item in content or []:
        top = {alt.token: alt.logprob for alt in item.top_logprobs or []}
        out.append(TokenLogprob(item.token, item.logprob, top))
    return out


def dump(tokens: list[TokenLogprob]) -> list[list[Any]]:
    """Tokens as compact JSON rows `[token, logprob, [[alternative, logprob], ...]]`: the
    alternatives as pairs, not keys, so the fixture scrubber (which drops keys named like
    secrets: a token " cookie") never edits them."""
    return [[t.token, round(t.logprob, 4), [[k, round(v, 4)] for k, v in t.top.items()]]
            for t in tokens]  # fmt: skip


def load(rows: list[list[Any]] | None) -> list[TokenLogprob] | None:
    """The tokens `dump` wrote (None for a recording made without logprobs); recordings
    from before pairs hold the alternatives as a mapping, which reads the same."""
    if rows is None:
        return None
    return [TokenLogprob(token, logprob, dict(top)) for token, logprob, top in rows]


def _yes(top: dict[str, float]) -> float | None:
    yes = no = 0.0
    for token, logprob in top.items():
        word = token.lstrip(' \t\n":,').rstrip().lower()
        if word and "true".startswith(word):
            yes += math.exp(logprob)
        elif word and "false".startswith(word):
            no += math.exp(logprob)
    return yes / (yes + no) if yes + no > 0 else None


def yes_probabilities(tokens: list[TokenLogprob] | None) -> dict[str, float]:
    """P(yes) of every check a checklist reply answered, by `signal.check` id.

    The reply is the tokens joined; each `"passed"` value is found in it and read at the
    token that starts it. A check whose token shows neither `true` nor `false` among its
    alternatives is left out.
    """
    if not tokens:
        return {}
    text, starts, at = "", [], 0
    for t in tokens:
        starts.append(at)
        text += t.token
        at += len(t.token)
    events = sorted(
        [(m.start(), "signal", m) for m in _SIGNAL.finditer(text)]
        + [(m.start(), "check", m) for m in _CHECK.finditer(text)],
        key=lambda e: e[0],
    )
    out: dict[str, float] = {}
    signal = None
    for _, what, m in events:
        if what == "signal":
            signal = m.group("id")
            continue
        where = m.start("value")
        index = max(i for i, s in enumerate(starts) if s <= where)
        token = tokens[index]
        p = _yes({**token.top, token.token: token.logprob})
        if p is not None and signal is not None:
            out[f"{signal}.{m.group('id')}"] = round(p, 4)
    return out
