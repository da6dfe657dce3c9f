"""The GPU lease: one job at a time on a GPU, a visible queue, no lock left behind by a dead job."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from papergym.core.gpu_lease import LeaseCancelled, gpu_lease, lease_needed, queue

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from papergym.core.gpu_lease import gpu_lease
    root, job, release = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    with gpu_lease(job, root=root, library="/lib/a"):
        print("held", flush=True)
        while not release.exists():
            time.sleep(0.05)
    print("released", flush=True)
    """
)


def _start(root, job, release):
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(root), job, str(release)], stdout=subprocess.PIPE, text=True)
    return process


def _wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_second_job_waits_in_the_queue_until_the_first_is_done(tmp_path):
    first = _start(tmp_path / "lease", "generate", tmp_path / "release-first")
    second = None
    try:
        assert first.stdout.readline().strip() == "held"
        second = _start(tmp_path / "lease", "train run-1", tmp_path / "release-second")
        assert _wait_for(lambda: any(entry.role == "waiting" for entry in queue(root=tmp_path / "lease")))
        entries = queue(root=tmp_path / "lease")
        assert [(entry.role, entry.job, entry.position) for entry in entries] == [("holding", "generate", 0), ("waiting", "train run-1", 1)]
        assert entries[0].pid == first.pid and entries[1].library == "/lib/a"
        time.sleep(0.5)
        assert second.poll() is None  # still waiting, not holding: its "held" line has not come
        (tmp_path / "release-first").touch()
        assert second.stdout.readline().strip() == "held"
        assert [(entry.role, entry.job) for entry in queue(root=tmp_path / "lease")] == [("holding", "train run-1")]
    finally:
        (tmp_path / "release-first").touch()
        (tmp_path / "release-second").touch()
        for process in (first, second):
            if process is not None:
                process.wait(timeout=20)
    assert queue(root=tmp_path / "lease") == []


def test_a_killed_holder_frees_the_gpu(tmp_path):
    holder = _start(tmp_path / "lease", "check", tmp_path / "never")
    assert holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    assert queue(root=tmp_path / "lease") == []
    started = time.monotonic()
    with gpu_lease("eval", root=tmp_path / "lease"):
        assert time.monotonic() - started < 2
        assert [entry.job for entry in queue(root=tmp_path / "lease")] == ["eval"]


def test_cancelling_a_waiting_job_takes_it_out_of_the_queue(tmp_path):
    holder = _start(tmp_path / "lease", "train run-2", tmp_path / "release")
    cancel = threading.Event()
    outcome: list = []
    heard: list = []

    def wait_then_give_up():
        try:
            with gpu_lease("generate", root=tmp_path / "lease", cancel=cancel, on_wait=lambda holder, place: heard.append((holder, place))):
                outcome.append("held")
        except LeaseCancelled as error:
            outcome.append(str(error))

    try:
        assert holder.stdout.readline().strip() == "held"
        waiter = threading.Thread(target=wait_then_give_up)
        waiter.start()
        assert _wait_for(lambda: len(queue(root=tmp_path / "lease")) == 2)
        cancel.set()
        waiter.join(timeout=10)
        assert outcome == ["generate was cancelled while it waited for the GPU."]
        assert heard and heard[0][0].job == "train run-2" and heard[0][1] == 1
        assert [entry.role for entry in queue(root=tmp_path / "lease")] == ["holding"]
    finally:
        (tmp_path / "release").touch()
        holder.wait(timeout=20)


def test_the_lease_can_be_forced_without_a_gpu(monkeypatch):
    monkeypatch.delenv("PAPERGYM_GPU_LEASE", raising=False)
    assert lease_needed(False) is False and lease_needed(True) is True
    monkeypatch.setenv("PAPERGYM_GPU_LEASE", "1")
    assert lease_needed(False) is True
    monkeypatch.setenv("PAPERGYM_GPU_LEASE", "0")
    assert lease_needed(True) is False


def test_a_crashed_waiter_is_swept_from_the_queue(tmp_path):
    holder = _start(tmp_path / "lease", "train run-3", tmp_path / "release")
    try:
        assert holder.stdout.readline().strip() == "held"
        waiter = _start(tmp_path / "lease", "generate", tmp_path / "release-waiter")
        assert _wait_for(lambda: len(queue(root=tmp_path / "lease")) == 2)
        os.kill(waiter.pid, signal.SIGKILL)
        waiter.wait(timeout=10)
        assert [entry.role for entry in queue(root=tmp_path / "lease")] == ["holding"]
    finally:
        (tmp_path / "release").touch()
        holder.wait(timeout=20)


def test_generate_check_and_eval_wait_for_the_gpu_unless_told_cpu(tmp_path, monkeypatch, capsys):
    import llama_cpp
    from papergym.tui.cli.gpu_jobs import gpu_job

    monkeypatch.setenv("PAPERGYM_GPU_LEASE_DIR", str(tmp_path / "lease"))
    monkeypatch.setenv("PAPERGYM_ASSUME_GPU", "1")
    monkeypatch.delenv("PAPERGYM_GPU_LEASE", raising=False)
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: True)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    holder = _start(tmp_path / "lease", "train run-4", tmp_path / "release")
    try:
        assert holder.stdout.readline().strip() == "held"
        with gpu_job("check", tmp_path, local_model=True, use_cpu=True, quiet=False):
            assert os.environ["CUDA_VISIBLE_DEVICES"] == ""  # --cpu: the GPU is hidden, nothing waits
        threading.Timer(1.0, (tmp_path / "release").touch).start()
        started = time.monotonic()
        with gpu_job("generate", tmp_path, local_model=True, use_cpu=False, quiet=False):
            waited = time.monotonic() - started
            assert [entry.job for entry in queue()] == ["generate"]
        assert waited >= 0.8
        assert "Waiting for the GPU, held by train run-4" in capsys.readouterr().err
        with gpu_job("generate", tmp_path, local_model=False, use_cpu=False, quiet=False):  # a server: its GPU is not ours
            assert queue() == []
    finally:
        (tmp_path / "release").touch()
        holder.wait(timeout=20)
