"""Versioned prompts for the model steps of the quality pipeline: vote, solve, reflect, judge.

Each has a completion-style few-shot form for base models and a chat form for
instruct models. The worked example comes first and the question last, so a
prefix cache evaluates the shared part once per model load.
"""

from __future__ import annotations

from papergym.core.generation.prompts import EXAMPLES
from papergym.core.llm.backend import Message
from papergym.core.questions.kinds import LETTERS

QUALITY_PROMPT_VERSION = "quality-1"
NONE_OF_THE_ABOVE = "None of the above"

_EXAMPLE = {
    "kind": "mcq",
    "question": EXAMPLES["mcq"]["question"],
    "options": EXAMPLES["mcq"]["options"],
    "answer": EXAMPLES["mcq"]["answer"],
}
_EXAMPLE_SOLUTION = (
    "The rate rises by a factor of 3.0 / 1.2 = 2.5 over 10 degrees, so Q10 = 2.5. "
    "Warming by another 10 degrees multiplies the rate by 2.5 again: 3.0 x 2.5 = 7.5 micromol CO2 m^-2 s^-1, "
    "which is option A.\nAnswer: A"
)


def with_none_of_the_above(question: dict) -> dict:
    """The question with an extra last option, so a solver can reject every original option (WildSci)."""
    return {**question, "options": [*question["options"], NONE_OF_THE_ABOVE]}


def format_question(question: dict) -> str:
    """A question as a solver sees it: the stem, lettered options, and what form the answer takes."""
    lines = [f"Question: {question['question']}"]
    if question.get("kind") == "mcq":
        lines += [f"{LETTERS[index]}. {option}" for index, option in enumerate(question["options"])]
    elif question.get("kind") == "numeric" and question.get("unit"):
        lines.append(f"(Give a number in {question['unit']}.)")
    return "\n".join(lines)


def _key_text(question: dict) -> str:
    if question.get("kind") == "numeric" and question.get("unit"):
        return f"{question['answer']} {question['unit']}"
    return str(question["answer"])


# -- voting: the answer only ------------------------------------------------------------

VOTE_INSTRUCTIONS = "Answer each science question with the letter of the correct option."


def vote_prompt(question: dict) -> str:
    """A prompt whose next token is the solver's answer letter (read for votes or for their probabilities)."""
    example = with_none_of_the_above(_EXAMPLE)
    return f"{VOTE_INSTRUCTIONS}\n\n{format_question(example)}\nAnswer: {example['answer']}\n\n{format_question(question)}\nAnswer:"


def vote_messages(question: dict) -> list[Message]:
    return [
        Message("system", f"{VOTE_INSTRUCTIONS} Reply with the letter only."),
        Message("user", format_question(question)),
    ]


# -- solving step by step (voting with reasoning, and the SciInstruct rationale) ---------

SOLVE_INSTRUCTIONS = (
    "Solve each science question step by step. Show the reasoning briefly, then end with a last line "
    "'Answer: ' followed by the option letter, or the number and its unit, or the short answer."
)


def solve_prompt(question: dict) -> str:
    return (
        f"{SOLVE_INSTRUCTIONS}\n\n{format_question(_EXAMPLE)}\nSolution: {_EXAMPLE_SOLUTION}\n###\n{format_question(question)}\nSolution:"
    )


def solve_messages(question: dict) -> list[Message]:
    return [Message("system", SOLVE_INSTRUCTIONS), Message("user", format_question(question))]


REFLECT_INSTRUCTIONS = (
    "A student's solution to a science question reached a wrong answer. Using the correct answer given, "
    "find the mistake and write a corrected step-by-step solution that reaches it, ending with a last line "
    "'Answer: ' and the correct answer."
)


def reflect_prompt(question: dict, attempt: str) -> str:
    return (
        f"{REFLECT_INSTRUCTIONS}\n\n{format_question(question)}\nStudent's solution: {attempt.strip()}\n"
        f"Correct answer: {_key_text(question)}\nCorrected solution:"
    )


def reflect_messages(question: dict, attempt: str) -> list[Message]:
    return [
        Message("system", REFLECT_INSTRUCTIONS),
        Message(
            "user",
            f"{format_question(question)}\n\nStudent's solution: {attempt.strip()}\n\nCorrect answer: {_key_text(question)}",
        ),
    ]


# -- judging: P(yes) - P(no) ---------------------------------------------------------------

JUDGE_INSTRUCTIONS = (
    "Decide whether each exam question is good training data: clear, self-contained (it needs no paper, "
    "figure or table to answer), answerable by reasoning, with exactly one correct option and a correct "
    "marked answer. Reply yes or no."
)
_BAD_EXAMPLE = {
    "kind": "mcq",
    "question": "What value did the authors report in Table 2 for the sample?",
    "options": ["1.2", "3.4", "5.6", "7.8"],
    "answer": "B",
}


def judge_prompt(question: dict) -> str:
    """A prompt whose next token is the judge's verdict, yes or no."""
    shots = [(_EXAMPLE, "yes"), (_BAD_EXAMPLE, "no")]
    parts = [JUDGE_INSTRUCTIONS, ""]
    for example, verdict in shots:
        parts += [format_question(example), f"Marked answer: {_key_text(example)}", f"Good: {verdict}", ""]
    parts += [format_question(question), f"Marked answer: {_key_text(question)}", "Good:"]
    return "\n".join(parts)


def judge_messages(question: dict) -> list[Message]:
    return [
        Message("system", JUDGE_INSTRUCTIONS + " Answer with one word."),
        Message("user", f"{format_question(question)}\nMarked answer: {_key_text(question)}"),
    ]
