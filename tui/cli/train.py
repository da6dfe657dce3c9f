"""Commands that train and follow runs: train, runs, runs show, runs stop.

Training runs in its own process (``python -m papergym.train.worker``), so
these commands return at once; ``--foreground`` trains in this process with a
progress line instead. Nothing here imports torch: the worker does.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import click
from click.core import ParameterSource
from papergym.core.errors import PapergymError
from papergym.tui.cli.common import clip, echo_json, library_option, open_library, terminal_width

BACKEND_CHOICES = ("auto", "unsloth", "trl")
# Options that shape a run; --resume keeps the run's own values for all of them but --steps.
_RUN_OPTIONS = {
    "dataset": "--dataset",
    "from_library": "--from-library",
    "base_model": "--base-model",
    "backend": "--backend",
    "num_generations": "--num-generations",
    "lora_rank": "--lora-rank",
    "max_completion_length": "--max-completion-length",
    "learning_rate": "--lr",
    "batch_size": "--batch-size",
    "gradient_accumulation": "--gradient-accumulation",
    "beta": "--beta",
    "temperature": "--temperature",
    "seed": "--seed",
    "save_steps": "--save-steps",
    "statuses": "--status",
    "learnable": "--learnable",
    "band": "--band",
    "learnability_model": "--learnability-model",
    "curriculum": "--curriculum",
    "split": "--split",
    "no_format_reward": "--no-format-reward",
    "no_reshuffle": "--no-reshuffle",
    "use_cpu": "--cpu",
    "gpu_memory_utilization": "--gpu-memory-utilization",
}


def _given(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE


class _ProgressLine:
    """One line that rewrites itself on a terminal, a line per logged step otherwise."""

    def __init__(self) -> None:
        self.interactive = sys.stderr.isatty()
        self.started = time.monotonic()
        self.first_step: int | None = None

    def __call__(self, step: int, max_steps: int, logs: dict) -> None:
        if self.first_step is None:
            self.first_step = step - 1
        done = step - self.first_step
        per_step = logs.get("papergym/step_seconds") or ((time.monotonic() - self.started) / done if done > 0 else None)
        eta = per_step * (max_steps - step) if per_step else None
        parts = [f"step {step}/{max_steps}"]
        for key, label in (
            ("reward", "reward"),
            ("rewards/correctness/mean", "correct"),
            ("extractable", "readable"),
            ("kl", "kl"),
            ("completions/mean_length", "length"),
        ):
            if logs.get(key) is not None:
                parts.append(f"{label} {logs[key]:.3g}")
        if logs.get("papergym/step_seconds") is not None:
            parts.append(f"{logs['papergym/step_seconds']:.1f} s/step")
        if eta is not None:
            minutes, seconds = divmod(int(eta), 60)
            parts.append(f"ETA {minutes}:{seconds:02}")
        line = "  ".join(parts)
        if self.interactive:
            click.echo("\r" + line[: terminal_width() - 1].ljust(terminal_width() - 1), nl=False, err=True)
        else:
            click.echo(line, err=True)

    def close(self) -> None:
        if self.interactive:
            click.echo("", err=True)


def _config_from_options(ctx: click.Context, options: dict):
    from papergym.train.config import TrainConfig, learnable_band_from_text

    if options["dataset"] and options["from_library"]:
        raise PapergymError("Pass either --dataset DIR or --from-library, not both.")
    settings: dict = {"dataset": str(options["dataset"]) if options["dataset"] else "library"}
    names = {
        "base_model": "base_model",
        "backend": "backend",
        "steps": "steps",
        "num_generations": "num_generations",
        "lora_rank": "lora_rank",
        "max_completion_length": "max_completion_length",
        "learning_rate": "learning_rate",
        "batch_size": "batch_size",
        "gradient_accumulation": "gradient_accumulation_steps",
        "beta": "beta",
        "temperature": "temperature",
        "seed": "seed",
        "save_steps": "save_steps",
        "split": "split",
        "gpu_memory_utilization": "gpu_memory_utilization",
    }
    for option, field in names.items():
        if options[option] is not None:
            settings[field] = options[option]
    if options["statuses"]:
        settings["statuses"] = tuple(part.strip() for part in options["statuses"].split(",") if part.strip())
    if options["learnable"] or options["band"] is not None:
        settings["learnable_band"] = learnable_band_from_text(options["band"])
    if options["learnability_model"]:
        settings["learnability_model"] = options["learnability_model"]
    if options["curriculum"]:
        settings["curriculum"] = True
    if options["no_format_reward"]:
        settings["format_reward"] = False
    if options["no_reshuffle"]:
        settings["reshuffle_options"] = False
    if options["use_cpu"]:
        settings["use_cpu"] = True
    return TrainConfig(**settings)


def _started_summary(started) -> None:
    if started.notice:
        click.echo(started.notice, err=True)
    if started.skipped:
        left_out = ", ".join(f"{count} {reason}" for reason, count in started.skipped.items())
        click.echo(f"Left out: {left_out}.", err=True)
    click.echo(f"Started run {started.run_id} on {started.source} (process {started.pid}).")
    click.echo(f"  follow: papergym runs show {started.run_id}   (log: {started.log_path})")
    click.echo(f"  stop:   papergym runs stop {started.run_id}   (it saves a checkpoint first)")


@click.command()
@click.option("--dataset", type=click.Path(path_type=Path), default=None, help="A `papergym export` folder (its train split).")
@click.option(
    "--from-library", is_flag=True, help="Train on the library's accepted questions (passed ones if none is accepted); the default."
)
@click.option("--split", default=None, help="With --dataset: the split to train on (default: train).")
@click.option("--status", "statuses", default=None, help="With --from-library: comma-separated question statuses (default: accepted).")
@click.option(
    "--learnable",
    is_flag=True,
    help="Only questions the base model solves sometimes, as measured by `papergym check --steps learnability` (others give GRPO no signal).",
)
@click.option("--band", default=None, metavar="LOW,HIGH", help="With --learnable: the pass rate above chance to keep (default 0.1,0.9).")
@click.option("--learnability-model", default=None, help="Whose measured pass rates count (default: each question's newest).")
@click.option("--curriculum", is_flag=True, help="Train easy to hard by measured pass rate, in that order (no shuffling).")
@click.option(
    "--base-model",
    default=None,
    metavar="HF_DIR|GGUF|NAME",
    help="A Hugging Face model folder, a .gguf file, or a model name (default: gemma3-270m).",
)
@click.option(
    "--backend", type=click.Choice(BACKEND_CHOICES), default=None, help="auto: unsloth with a CUDA GPU and Unsloth installed, else trl."
)
@click.option("--steps", type=click.IntRange(1), default=None, help="Optimizer steps (default 100); with --resume, the new total.")
@click.option("--num-generations", type=click.IntRange(2), default=None, help="Completions per question, the GRPO group (default 4).")
@click.option("--lora-rank", type=click.IntRange(1), default=None, help="LoRA rank (default 16).")
@click.option("--max-completion-length", type=click.IntRange(1), default=None, help="Tokens per completion (default 256).")
@click.option("--lr", "learning_rate", type=click.FloatRange(0, min_open=True), default=None, help="Learning rate (default 5e-6).")
@click.option(
    "--batch-size", type=click.IntRange(1), default=None, help="Completions per device per micro-batch (default: --num-generations)."
)
@click.option("--gradient-accumulation", type=click.IntRange(1), default=None, help="Micro-batches per optimizer step (default 1).")
@click.option("--beta", type=click.FloatRange(0), default=None, help="KL weight against the base model (default 0.04; 0 turns it off).")
@click.option("--temperature", type=click.FloatRange(0, min_open=True), default=None, help="Sampling temperature (default 1.0).")
@click.option("--seed", type=int, default=None, help="Seed for sampling, data order and option shuffles (default 0).")
@click.option("--save-steps", type=click.IntRange(1), default=None, help="Checkpoint every this many steps (default 50).")
@click.option("--no-format-reward", is_flag=True, help="Reward only correct answers, not the reasoning-then-answer format.")
@click.option("--no-reshuffle", is_flag=True, help="Keep each question's option order instead of reshuffling every epoch.")
@click.option("--cpu", "use_cpu", is_flag=True, help="Train on the CPU even when a GPU is there (no place in the GPU queue).")
@click.option(
    "--gpu-memory-utilization",
    type=click.FloatRange(0.05, 0.95),
    default=None,
    help="Unsloth with vLLM: the share of the GPU vLLM reserves for generation (default 0.5).",
)
@click.option("--resume", "resume_run_id", default=None, metavar="RUN", help="Continue a stopped run from its latest checkpoint.")
@click.option(
    "--foreground", is_flag=True, help="Train in this process with a progress line (Ctrl-C stops after the step, with a checkpoint)."
)
@click.option("--accelerate", "use_accelerate", is_flag=True, help="Launch the trl backend with `accelerate launch` (several GPUs).")
@click.option(
    "--num-processes", type=click.IntRange(1), default=None, help="With --accelerate: processes (GPUs); default: accelerate's config."
)
@click.option("--json", "as_json", is_flag=True, help="Print the run as one JSON object.")
@library_option
@click.pass_context
def train(
    ctx,
    dataset,
    from_library,
    split,
    statuses,
    learnable,
    band,
    learnability_model,
    curriculum,
    base_model,
    backend,
    steps,
    num_generations,
    lora_rank,
    max_completion_length,
    learning_rate,
    batch_size,
    gradient_accumulation,
    beta,
    temperature,
    seed,
    save_steps,
    no_format_reward,
    no_reshuffle,
    use_cpu,
    gpu_memory_utilization,
    resume_run_id,
    foreground,
    use_accelerate,
    num_processes,
    as_json,
    library_dir,
):
    """Train a LoRA adapter with GRPO on verifiable questions.

    The run trains in its own process and survives this command; its metrics
    and sample completions go to the library (`papergym runs show RUN`).

    \b
      papergym train --from-library --steps 200
      papergym train --dataset ./my-export --base-model ~/models/Qwen2.5-1.5B-Instruct
      papergym train --resume run-20261122-101500-ab12 --steps 400
      papergym train --dataset ./my-export --accelerate --num-processes 4
    """
    options = dict(ctx.params)
    try:
        library = open_library(ctx, library_dir)
        if use_accelerate and foreground:
            raise PapergymError("--accelerate launches its own processes; drop --foreground.")
        if num_processes is not None and not use_accelerate:
            raise PapergymError("--num-processes only applies with --accelerate.")
        if resume_run_id:
            given = [flag for name, flag in _RUN_OPTIONS.items() if _given(ctx, name)]
            if given:
                raise PapergymError(
                    f"--resume continues a run with its own settings, so {given[0]} cannot change; only --steps can (to train longer)."
                )
            result = _resume(library, resume_run_id, steps, foreground, use_accelerate, num_processes, as_json)
        else:
            config = _config_from_options(ctx, options)
            result = _start(library, config, foreground, use_accelerate, num_processes, as_json)
    except PapergymError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo_json(result)


def _foreground(run) -> dict:
    from papergym.train.worker import install_stop_signals, restore_signals

    cancel = threading.Event()
    progress = _ProgressLine()
    previous = install_stop_signals(cancel) if threading.current_thread() is threading.main_thread() else {}
    try:
        return run(progress, cancel)
    finally:
        progress.close()
        restore_signals(previous)


def _print_result(result: dict) -> None:
    if result["status"] == "finished":
        click.echo(
            f"Run {result['run_id']} finished {result['step']} steps in {result['seconds']:.0f} s; adapter in {result['adapter_path']}."
        )
    else:
        click.echo(f"Run {result['run_id']} stopped at step {result['step']}; continue with `papergym train --resume {result['run_id']}`.")


def _start(library, config, foreground: bool, use_accelerate: bool, num_processes: int | None, as_json: bool) -> dict:
    from papergym.train.run import run_foreground, start_run

    if foreground:

        def on_start(run_id, data):
            if data.notice:
                click.echo(data.notice, err=True)
            click.echo(f"Run {run_id} on {data.source}; Ctrl-C stops it after the current step, with a checkpoint.", err=True)

        result = _foreground(
            lambda progress, cancel: run_foreground(library, config, on_progress=progress, cancel=cancel, on_start=on_start)
        )
        if not as_json:
            _print_result(result)
        return result
    started = start_run(library, config, accelerate=use_accelerate, num_processes=num_processes)
    if not as_json:
        _started_summary(started)
    return started.as_dict()


def _resume(
    library, run_id: str, steps: int | None, foreground: bool, use_accelerate: bool, num_processes: int | None, as_json: bool
) -> dict:
    from papergym.train.run import resume_foreground, resume_run

    if foreground:
        result = _foreground(lambda progress, cancel: resume_foreground(library, run_id, steps, on_progress=progress, cancel=cancel))
        if not as_json:
            _print_result(result)
        return result
    started = resume_run(library, run_id, steps=steps, accelerate=use_accelerate, num_processes=num_processes)
    if not as_json:
        click.echo(f"Resumed run {started.run_id} from its latest checkpoint (process {started.pid}).")
        click.echo(f"  follow: papergym runs show {started.run_id}   (log: {started.log_path})")
    return started.as_dict()


# -- runs ------------------------------------------------------------------------------------


def _number(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def _print_runs(runs: list[dict]) -> None:
    from papergym.train.run import status_words

    headers = ("RUN", "STATUS", "STEP", "REWARD", "BACKEND", "STARTED", "MODEL")
    rows = [
        (
            run["id"],
            run["status"],
            f"{run['step'] or 0}/{run['max_steps'] or '?'}",
            _number(run["last_reward"]),
            run["backend"] or "-",
            (run["started_at"] or "")[:16].replace("T", " "),
            Path(run["base_model"] or "").name or "-",
        )
        for run in runs
    ]
    widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers) - 1)]
    for row in [headers, *rows]:
        cells = [cell.rjust(width) if column in (2, 3) else cell.ljust(width) for column, (cell, width) in enumerate(zip(row, widths))]
        click.echo("  ".join([*cells, row[-1]]).rstrip())
    # The holder's name is too long for the table, so a waiting run gets its own line below it.
    waiting = [run for run in runs if run["status"] == "waiting"]
    if waiting:
        click.echo("")
    for run in waiting:
        click.echo(f"{run['id']}: {status_words(run)} (`papergym queue` shows the queue).")


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per run.")
@library_option
@click.pass_context
def runs(ctx, as_json, library_dir):
    """List training runs, newest first, with their step and last reward.

    \b
      papergym runs show RUN      config, metric summary and sample completions
      papergym runs stop RUN      stop after the current step, with a checkpoint
    """
    ctx.ensure_object(dict)
    if library_dir is not None:
        ctx.obj["runs_library_dir"] = library_dir
    if ctx.invoked_subcommand is not None:
        return
    from papergym.train.run import list_runs

    try:
        all_runs = list_runs(open_library(ctx, library_dir))
    except PapergymError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        for run in all_runs:
            echo_json(run)
    elif not all_runs:
        click.echo("No training runs yet; start one with `papergym train --from-library`.")
    else:
        _print_runs(all_runs)


def _runs_library(ctx, library_dir):
    ctx.ensure_object(dict)
    return open_library(ctx, library_dir or ctx.obj.get("runs_library_dir"))


# The metrics `runs show` lists first, in this order; any others follow by name.
_KEY_METRICS = (
    "reward",
    "reward_std",
    "rewards/correctness/mean",
    "rewards/format_reward/mean",
    "extractable",
    "frac_reward_zero_std",
    "kl",
    "entropy",
    "loss",
    "completions/mean_length",
    "completions/clipped_ratio",
    "learning_rate",
    "papergym/step_seconds",
    "peak_gpu_memory_gb",
    "peak_gpu_reserved_gb",
)


@runs.command("show")
@click.argument("run_id")
@click.option("--samples", type=click.IntRange(0), default=4, show_default=True, help="Sample completions to show.")
@click.option("--all-metrics", is_flag=True, help="List every logged metric, not just the main ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as one JSON object.")
@library_option
@click.pass_context
def show_run(ctx, run_id, samples, all_metrics, as_json, library_dir):
    """A run's status, settings, metric summary (first, last, best) and latest sample completions."""
    from papergym.train.run import run_details, status_words

    try:
        library = _runs_library(ctx, library_dir)
        details = run_details(library, run_id, samples=samples)
    except PapergymError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo_json(details)
        return
    config = details["config"]
    click.echo(
        f"{details['id']}  {status_words(details)}  step {details['step'] or 0}/{details['max_steps']}  backend {details['backend']}"
    )
    click.echo(f"  model:   {details['base_model']}")
    click.echo(f"  data:    {details['dataset']}")
    click.echo(
        f"  GRPO:    {config.get('num_generations')} generations x {config.get('max_completion_length')} tokens, "
        f"lr {config.get('learning_rate')}, beta {config.get('beta')}, LoRA rank {config.get('lora_rank')} "
        f"on {','.join(config.get('target_modules') or [])}, seed {config.get('seed')}"
    )
    click.echo(f"  started: {details['started_at']}" + (f"  ended: {details['ended_at']}" if details["ended_at"] else ""))
    if details["adapter_path"]:
        click.echo(f"  adapter: {details['adapter_path']}")
    if details["error"]:
        click.echo(f"  error:   {details['error']}")
    click.echo(f"  log:     {details['log']}")
    metrics = details["metrics"]
    if metrics:
        names = [name for name in _KEY_METRICS if name in metrics]
        if all_metrics:
            names += sorted(name for name in metrics if name not in names)
        width = max(len(name) for name in names) if names else 6
        click.echo("")
        click.echo(f"{'METRIC'.ljust(width)}  {'FIRST':>9}  {'LAST':>9}  {'BEST':>9}  {'AT STEP':>7}  POINTS")
        for name in names:
            entry = metrics[name]
            click.echo(
                f"{name.ljust(width)}  {_number(entry['first'], 4):>9}  {_number(entry['last'], 4):>9}  "
                f"{_number(entry['best'], 4):>9}  {entry['best_step']:>7}  {entry['points']}"
            )
    else:
        click.echo("\nNo metrics yet (the first step logs them).")
    advice = _zero_signal_advice(library, details["id"])
    if advice:
        click.echo(f"\n{advice}")
    for sample in details["samples"]:
        rewards = ", ".join(f"{name} {value:.2g}" for name, value in sample["rewards"].items() if isinstance(value, (int, float)))
        click.echo(f"\nstep {sample['step']} · key {sample['answer'] or '?'} · {rewards}")
        click.echo(f"  Q: {clip(sample['prompt'], terminal_width() - 6)}")
        click.echo(f"  A: {clip(sample['completion'], terminal_width() - 6)}")


def _stop_words(run: dict) -> str:
    if run["status"] == "waiting":
        return f"Asked run {run['id']} to leave the GPU queue; `papergym train --resume {run['id']}` queues it again."
    return f"Asked run {run['id']} to stop; it saves a checkpoint at the end of its current step (`papergym runs` shows when)."


def _zero_signal_advice(library, run_id: str) -> str | None:
    """What a high share of flat reward groups means for this run (the Train screen says the same)."""
    from papergym.train.zero_signal import zero_signal_advice

    def points(name: str) -> list[tuple[int, float]]:
        rows = library.query("SELECT step, value FROM metrics WHERE run_id = ? AND name = ? AND value IS NOT NULL", [run_id, name])
        return [(row["step"], row["value"]) for row in rows]

    return zero_signal_advice(points("frac_reward_zero_std"), points("rewards/correctness/mean"))


@runs.command("stop")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Print the run as one JSON object.")
@library_option
@click.pass_context
def stop_run_command(ctx, run_id, as_json, library_dir):
    """Stop a run at the end of its current step; it saves a checkpoint so `papergym train --resume RUN` continues it."""
    from papergym.train.run import stop_run

    try:
        run = stop_run(_runs_library(ctx, library_dir), run_id)
    except PapergymError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo_json({"run_id": run["id"], "signal": run["signal"], "pid": run["pid"]})
    else:
        click.echo(_stop_words(run))
