"""The LLM layer: versioned prompts, an OpenAI-compatible engine, record/replay, provenance.

Quick use (graders, interviewer)::

    from simulator.llm import get_engine, StructuredOutputError, fallback_provenance

    engine = get_engine()  # from settings: STAFFSIM_ENGINE=openai:<model>, OPENAI_BASE_URL, ...
    grade, prov = engine.structured(
        "grade_answer",
        {"panel_name": ..., "question": ..., "signals": [...], "level_names": [...],
         "offline_evidence": ..., "context": ..., "answer": ...},
        rubric_ref="system-design@1",
    )  # -> (LLMGrade, Provenance); schema comes from the prompt's `output_schema`

    # or let the engine fall back to the offline engine on invalid output / dead endpoint:
    result, prov = engine.structured_or_fallback("grade_answer", variables, offline_grade_fn)
    # prov.fallback is True and prov.fallback_reason says why when the fallback ran.

    stream = engine.stream("interviewer_turn", {"panel_name": ..., "level": "staff",
                                                 "instruction": ..., "transcript": [...]})
    for chunk in stream: ...          # text chunks as they arrive
    stream.provenance                 # set once the stream is exhausted

    engine.run_batch([lambda: engine.structured(...), ...], concurrency=4)

Prompts: `get_registry().get("grade_answer")` (label from the call, else
STAFFSIM_PROMPT_LABEL, else production) or `"grade_answer@1"`; `Prompt.render(**vars)`
returns chat messages and fails on a missing or undeclared variable. Schemas:
`register_schema(name, model_cls)` / `get_schema(name)`. Modes (STAFFSIM_LLM_MODE):
live, record (writes evals/fixtures/<model>/<key>.json), replay (fixtures only; a miss
raises `FixtureMissing` with the key, nearest recording and a diff). Errors:
`StructuredOutputError` (invalid after one repair: fall back), `LLMUnavailable`
(a `UserError`: endpoint down after retries), `FixtureMissing` (a `UserError`).
Tokens: `count_tokens(text, model)` (tiktoken, offline); costs from `prices.yaml`;
`Ledger` sums provenances per session.
"""

from simulator.llm.completion import TextStream, parse_structured
from simulator.llm.costs import Ledger, count_tokens, estimate_cost
from simulator.llm.engine import LLMEngine, get_engine
from simulator.llm.errors import FixtureMissing, LLMUnavailable, StructuredOutputError
from simulator.llm.prompts import Prompt, PromptError, PromptRegistry, get_registry
from simulator.llm.provenance import Provenance, fallback_provenance
from simulator.llm.schemas import (
    LLMFollowUp,
    LLMGrade,
    LLMSignalScore,
    get_schema,
    register_schema,
)

__all__ = [
    "FixtureMissing",
    "LLMEngine",
    "LLMFollowUp",
    "LLMGrade",
    "LLMSignalScore",
    "LLMUnavailable",
    "Ledger",
    "Prompt",
    "PromptError",
    "PromptRegistry",
    "Provenance",
    "StructuredOutputError",
    "TextStream",
    "count_tokens",
    "estimate_cost",
    "fallback_provenance",
    "get_engine",
    "get_registry",
    "get_schema",
    "parse_structured",
    "register_schema",
]
