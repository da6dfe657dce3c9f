"""Benchmark the app with Pilot on a synthetic library of 345,000 questions over 10,000 papers.

Prints:

- the time for the app to open on the library screen (target < 2 s);
- the time for the next question to appear in Review, median and 95th
  percentile over 50 presses of `s` (target < 50 ms), against the floor of the
  two queries a card needs (`get_question` + `question_checks`) in the same run;
- the time for a filter to apply in Review (target < 200 ms), against the
  floor of the one id query it runs;
- a bulk rejection over a filter and its exact undo (each question's own
  earlier state), against one plain UPDATE of the same questions.

    python bench/tui.py                       # 345,000 questions, in a temporary folder
    python bench/tui.py --questions 50000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from papergym.core.library import Library  # noqa: E402
from papergym.core.questions.statuses import VOTE_TYPES  # noqa: E402

DISCIPLINES = (
    "Physics",
    "Chemistry",
    "Materials Science",
    "Biology",
    "Medicine",
    "Earth and Environmental Sciences",
    "Engineering",
    "Computer Science",
    "Mathematics",
)
STATUSES = ("draft",) * 4 + ("passed",) * 10 + ("flagged",) * 4 + ("accepted", "rejected")
PRESSES = 50
SIZE = (120, 40)


def build_library(folder: Path, questions: int, papers: int, seed: int = 0) -> None:
    """Papers, questions with statuses, votes and scores, and two check rows each, in one transaction."""
    rng = random.Random(seed)
    vocabulary = [f"{stem}{n}" for stem in ("phonon", "enzyme", "lattice", "aquifer", "protein", "tensor") for n in range(800)]
    paper_rows = [
        (f"{n:064x}", "ok", f"p{n}.pdf", f"Paper {n} on {rng.choice(vocabulary)}", 12, DISCIPLINES[n % len(DISCIPLINES)])
        for n in range(papers)
    ]
    question_rows, check_rows = [], []
    for n in range(questions):
        paper = paper_rows[n * papers // questions]
        identifier = f"{n:032x}"
        answer = "ABCD"[n % 4]
        question_rows.append(
            (
                identifier,
                paper[0],
                "mcq",
                " ".join(rng.choices(vocabulary, k=25)) + "?",
                json.dumps([" ".join(rng.choices(vocabulary, k=3)) for _ in range(4)]),
                answer,
                "[]",
                "Because the measured quantity follows from the stated mechanism.",
                "Results",
                rng.choice(STATUSES),
                "bench",
                "bench-1",
                f"2025-01-01T00:00:00.{n:09d}+00:00",
                paper[5],
                "generated",
                rng.choice(VOTE_TYPES),
                json.dumps([answer, answer, "A"]),
                round(rng.uniform(-1, 1), 3),
                round(rng.random(), 3),
            )
        )
        check_rows.append((identifier, "validate", "pass", "[]"))
        check_rows.append((identifier, "dedup", "flag" if n % 17 == 0 else "pass", '["near-duplicate (0.81)"]' if n % 17 == 0 else "[]"))
    with Library(folder) as library, library.write() as db:
        db.conn.executemany("INSERT INTO papers (id, status, filename, title, pages, discipline) VALUES (?, ?, ?, ?, ?, ?)", paper_rows)
        db.conn.executemany(
            "INSERT INTO questions (id, paper_id, kind, question, options, answer, aliases, rationale, source_section, status, "
            "model, prompt_version, created_at, discipline, source, voting_type, votes, score, rank_score) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            question_rows,
        )
        db.conn.executemany("INSERT INTO checks (question_id, step, status, reasons) VALUES (?, ?, ?, ?)", check_rows)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def measure(folder: Path) -> None:
    from papergym.core.quality.pipeline import question_checks
    from papergym.core.questions.store import get_question, matching_rowids
    from papergym.tui.app.app import PapergymApp
    from papergym.tui.app.screens.review import ReviewFilter, ReviewScreen

    started = time.perf_counter()
    app = PapergymApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        opened = time.perf_counter() - started
        screen_name = app.screen.__class__.__name__
        print(f"app open, until {screen_name} is mounted: {_ms(opened)} (target < 2,000 ms)")

        started = time.perf_counter()
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        print(f"review opens (loads {len(app.screen.rowids):,} ids of the default filter): {_ms(time.perf_counter() - started)}")

        screen = app.screen
        presses, handlers, idle_presses = [], [], []
        for _ in range(PRESSES):
            started = time.perf_counter()
            await pilot.press("z")  # bound to nothing: what Pilot itself costs per key
            idle_presses.append(time.perf_counter() - started)
        for _ in range(PRESSES):
            started = time.perf_counter()
            await pilot.press("s")
            presses.append(time.perf_counter() - started)
        for _ in range(PRESSES):
            started = time.perf_counter()
            screen.action_move(1)
            handlers.append(time.perf_counter() - started)
        await pilot.pause()
        floor = []
        for rowid in screen.rowids[1000 : 1000 + PRESSES]:
            started = time.perf_counter()
            question_id = app.library.conn.execute("SELECT id FROM questions WHERE rowid = ?", [rowid]).fetchone()[0]
            get_question(app.library, question_id)
            question_checks(app.library, question_id)
            floor.append(time.perf_counter() - started)
        median_press, median_floor = statistics.median(presses), statistics.median(floor)
        card = median_press - statistics.median(idle_presses)
        print(
            f"next question, key press until processed: median {_ms(median_press)}, p95 {_ms(sorted(presses)[int(PRESSES * 0.95)])} "
            f"(target < 50 ms); an unbound key costs Pilot {_ms(statistics.median(idle_presses))}, so the card itself takes "
            f"{_ms(card)}; handler alone median {_ms(statistics.median(handlers))}; "
            f"floor (the card's two queries) {median_floor * 1000:.2f} ms, card / floor {card / median_floor:.0f}x "
            f"(the rest is Textual's layout and paint)"
        )

        for review_filter in (
            ReviewFilter(discipline="Physics", min_score=0.5),
            ReviewFilter(status="", voting_type="all_aligned"),
            ReviewFilter(),
        ):
            started = time.perf_counter()
            screen.load(review_filter, keep_id=screen.current["id"] if screen.current else None)
            await pilot.pause()
            applied = time.perf_counter() - started
            started = time.perf_counter()
            matching_rowids(app.library, review_filter)
            query = time.perf_counter() - started
            print(
                f"filter '{review_filter.describe()}' ({len(screen.rowids):,} questions) applies in {_ms(applied)} "
                f"(target < 200 ms); floor (the id query) {_ms(query)}, ratio {applied / query:.1f}x"
            )


def measure_bulk(folder: Path) -> None:
    """Bulk reject and undo over the physics questions, against one UPDATE statement over the same filter (rolled back)."""
    from papergym.core.questions.review import bulk_decide, undo_decision
    from papergym.core.questions.store import QuestionFilter

    with Library(folder) as library:
        physics = QuestionFilter(status="", discipline="Physics")
        where, params = physics.where()
        started = time.perf_counter()
        library.conn.execute("BEGIN IMMEDIATE")
        library.conn.execute(f"UPDATE questions SET status = 'rejected', review_reason = 'x', reviewed_at = '2026' {where}", params)
        floor = time.perf_counter() - started
        library.conn.execute("ROLLBACK")
        listed_at = "2000-01-01T00:00:00+00:00"  # as if the list were read before any decision: nothing is skipped
        started = time.perf_counter()
        record = bulk_decide(library, physics, "rejected", "bench", listed_at=listed_at)
        bulk = time.perf_counter() - started
        started = time.perf_counter()
        report = undo_decision(library, record)
        undone = time.perf_counter() - started
    print(
        f"bulk reject of {record.changed:,} questions ({physics.describe()}): {bulk:.2f} s, exact undo {undone:.2f} s "
        f"({report.restored:,} restored); floor (one UPDATE) {floor:.2f} s, ratios {bulk / floor:.1f}x and {undone / floor:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=345_000)
    parser.add_argument("--papers", type=int, default=10_000)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="papergym-bench-tui-"))
    try:
        folder = work / "lib"
        started = time.perf_counter()
        build_library(folder, arguments.questions, arguments.papers)
        print(f"built {arguments.questions:,} questions over {arguments.papers:,} papers in {time.perf_counter() - started:.1f} s")
        asyncio.run(measure(folder))
        measure_bulk(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
