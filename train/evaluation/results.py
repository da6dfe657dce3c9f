"""Reading stored evals and setting an adapter's eval beside its base model's eval of the same questions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papergym.core.ids import resolve_prefix
from papergym.train.evaluation.errors import EvalError
from papergym.train.evaluation.run import EvalReport

if TYPE_CHECKING:
    from papergym.core.library import Library


def _decode(row: dict) -> dict:
    row = dict(row)
    row["per_discipline"] = json.loads(row["per_discipline"]) if row.get("per_discipline") else {}
    row["config"] = json.loads(row["config"]) if row.get("config") else {}
    return row


def list_evals(library: Library, run_id: str | None = None) -> list[dict]:
    """Stored evals, newest first (of one run when ``run_id`` is given)."""
    where, params = ("WHERE run_id = ?", [run_id]) if run_id else ("", [])
    return [_decode(row) for row in library.query(f"SELECT * FROM evals {where} ORDER BY created_at DESC, id", params)]


def get_eval(library: Library, eval_id: str) -> dict:
    """One stored eval by id or unique id prefix."""
    full_id = resolve_prefix(library.conn, "evals", eval_id, noun="eval", listed_by="`papergym eval --list` shows them", error=EvalError)
    return _decode(library.query("SELECT * FROM evals WHERE id = ?", [full_id])[0])


def find_base_eval(library: Library, adapted: dict | EvalReport) -> dict | None:
    """The newest eval of the adapter's base model on exactly the same questions and budget, or None.

    One on the same engine is preferred: llama.cpp and transformers differ a
    little in their arithmetic, and a before/after should differ only by the adapter.
    """
    row = adapted.as_dict() if isinstance(adapted, EvalReport) else adapted
    config = row.get("config") or {}
    model_path = config.get("model_path", row.get("model_path"))
    fingerprint = config.get("fingerprint", row.get("fingerprint"))
    max_new = config.get("max_new_tokens", row.get("max_new_tokens"))
    engine = config.get("engine", row.get("engine"))
    candidates = [
        _decode(candidate)
        for candidate in library.query(
            "SELECT * FROM evals WHERE adapter IS NULL AND json_extract(config, '$.model_path') = ? "
            "AND json_extract(config, '$.fingerprint') = ? AND json_extract(config, '$.max_new_tokens') = ? "
            "ORDER BY created_at DESC, id",
            [model_path, fingerprint, max_new],
        )
    ]
    same_engine = [candidate for candidate in candidates if candidate["config"].get("engine") == engine]
    return (same_engine or candidates or [None])[0]


@dataclass
class Comparison:
    """An adapter's eval beside its base model's eval of the same questions."""

    base: dict
    adapted: dict
    rows: list[dict]  # {"name", "questions", "before", "after", "delta"}: "all" first, then each discipline

    def as_dict(self) -> dict:
        keep = ("id", "model", "adapter", "run_id", "dataset", "questions", "accuracy", "extractable", "mean_length", "created_at")
        return {
            "base": {name: self.base.get(name) for name in keep} | {"engine": self.base["config"].get("engine")},
            "adapted": {name: self.adapted.get(name) for name in keep} | {"engine": self.adapted["config"].get("engine")},
            "rows": self.rows,
        }


def compare(library: Library, adapted: str | EvalReport | None = None) -> Comparison:
    """A before/after table: an adapter's eval (by id, a report, or the newest one) against its base model's.

    Rows: accuracy overall, extractability, mean length, then accuracy per discipline.
    """
    if isinstance(adapted, EvalReport):
        adapted_row = get_eval(library, adapted.id)
    elif adapted is not None:
        adapted_row = get_eval(library, adapted)
    else:
        rows = library.query("SELECT * FROM evals WHERE adapter IS NOT NULL ORDER BY created_at DESC, id LIMIT 1")
        if not rows:
            raise EvalError("No adapter has been evaluated yet; run `papergym eval --adapter RUN` first.")
        adapted_row = _decode(rows[0])
    if adapted_row.get("adapter") is None:
        raise EvalError(f"Eval {adapted_row['id']} is of a base model, not an adapter; compare an adapter's eval.")
    base_row = find_base_eval(library, adapted_row)
    if base_row is None:
        raise EvalError(
            f"No eval of the base model {adapted_row['model']} on the same {adapted_row['questions']} questions yet; "
            f"run `papergym eval --model {adapted_row['model']} --on {adapted_row['dataset']}` with the same --limit and --max-new-tokens."
        )
    rows = [
        _row("accuracy", base_row["questions"], base_row["accuracy"], adapted_row["accuracy"]),
        _row("extractable", base_row["questions"], base_row["extractable"], adapted_row["extractable"]),
        _row("mean length", base_row["questions"], base_row["mean_length"], adapted_row["mean_length"]),
    ]
    names = list(adapted_row["per_discipline"]) + [name for name in base_row["per_discipline"] if name not in adapted_row["per_discipline"]]
    for name in names:
        before = base_row["per_discipline"].get(name, {})
        after = adapted_row["per_discipline"].get(name, {})
        rows.append(
            _row(f"accuracy: {name}", after.get("questions", before.get("questions", 0)), before.get("accuracy"), after.get("accuracy"))
        )
    return Comparison(base_row, adapted_row, rows)


def _row(name: str, questions: int, before: float | None, after: float | None) -> dict:
    delta = after - before if before is not None and after is not None else None
    return {"name": name, "questions": questions, "before": before, "after": after, "delta": delta}
