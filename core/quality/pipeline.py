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

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from papergym.core.errors import PapergymError
from papergym.core.library import Library
from papergym.core.llm.backend import Backend, BackendError
from papergym.core.quality.prompts import QUALITY_PROMPT_VERSION
from papergym.core.quality.vote import VoteSettings

STEPS = ("validate", "dedup", "decontam", "vote", "rationale", "score", "rank")
MODEL_STEPS = ("vote", "rationale", "score")
OPEN_STATUSES = ("draft", "passed", "flagged", "dropped")  # not yet decided by a person
VALIDATORS_VERSION = "3"
MAX_CONSECUTIVE_FAILURES = 5
_BATCH = 5000


@dataclass
class CheckSettings:
    steps: tuple[str, ...] = STEPS
    benchmarks_dir: Path | None = None
    dedup_threshold: float = 0.7
    vote: VoteSettings = field(default_factory=VoteSettings)
    rationale_tokens: int = 320
    score_threshold: float = 0.0
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
class StepSummary:
    step: str
    ran: int = 0  # questions this step judged in this run
    skipped: str | None = None  # why the step did not run
    failed: int = 0  # questions the model could not answer this run (left for the next run)
    passed: int = 0  # library-wide, after this run
    flagged: int = 0
    dropped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


@dataclass
class CheckReport:
    steps: list[StepSummary] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cancelled: bool = False
    stopped_reason: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


ModelOpener = Callable[[], tuple[list[Backend], Backend]]  # (solvers, judge), opened only when needed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _config(**settings) -> str:
    return hashlib.sha1(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _row(
    question_id: str, step: str, status: str, reasons: list[str], config: str, scores: dict | None = None, detail: dict | None = None
) -> tuple:
    return (
        question_id,
        step,
        status,
        json.dumps(reasons, ensure_ascii=False),
        json.dumps(scores or {}),
        json.dumps(detail or {}, ensure_ascii=False),
        config,
        _now(),
    )


_UPSERT = (
    "INSERT OR REPLACE INTO checks (question_id, step, status, reasons, scores, detail, config, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_QUESTION_COLUMNS = "id, paper_id, kind, question, options, answer, aliases, unit, tolerance, rationale, status, created_at"


def _decode(row: dict) -> dict:
    row["options"] = json.loads(row["options"] or "[]")
    row["aliases"] = json.loads(row["aliases"] or "[]")
    return row


def _pending(library: Library, step: str, config: str, settings: CheckSettings, *, skip_dropped: bool) -> list[dict]:
    """Open questions this step has not judged with these settings, oldest first."""
    placeholders = ",".join("?" * len(OPEN_STATUSES))
    clauses = [f"q.status IN ({placeholders})"]
    params: list = list(OPEN_STATUSES)
    if not settings.recheck:
        clauses.append("NOT EXISTS (SELECT 1 FROM checks c WHERE c.question_id = q.id AND c.step = ? AND c.config = ?)")
        params += [step, config]
    if skip_dropped:
        # A question another step dropped is not worth a model's time.
        clauses.append("NOT EXISTS (SELECT 1 FROM checks c WHERE c.question_id = q.id AND c.step != ? AND c.status = 'drop')")
        params.append(step)
    rows = library.query(
        f"SELECT {', '.join('q.' + c for c in _QUESTION_COLUMNS.split(', '))} FROM questions q "
        f"WHERE {' AND '.join(clauses)} ORDER BY q.created_at, q.id",
        params,
    )
    return [_decode(row) for row in rows]


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


# -- the fast steps -----------------------------------------------------------------------------


def _step_validate(library: Library, settings: CheckSettings, summary: StepSummary, progress) -> None:
    from papergym.core.quality.validate import check_question

    config = _config(version=VALIDATORS_VERSION)
    todo = _pending(library, "validate", config, settings, skip_dropped=False)
    rows = []
    for index, question in enumerate(todo, 1):
        findings = check_question(question)
        status = "drop" if any(f.action == "drop" for f in findings) else "flag" if findings else "pass"
        rows.append(
            _row(
                question["id"],
                "validate",
                status,
                [f.reason for f in findings],
                config,
                detail={"checks": sorted({f.check for f in findings})},
            )
        )
        if index % _BATCH == 0:
            progress(index, len(todo))
    with library.write() as db:
        db.conn.executemany(_UPSERT, rows)
    progress(len(todo), len(todo))
    summary.ran = len(todo)


def _longest_option_report(library: Library) -> dict:
    from papergym.core.quality.validate import longest_option_bias

    usable = library.query("SELECT kind, options, answer FROM questions WHERE status NOT IN ('dropped', 'rejected') AND kind = 'mcq'")
    for row in usable:
        row["options"] = json.loads(row["options"] or "[]")
    return longest_option_bias(usable)


def _step_dedup(library: Library, settings: CheckSettings, summary: StepSummary, progress) -> None:
    from papergym.core.quality.dedup import find_duplicates

    config = _config(threshold=settings.dedup_threshold)
    # Every question takes part, so a new draft that repeats an accepted question is caught;
    # accepted ones come first, so a group keeps the question a person already approved.
    rows = library.query(
        "SELECT id, question, options, status FROM questions WHERE id NOT IN "
        "(SELECT question_id FROM checks WHERE step = 'validate' AND status = 'drop') "
        "ORDER BY status = 'accepted' DESC, created_at, id"
    )
    progress(0, len(rows))
    duplicates = {duplicate.question_id: duplicate for duplicate in find_duplicates(rows, settings.dedup_threshold)}
    progress(len(rows), len(rows))
    open_statuses = set(OPEN_STATUSES)
    checks = []
    for row in rows:
        if row["status"] not in open_statuses:
            continue
        duplicate = duplicates.get(row["id"])
        if duplicate is None:
            checks.append(_row(row["id"], "dedup", "pass", [], config))
        else:
            checks.append(
                _row(
                    row["id"],
                    "dedup",
                    "drop",
                    [f"repeats an earlier question ({duplicate.kept[:12]}, similarity {duplicate.similarity:.2f})"],
                    config,
                    scores={"similarity": round(duplicate.similarity, 3)},
                    detail={"kept": duplicate.kept},
                )
            )
    with library.write() as db:
        db.execute("DELETE FROM checks WHERE step = 'dedup'")
        db.conn.executemany(_UPSERT, checks)
    summary.ran = len(checks)
    summary.extra["groups"] = len({d.kept for d in duplicates.values()})


def _step_decontam(library: Library, settings: CheckSettings, summary: StepSummary, progress) -> None:
    folder = settings.benchmarks_dir
    if folder is None:
        summary.skipped = "no benchmark folder (give --benchmarks DIR with GPQA, MMLU-Pro or SuperGPQA files)"
        return
    from papergym.core.dataset.benchmarks import load_benchmark_folder
    from papergym.core.quality.decontam import NGramIndex, find_contaminated

    folder = Path(folder)
    files = (
        sorted(
            (str(path.relative_to(folder)), path.stat().st_size, int(path.stat().st_mtime)) for path in folder.rglob("*") if path.is_file()
        )
        if folder.is_dir()
        else []
    )
    items = load_benchmark_folder(folder)  # raises a one-sentence error for a missing or bad folder
    config = _config(files=files)
    todo = _pending(library, "decontam", config, settings, skip_dropped=True)
    progress(0, len(todo))
    index = NGramIndex.from_items(items)
    matches = find_contaminated(todo, index)
    checks = []
    for question in todo:
        match = matches.get(question["id"])
        if match is None:
            checks.append(_row(question["id"], "decontam", "pass", [], config))
        else:
            checks.append(
                _row(
                    question["id"],
                    "decontam",
                    "flag",
                    [f"shares 13-word runs with a benchmark question ({match.source} {match.item_id}: \u201c{match.example}\u201d)"],
                    config,
                    scores={"shared_ngrams": match.shared_ngrams},
                    detail={"source": match.source, "item_id": match.item_id, "file": match.file, "example": match.example},
                )
            )
    with library.write() as db:
        db.conn.executemany(_UPSERT, checks)
    progress(len(todo), len(todo))
    summary.ran = len(todo)
    summary.extra["benchmark_items"] = len(items)


# -- the model steps ----------------------------------------------------------------------------


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
                    question = next(queue, None)
                    if question is None:
                        break
                    running[pool.submit(work, question)] = question
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    question = running.pop(future)
                    error = future.exception()
                    if error is not None and not isinstance(error, BackendError):
                        raise error
                    yield question, error if error is not None else future.result()
        finally:
            for future in running:
                future.cancel()


def _run_model_step(
    library: Library,
    step: str,
    config: str,
    settings: CheckSettings,
    summary: StepSummary,
    work: Callable[[], Callable[[dict], object]],
    record: Callable[[dict, object], tuple[tuple, dict]],
    workers: Callable[[], int],
    progress,
    cancel: threading.Event,
) -> str | None:
    """Run one model step over its pending questions; returns why it stopped early, if it did."""
    todo = _pending(library, step, config, settings, skip_dropped=True)
    if settings.limit is not None:
        todo = todo[: settings.limit]
    if not todo:
        summary.skipped = "every open question was already judged with these settings (--recheck judges again)"
        return None
    work = work()  # opens the model only now that there is work for it
    progress(0, len(todo))
    consecutive_failures = 0
    failures: Counter = Counter()
    for done, (question, result) in enumerate(_each(todo, work, workers(), cancel), 1):
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
        check_row, question_update = record(question, result)
        with library.write() as db:
            db.conn.execute(_UPSERT, check_row)
            if question_update:
                assignments = ", ".join(f"{column} = ?" for column in question_update)
                db.conn.execute(f"UPDATE questions SET {assignments} WHERE id = ?", [*question_update.values(), question["id"]])
        summary.ran += 1
        progress(done, len(todo), f"{question['id'][:12]}: {check_row[2]}")
    if failures:
        summary.extra["failures"] = dict(failures.most_common(3))
    return None


def _step_vote(library, settings, summary, progress, cancel, models: ModelOpener) -> str | None:
    from papergym.core.quality.vote import vote

    vote_settings = settings.vote
    # Model names are not part of the settings' hash: switching models keeps earlier votes unless --recheck.
    config = _config(
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
        check = _row(
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

    stopped = _run_model_step(
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


def _step_rationale(library, settings, summary, progress, cancel, models: ModelOpener) -> str | None:
    from papergym.core.quality.rationale import write_rationale

    config = _config(prompts=QUALITY_PROMPT_VERSION, tokens=settings.rationale_tokens)
    stages: Counter = Counter()
    solver: list[Backend] = []

    def record(question, result):
        stages[result.stage] += 1
        status = "pass" if result.rationale else "flag"
        reasons = [] if result.rationale else ["no solution reached the key, even after reflection: the question or key may be wrong"]
        check = _row(
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

    stopped = _run_model_step(library, "rationale", config, settings, summary, work, record, lambda: solver[0].parallel, progress, cancel)
    summary.extra["this_run"] = {stage: stages.get(stage, 0) for stage in ("direct", "reflected", "failed")}
    summary.extra["stages"] = {
        row["stage"]: row["n"]
        for row in library.query(
            "SELECT json_extract(detail, '$.stage') AS stage, count(*) AS n FROM checks WHERE step = 'rationale' GROUP BY stage"
        )
    }
    return stopped


def _step_score(library, settings, summary, progress, cancel, models: ModelOpener) -> str | None:
    from papergym.core.quality.score import judge

    config = _config(prompts=QUALITY_PROMPT_VERSION, threshold=settings.score_threshold)
    judges: list[Backend] = []

    def record(question, result):
        low = result.score < settings.score_threshold
        reasons = [f"the judge's score is below the threshold ({result.score:+.2f} < {settings.score_threshold:+.2f})"] if low else []
        if not result.readable:
            reasons = ["the judge answered neither yes nor no"]
        check = _row(
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

    stopped = _run_model_step(library, "score", config, settings, summary, work, record, lambda: judges[0].parallel, progress, cancel)
    stats = library.query(
        "SELECT count(score) AS n, avg(score) AS mean, min(score) AS low, max(score) AS high FROM questions WHERE score IS NOT NULL"
    )[0]
    summary.extra["score"] = {key: (round(value, 3) if isinstance(value, float) else value) for key, value in stats.items()}
    summary.extra["threshold"] = settings.score_threshold
    return stopped


def _step_rank(library: Library, summary: StepSummary) -> None:
    from papergym.core.quality.rank import train_and_rank

    report = train_and_rank(library)
    summary.extra["ranker"] = asdict(report)
    if not report.trained:
        summary.skipped = report.reason
    else:
        summary.ran = report.ranked


# -- the pipeline -------------------------------------------------------------------------------


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
    on_progress: Callable[[CheckProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> CheckReport:
    """Run the chosen steps over the library's open questions; resumable and idempotent."""
    started = time.perf_counter()
    cancel = cancel or threading.Event()
    report = CheckReport()
    models: tuple[list[Backend], Backend] | None = None

    def get_models() -> tuple[list[Backend], Backend]:
        nonlocal models
        if models is None:
            models = open_models()
        return models

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

            stopped = None
            if step == "validate":
                _step_validate(library, settings, summary, progress)
            elif step == "dedup":
                _step_dedup(library, settings, summary, progress)
            elif step == "decontam":
                _step_decontam(library, settings, summary, progress)
            elif step == "rank":
                _step_rank(library, summary)
            elif open_models is None:
                summary.skipped = "no model given"
            else:
                step_function = {"vote": _step_vote, "rationale": _step_rationale, "score": _step_score}[step]
                stopped = step_function(library, settings, summary, progress, cancel, get_models)
            refresh_statuses(library)
            _summarize(library, summary)
            if step == "validate":
                summary.extra["longest_option"] = _longest_option_report(library)
            summary.seconds = round(time.perf_counter() - step_started, 3)
            if stopped:
                report.stopped_reason = stopped
                break
    except KeyboardInterrupt:
        cancel.set()  # what was committed stays; the next run picks up the rest
    finally:
        if models is not None:
            closed = set()
            for backend in [*models[0], models[1]]:
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
