"""OpenAIBackend against a small fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from papergym.core.llm.backend import BackendError, GenerationCancelled, Message
from papergym.core.llm.openai_compat import OpenAIBackend, RequestRejected

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": ["A", "B", "C", "D"]}},
    "required": ["answer"],
}


@dataclass
class Reply:
    body: object = None
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    hang_up: bool = False  # close the connection after answering, without saying so


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: object
    client_port: int


class FakeServer:
    """Answers each (method, path) from a queue of replies; the last reply of a queue repeats."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], deque[Reply]] = {}
        self.received: list[Received] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()
        self.released = threading.Event()  # ends any delay early when the test is over
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method, path)] = deque(replies)

    def paths(self, method: str | None = None) -> list[str]:
        return [request.path for request in self.received if method in (None, request.method)]

    def bodies(self, path: str) -> list:
        return [request.body for request in self.received if request.path == path]

    def _next_reply(self, method: str, path: str) -> Reply:
        with self.lock:
            queue = self.routes.get((method, path))
            if not queue:
                return Reply({"error": {"message": f"no route {method} {path}"}}, status=404)
            return queue.popleft() if len(queue) > 1 else queue[0]

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

            def log_message(self, *args) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with server.lock:
                    server.received.append(Received(self.command, self.path, dict(self.headers), body, self.client_address[1]))
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                try:
                    reply = server._next_reply(self.command, self.path)
                    if reply.delay:
                        server.released.wait(reply.delay)
                    payload = reply.body if isinstance(reply.body, (bytes, str)) else json.dumps(reply.body)
                    data = payload.encode() if isinstance(payload, str) else payload
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                    if reply.hang_up:
                        self.close_connection = True
                finally:
                    with server.lock:
                        server.in_flight -= 1

            do_GET = _serve
            do_POST = _serve

        return Handler


@pytest.fixture
def server():
    fake = FakeServer()
    fake.thread.start()
    yield fake
    fake.released.set()
    fake.httpd.shutdown()
    fake.httpd.server_close()
    fake.thread.join(timeout=5)


def backend_for(fake: FakeServer, **options) -> OpenAIBackend:
    """A backend that needs no discovery unless a test asks for it."""
    settings = {"model": "m", "server_kind": "openai", "context_length": 2048, "backoff": 0.01}
    settings.update(options)
    return OpenAIBackend(fake.url, **settings)


def completion_reply(text: str = "four", **extra) -> dict:
    reply = {
        "object": "text_completion",
        "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
    }
    reply.update(extra)
    return reply


def chat_reply(content: str = '{"answer": "B"}', **choice_extra) -> dict:
    choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "length"}
    choice.update(choice_extra)
    return {"object": "chat.completion", "choices": [choice], "usage": {"prompt_tokens": 20, "completion_tokens": 7}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- replies --------------------------------------------------------------------------


def test_completion_reply_gives_text_usage_and_timing(server):
    server.on("POST", "/v1/completions", Reply(completion_reply(" four.")))
    with backend_for(server) as backend:
        completion = backend.complete("2 + 2 =", max_tokens=8)
    assert completion.text == " four."
    assert completion.finish_reason == "stop"
    assert (completion.prompt_tokens, completion.completion_tokens) == (12, 3)
    assert completion.seconds > 0
    assert completion.top_logprobs == []


def test_completion_logprobs_in_the_completions_format(server):
    logprobs = {
        "tokens": [" four", "."],
        "token_logprobs": [-0.1, -0.5],
        "top_logprobs": [{" four": -0.1, " 4": -2.3}, {".": -0.5, ",": -1.2}],
    }
    server.on(
        "POST",
        "/v1/completions",
        Reply(completion_reply(" four.", choices=[{"index": 0, "text": " four.", "finish_reason": "length", "logprobs": logprobs}])),
    )
    with backend_for(server) as backend:
        completion = backend.complete("2 + 2 =", max_tokens=2, logprobs=2)
    assert completion.finish_reason == "length"
    assert completion.top_logprobs == [{" four": -0.1, " 4": -2.3}, {".": -0.5, ",": -1.2}]
    assert server.bodies("/v1/completions")[0]["logprobs"] == 2


def test_chat_logprobs_in_the_chat_format(server):
    content = [
        {"token": "{", "logprob": -0.01, "top_logprobs": [{"token": "{", "logprob": -0.01}, {"token": " ", "logprob": -4.6}]},
        {"token": "B", "logprob": -0.7, "top_logprobs": []},
    ]
    server.on("POST", "/v1/chat/completions", Reply(chat_reply(logprobs={"content": content})))
    with backend_for(server) as backend:
        completion = backend.chat([Message("user", "Pick one")], max_tokens=16, logprobs=2)
    assert completion.text == '{"answer": "B"}'
    assert completion.finish_reason == "length"
    assert (completion.prompt_tokens, completion.completion_tokens) == (20, 7)
    assert completion.top_logprobs == [{"{": -0.01, " ": -4.6}, {"B": -0.7}]
    body = server.bodies("/v1/chat/completions")[0]
    assert body["logprobs"] is True and body["top_logprobs"] == 2
    assert body["messages"] == [{"role": "user", "content": "Pick one"}]


def test_llama_server_reply_gives_cache_and_prompt_time(server):
    content = [{"token": " four", "logprob": -0.2, "top_logprobs": [{"token": " four", "logprob": -0.2}]}]
    reply = completion_reply(
        " four",
        choices=[{"index": 0, "text": " four", "finish_reason": "stop", "logprobs": {"content": content}}],
        timings={"cache_n": 9, "prompt_n": 3, "prompt_ms": 42.0, "predicted_n": 1, "predicted_ms": 10.0},
    )
    server.on("POST", "/v1/completions", Reply(reply))
    with backend_for(server, server_kind="llama-server") as backend:
        completion = backend.complete("2 + 2 =", max_tokens=1, logprobs=1)
    assert completion.cached_tokens == 9
    assert completion.prompt_seconds == pytest.approx(0.042)
    assert completion.top_logprobs == [{" four": -0.2}]


def test_cached_tokens_from_usage_details(server):
    reply = completion_reply()
    reply["usage"]["prompt_tokens_details"] = {"cached_tokens": 8}
    server.on("POST", "/v1/completions", Reply(reply))
    with backend_for(server) as backend:
        assert backend.complete("x", max_tokens=1).cached_tokens == 8


# -- requests -------------------------------------------------------------------------


def test_completion_request_carries_options_and_the_api_key(server):
    server.on("POST", "/v1/completions", Reply(completion_reply()))
    with backend_for(server, api_key="secret-key", model="qwen") as backend:
        backend.complete("Q:", max_tokens=64, temperature=0.2, stop=["\n\n", "Q:"], seed=7)
    request = server.received[0]
    assert request.headers["Authorization"] == "Bearer secret-key"
    assert request.body == {
        "model": "qwen",
        "prompt": "Q:",
        "max_tokens": 64,
        "temperature": 0.2,
        "stop": ["\n\n", "Q:"],
        "seed": 7,
    }


def test_no_authorization_header_without_a_key(server):
    server.on("POST", "/v1/completions", Reply(completion_reply()))
    with backend_for(server) as backend:
        backend.complete("Q:", max_tokens=1)
    assert "Authorization" not in server.received[0].headers


STANDARD_FORMAT = {"type": "json_schema", "json_schema": {"name": "reply", "schema": ANSWER_SCHEMA, "strict": True}}


@pytest.mark.parametrize(
    ("server_kind", "expected"),
    [
        ("llama-server", {"json_schema": ANSWER_SCHEMA}),
        ("vllm", {"response_format": STANDARD_FORMAT}),
        ("ollama", {"response_format": STANDARD_FORMAT}),
        ("openai", {"response_format": STANDARD_FORMAT}),
    ],
)
def test_completion_schema_is_sent_the_way_each_server_reads_it(server, server_kind, expected):
    server.on("POST", "/v1/completions", Reply(completion_reply('{"answer": "A"}')))
    with backend_for(server, server_kind=server_kind) as backend:
        backend.complete("Q:", max_tokens=16, json_schema=ANSWER_SCHEMA)
    body = server.bodies("/v1/completions")[0]
    constraint_fields = {"json_schema", "response_format", "grammar", "structured_outputs", "guided_json"}
    assert {key: value for key, value in body.items() if key in constraint_fields} == expected


def test_completion_schema_becomes_a_grammar_for_llama_cpp_python(server):
    pytest.importorskip("llama_cpp")
    server.on("POST", "/v1/completions", Reply(completion_reply('{"answer": "A"}')))
    with backend_for(server, server_kind="llama-cpp-python") as backend:
        backend.complete("Q:", max_tokens=16, json_schema=ANSWER_SCHEMA)
    body = server.bodies("/v1/completions")[0]
    assert "json_schema" not in body and "response_format" not in body
    assert "root ::=" in body["grammar"] and '\\"answer\\"' in body["grammar"]


@pytest.mark.parametrize(
    ("server_kind", "expected"),
    [
        ("llama-server", STANDARD_FORMAT),
        ("vllm", STANDARD_FORMAT),
        ("openai", STANDARD_FORMAT),
        ("llama-cpp-python", {"type": "json_object", "schema": ANSWER_SCHEMA}),
    ],
)
def test_chat_schema_goes_in_response_format(server, server_kind, expected):
    server.on("POST", "/v1/chat/completions", Reply(chat_reply()))
    with backend_for(server, server_kind=server_kind) as backend:
        backend.chat([Message("user", "Pick")], max_tokens=16, json_schema=ANSWER_SCHEMA)
    body = server.bodies("/v1/chat/completions")[0]
    assert body["response_format"] == expected
    assert "grammar" not in body and "json_schema" not in body


@pytest.mark.parametrize("base", ["{url}", "{url}/", "{url}/v1", "{url}/v1/"])
def test_base_url_with_or_without_v1(server, base):
    server.on("POST", "/v1/completions", Reply(completion_reply()))
    with OpenAIBackend(base.format(url=server.url), model="m", server_kind="openai", context_length=512) as backend:
        backend.complete("x", max_tokens=1)
        assert backend.base_url == server.url
    assert server.paths() == ["/v1/completions"]


def test_a_path_prefix_is_kept(server):
    server.on("POST", "/proxy/v1/completions", Reply(completion_reply()))
    with OpenAIBackend(server.url + "/proxy/v1", model="m", server_kind="openai", context_length=512) as backend:
        backend.complete("x", max_tokens=1)
    assert server.paths() == ["/proxy/v1/completions"]


def test_a_bad_address_is_one_sentence():
    with pytest.raises(BackendError, match="is not an http:// or https:// URL"):
        OpenAIBackend("localhost:8080")


# -- what the server is ------------------------------------------------------------------


def test_llama_server_is_recognised_with_its_context_and_model(server):
    server.on("GET", "/v1/models", Reply({"data": [{"id": "qwen3-4b.gguf", "owned_by": "llamacpp"}]}))
    server.on("GET", "/props", Reply({"default_generation_settings": {"n_ctx": 8192}, "total_slots": 4}))
    backend = OpenAIBackend(server.url)
    assert (backend.model_name, backend.server_kind, backend.context_length) == ("qwen3-4b.gguf", "llama-server", 8192)
    backend.close()


def test_llama_server_found_by_props_when_the_model_list_does_not_say(server):
    server.on("GET", "/v1/models", Reply({"data": [{"id": "a"}]}))
    server.on("GET", "/props", Reply({"default_generation_settings": {"n_ctx": 1024}}))
    with OpenAIBackend(server.url) as backend:
        assert (backend.server_kind, backend.context_length) == ("llama-server", 1024)


def test_llama_cpp_python_is_recognised_by_its_tokenize_extra(server):
    server.on("GET", "/v1/models", Reply({"data": [{"id": "/models/gemma.gguf", "owned_by": "me"}]}))
    server.on("POST", "/extras/tokenize/count", Reply({"count": 0}))
    with OpenAIBackend(server.url) as backend:
        assert backend.server_kind == "llama-cpp-python"
        assert backend.context_length == 4096  # it does not say, so the default stands
        assert backend.model_name == "/models/gemma.gguf"


def test_vllm_is_recognised_with_its_max_model_len(server):
    server.on("GET", "/v1/models", Reply({"data": [{"id": "Qwen/Qwen3-8B", "owned_by": "vllm", "max_model_len": 32768}]}))
    with OpenAIBackend(server.url) as backend:
        assert (backend.server_kind, backend.context_length) == ("vllm", 32768)
    assert server.paths() == ["/v1/models"]


def test_ollama_is_recognised_by_its_version_endpoint(server):
    server.on("GET", "/v1/models", Reply({"data": [{"id": "qwen3:4b", "owned_by": "library"}]}))
    server.on("GET", "/api/version", Reply({"version": "0.12.0"}))
    with OpenAIBackend(server.url) as backend:
        assert backend.server_kind == "ollama"


def test_an_unknown_server_is_plain_openai_and_the_models_list_is_asked_once(server):
    server.on("GET", "/v1/models", Reply({"data": [{"id": "x"}]}))
    server.on("POST", "/v1/completions", Reply(completion_reply()))
    with OpenAIBackend(server.url) as backend:
        backend.complete("a", max_tokens=1)
        backend.complete("b", max_tokens=1)
        assert (backend.server_kind, backend.context_length) == ("openai", 4096)
    assert server.paths("GET").count("/v1/models") == 1
    assert [body["model"] for body in server.bodies("/v1/completions")] == ["x", "x"]


def test_nothing_is_asked_when_everything_is_given(server):
    server.on("POST", "/v1/completions", Reply(completion_reply()))
    with OpenAIBackend(server.url, model="m", server_kind="vllm", context_length=100) as backend:
        backend.complete("a", max_tokens=1)
    assert server.paths() == ["/v1/completions"]


def test_an_empty_model_list_asks_for_a_model_name(server):
    server.on("GET", "/v1/models", Reply({"data": []}))
    with OpenAIBackend(server.url) as backend, pytest.raises(BackendError, match="lists no models; pass the model"):
        backend.complete("a", max_tokens=1)


def test_no_model_list_asks_for_a_model_name(server):
    with OpenAIBackend(server.url) as backend, pytest.raises(BackendError, match="has no model list; pass the model"):
        backend.complete("a", max_tokens=1)


def test_chat_can_be_turned_off():
    assert OpenAIBackend("http://127.0.0.1:9", chat=False).supports_chat is False
    assert OpenAIBackend("http://127.0.0.1:9", concurrency=3).parallel == 3


# -- token counts ---------------------------------------------------------------------


def test_count_tokens_uses_llama_server_tokenize(server):
    server.on("POST", "/tokenize", Reply({"tokens": [1, 2, 3, 4, 5]}))
    with backend_for(server, server_kind="llama-server") as backend:
        assert backend.count_tokens("hello there world") == 5
    assert server.bodies("/tokenize")[0] == {"content": "hello there world"}


def test_count_tokens_uses_llama_cpp_python_extra(server):
    server.on("POST", "/extras/tokenize/count", Reply({"count": 7}))
    with backend_for(server, server_kind="llama-cpp-python") as backend:
        assert backend.count_tokens("some text") == 7


def test_count_tokens_falls_back_to_the_estimate_and_remembers(server):
    with backend_for(server, server_kind="openai") as backend:
        assert backend.count_tokens("x" * 400) == 100
        assert backend.count_tokens("y" * 40) == 10
    assert server.paths() == ["/tokenize"]  # tried once, then never again


# -- failures -----------------------------------------------------------------------------


def test_503_is_retried_until_it_works(server):
    busy = Reply({"error": {"message": "Loading model"}}, status=503)
    server.on("POST", "/v1/completions", busy, busy, Reply(completion_reply("done")))
    with backend_for(server, retries=3) as backend:
        assert backend.complete("x", max_tokens=1).text == "done"
    assert len(server.bodies("/v1/completions")) == 3


def test_retries_run_out_with_the_last_reason(server):
    server.on("POST", "/v1/completions", Reply({"error": {"message": "Loading model"}}, status=503))
    with backend_for(server, retries=2) as backend, pytest.raises(BackendError) as caught:
        backend.complete("x", max_tokens=1)
    assert str(caught.value) == f"the server at {server.url} failed with HTTP 503 (Loading model) (3 tries)"
    assert len(server.bodies("/v1/completions")) == 3


def test_429_waits_as_long_as_retry_after_says(server):
    server.on(
        "POST",
        "/v1/completions",
        Reply({"error": "slow down"}, status=429, headers={"Retry-After": "1"}),
        Reply(completion_reply()),
    )
    with backend_for(server, backoff=0.01) as backend:
        started = time.monotonic()
        backend.complete("x", max_tokens=1)
    assert time.monotonic() - started >= 0.9


def test_a_cancelled_request_is_never_sent(server):
    server.on("POST", "/v1/chat/completions", Reply(chat_reply()))
    cancel = threading.Event()
    cancel.set()
    with backend_for(server) as backend, pytest.raises(GenerationCancelled):
        backend.chat([Message("user", "Pick one")], max_tokens=4, cancel=cancel)
    assert server.bodies("/v1/chat/completions") == []


def test_a_cancel_ends_the_wait_between_retries_and_nothing_more_is_sent(server):
    server.on("POST", "/v1/completions", Reply({"error": "slow down"}, status=429, headers={"Retry-After": "30"}))
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    with backend_for(server, retries=3) as backend:
        started = time.monotonic()
        with pytest.raises(GenerationCancelled):
            backend.complete("x", max_tokens=1, cancel=cancel)
    assert time.monotonic() - started < 5
    assert len(server.bodies("/v1/completions")) == 1


def test_400_is_not_retried_and_says_what_the_server_said(server):
    message = "'response_format' is not valid\nTraceback (most recent call last): ..."
    server.on("POST", "/v1/completions", Reply({"error": {"message": message, "type": "invalid_request_error"}}, status=400))
    with backend_for(server, retries=3) as backend, pytest.raises(RequestRejected) as caught:
        backend.complete("x", max_tokens=1)
    assert str(caught.value) == "the server rejected the request (HTTP 400: 'response_format' is not valid)"
    assert caught.value.status == 400
    assert len(server.bodies("/v1/completions")) == 1


def test_a_wrong_api_key_says_so(server):
    server.on("POST", "/v1/completions", Reply({"detail": "Invalid API key"}, status=401))
    with (
        backend_for(server, api_key="wrong") as backend,
        pytest.raises(BackendError, match=r"refused the API key \(HTTP 401: Invalid API key\)"),
    ):
        backend.complete("x", max_tokens=1)


def test_a_silent_server_times_out_with_a_clear_sentence(server):
    server.on("POST", "/v1/completions", Reply(completion_reply(), delay=3.0))
    with backend_for(server, timeout=0.3, retries=0) as backend:
        started = time.monotonic()
        with pytest.raises(BackendError) as caught:
            backend.complete("x", max_tokens=1)
    assert str(caught.value) == f"the server at {server.url} did not answer within 0.3 s"
    assert time.monotonic() - started < 2.0


def test_connection_refused_asks_whether_the_server_runs():
    url = f"http://127.0.0.1:{free_port()}"
    with OpenAIBackend(url, model="m", server_kind="openai", context_length=10, retries=1, backoff=0.01) as backend:
        with pytest.raises(BackendError) as caught:
            backend.complete("x", max_tokens=1)
    assert str(caught.value) == f"could not connect to {url}: connection refused; is the server running? (2 tries)"


def test_discovery_against_a_dead_server_fails_clearly_and_is_tried_again_later():
    url = f"http://127.0.0.1:{free_port()}"
    backend = OpenAIBackend(url, retries=0)
    for _ in range(2):
        with pytest.raises(BackendError, match="connection refused; is the server running"):
            backend.complete("x", max_tokens=1)


def test_a_reply_that_is_not_json_is_named(server):
    server.on("POST", "/v1/completions", Reply("<html>welcome</html>"))
    with backend_for(server) as backend, pytest.raises(BackendError, match="not JSON .*<html>welcome</html>"):
        backend.complete("x", max_tokens=1)


def test_a_closed_backend_refuses_work(server):
    backend = backend_for(server)
    backend.close()
    with pytest.raises(BackendError, match="was closed"):
        backend.complete("x", max_tokens=1)


# -- many threads ---------------------------------------------------------------------


def test_concurrency_limits_requests_in_flight(server):
    server.on("POST", "/v1/completions", Reply(completion_reply(), delay=0.15))
    backend = backend_for(server, concurrency=2)
    errors: list[Exception] = []

    def one_call(index: int) -> None:
        try:
            backend.complete(f"prompt {index}", max_tokens=1)
        except Exception as error:  # collected, so a failure shows in the assertion below
            errors.append(error)

    threads = [threading.Thread(target=one_call, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    backend.close()
    assert errors == []
    assert len(server.bodies("/v1/completions")) == 6
    assert server.most_in_flight == 2


def test_kept_alive_connections_are_reused(server):
    server.on("POST", "/v1/completions", Reply(completion_reply()))
    with backend_for(server) as backend:
        for _ in range(3):
            backend.complete("x", max_tokens=1)
    assert len({request.client_port for request in server.received}) == 1


def test_a_connection_the_server_dropped_is_replaced_without_a_retry(server):
    server.on("POST", "/v1/completions", Reply(completion_reply("first"), hang_up=True), Reply(completion_reply("second")))
    with backend_for(server, retries=0) as backend:
        assert backend.complete("x", max_tokens=1).text == "first"
        time.sleep(0.05)  # let the server's close reach the client's idle connection
        assert backend.complete("x", max_tokens=1).text == "second"
    assert len({request.client_port for request in server.received}) == 2
