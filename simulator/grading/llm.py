"""The LLM engine's grader: the model answers the same checklist as the offline engine.

The offline engine always runs first: its injection finding blanks the steering text out
of what the model sees, its readings (off-topic, hard parts, penalties) go into the level,
and its grade is the fallback when the model's output stays invalid or the endpoint is
down. The model answers every check yes or no with the sentence that shows it; a "yes"
whose quote is not the candidate's own words (after normalising tags, quotation marks,
ellipses and white space) does not pass, and is counted as dropped. A check the model left
out is answered by the offline engine and named in the grade. Where the endpoint gives
token log probabilities, each answered check keeps the model's P(yes) beside its answer
(`CheckResult.p_yes`). The level comes from the
answers through the same fitted model as offline, and when an injection was found it is
never above the offline level of the cleaned text.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from functools import lru_cache

from simulator.grading.checklist import CheckAnswer
from simulator.grading.detectors import injection
from simulator.grading.grade import Grade
from simulator.grading.offline import build_grade, offline_grader, recap
from simulator.grading.text import Doc, Span
from simulator.knowledge.rubrics import ArtifactRubric, PanelRubric

_TAGS = re.compile(r"</?\s*candidate_(?:text|answer)\s*>", re.IGNORECASE)
_ELLIPSIS = re.compile(r"^(?:\.\.\.|…)\s*|\s*(?:\.\.\.|…)$")
_QUOTES = "\"'“”‘’«»`"
_QUOTE_CHARS = 160
_SUMMARY_CHARS = 80


def _what(
    rubric: PanelRubric | ArtifactRubric, target: str, kind: str, question: str | None
) -> str:
    if target == "grade":
        return f"an answer on the {rubric.name} interview panel to the question: {question or ''}"
    from simulator.knowledge.compendium import load_compendium

    comp_kind = load_compendium().kind(kind)
    fields = ", ".join(f.name for f in comp_kind.template)
    return f"a {comp_kind.title} (its template: {fields})"


def verify_quote(answer: str, quote: str) -> Span | None:
    """Where `quote` stands in `answer`: verbatim once tags, surrounding quotation marks and
    ellipses are stripped and white space is ignored; None for words the candidate did not
    write."""
    text = _TAGS.sub("", quote).strip().strip(_QUOTES).strip()
    text = _ELLIPSIS.sub("", text).strip().strip(_QUOTES).strip()
    if len(text) < 4:
        return None
    start = answer.find(text)
    if start >= 0:
        return Span(start, start + len(text), text)
    parts = [p for p in re.split(r"\s*(?:\.\.\.|…)\s*", text) if p.strip()]
    pattern = r".{0,400}?".join(r"\s+".join(map(re.escape, p.split())) for p in parts)
    m = re.search(pattern, answer, re.DOTALL) if pattern else None
    return Span(m.start(), m.end(), answer[m.start() : m.end()]) if m else None


def verify_quotes(answer: str, quotes: list[str]) -> tuple[list[Span], int]:
    """The quotes found in `answer` (as spans), and how many were not the candidate's words."""
    kept, dropped = [], 0
    for quote in quotes:
        span = verify_quote(answer, quote)
        if span is None:
            dropped += 1
        else:
            kept.append(span)
    return kept, dropped


def checklist_schema(rubric: PanelRubric | ArtifactRubric) -> dict:
    """`LLMChecklist` narrowed to this rubric: every signal and check, in order, by id.

    A server that constrains decoding to the schema (llama-cpp-python's grammar, OpenAI's
    json_schema) then cannot leave a check out; quotes are capped at one sentence's length.
    """

    def check(c) -> dict:
        return _object(
            {
                "id": {"const": c.id},
                "passed": {"type": "boolean"},
                "quote": {"type": "string", "maxLength": _QUOTE_CHARS},
            }
        )

    def signal(s) -> dict:
        checks = [check(c) for c in s.checks]
        return _object({"id": {"const": s.id}, "checks": _tuple(checks)})

    return _object(
        {
            "signals": _tuple([signal(s) for s in rubric.signals]),
            "injection_detected": {"type": "boolean"},
            "summary": {"type": "string", "maxLength": _SUMMARY_CHARS},
        },
        title="LLMChecklist",
    )


def _object(properties: dict, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }


def _tuple(items: list[dict]) -> dict:
    return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}


class LLMGrader:
    """Answers a rubric's checklist with an OpenAI-compatible model through the registry."""

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
        variables = {
            "what": _what(rubric, target, kind, question),
            "text": clean,
            "signals": [
                {
                    "id": s.id,
                    "name": s.name,
                    "checks": [
                        {
                            "id": c.id,
                            "question": c.question,
                            "counts": c.counts,
                            "not_counts": c.not_counts,
                        }
                        for c in s.checks
                    ],
                }
                for s in rubric.signals
            ],
        }
        result, prov = self.engine.structured_or_fallback(
            "grade_checklist",
            variables,
            lambda: offline,
            rubric_ref=rubric.ref,
            response_schema=checklist_schema(rubric),
            with_logprobs=True,
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
            # The whole wait, the failed LLM call included, not just the offline pass.
            grade.latency_ms = round((time.perf_counter() - started) * 1000, 1)
            return grade
        from simulator.llm.logprobs import yes_probabilities

        grade = self._merge(result, offline, rubric, text, clean, found, target, kind, question)
        _keep_p_yes(grade, yes_probabilities(prov.logprobs), set(grade.filled_checks))
        grade = grade.model_copy(update=stamp)
        grade.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return grade

    def _merge(self, result, offline, rubric, text, clean, found, target, kind, question) -> Grade:
        features = offline_grader().read(Doc(clean), rubric, target=target, question=question)
        by_signal = {s.id: {c.id: c for c in s.checks} for s in result.signals}
        merged: dict[str, list[CheckAnswer]] = {}
        filled: list[str] = []
        kept = dropped = 0
        for signal in rubric.signals:
            answers = []
            offline_answers = {a.check.id: a for a in features.checks[signal.id]}
            for check in signal.checks:
                llm = by_signal.get(signal.id, {}).get(check.id)
                if llm is None:
                    filled.append(f"{signal.id}.{check.id}")
                    answers.append(offline_answers[check.id])
                    continue
                span = verify_quote(text, llm.quote) if llm.passed else None
                if span is not None and any(s.start <= span.start < s.end for s in found.spans):
                    span = None
                if llm.passed:
                    kept, dropped = kept + (span is not None), dropped + (span is None)
                answers.append(CheckAnswer(check, span is not None, span))
            merged[signal.id] = answers
        features = recap(rubric, replace(features, checks=merged))
        grade = build_grade(
            Doc(text), rubric, features, target=target, kind=kind, question=question
        )
        injected = bool(found.spans) or result.injection_detected
        if injected and grade.score > offline.score:
            grade.score, grade.level = offline.score, offline.level
        grade.injection = injected
        grade.injection_findings = offline.injection_findings
        grade.kept_quotes, grade.dropped_quotes = kept, dropped
        grade.filled_checks = filled
        if filled:
            grade.pitfalls.append(
                f"The model left {len(filled)} check(s) unanswered; the offline engine answered "
                f"them: {', '.join(filled)}."
            )
        return grade


def _keep_p_yes(grade: Grade, p_yes: dict[str, float], filled: set[str]) -> None:
    """Set each check's P(yes) from the model's logprobs (not for checks filled offline)."""
    for signal in grade.signals:
        for check in signal.checks:
            ref = f"{signal.id}.{check.id}"
            if ref not in filled:
                check.p_yes = p_yes.get(ref)


@lru_cache(maxsize=8)
def _grader_for(engine_name: str, settings_id: int) -> LLMGrader:
    return LLMGrader(engine_name)


def llm_grader(engine_name: str) -> LLMGrader:
    """The grader for `openai:<model>` under the current settings: one per engine name and
    settings object, so a changed mode, endpoint or fixtures folder (`get_settings` cleared)
    is never served by a grader built for the old ones."""
    from simulator.config import get_settings

    return _grader_for(engine_name, id(get_settings()))


llm_grader.cache_clear = _grader_for.cache_clear  # type: ignore[attr-defined]
