"""The offline engine: every check of the rubric answered from the text, deterministically.

What runs by default, with no network. Injections and lists of bare names are blanked
first (they can never pass a check). Each signal's checks are answered on the text's
sentences (`grading.checklist`): a check passes at most once, on one sentence that names
its concept with the detail it asks for, and that sentence is the evidence. A signal
scores 0-4 from its weighted checks. The level is the weighted share of checks passed
(with the hard parts of a known design problem) read on cut points fitted on the
calibration split, bounded by the anchored caps: off-topic, an unsound mechanism, no
personal action, a blameful postmortem (`grading.calibration`).
"""

from __future__ import annotations

import re
import time
from functools import lru_cache

from simulator.grading import calibration, checklist, feedback, topic
from simulator.grading.detectors import injection, rambling, stuffing, term_lists
from simulator.grading.detectors import mechanism as mechanism_detector
from simulator.grading.features import CapHit, Features
from simulator.grading.grade import (
    CheckResult,
    Evidence,
    Grade,
    HardPartScore,
    SignalScore,
    level_name,
)
from simulator.grading.lexicon import lexicon
from simulator.grading.text import Doc, Span
from simulator.knowledge.rubrics import ArtifactRubric, PanelRubric
from simulator.phrases import contains_any

_EVIDENCE_CHARS = 240
#: The anchors' caps that are not a rubric's own: off-topic, and a design built on a
#: mechanism that cannot work at the stated scale, are at most 2 (No Hire).
OFFTOPIC_CAP = 2
UNSOUND_CAP = 2


def _evidence(doc: Doc, spans: list[Span], limit: int = 2) -> list[Evidence]:
    out, seen = [], set()
    for span in spans:
        if span.start in seen or len(out) >= limit:
            continue
        seen.add(span.start)
        out.append(_quote(doc, span))
    return out


def _quote(doc: Doc, span: Span) -> Evidence:
    end = min(span.end, span.start + _EVIDENCE_CHARS)
    return Evidence(text=doc.text[span.start : end], start=span.start, end=end)


class OfflineGrader:
    """Grades one text against one rubric's checklist, with no model beyond local embeddings."""

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
        features = self.read(doc, rubric, target=target, question=question)
        grade = build_grade(original, rubric, features, target=target, kind=kind, question=question)
        grade.injection = bool(found.spans)
        grade.injection_findings = _evidence(original, found.spans, limit=10)
        grade.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return grade

    def read(
        self,
        doc: Doc,
        rubric: PanelRubric | ArtifactRubric,
        *,
        target: str,
        question: str | None,
    ) -> Features:
        """Every check answered, and the answer-level readings the level needs."""
        # Comma lists of names are read as stuffing, never as evidence.
        listed = term_lists.detect(doc)
        if listed.spans:
            doc = Doc(injection.blank_out(doc.text, listed.spans))
        units = checklist.units(doc, labels=rubric.inline_labels)
        checks = {s.id: checklist.answer_signal(s, units) for s in rubric.signals}
        design = target == "grade" and rubric.id in mechanism_detector.DESIGN_PANELS
        problem = mechanism_detector.problem_for(question) if design else None
        # Mechanism soundness is judged on answers to design questions; an artifact may
        # name a rejected design on purpose (an ADR's alternatives).
        reading = mechanism_detector.detect(doc, problem) if design else None
        bank = list(getattr(rubric, "questions", []))
        read_topic = topic.read(doc, question, problem, bank, rubric.id) if units else topic.Topic()
        if question and not units and not listed.spans:
            read_topic = topic.Topic(True, asked=question, relevance=0.0)
        # Length counts against interview answers only: a complete artifact may be long.
        long_words = rambling.LONG_WORDS if target == "grade" else 10**6
        features = Features(
            checks=checks,
            weights={s.id: s.weight for s in rubric.signals},
            words=doc.word_count,
            rambling=rambling.detect(doc, long_words).score,
            hedging=rambling.hedging(doc).score,
            stuffing=stuffing.detect(doc).score,
            terms=listed.score,
            topic=read_topic,
            reading=reading,
        )
        features.padding = _padding(units, checks, reading)
        features.pitfalls = _pitfall_hits(rubric, units)
        for pitfall in rubric.pitfalls:
            if any(hit.id == pitfall.id for hit in features.pitfalls):
                features.signal_caps[pitfall.signal] = pitfall.at_most
        features.caps = _caps(rubric, features)
        return features


#: Issue and ticket references and links are pointers, not figures ("[#2739]: add tests").
_REFERENCES = re.compile(r"#\d+|\bhttps?://\S+|\b[A-Z][A-Z0-9]+-\d+\b")


def _padding(
    units: list[checklist.Unit],
    checks: dict[str, list[checklist.CheckAnswer]],
    reading: mechanism_detector.Reading | None,
) -> float:
    """The share of sentences that pass no check and solve no hard part yet carry figures
    or the generic words of a filled-in template: volume that reads as content."""
    if not units:
        return 0.0
    used = {a.span.start for answers in checks.values() for a in answers if a.span}
    if reading is not None:
        used |= {s.start for p in reading.parts if p.score >= 1.0 for s in p.spans}
    words = lexicon()["padding"]
    concepts = [a.check.terms[0] for answers in checks.values() for a in answers]

    def padding(unit: checklist.Unit) -> bool:
        if unit.span.start in used:
            return False
        if contains_any(unit.text, words["generic"]) or contains_any(
            unit.text, words["chronology"]
        ):
            return True
        # Figures that no check's concept goes with decide nothing (a timeline line's
        # timestamps go with the timeline checks, so they are not padding).
        figures = _REFERENCES.sub(" ", unit.text)
        return any(ch.isdigit() for ch in figures) and not any(
            contains_any(unit.text, group) for group in concepts
        )

    return sum(padding(u) for u in units) / len(units)


def build_grade(
    original: Doc,
    rubric: PanelRubric | ArtifactRubric,
    features: Features,
    *,
    target: str,
    kind: str,
    question: str | None,
) -> Grade:
    """The grade the checks answered in `features` add up to (either engine's answers)."""
    key = calibration_key(target, kind, rubric)
    overall = calibration.level_for(key, features)
    signals = [
        _signal_score(
            original, signal, features.checks[signal.id], features.signal_caps.get(signal.id)
        )
        for signal in rubric.signals
    ]
    return Grade(
        target=target,  # type: ignore[arg-type]
        kind=kind,
        question=question,
        score=overall,
        level=level_name(overall, target),
        strength=round(calibration.strength(features, key=key), 4),
        signals=signals,
        problem=_problem_id(features.reading),
        hard_parts=_hard_parts(original, features.reading),
        pitfalls=feedback.pitfalls(rubric, signals, features),
        suggestions=feedback.suggestions(rubric, signals, features),
        sections=feedback.sections_to_study(rubric, signals),
        offtopic=features.topic.offtopic,
        caps=[c.text for c in features.caps],
        engine="offline",
        model="offline-checklist",
        rubric=rubric.ref,
    )


def recap(rubric: PanelRubric | ArtifactRubric, features: Features) -> Features:
    """`features` with the caps worked out again (after another engine answered the checks)."""
    features.caps = _caps(rubric, features)
    return features


def _pitfall_hits(
    rubric: PanelRubric | ArtifactRubric, units: list[checklist.Unit]
) -> list[CapHit]:
    """Pitfalls with a check of their own, found on the sentence that passes it."""
    hits = []
    for pitfall in rubric.pitfalls:
        if pitfall.check is None:
            continue
        found = checklist.answer(pitfall.check, units)
        if found.passed:
            hits.append(CapHit(pitfall.id, pitfall.cap or 5, pitfall.text, found.span))
    return hits


def _caps(rubric: PanelRubric | ArtifactRubric, features: Features) -> list[CapHit]:
    """The anchored caps that apply to this reading."""
    hits: list[CapHit] = []
    if features.topic.offtopic:
        hits.append(CapHit("offtopic", OFFTOPIC_CAP, topic.pitfall(features.topic)))
    if features.reading is not None and features.reading.traps:
        trap, span = features.reading.traps[0]
        text = f"Unsound mechanism: {trap.name} (capped at {UNSOUND_CAP})."
        hits.append(CapHit("unsound_mechanism", UNSOUND_CAP, text, span))
    passed = {
        f"{sid}.{a.check.id}"
        for sid, answers in features.checks.items()
        for a in answers
        if a.passed
    }
    for cap in rubric.caps:
        if not passed & set(cap.unless):
            hits.append(CapHit(cap.id, cap.level, cap.text))
    hits.extend(hit for hit in features.pitfalls if hit.level < 5)
    return hits


def _signal_score(
    doc: Doc, signal, answers: list[checklist.CheckAnswer], cap: int | None = None
) -> SignalScore:
    score = checklist.score(answers) if cap is None else min(cap, checklist.score(answers))
    results = [
        CheckResult(
            id=a.check.id,
            question=a.check.question,
            passed=a.passed,
            evidence=_quote(doc, a.span) if a.span else None,
            why=a.why,
            near=_quote(doc, a.near) if a.near else None,
        )
        for a in answers
    ]
    return SignalScore(
        id=signal.id,
        name=signal.name,
        weight=signal.weight,
        score=score,
        evidence=_evidence(doc, [a.span for a in answers if a.span]),
        feedback=feedback.signal_feedback(signal, answers),
        checks=results,
    )


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


def calibration_key(target: str, kind: str, rubric: PanelRubric | ArtifactRubric) -> str:
    """Which cut points a grade reads: the panel's for answers, the kind's for artifacts."""
    return rubric.id if target == "grade" else kind


@lru_cache(maxsize=1)
def offline_grader() -> OfflineGrader:
    """The process-wide offline grader."""
    return OfflineGrader()
