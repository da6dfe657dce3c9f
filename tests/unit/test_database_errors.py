"""A failing library database (busy, read-only, full, damaged) is one sentence in the CLI, and leaves no orphan PDF."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner
from papergym.core.errors import describe_database_error
from papergym.core.library import Library
from papergym.tui.cli.main import cli

from tests.conftest import DEMO_PAPERS


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("database is locked", "busy"),
        ("attempt to write a readonly database", "read-only"),
        ("database or disk is full", "full"),
        ("database disk image is malformed", "damaged"),
        ("file is not a database", "damaged"),
        ("disk I/O error", "disk"),
    ],
)
def test_each_database_failure_has_its_own_sentence(message, expected):
    error = sqlite3.DatabaseError(message) if "not a database" in message else sqlite3.OperationalError(message)
    sentence = describe_database_error(error)
    assert expected in sentence
    assert sentence.count(". ") <= 2 and "\n" not in sentence


@pytest.fixture
def full_disk(monkeypatch):
    """Every library opened from now on cannot grow by a single page, as on a full disk."""
    opened = Library.__init__

    def open_then_cap(self, *args, **kwargs):
        opened(self, *args, **kwargs)
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(Library, "__init__", open_then_cap)


def test_a_full_disk_is_one_sentence_in_the_cli(tmp_path, full_disk):
    Library(tmp_path / "lib").close()
    rows = tmp_path / "questions.jsonl"
    rows.write_text(
        "".join(
            json.dumps({"question": f"Which mechanism limits heat transport in film {n}? " * 20, "answer": "phonons"}) + "\n"
            for n in range(300)
        )
    )
    result = CliRunner().invoke(cli, ["import-questions", str(rows), "--library", str(tmp_path / "lib")])
    assert result.exit_code == 1
    assert "full" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, sqlite3.Error), result.exception


def test_a_failed_write_after_the_pdf_copy_leaves_no_orphan_pdf(tmp_path, full_disk):
    library_dir = tmp_path / "lib"
    Library(library_dir).close()
    result = CliRunner().invoke(
        cli, ["import", str(DEMO_PAPERS / "nibble_hyperloglog.pdf"), "--library", str(library_dir), "--workers", "1"]
    )
    assert "Traceback" not in result.output
    assert list((library_dir / "pdfs").iterdir()) == []


def test_a_damaged_database_is_one_sentence(tmp_path):
    library_dir = tmp_path / "lib"
    with Library(library_dir) as library, library.write() as db:
        db.conn.executemany(
            "INSERT INTO papers (id, status, filename, title) VALUES (?, 'ok', ?, ?)",
            [(f"{n:064x}", f"{n}.pdf", "A title long enough to fill pages " * 8) for n in range(400)],
        )
    database = library_dir / "library.db"
    data = bytearray(database.read_bytes())
    page = 4096
    for start in range(len(data) // 2 // page * page, len(data), page):
        data[start : start + page] = b"\xa5" * page  # the later pages, where the papers' rows live
    database.write_bytes(bytes(data))
    run = subprocess.run(
        [sys.executable, "-m", "papergym", "--library", str(library_dir), "papers"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 1
    assert "damaged" in run.stderr
    assert "Traceback" not in run.stderr
