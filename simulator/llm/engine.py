"""The LLM engine: any OpenAI-compatible endpoint, through the `openai` client.

One `LLMEngine` per settings. It renders a registry prompt, sends it (or replays
it from a fixture), validates structured replies into pydantic models with one
repair turn, streams free text, retries transient faults, and stamps every
result with a `Provenance`. Every live request is streamed with an idle timeout
(`transport`), and the structured-output format is negotiated per endpoint and
model (`negotiation`).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlparse

from pydantic import BaseModel, ValidationError

from simulator.config import Settings, get_settings
from simulator.errors import UserError
from simulator.llm import breaker, logprobs, negotiation
from simulator.llm.cache import FixtureStore, canonical_request, request_key
from simulator.llm.completion import Completion, Tally, TextStream, first_error, parse_structured
from simulator.llm.costs import encoding_for_model, estimate_cost
from simulator.llm.errors import LLMUnavailable, StructuredOutputError
from simulator.llm.prompts import Prompt, get_registry
from simulator.llm.provenance import Provenance, fallback_provenance
from simulator.llm.retry import RetryPolicy, is_unreachable
from simulator.llm.schemas import get_schema
from simulator.llm.transport import IdleTimeout, Reply, Transport

T = TypeVar("T")

#: Unset (the default), the format is negotiated (see `negotiation`); set to json_schema,
#: json_object or instructions, that one format is always sent.
RESPONSE_FORMAT_ENV = "STAFFSIM_LLM_RESPONSE_FORMAT"
#: `off` never asks for logprobs (llama-cpp-python sorts the whole vocabulary in Python
#: for every token it streams with them, ~0.2-0.5 s a token on this CPU); unset, a
#: checklist grade asks where the endpoint has not refused them.
LOGPROBS_ENV = "STAFFSIM_LLM_LOGPROBS"


class LLMEngine:
    """Talks to one OpenAI-compatible endpoint (or its recordings) for one model."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model: str | None = None,
        mode: str | None = None,
        retry: RetryPolicy | None = None,
        response_format: str | None = None,
    ):
        self.settings = settings or get_settings()
        self.model = model or self.settings.model
        if not self.model:
            raise UserError(
                "No LLM model is configured; set STAFFSIM_ENGINE=openai:<model> "
                "(or OPENAI_BASE_URL / OPENAI_API_KEY for the default model)."
            )
        self.mode = mode or self.settings.llm_mode
        self.base_url = self.settings.openai_base_url
        self.base_url_host = urlparse(self.base_url).netloc if self.base_url else "api.openai.com"
        self.endpoint = (self.base_url or "https://api.openai.com/v1").rstrip("/")
        self.retry = retry or RetryPolicy(retries=self.settings.llm_retries)
        #: A format forced by the caller or STAFFSIM_LLM_RESPONSE_FORMAT; None negotiates.
        self.forced_format = response_format or os.environ.get(RESPONSE_FORMAT_ENV) or None
        if self.forced_format not in (None, *negotiation.FORMATS):
            raise UserError(
                f"{RESPONSE_FORMAT_ENV} must be one of {', '.join(negotiation.FORMATS)} "
                "(or unset, to negotiate)."
            )
        self.fixtures = FixtureStore(self.settings.fixtures_dir)
        self._gate = threading.BoundedSemaphore(max(1, self.settings.llm_concurrency))
        self._transport: Transport | None = None
        self._transport_lock = threading.Lock()
        #: Added to every recording's `recorded_with` (e.g. the model's quantisation).
        self.recorded_with: dict[str, Any] = {}
        #: Called with the provenance of every structured call, valid or not (benchmarks).
        self.observers: list[Callable[[Provenance], None]] = []

    @property
    def response_format(self) -> str:
        """The structured-output format the next request uses."""
        if self.forced_format:
            return self.forced_format
        return negotiation.current(self.settings.home, self.endpoint, self.model)

    # --- public calls -----------------------------------------------------------------

    def structured(
        self,
        prompt_id: str,
        variables: dict[str, Any],
        schema_cls: type[BaseModel] | None = None,
        *,
        rubric_ref: str | None = None,
        label: str | None = None,
        response_schema: dict[str, Any] | None = None,
        with_logprobs: bool = False,
    ) -> tuple[BaseModel, Provenance]:
        """Render, send, validate into `schema_cls` (one repair turn); raise `StructuredOutputError`.

        `response_schema`, a narrower schema than `schema_cls`'s (say, one that lists every
        check id), goes in `response_format`, where a server that constrains decoding makes
        the model fill all of it; the prompt still shows `schema_cls`'s schema.
        `with_logprobs` asks for token log probabilities where the endpoint gives them
        (`Provenance.logprobs`).
        """
        if self.mode != "replay":
            self._check_breaker()  # before any rendering: a known-dead endpoint costs nothing
        prompt = get_registry().get(prompt_id, label or self.settings.prompt_label)
        if schema_cls is None:
            if not prompt.record.output_schema:
                raise UserError(f"Prompt {prompt.id} declares no output schema; use text().")
            schema_cls = get_schema(prompt.record.output_schema)
        schema = schema_cls.model_json_schema()
        rendered = prompt.render(**variables)
        tally = Tally()
        sent = response_schema or schema
        fmt, messages, first = self._negotiated(
            prompt, rendered, schema, schema_cls.__name__, sent, with_logprobs
        )
        tally.response_format = fmt
        tally.add(messages, first, self.model)
        try:
            parsed = parse_structured(first.text, schema_cls)
            return parsed, self._observe(self._stamp(prompt, tally, rubric_ref), True, True)
        except ValidationError as exc:
            error = first_error(exc)
        repair = (
            get_registry()
            .get("repair_json")
            .render(error=error, schema=json.dumps(schema, sort_keys=True))
        )
        retry_messages = messages + [{"role": "assistant", "content": first.text}] + repair
        second = self._complete(
            prompt, retry_messages, sent, schema_cls.__name__, fmt, first.asked_logprobs
        )
        tally.add(retry_messages, second, self.model)
        provenance = self._stamp(prompt, tally, rubric_ref)
        try:
            parsed = parse_structured(second.text, schema_cls)
            return parsed, self._observe(provenance, False, True)
        except ValidationError as exc:
            provenance = self._observe(provenance, False, False)
            raise StructuredOutputError(
                f"{self.model} returned output that does not fit {schema_cls.__name__} "
                f"even after one repair turn: {first_error(exc)}",
                raw=second.text,
                provenance=provenance,
            ) from exc

    def structured_or_fallback(
        self,
        prompt_id: str,
        variables: dict[str, Any],
        fallback: Callable[[], T],
        schema_cls: type[BaseModel] | None = None,
        *,
        rubric_ref: str | None = None,
        label: str | None = None,
        response_schema: dict[str, Any] | None = None,
        with_logprobs: bool = False,
    ) -> tuple[BaseModel | T, Provenance]:
        """`structured`, or `fallback()` (the offline engine) with `fallback: true` and why."""
        try:
            return self.structured(
                prompt_id,
                variables,
                schema_cls,
                rubric_ref=rubric_ref,
                label=label,
                response_schema=response_schema,
                with_logprobs=with_logprobs,
            )
        except StructuredOutputError as exc:
            reason = f"invalid structured output after repair: {exc}"
            return fallback(), fallback_provenance(reason, failed=exc.provenance, rubric=rubric_ref)
        except LLMUnavailable as exc:
            reason = (
                f"The model at {self.endpoint} is unreachable; graded offline."
                if exc.unreachable
                else f"endpoint unavailable: {exc}"
            )
            return fallback(), fallback_provenance(reason, rubric=rubric_ref)

    def text(
        self,
        prompt_id: str,
        variables: dict[str, Any],
        *,
        rubric_ref: str | None = None,
        label: str | None = None,
    ) -> tuple[str, Provenance]:
        """A plain-text reply, not streamed."""
        prompt = get_registry().get(prompt_id, label or self.settings.prompt_label)
        messages = prompt.render(**variables)
        done = self._complete(prompt, messages, None, None, None)
        tally = Tally()
        tally.add(messages, done, self.model)
        return done.text, self._stamp(prompt, tally, rubric_ref)

    def stream(
        self,
        prompt_id: str,
        variables: dict[str, Any],
        *,
        rubric_ref: str | None = None,
        label: str | None = None,
    ) -> TextStream:
        """Stream a plain-text reply chunk by chunk; `.provenance` is set at the end."""
        prompt = get_registry().get(prompt_id, label or self.settings.prompt_label)
        messages = prompt.render(**variables)
        request, key = self._request(prompt, messages, None, None)
        state = Completion(text="", key=key)

        def finish(text: str) -> Provenance:
            state.text = text
            tally = Tally()
            tally.add(messages, state, self.model)
            return self._stamp(prompt, tally, rubric_ref)

        return TextStream(self._stream_chunks(messages, request, key, state), finish)

    def run_batch(self, calls: list[Callable[[], T]], concurrency: int | None = None) -> list[T]:
        """Run zero-argument calls at most `concurrency` at a time; results in order."""
        limit = max(1, concurrency or self.settings.llm_concurrency)
        with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="staffsim-llm") as pool:
            futures = [pool.submit(call) for call in calls]
            return [f.result() for f in futures]

    # --- internals --------------------------------------------------------------------

    def _negotiated(
        self,
        prompt: Prompt,
        rendered: list[dict[str, str]],
        schema: dict[str, Any],
        schema_name: str,
        sent: dict[str, Any],
        with_logprobs: bool,
    ) -> tuple[str, list[dict[str, str]], Completion]:
        """The first reply, stepping down the formats on each refusal naming response_format
        (and dropping logprobs on a refusal naming them)."""
        fmt = None
        asked = (
            with_logprobs
            and os.environ.get(LOGPROBS_ENV, "").lower() != "off"
            and negotiation.logprobs_allowed(self.settings.home, self.endpoint, self.model)
        )
        if self.mode == "replay":  # whichever was recorded, with logprobs or without
            fmt, asked = self._replay_format(prompt, rendered, schema, sent, with_logprobs)
        fmt = fmt or self.response_format
        while True:
            messages = self._with_json_instructions(rendered, schema, fmt)
            try:
                done = self._complete(prompt, messages, sent, schema_name, fmt, asked)
                return fmt, messages, done
            except negotiation.LogprobsRefused as refused:
                negotiation.record_logprobs_refusal(
                    self.settings.home, self.endpoint, self.model, refused
                )
                asked = False
            except negotiation.FormatRefused as refused:
                following = None
                if not self.forced_format:
                    following = negotiation.record_refusal(
                        self.settings.home, self.endpoint, self.model, refused
                    )
                if following is None:
                    raise LLMUnavailable(
                        f"The model endpoint at {self.base_url_host} refused response_format "
                        f"{fmt} (HTTP {refused.status}: {refused.message}); unset "
                        f"{RESPONSE_FORMAT_ENV} to negotiate, or use STAFFSIM_ENGINE=offline."
                    ) from refused
                fmt = following

    def _replay_format(
        self,
        prompt: Prompt,
        rendered: list[dict[str, str]],
        schema: dict[str, Any],
        sent: dict[str, Any],
        asked: bool,
    ) -> tuple[str | None, bool]:
        """In replay, the format the recording was made with (json_schema first), and
        whether it asked for logprobs (recordings from before logprobs did not)."""
        formats = [self.forced_format] if self.forced_format else list(negotiation.FORMATS)
        for fmt in formats:
            messages = self._with_json_instructions(rendered, schema, fmt)
            for with_logprobs in (True, False) if asked else (False,):
                _, key = self._request(prompt, messages, sent, fmt, with_logprobs)
                if self.fixtures.path_for(self.model, key).exists():
                    return fmt, with_logprobs
        return self.forced_format or self.fixtures.usual_format(self.model), asked

    def _with_json_instructions(
        self, messages: list[dict[str, str]], schema: dict[str, Any], fmt: str
    ) -> list[dict[str, str]]:
        if fmt == "json_schema":
            return messages
        hint = get_registry().get("json_instructions").render(schema=json.dumps(schema))
        out = [dict(m) for m in messages]
        if out and out[0]["role"] == "system":
            out[0]["content"] += "\n\n" + hint[0]["content"]
        else:
            out.insert(0, hint[0])
        return out

    def _params(
        self, prompt: Prompt, schema: dict[str, Any] | None, fmt: str | None, with_logprobs: bool
    ) -> dict:
        params = prompt.record.params.model_dump(exclude_none=True)
        if schema is not None:
            params["response_format"] = fmt
        if with_logprobs:
            params.update(logprobs=True, top_logprobs=logprobs.TOP)
        return params

    def _request(
        self,
        prompt: Prompt,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        fmt: str | None,
        with_logprobs: bool = False,
    ) -> tuple[dict[str, Any], str]:
        request = canonical_request(
            model=self.model,
            params=self._params(prompt, schema, fmt, with_logprobs),
            messages=messages,
            response_schema=schema,
            prompt=prompt.ref,
        )
        return request, request_key(request)

    def _stamp(self, prompt: Prompt, tally: Tally, rubric_ref: str | None) -> Provenance:
        cost, note = estimate_cost(self.model, tally.tokens_in, tally.tokens_out)
        return Provenance(
            engine="openai",
            model=self.model,
            base_url_host=self.base_url_host,
            prompt=prompt.ref,
            rubric=rubric_ref,
            mode=self.mode,
            tokens_in=tally.tokens_in,
            tokens_out=tally.tokens_out,
            tokenizer=f"tiktoken:{encoding_for_model(self.model)}",
            cost_usd=round(cost, 8),
            cost_note=note,
            latency_ms=round(tally.latency_ms, 1),
            attempts=tally.attempts,
            cache_key=tally.key,
            served_by=tally.served_by,
            response_format=tally.response_format,
            first_token_ms=(
                round(tally.first_token_ms, 1) if tally.first_token_ms is not None else None
            ),
            logprobs=tally.logprobs,
        )

    def _observe(self, provenance: Provenance, valid_first: bool, valid: bool) -> Provenance:
        stamped = provenance.model_copy(update={"valid_first": valid_first, "valid": valid})
        for observer in self.observers:
            observer(stamped)
        return stamped

    def _client(self) -> Transport:
        """The HTTP transport, built on first use (the `openai` import is slow)."""
        with self._transport_lock:
            if self._transport is None:
                if not (self.settings.openai_api_key or self.base_url):
                    raise UserError(
                        "The LLM engine needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local "
                        "server); set one, or use STAFFSIM_ENGINE=offline."
                    )
                self._transport = Transport(
                    self.base_url, self.settings.openai_api_key, self.settings.llm_timeout
                )
            return self._transport

    def _response_format(
        self, schema: dict[str, Any] | None, name: str | None, fmt: str | None
    ) -> dict[str, Any] | None:
        if schema is None or fmt in (None, "instructions"):
            return None
        if fmt == "json_object":
            # `schema` is an extension some servers read (llama-cpp-python makes a grammar
            # of it); the others ignore it and read the schema in the system message.
            return {"type": "json_object", "schema": schema}
        return {
            "type": "json_schema",
            "json_schema": {"name": name or "Output", "schema": schema, "strict": False},
        }

    def _complete(
        self,
        prompt: Prompt,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        schema_name: str | None,
        fmt: str | None,
        with_logprobs: bool = False,
    ) -> Completion:
        """One request: from a fixture in replay, else over HTTP (recorded in record mode)."""
        request, key = self._request(prompt, messages, schema, fmt, with_logprobs)
        if self.mode == "replay":
            done = self._replay(request, key)
            done.asked_logprobs = with_logprobs
            return done
        state = Completion(text="", key=key, asked_logprobs=with_logprobs)
        for _ in self._live_chunks(
            messages, request, state, self._response_format(schema, schema_name, fmt), fmt
        ):
            pass
        return state

    def _replay(self, request: dict[str, Any], key: str) -> Completion:
        fixture = self.fixtures.load(request["model"], key)
        if fixture is None:
            raise self.fixtures.miss(request, key)
        return Completion(
            text=fixture.text,
            key=key,
            served_by=fixture.recorded_with.get("model"),
            usage=fixture.usage,
            logprobs=logprobs.load(fixture.logprobs),
        )

    def _record(self, request: dict[str, Any], key: str, done: Completion, reply: Reply) -> None:
        recorded_with = {
            "server": reply.server or self.base_url_host,
            "model": done.served_by or self.model,
            "base_url_host": self.base_url_host,
        }
        if reply.first_token_ms is not None:
            recorded_with["first_token_ms"] = round(reply.first_token_ms, 1)
            recorded_with["latency_ms"] = round(reply.latency_ms, 1)
        self.fixtures.save(
            request,
            key,
            done.text,
            usage={k: v for k, v in done.usage.items() if isinstance(v, int)},
            recorded_with={**recorded_with, **self.recorded_with},
            secrets=(self.settings.openai_api_key or "",),
            logprobs=logprobs.dump(done.logprobs) if done.logprobs is not None else None,
        )

    def _unreachable(self, how: str) -> LLMUnavailable:
        return LLMUnavailable(
            f"The model endpoint at {self.endpoint} {how}; check OPENAI_BASE_URL and that "
            "the server is running, or use STAFFSIM_ENGINE=offline.",
            unreachable=True,
        )

    def _check_breaker(self) -> None:
        """Fail at once while the endpoint is known to be unreachable (see `breaker`)."""
        if breaker.is_open(self.endpoint):
            raise self._unreachable(
                f"was unreachable less than {breaker.OPEN_SECONDS:.0f} s ago, so it was not tried"
            )

    def _transport_error(self, exc: BaseException) -> LLMUnavailable | None:
        """The one clear `LLMUnavailable` for a transport fault that survived the retries."""
        import openai

        if isinstance(exc, IdleTimeout):
            return LLMUnavailable(
                f"The model endpoint at {self.base_url_host} sent {exc}; the request was "
                "cancelled, not re-sent. Raise STAFFSIM_LLM_TIMEOUT for a slow (CPU) server, "
                "or use STAFFSIM_ENGINE=offline."
            )
        if isinstance(exc, openai.APIConnectionError) and is_unreachable(exc):
            breaker.trip(self.endpoint)
            return self._unreachable("is unreachable (no connection could be opened)")
        attempts = f"{self.retry.retries + 1} attempt(s) at most"
        if isinstance(exc, openai.APIStatusError):
            return LLMUnavailable(
                f"The model endpoint at {self.base_url_host} answered HTTP {exc.status_code} "
                f"({attempts}); check the model name, key and server, or use "
                "STAFFSIM_ENGINE=offline."
            )
        if isinstance(exc, openai.APIConnectionError):
            return LLMUnavailable(
                f"The model endpoint at {self.base_url_host} was unreachable ({attempts}); "
                "check OPENAI_BASE_URL, or use STAFFSIM_ENGINE=offline."
            )
        return None

    def _guard(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except Exception as exc:
            mapped = self._transport_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def _stream_chunks(
        self, messages: list[dict[str, str]], request: dict[str, Any], key: str, state: Completion
    ) -> Iterator[str]:
        if self.mode == "replay":
            done = self._replay(request, key)
            state.served_by = done.served_by
            yield from re.findall(r"\S+\s*|\s+", done.text)
            return
        yield from self._live_chunks(messages, request, state, None, None)

    def _live_chunks(
        self,
        messages: list[dict[str, str]],
        request: dict[str, Any],
        state: Completion,
        response_format: dict[str, Any] | None,
        fmt: str | None,
    ) -> Iterator[str]:
        """Stream one live request into `state`, holding the concurrency gate throughout.

        Opening the request is retried (429, 5xx, a dropped connection); once the server
        has started answering, a fault is final, and an idle timeout is never retried.
        """
        self._check_breaker()
        transport = self._client()

        def opened():
            state.attempts += 1
            try:
                return transport.open(self.model, messages, request["params"], response_format)
            except Exception as exc:
                if request["params"].get("logprobs"):
                    declined = negotiation.logprobs_refusal(exc)
                    if declined is not None:
                        raise declined from exc
                refused = negotiation.refusal(exc, fmt) if fmt else None
                if refused is not None:
                    raise refused from exc
                raise

        with self._gate:
            stream, reply = self._guard(lambda: self.retry.run(opened))
            try:
                yield from transport.chunks(stream, reply)
            except Exception as exc:
                mapped = self._transport_error(exc)
                if mapped is None:
                    raise
                raise mapped from exc
        state.text = reply.text
        state.latency_ms = reply.latency_ms
        state.first_token_ms = reply.first_token_ms
        state.served_by = reply.served_by
        state.usage = reply.usage
        state.logprobs = reply.logprobs
        if self.mode == "record":
            self._record(request, state.key, state, reply)


_ENGINES: dict[int, LLMEngine] = {}


def get_engine(settings: Settings | None = None) -> LLMEngine:
    """The engine for these settings (default: the process settings), built once."""
    settings = settings or get_settings()
    engine = _ENGINES.get(id(settings))
    if engine is None or engine.settings is not settings:
        engine = LLMEngine(settings)
        _ENGINES.clear()  # settings are replaced, not mutated: keep one engine
        _ENGINES[id(settings)] = engine
    return engine
