"""The life of a training run: create it, launch it in its own process, follow, stop and resume it.

A run is a row in ``runs`` plus a folder ``<library>/runs/<run id>/`` holding
the exact training rows (``train.jsonl``), the process log (``train.log``),
the checkpoints and the final adapter. The app only writes the row and starts
``python -m papergym.train.worker``; the worker does the rest, so the app stays
responsive and a run outlives the app. Nothing here imports torch.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from papergym.core.errors import PapergymError
from papergym.core.ids import now, resolve_prefix
from papergym.core.library import Library
from papergym.train.config import TrainConfig
from papergym.train.data import SNAPSHOT_NAME, TrainingData, load_training_data, write_snapshot
from papergym.train.process_identity import TOKEN_ENV, is_run_process, record_process, recorded_start

RUNS_DIR = "runs"
LOG_NAME = "train.log"
ADAPTER_DIR = "adapter"
ACTIVE = ("starting", "waiting", "running")  # waiting: in the GPU queue, another job holds the lease
LAUNCHED_ENV = TOKEN_ENV  # tells a worker its launcher already recorded the process to signal, and names its run
RESUMABLE = ("stopped", "failed", "finished")


class RunNotFound(PapergymError):
    """No run matches the given id or prefix."""


@dataclass
class StartedRun:
    """A run that was just created: its id, folder, process and what the user should know about its data."""

    run_id: str
    output_dir: Path
    log_path: Path
    pid: int | None
    argv: list[str]
    questions: int
    source: str
    notice: str | None = None
    skipped: dict[str, int] | None = None

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "output_dir": str(self.output_dir),
            "log": str(self.log_path),
            "pid": self.pid,
            "argv": self.argv,
            "questions": self.questions,
            "source": self.source,
            "notice": self.notice,
            "skipped": self.skipped or {},
        }


def new_run_id() -> str:
    return f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def run_dir(library: Library, run_id: str) -> Path:
    return library.folder / RUNS_DIR / run_id


# -- creating -------------------------------------------------------------------------------


def create_run(library: Library, config: TrainConfig) -> tuple[str, TrainingData]:
    """Check the config, the base model and the data, then write the run's row and folder; nothing is launched yet."""
    from papergym.train.backends import resolve_base_model

    config.validate()
    if config.backend == "unsloth" and importlib.util.find_spec("unsloth") is None:
        raise PapergymError("--backend unsloth needs Unsloth; run `pip install unsloth` (CUDA GPUs only), or use --backend trl.")
    resolve_base_model(config.base_model, library)  # a bad --base-model fails here, not in a log file
    data = load_training_data(config, library)
    run_id = new_run_id()
    output_dir = run_dir(library, run_id)
    config = config.replace(output_dir=str(output_dir))
    write_snapshot(data.rows, output_dir / SNAPSHOT_NAME)
    started_at = now()
    with library.write() as db:
        db["runs"].insert(
            {
                "id": run_id,
                "status": "starting",
                "backend": config.backend,
                "base_model": config.base_model,
                "dataset": config.dataset if config.from_library else str(Path(config.dataset).expanduser().resolve()),
                "config": config.to_json(),
                "output_dir": str(output_dir),
                "adapter_path": None,
                "pid": None,
                "step": 0,
                "max_steps": config.steps,
                "error": None,
                "started_at": started_at,
                "updated_at": started_at,
                "ended_at": None,
            }
        )
    return run_id, data


def worker_command(library: Library, run_id: str, resume: bool = False) -> list[str]:
    """The argv of the worker process that trains a run in one process."""
    argv = [sys.executable, "-m", "papergym.train.worker", "--library", str(library.folder), "--run", run_id]
    return argv + ["--resume"] if resume else argv


def accelerate_command(library: Library, run_id: str, num_processes: int | None = None, resume: bool = False) -> list[str]:
    """The argv that hands a trl run to ``accelerate launch`` (one worker per GPU).

    Without ``num_processes`` accelerate's own config decides (``accelerate config`` writes it).
    """
    argv = [sys.executable, "-m", "accelerate.commands.launch"]
    if num_processes is not None:
        if num_processes < 1:
            raise PapergymError(f"--num-processes must be 1 or more, not {num_processes}.")
        argv += ["--num_processes", str(num_processes)]
        if num_processes > 1:
            argv.append("--multi_gpu")
    argv += ["--module", "papergym.train.worker", "--library", str(library.folder), "--run", run_id]
    return argv + ["--resume"] if resume else argv


def _launch(library: Library, run_id: str, argv: list[str]) -> int:
    output_dir = run_dir(library, run_id)
    output_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false", LAUNCHED_ENV: run_id}
    with (output_dir / LOG_NAME).open("ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(output_dir),
            env=env,
            start_new_session=True,  # its own process group: a Ctrl-C in the app's terminal does not reach it
        )
    record_process(output_dir, process.pid)  # before the reaper below can free the pid for reuse
    # Reap it when it ends, so a long-lived app never keeps a zombie that looks alive to `runs`.
    threading.Thread(target=process.wait, name=f"reap-{run_id}", daemon=True).start()
    with library.write() as db:
        db.execute("UPDATE runs SET pid = ?, updated_at = ? WHERE id = ?", [process.pid, now(), run_id])
    return process.pid


def start_run(library: Library, config: TrainConfig, accelerate: bool = False, num_processes: int | None = None) -> StartedRun:
    """Create a run and start its worker as a detached process; returns at once with the run id."""
    if accelerate and config.backend == "unsloth":
        raise PapergymError("--accelerate runs the trl backend on several GPUs; drop --backend unsloth (or --accelerate).")
    if accelerate:
        config = config.replace(backend="trl")
    run_id, data = create_run(library, config)
    argv = accelerate_command(library, run_id, num_processes) if accelerate else worker_command(library, run_id)
    pid = _launch(library, run_id, argv)
    output_dir = run_dir(library, run_id)
    return StartedRun(run_id, output_dir, output_dir / LOG_NAME, pid, argv, len(data.rows), data.source, data.notice, data.skipped)


def run_foreground(library: Library, config: TrainConfig, on_progress=None, cancel: threading.Event | None = None, on_start=None) -> dict:
    """Create a run and train it in this process (tests, scripts, ``train --foreground``); returns the worker's result.

    ``on_start(run_id, data)`` hears of the run before the (slow) model loading starts.
    """
    from papergym.train.worker import execute_run

    run_id, data = create_run(library, config)
    if on_start is not None:
        on_start(run_id, data)
    result = execute_run(library.folder, run_id, on_progress=on_progress, cancel=cancel)
    return {**result, "questions": len(data.rows), "source": data.source, "notice": data.notice}


# -- resuming and stopping ----------------------------------------------------------------------


def _prepare_resume(library: Library, run_id: str, steps: int | None) -> dict:
    run = get_run(library, run_id)
    if run["status"] in ACTIVE and run_process_alive(run):
        raise PapergymError(f"Run {run['id']} is still {run['status']}; stop it first with `papergym runs stop {run['id']}`.")
    config = TrainConfig.from_json(run["config"])
    if steps is not None:
        if steps <= (run["step"] or 0):
            raise PapergymError(f"--steps {steps} is not beyond step {run['step']} that run {run['id']} reached; give a larger number.")
        config = config.replace(steps=steps)
    elif run["status"] == "finished":
        raise PapergymError(f"Run {run['id']} finished all {config.steps} steps; resume it with a larger --steps to train on.")
    with library.write() as db:
        db.execute(
            "UPDATE runs SET status = 'starting', pid = NULL, config = ?, max_steps = ?, error = NULL, waiting_for = NULL, ended_at = NULL, "
            "updated_at = ? "
            "WHERE id = ?",
            [config.to_json(), config.steps, now(), run["id"]],
        )
    return run


def resume_run(
    library: Library, run_id: str, steps: int | None = None, accelerate: bool = False, num_processes: int | None = None
) -> StartedRun:
    """Continue a stopped (or failed, or finished with more ``steps``) run from its latest checkpoint, detached."""
    run = _prepare_resume(library, run_id, steps)
    if accelerate and run["backend"] == "unsloth":
        raise PapergymError(f"Run {run['id']} trains with unsloth, which --accelerate cannot launch; resume it without --accelerate.")
    argv = (
        accelerate_command(library, run["id"], num_processes, resume=True)
        if accelerate
        else worker_command(library, run["id"], resume=True)
    )
    pid = _launch(library, run["id"], argv)
    output_dir = Path(run["output_dir"])
    return StartedRun(run["id"], output_dir, output_dir / LOG_NAME, pid, argv, 0, f"the questions of run {run['id']}")


def resume_foreground(
    library: Library, run_id: str, steps: int | None = None, on_progress=None, cancel: threading.Event | None = None
) -> dict:
    """Continue a run from its latest checkpoint in this process."""
    from papergym.train.worker import execute_run

    run = _prepare_resume(library, run_id, steps)
    return execute_run(library.folder, run["id"], resume=True, on_progress=on_progress, cancel=cancel)


def run_process_alive(run: dict) -> bool:
    """Whether a run's recorded process is alive and is that run's worker, not a process that got its pid later."""
    return is_run_process(run["pid"], recorded_start(run.get("output_dir"), run["pid"]), run["id"])


def stop_run(library: Library, run_id: str) -> dict:
    """Ask a run's process to stop: it saves a checkpoint at the end of its current step and marks the run stopped."""
    run = get_run(library, run_id)
    if run["status"] not in ACTIVE:
        raise PapergymError(f"Run {run['id']} is not running (it is {run['status']}).")
    if not run_process_alive(run):
        _mark_gone(library, run)
        raise PapergymError(f"Run {run['id']}'s process is gone; it is marked failed (see {Path(run['output_dir']) / LOG_NAME}).")
    if run["pid"] == os.getpid():
        raise PapergymError(f"Run {run['id']} trains in this process; press Ctrl-C to stop it.")
    try:
        leads_group = os.getpgid(run["pid"]) == run["pid"]
    except ProcessLookupError:
        leads_group = False
    if leads_group:
        os.killpg(run["pid"], signal.SIGTERM)  # a detached run's whole group: accelerate's launcher and every rank
    else:
        os.kill(run["pid"], signal.SIGTERM)  # a foreground run in some terminal: only that process
    return {**run, "signal": "SIGTERM"}


def _mark_gone(library: Library, run: dict) -> None:
    with library.write() as db:
        db.execute(
            "UPDATE runs SET status = 'failed', error = ?, waiting_for = NULL, ended_at = ?, updated_at = ? "
            "WHERE id = ? AND status IN ('starting', 'waiting', 'running')",
            [f"The training process ended without saying why; see {Path(run['output_dir']) / LOG_NAME}.", now(), now(), run["id"]],
        )


# -- reading ------------------------------------------------------------------------------------


def resolve_run_id(library: Library, id_or_prefix: str) -> str:
    """The full id of a run from its id, a unique prefix, or "latest"."""
    if id_or_prefix.strip() == "latest":
        rows = library.query("SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT 1")
        if not rows:
            raise RunNotFound(f"No run has the id {id_or_prefix}; `papergym runs` lists them.")
        return rows[0]["id"]
    return resolve_prefix(library.conn, "runs", id_or_prefix, noun="run", listed_by="`papergym runs` lists them", error=RunNotFound)


def get_run(library: Library, id_or_prefix: str) -> dict:
    """One run's row, with a run whose process died without a word marked failed."""
    run_id = resolve_run_id(library, id_or_prefix)
    run = library.query("SELECT * FROM runs WHERE id = ?", [run_id])[0]
    if run["status"] in ACTIVE and run["pid"] and not run_process_alive(run):
        _mark_gone(library, run)
        run = library.query("SELECT * FROM runs WHERE id = ?", [run_id])[0]
    return run


def list_runs(library: Library) -> list[dict]:
    """Every run, newest first, with its last total reward."""
    for run in library.query("SELECT id, pid, output_dir FROM runs WHERE status IN ('starting', 'waiting', 'running') AND pid IS NOT NULL"):
        if not run_process_alive(run):
            _mark_gone(library, run)
    return library.query(
        """
        SELECT r.id, r.status, r.waiting_for, r.backend, r.base_model, r.dataset, r.step, r.max_steps, r.adapter_path, r.error,
               r.started_at, r.updated_at, r.ended_at,
               (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'reward' ORDER BY m.step DESC LIMIT 1) AS last_reward
        FROM runs r ORDER BY r.started_at DESC, r.id DESC
        """
    )


def status_words(run: dict) -> str:
    """A run's status as the app and `papergym runs` say it: a run in the GPU queue names the job holding the GPU."""
    if run["status"] == "waiting":
        return f"waiting for the GPU, held by {run.get('waiting_for') or 'another job'}"
    return run["status"]


def metric_summary(library: Library, run_id: str) -> dict[str, dict]:
    """Per metric: its first, last, best (highest for rewards, else lowest for loss-like names) and how many points."""
    rows = library.query("SELECT name, step, value FROM metrics WHERE run_id = ? ORDER BY name, step", [run_id])
    summary: dict[str, dict] = {}
    for row in rows:
        entry = summary.setdefault(row["name"], {"points": 0, "first": row["value"], "first_step": row["step"], "values": []})
        entry["points"] += 1
        entry["last"], entry["last_step"] = row["value"], row["step"]
        entry["values"].append((row["step"], row["value"]))
    for name, entry in summary.items():
        values = entry.pop("values")
        lower_is_better = name in ("loss", "kl", "step_time", "peak_gpu_memory_gb", "frac_reward_zero_std") or name.endswith(
            "clipped_ratio"
        )
        step, value = (min if lower_is_better else max)(values, key=lambda item: item[1])
        entry["best"], entry["best_step"] = value, step
    return summary


def metric_rows(library: Library, run_id: str, after_step: int = -1) -> list[dict]:
    """A run's metric rows (step, name, value) logged after ``after_step``, in step order.

    The app follows a live run by asking for the rows after the last step it drew,
    one indexed query a tick.
    """
    return library.query("SELECT step, name, value FROM metrics WHERE run_id = ? AND step > ? ORDER BY step", [run_id, after_step])


def latest_samples(library: Library, run_id: str, limit: int) -> list[dict]:
    """A run's latest sample completions across steps, newest step first, with their rewards decoded."""
    rows = library.query(
        "SELECT step, ordinal, prompt, completion, answer, rewards FROM samples WHERE run_id = ? ORDER BY step DESC, ordinal LIMIT ?",
        [run_id, limit],
    )
    return [{**row, "rewards": json.loads(row["rewards"]) if row["rewards"] else {}} for row in rows]


def run_details(library: Library, id_or_prefix: str, samples: int = 6) -> dict:
    """A run's row, config, metric summary and its latest sample completions."""
    run = get_run(library, id_or_prefix)
    details = dict(run)
    details["config"] = json.loads(run["config"]) if run["config"] else {}
    details["metrics"] = metric_summary(library, run["id"])
    details["samples"] = latest_samples(library, run["id"], samples)
    details["log"] = str(Path(run["output_dir"]) / LOG_NAME)
    return details
