"""`papergym check`: the quality pipeline from the command line."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from papergym.tui.cli.common import StatusLine, clip, duration, echo_json, library_option, open_library, terminal_width
from papergym.tui.cli.gpu_jobs import cpu_only_notice, cpu_option, gpu_job

STEP_HELP = "validate, dedup, decontam, grounding, vote, rationale, score, rank; learnability when named"
BENCHMARKS_SETTING = "benchmarks_dir"


def _steps(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class _CheckProgressView:
    """One status line per step: done/total, pace and ETA, and the last verdict."""

    def __init__(self) -> None:
        self.status = StatusLine()
        self.step = None

    def __call__(self, progress) -> None:
        if progress.step != self.step:
            self.close()
            self.step = progress.step
        eta = (progress.total - progress.done) / progress.rate if progress.rate and progress.done else None
        self.status.show(
            f"{progress.step:9} {progress.done}/{progress.total}  {progress.rate * 60:.1f} q/min  ETA {duration(eta)}"
            + (f"  {progress.last}" if progress.last else ""),
            final=progress.done == progress.total,
        )

    def close(self) -> None:
        self.status.close()
        self.step = None


@click.command()
@click.option("--steps", default=None, help=f"Steps to run, comma-separated (default: all of {STEP_HELP}).")
@click.option("--skip", default=None, help="Steps to leave out, comma-separated (e.g. --skip rationale,score).")
@click.option(
    "--benchmarks",
    "benchmarks_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of GPQA (csv), MMLU-Pro (parquet/jsonl) or SuperGPQA (jsonl) files to decontaminate against; remembered for later runs.",
)
@click.option(
    "--model",
    default=None,
    help="The solver and judge model (default: the library's default model); with --server, the server's model name.",
)
@click.option("--solvers", default=None, help="Comma-separated solver models for voting (default: --model).")
@click.option("--judge", "judge_model", default=None, help="The judge model for the quality score (default: the first solver).")
@click.option(
    "--lora",
    default=None,
    type=click.Path(dir_okay=False),
    help="A GGUF LoRA adapter for the local model (from `papergym convert RUN --to gguf-lora OUT`).",
)
@click.option("--server", default=None, metavar="URL", help="An OpenAI-compatible server instead of local models.")
@click.option("--api-key", default=None, envvar="PAPERGYM_API_KEY", help="API key for --server (or PAPERGYM_API_KEY).")
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True, help="Requests in flight with --server.")
@click.option(
    "--vote-mode",
    type=click.Choice(["sample", "logprob"]),
    default="sample",
    show_default=True,
    help="sample: each solver reasons and answers N times; logprob: N votes from one pass's letter probabilities (fast, multiple choice only).",
)
@click.option("--samples", type=click.IntRange(1, 64), default=4, show_default=True, help="Votes per solver model.")
@click.option(
    "--reasoning-tokens", type=click.IntRange(16, 8192), default=256, show_default=True, help="Token budget of a sampled solution."
)
@click.option(
    "--score-threshold",
    type=click.FloatRange(-1, 1),
    default=0.0,
    show_default=True,
    help="Flag questions the judge scores below this (P(yes) - P(no), from -1 to 1).",
)
@click.option(
    "--dedup-threshold",
    type=click.FloatRange(0.3, 1.0),
    default=0.7,
    show_default=True,
    help="Estimated word-trigram Jaccard similarity above which two questions are duplicates.",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Model steps: judge at most this many questions each (resume later).")
@click.option(
    "--learner",
    default=None,
    help="Learnability: the model that will be trained, as a registered GGUF name or the server's model (default: the training base, gemma3-270m).",
)
@click.option(
    "--learnability-mode",
    type=click.Choice(["sample", "logprob"]),
    default="sample",
    show_default=True,
    help="sample: k solutions graded like the reward; logprob: the key's probability from one pass (multiple choice only).",
)
@click.option("--learnability-samples", type=click.IntRange(1, 64), default=8, show_default=True, help="k: solutions per question.")
@click.option("--learnability-temperature", type=click.FloatRange(0, 2), default=1.0, show_default=True, help="The training temperature.")
@click.option(
    "--band",
    default="0.1,0.9",
    show_default=True,
    metavar="LOW,HIGH",
    help="Learnable when the pass rate above chance, (pass - chance) / (1 - chance), lies between LOW and HIGH.",
)
@click.option(
    "--report",
    "report_only",
    is_flag=True,
    help="Run nothing: show how well each check agrees with your accept/reject decisions, and the thresholds that match them best.",
)
@click.option("--recheck", is_flag=True, help="Judge again questions a step already judged with the same settings.")
@click.option("--threads", type=click.IntRange(1), default=None, help="CPU threads for a local model (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as one JSON object.")
@cpu_option
@library_option
@click.pass_context
def check(
    ctx,
    steps,
    skip,
    benchmarks_dir,
    model,
    solvers,
    judge_model,
    lora,
    server,
    api_key,
    concurrency,
    vote_mode,
    samples,
    reasoning_tokens,
    score_threshold,
    dedup_threshold,
    limit,
    learner,
    learnability_mode,
    learnability_samples,
    learnability_temperature,
    band,
    report_only,
    recheck,
    threads,
    as_json,
    use_cpu,
    library_dir,
):
    """Run the quality pipeline on draft questions.

    Steps, in order: validate (schema, key, options, leakage, length), dedup
    (near-duplicates across the library), decontam (13-gram overlap with
    benchmark files), grounding (the key is supported by the passage the
    question was written from), vote (solvers with a None-of-the-above option;
    WildSci), rationale (solve, reflect on a wrong answer, revise; SciInstruct),
    score (judge P(yes) - P(no)), learnability (only when named: the pass rate
    of the model you will train), rank (a classifier trained on your reviews,
    once there are 50). Each step records a pass, flag or drop per question with its
    reasons; a question dropped by any step is dropped, one flagged is flagged.
    Questions you accepted or rejected keep your decision. Stopping loses
    nothing: the same command resumes.
    """
    from papergym.core.llm.backend import TokenMeter
    from papergym.core.llm.backends import open_backend
    from papergym.core.quality.learnability import LearnabilitySettings
    from papergym.core.quality.pipeline import DEFAULT_STEPS, CheckSettings, run_checks, validate_steps
    from papergym.core.quality.vote import VoteSettings

    library = open_library(ctx, library_dir)
    if report_only:
        from papergym.core.quality.curator_report import curator_report

        agreement = curator_report(library)
        if as_json:
            echo_json(agreement.as_dict())
        else:
            _print_curator_report(agreement)
        return
    chosen = validate_steps(_steps(steps) or DEFAULT_STEPS)
    left_out = set(validate_steps(_steps(skip)))
    chosen = tuple(step for step in chosen if step not in left_out)
    if benchmarks_dir is not None:
        if not benchmarks_dir.is_dir():
            raise click.ClickException(f"{benchmarks_dir} is not a folder; give a folder of benchmark files.")
        benchmarks_dir = benchmarks_dir.resolve()
    else:
        benchmarks_dir = _remembered_benchmarks(library, quiet=as_json)
    settings = CheckSettings(
        steps=chosen,
        benchmarks_dir=benchmarks_dir,
        dedup_threshold=dedup_threshold,
        vote=VoteSettings(mode=vote_mode, samples=samples, reasoning_tokens=reasoning_tokens),
        score_threshold=score_threshold,
        learnability=LearnabilitySettings(
            model=learner or _default_training_base(),
            mode=learnability_mode,
            samples=learnability_samples,
            temperature=learnability_temperature,
            reasoning_tokens=reasoning_tokens,
            band=_band(band),
        ),
        recheck=recheck,
        limit=limit,
    )

    # The GPU is taken only when a step needs the models (validate, dedup and decontam never do), until the run ends.
    gpu = contextlib.ExitStack()

    gpu_taken: list[bool] = []

    def take_gpu() -> None:
        """Wait for the GPU once per run, whichever model opens first (a second lock from this process would wait on itself)."""
        if not gpu_taken:
            gpu_taken.append(True)
            gpu.enter_context(gpu_job("check", library.folder, local_model=not server, use_cpu=use_cpu, quiet=as_json))

    # The local models' replies are counted, so the CPU-only notice at the end can name the speed this check measured.
    meter = TokenMeter()

    def open_models():
        take_gpu()
        if not as_json:
            click.echo("Loading the model…", err=True)
        names = _steps(solvers) or [model]
        opened: dict = {}

        def backend(name):
            if name not in opened:
                # The adapter goes with the model it was made for: the first solver (--model).
                adapter = lora if name == names[0] else None
                opened[name] = meter.wrap(
                    open_backend(
                        library, model=name, server=server, api_key=api_key, lora=adapter, concurrency=concurrency, threads=threads
                    )
                )
            return opened[name]

        solver_backends = [backend(name) for name in names]
        return solver_backends, backend(judge_model) if judge_model else solver_backends[0]

    def open_learner():
        take_gpu()
        if not as_json:
            click.echo(f"Loading the model to be trained ({settings.learnability.model})…", err=True)
        return meter.wrap(
            open_backend(
                library, model=settings.learnability.model, server=server, api_key=api_key, concurrency=concurrency, threads=threads
            )
        )

    view = None if as_json else _CheckProgressView()
    with gpu:
        report = run_checks(library, settings, open_models=open_models, open_learner=open_learner, on_progress=view)
    if benchmarks_dir is not None and any("benchmark_items" in step.extra for step in report.steps if step.step == "decontam"):
        # Remembered only once the folder has been read: a bad or mistyped one would fail every later check.
        library.set_setting(BENCHMARKS_SETTING, str(benchmarks_dir))
    if view:
        view.close()
    if as_json:
        echo_json(report.as_dict())
    else:
        _print_report(report)
        if not server and meter.seconds:
            cpu_only_notice(meter.generated_tokens, meter.seconds, meter.prompt_tokens_read)
    if report.cancelled:
        sys.exit(130)
    if report.stopped_reason:
        sys.exit(1)


def _remembered_benchmarks(library, quiet: bool) -> Path | None:
    """The benchmark folder an earlier check read, else the library's own benchmarks/; None when neither is there."""
    remembered = library.setting(BENCHMARKS_SETTING)
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    if remembered and not quiet:
        click.echo(f"The benchmark folder {remembered} is gone, so decontam is skipped; give --benchmarks DIR to use another.", err=True)
    own = library.folder / "benchmarks"
    return own if own.is_dir() else None


def _print_report(report) -> None:
    click.echo(f"{'STEP':10} {'RAN':>6} {'PASS':>7} {'FLAG':>7} {'DROP':>7} {'TIME':>8}")
    for step in report.steps:
        if step.skipped and not step.ran:
            click.echo(f"{step.step:10} {'-':>6} {step.passed:>7} {step.flagged:>7} {step.dropped:>7} {'':>8}  skipped: {step.skipped}")
            continue
        click.echo(f"{step.step:10} {step.ran:>6} {step.passed:>7} {step.flagged:>7} {step.dropped:>7} {step.seconds:>7.1f}s")
    width = terminal_width()
    for step in report.steps:
        notes = _notes(step)
        if step.reasons or notes:
            click.echo(f"\n{step.step}:")
        for reason, count in step.reasons.items():
            click.echo(f"  {count:6} × {clip(reason, width - 12)}")
        for note in notes:
            click.echo(f"  {note}")
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(report.statuses.items()))
    click.echo(f"\nQuestions now: {statuses}. ({report.seconds:.1f} s)")
    if report.stopped_reason:
        click.echo(f"Stopped: {report.stopped_reason}")
    elif report.cancelled:
        click.echo("Stopped. Finished questions are saved; run the same command again to resume.")


def _notes(step) -> list[str]:
    extra = step.extra
    notes = []
    if "longest_option" in extra and extra["longest_option"]["questions"]:
        bias = extra["longest_option"]
        notes.append(
            f"the key is the longest option in {bias['key_is_longest']} of {bias['questions']} multiple-choice questions "
            f"({bias['share']:.0%}; chance {bias['chance']:.0%})"
            + ("  <- solvers can guess by length" if bias["questions"] >= 20 and bias["share"] > bias["chance"] * 1.5 else "")
        )
    if extra.get("groups"):
        notes.append(f"{extra['groups']} group{'s' if extra['groups'] > 1 else ''} of near-duplicates; each keeps its first question")
    if "benchmark_items" in extra:
        notes.append(f"checked against {extra['benchmark_items']} benchmark questions")
    if "voting_types" in extra:
        classes = ", ".join(f"{count} {name}" for name, count in sorted(extra["voting_types"].items()))
        notes.append(f"vote classes ({extra['mode']} mode): {classes or 'none yet'}")
        if "seconds_per_question" in extra:
            notes.append(f"{extra['seconds_per_question']:.2f} s per question ({extra['questions_per_minute']} q/min)")
    if "stages" in extra:
        run = extra["this_run"]
        notes.append(f"this run: {run['direct']} solved directly, {run['reflected']} fixed by reflection, {run['failed']} not solved")
    if "score" in extra and extra["score"].get("n"):
        score = extra["score"]
        notes.append(
            f"judge scores: mean {score['mean']:+.2f} (from {score['low']:+.2f} to {score['high']:+.2f}), threshold {extra['threshold']:+.2f}"
        )
    if "ranker" in extra and extra["ranker"]["trained"]:
        ranker = extra["ranker"]
        notes.append(
            f"trained on {ranker['reviewed']} reviews ({ranker['accepted']} accepted, {ranker['rejected']} rejected): "
            f"held-out accuracy {ranker['accuracy']:.0%} on {ranker['held_out']} (always-majority {ranker['baseline']:.0%}); "
            f"ranked {ranker['ranked']} questions"
        )
    if extra.get("paraphrases"):
        notes.append(f"{extra['paraphrases']} of them reword an earlier question (same quantities, units and key)")
    if "bands" in extra:
        band = extra["band"]
        bands = ", ".join(f"{extra['bands'].get(name, 0)} {name}" for name in ("too hard", "learnable", "too easy"))
        notes.append(f"for the model to be trained: {bands} (learnable between {band['low']:.2f} and {band['high']:.2f} above chance)")
        if "seconds_per_question" in extra:
            notes.append(f"{extra['seconds_per_question']:.2f} s per question; `export --learnable` keeps the learnable band")
    if extra.get("failures"):
        for failure, count in extra["failures"].items():
            notes.append(f"{count} × model failed: {failure}")
    return notes


def _default_training_base() -> str:
    from papergym.train.config import DEFAULT_BASE_MODEL

    return DEFAULT_BASE_MODEL


def _band(text: str):
    from papergym.core.errors import PapergymError
    from papergym.core.quality.learnability import LearnableBand

    try:
        return LearnableBand.parse(text)
    except PapergymError as error:
        raise click.BadParameter(str(error), param_hint="--band") from None


def _print_curator_report(report) -> None:
    if not report.decisions:
        click.echo("No question is accepted or rejected yet; review some (`papergym accept`/`reject`, or the app's Review screen) first.")
        return
    click.echo(f"Agreement with your {report.decisions} decisions ({report.accepted} accepted, {report.rejected} rejected):\n")
    click.echo(f"{'SIGNAL':13} {'JUDGED':>6} {'ACC':>5} {'REJ':>5} {'AGREES':>7} {'MAJORITY':>8} {'AUC':>5}  BEST THRESHOLD")

    def percent(value) -> str:
        return "-" if value is None else f"{value:.0%}"

    for signal in report.signals:
        if not signal.judged:
            click.echo(f"{signal.signal:13} {0:>6}  (no reviewed question has this check yet)")
            continue
        best = "-"
        if signal.best_threshold is not None:
            best = f">= {signal.best_threshold:+.3g} agrees {signal.best_threshold_accuracy:.0%}"
        auc = "-" if signal.auc is None else f"{signal.auc:.2f}"
        click.echo(
            f"{signal.signal:13} {signal.judged:>6} {signal.accepted:>5} {signal.rejected:>5} {percent(signal.accuracy):>7} "
            f"{percent(signal.baseline):>8} {auc:>5}  {best}"
        )
    click.echo(
        "\nAGREES: the check's pass/flag against your decision; MAJORITY: always guessing your more common decision; "
        "AUC: how often an accepted question scores above a rejected one (0.5 is chance). Scores:"
    )
    for signal in report.signals:
        click.echo(f"  {signal.signal}: {signal.note}")


@click.command()
@click.argument("question_ids", nargs=-1, required=True)
@library_option
@click.pass_context
def accept(ctx, question_ids, library_dir):
    """Accept questions (ids or unique prefixes) as training data."""
    from papergym.core.questions.review import decide, resolve_question_ids

    library = open_library(ctx, library_dir)
    changed = decide(library, resolve_question_ids(library, list(question_ids)), "accepted")
    click.echo(f"Accepted {changed} question{'s' if changed != 1 else ''}.")


@click.command()
@click.argument("question_ids", nargs=-1, required=True)
@click.option("--reason", default=None, help="Why, in a few words (kept with the question; the ranker learns from decisions).")
@library_option
@click.pass_context
def reject(ctx, question_ids, reason, library_dir):
    """Reject questions (ids or unique prefixes)."""
    from papergym.core.questions.review import decide, resolve_question_ids

    library = open_library(ctx, library_dir)
    changed = decide(library, resolve_question_ids(library, list(question_ids)), "rejected", reason)
    click.echo(f"Rejected {changed} question{'s' if changed != 1 else ''}.")


@click.command()
@click.argument("question_ids", nargs=-1, required=True)
@library_option
@click.pass_context
def unreview(ctx, question_ids, library_dir):
    """Undo accept or reject: the questions return to the quality pipeline's verdict."""
    from papergym.core.questions.review import resolve_question_ids, undo

    library = open_library(ctx, library_dir)
    changed = undo(library, resolve_question_ids(library, list(question_ids)))
    click.echo(f"{changed} question{'s' if changed != 1 else ''} back to the pipeline's verdict.")
