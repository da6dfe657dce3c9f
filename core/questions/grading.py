"""Reading a model's final answer out of free text, and grading it against a question's key.

The quality pipeline's solvers and the training rewards both need this, so it
lives in one place: a letter for multiple choice, a number with its unit, or
a short term that must match the answer or one of its aliases.
"""

from __future__ import annotations

import math
import re

from papergym.core.questions.kinds import LETTERS, normalize

_BOXED = re.compile(r"\\boxed\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_NUMBER = re.compile(
    r"[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*(?:[eE][-+\u2212]?\d+|(?:[x\u00d7\*]|\\times)\s*10\s*\^?\s*\{?\s*([-+\u2212]?\d+)\s*\}?))?"
)
_SI_PREFIXES = {
    "T": 1e12,
    "G": 1e9,
    "M": 1e6,
    "k": 1e3,
    "h": 1e2,
    "c": 1e-2,
    "m": 1e-3,
    "u": 1e-6,
    "\u00b5": 1e-6,
    "\u03bc": 1e-6,
    "n": 1e-9,
    "p": 1e-12,
    "f": 1e-15,
}


def final_answer_text(completion: str) -> str | None:
    """The text a completion gives as its final answer: a \\boxed{} value, else what follows the last "Answer:"."""
    boxed = _BOXED.findall(completion)
    if boxed:
        return boxed[-1].strip()
    matches = list(re.finditer(r"(?:final\s+answer|answer)[\*_]*\s*(?:is|:|=)[\*_]*\s*", completion, re.I))
    if matches:
        tail = completion[matches[-1].end() :].strip()
        line = tail.splitlines()[0] if tail else ""
        return line.strip().strip("*").strip() or None
    return None


def extract_letter(completion: str, option_count: int) -> str | None:
    """The option letter a completion settles on, or None when it gives no readable letter."""
    letters = LETTERS[:option_count]
    letter_class = f"[{letters}{letters.lower()}]"
    boxed = _BOXED.findall(completion)
    for value in reversed(boxed):
        found = re.fullmatch(rf"\s*\(?({letter_class})\)?[.:)]?\s*(?:.*)?", value)
        if found and (len(value.strip()) == 1 or not value.strip()[1:2].isalpha()):
            return found.group(1).upper()
    # "Answer: C", "the answer is (C)", "correct option: C." — the last such statement counts.
    stated = [
        found
        for found in re.finditer(
            # Markdown emphasis is common around either part: "**Answer:** C", "**Answer**: (C)".
            rf"(?:final\s+answer|answer|correct\s+(?:option|choice))[\*_]*\s*(?:is|would\s+be|:|=|-)[\*_]*\s*"
            rf"(?:option\s+)?[\(\[\*_]*\s*({letter_class})(?![A-Za-z])",
            completion,
            re.I,
        )
        # "the answer is a balance of ..." is prose, not option A.
        if found.group(1).isupper() or not re.match(r"\s+[A-Za-z]", completion[found.end() :])
    ]
    if stated:
        return stated[-1].group(1).upper()
    # A last line that is only a letter, "(C)" or "C." (a model's terse conclusion).
    for line in reversed([line.strip() for line in completion.strip().splitlines() if line.strip()]):
        found = re.fullmatch(rf"[\(\[\*]*({letter_class})[\)\]\*]*[.:]?", line)
        if found:
            return found.group(1).upper()
        break
    # A single parenthesised letter in the last sentence, "(C)".
    tail = re.split(r"(?<=[.!?])\s+", completion.strip())[-1] if completion.strip() else ""
    parenthesised = re.findall(rf"\(({letter_class})\)", tail)
    if len(set(parenthesised)) == 1:
        return parenthesised[0].upper()
    return None


def parse_number(text: str) -> tuple[float, str] | None:
    """The first number in a text with the unit written after it: "4.2 mW" -> (4.2, "mW")."""
    found = _NUMBER.search(text.replace("\u2212", "-"))
    if not found:
        return None
    raw = found.group(0)
    leading = re.match(r"[-+]?[\d,]+(?:\.\d+)?", raw.replace(" ", ""))
    if leading is None:
        return None
    mantissa = leading.group(0).replace(",", "")
    value = float(mantissa)
    exponent = re.search(r"[eE]([-+]?\d+)$", raw.replace(" ", ""))
    if exponent:
        value *= 10 ** int(exponent.group(1))
    elif found.group(1) is not None:
        value *= 10 ** int(found.group(1).replace("\u2212", "-"))
    unit = text[found.end() :].strip().split("\n")[0]
    unit = re.split(r"[,;]|\s(?:and|or|which|because|since)\s", unit)[0].strip().rstrip(".")
    return value, unit


def extract_number(completion: str) -> tuple[float, str] | None:
    """The number a completion gives as its final answer (with its unit), or None."""
    final = final_answer_text(completion)
    if final is not None:
        parsed = parse_number(final)
        if parsed is not None:
            return parsed
    lines = [line for line in completion.strip().splitlines() if line.strip()]
    for line in reversed(lines[-1:]):
        numbers = list(_NUMBER.finditer(line))
        if numbers:
            return parse_number(line[numbers[-1].start() :])
    return None


def _unit_scale(given: str, expected: str) -> float | None:
    """The factor that turns a value in ``given`` into ``expected`` when they differ by an SI prefix."""
    given, expected = given.strip(), expected.strip()
    if not given or not expected or given == expected:
        return 1.0
    if normalize(given) == normalize(expected):
        return 1.0
    for unit, other, invert in ((given, expected, False), (expected, given, True)):
        if len(unit) > len(other) and unit[1:] == other and unit[0] in _SI_PREFIXES:
            factor = _SI_PREFIXES[unit[0]]
            return 1 / factor if invert else factor
    if len(given) > 1 and len(expected) > 1 and given[1:] == expected[1:] and given[0] in _SI_PREFIXES and expected[0] in _SI_PREFIXES:
        return _SI_PREFIXES[given[0]] / _SI_PREFIXES[expected[0]]
    return None


def numbers_match(value: float, unit: str, expected: float, expected_unit: str | None, tolerance: float | None) -> bool:
    """Whether a value (in its unit) equals the expected one within the tolerance.

    A value given in a prefixed form of the expected unit (mW for W) is converted;
    a value with no unit is read in the expected unit; any other unit is wrong.
    """
    scale = _unit_scale(unit, expected_unit or "") if unit else 1.0
    if scale is None:
        return False
    value *= scale
    allowed = tolerance if tolerance is not None else abs(expected) * 0.02
    return math.isfinite(value) and abs(value - expected) <= max(allowed, 1e-12)


def grade(question: dict, completion: str) -> bool | None:
    """True if the completion's final answer is right, False if wrong, None if no answer can be read."""
    kind = question.get("kind")
    if kind == "mcq":
        letter = extract_letter(completion, len(question.get("options") or []))
        return None if letter is None else letter == str(question["answer"]).upper()
    if kind == "numeric":
        parsed = extract_number(completion)
        if parsed is None:
            return None
        return numbers_match(parsed[0], parsed[1], float(question["answer"]), question.get("unit"), question.get("tolerance"))
    if kind == "exact":
        final = final_answer_text(completion)
        if final is None:
            lines = [line for line in completion.strip().splitlines() if line.strip()]
            final = lines[-1] if lines else None
        if final is None:
            return None
        return exact_matches(final, question["answer"], question.get("aliases") or [])
    raise ValueError(f"unknown question kind {kind!r}")


def exact_matches(given: str, answer: str, aliases: list[str]) -> bool:
    """Whether a short answer names the key or one of its aliases, ignoring case, spacing and articles."""

    def canonical(text: str) -> str:
        text = normalize(text).strip("*\"'`")
        return re.sub(r"^(?:the|a|an)\s+", "", text)

    wanted = {canonical(answer), *(canonical(alias) for alias in aliases)}
    return canonical(given) in wanted
