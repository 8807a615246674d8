"""Graders: the `Grade`, the offline engine (detectors + local embeddings) and the LLM engine."""

from simulator.grading.grade import (
    ARTIFACT_LEVELS,
    INTERVIEW_LEVELS,
    Citation,
    Evidence,
    Grade,
    SignalScore,
    level_name,
)
from simulator.grading.graders import critique, grade_answer, split_question

__all__ = [
    "ARTIFACT_LEVELS",
    "INTERVIEW_LEVELS",
    "Citation",
    "Evidence",
    "Grade",
    "SignalScore",
    "critique",
    "grade_answer",
    "level_name",
    "split_question",
]
