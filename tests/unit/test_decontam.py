import json
import random
import threading
import time

from papergym.core.dataset.benchmarks import BenchmarkItem
from papergym.core.quality.decontam import NGramIndex, Overlap, find_contaminated, words_of

STEM = (
    "A sputtered aluminium oxide film 120 nm thick on silicon has a cross-plane thermal conductivity "
    "of 1.45 W/m/K at room temperature. Which mechanism most limits heat transport through the film?"
)
OPTIONS = ["Boundary scattering of phonons", "Electron-phonon coupling", "Radiative transfer", "Convection in pores"]


def item(item_id, question, options=OPTIONS, source="gpqa", file="gpqa_main.csv"):
    return BenchmarkItem(source=source, item_id=item_id, question=question, options=list(options), answer="A", discipline=None, file=file)


def q(identifier, text, options=("first idea", "second idea", "third idea", "fourth idea")):
    return {"id": identifier, "question": text, "options": list(options)}


BENCHMARK = [
    item("rec1", STEM),
    item(
        "rec2",
        "Which enzyme family reduces nitroaromatic compounds using a flavin mononucleotide cofactor in soil bacteria?",
        ["Nitroreductases", "Laccases", "Peroxidases", "Catalases"],
        source="mmlu-pro",
        file="mmlu/test.parquet",
    ),
]


def test_reworded_benchmark_question_is_flagged_with_its_source():
    # The opening and ending are rewritten, but the middle keeps more than 13 words in a row.
    reworded = (
        "Consider this: an aluminium oxide film 120 nm thick on silicon has a cross-plane thermal conductivity "
        "of 1.45 W/m/K at room temperature. What dominates?"
    )
    found = find_contaminated([q("gen1", reworded)], NGramIndex.from_items(BENCHMARK))
    overlap = found["gen1"]
    assert (overlap.source, overlap.item_id, overlap.file) == ("gpqa", "rec1", "gpqa_main.csv")
    assert overlap.shared_ngrams >= 2
    example = overlap.example.split()
    assert len(example) == 13
    assert " ".join(example) in " ".join(words_of(reworded))
    assert " ".join(example) in " ".join(words_of(STEM))


def test_clean_question_is_not_flagged():
    clean = q("gen2", "What Michaelis constant does NfsQ show for NADH at 25 C and pH 7.0 in phosphate buffer with 50 mM salt?")
    assert find_contaminated([clean], NGramIndex.from_items(BENCHMARK)) == {}


def test_twelve_shared_words_in_a_row_are_not_enough_but_thirteen_are():
    words = words_of(STEM)
    # Two runs of 12 benchmark words, broken by a word of our own: common phrasing, not a copy.
    twelve = " ".join(words[:12] + ["notably"] + words[13:25])
    thirteen = " ".join(words[:13] + ["notably"] + words[14:25])
    index = NGramIndex.from_items(BENCHMARK)
    assert index.match(twelve) is None
    overlap = index.match(thirteen)
    assert overlap is not None and overlap.shared_ngrams == 1
    assert overlap.example == " ".join(words[:13])


def test_common_science_phrases_are_not_contamination():
    common = q(
        "gen3",
        "Which mechanism most limits heat transport in a polymer foam at room temperature, given a thermal conductivity of 0.03 W/m/K?",
        ["Boundary scattering of phonons", "Gas conduction in cells", "Radiative transfer", "Convection in pores"],
    )
    assert find_contaminated([common], NGramIndex.from_items(BENCHMARK)) == {}


def test_case_punctuation_and_unicode_forms_do_not_hide_a_copy():
    disguised = STEM.upper().replace("cross-plane".upper(), "CROSS PLANE").replace("FILM", "ＦＩＬＭ").replace(".", " ...")
    assert NGramIndex.from_items(BENCHMARK).match(disguised).item_id == "rec1"
    assert words_of("Cross-plane ﬁlm, ＮＭ_thick") == ["cross", "plane", "film", "nm", "thick"]
    assert words_of("cross_plane film nm thick") == ["cross", "plane", "film", "nm", "thick"]


def test_copied_options_count_even_when_stored_as_json_and_reordered():
    long_options = [
        "The film's grain boundaries scatter phonons far more than the bulk crystal would at this temperature",
        "Free electrons carry most of the heat",
        "Photons radiate across the film",
        "Air trapped in pores convects heat away",
    ]
    index = NGramIndex.from_items([item("rec9", "Pick one.", long_options)])
    copied = {"id": "gen4", "question": "Which statement explains the measured value?", "options": json.dumps(list(reversed(long_options)))}
    assert find_contaminated([copied], index)["gen4"].item_id == "rec9"


def test_short_benchmark_item_matches_only_as_a_whole():
    short = item("short1", "Which noble gas is most abundant in air?", ["Argon", "Neon"])  # 10 words with options
    tiny = item("tiny1", "What is x?", ["1", "2"])  # 5 words: too generic to count as a gram
    index = NGramIndex.from_items([short, tiny])
    assert len(index) == 1
    assert find_contaminated([q("copy", "Which noble gas is most abundant in air?", ["Neon", "Argon"])], index)["copy"].item_id == "short1"
    assert find_contaminated([q("tiny", "What is x?", ["1", "2"])], index) == {}
    assert find_contaminated([q("longer", "Which noble gas is most abundant in air by volume?", ["Argon", "Neon"])], index) == {}


def test_no_gram_spans_two_questions():
    words = words_of(STEM)
    first_half, second_half = " ".join(words[:7]), " ".join(words[7:13])
    index = NGramIndex.from_items(BENCHMARK)
    assert find_contaminated([q("a", first_half, ()), q("b", second_half, ())], index) == {}


def test_overlap_names_the_item_sharing_the_most_grams():
    partial = item("partial", " ".join(STEM.split()[:14]), ["Yes", "No"], source="supergpqa")
    index = NGramIndex.from_items([partial, item("full", STEM)])
    overlap = index.match(STEM)
    assert overlap.item_id == "full"
    assert overlap.shared_ngrams > 2


def test_empty_index_and_empty_text_flag_nothing():
    assert len(NGramIndex.from_items([])) == 0
    assert NGramIndex.from_items([]).match(STEM) is None
    assert NGramIndex.from_items(BENCHMARK).match("") is None


def test_progress_is_reported_and_cancel_stops_early():
    index = NGramIndex.from_items(BENCHMARK)
    questions = [q(str(n), STEM if n == 9000 else f"Question {n} about something else entirely?") for n in range(9001)]
    seen: list[int] = []
    found = find_contaminated(questions, index, on_progress=seen.append)
    assert set(found) == {"9000"}
    assert seen[-1] == 9001 and seen == sorted(seen)
    cancel = threading.Event()
    cancel.set()
    assert find_contaminated(questions, index, cancel=cancel) == {}


def test_large_index_and_many_questions_go_fast():
    rng = random.Random(0)
    words = [f"word{n}" for n in range(20_000)]
    items = [item(str(n), " ".join(rng.choices(words, k=60)), [" ".join(rng.choices(words, k=4)) for _ in range(4)]) for n in range(3000)]
    questions = [q(f"gen{n}", " ".join(rng.choices(words, k=40))) for n in range(20_000)]
    questions += [q(f"copy{n}", "Reworded: " + " ".join(items[n].question.split()[10:30])) for n in range(50)]
    started = time.perf_counter()
    found = find_contaminated(questions, NGramIndex.from_items(items))
    elapsed = time.perf_counter() - started
    assert set(found) == {f"copy{n}" for n in range(50)}
    assert all(found[f"copy{n}"] == Overlap("gpqa", str(n), "gpqa_main.csv", 8, found[f"copy{n}"].example) for n in range(50))
    assert elapsed < 20  # under a second here; this guards against per-question index scans
