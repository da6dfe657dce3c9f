"""Commands that measure and ship a trained model: eval (with a before/after table) and convert."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from papergym.core.errors import PapergymError
from papergym.tui.cli.common import StatusLine, clip, duration, echo_json, library_option, open_library, terminal_width
from papergym.tui.cli.gpu_jobs import cpu_only_notice, cpu_option, gpu_job
from papergym.tui.formatting import percent

ENGINE_CHOICES = ("auto", "transformers", "llama.cpp")
CONVERT_TARGETS = ("gguf-lora", "merged-hf")


class _EvalProgressView:
    """Questions done, right so far, pace and ETA on one status line."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.status = StatusLine()

    def __call__(self, progress) -> None:
        left = progress.total - progress.done
        eta = left / progress.questions_per_second if progress.questions_per_second else None
        self.status.show(
            f"{self.label}: {progress.done}/{progress.total} questions  {progress.correct} right  "
            f"{progress.questions_per_second:.2f} q/s  ETA {duration(eta)}",
            final=left == 0,
        )

    def close(self) -> None:
        self.status.close()


def _print_report(report) -> None:
    what = report.model + (f" + adapter {report.run_id or report.adapter}" if report.adapter else "")
    click.echo(
        f"{what} on {report.source}: {report.questions} questions"
        + (f" (of {report.available}, --limit)" if report.questions < report.available else "")
        + f" with {report.engine} ({report.device}) in {report.seconds:.0f} s, {report.questions_per_second:.2f} questions/s."
    )
    for notice in report.notices:
        click.echo(notice)
    click.echo(
        f"accuracy {percent(report.accuracy)} ({report.correct}/{report.questions}), "
        f"extractable {percent(report.extractable)}, mean length {report.mean_length:.0f} tokens"
    )
    width = min(40, max([10, *(len(name) for name in report.per_discipline)]))
    click.echo(f"\n{'DISCIPLINE':{width}}  {'QUESTIONS':>9}  {'ACCURACY':>8}  {'EXTRACTABLE':>11}  {'LENGTH':>6}")
    for name, block in report.per_discipline.items():
        click.echo(
            f"{clip(name, width):{width}}  {block['questions']:>9}  {percent(block['accuracy']):>8}  "
            f"{percent(block['extractable']):>11}  {block['mean_length']:>6.0f}"
        )
    if report.skipped:
        skipped = ", ".join(f"{count} {reason}" for reason, count in report.skipped.items())
        click.echo(f"\nLeft out: {skipped}.")
    if report.completions_path:
        click.echo(f"\nStored as {report.id}; every completion is in {report.completions_path}.")


def _print_comparison(comparison) -> None:
    base, adapted = comparison.base, comparison.adapted
    click.echo(
        f"\nBefore/after on the same {adapted['questions']} questions: {base['model']} ({base['id']}, {base['config'].get('engine')}) "
        f"vs. + adapter ({adapted['id']}, {adapted['config'].get('engine')})"
    )
    width = min(44, max([12, *(len(row["name"]) for row in comparison.rows)]))
    click.echo(f"{'':{width}}  {'QUESTIONS':>9}  {'BEFORE':>8}  {'AFTER':>8}  {'CHANGE':>8}")
    for row in comparison.rows:
        if row["name"] == "mean length":
            before = "-" if row["before"] is None else f"{row['before']:.0f}"
            after = "-" if row["after"] is None else f"{row['after']:.0f}"
            change = "-" if row["delta"] is None else f"{row['delta']:+.0f}"
        else:
            before, after = percent(row["before"]), percent(row["after"])
            change = "-" if row["delta"] is None else f"{100 * row['delta']:+.1f}"
        click.echo(f"{clip(row['name'], width):{width}}  {row['questions']:>9}  {before:>8}  {after:>8}  {change:>8}")


def _print_list(rows) -> None:
    if not rows:
        click.echo("No evals yet; run `papergym eval --model NAME --on FILE` (or --on validation --dataset DIR).")
        return
    width = max(20, terminal_width() - 78)
    click.echo(f"{'ID':21}  {'CREATED':19}  {'MODEL':{min(width, 24)}}  {'ADAPTER':16}  {'QUESTIONS':>9}  {'ACCURACY':>8}  {'EXTRACT.':>8}")
    for row in rows:
        adapter = row["run_id"] or (Path(row["adapter"]).name if row["adapter"] else "-")
        click.echo(
            f"{row['id']:21}  {row['created_at'][:19]:19}  {clip(Path(row['model']).name, min(width, 24)):{min(width, 24)}}  "
            f"{clip(adapter, 16):16}  {row['questions']:>9}  {percent(row['accuracy']):>8}  {percent(row['extractable']):>8}"
        )


@click.command("eval")
@click.option(
    "--model",
    default=None,
    metavar="NAME|HF_DIR|GGUF",
    help="A registered model name, an HF model folder or a .gguf file (default: the adapter's base model, else the default model).",
)
@click.option(
    "--adapter", default=None, metavar="RUN|DIR", help="A run id (or prefix, or 'latest'), a PEFT adapter folder, or a GGUF LoRA file."
)
@click.option(
    "--on",
    "on",
    default="validation",
    show_default=True,
    metavar="SPLIT|FILE",
    help="A split of --dataset (validation, test), or a benchmark file or folder (GPQA csv, MMLU-Pro, SuperGPQA), "
    "or a .jsonl/.parquet of WildSci-style questions.",
)
@click.option(
    "--dataset",
    type=click.Path(path_type=Path),
    default=None,
    help="The `papergym export` folder whose split --on names (default: the adapter's run's dataset).",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Ask at most this many questions (the same ones every time).")
@click.option(
    "--max-new-tokens",
    type=click.IntRange(1),
    default=256,
    show_default=True,
    help="Tokens a model may write per question; generation stops early after its final 'Answer:' line.",
)
@click.option(
    "--batch-size", type=click.IntRange(1), default=None, help="Questions per batch with transformers (default: 8 on CPU, 32 on CUDA)."
)
@click.option(
    "--engine",
    type=click.Choice(ENGINE_CHOICES),
    default="auto",
    show_default=True,
    help="auto: llama.cpp for a GGUF model without a CUDA GPU, else transformers.",
)
@click.option(
    "--threads", type=click.IntRange(1), default=None, help="CPU threads (default: all cores; use fewer while a training run is busy)."
)
@click.option(
    "--compare/--no-compare",
    default=True,
    show_default=True,
    help="With --adapter: set the result beside the base model's eval of the same questions, running that eval first if needed.",
)
@click.option("--list", "list_only", is_flag=True, help="List the stored evals instead of running one.")
@click.option("--json", "as_json", is_flag=True, help="Print the result (and the comparison) as one JSON object.")
@cpu_option
@library_option
@click.pass_context
def eval_command(
    ctx, model, adapter, on, dataset, limit, max_new_tokens, batch_size, engine, threads, compare, list_only, as_json, use_cpu, library_dir
):
    """Measure a model, with or without a trained adapter, on held-out questions.

    Greedy decoding with the training prompt; answers are graded like the
    training reward. Reports accuracy overall and per discipline, the share
    of completions with a readable final answer, and the mean completion
    length, and stores the result in the library. With --adapter the base
    model's result on the same questions is shown beside it.
    """
    from papergym.train.evaluation.errors import EvalCancelled
    from papergym.train.evaluation.results import compare as compare_evals
    from papergym.train.evaluation.results import find_base_eval, list_evals
    from papergym.train.evaluation.run import evaluate

    library = open_library(ctx, library_dir)
    if list_only:
        rows = list_evals(library)
        if as_json:
            echo_json(rows)
        else:
            _print_list(rows)
        return

    def run(adapter_spec, model_spec, label):
        view = None if as_json else _EvalProgressView(label)
        status = None if as_json else (lambda line: click.echo(line, err=True))
        try:
            with gpu_job("eval", library.folder, local_model=True, use_cpu=use_cpu, quiet=as_json, torch_engine=engine != "llama.cpp"):
                return evaluate(
                    library,
                    model=model_spec,
                    adapter=adapter_spec,
                    on=on,
                    dataset=dataset,
                    limit=limit,
                    max_new_tokens=max_new_tokens,
                    batch_size=batch_size,
                    engine=engine,
                    threads=threads,
                    on_progress=view,
                    on_status=status,
                )
        finally:
            if view:
                view.close()

    try:
        report = run(adapter, model, "the adapter" if adapter else "the model")
        if not as_json:
            _print_report(report)
        base_report = comparison = None
        if adapter is not None and compare:
            base = find_base_eval(library, report.as_dict())
            if base is None or base["config"].get("engine") != report.engine:
                if not as_json:
                    click.echo("")
                # The base model on the same questions, budget and engine as the adapter's eval.
                base_report = run(None, report.model, "the base model")
                if not as_json:
                    _print_report(base_report)
            comparison = compare_evals(library, report)
    except EvalCancelled as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo("\nStopped; nothing was stored for the eval in progress.", err=True)
        sys.exit(130)
    except PapergymError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo_json(
            {
                "eval": report.as_dict(),
                "base_eval": base_report.as_dict() if base_report else None,
                "comparison": comparison.as_dict() if comparison else None,
            }
        )
    else:
        if comparison is not None:
            _print_comparison(comparison)
        on_llama_cpp = [measured for measured in (report, base_report) if measured is not None and measured.engine == "llama.cpp"]
        if on_llama_cpp:
            cpu_only_notice(
                sum(result["tokens"] for measured in on_llama_cpp for result in measured.results),
                sum(measured.seconds for measured in on_llama_cpp),
            )


@click.command("convert")
@click.argument("source", metavar="RUN|ADAPTER_DIR")
@click.option(
    "--to",
    "target",
    type=click.Choice(CONVERT_TARGETS),
    required=True,
    help="gguf-lora: a llama.cpp LoRA file for the base GGUF model; merged-hf: the adapter folded into a full HF model folder.",
)
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--base",
    default=None,
    metavar="NAME|HF_DIR|GGUF",
    help="The base model (default: the run's --base-model, or the one the adapter records).",
)
@click.option("--outtype", type=click.Choice(("f16", "f32")), default="f16", show_default=True, help="Precision of the GGUF LoRA tensors.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as one JSON object.")
@library_option
@click.pass_context
def convert_command(ctx, source, target, out, base, outtype, overwrite, as_json, library_dir):
    """Turn a run's LoRA adapter into a GGUF LoRA for llama.cpp, or merge it into its base model.

    \b
    papergym convert RUN --to gguf-lora adapter.gguf
        then: papergym eval --adapter adapter.gguf --model BASE --on ...
    papergym convert RUN --to merged-hf merged/
        a plain HF model folder (llama.cpp's convert_hf_to_gguf.py makes one GGUF of it)
    """
    from papergym.train.evaluation.models import resolve_adapter

    try:
        library = open_library(ctx, library_dir)
        adapter = resolve_adapter(library, source)
        if adapter.kind != "peft":
            raise PapergymError(f"{adapter.path.name} is already a GGUF LoRA; convert takes a run or a PEFT adapter folder.")
        if adapter.notice and not as_json:
            click.echo(adapter.notice, err=True)
        base_path = _base_path(library, base or adapter.base_model)
        if target == "gguf-lora":
            from papergym.train.gguf_lora import convert_lora_to_gguf

            result = convert_lora_to_gguf(adapter.path, out, base=base_path, outtype=outtype, overwrite=overwrite)
            summary = result.as_dict()
            message = (
                f"Wrote {result.out} ({result.bytes / 1e6:.1f} MB, {result.outtype}): {result.tensor_pairs} LoRA pairs over "
                f"{result.layers} layers ({', '.join(result.modules)}), rank {'/'.join(map(str, result.ranks))}, alpha {result.alpha:g}, "
                f"for {result.architecture}" + (f" ({base_path.name})" if base_path else "") + "."
            )
        else:
            from papergym.train.gguf_lora import merge_to_hf

            if base_path is None:
                raise PapergymError("The adapter does not say which base model it belongs to; pass --base.")
            if not as_json:
                click.echo("Loading the base model and merging…", err=True)
            written = merge_to_hf(base_path, adapter.path, out, overwrite=overwrite, library_folder=library.folder)
            summary = {"out": str(written), "base": str(base_path), "adapter": str(adapter.path)}
            message = f"Wrote the merged model to {written} (base {base_path.name} + adapter {adapter.run_id or adapter.path.name})."
    except PapergymError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo_json({**summary, "run_id": adapter.run_id, "adapter": str(adapter.path), "to": target})
    else:
        click.echo(message)
        for note in summary.get("notes") or []:
            click.echo(note)


def _base_path(library, spec: str | None) -> Path | None:
    """A base model's file or folder from a registered name, a .gguf path or an HF folder."""
    if spec is None:
        return None
    from papergym.train.evaluation.models import resolve_model_source

    return resolve_model_source(library, spec).path
