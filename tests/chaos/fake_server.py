"""A tiny OpenAI-compatible server that answers every generation with a new, valid multiple-choice question.

`papergym generate --server URL` then runs the real command line, in its own
process, against a model that needs no weights; the server counts each prompt
it was asked, so a test can tell when two processes did the same window twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeModelServer:
    """Serves /v1/models, /tokenize, /v1/completions and /v1/chat/completions on 127.0.0.1."""

    def __init__(self, delay: float = 0.1) -> None:
        self.delay = delay
        self.prompts: Counter = Counter()
        self._lock = threading.Lock()
        self._served = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeModelServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _reply(self, path: str, body: dict) -> dict:
        if path == "/v1/models":
            return {"data": [{"id": "fake", "owned_by": "vllm", "max_model_len": 8192}]}
        if path == "/tokenize":
            text = body.get("prompt") or body.get("content") or ""
            return {"tokens": [0] * max(1, len(str(text)) // 4)}
        prompt = body.get("prompt") or json.dumps(body.get("messages"))
        with self._lock:
            self.prompts[prompt] += 1
            self._served += 1
            number = self._served
        time.sleep(self.delay)
        question = {
            "question": f"In measurement series {number}, which mechanism limits cross-plane heat transport in the oxide film?",
            "options": [f"phonon boundary scattering {number}", "electron transport", "thermal radiation", "free convection"],
            "answer": "A",
            "rationale": "Boundary scattering shortens the phonon mean free path.",
        }
        text = json.dumps(question)
        usage = {"prompt_tokens": 100, "completion_tokens": 60, "total_tokens": 160}
        if path == "/v1/chat/completions":
            return {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}], "usage": usage}
        return {"choices": [{"index": 0, "text": text, "finish_reason": "stop"}], "usage": usage}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {}
                path = self.path.split("?")[0]
                known = ("/v1/models", "/tokenize", "/v1/completions", "/v1/chat/completions")
                if path not in known:
                    payload, status = b'{"error": "not found"}', 404
                else:
                    payload, status = json.dumps(server._reply(path, body)).encode(), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _answer
            do_POST = _answer

        return Handler
