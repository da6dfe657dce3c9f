"""One GPU, several jobs: a lease that a job holds while it uses the GPU, and the queue of jobs waiting for it.

A generation, a check and a training run on one GPU at once run out of
memory, so a job that would use the GPU takes the lease first and a second job
waits its turn. The lease is an ``flock`` on a file in one folder for the
whole machine (not per library): the kernel drops it when the holding process
exits, crashed or killed, so a dead job can never leave the GPU locked.
Each waiting job keeps a small file under ``waiting/`` (also flocked, so a
waiter that died is recognised and swept), which is what ``papergym queue``
lists; waiters go in the order they arrived.

Whether a job needs the lease is decided by its caller (a visible GPU that
it would use); ``PAPERGYM_GPU_LEASE=1`` forces the lease on a machine
without a GPU (tests, and trying the queue out), ``=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from papergym.core.errors import PapergymError
from papergym.core.ids import now

LEASE_DIR_ENV = "PAPERGYM_GPU_LEASE_DIR"
FORCE_ENV = "PAPERGYM_GPU_LEASE"
POLL_SECONDS = 0.2


class LeaseCancelled(PapergymError):
    """A job was cancelled while it waited for the GPU; it has left the queue."""


@dataclass
class QueueEntry:
    """A job that holds the GPU or waits for it."""

    role: str  # holding | waiting
    pid: int
    job: str  # what the job is: "generate", "train run-…"
    library: str
    since: str  # ISO time it took the lease or started waiting
    device: int
    position: int  # 0 for the holder, 1.. for the waiters in order

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def held_by(holder: QueueEntry | None) -> str:
    """The job holding the GPU as the waiting messages name it: ``train run-… (pid 4242, since 2026-…)``."""
    return f"{holder.job} (pid {holder.pid}, since {holder.since})" if holder else "another job"


def lease_dir() -> Path:
    """The machine-wide folder of the lease: ``$PAPERGYM_GPU_LEASE_DIR``, else ``<tmp>/papergym-gpu-<uid>``."""
    configured = os.environ.get(LEASE_DIR_ENV, "").strip()
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"papergym-gpu-{os.getuid()}"


def lease_forced() -> bool | None:
    """True or False when ``PAPERGYM_GPU_LEASE`` says so, else None (the caller decides from the hardware)."""
    value = os.environ.get(FORCE_ENV, "").strip().lower()
    if not value:
        return None
    return value not in ("0", "no", "off", "false")


def lease_needed(gpu_in_use: bool) -> bool:
    """Whether a job takes the lease: when it would use a GPU, unless PAPERGYM_GPU_LEASE says otherwise."""
    forced = lease_forced()
    return gpu_in_use if forced is None else forced


def _folder(device: int, root: Path | None) -> Path:
    folder = (root or lease_dir()) / f"gpu{device}"
    (folder / "waiting").mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _try_lock(handle, shared: bool = False) -> bool:
    try:
        fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _alive_waiters(folder: Path) -> list[tuple[dict, Path]]:
    """The live waiters' records in arrival order; files of waiters that died are removed."""
    waiters = []
    for path in sorted((folder / "waiting").glob("*.json")):
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            continue
        with handle:
            if _try_lock(handle, shared=True):
                path.unlink(missing_ok=True)  # nobody holds it: its waiter died without cleaning up
                continue
        record = _read_json(path)
        if record is not None:
            waiters.append((record, path))
    return waiters


def _holder(folder: Path) -> dict | None:
    """The record of the job holding the lease, or None when the GPU is free."""
    lock_path = folder / "lease.lock"
    if not lock_path.exists():
        return None
    with lock_path.open("rb") as handle:
        if _try_lock(handle, shared=True):
            return None  # free (a crashed holder's lock went with its process)
    return _read_json(folder / "holder.json")


def queue(device: int | None = None, root: Path | None = None) -> list[QueueEntry]:
    """Who holds each GPU's lease and who waits for it, in order."""
    base = root or lease_dir()
    if not base.is_dir():
        return []
    devices = [device] if device is not None else sorted(int(path.name[3:]) for path in base.glob("gpu*") if path.name[3:].isdigit())
    entries: list[QueueEntry] = []
    for number in devices:
        folder = _folder(number, base)
        holder = _holder(folder)
        if holder is not None:
            entries.append(_entry("holding", holder, number, 0))
        for position, (record, _) in enumerate(_alive_waiters(folder), start=1):
            entries.append(_entry("waiting", record, number, position))
    return entries


def _entry(role: str, record: dict, device: int, position: int) -> QueueEntry:
    return QueueEntry(
        role,
        int(record.get("pid", 0)),
        str(record.get("job", "")),
        str(record.get("library", "")),
        str(record.get("since", "")),
        device,
        position,
    )


@contextlib.contextmanager
def gpu_lease(
    job: str,
    *,
    library: str | Path = "",
    device: int = 0,
    cancel: threading.Event | None = None,
    on_wait: Callable[[QueueEntry | None, int], None] | None = None,
    root: Path | None = None,
) -> Iterator[None]:
    """Hold GPU ``device`` for the block, waiting in the queue while another job holds it.

    ``on_wait(holder, position)`` is called when the job starts waiting and
    whenever its place changes; setting ``cancel`` while it waits removes it
    from the queue and raises LeaseCancelled.
    """
    folder = _folder(device, root)
    record = {"pid": os.getpid(), "job": job, "library": str(library), "since": now()}
    waiting_path = folder / "waiting" / f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(2)}.json"
    lock_handle = (folder / "lease.lock").open("a+b")
    waiting_handle = None
    try:
        if not _try_lock(lock_handle):
            # Locked and written under another name first: a sweeper must never see it unlocked.
            staging_path = waiting_path.with_suffix(".partial")
            waiting_handle = staging_path.open("w+b")
            fcntl.flock(waiting_handle, fcntl.LOCK_EX)
            waiting_handle.write(json.dumps(record).encode("utf-8"))
            waiting_handle.flush()
            os.replace(staging_path, waiting_path)
            last_seen: tuple | None = None
            while True:
                if cancel is not None and cancel.is_set():
                    raise LeaseCancelled(f"{job} was cancelled while it waited for the GPU.")
                waiters = [path for _, path in _alive_waiters(folder)]
                position = waiters.index(waiting_path) + 1 if waiting_path in waiters else 1
                if position == 1 and _try_lock(lock_handle):
                    break
                if on_wait is not None:
                    holder = _holder(folder)
                    seen = (position, holder.get("pid") if holder else None)
                    if seen != last_seen:
                        last_seen = seen
                        on_wait(_entry("holding", holder, device, 0) if holder else None, position)
                time.sleep(POLL_SECONDS)
            record["since"] = now()
        holder_path = folder / "holder.json"
        staging = folder / f".holder.{os.getpid()}.json"
        staging.write_text(json.dumps(record), encoding="utf-8")
        os.replace(staging, holder_path)
        if waiting_handle is not None:
            waiting_path.unlink(missing_ok=True)
            waiting_handle.close()
            waiting_handle = None
        yield
    finally:
        if waiting_handle is not None:
            waiting_path.unlink(missing_ok=True)
            waiting_handle.close()
        lock_handle.close()  # releases the lease when this process held it


@contextlib.contextmanager
def maybe_gpu_lease(gpu_in_use: bool, job: str, **options) -> Iterator[bool]:
    """The lease when ``lease_needed(gpu_in_use)``, else nothing; yields whether it was taken."""
    if not lease_needed(gpu_in_use):
        yield False
        return
    with gpu_lease(job, **options):
        yield True
