"""Ids and time stamps: a file's content hash, the lookup of a row by a unique id prefix, and the clock.

A paper's id is its file's SHA-256. Papers, questions, runs and evals are all
named by long ids that people type a few characters of; one lookup keeps the
rules and the wording the same for each, and one clock keeps every stored time
in the same UTC, second-resolution ISO form, so stored times sort as text.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from papergym.core.errors import PapergymError


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks: a paper's id, and how an export knows its own files."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now() -> str:
    """The current UTC time as stored in the library, like ``2026-12-01T18:12:02+00:00``."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def resolve_prefix(
    conn: sqlite3.Connection,
    table: str,
    id_or_prefix: str,
    *,
    noun: str,
    listed_by: str,
    error: type[PapergymError] = PapergymError,
    id_pattern: str | None = None,
) -> str:
    """The full id in ``table`` for a full id or a unique prefix; one sentence naming ``noun`` when there is none or several.

    ``listed_by`` says where the ids are shown (``"`papergym papers` lists them"``);
    ``id_pattern``, when given, is what a typed id must look like before it is looked up.
    A full id wins over longer ids it is a prefix of. Ids are stored in lower case,
    so a typed id is read in lower case too.
    """
    prefix = id_or_prefix.strip().lower()
    if id_pattern is not None and not re.fullmatch(id_pattern, prefix):
        raise error(f"{id_or_prefix!r} is not a {noun} id; {listed_by}.")
    if not prefix:
        raise error(f"No {noun} has the id {id_or_prefix}; {listed_by}.")
    # A range on the primary key, not LIKE: it uses the index and treats % and _ as the characters they are.
    past_prefix = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    rows = conn.execute(f"SELECT id FROM {table} WHERE id >= ? AND id < ? ORDER BY id LIMIT 2", [prefix, past_prefix]).fetchall()
    if not rows:
        raise error(f"No {noun} has the id {id_or_prefix}; {listed_by}.")
    if len(rows) > 1 and rows[0][0] != prefix:
        raise error(f"The id prefix {id_or_prefix} matches several {noun}s; type more of it.")
    return rows[0][0]
