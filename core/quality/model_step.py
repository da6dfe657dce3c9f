"""Running one model step (vote, rationale, score) over its pending questions, committing each verdict as it lands.

The three model steps differ only in what they ask the model and how they
read the answer; the pool, the cancel, the stop after repeated failures and
the per-question commit are the same, so they live here once.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from papergym.core.library import Library
from papergym.core.llm.backend import Backend, BackendError
from papergym.core.quality.checks import UPSERT, StepSummary, pending_questions
from papergym.core.questions.statuses import OPEN_STATUSES

MAX_CONSECUTIVE_FAILURES = 5

ModelOpener = Callable[[], tuple[list[Backend], Backend]]  # (solvers, judge), opened only when needed


def _each(todo: list[dict], work: Callable[[dict], object], workers: int, cancel: threading.Event) -> Iterator[tuple[dict, object]]:
    """Each question with its result (or the exception it raised), in this thread or a small pool."""
    if workers <= 1:
        for question in todo:
            if cancel.is_set():
                return
            try:
                yield question, work(question)
            except BackendError as error:
                yield question, error
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="papergym-check") as pool:
        queue = iter(todo)
        running: dict[Future, dict] = {}
        try:
            while True:
                while len(running) < workers * 2 and not cancel.is_set():
                    waiting = next(queue, None)
                    if waiting is None:
                        break
                    running[pool.submit(work, waiting)] = waiting
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    question = running.pop(future)
                    failure = future.exception()
                    if failure is not None and not isinstance(failure, BackendError):
                        raise failure
                    yield question, failure if failure is not None else future.result()
        finally:
            for future in running:
                future.cancel()


def run_model_step(
    library: Library,
    step: str,
    config: str,
    settings,
    summary: StepSummary,
    work: Callable[[], Callable[[dict], object]],
    record: Callable[[dict, object], tuple[tuple, dict]],
    workers: Callable[[], int],
    progress,
    cancel: threading.Event,
    statuses: tuple[str, ...] = OPEN_STATUSES,
) -> str | None:
    """Run one model step over its pending questions (open ones unless ``statuses`` says otherwise); returns why it stopped early."""
    todo = pending_questions(library, step, config, recheck=settings.recheck, skip_dropped=True, statuses=statuses)
    if settings.limit is not None:
        todo = todo[: settings.limit]
    if not todo:
        summary.skipped = "every open question was already judged with these settings (--recheck judges again)"
        return None
    ask = work()  # opens the model only now that there is work for it
    progress(0, len(todo))
    consecutive_failures = 0
    failures: Counter = Counter()
    for done, (question, result) in enumerate(_each(todo, ask, workers(), cancel), 1):
        if isinstance(result, BackendError):
            summary.failed += 1
            failures[str(result)[:120]] += 1
            consecutive_failures += 1
            if consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                cancel.set()
                return f"the model failed {consecutive_failures} questions in a row: {result}"
            progress(done, len(todo), f"failed: {result}")
            continue
        consecutive_failures = 0
        row, question_update = record(question, result)
        with library.write() as db:
            db.conn.execute(UPSERT, row)
            if question_update:
                assignments = ", ".join(f"{column} = ?" for column in question_update)
                db.conn.execute(f"UPDATE questions SET {assignments} WHERE id = ?", [*question_update.values(), question["id"]])
        summary.ran += 1
        progress(done, len(todo), f"{question['id'][:12]}: {row[2]}")
    if failures:
        summary.extra["failures"] = dict(failures.most_common(3))
    return None
