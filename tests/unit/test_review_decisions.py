"""Decisions over a filter while someone else decides too, and undo that puts back exactly what was there."""

from __future__ import annotations

from papergym.core.library import Library
from papergym.core.questions.review import bulk_decide, decide, decide_recorded, decision_time, preview_bulk, undo_decision
from papergym.core.questions.store import QuestionFilter

from tests.questions import add_question

LONG_AGO = "2020-01-01T00:00:00+00:00"


def states(library: Library) -> dict[str, tuple]:
    rows = library.query("SELECT id, status, review_reason, reviewed_at FROM questions")
    return {row["id"]: (row["status"], row["review_reason"], row["reviewed_at"]) for row in rows}


def test_a_bulk_reject_skips_what_another_connection_decided_since_and_undo_restores_each_question(tmp_path):
    app_side = Library(tmp_path / "lib")
    ids = [add_question(app_side, status="passed") for _ in range(6)]
    with app_side.write() as db:  # decided long before the list was read: the bulk may change it
        db.execute("UPDATE questions SET status = 'accepted', reviewed_at = ? WHERE id = ?", [LONG_AGO, ids[5]])
    listed_at = decision_time()  # the app reads its list of every question

    cli_side = Library(tmp_path / "lib")  # meanwhile another process decides two of them
    decide(cli_side, [ids[1]], "accepted")
    decide(cli_side, [ids[2]], "rejected", "wrong key")
    decided_elsewhere = {question_id: states(cli_side)[question_id] for question_id in ids[1:3]}

    every_question = QuestionFilter()
    assert preview_bulk(app_side, every_question, listed_at).matching == 6
    assert preview_bulk(app_side, every_question, listed_at).decided_since == 2

    record = bulk_decide(app_side, every_question, "rejected", "too easy", listed_at=listed_at)
    assert (record.changed, record.skipped) == (4, 2)
    after = states(cli_side)
    assert {question_id: after[question_id] for question_id in ids[1:3]} == decided_elsewhere
    assert {after[question_id][:2] for question_id in (ids[0], ids[3], ids[4], ids[5])} == {("rejected", "too easy")}

    decide(cli_side, [ids[3]], "accepted")  # changed again after the bulk: undo must leave it
    report = undo_decision(app_side, record)
    assert (report.restored, report.changed_since) == (3, 1)
    restored = states(cli_side)
    assert restored[ids[0]] == restored[ids[4]] == ("passed", None, None)
    assert restored[ids[5]] == ("accepted", None, LONG_AGO)
    assert restored[ids[3]][0] == "accepted"
    assert {question_id: restored[question_id] for question_id in ids[1:3]} == decided_elsewhere
    app_side.close()
    cli_side.close()


def test_the_user_can_include_questions_decided_since(tmp_path):
    with Library(tmp_path / "lib") as library:
        ids = [add_question(library, status="flagged") for _ in range(3)]
        listed_at = decision_time()
        decide(library, [ids[0]], "rejected", "off topic")
        decide(library, [ids[1]], "rejected", "too long")
        preview = preview_bulk(library, QuestionFilter(), listed_at)
        assert (preview.matching, preview.decided_since, preview.to_change) == (3, 2, 1)
        decide(library, [ids[1]], "rejected", "leaks the answer")  # decided again while the user was asked: not what they agreed to
        record = bulk_decide(library, QuestionFilter(), "accepted", listed_at=listed_at, include=preview)
        assert (record.changed, record.skipped) == (2, 1)
        assert states(library)[ids[1]][:2] == ("rejected", "leaks the answer")
        assert states(library)[ids[0]][0] == states(library)[ids[2]][0] == "accepted"
        undo_decision(library, record)
        assert states(library)[ids[0]][:2] == ("rejected", "off topic")
        assert states(library)[ids[2]] == ("flagged", None, None)


def test_a_bulk_decision_reads_the_filter_as_it_is_when_it_writes(tmp_path):
    with Library(tmp_path / "lib") as library:
        ids = [add_question(library, status="passed") for _ in range(3)]
        listed_at = decision_time()
        added_later = add_question(library, status="passed")
        decide(library, [ids[0]], "accepted")  # no longer "to review"
        record = bulk_decide(library, QuestionFilter(status="draft,passed,flagged"), "rejected", listed_at=listed_at)
        assert sorted(record.question_ids) == sorted([ids[1], ids[2], added_later])
        assert record.skipped == 0
        assert states(library)[ids[0]][0] == "accepted"


def test_undoing_one_decision_puts_back_an_earlier_decision_not_the_pipeline_status(tmp_path):
    with Library(tmp_path / "lib") as library:
        question_id = add_question(library, status="passed")
        decide(library, [question_id], "accepted")
        accepted = states(library)[question_id]
        record = decide_recorded(library, [question_id], "rejected", "answer not in the passage")
        undo_decision(library, record)
        assert states(library)[question_id] == accepted


def test_an_id_given_twice_is_decided_and_undone_once(tmp_path):
    with Library(tmp_path / "lib") as library:
        question_id = add_question(library, status="passed")
        record = decide_recorded(library, [question_id, question_id], "accepted")
        assert record.changed == 1
        assert undo_decision(library, record).restored == 1
        assert states(library)[question_id] == ("passed", None, None)
