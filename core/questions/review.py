"""A person's decisions on questions: accept, reject (with a reason), undo exactly, or hand back to the pipeline's verdict.

Several people and processes decide at once (the app, the CLI, a script), so a
decision over a filter is re-read in the same transaction that writes it, and
leaves alone what someone decided after the deciding person read their list.
Every decision keeps each question's state from before, so undo puts back
exactly that, and only where nobody changed the question since.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from papergym.core.errors import PapergymError
from papergym.core.ids import now
from papergym.core.library import Library
from papergym.core.questions.store import QuestionFilter

DECISIONS = ("accepted", "rejected")


def decision_time() -> str:
    """The time stamp a decision is stored with (and the one to note when a list of questions is read)."""
    return now()


@dataclass(frozen=True)
class ReviewState:
    """What review left on a question: its status, the rejection reason and when it was decided."""

    status: str
    review_reason: str | None
    reviewed_at: str | None


@dataclass
class DecisionRecord:
    """What one decision changed, enough to undo it exactly: the question ids, grouped by the state each had before."""

    decision: str
    reason: str | None
    decided_at: str
    previous: dict[ReviewState, list[str]] = field(default_factory=dict)
    skipped: int = 0  # decided by someone after the list was read, so left as they were

    @property
    def changed(self) -> int:
        return sum(len(ids) for ids in self.previous.values())

    @property
    def question_ids(self) -> list[str]:
        return [question_id for ids in self.previous.values() for question_id in ids]


@dataclass(frozen=True)
class BulkPreview:
    """What a decision over a filter would do now: how many questions match, and which of them were decided since the list was read.

    ``decided_since_rows`` holds each such question as the preview saw it, so
    that a user who agrees to include them includes exactly those, never one
    decided again while the confirmation was on screen.
    """

    matching: int
    decided_since_rows: frozenset[tuple] = frozenset()

    @property
    def decided_since(self) -> int:
        return len(self.decided_since_rows)

    @property
    def to_change(self) -> int:
        return self.matching - self.decided_since


@dataclass(frozen=True)
class UndoReport:
    """How many questions an undo put back, and how many it left because someone changed them after the decision."""

    restored: int
    changed_since: int


def _check_decision(decision: str) -> None:
    if decision not in DECISIONS:
        raise PapergymError(f"A decision is one of {', '.join(DECISIONS)}, not {decision!r}.")


# A question's row as decisions read it: (rowid, id, status, review_reason, reviewed_at). Tuples, not dicts:
# a bulk decision reads every question of a filter, hundreds of thousands in a large library.
STATE_COLUMNS = "rowid, id, status, review_reason, reviewed_at"


def _decided_since(row: tuple, listed_at: str) -> bool:
    """Whether a person decided this question at or after the moment the list was read (same-second counts, to be safe)."""
    _, _, status, _, reviewed_at = row
    return status in DECISIONS and reviewed_at is not None and reviewed_at >= listed_at


def _write(library: Library, rows: list[tuple], decision: str, reason: str | None) -> DecisionRecord:
    """Set the decision on the rows' questions and return the record of what each was before (inside the caller's transaction)."""
    stored_reason = reason if decision == "rejected" else None
    record = DecisionRecord(decision, stored_reason, decision_time())
    ids_by_state: dict[tuple, list[str]] = {}
    for _, question_id, *state in rows:
        ids_by_state.setdefault(tuple(state), []).append(question_id)
    record.previous = {ReviewState(*state): ids for state, ids in ids_by_state.items()}
    library.conn.executemany(
        "UPDATE questions SET status = ?, review_reason = ?, reviewed_at = ? WHERE rowid = ?",
        [(decision, stored_reason, record.decided_at, row[0]) for row in rows],
    )
    return record


def decide_recorded(library: Library, question_ids: list[str], decision: str, reason: str | None = None) -> DecisionRecord:
    """Record a decision on the questions (full ids) and return what they were before, for an exact undo."""
    _check_decision(decision)
    with library.write():
        rows = []
        for question_id in dict.fromkeys(question_ids):  # an id given twice is decided (and undone) once
            rows += library.conn.execute(f"SELECT {STATE_COLUMNS} FROM questions WHERE id = ?", [question_id]).fetchall()
        return _write(library, rows, decision, reason)


def decide(library: Library, question_ids: list[str], decision: str, reason: str | None = None) -> int:
    """Record a decision on the questions (full ids); returns how many changed."""
    return decide_recorded(library, question_ids, decision, reason).changed


def _matching_rows(library: Library, question_filter: QuestionFilter) -> list[tuple]:
    where, params = question_filter.where()
    return library.conn.execute(f"SELECT {STATE_COLUMNS} FROM questions {where} ORDER BY rowid", params).fetchall()


def preview_bulk(library: Library, question_filter: QuestionFilter, listed_at: str) -> BulkPreview:
    """How many questions the filter holds now, and which of them a person decided at or after ``listed_at``."""
    where, params = question_filter.where()
    (matching,) = library.conn.execute(f"SELECT count(*) FROM questions {where}", params).fetchone()
    since = f"status IN ({','.join('?' * len(DECISIONS))}) AND reviewed_at >= ?"
    decided_since_rows = library.conn.execute(
        f"SELECT {STATE_COLUMNS} FROM questions {where} {'AND' if where else 'WHERE'} {since}", [*params, *DECISIONS, listed_at]
    ).fetchall()
    return BulkPreview(matching, frozenset(decided_since_rows))


def bulk_decide(
    library: Library,
    question_filter: QuestionFilter,
    decision: str,
    reason: str | None = None,
    *,
    listed_at: str,
    include: BulkPreview | None = None,
) -> DecisionRecord:
    """Decide every question the filter holds now, read in the writing transaction.

    Questions a person decided at or after ``listed_at`` (when the deciding
    person read their list) are left as they are, unless ``include`` is the
    preview the user agreed to include them from: then those still exactly as
    it showed them are decided too.
    """
    _check_decision(decision)
    agreed = include.decided_since_rows if include is not None else frozenset()
    with library.write():
        rows = _matching_rows(library, question_filter)
        chosen = [row for row in rows if not _decided_since(row, listed_at) or row in agreed]
        record = _write(library, chosen, decision, reason)
    record.skipped = len(rows) - len(chosen)
    return record


def undo_decision(library: Library, record: DecisionRecord) -> UndoReport:
    """Put every question of a decision back to the state it had before, unless someone changed it after that decision."""
    restores = [
        (state.status, state.review_reason, state.reviewed_at, question_id, record.decision, record.decided_at, record.reason)
        for state, ids in record.previous.items()
        for question_id in ids
    ]
    with library.write() as db:
        cursor = db.conn.executemany(
            "UPDATE questions SET status = ?, review_reason = ?, reviewed_at = ? "
            "WHERE id = ? AND status = ? AND reviewed_at = ? AND review_reason IS ?",
            restores,
        )
    restored = max(cursor.rowcount, 0) if restores else 0
    return UndoReport(restored, len(restores) - restored)


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
