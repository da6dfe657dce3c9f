"""Grounding: is a question's key supported by the passage it was generated from?

A generated key can be invented. This step reads the window the question was
written from (kept with its generation job) and checks two things:

- the supporting quote, when the question has one, occurs in the passage:
  fuzzily, since PDF text breaks words with hyphens and lines and the model
  may normalise spacing or quotes;
- the key is supported: for a number (a numeric answer, or an option that is
  only a quantity), the numbers the question gives appear in the passage (so
  the answer follows from stated facts) or the answer itself does; for other
  multiple-choice and exact-match keys, most of the key's content words appear
  in the quote, or in the passage for questions written before quotes were
  asked for. A key with neither content words nor a number ("Both A and B")
  cannot be checked, so it is flagged rather than passed. When a judge model
  is available its probability that the passage entails the key is recorded
  beside it.

Ungrounded questions are flagged with the reason; questions without a stored
passage (imported ones) are left unjudged.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papergym.core.library import Library
from papergym.core.quality.checks import UPSERT, StepSummary, check_row, pending_questions, settings_hash
from papergym.core.quality.paraphrase import content_words, quantities
from papergym.core.questions.kinds import LETTERS

if TYPE_CHECKING:
    from papergym.core.quality.pipeline import CheckSettings

GROUNDING_VERSION = "2"  # part of the step's settings: a new rule judges every question again
MIN_QUOTE_MATCH = 0.85  # share of the quote's words found in order in one stretch of the passage
MIN_KEY_WORDS = 0.5  # share of the key's content words found in the quote (or passage)
MIN_NUMBERS = 0.5  # share of the question's numbers found in the passage
_WORD = re.compile(r"[^\W_]+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-"})


@dataclass
class Grounding:
    """What the check found for one question."""

    grounded: bool
    reasons: list[str] = field(default_factory=list)
    quote_span: tuple[int, int] | None = None  # character offsets of the quote in the passage
    quote_match: float | None = None  # share of the quote's words found in that span
    support: float = 0.0  # share of the key's words (or the question's numbers) found
    entailment: float | None = None  # a judge's P(yes) that the passage supports the key


def _words_with_offsets(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The passage's words (lower case, quotes and dashes unified, words broken by a hyphen at a line end joined) and where each lies."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(folded):
        start, end = match.span()
        gap = folded[spans[-1][1] : start] if spans else ""
        if spans and re.fullmatch(r"-\s*\n\s*", gap):
            # "hyphen-\nation": one word split by the line break; the whole word keeps both pieces' span.
            words[-1] += match.group()
            spans[-1] = (spans[-1][0], end)
            continue
        words.append(match.group())
        spans.append((start, end))
    return words, spans


def find_quote(quote: str, passage: str) -> tuple[tuple[int, int] | None, float]:
    """Where a quote lies in the passage (character offsets) and the share of its words found there in order."""
    quote_words, _ = _words_with_offsets(quote)
    passage_words, spans = _words_with_offsets(passage)
    if not quote_words or not passage_words:
        return None, 0.0
    matcher = difflib.SequenceMatcher(None, passage_words, quote_words, autojunk=False)
    # The stretch of the passage around the longest common run, as long as the quote plus some slack.
    longest = matcher.find_longest_match(0, len(passage_words), 0, len(quote_words))
    if longest.size == 0:
        return None, 0.0
    first = max(0, longest.a - longest.b - 3)
    last = min(len(passage_words), longest.a + (len(quote_words) - longest.b) + 3)
    window = difflib.SequenceMatcher(None, passage_words[first:last], quote_words, autojunk=False)
    blocks = [block for block in window.get_matching_blocks() if block.size]
    matched = sum(block.size for block in blocks)
    share = matched / len(quote_words)
    start_word = first + blocks[0].a
    end_word = first + blocks[-1].a + blocks[-1].size - 1
    return (spans[start_word][0], spans[end_word][1]), share


def key_text(question: dict) -> str:
    """The key as words: the correct option's text, the number with its unit, or the term."""
    options = question.get("options") or []
    if isinstance(options, str):
        options = json.loads(options or "[]")
    answer = str(question.get("answer") or "")
    if question.get("kind") == "mcq" and len(answer) == 1 and answer.upper() in LETTERS[: len(options)]:
        return str(options[LETTERS.index(answer.upper())])
    if question.get("kind") == "numeric" and question.get("unit"):
        return f"{answer} {question['unit']}"
    return answer


def _values(text: str) -> list[float]:
    found = []
    for quantity in quantities(text):
        try:
            found.append(float(quantity.split()[0]))
        except ValueError:
            continue
    return found


def _close(value: float, others: list[float]) -> bool:
    return any(math.isclose(value, other, rel_tol=0.02, abs_tol=1e-12) for other in others)


def check_grounding(question: dict, passage: str, quote: str | None = None) -> Grounding:
    """Whether the passage supports the question's key (and holds its quote, if it has one)."""
    result = Grounding(grounded=True)
    evidence = passage
    if quote:
        span, share = find_quote(quote, passage)
        result.quote_match = round(share, 3)
        if span is None or share < MIN_QUOTE_MATCH:
            result.grounded = False
            result.reasons.append(f"its supporting quote is not in the passage ({share:.0%} of its words found)")
        else:
            result.quote_span = span
            evidence = passage[span[0] : span[1]]
    key = key_text(question)
    if question.get("kind") == "numeric":
        return _check_numbers(question, key, passage, result)
    key_words = content_words(key)
    if not key_words:
        if _values(key):  # a quantity ("1.4 W/m/K"): its number is what the passage can hold
            return _check_numbers(question, key, passage, result)
        result.grounded = False
        shown = " ".join(key.split())
        result.reasons.append(
            f"its key ({shown[:60]}) has no content words to look for in the passage, so it cannot be checked"
            if shown
            else "it has no key to look for in the passage, so it cannot be checked"
        )
        return result
    found_words = key_words & content_words(evidence)
    result.support = len(found_words) / len(key_words)
    if result.support < MIN_KEY_WORDS:
        result.grounded = False
        where = "its quote" if quote and result.quote_span else "the passage"
        result.reasons.append(f"the key's words are not in {where} ({len(found_words)} of {len(key_words)}: the key may be invented)")
    return result


def _check_numbers(question: dict, key: str, passage: str, result: Grounding) -> Grounding:
    """A number key is grounded when the passage states it, or states most of the numbers the question gives."""
    stated = _values(question.get("question") or "")
    in_passage = _values(passage)
    answer = _values(key)
    found = [value for value in stated if _close(value, in_passage)]
    result.support = len(found) / len(stated) if stated else 0.0
    answer_stated = bool(answer) and _close(answer[0], in_passage)
    if not answer_stated and (not stated or result.support < MIN_NUMBERS):
        result.grounded = False
        missing = [f"{value:g}" for value in stated if not _close(value, in_passage)]
        result.reasons.append(
            "neither the answer nor the question's numbers come from the passage"
            + (f" (not in it: {', '.join(missing[:4])})" if missing else "")
        )
    elif answer_stated:
        result.support = 1.0
    return result


ENTAILMENT_INSTRUCTIONS = "Decide whether the passage states or directly implies the answer to the question. Reply yes or no."


def entailment_prompt(question: dict, passage: str) -> str:
    return f"{ENTAILMENT_INSTRUCTIONS}\n\nPassage: {passage.strip()}\n\nQuestion: {question['question']}\nAnswer: {key_text(question)}\nSupported:"


def entailment(backend, question: dict, passage: str) -> float | None:
    """A judge's probability that the passage supports the key (P(yes) over yes and no), or None if it said neither."""
    from papergym.core.llm.backend import Message
    from papergym.core.quality.score import verdict_probabilities
    from papergym.core.quality.vote import ask

    messages = [
        Message("system", ENTAILMENT_INSTRUCTIONS + " Answer with one word."),
        Message("user", f"Passage: {passage.strip()}\n\nQuestion: {question['question']}\nAnswer: {key_text(question)}"),
    ]
    completion = ask(backend, entailment_prompt(question, passage), messages, max_tokens=1, temperature=0.0, logprobs=20)
    if not completion.top_logprobs:
        return None
    p_yes, p_no = verdict_probabilities(completion.top_logprobs[0])
    return p_yes / (p_yes + p_no) if p_yes + p_no > 0.01 else None


def _passages(library: Library, job_ids: list[str]) -> dict[str, str]:
    passages = {}
    for start in range(0, len(job_ids), 500):
        chunk = job_ids[start : start + 500]
        rows = library.query(f"SELECT id, payload FROM jobs WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        for row in rows:
            try:
                passage = json.loads(row["payload"] or "{}").get("passage")
            except ValueError:
                passage = None
            if passage:
                passages[row["id"]] = passage
    return passages


def run_step(library: Library, settings: CheckSettings, summary: StepSummary, progress, cancel: threading.Event, models=None) -> None:
    """Flag open questions whose key their passage does not support; a judge's entailment is added when a model is given."""
    config = settings_hash(version=GROUNDING_VERSION, judge=models is not None)
    todo = pending_questions(library, "grounding", config, recheck=settings.recheck, skip_dropped=True)
    job_ids = {row["id"]: row["job_id"] for row in library.query("SELECT id, job_id, evidence FROM questions WHERE job_id IS NOT NULL")}
    quotes = {row["id"]: row["evidence"] for row in library.query("SELECT id, evidence FROM questions WHERE evidence IS NOT NULL")}
    passages = _passages(library, sorted(set(job_ids.values())))
    progress(0, len(todo))
    rows = []
    without_passage = 0
    judge = None
    for done, question in enumerate(todo, 1):
        if cancel.is_set():
            break
        passage = passages.get(job_ids.get(question["id"], ""))
        if passage is None:
            without_passage += 1
            continue
        if models is not None and judge is None:
            judge = models()[1]  # opened only once there is a passage to judge against
        quote = _quote_of(quotes.get(question["id"]))
        result = check_grounding(question, passage, quote)
        if judge is not None:
            result.entailment = entailment(judge, question, passage)
        scores = {"support": round(result.support, 3)}
        if result.quote_match is not None:
            scores["quote_match"] = result.quote_match
        if result.entailment is not None:
            scores["entailment"] = round(result.entailment, 3)
        detail = {
            "quote": quote,
            "quote_span": list(result.quote_span) if result.quote_span else None,
            "checked_against": "quote" if quote else "window",
        }
        rows.append(check_row(question["id"], "grounding", "pass" if result.grounded else "flag", result.reasons, config, scores, detail))
        if done % 500 == 0:
            progress(done, len(todo))
    with library.write() as db:
        db.conn.executemany(UPSERT, rows)
    progress(len(todo), len(todo))
    summary.ran = len(rows)
    summary.extra["without_passage"] = without_passage


def _quote_of(evidence: str | None) -> str | None:
    """The first quote stored with a question (``questions.evidence``: a JSON list of {quote, start, end})."""
    if not evidence:
        return None
    try:
        items = json.loads(evidence)
    except ValueError:
        return None
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get("quote") or None
    return None
