"""Export questions as a training dataset: split by paper, stratified by discipline, optionally topic-aligned.

No paper has questions in two splits, so the test split measures questions
from papers the model never trained on. Alignment (BioAlchemy) reshapes only
the train split toward a target topic distribution raised to a power α, and
only by dropping questions, so every row stays a distinct question.

Everything is written into a hidden folder next to OUT and renamed into place
at the end: an export that fails or is cancelled leaves OUT as it was.
"""

from __future__ import annotations

import math
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.core.dataset.alignment import align_train, load_target
from papergym.core.dataset.arrow_table import questions_table
from papergym.core.dataset.card import dataset_card
from papergym.core.dataset.export_files import (
    check_out_folder,
    make_staging_folder,
    move_into_place,
    sweep_stale_staging,
    write_hf,
    write_manifest,
    write_split,
)
from papergym.core.dataset.prompt import PROMPT_VERSION
from papergym.core.dataset.selection import in_write_order, keep_learnable_rows, read_selection
from papergym.core.dataset.splits import DEFAULT_SPLIT, SPLIT_EXAMPLE, assign_splits, parse_split, split_counts
from papergym.core.errors import PapergymError
from papergym.core.ids import now
from papergym.core.quality.learnability import LearnableBand
from papergym.core.quality.learnability_store import easy_to_hard_order, measurements
from papergym.core.questions.statuses import STATUSES, VOTE_TYPES

if TYPE_CHECKING:
    from papergym.core.library import Library

FORMATS = ("hf", "parquet", "jsonl")
ORDERS = ("default", "difficulty")  # difficulty: easy to hard by the measured pass rate (a curriculum)


class ExportCancelled(PapergymError):
    """The export was cancelled before it moved into place; OUT is as it was."""


def _names(values, known: tuple[str, ...], option: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = values.split(",")
    names = tuple(dict.fromkeys(value.strip() for value in values if value and value.strip()))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise PapergymError(f"{option} {unknown[0]!r} is not one of {', '.join(known)}.")
    if not names:
        raise PapergymError(f"{option} needs at least one of {', '.join(known)}.")
    return names


@dataclass
class ExportSettings:
    """What to export and how: the selection, the split, the alignment, and the output."""

    out: Path
    format: str = "hf"
    statuses: tuple[str, ...] = ("accepted",)
    vote_types: tuple[str, ...] | None = None
    split: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SPLIT))
    align_alpha: float | None = None
    target: Path | str | None = None  # a JSON/TOML file of {discipline: weight}, "library", or the taxonomy's
    seed: int = 0
    overwrite: bool = False
    learnable: LearnableBand | None = None  # keep only questions whose measured pass rate lies in this band
    learnability_model: str | None = None  # whose pass rates count (default: each question's newest measurement)
    order: str = "default"  # default | difficulty

    def __post_init__(self) -> None:
        self.out = Path(self.out).expanduser()
        if self.format not in FORMATS:
            raise PapergymError(f"--format {self.format!r} is not one of {', '.join(FORMATS)}.")
        if self.order not in ORDERS:
            raise PapergymError(f"--order {self.order!r} is not one of {', '.join(ORDERS)}.")
        self.statuses = _names(self.statuses, STATUSES, "--status")
        if self.vote_types is not None:
            self.vote_types = _names(self.vote_types, VOTE_TYPES, "--vote-types")
        self.split = parse_split(self.split)
        if self.align_alpha is not None:
            if not math.isfinite(self.align_alpha) or self.align_alpha < 0:
                raise PapergymError(f"--align-alpha must be 0 or more (1 matches the target, 0 is uniform), not {self.align_alpha}.")
            if "train" not in self.split:
                raise PapergymError(f"--align-alpha reshapes the train split, but --split has none; write it like {SPLIT_EXAMPLE}.")
        elif self.target is not None:
            raise PapergymError("--target only matters with --align-alpha; add --align-alpha 1 to match it.")
        if self.target is not None and str(self.target) != "library":
            self.target = Path(self.target).expanduser()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["out"] = str(self.out)
        data["target"] = None if self.target is None else str(self.target)
        data["statuses"] = list(self.statuses)
        data["vote_types"] = list(self.vote_types) if self.vote_types else None
        return data


@dataclass
class ExportReport:
    """What an export wrote: rows per split, discipline and vote type, the alignment, and the files."""

    out: Path
    format: str
    selected: int  # questions that matched the selection
    written: int  # rows written over all splits (fewer than selected when alignment dropped some)
    splits: dict[str, int]
    papers: dict[str, int]  # distinct papers per split
    disciplines: dict[str, dict[str, int]]  # split -> discipline -> rows
    vote_types: dict[str, dict[str, int]]  # split -> voting type (or "none") -> rows
    alignment: dict[str, dict] | None  # discipline -> before, share, after, removed (train split)
    files: list[str]
    settings: dict
    seconds: float = 0.0
    learnable: dict[str, int] | None = None  # with --learnable: kept, too easy, too hard, not measured
    stale_bytes_removed: int = 0  # what exports killed mid-write had left beside OUT, cleaned up by this one

    def as_dict(self) -> dict:
        data = asdict(self)
        data["out"] = str(self.out)
        return data


def export_dataset(
    library: Library,
    settings: ExportSettings,
    on_progress: Callable[[str, int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportReport:
    """Write the selected questions to ``settings.out`` as train/validation/test splits; OUT changes only at the very end."""
    started = time.perf_counter()
    steps = 5

    def step(number: int, name: str) -> None:
        if cancel is not None and cancel.is_set():
            raise ExportCancelled(f"Export cancelled; {settings.out} was left as it was.")
        if on_progress is not None:
            on_progress(name, number, steps)

    out = settings.out
    # First: a sweep may put back an earlier export, which the check must then see.
    stale_bytes = sweep_stale_staging(out)
    check_out_folder(out, settings.overwrite)
    weights = load_target(library, settings.target) if settings.align_alpha is not None else None
    step(0, "read")
    rows = read_selection(library, settings)
    learnable = None
    measured = measurements(library, settings.learnability_model) if settings.learnable or settings.order == "difficulty" else {}
    if settings.learnable is not None:
        rows, learnable = keep_learnable_rows(rows, measured, settings.learnable)
    step(1, "split")
    indices = assign_splits(rows, settings)
    if settings.order == "difficulty":
        ids = rows.columns["id"]
        indices = {name: [members[i] for i in easy_to_hard_order([ids[m] for m in members], measured)] for name, members in indices.items()}
    alignment = None
    if weights is not None and indices.get("train"):
        step(2, "align")
        indices["train"], alignment = align_train(rows, indices["train"], settings, weights)
    splits, papers, disciplines, votes = split_counts(rows, indices)
    report = ExportReport(
        out=out,
        format=settings.format,
        selected=len(rows),
        written=sum(splits.values()),
        splits=splits,
        papers=papers,
        disciplines=disciplines,
        vote_types=votes,
        alignment=alignment,
        files=[],
        settings=settings.as_dict(),
        learnable=learnable,
        stale_bytes_removed=stale_bytes,
    )
    step(3, "write")
    # Rows laid out split after split, so each split is a zero-copy slice of one table.
    table = questions_table(in_write_order(rows, [index for members in indices.values() for index in members]))
    tables, offset = {}, 0
    for name, members in indices.items():
        if members:
            tables[name] = table.slice(offset, len(members))
        offset += len(members)
    staging = make_staging_folder(out)
    try:
        if settings.format == "hf":
            files = write_hf(tables, staging)
        else:
            files = [path for name, split_table in tables.items() for path in write_split(settings.format, split_table, staging, name)]
        created_at = now()
        from papergym import __version__

        report.files = [str(out / path.relative_to(staging)) for path in files] + [str(out / "README.md"), str(out / "export.json")]
        (staging / "README.md").write_text(dataset_card(report, settings, created_at), encoding="utf-8")
        manifest = {
            "papergym_version": __version__,
            "prompt_version": PROMPT_VERSION,
            "created_at": created_at,
            **{key: value for key, value in report.as_dict().items() if key not in ("seconds", "stale_bytes_removed")},
        }
        write_manifest(staging, manifest)  # with every file's hash: what --overwrite may later replace
        step(4, "finish")
        move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress("done", steps, steps)
    return report
