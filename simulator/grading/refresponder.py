"""The reference server's grader: the offline engine answering checklist prompts over HTTP.

The LLM path's replay fixtures are recorded from the StaffSim reference server
(`simulator.llm.refserver`) with this responder plugged in, so the full replay suite is
fast and complete. The recordings say so: their model is `MODEL`, the offline engine
behind an OpenAI-compatible endpoint. Recordings of a real language model live beside
them (see the README).
"""

from __future__ import annotations

import json
import re
from typing import Any

from simulator.grading.offline import offline_grader
from simulator.knowledge.rubrics import load_artifact_rubrics, load_panels

MODEL = "staffsim-offline-grader-1"

_TEXT = re.compile(r"<candidate_text>\n?(.*?)\n?\s*</candidate_text>", re.S)
_SIGNAL = re.compile(r"^\s*-\s*signal:\s*(\S+)", re.M)
_QUESTION = re.compile(r"to the question:\s*(.+)$", re.M)


def _rubric_for(ids: list[str]):
    wanted = set(ids)
    for target, rubrics in (("grade", load_panels()), ("critique", load_artifact_rubrics())):
        for rubric in rubrics.values():
            if {s.id for s in rubric.signals} == wanted:
                return target, rubric
    return None, None


def respond(body: dict[str, Any]) -> str:
    """An `LLMChecklist` JSON for checklist prompts; a short plain reply otherwise."""
    text = "\n".join(
        m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"
    )
    answer = _TEXT.search(text)
    target, rubric = _rubric_for(_SIGNAL.findall(text))
    if not answer or rubric is None:
        from simulator.llm.refserver import neutral_responder

        return neutral_responder(body)
    question = _QUESTION.search(text)
    grade = offline_grader().grade(
        answer.group(1),
        rubric,
        target=target,
        kind=rubric.id,
        question=question.group(1).strip() if question and target == "grade" else None,
    )
    return json.dumps(
        {
            "signals": [
                {
                    "id": s.id,
                    "checks": [
                        {
                            "id": c.id,
                            "passed": c.passed,
                            "quote": c.evidence.text if c.evidence else "",
                        }
                        for c in s.checks
                    ],
                }
                for s in grade.signals
            ],
            "injection_detected": grade.injection,
            "summary": f"{sum(c.passed for s in grade.signals for c in s.checks)} checks pass.",
        }
    )
