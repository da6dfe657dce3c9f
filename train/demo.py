"""``papergym demo``: the whole pipeline once, on the embedded defaults, with nothing to download.

Import the demo papers, generate with the built-in model, add the questions
written for the demo papers, label topics, check, export, train a LoRA with
GRPO for a few steps on CPU, and evaluate the base model against the adapter.
Every stage reports what really happened through ``say``; nothing is faked,
so on the tiny built-in model most numbers are small. Each stage is the same
function the commands call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from papergym.core.library import Library

DEMO_QUESTIONS = "demo_questions.jsonl"


@dataclass
class DemoSettings:
    windows: int = 6  # paper windows to generate from (the built-in model writes about one question per two)
    train_steps: int = 2
    num_generations: int = 4
    max_completion_length: int = 64
    eval_limit: int = 6  # questions per evaluation (base and adapter)
    eval_tokens: int = 64
    skip_training: bool = False  # without the train extra (torch) the demo stops after the export


@dataclass
class DemoReport:
    stages: dict[str, dict] = field(default_factory=dict)
    seconds: float = 0.0
    stopped: str | None = None


def _stage(report: DemoReport, name: str, say: Callable[[str], None]):
    class _Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            self.numbers: dict = {}
            say(f"\n== {name}")
            return self.numbers

        def __exit__(self, kind, error, trace):
            self.numbers["seconds"] = round(time.perf_counter() - self.started, 1)
            report.stages[name] = self.numbers
            if error is None:
                say(f"   ({self.numbers['seconds']} s)")
            return False

    return _Timer()


def run_demo(
    library: Library, settings: DemoSettings | None = None, *, say: Callable[[str], None] = print, cancel: threading.Event | None = None
) -> DemoReport:
    from papergym.assets import ASSETS_DIR, DEMO_PAPERS
    from papergym.core.dataset.export import ExportSettings, export_dataset
    from papergym.core.dataset.import_questions import import_questions
    from papergym.core.dataset.taxonomy import taxonomy_for_library
    from papergym.core.dataset.topics import classify_library
    from papergym.core.generation.run import GenerateSettings, run_generation
    from papergym.core.ingest.importer import import_paths
    from papergym.core.llm.backends import open_backend
    from papergym.core.quality.pipeline import CheckSettings, run_checks
    from papergym.core.quality.vote import VoteSettings

    settings = settings or DemoSettings()
    cancel = cancel or threading.Event()
    report = DemoReport()
    started = time.perf_counter()
    say(f"papergym demo in {library.folder}")

    with _stage(report, "1. import the demo papers", say) as numbers:
        imported = import_paths(library, [DEMO_PAPERS])
        counts = imported.counts
        numbers.update(
            imported=counts.get("imported", 0),
            already=counts.get("duplicate", 0),
            failed=counts.get("failed", 0),
            skipped=counts.get("skipped", 0),
            pages=imported.pages,
        )
        papers = library.query("SELECT count(*) AS n FROM papers WHERE status = 'ok'")[0]["n"]
        say(
            f"   {numbers['imported']} PDFs imported ({numbers['pages']} pages), {numbers['already']} already in the library, "
            f"{numbers['failed']} failed, {numbers['skipped']} other files skipped; {papers} readable papers"
        )

    with _stage(report, "2. label topics (keywords)", say) as numbers:
        classified = classify_library(library, taxonomy_for_library(library))
        numbers.update(classified=classified.papers_done)
        labels = library.query(
            "SELECT discipline, count(*) AS n FROM papers WHERE discipline IS NOT NULL GROUP BY discipline ORDER BY discipline"
        )
        say("   " + ", ".join(f"{row['discipline']} {row['n']}" for row in labels))

    with _stage(report, f"3. generate questions with the built-in model ({settings.windows} windows)", say) as numbers:
        backend = open_backend(library)
        try:
            generated = run_generation(
                library,
                backend,
                GenerateSettings(kinds=("mcq",), max_attempts=2),
                max_windows=settings.windows,
                cancel=cancel,
                on_progress=lambda progress: say(f"   {progress.last}"),
            )
        finally:
            backend.close()
        rate = generated.completion_tokens / generated.seconds if generated.seconds else 0.0
        numbers.update(windows=generated.windows_run, questions=generated.questions_new, tokens_per_second=round(rate, 1))
        say(
            f"   {generated.windows_run} windows gave {generated.questions_new} new questions "
            f"({generated.windows_failed} gave none) at {rate:.1f} tokens/s"
        )
        for reason, count in generated.failure_reasons.most_common(2):
            say(f"   {count} × {reason}")

    with _stage(report, "4. add the questions written for the demo papers", say) as numbers:
        shipped = import_questions(library, ASSETS_DIR / DEMO_QUESTIONS, status="accepted")
        numbers.update(added=shipped.added, already=shipped.already_present)
        say(
            f"   {shipped.added} reviewed questions added ({shipped.already_present} already there): the built-in 270M "
            "model writes few usable questions, and training needs enough to learn from"
        )

    with _stage(report, "5. check (validate, dedup, logprob voting, judge score)", say) as numbers:
        checked = run_checks(
            library,
            CheckSettings(steps=("validate", "dedup", "vote", "score"), vote=VoteSettings(mode="logprob", samples=4)),
            open_models=lambda: _one_model(library, open_backend),
            cancel=cancel,
        )
        for step in checked.steps:
            say(
                f"   {step.step:9} ran {step.ran:3}: {step.passed} pass, {step.flagged} flag, {step.dropped} drop"
                + (f"  ({step.skipped})" if step.skipped else "")
            )
        numbers.update(statuses=checked.statuses)
        say("   questions now: " + ", ".join(f"{count} {status}" for status, count in sorted(checked.statuses.items())))

    out = library.folder / "exports" / "demo"
    with _stage(report, "6. export a dataset split by paper", say) as numbers:
        exported = export_dataset(
            library,
            ExportSettings(
                out=out,
                statuses=("accepted", "passed"),
                split={"train": 0.6, "validation": 0.2, "test": 0.2},
                overwrite=True,
            ),
        )
        numbers.update(splits=exported.splits, papers=exported.papers)
        say(
            "   "
            + ", ".join(
                f"{name} {count} questions from {exported.papers.get(name, 0)} paper{'' if exported.papers.get(name, 0) == 1 else 's'}"
                for name, count in exported.splits.items()
            )
        )
        say(f"   written to {out}")

    if settings.skip_training or cancel.is_set():
        report.stopped = "training skipped" if settings.skip_training else "cancelled"
        report.seconds = round(time.perf_counter() - started, 1)
        return report

    from papergym.train.config import TrainConfig
    from papergym.train.run import run_foreground

    run = None
    with _stage(report, f"7. GRPO + LoRA on CPU ({settings.train_steps} steps, gemma3-270m)", say) as numbers:
        config = TrainConfig(
            dataset=str(out),
            steps=settings.train_steps,
            num_generations=settings.num_generations,
            max_completion_length=settings.max_completion_length,
            lora_rank=8,
            save_steps=settings.train_steps,
            learning_rate=5e-5,
        )

        trained = run_foreground(library, config, on_progress=_progress_printer(say), cancel=cancel)
        numbers.update({key: value for key, value in trained.items() if isinstance(value, (int, float, str)) or value is None})
        run_id = trained.get("run_id")
        run = library.query("SELECT id, status, adapter_path FROM runs WHERE id = ?", [run_id])[0] if run_id else None
        if run:
            summary = library.query(
                "SELECT name, value FROM metrics WHERE run_id = ? AND name IN ('reward', 'extractable', 'completions/mean_length') "
                "ORDER BY step DESC",
                [run["id"]],
            )
            latest = {}
            for row in summary:
                latest.setdefault(row["name"], row["value"])
            say(
                f"   run {run['id']}: {run['status']}; last step reward {latest.get('reward', 0):.2f}, "
                f"readable answers {latest.get('extractable', 0):.0%}, mean length {latest.get('completions/mean_length', 0):.0f} tokens"
            )
            say(f"   adapter: {run['adapter_path']}")
            numbers["run_id"] = run["id"]

    if run is None or not run["adapter_path"]:
        report.stopped = "training did not produce an adapter"
        report.seconds = round(time.perf_counter() - started, 1)
        return report

    from papergym.train.evaluation.run import evaluate

    with _stage(
        report, f"8. evaluate the base model and the adapter on the test split (up to {settings.eval_limit} questions)", say
    ) as numbers:
        results = {}
        for label, adapter in (("base", None), ("adapter", run["id"])):
            result = evaluate(
                library,
                model="gemma3-270m",
                adapter=adapter,
                on="test",
                dataset=out,
                limit=settings.eval_limit,
                max_new_tokens=settings.eval_tokens,
            )
            results[label] = result
            say(
                f"   {label:8} accuracy {result.accuracy:.0%}, readable answers {result.extractable:.0%}, "
                f"mean length {result.mean_length:.0f} tokens, {result.questions} questions"
            )
        numbers.update({label: {"accuracy": result.accuracy, "extractable": result.extractable} for label, result in results.items()})
        say("   (a two-step run on a 270M model is a smoke test of the loop, not a better model: see README for real runs)")

    report.seconds = round(time.perf_counter() - started, 1)
    return report


def _one_model(library: Library, open_backend):
    backend = open_backend(library)
    return [backend], backend


def _progress_printer(say: Callable[[str], None]):
    def show(step: int, max_steps: int, logs: dict) -> None:
        parts = [f"step {step}/{max_steps}"]
        for key, label in (("reward", "reward"), ("extractable", "readable"), ("kl", "kl"), ("papergym/step_seconds", "s/step")):
            if logs.get(key) is not None:
                parts.append(f"{label} {logs[key]:.3g}")
        say("   " + "  ".join(parts))

    return show
