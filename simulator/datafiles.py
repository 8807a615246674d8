"""YAML data files (rubrics, labeled sets, design problems) -> validated pydantic models.

A damaged file is one sentence naming the file and the first thing wrong with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from simulator.errors import UserError, first_error

M = TypeVar("M", bound=BaseModel)


def read_model(path: Path, model: type[M], error: type[UserError] = UserError) -> M:
    """`path` parsed as YAML and validated as `model`; failures raise `error`."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc})") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(first_error(path, exc)) from exc
