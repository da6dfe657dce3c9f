"""Local benchmark files (GPQA, MMLU-Pro, SuperGPQA) read into one shape, for decontamination.

The format is told by the file's extension (how to read rows) and by the columns
its rows carry (which benchmark it is), never by the file's name: users rename
downloads, and Hugging Face names them ``test-00000-of-00001.parquet``.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from papergym.core.dataset.json_text import TooDeeplyNested, parse_json
from papergym.core.errors import PapergymError
from papergym.core.questions.kinds import LETTERS, normalize

BENCHMARK_SUFFIXES = (".csv", ".jsonl", ".json", ".parquet")
GPQA_INCORRECT = ("Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")
GPQA_COLUMNS = ("Question", "Correct Answer", *GPQA_INCORRECT)
MMLU_PRO_COLUMNS = ("question_id", "question", "options")
SUPERGPQA_COLUMNS = ("uuid", "question", "options")
EXPECTED = (
    "expected GPQA (csv: Question, Correct Answer, Incorrect Answer 1-3), "
    "MMLU-Pro (parquet/jsonl: question_id, question, options, answer) "
    "or SuperGPQA (jsonl: uuid, question, options, answer_letter) columns"
)


class BenchmarkError(PapergymError):
    """A benchmark file or folder that cannot be read; the message names the file and the fault."""


@dataclass(frozen=True)
class BenchmarkItem:
    """One benchmark question with lettered options and the letter of the correct one."""

    source: str
    item_id: str
    question: str
    options: list[str]
    answer: str
    discipline: str | None
    file: str


def load_benchmark_folder(folder: str | Path) -> list[BenchmarkItem]:
    """Every benchmark item in the folder's .csv, .jsonl, .json and .parquet files, recursively, in path order."""
    folder = Path(folder)
    if not folder.exists():
        raise BenchmarkError(f"The benchmark folder {folder} does not exist; check the path.")
    if not folder.is_dir():
        raise BenchmarkError(f"{folder} is a file, not a folder; give the folder that holds the benchmark files.")
    paths = sorted(
        path
        for path in folder.rglob("*")
        # Hidden folders hold tool caches (Hugging Face keeps .cache/huggingface beside downloads), not benchmarks.
        if path.is_file() and path.suffix.lower() in BENCHMARK_SUFFIXES and not _hidden(path.relative_to(folder))
    )
    if not paths:
        raise BenchmarkError(f"The benchmark folder {folder} holds no .csv, .jsonl, .json or .parquet files.")
    items: list[BenchmarkItem] = []
    for path in paths:
        items.extend(_load(path, label=path.relative_to(folder).as_posix()))
    return items


def load_benchmark_file(path: str | Path) -> list[BenchmarkItem]:
    """The items of one GPQA csv, MMLU-Pro parquet/jsonl or SuperGPQA jsonl file."""
    path = Path(path)
    if path.is_dir():
        raise BenchmarkError(f"{path} is a folder, not a benchmark file; give a .csv, .jsonl, .json or .parquet file.")
    if not path.is_file():
        raise BenchmarkError(f"The benchmark file {path} does not exist; check the path.")
    return _load(path, label=path.name)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _load(path: Path, label: str) -> list[BenchmarkItem]:
    suffix = path.suffix.lower()
    if suffix not in BENCHMARK_SUFFIXES:
        raise BenchmarkError(f"{label} is not a benchmark file; expected .csv, .jsonl, .json or .parquet.")
    try:
        rows = list(_read_rows(path, label, suffix))
    except UnicodeDecodeError:
        raise BenchmarkError(f"{label} is not UTF-8 text; save it as UTF-8 and try again.") from None
    except OSError as error:
        raise BenchmarkError(f"{label} cannot be read ({error.strerror or error}).") from None
    if not rows:
        raise BenchmarkError(f"{label} holds no questions.")
    # A csv's columns live in its header line; a JSON line or parquet row carries its own.
    first_row_at = "line 1" if suffix == ".csv" else rows[0][0]
    parse = _parser_for(rows[0][1].keys(), f"{label} {first_row_at}", suffix)
    return [parse(row, f"{label} {where}", str(path)) for where, row in rows]


def _parser_for(columns, where: str, suffix: str):
    """The row parser for the benchmark that the first row's columns describe."""
    present = set(columns)
    if "Question" in present or suffix == ".csv":
        missing = [column for column in GPQA_COLUMNS if column not in present]
        if missing:
            names = ", ".join(f"'{column}'" for column in missing)
            raise BenchmarkError(f"{where}: no {names} column; {EXPECTED}.")
        return _gpqa_item
    if all(column in present for column in SUPERGPQA_COLUMNS):
        return _supergpqa_item
    if all(column in present for column in MMLU_PRO_COLUMNS):
        return _mmlu_pro_item
    shown = ", ".join(sorted(str(column) for column in present)[:8]) or "none"
    raise BenchmarkError(f"{where}: unknown columns ({shown}); {EXPECTED}.")


def _read_rows(path: Path, label: str, suffix: str) -> Iterator[tuple[str, dict]]:
    """(where, row) pairs; ``where`` is "line N", "record N" or "row N", as a user would look the row up."""
    if suffix == ".csv":
        yield from _csv_rows(path, label)
    elif suffix == ".parquet":
        yield from _parquet_rows(path, label)
    else:
        yield from _json_rows(path, label)


def _csv_rows(path: Path, label: str) -> Iterator[tuple[str, dict]]:
    # utf-8-sig: spreadsheet exports start with a byte-order mark that would otherwise stick to the first header.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames:
            # GPQA's own headers are clean, but re-saved copies pick up stray spaces.
            reader.fieldnames = [name.strip() for name in reader.fieldnames]
        line = reader.line_num + 1
        try:
            for row in reader:
                # A quoted cell may span lines; the row starts after the line the previous one ended on.
                yield f"line {line}", row
                line = reader.line_num + 1
        except csv.Error as error:
            raise BenchmarkError(f"{label} line {line}: not valid csv ({error}).") from None


def _json_rows(path: Path, label: str) -> Iterator[tuple[str, dict]]:
    text = path.read_text(encoding="utf-8-sig")
    records = None
    if text.lstrip().startswith(("[", "{")):
        # A whole-file JSON list, or a lone object such as a dataset card's metadata, rather than JSON lines;
        # a JSON-lines file fails this parse at its second line, cheaply, and is read line by line below.
        try:
            records = parse_json(text)
        except json.JSONDecodeError as error:
            if text.lstrip().startswith("["):
                raise BenchmarkError(f"{label} line {error.lineno}: not valid JSON ({error.msg}).") from None
        except TooDeeplyNested as error:
            if text.lstrip().startswith("["):
                raise BenchmarkError(f"{label}: {error}; a benchmark file holds one flat question per record.") from None
    if isinstance(records, dict):
        yield "line 1", records  # a one-line JSON-lines file, or a lone object that starts there
        return
    if records is not None:
        for number, record in enumerate(records, start=1):
            yield f"record {number}", _object(record, label, f"record {number}")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = parse_json(line)
        except json.JSONDecodeError as error:
            raise BenchmarkError(f"{label} line {number}: not valid JSON ({error.msg} at column {error.colno}).") from None
        except TooDeeplyNested as error:
            raise BenchmarkError(f"{label} line {number}: {error}; a benchmark file holds one flat question per line.") from None
        yield f"line {number}", _object(record, label, f"line {number}")


def _object(record: object, label: str, where: str) -> dict:
    if not isinstance(record, dict):
        raise BenchmarkError(f"{label} {where}: a question must be a JSON object, not {type(record).__name__}.")
    return record


def _parquet_rows(path: Path, label: str) -> Iterator[tuple[str, dict]]:
    import pyarrow  # lazily: pyarrow takes a noticeable time to import and most runs never read parquet
    import pyarrow.parquet

    try:
        records = pyarrow.parquet.read_table(path).to_pylist()
    except (pyarrow.ArrowException, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BenchmarkError(f"{label} is not a readable parquet file ({reason}).") from None
    for number, record in enumerate(records, start=1):
        yield f"row {number}", record


def _field(row: dict, name: str, where: str) -> str:
    value = row.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BenchmarkError(f"{where}: '{name}' is missing or empty.")
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _optional(row: dict, *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _options(row: dict, where: str) -> list[str]:
    options = row.get("options")
    if isinstance(options, str):
        try:
            options = parse_json(options)
        except ValueError:
            raise BenchmarkError(f"{where}: 'options' is text, not a list.") from None
    if not isinstance(options, (list, tuple)) or not options:
        raise BenchmarkError(f"{where}: 'options' is not a list of answers.")
    if len(options) > len(LETTERS):
        raise BenchmarkError(f"{where}: {len(options)} options, more than the {len(LETTERS)} letters A-J can name.")
    return [" ".join(str(option).split()) for option in options]


def _letter(value: object, options: list[str], where: str, name: str) -> str:
    letter = str(value).strip().strip("() .").upper()
    if letter not in LETTERS[: len(options)]:
        raise BenchmarkError(f"{where}: the {name} {value!r} is not one of the option letters A-{LETTERS[len(options) - 1]}.")
    return letter


def _gpqa_item(row: dict, where: str, file: str) -> BenchmarkItem:
    question = _field(row, "Question", where)
    correct = _field(row, "Correct Answer", where)
    options = [correct, *(_field(row, column, where) for column in GPQA_INCORRECT)]
    record_id = _optional(row, "Record ID")
    # GPQA lists the correct answer first; a fixed per-record shuffle spreads the key over A-D
    # the same way on every load, so reports and indexes do not change from run to run.
    random.Random(f"gpqa:{record_id or question}").shuffle(options)
    return BenchmarkItem(
        source="gpqa",
        item_id=record_id or where,
        question=question,
        options=options,
        answer=LETTERS[options.index(correct)],
        discipline=_optional(row, "Subdomain", "High-level domain"),
        file=file,
    )


def _mmlu_pro_item(row: dict, where: str, file: str) -> BenchmarkItem:
    options = _options(row, where)
    answer = row.get("answer")
    index = row.get("answer_index")
    if answer is None or str(answer).strip() == "":
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(options):
            raise BenchmarkError(f"{where}: no 'answer' letter and no usable 'answer_index'.")
        letter = LETTERS[index]
    else:
        letter = _letter(answer, options, where, "answer")
        if isinstance(index, int) and not isinstance(index, bool) and LETTERS.find(letter) != index:
            raise BenchmarkError(f"{where}: the answer {letter} disagrees with answer_index {index}.")
    return BenchmarkItem(
        source="mmlu-pro",
        item_id=_field(row, "question_id", where),
        question=_field(row, "question", where),
        options=options,
        answer=letter,
        discipline=_optional(row, "category"),
        file=file,
    )


def _supergpqa_item(row: dict, where: str, file: str) -> BenchmarkItem:
    options = _options(row, where)
    if _optional(row, "answer_letter"):
        letter = _letter(row["answer_letter"], options, where, "answer_letter")
    else:
        # Older SuperGPQA dumps carry only the answer's text.
        answer_text = normalize(str(row.get("answer") or ""))
        matches = [position for position, option in enumerate(options) if normalize(option) == answer_text]
        if not answer_text or not matches:
            raise BenchmarkError(f"{where}: no 'answer_letter', and the answer {row.get('answer')!r} matches none of the options.")
        letter = LETTERS[matches[0]]
    return BenchmarkItem(
        source="supergpqa",
        item_id=_field(row, "uuid", where),
        question=_field(row, "question", where),
        options=options,
        answer=letter,
        discipline=_optional(row, "discipline"),
        file=file,
    )
