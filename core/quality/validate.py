"""Rule checks on a stored question: the first step of the quality pipeline (issue 4).

Each check returns findings; a finding either drops the question (it cannot be
trusted as training data) or flags it for a person to look at in review.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from papergym.core.library import Library
from papergym.core.quality.checks import UPSERT, StepSummary, check_row, pending_questions, settings_hash
from papergym.core.questions.kinds import KINDS, LETTERS, MAX_QUESTION_CHARS, MIN_QUESTION_CHARS, normalize

if TYPE_CHECKING:
    from papergym.core.quality.pipeline import CheckSettings

VALIDATORS_VERSION = "4"  # bump when a rule changes, so every question is judged again
NEAR_IDENTICAL_RATIO = 0.92
_PROGRESS_EVERY = 5000

# Phrases that tie a question to its source instead of standing alone (WildSci's rule).
LEAKAGE_PATTERNS = [
    (
        re.compile(
            r"\b(?:the|this|our|these|that|present|current)\s+(?:paper|study|article|manuscript|work|report|passage|text|excerpt|experiment(?:s)?|investigation)\b",
            re.I,
        ),
        "refers to its source",
    ),
    (re.compile(r"\baccording to\s+(?:the|this)\b", re.I), "refers to its source"),
    (
        re.compile(r"\b(?:fig(?:ure)?|tab(?:le)?|eq(?:uation)?|section|sec|appendix|supplementary)\.?\s*(?:S?\d+[a-z]?|[IVX]+)\b", re.I),
        "points at a figure, table, equation or section",
    ),
    (re.compile(r"\b(?:the\s+)?authors?\b|\bet\s+al\b", re.I), "mentions the authors"),
    (
        re.compile(r"\b(?:shown|described|reported|discussed|mentioned)\s+(?:above|below|here|earlier)\b", re.I),
        "refers to surrounding text",
    ),
    (
        re.compile(r"\b(?:reaction|equation|statement|scheme|graph|data|structure|passage|sequence)\s+(?:below|above)\b", re.I),
        "refers to surrounding text",
    ),
]
# A question that only announces a statement ("Is the following statement true or false?") and never states it.
_EMPTY_STATEMENT = re.compile(r"^\s*(?:is|are)\s+the\s+following\s+statements?\s+true\s+or\s+false\??\s*$", re.I)


@dataclass(frozen=True)
class Finding:
    """One problem a check found: ``drop`` removes the question, ``flag`` sends it to review."""

    check: str
    action: str  # drop | flag
    reason: str


def _options(question: dict) -> list:
    options = question.get("options") or []
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except json.JSONDecodeError:
            return ["<unreadable>"]
    return options


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)?", text)


def check_schema(question: dict) -> list[Finding]:
    kind = question.get("kind")
    if kind not in KINDS:
        return [Finding("schema", "drop", f"unknown kind {kind!r}")]
    text = question.get("question")
    if not isinstance(text, str) or not text.strip():
        return [Finding("schema", "drop", "the question text is empty")]
    if kind == "mcq":
        options = _options(question)
        if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str) and o.strip() for o in options):
            return [Finding("schema", "drop", "the options are not a list of non-empty texts")]
    if not str(question.get("answer") or "").strip():
        return [Finding("schema", "drop", "the answer is empty")]
    return []


def check_key(question: dict) -> list[Finding]:
    if question.get("kind") != "mcq":
        return []
    options = _options(question)
    answer = str(question.get("answer") or "").strip().upper()
    if answer not in LETTERS[: len(options)]:
        return [Finding("key", "drop", f"the key {answer!r} is not one of the {len(options)} options")]
    return []


def check_options(question: dict) -> list[Finding]:
    if question.get("kind") != "mcq":
        return []
    normalized = [normalize(option) for option in _options(question)]
    findings = []
    for first in range(len(normalized)):
        for second in range(first + 1, len(normalized)):
            a, b = normalized[first], normalized[second]
            pair = f"{LETTERS[first]} and {LETTERS[second]}"
            if a == b:
                findings.append(Finding("options", "drop", f"options {pair} are the same"))
            elif _numbers(a) == _numbers(b) and SequenceMatcher(None, a, b).ratio() >= NEAR_IDENTICAL_RATIO:
                # Options that differ in a number (1.4 vs 14 W/m/K) are real distractors, however alike.
                findings.append(Finding("options", "flag", f"options {pair} are nearly identical"))
    return findings + _bare_letters(_options(question)) + _option_labels(_options(question))


_OPTION_LABEL = re.compile(r"^\s*\(?([A-J])\s*[.):]\s+")
_BARE_LETTER = re.compile(r"^\s*\(?[A-J]\)?\s*[.):]?\s*$")


def _bare_letters(options: list) -> list[Finding]:
    """Options that are nothing but option letters ("B", "D", "E", "A"): there is no answer to choose, only labels.

    Small models write these with the real choices inline in the question; a
    reward on the letter then pays for a label that points at another label.
    """
    if len(options) >= 2 and all(_BARE_LETTER.match(str(option)) for option in options):
        shown = ", ".join(str(option).strip() for option in options[:4])
        return [Finding("options", "drop", f"the options are bare letters ({shown}), not answers")]
    return []


def _option_labels(options: list) -> list[Finding]:
    """Options that begin with a letter of their own ("A. D. Sand is…"), which small models write."""
    # Only letters that could name an option count: "I. e." before four options is not a label.
    usable = LETTERS[: len(options)]
    labels = [
        (match.group(1), LETTERS[index])
        for index, option in enumerate(options)
        if (match := _OPTION_LABEL.match(str(option))) and match.group(1) in usable
    ]
    wrong = [f"{position} is labelled {label!r}" for label, position in labels if label != position]
    if wrong:
        # A reward that grades the letter would then pay for the wrong option.
        return [Finding("options", "drop", f"options carry other letters ({', '.join(wrong[:3])})")]
    if len(labels) >= 2:
        return [Finding("options", "flag", "the options repeat their own letters")]
    return []


def check_leakage(question: dict) -> list[Finding]:
    texts = [question.get("question") or ""] + [str(option) for option in _options(question)]
    found = []
    for pattern, why in LEAKAGE_PATTERNS:
        for text in texts:
            match = pattern.search(text)
            if match:
                found.append(Finding("leakage", "drop", f"{why} ({match.group(0)!r})"))
                break
    return found


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def check_rationale(question: dict) -> list[Finding]:
    """Small models often paste the prompt's worked rationale instead of explaining their own question."""
    from papergym.core.generation.prompts import EXAMPLES

    rationale = _trigrams(question.get("rationale") or "")
    if not rationale:
        return []
    for example in EXAMPLES.values():
        example_trigrams = _trigrams(example["rationale"])
        if len(rationale & example_trigrams) >= 0.5 * min(len(rationale), len(example_trigrams)):
            return [Finding("rationale", "flag", "the rationale copies the prompt's worked example")]
    return []


def check_length(question: dict) -> list[Finding]:
    if _EMPTY_STATEMENT.match(question.get("question") or ""):
        return [Finding("length", "drop", "the question announces a statement but never states it")]
    length = len((question.get("question") or "").strip())
    if length < MIN_QUESTION_CHARS:
        return [Finding("length", "drop", f"the question is too short ({length} characters)")]
    if length > MAX_QUESTION_CHARS:
        return [Finding("length", "flag", f"the question is very long ({length} characters)")]
    return []


CHECKS = (check_schema, check_key, check_options, check_leakage, check_length, check_rationale)


def check_question(question: dict) -> list[Finding]:
    """Every rule's findings for one question (a row of the questions table, or the same as a dict)."""
    schema = check_schema(question)
    if schema:
        return schema  # the other checks need a well-formed question
    return [finding for check in CHECKS[1:] for finding in check(question)]


def longest_option_bias(questions: list[dict]) -> dict:
    """How often the key is the strictly longest option, against what chance would give.

    Generators tend to write the correct option more carefully, so it is longer;
    a solver can then guess without reasoning. WildSci reports this statistic.
    """
    counted = longest = 0
    chance = 0.0
    for question in questions:
        if question.get("kind") != "mcq":
            continue
        options = _options(question)
        answer = str(question.get("answer") or "").upper()
        if answer not in LETTERS[: len(options)] or len(options) < 2:
            continue
        lengths = [len(str(option)) for option in options]
        key_length = lengths[LETTERS.index(answer)]
        counted += 1
        chance += 1 / len(options)
        longest += key_length > max(length for index, length in enumerate(lengths) if index != LETTERS.index(answer))
    return {
        "questions": counted,
        "key_is_longest": longest,
        "share": longest / counted if counted else 0.0,
        "chance": chance / counted if counted else 0.0,
    }


def run_step(library: Library, settings: CheckSettings, summary: StepSummary, progress) -> None:
    """Judge every open question not yet judged by these rules: any dropping finding drops it, any other flags it."""
    config = settings_hash(version=VALIDATORS_VERSION)
    todo = pending_questions(library, "validate", config, recheck=settings.recheck, skip_dropped=False)
    rows = []
    for index, question in enumerate(todo, 1):
        findings = check_question(question)
        status = "drop" if any(f.action == "drop" for f in findings) else "flag" if findings else "pass"
        rows.append(
            check_row(
                question["id"],
                "validate",
                status,
                [f.reason for f in findings],
                config,
                detail={"checks": sorted({f.check for f in findings})},
            )
        )
        if index % _PROGRESS_EVERY == 0:
            progress(index, len(todo))
    with library.write() as db:
        db.conn.executemany(UPSERT, rows)
    progress(len(todo), len(todo))
    summary.ran = len(todo)


def longest_option_report(library: Library) -> dict:
    """``longest_option_bias`` over the library's multiple-choice questions that are still usable."""
    usable = library.query("SELECT kind, options, answer FROM questions WHERE status NOT IN ('dropped', 'rejected') AND kind = 'mcq'")
    for row in usable:
        row["options"] = json.loads(row["options"] or "[]")
    return longest_option_bias(usable)
