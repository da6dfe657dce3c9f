"""The GPU lease: one job at a time on a GPU, a visible queue, no lock left behind by a dead job."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
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


def test_the_lease_folder_is_one_for_the_whole_machine_shared_like_tmp(tmp_path, monkeypatch):
    import stat
    import tempfile

    from papergym.core.gpu_lease import lease_dir

    monkeypatch.delenv("PAPERGYM_GPU_LEASE_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old_umask = os.umask(0o077)  # a user's strict umask must not keep the others out
    try:
        with gpu_lease("generate", library="/lib/a"):
            folder = lease_dir()
            assert folder == tmp_path / "papergym-gpu"
            assert stat.S_IMODE(folder.stat().st_mode) == 0o1777
            assert stat.S_IMODE((folder / "gpu0.lock").stat().st_mode) == 0o666
            (record,) = folder.glob("gpu0.holding.*.json")
            assert stat.S_IMODE(record.stat().st_mode) == 0o644
            assert [(entry.job, entry.user) for entry in queue()] == [("generate", __import__("pwd").getpwuid(os.geteuid()).pw_name)]
    finally:
        os.umask(old_umask)
    assert list(folder.glob("gpu0.*.json")) == []  # its own records go with the job; the lock file stays for the next


def _unsafe_symlink(shared, elsewhere):
    elsewhere.mkdir(mode=0o777)
    os.chmod(elsewhere, 0o1777)
    shared.symlink_to(elsewhere)
    return "it is a symbolic link"


def _unsafe_file(shared, elsewhere):
    shared.write_text("not a folder")
    return "it is not a folder"


def _unsafe_no_sticky_bit(shared, elsewhere):
    shared.mkdir()
    os.chmod(shared, 0o777)
    return "anyone can write to it and it has no sticky bit"


@pytest.mark.parametrize("make_unsafe", [_unsafe_symlink, _unsafe_file, _unsafe_no_sticky_bit])
def test_a_shared_folder_others_could_tamper_with_is_not_used(tmp_path, monkeypatch, caplog, make_unsafe):
    import tempfile

    from papergym.core import gpu_lease as lease

    monkeypatch.delenv("PAPERGYM_GPU_LEASE_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(lease, "_warned", set())
    reason = make_unsafe(tmp_path / "papergym-gpu", tmp_path / "elsewhere")
    with caplog.at_level("WARNING", logger="papergym.core.gpu_lease"):
        with gpu_lease("check"):
            assert lease.lease_dir() == tmp_path / f"papergym-gpu-{os.getuid()}"
            assert [entry.job for entry in queue()] == ["check"]
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1 and reason in warnings[0] and str(tmp_path / "papergym-gpu") in warnings[0]
    if (tmp_path / "elsewhere").exists():
        assert list((tmp_path / "elsewhere").iterdir()) == []  # nothing went through the link


def test_another_users_dead_job_is_skipped_in_the_queue_and_its_files_left_alone(tmp_path, monkeypatch):
    from papergym.core import gpu_lease as lease

    holder = _start(tmp_path / "lease", "train run-5", tmp_path / "never")
    assert holder.stdout.readline().strip() == "held"
    waiter = _start(tmp_path / "lease", "generate", tmp_path / "never-either")
    assert _wait_for(lambda: len(queue(root=tmp_path / "lease")) == 2)
    for process in (waiter, holder):
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    records = sorted((tmp_path / "lease").glob("gpu0.*.json"))
    assert len(records) == 2
    monkeypatch.setattr(lease, "_own_uid", lambda: os.geteuid() + 1)  # as seen by another user
    assert queue(root=tmp_path / "lease") == []
    assert sorted((tmp_path / "lease").glob("gpu0.*.json")) == records  # not theirs to delete
    with gpu_lease("eval", root=tmp_path / "lease"):
        assert [entry.job for entry in queue(root=tmp_path / "lease")] == ["eval"]
    monkeypatch.undo()
    assert queue(root=tmp_path / "lease") == []
    assert list((tmp_path / "lease").glob("gpu0.*.json")) == []  # their owner's next look sweeps them


AS_USER = textwrap.dedent(
    """
    import os, pwd, sys, time
    from pathlib import Path
    from papergym.core.gpu_lease import gpu_lease
    uid, job, release = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    os.setgroups([]); os.setgid(uid); os.setuid(uid)
    with gpu_lease(job, library="/lib/" + str(uid)):
        print("held", flush=True)
        while not release.exists():
            time.sleep(0.05)
    print("released", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to run jobs as two other users")
def test_two_users_jobs_wait_for_each_other_in_one_queue(tmp_path, monkeypatch):
    import shutil
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="papergym-two-users-", dir="/tmp"))  # pytest's own tmp is closed to other users
    os.chmod(top, 0o1777)  # like /tmp
    (top / "signals").mkdir(mode=0o777)
    os.chmod(top / "signals", 0o777)
    shared = top / "papergym-gpu"
    monkeypatch.setenv("PAPERGYM_GPU_LEASE_DIR", str(shared))
    alice, bob = 65534, 65533

    def start(uid, job, release):
        return subprocess.Popen([sys.executable, "-c", AS_USER, str(uid), job, str(release)], stdout=subprocess.PIPE, text=True)

    first = start(alice, "train run-6", top / "signals" / "release-alice")
    second = None
    try:
        assert first.stdout.readline().strip() == "held"
        os.chmod(shared / "gpu0.lock", 0o644)  # another user's lock file that only its owner may write
        second = start(bob, "generate", top / "signals" / "release-bob")
        assert _wait_for(lambda: len(queue()) == 2)
        entries = queue()
        assert [(entry.role, entry.job, entry.pid) for entry in entries] == [
            ("holding", "train run-6", first.pid),
            ("waiting", "generate", second.pid),
        ]
        assert entries[1].library == f"/lib/{bob}" and entries[0].user != entries[1].user
        (top / "signals" / "release-alice").touch()
        assert second.stdout.readline().strip() == "held"
        os.kill(second.pid, signal.SIGKILL)  # bob's job dies holding the GPU: its record stays, the lease goes
        second.wait(timeout=10)
        assert queue() == []
        assert len(list(shared.glob("gpu0.holding.*.json"))) == 1
        third = start(alice, "eval", top / "signals" / "release-alice")
        assert third.stdout.readline().strip() == "held"
        assert third.stdout.readline().strip() == "released"
        assert third.wait(timeout=20) == 0
    finally:
        (top / "signals" / "release-alice").touch()
        (top / "signals" / "release-bob").touch()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.wait(timeout=20)
        shutil.rmtree(top)
