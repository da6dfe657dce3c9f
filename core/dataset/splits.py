"""Splitting an export by paper: no paper has questions in two splits, and each discipline fills the splits to their ratios.

The test split then measures questions from papers the model never trained on.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from papergym.core.errors import PapergymError

if TYPE_CHECKING:
    from papergym.core.dataset.export import ExportSettings
    from papergym.core.dataset.selection import SelectedRows

DEFAULT_SPLIT = {"train": 0.9, "validation": 0.05, "test": 0.05}
# How counts name questions that have no discipline yet (`papergym topics` labels them).
NO_DISCIPLINE = "(none)"
SPLIT_EXAMPLE = "train=0.9,validation=0.05,test=0.05"
_SPLIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def parse_split(spec: str | dict) -> dict[str, float]:
    """Split ratios from ``train=0.9,validation=0.05,test=0.05`` (or a dict), train first, summing to 1."""
    if isinstance(spec, str):
        ratios: dict[str, object] = {}
        for part in (piece.strip() for piece in spec.split(",")):
            if not part:
                continue
            name, sep, ratio_text = part.partition("=")
            if not sep:
                raise PapergymError(f"--split part {part!r} is not NAME=RATIO; write it like {SPLIT_EXAMPLE}.")
            name = name.strip()
            if name in ratios:
                raise PapergymError(f"--split names {name!r} twice; write it like {SPLIT_EXAMPLE}.")
            ratios[name] = ratio_text.strip()
    else:
        ratios = dict(spec)
    parsed: dict[str, float] = {}
    for name, value in ratios.items():
        if not isinstance(name, str) or not _SPLIT_NAME.fullmatch(name):
            raise PapergymError(
                f"--split name {name!r} must be a word of letters, digits and _ (like train); write it like {SPLIT_EXAMPLE}."
            )
        try:
            ratio = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise PapergymError(f"--split ratio {value!r} for {name} is not a number; write it like {SPLIT_EXAMPLE}.") from None
        if not math.isfinite(ratio) or ratio < 0:
            raise PapergymError(f"--split ratio for {name} must be a number from 0 to 1, not {value}.")
        parsed[name] = ratio
    total = sum(parsed.values())
    if not parsed or total <= 0:
        raise PapergymError(f"--split needs at least one split with a ratio above 0; write it like {SPLIT_EXAMPLE}.")
    if abs(total - 1) > 0.01:
        raise PapergymError(f"--split ratios add up to {total:g}, not 1; write it like {SPLIT_EXAMPLE}.")
    ordered = {"train": parsed["train"]} if "train" in parsed else {}
    ordered.update((name, ratio) for name, ratio in parsed.items() if name != "train")
    return {name: ratio / total for name, ratio in ordered.items()}


def discipline_label(value: str | None) -> str:
    """A question's discipline as counts name it, ``(none)`` when it has none yet."""
    return value or NO_DISCIPLINE


def split_groups(groups: dict[str, tuple[str, int]], ratios: dict[str, float], seed: int) -> dict[str, str]:
    """Assign each group (a paper: discipline, question count) to a split, filling splits to their ratios by questions.

    Within each discipline the groups are shuffled with the seed; the first goes
    to the first split (train), so a discipline with a single paper still
    trains, and each next one to the split furthest below its share. A held-out
    split left empty that way takes one paper from the best-covered discipline.
    """
    names = [name for name, ratio in ratios.items() if ratio > 0]
    by_discipline: dict[str, list[str]] = defaultdict(list)
    for key in sorted(groups):
        by_discipline[groups[key][0]].append(key)
    assignment: dict[str, str] = {}
    for discipline in sorted(by_discipline):
        keys = by_discipline[discipline]
        random.Random(f"{seed}:split:{discipline}").shuffle(keys)
        total = sum(groups[key][1] for key in keys)
        filled = dict.fromkeys(names, 0)
        for number, key in enumerate(keys):
            if number == 0:
                chosen = names[0]
            else:
                # Largest shortfall wins; on a tie the earlier split (train before the held-out ones).
                chosen = max(names, key=lambda name: (ratios[name] * total - filled[name], -names.index(name)))
            filled[chosen] += groups[key][1]
            assignment[key] = chosen
    # With few papers per discipline every paper can land in train; a held-out split that asked for a
    # share but got nothing then takes one paper, from the discipline with the most papers in train.
    total = sum(size for _, size in groups.values())
    for name in names[1:]:
        if any(split == name for split in assignment.values()):
            continue
        in_train = [key for key, split in assignment.items() if split == names[0]]
        if len(in_train) < 2:
            break
        per_discipline = Counter(groups[key][0] for key in in_train)
        donor = max(in_train, key=lambda key: (per_discipline[groups[key][0]], -groups[key][1], key))
        if ratios[name] * total >= groups[donor][1] / 2:  # only when the split asked for at least half that paper
            assignment[donor] = name
    return assignment


def assign_splits(rows: SelectedRows, settings: ExportSettings) -> dict[str, list[int]]:
    """Row indices per split; a paper's questions all land in one split (a question without a paper is its own group)."""
    group_of = [
        f"paper:{paper_id}" if paper_id else f"question:{identifier}"
        for paper_id, identifier in zip(rows.columns["paper_id"], rows.columns["id"])
    ]
    labels: dict[str, Counter] = defaultdict(Counter)
    for key, discipline in zip(group_of, rows.columns["discipline"]):
        labels[key][discipline_label(discipline)] += 1
    groups = {
        # A paper whose questions disagree on the discipline goes with its most common one (ties: by name).
        key: (min(counter.items(), key=lambda item: (-item[1], item[0]))[0], sum(counter.values()))
        for key, counter in labels.items()
    }
    assignment = split_groups(groups, settings.split, settings.seed)
    indices: dict[str, list[int]] = {name: [] for name in settings.split}
    for index, key in enumerate(group_of):
        indices[assignment[key]].append(index)
    for name, members in indices.items():
        random.Random(f"{settings.seed}:order:{name}").shuffle(members)
    return indices


def split_counts(rows: SelectedRows, indices: dict[str, list[int]]) -> tuple[dict, dict, dict, dict]:
    """Rows, distinct papers, rows per discipline and rows per voting type, for each split."""
    disciplines, votes, papers, splits = {}, {}, {}, {}
    discipline_column, vote_column, paper_column = rows.columns["discipline"], rows.columns["voting_type"], rows.columns["paper_id"]
    for name, members in indices.items():
        splits[name] = len(members)
        disciplines[name] = dict(sorted(Counter(discipline_label(discipline_column[i]) for i in members).items()))
        votes[name] = dict(sorted(Counter(vote_column[i] or "none" for i in members).items()))
        papers[name] = len({paper_column[i] for i in members if paper_column[i]})
    return splits, papers, disciplines, votes
