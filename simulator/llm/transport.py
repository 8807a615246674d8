"""One chat request over HTTP, always streamed, with an idle timeout instead of a total one.

A CPU server takes minutes for a grade but never goes quiet for long once it has started,
so the limit is on silence: `idle_timeout` seconds with no byte (before the first token
that covers the prompt's processing, since most servers send nothing until then). When
it fires, the stream is closed, which makes streaming servers (llama-cpp-python, vLLM,
Ollama) stop generating; the request is never re-sent behind the server's back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from simulator.llm.logprobs import TokenLogprob, from_stream

#: Seconds to wait for a connection: an endpoint that takes longer is treated as unreachable.
CONNECT_TIMEOUT = 3.0


class IdleTimeout(Exception):
    """No token arrived for `seconds`; the stream was closed (the server's work cancelled)."""

    def __init__(self, seconds: float, received: int):
        where = "before the first token" if not received else f"after {received} chunk(s)"
        super().__init__(f"no token for {seconds:g} s {where}")
        self.seconds = seconds
        self.received = received


@dataclass
class Reply:
    """What one streamed request produced, filled in as the chunks arrive."""

    text: str = ""
    chunks: int = 0
    served_by: str | None = None
    server: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    first_token_ms: float | None = None
    latency_ms: float = 0.0
    finish_reason: str | None = None
    started: float = 0.0  # perf_counter() when the request was sent
    #: The tokens with their log probabilities, when they were asked for and sent.
    logprobs: list[TokenLogprob] | None = None


class Transport:
    """An OpenAI-compatible chat endpoint reached through the `openai` client (no retries)."""

    def __init__(self, base_url: str | None, api_key: str | None, idle_timeout: float):
        import httpx
        import openai

        self.idle_timeout = idle_timeout
        self.client = openai.OpenAI(
            base_url=base_url,
            # Local servers ignore the key but the client insists on one.
            api_key=api_key or "not-needed",
            timeout=httpx.Timeout(idle_timeout, connect=min(idle_timeout, CONNECT_TIMEOUT)),
            max_retries=0,
        )

    def open(
        self,
        model: str,
        messages: list[dict[str, str]],
        params: dict[str, Any],
        response_format: dict[str, Any] | None,
    ) -> tuple[Any, Reply]:
        """Send the request and wait for the response to start; raises the client's errors."""
        import httpx
        import openai

        body: dict[str, Any] = {k: params[k] for k in _SENT if k in params}
        if response_format is not None:
            body["response_format"] = response_format
        started = time.perf_counter()
        try:
            raw = self.client.chat.completions.with_raw_response.create(
                model=model,
                messages=messages,
                stream=True,
                # The server's token counts in a last chunk (OpenAI, vLLM, Ollama; others
                # ignore it, and tiktoken estimates the counts).
                stream_options={"include_usage": True},
                **body,
            )
        except (openai.APITimeoutError, httpx.ReadTimeout) as exc:
            raise IdleTimeout(self.idle_timeout, 0) from exc
        return raw.parse(), Reply(server=raw.headers.get("server"), started=started)

    def chunks(self, stream: Any, reply: Reply) -> Iterator[str]:
        """The text pieces of an opened stream; `reply` is complete when this ends."""
        import httpx
        import openai

        started = reply.started
        parts: list[str] = []
        try:
            for chunk in stream:
                reply.served_by = chunk.model or reply.served_by
                if chunk.usage is not None:
                    reply.usage = chunk.usage.model_dump(exclude_none=True)
                for choice in chunk.choices[:1]:
                    reply.finish_reason = choice.finish_reason or reply.finish_reason
                    if choice.logprobs is not None and choice.logprobs.content:
                        reply.logprobs = reply.logprobs or []
                        reply.logprobs.extend(from_stream(choice.logprobs.content))
                    piece = choice.delta.content if choice.delta else None
                    if piece:
                        if reply.first_token_ms is None:
                            reply.first_token_ms = (time.perf_counter() - started) * 1000
                        reply.chunks += 1
                        parts.append(piece)
                        yield piece
        except (openai.APITimeoutError, httpx.ReadTimeout) as exc:
            raise IdleTimeout(self.idle_timeout, reply.chunks) from exc
        finally:
            stream.close()  # on a timeout or an abandoned iterator: the server stops too
            reply.text = "".join(parts)
            reply.latency_ms = (time.perf_counter() - started) * 1000


#: Request parameters (a prompt file's, and the engine's logprobs) sent as they are.
_SENT = ("temperature", "max_tokens", "top_p", "seed", "logprobs", "top_logprobs")
