"""Reading questions back out of the library."""

from __future__ import annotations

import json
import re

from papergym.core.errors import PapergymError
from papergym.core.library import Library

QUESTION_COLUMNS = (
    "id, paper_id, job_id, kind, question, options, answer, aliases, unit, tolerance, rationale, "
    "source_section, status, model, prompt_version, created_at, discipline, subdomain, source, voting_type, votes, "
    "score, rank_score, review_reason, reviewed_at"
)


def _decode(row: dict) -> dict:
    row["options"] = json.loads(row["options"] or "[]")
    row["aliases"] = json.loads(row["aliases"] or "[]")
    row["votes"] = json.loads(row["votes"]) if row.get("votes") else None
    return row


SORTS = {
    "newest": "created_at DESC, id",
    "score": "score IS NULL, score DESC, id",
    "rank": "rank_score IS NULL, rank_score DESC, id",
}


def list_questions(
    library: Library,
    *,
    status: str | None = None,
    paper_id: str | None = None,
    kind: str | None = None,
    voting_type: str | None = None,
    discipline: str | None = None,
    sort: str = "newest",
    limit: int | None = None,
) -> list[dict]:
    """Questions matching the filters, newest first (or best judge score, or best ranker score)."""
    clauses, params = [], []
    filters = (("status", status), ("paper_id", paper_id), ("kind", kind), ("voting_type", voting_type), ("discipline", discipline))
    for column, value in filters:
        if value:
            values = [part.strip() for part in value.split(",")] if column in ("status", "voting_type") else [value]
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            params += values
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    tail = f" LIMIT {int(limit)}" if limit else ""
    rows = library.query(f"SELECT {QUESTION_COLUMNS} FROM questions {where} ORDER BY {SORTS[sort]}{tail}", params)
    return [_decode(row) for row in rows]


def get_question(library: Library, id_or_prefix: str) -> dict:
    """One question by id or unique prefix, with the passage it was written from."""
    prefix = id_or_prefix.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{4,32}", prefix):
        raise PapergymError(f"{id_or_prefix!r} is not a question id; `papergym questions` lists them.")
    rows = library.query(f"SELECT {QUESTION_COLUMNS} FROM questions WHERE id >= ? AND id < ? LIMIT 2", [prefix, prefix + "g"])
    if not rows:
        raise PapergymError(f"No question has the id {id_or_prefix}; `papergym questions` lists them.")
    if len(rows) > 1:
        raise PapergymError(f"The id prefix {id_or_prefix} matches several questions; type more of it.")
    row = _decode(rows[0])
    job = library.query("SELECT payload FROM jobs WHERE id = ?", [row["job_id"]])
    row["source_passage"] = json.loads(job[0]["payload"]).get("passage") if job else None
    return row
