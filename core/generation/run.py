"""Question generation: paper windows become queued jobs, jobs become stored questions.

Every window is a row in the ``jobs`` table whose id hashes the window and the
settings, and its questions are committed in the same transaction that marks
it done. So a run killed at any moment resumes where it stopped, and running
it twice never duplicates a question.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from papergym.core.errors import PapergymError
from papergym.core.generation import prompts
from papergym.core.generation.claims import claim_job, holds_claim, new_claim_token, release_claims
from papergym.core.ids import now
from papergym.core.library import Library
from papergym.core.llm.backend import Backend, BackendError, GenerationCancelled
from papergym.core.questions.kinds import (
    KINDS,
    InvalidReply,
    Question,
    normalize,
    parse_json_object,
    parse_reply,
    schema_for,
    shuffle_options,
)

# Sections that make poor windows: the title block, and the abstract (it is in every window already).
SKIPPED_SECTION_KINDS = {"abstract"}
SKIPPED_HEADINGS = {"front matter"}
MIN_SECTION_CHARS = 150
MAX_TOKENS = {"mcq": 640, "numeric": 512, "exact": 512, "refine": 768}  # room for the quote (up to 400 characters)
PROMPT_MARGIN_TOKENS = 32
# A run stops when this many windows in a row failed only because the model did not answer.
MAX_CONSECUTIVE_MODEL_FAILURES = 3


@dataclass
class GenerateSettings:
    """What to generate, per window."""

    kinds: tuple[str, ...] = ("mcq",)
    per_window: int = 1
    refine: bool = False
    temperature: float = 0.8
    max_attempts: int = 3
    max_abstract_chars: int = 1500
    # Another file of a paper already in the library repeats its windows; it is skipped unless asked for.
    include_duplicates: bool = False

    def __post_init__(self) -> None:
        unknown = [kind for kind in self.kinds if kind not in KINDS]
        if unknown:
            raise PapergymError(f"Unknown question kind {unknown[0]!r}; choose from {', '.join(KINDS)}.")
        if self.per_window < 1:
            raise PapergymError("--per-window must be at least 1.")

    @property
    def prompt_version(self) -> str:
        return prompts.PROMPT_VERSION + (f"+{prompts.REFINE_VERSION}" if self.refine else "")

    @property
    def questions_per_window(self) -> int:
        return len(self.kinds) * self.per_window

    @property
    def max_tokens_per_window(self) -> int:
        """The most tokens one window's replies can take on first attempts (a refine pass included), retries aside."""
        refine = MAX_TOKENS["refine"] if self.refine else 0
        return self.per_window * sum(MAX_TOKENS[kind] + (refine if kind == "mcq" else 0) for kind in self.kinds)


@dataclass
class Window:
    """A slice of one paper that fits the model's context: title, abstract and part of one section."""

    paper_id: str
    section_ordinal: int
    chunk: int
    heading: str
    passage: str


@dataclass
class WindowResult:
    """What one window gave: questions, and why the attempts that gave none failed."""

    questions: list[Question] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    attempts: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    prompt_seconds: float = 0.0
    seconds: float = 0.0
    refine_failures: int = 0

    @property
    def only_model_errors(self) -> bool:
        return not self.questions and bool(self.failures) and all(f.startswith("model error") for f in self.failures)


@dataclass
class GenerateProgress:
    """Where a run stands; sent after every window."""

    windows_total: int
    windows_done: int = 0
    windows_failed: int = 0
    questions: int = 0
    completion_tokens: int = 0
    elapsed: float = 0.0
    failures: Counter = field(default_factory=Counter)
    last: str = ""

    @property
    def tokens_per_second(self) -> float:
        return self.completion_tokens / self.elapsed if self.elapsed else 0.0

    @property
    def questions_per_minute(self) -> float:
        return 60 * self.questions / self.elapsed if self.elapsed else 0.0

    def eta_seconds(self, windows_this_run: int, windows_left: int) -> float | None:
        if not windows_this_run or not self.elapsed:
            return None
        return self.elapsed / windows_this_run * windows_left


@dataclass
class GenerateReport:
    """The end of a run: counts, reasons for every window that gave nothing, and costs."""

    model: str
    windows_total: int = 0
    windows_already_done: int = 0
    windows_run: int = 0
    windows_with_questions: int = 0
    windows_failed: int = 0
    questions_new: int = 0
    questions_duplicate: int = 0
    failure_reasons: Counter = field(default_factory=Counter)
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    prompt_seconds: float = 0.0
    seconds: float = 0.0
    cancelled: bool = False
    stopped_reason: str | None = None
    refine_failures: int = 0
    windows_taken_elsewhere: int = 0  # another generate run was already doing them
    windows_of_removed_papers: int = 0  # their paper was removed before they finished: nothing stored

    def as_dict(self) -> dict:
        data = {key: value for key, value in self.__dict__.items()}
        data["failure_reasons"] = dict(self.failure_reasons)
        return data


# -- windows -----------------------------------------------------------------


def _chunks(text: str, max_chars: int) -> list[str]:
    """Split text at line breaks into pieces of at most ``max_chars`` (a longer line is cut)."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > max_chars:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:max_chars])
            line = line[max_chars:]
        if len(current) + len(line) > max_chars and current:
            pieces.append(current)
            current = ""
        current += line
    if current.strip():
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def build_windows(
    library: Library, paper_ids: list[str], budget_tokens: int, count_tokens: Callable[[str], int], settings: GenerateSettings
) -> list[Window]:
    """The windows of each paper: title and abstract, then one body section (or a chunk of it) each."""
    windows = []
    for paper_id in paper_ids:
        paper = library.paper(paper_id)
        if paper["status"] != "ok":
            continue
        abstract = (paper.get("abstract") or "")[: settings.max_abstract_chars]
        head = f"Title: {paper['title'] or ''}\nAbstract: {abstract}\n".strip() + "\n"
        head_tokens = count_tokens(head)
        for section in library.sections(paper_id):
            if section["kind"] in SKIPPED_SECTION_KINDS or section["heading"].lower() in SKIPPED_HEADINGS:
                continue
            text = section["text"].strip()
            if len(text) < MIN_SECTION_CHARS:
                continue
            room = budget_tokens - head_tokens - count_tokens(section["heading"]) - 8
            if room < 64:
                raise PapergymError(
                    f"The model's context is too small for {paper['id'][:12]}'s title and abstract; use a model with a longer context."
                )
            tokens = count_tokens(text)
            chars_per_token = len(text) / max(tokens, 1)
            for number, chunk in enumerate(_chunks(text, int(room * chars_per_token * 0.95))):
                windows.append(
                    Window(paper_id, section["ordinal"], number, section["heading"], f"{head}Section: {section['heading']}\n{chunk}")
                )
    return windows


def job_id(window: Window, settings: GenerateSettings, model: str) -> str:
    key = json.dumps(
        [
            window.paper_id,
            window.section_ordinal,
            window.chunk,
            hashlib.sha256(window.passage.encode()).hexdigest(),
            list(settings.kinds),
            settings.per_window,
            settings.refine,
            model,
            settings.prompt_version,
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def enqueue(library: Library, windows: list[Window], settings: GenerateSettings, model: str, retry_failed: bool = False) -> list[dict]:
    """Put the windows in the jobs table (once) and return the jobs of this run that still need doing."""
    ids = [job_id(window, settings, model) for window in windows]
    rows = [
        {
            "id": identifier,
            "kind": "generate",
            "paper_id": window.paper_id,
            "payload": json.dumps(
                {
                    "section_ordinal": window.section_ordinal,
                    "chunk": window.chunk,
                    "heading": window.heading,
                    "passage": window.passage,
                    "kinds": list(settings.kinds),
                    "per_window": settings.per_window,
                    "refine": settings.refine,
                    "model": model,
                    "prompt_version": settings.prompt_version,
                },
                ensure_ascii=False,
            ),
            "status": "pending",
            "attempts": 0,
            "result_count": 0,
            "updated_at": now(),
        }
        for identifier, window in zip(ids, windows)
    ]
    with library.write() as db:
        db["jobs"].insert_all(rows, ignore=True)
        if retry_failed and ids:
            db.execute(
                f"UPDATE jobs SET status = 'pending', attempts = 0 WHERE status = 'failed' AND id IN ({','.join('?' * len(ids))})",
                ids,
            )
    if not ids:
        return []
    found = library.query(f"SELECT id, paper_id, payload, status FROM jobs WHERE id IN ({','.join('?' * len(ids))})", ids)
    by_id = {row["id"]: row for row in found}
    return [by_id[identifier] for identifier in dict.fromkeys(ids)]


# -- asking the model ------------------------------------------------------------


def _seed(*parts: object) -> int:
    return int(hashlib.sha256(repr(parts).encode()).hexdigest()[:8], 16)


def _ask(
    backend: Backend,
    kind: str,
    passage: str,
    seed: int,
    temperature: float,
    result: WindowResult,
    option_count: int = 4,
    refine_of: dict | None = None,
    cancel: threading.Event | None = None,
) -> Question:
    """One structured request; raises InvalidReply or BackendError with the reason it failed.

    A set ``cancel`` stops the model mid-reply with GenerationCancelled.
    """
    schema = schema_for(kind, option_count, quote=refine_of is None)
    max_tokens = MAX_TOKENS["refine" if refine_of else kind]
    if backend.supports_chat:
        messages = prompts.refine_messages(refine_of) if refine_of else prompts.chat_messages(passage, kind)
        completion = backend.chat(messages, max_tokens=max_tokens, temperature=temperature, json_schema=schema, seed=seed, cancel=cancel)
    else:
        prompt = prompts.refine_prompt(refine_of) if refine_of else prompts.completion_prompt(passage, kind)
        completion = backend.complete(
            prompt, max_tokens=max_tokens, temperature=temperature, stop=["###"], json_schema=schema, seed=seed, cancel=cancel
        )
    result.prompt_tokens += completion.prompt_tokens
    result.cached_tokens += completion.cached_tokens
    result.completion_tokens += completion.completion_tokens
    result.prompt_seconds += completion.prompt_seconds
    if completion.finish_reason == "length":
        raise InvalidReply(f"truncated output: the reply did not finish within {max_tokens} tokens")
    question = parse_reply(kind, parse_json_object(completion.text), option_count)
    if refine_of is None and prompts.echoes_example(question.question):
        raise InvalidReply("the question repeats the prompt's worked example instead of using the passage")
    return question


def _refine(
    backend: Backend, question: Question, seed: int, temperature: float, result: WindowResult, cancel: threading.Event | None = None
) -> Question:
    original = {"question": question.question, "options": question.options, "answer": question.answer, "rationale": question.rationale}
    refined = _ask(backend, "mcq", "", seed, temperature, result, option_count=10, refine_of=original, cancel=cancel)
    if normalize(refined.answer_text) != normalize(question.answer_text):
        raise InvalidReply("the refined question keys a different answer than the original")
    refined.quote = question.quote
    return refined


def _classify(error: Exception) -> str:
    if isinstance(error, BackendError):
        return f"model error: {error}"
    message = str(error)
    if message.startswith("truncated output"):
        return message
    if "JSON" in message:
        return f"invalid JSON: {message}"
    return f"validation failure: {message}"


def process_window(backend: Backend, job: dict, settings: GenerateSettings, cancel: threading.Event | None = None) -> WindowResult:
    """Ask the model for every question slot of one window, retrying a failed slot a few times.

    A cancel stops it between attempts or, through the backend, mid-reply; the
    reply cut short counts as no attempt and no failure, so a window with
    nothing else to show stays pending and the next run does it again.
    """
    started = time.perf_counter()
    payload = json.loads(job["payload"])
    result = WindowResult()
    for kind in settings.kinds:
        for slot in range(settings.per_window):
            for attempt in range(settings.max_attempts):
                if cancel is not None and cancel.is_set():
                    result.seconds = time.perf_counter() - started
                    return result
                seed = _seed(job["id"], kind, slot, attempt)
                try:
                    question = _ask(backend, kind, payload["passage"], seed, settings.temperature, result, cancel=cancel)
                except GenerationCancelled:
                    result.seconds = time.perf_counter() - started
                    return result
                except (InvalidReply, BackendError) as error:
                    result.attempts = max(result.attempts, attempt + 1)
                    result.failures.append(_classify(error))
                    continue
                result.attempts = max(result.attempts, attempt + 1)
                if settings.refine and kind == "mcq":
                    try:
                        question = _refine(backend, question, seed, settings.temperature, result, cancel)
                    except GenerationCancelled:
                        result.seconds = time.perf_counter() - started
                        return result  # the unrefined question is dropped: the next run refines it
                    except (InvalidReply, BackendError):
                        result.refine_failures += 1
                result.questions.append(shuffle_options(question, seed=f"{job['id']}:{kind}:{slot}"))
                break
    result.seconds = time.perf_counter() - started
    return result


# -- storing ---------------------------------------------------------------------


def _evidence(quote: str | None, passage: str) -> str | None:
    """The quote with its character offsets in the window (null offsets when it is not found there: grounding flags it)."""
    if not quote:
        return None
    from papergym.core.quality.grounding import MIN_QUOTE_MATCH, find_quote

    span, share = find_quote(quote, passage)
    start, end = span if span is not None and share >= MIN_QUOTE_MATCH else (None, None)
    return json.dumps([{"quote": quote, "start": start, "end": end}], ensure_ascii=False)


def _commit(
    library: Library, job: dict, result: WindowResult, settings: GenerateSettings, model: str, claim: str | None = None
) -> tuple[int, int] | None:
    """Store a window's questions and its job state in one transaction; returns (new, duplicate).

    None, with nothing stored, when the paper was removed meanwhile or the run no longer holds the job's ``claim``.
    """
    payload = json.loads(job["payload"])
    # Questions inherit their paper's topic label, when it has one already.
    label = library.query("SELECT discipline, subdomain FROM papers WHERE id = ?", [job["paper_id"]])
    discipline, subdomain = (label[0]["discipline"], label[0]["subdomain"]) if label else (None, None)
    rows = {}
    for question in result.questions:
        identifier = question.content_id(job["paper_id"])
        rows[identifier] = {
            "id": identifier,
            "paper_id": job["paper_id"],
            "job_id": job["id"],
            "kind": question.kind,
            "question": question.question,
            "options": json.dumps(question.options, ensure_ascii=False),
            "answer": question.answer,
            "aliases": json.dumps(question.aliases, ensure_ascii=False),
            "unit": question.unit,
            "tolerance": question.tolerance,
            "rationale": question.rationale,
            "evidence": _evidence(question.quote, payload["passage"]),
            "source_section": payload["heading"],
            "status": "draft",
            "model": model,
            "prompt_version": settings.prompt_version,
            "created_at": now(),
            "discipline": discipline,
            "subdomain": subdomain,
            "source": "generated",
        }
    done = bool(result.questions)
    failed = not done and result.attempts >= settings.max_attempts
    with library.write() as db:
        # Checked inside the write: a `remove` either finished before (nothing is stored) or waits and removes these too.
        paper_gone = db.execute("SELECT 1 FROM papers WHERE id = ?", [job["paper_id"]]).fetchone() is None
        if paper_gone or (claim is not None and not holds_claim(library, job["id"], claim)):
            return None
        existing = set()
        if rows:
            marks = ",".join("?" * len(rows))
            existing = {row[0] for row in db.execute(f"SELECT id FROM questions WHERE id IN ({marks})", list(rows)).fetchall()}
        new_rows = [row for identifier, row in rows.items() if identifier not in existing]
        if new_rows:
            db["questions"].insert_all(new_rows)
            db.conn.executemany(
                "INSERT INTO question_fts (question, options, question_id) VALUES (?, ?, ?)",
                [(row["question"], " ".join(json.loads(row["options"])), row["id"]) for row in new_rows],
            )
        db.execute(
            "UPDATE jobs SET status = ?, attempts = attempts + ?, error = ?, result_count = ?, prompt_tokens = ?, "
            "completion_tokens = ?, seconds = ?, updated_at = ?, claimed_by = NULL, claimed_at = NULL WHERE id = ?",
            [
                "done" if done else ("failed" if failed else "pending"),
                result.attempts,
                json.dumps(dict(Counter(result.failures))) if result.failures else None,
                len(result.questions),
                result.prompt_tokens,
                result.completion_tokens,
                result.seconds,
                now(),
                job["id"],
            ],
        )
    return len(new_rows), len(rows) - len(new_rows)


# -- the run ------------------------------------------------------------------


def select_papers(library: Library, paper_ids: list[str] | None, *, include_duplicates: bool = False) -> list[str]:
    """Full ids of the chosen papers, or of every readable paper when none are chosen.

    Without a choice, a file linked as a duplicate of another paper is left out, so
    one paper is not generated from twice.
    """
    if paper_ids:
        return [library.resolve_id(paper_id) for paper_id in paper_ids]
    return [row["id"] for row in library.papers(status="ok", include_duplicates=include_duplicates)]


def plan(
    library: Library, backend: Backend, settings: GenerateSettings, paper_ids: list[str] | None, retry_failed: bool = False
) -> tuple[list[dict], int]:
    """The jobs this run must do, and how many windows the selection has in all."""
    chosen = select_papers(library, paper_ids, include_duplicates=settings.include_duplicates)
    if not chosen:
        raise PapergymError("There are no readable papers to generate from; import some with `papergym import PATH`.")
    longest_kind = max(settings.kinds, key=lambda kind: MAX_TOKENS[kind])
    reserved = backend.count_tokens(prompts.completion_prompt("", longest_kind)) + MAX_TOKENS[longest_kind] + PROMPT_MARGIN_TOKENS
    if settings.refine:
        reserved = max(reserved, MAX_TOKENS["refine"] + PROMPT_MARGIN_TOKENS)
    budget = backend.context_length - reserved
    windows = build_windows(library, chosen, budget, backend.count_tokens, settings)
    jobs = enqueue(library, windows, settings, backend.model_name, retry_failed=retry_failed)
    return [job for job in jobs if job["status"] == "pending"], len(jobs)


def run_generation(
    library: Library,
    backend: Backend,
    settings: GenerateSettings,
    paper_ids: list[str] | None = None,
    *,
    retry_failed: bool = False,
    max_windows: int | None = None,
    planned: tuple[list[dict], int] | None = None,
    on_progress: Callable[[GenerateProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> GenerateReport:
    """Generate questions for the chosen papers (all readable ones by default), resuming earlier work.

    ``planned`` is what ``plan`` returned, for callers that showed it to the user first.
    """
    started = time.perf_counter()
    todo, total = planned or plan(library, backend, settings, paper_ids, retry_failed)
    report = GenerateReport(model=backend.model_name, windows_total=total, windows_already_done=total - len(todo))
    if max_windows is not None:
        todo = todo[:max_windows]
    progress = GenerateProgress(windows_total=total, windows_done=report.windows_already_done)
    consecutive_model_failures = 0
    cancel = cancel or threading.Event()
    claim = new_claim_token()

    def finish(job: dict, result: WindowResult | None) -> None:
        nonlocal consecutive_model_failures
        if result is None:
            report.windows_taken_elsewhere += 1
            return
        stored = _commit(library, job, result, settings, backend.model_name, claim)
        if stored is None:
            report.windows_of_removed_papers += 1
            return
        new, duplicate = stored
        report.windows_run += 1
        report.questions_new += new
        report.questions_duplicate += duplicate
        report.refine_failures += result.refine_failures
        for name in ("prompt_tokens", "cached_tokens", "completion_tokens", "prompt_seconds"):
            setattr(report, name, getattr(report, name) + getattr(result, name))
        if result.questions:
            report.windows_with_questions += 1
        else:
            report.windows_failed += 1
            report.failure_reasons.update(_reason_kind(failure) for failure in result.failures)
        consecutive_model_failures = consecutive_model_failures + 1 if result.only_model_errors else 0
        if consecutive_model_failures >= MAX_CONSECUTIVE_MODEL_FAILURES:
            report.stopped_reason = f"the model failed {consecutive_model_failures} windows in a row: {result.failures[-1]}"
            cancel.set()
        progress.windows_done += 1
        progress.windows_failed = report.windows_failed
        progress.questions = report.questions_new
        progress.completion_tokens = report.completion_tokens
        progress.elapsed = time.perf_counter() - started
        progress.failures.update(_reason_kind(failure) for failure in result.failures)
        progress.last = (
            f"{json.loads(job['payload'])['heading']}: {len(result.questions)} question{'' if len(result.questions) == 1 else 's'}"
        )
        if on_progress is not None:
            on_progress(progress)

    try:
        for job, result in _results(backend, todo, settings, cancel, lambda job: claim_job(library, job["id"], claim)):
            finish(job, result)
    except KeyboardInterrupt:
        # Ctrl-C: the window in flight is not committed and stays pending for the next run.
        cancel.set()
    finally:
        try:
            release_claims(library, claim)
        except Exception:
            pass  # a claim whose process is gone frees itself; the error that got us here matters more
        report.seconds = time.perf_counter() - started
        report.cancelled = cancel.is_set() and report.stopped_reason is None
    return report


def _reason_kind(failure: str) -> str:
    """A failure's category with its first detail, short enough to count and show."""
    return failure if len(failure) <= 120 else failure[:117] + "…"


def _results(
    backend: Backend,
    jobs: list[dict],
    settings: GenerateSettings,
    cancel: threading.Event,
    claim: Callable[[dict], bool] = lambda job: True,
) -> Iterator[tuple[dict, WindowResult | None]]:
    """Each job with its result as it completes: in this thread for one stream, in threads for a server.

    A job that ``claim`` refuses (another run has it, or it is gone) comes back at once with no result.
    """
    if backend.parallel <= 1:
        for job in jobs:
            if cancel.is_set():
                return
            if not claim(job):
                yield job, None
                continue
            result = process_window(backend, job, settings, cancel)
            if cancel.is_set() and not result.questions and not result.failures:
                return  # stopped before it asked anything: leave it pending
            yield job, result
        return
    with ThreadPoolExecutor(max_workers=backend.parallel, thread_name_prefix="papergym-generate") as pool:
        queue = iter(jobs)
        running: dict[Future, dict] = {}
        finished = False
        try:
            while True:
                while len(running) < backend.parallel * 2 and not cancel.is_set():
                    queued: dict | None = next(queue, None)
                    if queued is None:
                        break
                    if not claim(queued):
                        yield queued, None
                        continue
                    running[pool.submit(process_window, backend, queued, settings, cancel)] = queued
                if not running:
                    finished = True
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    result = future.result()
                    if cancel.is_set() and not result.questions and not result.failures:
                        continue
                    yield job, result
        finally:
            if not finished:
                cancel.set()  # the caller stopped early: stop the threads between requests
            for future in running:
                future.cancel()
