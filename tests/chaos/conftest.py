"""The chaos suite's bookkeeping: run papergym as a user would, judge each outcome, and total them at the end.

Every case runs the real command line in its own process (so a hang is a
timeout, a crash is a signal, a traceback is text on stderr) and compares the
library before and after: ``PRAGMA integrity_check`` and the row counts of the
tables a user's work lives in.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Tables whose rows are a user's work: a command that did not mean to delete must never lose one.
KEPT_TABLES = ("papers", "sections", "questions", "checks", "models", "runs", "metrics", "evals")
CLEAR, HANDLED, TRACEBACK, CRASH, HANG, DATA_LOSS, UNCLEAR = (
    "clear error",
    "handled",
    "traceback",
    "crash",
    "hang",
    "data loss",
    "unclear error",
)
BAD = (TRACEBACK, CRASH, HANG, DATA_LOSS, UNCLEAR)
MAX_MESSAGE_CHARS = 400


@dataclass
class Ran:
    """A finished (or killed) papergym process."""

    args: list[str]
    returncode: int | None  # None: it hung and was killed
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def message(self) -> str:
        """The line that tells the user what went wrong: click's "Error: ..." line, else the last line written."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error:")]
        return errors[-1] if errors else (lines[-1] if lines else "")


@dataclass
class LibraryState:
    integrity: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Case:
    name: str
    outcome: str
    detail: str


CASES: list[Case] = []


def papergym_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "papergym", *args]


def run_papergym(
    *args: str, timeout: float = 90, env: dict | None = None, stdin: str | None = None, preexec_fn=None, cwd: str | None = None
) -> Ran:
    """One papergym command in its own process; a process that outlives ``timeout`` is killed and reported as a hang."""
    started = time.monotonic()
    command = papergym_command(*args)
    full_env = {**os.environ, "COLUMNS": "120", **(env or {})}
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            input=stdin if stdin is not None else "",
            preexec_fn=preexec_fn,
            cwd=cwd,
        )
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout.decode(errors="replace") if isinstance(expired.stdout, bytes) else expired.stdout or ""
        err = expired.stderr.decode(errors="replace") if isinstance(expired.stderr, bytes) else expired.stderr or ""
        return Ran(command, None, out, err, time.monotonic() - started)
    return Ran(command, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def library_state(folder: Path) -> LibraryState:
    """Integrity and row counts of a library, read without changing it (no WAL switch, no migration)."""
    database = folder / "library.db"
    if not database.exists():
        return LibraryState("absent")
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in KEPT_TABLES if table in tables}
    finally:
        conn.close()
    return LibraryState(integrity, counts)


def judge(
    name: str,
    ran: Ran,
    before: LibraryState | None = None,
    after: LibraryState | None = None,
    *,
    may_shrink: tuple[str, ...] = (),
) -> Case:
    """Sort one outcome into handled, clear error, or one of the bad kinds, and remember it for the summary."""
    if ran.returncode is None:
        case = Case(name, HANG, f"no answer after {ran.seconds:.0f} s")
    elif "Traceback (most recent call last)" in ran.output:
        case = Case(name, TRACEBACK, ran.output[-600:])
    elif ran.returncode < 0 or (ran.returncode >= 128 and ran.returncode != 130):
        case = Case(name, CRASH, f"exit {ran.returncode}: {ran.output[-300:]}")
    else:
        case = None
    if case is None and after is not None:
        if after.integrity not in ("ok", "absent"):
            case = Case(name, DATA_LOSS, f"integrity_check: {after.integrity}")
        elif before is not None:
            lost = {
                table: (count, after.counts.get(table, 0))
                for table, count in before.counts.items()
                if table not in may_shrink and after.counts.get(table, 0) < count
            }
            if lost:
                case = Case(name, DATA_LOSS, f"rows lost (before, after): {lost}")
    if case is None:
        if ran.returncode == 0:
            case = Case(name, HANDLED, ran.message())
        else:
            message = ran.message()
            clear = bool(message) and len(message) <= MAX_MESSAGE_CHARS
            case = Case(name, CLEAR if clear else UNCLEAR, message or "(no message)")
    CASES.append(case)
    return case


def assert_sound(case: Case) -> None:
    """Fail the test for a traceback, crash, hang, data loss or an error without a readable message."""
    assert case.outcome not in BAD, f"{case.name}: {case.outcome}: {case.detail}"


def pytest_terminal_summary(terminalreporter) -> None:
    if not CASES:
        return
    totals = Counter(case.outcome for case in CASES)
    crashes = totals[CRASH] + totals[UNCLEAR]
    line = (
        f"{len(CASES)} cases: {totals[CLEAR]} clear errors, {totals[HANDLED]} handled, {totals[TRACEBACK]} tracebacks, "
        f"{totals[HANG]} hangs, {totals[DATA_LOSS]} data loss" + (f", {crashes} crashes or unclear errors" if crashes else "")
    )
    terminalreporter.write_sep("-", "chaos")
    terminalreporter.write_line(line)
    for case in CASES:
        if case.outcome in BAD:
            terminalreporter.write_line(f"  {case.outcome}: {case.name}: {case.detail[:200]}")
