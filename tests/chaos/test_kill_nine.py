"""kill -9 at several points of each long command, then the same command again: it finishes, nothing is lost or doubled."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from papergym.core.library import Library

from tests.chaos.conftest import assert_sound, judge, library_state, run_papergym
from tests.chaos.fake_server import FakeModelServer
from tests.chaos.hostile import ROOT
from tests.chaos.kill import kill_nine_when, rows_at_least

pytestmark = pytest.mark.chaos

# Where each command is killed: after this share of its work is stored, drawn once with a fixed seed so
# a failure replays; the early point lands inside the first unit of work, the late one near the end.
_DRAW = random.Random(15)
KILL_SHARES = [_DRAW.choice([0.0, 0.1, 0.2]), _DRAW.choice([0.5, 0.6, 0.7])]
# import and import-questions get the late point only: each start costs seconds (a reader pool, a large
# file), and their resume held in every kill the issue tried.
ONE_SHARE = KILL_SHARES[1:]


def scalar(folder: Path, sql: str, params: tuple = ()) -> int:
    with sqlite3.connect(folder / "library.db") as conn:
        return conn.execute(sql, params).fetchone()[0]


@pytest.mark.parametrize("share", ONE_SHARE)
def test_import_killed_then_run_again(tmp_path, share):
    papers = tmp_path / "papers"
    shutil.copytree(ROOT / "assets" / "demo_papers", papers, ignore=shutil.ignore_patterns("src", "*.json"))
    library = tmp_path / "lib"
    args = ("import", str(papers), "--workers", "2", "--library", str(library))
    wanted = int(share * 6)
    kill_nine_when(*args, reached=rows_at_least(library, "SELECT count(*) FROM papers", wanted) if wanted else _library_made(library))
    after_kill = library_state(library)
    assert after_kill.integrity in ("ok", "absent")
    ran = run_papergym(*args)
    case = judge(f"import killed after {wanted} of 6 papers, then again", ran, after_kill, library_state(library))
    assert_sound(case)
    assert ran.returncode == 0, ran.output
    pdfs = sorted(papers.glob("*.pdf"))
    assert scalar(library, "SELECT count(*) FROM papers WHERE status = 'ok'") == len(pdfs)
    stored = sorted(path.name for path in (library / "pdfs").iterdir())
    assert len(stored) == len(pdfs), f"stray files in pdfs/: {stored}"


def _library_made(library: Path):
    return lambda: (library / "library.db").exists()


def _paper_with_sections(library: Path, sections: int) -> None:
    from tests.unit.test_generate import add_paper

    with Library(library) as opened:
        add_paper(opened, "a" * 64, sections=sections)


@pytest.mark.parametrize("share", KILL_SHARES)
def test_generate_killed_then_run_again(tmp_path, share):
    library = tmp_path / "lib"
    _paper_with_sections(library, 30)
    with FakeModelServer(delay=0.15) as server:
        args = ("generate", "--server", server.url, "--concurrency", "2", "--library", str(library))
        wanted = max(1, int(share * 30))
        kill_nine_when(*args, reached=rows_at_least(library, "SELECT count(*) FROM jobs WHERE status = 'done'", wanted))
        after_kill = library_state(library)
        assert after_kill.integrity == "ok"
        ran = run_papergym(*args)
    case = judge(f"generate killed after {wanted} of 30 windows, then again", ran, after_kill, library_state(library))
    assert_sound(case)
    assert ran.returncode == 0, ran.output
    windows = scalar(library, "SELECT count(*) FROM jobs")
    assert scalar(library, "SELECT count(*) FROM jobs WHERE status = 'done'") == windows
    # Each window's question landed with its job: one per window, none from a window twice.
    assert scalar(library, "SELECT count(*) FROM questions") == windows
    assert scalar(library, "SELECT count(DISTINCT job_id) FROM questions") == windows


def _import_rows(library: Path, tmp_path: Path, count: int, status: str = "draft") -> Path:
    from papergym.core.dataset.import_questions import import_questions

    rows = tmp_path / "rows.jsonl"
    with rows.open("w") as handle:
        for number in range(count):
            options = [f"value {number} A", f"value {number} B", f"value {number} C", f"value {number} D"]
            if number % 7 == 0:
                options[1] = options[0]  # flagged or dropped by validate: statuses must follow
            question = f"In sample {number} of the series, what does the measured thermal conductivity {number * 3} W/m/K imply?"
            discipline = ("Physics", "Chemistry", "Biology")[number % 3]
            handle.write(json.dumps({"question": question, "options": options, "answer": "A", "discipline": discipline}) + "\n")
    with Library(library) as opened:
        import_questions(opened, rows, status=status)
    return rows


STALE_STATUSES = """
    SELECT count(*) FROM questions q WHERE q.status IN ('draft', 'passed', 'flagged', 'dropped') AND q.status != CASE
        WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = q.id AND c.status = 'drop') THEN 'dropped'
        WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = q.id AND c.status = 'flag') THEN 'flagged'
        WHEN EXISTS (SELECT 1 FROM checks c WHERE c.question_id = q.id) THEN 'passed'
        ELSE 'draft' END
"""


@pytest.mark.parametrize("share", KILL_SHARES)
def test_check_killed_then_run_again(tmp_path, share):
    library = tmp_path / "lib"
    _import_rows(library, tmp_path, 3000)
    args = ("check", "--steps", "validate,dedup", "--library", str(library))
    wanted = max(1, int(share * 6000))  # validate's and dedup's verdicts
    kill_nine_when(*args, reached=rows_at_least(library, "SELECT count(*) FROM checks", wanted))
    after_kill = library_state(library)
    assert after_kill.integrity == "ok"
    stale_after_kill = scalar(library, STALE_STATUSES)
    ran = run_papergym(*args)
    case = judge(f"check killed after {wanted} of 6000 verdicts, then again", ran, after_kill, library_state(library))
    assert_sound(case)
    assert ran.returncode == 0, ran.output
    assert scalar(library, "SELECT count(*) FROM checks WHERE step = 'validate'") == 3000
    assert scalar(library, STALE_STATUSES) == 0
    assert stale_after_kill == 0, f"{stale_after_kill} questions' statuses disagreed with their verdicts after the kill"


@pytest.mark.parametrize("share", KILL_SHARES)
def test_export_killed_then_run_again(tmp_path, share):
    library = tmp_path / "lib"
    _import_rows(library, tmp_path, 5000, status="accepted")
    out = tmp_path / "datasets" / "mine"
    args = ("export", str(out), "--format", "hf", "--status", "accepted", "--library", str(library))
    out.parent.mkdir()
    # Early: as soon as the staging folder exists; late: once a split's data is in it.
    pattern = ".mine.*.partial" if share < 0.5 else ".mine.*.partial/*/*.arrow"
    finished = kill_nine_when(*args, reached=lambda: any(out.parent.glob(pattern)))
    before = library_state(library)
    ran = run_papergym(*args, *(["--overwrite"] if finished == 0 else []))
    case = judge(f"export killed at {pattern}, then again", ran, before, library_state(library))
    assert_sound(case)
    assert ran.returncode == 0, ran.output
    assert (out / "export.json").is_file()
    assert sorted(path.name for path in out.parent.iterdir()) == ["mine"], "staging folders were left beside the export"


@pytest.mark.parametrize("share", ONE_SHARE)
def test_import_questions_killed_then_run_again(tmp_path, share):
    library = tmp_path / "lib"
    rows = _import_rows(tmp_path / "other", tmp_path, 12000)
    with Library(library):
        pass
    args = ("import-questions", str(rows), "--library", str(library))
    wanted = max(1, int(share * 12000))
    kill_nine_when(*args, reached=rows_at_least(library, "SELECT count(*) FROM questions", wanted))
    after_kill = library_state(library)
    assert after_kill.integrity == "ok"
    ran = run_papergym(*args)
    case = judge(f"import-questions killed after {wanted} of 12000 rows, then again", ran, after_kill, library_state(library))
    assert_sound(case)
    assert scalar(library, "SELECT count(*) FROM questions") == 12000
