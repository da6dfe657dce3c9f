"""The paper library: one folder holding a SQLite database and the imported PDFs.

The database is opened in WAL mode with a busy timeout so that the app, the
command line and a training process can share it; every write runs in a
``BEGIN IMMEDIATE`` transaction so a writer never fails half-way on a lock.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple

from papergym.core.errors import InvalidField, LibraryError, PaperNotFound
from papergym.core.ids import now, resolve_prefix
from papergym.core.ingest.safe_text import safe_field, safe_text
from papergym.core.ingest.same_paper import MATCH_NAMES, paper_keys

if TYPE_CHECKING:
    import sqlite_utils

DB_NAME = "library.db"
PDF_DIR = "pdfs"
ENV_HOME = "PAPERGYM_HOME"
SHORT_ID = 12
BUSY_TIMEOUT_MS = 30_000


def _import_sqlite_utils() -> ModuleType:
    """sqlite-utils, imported without pandas when nothing has imported pandas yet.

    sqlite-utils imports pandas (and with it pyarrow) only to store a
    ``pandas.Timestamp`` as TEXT; the library never stores one, and the
    import costs 0.4-0.6 s of every command that writes (measured on 2 cores).
    """
    if "sqlite_utils" not in sys.modules and "pandas" not in sys.modules:
        sys.modules["pandas"] = None  # type: ignore[assignment]  # an import of pandas now raises ImportError
        try:
            import sqlite_utils
        finally:
            del sys.modules["pandas"]
    import sqlite_utils

    return sqlite_utils


def default_library_dir() -> Path:
    """The library folder: ``$PAPERGYM_HOME`` if set, else the user's data directory."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("papergym", appauthor=False)) / "library"


# Migrations are append-only: never edit one that has shipped, add the next.
def _m001_papers(db: sqlite_utils.Database) -> None:
    db["papers"].create(
        {
            "id": str,  # SHA-256 of the file's bytes
            "status": str,  # ok | no_text | failed
            "reason": str,
            "filename": str,
            "source_path": str,
            "stored_path": str,
            "size_bytes": int,
            "title": str,
            "authors": str,  # JSON list
            "year": int,
            "doi": str,
            "abstract": str,
            "pages": int,
            "chars": int,
            "imported_at": str,
        },
        pk="id",
        not_null={"status"},
    )
    db["papers"].create_index(["status"])
    db["papers"].create_index(["doi"])
    db["sections"].create(
        {
            "paper_id": str,
            "ordinal": int,
            "kind": str,
            "heading": str,
            "text": str,
            "chars": int,
        },
        pk=("paper_id", "ordinal"),
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.execute(
        "CREATE VIRTUAL TABLE paper_fts USING fts5("
        "title, authors, abstract, body, paper_id UNINDEXED, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )


def _m002_generation(db: sqlite_utils.Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["models"].create(
        {
            "name": str,
            "path": str,
            "size_bytes": int,
            "architecture": str,
            "quantization": str,
            "context_length": int,
            "chat_template": int,  # 1 if the GGUF carries a chat template
            "added_at": str,
        },
        pk="name",
    )
    db["jobs"].create(
        {
            "id": str,  # content hash of the work and its settings: the same work is never queued twice
            "kind": str,  # generate | refine | ...
            "paper_id": str,
            "payload": str,  # JSON: what the job needs
            "status": str,  # pending | done | failed
            "attempts": int,
            "error": str,
            "result_count": int,
            "prompt_tokens": int,
            "completion_tokens": int,
            "seconds": float,
            "updated_at": str,
        },
        pk="id",
        not_null={"status"},
        defaults={"attempts": 0, "result_count": 0, "status": "pending"},
    )
    db["jobs"].create_index(["kind", "status"])
    db["jobs"].create_index(["paper_id"])
    db["questions"].create(
        {
            "id": str,  # content hash of paper, kind, question, options and answer
            "paper_id": str,
            "job_id": str,
            "kind": str,  # mcq | numeric | exact
            "question": str,
            "options": str,  # JSON list (mcq)
            "answer": str,  # letter (mcq), number as text (numeric), term (exact)
            "aliases": str,  # JSON list (exact)
            "unit": str,
            "tolerance": float,
            "rationale": str,
            "source_section": str,
            "status": str,  # draft | accepted | rejected | ...
            "model": str,
            "prompt_version": str,
            "created_at": str,
        },
        pk="id",
        not_null={"status", "kind", "question"},
    )
    db["questions"].create_index(["paper_id"])
    db["questions"].create_index(["status"])
    db.execute(
        "CREATE VIRTUAL TABLE question_fts USING fts5("
        "question, options, question_id UNINDEXED, tokenize='porter unicode61 remove_diacritics 2')"
    )


def _m003_quality(db: sqlite_utils.Database) -> None:
    # Topic labels: a paper's come from the classifier; a question inherits its paper's,
    # or keeps its own when it was imported from another dataset (it has no paper here).
    for table in ("papers", "questions"):
        db[table].add_column("discipline", str)
        db[table].add_column("subdomain", str)
    db["papers"].add_column("topic_source", str)  # llm | keyword | manual
    db["questions"].add_column("source", str)  # generated | imported
    db["questions"].add_column("voting_type", str)  # all_aligned | majority_aligned | ... (WildSci)
    db["questions"].add_column("votes", str)  # JSON list of the solvers' answers
    db["questions"].add_column("score", float)  # judge score P(yes) - P(no)
    db["questions"].add_column("rank_score", float)  # reviewer-trained classifier's P(accept)
    db["questions"].add_column("review_reason", str)
    db["questions"].add_column("reviewed_at", str)
    db["questions"].create_index(["discipline"])
    db["questions"].create_index(["voting_type"])
    db["papers"].create_index(["discipline"])
    # One row per question and quality step: what the step decided, why, and its numbers.
    db["checks"].create(
        {
            "question_id": str,
            "step": str,  # validate | dedup | decontam | vote | rationale | score | rank
            "status": str,  # pass | flag | drop
            "reasons": str,  # JSON list of one-line reasons
            "scores": str,  # JSON object of numbers
            "detail": str,  # JSON: what the step needs to explain itself (votes, matches, ...)
            "config": str,  # hash of the step's settings: a changed setting re-runs the step
            "updated_at": str,
        },
        pk=("question_id", "step"),
        not_null={"status"},
    )
    db["checks"].create_index(["step", "status"])


def _m004_training(db: sqlite_utils.Database) -> None:
    db["runs"].create(
        {
            "id": str,  # run-YYYYMMDD-HHMMSS-xxxx
            "status": str,  # starting | waiting (in the GPU queue) | running | stopped | finished | failed
            "backend": str,  # unsloth | trl
            "base_model": str,
            "dataset": str,  # a folder, or "library"
            "config": str,  # JSON: every setting of the run
            "output_dir": str,  # checkpoints and the final adapter
            "adapter_path": str,
            "pid": int,
            "step": int,  # last logged step
            "max_steps": int,
            "error": str,
            "started_at": str,
            "updated_at": str,
            "ended_at": str,
        },
        pk="id",
        not_null={"status"},
    )
    # One row per logged value: a chart reads one metric's curve with one indexed query.
    db["metrics"].create({"run_id": str, "step": int, "name": str, "value": float, "logged_at": str}, pk=("run_id", "name", "step"))
    db["samples"].create(
        {"run_id": str, "step": int, "ordinal": int, "prompt": str, "completion": str, "answer": str, "rewards": str},
        pk=("run_id", "step", "ordinal"),
    )
    db["evals"].create(
        {
            "id": str,
            "run_id": str,  # the adapter's run, or NULL for a base model
            "model": str,
            "adapter": str,
            "dataset": str,  # validation | test | a file
            "questions": int,
            "accuracy": float,
            "extractable": float,
            "mean_length": float,
            "per_discipline": str,  # JSON {discipline: {questions, accuracy}}
            "config": str,
            "created_at": str,
        },
        pk="id",
    )
    db["evals"].create_index(["run_id"])


def _m005_learnability(db: sqlite_utils.Database) -> None:
    # One row per question and measuring model: a pass rate belongs to the model that will be trained.
    db["learnability"].create(
        {
            "question_id": str,
            "model": str,
            "mode": str,  # sample | logprob
            "samples": int,  # k
            "temperature": float,
            "passes": float,  # expected count in logprob mode
            "pass_rate": float,
            "chance": float,  # 1/options for multiple choice, 0 otherwise
            "skill": float,  # (pass_rate - chance) / (1 - chance), clipped to 0..1
            "measured_at": str,
        },
        pk=("question_id", "model"),
    )
    db["learnability"].create_index(["question_id", "measured_at"])


def _m006_provenance_and_duplicates(db: sqlite_utils.Database) -> None:
    db["papers"].add_column("journal", str)
    # JSON {field: source}: where each metadata field came from ("layout", "info", "xmp", "doi-pattern",
    # "text", ...); "user" marks a field the user fixed, which a re-import never overwrites.
    db["papers"].add_column("field_sources", str)
    db["papers"].add_column("duplicate_of", str)  # the id of the first file of the same paper
    db["papers"].add_column("duplicate_match", str)  # doi | title: what the two files share
    db["papers"].create_index(["duplicate_of"])
    # Every key a paper can be found again under (DOI, folded title and first author): the same
    # paper in other bytes shares one.
    db["paper_keys"].create({"key": str, "paper_id": str}, pk=("key", "paper_id"))
    db["paper_keys"].create_index(["paper_id"])


def _m007_job_claims(db: sqlite_utils.Database) -> None:
    # Which generate run is doing a queued window, and since when: two runs at once never do the same window.
    db["jobs"].add_column("claimed_by", str)
    db["jobs"].add_column("claimed_at", str)
    # Questions that an earlier version stored for a window whose paper was removed meanwhile: no paper,
    # so `remove` could not reach them and export still wrote them.
    orphans = (
        "SELECT id FROM questions WHERE paper_id IS NOT NULL AND paper_id NOT LIKE 'ext:%' AND paper_id NOT IN (SELECT id FROM papers)"
    )
    db.execute(f"DELETE FROM question_fts WHERE question_id IN ({orphans})")
    db.execute(f"DELETE FROM checks WHERE question_id IN ({orphans})")
    db.execute(f"DELETE FROM questions WHERE id IN ({orphans})")


# A question no person has decided on takes its status from its check rows: dropped if any step dropped it,
# flagged if any flagged it, passed if any judged it, else draft.
_STATUS_FROM_CHECKS = """UPDATE questions SET status = CASE
    WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = questions.id AND c.status = 'drop') THEN 'dropped'
    WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = questions.id AND c.status = 'flag') THEN 'flagged'
    WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = questions.id) THEN 'passed'
    ELSE 'draft' END
WHERE status IN ('draft', 'passed', 'flagged', 'dropped')"""


def _m008_status_follows_checks(db: sqlite_utils.Database) -> None:
    # The status changes in the same transaction as each verdict, so a check stopped by Ctrl-C or kill -9
    # never leaves a question whose status disagrees with its stored verdicts.
    for event, ids in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
        for row in ids:
            db.execute(
                f"CREATE TRIGGER checks_{event.lower()}_{row.lower()}_sets_status AFTER {event} ON checks BEGIN "
                f"{_STATUS_FROM_CHECKS} AND id = {row}.question_id; END"
            )
    db.execute(_STATUS_FROM_CHECKS)  # statuses a stopped check left stale before this version


def _m009_evidence(db: sqlite_utils.Database) -> None:
    # The verbatim quotes a generated question's key rests on: a JSON list of {quote, start, end},
    # character offsets into the window the question was written from (prompt gen-2 and later).
    db["questions"].add_column("evidence", str)


def _m010_runs_wait_for_gpu(db: sqlite_utils.Database) -> None:
    # While a run's status is 'waiting', the job holding the GPU as core.gpu_lease.held_by words it, so the
    # app and `papergym runs` can say why step 0 does not move; NULL otherwise and for every earlier run.
    db["runs"].add_column("waiting_for", str)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_papers,
    _m002_generation,
    _m003_quality,
    _m004_training,
    _m005_learnability,
    _m006_provenance_and_duplicates,
    _m007_job_claims,
    _m008_status_follows_checks,
    _m009_evidence,
    _m010_runs_wait_for_gpu,
]

PAPER_COLUMNS = (
    "id, status, reason, filename, source_path, stored_path, size_bytes, title, authors, year, doi, journal, pages, chars, imported_at,"
    " field_sources, duplicate_of, duplicate_match"
)
# The metadata a user can fix, and that a re-import then leaves alone.
EDITABLE_FIELDS = ("title", "authors", "year", "doi", "journal", "abstract")
USER_SOURCE = "user"
FILENAME_SOURCE = "filename"  # no title was found, so the file's name stands in
_DOI_FORM = re.compile(r"10\.\d{4,9}/\S+")
_FIRST_YEAR, _LAST_YEAR = 1000, 2100


@dataclass
class SectionRecord:
    """One section of a paper as stored in the library."""

    kind: str
    heading: str
    text: str


@dataclass
class PaperRecord:
    """What the library keeps about one imported file."""

    id: str
    status: str
    filename: str
    source_path: str
    size_bytes: int
    pages: int | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    doi: str | None = None
    abstract: str = ""
    reason: str | None = None
    sections: list[SectionRecord] = field(default_factory=list)
    journal: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> where its value came from
    duplicate_of: str | None = None  # set by the library when another file of the same paper came first
    duplicate_match: str | None = None


@dataclass
class SearchHit:
    """One paper matching a full-text query, best first."""

    paper_id: str
    title: str | None
    year: int | None
    score: float
    snippet: str


class PaperListing(NamedTuple):
    """One line of a list of every paper: what a table of papers shows, and nothing it does not (no authors, no text)."""

    id: str
    title: str | None
    filename: str | None
    year: int | None
    status: str
    reason: str | None  # why a failed or textless paper cannot be used
    pages: int | None
    discipline: str | None
    duplicate_of: str | None  # the id of the first file of the same paper
    questions: int  # how many questions were written from the paper


# A tuple per row and no JSON: the listing of ten thousand papers must take a fraction of a second.
_LISTING_SQL = """
    SELECT p.id, p.title, p.filename, p.year, p.status, p.reason, p.pages, p.discipline, p.duplicate_of,
           (SELECT count(*) FROM questions q WHERE q.paper_id = p.id)
    FROM papers p ORDER BY p.imported_at DESC, p.rowid DESC
"""


def _row_to_paper(row: dict) -> dict:
    paper = dict(row)
    paper["authors"] = json.loads(paper["authors"]) if paper.get("authors") else []
    if "field_sources" in paper:
        stored_sources = paper.pop("field_sources")
        paper["sources"] = json.loads(stored_sources) if stored_sources else {}
    return paper


def duplicate_label(paper: dict) -> str | None:
    """ "duplicate of 3f2a9c01b2c4 (same DOI)" for a paper that repeats another, else None."""
    if not paper.get("duplicate_of"):
        return None
    match = MATCH_NAMES.get(paper.get("duplicate_match") or "", "")
    return f"duplicate of {paper['duplicate_of'][:SHORT_ID]}" + (f" ({match})" if match else "")


def _made_safe(paper: PaperRecord) -> PaperRecord:
    """The record with every text field safe to store (see safe_text); authors that are only noise go."""
    from dataclasses import replace

    authors = [name for name in (safe_field(author) for author in paper.authors) if name]
    return replace(
        paper,
        filename=safe_field(paper.filename) or "unnamed.pdf",
        source_path=safe_field(paper.source_path) or "",
        title=safe_field(paper.title),
        authors=authors,
        doi=safe_field(paper.doi),
        journal=safe_field(paper.journal),
        abstract=safe_text(paper.abstract),
        reason=safe_field(paper.reason),
        sections=[SectionRecord(safe_field(s.kind) or "body", safe_field(s.heading) or "", safe_text(s.text)) for s in paper.sections],
    )


def _linking_title(paper: PaperRecord) -> str | None:
    """The title that may link this paper to another: never one that is only the file's name."""
    return None if paper.sources.get("title") == FILENAME_SOURCE else paper.title


def _checked_edit(name: str, value: object) -> object:
    """A user's new value for one field, made safe, or InvalidField naming the option."""
    if name not in EDITABLE_FIELDS:
        raise InvalidField(f"{name!r} is not a field you can edit; choose from {', '.join(EDITABLE_FIELDS)}.")
    if name == "authors":
        names = value if isinstance(value, list) else str(value or "").split(";")
        return [clean for clean in (safe_field(str(author)) for author in names) if clean]
    if name == "abstract":
        return safe_text(str(value or "")).strip()
    if name == "year":
        if value in (None, ""):
            return None
        try:
            year = int(str(value).strip())
        except ValueError:
            raise InvalidField(f"The year must be a year such as 2021, not {value!r}.") from None
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise InvalidField(f"The year {year} is out of range ({_FIRST_YEAR} to {_LAST_YEAR}).")
        return year
    text = safe_field(str(value)) if value not in (None, "") else None
    if name == "title" and not text:
        raise InvalidField("The title cannot be empty; give the paper's title.")
    if name == "doi" and text:
        text = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", text, flags=re.IGNORECASE)
        if not _DOI_FORM.fullmatch(text):
            raise InvalidField(f"{text!r} is not a DOI; a DOI looks like 10.1234/abc.5678.")
    return text


# SQLite's FTS5 ranking and snippets cost grows with the square of the query's terms (a pasted
# page of 4,000 words took 34 s); the first distinct words of a query already pick its papers.
MAX_QUERY_WORDS = 64


def _distinct_words(text: str) -> list[str]:
    return list(dict.fromkeys(word.lower() for word in re.findall(r"\w+", text, flags=re.UNICODE)))


def query_word_count(text: str) -> int:
    """How many different words a search query has; past MAX_QUERY_WORDS the rest are not searched."""
    return len(_distinct_words(text))


def _query_words(text: str) -> list[str]:
    """The query's distinct words in order, at most MAX_QUERY_WORDS of them."""
    return _distinct_words(text)[:MAX_QUERY_WORDS]


def _fts_query(text: str) -> str:
    """Quote every word so user input like ``state-of-the-art`` or ``C++`` is never FTS syntax."""
    return " ".join(f'"{word}"' for word in _query_words(text))


def _looks_like_fts_syntax(text: str) -> bool:
    """Whether the user seems to be writing FTS5 syntax on purpose (phrases, OR, NOT, prefix*)."""
    return bool(re.search(r'"|\*|\b(OR|NOT|AND|NEAR)\b', text))


class Library:
    """A library folder: ``library.db`` plus ``pdfs/<sha256>.pdf``."""

    def __init__(self, folder: Path | str | None = None, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.folder = Path(folder).expanduser() if folder else default_library_dir()
        self.db_path = self.folder / DB_NAME
        # A library on read-only media, or one the user may only read, can still be listed and searched.
        self.read_only = self.db_path.is_file() and not (os.access(self.db_path, os.W_OK) and os.access(self.folder, os.W_OK))
        if not self.read_only:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / PDF_DIR).mkdir(exist_ok=True)
            except OSError as error:
                raise LibraryError(
                    f"Cannot create the library folder {self.folder} ({error.strerror}); choose another with --library or PAPERGYM_HOME."
                ) from None
        self._db: sqlite_utils.Database | None = None
        try:
            self.conn = self._connect(busy_timeout_ms)
            self._refuse_foreign_database()
            if not self.read_only:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if self.schema_version != len(MIGRATIONS):
                if self.read_only:
                    raise LibraryError(
                        f"{self.db_path} needs an upgrade to this papergym's schema, but the library is read-only; "
                        "make the folder writable once, or use the papergym that wrote it."
                    )
                self._migrate()
        except sqlite3.DatabaseError as error:
            raise LibraryError(
                f"{self.db_path} is not a usable papergym library ({error}); point --library at another folder or restore it from a backup."
            ) from None

    def _connect(self, busy_timeout_ms: int) -> sqlite3.Connection:
        """A connection to the database: read-write, else read-only, and immutable when not even SQLite's lock files can be made."""
        if not self.read_only:
            conn = sqlite3.connect(self.db_path, timeout=busy_timeout_ms / 1000, check_same_thread=False)
        else:
            # WAL readers need -shm and -wal files beside the database; when they are not there and
            # cannot be made, the database is read as an immutable file (no one can be writing it there).
            wal_files = all(self.db_path.with_name(DB_NAME + suffix).is_file() for suffix in ("-shm", "-wal"))
            immutable = "&immutable=1" if not wal_files and not os.access(self.folder, os.W_OK) else ""
            uri = f"{self.db_path.resolve().as_uri()}?mode=ro{immutable}"
            conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        return conn

    def _refuse_foreign_database(self) -> None:
        """Stop before touching a SQLite file that another program wrote: migrating it, or switching it to WAL, would change it."""
        tables = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return  # a new library
        if "papers" not in tables or (self.schema_version == 0):
            self.conn.close()
            raise LibraryError(
                f"{self.db_path} is not a papergym library (it is another program's SQLite database) and was left untouched; "
                "point --library at a papergym library folder or an empty one."
            )

    # -- plumbing -----------------------------------------------------------

    @property
    def pdf_dir(self) -> Path:
        return self.folder / PDF_DIR

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, imported only when a write needs it (it is slow to import)."""
        if self._db is None:
            self._db = _import_sqlite_utils().Database(self.conn)
        return self._db

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def query(self, sql: str, params: list | tuple = ()) -> list[dict]:
        """Rows of a read query as dicts."""
        cursor = self.conn.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """A write transaction that takes the lock up front, so it never dies half-way on contention; nests."""
        conn = self.conn
        if self.read_only:
            raise LibraryError(
                f"The library {self.folder} is read-only (no write permission on {self.db_path.name} or its folder), so nothing can be "
                "changed; make it writable, or copy the folder somewhere writable and use --library."
            )
        if conn.in_transaction:
            # Nested: a savepoint, so the inner block is still all-or-nothing.
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def _migrate(self) -> None:
        with self.write():
            version = self.schema_version
            if version > len(MIGRATIONS):
                raise LibraryError(f"{self.db_path} was written by a newer papergym (schema {version}); upgrade papergym.")
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------

    def status_of(self, paper_id: str) -> str | None:
        """The stored status of a file's hash, or None if the library has never seen it."""
        row = self.conn.execute("SELECT status FROM papers WHERE id = ?", [paper_id]).fetchone()
        return row[0] if row else None

    def add_paper(self, paper: PaperRecord, stored_path: str | None) -> PaperRecord:
        """Insert or replace one paper with its sections and search entry, atomically; returns what was stored.

        Text is made safe first, fields the user fixed on this file (or on an earlier
        file of the same paper) keep the user's value, and a paper that shares a DOI or
        a title and first author with one already here is linked to it as a duplicate.
        """
        from dataclasses import replace

        paper = _made_safe(paper)
        with self.write() as db:
            keys = paper_keys(_linking_title(paper), paper.authors, paper.doi) if paper.status != "failed" else []
            canonical, match = self._first_with_keys(keys, paper.id)
            fixed = self._user_values(canonical) if canonical else {}
            fixed.update(self._user_values(paper.id))
            if fixed:
                paper = replace(paper, sources=paper.sources | dict.fromkeys(fixed, USER_SOURCE), **fixed)
                keys += [key for key in paper_keys(paper.title, paper.authors, paper.doi) if key not in keys]
            paper = replace(paper, duplicate_of=canonical, duplicate_match=match)
            if self.status_of(paper.id) is not None:
                self._delete_rows(paper.id)  # a re-import of a file that failed before
            db["papers"].insert(self._paper_row(paper, stored_path))
            db["sections"].insert_all(
                {
                    "paper_id": paper.id,
                    "ordinal": ordinal,
                    "kind": section.kind,
                    "heading": section.heading,
                    "text": section.text,
                    "chars": len(section.text),
                }
                for ordinal, section in enumerate(paper.sections)
            )
            if paper.status != "failed":
                body = "\n\n".join(section.text for section in paper.sections if section.kind != "abstract")
                db.execute(
                    "INSERT INTO paper_fts (title, authors, abstract, body, paper_id) VALUES (?, ?, ?, ?, ?)",
                    [paper.title or "", ", ".join(paper.authors), paper.abstract, body, paper.id],
                )
            self.conn.executemany("INSERT OR IGNORE INTO paper_keys (key, paper_id) VALUES (?, ?)", [(key, paper.id) for key in keys])
        return paper

    @staticmethod
    def _paper_row(paper: PaperRecord, stored_path: str | None) -> dict:
        return {
            "id": paper.id,
            "status": paper.status,
            "reason": paper.reason,
            "filename": paper.filename,
            "source_path": paper.source_path,
            "stored_path": stored_path,
            "size_bytes": paper.size_bytes,
            "title": paper.title,
            "authors": json.dumps(paper.authors, ensure_ascii=False),
            "year": paper.year,
            "doi": paper.doi,
            "journal": paper.journal,
            "abstract": paper.abstract,
            "pages": paper.pages,
            "chars": sum(len(section.text) for section in paper.sections),
            "imported_at": now(),
            "field_sources": json.dumps(paper.sources, ensure_ascii=False) if paper.sources else None,
            "duplicate_of": paper.duplicate_of,
            "duplicate_match": paper.duplicate_match,
        }

    def _first_with_keys(self, keys: list[str], paper_id: str) -> tuple[str | None, str | None]:
        """The first-imported other paper sharing one of the keys (a DOI before a title), and the kind of key shared."""
        if not keys:
            return None, None
        marks = ", ".join("?" * len(keys))
        row = self.conn.execute(
            f"""
            SELECT coalesce(p.duplicate_of, p.id), k.key FROM paper_keys k JOIN papers p ON p.id = k.paper_id
            WHERE k.key IN ({marks}) AND k.paper_id != ? AND p.status != 'failed'
            ORDER BY k.key LIKE 'doi:%' DESC, p.duplicate_of IS NOT NULL, p.imported_at, p.id LIMIT 1
            """,
            [*keys, paper_id],
        ).fetchone()
        if row is None:
            return None, None
        return row[0], row[1].split(":", 1)[0]

    def _user_values(self, paper_id: str) -> dict:
        """The fields the user fixed on a paper, with the user's values, as PaperRecord keyword arguments."""
        row = self.conn.execute(f"SELECT field_sources, {', '.join(EDITABLE_FIELDS)} FROM papers WHERE id = ?", [paper_id]).fetchone()
        if row is None or not row[0]:
            return {}
        sources = json.loads(row[0])
        stored = dict(zip(EDITABLE_FIELDS, row[1:]))
        stored["authors"] = json.loads(stored["authors"]) if stored["authors"] else []
        stored["abstract"] = stored["abstract"] or ""
        return {name: stored[name] for name in EDITABLE_FIELDS if sources.get(name) == USER_SOURCE}

    def edit_paper(self, id_or_prefix: str, changes: dict[str, object]) -> dict:
        """Fix metadata fields by hand; each one is marked as the user's and survives re-imports. Returns the paper.

        The files linked to the paper as its duplicates take the same fix.
        """
        paper_id = self.resolve_id(id_or_prefix)
        values = {name: _checked_edit(name, value) for name, value in changes.items()}
        if not values:
            raise InvalidField("Nothing to change; give at least one of --title, --authors, --year, --doi, --journal, --abstract.")
        row = {name: json.dumps(value, ensure_ascii=False) if name == "authors" else value for name, value in values.items()}
        with self.write() as db:
            # The files linked to this paper as its duplicates are the same paper: they take the fix too.
            copies = [found for (found,) in self.conn.execute("SELECT id FROM papers WHERE duplicate_of = ?", [paper_id])]
            for target_id in [paper_id, *copies]:
                sources = self.paper(target_id).get("sources") or {}
                sources.update(dict.fromkeys(values, USER_SOURCE))
                db["papers"].update(target_id, row | {"field_sources": json.dumps(sources, ensure_ascii=False)})
                edited = self.paper(target_id)
                db.execute(
                    "UPDATE paper_fts SET title = ?, authors = ?, abstract = ? WHERE paper_id = ?",
                    [edited["title"] or "", ", ".join(edited["authors"]), edited.get("abstract") or "", target_id],
                )
                if edited["status"] != "failed":
                    keys = paper_keys(edited["title"], edited["authors"], edited["doi"])
                    self.conn.executemany(
                        "INSERT OR IGNORE INTO paper_keys (key, paper_id) VALUES (?, ?)", [(key, target_id) for key in keys]
                    )
        return self.paper(paper_id)

    def record_failure(self, paper_id: str, filename: str, source_path: str, size_bytes: int, reason: str) -> None:
        """Remember that a file could not be imported, and why, so the user can see it later."""
        self.add_paper(
            PaperRecord(
                id=paper_id,
                status="failed",
                filename=filename,
                source_path=source_path,
                size_bytes=size_bytes,
                reason=reason,
            ),
            stored_path=None,
        )

    def _delete_rows(self, paper_id: str) -> None:
        self.db.execute("DELETE FROM paper_keys WHERE paper_id = ?", [paper_id])
        self.db.execute("DELETE FROM paper_fts WHERE paper_id = ?", [paper_id])
        self.db.execute("DELETE FROM sections WHERE paper_id = ?", [paper_id])
        self.db.execute("DELETE FROM papers WHERE id = ?", [paper_id])

    def remove(self, paper_id: str) -> dict:
        """Delete a paper, its sections, its questions and its stored PDF; returns what was removed."""
        paper = self.paper(paper_id)
        with self.write() as db:
            db.execute(
                "DELETE FROM question_fts WHERE question_id IN (SELECT id FROM questions WHERE paper_id = ?)",
                [paper["id"]],
            )
            db.execute("DELETE FROM checks WHERE question_id IN (SELECT id FROM questions WHERE paper_id = ?)", [paper["id"]])
            db.execute("DELETE FROM questions WHERE paper_id = ?", [paper["id"]])
            db.execute("DELETE FROM jobs WHERE paper_id = ?", [paper["id"]])
            self._delete_rows(paper["id"])
            self._relink_duplicates_of(paper["id"])
        stored = self.stored_pdf(paper.get("stored_path"))
        if stored is not None:
            stored.unlink(missing_ok=True)
        return paper

    def stored_pdf(self, stored_path: str | None) -> Path | None:
        """The library's own copy of a PDF, or None when the recorded path is empty or points outside pdfs/.

        The path comes from the database, which is only a file: a crafted or damaged
        one must never make papergym read or delete a file elsewhere on the machine.
        """
        if not stored_path:
            return None
        candidate = (self.folder / stored_path).resolve()
        return candidate if candidate.parent == self.pdf_dir.resolve() else None

    def _relink_duplicates_of(self, paper_id: str) -> None:
        """When the first file of a paper goes, the next one becomes the paper and the rest repeat it."""
        rest = [row[0] for row in self.conn.execute("SELECT id FROM papers WHERE duplicate_of = ? ORDER BY imported_at, id", [paper_id])]
        if not rest:
            return
        self.db.execute("UPDATE papers SET duplicate_of = NULL, duplicate_match = NULL WHERE id = ?", [rest[0]])
        self.db.execute("UPDATE papers SET duplicate_of = ? WHERE duplicate_of = ?", [rest[0], paper_id])

    def set_setting(self, key: str, value: str | None) -> None:
        with self.write() as db:
            if value is None:
                db.execute("DELETE FROM settings WHERE key = ?", [key])
            else:
                db["settings"].upsert({"key": key, "value": value}, pk="key")

    # -- reading ------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def resolve_id(self, id_or_prefix: str) -> str:
        """The full id for a full id or a unique prefix of at least 4 hex digits."""
        return resolve_prefix(
            self.conn,
            "papers",
            id_or_prefix,
            noun="paper",
            listed_by="`papergym papers` lists them",
            error=PaperNotFound,
            id_pattern=r"[0-9a-f]{4,64}",
        )

    def paper(self, id_or_prefix: str) -> dict:
        """One paper's metadata (no text), by id or unique id prefix."""
        paper_id = self.resolve_id(id_or_prefix)
        return _row_to_paper(self.query(f"SELECT {PAPER_COLUMNS}, abstract FROM papers WHERE id = ?", [paper_id])[0])

    def sections(self, paper_id: str) -> list[dict]:
        """The sections of a paper in document order, with their text."""
        return self.query("SELECT ordinal, kind, heading, chars, text FROM sections WHERE paper_id = ? ORDER BY ordinal", [paper_id])

    def papers(self, status: str | None = None, *, include_duplicates: bool = True) -> list[dict]:
        """Every paper's metadata, most recently imported first (ties by insertion order); ``include_duplicates=False`` keeps one file per paper."""
        clauses, params = (["status = ?"], [status]) if status else ([], [])
        if not include_duplicates:
            clauses.append("duplicate_of IS NULL")
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return [
            _row_to_paper(row)
            for row in self.query(f"SELECT {PAPER_COLUMNS} FROM papers {where} ORDER BY imported_at DESC, rowid DESC", params)
        ]

    def data_version(self) -> tuple[int, int]:
        """A value that changes whenever anything in the library may have: a commit by another connection or a change by this one.

        A screen that shows the library compares it with the value it loaded at, and skips reading again when it is the same.
        """
        return self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes

    def paper_listing(self) -> list[PaperListing]:
        """Every paper, in the order of ``papers``, with only what a list of papers shows, in one query."""
        return list(map(PaperListing._make, self.conn.execute(_LISTING_SQL)))

    def counts(self) -> dict[str, int]:
        """How many papers have each status."""
        return dict(self.conn.execute("SELECT status, count(*) FROM papers GROUP BY status").fetchall())

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Papers matching a full-text query, ranked by bm25 with titles weighing most."""
        if _looks_like_fts_syntax(query) and len(re.findall(r"\w+", query)) <= MAX_QUERY_WORDS:
            try:
                return self._search(query, limit)
            except sqlite3.OperationalError:
                pass  # not valid FTS syntax after all: search the words instead
        match = _fts_query(query)
        return self._search(match, limit) if match else []

    def _search(self, match: str, limit: int) -> list[SearchHit]:
        rows = self.conn.execute(
            """
            SELECT f.paper_id, p.title, p.year,
                   bm25(paper_fts, 10.0, 4.0, 5.0, 1.0) AS score,
                   snippet(paper_fts, -1, '**', '**', '…', 14) AS snippet
            FROM paper_fts f JOIN papers p ON p.id = f.paper_id
            WHERE paper_fts MATCH ?
            ORDER BY score LIMIT ?
            """,
            [match, limit],
        ).fetchall()
        return [SearchHit(paper_id, title, year, score, " ".join(snippet.split())) for paper_id, title, year, score, snippet in rows]
