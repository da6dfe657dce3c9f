"""A model's judgement of a question as training data: P(yes) - P(no) from one forward pass.

The score lies in [-1, 1]: near 1 when the judge is sure the question is
clear, self-contained and correctly keyed, near -1 when it is sure it is not.
Reading probabilities instead of a sampled word gives a graded score from a
single token, which ranks questions rather than just splitting them.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papergym.core.library import Library
from papergym.core.llm.backend import Backend
from papergym.core.quality.checks import StepSummary, check_row, settings_hash
from papergym.core.quality.model_step import ModelOpener, run_model_step
from papergym.core.quality.prompts import QUALITY_PROMPT_VERSION, judge_messages, judge_prompt
from papergym.core.quality.vote import ask

if TYPE_CHECKING:
    from papergym.core.quality.pipeline import CheckSettings

DEFAULT_THRESHOLD = 0.0
_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}


@dataclass
class JudgeScore:
    score: float  # P(yes) - P(no)
    p_yes: float
    p_no: float
    readable: bool  # the verdict words were among the top alternatives at all


def verdict_probabilities(top_logprobs: dict[str, float]) -> tuple[float, float]:
    """Probability on "yes" and on "no" (any case or spacing) among one token's top alternatives."""
    p_yes = p_no = 0.0
    for token, logprob in top_logprobs.items():
        word = token.strip().strip(".").casefold()
        if word in _YES:
            p_yes += math.exp(logprob)
        elif word in _NO:
            p_no += math.exp(logprob)
    return p_yes, p_no


def judge(backend: Backend, question: dict) -> JudgeScore:
    completion = ask(backend, judge_prompt(question), judge_messages(question), max_tokens=1, temperature=0.0, logprobs=20)
    if not completion.top_logprobs:
        return JudgeScore(0.0, 0.0, 0.0, False)
    p_yes, p_no = verdict_probabilities(completion.top_logprobs[0])
    return JudgeScore(p_yes - p_no, p_yes, p_no, p_yes + p_no > 0.01)


def run_step(
    library: Library, settings: CheckSettings, summary: StepSummary, progress, cancel: threading.Event, models: ModelOpener
) -> str | None:
    """Score each open question with the judge; a score under the threshold, or no readable verdict, flags it."""
    config = settings_hash(prompts=QUALITY_PROMPT_VERSION, threshold=settings.score_threshold)
    judges: list[Backend] = []

    def record(question, result):
        low = result.score < settings.score_threshold
        reasons = [f"the judge's score is below the threshold ({result.score:+.2f} < {settings.score_threshold:+.2f})"] if low else []
        if not result.readable:
            reasons = ["the judge answered neither yes nor no"]
        check = check_row(
            question["id"],
            "score",
            "flag" if (low or not result.readable) else "pass",
            reasons,
            config,
            scores={"score": round(result.score, 4), "p_yes": round(result.p_yes, 4), "p_no": round(result.p_no, 4)},
            detail={"model": judges[0].model_name},
        )
        return check, {"score": result.score}

    def work():
        judges.append(models()[1])
        return lambda question: judge(judges[0], question)

    stopped = run_model_step(library, "score", config, settings, summary, work, record, lambda: judges[0].parallel, progress, cancel)
    stats = library.query(
        "SELECT count(score) AS n, avg(score) AS mean, min(score) AS low, max(score) AS high FROM questions WHERE score IS NOT NULL"
    )[0]
    summary.extra["score"] = {key: (round(value, 3) if isinstance(value, float) else value) for key, value in stats.items()}
    summary.extra["threshold"] = settings.score_threshold
    return stopped
