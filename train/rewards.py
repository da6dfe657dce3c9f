"""GRPO reward functions: plain TRL reward functions whose names become metric names.

Each takes the batch's ``completions`` and the dataset's columns as keyword
lists (``kind``, ``answer``, ``options``, ``unit``, ``tolerance``, ``aliases``),
one value per completion, and returns one float per completion. Answers are
read by ``papergym.core.questions.grading``, the same code that grades solvers in the
quality pipeline, so training and checking never disagree on what a model
answered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from papergym.core.questions.grading import grade

# The last non-empty line states the answer: "Answer: C", "**Final answer:** 4.2 mW", "Answer = 12".
_FINAL_LINE = re.compile(r"^[\s*_#>-]*(?:final\s+)?answer\s*[*_]*\s*(?:is\b|:|=)\s*\S", re.I)
_REASONING_WORDS = 5  # fewer words before the answer line is a bare answer, not reasoning


def completion_text(completion: str | list | dict) -> str:
    """The text of one completion in either TRL shape: a string, or chat messages ({role, content})."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return _content(completion.get("content"))
    if isinstance(completion, Sequence):
        replies = [message for message in completion if isinstance(message, dict) and message.get("role", "assistant") == "assistant"]
        return "\n".join(_content(message.get("content")) for message in replies or completion if isinstance(message, dict))
    return str(completion)


def _content(content) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    # Multimodal content parts: [{"type": "text", "text": ...}, ...]
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def _list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return decoded if isinstance(decoded, list) else [value]
    return list(value)


def _column(kwargs: dict, name: str, count: int) -> list:
    values = kwargs.get(name)
    return list(values) if values is not None else [None] * count


def question_rows(count: int, kwargs: dict) -> list[dict]:
    """One question dict per completion, in the shape ``core.grading.grade`` reads, from TRL's column lists."""
    columns = {name: _column(kwargs, name, count) for name in ("kind", "answer", "options", "unit", "tolerance", "aliases")}
    return [
        {
            "kind": columns["kind"][index] or "mcq",
            "answer": columns["answer"][index],
            "options": _list(columns["options"][index]),
            "unit": columns["unit"][index],
            "tolerance": columns["tolerance"][index],
            "aliases": _list(columns["aliases"][index]),
        }
        for index in range(count)
    ]


def grades(completions: list, **kwargs) -> list[bool | None]:
    """Each completion's grade: True right, False wrong, None when no final answer can be read."""
    texts = [completion_text(completion) for completion in completions]
    return [grade(question, text) for question, text in zip(question_rows(len(texts), kwargs), texts)]


def correctness(completions: list, **kwargs) -> list[float]:
    """1.0 when the final answer matches the key (letter, number within tolerance and unit, or term/alias), else 0.0.

    Also reports ``extractable`` through TRL's ``log_metric`` and the key as an
    ``answer`` column for the logged samples, when the trainer passes those hooks.
    """
    results = grades(completions, **kwargs)
    log_metric: Callable[[str, float], None] | None = kwargs.get("log_metric")
    if log_metric is not None and results:
        log_metric("extractable", sum(result is not None for result in results) / len(results))
    log_extra: Callable[[str, list], None] | None = kwargs.get("log_extra")
    if log_extra is not None and kwargs.get("answer") is not None:
        log_extra("answer", [str(answer) for answer in kwargs["answer"]])
    return [1.0 if result else 0.0 for result in results]


def format_reward(completions: list, **kwargs) -> list[float]:
    """1.0 for reasoning followed by a final "Answer: ..." line, 0.5 for the answer line alone, else 0.0."""
    scores = []
    for completion in completions:
        lines = [line for line in completion_text(completion).strip().splitlines() if line.strip()]
        if not lines or not _FINAL_LINE.match(lines[-1]):
            scores.append(0.0)
            continue
        reasoning_words = sum(len(line.split()) for line in lines[:-1])
        scores.append(1.0 if reasoning_words >= _REASONING_WORDS else 0.5)
    return scores


def extractable(completions: list, **kwargs) -> float:
    """The share of completions (0 to 1) whose final answer can be read at all, right or wrong."""
    results = grades(completions, **kwargs)
    return sum(result is not None for result in results) / len(results) if results else 0.0


REWARD_FUNCTIONS: dict[str, Callable[..., list[float]]] = {"correctness": correctness, "format_reward": format_reward}


def reward_functions(names: list[str]) -> list[Callable[..., list[float]]]:
    """The reward functions for these names, in order."""
    return [REWARD_FUNCTIONS[name] for name in names]
