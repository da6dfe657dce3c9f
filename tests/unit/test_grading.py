"""Reading final answers out of free text, and the vote arithmetic."""

from __future__ import annotations

import math

import pytest
from papergym.core.quality.score import verdict_probabilities
from papergym.core.quality.vote import allocate_votes, classify_votes, letter_probabilities
from papergym.core.questions.grading import exact_matches, extract_letter, extract_number, grade, numbers_match


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("Answer: C", "C"),
        ("so the answer is (B).", "B"),
        ("thus \\boxed{D}", "D"),
        ("The rate doubles.\n(C)", "C"),
        ("A looks tempting but is wrong. Final answer: b", "B"),
        ("The correct option is C because the rate doubles.", "C"),
        ("Answer: option D", "D"),
        ("I first thought Answer: A, but rechecking, Answer: B", "B"),
        ("**Answer:** C", "C"),
        ("**Answer**: (D)", "D"),
        ("Final answer: **B**", "B"),
    ],
)
def test_letters_are_read_from_common_conclusions(text, letter):
    assert extract_letter(text, 4) == letter


@pytest.mark.parametrize(
    "text",
    [
        "To answer a question like this we need the rate.",
        "the answer is a balance of forces",
        "Option A says x. Option B says y.",
        "Answer: F",
        "",
    ],
)
def test_prose_and_out_of_range_letters_are_not_answers(text):
    assert extract_letter(text, 4) is None


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Answer: 4.2 mW", 4.2, "mW"),
        ("\\boxed{1.2 \\times 10^{-3}}", 0.0012, ""),
        ("It rises to 3,000 K.", 3000.0, "K"),
        ("Answer: -2.5e3 J/mol", -2500.0, "J/mol"),
        ("Answer: \u22121.5 V", -1.5, "V"),
        ("**Answer:** 42 kJ", 42.0, "kJ"),
    ],
)
def test_numbers_are_read_with_their_units(text, value, unit):
    parsed = extract_number(text)
    assert parsed[0] == pytest.approx(value) and parsed[1] == unit


def test_numbers_match_within_tolerance_and_across_si_prefixes():
    assert numbers_match(4.2, "mW", 0.0042, "W", 0.0001)
    assert numbers_match(0.0042, "", 0.0042, "W", 0.0001)
    assert not numbers_match(4.2, "W", 0.0042, "W", 0.0001)
    assert not numbers_match(4.2, "kg", 4.2, "m", 0.1)
    assert numbers_match(101.5, "", 100, None, None)  # without a tolerance, 2 % of the key
    assert not numbers_match(103, "", 100, None, None)


def test_exact_answers_match_aliases_ignoring_case_and_articles():
    assert exact_matches("The temperature coefficient.", "Q10", ["temperature coefficient"])
    assert exact_matches("q10", "Q10", [])
    assert not exact_matches("Arrhenius constant", "Q10", ["temperature coefficient"])


def test_grade_says_none_when_no_answer_can_be_read():
    mcq = {"kind": "mcq", "options": ["a", "b", "c", "d"], "answer": "B"}
    assert grade(mcq, "Answer: B") is True
    assert grade(mcq, "Answer: C") is False
    assert grade(mcq, "I am not sure.") is None
    numeric = {"kind": "numeric", "answer": "58.8", "unit": "J", "tolerance": 0.5}
    assert grade(numeric, "W = 58.8 J\nAnswer: 0.0588 kJ") is True
    assert grade(numeric, "no idea") is None


def test_vote_classes_follow_wildsci():
    assert classify_votes(5, 5, 0) == "all_aligned"
    assert classify_votes(5, 3, 0) == "majority_aligned"
    assert classify_votes(5, 2, 0) == "majority_divergent"
    assert classify_votes(4, 2, 0) == "majority_divergent"  # a tie is not a majority
    assert classify_votes(5, 0, 2) == "all_divergent"
    assert classify_votes(5, 1, 3) == "discard"  # None of the above wins over everything


def test_votes_are_shared_out_in_proportion_to_letter_probabilities():
    assert allocate_votes({"A": 0.6, "B": 0.3, "C": 0.1}, 5) == ["A", "A", "A", "B", "B"]
    assert allocate_votes({"A": 1.0, "B": 0.0}, 3) == ["A", "A", "A"]
    assert allocate_votes({"A": 0.0}, 2) == ["?", "?"]
    top = {" A": math.log(0.5), "A": math.log(0.1), " b": math.log(0.2), "(C": math.log(0.1), " The": math.log(0.1)}
    probabilities = letter_probabilities(top, 4)
    assert probabilities["A"] == pytest.approx(0.6) and probabilities["C"] == pytest.approx(0.1)
    assert probabilities["B"] == pytest.approx(0.2) and probabilities["D"] == 0.0


def test_judge_reads_yes_and_no_in_any_case():
    p_yes, p_no = verdict_probabilities({" Yes": math.log(0.5), "yes": math.log(0.2), " NO": math.log(0.1), " maybe": math.log(0.2)})
    assert p_yes == pytest.approx(0.7) and p_no == pytest.approx(0.1)
