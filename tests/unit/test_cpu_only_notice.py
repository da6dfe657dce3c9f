"""On a GPU machine whose llama.cpp cannot offload, check and eval say so at the end, naming the speed they measured, as generate does."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from papergym.core.llm.backend import Completion, FakeBackend
from papergym.tui.cli.main import cli

from tests.questions import GOOD, add_question


@pytest.fixture
def cpu_only_llama_on_a_gpu_machine(monkeypatch):
    import llama_cpp

    monkeypatch.setenv("PAPERGYM_ASSUME_GPU", "1")
    monkeypatch.setenv("PAPERGYM_GPU_LEASE", "0")
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: False)


def test_check_names_the_speed_its_own_model_calls_measured(library, monkeypatch, cpu_only_llama_on_a_gpu_machine):
    from papergym.core.llm import backends

    for index in range(4):
        add_question(library, f"{GOOD} Variant {index} asks about a wire of {index + 2} metres.")
    # Each verdict: one token generated after reading a 200-token prompt, in half a second.
    verdict = Completion(
        text=" yes", prompt_tokens=200, completion_tokens=1, seconds=0.5, top_logprobs=[{" yes": math.log(0.9), " no": math.log(0.05)}]
    )
    monkeypatch.setattr(backends, "open_backend", lambda library, **options: FakeBackend([verdict] * 4))
    result = CliRunner().invoke(cli, ["check", "--steps", "validate,score", "--library", str(library.folder)])
    assert result.exit_code == 0, result.output
    notice = "built without GPU offload, so generation runs on the CPU (measured in this run: 2.0 tokens/s generated, 402 tokens/s counting the prompts read, on the CPU)"
    assert result.stderr.count("built without GPU offload") == 1 and notice in result.stderr
    assert result.output.index("STEP") < result.output.index(notice)  # said after the run, with its figures


def test_eval_names_the_speed_of_its_llama_cpp_run(tmp_path, monkeypatch, cpu_only_llama_on_a_gpu_machine):
    from papergym.train.evaluation import run as evaluation
    from papergym.train.evaluation.generation import Generation

    class CpuLlama:
        engine, device, batch_size = "llama.cpp", "cpu", 1

        def generate(self, prompts, max_new_tokens, stop_at, cancel):
            return [Generation("Copper conducts.\nAnswer: C", 12) for _ in prompts]

        def close(self) -> None:
            pass

    questions = tmp_path / "questions.jsonl"
    rows = [{"id": f"q{n}", "question": f"Question {n}?", "options": ["a", "b", "c", "d"], "answer": "C"} for n in range(3)]
    questions.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    real_evaluate = evaluation.evaluate

    def evaluate_in_six_seconds(library, **options):
        report = real_evaluate(library, model="tiny.gguf", on=options["on"], generator=CpuLlama())
        report.seconds = 6.0  # 3 answers of 12 tokens: 6.0 tokens/s
        return report

    monkeypatch.setattr(evaluation, "evaluate", evaluate_in_six_seconds)
    result = CliRunner().invoke(cli, ["eval", "--model", "tiny.gguf", "--on", str(questions), "--library", str(tmp_path / "lib")])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("built without GPU offload") == 1
    assert "(measured in this run: 6.0 tokens/s generated, on the CPU)" in result.stderr
