"""The interface every text-generation backend offers, and a fake one for tests.

Backends: llama.cpp in process (``core/llm/llamacpp.py``), any
OpenAI-compatible server (``core/llm/openai_compat.py``) and ``FakeBackend`` here.
The generation pipeline only ever talks to this interface.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from papergym.core.errors import PapergymError


class BackendError(PapergymError):
    """A model or server failed to answer; the message says why in one sentence."""


class GenerationCancelled(PapergymError):
    """A request stopped because its cancel event was set; not a failure of the model.

    Callers that pass a cancel event catch it and leave the work pending, so a
    cancel takes effect within a token instead of after the whole reply.
    """

    def __init__(self, message: str = "Generation was cancelled before the model finished its reply.") -> None:
        super().__init__(message)


def stop_if_cancelled(cancel: threading.Event | None) -> None:
    """Raise GenerationCancelled when ``cancel`` is set; backends call it wherever they can stop."""
    if cancel is not None and cancel.is_set():
        raise GenerationCancelled()


@dataclass
class Completion:
    """One reply of a model, with what it cost."""

    text: str
    finish_reason: str = "stop"  # "stop" or "length" (cut off at max_tokens)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens reused from an earlier call (prefix cache)
    seconds: float = 0.0
    prompt_seconds: float = 0.0  # time spent evaluating the prompt, where the backend can tell
    top_logprobs: list[dict[str, float]] = field(default_factory=list)  # per generated token, if asked


@dataclass
class Message:
    role: str  # system | user | assistant
    content: str


class Backend(Protocol):
    """What the pipeline needs from a model.

    ``cancel``, when given and set, makes ``complete`` and ``chat`` stop as soon
    as they can (within a token for llama.cpp, before sending or retrying for a
    server) and raise GenerationCancelled.
    """

    model_name: str
    context_length: int
    supports_chat: bool  # the model has a chat template (an instruct model)
    parallel: int  # how many requests it can usefully take at once

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
    ) -> Completion: ...

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
    ) -> Completion: ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None: ...


class TokenMeter:
    """Adds up what a job's model calls cost (tokens generated, prompt tokens read, seconds), over every backend it wraps.

    A job that talks to its models through several steps (a check) learns its
    own speed from here, without each step counting.
    """

    def __init__(self) -> None:
        self.generated_tokens = 0
        self.prompt_tokens_read = 0  # prompt tokens not taken from a prefix cache
        self.seconds = 0.0
        self._lock = threading.Lock()

    def add(self, completion: Completion) -> None:
        with self._lock:
            self.generated_tokens += completion.completion_tokens
            self.prompt_tokens_read += max(0, completion.prompt_tokens - completion.cached_tokens)
            self.seconds += completion.seconds

    def wrap(self, backend: Backend) -> Backend:
        """``backend`` as it is, except that each reply it gives is counted here."""
        return _MeteredBackend(backend, self)


class _MeteredBackend:
    def __init__(self, backend: Backend, meter: TokenMeter) -> None:
        self._backend = backend
        self._meter = meter

    def __getattr__(self, name: str):
        return getattr(self._backend, name)

    def complete(self, prompt: str, **options) -> Completion:
        completion = self._backend.complete(prompt, **options)
        self._meter.add(completion)
        return completion

    def chat(self, messages: list[Message], **options) -> Completion:
        completion = self._backend.chat(messages, **options)
        self._meter.add(completion)
        return completion


def approximate_tokens(text: str) -> int:
    """A tokenizer-free estimate (about 4 characters a token in English prose)."""
    return max(1, len(text) // 4)


class FakeBackend:
    """Returns queued replies in order, and records every prompt it was given.

    A queued item may be a string, a Completion, or an Exception to raise.
    Like a real model it takes ``delay`` seconds before it answers; a ``cancel``
    set before or during that time stops it with GenerationCancelled, and the
    reply it would have given stays queued.
    """

    def __init__(
        self,
        replies: Iterable[str | Completion | Exception] = (),
        *,
        model_name: str = "fake",
        context_length: int = 4096,
        supports_chat: bool = False,
        parallel: int = 1,
        delay: float = 0.0,
    ) -> None:
        self.replies: deque = deque(replies)
        self.model_name = model_name
        self.context_length = context_length
        self.supports_chat = supports_chat
        self.parallel = parallel
        self.delay = delay
        self.prompts: list[str] = []
        self._lock = threading.Lock()

    def queue(self, *replies: str | Completion | Exception) -> None:
        self.replies.extend(replies)

    def _think(self, cancel: threading.Event | None) -> None:
        """Spend ``delay`` seconds as a model would, stopping early when cancelled."""
        if not self.delay:
            return
        if cancel is None:
            time.sleep(self.delay)
            return
        if cancel.wait(self.delay):
            raise GenerationCancelled()

    def _next(self, prompt: str) -> Completion:
        with self._lock:
            self.prompts.append(prompt)
            if not self.replies:
                raise BackendError("the fake backend has no reply queued")
            reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, Completion):
            return reply
        return Completion(
            text=reply,
            prompt_tokens=approximate_tokens(prompt),
            completion_tokens=approximate_tokens(reply),
            seconds=self.delay,
        )

    def complete(self, prompt: str, *, cancel: threading.Event | None = None, **options) -> Completion:
        self._think(cancel)
        return self._next(prompt)

    def chat(self, messages: list[Message], *, cancel: threading.Event | None = None, **options) -> Completion:
        self._think(cancel)
        return self._next("\n".join(f"{m.role}: {m.content}" for m in messages))

    def count_tokens(self, text: str) -> int:
        return approximate_tokens(text)

    def close(self) -> None:
        pass
