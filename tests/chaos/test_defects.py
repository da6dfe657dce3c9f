"""The issue's worst defects, tried again as a user would: each must now end in one sentence with nothing harmed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from papergym.core.library import Library

from tests.chaos import hostile
from tests.chaos.conftest import assert_sound, judge, library_state, run_papergym
from tests.chaos.test_bad_files import seeded_library
from tests.chaos.test_kill_nine import _import_rows

pytestmark = pytest.mark.chaos


def test_runs_stop_never_signals_a_process_that_took_a_dead_runs_pid(tmp_path):
    library = seeded_library(tmp_path / "lib")
    # An unrelated process leading its own group, as a detached run would: the pid a dead run left behind.
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        with Library(library) as opened, opened.write() as db:
            db["runs"].insert(
                {
                    "id": "run-20261201-000000-dead",
                    "status": "running",
                    "backend": "trl",
                    "base_model": "gemma3-270m",
                    "dataset": "library",
                    "config": "{}",
                    "output_dir": str(tmp_path / "run-output"),
                    "pid": stranger.pid,
                    "step": 3,
                    "max_steps": 10,
                    "started_at": "2026-12-01T00:00:00+00:00",
                    "updated_at": "2026-12-01T00:00:00+00:00",
                }
            )
        before = library_state(library)
        ran = run_papergym("runs", "stop", "run-20261201-000000-dead", "--library", str(library))
        time.sleep(0.3)
        assert_sound(judge("runs stop with a dead run's pid reused", ran, before, library_state(library)))
        assert stranger.poll() is None, "runs stop killed an unrelated process"
    finally:
        stranger.send_signal(signal.SIGKILL)
        stranger.wait()


def test_export_overwrite_never_deletes_a_users_files(tmp_path):
    library = tmp_path / "lib"
    _import_rows(library, tmp_path, 300, status="accepted")
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("months of work")
    (out / "export.json").write_text(json.dumps({"papergym_version": "0.1", "splits": {"train": 1}}))
    before = library_state(library)
    ran = run_papergym("export", str(out), "--overwrite", "--status", "accepted", "--library", str(library))
    assert_sound(judge("export --overwrite onto a folder with a user's file and an export.json", ran, before, library_state(library)))
    assert (out / "chapter1.tex").read_text() == "months of work"


DATABASES = {
    "noise": lambda path: path.write_bytes(hostile.NOISE),
    "empty": lambda path: path.write_bytes(b""),
    "cut in half": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    "another program's": None,
    "newer schema": None,
}


@pytest.mark.parametrize("damage", list(DATABASES))
def test_a_damaged_or_foreign_library_db_is_one_sentence(tmp_path, damage):
    library = seeded_library(tmp_path / "lib")
    database = library / "library.db"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if damage == "newer schema":
            conn.execute("PRAGMA user_version = 999")
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    if damage == "another program's":
        database.unlink()
        with sqlite3.connect(database) as conn:
            conn.execute("CREATE TABLE invoices (number INTEGER, total REAL)")
    elif DATABASES[damage] is not None:
        DATABASES[damage](database)
    kept = database.read_bytes()
    results = [run_papergym(*args, "--library", str(library)) for args in (("papers",), ("questions",), ("search", "heat"))]
    for args, ran in zip(("papers", "questions", "search"), results, strict=True):
        assert_sound(judge(f"{args} on a library.db that is {damage}", ran))
    if damage in ("another program's", "newer schema"):
        assert database.read_bytes() == kept, "papergym changed a database it does not own"


LORA_CASES = [
    (hostile.noise, "noise.gguf"),
    (hostile.gguf_truncated_tensors, "model-not-lora.gguf"),
    (hostile.empty, "empty.gguf"),
    (hostile.fifo, "pipe.gguf"),
]


@pytest.mark.parametrize(("maker", "name"), LORA_CASES, ids=[name for _, name in LORA_CASES])
def test_generate_with_a_file_that_is_not_a_lora(tmp_path, maker, name):
    library = seeded_library(tmp_path / "lib")
    files = tmp_path / "files"
    files.mkdir()
    target = maker(files, name)
    before = library_state(library)
    ran = run_papergym("generate", "--lora", str(target), "--max-windows", "1", "--library", str(library), timeout=60)
    assert_sound(judge(f"generate --lora {maker.__name__} ({name})", ran, before, library_state(library)))
    assert ran.returncode != 0
    assert os.path.exists(library / "library.db")


def test_a_library_locked_by_another_writer_is_one_sentence(tmp_path):
    """Another process holds the write lock for longer than papergym waits (30 s): the command says who to wait for."""
    library = seeded_library(tmp_path / "lib")
    with sqlite3.connect(library / "library.db") as conn:
        question_id = conn.execute("SELECT id FROM questions").fetchone()[0]
    before = library_state(library)
    holder = sqlite3.connect(library / "library.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        ran = run_papergym("accept", question_id[:12], "--library", str(library), timeout=90)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_sound(judge("accept while another process holds the write lock", ran, before, library_state(library)))
    assert ran.returncode != 0 and "busy" in ran.message()
