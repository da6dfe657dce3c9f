"""The Train screen's advice when GRPO's groups keep getting one reward for every completion."""

from __future__ import annotations

from papergym.train.zero_signal import zero_signal_advice


def steps(*values: float) -> list[tuple[int, float]]:
    return list(enumerate(values, start=1))


def test_a_high_flat_share_over_recent_steps_says_why_and_what_to_do():
    advice = zero_signal_advice(steps(0.2, 0.9, 0.8, 0.9, 1.0, 0.8), steps(0.9, 0.95, 0.9, 1.0, 1.0, 0.9))
    assert advice.startswith("In steps 2-6, 88% of the questions gave every completion the same reward")
    assert "too easy" in advice and "papergym check --steps learnability" in advice and "--learnable" in advice
    hard = zero_signal_advice(steps(0.9, 0.9, 0.9, 0.9, 0.9), steps(0.0, 0.05, 0.0, 0.0, 0.1))
    assert "too hard" in hard and "3% correct" in hard


def test_no_advice_while_the_run_learns_or_has_too_few_steps():
    assert zero_signal_advice(steps(0.2, 0.3, 0.25, 0.4, 0.3), steps(0.5, 0.5, 0.5, 0.5, 0.5)) is None
    assert zero_signal_advice(steps(1.0, 1.0, 1.0), steps(1.0, 1.0, 1.0)) is None
