"""Measured pass rates in the library, and the selections built on them (the learnable band, easy-to-hard order).

A pass rate belongs to the model that was measured, so each question keeps one
row per model with k, the mode and the date. Readers take the newest row of a
question unless they name a model, because the usual case is one training base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from papergym.core.ids import now
from papergym.core.library import Library
from papergym.core.quality.learnability import LearnabilityResult, LearnableBand


def save_measurement(library: Library, question_id: str, model: str, result: LearnabilityResult, temperature: float) -> None:
    """Store one question's pass rate for one model (replacing that model's earlier measurement)."""
    with library.write() as db:
        db.conn.execute(
            "INSERT OR REPLACE INTO learnability (question_id, model, mode, samples, temperature, passes, pass_rate, chance, skill, "
            "measured_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                question_id,
                model,
                result.mode,
                result.samples,
                temperature,
                round(result.passes, 4),
                round(result.pass_rate, 4),
                round(result.chance, 4),
                round(result.skill, 4),
                now(),
            ],
        )


def measurements(library: Library, model: str | None = None) -> dict[str, dict]:
    """Each measured question's row: for ``model`` if given, else its newest measurement of any model."""
    if model is not None:
        rows = library.query("SELECT * FROM learnability WHERE model = ?", [model])
    else:
        rows = library.query(
            "SELECT * FROM learnability l WHERE measured_at = (SELECT max(measured_at) FROM learnability m WHERE m.question_id = l.question_id)"
        )
    return {row["question_id"]: row for row in rows}


@dataclass
class LearnableSelection:
    """Which rows a learnable-band filter kept, and how many it left out for each reason."""

    rows: list[dict]
    left_out: dict[str, int] = field(default_factory=dict)  # "too easy" | "too hard" | "not measured" -> count

    def summary(self) -> str:
        parts = [f"{count} {reason}" for reason, count in self.left_out.items() if count]
        return f"kept {len(self.rows)} learnable" + (f", left out {', '.join(parts)}" if parts else "")


def verdict(measurement: dict | None, band: LearnableBand) -> str:
    """``learnable``, ``too easy``, ``too hard``, or ``not measured``."""
    return "not measured" if measurement is None else band.classify(measurement["skill"])


def keep_learnable(rows: list[dict], measured: dict[str, dict], band: LearnableBand) -> LearnableSelection:
    """The rows whose measured pass rate above chance lies inside the band; unmeasured rows are left out."""
    kept: list[dict] = []
    left_out = {"too easy": 0, "too hard": 0, "not measured": 0}
    for row in rows:
        found = verdict(measured.get(row["id"]), band)
        if found == "learnable":
            kept.append(row)
        else:
            left_out[found] += 1
    return LearnableSelection(kept, left_out)


def easy_to_hard(rows: list[dict], measured: dict[str, dict]) -> list[dict]:
    """A curriculum: the rows the model solves most often first; unmeasured rows last, in their order."""
    return [rows[index] for index in easy_to_hard_order([row["id"] for row in rows], measured)]


def easy_to_hard_order(ids: list[str], measured: dict[str, dict]) -> list[int]:
    """Positions of ``ids`` from the highest pass rate above chance to the lowest; unmeasured ones last, in their order."""

    def difficulty(index: int) -> tuple[int, float, int]:
        measurement = measured.get(ids[index])
        if measurement is None:
            return (1, 0.0, index)
        return (0, -measurement["skill"], index)

    return sorted(range(len(ids)), key=difficulty)
