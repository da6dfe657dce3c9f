import random
import time

from papergym.core.quality.dedup import find_duplicates

BASE = "A sputtered aluminium oxide film 120 nm thick has a cross-plane thermal conductivity of 1.45 W/m/K. Which mechanism limits heat transport?"


def q(identifier, text, options=("phonon scattering", "electron transport", "radiation", "convection")):
    return {"id": identifier, "question": text, "options": list(options)}


def test_rewordings_are_grouped_and_the_first_is_kept():
    questions = [
        q("first", BASE),
        q("case", BASE.upper()),
        q("tweak", BASE.replace("Which mechanism", "What mechanism")),
        q("other", "Which enzyme family reduces nitroaromatic compounds using a flavin cofactor in soil bacteria?"),
    ]
    duplicates = {d.question_id: d for d in find_duplicates(questions)}
    assert set(duplicates) == {"case", "tweak"}
    assert {d.kept for d in duplicates.values()} == {"first"}
    assert duplicates["case"].similarity == 1.0


def test_same_stem_with_different_options_is_not_a_duplicate_of_a_different_question():
    questions = [
        q("a", "What is the Michaelis constant of NfsQ for NADH at 25 C?", ["42 uM", "15 uM", "4 uM", "120 uM"]),
        q("b", "What is the turnover number of NfsQ with nitrofurazone at 25 C and pH 7?", ["15 per s", "42 per s", "3 per s", "90 per s"]),
    ]
    assert find_duplicates(questions) == []


def test_order_decides_which_copy_is_kept():
    duplicates = find_duplicates([q("later", BASE), q("earlier", BASE)])
    assert [(d.question_id, d.kept) for d in duplicates] == [("earlier", "later")]


def test_ten_thousand_questions_go_fast():
    rng = random.Random(0)
    words = [f"word{n}" for n in range(5000)]
    questions = [q(str(n), " ".join(rng.choice(words) for _ in range(25))) for n in range(10_000)]
    questions += [q(f"copy{n}", questions[n]["question"]) for n in range(100)]
    started = time.perf_counter()
    duplicates = find_duplicates(questions)
    elapsed = time.perf_counter() - started
    assert {d.question_id for d in duplicates} == {f"copy{n}" for n in range(100)}
    assert elapsed < 20  # about 1 s here; the figure that matters is in bench/, this guards against quadratic blow-ups
