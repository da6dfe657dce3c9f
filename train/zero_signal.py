"""Reading a run's ``frac_reward_zero_std``: when GRPO keeps getting groups with nothing to compare, say why and what to do.

GRPO's advantage is a completion's reward minus its group's mean. When every
completion of a question gets the same reward (all right or all wrong), the
advantages are zero and that question teaches nothing. TRL logs the share of
such groups per step; a run where it stays high spends its compute on nothing.
Whether the questions are too easy or too hard follows from the correctness
reward over the same steps.
"""

from __future__ import annotations

from statistics import fmean

RECENT_STEPS = 5  # the logged steps the advice looks at (one noisy step says little)
HIGH_SHARE = 0.7  # at or above this share of flat groups, most of the compute is wasted


def zero_signal_advice(zero_std: list[tuple[int, float]], correctness: list[tuple[int, float]]) -> str | None:
    """A sentence for the user when the recent steps' flat-group share stays high, else None.

    ``zero_std`` and ``correctness`` are (step, value) points of ``frac_reward_zero_std``
    and the correctness reward's mean, in any order.
    """
    recent = [value for _, value in sorted(zero_std)[-RECENT_STEPS:]]
    if len(recent) < RECENT_STEPS or fmean(recent) < HIGH_SHARE:
        return None
    steps = [step for step, _ in sorted(zero_std)[-RECENT_STEPS:]]
    share = fmean(recent)
    lead = (
        f"In steps {steps[0]}-{steps[-1]}, {share:.0%} of the questions gave every completion the same reward, "
        "so GRPO learned nothing from them."
    )
    recent_correct = [value for step, value in correctness if steps[0] <= step <= steps[-1]]
    correct = fmean(recent_correct) if recent_correct else None
    if correct is not None and correct >= 0.5:
        why = f"The model already solves most of them ({correct:.0%} correct): they are too easy for it."
    elif correct is not None:
        why = f"The model rarely solves them ({correct:.0%} correct): they are too hard for it."
    else:
        why = "They are too easy or too hard for this model."
    fix = (
        "Measure each question with `papergym check --steps learnability`, then train on the learnable band "
        "(`papergym train --learnable`); more completions per question (--num-generations) also help."
    )
    return f"{lead} {why} {fix}"
