"""Decontamination by question and options together: short benchmark items that 13-word runs cannot catch."""

from __future__ import annotations

from papergym.core.dataset.benchmarks import BenchmarkItem
from papergym.core.quality.decontam import NGramIndex, find_contaminated
from papergym.core.quality.decontam_options import OptionIndex, find_option_matches

INERT = BenchmarkItem("mmlu-pro", "mp-17", "Which gas is inert?", ["Argon", "Nitrogen", "Oxygen", "Hydrogen"], "A", None, "mmlu/test.jsonl")
COMMON = [
    BenchmarkItem(
        "mmlu-pro", f"filler-{n}", f"Filler question {n} about topic {n}?", ["None of the above", f"x{n}", f"y{n}", f"z{n}"], "A", None, "f"
    )
    for n in range(60)
]


def q(identifier: str, text: str, options: list[str]) -> dict:
    return {"id": identifier, "question": text, "options": options}


def test_a_reworded_short_item_with_its_options_is_caught_where_13_word_runs_miss_it():
    reworded = q("copy", "Which of these gases is chemically inert?", ["hydrogen", "Oxygen ", "argon", "Nitrogen", "Neon"])
    assert find_contaminated([reworded], NGramIndex.from_items([INERT])) == {}
    found = find_option_matches([reworded], OptionIndex([INERT]))
    assert found["copy"].item_id == "mp-17" and found["copy"].option_share == 1.0


def test_same_options_with_another_stem_or_another_topic_are_not_a_copy():
    other_stem = q("other", "Which gas makes up most of the air we breathe?", ["Argon", "Nitrogen", "Oxygen", "Hydrogen"])
    few_options = q("few", "Which gas is inert?", ["Argon", "Helium", "Krypton", "Xenon"])  # 1 of 4 options
    # "None of the above" is in 60 items: it alone never makes a candidate.
    shared_filler = q("filler", "Filler question 3 about topic 3?", ["None of the above", "a", "b", "c"])
    assert find_option_matches([other_stem, few_options, shared_filler], OptionIndex([INERT, *COMMON])) == {}


def test_the_decontam_step_flags_the_whole_question_match(library, tmp_path):
    from papergym.core.quality.pipeline import CheckSettings, question_checks, run_checks

    from tests.questions import add_question

    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / "gpqa_main.csv").write_text(
        "Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3,Record ID\n"
        "Which gas is inert?,Argon,Nitrogen,Oxygen,Hydrogen,rec-inert\n",
        encoding="utf-8",
    )
    copy = add_question(library, "Which of these gases is chemically inert?", options=("Hydrogen", "Argon", "Oxygen", "Nitrogen"))
    run_checks(library, CheckSettings(steps=("decontam",), benchmarks_dir=folder))
    row = question_checks(library, copy)[0]
    assert row["status"] == "flag"
    assert row["reasons"][0].startswith("repeats a benchmark question's stem and options (gpqa rec-inert: 100% of its options")
