"""Defects found by trying to break papergym (issue 15, item 9): each test failed before its fix."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner
from papergym.core.dataset.import_questions import import_questions
from papergym.core.library import Library
from papergym.core.questions.store import list_questions
from papergym.tui.cli.main import cli

STEM = "A sputtered aluminium oxide film 120 nm thick conducts heat poorly. Which mechanism limits heat transport?"
OPTIONS = ["phonon boundary scattering", "electron transport", "radiation", "convection"]


def run(library: Library, *args: str):
    return CliRunner().invoke(cli, [*args, "--library", str(library.folder)])


def write_jsonl(path: Path, rows: list[dict], prefix: str = "") -> Path:
    path.write_text(prefix + "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_an_imported_question_without_a_paper_is_shown(library, tmp_path):
    rows = [
        {"question": STEM, "options": OPTIONS, "answer": "A"},
        {"question": "What is the film's thermal conductivity, in W/m/K?", "answer": "1.45", "kind": "numeric"},
    ]
    import_questions(library, write_jsonl(tmp_path / "q.jsonl", rows))
    for row in list_questions(library):
        result = run(library, "question", row["id"][:12])
        assert result.exit_code == 0, result.output
        assert "no paper" in result.output
        assert row["question"] in result.output


def test_escape_sequences_in_imported_text_are_not_printed(library, tmp_path):
    hostile = "Which \x1b[2J\x1b]0;pwned\x07mechanism \x1b[31mlimits\x1b[0m heat transport in a thin oxide film?"
    rows = [{"question": hostile, "options": ["phonon \x1b[8mhidden", *OPTIONS[1:]], "answer": "A", "rationale": "\x9b2Jwhy"}]
    import_questions(library, write_jsonl(tmp_path / "q.jsonl", rows))
    question_id = list_questions(library)[0]["id"]
    listing = run(library, "questions")
    shown = run(library, "question", question_id[:12])
    for result in (listing, shown):
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x9b" not in result.output and "\x07" not in result.output
    assert "Which mechanism limits heat transport" in shown.output
    assert "phonon hidden" in shown.output


def test_a_jsonl_file_with_a_byte_order_mark_is_imported(library, tmp_path):
    path = write_jsonl(tmp_path / "bom.jsonl", [{"question": STEM, "options": OPTIONS, "answer": "B"}], prefix="\ufeff")
    report = import_questions(library, path)
    assert report.added == 1
    assert list_questions(library)[0]["answer"] == "B"


def test_only_a_benchmark_folder_that_was_read_is_remembered(library, tmp_path):
    from tests.unit.test_benchmarks import gpqa_row, write_gpqa

    import_questions(library, write_jsonl(tmp_path / "q.jsonl", [{"question": STEM, "options": OPTIONS, "answer": "A"}]))
    empty = tmp_path / "typo"
    empty.mkdir()
    failed = run(library, "check", "--steps", "validate,decontam", "--benchmarks", str(empty))
    assert failed.exit_code == 1 and "holds no .csv" in failed.output
    later = run(library, "check", "--steps", "validate,decontam")
    assert later.exit_code == 0, later.output
    assert library.setting("benchmarks_dir") is None

    good = tmp_path / "benchmarks"
    good.mkdir()
    write_gpqa(good / "gpqa_main.csv", [gpqa_row("rec1", "Which isotope of carbon is used for radiocarbon dating of organic samples?")])
    worked = run(library, "check", "--steps", "validate,decontam", "--benchmarks", str(good))
    assert worked.exit_code == 0, worked.output
    assert library.setting("benchmarks_dir") == str(good.resolve())

    good.rename(tmp_path / "moved")
    after_move = run(library, "check", "--steps", "validate,decontam", "--recheck")
    assert after_move.exit_code == 0, after_move.output
    assert "is gone" in after_move.output


def tiny_model_with_tensor(path: Path, values: int = 4096) -> Path:
    """A GGUF file with one F32 tensor of `values` numbers after an aligned header."""
    import struct

    def text(value: str) -> bytes:
        return struct.pack("<Q", len(value.encode())) + value.encode()

    header = b"GGUF" + struct.pack("<IQQ", 3, 1, 1)
    header += text("general.architecture") + struct.pack("<I", 8) + text("llama")
    header += text("weights") + struct.pack("<IQ", 1, values) + struct.pack("<IQ", 0, 0)  # 1 dim, F32, offset 0
    header += b"\0" * (-len(header) % 32)
    path.write_bytes(header + b"\1" * (values * 4))
    return path


def test_models_add_refuses_a_truncated_model(library, tmp_path):
    whole = tiny_model_with_tensor(tmp_path / "whole.gguf")
    assert run(library, "models", "add", str(whole)).exit_code == 0
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(whole.read_bytes()[:-100])
    result = run(library, "models", "add", str(cut))
    assert result.exit_code == 1
    assert "cut short" in result.output and "Traceback" not in result.output
    assert [row["name"] for row in library.query("SELECT name FROM models")] == ["whole"]


def _finishes(work, seconds: float = 20.0) -> bool:
    import threading

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive()


def _unblock(fifo: Path) -> None:
    """Open the FIFO's other end, so a reader stuck on it (the bug) is released when the test ends."""
    import os

    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


def test_a_fifo_named_pdf_in_a_folder_is_skipped_with_a_reason(library, tmp_path):
    import os

    from papergym.core.ingest.importer import find_files

    folder = tmp_path / "papers"
    folder.mkdir()
    fifo = folder / "trap.pdf"
    os.mkfifo(fifo)
    outcome = {}
    try:
        assert _finishes(lambda: outcome.setdefault("files", find_files([folder])))
    finally:
        _unblock(fifo)
    found, left_out = outcome["files"]
    assert found == []
    assert [(result.status, "not a regular file" in result.reason) for result in left_out] == [("skipped", True)]


def test_models_add_refuses_a_fifo_at_once(library, tmp_path):
    import os

    fifo = tmp_path / "model.gguf"
    os.mkfifo(fifo)
    outcome = {}
    try:
        assert _finishes(lambda: outcome.setdefault("result", run(library, "models", "add", str(fifo))))
    finally:
        _unblock(fifo)
    assert outcome["result"].exit_code == 1
    assert "not a regular file" in outcome["result"].output


def add_paper(library: Library, number: int, body: str, stored_path: str | None = None) -> str:
    from papergym.core.library import PaperRecord, SectionRecord

    paper_id = f"{number:064x}"
    record = PaperRecord(
        id=paper_id, status="ok", filename=f"p{number}.pdf", source_path="/nowhere", size_bytes=1, title=f"Paper {number}",
        sections=[SectionRecord("body", "Results", body)],
    )  # fmt: skip
    library.add_paper(record, stored_path)
    return paper_id


def test_a_pasted_page_of_4000_words_searches_in_well_under_a_second(library):
    import time

    page = " ".join(f"term{index % 1500} filler{index % 700}" for index in range(2000))
    paper_id = add_paper(library, 1, page)
    add_paper(library, 2, "unrelated text about sediment transport")
    started = time.perf_counter()
    hits = library.search(page)
    or_hits = library.search(" OR ".join(page.split()))
    elapsed = time.perf_counter() - started
    assert [hit.paper_id for hit in hits] == [paper_id]
    assert isinstance(or_hits, list)
    assert elapsed < 3.0  # 4,000 words took 34 s before the query was capped


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path):
    import sqlite3

    import pytest
    from papergym.core.errors import LibraryError

    folder = tmp_path / "not-ours"
    folder.mkdir()
    with sqlite3.connect(folder / "library.db") as other:
        other.execute("CREATE TABLE books (title TEXT)")
        other.execute("INSERT INTO books VALUES ('Dune')")
    before = (folder / "library.db").read_bytes()
    with pytest.raises(LibraryError, match="not a papergym library"):
        Library(folder)
    assert (folder / "library.db").read_bytes() == before
    assert not (folder / "library.db-wal").exists()
    with sqlite3.connect(folder / "library.db") as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    result = CliRunner().invoke(cli, ["papers", "--library", str(folder)])
    assert result.exit_code == 1 and "not a papergym library" in result.output


def test_remove_never_deletes_a_file_outside_the_library(library, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    paper_id = add_paper(library, 3, "some text", stored_path="pdfs/../../precious.txt")
    library.remove(paper_id)
    assert precious.read_text() == "keep me"
    assert library.papers() == []
    own = library.pdf_dir / "owned.pdf"
    own.write_bytes(b"%PDF-1.4")
    library.remove(add_paper(library, 4, "more text", stored_path="pdfs/owned.pdf"))
    assert not own.exists()


def _as_another_user(command: list[str]) -> list[str]:
    """The command as an unprivileged user when the tests run as root (root may write anywhere)."""
    import os
    import shutil

    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        import pytest

        pytest.skip("running as root without setpriv: a read-only folder cannot be made")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]


def test_a_read_only_library_can_be_read_and_says_why_it_cannot_be_written(tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    # Not under tmp_path: pytest's own folders are private to the user that runs the tests.
    outer = Path(tempfile.mkdtemp(prefix="papergym-readonly-"))
    os.chmod(outer, 0o755)
    folder = outer / "readonly"
    with Library(folder) as library:
        paper_id = add_paper(library, 5, "Phonon boundary scattering limits heat transport in thin oxide films.")
    for path in (folder / "library.db", folder / "pdfs", folder):
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    try:
        papergym = [sys.executable, "-m", "papergym"]

        def cli_run(*args: str) -> subprocess.CompletedProcess:
            command = _as_another_user([*papergym, *args, "--library", str(folder)])
            return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/")

        listing = cli_run("papers")
        assert listing.returncode == 0, listing.stderr
        assert "Paper 5" in listing.stdout
        found = cli_run("search", "phonon scattering")
        assert found.returncode == 0 and paper_id[:12] in found.stdout
        refused = cli_run("remove", paper_id[:12], "--yes")
        assert refused.returncode == 1
        assert "read-only" in refused.stderr and "Traceback" not in refused.stderr
    finally:
        for path in (folder, folder / "pdfs", folder / "library.db"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        shutil.rmtree(outer, ignore_errors=True)


def _export_library(library: Library) -> None:
    from tests.unit.test_export import add_papers, add_questions, corpus

    rows = corpus({"Physics": 4, "Biology": 4}, status="accepted")
    add_papers(library, {row["paper_id"]: row["discipline"] for row in rows})
    add_questions(library, rows)


def test_export_cleans_up_what_an_export_killed_mid_write_left_behind(library, tmp_path):
    import subprocess
    import sys

    _export_library(library)
    out = tmp_path / "datasets" / "mine"
    out.parent.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    left_behind = out.parent / f".mine.0123456789ab.{dead}.partial"
    (left_behind / "train").mkdir(parents=True)
    (left_behind / "train" / "data-00000-of-00001.arrow").write_bytes(b"\0" * 300_000)
    running = out.parent / f".mine.ba9876543210.{os.getpid()}.partial"  # an export still writing in this process
    running.mkdir()
    unrelated = out.parent / ".other.0123456789ab.1.partial"
    unrelated.mkdir()

    result = run(library, "export", str(out), "--format", "parquet", "--status", "accepted")
    assert result.exit_code == 0, result.output
    assert "Removed 0.3 MB" in result.output
    assert not left_behind.exists()
    assert running.exists() and unrelated.exists()
    assert (out / "export.json").is_file()


def test_an_export_killed_after_moving_the_old_one_aside_gets_it_back(library, tmp_path):
    _export_library(library)
    out = tmp_path / "mine"
    assert run(library, "export", str(out), "--format", "jsonl", "--status", "accepted").exit_code == 0
    aside = tmp_path / ".mine.old-0123abcd"
    out.rename(aside)  # where a kill between the two renames leaves it
    refused = run(library, "export", str(out), "--format", "jsonl", "--status", "accepted")
    assert refused.exit_code == 1 and "--overwrite" in refused.output  # the earlier export is back in place, and protected
    assert (out / "export.json").is_file() and not aside.exists()


def test_export_under_an_existing_file_is_one_sentence(library, tmp_path):
    _export_library(library)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    result = run(library, "export", str(blocker / "sub" / "out"), "--status", "accepted")
    assert result.exit_code == 1
    assert "notes.txt is a file" in result.output and "Traceback" not in result.output
    assert blocker.read_text() == "mine"


def test_show_papers_and_search_strip_escape_sequences_from_pdf_text(library):
    from papergym.core.library import PaperRecord, SectionRecord

    record = PaperRecord(
        id="e" * 64,
        status="ok",
        filename="evil\x1b]0;x\x07.pdf",
        source_path="/evil.pdf",
        size_bytes=1,
        title="Heat \x1b[2Jtransport",
        sections=[SectionRecord("body", "Results \x1b[31m", "Phonons \x1b[8mscatter at film boundaries.")],
    )
    library.add_paper(record, None)
    # A library written before import cleaned text (or edited by hand) still holds the raw sequences.
    with library.write() as db:
        db.execute("UPDATE papers SET title = ?, filename = ? WHERE id = ?", [record.title, record.filename, record.id])
        db.execute(
            "UPDATE sections SET heading = ?, text = ? WHERE paper_id = ?",
            ["Results \x1b[31m", "Phonons \x1b[8mscatter at film boundaries.", record.id],
        )
    for args in (("show", "eeee", "--text"), ("papers",), ("search", "phonons")):
        result = run(library, *args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output, args
    assert "scatter at film boundaries." in run(library, "show", "eeee", "--text").output
