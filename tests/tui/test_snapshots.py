"""What the screens look like at a fixed terminal size, compared with approved SVG snapshots.

Update them after a deliberate change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the new files under ``__snapshots__`` before committing them.
"""

from __future__ import annotations

import json

from papergym.core.library import Library
from papergym.tui.app.app import PapergymApp

from tests.tui.test_train_screen import record_run

SIZE = (120, 36)


def add_reviewable_question(folder) -> None:
    with Library(folder) as library, library.write() as db:
        passage = "The wire, 2.0 m long, carried 3.0 A; the voltage drop along it was 0.6 V."
        db["jobs"].insert(
            {
                "id": "job-1",
                "kind": "generate",
                "paper_id": "p" * 64,
                "payload": json.dumps({"passage": passage}),
                "status": "done",
                "updated_at": "2026-01-01T00:00:00+00:00",
            }
        )
        db["questions"].insert(
            {
                "id": "0123456789abcdef0123456789abcdef",
                "paper_id": "p" * 64,
                "job_id": "job-1",
                "kind": "mcq",
                "question": "A copper wire 2.0 m long carries 3.0 A with a 0.6 V drop along it. What is its resistance?",
                "options": json.dumps(["0.2 ohm", "5.0 ohm", "1.8 ohm", "0.5 ohm"]),
                "answer": "A",
                "aliases": "[]",
                "rationale": "R = V / I = 0.6 V / 3.0 A = 0.2 ohm.",
                "status": "draft",
                "model": "fake",
                "prompt_version": "test",
                "created_at": "2026-01-01T00:00:00+00:00",
                "discipline": "physics",
                "subdomain": "electromagnetism",
                "voting_type": "all-correct",
                "votes": json.dumps(["A", "A", "A", "A"]),
                "score": 0.91,
                "source_section": "Methods",
            }
        )


def test_library_with_the_demo_papers(snap_compare, demo_library):
    assert snap_compare(PapergymApp(demo_library), terminal_size=SIZE)


def test_library_search(snap_compare, demo_library):
    assert snap_compare(PapergymApp(demo_library), press=["slash", *"thermal"], terminal_size=SIZE)


def test_review_card(snap_compare, tmp_path):
    add_reviewable_question(tmp_path / "lib")
    assert snap_compare(PapergymApp(tmp_path / "lib", start="review"), terminal_size=SIZE)


def test_help_over_review(snap_compare, tmp_path):
    add_reviewable_question(tmp_path / "lib")
    assert snap_compare(PapergymApp(tmp_path / "lib", start="review"), press=["question_mark"], terminal_size=SIZE)


def test_train_with_a_recorded_run(snap_compare, tmp_path):
    with Library(tmp_path / "lib") as library:
        record_run(library, "run-recorded", steps=5)
    assert snap_compare(PapergymApp(tmp_path / "lib", start="train"), terminal_size=(140, 45))


def test_topics_of_an_empty_library(snap_compare, tmp_path):
    assert snap_compare(PapergymApp(tmp_path / "lib", start="topics"), terminal_size=SIZE)


def test_light_theme(snap_compare, demo_library):
    assert snap_compare(PapergymApp(demo_library), press=["ctrl+t"], terminal_size=SIZE)
