"""A person's decisions on questions: accept, reject (with a reason), or undo back to the pipeline's verdict."""

from __future__ import annotations

from datetime import UTC, datetime

from papergym.core.errors import PapergymError
from papergym.core.library import Library

DECISIONS = ("accepted", "rejected")


def decide(library: Library, question_ids: list[str], decision: str, reason: str | None = None) -> int:
    """Record a decision on the questions (full ids); returns how many changed."""
    if decision not in DECISIONS:
        raise PapergymError(f"A decision is one of {', '.join(DECISIONS)}, not {decision!r}.")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with library.write() as db:
        cursor = db.conn.executemany(
            "UPDATE questions SET status = ?, review_reason = ?, reviewed_at = ? WHERE id = ?",
            [(decision, reason if decision == "rejected" else None, now, question_id) for question_id in question_ids],
        )
    return cursor.rowcount


def undo(library: Library, question_ids: list[str]) -> int:
    """Forget the decisions: the questions go back to what the quality pipeline made of them."""
    from papergym.core.quality.pipeline import refresh_statuses

    with library.write() as db:
        cursor = db.conn.executemany(
            "UPDATE questions SET status = 'draft', review_reason = NULL, reviewed_at = NULL WHERE id = ? AND status IN ('accepted', 'rejected')",
            [(question_id,) for question_id in question_ids],
        )
    refresh_statuses(library)
    return cursor.rowcount


def resolve_question_ids(library: Library, prefixes: list[str]) -> list[str]:
    """Full question ids for ids or unique prefixes; one sentence for an unknown or ambiguous one."""
    from papergym.core.questions.store import get_question

    return [get_question(library, prefix)["id"] for prefix in prefixes]
