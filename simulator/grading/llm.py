"""The LLM engine's grader: a registry prompt, the offline evidence, retrieved context.

The offline engine always runs first: its injection finding blanks the steering
text out of what the model sees, its evidence goes into the prompt as hints, and
its grade is the fallback when the model's output stays invalid or the endpoint is
down. Evidence quotes the model invents (not verbatim in the answer) are dropped and
counted. When an injection was found, the final score is never above the offline
score of the cleaned text, so steering cannot raise a grade on either engine.
"""

from __future__ import annotations

import time
from functools import lru_cache

from simulator.grading import feedback
from simulator.grading.detectors import injection
from simulator.grading.grade import Evidence, Grade, SignalScore, level_name
from simulator.grading.offline import offline_grader
from simulator.grading.text import Doc
from simulator.knowledge.rubrics import ArtifactRubric, PanelRubric

#: Names the prompt gives the 0-4 signal scores.
SIGNAL_LEVELS = ["absent", "weak", "partial", "solid", "exemplary"]


def _context(rubric: PanelRubric | ArtifactRubric) -> list[str]:
    """Compendium passages behind the rubric's signals, from the parsed compendium.

    Taken from the parse rather than the vector store so that the same answer always
    renders the same request (record/replay keys stay stable whatever is ingested).
    """
    from simulator.knowledge.compendium import load_compendium

    comp = load_compendium()
    kinds = list(dict.fromkeys(k for s in rubric.signals for k in s.sections))
    out = []
    for kind_id in kinds[:3]:
        kind = comp.kind(kind_id)
        fields = "; ".join(f.name for f in kind.template)
        out.append(f"[{kind.heading} > Template] {fields}. Pitfalls: {'; '.join(kind.pitfalls)}")
    return out


def _offline_hints(grade: Grade) -> list[str]:
    hints = [f"{s.id}: offline score {s.score}/4" for s in grade.signals]
    hints += [
        f"hard part of {grade.problem}: {p.name}, offline {p.score}/4" for p in grade.hard_parts
    ]
    hints += [p for p in grade.pitfalls if p.startswith(feedback.UNSOUND)]
    if grade.injection:
        hints.append("An attempt to steer the grader was found and removed from the answer.")
    return hints


def verify_quotes(answer: str, quotes: list[str]) -> tuple[list[Evidence], int]:
    """Keep quotes found verbatim in `answer` (with offsets); count the invented ones."""
    kept, dropped = [], 0
    for quote in quotes:
        text = quote.strip().strip('"“”')
        start = answer.find(text) if text else -1
        if start < 0:
            dropped += 1
            continue
        kept.append(Evidence(text=text, start=start, end=start + len(text)))
    return kept, dropped


class LLMGrader:
    """Grades with an OpenAI-compatible model through the prompt registry."""

    def __init__(self, engine_name: str) -> None:
        from simulator.config import get_settings
        from simulator.llm import get_engine

        settings = get_settings()
        if settings.engine_name != engine_name:
            settings = settings.model_copy(update={"engine": engine_name})
        self.engine = get_engine(settings)
        self.name = engine_name

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
        offline = offline_grader().grade(text, rubric, target=target, kind=kind, question=question)
        found = injection.detect(Doc(text))
        clean = injection.blank_out(text, found.spans) if found.spans else text
        signals = [
            {
                "id": s.id,
                "name": s.name,
                "description": s.description,
                "strong": s.strong,
                "weak": s.weak,
            }
            for s in rubric.signals
        ]
        if target == "grade":
            prompt_id = "grade_answer"
            variables = {
                "panel_name": rubric.name,
                "question": question or "",
                "signals": signals,
                "level_names": SIGNAL_LEVELS,
                "offline_evidence": _offline_hints(offline),
                "context": _context(rubric),
                "answer": clean,
            }
        else:
            from simulator.knowledge.compendium import load_compendium

            comp_kind = load_compendium().kind(kind)
            prompt_id = "critique_artifact"
            variables = {
                "kind_name": comp_kind.title,
                "template_fields": [f.name for f in comp_kind.template],
                "signals": signals,
                "pitfalls": [p.text for p in rubric.pitfalls],  # type: ignore[union-attr]
                "offline_evidence": _offline_hints(offline),
                "context": _context(rubric),
                "artifact": clean,
            }
        result, prov = self.engine.structured_or_fallback(
            prompt_id, variables, lambda: offline, rubric_ref=rubric.ref
        )
        stamp = {
            "engine": "openai" if not prov.fallback else "offline",
            "model": prov.model,
            "prompt": prov.prompt,
            "tokens": {"in": prov.tokens_in, "out": prov.tokens_out},
        }
        if result is offline:
            grade = offline.model_copy(update=stamp)
            grade.fallback = prov.fallback_reason or "fallback to the offline engine"
            return grade
        return self._merge(result, offline, rubric, text, found, target, stamp, started)

    def _merge(self, result, offline, rubric, text, found, target, stamp, started) -> Grade:
        by_id = {s.id: s for s in result.signals}
        scores, dropped_total = [], 0
        for signal, fallback in zip(rubric.signals, offline.signals, strict=True):
            llm = by_id.get(signal.id)
            if llm is None:
                scores.append(fallback)
                continue
            evidence, dropped = verify_quotes(text, llm.evidence)
            dropped_total += dropped
            evidence = [e for e in evidence if not _inside(e, found.spans)]
            scores.append(
                SignalScore(
                    id=signal.id,
                    name=signal.name,
                    weight=signal.weight,
                    score=max(0, min(4, llm.score)),
                    evidence=evidence,
                    feedback=llm.feedback,
                )
            )
        overall = max(1, min(5, result.overall))
        injected = bool(found.spans) or result.injection_detected
        if injected:
            overall = min(overall, offline.score)
        pitfalls = list(dict.fromkeys([*result.pitfalls, *offline.pitfalls]))
        return offline.model_copy(
            update={
                **stamp,
                "score": overall,
                "level": level_name(overall, target),
                "strength": round(
                    sum(s.weight * s.score for s in scores) / (4 * sum(s.weight for s in scores)), 4
                ),
                "signals": scores,
                "pitfalls": pitfalls,
                "suggestions": result.suggestions or offline.suggestions,
                "injection": injected,
                "dropped_quotes": dropped_total,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )


def _inside(evidence: Evidence, spans) -> bool:
    return any(s.start <= evidence.start < s.end for s in spans)


@lru_cache(maxsize=4)
def llm_grader(engine_name: str) -> LLMGrader:
    """The grader for `openai:<model>` (one per engine name per process)."""
    return LLMGrader(engine_name)
