"""The StaffSim reference server: a real OpenAI-compatible HTTP server for recordings.

No hosted model is reachable from the machines that build StaffSim, so fixtures are
recorded against this server, and they say so (`recorded_with.server`). By default
it answers a structured request with a neutral, schema-conforming object built from
the request's JSON schema, and a free-text request with a short neutral turn.
`set_responder(fn, model=...)` plugs in a real producer (e.g. the offline engine).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SERVER_NAME = "staffsim-refserver"
DEFAULT_MODEL = "staffsim-refserver-neutral-1"
NEUTRAL_TEXT = "Thank you. Let's continue: walk me through the next part of your approach."

#: fn(request body) -> reply text.
Responder = Callable[[dict[str, Any]], str]


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        return _resolve(node, root)
    return schema


def neutral_instance(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """The plainest value that satisfies a JSON schema: mid-range numbers, empty lists."""
    root = root or schema
    schema = _resolve(schema, root)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, root).get("type") != "null"]
            return neutral_instance((options or schema[key])[0], root)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: neutral_instance(sub, root) for name, sub in props.items()}
    if kind == "array":
        return [neutral_instance(schema["items"], root)] * schema.get("minItems", 0)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", low))
        mid = (low + high) / 2
        return int(round(mid)) if kind == "integer" else mid
    if kind == "boolean":
        return False
    if kind == "string":
        return "neutral reference answer"
    return None


def _schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt["json_schema"]["schema"]
    if fmt.get("type") == "json_object":
        for message in body.get("messages", []):
            found = re.search(r"JSON\s+schema:\s*(\{.*\})\s*$", message.get("content", ""), re.S)
            if found:
                return json.loads(found.group(1))
        return {"type": "object", "properties": {}}
    return None


def neutral_responder(body: dict[str, Any]) -> str:
    """Default answers: a neutral schema instance, or a neutral interviewer line."""
    schema = _schema_of(body)
    if schema is None:
        return NEUTRAL_TEXT
    return json.dumps(neutral_instance(schema))


class RefServer:
    """One running reference server on 127.0.0.1."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self.responder: Responder = neutral_responder
        self.model = DEFAULT_MODEL
        self._server: ThreadingHTTPServer | None = None

    def set_responder(self, fn: Responder, model: str) -> None:
        """Answer with `fn(request_body)` and report `model` as the producing model."""
        self.responder, self.model = fn, model

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> RefServer:
        """Serve in a daemon thread."""
        self._server = ThreadingHTTPServer((self.host, self.port), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> RefServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler(ref: RefServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = f"{SERVER_NAME}/1"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, obj: Any) -> None:
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                card = {"id": ref.model, "object": "model", "owned_by": SERVER_NAME}
                self._json(200, {"object": "list", "data": [card]})
            else:
                self._json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": "not found"}})
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            text = ref.responder(body)
            if body.get("stream"):
                self._stream(text)
                return
            self._json(200, _completion(ref.model, text, body))

        def _stream(self, text: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces = [{"role": "assistant", "content": ""}]
            pieces += [{"content": p} for p in re.findall(r"\S+\s*|\s+", text)]
            for delta in pieces:
                self.wfile.write(_event(ref.model, delta, None))
            self.wfile.write(_event(ref.model, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


def _usage(body: dict[str, Any], text: str) -> dict[str, int]:
    from simulator.llm.costs import count_tokens

    model = body.get("model")
    prompt = sum(count_tokens(m.get("content") or "", model) + 4 for m in body["messages"]) + 2
    completion = count_tokens(text, model)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(model: str, text: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-ref-{time.time_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": SERVER_NAME,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": _usage(body, text),
    }


def _event(model: str, delta: dict[str, Any], finish: str | None) -> bytes:
    chunk = {
        "id": "chatcmpl-ref",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()
