"""Whether a process id still names the process it named before: alive, and started at the same moment.

A pid is reused once its process ends (a reboot, an OOM kill, kill -9), so a recorded pid alone never
proves that the process a run or a generation recorded is still there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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
