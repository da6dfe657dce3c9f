"""The questions an eval asks: a split of an exported dataset, local benchmark files, or a file of questions.

Benchmarks (GPQA csv, MMLU-Pro parquet/jsonl, SuperGPQA jsonl) are read by
``core.dataset.benchmarks``, question files by ``core.dataset.import_questions``;
every question is asked with the prompt training uses.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from papergym.core.dataset.json_text import parse_json
from papergym.core.dataset.prompt import PROMPT_VERSION, prompt_messages
from papergym.train.evaluation.errors import EvalError

_SPLIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass
class EvalQuestion:
    """One question to ask, in the shape ``core.grading.grade`` reads."""

    id: str
    kind: str  # mcq | numeric | exact
    question: str
    options: list[str]
    answer: str  # a letter (mcq), a number as text (numeric) or a term (exact)
    unit: str | None = None
    tolerance: float | None = None
    aliases: list[str] = field(default_factory=list)
    discipline: str | None = None

    def prompt(self) -> list[dict[str, str]]:
        return prompt_messages(self.question, self.kind, self.options, self.unit)

    def grading(self) -> dict:
        return {
            "kind": self.kind,
            "answer": self.answer,
            "options": self.options,
            "unit": self.unit,
            "tolerance": self.tolerance,
            "aliases": self.aliases,
        }


@dataclass
class EvalSet:
    """The questions of one eval and where they came from."""

    questions: list[EvalQuestion]
    dataset: str  # stored in evals.dataset: the split's name, or the file or folder evaluated
    description: str  # for people: "the validation split of /data/export (40 questions)"
    source_kind: str  # split | benchmark | questions
    available: int  # questions before --limit
    path: str | None = None  # the dataset folder (a split) or the file/folder
    skipped: dict[str, int] = field(default_factory=dict)  # unusable rows by reason

    @property
    def fingerprint(self) -> str:
        """A hash of exactly what is asked and the key, so two evals match only on the same questions."""
        digest = hashlib.sha256(PROMPT_VERSION.encode())
        for question in self.questions:
            digest.update(
                json.dumps(
                    [question.id, question.kind, question.question, question.options, question.answer, question.unit], ensure_ascii=False
                ).encode()
            )
        return digest.hexdigest()[:24]


def _limited(questions: list[EvalQuestion], limit: int | None) -> list[EvalQuestion]:
    """At most ``limit`` questions, picked by a hash of their ids (spread over the file, the same every time), in file order."""
    if limit is None or limit >= len(questions):
        return questions
    ranked = sorted(range(len(questions)), key=lambda index: hashlib.sha256(questions[index].id.encode()).hexdigest())
    keep = set(ranked[:limit])
    return [question for index, question in enumerate(questions) if index in keep]


def load_eval_set(on: str | Path, dataset: str | Path | None = None, limit: int | None = None) -> EvalSet:
    """The questions ``--on`` names: a split of the ``dataset`` export, or a benchmark/question file or folder."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise EvalError(f"--limit must be a whole number of 1 or more, not {limit!r}.")
    text = str(on)
    path = Path(text).expanduser()
    if path.exists():
        eval_set = _from_path(path.resolve())
    elif _SPLIT_NAME.fullmatch(text):
        eval_set = _from_split(text, dataset)
    else:
        raise EvalError(f"--on {text}: no such file or folder, and not a split name like validation or test.")
    eval_set.available = len(eval_set.questions)
    eval_set.questions = _limited(eval_set.questions, limit)
    if not eval_set.questions:
        raise EvalError(f"{eval_set.description} holds no question that can be graded.")
    return eval_set


def _from_split(split: str, dataset: str | Path | None) -> EvalSet:
    from papergym.train.config import LIBRARY_DATASET, TrainConfig
    from papergym.train.data import load_training_data

    if dataset is None or str(dataset) == LIBRARY_DATASET:
        raise EvalError(f"--on {split} needs --dataset DIR, a folder written by `papergym export`.")
    folder = Path(dataset).expanduser()
    if not folder.exists():
        raise EvalError(f"The dataset folder {folder} does not exist; export one with `papergym export OUT`.")
    data = load_training_data(TrainConfig(dataset=str(folder), split=split))
    questions = [
        EvalQuestion(
            id=row["id"],
            kind=row["kind"],
            question=row["question"],
            options=list(row["options"]),
            answer=row["answer"],
            unit=row.get("unit"),
            tolerance=row.get("tolerance"),
            aliases=list(row.get("aliases") or []),
            discipline=row.get("discipline"),
        )
        for row in data.rows
    ]
    return EvalSet(
        questions, split, f"the {split} split of {folder.resolve()}", "split", len(questions), str(folder.resolve()), dict(data.skipped)
    )


def _from_path(path: Path) -> EvalSet:
    from papergym.core.dataset.benchmarks import load_benchmark_file, load_benchmark_folder

    if path.is_dir():
        if (path / "dataset_dict.json").is_file():
            raise EvalError(f"{path} is an exported dataset; pass --on validation (or test) --dataset {path}.")
        items = load_benchmark_folder(path)
        return _benchmark_set(items, path)
    if not path.is_file():
        # A FIFO or a device would block the first read forever.
        raise EvalError(f"--on {path} is not a regular file (a pipe, socket or device); give a benchmark or question file.")
    if _is_benchmark_file(path):
        return _benchmark_set(load_benchmark_file(path), path)
    return _question_file_set(path)


def _first_columns(path: Path) -> set[str]:
    """The column names of a data file's first row (or its schema), to tell benchmarks from question files."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return set(pq.read_schema(path).names)
        except Exception:
            return set()
    if suffix in (".jsonl", ".json", ".ndjson"):
        try:
            with path.open(encoding="utf-8-sig") as handle:
                head = handle.read(1 << 16).lstrip()
            if head.startswith("["):
                records = parse_json(path.read_text(encoding="utf-8-sig"))
                return set(records[0]) if isinstance(records, list) and records and isinstance(records[0], dict) else set()
            first = parse_json(head.splitlines()[0]) if head else {}
            return set(first) if isinstance(first, dict) else set()
        except (OSError, ValueError, IndexError):
            return set()
    return set()


def _is_benchmark_file(path: Path) -> bool:
    from papergym.core.dataset.benchmarks import GPQA_COLUMNS, MMLU_PRO_COLUMNS, SUPERGPQA_COLUMNS

    if path.suffix.lower() == ".csv":
        return True
    columns = _first_columns(path)
    return any(set(required) <= columns for required in (GPQA_COLUMNS, MMLU_PRO_COLUMNS, SUPERGPQA_COLUMNS))


def _benchmark_set(items, path: Path) -> EvalSet:
    questions = [
        EvalQuestion(
            id=f"{item.source}:{item.item_id}",
            kind="mcq",
            question=item.question,
            options=list(item.options),
            answer=item.answer,
            discipline=item.discipline or item.source,
        )
        for item in items
    ]
    sources = sorted({item.source for item in items})
    return EvalSet(questions, str(path), f"{path} ({', '.join(sources)})", "benchmark", len(questions), str(path))


def _question_file_set(path: Path) -> EvalSet:
    """A JSON lines / JSON / Parquet file of WildSci-style questions (or rows of a papergym export)."""
    from papergym.core.dataset.import_questions import BadRow, row_to_question

    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".json", ".ndjson", ".parquet"):
        raise EvalError(f"{path} is not a question file; give a .jsonl, .json or .parquet file, a GPQA .csv, or a benchmark folder.")
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            rows = pq.read_table(path).to_pylist()
        else:
            text = path.read_text(encoding="utf-8-sig")
            if text.lstrip().startswith("["):
                rows = parse_json(text)
            else:
                rows = [parse_json(line) for line in text.splitlines() if line.strip()]
    except (OSError, ValueError) as error:
        raise EvalError(f"{path} cannot be read as questions ({str(error).splitlines()[0]}).") from None
    except Exception as error:
        raise EvalError(f"{path} is not a readable Parquet file ({str(error).splitlines()[0]}).") from None
    questions: list[EvalQuestion] = []
    skipped: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        try:
            question, extra = row_to_question(row)
        except BadRow as reason:
            skipped[str(reason)] = skipped.get(str(reason), 0) + 1
            continue
        given_id = row.get("id") if isinstance(row, dict) else None
        questions.append(
            EvalQuestion(
                id=str(given_id) if given_id not in (None, "") else question.content_id(extra.get("paper_id") or f"{path.name}:{number}"),
                kind=question.kind,
                question=question.question,
                options=list(question.options),
                answer=question.answer,
                unit=question.unit,
                tolerance=question.tolerance,
                aliases=list(question.aliases),
                discipline=extra.get("discipline"),
            )
        )
    if not questions and skipped:
        reasons = "; ".join(f"{count} {reason}" for reason, count in list(skipped.items())[:3])
        raise EvalError(f"No row of {path} is a usable question ({reasons}).")
    return EvalSet(questions, str(path), str(path), "questions", len(questions), str(path), skipped)
