"""Which process a run's recorded pid names: the run's own worker, or a stranger that got the number later.

A pid is reused after its process ends (a reboot, an OOM kill, kill -9, a library moved to another
machine), so `runs stop` must never signal a pid on its own. A process is known by its start time
(with the boot it belongs to), recorded when the worker starts, and by the run id that a launched
worker carries in its environment.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

TOKEN_ENV = "PAPERGYM_LAUNCHED_RUN"  # the run id a launched worker holds in its environment
RECORD_NAME = "process.json"  # in the run's folder: which process trains it, and when that process started
_PROC = Path("/proc")


def process_alive(pid: int | None) -> bool:
    """Whether a process with this id runs (a zombie, ended but not yet reaped, does not count)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    try:
        state = (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def process_start(pid: int | None) -> str | None:
    """A text that names one process for all time on this machine: the boot and the clock tick it started at.

    None when the process is gone or the system cannot say.
    """
    if not pid:
        return None
    if (_PROC / "self" / "stat").is_file():
        try:
            after_name = (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            boot = (_PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
        except (OSError, IndexError):
            return None
        # Field 22 of /proc/PID/stat, counted from the state (field 3) after the command name.
        return f"{boot}:{after_name[19]}" if len(after_name) > 19 else None
    try:  # no /proc (macOS, BSD): ps gives the start time to the second
        reply = subprocess.run(["ps", "-o", "lstart=", "-p", str(pid)], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return reply.stdout.strip() or None


def record_process(run_folder: Path | str, pid: int) -> None:
    """Remember in the run's folder which process trains it and when that process started."""
    folder = Path(run_folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{RECORD_NAME}.tmp"
    staged.write_text(json.dumps({"pid": pid, "start": process_start(pid)}))
    staged.replace(folder / RECORD_NAME)


def recorded_start(run_folder: Path | str | None, pid: int | None) -> str | None:
    """The start time recorded for ``pid`` in the run's folder, or None when none was recorded for that pid."""
    if not run_folder or not pid:
        return None
    try:
        record = json.loads((Path(run_folder) / RECORD_NAME).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("pid") != pid or not isinstance(record.get("start"), str):
        return None
    return record["start"]


def _launched_for(pid: int) -> str | None:
    """The run id in a process's environment, "" when it has none, None when it cannot be read."""
    try:
        entries = (_PROC / str(pid) / "environ").read_bytes().split(b"\0")
    except OSError:
        return None
    prefix = TOKEN_ENV.encode() + b"="
    for entry in entries:
        if entry.startswith(prefix):
            return entry[len(prefix) :].decode(errors="replace")
    return ""


def _command_line(pid: int) -> str | None:
    try:
        return (_PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None


def is_run_process(pid: int | None, recorded_start: str | None, run_id: str) -> bool:
    """Whether ``pid`` is still the process that trains ``run_id``: alive, started when recorded, and not another run's worker."""
    if not process_alive(pid):
        return False
    assert pid is not None
    launched_for = _launched_for(pid)
    if launched_for and launched_for != run_id:
        return False  # a worker launched for some other run
    if recorded_start:
        return process_start(pid) == recorded_start
    # A row from before start times were recorded: only a process that names the run is taken for its worker.
    command_line = _command_line(pid)
    if command_line is None and launched_for is None:
        return True  # nothing to tell by on this system: the old rule
    return launched_for == run_id or run_id in (command_line or "")
