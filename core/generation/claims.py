"""Which generate run owns a queued window: claimed atomically, so two runs at once never do the same window.

A run claims a pending job right before it asks the model, in one ``BEGIN IMMEDIATE`` transaction, and
stores the window's questions only while it still holds the claim. A claim names the process that holds
it (host, pid and start time), so a run killed with kill -9 frees its windows for the next run at once;
a claim from another machine sharing the folder frees up after ``CLAIM_EXPIRY_SECONDS``.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import UTC, datetime, timedelta

from papergym.core.ids import now
from papergym.core.library import Library
from papergym.core.processes import process_alive, process_start

CLAIM_EXPIRY_SECONDS = 3600  # longer than any one window takes, even refined on a slow CPU


def new_claim_token() -> str:
    """A name for this run that also says which process holds it: host, pid, start time and a random part."""
    pid = os.getpid()
    return f"{socket.gethostname()}|{pid}|{process_start(pid) or '?'}|{secrets.token_hex(4)}"


def claim_is_stale(claimed_by: str | None, claimed_at: str | None, at: datetime | None = None) -> bool:
    """Whether a claim no longer holds: nobody's, its process on this host is gone, or it is older than the expiry."""
    if not claimed_by:
        return True
    host, _, rest = claimed_by.partition("|")
    pid_text, _, rest = rest.partition("|")
    start = rest.partition("|")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if not process_alive(pid) or (start != "?" and process_start(pid) != start):
            return True
    try:
        claimed = datetime.fromisoformat(claimed_at or "")
    except ValueError:
        return True
    if claimed.tzinfo is None:
        claimed = claimed.replace(tzinfo=UTC)
    return (at or datetime.now(UTC)) - claimed > timedelta(seconds=CLAIM_EXPIRY_SECONDS)


def claim_job(library: Library, job_id: str, token: str) -> bool:
    """Take a pending job for this run; False when it is done, gone, or another live run holds it."""
    with library.write() as db:
        row = db.execute("SELECT status, claimed_by, claimed_at FROM jobs WHERE id = ?", [job_id]).fetchone()
        if row is None or row[0] != "pending":
            return False
        if row[1] not in (None, token) and not claim_is_stale(row[1], row[2]):
            return False
        db.execute("UPDATE jobs SET claimed_by = ?, claimed_at = ? WHERE id = ?", [token, now(), job_id])
    return True


def holds_claim(library: Library, job_id: str, token: str) -> bool:
    """Whether this run still holds the job (call inside the write that stores its questions)."""
    row = library.conn.execute("SELECT claimed_by FROM jobs WHERE id = ?", [job_id]).fetchone()
    return row is not None and row[0] == token


def release_claims(library: Library, token: str) -> None:
    """Give back the jobs this run claimed but did not finish (a cancel, Ctrl-C, an error)."""
    with library.write() as db:
        db.execute("UPDATE jobs SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = ?", [token])
