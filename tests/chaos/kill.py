"""Start a papergym command, kill -9 it at a chosen point of its work, and clean up whatever it had started."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.chaos.conftest import papergym_command


def rows_at_least(library: Path, sql: str, wanted: int) -> Callable[[], bool]:
    """A kill point: the query's count has reached ``wanted`` (read without taking a write lock)."""

    def reached() -> bool:
        database = library / "library.db"
        if not database.exists():
            return False
        try:
            conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
            try:
                return conn.execute(sql).fetchone()[0] >= wanted
            finally:
                conn.close()
        except sqlite3.Error:
            return False

    return reached


def kill_nine_when(*args: str, reached: Callable[[], bool], timeout: float = 60, env: dict | None = None) -> int | None:
    """Run the command and SIGKILL its main process once ``reached()`` is true; returns its exit code if it finished first."""
    process = subprocess.Popen(
        papergym_command(*args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return process.returncode
            if reached():
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None
    finally:
        # Helpers it spawned (PDF readers) are orphaned by the kill, as they would be for a user; reap them here.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
