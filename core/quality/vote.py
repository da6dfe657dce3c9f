"""Solver voting (WildSci): do independent solvers reach the question's key?

Every multiple-choice question gets an extra "None of the above" option, and
N solver answers per solver model. Two ways to get the answers:

- ``sample``: each solver writes a short step-by-step solution N times; the
  final answer of each is one vote (also works for numeric and exact questions);
- ``logprob``: one forward pass reads the probability of each answer letter,
  and N votes are shared out in proportion to those probabilities. Much faster,
  multiple choice only (other kinds fall back to sampling).

The votes decide the question's class: all_aligned, majority_aligned,
majority_divergent, all_divergent, or discard (most solvers chose None of the above).
"""

from __future__ import annotations

import json
import math
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papergym.core.library import Library
from papergym.core.llm.backend import Backend
from papergym.core.quality.checks import StepSummary, check_row, settings_hash
from papergym.core.quality.model_step import ModelOpener, run_model_step
from papergym.core.quality.prompts import (
    QUALITY_PROMPT_VERSION,
    solve_messages,
    solve_prompt,
    vote_messages,
    vote_prompt,
    with_none_of_the_above,
)
from papergym.core.questions.grading import extract_letter, final_answer_text, grade
from papergym.core.questions.kinds import LETTERS

if TYPE_CHECKING:
    from papergym.core.quality.pipeline import CheckSettings

UNREADABLE = "?"


@dataclass
class VoteSettings:
    mode: str = "sample"  # sample | logprob
    samples: int = 4  # votes per solver model
    temperature: float = 0.8
    reasoning_tokens: int = 256  # budget for a sampled solution


@dataclass
class VoteResult:
    votes: list[str]  # each vote: a letter, an answer text, or "?" when none could be read
    aligned: int  # votes that match the key
    none_of_the_above: int
    voting_type: str
    mode: str  # what was actually used (logprob falls back to sample for non-mcq questions)
    letter_probabilities: dict[str, float] = field(default_factory=dict)  # logprob mode, per solver summed
    seconds: float = 0.0
    tokens: int = 0


def classify_votes(total: int, aligned: int, none_of_the_above: int) -> str:
    """WildSci's classes; a majority for None of the above discards the question whatever else it got."""
    if total == 0:
        return "all_divergent"
    if none_of_the_above * 2 > total:
        return "discard"
    if aligned == total:
        return "all_aligned"
    if aligned * 2 > total:
        return "majority_aligned"
    if aligned == 0:
        return "all_divergent"
    return "majority_divergent"


def allocate_votes(probabilities: dict[str, float], count: int) -> list[str]:
    """``count`` votes shared out in proportion to the probabilities (largest remainder), most likely first."""
    total = sum(probabilities.values())
    if total <= 0 or count <= 0:
        return [UNREADABLE] * max(count, 0)
    shares = {letter: probability / total * count for letter, probability in probabilities.items()}
    seats = {letter: math.floor(share) for letter, share in shares.items()}
    left = count - sum(seats.values())
    by_remainder = sorted(shares, key=lambda letter: (shares[letter] - seats[letter], shares[letter]), reverse=True)
    for letter in by_remainder[:left]:
        seats[letter] += 1
    ordered = sorted(seats, key=lambda letter: (-seats[letter], -shares[letter], letter))
    return [letter for letter in ordered for _ in range(seats[letter])]


def letter_probabilities(top_logprobs: dict[str, float], option_count: int) -> dict[str, float]:
    """Probability mass on each option letter among a token's top alternatives (" A", "A", "(A" all count)."""
    letters = LETTERS[:option_count]
    found = dict.fromkeys(letters, 0.0)
    for token, logprob in top_logprobs.items():
        cleaned = token.strip().strip("(").strip()
        if len(cleaned) == 1 and cleaned.upper() in found and (cleaned.isupper() or token.strip() == cleaned):
            found[cleaned.upper()] += math.exp(logprob)
    return found


def _seed(question: dict, solver: int, sample: int) -> int:
    return zlib.crc32(f"{question.get('id', question['question'])}|{solver}|{sample}".encode())


def ask(backend: Backend, prompt: str, messages: list, *, stop: list[str] | None = None, **options):
    """The completion-style prompt for a base model, the messages for a model with a chat template."""
    if backend.supports_chat:
        return backend.chat(messages, **options)
    return backend.complete(prompt, stop=stop, **options)


def _sample_votes(backend: Backend, question: dict, solver_index: int, settings: VoteSettings) -> tuple[list[str], int]:
    asked = with_none_of_the_above(question) if question["kind"] == "mcq" else question
    votes, tokens = [], 0
    for sample in range(settings.samples):
        completion = ask(
            backend,
            solve_prompt(asked),
            solve_messages(asked),
            stop=["###", "\nQuestion:"],
            max_tokens=settings.reasoning_tokens,
            temperature=settings.temperature,
            seed=_seed(question, solver_index, sample),
        )
        tokens += completion.completion_tokens
        votes.append(_read_vote(asked, completion.text))
    return votes, tokens


def _read_vote(asked: dict, text: str) -> str:
    if asked["kind"] == "mcq":
        return extract_letter(text, len(asked["options"])) or UNREADABLE
    final = final_answer_text(text)
    if final is None:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        final = lines[-1] if lines else None
    return final[:80] if final else UNREADABLE


def _logprob_votes(backend: Backend, question: dict, settings: VoteSettings) -> tuple[list[str], dict[str, float], int]:
    asked = with_none_of_the_above(question)
    completion = ask(backend, vote_prompt(asked), vote_messages(asked), max_tokens=1, temperature=0.0, logprobs=20)
    if not completion.top_logprobs:
        return [UNREADABLE] * settings.samples, {}, completion.completion_tokens
    probabilities = letter_probabilities(completion.top_logprobs[0], len(asked["options"]))
    return allocate_votes(probabilities, settings.samples), probabilities, completion.completion_tokens


def _is_aligned(question: dict, vote: str) -> bool:
    if vote == UNREADABLE:
        return False
    if question["kind"] == "mcq":
        return vote == str(question["answer"]).upper()
    return bool(grade(question, f"Answer: {vote}"))


def vote(solvers: list[Backend], question: dict, settings: VoteSettings) -> VoteResult:
    """Every solver's votes on one question, and the class they put it in."""
    started = time.perf_counter()
    mode = settings.mode if question["kind"] == "mcq" else "sample"
    nota_letter = LETTERS[len(question.get("options") or [])] if question["kind"] == "mcq" else None
    votes: list[str] = []
    probabilities: dict[str, float] = {}
    tokens = 0
    for index, backend in enumerate(solvers):
        if mode == "logprob":
            solver_votes, solver_probabilities, used = _logprob_votes(backend, question, settings)
            for letter, probability in solver_probabilities.items():
                probabilities[letter] = probabilities.get(letter, 0.0) + probability / len(solvers)
        else:
            solver_votes, used = _sample_votes(backend, question, index, settings)
        votes += solver_votes
        tokens += used
    aligned = sum(_is_aligned(question, vote_) for vote_ in votes)
    none_of_the_above = sum(vote_ == nota_letter for vote_ in votes) if nota_letter else 0
    return VoteResult(
        votes=votes,
        aligned=aligned,
        none_of_the_above=none_of_the_above,
        voting_type=classify_votes(len(votes), aligned, none_of_the_above),
        mode=mode,
        letter_probabilities=probabilities,
        seconds=time.perf_counter() - started,
        tokens=tokens,
    )


def run_step(
    library: Library, settings: CheckSettings, summary: StepSummary, progress, cancel: threading.Event, models: ModelOpener
) -> str | None:
    """Vote on each open question: a discard drops it, divergent votes flag it, aligned votes pass it."""
    vote_settings = settings.vote
    # Model names are not part of the settings' hash: switching models keeps earlier votes unless --recheck.
    config = settings_hash(
        prompts=QUALITY_PROMPT_VERSION,
        mode=vote_settings.mode,
        samples=vote_settings.samples,
        temperature=vote_settings.temperature,
        reasoning_tokens=vote_settings.reasoning_tokens,
    )
    solvers: list[Backend] = []
    seconds: list[float] = []
    tokens = [0]

    def record(question, result):
        seconds.append(result.seconds)
        tokens[0] += result.tokens
        status = {"discard": "drop", "all_divergent": "flag", "majority_divergent": "flag"}.get(result.voting_type, "pass")
        reasons = {
            "discard": [f"most solvers chose None of the above ({result.none_of_the_above}/{len(result.votes)})"],
            "all_divergent": [f"no solver reached the key (0/{len(result.votes)}): the key may be wrong"],
            "majority_divergent": [f"most solvers missed the key ({result.aligned}/{len(result.votes)})"],
        }.get(result.voting_type, [])
        check = check_row(
            question["id"],
            "vote",
            status,
            reasons,
            config,
            scores={
                "aligned": result.aligned,
                "votes": len(result.votes),
                "none_of_the_above": result.none_of_the_above,
                "agreement": round(result.aligned / len(result.votes), 3) if result.votes else 0.0,
            },
            detail={
                "votes": result.votes,
                "voting_type": result.voting_type,
                "mode": result.mode,
                "letter_probabilities": {k: round(v, 4) for k, v in result.letter_probabilities.items()},
                "solvers": [backend.model_name for backend in solvers],
            },
        )
        return check, {"voting_type": result.voting_type, "votes": json.dumps(result.votes, ensure_ascii=False)}

    def work():
        solvers.extend(models()[0])
        return lambda question: vote(solvers, question, vote_settings)

    stopped = run_model_step(
        library, "vote", config, settings, summary, work, record, lambda: min(backend.parallel for backend in solvers), progress, cancel
    )
    summary.extra["mode"] = vote_settings.mode
    summary.extra["voting_types"] = {
        row["voting_type"]: row["n"]
        for row in library.query("SELECT voting_type, count(*) AS n FROM questions WHERE voting_type IS NOT NULL GROUP BY voting_type")
    }
    if seconds:
        summary.extra["seconds_per_question"] = round(sum(seconds) / len(seconds), 3)
        summary.extra["questions_per_minute"] = round(60 * len(seconds) / max(sum(seconds), 1e-9), 1)
        summary.extra["tokens"] = tokens[0]
    return stopped
