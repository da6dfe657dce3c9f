"""The ``checks`` table: one row per question and step, with a status, reasons, numbers and the settings' hash.

Every quality step writes its verdicts through these helpers, so a row reads
the same whichever step wrote it and a step can tell which questions it has
already judged with the same settings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from papergym.core.ids import now
from papergym.core.library import Library
from papergym.core.questions.statuses import OPEN_STATUSES

UPSERT = (
    "INSERT OR REPLACE INTO checks (question_id, step, status, reasons, scores, detail, config, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_QUESTION_COLUMNS = "id, paper_id, kind, question, options, answer, aliases, unit, tolerance, rationale, status, created_at"


@dataclass
class StepSummary:
    step: str
    ran: int = 0  # questions this step judged in this run
    skipped: str | None = None  # why the step did not run
    failed: int = 0  # questions the model could not answer this run (left for the next run)
    passed: int = 0  # library-wide, after this run
    flagged: int = 0
    dropped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


def settings_hash(**settings) -> str:
    """A short hash of the settings a step judged with; a row with another hash is judged again."""
    return hashlib.sha1(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:12]


def check_row(
    question_id: str, step: str, status: str, reasons: list[str], config: str, scores: dict | None = None, detail: dict | None = None
) -> tuple:
    """The values of one ``checks`` row, in ``UPSERT``'s order."""
    return (
        question_id,
        step,
        status,
        json.dumps(reasons, ensure_ascii=False),
        json.dumps(scores or {}),
        json.dumps(detail or {}, ensure_ascii=False),
        config,
        now(),
    )


def _decode(row: dict) -> dict:
    row["options"] = json.loads(row["options"] or "[]")
    row["aliases"] = json.loads(row["aliases"] or "[]")
    return row


def pending_questions(
    library: Library, step: str, config: str, *, recheck: bool, skip_dropped: bool, statuses: tuple[str, ...] = OPEN_STATUSES
) -> list[dict]:
    """Questions with one of ``statuses`` (the open ones by default) this step has not judged with these settings, oldest first."""
    placeholders = ",".join("?" * len(statuses))
    clauses = [f"q.status IN ({placeholders})"]
    params: list = list(statuses)
    if not recheck:
        clauses.append("NOT EXISTS (SELECT 1 FROM checks c WHERE c.question_id = q.id AND c.step = ? AND c.config = ?)")
        params += [step, config]
    if skip_dropped:
        # A question another step dropped is not worth a model's time.
        clauses.append("NOT EXISTS (SELECT 1 FROM checks c WHERE c.question_id = q.id AND c.step != ? AND c.status = 'drop')")
        params.append(step)
    rows = library.query(
        f"SELECT {', '.join('q.' + c for c in _QUESTION_COLUMNS.split(', '))} FROM questions q "
        f"WHERE {' AND '.join(clauses)} ORDER BY q.created_at, q.id",
        params,
    )
    return [_decode(row) for row in rows]
