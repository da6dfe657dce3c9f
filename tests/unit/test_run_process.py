"""`runs stop` and `train --resume` act on a run's own process only, never on one that took its pid later."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from papergym.core.errors import PapergymError
from papergym.train.run import _launch, _prepare_resume, get_run, list_runs, stop_run


def record_run(library, run_id: str) -> None:
    with library.write() as db:
        db["runs"].insert(
            {
                "id": run_id,
                "status": "starting",
                "backend": "trl",
                "base_model": "gemma3-270m",
                "dataset": "library",
                "config": '{"steps": 10}',
                "output_dir": str(library.folder / "runs" / run_id),
                "step": 3,
                "max_steps": 10,
                "started_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-01T00:00:00+00:00",
            }
        )


@pytest.fixture
def stranger():
    """An unrelated long-lived process in its own session, as after a reboot or a kill -9 of the worker."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


def dead_run_with_pid_of(library, run_id: str, stranger) -> None:
    """A run whose worker really ran and died, after which its pid went to `stranger`."""
    record_run(library, run_id)
    pid = _launch(library, run_id, [sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _exists(pid):
        time.sleep(0.05)
    with library.write() as db:
        db.execute("UPDATE runs SET status = 'running', pid = ? WHERE id = ?", [stranger.pid, run_id])


def _exists(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def test_stop_never_signals_a_process_that_took_a_dead_runs_pid(library, stranger):
    dead_run_with_pid_of(library, "run-dead", stranger)
    with pytest.raises(PapergymError, match="not running|is gone"):
        stop_run(library, "run-dead")
    time.sleep(0.3)
    assert stranger.poll() is None, "the unrelated process was killed"
    assert get_run(library, "run-dead")["status"] == "failed"


def test_resume_is_not_refused_because_another_process_has_the_pid(library, stranger):
    dead_run_with_pid_of(library, "run-dead", stranger)
    assert [run["status"] for run in list_runs(library)] == ["failed"]
    run = _prepare_resume(library, "run-dead", steps=20)
    assert run["id"] == "run-dead"
    assert stranger.poll() is None


def test_a_live_launched_worker_is_recognised_and_stopped(library):
    record_run(library, "run-live")
    pid = _launch(library, "run-live", [sys.executable, "-c", "import time; time.sleep(60)"])
    assert get_run(library, "run-live")["status"] == "starting"
    with pytest.raises(PapergymError, match="still starting"):
        _prepare_resume(library, "run-live", steps=20)
    stopped = stop_run(library, "run-live")
    assert stopped["signal"] == "SIGTERM"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _exists(pid):
        time.sleep(0.05)
    assert not _exists(pid)
