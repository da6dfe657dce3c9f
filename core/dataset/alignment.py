"""Topic alignment (BioAlchemy): the train split reshaped toward a target distribution of disciplines raised to α.

Only by dropping questions, so every row stays a distinct question; α = 1
matches the target, α = 0 is uniform, and between flattens toward the tail.
"""

from __future__ import annotations

import json
import math
import random
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.core.dataset.splits import discipline_label
from papergym.core.errors import PapergymError

if TYPE_CHECKING:
    from papergym.core.dataset.export import ExportSettings
    from papergym.core.dataset.selection import SelectedRows
    from papergym.core.library import Library


def _weights_from_mapping(data: object, source: str) -> dict[str, float]:
    if isinstance(data, dict) and isinstance(data.get("discipline"), list):
        # A taxonomy file: [[discipline]] tables with a name and a target.
        data = {item.get("name"): item.get("target", 0) for item in data["discipline"] if isinstance(item, dict)}
    if not isinstance(data, dict) or not data:
        raise PapergymError(f'{source} must map disciplines to weights, like {{"Physics": 0.2, "Biology": 0.3}}.')
    weights: dict[str, float] = {}
    for name, weight in data.items():
        if (
            not isinstance(name, str)
            or isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise PapergymError(f"{source}: the weight of {name!r} must be a number of 0 or more, not {weight!r}.")
        weights[name] = float(weight)
    if sum(weights.values()) <= 0:
        raise PapergymError(f"{source} gives every discipline a weight of 0; give at least one a positive weight.")
    return weights


def load_target(library: Library, target: Path | str | None) -> dict[str, float]:
    """Weights per discipline: from a JSON/TOML file, the library's papers ("library"), or the taxonomy."""
    if target is None:
        try:
            from papergym.core.dataset.taxonomy import taxonomy_for_library
        except ImportError:
            raise PapergymError("No topic taxonomy is available for a default target; pass --target FILE or --target library.") from None
        return _weights_from_mapping(taxonomy_for_library(library).target_distribution(), "The taxonomy's target")
    if str(target) == "library" and not Path(target).is_file():
        counts = library.conn.execute(
            "SELECT discipline, count(*) FROM papers WHERE discipline IS NOT NULL AND discipline != '' GROUP BY discipline"
        ).fetchall()
        if not counts:
            raise PapergymError("--target library needs papers labelled with a discipline; run `papergym topics` first.")
        return {discipline: float(count) for discipline, count in counts}
    path = Path(target)
    if not path.is_file():
        raise PapergymError(
            f"The target file {path} does not exist; pass a .json or .toml file of discipline weights, or --target library."
        )
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        elif path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            raise PapergymError(f"The target file {path} must be .json or .toml.")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise PapergymError(
            f"The target file {path} cannot be read ({str(error).splitlines()[0]}); fix it or pass --target library."
        ) from None
    return _weights_from_mapping(data, f"The target file {path}")


def aligned_counts(available: dict[str, int], weights: dict[str, float], alpha: float) -> tuple[dict[str, int], dict[str, float]]:
    """How many questions of each discipline to keep, and each one's share, for target weights raised to ``alpha``.

    Shares are ``weight ** alpha`` normalised over the disciplines that have
    questions (α = 1 matches the target, α = 0 is uniform, between flattens
    toward the tail). Only downsampling: the largest total whose every
    discipline's share fits in what it has.
    """
    lookup = {name.casefold(): weight for name, weight in weights.items()}
    present = {name: count for name, count in available.items() if count > 0}
    raw = {name: lookup.get(name.casefold(), 0.0) ** alpha for name in present}
    total_weight = sum(raw.values())
    if total_weight <= 0:
        raise PapergymError(
            f"None of the train split's disciplines ({', '.join(sorted(present))}) has a weight in the target; "
            "use a target that names them, or label questions with `papergym topics`."
        )
    shares = {name: weight / total_weight for name, weight in raw.items()}
    largest_total = min(present[name] / share for name, share in shares.items() if share > 0)
    keep = {name: min(present[name], int(share * largest_total + 1e-9)) for name, share in shares.items()}
    return keep, shares


def align_train(
    rows: SelectedRows, train: list[int], settings: ExportSettings, weights: dict[str, float]
) -> tuple[list[int], dict[str, dict]]:
    """The train rows that alignment keeps, in their order, and per discipline: before, share, after, removed."""
    by_discipline: dict[str, list[int]] = defaultdict(list)
    disciplines = rows.columns["discipline"]
    for index in train:
        by_discipline[discipline_label(disciplines[index])].append(index)
    keep, shares = aligned_counts({name: len(members) for name, members in by_discipline.items()}, weights, settings.align_alpha)
    kept: set[int] = set()
    report = {}
    for name in sorted(by_discipline):
        members = sorted(by_discipline[name])
        chosen = random.Random(f"{settings.seed}:align:{name}").sample(members, keep[name])
        kept.update(chosen)
        report[name] = {"before": len(members), "share": round(shares[name], 6), "after": keep[name], "removed": len(members) - keep[name]}
    return [index for index in train if index in kept], report
