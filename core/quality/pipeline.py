"""The quality pipeline behind ``papergym check``: every step's verdict on every draft question.

Steps run in order, each over the questions it has not yet judged with the
same settings, and each records one row per question in ``checks``: a status
(pass, flag or drop), one-line reasons and numbers. A question's own status
then follows from its rows: dropped if any step dropped it, flagged if any
flagged it, passed otherwise. Questions a person has accepted or rejected keep
that decision. Work is committed question by question (or in one transaction
for the fast steps), so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from papergym.core.errors import PapergymError
from papergym.core.library import Library
from papergym.core.llm.backend import Backend
from papergym.core.quality.checks import StepSummary
from papergym.core.quality.learnability import LearnabilitySettings
from papergym.core.quality.model_step import ModelOpener
from papergym.core.quality.vote import VoteSettings
from papergym.core.questions.statuses import OPEN_STATUSES

STEPS = ("validate", "dedup", "decontam", "grounding", "vote", "rationale", "score", "learnability", "rank")
MODEL_STEPS = ("vote", "rationale", "score", "learnability")
# Learnability samples k solutions per question from the training base: it runs when named (--steps learnability).
DEFAULT_STEPS = tuple(step for step in STEPS if step != "learnability")


@dataclass
class CheckSettings:
    steps: tuple[str, ...] = DEFAULT_STEPS
    benchmarks_dir: Path | None = None
    dedup_threshold: float = 0.7
    vote: VoteSettings = field(default_factory=VoteSettings)
    rationale_tokens: int = 320
    score_threshold: float = 0.0
    learnability: LearnabilitySettings = field(default_factory=LearnabilitySettings)
    recheck: bool = False  # judge again questions a step already judged with the same settings
    limit: int | None = None  # model steps: at most this many questions each, this run


@dataclass
class CheckProgress:
    step: str
    done: int
    total: int
    elapsed: float
    last: str = ""

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class CheckReport:
    steps: list[StepSummary] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cancelled: bool = False
    stopped_reason: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def refresh_statuses(library: Library) -> None:
    """Set every open question's status from its check rows."""
    placeholders = ",".join("?" * len(OPEN_STATUSES))
    with library.write() as db:
        db.execute(
            f"""UPDATE questions SET status = CASE
                WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = questions.id AND c.status = 'drop') THEN 'dropped'
                WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = questions.id AND c.status = 'flag') THEN 'flagged'
                WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = questions.id) THEN 'passed'
                ELSE 'draft' END
            WHERE status IN ({placeholders})""",
            list(OPEN_STATUSES),
        )


def _summarize(library: Library, summary: StepSummary) -> None:
    for row in library.query("SELECT status, count(*) AS n FROM checks WHERE step = ? GROUP BY status", [summary.step]):
        setattr(summary, {"pass": "passed", "flag": "flagged", "drop": "dropped"}[row["status"]], row["n"])
    reasons: Counter = Counter()
    for row in library.query("SELECT reasons FROM checks WHERE step = ? AND status != 'pass'", [summary.step]):
        reasons.update({reason.split(" (")[0] for reason in json.loads(row["reasons"] or "[]")})
    summary.reasons = dict(reasons.most_common(8))


# -- the pipeline -------------------------------------------------------------------------------


def _run_step(
    step: str,
    library: Library,
    settings: CheckSettings,
    summary: StepSummary,
    progress,
    cancel: threading.Event,
    models: ModelOpener | None,
    learner: Callable[[], Backend] | None = None,
) -> str | None:
    """Run one step's own rule; returns why the pipeline must stop, if it must.

    Each step's module is imported only when the step runs, so opening the
    pipeline (the review screen does, for a question's verdicts) stays cheap.
    """
    if step == "validate":
        from papergym.core.quality import validate

        validate.run_step(library, settings, summary, progress)
    elif step == "dedup":
        from papergym.core.quality import dedup

        dedup.run_step(library, settings, summary, progress)
    elif step == "decontam":
        from papergym.core.quality import decontam

        decontam.run_step(library, settings, summary, progress)
    elif step == "rank":
        from papergym.core.quality import rank

        rank.run_step(library, summary)
    elif step == "grounding":
        from papergym.core.quality import grounding

        # The judge's entailment only when a model was given; the word and number checks need none.
        grounding.run_step(library, settings, summary, progress, cancel, models)
    elif step == "learnability":
        if learner is None:
            summary.skipped = "no model given"
            return None
        from papergym.core.quality import learnability

        return learnability.run_step(library, settings, summary, progress, cancel, learner)
    elif models is None:
        summary.skipped = "no model given"
    elif step == "vote":
        from papergym.core.quality import vote

        return vote.run_step(library, settings, summary, progress, cancel, models)
    elif step == "rationale":
        from papergym.core.quality import rationale

        return rationale.run_step(library, settings, summary, progress, cancel, models)
    elif step == "score":
        from papergym.core.quality import score

        return score.run_step(library, settings, summary, progress, cancel, models)
    return None


def validate_steps(names: Iterable[str]) -> tuple[str, ...]:
    names = [name.strip() for name in names if name.strip()]
    unknown = [name for name in names if name not in STEPS]
    if unknown:
        raise PapergymError(f"Unknown check step {unknown[0]!r}; the steps are {', '.join(STEPS)}.")
    return tuple(step for step in STEPS if step in names)  # always in pipeline order


def run_checks(
    library: Library,
    settings: CheckSettings,
    *,
    open_models: ModelOpener | None = None,
    open_learner: Callable[[], Backend] | None = None,
    on_progress: Callable[[CheckProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> CheckReport:
    """Run the chosen steps over the library's open questions; resumable and idempotent.

    ``open_learner`` opens the model that will be trained, for learnability
    (without it, the first solver stands in).
    """
    started = time.perf_counter()
    cancel = cancel or threading.Event()
    report = CheckReport()
    models: tuple[list[Backend], Backend] | None = None
    learner_backend: list[Backend] = []

    def get_models() -> tuple[list[Backend], Backend]:
        nonlocal models
        if models is None:
            assert open_models is not None  # model steps are skipped without one
            models = open_models()
        return models

    def get_learner() -> Backend:
        if open_learner is None:
            return get_models()[0][0]
        learner_backend.append(open_learner())
        return learner_backend[0]

    if not library.query("SELECT 1 FROM questions LIMIT 1"):
        raise PapergymError("The library has no questions yet; run `papergym generate` or `papergym import-questions` first.")
    try:
        for step in validate_steps(settings.steps):
            if cancel.is_set():
                break
            summary = StepSummary(step)
            report.steps.append(summary)
            step_started = time.perf_counter()

            def progress(done: int, total: int, last: str = "", _step=step, _started=step_started) -> None:
                if on_progress is not None:
                    on_progress(CheckProgress(_step, done, total, time.perf_counter() - _started, last))

            stopped = _run_step(
                step,
                library,
                settings,
                summary,
                progress,
                cancel,
                get_models if open_models else None,
                get_learner if (open_learner or open_models) else None,
            )
            refresh_statuses(library)
            _summarize(library, summary)
            if step == "validate":
                from papergym.core.quality.validate import longest_option_report

                summary.extra["longest_option"] = longest_option_report(library)
            summary.seconds = round(time.perf_counter() - step_started, 3)
            if stopped:
                report.stopped_reason = stopped
                break
    except KeyboardInterrupt:
        cancel.set()  # what was committed stays; the next run picks up the rest
    finally:
        opened = [*models[0], models[1]] if models is not None else []
        if opened or learner_backend:
            closed = set()
            for backend in [*opened, *learner_backend]:
                if id(backend) not in closed:
                    closed.add(id(backend))
                    backend.close()
    report.cancelled = cancel.is_set() and report.stopped_reason is None
    report.statuses = {row["status"]: row["n"] for row in library.query("SELECT status, count(*) AS n FROM questions GROUP BY status")}
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def question_checks(library: Library, question_id: str) -> list[dict]:
    """Every step's row for one question, in pipeline order, decoded."""
    rows = library.query("SELECT step, status, reasons, scores, detail, updated_at FROM checks WHERE question_id = ?", [question_id])
    for row in rows:
        for column in ("reasons", "scores", "detail"):
            row[column] = json.loads(row[column] or "null")
    return sorted(rows, key=lambda row: STEPS.index(row["step"]) if row["step"] in STEPS else len(STEPS))
