"""The detectors' word lists, loaded from `corpus/lexicons.yaml`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from simulator.config import CORPUS_DIR


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """The parsed lexicon file."""
    return yaml.safe_load((CORPUS_DIR / "lexicons.yaml").read_text(encoding="utf-8"))
