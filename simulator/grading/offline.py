"""The offline engine: detectors + local embeddings, combined per rubric signal.

Deterministic, no network, and what runs by default. For each signal it blends
three readings — semantic coverage (answer windows against the signal's
description), its cue phrases, and the detectors the rubric names — into a 0-1
value; the weighted mean, less penalties for off-topic, rambling, hedging,
number-stuffed and term-list answers, maps to a 1-5 level through cut points
calibrated on the team's labeled calibration split (`corpus/calibration.yaml`). Each
signal's value read on the same cut points is its 0-4 score, so the signals and the
level tell one story.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from simulator.grading import calibration, feedback
from simulator.grading.detectors import (
    SIGNAL_DETECTORS,
    Finding,
    injection,
    rambling,
    stuffing,
    term_lists,
)
from simulator.grading.detectors import mechanism as mechanism_detector
from simulator.grading.grade import Evidence, Grade, HardPartScore, SignalScore, level_name
from simulator.grading.text import Doc, Span, matches, sentences_with
from simulator.knowledge.rubrics import ArtifactRubric, PanelRubric, Signal

_WINDOW_WORDS = 45
_MAX_WINDOWS = 64
#: Windows embedded per answer: embedding costs ~1 ms a token on CPU, so a 3000-word
#: postmortem would take seconds; past this many, the windows that carry the rubric's
#: cues are embedded and the rest are read by the detectors only.
EMBED_WINDOWS = 12
#: Words of a window that are embedded (a long code-free paragraph is cut, not the model's 256).
_ENCODE_WORDS = 90
_EVIDENCE_CHARS = 240


@dataclass
class Features:
    """What the overall level is computed from (also what calibration fits)."""

    coverage: float
    offtopic: float
    rambling: float
    hedging: float
    stuffing: float
    words: int
    #: Term-stuffing: most of the answer is lists of names (see `detectors.term_lists`).
    terms: float = 0.0
    signal_scores: dict[str, float] = field(default_factory=dict)
    #: Per signal: (semantic, lexical, detected or None), what `blend` combines.
    parts: dict[str, tuple[float, float, float | None]] = field(default_factory=dict)
    #: An answer to a design question read against its problem (None for anything else).
    reading: mechanism_detector.Reading | None = None

    @property
    def mechanism(self) -> float | None:
        """Mean 0-1 coverage of the design problem's hard parts (None: no known problem)."""
        return self.reading.coverage if self.reading else None

    @property
    def unsound(self) -> float:
        """1 when the answer proposes a mechanism that cannot work (an anti-pattern)."""
        return 1.0 if self.reading and self.reading.traps else 0.0


def _embedder():
    from simulator.store.embeddings import get_embedder

    return get_embedder("local")


_VECTORS: OrderedDict[str, np.ndarray] = OrderedDict()
_VECTOR_CACHE_SIZE = 8192
_VECTOR_LOCK = threading.Lock()


def clear_vector_cache() -> None:
    """Forget embedded windows (benchmarks time unseen text, not cache hits)."""
    with _VECTOR_LOCK:
        _VECTORS.clear()


def _encode(texts: list[str]) -> np.ndarray:
    """Unit vectors for `texts`; texts seen recently (a re-graded draft) are not re-embedded."""
    with _VECTOR_LOCK:
        missing = list(dict.fromkeys(t for t in texts if t not in _VECTORS))
    if missing:
        embedder = _embedder()
        encode = getattr(embedder, "encode", None)
        raw = encode(missing) if encode is not None else embedder.embed_documents(missing)
        fresh = np.asarray(raw, dtype=np.float32)
        with _VECTOR_LOCK:
            for text, vector in zip(missing, fresh, strict=True):
                _VECTORS[text] = vector
            while len(_VECTORS) > _VECTOR_CACHE_SIZE:
                _VECTORS.popitem(last=False)
    with _VECTOR_LOCK:
        for text in texts:
            _VECTORS.move_to_end(text)
        return np.stack([_VECTORS[t] for t in texts])


@lru_cache(maxsize=64)
def _probe_matrix(rubric_ref: str, probes: tuple[tuple[str, ...], ...]) -> list[np.ndarray]:
    """Embeddings of each signal's probe texts, computed once per rubric version."""
    flat = [text for group in probes for text in group]
    matrix = _encode(flat)
    out, i = [], 0
    for group in probes:
        out.append(matrix[i : i + len(group)])
        i += len(group)
    return out


def _probes(signal: Signal) -> tuple[str, ...]:
    return (f"{signal.name}. {signal.description}", signal.strong)


def windows(doc: Doc) -> list[Span]:
    """Consecutive sentences grouped into ~45-word windows (few enough to embed fast)."""
    previous: Span | None = None
    out: list[Span] = []
    start: Span | None = None
    words = 0
    sentences = doc.prose or doc.sentences
    for sentence in sentences:
        if start is not None and sentence.text.startswith("#"):
            # Windows never cross a heading: sections stay separate units of meaning.
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
    one, the best window for each cue group (a signal or a hard part), then the windows
    richest in cues."""
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


def _best_sentence(doc: Doc, window: Span, cues: list[str]) -> Span:
    """The sentence of `window` that carries the signal's cues (else its longest)."""
    inside = [s for s in doc.prose if window.start <= s.start and s.end <= window.end]
    if not inside:
        return window
    cued = [s for s in inside if cues and matches(s.text, cues)]
    return (cued or sorted(inside, key=lambda s: -len(s.text)))[0]


def _scale(value: float, low: float, high: float) -> float:
    return float(min(1.0, max(0.0, (value - low) / (high - low))))


def _evidence(doc: Doc, spans: list[Span], limit: int = 2) -> list[Evidence]:
    out, seen = [], set()
    for span in spans:
        if span.start in seen or len(out) >= limit:
            continue
        seen.add(span.start)
        end = min(span.end, span.start + _EVIDENCE_CHARS)
        out.append(Evidence(text=doc.text[span.start : end], start=span.start, end=end))
    return out


class OfflineGrader:
    """Grades one text against one rubric, with no model beyond local embeddings."""

    name = "offline"

    def grade(
        self,
        text: str,
        rubric: PanelRubric | ArtifactRubric,
        *,
        target: str,
        kind: str,
        question: str | None = None,
    ) -> Grade:
        started = time.perf_counter()
        original = Doc(text)
        found = injection.detect(original)
        doc = Doc(injection.blank_out(text, found.spans)) if found.spans else original
        scored, features = self.score_signals(doc, rubric, target=target, question=question)
        key = _calibration_key(target, kind, rubric)
        overall = calibration.level_for(key, features)
        signals = []
        for s, spans in zip(rubric.signals, scored, strict=True):
            score = calibration.signal_score(key, features.signal_scores.get(s.id, 0.0))
            signals.append(
                SignalScore(
                    id=s.id,
                    name=s.name,
                    weight=s.weight,
                    score=score,
                    evidence=_evidence(original, spans),
                    feedback=feedback.signal_feedback(s, score),
                )
            )
        grade = Grade(
            target=target,  # type: ignore[arg-type]
            kind=kind,
            question=question,
            score=overall,
            level=level_name(overall, target),
            strength=round(calibration.strength(features), 4),
            signals=signals,
            problem=_problem_id(features.reading),
            hard_parts=_hard_parts(original, features.reading),
            pitfalls=feedback.pitfalls(rubric, signals, features),
            suggestions=feedback.suggestions(rubric, signals, features),
            sections=feedback.sections_to_study(rubric, signals),
            injection=bool(found.spans),
            injection_findings=_evidence(original, found.spans, limit=10),
            engine="offline",
            model="local:all-MiniLM-L6-v2",
            rubric=rubric.ref,
        )
        grade.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return grade

    def score_signals(
        self,
        doc: Doc,
        rubric: PanelRubric | ArtifactRubric,
        *,
        target: str,
        question: str | None,
    ) -> tuple[list[list[Span]], Features]:
        """Per-signal evidence spans and the answer-level features (values in `signal_scores`)."""
        # Comma lists of names are read as stuffing, never as evidence.
        listed = term_lists.detect(doc)
        if listed.spans:
            doc = Doc(injection.blank_out(doc.text, listed.spans))
        design = target == "grade" and rubric.id in mechanism_detector.DESIGN_PANELS
        problem = mechanism_detector.problem_for(question) if design else None
        cue_groups = [tuple(s.cues) for s in rubric.signals if s.cues]
        if problem:
            cue_groups += [p.cues for p in problem.hard_parts]
        wins = select_windows(windows(doc), cue_groups)
        if not wins:
            # Nothing left to read: off-topic, unless it was all lists of names.
            offtopic = 0.0 if listed.spans else 1.0
            empty = Features(0.0, offtopic, 0.0, 0.0, 0.0, 0, terms=listed.score)
            return [[] for _ in rubric.signals], empty
        # Off-topic is judged against the question; a critique has none to miss.
        texts = [" ".join(w.text.split()[:_ENCODE_WORDS]) for w in wins]
        matrix = _encode(texts + ([question] if question else []))
        answer = matrix[: len(wins)]
        probes = _probe_matrix(rubric.ref, tuple(_probes(s) for s in rubric.signals))
        results, raw, parts = [], {}, {}
        findings: dict[str, Finding] = {}
        for signal, probe in zip(rubric.signals, probes, strict=True):
            sims = answer @ probe.T
            best = float(sims.max())
            semantic = _scale(best, 0.12, 0.5)
            cue_hits = matches(doc.content_text, signal.cues) if signal.cues else []
            lexical = min(1.0, len(cue_hits) / 4.0)
            spans: list[Span] = []
            if signal.detectors:
                for name in signal.detectors:
                    if name not in findings:
                        findings[name] = SIGNAL_DETECTORS[name](doc)
                detected = float(np.mean([findings[n].score for n in signal.detectors]))
                found = [span for name in signal.detectors for span in findings[name].spans]
                # Quote first what the detectors found that also speaks to this signal.
                cued = [span for span in found if cue_hits and matches(span.text, cue_hits)]
                spans.extend(cued[:2] + found[:2])
            else:
                detected = None
            parts[signal.id] = (semantic, lexical, detected)
            value = calibration.blend(semantic, lexical, detected)
            if best > 0.3:
                spans.append(_best_sentence(doc, wins[int(sims.max(axis=1).argmax())], cue_hits))
            if cue_hits and not spans:
                spans.extend(sentences_with(doc, cue_hits[:3]))
            raw[signal.id] = value
            results.append(spans)
        relevance = float((answer @ matrix[-1]).max()) if question else 1.0
        # Mechanism soundness is judged on answers to design questions; an artifact may
        # name a rejected design on purpose (an ADR's alternatives).
        reading = mechanism_detector.detect(doc, problem) if design else None
        weights = np.array([s.weight for s in rubric.signals])
        values = np.array([raw[s.id] for s in rubric.signals])
        # Length counts against interview answers only: a complete artifact may be long.
        long_words = rambling.LONG_WORDS if target == "grade" else 10**6
        features = Features(
            coverage=float((weights * values).sum() / weights.sum()),
            offtopic=1.0 - _scale(relevance, 0.12, 0.32),
            rambling=rambling.detect(doc, long_words).score,
            hedging=rambling.hedging(doc).score,
            stuffing=stuffing.detect(doc).score,
            terms=listed.score,
            words=doc.word_count,
            signal_scores=raw,
            parts=parts,
            reading=reading,
        )
        return results, features


def _problem_id(reading: mechanism_detector.Reading | None) -> str | None:
    return reading.problem.id if reading and reading.problem else None


def _hard_parts(doc: Doc, reading: mechanism_detector.Reading | None) -> list[HardPartScore]:
    if reading is None:
        return []
    return [
        HardPartScore(
            id=p.part.id,
            name=p.part.name,
            score=int(round(4 * p.score)),
            evidence=_evidence(doc, p.spans),
            feedback="" if p.score >= 0.75 else f"Not yet solved: {p.part.description}",
        )
        for p in reading.parts
    ]


def _calibration_key(target: str, kind: str, rubric: PanelRubric | ArtifactRubric) -> str:
    return rubric.id if target == "grade" else kind


@lru_cache(maxsize=1)
def offline_grader() -> OfflineGrader:
    """The process-wide offline grader."""
    return OfflineGrader()
