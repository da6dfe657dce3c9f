"""Grounding: quotes found in their passage despite PDF line breaks, and keys the passage does or does not support."""

from __future__ import annotations

import json
import math

import pytest
from papergym.core.llm.backend import Completion, FakeBackend
from papergym.core.quality.grounding import check_grounding, entailment, find_quote

PASSAGE = (
    "Title: Thermal transport in oxide films\n"
    "Sputtered aluminium oxide films 120 nm thick had a cross-plane thermal conduc-\n"
    "tivity of 1.45 W/m/K at room temperature, limited by boundary scattering of\n"
    "phonons. Films annealed at 900 C reached 2.1 W/m/K."
)


def test_a_quote_is_found_across_hyphenation_line_breaks_spacing_and_curly_quotes():
    span, share = find_quote("a cross-plane thermal conductivity of 1.45 W/m/K at room temperature", PASSAGE)
    assert share == 1.0
    assert PASSAGE[span[0] : span[1]].startswith("a cross-plane thermal conduc-\ntivity of 1.45")
    span, share = find_quote("limited by \u201cboundary scattering\u201d   of phonons", PASSAGE)
    assert share == 1.0 and PASSAGE[span[0] : span[1]] == "limited by boundary scattering of\nphonons"
    span, share = find_quote("electron-phonon coupling dominated the heat flow", PASSAGE)
    assert share < 0.85


def mcq(key: str) -> dict:
    return {
        "kind": "mcq",
        "question": "What limits cross-plane heat transport in 120 nm alumina films?",
        "options": [key, "Radiative transfer", "Convection in pores", "Electron tunnelling"],
        "answer": "A",
    }


def test_a_key_is_grounded_by_its_words_in_the_quote_or_the_window():
    assert check_grounding(mcq("Boundary scattering of phonons"), PASSAGE).grounded
    quoted = check_grounding(mcq("Boundary scattering of phonons"), PASSAGE, quote="limited by boundary scattering of phonons")
    assert quoted.grounded and quoted.quote_span is not None
    invented = check_grounding(mcq("Magnon drag at grain boundaries"), PASSAGE)
    assert not invented.grounded
    assert invented.reasons[0].startswith("the key's words are not in the passage")
    missing_quote = check_grounding(mcq("Boundary scattering of phonons"), PASSAGE, quote="phonons were scattered by magnons")
    assert not missing_quote.grounded and "quote is not in the passage" in missing_quote.reasons[0]


def test_a_numeric_key_rests_on_numbers_the_passage_gives():
    computed = {
        "kind": "numeric",
        "question": "A film of conductivity 1.45 W/m/K is annealed to 2.1 W/m/K. By what factor did its conductivity rise?",
        "answer": "1.45",
        "unit": None,
    }
    assert check_grounding({**computed, "answer": "1.448"}, PASSAGE).grounded  # 2.1 / 1.45, from stated numbers
    invented = {**computed, "question": "A film of conductivity 3.3 W/m/K is annealed to 7.7 W/m/K. By what factor?", "answer": "2.33"}
    result = check_grounding(invented, PASSAGE)
    assert not result.grounded and "not in it: 3.3, 7.7" in result.reasons[0]


@pytest.mark.parametrize("key", ["Both A and B", "It is", "?"])
def test_a_key_with_no_content_words_is_flagged_because_it_cannot_be_checked(key):
    result = check_grounding(mcq(key), PASSAGE, quote="limited by boundary scattering of phonons")
    assert not result.grounded
    assert result.reasons == [f"its key ({key}) has no content words to look for in the passage, so it cannot be checked"]


def test_an_empty_key_is_flagged():
    result = check_grounding({"kind": "exact", "question": "Which mechanism limits heat transport?", "answer": " "}, PASSAGE)
    assert not result.grounded and result.reasons == ["it has no key to look for in the passage, so it cannot be checked"]


def test_a_multiple_choice_key_that_is_a_quantity_is_checked_by_its_number():
    question = {"kind": "mcq", "question": "Which conductivity did the annealed films reach?", "answer": "A"}
    stated = check_grounding({**question, "options": ["2.1 W/m/K", "3.3 W/m/K", "0.7 W/m/K", "14 W/m/K"]}, PASSAGE)
    assert stated.grounded and stated.support == 1.0
    invented = check_grounding({**question, "options": ["3.3 W/m/K", "2.1 W/m/K", "0.7 W/m/K", "14 W/m/K"]}, PASSAGE)
    assert not invented.grounded and invented.reasons == ["neither the answer nor the question's numbers come from the passage"]


def test_a_judge_gives_the_entailment_probability():
    judge = FakeBackend([Completion(text=" yes", top_logprobs=[{" yes": math.log(0.6), " no": math.log(0.2)}])])
    assert entailment(judge, mcq("Boundary scattering of phonons"), PASSAGE) == pytest.approx(0.75)
    assert "Passage: Title: Thermal transport" in judge.prompts[0]


def test_the_grounding_step_checks_generated_questions_against_their_window(library):
    from papergym.core.quality.pipeline import CheckSettings, question_checks, run_checks

    from tests.questions import add_question

    with library.write() as db:
        db["jobs"].insert(
            {"id": "job-1", "kind": "generate", "paper_id": "p" * 64, "payload": json.dumps({"passage": PASSAGE}), "status": "done"}
        )
    grounded = add_question(
        library,
        mcq("Boundary scattering of phonons")["question"],
        options=("Boundary scattering of phonons", "Radiative transfer", "Convection", "Tunnelling"),
    )
    invented = add_question(
        library, mcq("x")["question"], options=("Magnon drag at grain boundaries", "Radiative transfer", "Convection", "Tunnelling")
    )
    imported = add_question(library, "What is the wire's resistance?")
    with library.write() as db:
        db.execute("UPDATE questions SET job_id = 'job-1' WHERE id IN (?, ?)", [grounded, invented])
        db.execute("UPDATE questions SET evidence = ? WHERE id = ?", [json.dumps([{"quote": "boundary scattering of phonons"}]), grounded])
    report = run_checks(library, CheckSettings(steps=("grounding",)))
    assert report.steps[0].ran == 2 and report.steps[0].extra["without_passage"] == 1
    rows = {question_id: question_checks(library, question_id) for question_id in (grounded, invented, imported)}
    assert rows[grounded][0]["status"] == "pass" and rows[grounded][0]["detail"]["checked_against"] == "quote"
    assert rows[invented][0]["status"] == "flag" and rows[invented][0]["detail"]["checked_against"] == "window"
    assert rows[imported] == []


def test_generation_asks_for_a_quote_and_stores_it_with_its_offsets_in_the_window(library):
    from papergym.core.generation.run import GenerateSettings, run_generation
    from papergym.core.questions.kinds import schema_for

    from tests.unit.test_generate import BODY, add_paper

    add_paper(library, "a" * 64, sections=1)
    quote = BODY.split(".")[0].strip()
    reply = {
        "question": "A film 100 nm thick has a conductivity of 1.4 W/m/K. Which value is its conductivity?",
        "options": ["1.4 W/m/K", "2.8 W/m/K", "0.7 W/m/K", "14 W/m/K"],
        "answer": "A",
        "rationale": "Stated.",
        "quote": quote,
    }
    backend = FakeBackend([json.dumps(reply)])
    run_generation(library, backend, GenerateSettings(kinds=("mcq",)))
    assert "copy word for word" in backend.prompts[0]
    assert "quote" in schema_for("mcq", quote=True)["required"] and "quote" not in schema_for("mcq")["required"]
    row = library.query("SELECT evidence, job_id FROM questions")[0]
    evidence = json.loads(row["evidence"])[0]
    passage = json.loads(library.query("SELECT payload FROM jobs WHERE id = ?", [row["job_id"]])[0]["payload"])["passage"]
    assert evidence["quote"] == quote
    assert passage[evidence["start"] : evidence["end"]] == quote
