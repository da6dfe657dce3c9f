"""The prompt column of an exported dataset: the chat a policy model sees for one question.

Training and evaluation build the same chat from the same template, so a
model is always asked a question the way it was trained to answer one.
"""

from __future__ import annotations

from typing import Any

from papergym.core.questions.kinds import LETTERS

# The prompt column: a chat a GRPO trainer can feed to the model as is; `answer` stays the ground truth.
# Change the wording only together with the version, so a trained model can say what it was trained on.
PROMPT_TEMPLATE: dict[str, Any] = {
    "version": "export-prompt-1",
    "system": (
        "You are an expert scientist answering an exam question. Reason through it step by step, "
        'then give your final answer on its own last line as "Answer: {answer_form}".'
    ),
    "answer_form": {"mcq": "<letter>", "numeric": "<number>", "exact": "<short answer>"},
    "option": "{letter}. {text}",
    "numeric_unit": "Give the answer as a number in {unit}.",
}
PROMPT_VERSION: str = PROMPT_TEMPLATE["version"]


def prompt_messages(question: str, kind: str, options: list[str], unit: str | None) -> list[dict[str, str]]:
    """The chat a policy model sees for one question: reasoning instructions, then the question."""
    system = PROMPT_TEMPLATE["system"].format(answer_form=PROMPT_TEMPLATE["answer_form"].get(kind, "<answer>"))
    return [{"role": "system", "content": system}, {"role": "user", "content": user_message(question, kind, options, unit)}]


def user_message(question: str, kind: str, options: list[str], unit: str | None) -> str:
    """The question as the user turn: the lettered options, or the unit a number is wanted in."""
    if kind == "mcq" and options:
        lines = "\n".join(PROMPT_TEMPLATE["option"].format(letter=letter, text=text) for letter, text in zip(LETTERS, options))
        return f"{question}\n\n{lines}"
    if kind == "numeric" and unit:
        return f"{question}\n\n{PROMPT_TEMPLATE['numeric_unit'].format(unit=unit)}"
    return question
