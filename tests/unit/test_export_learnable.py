"""Export keeps the learnable band and writes an easy-to-hard curriculum from the measured pass rates."""

from __future__ import annotations

import pytest
from papergym.core.errors import PapergymError
from papergym.core.quality.learnability import LearnabilityResult, LearnableBand
from papergym.core.quality.learnability_store import save_measurement

from tests.unit.test_export import add_questions, parquet_rows, run

# Passes out of 8 on 4-option questions (chance 25%): 8 too easy, 2 too hard (at chance), 4/5/6/7 learnable.
PASSES = {"q-easy": 8, "q-chance": 2, "q-4": 4, "q-5": 5, "q-6": 6, "q-7": 7}


@pytest.fixture
def measured_library(library):
    rows = [
        {"id": question_id, "paper_id": "paper0", "discipline": "Physics", "question": f"What does {question_id} measure?"}
        for question_id in [*PASSES, "q-unmeasured"]
    ]
    add_questions(library, rows)
    for question_id, passes in PASSES.items():
        result = LearnabilityResult(passes=passes, samples=8, chance=0.25, mode="sample", band="")
        save_measurement(library, question_id, "gemma3-270m", result, 1.0)
    return library


def test_learnable_keeps_the_band_and_counts_what_it_left_out(measured_library, tmp_path):
    report = run(measured_library, tmp_path / "out", split="train=1", learnable=LearnableBand(0.1, 0.9))
    written = {row["id"] for row in parquet_rows(tmp_path / "out", "train")}
    assert written == {"q-4", "q-5", "q-6", "q-7"}
    assert report.learnable == {"kept": 4, "too easy": 1, "too hard": 1, "not measured": 1}
    # A narrower band keeps less: above chance, 4/8 is 0.33, 5/8 is 0.5, 6/8 is 0.67, 7/8 is 0.83.
    report = run(measured_library, tmp_path / "narrow", split="train=1", learnable=LearnableBand(0.4, 0.7))
    assert {row["id"] for row in parquet_rows(tmp_path / "narrow", "train")} == {"q-5", "q-6"}


def test_difficulty_order_writes_easy_to_hard(measured_library, tmp_path):
    run(measured_library, tmp_path / "out", split="train=1", order="difficulty")
    order = [row["id"] for row in parquet_rows(tmp_path / "out", "train")]
    assert order == ["q-easy", "q-7", "q-6", "q-5", "q-4", "q-chance", "q-unmeasured"]


def test_a_band_that_keeps_nothing_says_why(measured_library, tmp_path):
    with pytest.raises(PapergymError, match=r"None of the 7 selected questions is learnable .*1 not measured.*--band"):
        run(measured_library, tmp_path / "out", split="train=1", learnable=LearnableBand(0.95, 1.0))
    with pytest.raises(PapergymError, match="--order"):
        run(measured_library, tmp_path / "out", order="hardest")


def test_train_takes_the_same_band_and_a_curriculum(measured_library):
    from papergym.train.config import TrainConfig
    from papergym.train.data import load_training_data

    data = load_training_data(TrainConfig(learnable_band=(0.1, 0.9)), measured_library)
    assert sorted(row["id"] for row in data.rows) == ["q-4", "q-5", "q-6", "q-7"]
    assert data.skipped == {"too easy for learnability": 1, "too hard for learnability": 1, "not measured for learnability": 1}

    curriculum = load_training_data(TrainConfig(learnable_band=(0.1, 0.9), curriculum=True), measured_library)
    assert [row["id"] for row in curriculum.rows] == ["q-7", "q-6", "q-5", "q-4"]

    # The band travels with the run's stored config, so a resumed run keeps it.
    config = TrainConfig(learnable_band=(0.2, 0.8), curriculum=True)
    assert TrainConfig.from_json(config.to_json()).learnable_band == (0.2, 0.8)
    with pytest.raises(PapergymError, match="empty"):
        TrainConfig(learnable_band=(0.8, 0.2))
    with pytest.raises(PapergymError, match="--band"):
        load_training_data(TrainConfig(learnable_band=(0.95, 1.0)), measured_library)
