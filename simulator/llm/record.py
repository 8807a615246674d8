"""Record fixtures against the reference server: `python -m simulator.llm.record`.

Starts the StaffSim reference server on 127.0.0.1, runs each call of a calls file
(YAML list of `{prompt, variables, label?}`) in record mode, and stops the server.
The fixtures say what produced them (`recorded_with.server` / `.model`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from simulator.config import EVALS_DIR, Settings
from simulator.llm.refserver import RefServer, Responder

DEFAULT_CALLS = EVALS_DIR / "fixtures" / "calls.yaml"


class Call(BaseModel):
    """One call to record."""

    model_config = ConfigDict(extra="forbid")

    prompt: str
    variables: dict[str, Any]
    label: str | None = None


def load_calls(path: Path) -> list[Call]:
    """The calls listed in a YAML file."""
    return [Call.model_validate(c) for c in yaml.safe_load(path.read_text(encoding="utf-8"))]


def record_calls(
    calls: list[Call],
    out: Path,
    *,
    responder: Responder | None = None,
    served_model: str | None = None,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Run `calls` in record mode against a fresh reference server; one summary per call."""
    from simulator.llm.engine import LLMEngine
    from simulator.llm.prompts import get_registry

    with RefServer() as server:
        if responder is not None:
            server.set_responder(responder, served_model or "custom")
        settings = Settings(
            engine=f"openai:{model or server.model}",
            openai_base_url=server.base_url,
            openai_api_key=None,
            llm_mode="record",
            fixtures_dir=out,
        )
        engine = LLMEngine(settings)
        done = []
        for call in calls:
            prompt = get_registry().get(call.prompt, call.label)
            if prompt.record.output_schema:
                result, prov = engine.structured(call.prompt, call.variables, label=call.label)
                shown: Any = result.model_dump() if isinstance(result, BaseModel) else result
            else:
                stream = engine.stream(call.prompt, call.variables, label=call.label)
                shown = "".join(stream)
                prov = stream.provenance
            done.append({"prompt": prov.prompt, "key": prov.cache_key, "result": shown})
        return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EVALS_DIR / "fixtures")
    parser.add_argument("--calls", type=Path, default=DEFAULT_CALLS)
    parser.add_argument("--model", default=None, help="model name to request (default: server's)")
    args = parser.parse_args(argv)
    for row in record_calls(load_calls(args.calls), args.out, model=args.model):
        print(json.dumps({"prompt": row["prompt"], "key": row["key"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
