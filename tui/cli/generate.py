"""Commands that make and show questions: generate, questions, question."""

from __future__ import annotations

import sys

import click
from papergym.tui.cli.common import (
    SHORT_ID,
    StatusLine,
    clip,
    duration,
    echo_json,
    library_option,
    open_library,
    terminal_width,
)
from papergym.tui.cli.gpu_jobs import cpu_only_notice, cpu_option, gpu_job
from papergym.tui.terminal_text import printable

KIND_CHOICES = ("mcq", "numeric", "exact")


def _kinds(ctx, param, value: str) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [kind for kind in kinds if kind not in KIND_CHOICES]
    if unknown or not kinds:
        raise click.BadParameter(f"use a comma-separated list of {', '.join(KIND_CHOICES)}")
    return kinds


class _GenerateProgressView:
    """Windows, questions, speed and ETA on one status line."""

    def __init__(self, stop_at: int) -> None:
        self.status = StatusLine()
        self.stop_at = stop_at  # windows done when this run ends: earlier runs' plus this one's (--max-windows)
        self.done_at_start: int | None = None

    def __call__(self, progress) -> None:
        if self.done_at_start is None:
            self.done_at_start = progress.windows_done - 1
        this_run = progress.windows_done - self.done_at_start
        left = max(0, min(progress.windows_total, self.stop_at) - progress.windows_done)
        self.status.show(
            f"windows {progress.windows_done}/{min(progress.windows_total, self.stop_at)}  questions {progress.questions}  "
            f"{progress.tokens_per_second:.1f} tok/s  {progress.questions_per_minute:.1f} q/min  "
            f"failed {progress.windows_failed}  ETA {duration(progress.eta_seconds(this_run, left))}",
            final=left == 0,
        )

    def close(self) -> None:
        self.status.close()


@click.command()
@click.option("--papers", "paper_ids", default=None, help="Comma-separated paper ids (prefixes work). Default: all readable papers.")
@click.option("--all", "all_papers", is_flag=True, help="Generate for every readable paper (the default when --papers is not given).")
@click.option(
    "--include-duplicates",
    is_flag=True,
    help="Also generate from files linked as another copy of a paper already in the library (skipped by default).",
)
@click.option(
    "--model",
    default=None,
    help="A registered model name or a .gguf path (default: `papergym models` default); with --server, the server's model name.",
)
@click.option(
    "--lora",
    default=None,
    type=click.Path(dir_okay=False),
    help="A GGUF LoRA adapter for the local model (from `papergym convert RUN --to gguf-lora OUT`).",
)
@click.option(
    "--server", default=None, metavar="URL", help="An OpenAI-compatible server (llama-server, vLLM, Ollama) instead of a local model."
)
@click.option("--api-key", default=None, envvar="PAPERGYM_API_KEY", help="API key for --server (or PAPERGYM_API_KEY).")
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True, help="Requests in flight with --server.")
@click.option("--kinds", default="mcq", show_default=True, callback=_kinds, help="Question kinds: mcq, numeric, exact.")
@click.option("--per-window", type=click.IntRange(1, 20), default=1, show_default=True, help="Questions of each kind per window.")
@click.option("--refine", is_flag=True, help="Rewrite each multiple-choice question to ten options (A-J) with subtle distractors.")
@click.option("--temperature", type=click.FloatRange(0, 2), default=0.8, show_default=True)
@click.option("--max-windows", type=click.IntRange(1), default=None, help="Stop after this many windows (resume later).")
@click.option("--retry-failed", is_flag=True, help="Try windows that failed in earlier runs again.")
@click.option(
    "--context",
    "context_length",
    type=click.IntRange(512),
    default=None,
    help="Context size in tokens (default: the model's, at most 8192).",
)
@click.option("--threads", type=click.IntRange(1), default=None, help="CPU threads for a local model (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as one JSON object.")
@cpu_option
@library_option
@click.pass_context
def generate(
    ctx,
    paper_ids,
    all_papers,
    include_duplicates,
    model,
    lora,
    server,
    api_key,
    concurrency,
    kinds,
    per_window,
    refine,
    temperature,
    max_windows,
    retry_failed,
    context_length,
    threads,
    as_json,
    use_cpu,
    library_dir,
):
    """Generate verifiable questions from papers with a local model or a server.

    Each window (title, abstract and one section) is a job in the library:
    stopping (Ctrl-C, or even kill -9) loses at most the window in flight, and
    running the same command again resumes without duplicates.
    """
    from papergym.core.generation.run import GenerateSettings, plan, run_generation, select_papers
    from papergym.core.llm.backends import open_backend

    if paper_ids and all_papers:
        raise click.UsageError("use either --papers or --all")
    library = open_library(ctx, library_dir)
    settings = GenerateSettings(
        kinds=kinds, per_window=per_window, refine=refine, temperature=temperature, include_duplicates=include_duplicates
    )
    ids = [part.strip() for part in paper_ids.split(",") if part.strip()] if paper_ids else None
    if not select_papers(library, ids, include_duplicates=include_duplicates):
        raise click.ClickException("There are no readable papers to generate from; import some with `papergym import PATH`.")
    with gpu_job("generate", library.folder, local_model=not server, use_cpu=use_cpu, quiet=as_json):
        if not as_json:
            click.echo("Loading the model…", err=True)
        backend = open_backend(
            library,
            model=model,
            server=server,
            api_key=api_key,
            concurrency=concurrency,
            lora=lora,
            context_length=context_length,
            threads=threads,
        )
        try:
            todo, total = plan(library, backend, settings, ids, retry_failed)
            to_run = len(todo) if max_windows is None else min(len(todo), max_windows)
            if not as_json:
                click.echo(
                    f"{backend.model_name}: {total} windows ({total - len(todo)} already done), "
                    f"kinds {','.join(kinds)}, {per_window} per window{', refined' if refine else ''}: "
                    f"about to run {to_run} windows for up to {to_run * settings.questions_per_window} questions "
                    f"and at most {to_run * settings.max_tokens_per_window:,} generated tokens; "
                    "the time left shows once the first window is done.",
                    err=True,
                )
            view = None if as_json else _GenerateProgressView(stop_at=total - len(todo) + to_run)
            report = run_generation(library, backend, settings, ids, max_windows=max_windows, planned=(todo, total), on_progress=view)
            if view:
                view.close()
        finally:
            backend.close()
    if as_json:
        echo_json(report.as_dict())
    else:
        _print_generate_summary(report)
        if not server:
            cpu_only_notice(report.completion_tokens, report.seconds, report.prompt_tokens - report.cached_tokens)
    if report.cancelled:
        sys.exit(130)
    if report.stopped_reason:
        sys.exit(1)


def _print_generate_summary(report) -> None:
    rate = report.completion_tokens / report.seconds if report.seconds else 0.0
    click.echo(
        f"{report.windows_run} windows run ({report.windows_already_done} of {report.windows_total} were already done): "
        f"{report.windows_with_questions} gave {report.questions_new} new questions"
        + (f" (+{report.questions_duplicate} duplicates skipped)" if report.questions_duplicate else "")
        + f", {report.windows_failed} gave none."
    )
    if report.failure_reasons:
        click.echo("Why windows gave no question (attempts):")
        for reason, count in report.failure_reasons.most_common(8):
            click.echo(f"  {count:4} × {reason}")
    if report.refine_failures:
        click.echo(f"{report.refine_failures} questions kept their four options because refining them failed.")
    if report.windows_taken_elsewhere:
        click.echo(f"{report.windows_taken_elsewhere} windows were left to another generate run that was already doing them.")
    if report.windows_of_removed_papers:
        click.echo(f"{report.windows_of_removed_papers} windows stored nothing: their paper was removed while they ran.")
    if report.prompt_tokens:
        click.echo(
            f"{report.completion_tokens} tokens generated in {report.seconds:.1f} s ({rate:.1f} tok/s); "
            f"{report.cached_tokens} of {report.prompt_tokens} prompt tokens came from the prefix cache."
        )
    if report.stopped_reason:
        click.echo(f"Stopped: {report.stopped_reason}")
    elif report.cancelled:
        click.echo("Stopped. Finished windows are saved; run the same command again to resume.")
    elif report.windows_run == 0 and report.windows_total:
        click.echo("Nothing to do: every window is done (use --retry-failed to retry failed ones).")


@click.command()
@click.option(
    "--status",
    default=None,
    help="Only questions with these statuses, comma-separated (draft, passed, flagged, dropped, accepted, rejected).",
)
@click.option(
    "--vote-type",
    default=None,
    help="Only these vote classes, comma-separated (all_aligned, majority_aligned, majority_divergent, all_divergent, discard).",
)
@click.option("--discipline", default=None, help="Only questions in this discipline (see `papergym topics`).")
@click.option(
    "--sort",
    type=click.Choice(["newest", "score", "rank"]),
    default="newest",
    show_default=True,
    help="score: the judge's score, best first; rank: the reviewer-trained ranker's, best first.",
)
@click.option("--paper", "paper_id", default=None, help="Only questions from this paper (id prefix).")
@click.option("--kind", type=click.Choice(KIND_CHOICES), default=None)
@click.option("--limit", type=click.IntRange(1), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@library_option
@click.pass_context
def questions(ctx, status, vote_type, discipline, sort, paper_id, kind, limit, as_json, library_dir):
    """List generated questions, newest first."""
    from papergym.core.questions.store import list_questions

    library = open_library(ctx, library_dir)
    rows = list_questions(
        library,
        status=status,
        paper_id=library.resolve_id(paper_id) if paper_id else None,
        kind=kind,
        voting_type=vote_type,
        discipline=discipline,
        sort=sort,
        limit=limit,
    )
    if as_json:
        for row in rows:
            echo_json(row)
        return
    if not rows:
        click.echo("No questions match. Generate some with: papergym generate")
        return
    width = terminal_width()
    click.echo(f"{'ID':{SHORT_ID}}  {'KIND':7} {'STATUS':8} {'ANSWER':10} QUESTION")
    for row in rows:
        answer = (row["answer"] or "") + (f" {row['unit']}" if row.get("unit") else "")
        click.echo(f"{row['id'][:SHORT_ID]}  {row['kind']:7} {row['status']:8} {clip(answer, 10):10} {clip(row['question'], width - 42)}")
    click.echo(f"{len(rows)} questions")


@click.command()
@click.argument("question_id")
@click.option("--json", "as_json", is_flag=True, help="Print the question as one JSON object.")
@library_option
@click.pass_context
def question(ctx, question_id, as_json, library_dir):
    """Show one question with its options, key, rationale and source passage."""
    from papergym.core.quality.pipeline import question_checks
    from papergym.core.questions.store import get_question

    library = open_library(ctx, library_dir)
    row = get_question(library, question_id)
    if as_json:
        from papergym.core.quality.pipeline import question_checks

        echo_json({**row, "checks": question_checks(library, row["id"])})
        return
    origin = f"paper {row['paper_id'][:SHORT_ID]}" if row.get("paper_id") else f"{row.get('source') or 'imported'}, no paper"
    made_by = "  ".join(f"{name} {printable(row[key])}" for name, key in (("model", "model"), ("prompt", "prompt_version")) if row.get(key))
    click.echo(f"{row['id']}  {row['kind']}  {row['status']}  {origin}" + (f"  {made_by}" if made_by else ""))
    click.echo(f"\n{printable(row['question'])}\n")
    for letter, option in zip("ABCDEFGHIJ", row["options"]):
        marker = "*" if letter == row["answer"] else " "
        click.echo(f" {marker} {letter}) {printable(option)}")
    if row["kind"] != "mcq":
        answer = f"answer: {printable(row['answer'])}"
        if row["kind"] == "numeric":
            answer += f" {printable(row['unit'])}" if row.get("unit") else ""
            answer += f" (± {row['tolerance']:.3g})" if row.get("tolerance") is not None else ""
        click.echo(answer)
        if row["aliases"]:
            click.echo(f"also accepted: {', '.join(printable(alias) for alias in row['aliases'])}")
    if row["rationale"]:
        click.echo(f"\nrationale: {printable(row['rationale'])}")
    if row.get("source_passage"):
        click.echo(f"\nsource ({printable(row['source_section'])}):\n{clip(row['source_passage'], 1200)}")
    if row.get("votes"):
        click.echo(f"\nvotes: {' '.join(printable(vote) for vote in row['votes'])}  ({row['voting_type']})")
    if row.get("score") is not None:
        click.echo(f"judge score: {row['score']:+.2f}")
    checks = question_checks(library, row["id"])
    if checks:
        click.echo("\nchecks:")
        for check_row in checks:
            reasons = "; ".join(check_row["reasons"] or [])
            click.echo(f"  {check_row['step']:10} {check_row['status']:5} {printable(reasons)}")
