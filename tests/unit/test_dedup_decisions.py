"""The dedup step's decisions on a fixed, seeded library: a faster implementation must find exactly the same duplicates."""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
from papergym.core.quality.dedup import MinHasher, _mod_prime, _shingle_hashes, find_duplicates
from papergym.core.quality.paraphrase import find_copies_and_paraphrases
from papergym.core.questions.kinds import normalize

WORDS = "phonon lattice enzyme aquifer protein tensor neuron catalyst film oxide kinase flux spin gap band mode ligand pore cell ion dye wave gene shell".split()  # noqa: SIM905 (a word list reads better as text)
STEMS = (
    "What is the half-life of a first-order reaction whose rate constant is {value} s⁻¹?",
    "For a reaction following first-order kinetics with k = {value} per second, how long until half of the reactant is consumed?",
    "A ﬁlm {value} nm thick conducts heat at 1.45 W/m/K; which mechanism limits transport?",
    "After two passes at {value} °C, what fraction of the CO2 remains?",
)


def library_questions(count: int = 240, seed: int = 7) -> list[dict]:
    """Random stems, near copies with one to four words changed (some of them copies of copies), reworded templates, short and empty texts."""
    rng = random.Random(seed)
    questions: list[dict] = []
    for number in range(count):
        identifier = f"q{number:03d}"
        roll = rng.random()
        worded = [question for question in questions if question["question"]]
        if worded and roll < 0.3:
            original = rng.choice(worded)
            words = original["question"].split()
            for _ in range(rng.randint(1, 4)):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            options = list(original["options"])
            rng.shuffle(options)
            answer = original["answer"]
            if original["kind"] == "mcq":
                answer = "ABCD"[options.index(original["options"]["ABCD".index(original["answer"])])]
            questions.append({**original, "id": identifier, "question": " ".join(words), "options": options, "answer": answer})
        elif roll < 0.45:
            value = rng.choice(("0.1", "0.2", "1.0 × 10^-3", "25"))
            question = rng.choice(STEMS).format(value=value)
            questions.append(
                {
                    "id": identifier,
                    "kind": "numeric",
                    "question": question,
                    "options": [],
                    "answer": "6.93",
                    "unit": rng.choice(("s", "min")),
                }
            )
        elif roll < 0.5:
            question = " ".join(rng.choices(WORDS, k=rng.randint(0, 2)))
            questions.append(
                {"id": identifier, "kind": "exact", "question": question, "options": [], "answer": rng.choice(WORDS), "unit": None}
            )
        else:
            options = [" ".join(rng.choices(WORDS, k=2)) for _ in range(4)]
            question = " ".join(rng.choices(WORDS, k=rng.randint(6, 14))) + "?"
            questions.append(
                {"id": identifier, "kind": "mcq", "question": question, "options": options, "answer": rng.choice("ABCD"), "unit": None}
            )
    return questions


def test_the_fast_dedup_path_decides_as_recorded():
    findings = find_copies_and_paraphrases(library_questions())
    assert [f"{item.question_id} {item.kept} {item.similarity:g} {item.how}" for item in findings] == EXPECTED_FINDINGS.split("\n")[1:-1]


def test_minhash_alone_decides_as_recorded():
    duplicates = find_duplicates(library_questions())
    assert [f"{item.question_id} {item.kept} {item.similarity:g}" for item in duplicates] == EXPECTED_MINHASH.split("\n")[1:-1]


def test_batched_signatures_equal_the_textbook_formula():
    hasher = MinHasher()
    texts = [item["question"] for item in library_questions(60)] + ["", "one", "two words", "ﬁlm at 25 °C"]
    prime = np.uint64((1 << 61) - 1)
    expected = [
        (((hasher.a * np.array(_shingle_hashes(text), dtype=np.uint64) + hasher.b) % prime) & np.uint64(0xFFFFFFFF)).min(axis=1)
        for text in texts
    ]
    assert [row.tolist() for row in hasher.signatures(texts)] == [row.tolist() for row in expected]
    assert hasher.signature("What is x").tolist()[:4] == EXPECTED_SIGNATURE_START


def test_the_division_free_remainder_equals_the_modulo_at_its_edges():
    prime = (1 << 61) - 1
    edges = [0, 1, prime - 1, prime, prime + 1, 2 * prime - 1, 2 * prime, 2 * prime + 1, 7 * prime + 6, (1 << 64) - 1]
    edges += [value - 1 for value in range(prime, (1 << 64) - 1, prime)]  # low 61 bits all set, the case that needs the subtraction
    assert _mod_prime(np.array(edges, dtype=np.uint64)).tolist() == [value % prime for value in edges]


def test_normalize_folds_every_kind_of_whitespace_as_the_regex_did():
    texts = ["  Rate\tconstant\n\n0.1 s⁻¹ .", "a\u00a0b\u2028c\u3000d\x1ce\u200bf", "ﬁlm  THICK;", "", " \t ", "word."]
    expected = [re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip().rstrip(" .;:,") for text in texts]
    assert [normalize(text) for text in texts] == expected


# Recorded from the per-question implementation (commit a27c341): the batched one must decide exactly the same.
EXPECTED_FINDINGS = """
q035 q018 0.78125 copy
q038 q014 0.734375 copy
q045 q040 1 copy
q048 q002 0.71875 copy
q058 q049 0.765625 copy
q062 q016 0.703125 copy
q063 q016 0.703125 copy
q068 q041 0.90625 copy
q072 q049 0.75 copy
q075 q002 1 copy
q089 q040 1 copy
q090 q014 0.796875 copy
q109 q016 0.78125 copy
q122 q081 0.84375 copy
q131 q049 0.828125 copy
q147 q073 1 copy
q210 q047 0.765625 copy
q213 q163 0.921875 copy
q235 q143 0.84375 copy
q004 q002 0.667 paraphrase
q008 q006 0.88 paraphrase
q024 q017 0.857 paraphrase
q028 q027 0.947 paraphrase
q029 q021 0.8 paraphrase
q030 q017 0.615 paraphrase
q034 q009 0.818 paraphrase
q042 q018 0.889 paraphrase
q046 q017 0.571 paraphrase
q051 q027 0.762 paraphrase
q052 q027 0.737 paraphrase
q053 q019 0.947 paraphrase
q054 q015 0.727 paraphrase
q056 q044 0.696 paraphrase
q066 q026 0.667 paraphrase
q069 q013 0.667 paraphrase
q085 q074 0.667 paraphrase
q095 q007 0.6 paraphrase
q097 q027 0.556 paraphrase
q116 q007 0.87 paraphrase
q117 q010 0.667 paraphrase
q119 q019 0.842 paraphrase
q132 q017 0.769 paraphrase
q133 q084 0.5 paraphrase
q134 q099 0.857 paraphrase
q135 q086 0.583 paraphrase
q136 q081 0.667 paraphrase
q137 q033 0.667 paraphrase
q142 q049 0.632 paraphrase
q144 q026 1 paraphrase
q146 q081 0.889 paraphrase
q155 q040 0.857 paraphrase
q156 q141 0.8 paraphrase
q158 q006 0.917 paraphrase
q162 q083 0.857 paraphrase
q163 q107 0.857 paraphrase
q166 q010 0.667 paraphrase
q168 q016 0.857 paraphrase
q169 q129 0.5 paraphrase
q174 q061 0.8 paraphrase
q177 q061 0.75 paraphrase
q178 q127 0.667 paraphrase
q182 q121 0.857 paraphrase
q185 q023 0.824 paraphrase
q188 q107 0.636 paraphrase
q195 q087 0.909 paraphrase
q196 q110 1 paraphrase
q197 q081 0.889 paraphrase
q200 q160 0.615 paraphrase
q207 q021 0.8 paraphrase
q208 q143 0.824 paraphrase
q209 q160 1 paraphrase
q215 q126 0.933 paraphrase
q220 q055 0.8 paraphrase
q221 q149 0.8 paraphrase
q224 q083 0.526 paraphrase
q226 q018 0.8 paraphrase
q231 q154 1 paraphrase
q233 q006 0.87 paraphrase
q238 q017 0.571 paraphrase
"""
EXPECTED_MINHASH = """
q026 q004 1
q032 q012 1
q035 q018 0.78125
q038 q014 0.734375
q045 q040 1
q048 q002 0.71875
q050 q012 1
q058 q049 0.765625
q062 q016 0.703125
q063 q016 0.703125
q064 q012 1
q066 q002 1
q068 q041 0.90625
q072 q049 0.75
q075 q002 1
q089 q040 1
q090 q014 0.796875
q109 q016 0.78125
q117 q002 0.828125
q122 q081 0.84375
q124 q012 1
q127 q040 0.703125
q131 q049 0.828125
q144 q004 1
q147 q073 1
q154 q010 1
q160 q002 0.828125
q166 q002 1
q175 q012 1
q178 q002 1
q184 q012 1
q193 q073 1
q201 q000 1
q209 q002 1
q210 q047 0.765625
q213 q163 0.921875
q231 q010 1
q235 q143 0.84375
q236 q012 1
"""
EXPECTED_SIGNATURE_START = [1387926581, 829673574, 2090029778, 1132668043]
