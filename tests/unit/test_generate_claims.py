"""Two generate runs at once share the windows instead of doing each twice; `remove` during a run leaves no orphan question."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

from papergym.core.generation.claims import claim_job, new_claim_token
from papergym.core.generation.run import GenerateSettings, plan, run_generation
from papergym.core.library import MIGRATIONS, Library
from papergym.core.llm.backend import FakeBackend

from tests.unit.test_generate import add_paper, mcq

WINDOWS = 6


def replies(tag: str, count: int = WINDOWS) -> list[str]:
    return [mcq(question=f"Run {tag}, reply {n}: a film conducts 1.4 W/m/K. Which value is its conductivity?") for n in range(count)]


def orphans(library: Library) -> int:
    return library.conn.execute("SELECT count(*) FROM questions WHERE paper_id NOT IN (SELECT id FROM papers)").fetchone()[0]


def test_two_runs_at_once_do_each_window_once(tmp_path):
    folder = tmp_path / "lib"
    with Library(folder) as library:
        add_paper(library, "a" * 64, sections=WINDOWS)
    backends = [FakeBackend(replies("one"), delay=0.05), FakeBackend(replies("two"), delay=0.05)]
    reports = {}

    def run(index: int) -> None:
        with Library(folder) as library:
            reports[index] = run_generation(library, backends[index], GenerateSettings())

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    asked = len(backends[0].prompts) + len(backends[1].prompts)
    assert asked == WINDOWS, f"{asked} model calls for {WINDOWS} windows"
    assert reports[0].windows_run + reports[1].windows_run == WINDOWS
    assert reports[0].windows_taken_elsewhere + reports[1].windows_taken_elsewhere == WINDOWS
    with Library(folder) as library:
        assert library.conn.execute("SELECT count(*) FROM questions").fetchone()[0] == WINDOWS
        assert library.conn.execute("SELECT count(*) FROM jobs WHERE status = 'done' AND claimed_by IS NULL").fetchone()[0] == WINDOWS


def test_a_killed_runs_claims_free_up_for_the_next_run(library):
    add_paper(library, "a" * 64, sections=2)
    backend = FakeBackend(replies("next", 2))
    todo, _ = plan(library, backend, GenerateSettings(), None)
    # A run that claimed both windows, then was killed (its process is gone)...
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    token = new_claim_token().replace(f"|{os.getpid()}|", f"|{dead.pid}|")
    with library.write() as db:
        db.execute("UPDATE jobs SET claimed_by = ?, claimed_at = ?", [token, datetime.now(UTC).isoformat(timespec="seconds")])
    report = run_generation(library, backend, GenerateSettings(), planned=(todo, 2))
    assert report.windows_run == 2 and report.windows_taken_elsewhere == 0


def test_a_live_runs_claim_holds_until_it_expires(library):
    add_paper(library, "a" * 64, sections=1)
    backend = FakeBackend(replies("late", 1))
    todo, _ = plan(library, backend, GenerateSettings(), None)
    other = "another-host|123|?|abcd"
    assert claim_job(library, todo[0]["id"], other)
    assert run_generation(library, backend, GenerateSettings(), planned=(todo, 1)).windows_taken_elsewhere == 1
    hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="seconds")
    with library.write() as db:
        db.execute("UPDATE jobs SET claimed_at = ?", [hours_ago])
    assert run_generation(library, backend, GenerateSettings(), planned=(todo, 1)).windows_run == 1


def test_removing_a_paper_mid_run_stores_nothing_more_for_it(tmp_path):
    folder = tmp_path / "lib"
    with Library(folder) as library:
        kept, removed = add_paper(library, "a" * 64, sections=2), add_paper(library, "b" * 64, sections=3)
    remover = Library(folder)

    def remove_after_first_window(progress) -> None:
        if progress.windows_done == 1:
            remover.remove(removed)

    with Library(folder) as library:
        backend = FakeBackend(replies("rm", 5))
        report = run_generation(library, backend, GenerateSettings(), [removed, kept], on_progress=remove_after_first_window)
        assert orphans(library) == 0
        assert library.conn.execute("SELECT count(*) FROM questions WHERE paper_id = ?", [removed]).fetchone()[0] == 0
        assert library.conn.execute("SELECT count(*) FROM questions WHERE paper_id = ?", [kept]).fetchone()[0] == 2
        assert report.windows_taken_elsewhere + report.windows_of_removed_papers == 2
    remover.close()


def test_orphans_left_by_an_older_version_are_cleaned_on_upgrade(library):
    add_paper(library, "a" * 64, sections=1)
    with library.write() as db:
        for paper_id, question_id in (("a" * 64, "q-kept"), ("f" * 64, "q-orphan"), ("ext:wildsci-1", "q-imported")):
            db.execute(
                "INSERT INTO questions (id, paper_id, kind, question, status) VALUES (?, ?, 'exact', 'Which?', 'draft')",
                [question_id, paper_id],
            )
        db.execute("ALTER TABLE jobs DROP COLUMN claimed_by")  # back to the schema before the claims migration
        db.execute("ALTER TABLE jobs DROP COLUMN claimed_at")
        claims_migration = next(migration for migration in MIGRATIONS if migration.__name__.endswith("_job_claims"))
        claims_migration(db)
    assert {row[0] for row in library.conn.execute("SELECT id FROM questions")} == {"q-kept", "q-imported"}
