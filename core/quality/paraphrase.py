"""Paraphrase duplicates: rewordings of the same question, which word-trigram MinHash cannot see.

Two questions are the same question when they give the same quantities, ask
for the same thing and have the same key, however they are worded. So the
fast pass works in two stages:

1. Block: every question gets a signature of what must be identical, namely its
   kind, its key (the key option's content for multiple choice, the number and
   unit for numeric, the term for exact match) and the sorted quantities in its
   stem (value to four significant digits, with the unit normalised, so
   "0.1 s⁻¹", "0.1 per second" and "0.1 /s" agree). Questions that differ in a
   number, a unit or the key never meet.
2. Verify: inside a block, two questions are paraphrases when their content
   words (stemmed, stop words out, a few science synonyms folded) overlap
   enough. Blocks without any quantity hold only questions with the same key,
   which is weaker evidence, so they need a larger overlap.

Everything is linear in the number of questions except the comparisons inside
a block, and blocks are small; a 345,000-question library takes seconds.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from papergym.core.questions.kinds import LETTERS

PARAPHRASE_VERSION = "2"  # part of the dedup step's settings: a new rule groups the library again
WITH_QUANTITIES_THRESHOLD = 0.34  # Dice overlap of content words when the numbers, units and key already agree
WITHOUT_QUANTITIES_THRESHOLD = 0.5  # only the key agrees: the wording must carry more of the evidence
MAX_BLOCK_COMPARISONS = 200  # a question is compared with at most this many kept questions of its block

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_NUMBER = re.compile(
    r"(?<![\w.^/\-])([-+]?\d+(?:,\d{3})*(?:\.\d+)?|[-+]?\.\d+)"  # the mantissa, not a digit inside a word such as CO2 or Q10
    r"(?:\s*(?:[eE]|[x×]\s*10\s*\^?)\s*([-+]?\d+))?"  # 1.2e-3, 1.2 × 10^-3, 1.2×10⁻³ (superscripts folded first)
)

# Unit spellings folded to one form; the longest spelling that follows a number wins.
_UNIT_SPELLINGS = {
    "1/s": ("s^-1", "s-1", "/s", "1/s", "per second", "per s", "sec^-1", "inverse seconds", "inverse second", "hz"),
    "1/min": ("min^-1", "min-1", "/min", "per minute", "per min"),
    "1/h": ("h^-1", "hr^-1", "/h", "/hr", "per hour"),
    "s": ("s", "sec", "secs", "second", "seconds"),
    "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "day": ("d", "day", "days"),
    "year": ("yr", "year", "years", "y"),
    "K": ("k", "kelvin", "kelvins"),
    "°C": ("°c", "degc", "degrees celsius", "degree celsius", "celsius", "c"),
    "m": ("m", "meter", "meters", "metre", "metres"),
    "cm": ("cm", "centimeter", "centimeters", "centimetre", "centimetres"),
    "mm": ("mm", "millimeter", "millimeters", "millimetre", "millimetres"),
    "µm": ("µm", "μm", "um", "micrometer", "micrometers", "micron", "microns"),
    "nm": ("nm", "nanometer", "nanometers", "nanometre", "nanometres"),
    "km": ("km", "kilometer", "kilometers", "kilometre", "kilometres"),
    "m/s": ("m/s", "m s^-1", "m s-1", "meters per second", "metres per second"),
    "kg": ("kg", "kilogram", "kilograms"),
    "g": ("g", "gram", "grams"),
    "mg": ("mg", "milligram", "milligrams"),
    "J": ("j", "joule", "joules"),
    "kJ": ("kj", "kilojoule", "kilojoules"),
    "kJ/mol": ("kj/mol", "kj mol^-1", "kj mol-1", "kilojoules per mole"),
    "eV": ("ev", "electronvolt", "electronvolts", "electron volts"),
    "W": ("w", "watt", "watts"),
    "mW": ("mw", "milliwatt", "milliwatts"),
    "V": ("v", "volt", "volts"),
    "mV": ("mv", "millivolt", "millivolts"),
    "A": ("a", "amp", "amps", "ampere", "amperes"),
    "mA": ("ma", "milliamp", "milliamps", "milliampere", "milliamperes"),
    "ohm": ("ohm", "ohms", "Ω", "ω"),
    "Pa": ("pa", "pascal", "pascals"),
    "kPa": ("kpa", "kilopascal", "kilopascals"),
    "MPa": ("mpa", "megapascal", "megapascals"),
    "atm": ("atm", "atmosphere", "atmospheres"),
    "bar": ("bar", "bars"),
    "mol": ("mol", "mole", "moles"),
    "M": ("mol/l", "molar", "mol l^-1"),
    "mM": ("mmol/l", "millimolar"),
    "L": ("l", "liter", "liters", "litre", "litres"),
    "mL": ("ml", "milliliter", "milliliters", "millilitre", "millilitres"),
    "N": ("n", "newton", "newtons"),
    "%": ("%", "percent", "per cent"),
    "kHz": ("khz", "kilohertz"),
    "MHz": ("mhz", "megahertz"),
    "T": ("t", "tesla", "teslas"),
    "Gy": ("gy", "gray", "grays"),
    "bp": ("bp", "base pairs", "base pair"),
}
_UNITS = {spelling: unit for unit, spellings in _UNIT_SPELLINGS.items() for spelling in spellings}
_LONGEST_UNIT_WORDS = max(len(spelling.split()) for spelling in _UNITS)

_STOP_WORDS = frozenset(
    """a an the of to in on at by for with from as and or but if then than that this these those is are was were be been being
    it its it's which what whose who whom how when where why does do did has have had can could would should will shall may might
    must into onto over under about after before during while until per such each any some other both all only own same so very
    there their they them we our you your he she his her i me my not no nor also given assume assuming suppose following follows
    approximately about roughly value find calculate determine compute estimate express state give obtain""".split()  # noqa: SIM905 (a word list reads better as text)
)
# Words that name the same thing in different phrasings, folded to one stem.
_SYNONYMS = {
    "k": "rate",
    "constant": "rate",
    "kinetics": "order",
    "halve": "half",
    "consumed": "half",
    "long": "time",
    "lifetime": "time",
    "duration": "time",
    "period": "time",
    "quickly": "rate",
    "fast": "rate",
    "speed": "velocity",
    "temp": "temperature",
    "warm": "temperature",
    "heated": "temperature",
    "conc": "concentration",
    "amount": "quantity",
    "yields": "yield",
}


@dataclass(frozen=True)
class Paraphrase:
    """A question found to reword ``kept``, with the content-word overlap that decided it."""

    question_id: str
    kept: str
    similarity: float


_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"), start=2)
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")


def _fold(text: str) -> str:
    """Lower case, superscripts and minus signs as ASCII, and small number words as digits ("two passes" = "2 passes")."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS)).replace("\u2212", "-").replace("·", " ")
    return _NUMBER_WORD.sub(lambda match: _NUMBER_WORDS[match.group(1)], text.casefold())


def _unit_after(text: str, end: int) -> str:
    """The normalised unit written right after a number ending at ``end``, or "" when none is recognised."""
    words = re.findall(r"[^\s,;:?()]+", text[end : end + 40])
    for size in range(min(_LONGEST_UNIT_WORDS, len(words)), 0, -1):
        spelling = " ".join(words[:size]).rstrip(".")
        if spelling in _UNITS:
            return _UNITS[spelling]
    return ""


def _value(mantissa: str, exponent: str | None) -> str:
    number = float(mantissa.replace(",", ""))
    if exponent is not None:
        number *= 10 ** int(exponent)
    return f"{number:.4g}"


def quantities(text: str) -> tuple[str, ...]:
    """The numbers a text gives, each with its unit, sorted: "0.1 s⁻¹ at 25 °C" -> ("0.1 1/s", "25 °C")."""
    return _analyse(_fold(text))[0]


def _analyse(folded: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """One pass over a folded text: its quantities, and its content words (read from the text between the numbers)."""
    found = []
    pieces = []
    start = 0
    for match in _NUMBER.finditer(folded):
        pieces.append(folded[start : match.start()])
        start = match.end()
        try:
            value = _value(match.group(1), match.group(2))
        except (ValueError, OverflowError):
            continue
        found.append(f"{value} {_unit_after(folded, match.end())}".strip())
    pieces.append(folded[start:])
    tokens = set(_TOKEN.findall(" ".join(pieces)))
    return tuple(sorted(found)), frozenset(map(_STEMS.__getitem__, tokens - _NOT_CONTENT))


_TOKEN = re.compile(r"[a-z][a-z0-9]+")  # words with digits stay whole: co2, p53, q10
_NOT_CONTENT = _STOP_WORDS | frozenset(_UNITS)
_SUFFIX = re.compile(r"(?<=\w{4})(?:ations|ation|ments|ment|ness|ing|ies|ied|ed|es|ly|s)$")


def _stem(word: str) -> str:
    """A crude stem with synonyms folded."""
    word = _SYNONYMS.get(word, word)
    if len(word) > 4 and word.endswith(("sses", "ses", "xes", "zes", "ches", "shes")):
        word = word[:-2]  # gases -> gas, processes -> process (the general rule would leave "gase")
    else:
        word = _SUFFIX.sub("", word, count=1)
    return _SYNONYMS.get(word, word)


class _StemCache(dict):
    """Stems already worked out: a library's questions reuse a small vocabulary, and a dict lookup is the cheapest step here."""

    def __missing__(self, word: str) -> str:
        stem = _stem(word)
        if len(self) < _STEM_CACHE_WORDS:
            self[word] = stem
        return stem


_STEM_CACHE_WORDS = 1 << 17
_STEMS = _StemCache()


def content_words(text: str) -> frozenset[str]:
    """The words that carry a question's meaning: no numbers, units or stop words; stemmed, synonyms folded."""
    return _analyse(_fold(text))[1]


def _options(question: dict) -> list[str]:
    options = question.get("options") or []
    if isinstance(options, str):
        options = json.loads(options or "[]")
    return [str(option) for option in options]


def key_signature(question: dict) -> str:
    """What a question's key says, in a form two wordings share: quantities, or stemmed content words."""
    kind = question.get("kind") or "mcq"
    answer = str(question.get("answer") or "").strip()
    if kind == "mcq":
        options = _options(question)
        letter = answer.upper()
        answer = options[LETTERS.index(letter)] if len(letter) == 1 and letter in LETTERS[: len(options)] else answer
    elif kind == "numeric":
        answer = f"{answer} {question.get('unit') or ''}"
    folded = _fold(answer)
    numbers, words = _analyse(folded)
    if numbers:
        return "|".join(numbers)
    return " ".join(sorted(words)) or folded


def block_key(question: dict) -> tuple[str, str, tuple[str, ...]]:
    """The signature two paraphrases must share exactly: kind, key and the stem's quantities."""
    return question_features(question)[0]


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Dice overlap of two content-word sets (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def are_paraphrases(first: dict, second: dict) -> bool:
    """Whether two questions are rewordings of one another (same quantities, same asked value, same key)."""
    block = block_key(first)
    if block != block_key(second):
        return False
    threshold = WITH_QUANTITIES_THRESHOLD if block[2] else WITHOUT_QUANTITIES_THRESHOLD
    return similarity(content_words(first["question"]), content_words(second["question"])) >= threshold


def find_paraphrases(
    questions: Iterable[dict],
    *,
    with_quantities: float = WITH_QUANTITIES_THRESHOLD,
    without_quantities: float = WITHOUT_QUANTITIES_THRESHOLD,
    features: dict[str, tuple[tuple, frozenset[str]]] | None = None,
) -> list[Paraphrase]:
    """Rewordings among questions (dicts with ``id``, ``kind``, ``question``, ``options``, ``answer``, ``unit``); the first is kept.

    ``features`` may carry each question's block key and content words, already computed.
    """
    kept_by_block: dict[tuple, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    found: list[Paraphrase] = []
    for question in questions:
        block, words = features[question["id"]] if features is not None else question_features(question)
        threshold = with_quantities if block[2] else without_quantities
        best: tuple[float, str] | None = None
        for kept_id, kept_words in kept_by_block[block][:MAX_BLOCK_COMPARISONS]:
            score = similarity(words, kept_words)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, kept_id)
        if best is None:
            kept_by_block[block].append((question["id"], words))
        else:
            found.append(Paraphrase(question["id"], best[1], round(best[0], 3)))
    return found


def question_features(question: dict) -> tuple[tuple[str, str, tuple[str, ...]], frozenset[str]]:
    """What the comparisons need of one question: its block key (kind, key, the stem's quantities) and its content words."""
    numbers, words = _analyse(_fold(question.get("question") or ""))
    return (question.get("kind") or "mcq", key_signature(question), numbers), words


@dataclass(frozen=True)
class DuplicateFinding:
    """A question that repeats ``kept``: a near copy (word trigrams) or a paraphrase (same facts, other words)."""

    question_id: str
    kept: str
    similarity: float
    how: str  # copy | paraphrase


def find_copies_and_paraphrases(questions: Iterable[dict], copy_threshold: float = 0.7) -> list[DuplicateFinding]:
    """Both kinds of duplicate, the first question of each group kept.

    A near copy by word trigrams that changed a number, a unit or the key is a
    different question (MinHash cannot tell "0.1 s⁻¹" from "0.1 min⁻¹"), so the
    paraphrase signature must agree for a copy to count.
    """
    from papergym.core.quality.dedup import find_duplicates

    questions = list(questions)
    features = {question["id"]: question_features(question) for question in questions}
    findings = [
        DuplicateFinding(duplicate.question_id, duplicate.kept, duplicate.similarity, "copy")
        for duplicate in find_duplicates(questions, copy_threshold)
        if features[duplicate.question_id][0] == features[duplicate.kept][0]
    ]
    copied = {finding.question_id for finding in findings}
    rest = [question for question in questions if question["id"] not in copied]
    findings += [
        DuplicateFinding(paraphrase.question_id, paraphrase.kept, paraphrase.similarity, "paraphrase")
        for paraphrase in find_paraphrases(rest, features=features)
    ]
    return findings
