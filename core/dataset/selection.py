"""Reading the questions an export selects, column by column, and decoding only the rows it will write.

An export can select hundreds of thousands of questions and alignment may drop
many of them, so rows stay plain lists with their JSON text undecoded until
the rows to write are known.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papergym.core.errors import PapergymError
from papergym.core.quality.learnability_store import verdict

if TYPE_CHECKING:
    from papergym.core.dataset.export import ExportSettings
    from papergym.core.library import Library
    from papergym.core.quality.learnability import LearnableBand

_SQL_COLUMNS = (
    "id, paper_id, discipline, subdomain, question, options, answer, rationale, voting_type, votes, kind, unit, tolerance, aliases"
)


@dataclass
class SelectedRows:
    """The selected questions, column by column (plain lists: hundreds of thousands of rows)."""

    columns: dict[str, list]

    def __len__(self) -> int:
        return len(self.columns["id"])


def read_selection(library: Library, settings: ExportSettings) -> SelectedRows:
    """The questions that match the settings' statuses and vote types, by id; none is a one-sentence error."""
    params: list = list(settings.statuses)
    where = f"status IN ({','.join('?' * len(settings.statuses))})"
    if settings.vote_types:
        where += f" AND voting_type IN ({','.join('?' * len(settings.vote_types))})"
        params += list(settings.vote_types)
    rows = library.conn.execute(f"SELECT {_SQL_COLUMNS} FROM questions WHERE {where} ORDER BY id", params).fetchall()
    if not rows:
        raise PapergymError(_empty_selection_message(library, settings))
    names = [name.strip() for name in _SQL_COLUMNS.split(",")]
    # options, aliases and votes stay JSON text until the rows to write are known (alignment may drop many).
    return SelectedRows({name: list(values) for name, values in zip(names, zip(*rows))})


def keep_learnable_rows(rows: SelectedRows, measured: dict[str, dict], band: LearnableBand) -> tuple[SelectedRows, dict[str, int]]:
    """The rows whose measured pass rate lies in the band, and how many were kept or left out for each reason."""
    counts = {"kept": 0, "too easy": 0, "too hard": 0, "not measured": 0}
    kept = []
    for index, question_id in enumerate(rows.columns["id"]):
        found = verdict(measured.get(question_id), band)
        if found == "learnable":
            kept.append(index)
            counts["kept"] += 1
        else:
            counts[found] += 1
    if not kept:
        left_out = ", ".join(f"{count} {reason}" for reason, count in counts.items() if count and reason != "kept")
        raise PapergymError(
            f"None of the {len(rows)} selected questions is learnable ({left_out}; {band.describe()}); "
            "measure them with `papergym check --steps learnability`, or widen --band."
        )
    return SelectedRows({name: [values[index] for index in kept] for name, values in rows.columns.items()}), counts


def _json_lists(texts: list[str | None]) -> list[list]:
    """Decode a column of JSON lists in one parse (a million json.loads calls cost seconds); bad ones become []."""
    filled = [text or "[]" for text in texts]
    try:
        decoded = json.loads("[" + ",".join(filled) + "]")
    except ValueError:
        decoded = None
    if decoded is None or len(decoded) != len(filled):
        decoded = []
        for text in filled:
            try:
                decoded.append(json.loads(text))
            except ValueError:
                decoded.append([])
    return [value if isinstance(value, list) else [] for value in decoded]


def in_write_order(rows: SelectedRows, order: list[int]) -> SelectedRows:
    """The rows to write, in split order, with their JSON columns decoded."""
    columns = {name: [values[index] for index in order] for name, values in rows.columns.items()}
    for name in ("options", "aliases", "votes"):
        columns[name] = _json_lists(columns[name])
    return SelectedRows(columns)


def _empty_selection_message(library: Library, settings: ExportSettings) -> str:
    wanted = f"status {', '.join(settings.statuses)}"
    if settings.vote_types:
        wanted += f" and voting type {', '.join(settings.vote_types)}"
    counts = library.conn.execute("SELECT status, count(*) FROM questions GROUP BY status ORDER BY count(*) DESC").fetchall()
    if not counts:
        return "No questions match: the library has none yet; make some with `papergym generate` or `papergym import-questions FILE`."
    held = ", ".join(f"{count} {status}" for status, count in counts)
    return f"No questions match {wanted} (the library holds {held}); `papergym questions --status {counts[0][0]}` shows what there is."
