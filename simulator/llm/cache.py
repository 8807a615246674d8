"""Record/replay: responses filed under the sha256 of the canonical request.

The key covers what decides the answer (model, parameters, messages, response
schema, prompt id@version@sha256) and nothing that does not (API keys, base URL,
timeouts, retry settings). Fixtures are readable JSON at
`<fixtures_dir>/<model>/<key>.json`, scrubbed of anything that looks like a secret.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.llm.errors import FixtureMissing
from simulator.llm.prompts import canonical_json

_SECRET_KEYS = {"authorization", "api_key", "api-key", "x-api-key", "openai_api_key", "cookie"}
_SECRET_TEXT = re.compile(r"(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+[A-Za-z0-9_\-.=]+)")
SCRUBBED = "[scrubbed]"


def canonical_request(
    *,
    model: str,
    params: dict[str, Any],
    messages: list[dict[str, str]],
    response_schema: dict[str, Any] | None,
    prompt: str | None,
) -> dict[str, Any]:
    """The request as the cache sees it; everything here goes into the key."""
    return {
        "model": model,
        "params": {k: v for k, v in sorted(params.items()) if v is not None},
        "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
        "response_schema": response_schema,
        "prompt": prompt,
    }


def request_key(request: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a canonical request."""
    return hashlib.sha256(canonical_json(request).encode()).hexdigest()


def scrub(obj: Any, secrets: tuple[str, ...] = ()) -> Any:
    """A copy with secret-looking keys dropped and secret-looking strings masked."""
    if isinstance(obj, dict):
        return {k: scrub(v, secrets) for k, v in obj.items() if k.lower() not in _SECRET_KEYS}
    if isinstance(obj, list):
        return [scrub(v, secrets) for v in obj]
    if isinstance(obj, str):
        for secret in secrets:
            if secret and len(secret) >= 6:
                obj = obj.replace(secret, SCRUBBED)
        return _SECRET_TEXT.sub(SCRUBBED, obj)
    return obj


def _folder(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model) or "_"


@dataclass
class Fixture:
    """One recorded response."""

    key: str
    request: dict[str, Any]
    text: str
    usage: dict[str, Any]
    recorded_with: dict[str, Any]
    path: Path
    #: `logprobs.dump` rows, for a request that asked for them (None otherwise).
    logprobs: list[list[Any]] | None = None


def _diffable(request: dict[str, Any]) -> list[str]:
    """A request as lines, message bodies split so a diff points at the changed line."""
    lines = [
        f"model: {request.get('model')}",
        f"params: {canonical_json(request.get('params', {}))}",
        f"prompt: {request.get('prompt')}",
        f"response_schema: {canonical_json(request.get('response_schema'))}",
    ]
    for i, message in enumerate(request.get("messages", [])):
        lines.append(f"--- message {i} ({message.get('role')}) ---")
        lines.extend(str(message.get("content", "")).splitlines())
    return lines


class FixtureStore:
    """Reads and writes fixtures under one directory."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, model: str, key: str) -> Path:
        return self.root / _folder(model) / f"{key}.json"

    def load(self, model: str, key: str) -> Fixture | None:
        """The fixture for a key, or None."""
        path = self.path_for(model, key)
        if not path.exists():
            return None
        return self._read(path)

    def _read(self, path: Path) -> Fixture:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Fixture(
            key=data["key"],
            request=data["request"],
            text=data["response"]["text"],
            usage=data["response"].get("usage") or {},
            recorded_with=data.get("recorded_with") or {},
            path=path,
            logprobs=data["response"].get("logprobs"),
        )

    def save(
        self,
        request: dict[str, Any],
        key: str,
        text: str,
        *,
        usage: dict[str, Any] | None,
        recorded_with: dict[str, Any],
        secrets: tuple[str, ...] = (),
        logprobs: list[list[Any]] | None = None,
    ) -> Path:
        """Write one fixture, scrubbed; returns its path."""
        recorded_with = {"date": datetime.now(UTC).isoformat(timespec="seconds"), **recorded_with}
        body = {
            "key": key,
            "request": request,
            "response": {"text": text, "usage": usage or {}},
            "recorded_with": recorded_with,
        }
        if logprobs is not None:
            body["response"]["logprobs"] = logprobs
        path = self.path_for(request["model"], key)
        path.parent.mkdir(parents=True, exist_ok=True)
        clean = scrub(body, secrets)
        path.write_text(json.dumps(clean, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def usual_format(self, model: str) -> str | None:
        """The response format most of this model's recordings were made with, or None."""
        counts: dict[str, int] = {}
        for path in (self.root / _folder(model)).glob("*.json"):
            try:
                params = json.loads(path.read_text(encoding="utf-8"))["request"]["params"]
            except (OSError, ValueError, KeyError):
                continue
            fmt = params.get("response_format")
            if fmt:
                counts[fmt] = counts.get(fmt, 0) + 1
        return max(counts, key=counts.get) if counts else None

    def all(self) -> list[Fixture]:
        """Every fixture on disk."""
        return [self._read(p) for p in sorted(self.root.glob("*/*.json"))]

    def miss(self, request: dict[str, Any], key: str) -> FixtureMissing:
        """The error for a replay miss: the key, the closest recording, and a diff."""
        wanted = _diffable(request)
        wanted_text = "\n".join(wanted)
        best: tuple[float, Fixture] | None = None
        for fixture in self.all():
            matcher = difflib.SequenceMatcher(
                None, "\n".join(_diffable(fixture.request)), wanted_text
            )
            if best is not None and matcher.quick_ratio() <= best[0]:
                continue
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, fixture)
        head = (
            f"No recorded response for this request in replay mode (key {key}, "
            f"model {request['model']}, prompt {request.get('prompt')}); record it with "
            f"STAFFSIM_LLM_MODE=record against a live endpoint, or fix what changed."
        )
        if best is None:
            return FixtureMissing(f"{head}\nNo fixtures at all under {self.root}.", key=key)
        ratio, nearest = best
        diff = "\n".join(
            difflib.unified_diff(
                _diffable(nearest.request),
                wanted,
                fromfile=f"recorded {nearest.key[:12]}",
                tofile=f"requested {key[:12]}",
                lineterm="",
                n=1,
            )
        )
        return FixtureMissing(
            f"{head}\nClosest recording ({ratio:.1%} similar): {nearest.path}\n{diff}",
            key=key,
            nearest=str(nearest.path),
            diff=diff,
        )
