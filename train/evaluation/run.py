"""One eval: ask every question, grade each answer with the training reward's code, sum up, and store the result.

Decoding is greedy, so an eval is repeatable. An eval is stored in ``evals``
only when it is complete; its completions go to ``<library>/evals/<id>.jsonl``
first, so a stored row always has its file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.core.dataset.prompt import PROMPT_VERSION
from papergym.core.dataset.splits import NO_DISCIPLINE
from papergym.core.ids import now
from papergym.core.questions.grading import extract_letter, extract_number, final_answer_text, grade
from papergym.train.evaluation.errors import EvalCancelled, EvalError
from papergym.train.evaluation.eval_set import EvalQuestion, EvalSet, load_eval_set
from papergym.train.evaluation.generation import DEFAULT_MAX_NEW_TOKENS, Generation, Generator, answer_line_end
from papergym.train.evaluation.llamacpp_engine import LlamaCppGenerator
from papergym.train.evaluation.models import (
    AdapterChoice,
    choose_engine,
    file_identity,
    lora_gguf_for,
    resolve_adapter,
    resolve_model_source,
)
from papergym.train.evaluation.transformers_engine import TransformersGenerator

if TYPE_CHECKING:
    from papergym.core.library import Library
    from papergym.train.backends import BaseModel


EVALS_DIR = "evals"
SAMPLES_KEPT = 5
STOP_RULE = "answer-line-1"  # part of an eval's identity: a changed stopping rule is a different eval


@dataclass
class EvalProgress:
    """How far an eval has got."""

    done: int
    total: int
    correct: int
    seconds: float

    @property
    def questions_per_second(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


@dataclass
class EvalReport:
    """The outcome of one eval, as stored in ``evals`` (and more)."""

    id: str
    run_id: str | None
    model: str
    model_path: str
    adapter: str | None
    engine: str
    device: str
    dataset: str
    source: str
    questions: int
    correct: int
    accuracy: float
    extractable: float
    mean_length: float
    per_discipline: dict[str, dict]
    seconds: float
    load_seconds: float
    questions_per_second: float
    tokens_per_second: float
    max_new_tokens: int
    batch_size: int
    limit: int | None
    available: int
    fingerprint: str
    completions_path: str | None
    created_at: str
    skipped: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list, repr=False)  # one per question: id, answer, given, correct, tokens, completion

    @property
    def samples(self) -> list[dict]:
        return self.results[:SAMPLES_KEPT]

    def as_dict(self, with_results: bool = False) -> dict:
        data = {name: value for name, value in self.__dict__.items() if name != "results"}
        data["results" if with_results else "samples"] = self.results if with_results else self.samples
        return data


def _given_answer(question: EvalQuestion, completion: str) -> str | None:
    """The final answer a completion gives, as text, for the reader of a report."""
    if question.kind == "mcq":
        return extract_letter(completion, len(question.options))
    if question.kind == "numeric":
        parsed = extract_number(completion)
        return None if parsed is None else f"{parsed[0]:g} {parsed[1]}".strip()
    return final_answer_text(completion)


def summarize(questions: Sequence[EvalQuestion], grades: Sequence[bool | None], lengths: Sequence[int]) -> dict:
    """Accuracy (unreadable answers count as wrong), extractability and mean length, overall and per discipline."""

    def block(indices: list[int]) -> dict:
        count = len(indices)
        correct = sum(1 for index in indices if grades[index] is True)
        readable = sum(1 for index in indices if grades[index] is not None)
        return {
            "questions": count,
            "correct": correct,
            "accuracy": correct / count if count else 0.0,
            "extractable": readable / count if count else 0.0,
            "mean_length": sum(lengths[index] for index in indices) / count if count else 0.0,
        }

    by_discipline: dict[str, list[int]] = {}
    for index, question in enumerate(questions):
        by_discipline.setdefault(question.discipline or NO_DISCIPLINE, []).append(index)
    ordered = sorted(by_discipline.items(), key=lambda item: (-len(item[1]), item[0]))
    return {"overall": block(list(range(len(questions)))), "per_discipline": {name: block(indices) for name, indices in ordered}}


def evaluate(
    library: Library,
    *,
    model: str | None = None,
    adapter: str | Path | None = None,
    on: str | Path = "validation",
    dataset: str | Path | None = None,
    limit: int | None = None,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    batch_size: int | None = None,
    engine: str = "auto",
    threads: int | None = None,
    on_progress: Callable[[EvalProgress], None] | None = None,
    on_status: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    generator: Generator | None = None,
    store: bool = True,
) -> EvalReport:
    """Ask a model (with an adapter: a run id, a PEFT folder or a GGUF LoRA) the questions ``on`` names, and grade them.

    ``model`` defaults to the adapter's run's base model, else the library's
    default model; ``dataset`` (for a split) to the run's dataset folder. A
    ``generator`` already loaded may be passed in; ``model`` then only names it.
    ``on_status`` hears a line before the (slow) model load starts.
    The result is stored in ``evals`` only when every question was answered;
    cancelling raises ``EvalCancelled`` and stores nothing.
    """
    cancel = cancel or threading.Event()
    if not isinstance(max_new_tokens, int) or isinstance(max_new_tokens, bool) or max_new_tokens < 1:
        raise EvalError(f"--max-new-tokens must be a whole number of 1 or more, not {max_new_tokens!r}.")
    for option, value in (("--batch-size", batch_size), ("--threads", threads)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise EvalError(f"{option} must be a whole number of 1 or more, not {value!r}.")
    notices: list[str] = []
    adapter_choice = resolve_adapter(library, adapter) if adapter is not None else None
    if adapter_choice is not None and adapter_choice.notice:
        notices.append(adapter_choice.notice)
    if dataset is None and adapter_choice is not None and adapter_choice.dataset and not Path(str(on)).expanduser().exists():
        dataset = adapter_choice.dataset
    eval_set = load_eval_set(on, dataset, limit)

    load_started = time.perf_counter()
    if generator is not None:
        model_label = model or "model"
        model_path = model_label
        model_identity: list = [model_label]
        opened = False
    else:
        if model is None:
            model = (adapter_choice.base_model if adapter_choice is not None else None) or _default_model_name(library)
        source = resolve_model_source(library, model)
        model_label, model_path, model_identity = model, str(source.path), file_identity(source.path)
        chosen = choose_engine(engine, source, adapter_choice)
        if on_status is not None:
            with_adapter = f" with the adapter {adapter_choice.run_id or adapter_choice.path.name}" if adapter_choice else ""
            on_status(f"Loading {model}{with_adapter} in {chosen} for {len(eval_set.questions)} questions…")
        generator, extra_notice = _open_generator(library, chosen, engine, source, adapter_choice, batch_size, threads)
        if extra_notice:
            notices.append(extra_notice)
        opened = True
    load_seconds = time.perf_counter() - load_started
    adapter_identity = file_identity(adapter_choice.path) if adapter_choice is not None else None

    try:
        completions, seconds = _run(generator, eval_set.questions, max_new_tokens, on_progress, cancel)
    finally:
        if opened:
            generator.close()

    questions = eval_set.questions
    grades = [grade(question.grading(), completion.text) for question, completion in zip(questions, completions)]
    lengths = [completion.tokens for completion in completions]
    summary = summarize(questions, grades, lengths)
    overall = summary["overall"]
    identity = [model_identity, adapter_identity, generator.engine, eval_set.fingerprint, max_new_tokens, STOP_RULE]
    eval_id = "eval-" + hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()[:16]
    results = [
        {
            "id": question.id,
            "discipline": question.discipline,
            "kind": question.kind,
            "answer": question.answer,
            "given": _given_answer(question, completion.text),
            "correct": result,
            "tokens": completion.tokens,
            "completion": completion.text,
        }
        for question, completion, result in zip(questions, completions, grades)
    ]
    report = EvalReport(
        id=eval_id,
        run_id=adapter_choice.run_id if adapter_choice else None,
        model=model_label,
        model_path=model_path,
        adapter=str(adapter_choice.path) if adapter_choice else None,
        engine=generator.engine,
        device=generator.device,
        dataset=eval_set.dataset,
        source=eval_set.description,
        questions=len(questions),
        correct=overall["correct"],
        accuracy=overall["accuracy"],
        extractable=overall["extractable"],
        mean_length=overall["mean_length"],
        per_discipline=summary["per_discipline"],
        seconds=seconds,
        load_seconds=load_seconds,
        questions_per_second=len(questions) / seconds if seconds > 0 else 0.0,
        tokens_per_second=sum(lengths) / seconds if seconds > 0 else 0.0,
        max_new_tokens=max_new_tokens,
        batch_size=generator.batch_size,
        limit=limit,
        available=eval_set.available,
        fingerprint=eval_set.fingerprint,
        completions_path=None,
        created_at=now(),
        skipped=eval_set.skipped,
        notices=notices,
        results=results,
    )
    if store:
        _store(library, report, eval_set)
    return report


def _default_model_name(library: Library) -> str:
    from papergym.core.llm.models import default_model

    return default_model(library).name


def _open_generator(
    library: Library,
    chosen: str,
    requested: str,
    source: BaseModel,
    adapter: AdapterChoice | None,
    batch_size: int | None,
    threads: int | None = None,
) -> tuple[Generator, str | None]:
    notice = None
    if chosen == "llama.cpp":
        lora = None
        if adapter is not None and adapter.kind == "gguf":
            lora = adapter.path
        elif adapter is not None:
            from papergym.train.gguf_lora import ConversionError

            try:
                lora = lora_gguf_for(library, adapter, source.path)
            except ConversionError as error:
                if requested == "llama.cpp":
                    raise
                notice = f"Evaluating with transformers: the adapter cannot run in llama.cpp ({error})"
                chosen = "transformers"
        if chosen == "llama.cpp":
            return LlamaCppGenerator(source.path, lora, threads=threads), notice
    from papergym.train.backends import hf_model_dir

    with contextlib.redirect_stdout(sys.stderr):  # its one-time conversion notice must not mix into --json output
        model_dir = hf_model_dir(source, library.folder)
    adapter_dir = adapter.path if adapter is not None else None
    return TransformersGenerator(model_dir, adapter_dir, batch_size=batch_size, threads=threads), notice


def _run(
    generator: Generator,
    questions: list[EvalQuestion],
    max_new_tokens: int,
    on_progress: Callable[[EvalProgress], None] | None,
    cancel: threading.Event,
) -> tuple[list[Generation], float]:
    """Every question's completion, in question order; batches hold prompts of similar length to pad less."""
    order = sorted(range(len(questions)), key=lambda index: len(questions[index].question) + sum(map(len, questions[index].options)))
    completions: list[Generation | None] = [None] * len(questions)
    correct = 0
    started = time.perf_counter()
    size = max(1, generator.batch_size)
    for start in range(0, len(order), size):
        if cancel.is_set():
            raise EvalCancelled("Evaluation cancelled; nothing was stored.")
        batch = order[start : start + size]
        batch_questions = [questions[index] for index in batch]

        def stop_at(row: int, text: str, batch_questions: list[EvalQuestion] = batch_questions) -> int | None:
            end = answer_line_end(text)
            # Stop at an answer line only once it gives a readable answer; "Answer: let me think" is not one.
            if end is not None and grade(batch_questions[row].grading(), text[:end]) is None:
                return None
            return end

        generated = generator.generate([question.prompt() for question in batch_questions], max_new_tokens, stop_at, cancel)
        if cancel.is_set():
            raise EvalCancelled("Evaluation cancelled; nothing was stored.")
        if len(generated) != len(batch):
            raise EvalError(f"The {generator.engine} engine returned {len(generated)} completions for {len(batch)} prompts.")
        for index, completion in zip(batch, generated):
            completions[index] = completion
            correct += grade(questions[index].grading(), completion.text) is True
        if on_progress is not None:
            on_progress(EvalProgress(min(start + size, len(order)), len(order), correct, time.perf_counter() - started))
    return completions, time.perf_counter() - started  # type: ignore[return-value]


def _store(library: Library, report: EvalReport, eval_set: EvalSet) -> None:
    """The completions file first (written whole, then renamed), then the row: a row always has its file."""
    folder = library.folder / EVALS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report.id}.jsonl"
    staging = folder / f".{report.id}.{uuid.uuid4().hex[:8]}.partial"
    try:
        with staging.open("w", encoding="utf-8") as handle:
            for result in report.results:
                handle.write(json.dumps(result, ensure_ascii=False) + "\n")
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    report.completions_path = str(path)
    config = {
        "engine": report.engine,
        "device": report.device,
        "model_path": report.model_path,
        "max_new_tokens": report.max_new_tokens,
        "batch_size": report.batch_size,
        "limit": report.limit,
        "available": report.available,
        "fingerprint": report.fingerprint,
        "source_kind": eval_set.source_kind,
        "source": report.source,
        "path": eval_set.path,
        "prompt_version": PROMPT_VERSION,
        "stop_rule": STOP_RULE,
        "correct": report.correct,
        "seconds": report.seconds,
        "load_seconds": report.load_seconds,
        "questions_per_second": report.questions_per_second,
        "tokens_per_second": report.tokens_per_second,
        "completions": str(path),
        "skipped": report.skipped,
    }
    with library.write() as db:
        db.execute("DELETE FROM evals WHERE id = ?", [report.id])  # the same eval again replaces its row
        db["evals"].insert(
            {
                "id": report.id,
                "run_id": report.run_id,
                "model": report.model,
                "adapter": report.adapter,
                "dataset": report.dataset,
                "questions": report.questions,
                "accuracy": report.accuracy,
                "extractable": report.extractable,
                "mean_length": report.mean_length,
                "per_discipline": json.dumps(report.per_discipline, ensure_ascii=False),
                "config": json.dumps(config, ensure_ascii=False),
                "created_at": report.created_at,
            }
        )
