"""A backend for any OpenAI-compatible server: llama-server, vLLM, Ollama, llama-cpp-python's server.

The servers agree on ``/v1/completions`` and ``/v1/chat/completions`` but not
on how to ask for JSON-schema constrained output, so the backend finds out
which server it talks to (once, on first use) and speaks its dialect:

================  ===============================  ==================================
server            plain completion                 chat
================  ===============================  ==================================
llama-server      top-level ``json_schema``        ``response_format`` json_schema
                  (``response_format`` ignored)
llama-cpp-python  ``grammar`` (GBNF, written here  ``response_format``
(llama_cpp        from the schema with             ``{"type": "json_object",
.server)          llama_cpp's converter; it        "schema": ...}``; the standard
                  ignores ``json_schema`` and      ``"json_schema"`` type is refused
                  ``response_format``)             with HTTP 500
vLLM              ``response_format`` json_schema  ``response_format`` json_schema
                  (``guided_json`` was removed in
                  0.12; ``structured_outputs``
                  is the native form)
Ollama            not honoured: its                ``response_format`` json_schema
                  ``/v1/completions`` takes no
                  format field
other             ``response_format`` json_schema  ``response_format`` json_schema
================  ===============================  ==================================

The standard ``response_format`` is
``{"type": "json_schema", "json_schema": {"name": "reply", "schema": ..., "strict": true}}``.
A server that ignores a constraint still answers, so callers parse replies
strictly whatever the backend. The llama.cpp rows were checked against running
servers (llama-cpp-python 0.3.36's, and llama-server built from the llama.cpp
it vendors); the vLLM and Ollama rows come from their documentation and source.

Other differences the backend absorbs: llama-server returns plain-completion
logprobs in the chat shape (``logprobs.content``), and reports prompt time and
reused prompt tokens (``timings``, ``usage.prompt_tokens_details``); token
counts come from ``/tokenize`` (llama-server, vLLM) or
``/extras/tokenize/count`` (llama-cpp-python), else an estimate;
llama-cpp-python's chat logprobs are taken before its grammar applies.
llama-cpp-python's server does not say its context length (pass
``context_length``); llama-server's ``/props`` and vLLM's model list do.

How the server is recognised: ``/v1/models`` says ``owned_by: "vllm"`` or
``"llamacpp"`` (llama-server); else ``GET /props`` answering with
``default_generation_settings`` means llama-server, ``POST
/extras/tokenize/count`` answering means llama-cpp-python, ``GET /api/version``
answering means Ollama. Pass ``server_kind`` to skip the guessing.

HTTP goes through the standard library (``http.client``) with a small pool of
kept-alive connections, one per request in flight: no extra dependency, and
environment proxy settings are not applied, so a ``HTTP_PROXY`` meant for the
internet never captures a server on this machine or the local network.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from papergym.core.llm.backend import BackendError, Completion, GenerationCancelled, Message, approximate_tokens, stop_if_cancelled

SERVER_KINDS = ("llama-server", "llama-cpp-python", "vllm", "ollama", "openai")
DEFAULT_CONTEXT_LENGTH = 4096
MAX_RETRY_AFTER_SECONDS = 60.0
# 501 is llama-server's "this model cannot do that", which no retry changes.
RETRYABLE_STATUSES = frozenset({408, 429}) | (frozenset(range(500, 600)) - {501})
SCHEMA_NAME = "reply"


class _Retryable(Exception):
    """One attempt failed in a way that may pass; carries the sentence and any wait the server asked for."""

    def __init__(self, sentence: str, retry_after: float | None = None) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.retry_after = retry_after


class RequestRejected(BackendError):
    """The server answered with an HTTP error that retrying will not change (a 4xx)."""

    def __init__(self, status: int, message: str) -> None:
        if status in (401, 403):
            sentence = f"the server refused the API key (HTTP {status}: {message})"
        else:
            sentence = f"the server rejected the request (HTTP {status}: {message})"
        super().__init__(sentence)
        self.status = status


class _NotJSON(BackendError):
    """The server answered, but not with JSON."""


class OpenAIBackend:
    """Talks to an OpenAI-compatible server; safe to call from many threads at once.

    At most ``concurrency`` generation requests are in flight at a time; the
    rest wait. Connection failures, timeouts, HTTP 408/429 and 5xx are retried
    ``retries`` times with exponential backoff (``backoff``, 2×, 4×… seconds,
    or what ``Retry-After`` asks for); other 4xx fail at once.
    """

    def __init__(
        self,
        base_url: str,
        *,
        model: str | None = None,
        api_key: str | None = None,
        concurrency: int = 4,
        timeout: float = 120.0,
        retries: int = 3,
        backoff: float = 1.0,
        context_length: int | None = None,
        chat: bool = True,
        server_kind: str | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if server_kind is not None and server_kind not in SERVER_KINDS:
            raise ValueError(f"server_kind must be one of {', '.join(SERVER_KINDS)}, not {server_kind!r}")
        self._scheme, self._host, self._port, self._path_prefix = _split_base_url(base_url)
        shown_host = f"[{self._host}]" if ":" in self._host else self._host
        default_port = 443 if self._scheme == "https" else 80
        shown_port = "" if self._port == default_port else f":{self._port}"
        self.base_url = f"{self._scheme}://{shown_host}{shown_port}{self._path_prefix}"  # as errors name it
        self._api_key = api_key
        self._timeout = float(timeout)
        self._retries = max(0, int(retries))
        self._backoff = max(0.0, float(backoff))
        self._model = model
        self._context_length = context_length
        self._server_kind = server_kind
        self.supports_chat = chat
        self.parallel = concurrency
        self._slots = threading.BoundedSemaphore(concurrency)
        self._idle_connections: list[http.client.HTTPConnection] = []
        self._pool_lock = threading.Lock()
        self._discover_lock = threading.Lock()
        self._discovered = False
        self._closed = False
        self._tokenizer: Callable[[str], int] | None = None
        self._grammars: dict[str, str] = {}

    # -- what the pipeline reads -------------------------------------------------

    @property
    def model_name(self) -> str:
        self._discover()
        return self._model or ""

    @property
    def context_length(self) -> int:
        self._discover()
        return self._context_length or DEFAULT_CONTEXT_LENGTH

    @property
    def server_kind(self) -> str:
        """Which server this is (one of ``SERVER_KINDS``), asked of the server on first use."""
        self._discover()
        return self._server_kind or "openai"

    # -- generation -----------------------------------------------------------------

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float = 0.7,
        stop: list[str] | None = None,
        json_schema: dict | None = None,
        logprobs: int | None = None,
        seed: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Completion:
        self._discover()
        body: dict = {"model": self._model, "prompt": prompt, "max_tokens": max_tokens, "temperature": temperature}
        if stop:
            body["stop"] = list(stop)
        if seed is not None:
            body["seed"] = seed
        if logprobs:
            body["logprobs"] = logprobs  # the completions API takes the number of alternatives here
        if json_schema is not None:
            body.update(self._completion_constraint(json_schema))
        return self._generate("/v1/completions", body, cancel)

    def chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float = 0.7,
        json_schema: dict | None = None,
        logprobs: int | None = None,
        seed: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Completion:
        self._discover()
        body: dict = {
            "model": self._model,
            "messages": [{"role": message.role, "content": message.content} for message in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if seed is not None:
            body["seed"] = seed
        if logprobs:
            body["logprobs"] = True
            body["top_logprobs"] = logprobs
        if json_schema is not None:
            if self._server_kind == "llama-cpp-python":
                body["response_format"] = {"type": "json_object", "schema": json_schema}
            else:
                body["response_format"] = _standard_response_format(json_schema)
        return self._generate("/v1/chat/completions", body, cancel)

    def count_tokens(self, text: str) -> int:
        """The server's own count where it has a tokenize endpoint, else an estimate."""
        self._discover()
        if self._tokenizer is None:
            self._tokenizer = self._find_tokenizer(text)
        return self._tokenizer(text)

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            idle, self._idle_connections = self._idle_connections, []
        for connection in idle:
            connection.close()

    def __enter__(self) -> OpenAIBackend:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- dialects ---------------------------------------------------------------------

    def _completion_constraint(self, json_schema: dict) -> dict:
        if self._server_kind == "llama-server":
            return {"json_schema": json_schema}
        if self._server_kind == "llama-cpp-python":
            return {"grammar": self._grammar_for(json_schema)}
        return {"response_format": _standard_response_format(json_schema)}

    def _grammar_for(self, json_schema: dict) -> str:
        key = json.dumps(json_schema, sort_keys=True)
        grammar = self._grammars.get(key)
        if grammar is None:
            try:
                # llama_cpp is heavy and only this server kind needs it, so it is imported here.
                from llama_cpp.llama_grammar import json_schema_to_gbnf
            except ImportError as error:
                raise BackendError(
                    "llama-cpp-python's server only constrains completions with a grammar, "
                    "and writing one needs the llama_cpp package installed here"
                ) from error
            try:
                grammar = json_schema_to_gbnf(json.dumps(json_schema))
            except Exception as error:  # the converter raises bare exceptions for schemas it cannot express
                raise BackendError(f"the JSON schema cannot be turned into a grammar ({error})") from error
            self._grammars[key] = grammar
        return grammar

    def _discover(self) -> None:
        """Learns the model, context length and server kind that were not given, once."""
        if self._discovered:
            return
        with self._discover_lock:
            if self._discovered:
                return
            need_models = self._model is None or self._server_kind is None or self._context_length is None
            listed = self._list_models() if need_models else []
            if self._model is None:
                if not listed:
                    raise BackendError(f"the server at {self.base_url} lists no models; pass the model name")
                self._model = str(listed[0].get("id", ""))
            entry = next((item for item in listed if item.get("id") == self._model), listed[0] if listed else {})
            owner = str(entry.get("owned_by", "")).lower()
            props = None
            if self._server_kind is None:
                if owner == "vllm":
                    self._server_kind = "vllm"
                elif owner == "llamacpp":
                    self._server_kind = "llama-server"
                else:
                    props = self._probe("GET", "/props")
                    if isinstance(props, dict) and "default_generation_settings" in props:
                        self._server_kind = "llama-server"
                    elif self._probe("POST", "/extras/tokenize/count", {"input": "", "model": self._model}) is not None:
                        self._server_kind = "llama-cpp-python"
                    elif isinstance(self._probe("GET", "/api/version"), dict):
                        self._server_kind = "ollama"
                    else:
                        self._server_kind = "openai"
            if self._context_length is None:
                self._context_length = self._find_context_length(entry, props)
            self._discovered = True

    def _list_models(self) -> list[dict]:
        try:
            reply = self._call("GET", "/v1/models")
        except (RequestRejected, _NotJSON) as error:
            if self._model is not None:
                return []  # some servers have no model list; the name we were given is enough
            if isinstance(error, RequestRejected) and error.status == 404:
                raise BackendError(f"the server at {self.base_url} has no model list; pass the model name") from None
            raise
        data = reply.get("data") if isinstance(reply, dict) else None
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def _find_context_length(self, entry: dict, props: dict | None) -> int:
        if self._server_kind == "vllm" and isinstance(entry.get("max_model_len"), int):
            return entry["max_model_len"]
        if self._server_kind == "llama-server":
            if props is None:
                props = self._probe("GET", "/props")
            settings = props.get("default_generation_settings") if isinstance(props, dict) else None
            if isinstance(settings, dict) and isinstance(settings.get("n_ctx"), int):
                return settings["n_ctx"]  # per slot, which is what one request can use
            meta = entry.get("meta")
            if isinstance(meta, dict) and isinstance(meta.get("n_ctx"), int):
                return meta["n_ctx"]
        return DEFAULT_CONTEXT_LENGTH

    def _find_tokenizer(self, sample: str) -> Callable[[str], int]:
        """The server's token counter if it has one that works, else the estimate; asked once."""
        counters = {
            "llama-server": self._count_with_llama_server,
            "llama-cpp-python": self._count_with_llama_cpp_python,
            "vllm": self._count_with_vllm,
            "openai": self._count_with_vllm,  # vLLM behind a proxy looks like this
        }
        counter = counters.get(self._server_kind or "")
        if counter is None:
            return approximate_tokens
        try:
            counter(sample)
        except (RequestRejected, _NotJSON, KeyError, TypeError, ValueError):
            return approximate_tokens  # no such endpoint here; an unreachable server still raises
        return counter

    def _count_with_llama_server(self, text: str) -> int:
        return len(self._call("POST", "/tokenize", {"content": text}, retry=False)["tokens"])

    def _count_with_llama_cpp_python(self, text: str) -> int:
        reply = self._call("POST", "/extras/tokenize/count", {"input": text, "model": self._model}, retry=False)
        return int(reply["count"])

    def _count_with_vllm(self, text: str) -> int:
        reply = self._call("POST", "/tokenize", {"model": self._model, "prompt": text}, retry=False)
        return len(reply["tokens"])

    # -- HTTP ---------------------------------------------------------------------------

    def _generate(self, path: str, body: dict, cancel: threading.Event | None = None) -> Completion:
        """One generation request; a set ``cancel`` stops it before it is sent or retried (one in flight runs to its end)."""
        with self._slots:
            reply, seconds = self._exchange("POST", path, body, cancel=cancel)
        return _parse_completion(reply, seconds=seconds)

    def _probe(self, method: str, path: str, body: dict | None = None) -> dict | None:
        """One try at an endpoint that only some servers have; None when it is not there."""
        try:
            reply = self._call(method, path, body, retry=False)
        except (RequestRejected, _NotJSON):
            return None
        return reply if isinstance(reply, dict) else None

    def _call(self, method: str, path: str, body: dict | None = None, *, retry: bool = True):
        return self._exchange(method, path, body, retry=retry)[0]

    def _exchange(self, method: str, path: str, body: dict | None = None, *, retry: bool = True, cancel: threading.Event | None = None):
        """The server's JSON answer, and the seconds the attempt that got it took."""
        attempts = 1 + (self._retries if retry else 0)
        for attempt in range(attempts):
            stop_if_cancelled(cancel)
            try:
                return self._attempt(method, path, body)
            except _Retryable as failure:
                if attempt + 1 >= attempts:
                    tries = f" ({attempts} tries)" if attempts > 1 else ""
                    raise BackendError(f"{failure.sentence}{tries}") from None
                delay = self._backoff * (2**attempt)
                if failure.retry_after is not None:
                    delay = max(delay, min(failure.retry_after, MAX_RETRY_AFTER_SECONDS))
                if cancel is None:
                    time.sleep(delay)
                elif cancel.wait(delay):
                    raise GenerationCancelled() from None
        raise AssertionError("unreachable")  # the loop either returns or raises

    def _attempt(self, method: str, path: str, body: dict | None) -> tuple[object, float]:
        payload = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        target = self._path_prefix + path
        connection, reused = self._take_connection()
        started = time.monotonic()
        try:
            try:
                connection.request(method, target, body=payload, headers=headers)
                response = connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if not reused:
                    raise
                # A kept-alive connection the server had already closed: try once on a fresh one.
                connection.close()
                connection, reused = self._new_connection(), False
                started = time.monotonic()
                connection.request(method, target, body=payload, headers=headers)
                response = connection.getresponse()
            raw = response.read()
        except TimeoutError:
            connection.close()
            raise _Retryable(f"the server at {self.base_url} did not answer within {self._timeout:g} s") from None
        except ConnectionRefusedError:
            connection.close()
            raise _Retryable(f"could not connect to {self.base_url}: connection refused; is the server running?") from None
        except ssl.SSLError as error:
            connection.close()
            raise _Retryable(f"could not talk to {self.base_url} over TLS ({error.reason or error})") from None
        except (http.client.HTTPException, OSError) as error:
            connection.close()
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            raise _Retryable(f"could not reach {self.base_url}: {reason}") from None
        seconds = time.monotonic() - started
        if response.will_close:
            connection.close()
        else:
            self._return_connection(connection)
        status = response.status
        if status in RETRYABLE_STATUSES:
            raise _Retryable(
                f"the server at {self.base_url} failed with HTTP {status} ({_error_message(raw)})",
                retry_after=_parse_retry_after(response.getheader("Retry-After")),
            )
        if status >= 400:
            raise RequestRejected(status, _error_message(raw))
        try:
            return json.loads(raw), seconds
        except ValueError:
            raise _NotJSON(
                f"the server at {self.base_url} answered {path} with something that is not JSON "
                f"({_first_line(raw.decode('utf-8', 'replace')) or 'an empty body'}); is it an OpenAI-compatible server?"
            ) from None

    def _take_connection(self) -> tuple[http.client.HTTPConnection, bool]:
        with self._pool_lock:
            if self._closed:
                raise BackendError(f"the backend for {self.base_url} was closed")
            if self._idle_connections:
                return self._idle_connections.pop(), True
        return self._new_connection(), False

    def _new_connection(self) -> http.client.HTTPConnection:
        if self._scheme == "https":
            return http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout)
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def _return_connection(self, connection: http.client.HTTPConnection) -> None:
        with self._pool_lock:
            if not self._closed and len(self._idle_connections) < self.parallel + 2:
                self._idle_connections.append(connection)
                return
        connection.close()


def _split_base_url(base_url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path prefix of the server, with any trailing ``/v1`` taken off."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendError(f"the server address {base_url!r} is not an http:// or https:// URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BackendError(f"the server address {base_url!r} has a port that is not a number") from None
    prefix = parts.path.rstrip("/")
    if prefix.endswith("/v1"):
        prefix = prefix[: -len("/v1")]
    return parts.scheme, parts.hostname, port, prefix


def _standard_response_format(json_schema: dict) -> dict:
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "schema": json_schema, "strict": True}}


def _parse_completion(reply: dict, *, seconds: float) -> Completion:
    choices = reply.get("choices") if isinstance(reply, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise BackendError("the server answered without any choices")
    choice = choices[0]
    message = choice.get("message")
    if isinstance(message, dict):
        text = message.get("content") or ""
    else:
        text = choice.get("text") or ""
    usage = _table(reply, "usage")
    timings = _table(reply, "timings")
    details = _table(usage, "prompt_tokens_details")
    # OpenAI-style servers say it in usage, llama-server in its timings.
    cached_tokens = next((value for value in (details.get("cached_tokens"), timings.get("cache_n")) if isinstance(value, int)), 0)
    prompt_ms = timings.get("prompt_ms")
    return Completion(
        text=text,
        finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
        prompt_tokens=_as_int(usage.get("prompt_tokens")),
        completion_tokens=_as_int(usage.get("completion_tokens")),
        cached_tokens=max(0, cached_tokens),
        seconds=seconds,
        prompt_seconds=prompt_ms / 1000.0 if isinstance(prompt_ms, (int, float)) else 0.0,
        top_logprobs=_parse_top_logprobs(choice.get("logprobs")),
    )


def _parse_top_logprobs(logprobs) -> list[dict[str, float]]:
    """Per generated token, its alternatives and their log-probabilities, from either reply format."""
    if not isinstance(logprobs, dict):
        return []
    content = logprobs.get("content")
    if isinstance(content, list):  # chat format, which llama-server also uses for plain completions
        per_token = []
        for item in content:
            if not isinstance(item, dict):
                continue
            alternatives = {
                str(alternative.get("token")): float(alternative["logprob"])
                for alternative in item.get("top_logprobs") or []
                if isinstance(alternative, dict) and isinstance(alternative.get("logprob"), (int, float))
            }
            if not alternatives and isinstance(item.get("logprob"), (int, float)):
                alternatives = {str(item.get("token")): float(item["logprob"])}
            per_token.append(alternatives)
        return per_token
    top = logprobs.get("top_logprobs")
    if isinstance(top, list):  # completions format: one {token: logprob} per generated token
        return [
            {str(token): float(value) for token, value in entry.items() if isinstance(value, (int, float))}
            if isinstance(entry, dict)
            else {}
            for entry in top
        ]
    return []


def _table(mapping: dict, key: str) -> dict:
    """A nested object of a server's reply, or an empty one when the server left it out or sent something else."""
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def _as_int(value) -> int:
    return value if isinstance(value, int) else 0


def _first_line(text: str, limit: int = 200) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _error_message(raw: bytes) -> str:
    """The first line of what the server said was wrong, from the usual error shapes."""
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        return _first_line(text) or "no message"
    if isinstance(data, dict):
        for candidate in (data.get("error"), data.get("detail"), data.get("message")):
            if isinstance(candidate, dict):
                candidate = candidate.get("message") or candidate.get("msg")
            if isinstance(candidate, list) and candidate and isinstance(candidate[0], dict):
                candidate = candidate[0].get("msg")  # FastAPI validation errors
            if isinstance(candidate, str) and candidate.strip():
                return _first_line(candidate)
    return _first_line(text) or "no message"


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, which is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
