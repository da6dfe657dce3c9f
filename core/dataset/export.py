"""Export questions as a training dataset: split by paper, stratified by discipline, optionally topic-aligned.

No paper has questions in two splits, so the test split measures questions
from papers the model never trained on. Alignment (BioAlchemy) reshapes only
the train split toward a target topic distribution raised to a power α, and
only by dropping questions, so every row stays a distinct question.

Everything is written into a hidden folder next to OUT and renamed into place
at the end: an export that fails or is cancelled leaves OUT as it was.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import threading
import time
import tomllib
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.core.errors import PapergymError
from papergym.core.questions.kinds import LETTERS

if TYPE_CHECKING:
    import pyarrow
    from papergym.core.library import Library

FORMATS = ("hf", "parquet", "jsonl")
STATUSES = ("draft", "passed", "flagged", "dropped", "accepted", "rejected")
VOTE_TYPES = ("all_aligned", "majority_aligned", "majority_divergent", "all_divergent", "discard")
DEFAULT_SPLIT = {"train": 0.9, "validation": 0.05, "test": 0.05}
# How counts name questions that have no discipline yet (`papergym topics` labels them).
NO_DISCIPLINE = "(none)"
SPLIT_EXAMPLE = "train=0.9,validation=0.05,test=0.05"

# The prompt column: a chat a GRPO trainer can feed to the model as is; `answer` stays the ground truth.
# Change the wording only together with the version, so a trained model can say what it was trained on.
PROMPT_TEMPLATE = {
    "version": "export-prompt-1",
    "system": (
        "You are an expert scientist answering an exam question. Reason through it step by step, "
        'then give your final answer on its own last line as "Answer: {answer_form}".'
    ),
    "answer_form": {"mcq": "<letter>", "numeric": "<number>", "exact": "<short answer>"},
    "option": "{letter}. {text}",
    "numeric_unit": "Give the answer as a number in {unit}.",
}
PROMPT_VERSION = PROMPT_TEMPLATE["version"]

COLUMNS = (
    "id",
    "paper_id",
    "discipline",
    "subdomain",
    "question",
    "options",
    "answer",
    "rationale",
    "voting_type",
    "votes",
    "kind",
    "unit",
    "tolerance",
    "aliases",
    "prompt",
)
_SQL_COLUMNS = (
    "id, paper_id, discipline, subdomain, question, options, answer, rationale, voting_type, votes, kind, unit, tolerance, aliases"
)
_SPLIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class ExportCancelled(PapergymError):
    """The export was cancelled before it moved into place; OUT is as it was."""


class OutputFolderTaken(PapergymError):
    """OUT holds files: an earlier export (replaceable when asked) or something else (never deleted)."""

    def __init__(self, out: Path, earlier_export: bool) -> None:
        self.out, self.earlier_export = out, earlier_export
        if earlier_export:
            message = f"{out} already exists and is not empty; pass --overwrite to replace it, or choose a new folder."
        else:
            message = f"{out} is not a papergym export (it has no export.json), so --overwrite will not delete it; choose a new folder."
        super().__init__(message)


# -- settings ----------------------------------------------------------------------


def parse_split(spec: str | dict) -> dict[str, float]:
    """Split ratios from ``train=0.9,validation=0.05,test=0.05`` (or a dict), train first, summing to 1."""
    if isinstance(spec, str):
        ratios: dict[str, object] = {}
        for part in (piece.strip() for piece in spec.split(",")):
            if not part:
                continue
            name, sep, value = part.partition("=")
            if not sep:
                raise PapergymError(f"--split part {part!r} is not NAME=RATIO; write it like {SPLIT_EXAMPLE}.")
            name = name.strip()
            if name in ratios:
                raise PapergymError(f"--split names {name!r} twice; write it like {SPLIT_EXAMPLE}.")
            ratios[name] = value.strip()
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

    def __post_init__(self) -> None:
        self.out = Path(self.out).expanduser()
        if self.format not in FORMATS:
            raise PapergymError(f"--format {self.format!r} is not one of {', '.join(FORMATS)}.")
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

    def as_dict(self) -> dict:
        data = asdict(self)
        data["out"] = str(self.out)
        return data


# -- reading ----------------------------------------------------------------------------


@dataclass
class _Rows:
    """The selected questions, column by column (plain lists: hundreds of thousands of rows)."""

    columns: dict[str, list]

    def __len__(self) -> int:
        return len(self.columns["id"])


def _read_rows(library: Library, settings: ExportSettings) -> _Rows:
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
    return _Rows({name: list(values) for name, values in zip(names, zip(*rows))})


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


def _ordered(rows: _Rows, order: list[int]) -> _Rows:
    """The rows to write, in split order, with their JSON columns decoded."""
    columns = {name: [values[index] for index in order] for name, values in rows.columns.items()}
    for name in ("options", "aliases", "votes"):
        columns[name] = _json_lists(columns[name])
    return _Rows(columns)


def _empty_selection_message(library: Library, settings: ExportSettings) -> str:
    wanted = f"status {', '.join(settings.statuses)}"
    if settings.vote_types:
        wanted += f" and voting type {', '.join(settings.vote_types)}"
    counts = library.conn.execute("SELECT status, count(*) FROM questions GROUP BY status ORDER BY count(*) DESC").fetchall()
    if not counts:
        return "No questions match: the library has none yet; make some with `papergym generate` or `papergym import-questions FILE`."
    held = ", ".join(f"{count} {status}" for status, count in counts)
    return f"No questions match {wanted} (the library holds {held}); `papergym questions --status {counts[0][0]}` shows what there is."


# -- splitting ---------------------------------------------------------------------------


def _discipline(value: str | None) -> str:
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


def _assign(rows: _Rows, settings: ExportSettings) -> dict[str, list[int]]:
    """Row indices per split; a paper's questions all land in one split (a question without a paper is its own group)."""
    group_of = [
        f"paper:{paper_id}" if paper_id else f"question:{identifier}"
        for paper_id, identifier in zip(rows.columns["paper_id"], rows.columns["id"])
    ]
    labels: dict[str, Counter] = defaultdict(Counter)
    for key, discipline in zip(group_of, rows.columns["discipline"]):
        labels[key][_discipline(discipline)] += 1
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


# -- alignment ------------------------------------------------------------------------------


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


def _align(rows: _Rows, train: list[int], settings: ExportSettings, weights: dict[str, float]) -> tuple[list[int], dict[str, dict]]:
    by_discipline: dict[str, list[int]] = defaultdict(list)
    disciplines = rows.columns["discipline"]
    for index in train:
        by_discipline[_discipline(disciplines[index])].append(index)
    keep, shares = aligned_counts({name: len(members) for name, members in by_discipline.items()}, weights, settings.align_alpha)
    kept: set[int] = set()
    report = {}
    for name in sorted(by_discipline):
        members = sorted(by_discipline[name])
        chosen = random.Random(f"{settings.seed}:align:{name}").sample(members, keep[name])
        kept.update(chosen)
        report[name] = {"before": len(members), "share": round(shares[name], 6), "after": keep[name], "removed": len(members) - keep[name]}
    return [index for index in train if index in kept], report


# -- the prompt column -----------------------------------------------------------------------------


def prompt_messages(question: str, kind: str, options: list[str], unit: str | None) -> list[dict[str, str]]:
    """The chat a policy model sees for one question: reasoning instructions, then the question."""
    system = PROMPT_TEMPLATE["system"].format(answer_form=PROMPT_TEMPLATE["answer_form"].get(kind, "<answer>"))
    return [{"role": "system", "content": system}, {"role": "user", "content": _user_message(question, kind, options, unit)}]


def _user_message(question: str, kind: str, options: list[str], unit: str | None) -> str:
    if kind == "mcq" and options:
        lines = "\n".join(PROMPT_TEMPLATE["option"].format(letter=letter, text=text) for letter, text in zip(LETTERS, options))
        return f"{question}\n\n{lines}"
    if kind == "numeric" and unit:
        return f"{question}\n\n{PROMPT_TEMPLATE['numeric_unit'].format(unit=unit)}"
    return question


def _string_lists(values: list[list]) -> pyarrow.Array:
    import pyarrow as pa

    try:
        return pa.array(values, pa.list_(pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Votes written as numbers (a numeric question's solvers): text, like every other vote.
        return pa.array([[None if vote is None else str(vote) for vote in votes] for votes in values], pa.list_(pa.string()))


def _table(rows: _Rows) -> pyarrow.Table:
    import pyarrow as pa

    columns = rows.columns
    count = len(rows)
    systems = {kind: PROMPT_TEMPLATE["system"].format(answer_form=form) for kind, form in PROMPT_TEMPLATE["answer_form"].items()}
    default_system = PROMPT_TEMPLATE["system"].format(answer_form="<answer>")
    contents: list[str] = []
    for question, kind, options, unit in zip(columns["question"], columns["kind"], columns["options"], columns["unit"]):
        contents.append(systems.get(kind, default_system))
        contents.append(_user_message(question, kind, options, unit))
    messages = pa.StructArray.from_arrays(
        [pa.array(["system", "user"] * count, pa.string()), pa.array(contents, pa.string())], names=["role", "content"]
    )
    prompt = pa.ListArray.from_arrays(pa.array(range(0, 2 * count + 1, 2), pa.int32()), messages)
    strings = pa.list_(pa.string())
    arrays = {
        "id": pa.array(columns["id"], pa.string()),
        "paper_id": pa.array(columns["paper_id"], pa.string()),
        "discipline": pa.array(columns["discipline"], pa.string()),
        "subdomain": pa.array(columns["subdomain"], pa.string()),
        "question": pa.array(columns["question"], pa.string()),
        "options": pa.array(columns["options"], strings),
        "answer": pa.array(columns["answer"], pa.string()),
        "rationale": pa.array(columns["rationale"], pa.string()),
        "voting_type": pa.array(columns["voting_type"], pa.string()),
        "votes": _string_lists(columns["votes"]),
        "kind": pa.array(columns["kind"], pa.string()),
        "unit": pa.array(columns["unit"], pa.string()),
        "tolerance": pa.array(columns["tolerance"], pa.float64()),
        "aliases": pa.array(columns["aliases"], strings),
        "prompt": prompt,
    }
    return pa.table([arrays[name] for name in COLUMNS], names=list(COLUMNS))


# -- writing --------------------------------------------------------------------------------------


def _check_out(out: Path, overwrite: bool) -> None:
    """Refuse before any work is done, so a long export never fails at the very end."""
    if not out.exists():
        return
    if not out.is_dir():
        raise PapergymError(f"{out} is a file; give the export a folder name.")
    if any(out.iterdir()):
        if not overwrite:
            raise OutputFolderTaken(out, earlier_export=True)
        if not (out / "export.json").is_file():
            raise OutputFolderTaken(out, earlier_export=False)


def _write_split(fmt: str, table: pyarrow.Table, staging: Path, name: str) -> list[Path]:
    """One split's data files (the hf format writes all splits at once in ``_write_hf``)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        path = staging / f"{name}.parquet"
        pq.write_table(table, path)
        return [path]
    path = staging / f"{name}.jsonl"
    dumps = json.dumps
    with path.open("w", encoding="utf-8") as handle:
        for batch in table.to_batches(max_chunksize=20_000):
            handle.write("".join(dumps(row, ensure_ascii=False) + "\n" for row in batch.to_pylist()))
    return [path]


def _write_hf(tables: dict[str, pyarrow.Table], staging: Path) -> list[Path]:
    from datasets import Dataset, DatasetDict
    from datasets.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    # Its progress bars would scribble over the command's own output; the caller reports progress.
    bars_were_on = not are_progress_bars_disabled()
    disable_progress_bars()
    try:
        DatasetDict({name: Dataset(table) for name, table in tables.items()}).save_to_disk(str(staging))
    finally:
        if bars_were_on:
            enable_progress_bars()
    return sorted(path for path in staging.rglob("*") if path.is_file())


def _data_files_pattern(fmt: str, name: str) -> str:
    return {"hf": f"{name}/*.arrow", "parquet": f"{name}.parquet", "jsonl": f"{name}.jsonl"}[fmt]


def _move_into_place(staging: Path, out: Path) -> None:
    """Swap the finished folder in: move an old export aside, rename the new one, then delete the old."""
    old = None
    if out.exists():
        if any(out.iterdir()):
            old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
            out.rename(old)
        else:
            out.rmdir()
    try:
        staging.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _counts(rows: _Rows, indices: dict[str, list[int]]) -> tuple[dict, dict, dict, dict]:
    disciplines, votes, papers, splits = {}, {}, {}, {}
    discipline_column, vote_column, paper_column = rows.columns["discipline"], rows.columns["voting_type"], rows.columns["paper_id"]
    for name, members in indices.items():
        splits[name] = len(members)
        disciplines[name] = dict(sorted(Counter(_discipline(discipline_column[i]) for i in members).items()))
        votes[name] = dict(sorted(Counter(vote_column[i] or "none" for i in members).items()))
        papers[name] = len({paper_column[i] for i in members if paper_column[i]})
    return splits, papers, disciplines, votes


def _card(report: ExportReport, settings: ExportSettings, created_at: str) -> str:
    from papergym import __version__

    written = [name for name, count in report.splits.items() if count]
    config = "\n".join(f"  - split: {name}\n    path: {json.dumps(_data_files_pattern(settings.format, name))}" for name in written)
    header = (
        "---\npretty_name: papergym science questions\nlanguage:\n- en\ntask_categories:\n- question-answering\n"
        "tags:\n- papergym\n- science\n- grpo\n- multiple-choice\n"
        f"configs:\n- config_name: default\n  data_files:\n{config}\n---\n"
    )
    split_names = list(report.splits)
    disciplines = sorted({name for counts in report.disciplines.values() for name in counts})
    lines = [
        "# papergym science questions",
        "",
        (
            f"{report.written} questions from {sum(report.papers.values())} papers, exported {created_at} by papergym {__version__} "
            "from a local paper library. Splits never share a paper."
        ),
        "",
        "## Splits",
        "",
        "| split | questions | papers |",
        "|---|---:|---:|",
        *(f"| {name} | {report.splits[name]} | {report.papers[name]} |" for name in split_names),
        "",
        "## Questions per discipline",
        "",
        f"| discipline | {' | '.join(split_names)} | total |",
        f"|---|{'---:|' * (len(split_names) + 1)}",
        *(
            f"| {name} | {' | '.join(str(report.disciplines[split].get(name, 0)) for split in split_names)} | "
            f"{sum(report.disciplines[split].get(name, 0) for split in split_names)} |"
            for name in disciplines
        ),
        "",
        "## Vote types",
        "",
        "WildSci's solver-voting classes (`none`: not voted).",
        "",
        f"| voting type | {' | '.join(split_names)} |",
        f"|---|{'---:|' * len(split_names)}",
        *(
            f"| {vote} | {' | '.join(str(report.vote_types[split].get(vote, 0)) for split in split_names)} |"
            for vote in sorted({vote for counts in report.vote_types.values() for vote in counts})
        ),
    ]
    if report.alignment:
        lines += [
            "",
            f"## Topic alignment (train split, alpha = {settings.align_alpha:g})",
            "",
            "Train questions were dropped (never repeated) so each discipline's share follows the target raised to alpha.",
            "",
            "| discipline | before | share | after | removed |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {name} | {row['before']} | {row['share']:.3f} | {row['after']} | {row['removed']} |"
                for name, row in report.alignment.items()
            ),
        ]
    lines += [
        "",
        "## Columns",
        "",
        (
            "`id`, `paper_id`, `discipline`, `subdomain`, `question`, `options` (list), `answer` (the ground truth: "
            "a letter for multiple choice, else the value), `rationale`, `voting_type`, `votes` (list), `kind` "
            "(mcq, numeric, exact), `unit`, `tolerance`, `aliases` (list), and `prompt`: a chat (system, user) "
            "ready for a GRPO trainer."
        ),
        "",
        f"## Prompt template `{PROMPT_VERSION}`",
        "",
        "```text",
        PROMPT_TEMPLATE["system"],
        "```",
        "",
        "## Settings",
        "",
        "```json",
        json.dumps(settings.as_dict(), indent=2, ensure_ascii=False),
        "```",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_from_disk" if settings.format == "hf" else "from datasets import load_dataset",
        f"dataset = load_from_disk({str(report.out)!r})" if settings.format == "hf" else f"dataset = load_dataset({str(report.out)!r})",
        "```",
        "",
    ]
    return header + "\n".join(lines)


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
    _check_out(out, settings.overwrite)
    weights = load_target(library, settings.target) if settings.align_alpha is not None else None
    step(0, "read")
    rows = _read_rows(library, settings)
    step(1, "split")
    indices = _assign(rows, settings)
    alignment = None
    if weights is not None and indices.get("train"):
        step(2, "align")
        indices["train"], alignment = _align(rows, indices["train"], settings, weights)
    splits, papers, disciplines, votes = _counts(rows, indices)
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
    )
    step(3, "write")
    # Rows laid out split after split, so each split is a zero-copy slice of one table.
    table = _table(_ordered(rows, [index for members in indices.values() for index in members]))
    tables, offset = {}, 0
    for name, members in indices.items():
        if members:
            tables[name] = table.slice(offset, len(members))
        offset += len(members)
    out.parent.mkdir(parents=True, exist_ok=True)
    # A plain mkdir (not mkdtemp's private 0700) so the finished folder gets the user's usual permissions.
    staging = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.partial"
    staging.mkdir()
    try:
        if settings.format == "hf":
            files = _write_hf(tables, staging)
        else:
            files = [path for name, split_table in tables.items() for path in _write_split(settings.format, split_table, staging, name)]
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        from papergym import __version__

        report.files = [str(out / path.relative_to(staging)) for path in files] + [str(out / "README.md"), str(out / "export.json")]
        (staging / "README.md").write_text(_card(report, settings, created_at), encoding="utf-8")
        manifest = {
            "papergym_version": __version__,
            "prompt_version": PROMPT_VERSION,
            "created_at": created_at,
            **{key: value for key, value in report.as_dict().items() if key not in ("seconds",)},
        }
        (staging / "export.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        step(4, "finish")
        _move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress("done", steps, steps)
    return report
