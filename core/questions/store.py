"""Reading questions back out of the library: one question, a filtered list, and the filter's walk for review."""

from __future__ import annotations

import json
from dataclasses import dataclass

from papergym.core.ids import resolve_prefix
from papergym.core.library import Library

QUESTION_COLUMNS = (
    "id, paper_id, job_id, kind, question, options, answer, aliases, unit, tolerance, rationale, "
    "source_section, status, model, prompt_version, created_at, discipline, subdomain, source, voting_type, votes, "
    "score, rank_score, review_reason, reviewed_at, evidence"
)


def _decode(row: dict) -> dict:
    row["options"] = json.loads(row["options"] or "[]")
    row["aliases"] = json.loads(row["aliases"] or "[]")
    row["evidence"] = json.loads(row["evidence"] or "[]") if "evidence" in row else []
    row["votes"] = json.loads(row["votes"]) if row.get("votes") else None
    return row


SORTS = {
    "newest": "created_at DESC, id",
    "score": "score IS NULL, score DESC, id",
    "rank": "rank_score IS NULL, rank_score DESC, id",
}


TO_REVIEW = "draft,passed,flagged"
ROWID_CHUNK = 10_000


def _choices(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass(frozen=True)
class QuestionFilter:
    """Which questions a list, a review or a bulk decision covers; an empty field matches any.

    ``status`` and ``voting_type`` take comma-separated choices. The CLI's
    ``questions`` and the app's Review both filter through this, so the same
    filter picks the same questions in both.
    """

    status: str = ""
    discipline: str = ""
    voting_type: str = ""
    min_score: float | None = None
    paper_id: str = ""
    kind: str = ""

    def where(self) -> tuple[str, list]:
        """The SQL WHERE clause (or nothing) and its parameters."""
        clauses: list[str] = []
        params: list = []
        for column, values in (
            ("status", _choices(self.status)),
            ("voting_type", _choices(self.voting_type)),
            ("discipline", [self.discipline] if self.discipline else []),
            ("paper_id", [self.paper_id] if self.paper_id else []),
            ("kind", [self.kind] if self.kind else []),
        ):
            if values:
                clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                params += values
        if self.min_score is not None:
            clauses.append("score >= ?")
            params.append(self.min_score)
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params

    def describe(self) -> str:
        """The filter in words, as the review's header and its confirmations show it."""
        parts = [f"status {self.status or 'any'}"]
        if self.discipline:
            parts.append(f"discipline {self.discipline}")
        if self.voting_type:
            parts.append(f"votes {self.voting_type}")
        if self.min_score is not None:
            parts.append(f"score ≥ {self.min_score:g}")
        if self.paper_id:
            parts.append(f"paper {self.paper_id[:12]}")
        if self.kind:
            parts.append(f"kind {self.kind}")
        return ", ".join(parts)


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
    question_filter = QuestionFilter(
        status=status or "", paper_id=paper_id or "", kind=kind or "", voting_type=voting_type or "", discipline=discipline or ""
    )
    where, params = question_filter.where()
    tail = f" LIMIT {int(limit)}" if limit else ""
    rows = library.query(f"SELECT {QUESTION_COLUMNS} FROM questions {where} ORDER BY {SORTS[sort]}{tail}", params)
    return [_decode(row) for row in rows]


def matching_rowids(library: Library, question_filter: QuestionFilter) -> list[int]:
    """The rowids of the questions matching the filter, ascending (the order they were stored), in one query.

    Rowids rather than ids: they come straight from the indexes without reading
    the table, which makes the query several times faster on a large library.
    """
    where, params = question_filter.where()
    return [row[0] for row in library.conn.execute(f"SELECT rowid FROM questions {where} ORDER BY rowid", params)]


def question_ids_of(library: Library, rowids: list[int]) -> list[str]:
    """The ids of the questions with these rowids (those removed meanwhile are left out)."""
    ids: list[str] = []
    for start in range(0, len(rowids), ROWID_CHUNK):
        part = rowids[start : start + ROWID_CHUNK]
        ids += [row[0] for row in library.conn.execute(f"SELECT id FROM questions WHERE rowid IN ({','.join('?' * len(part))})", part)]
    return ids


def question_id_at(library: Library, rowid: int) -> str | None:
    """The id of the question stored at a rowid, or None when it was removed."""
    row = library.conn.execute("SELECT id FROM questions WHERE rowid = ?", [rowid]).fetchone()
    return row[0] if row else None


def rowid_of(library: Library, question_id: str) -> int | None:
    """Where a question is stored (its rowid), or None when no question has this id."""
    row = library.conn.execute("SELECT rowid FROM questions WHERE id = ?", [question_id]).fetchone()
    return row[0] if row else None


def question_counts_by_paper(library: Library) -> dict[str, int]:
    """How many questions each paper has, by paper id (papers without questions are left out)."""
    return dict(library.conn.execute("SELECT paper_id, count(*) FROM questions WHERE paper_id IS NOT NULL GROUP BY paper_id").fetchall())


def filter_choices(library: Library) -> dict[str, list[str]]:
    """The disciplines and vote types that questions in the library have, for a filter's choices."""
    return {
        column: [row[0] for row in library.conn.execute(f"SELECT DISTINCT {column} FROM questions WHERE {column} IS NOT NULL ORDER BY 1")]
        for column in ("discipline", "voting_type")
    }


def get_question(library: Library, id_or_prefix: str) -> dict:
    """One question by id or unique prefix, with the passage it was written from."""
    question_id = resolve_prefix(
        library.conn, "questions", id_or_prefix, noun="question", listed_by="`papergym questions` lists them", id_pattern=r"[0-9a-f]{4,32}"
    )
    row = _decode(library.query(f"SELECT {QUESTION_COLUMNS} FROM questions WHERE id = ?", [question_id])[0])
    job = library.query("SELECT payload FROM jobs WHERE id = ?", [row["job_id"]])
    row["source_passage"] = json.loads(job[0]["payload"]).get("passage") if job else None
    return row
