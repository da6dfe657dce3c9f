"""One GPU, several jobs: a lease that a job holds while it uses the GPU, and the queue of jobs waiting for it.

A generation, a check and a training run on one GPU at once run out of
memory, so a job that would use the GPU takes the lease first and a second job
waits its turn. The lease is an ``flock`` on a file in one folder for the
whole machine, shared by every library and every user: the kernel drops it
when the holding process exits, crashed or killed, so a dead job can never
leave the GPU locked.

The folder is ``<tmp>/papergym-gpu`` (or ``$PAPERGYM_GPU_LEASE_DIR``), made
like ``/tmp`` itself: anyone may add files, the sticky bit keeps each file its
owner's. Every process writes its own small record (the holder's, and one per
waiting job), readable by all and flocked while the process lives, so a record
whose lock is free belongs to a dead job: the owner's later jobs remove it,
other users' jobs leave it alone and skip it. The lock file is made readable
by everyone and locked through a read-only descriptor, so a file that another
user created works as well as one's own. A folder that others could tamper with
(a symbolic link, not a folder, writable by all without the sticky bit) is not
used: the lease then falls back to a per-user folder, with a warning.

Whether a job needs the lease is decided by its caller (a visible GPU that
it would use); ``PAPERGYM_GPU_LEASE=1`` forces the lease on a machine
without a GPU (tests, and trying the queue out), ``=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import stat
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
SHARED_FOLDER_NAME = "papergym-gpu"
POLL_SECONDS = 0.2
SHARED_MODE = 0o1777  # like /tmp: anyone adds files, only their owner removes them
RECORD_MODE = 0o644
LOCK_MODE = 0o666
_RECORD_BYTES = 65536
_OPEN_RECORD = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)

_log = logging.getLogger(__name__)
_warned: set[str] = set()


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
    user: str = ""  # who runs the job (the machine is shared)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def held_by(holder: QueueEntry | None) -> str:
    """The job holding the GPU as the waiting messages name it: ``train run-… (pid 4242, since 2026-…)``."""
    if holder is None:
        return "another job"
    someone_else = f"user {holder.user}, " if holder.user and holder.user != _user_name(_own_uid()) else ""
    return f"{holder.job} ({someone_else}pid {holder.pid}, since {holder.since})"


def _own_uid() -> int:
    return os.geteuid()


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def shared_folder_problem(folder: Path) -> str | None:
    """Why ``folder`` is unsafe as the machine-wide lease folder, or None when it is fine (made, mode 1777, if missing)."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(folder, SHARED_MODE)
    except FileExistsError:
        pass
    except OSError as error:
        return f"it cannot be made: {error.strerror or error}"
    else:
        os.chmod(folder, SHARED_MODE)  # mkdir's mode went through the umask
    try:
        info = os.lstat(folder)
    except OSError as error:
        return f"it cannot be read: {error.strerror or error}"
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if info.st_mode & stat.S_IWOTH and not info.st_mode & stat.S_ISVTX:
        return "anyone can write to it and it has no sticky bit, so anyone could delete the lease"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "this user cannot write to it"
    return None


def _private_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / f"papergym-gpu-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o700)
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != _own_uid():
        raise PapergymError(
            f"The GPU lease folder {folder} is not a folder of this user's; remove it, or set {LEASE_DIR_ENV} to a folder of yours."
        )
    return folder


def lease_dir() -> Path:
    """The machine-wide folder of the lease: ``$PAPERGYM_GPU_LEASE_DIR``, else ``<tmp>/papergym-gpu``.

    When that folder is unsafe to share, a per-user ``<tmp>/papergym-gpu-<uid>``
    (other users' jobs then do not see this user's), said once in a warning.
    """
    configured = os.environ.get(LEASE_DIR_ENV, "").strip()
    shared = Path(configured) if configured else Path(tempfile.gettempdir()) / SHARED_FOLDER_NAME
    problem = shared_folder_problem(shared)
    if problem is None:
        return shared
    private = _private_folder()
    if str(shared) not in _warned:
        _warned.add(str(shared))
        _log.warning("Not sharing the GPU lease folder %s (%s): using %s, which other users' jobs do not see.", shared, problem, private)
    return private


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


def _base(root: Path | None) -> Path:
    if root is None:
        return lease_dir()
    problem = shared_folder_problem(root)
    if problem is not None:
        raise PapergymError(f"The GPU lease folder {root} cannot be used: {problem}.")
    return root


def _try_lock(handle, shared: bool = False) -> bool:
    try:
        fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _open_lock(path: Path):
    """The lease's lock file, opened read-only (flock needs no more), made readable and writable by all if missing."""
    while True:
        try:
            descriptor = os.open(path, _OPEN_RECORD)
        except FileNotFoundError:
            try:
                descriptor = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), LOCK_MODE)
            except FileExistsError:
                continue  # another job made it first: open theirs
            os.fchmod(descriptor, LOCK_MODE)  # the umask took bits off the mode
        except PermissionError as error:
            raise PapergymError(f"The GPU lease file {path} cannot be read by this user; its owner can remove it.") from error
        except OSError as error:
            raise PapergymError(f"The GPU lease file {path} is not a plain file ({error.strerror}); remove it.") from error
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise PapergymError(f"The GPU lease file {path} is not a plain file; remove it.")
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")


def _publish(path: Path, record: dict):
    """Write this process's record at ``path``, readable by all, and hold its flock for as long as the record stands."""
    # Locked and written under another name first: a sweeper must never see it unlocked.
    staging_path = path.with_suffix(".partial")
    descriptor = os.open(staging_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), RECORD_MODE)
    os.fchmod(descriptor, RECORD_MODE)
    handle = os.fdopen(descriptor, "wb")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(json.dumps(record).encode("utf-8"))
        handle.flush()
        os.replace(staging_path, path)
    except BaseException:
        handle.close()
        staging_path.unlink(missing_ok=True)
        raise
    return handle


def _live_records(folder: Path, device: int, role: str) -> list[tuple[dict, Path]]:
    """The records of live jobs in ``role`` (holding or waiting) in arrival order; this user's dead jobs' records are removed."""
    records = []
    for path in sorted(folder.glob(f"gpu{device}.{role}.*.json")):
        try:
            descriptor = os.open(path, _OPEN_RECORD)
        except OSError:
            continue  # gone meanwhile, a symbolic link, or unreadable
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                continue
            if _try_lock(handle, shared=True):
                # Nobody holds it: its job died without cleaning up. Only its owner removes it.
                if info.st_uid == _own_uid():
                    with contextlib.suppress(OSError):
                        path.unlink()
                continue
            try:
                record = json.loads(handle.read(_RECORD_BYTES))
            except (OSError, ValueError):
                continue
        if isinstance(record, dict):
            record["user"] = _user_name(info.st_uid)
            records.append((record, path))
    return records


def _holder(folder: Path, device: int) -> dict | None:
    """The record of the job holding the lease, or None when the GPU is free."""
    holders = _live_records(folder, device, "holding")  # also sweeps this user's dead holders' records
    try:
        descriptor = os.open(folder / f"gpu{device}.lock", _OPEN_RECORD)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if _try_lock(handle, shared=True):
            return None  # free (a crashed holder's lock went with its process)
    return holders[-1][0] if holders else None


def queue(device: int | None = None, root: Path | None = None) -> list[QueueEntry]:
    """Who holds each GPU's lease and who waits for it, in order."""
    base = root or lease_dir()
    if not base.is_dir():
        return []
    if device is not None:
        devices = [device]
    else:
        names = (path.name[3 : -len(".lock")] for path in base.glob("gpu*.lock"))
        devices = sorted(int(name) for name in names if name.isdigit())
    entries: list[QueueEntry] = []
    for number in devices:
        holder = _holder(base, number)
        if holder is not None:
            entries.append(_entry("holding", holder, number, 0))
        for position, (record, _) in enumerate(_live_records(base, number, "waiting"), start=1):
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
        str(record.get("user", "")),
    )


def _record_name(device: int, role: str) -> str:
    return f"gpu{device}.{role}.{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(3)}.json"


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
    folder = _base(root)
    record = {"pid": os.getpid(), "job": job, "library": str(library), "since": now()}
    lock_handle = _open_lock(folder / f"gpu{device}.lock")
    waiting_path = folder / _record_name(device, "waiting")
    holder_path = folder / _record_name(device, "holding")
    waiting_handle = holder_handle = None
    try:
        if not _try_lock(lock_handle):
            waiting_handle = _publish(waiting_path, record)
            last_seen: tuple | None = None
            while True:
                if cancel is not None and cancel.is_set():
                    raise LeaseCancelled(f"{job} was cancelled while it waited for the GPU.")
                waiters = [path for _, path in _live_records(folder, device, "waiting")]
                position = waiters.index(waiting_path) + 1 if waiting_path in waiters else 1
                if position == 1 and _try_lock(lock_handle):
                    break
                if on_wait is not None:
                    holder = _holder(folder, device)
                    seen = (position, holder.get("pid") if holder else None)
                    if seen != last_seen:
                        last_seen = seen
                        on_wait(_entry("holding", holder, device, 0) if holder else None, position)
                time.sleep(POLL_SECONDS)
            record["since"] = now()
        holder_handle = _publish(holder_path, record)
        if waiting_handle is not None:
            waiting_path.unlink(missing_ok=True)
            waiting_handle.close()
            waiting_handle = None
        yield
    finally:
        if waiting_handle is not None:
            waiting_path.unlink(missing_ok=True)
            waiting_handle.close()
        if holder_handle is not None:
            holder_path.unlink(missing_ok=True)  # before the lease goes, so no one sees two holders
            holder_handle.close()
        lock_handle.close()  # releases the lease when this process held it


@contextlib.contextmanager
def maybe_gpu_lease(gpu_in_use: bool, job: str, **options) -> Iterator[bool]:
    """The lease when ``lease_needed(gpu_in_use)``, else nothing; yields whether it was taken."""
    if not lease_needed(gpu_in_use):
        yield False
        return
    with gpu_lease(job, **options):
        yield True
