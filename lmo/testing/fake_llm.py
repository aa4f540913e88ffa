"""A real HTTP server on loopback that speaks enough of the OpenAI API for LMO's tests and
benchmarks: chat completions (JSON and SSE streaming, tool calls, errors, 429, malformed
answers, slow streams) and audio transcriptions. Replies are scripted per test; without
a script it echoes the last user message."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. ``text`` is streamed as ``tokens`` (or split on spaces);
    ``tool`` makes a tool call; ``status`` answers with an HTTP error; ``malformed``
    sends a body that is not a completion; ``token_delay`` slows the stream."""

    text: str = ""
    tokens: list[str] | None = None
    tool: str | None = None
    args: dict[str, Any] | str = field(default_factory=dict)
    status: int = 200
    malformed: bool = False
    token_delay: float = 0.0
    delay: float = 0.0


class FakeLLM:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        # The Authorization header of each chat completion request, in order.
        self.authorizations: list[str] = []
        self.transcript = "hello from the microphone"
        # What a transcription reports it used (as gpt-4o-transcribe does; whisper-1
        # reports {"type": "duration", "seconds": ...}).
        self.transcription_usage: dict[str, Any] = {
            "type": "tokens",
            "input_tokens": 14,
            "output_tokens": 5,
            "total_tokens": 19,
        }
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeLLM:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self.lock:
            self.requests.append(body)
            if self.replies:
                return self.replies.popleft()
        last: dict[str, Any] = next(
            (m for m in reversed(body.get("messages", [])) if m.get("role") == "user"), {}
        )
        return Reply(text=f"You said: {last.get('content', '')}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path.endswith("/audio/transcriptions"):
                    fake.requests.append({"audio_bytes": len(raw)})
                    self._json(200, {"text": fake.transcript, "usage": fake.transcription_usage})
                    return
                if not self.path.endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                body = json.loads(raw or b"{}")
                with fake.lock:
                    fake.authorizations.append(self.headers.get("Authorization") or "")
                reply = fake._next(body)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self._json(
                        reply.status,
                        {"error": {"message": f"scripted {reply.status}", "type": "test"}},
                    )
                    return
                if reply.malformed:
                    self._raw(200, b"this is not json at all", "application/json")
                    return
                if body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._json(200, _completion(body, reply))

            def _json(self, status: int, payload: Any) -> None:
                self._raw(status, json.dumps(payload).encode(), "application/json")

            def _raw(self, status: int, data: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                cid = "chatcmpl-" + uuid.uuid4().hex[:12]
                try:
                    for delta, finish in _deltas(reply):
                        chunk = {
                            "id": cid,
                            "object": "chat.completion.chunk",
                            "created": int(time.time()),
                            "model": body.get("model", "fake"),
                            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                        if reply.token_delay and not finish:
                            time.sleep(reply.token_delay)
                    if (body.get("stream_options") or {}).get("include_usage"):
                        # As OpenAI does: one last chunk with no choices and the counts.
                        final = {
                            "id": cid,
                            "object": "chat.completion.chunk",
                            "created": int(time.time()),
                            "model": body.get("model", "fake"),
                            "choices": [],
                            "usage": usage(body, reply),
                        }
                        self.wfile.write(f"data: {json.dumps(final)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (a stopped answer)
                self.close_connection = True

        return Handler


def usage(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    """Token counts as a provider reports them: words of the prompt, tokens streamed."""
    prompt = sum(len(str(m.get("content") or "").split()) for m in body.get("messages", []))
    completion = 1 if reply.tool else len([t for t in _tokens(reply) if t])
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _tokens(reply: Reply) -> list[str]:
    if reply.tokens is not None:
        return reply.tokens
    words = reply.text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words) if w or i == 0]


def _arguments(reply: Reply) -> str:
    return reply.args if isinstance(reply.args, str) else json.dumps(reply.args)


def _deltas(reply: Reply) -> list[tuple[dict[str, Any], str | None]]:
    out: list[tuple[dict[str, Any], str | None]] = [({"role": "assistant", "content": ""}, None)]
    if reply.tool:
        call = {
            "index": 0,
            "id": "call_" + uuid.uuid4().hex[:10],
            "type": "function",
            "function": {"name": reply.tool, "arguments": _arguments(reply)},
        }
        out.append(({"tool_calls": [call]}, None))
        out.append(({}, "tool_calls"))
        return out
    out += [({"content": token}, None) for token in _tokens(reply) if token]
    out.append(({}, "stop"))
    return out


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    finish = "stop"
    if reply.tool:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_" + uuid.uuid4().hex[:10],
                    "type": "function",
                    "function": {"name": reply.tool, "arguments": _arguments(reply)},
                }
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-" + uuid.uuid4().hex[:12],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": usage(body, reply),
    }
