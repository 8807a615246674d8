"""Token counts (tiktoken, offline) and cost estimates from `prices.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from simulator.tokens import count_tokens, encoding_for_model

PRICES_PATH = Path(__file__).with_name("prices.yaml")

__all__ = ["Ledger", "Price", "count_tokens", "encoding_for_model", "estimate_cost", "prices"]


class Price(BaseModel):
    """USD per 1M tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class _PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: str
    models: dict[str, Price]


@lru_cache(maxsize=1)
def prices() -> dict[str, Price]:
    """The price table, keyed by model-name prefix."""
    data = yaml.safe_load(PRICES_PATH.read_text(encoding="utf-8"))
    return _PriceTable.model_validate(data).models


def estimate_cost(model: str | None, tokens_in: int, tokens_out: int) -> tuple[float, str | None]:
    """(USD, note): the note says why a cost is 0 when the model has no listed price."""
    name = (model or "").lower()
    matches = [prefix for prefix in prices() if name.startswith(prefix)]
    if not matches:
        return 0.0, f"no price listed for {model!r} (local or unknown model): counted as 0"
    price = prices()[max(matches, key=len)]
    return (tokens_in * price.input + tokens_out * price.output) / 1_000_000, None


def count_messages(messages: list[dict[str, str]], model: str | None) -> int:
    """Prompt tokens for chat messages: content plus OpenAI's ~4 tokens framing per message."""
    return sum(count_tokens(m["content"], model) + 4 for m in messages) + 2


@dataclass
class Ledger:
    """Running token and cost totals, e.g. for one interview session."""

    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    fallbacks: int = 0
    models: set[str] = field(default_factory=set)

    def add(self, provenance) -> None:
        """Add one result's provenance."""
        self.calls += 1
        self.tokens_in += provenance.tokens_in
        self.tokens_out += provenance.tokens_out
        self.cost_usd += provenance.cost_usd
        self.fallbacks += int(provenance.fallback)
        if provenance.model:
            self.models.add(provenance.model)

    def summary(self) -> dict:
        """A JSON-ready summary."""
        return {
            "calls": self.calls,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost_usd": round(self.cost_usd, 6),
            "fallbacks": self.fallbacks,
            "models": sorted(self.models),
        }
