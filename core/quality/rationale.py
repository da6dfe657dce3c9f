"""Self-reflective rationales (SciInstruct): a solver's own solution becomes the question's rationale.

A solver writes a step-by-step solution. If it reaches the key, that solution
is the rationale. If not, the solver is shown the key, reflects on its mistake
and revises; a revision that reaches the key is kept. A question whose key no
solution reaches is flagged: either the question or its key may be wrong.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papergym.core.library import Library
from papergym.core.llm.backend import Backend
from papergym.core.quality.checks import StepSummary, check_row, settings_hash
from papergym.core.quality.model_step import ModelOpener, run_model_step
from papergym.core.quality.prompts import QUALITY_PROMPT_VERSION, reflect_messages, reflect_prompt, solve_messages, solve_prompt
from papergym.core.quality.vote import ask
from papergym.core.questions.grading import grade

if TYPE_CHECKING:
    from papergym.core.quality.pipeline import CheckSettings

STAGES = ("direct", "reflected", "failed")
_STOPS = ["###", "\nQuestion:", "\nStudent's solution:"]


@dataclass
class RationaleResult:
    stage: str  # direct | reflected | failed
    rationale: str | None  # the solution that reached the key, if any
    first_attempt: str
    revised_attempt: str | None
    seconds: float
    tokens: int


def _solution(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def write_rationale(backend: Backend, question: dict, *, max_tokens: int = 320, temperature: float = 0.2) -> RationaleResult:
    """Solve, check against the key, and reflect once if the first solution missed it."""
    started = time.perf_counter()
    first = ask(
        backend, solve_prompt(question), solve_messages(question), stop=_STOPS, max_tokens=max_tokens, temperature=temperature, seed=1
    )
    first_text = _solution(first.text)
    tokens = first.completion_tokens
    if grade(question, first_text):
        return RationaleResult("direct", first_text, first_text, None, time.perf_counter() - started, tokens)
    revised = ask(
        backend,
        reflect_prompt(question, first_text or "(no solution)"),
        reflect_messages(question, first_text or "(no solution)"),
        stop=_STOPS,
        max_tokens=max_tokens,
        temperature=temperature,
        seed=2,
    )
    revised_text = _solution(revised.text)
    tokens += revised.completion_tokens
    stage = "reflected" if grade(question, revised_text) else "failed"
    return RationaleResult(
        stage, revised_text if stage == "reflected" else None, first_text, revised_text, time.perf_counter() - started, tokens
    )


def run_step(
    library: Library, settings: CheckSettings, summary: StepSummary, progress, cancel: threading.Event, models: ModelOpener
) -> str | None:
    """Write each open question's rationale; a question no solution reaches, even after reflection, is flagged."""
    config = settings_hash(prompts=QUALITY_PROMPT_VERSION, tokens=settings.rationale_tokens)
    stages: Counter = Counter()
    solver: list[Backend] = []

    def record(question, result):
        stages[result.stage] += 1
        status = "pass" if result.rationale else "flag"
        reasons = [] if result.rationale else ["no solution reached the key, even after reflection: the question or key may be wrong"]
        check = check_row(
            question["id"],
            "rationale",
            status,
            reasons,
            config,
            scores={"reflected": int(result.stage == "reflected")},
            detail={
                "stage": result.stage,
                "first_attempt": result.first_attempt,
                "revised_attempt": result.revised_attempt,
                "model": solver[0].model_name,
            },
        )
        return check, ({"rationale": result.rationale} if result.rationale else {})

    def work():
        solver.append(models()[0][0])
        return lambda question: write_rationale(solver[0], question, max_tokens=settings.rationale_tokens)

    stopped = run_model_step(library, "rationale", config, settings, summary, work, record, lambda: solver[0].parallel, progress, cancel)
    summary.extra["this_run"] = {stage: stages.get(stage, 0) for stage in STAGES}
    summary.extra["stages"] = {
        row["stage"]: row["n"]
        for row in library.query(
            "SELECT json_extract(detail, '$.stage') AS stage, count(*) AS n FROM checks WHERE step = 'rationale' GROUP BY stage"
        )
    }
    return stopped
