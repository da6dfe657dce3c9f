"""A model's judgement of a question as training data: P(yes) - P(no) from one forward pass.

The score lies in [-1, 1]: near 1 when the judge is sure the question is
clear, self-contained and correctly keyed, near -1 when it is sure it is not.
Reading probabilities instead of a sampled word gives a graded score from a
single token, which ranks questions rather than just splitting them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from papergym.core.llm.backend import Backend
from papergym.core.quality.prompts import judge_messages, judge_prompt
from papergym.core.quality.vote import ask

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
