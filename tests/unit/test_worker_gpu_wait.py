"""A training run queued behind another job's GPU lease says so in its row, names the holder, and runs once it has the GPU."""

from __future__ import annotations

import contextlib
import os
import threading
import time

import pytest
from click.testing import CliRunner
from papergym.core.gpu_lease import LeaseCancelled, gpu_lease, queue
from papergym.core.library import Library
from papergym.train.run import get_run, list_runs, status_words
from papergym.train.worker import take_gpu
from papergym.tui.cli.main import cli


@pytest.fixture(autouse=True)
def _own_gpu_queue(tmp_path, monkeypatch):
    """A queue of this test's own, with the lease forced as on a GPU machine (there is none here)."""
    monkeypatch.setenv("PAPERGYM_GPU_LEASE_DIR", str(tmp_path / "lease"))
    monkeypatch.setenv("PAPERGYM_GPU_LEASE", "1")


def record_run(library: Library, run_id: str, status: str = "running") -> None:
    with library.write() as db:
        db["runs"].insert(
            {
                "id": run_id,
                "status": status,
                "backend": "trl",
                "base_model": "gemma3-270m",
                "dataset": "library",
                "config": '{"steps": 10}',
                "output_dir": str(library.folder / "runs" / run_id),
                "pid": None,
                "step": 0,
                "max_steps": 10,
                "started_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-01T00:00:00+00:00",
            }
        )


def wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the run never got there"
        time.sleep(0.05)


def run_in_thread(folder, run_id: str, cancel: threading.Event, seen: dict) -> threading.Thread:
    """The worker's wait for the GPU, on its own connection as in the worker process."""

    def wait_and_train() -> None:
        try:
            with Library(folder) as own, take_gpu(own, run_id, False, cancel) as taken:
                seen["taken"] = taken
                seen["row with the gpu"] = own.query("SELECT status, waiting_for FROM runs WHERE id = ?", [run_id])[0]
        except LeaseCancelled as error:
            seen["cancelled"] = str(error)

    thread = threading.Thread(target=wait_and_train, daemon=True)
    thread.start()
    return thread


def test_a_queued_run_says_it_waits_for_the_gpu_and_who_holds_it_then_runs(library):
    record_run(library, "run-2")
    seen: dict = {}
    with contextlib.ExitStack() as other_job:
        other_job.enter_context(gpu_lease("train run-7", library="/elsewhere/lib"))
        thread = run_in_thread(library.folder, "run-2", threading.Event(), seen)
        wait_for(lambda: list_runs(library)[0]["status"] == "waiting")

        run = get_run(library, "run-2")
        assert run["waiting_for"].startswith(f"train run-7 (pid {os.getpid()}, since ")
        assert status_words(run).startswith(f"waiting for the GPU, held by train run-7 (pid {os.getpid()}, since ")
        assert [(entry.role, entry.job) for entry in queue()] == [("holding", "train run-7"), ("waiting", "train run-2")]

        listing = CliRunner().invoke(cli, ["--library", str(library.folder), "runs"])
        assert listing.exit_code == 0, listing.output
        assert f"run-2: waiting for the GPU, held by train run-7 (pid {os.getpid()}" in listing.output
        shown = CliRunner().invoke(cli, ["--library", str(library.folder), "runs", "show", "run-2"])
        assert f"run-2  waiting for the GPU, held by train run-7 (pid {os.getpid()}" in shown.output
        assert "taken" not in seen  # still queued

    thread.join(timeout=20)
    assert seen["taken"] is True
    assert seen["row with the gpu"] == {"status": "running", "waiting_for": None}
    assert status_words(get_run(library, "run-2")) == "running"


def test_a_run_stopped_while_queued_leaves_the_queue(library):
    record_run(library, "run-3")
    cancel = threading.Event()
    seen: dict = {}
    with gpu_lease("generate", library="/elsewhere/lib"):
        thread = run_in_thread(library.folder, "run-3", cancel, seen)
        wait_for(lambda: get_run(library, "run-3")["status"] == "waiting")
        cancel.set()
        thread.join(timeout=20)
        assert "cancelled" in seen and "taken" not in seen
        assert [entry.job for entry in queue()] == ["generate"]


def test_a_free_gpu_is_taken_without_a_word_in_the_row(library):
    record_run(library, "run-4")
    seen: dict = {}
    run_in_thread(library.folder, "run-4", threading.Event(), seen).join(timeout=20)
    assert seen["row with the gpu"] == {"status": "running", "waiting_for": None}


def test_runs_written_before_the_gpu_queue_was_recorded_still_list_and_show(library):
    record_run(library, "run-old", status="finished")
    assert get_run(library, "run-old")["waiting_for"] is None
    assert status_words({"status": "stopped"}) == "stopped"  # a row read without the column
    listing = CliRunner().invoke(cli, ["--library", str(library.folder), "runs"])
    assert listing.exit_code == 0 and "run-old  finished" in listing.output and "waiting" not in listing.output
