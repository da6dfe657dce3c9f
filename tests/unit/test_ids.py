"""Typing a few characters of a run or eval id finds it, the same way for every kind of id."""

from __future__ import annotations

import hashlib

import pytest
from papergym.core.ids import file_sha256, now
from papergym.train.evaluation.errors import EvalError
from papergym.train.evaluation.results import get_eval
from papergym.train.run import RunNotFound, resolve_run_id

RUNS = {
    "run-20261130-090000-ef56": "2026-11-30T09:00:00+00:00",
    "run-20261201-101010-ab12": "2026-12-01T10:10:10+00:00",
    "run-20261201-101010-cd34": "2026-12-01T10:10:11+00:00",
}


@pytest.fixture
def runs(library):
    with library.write() as db:
        for run_id, started_at in RUNS.items():
            db.execute("INSERT INTO runs (id, status, started_at) VALUES (?, 'finished', ?)", [run_id, started_at])
    return library


def test_a_unique_prefix_names_its_run_in_any_case(runs):
    assert resolve_run_id(runs, "run-20261130") == "run-20261130-090000-ef56"
    assert resolve_run_id(runs, " RUN-20261130 ") == "run-20261130-090000-ef56"
    assert resolve_run_id(runs, "latest") == "run-20261201-101010-cd34"


def test_an_ambiguous_or_unknown_run_is_one_sentence(runs):
    with pytest.raises(RunNotFound, match="The id prefix run-20261201 matches several runs; type more of it."):
        resolve_run_id(runs, "run-20261201")
    with pytest.raises(RunNotFound, match="No run has the id run-nope; `papergym runs` lists them."):
        resolve_run_id(runs, "run-nope")
    # % and _ are characters of the id, not wildcards.
    with pytest.raises(RunNotFound, match="No run has the id run-%"):
        resolve_run_id(runs, "run-%")
    with pytest.raises(RunNotFound, match="No run has the id run_20261130"):
        resolve_run_id(runs, "run_20261130")


def test_a_full_id_wins_over_longer_ids_it_begins(library):
    with library.write() as db:
        for eval_id in ("eval-abc", "eval-abcd"):
            db.execute(
                "INSERT INTO evals (id, model, dataset, questions, accuracy, created_at) VALUES (?, 'm', 'validation', 1, 0.5, ?)",
                [eval_id, now()],
            )
    assert get_eval(library, "eval-abc")["id"] == "eval-abc"
    assert get_eval(library, "eval-abcd")["id"] == "eval-abcd"
    with pytest.raises(EvalError, match="The id prefix eval-ab matches several evals"):
        get_eval(library, "eval-ab")


def test_a_file_hash_is_the_sha256_of_all_its_bytes(tmp_path):
    path = tmp_path / "paper.pdf"
    content = b"%PDF-1.4\n" + bytes(range(256)) * 5000  # more than one 1 MiB block
    path.write_bytes(content)
    assert file_sha256(path) == hashlib.sha256(content).hexdigest()
