"""A person's edits to a stored question, held to the same rules as a model's reply."""

from __future__ import annotations

import json

from papergym.core.errors import PapergymError
from papergym.core.library import Library
from papergym.core.questions.kinds import InvalidReply, parse_reply


def update_question(
    library: Library,
    question_id: str,
    *,
    question: str | None = None,
    options: list[str] | None = None,
    answer: str | None = None,
    rationale: str | None = None,
) -> dict:
    """Change a question's text, options, key or rationale; returns the stored row.

    The id stays the same so the question keeps its checks, votes and review
    history; the edit is validated as if a model had written it, and the
    full-text index follows.
    """
    rows = library.query("SELECT id, kind, question, options, answer, aliases, unit, rationale FROM questions WHERE id = ?", [question_id])
    if not rows:
        raise PapergymError(f"No question has the id {question_id}; it may have been removed.")
    row = rows[0]
    kind = row["kind"]
    new_options = list(options) if options is not None else json.loads(row["options"] or "[]")
    reply = {
        "question": row["question"] if question is None else question,
        "answer": row["answer"] if answer is None else answer,
        "rationale": (row["rationale"] or "") if rationale is None else rationale,
    }
    if kind == "mcq":
        reply["options"] = new_options
    elif kind == "numeric":
        reply["unit"] = row["unit"] or ""
    elif kind == "exact":
        reply["aliases"] = json.loads(row["aliases"] or "[]")
    try:
        checked = parse_reply(kind, reply, option_count=len(new_options) if kind == "mcq" else 4)
    except InvalidReply as error:
        raise PapergymError(f"The edit was not saved: {error}.") from None
    changes = {"question": checked.question, "answer": checked.answer, "rationale": checked.rationale}
    if kind == "mcq":
        changes["options"] = json.dumps(checked.options, ensure_ascii=False)
    if kind == "numeric":
        changes["tolerance"] = checked.tolerance
    assignments = ", ".join(f"{column} = ?" for column in changes)
    with library.write() as db:
        db.execute(f"UPDATE questions SET {assignments} WHERE id = ?", [*changes.values(), question_id])
        db.execute("DELETE FROM question_fts WHERE question_id = ?", [question_id])
        db.execute(
            "INSERT INTO question_fts (question, options, question_id) VALUES (?, ?, ?)",
            [checked.question, " ".join(checked.options), question_id],
        )
    return library.query("SELECT * FROM questions WHERE id = ?", [question_id])[0]
