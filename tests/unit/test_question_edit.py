"""Editing a stored question: validated like a model's reply, the id kept, the full-text index in step."""

import pytest
from papergym.core.errors import PapergymError
from papergym.core.questions.edit import update_question

from tests.questions import add_question


def fts_ids(library, word):
    return [row["question_id"] for row in library.query("SELECT question_id FROM question_fts WHERE question_fts MATCH ?", [word])]


def test_an_edit_changes_the_row_and_the_search_index(library):
    question_id = add_question(library)
    row = update_question(
        library,
        question_id,
        question="What is the resistance of a tungsten filament at 3.0 A and 0.6 V?",
        options=["0.2 ohm", "5 ohm", "2 ohm", "0.4 ohm"],
        answer="b",
        rationale="R = V / I",
    )
    assert row["id"] == question_id and row["answer"] == "B" and row["rationale"] == "R = V / I"
    assert "5 ohm" in row["options"]
    assert fts_ids(library, "tungsten") == [question_id]
    update_question(library, question_id, question="What is the resistance of a nichrome filament at 3.0 A and 0.6 V?")
    assert fts_ids(library, "tungsten") == [] and fts_ids(library, "nichrome") == [question_id]
    assert library.query("SELECT answer FROM questions")[0]["answer"] == "B"


def test_a_bad_edit_is_refused_and_leaves_the_question_as_it_was(library):
    question_id = add_question(library)
    before = library.query("SELECT * FROM questions")[0]
    with pytest.raises(PapergymError, match="not one of the option letters"):
        update_question(library, question_id, answer="Z")
    with pytest.raises(PapergymError, match="too short"):
        update_question(library, question_id, question="Why?")
    with pytest.raises(PapergymError, match="same thing"):
        update_question(library, question_id, options=["a", "a", "b", "c"])
    assert library.query("SELECT * FROM questions")[0] == before


def test_a_numeric_answer_must_stay_a_number(library):
    question_id = add_question(library, kind="numeric", options=(), answer="0.2", unit="ohm", tolerance=0.004)
    with pytest.raises(PapergymError, match="not a number"):
        update_question(library, question_id, answer="a lot")
    row = update_question(library, question_id, answer="5")
    assert row["answer"] == "5" and row["tolerance"] == pytest.approx(0.1)


def test_an_unknown_id_is_one_sentence(library):
    with pytest.raises(PapergymError, match="No question has the id"):
        update_question(library, "0" * 32, answer="A")
