"""kill -9 a detached training run once it has a checkpoint, then resume it: it reaches its last step, each step logged once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from papergym.core.library import Library
from papergym.core.processes import process_alive
from papergym.train.checkpoints import choose_checkpoint

from tests.chaos.conftest import assert_sound, judge, library_state, run_papergym

# slow: three processes load torch and TRL (about a minute on two cores), though the training itself takes seconds.
pytestmark = [pytest.mark.chaos, pytest.mark.slow]

STEPS = 12
# One thread per process: the tiny model gains nothing from more, and the machine is shared.
ONE_THREAD = {"OMP_NUM_THREADS": "1"}


def _wait_for_checkpoint(output_dir: Path, pid: int, log: Path, timeout: float = 120) -> Path:
    """The run's first whole checkpoint, polled every 20 ms so the kill lands in the step or the save that follows it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        checkpoint = choose_checkpoint(output_dir).checkpoint if output_dir.is_dir() else None
        if checkpoint is not None:
            return checkpoint
        assert process_alive(pid), f"the worker ended before its first checkpoint:\n{log.read_text(errors='replace')[-2000:]}"
        time.sleep(0.02)
    pytest.fail(f"no checkpoint after {timeout:.0f} s:\n{log.read_text(errors='replace')[-2000:]}")


def _runs(library: Path) -> dict[str, dict]:
    listed = run_papergym("runs", "--json", "--library", str(library), env=ONE_THREAD)
    assert listed.returncode == 0 and "Traceback" not in listed.output, listed.output
    return {run["id"]: run for run in map(json.loads, listed.stdout.splitlines())}


def test_train_killed_after_a_checkpoint_then_resumed(tmp_path):
    # Imported here, not at the top: torch and trl would slow the collection of every chaos case, and without them this one skips.
    from tests.integration.test_train_cpu import add_questions, build_tiny_model

    model = build_tiny_model(tmp_path / "tiny-llama")
    library = tmp_path / "lib"
    with Library(library) as opened:
        add_questions(opened)
    started = run_papergym(
        *("train", "--library", str(library), "--base-model", str(model), "--cpu", "--json"),
        *("--steps", str(STEPS), "--save-steps", "1", "--max-completion-length", "8", "--lora-rank", "4", "--lr", "0.05"),
        env=ONE_THREAD,
    )
    assert started.returncode == 0, started.output
    run = json.loads(started.stdout)
    run_id, worker, output_dir = run["run_id"], run["pid"], Path(run["output_dir"])
    try:
        checkpoint = _wait_for_checkpoint(output_dir, worker, Path(run["log"]))
    finally:
        # The detached worker leads its own process group (the launcher has already returned): kill all of it.
        try:
            os.killpg(worker, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    while process_alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    after_kill = library_state(library)
    assert after_kill.integrity == "ok"
    killed_at = _runs(library)[run_id]
    assert killed_at["status"] == "failed", f"a killed worker's run shows as {killed_at['status']}"
    assert killed_at["step"] < STEPS, f"the run finished before the kill ({checkpoint.name})"

    ran = run_papergym("train", "--resume", run_id, "--foreground", "--json", "--library", str(library), timeout=180, env=ONE_THREAD)
    case = judge(
        f"train killed at step {killed_at['step']} (after {checkpoint.name}), then resumed", ran, after_kill, library_state(library)
    )
    assert_sound(case)
    assert ran.returncode == 0, ran.output
    result = json.loads(ran.stdout)
    assert result["status"] == "finished" and result["step"] == STEPS, ran.output
    assert "Traceback" not in (output_dir / "train.log").read_text(errors="replace")

    finished = _runs(library)[run_id]
    assert (finished["status"], finished["step"], finished["max_steps"]) == ("finished", STEPS, STEPS)
    assert (Path(finished["adapter_path"]) / "adapter_model.safetensors").is_file()
    with sqlite3.connect(library / "library.db") as conn:
        rewards = conn.execute("SELECT step, count(*) FROM metrics WHERE run_id = ? AND name = 'reward' GROUP BY step", [run_id]).fetchall()
        late = conn.execute("SELECT count(*) FROM metrics WHERE run_id = ? AND step > ?", [run_id, STEPS]).fetchone()[0]
    # Steps logged after the checkpoint and trained again on resume replace their first values: one reward a step.
    assert rewards == [(step, 1) for step in range(1, STEPS + 1)]
    assert late == 0
