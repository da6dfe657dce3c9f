"""Training rows: read from an exported dataset or the library, checked, prompted, and reshuffled every epoch.

The prompt is built by ``core.export.prompt_messages``, so a model trains on
exactly the prompts an export writes. Multiple-choice options get a new order
every epoch (WildSci) with the key letter moved along, so a policy cannot learn
a favourite letter; the order is a pure function of (seed, epoch, question id),
which keeps all completions of one question on the same order and makes a
resumed run see the same orders it would have seen without stopping.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.core.dataset.json_text import TooDeeplyNested, parse_json
from papergym.core.dataset.prompt import PROMPT_VERSION, prompt_messages
from papergym.core.errors import PapergymError
from papergym.core.questions.kinds import LETTERS
from papergym.train.config import TrainConfig

if TYPE_CHECKING:
    import datasets
    from papergym.core.library import Library

SNAPSHOT_NAME = "train.jsonl"
ROW_FIELDS = ("id", "paper_id", "discipline", "subdomain", "kind", "question", "options", "answer", "unit", "tolerance", "aliases")
_SQL_COLUMNS = "id, paper_id, discipline, subdomain, kind, question, options, answer, unit, tolerance, aliases"


@dataclass
class TrainingData:
    """The rows a run trains on, where they came from, and what was left out and why."""

    rows: list[dict]
    source: str  # a sentence for the user: "412 accepted questions from the library"
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    notice: str | None = None  # something the user should know (a fallback was used)


# -- reading -------------------------------------------------------------------------


def load_training_data(config: TrainConfig, library: Library | None = None) -> TrainingData:
    """The training rows for a config: the library's questions, or an exported dataset's split."""
    if config.from_library:
        if library is None:
            raise PapergymError("Training from the library needs a library; pass --library or --dataset DIR.")
        data = _from_library(library, config.statuses)
    else:
        data = _from_folder(Path(config.dataset).expanduser(), config.split)
    rows, skipped = clean_rows(data.rows)
    if not rows:
        reasons = "; ".join(f"{count} {reason}" for reason, count in skipped.items())
        raise PapergymError(f"None of the questions in {data.source} can be trained on ({reasons}); fix them or export again.")
    if config.learnable_band is not None or config.curriculum:
        rows = _by_learnability(rows, skipped, config, library, data.source)
    data.rows, data.skipped = rows, skipped
    return data


def _by_learnability(rows: list[dict], skipped: dict[str, int], config: TrainConfig, library: Library | None, source: str) -> list[dict]:
    """The rows inside the learnable band (counting the others in ``skipped``), easy to hard for a curriculum."""
    from papergym.core.quality.learnability import LearnableBand
    from papergym.core.quality.learnability_store import easy_to_hard, keep_learnable, measurements

    if library is None:
        raise PapergymError("--learnable and --curriculum read pass rates from the library; pass --library.")
    measured = measurements(library, config.learnability_model)
    if config.learnable_band is not None:
        band = LearnableBand(*config.learnable_band)
        selection = keep_learnable(rows, measured, band)
        for reason, count in selection.left_out.items():
            if count:
                skipped[f"{reason} for learnability"] = count
        if not selection.rows:
            raise PapergymError(
                f"None of the {len(rows)} questions in {source} is learnable ({selection.summary()}; {band.describe()}); "
                "measure them with `papergym check --steps learnability`, or widen --band."
            )
        rows = selection.rows
    return easy_to_hard(rows, measured) if config.curriculum else rows


def _from_library(library: Library, statuses: tuple[str, ...]) -> TrainingData:
    def select(wanted: tuple[str, ...]) -> list[dict]:
        marks = ",".join("?" * len(wanted))
        return library.query(f"SELECT {_SQL_COLUMNS} FROM questions WHERE status IN ({marks}) ORDER BY id", list(wanted))

    rows = select(statuses)
    notice = None
    if not rows and tuple(statuses) == ("accepted",):
        rows = select(("passed",))
        if rows:
            notice = (
                f"No question is accepted yet, so this run trains on the {len(rows)} that passed the automatic checks; "
                "review them (accept or reject) for a cleaner run."
            )
            statuses = ("passed",)
    if not rows:
        counts = library.query("SELECT status, count(*) AS n FROM questions GROUP BY status ORDER BY n DESC")
        if not counts:
            raise PapergymError("The library has no questions yet; make some with `papergym generate`, then `papergym check`.")
        held = ", ".join(f"{row['n']} {row['status']}" for row in counts)
        raise PapergymError(
            f"No questions are {' or '.join(statuses)} (the library holds {held}); run `papergym check`, or accept questions in review."
        )
    return TrainingData(rows=rows, source=f"{len(rows)} {'/'.join(statuses)} questions from the library", notice=notice)


def _from_folder(folder: Path, split: str) -> TrainingData:
    if not folder.exists():
        raise PapergymError(f"The dataset folder {folder} does not exist; export one with `papergym export OUT`, or use --from-library.")
    if folder.is_file():
        rows = _read_file(folder)
        return TrainingData(rows=rows, source=f"{len(rows)} questions from {folder}")
    if (folder / "dataset_dict.json").is_file() or (folder / "state.json").is_file():
        from datasets import Dataset, load_from_disk

        # A damaged or hand-made folder can fail anywhere inside `datasets` (a bogus
        # dataset_dict.json gives TypeError, a garbage .arrow ArrowInvalid): every such
        # failure is the folder's fault, so it becomes one sentence about the folder.
        try:
            loaded = load_from_disk(str(folder))
            if not isinstance(loaded, Dataset) and split not in loaded:
                raise PapergymError(
                    f"{folder} has no {split} split (it has {', '.join(loaded) or 'none'}); export it with a {split} split."
                )
            rows = (loaded if isinstance(loaded, Dataset) else loaded[split]).to_list()
        except PapergymError:
            raise
        except Exception as error:
            reason = (str(error).splitlines() or [type(error).__name__])[0]
            raise PapergymError(f"{folder} is not a readable dataset ({reason}); export it again.") from None
        return TrainingData(rows=rows, source=f"{len(rows)} questions from the {split} split of {folder}")
    for suffix in (".parquet", ".jsonl"):
        path = folder / f"{split}{suffix}"
        if path.is_file():
            rows = _read_file(path)
            return TrainingData(rows=rows, source=f"{len(rows)} questions from {path}")
    found = sorted(path.name for path in folder.iterdir() if path.suffix in (".parquet", ".jsonl"))
    hint = f" (it has {', '.join(found)})" if found else ""
    raise PapergymError(f"{folder} holds no {split} split{hint}; point --dataset at a `papergym export` folder.")


def _read_file(path: Path) -> list[dict]:
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path).to_pylist()
        if path.suffix in (".jsonl", ".json"):
            return read_jsonl(path)
    except (OSError, ValueError) as error:
        raise PapergymError(f"{path} cannot be read ({str(error).splitlines()[0]}); export the dataset again.") from None
    raise PapergymError(f"{path} is neither .parquet nor .jsonl; point --dataset at a `papergym export` folder.")


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    rows.append(parse_json(line))
                except TooDeeplyNested as error:
                    raise PapergymError(f"Line {number} of {path} cannot be read: {error}; export the dataset again.") from None
                except ValueError:
                    raise PapergymError(f"Line {number} of {path} is not JSON; export the dataset again.") from None
    return rows


def write_snapshot(rows: Iterable[dict], path: Path) -> None:
    """The exact rows of a run, kept with it, so a resume trains on the same questions even if the library changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({name: row.get(name) for name in ROW_FIELDS}, ensure_ascii=False) + "\n")
    partial.replace(path)


# -- checking --------------------------------------------------------------------------


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [str(item) for item in value] if isinstance(value, (list, tuple)) else []


def clean_rows(rows: Iterable[dict]) -> tuple[list[dict], dict[str, int]]:
    """Rows in one shape (lists decoded, answer as text), leaving out those no reward could grade."""
    kept: list[dict] = []
    skipped: dict[str, int] = {}

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    for index, raw in enumerate(rows):
        row = {name: raw.get(name) for name in ROW_FIELDS}
        row["id"] = str(row["id"] if row["id"] is not None else f"row-{index}")
        row["kind"] = row["kind"] or "mcq"
        row["options"] = _as_list(row["options"])
        row["aliases"] = _as_list(row["aliases"])
        row["answer"] = "" if row["answer"] is None else str(row["answer"]).strip()
        if not (row["question"] or "").strip():
            skip("without question text")
            continue
        if row["kind"] == "mcq":
            row["answer"] = row["answer"].upper()
            if not 2 <= len(row["options"]) <= len(LETTERS) or row["answer"] not in LETTERS[: len(row["options"])]:
                skip("multiple-choice without a key letter among 2-10 options")
                continue
        elif row["kind"] == "numeric":
            try:
                value = float(row["answer"].replace(",", ""))
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                skip("numeric without a number as the answer")
                continue
        elif row["kind"] == "exact":
            if not row["answer"]:
                skip("exact-match without an answer")
                continue
        else:
            skip(f"of unknown kind {row['kind']!r}")
            continue
        tolerance = row["tolerance"]
        row["tolerance"] = float(tolerance) if isinstance(tolerance, (int, float)) and math.isfinite(tolerance) else None
        kept.append(row)
    return kept, skipped


def filter_long_prompts(rows: list[dict], tokenizer, max_prompt_length: int) -> tuple[list[dict], int]:
    """Rows whose prompt fits in ``max_prompt_length`` tokens, and how many did not (a cut question cannot be answered)."""
    texts = [tokenizer.apply_chat_template(build_prompt(row), tokenize=False, add_generation_prompt=True) for row in rows]
    # One batched call: a fast tokenizer encodes the whole list in Rust, in parallel.
    lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]] if texts else []
    kept = [row for row, length in zip(rows, lengths) if length <= max_prompt_length]
    return kept, len(rows) - len(kept)


# -- prompts and the per-epoch shuffle ------------------------------------------------------


def build_prompt(row: dict) -> list[dict[str, str]]:
    """The chat for one row: the export's template (reasoning first, then a last line "Answer: ...")."""
    return prompt_messages(row["question"], row["kind"], row["options"], row.get("unit"))


def option_order(question_id: str, option_count: int, seed: int, epoch: int) -> list[int]:
    """The order of a question's options in one epoch: ``order[new_position] = old_position``."""
    order = list(range(option_count))
    random.Random(f"{seed}:{epoch}:{question_id}").shuffle(order)
    return order


def shuffle_options(row: dict, seed: int, epoch: int) -> dict:
    """A copy of a row with its options in this epoch's order, the key letter moved along, and the prompt rebuilt."""
    shuffled = dict(row)
    if row["kind"] == "mcq" and row["options"]:
        order = option_order(row["id"], len(row["options"]), seed, epoch)
        key = LETTERS.index(row["answer"])
        shuffled["options"] = [row["options"][old] for old in order]
        shuffled["answer"] = LETTERS[order.index(key)]
    shuffled["prompt"] = build_prompt(shuffled)
    return shuffled


class EpochOptionShuffle:
    """A ``datasets`` transform that serves each row with the current epoch's option order.

    The trainer's sampler calls ``set_epoch`` at the start of every epoch
    (accelerate forwards it), before any row of that epoch is read.
    """

    def __init__(self, seed: int, enabled: bool = True) -> None:
        self.seed = seed
        self.enabled = enabled
        self.epoch = 0
        self.epochs_seen: set[int] = set()

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __call__(self, batch: dict[str, list]) -> dict[str, list]:
        self.epochs_seen.add(self.epoch)
        names = list(batch)
        count = len(batch[names[0]]) if names else 0
        out: dict[str, list] = {name: [] for name in names}
        out.setdefault("prompt", [])
        for index in range(count):
            row = {name: batch[name][index] for name in names}
            row["options"] = list(row.get("options") or [])
            row = shuffle_options(row, self.seed, self.epoch) if self.enabled else {**row, "prompt": build_prompt(row)}
            for name in out:
                out[name].append(row.get(name))
        return out


def to_dataset(rows: list[dict], shuffle: EpochOptionShuffle) -> datasets.Dataset:
    """A ``datasets.Dataset`` of the rows whose items come out through the epoch shuffle."""
    from datasets import Dataset

    columns = {name: [row.get(name) for row in rows] for name in ROW_FIELDS}
    columns["prompt"] = [build_prompt(row) for row in rows]
    dataset = Dataset.from_dict(columns)
    dataset.set_transform(shuffle)
    return dataset


__all__ = [
    "PROMPT_VERSION",
    "EpochOptionShuffle",
    "TrainingData",
    "build_prompt",
    "clean_rows",
    "filter_long_prompts",
    "load_training_data",
    "option_order",
    "read_jsonl",
    "shuffle_options",
    "to_dataset",
    "write_snapshot",
]
