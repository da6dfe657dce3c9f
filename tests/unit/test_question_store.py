"""The question filter that the CLI's listing and the app's Review share."""

from __future__ import annotations

from papergym.core.library import Library
from papergym.core.questions.store import (
    QuestionFilter,
    filter_choices,
    list_questions,
    matching_rowids,
    question_counts_by_paper,
    question_ids_of,
)

from tests.questions import add_question


def test_the_cli_listing_and_the_review_walk_pick_the_same_questions(tmp_path):
    with Library(tmp_path / "lib") as library:
        ids = [add_question(library, status=status) for status in ("passed", "flagged", "accepted", "passed", "dropped")]
        labels = [("Physics", "all_aligned", 0.9), ("Physics", "majority_aligned", 0.2), ("Chemistry", "all_aligned", 0.8)]
        with library.write() as db:
            for question_id, (discipline, voting_type, score) in zip(ids, labels):
                db.execute(
                    "UPDATE questions SET discipline = ?, voting_type = ?, score = ? WHERE id = ?",
                    [discipline, voting_type, score, question_id],
                )
        listed = {row["id"] for row in list_questions(library, status="passed,flagged", discipline="Physics")}
        walked = set(question_ids_of(library, matching_rowids(library, QuestionFilter(status="passed,flagged", discipline="Physics"))))
        assert listed == walked == {ids[0], ids[1]}
        assert question_ids_of(library, matching_rowids(library, QuestionFilter(voting_type="all_aligned", min_score=0.85))) == [ids[0]]
        assert matching_rowids(library, QuestionFilter()) == sorted(matching_rowids(library, QuestionFilter()))
        assert len(matching_rowids(library, QuestionFilter())) == 5
        assert filter_choices(library) == {"discipline": ["Chemistry", "Physics"], "voting_type": ["all_aligned", "majority_aligned"]}
        assert question_counts_by_paper(library) == {"p" * 64: 5}


def test_a_filter_describes_itself_in_words():
    assert QuestionFilter().describe() == "status any"
    assert (
        QuestionFilter(status="passed", discipline="Physics", min_score=0.5).describe() == "status passed, discipline Physics, score ≥ 0.5"
    )
