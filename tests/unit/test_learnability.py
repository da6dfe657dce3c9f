"""Learnability: pass rates of the model to be trained, against chance, and the selections built on them."""

from __future__ import annotations

import math

import pytest
from papergym.core.llm.backend import Completion, FakeBackend
from papergym.core.quality.learnability import (
    BandError,
    LearnabilitySettings,
    LearnableBand,
    chance_pass_rate,
    expected_pass_rate,
    measure,
    skill_above_chance,
    status_line,
)
from papergym.core.quality.learnability_store import easy_to_hard, keep_learnable, measurements, save_measurement

MCQ = {
    "id": "q-mcq",
    "kind": "mcq",
    "question": "A copper wire carries 3.0 A with a 0.6 V drop along it. What is its resistance?",
    "options": ["0.2 ohm", "5.0 ohm", "1.8 ohm", "0.5 ohm"],
    "answer": "A",
}
NUMERIC = {
    "id": "q-num",
    "kind": "numeric",
    "question": "A first-order reaction has k = 0.1 s^-1. What is its half-life in seconds?",
    "options": [],
    "answer": "6.93",
    "unit": "s",
    "tolerance": 0.02,
}


def letters(**probabilities) -> Completion:
    return Completion(text=" A", completion_tokens=1, top_logprobs=[{f" {k}": math.log(v) for k, v in probabilities.items()}])


def test_chance_depends_on_kind_and_option_count():
    assert chance_pass_rate(MCQ) == 0.25
    assert chance_pass_rate({**MCQ, "options": [str(n) for n in range(10)]}) == 0.1
    assert chance_pass_rate(NUMERIC) == 0.0
    # Guessing a 4-option question is zero skill; half right is a third of the way from guessing to always right.
    assert skill_above_chance(0.25, 0.25) == 0.0
    assert skill_above_chance(0.10, 0.25) == 0.0
    assert skill_above_chance(0.5, 0.25) == pytest.approx(1 / 3)
    assert skill_above_chance(0.5, 0.0) == 0.5


def test_sampled_pass_rate_counts_solutions_that_reach_the_key():
    replies = ["R = V/I = 0.2 ohm.\nAnswer: A"] * 5 + ["Answer: B", "Answer: C", "I am not sure."]
    backend = FakeBackend(replies)
    result = measure(backend, MCQ, LearnabilitySettings(samples=8))
    assert (result.passes, result.samples, result.unreadable) == (5, 8, 1)
    assert result.pass_rate == 0.625
    assert result.chance == 0.25
    assert result.band == "learnable"
    assert len(backend.prompts) == 8
    line = status_line(result, LearnableBand(), "gemma3-270m")
    assert line.startswith("learnable: gemma3-270m passed 5/8 (62%, chance 25%, 0.50 above chance")
    assert "0.10" in line and "0.90" in line


def test_a_model_at_chance_is_too_hard_and_one_always_right_is_too_easy():
    at_chance = measure(FakeBackend(["Answer: A", "Answer: B", "Answer: C", "Answer: D"] * 2), MCQ, LearnabilitySettings())
    assert at_chance.pass_rate == 0.25 and at_chance.band == "too hard"
    always = measure(FakeBackend(["Answer: A"] * 8), MCQ, LearnabilitySettings())
    assert always.band == "too easy"
    # An open answer has no chance level: 2 of 8 is learnable there.
    numeric = measure(FakeBackend(["Answer: 6.93 s"] * 2 + ["Answer: 10 s"] * 6), NUMERIC, LearnabilitySettings())
    assert (numeric.passes, numeric.chance, numeric.band) == (2, 0.0, "learnable")


def test_logprob_mode_reads_the_key_probability_at_the_training_temperature():
    backend = FakeBackend([letters(A=0.5, B=0.3, C=0.1, D=0.1)])
    result = measure(backend, MCQ, LearnabilitySettings(mode="logprob", samples=8, temperature=1.0))
    assert result.mode == "logprob"
    assert result.pass_rate == pytest.approx(0.5)
    assert result.passes == pytest.approx(4.0)
    assert len(backend.prompts) == 1
    # A cooler temperature sharpens toward the favourite; greedy picks it always.
    assert expected_pass_rate({"A": 0.5, "B": 0.3, "C": 0.1, "D": 0.1}, "A", 0.5) == pytest.approx(0.25 / 0.36)
    assert expected_pass_rate({"A": 0.5, "B": 0.3, "C": 0.1, "D": 0.1}, "B", 0.0) == 0.0
    # Numeric questions fall back to sampling.
    assert measure(FakeBackend(["Answer: 6.93 s"] * 8), NUMERIC, LearnabilitySettings(mode="logprob")).mode == "sample"


def test_a_band_must_hold_something_and_parses_as_typed():
    assert LearnableBand.parse("0.2,0.8") == LearnableBand(0.2, 0.8)
    assert LearnableBand.parse("0.2-0.8") == LearnableBand(0.2, 0.8)
    with pytest.raises(BandError, match="empty"):
        LearnableBand.parse("0.9,0.1")
    with pytest.raises(BandError, match="not two numbers"):
        LearnableBand.parse("easy")


def test_stored_measurements_select_the_band_and_order_a_curriculum(library):
    settings = LearnabilitySettings()
    rows = [{"id": f"q{n}"} for n in range(5)]
    rates = {"q0": 8, "q1": 2, "q2": 5, "q3": 4}  # q4 is never measured
    for question_id, passes in rates.items():
        result = measure(FakeBackend(["Answer: A"] * passes + ["Answer: B"] * (8 - passes)), {**MCQ, "id": question_id}, settings)
        save_measurement(library, question_id, "base", result, settings.temperature)
    measured = measurements(library)
    assert measured["q2"]["samples"] == 8 and measured["q2"]["pass_rate"] == 0.625 and measured["q2"]["measured_at"]

    selection = keep_learnable(rows, measured, LearnableBand())
    assert [row["id"] for row in selection.rows] == ["q2", "q3"]
    assert selection.left_out == {"too easy": 1, "too hard": 1, "not measured": 1}
    assert [row["id"] for row in easy_to_hard(rows, measured)] == ["q0", "q2", "q3", "q1", "q4"]

    # Another model's measurement of the same question is kept apart.
    result = measure(FakeBackend(["Answer: B"] * 8), {**MCQ, "id": "q0"}, settings)
    save_measurement(library, "q0", "bigger", result, settings.temperature)
    assert measurements(library, "base")["q0"]["pass_rate"] == 1.0
    assert measurements(library, "bigger")["q0"]["pass_rate"] == 0.0


def test_the_check_step_records_each_band_and_a_new_band_needs_no_new_measurement(library):
    from papergym.core.quality.pipeline import CheckSettings, question_checks, run_checks

    from tests.questions import add_question

    easy = add_question(library)
    learnable = add_question(library)
    learner = FakeBackend(["Answer: A"] * 8 + ["Answer: A"] * 5 + ["Answer: B"] * 3, model_name="base-270m")
    settings = CheckSettings(steps=("learnability",), learnability=LearnabilitySettings(model="base-270m"))
    report = run_checks(library, settings, open_learner=lambda: learner)

    summary = report.steps[0]
    assert summary.ran == 2 and summary.extra["bands"] == {"too easy": 1, "learnable": 1}
    row = next(row for row in question_checks(library, easy) if row["step"] == "learnability")
    assert row["status"] == "pass"  # a band is not a defect: export and train act on it
    assert row["reasons"][0].startswith("too easy: base-270m passed 8/8 (100%, chance 25%")
    assert measurements(library, "base-270m")[learnable]["pass_rate"] == 0.625

    # A narrower band re-reads the stored pass rates: the fake model has no reply left to give.
    narrow = CheckSettings(steps=("learnability",), learnability=LearnabilitySettings(model="base-270m", band=LearnableBand(0.6, 0.9)))
    report = run_checks(library, narrow, open_learner=lambda: learner)
    assert report.steps[0].ran == 0 and report.steps[0].extra["bands"] == {"too easy": 1, "too hard": 1}
    row = next(row for row in question_checks(library, learnable) if row["step"] == "learnability")
    assert row["reasons"][0].startswith("too hard:") and "0.60 and 0.90" in row["reasons"][0]


def test_accepted_questions_are_measured_too_since_they_are_what_a_run_trains_on(library):
    from papergym.core.quality.pipeline import CheckSettings, run_checks

    from tests.questions import add_question

    accepted = add_question(library, status="accepted")
    rejected = add_question(library, status="rejected")
    learner = FakeBackend(["Answer: A"] * 8, model_name="base")
    run_checks(library, CheckSettings(steps=("learnability",)), open_learner=lambda: learner)
    assert set(measurements(library)) == {accepted}
    assert library.query("SELECT status FROM questions WHERE id = ?", [accepted])[0]["status"] == "accepted"
    assert rejected not in measurements(library)
