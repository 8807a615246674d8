"""The reference server's grader: the offline engine answering grading prompts over HTTP.

No hosted model is reachable from the machines this project is built on, so the
LLM path's fixtures are recorded from the StaffSim reference server
(`simulator.llm.refserver`) with this responder plugged in. The recordings say so:
their model is `MODEL`, the offline engine behind an OpenAI-compatible endpoint.
"""

from __future__ import annotations

import json
import re
from typing import Any

from simulator.grading.offline import offline_grader
from simulator.knowledge.rubrics import load_artifact_rubrics, load_panels

MODEL = "staffsim-offline-grader-1"

_ANSWER = re.compile(r"<candidate_answer>\n?(.*?)\n?\s*</candidate_answer>", re.S)
_SIGNAL_ID = re.compile(r"^\s*-\s*id:\s*(\S+)\s*$", re.M)
_QUESTION = re.compile(r"^\s*Question:\s*(.+)$", re.M)


def _rubric_for(ids: list[str]):
    wanted = set(ids)
    for target, rubrics in (("grade", load_panels()), ("critique", load_artifact_rubrics())):
        for rubric in rubrics.values():
            if {s.id for s in rubric.signals} == wanted:
                return target, rubric
    return None, None


def respond(body: dict[str, Any]) -> str:
    """An `LLMGrade` JSON for grading prompts; a short plain reply otherwise."""
    text = "\n".join(
        m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"
    )
    answer = _ANSWER.search(text)
    target, rubric = _rubric_for(_SIGNAL_ID.findall(text))
    if not answer or rubric is None:
        from simulator.llm.refserver import neutral_responder

        return neutral_responder(body)
    question = _QUESTION.search(text)
    kind = rubric.id
    grade = offline_grader().grade(
        answer.group(1),
        rubric,
        target=target,
        kind=kind,
        question=question.group(1).strip() if question and target == "grade" else None,
    )
    return json.dumps(
        {
            "signals": [
                {
                    "id": s.id,
                    "score": s.score,
                    "evidence": [e.text for e in s.evidence],
                    "feedback": s.feedback,
                }
                for s in grade.signals
            ],
            "overall": grade.score,
            "pitfalls": grade.pitfalls,
            "suggestions": grade.suggestions,
            "injection_detected": grade.injection,
        }
    )
