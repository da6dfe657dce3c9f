"""Import PDF files into a library: find, deduplicate, extract in isolated workers, store."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from papergym.core.errors import LibraryError, describe_database_error
from papergym.core.ids import file_sha256
from papergym.core.ingest.extract import NO_TEXT_LAYER, NOISE_TEXT_LAYER, ExtractedPaper, extract_task
from papergym.core.ingest.ocr import ocr_unavailable_reason
from papergym.core.ingest.pool import default_workers, run_isolated
from papergym.core.ingest.safe_text import safe_field
from papergym.core.library import FILENAME_SOURCE, PDF_DIR, Library, PaperRecord, SectionRecord, duplicate_label

PDF_MAGIC = b"%PDF-"
# The PDF header may sit anywhere in the first 1024 bytes.
HEADER_WINDOW = 1024
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_PAGES = 2000
DEFAULT_MEMORY_LIMIT_MB = 2048


@dataclass
class FileResult:
    """What happened to one file; ``status`` is imported, duplicate, skipped or failed."""

    path: str
    status: str
    paper_id: str | None = None
    pages: int | None = None
    reason: str | None = None
    title: str | None = None
    has_text: bool | None = None
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    duplicate_of: str | None = None  # the paper this file repeats in other bytes (same DOI, or title and first author)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportReport:
    """The whole import: every file's result, and whether it was cut short."""

    results: list[FileResult] = field(default_factory=list)
    total: int = 0
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def counts(self) -> Counter:
        return Counter(result.status for result in self.results)

    @property
    def pages(self) -> int:
        # A file linked as another copy of a paper was read and stored all the same.
        return sum(result.pages or 0 for result in self.results if result.status == "imported" or result.duplicate_of)

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.results if result.status == "failed"]


def _sniff(path: Path) -> str | None:
    """Why a file is not a PDF, or None if its header says it is one."""
    with path.open("rb") as handle:
        head = handle.read(HEADER_WINDOW)
    if PDF_MAGIC in head:
        return None
    if not head:
        return "is empty (0 bytes)"
    if head.startswith(b"PK"):
        kind = "a ZIP or Office document"
    elif head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        kind = "an HTML page"
    elif head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        kind = "an image"
    else:
        kind = "something else"
    return f"is not a PDF (no %PDF header; it looks like {kind})"


def find_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """The PDF files under the given files and folders, and a result for everything left out."""
    found: list[Path] = []
    left_out: list[FileResult] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    candidate = Path(root) / name
                    if name.lower().endswith(".pdf") and not candidate.is_file():
                        # A FIFO or device named *.pdf would block the first read forever.
                        left_out.append(FileResult(str(candidate), "skipped", reason="is not a regular file (a pipe, socket or device)"))
                    elif name.lower().endswith(".pdf"):
                        found.append(candidate)
                    else:
                        left_out.append(
                            FileResult(str(candidate), "skipped", reason=f"is not a PDF (extension {candidate.suffix or 'none'})")
                        )
        elif path.is_file():
            # A file named on the command line is taken as a PDF whatever its name; the header decides.
            found.append(path)
        elif path.exists():
            left_out.append(FileResult(str(path), "skipped", reason="is not a regular file (a pipe, socket or device)"))
        else:
            left_out.append(FileResult(str(path), "failed", reason="does not exist"))
    return found, left_out


def _store_pdf(library: Library, source: Path, paper_id: str) -> tuple[str, bool]:
    """Copy a PDF into the library under its hash; returns its path in the library and whether this call wrote it.

    The rename makes a half-copied file impossible; a copy that fails (a full disk) leaves nothing behind.
    """
    relative = f"{PDF_DIR}/{paper_id}.pdf"
    target = library.folder / relative
    if target.exists():
        return relative, False
    partial = target.with_suffix(f".partial-{os.getpid()}")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return relative, True


def _has_stored_copy(library: Library, paper_id: str) -> bool:
    """Whether a paper row (written by another import of the same file meanwhile) points to the stored PDF."""
    try:
        return library.status_of(paper_id) in ("ok", "no_text")
    except sqlite3.Error:
        return False


def _sweep_partials(library: Library) -> None:
    """Delete half-copied PDFs left by an import that was killed (their process is gone)."""
    for partial in library.pdf_dir.glob("*.partial-*"):
        pid = partial.suffix.rsplit("-", 1)[-1]
        try:
            os.kill(int(pid), 0)
        except (ValueError, ProcessLookupError):
            partial.unlink(missing_ok=True)
        except PermissionError:
            pass  # a live process of another user owns it


def _record(paper_id: str, path: Path, size: int, extracted: ExtractedPaper) -> PaperRecord:
    sources = dict(extracted.sources)
    if not extracted.title:
        sources["title"] = FILENAME_SOURCE  # a file name says nothing about which paper it is, so it never links duplicates
    return PaperRecord(
        id=paper_id,
        status="ok" if extracted.has_text else "no_text",
        filename=path.name,
        source_path=str(path.resolve()),
        size_bytes=size,
        pages=extracted.pages,
        title=extracted.title or path.stem,
        authors=extracted.authors,
        year=extracted.year,
        doi=extracted.doi,
        journal=extracted.journal,
        abstract=extracted.abstract,
        reason=None if extracted.has_text else (extracted.text_problem or NO_TEXT_LAYER),
        sections=[SectionRecord(kind, heading, text) for kind, heading, text in extracted.sections],
        sources=sources,
    )


def _is_busy(error: BaseException) -> bool:
    """Whether a database error means another process holds the library, which stops every file alike."""
    text = str(error)
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _storing_failed(error: Exception) -> str:
    """The one-line reason for a file whose record could not be written."""
    detail = safe_field(str(error).splitlines()[0] if str(error).strip() else "") or ""
    return f"could not be stored ({type(error).__name__}{': ' + detail[:160] if detail else ''})"


def _record_failure_quietly(library: Library, paper_id: str, path: Path, size: int, reason: str) -> None:
    """Keep a file's failure in the library if the library can take it; the report has it either way."""
    try:
        library.record_failure(paper_id, path.name, str(path.resolve()), size, reason)
    except sqlite3.OperationalError as error:
        if _is_busy(error):
            raise
    except Exception:
        pass  # the same write already failed once for this file; its result still says why


def import_paths(
    library: Library,
    paths: Iterable[str | Path],
    *,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_pages: int = DEFAULT_MAX_PAGES,
    memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
    on_result: Callable[[FileResult, int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ImportReport:
    """Import files and folders into the library; ``on_result(result, done, total)`` follows along.

    Every file ends as imported, duplicate, skipped or failed (with a reason
    stored in the library). Each finished file is committed on its own, so an
    interrupted import keeps its work and the same call finishes it.
    """
    started = time.monotonic()
    _sweep_partials(library)
    candidates, left_out = find_files(paths)
    report = ImportReport(total=len(candidates) + len(left_out))

    def emit(result: FileResult) -> None:
        # Paths and reasons may hold undecodable bytes (surrogate escapes) that no terminal or JSON writer takes.
        result.path = safe_field(result.path) or "?"
        result.reason = safe_field(result.reason)
        report.results.append(result)
        if on_result is not None:
            on_result(result, len(report.results), report.total)

    for result in left_out:
        emit(result)

    pending: dict[str, tuple[Path, int]] = {}

    def tasks() -> Iterator[tuple[str, tuple]]:
        for path in candidates:
            settled, paper_id, size = _screen_file(library, path, pending)
            if settled is not None:
                emit(settled)
                continue
            pending[paper_id] = (path, size)
            yield paper_id, (str(path), max_pages)

    memory_limit = memory_limit_mb * 1024 * 1024 if memory_limit_mb else None
    outcomes = run_isolated(
        extract_task,
        tasks(),
        workers=workers or default_workers(),
        timeout=timeout,
        memory_limit_bytes=memory_limit,
        cancel=cancel,
    )
    try:
        for outcome in outcomes:
            paper_id = outcome.key
            path, size = pending[paper_id]
            try:
                result = _store_outcome(library, paper_id, path, size, outcome)
            except Exception as error:
                if _is_busy(error):
                    raise
                reason = _storing_failed(error)
                _record_failure_quietly(library, paper_id, path, size, reason)
                result = FileResult(str(path), "failed", paper_id=paper_id, reason=reason, seconds=outcome.seconds)
            emit(result)
    except sqlite3.OperationalError as error:
        # Only a busy library gets here: it stops every file alike, and what finished is kept.
        raise LibraryError(describe_database_error(error) + " Files imported so far are kept.") from None
    finally:
        outcomes.close()
        report.cancelled = len(report.results) < report.total
        report.seconds = time.monotonic() - started
    return report


def _screen_file(library: Library, path: Path, pending: dict) -> tuple[FileResult | None, str, int]:
    """A file's hash and size, with its result when it needs no reader: not a PDF, unreadable, or already here."""
    paper_id = ""
    size = 0
    try:
        size = path.stat().st_size
        problem = _sniff(path)
        paper_id = file_sha256(path)
        if problem:
            _record_failure_quietly(library, paper_id, path, size, problem)
            return FileResult(str(path), "failed", reason=problem), paper_id, size
        if paper_id in pending or (library.status_of(paper_id) in ("ok", "no_text") and not _ocr_can_read_now(library, paper_id)):
            same = FileResult(str(path), "duplicate", paper_id=paper_id, reason="same content as a paper already in the library")
            return same, paper_id, size
    except OSError as error:
        return FileResult(str(path), "failed", reason=f"cannot be read ({error.strerror or type(error).__name__})"), paper_id, size
    except Exception as error:
        if _is_busy(error):
            raise
        return FileResult(str(path), "failed", paper_id=paper_id or None, reason=_storing_failed(error)), paper_id, size
    return None, paper_id, size


def _ocr_can_read_now(library: Library, paper_id: str) -> bool:
    """Whether a scan stored before OCR could run here can now have its first page read, the ocr extra since
    installed: its import again reads it, where a file already in the library is otherwise a duplicate."""
    rows = library.query("SELECT reason FROM papers WHERE id = ? AND status = 'no_text'", [paper_id])
    return bool(rows) and rows[0]["reason"] in (NO_TEXT_LAYER, NOISE_TEXT_LAYER) and ocr_unavailable_reason() is None


def _store_outcome(library: Library, paper_id: str, path: Path, size: int, outcome) -> FileResult:
    """Write what the reader process gave for one file, and say what became of it."""
    value = outcome.value if outcome.ok else outcome.reason
    if not isinstance(value, ExtractedPaper):
        reason = value if isinstance(value, str) else f"could not be read (the reader returned {type(value).__name__})"
        library.record_failure(paper_id, path.name, str(path.resolve()), size, reason)
        return FileResult(str(path), "failed", paper_id=paper_id, reason=reason, seconds=outcome.seconds)
    stored_path, copied = _store_pdf(library, path, paper_id)
    try:
        stored = library.add_paper(_record(paper_id, path, size, value), stored_path=stored_path)
    except BaseException:
        if copied and not _has_stored_copy(library, paper_id):
            (library.folder / stored_path).unlink(missing_ok=True)  # no row would ever point to (or remove) this copy
        raise
    duplicate = duplicate_label({"duplicate_of": stored.duplicate_of, "duplicate_match": stored.duplicate_match})
    return FileResult(
        str(path),
        "duplicate" if duplicate else "imported",
        paper_id=paper_id,
        pages=value.pages,
        reason=duplicate or stored.reason,
        title=stored.title,
        has_text=value.has_text,
        seconds=outcome.seconds,
        peak_rss_mb=value.peak_rss_mb,
        duplicate_of=stored.duplicate_of,
    )
