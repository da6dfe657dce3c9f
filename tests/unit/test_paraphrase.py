"""Paraphrase duplicates: rewordings are caught, questions that differ in a number, unit, asked value or key are not."""

from __future__ import annotations

from papergym.core.quality.paraphrase import are_paraphrases, find_paraphrases, quantities


def numeric(identifier: str, question: str, answer: str, unit: str | None = "s") -> dict:
    return {"id": identifier, "kind": "numeric", "question": question, "options": [], "answer": answer, "unit": unit}


HALF_LIFE = numeric("q1", "What is the half-life of a first-order reaction whose rate constant is 0.1 s⁻¹?", "6.93")
REWORDED = numeric(
    "q2", "For a reaction following first-order kinetics with k = 0.1 per second, how long until half of the reactant is consumed?", "6.93"
)


def test_quantities_read_units_however_they_are_written():
    assert quantities("k = 0.1 s⁻¹") == quantities("k = 0.1 per second") == quantities("k = 0.1 /s") == ("0.1 1/s",)
    assert quantities("1.0 × 10^6 cells") == quantities("1.0e6 cells") == ("1e+06",)
    assert quantities("CO2 at 25 °C in 2 steps") == ("2", "25 °C")  # the 2 of CO2 is no quantity


def test_the_issue_example_is_one_question_asked_twice():
    assert are_paraphrases(HALF_LIFE, REWORDED)
    found = find_paraphrases([HALF_LIFE, REWORDED])
    assert [(item.question_id, item.kept) for item in found] == [("q2", "q1")]


def test_a_different_number_unit_asked_value_or_key_is_a_different_question():
    other_number = numeric("n1", "What is the half-life of a first-order reaction whose rate constant is 0.2 s⁻¹?", "3.47")
    other_unit = numeric("n2", "What is the half-life of a first-order reaction whose rate constant is 0.1 min⁻¹?", "6.93", "min")
    other_asked = numeric("n3", "What is the mean lifetime of a first-order reaction whose rate constant is 0.1 s⁻¹?", "10")
    assert find_paraphrases([HALF_LIFE, other_number, other_unit, other_asked]) == []
    # Same key and no numbers, but nothing else in common: two questions that happen to share an answer.
    element = {
        "id": "e1",
        "kind": "exact",
        "question": "Which element is the most electronegative on the Pauling scale?",
        "answer": "fluorine",
    }
    toothpaste = {"id": "e2", "kind": "exact", "question": "Which halogen is added to toothpaste as a salt?", "answer": "fluorine"}
    assert not are_paraphrases(element, toothpaste)


def test_multiple_choice_rewordings_match_whatever_the_option_order():
    first = {
        "id": "m1",
        "kind": "mcq",
        "question": "Which organelle produces most of the ATP in an aerobic eukaryotic cell?",
        "options": '["Mitochondrion", "Golgi apparatus", "Lysosome", "Ribosome"]',
        "answer": "A",
    }
    reworded = {
        "id": "m2",
        "kind": "mcq",
        "question": "In eukaryotic cells respiring aerobically, most ATP is generated in which organelle?",
        "options": ["Ribosome", "Lysosome", "Mitochondrion", "Golgi apparatus"],
        "answer": "C",
    }
    other_key = {**reworded, "id": "m3", "question": "Which organelle synthesises proteins from messenger RNA?", "answer": "A"}
    assert [item.question_id for item in find_paraphrases([first, reworded, other_key])] == ["m2"]


def test_the_dedup_step_drops_a_rewording_and_keeps_a_near_copy_with_another_number(library):
    from papergym.core.quality.pipeline import CheckSettings, question_checks, run_checks

    from tests.questions import add_question

    original = add_question(library, HALF_LIFE["question"], options=(), answer="6.93", kind="numeric", unit="s")
    reworded = add_question(library, REWORDED["question"], options=(), answer="6.93", kind="numeric", unit="s")
    other_unit = add_question(library, HALF_LIFE["question"].replace("s⁻¹", "min⁻¹"), options=(), answer="6.93", kind="numeric", unit="min")
    report = run_checks(library, CheckSettings(steps=("dedup",)))
    verdicts = {question_id: question_checks(library, question_id)[0] for question_id in (original, reworded, other_unit)}
    assert verdicts[original]["status"] == "pass"
    assert verdicts[other_unit]["status"] == "pass"  # word trigrams alone would call it a copy
    assert verdicts[reworded]["status"] == "drop"
    assert verdicts[reworded]["reasons"][0].startswith("rewords an earlier question with the same quantities and key")
    assert report.steps[0].extra["paraphrases"] == 1
