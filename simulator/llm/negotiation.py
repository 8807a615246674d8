"""Which structured-output format an endpoint accepts, found on its first refusal.

Servers differ: OpenAI and vLLM take `response_format: json_schema`; llama-cpp-python
takes only `text` or `json_object` (answering HTTP 500 to `json_schema`); some take
neither. The engine starts at `json_schema` and steps down on the first refusal that
names `response_format`: `json_object` (the schema rides in the system message, and in
`response_format.schema`, which llama-cpp-python turns into a grammar), then
`instructions` (no `response_format` at all, the schema in the prompt). What an
endpoint and model settled on is remembered in the process and in
`$STAFFSIM_HOME/llm/formats.json`, so the next run starts where the last one ended and
`staffsim doctor` can say which format is in use. Token log probabilities (`logprobs`)
are settled the same way: asked for where a caller wants them, and dropped for an
endpoint and model once it refuses them.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: Tried in this order; each is a fallback for the one before it.
FORMATS = ("json_schema", "json_object", "instructions")

_lock = threading.Lock()
_memory: dict[tuple[str, str, str], dict[str, Any]] = {}


class FormatRefused(Exception):
    """The endpoint refused the request because of its `response_format`."""

    def __init__(self, response_format: str, status: int, message: str):
        super().__init__(f"HTTP {status} to response_format {response_format}: {message}")
        self.response_format = response_format
        self.status = status
        self.message = message


def refusal(exc: BaseException, response_format: str) -> FormatRefused | None:
    """A `FormatRefused` when `exc` is a 4xx/5xx whose error names `response_format`."""
    import openai

    if response_format == "instructions" or not isinstance(exc, openai.APIStatusError):
        return None
    if exc.status_code < 400:
        return None
    text = f"{exc.message} {exc.body!r}"
    try:
        text += " " + exc.response.text
    except Exception:  # noqa: BLE001 - a streamed body may be closed already
        pass
    if "response_format" not in text and response_format not in text:
        return None
    return FormatRefused(response_format, exc.status_code, " ".join(str(exc.message).split())[:300])


class LogprobsRefused(Exception):
    """The endpoint refused the request because it asked for `logprobs`."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status} to logprobs: {message}")
        self.status = status
        self.message = message


def logprobs_refusal(exc: BaseException) -> LogprobsRefused | None:
    """A `LogprobsRefused` when `exc` is a 4xx/5xx whose error names `logprobs`.

    llama-cpp-python built without `logits_all` answers HTTP 500 "logprobs is not
    supported for models created with logits_all=False"; OpenAI's reasoning models a 400.
    """
    import openai

    if not isinstance(exc, openai.APIStatusError) or exc.status_code < 400:
        return None
    if "logprobs" not in f"{exc.message} {exc.body!r}":
        return None
    return LogprobsRefused(exc.status_code, " ".join(str(exc.message).split())[:300])


def next_format(response_format: str) -> str | None:
    """The format to try after `response_format` was refused, or None after the last."""
    at = FORMATS.index(response_format)
    return FORMATS[at + 1] if at + 1 < len(FORMATS) else None


def _path(home: Path) -> Path:
    return home / "llm" / "formats.json"


def _key(endpoint: str, model: str) -> str:
    return f"{endpoint} {model}"


def _read(home: Path) -> dict[str, Any]:
    try:
        return json.loads(_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remembered(home: Path, endpoint: str, model: str) -> dict[str, Any] | None:
    """What was settled for this endpoint and model: {format, refused: {format: why}, when}."""
    with _lock:
        found = _memory.get((str(home), endpoint, model))
        if found is None:
            found = _read(home).get(_key(endpoint, model))
            if found is not None:
                _memory[(str(home), endpoint, model)] = found
        return found


def current(home: Path, endpoint: str, model: str) -> str:
    """The format to send to this endpoint and model (json_schema until one is refused)."""
    found = remembered(home, endpoint, model)
    return found["format"] if found and found.get("format") in FORMATS else FORMATS[0]


def record_refusal(home: Path, endpoint: str, model: str, refused: FormatRefused) -> str | None:
    """Remember that `refused.response_format` failed; the format to try next (or None)."""
    following = next_format(refused.response_format)

    def update(entry: dict[str, Any]) -> None:
        reasons = dict(entry.get("refused") or {})
        reasons[refused.response_format] = f"HTTP {refused.status}: {refused.message}"
        entry.update(format=following or refused.response_format, refused=reasons)

    _update(home, endpoint, model, update)
    return following


def logprobs_allowed(home: Path, endpoint: str, model: str) -> bool:
    """Whether to ask this endpoint and model for logprobs (until it has refused them)."""
    found = remembered(home, endpoint, model)
    return not (found and found.get("logprobs_refused"))


def record_logprobs_refusal(
    home: Path, endpoint: str, model: str, refused: LogprobsRefused
) -> None:
    """Remember that this endpoint and model refused logprobs; they are not asked again."""

    def update(entry: dict[str, Any]) -> None:
        entry.setdefault("format", FORMATS[0])
        entry.setdefault("refused", {})
        entry["logprobs_refused"] = f"HTTP {refused.status}: {refused.message}"

    _update(home, endpoint, model, update)


def _update(home: Path, endpoint: str, model: str, change) -> None:
    """Apply `change` to this endpoint's entry, in the process and in formats.json."""
    with _lock:
        entry = dict(_memory.get((str(home), endpoint, model)) or {})
        change(entry)
        entry["when"] = datetime.now(UTC).isoformat(timespec="seconds")
        _memory[(str(home), endpoint, model)] = entry
        path = _path(home)
        try:
            data = _read(home)
            data[_key(endpoint, model)] = entry
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # remembering is an optimisation; the process memory still holds it


def describe(home: Path, endpoint: str, model: str) -> str:
    """One line for `staffsim doctor`: the format in use and what was refused."""
    found = remembered(home, endpoint, model)
    if not found:
        return f"{FORMATS[0]} (nothing refused yet)"
    refused = [f"{fmt} refused ({why})" for fmt, why in found["refused"].items()]
    if found.get("logprobs_refused"):
        refused.append(f"logprobs refused ({found['logprobs_refused']})")
    return f"{found['format']} ({'; '.join(refused) or 'nothing refused'}; settled {found['when']})"


def forget() -> None:
    """Drop the process memory (tests; the file under STAFFSIM_HOME stays)."""
    with _lock:
        _memory.clear()
