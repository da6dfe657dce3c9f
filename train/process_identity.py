"""Which process a run's recorded pid names: the run's own worker, or a stranger that got the number later.

A pid is reused after its process ends (a reboot, an OOM kill, kill -9, a library moved to another
machine), so `runs stop` must never signal a pid on its own. A process is known by its start time
(with the boot it belongs to), recorded when the worker starts, and by the run id that a launched
worker carries in its environment.
"""

from __future__ import annotations

import json
from pathlib import Path

from papergym.core.processes import process_alive, process_start

TOKEN_ENV = "PAPERGYM_LAUNCHED_RUN"  # the run id a launched worker holds in its environment
RECORD_NAME = "process.json"  # in the run's folder: which process trains it, and when that process started
_PROC = Path("/proc")
__all__ = ["TOKEN_ENV", "is_run_process", "process_alive", "process_start", "record_process", "recorded_start"]


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
