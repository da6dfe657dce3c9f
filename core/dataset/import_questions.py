"""Import questions from another dataset (WildSci-style JSON lines or Parquet) into the library.

Each row becomes a question with ``source = 'imported'`` and a content-hash id,
so importing the same file twice adds nothing. Rows that cannot be used are
skipped and counted by reason; the rest are stored a chunk at a time.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.core.dataset.json_text import TooDeeplyNested, parse_json
from papergym.core.errors import PapergymError
from papergym.core.ids import now
from papergym.core.questions.kinds import DEFAULT_RELATIVE_TOLERANCE, KINDS, LETTERS, Question, format_number, normalize
from papergym.core.questions.statuses import STATUSES, VOTE_TYPES

if TYPE_CHECKING:
    from papergym.core.library import Library

CHUNK_ROWS = 5000
EXAMPLES_KEPT = 5
EXTERNAL_PREFIX = "ext:"
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
PARQUET_SUFFIXES = (".parquet", ".pq")
_INSERT = (
    "INSERT OR IGNORE INTO questions (id, paper_id, kind, question, options, answer, aliases, unit, tolerance, "
    "rationale, status, created_at, discipline, subdomain, source, voting_type, votes) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class BadRow(ValueError):
    """A row that cannot become a question; the message is the reason, counted in the report."""


@dataclass
class ImportQuestionsReport:
    """What an import did: rows read, questions added, already present, and skipped by reason."""

    path: str
    rows: int = 0
    added: int = 0
    already_present: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)  # the first few skipped rows: "line 12: reason"
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)  # every skipped row: (line or row number, reason)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data["reasons"] = dict(self.reasons)
        return data


# -- reading ---------------------------------------------------------------------------


def _jsonl_rows(path: Path) -> Iterator[tuple[int, object]]:
    """(line number, parsed value) per non-empty line; a JSON array file gives its items."""
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(1024).lstrip()
        handle.seek(0)
        if head.startswith("["):
            try:
                items = parse_json(handle.read())
            except json.JSONDecodeError as error:
                raise PapergymError(f"{path} is not valid JSON ({error.msg} at line {error.lineno}); use JSON lines or Parquet.") from None
            except TooDeeplyNested as error:
                raise PapergymError(f"{path} cannot be read: {error}; use JSON lines or Parquet.") from None
            if not isinstance(items, list):
                raise PapergymError(f"{path} is not a JSON list of questions; use JSON lines or Parquet.")
            yield from enumerate(items, start=1)
            return
        first = True
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = parse_json(line)
            except TooDeeplyNested as error:
                yield number, BadRow(str(error))  # valid JSON as far as it goes: the next line still says what the file is
                continue
            except json.JSONDecodeError:
                if first:
                    raise PapergymError(
                        f"{path} is not a JSON lines file (line {number} is not JSON); use JSON lines or Parquet."
                    ) from None
                value = BadRow("the line is not valid JSON")
            if first and not isinstance(value, dict):
                raise PapergymError(
                    f"{path} is not a JSON lines file of objects (line {number} is not an object); use JSON lines or Parquet."
                )
            first = False
            yield number, value


def _parquet_rows(path: Path) -> Iterator[tuple[int, object]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:
        raise PapergymError(f"{path} is not a readable Parquet file ({str(error).splitlines()[0]}).") from None
    if "question" not in parquet.schema_arrow.names:
        raise PapergymError(f"{path} has no 'question' column; a question file needs question, options and answer.")
    number = 0
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS):
        for row in batch.to_pylist():
            number += 1
            yield number, row


def _rows(path: Path) -> Iterator[tuple[int, object]]:
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return _parquet_rows(path)
    if suffix in JSON_SUFFIXES:
        return _jsonl_rows(path)
    raise PapergymError(f"{path} is neither JSON lines (.jsonl) nor Parquet (.parquet); convert it to one of them.")


# -- one row -----------------------------------------------------------------------------


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise BadRow(f"'{name}' is not text")
    return _encodable(" ".join(str(value).split()), name)


def _encodable(text: str, name: str) -> str:
    """The text, if it can be stored as UTF-8: a JSON escape like \\ud800 gives half a character that SQLite refuses."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRow(f"'{name}' holds a lone surrogate (an escape like \\ud800 that is half a character)") from None
    return text


def _options(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # Some exports keep the options as a JSON string.
        try:
            value = parse_json(value)
        except json.JSONDecodeError:
            raise BadRow("'options' is neither a list nor letter-to-text pairs") from None
    if isinstance(value, dict):
        pairs = {str(key).strip().strip("().").upper(): text for key, text in value.items() if text is not None}
        if any(key not in LETTERS for key in pairs):
            raise BadRow("'options' has keys that are not letters A-J")
        letters = sorted(pairs)
        if letters != list(LETTERS[: len(letters)]):
            raise BadRow("'options' letters are not consecutive from A")
        value = [pairs[letter] for letter in letters]
    if not isinstance(value, list):
        raise BadRow("'options' is neither a list nor letter-to-text pairs")
    options = [_text(option, "options") for option in value]
    if any(not option for option in options):
        raise BadRow("an option is empty")
    return options


def _mcq_answer(value: object, options: list[str]) -> str:
    if isinstance(value, bool) or value is None:
        raise BadRow("the answer is missing")
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 0 <= int(value) < len(options):
            return LETTERS[int(value)]
        raise BadRow(f"the answer index {value} is outside the {len(options)} options")
    if not isinstance(value, str):
        raise BadRow("the answer is neither a letter, an index nor an option's text")
    letter = value.strip().strip("()[]. ").upper()
    if len(letter) == 1 and letter in LETTERS[: len(options)]:
        return letter
    wanted = normalize(value)
    matches = [index for index, option in enumerate(options) if normalize(option) == wanted]
    if len(matches) == 1:
        return LETTERS[matches[0]]
    index = value.strip()
    if index.isascii() and index.isdigit() and int(index) < len(options):  # "²" is a digit to isdigit() but no index
        return LETTERS[int(index)]
    raise BadRow(f"the answer {_clip(value)!r} is neither an option letter, an index nor an option's text")


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _string_list(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = parse_json(value)
        except json.JSONDecodeError:
            value = [value]
    if not isinstance(value, list):
        raise BadRow(f"'{name}' is not a list")
    return [_encodable(str(item), name) for item in value if item is not None]


def _voting_type(value: object) -> str | None:
    if value in (None, ""):
        return None
    name = re.sub(r"[\s-]+", "_", str(value).strip().lower())
    if name not in VOTE_TYPES:
        raise BadRow(f"voting_type {_clip(str(value))!r} is not one of {', '.join(VOTE_TYPES)}")
    return name


def _tolerance(value: object) -> float | None:
    if value in (None, ""):
        return None
    try:
        tolerance = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadRow("'tolerance' is not a number") from None
    if not math.isfinite(tolerance) or tolerance < 0:
        raise BadRow("'tolerance' must be a number of 0 or more")
    return tolerance


def row_to_question(row: object) -> tuple[Question, dict]:
    """A file row as a Question plus its extra fields; raises BadRow with the reason it is unusable."""
    try:
        return _row_to_question(row)
    except TooDeeplyNested as error:
        raise BadRow(str(error)) from None
    except RecursionError:
        raise BadRow("the row nests too deeply to read") from None


def _row_to_question(row: object) -> tuple[Question, dict]:
    if isinstance(row, BadRow):
        raise row
    if not isinstance(row, dict):
        raise BadRow("the row is not an object")
    if "question" not in row:
        raise BadRow("the row has no 'question'")
    text = _text(row["question"], "question")
    if not text:
        raise BadRow("the question is empty")
    options = _options(row.get("options"))
    kind = str(row.get("kind") or ("mcq" if options else "exact")).strip().lower()
    if kind not in KINDS:
        raise BadRow(f"kind {_clip(str(kind))!r} is not one of {', '.join(KINDS)}")
    answer = row.get("answer")
    unit = _text(row.get("unit"), "unit") or None
    tolerance = _tolerance(row.get("tolerance"))
    aliases = _string_list(row.get("aliases"), "aliases")
    if kind == "mcq":
        if not 2 <= len(options) <= len(LETTERS):
            raise BadRow(f"a multiple-choice question needs 2 to {len(LETTERS)} options")
        answer_text = _mcq_answer(answer, options)
    elif kind == "numeric":
        try:
            number = float(str(answer).replace(",", "")) if not isinstance(answer, bool) else math.nan
        except (TypeError, ValueError):
            raise BadRow("the answer of a numeric question is not a number") from None
        if not math.isfinite(number):
            raise BadRow("the answer of a numeric question is not a finite number")
        answer_text = format_number(number)
        if tolerance is None:
            tolerance = abs(number) * DEFAULT_RELATIVE_TOLERANCE or 1e-9
    else:
        answer_text = _text(answer, "answer")
        if not answer_text:
            raise BadRow("the answer is empty")
    question = Question(
        kind,
        text,
        answer_text,
        _text(row.get("rationale"), "rationale"),
        options=options if kind == "mcq" else [],
        aliases=aliases,
        unit=unit,
        tolerance=tolerance,
    )
    extra = {
        "paper_id": _text(row.get("paper_id"), "paper_id") or None,
        "discipline": _text(row.get("discipline"), "discipline") or None,
        "subdomain": _text(row.get("subdomain"), "subdomain") or None,
        "voting_type": _voting_type(row.get("voting_type")),
        "votes": _string_list(row.get("votes"), "votes") or None,  # an empty list means not voted, as NULL does
    }
    return question, extra


# -- storing ---------------------------------------------------------------------------------


def _existing(library: Library, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        found.update(row[0] for row in library.conn.execute(f"SELECT id FROM questions WHERE id IN ({','.join('?' * len(part))})", part))
    return found


def _store(library: Library, chunk: dict[str, tuple], report: ImportQuestionsReport) -> None:
    if not chunk:
        return
    with library.write() as db:
        existing = _existing(library, list(chunk))
        new_rows = [values for identifier, values in chunk.items() if identifier not in existing]
        db.conn.executemany(_INSERT, new_rows)
        db.conn.executemany(
            "INSERT INTO question_fts (question, options, question_id) VALUES (?, ?, ?)",
            [(values[3], " ".join(json.loads(values[4])), values[0]) for values in new_rows],
        )
    report.added += len(new_rows)
    report.already_present += len(chunk) - len(new_rows)


def import_questions(
    library: Library,
    path: Path | str,
    *,
    status: str = "draft",
    on_progress: Callable[[ImportQuestionsReport], None] | None = None,
) -> ImportQuestionsReport:
    """Store the usable rows of a JSON lines or Parquet question file; re-importing the same file adds nothing."""
    import time

    started = time.perf_counter()
    path = Path(path).expanduser()
    if status not in STATUSES:
        raise PapergymError(f"--status {status!r} is not one of {', '.join(STATUSES)}.")
    if not path.is_file():
        raise PapergymError(f"{path} does not exist or is not a file.")
    rows = _rows(path)
    papers = {
        identifier: (discipline, subdomain)
        for identifier, discipline, subdomain in library.conn.execute("SELECT id, discipline, subdomain FROM papers")
    }
    report = ImportQuestionsReport(path=str(path))
    created_at = now()
    chunk: dict[str, tuple] = {}
    saw_question = False
    for number, row in rows:
        report.rows += 1
        saw_question = saw_question or (isinstance(row, dict) and "question" in row)
        try:
            question, extra = row_to_question(row)
        except BadRow as error:
            report.skipped += 1
            report.reasons[str(error)] += 1
            report.skipped_rows.append((number, str(error)))
            if len(report.examples) < EXAMPLES_KEPT:
                label = "line" if path.suffix.lower() in JSON_SUFFIXES else "row"
                report.examples.append(f"{label} {number}: {error}")
            continue
        paper_id = extra["paper_id"]
        discipline, subdomain = extra["discipline"], extra["subdomain"]
        if paper_id and paper_id in papers:
            # A question about a paper in this library inherits its topic unless the file gives one.
            if not discipline:
                discipline, subdomain = papers[paper_id]
        elif paper_id and not paper_id.startswith(EXTERNAL_PREFIX):
            paper_id = EXTERNAL_PREFIX + paper_id
        identifier = question.content_id(paper_id or "")
        if identifier in chunk:
            report.already_present += 1
            continue
        chunk[identifier] = (
            identifier,
            paper_id,
            question.kind,
            question.question,
            json.dumps(question.options, ensure_ascii=False),
            question.answer,
            json.dumps(question.aliases, ensure_ascii=False),
            question.unit,
            question.tolerance,
            question.rationale,
            status,
            created_at,
            discipline,
            subdomain,
            "imported",
            extra["voting_type"],
            json.dumps(extra["votes"], ensure_ascii=False) if extra["votes"] is not None else None,
        )
        if len(chunk) >= CHUNK_ROWS:
            _store(library, chunk, report)
            chunk = {}
            if on_progress is not None:
                on_progress(report)
    if not saw_question:
        raise PapergymError(f"{path} has no 'question' field in any row; a question file needs question, options and answer.")
    _store(library, chunk, report)
    report.seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress(report)
    return report
