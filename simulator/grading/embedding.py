"""Local embeddings of an answer's windows, for reading it against its question.

Embeddings never pass a check (see `grading.checklist`): similarity says an answer talks
about a topic, not that it says anything specific about it. They serve one question only,
whether an answer addresses the question asked (`grading.topic`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from simulator.grading.text import Doc, Span, matches

_WINDOW_WORDS = 45
_MAX_WINDOWS = 64
#: Windows embedded per answer: embedding costs ~1 ms a token on CPU; past this many, the
#: opening window and those richest in the cues asked for are embedded.
EMBED_WINDOWS = 12
#: Words of a window that are embedded (a long code-free paragraph is cut, not the model's 256).
_ENCODE_WORDS = 90

_VECTORS: OrderedDict[str, np.ndarray] = OrderedDict()
_VECTOR_CACHE_SIZE = 8192
_VECTOR_LOCK = threading.Lock()


def _embedder():
    from simulator.store.embeddings import get_embedder

    return get_embedder("local")


def clear_vector_cache() -> None:
    """Forget embedded windows (benchmarks time unseen text, not cache hits)."""
    with _VECTOR_LOCK:
        _VECTORS.clear()


def encode(texts: list[str]) -> np.ndarray:
    """Unit vectors for `texts`; texts seen recently (a re-graded draft) are not re-embedded."""
    with _VECTOR_LOCK:
        missing = list(dict.fromkeys(t for t in texts if t not in _VECTORS))
    if missing:
        embedder = _embedder()
        raw = getattr(embedder, "encode", None)
        fresh = np.asarray(
            raw(missing) if raw is not None else embedder.embed_documents(missing),
            dtype=np.float32,
        )
        with _VECTOR_LOCK:
            for text, vector in zip(missing, fresh, strict=True):
                _VECTORS[text] = vector
            while len(_VECTORS) > _VECTOR_CACHE_SIZE:
                _VECTORS.popitem(last=False)
    with _VECTOR_LOCK:
        for text in texts:
            _VECTORS.move_to_end(text)
        return np.stack([_VECTORS[t] for t in texts])


def windows(doc: Doc) -> list[Span]:
    """Consecutive sentences grouped into ~45-word windows that never cross a heading."""
    previous: Span | None = None
    out: list[Span] = []
    start: Span | None = None
    words = 0
    sentences = doc.prose or doc.sentences
    for sentence in sentences:
        if start is not None and sentence.text.startswith("#"):
            out.append(Span(start.start, previous.end, doc.text[start.start : previous.end]))
            start, words = None, 0
        previous = sentence
        if start is None:
            start = sentence
        words += len(sentence.text.split())
        if words >= _WINDOW_WORDS:
            out.append(Span(start.start, sentence.end, doc.text[start.start : sentence.end]))
            start, words = None, 0
    if start is not None:
        last = sentences[-1]
        out.append(Span(start.start, last.end, doc.text[start.start : last.end]))
    if len(out) > _MAX_WINDOWS:
        step = len(out) / _MAX_WINDOWS
        out = [out[int(i * step)] for i in range(_MAX_WINDOWS)]
    return out


def select_windows(
    wins: list[Span], cue_groups: list[tuple[str, ...]], budget: int | None = None
) -> list[Span]:
    """At most `budget` (default `EMBED_WINDOWS`) windows, in document order: the opening
    one, the best window for each cue group, then the windows richest in cues."""
    budget = budget or EMBED_WINDOWS
    if len(wins) <= budget:
        return wins
    hits = np.array([[len(matches(w.text, g)) for g in cue_groups] for w in wins]).reshape(
        len(wins), len(cue_groups)
    )
    chosen = [0]
    for column in hits.T:
        if len(chosen) >= budget:
            break
        best = int(column.argmax())
        if column[best] > 0 and best not in chosen:
            chosen.append(best)
    for i in np.argsort(-hits.sum(axis=1), kind="stable"):
        if len(chosen) >= budget:
            break
        if int(i) not in chosen:
            chosen.append(int(i))
    return [wins[i] for i in sorted(chosen)]


def window_vectors(doc: Doc, cue_groups: list[tuple[str, ...]]) -> np.ndarray | None:
    """Unit vectors of the answer's selected windows (None: nothing to read)."""
    wins = select_windows(windows(doc), cue_groups)
    if not wins:
        return None
    return encode([" ".join(w.text.split()[:_ENCODE_WORDS]) for w in wins])
