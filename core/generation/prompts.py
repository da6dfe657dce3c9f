"""Versioned prompts for question generation; every stored question records the version it came from.

Two shapes of the same prompt: a completion-style few-shot prompt for base
models (no chat template), and system + user messages for instruct models.
Both put the shared instructions and examples first and the paper window
after them, so a prefix cache evaluates the shared part once per model load.
"""

from __future__ import annotations

import json
from typing import Any

from papergym.core.llm.backend import Message

PROMPT_VERSION = "gen-2"  # gen-2: every reply carries a verbatim "quote" of the passage that supports its key
REFINE_VERSION = "refine-1"

INSTRUCTIONS = """You write exam questions for PhD students from passages of scientific papers.
Rules:
- Each question is self-contained: it states the facts, quantities and notation it needs, so someone who never saw the passage can answer it by reasoning.
- Never mention the passage, the paper, the study, the authors, a figure, a table or a section.
- The answer must follow from the passage and be checkable by a program: one correct option letter, a number with a unit, or a short exact term.
- Prefer questions that need a step of reasoning or calculation over recall of a single phrase.
- In "quote", copy word for word the sentence or sentences of the passage that the answer rests on."""

TASK_LINES = {
    "mcq": "Task: multiple-choice question with four options and one correct letter",
    "numeric": "Task: numerical question whose answer is a number with a unit",
    "exact": "Task: short-answer question whose answer is an exact term or name",
}

EXAMPLE_PASSAGE = """Title: Temperature sensitivity of respiration in peat cores
Soil respiration in intact peat cores was measured at 5, 15 and 25 degrees Celsius. Respiration rose from 1.2 to 3.0 micromol CO2 per square metre per second between 5 and 15 degrees Celsius, giving a temperature coefficient Q10 of 2.5. Cores drained to a water table 30 cm below the surface respired 40 percent more than saturated cores at every temperature, which we attribute to oxygen reaching deeper peat layers."""

EXAMPLES: dict[str, dict[str, Any]] = {
    "mcq": {
        "question": "Respiration of a peat soil rises from 1.2 to 3.0 micromol CO2 m^-2 s^-1 when it is warmed from 5 to 15 degrees Celsius. Assuming the same temperature coefficient holds, what rate is expected at 25 degrees Celsius?",
        "options": ["7.5 micromol CO2 m^-2 s^-1", "4.8 micromol CO2 m^-2 s^-1", "6.0 micromol CO2 m^-2 s^-1", "3.6 micromol CO2 m^-2 s^-1"],
        "answer": "A",
        "rationale": "Q10 = 3.0 / 1.2 = 2.5 per 10 degrees, so the rate at 25 degrees is 3.0 x 2.5 = 7.5.",
        "quote": "Respiration rose from 1.2 to 3.0 micromol CO2 per square metre per second between 5 and 15 degrees Celsius, giving a temperature coefficient Q10 of 2.5.",
    },
    "numeric": {
        "question": "A saturated peat core respires 3.0 micromol CO2 m^-2 s^-1 at 15 degrees Celsius. Draining the core so that oxygen reaches deeper layers raises respiration by 40 percent at any temperature. What is the respiration rate of the drained core at 15 degrees Celsius?",
        "answer": 4.2,
        "unit": "micromol CO2 m^-2 s^-1",
        "rationale": "3.0 x 1.4 = 4.2.",
        "quote": "Cores drained to a water table 30 cm below the surface respired 40 percent more than saturated cores at every temperature",
    },
    "exact": {
        "question": "Which dimensionless coefficient expresses the factor by which a biological rate increases for a temperature rise of 10 degrees Celsius?",
        "answer": "Q10",
        "aliases": ["temperature coefficient", "Q10 coefficient"],
        "rationale": "Q10 is defined as the rate ratio for a 10 degree rise.",
        "quote": "giving a temperature coefficient Q10 of 2.5",
    },
}

REFINE_INSTRUCTIONS = """You improve multiple-choice exam questions. Rewrite the question so it stays self-contained and has exactly ten options, A to J: the correct answer (same meaning as before) and nine plausible distractors that a student who half-understands the topic might choose. Distractors must be wrong, distinct, of similar length and style to the correct option, and must not be giveaways (no "all of the above", no obviously absurd values). Remove any wording that hints at the answer."""

REFINE_EXAMPLE_IN = {key: value for key, value in EXAMPLES["mcq"].items() if key != "quote"}  # refine keeps the original's quote
REFINE_EXAMPLE_OUT = {
    "question": REFINE_EXAMPLE_IN["question"],
    "options": [
        "7.5 micromol CO2 m^-2 s^-1",
        "4.8 micromol CO2 m^-2 s^-1",
        "6.0 micromol CO2 m^-2 s^-1",
        "3.6 micromol CO2 m^-2 s^-1",
        "5.5 micromol CO2 m^-2 s^-1",
        "9.0 micromol CO2 m^-2 s^-1",
        "18.8 micromol CO2 m^-2 s^-1",
        "4.2 micromol CO2 m^-2 s^-1",
        "6.9 micromol CO2 m^-2 s^-1",
        "3.0 micromol CO2 m^-2 s^-1",
    ],
    "answer": "A",
    "rationale": REFINE_EXAMPLE_IN["rationale"],
}


def _dump(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False)


def shared_prefix() -> str:
    """Instructions and one worked example per kind: identical for every window."""
    parts = [INSTRUCTIONS, "", "Passage:", EXAMPLE_PASSAGE, ""]
    for kind, example in EXAMPLES.items():
        parts += [TASK_LINES[kind], f"JSON: {_dump(example)}", ""]
    parts.append("###")
    return "\n".join(parts) + "\n"


def window_block(passage: str) -> str:
    return f"Passage:\n{passage.strip()}\n\n"


def completion_prompt(passage: str, kind: str) -> str:
    """The full few-shot prompt for a base model: prefix, then the window, then the task."""
    return shared_prefix() + window_block(passage) + f"{TASK_LINES[kind]}\nJSON: "


def chat_messages(passage: str, kind: str) -> list[Message]:
    """The same request for an instruct model with a chat template."""
    examples = "\n".join(f"{TASK_LINES[k]}\nJSON: {_dump(v)}" for k, v in EXAMPLES.items())
    system = f"{INSTRUCTIONS}\n\nExample passage:\n{EXAMPLE_PASSAGE}\n\n{examples}\n\nReply with the JSON object only."
    return [Message("system", system), Message("user", f"{window_block(passage)}{TASK_LINES[kind]}")]


def refine_prompt(question: dict) -> str:
    """A few-shot prompt that turns a four-option question into a ten-option one."""
    return (
        f"{REFINE_INSTRUCTIONS}\n\nOriginal: {_dump(REFINE_EXAMPLE_IN)}\nImproved: {_dump(REFINE_EXAMPLE_OUT)}\n###\n"
        f"Original: {_dump(question)}\nImproved: "
    )


def refine_messages(question: dict) -> list[Message]:
    return [
        Message(
            "system", f"{REFINE_INSTRUCTIONS}\n\nExample.\nOriginal: {_dump(REFINE_EXAMPLE_IN)}\nImproved: {_dump(REFINE_EXAMPLE_OUT)}"
        ),
        Message("user", f"Original: {_dump(question)}"),
    ]


def _shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


_EXAMPLE_SHINGLES = set().union(*(_shingles(value["question"]) for value in EXAMPLES.values()), _shingles(EXAMPLE_PASSAGE))


def echoes_example(question: str, threshold: float = 0.4) -> bool:
    """Whether a question mostly repeats the prompt's worked example (small models often do)."""
    shingles = _shingles(question)
    return bool(shingles) and len(shingles & _EXAMPLE_SHINGLES) / len(shingles) >= threshold
