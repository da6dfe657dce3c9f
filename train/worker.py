"""The training process: ``python -m papergym.train.worker --library DIR --run RUN_ID [--resume]``.

It reads everything from the run's row and folder, trains, and leaves the row
finished (with the adapter's path), stopped (SIGINT/SIGTERM: a checkpoint is
saved at the end of the current step; a second signal stops at once) or failed
(with one sentence on what went wrong; the traceback goes to train.log).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from papergym.core.errors import PapergymError
from papergym.core.gpu_lease import LeaseCancelled, QueueEntry, held_by, maybe_gpu_lease
from papergym.core.ids import now
from papergym.core.library import Library
from papergym.train.checkpoints import choose_checkpoint
from papergym.train.config import TrainConfig, cuda_available, format_seconds, resolve_backend
from papergym.train.data import SNAPSHOT_NAME, clean_rows, read_jsonl
from papergym.train.process_identity import record_process
from papergym.train.run import ADAPTER_DIR, LAUNCHED_ENV

Progress = Callable[[int, int, dict], None]


def _is_main_rank() -> bool:
    """Under ``accelerate launch`` only rank 0 writes the run's status."""
    return os.environ.get("RANK", "0") == "0"


def _update(library: Library, run_id: str, **values) -> None:
    if not _is_main_rank():
        return
    if values.get("status", "waiting") != "waiting":
        values.setdefault("waiting_for", None)  # only a waiting run names the GPU's holder
    values["updated_at"] = now()
    assignments = ", ".join(f"{name} = ?" for name in values)
    with library.write() as db:
        db.execute(f"UPDATE runs SET {assignments} WHERE id = ?", [*values.values(), run_id])


def say(message: str) -> None:
    """A line for the user: stderr, so a foreground ``--json`` keeps stdout clean (a detached run logs both)."""
    print(message, file=sys.stderr, flush=True)


def latest_checkpoint(output_dir: Path, *, tell: bool = False) -> Path | None:
    """The newest ``checkpoint-N`` folder whose files are all whole; a half-written newer one is passed over (and said, with ``tell``)."""
    choice = choose_checkpoint(output_dir)
    if tell:
        for note in choice.passed_over:
            say(f"Passing over {note}: it was being written when the run stopped.")
    return choice.checkpoint


def print_progress(step: int, max_steps: int, logs: dict) -> None:
    """One line per logged step, for train.log and the foreground."""
    parts = [f"step {step}/{max_steps}"]
    for key, label in (
        ("reward", "reward"),
        ("rewards/correctness/mean", "correct"),
        ("extractable", "extractable"),
        ("kl", "kl"),
        ("completions/mean_length", "length"),
        ("papergym/step_seconds", "s/step"),
    ):
        if key in logs and logs[key] is not None:
            parts.append(f"{label} {logs[key]:.3g}")
    if logs.get("papergym/step_seconds"):
        parts.append(f"about {format_seconds(logs['papergym/step_seconds'] * (max_steps - step))} left")
    say("  ".join(parts))


def execute_run(
    library_folder: Path | str,
    run_id: str,
    resume: bool = False,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> dict:
    """Train a run that ``create_run`` wrote, in this process; returns its final status and numbers."""
    library = Library(library_folder)
    cancel = cancel or threading.Event()
    try:
        run = library.query("SELECT * FROM runs WHERE id = ?", [run_id])
        if not run:
            raise PapergymError(f"No run has the id {run_id}; `papergym runs` lists them.")
        run = run[0]
        config = TrainConfig.from_json(run["config"])
        output_dir = Path(run["output_dir"])
        # A detached run keeps the pid its launcher recorded (the process group that `runs stop` signals);
        # a foreground run records this process.
        launched = os.environ.get(LAUNCHED_ENV) == run_id
        if not launched and _is_main_rank():
            record_process(output_dir, os.getpid())
        _update(library, run_id, status="running", error=None, **({} if launched else {"pid": os.getpid()}))
        try:
            with warnings.catch_warnings():
                # Deprecation notices from inside transformers/TRL/PEFT say nothing a papergym user can act on.
                warnings.filterwarnings("ignore", category=FutureWarning)
                result = _train(library, run_id, config, output_dir, resume, on_progress, cancel)
        except PapergymError as error:
            _update(library, run_id, status="failed", error=str(error), ended_at=now())
            raise
        except KeyboardInterrupt:
            _update(
                library,
                run_id,
                status="stopped",
                error="Stopped at once by a second signal; no checkpoint was saved for this step.",
                ended_at=now(),
            )
            raise
        except BaseException as error:
            from papergym.train.backends import is_out_of_memory, out_of_memory_message

            message = (
                out_of_memory_message(config)
                if is_out_of_memory(error)
                else f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'no message'}"
            )
            traceback.print_exc()
            _update(library, run_id, status="failed", error=message, ended_at=now())
            raise PapergymError(message) from error
        return result
    finally:
        library.close()


def _train(
    library: Library,
    run_id: str,
    config: TrainConfig,
    output_dir: Path,
    resume: bool,
    on_progress: Progress | None,
    cancel: threading.Event,
) -> dict:
    from papergym.train.backends import build_trainer, environment_summary, hf_model_dir, resolve_base_model

    if config.use_cpu:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # --cpu: hidden before torch first looks for a GPU
    # Imports unsloth first when it is used: it must patch before transformers loads; its compile cache is the library's.
    backend = resolve_backend(config, library.folder)
    _update(library, run_id, backend=backend)
    from papergym.train.callbacks import MetricsCallback, ProgressCallback, StopCallback
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # weight-loading bars would fill train.log

    say(f"papergym run {run_id}: backend {backend}, {environment_summary()}")
    source = resolve_base_model(config.base_model, library)
    model_dir = hf_model_dir(source, library.folder)
    snapshot = output_dir / SNAPSHOT_NAME
    if not snapshot.is_file():
        raise PapergymError(f"Run {run_id} lost its questions ({snapshot} is gone); start a new run.")
    rows, _ = clean_rows(read_jsonl(snapshot))
    metrics_callback = MetricsCallback(library.folder, run_id, config.sample_completions)
    stop_callback = StopCallback(cancel)
    # The stop check goes last, so a stop asked for by the progress hook applies to the step just logged.
    callbacks = [metrics_callback, ProgressCallback(on_progress or print_progress), stop_callback]
    checkpoint = latest_checkpoint(output_dir, tell=True) if resume else None
    if resume and checkpoint is None:
        say(f"Run {run_id} has no checkpoint yet; training it from step 0.")
    say(config.plan(len(rows), start_step=_checkpoint_step(checkpoint)))
    lease = contextlib.ExitStack()
    try:
        lease.enter_context(take_gpu(library, run_id, cuda_available(), cancel))
    except LeaseCancelled:
        metrics_callback.close()
        _update(library, run_id, status="stopped", ended_at=now())
        say(f"Stopped while waiting for the GPU; start it with `papergym train --resume {run_id}`.")
        return {
            "run_id": run_id,
            "backend": backend,
            "status": "stopped",
            "step": 0,
            "max_steps": config.steps,
            "output_dir": str(output_dir),
        }
    try:
        setup = build_trainer(backend, config, model_dir, rows, output_dir, callbacks)
        metrics_callback.trainer = setup.trainer
        if setup.too_long:
            say(f"{setup.too_long} questions left out: their prompt is longer than {config.max_prompt_length} tokens.")
        started = time.perf_counter()
        setup.trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
        seconds = time.perf_counter() - started
        state = setup.trainer.state
        result = {
            "run_id": run_id,
            "backend": backend,
            "step": state.global_step,
            "max_steps": config.steps,
            "seconds": seconds,
            "epochs_seen": sorted(setup.option_shuffle.epochs_seen),
            "output_dir": str(output_dir),
        }
        if stop_callback.stopped_at is not None and state.global_step < config.steps:
            _update(library, run_id, status="stopped", step=state.global_step, ended_at=now())
            say(f"Stopped at step {state.global_step}; resume with `papergym train --resume {run_id}`.")
            return {**result, "status": "stopped", "checkpoint": str(latest_checkpoint(output_dir) or "")}
        adapter = output_dir / ADAPTER_DIR
        setup.trainer.save_model(str(adapter))  # every rank calls it; the trainer writes from the main one
        _update(library, run_id, status="finished", step=state.global_step, adapter_path=str(adapter), ended_at=now())
        say(f"Finished {state.global_step} steps in {seconds:.0f} s; LoRA adapter in {adapter}.")
        return {**result, "status": "finished", "adapter_path": str(adapter)}
    finally:
        metrics_callback.close()
        lease.close()


def _checkpoint_step(checkpoint: Path | None) -> int:
    return int(checkpoint.name.rsplit("-", 1)[-1]) if checkpoint is not None else 0


@contextlib.contextmanager
def take_gpu(library: Library, run_id: str, gpu_in_use: bool, cancel: threading.Event) -> Iterator[bool]:
    """Hold the GPU lease for the block; while another job holds it the run's row says ``waiting`` and names that job.

    Yields whether the lease was taken; a cancel while waiting raises LeaseCancelled.
    """
    waited = False

    def on_wait(holder: QueueEntry | None, position: int) -> None:
        nonlocal waited
        waited = True
        say(f"Waiting for the GPU, held by {held_by(holder)}; place {position} in the queue (`papergym queue`). Ctrl-C leaves the queue.")
        _update(library, run_id, status="waiting", waiting_for=held_by(holder))

    with maybe_gpu_lease(gpu_in_use, f"train {run_id}", library=library.folder, cancel=cancel, on_wait=on_wait) as taken:
        if waited:
            _update(library, run_id, status="running")
        yield taken


def install_stop_signals(cancel: threading.Event) -> dict:
    """First SIGINT/SIGTERM: stop after this step with a checkpoint. Second: stop now. Returns the old handlers."""

    def handle(signum, frame):
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        say(
            f"Got {signal.Signals(signum).name}: saving a checkpoint at the end of this step, then stopping "
            "(send it again to stop at once)."
        )

    return {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}


def restore_signals(previous: dict) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m papergym.train.worker", description="Train one papergym run.")
    parser.add_argument("--library", required=True, help="The library folder holding the run.")
    parser.add_argument("--run", required=True, help="The run id.")
    parser.add_argument("--resume", action="store_true", help="Continue from the run's latest checkpoint.")
    args = parser.parse_args(argv)
    cancel = threading.Event()
    install_stop_signals(cancel)
    try:
        result = execute_run(args.library, args.run, resume=args.resume, cancel=cancel)
    except PapergymError as error:
        print(f"Error: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0 if result["status"] in ("finished", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main())
