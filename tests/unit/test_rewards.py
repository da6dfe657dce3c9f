"""The GRPO reward functions on literal completions, in both of TRL's completion shapes."""

from __future__ import annotations

import pytest
from papergym.train.rewards import completion_text, correctness, extractable, format_reward

OPTIONS = ["graphene", "silicon", "copper", "diamond"]


def mcq(completions, answer="C"):
    count = len(completions)
    return {"completions": completions, "kind": ["mcq"] * count, "answer": [answer] * count, "options": [OPTIONS] * count}


@pytest.mark.parametrize(
    "completion",
    [
        "Copper conducts best here.\nAnswer: C",
        "The answer is C.",
        "Working through it, the result is \\boxed{C}",
        "Only one option fits, so I choose (C).",
        "Silicon is a semiconductor, diamond an insulator.\nC",
        "Answer: (C)",
        "final answer: c",
    ],
)
def test_every_letter_form_is_read(completion):
    assert correctness(**mcq([completion])) == [1.0]


def test_the_last_stated_letter_counts_and_wrong_letters_score_zero():
    assert correctness(**mcq(["Answer: A\nOn reflection, answer: C"])) == [1.0]
    assert correctness(**mcq(["Answer: B"])) == [0.0]
    # A letter beyond the question's options, and prose that merely starts with "a", are no answer at all.
    assert correctness(**mcq(["Answer: E", "the answer is a balance of forces"])) == [0.0, 0.0]
    assert extractable(**mcq(["Answer: E", "the answer is a balance of forces", "Answer: B"])) == pytest.approx(1 / 3)


def test_options_may_arrive_as_json_text():
    assert correctness(completions=["Answer: B"], kind=["mcq"], answer=["B"], options=['["a", "b", "c"]']) == [1.0]


def numeric(completions, answer="4.2", unit="mW", tolerance=0.05):
    count = len(completions)
    return {
        "completions": completions,
        "kind": ["numeric"] * count,
        "answer": [answer] * count,
        "unit": [unit] * count,
        "tolerance": [tolerance] * count,
    }


def test_numeric_answers_within_tolerance_and_in_converted_units():
    completions = [
        "P = V I = 4.22 mW\nAnswer: 4.22 mW",  # within 0.05
        "Answer: 0.0042 W",  # same value in the base unit
        "Answer: 4200 uW",  # and in a smaller prefix
        "Answer: 4.2",  # no unit: read in the question's unit
        "Answer: 4.4 mW",  # outside the tolerance
        "Answer: 4.2 kg",  # a different unit
        "I cannot tell.",  # no number at all
    ]
    assert correctness(**numeric(completions)) == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert extractable(**numeric(completions)) == pytest.approx(6 / 7)


def test_numeric_without_tolerance_allows_two_percent_and_scientific_notation():
    assert correctness(**numeric(["Answer: 3.05e8 m/s", "Answer: 3.1 x 10^8 m/s"], answer="3e8", unit="m/s", tolerance=None)) == [1.0, 0.0]


def exact(completions, answer="mitochondrion", aliases=("mitochondria",)):
    count = len(completions)
    return {"completions": completions, "kind": ["exact"] * count, "answer": [answer] * count, "aliases": [list(aliases)] * count}


def test_exact_answers_after_normalisation_or_by_alias():
    completions = ["Answer: The Mitochondrion.", "Answer: mitochondria", "It is made in the\nMITOCHONDRION", "Answer: ribosome"]
    assert correctness(**exact(completions)) == [1.0, 1.0, 1.0, 0.0]


def test_conversational_completions_are_read_like_strings():
    chat = [[{"role": "assistant", "content": "Copper.\nAnswer: C"}], [{"role": "assistant", "content": "Answer: D"}]]
    assert correctness(**mcq(chat)) == [1.0, 0.0]
    assert completion_text([{"role": "assistant", "content": [{"type": "text", "text": "Answer: C"}]}]) == "Answer: C"


def test_format_reward_wants_reasoning_then_a_final_answer_line():
    completions = [
        "Copper has the highest conductivity of these.\nAnswer: C",
        "Answer: C",  # the answer line, but no reasoning before it
        "Copper has the highest conductivity, so C.",  # no answer line
        "Answer: C\nbut maybe not",  # the answer line is not the last
        "",
    ]
    assert format_reward(completions) == [1.0, 0.5, 0.0, 0.0, 0.0]


def test_rewards_report_extractability_and_the_key_to_the_trainer():
    metrics, extra = {}, {}
    rewards = correctness(
        **mcq(["Answer: C", "no idea"]),
        log_metric=lambda name, value: metrics.__setitem__(name, value),
        log_extra=lambda name, values: extra.__setitem__(name, values),
    )
    assert rewards == [1.0, 0.0]
    assert metrics == {"extractable": 0.5}
    assert extra == {"answer": ["C", "C"]}


def test_reward_function_names_are_the_metric_names():
    assert correctness.__name__ == "correctness" and format_reward.__name__ == "format_reward"
