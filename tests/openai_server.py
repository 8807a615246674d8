"""A small OpenAI-compatible HTTP server for tests, with scripted faults and a request log.

Each POST /v1/chat/completions takes the next scripted `Reply` (or the default one):
a JSON completion, an SSE stream, an HTTP error status, or a hang past the client's
timeout. Every request is logged with its headers and body; the server also counts
the most requests it held in flight at once.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "fake-model-1"


@dataclass
class Reply:
    """One scripted answer."""

    content: str = "ok"
    status: int = 200
    chunks: list[str] | None = None  # served as SSE when the client asks to stream
    hang: float = 0.0  # seconds to sleep before answering
    delay: float = 0.0  # seconds to hold the request (for in-flight counting)
    headers: dict[str, str] = field(default_factory=dict)
    usage: dict[str, int] | None = None
    chunk_delay: float = 0.0  # seconds between SSE chunks (a slow CPU server)
    error: str | None = None  # the error message of a non-200 reply
    #: Per chunk, the `choices[0].logprobs.content` list sent with it (when streamed).
    logprobs: list[list[dict[str, Any]]] | None = None


class FakeOpenAI:
    """The server's state: the script, the log, the in-flight counter."""

    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.default = Reply()
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def push(self, *replies: Reply) -> None:
        """Queue replies, served in order before the default."""
        self.script.extend(replies)

    def chat_requests(self) -> list[dict[str, Any]]:
        """Logged chat-completion requests, oldest first."""
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def start(self) -> FakeOpenAI:
        """Serve on 127.0.0.1 and a free port, in a daemon thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _next(self) -> Reply:
        with self._lock:
            return self.script.popleft() if self.script else self.default


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    usage = reply.usage or {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", MODEL),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
    }


def _chunk(
    body: dict[str, Any],
    delta: dict[str, Any],
    finish: str | None,
    logprobs: list[dict[str, Any]] | None = None,
) -> bytes:
    choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
    if logprobs is not None:
        choice["logprobs"] = {"content": logprobs, "refusal": None}
    payload = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", MODEL),
        "choices": [choice],
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


def _usage_chunk(body: dict[str, Any], reply: Reply) -> bytes:
    """The last chunk OpenAI sends with `stream_options.include_usage`: no choices, usage."""
    payload = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", MODEL),
        "choices": [],
        "usage": _completion(body, reply)["usage"],
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


def _handler_for(state: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "fake-openai/1.0"
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

        def _send_json(self, status: int, obj: Any, headers: dict[str, str]) -> None:
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": None})
            if self.path.rstrip("/").endswith("/models"):
                models = {"object": "list", "data": [{"id": MODEL, "object": "model"}]}
                self._send_json(200, models, {})
            else:
                self._send_json(404, {"error": {"message": "not found"}}, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            with state._lock:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                self._answer(body, state._next())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)
            finally:
                with state._lock:
                    state.in_flight -= 1

        def _answer(self, body: dict[str, Any], reply: Reply) -> None:
            if reply.hang:
                time.sleep(reply.hang)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                message = reply.error or f"scripted {reply.status}"
                error = {"error": {"message": message, "type": "test"}}
                self._send_json(reply.status, error, reply.headers)
                return
            if not body.get("stream"):
                self._send_json(200, _completion(body, reply), reply.headers)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(_chunk(body, {"role": "assistant", "content": ""}, None))
            pieces = reply.chunks or [reply.content]
            for i, piece in enumerate(pieces):
                logprobs = reply.logprobs[i] if reply.logprobs else None
                self.wfile.write(_chunk(body, {"content": piece}, None, logprobs))
                self.wfile.flush()
                time.sleep(reply.chunk_delay)
            self.wfile.write(_chunk(body, {}, "stop"))
            if (body.get("stream_options") or {}).get("include_usage"):
                self.wfile.write(_usage_chunk(body, reply))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler
