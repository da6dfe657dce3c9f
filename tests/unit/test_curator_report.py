"""Each check's agreement with the curator, on a hand-made set of decisions whose figures are worked out by hand."""

from __future__ import annotations

import json

import pytest
from papergym.core.quality.curator_report import best_threshold, curator_report

from tests.questions import add_question

# (decision, judge score, vote agreement); the judge's threshold was 0, the vote passes at a majority.
DECISIONS = [
    ("accepted", 0.8, 1.0),
    ("accepted", 0.5, 0.75),
    ("accepted", -0.2, 0.25),
    ("rejected", 0.1, 0.0),
    ("rejected", -0.5, 0.75),
    ("rejected", -0.6, None),  # never voted on
]


def _check(library, question_id: str, step: str, status: str, scores: dict) -> None:
    with library.write() as db:
        db.conn.execute(
            "INSERT INTO checks (question_id, step, status, reasons, scores, detail, config, updated_at) VALUES (?, ?, ?, '[]', ?, '{}', 'c', 't')",
            [question_id, step, status, json.dumps(scores)],
        )


def test_each_signal_is_scored_against_the_decisions(library):
    for decision, judge, agreement in DECISIONS:
        question_id = add_question(library, status=decision)
        _check(library, question_id, "score", "pass" if judge >= 0 else "flag", {"score": judge})
        if agreement is not None:
            _check(library, question_id, "vote", "pass" if agreement > 0.5 else "flag", {"agreement": agreement})
    add_question(library, status="passed")  # not reviewed: takes no part

    report = curator_report(library)
    assert (report.decisions, report.accepted, report.rejected) == (6, 3, 3)
    signals = {signal.signal: signal for signal in report.signals}

    judge = signals["judge score"]
    assert (judge.judged, judge.accepted, judge.rejected) == (6, 3, 3)
    assert judge.accuracy == pytest.approx(4 / 6)  # the flagged accepted one and the passed rejected one are wrong
    assert judge.baseline == 0.5
    assert judge.auc == pytest.approx(8 / 9)  # of 9 accepted/rejected pairs, only -0.2 < 0.1 is out of order
    assert judge.best_threshold == -0.2 and judge.best_threshold_accuracy == pytest.approx(5 / 6)

    vote = signals["vote class"]
    assert (vote.judged, vote.accepted, vote.rejected) == (5, 3, 2)
    assert vote.accuracy == pytest.approx(3 / 5)
    assert vote.auc == pytest.approx(4.5 / 6)  # 0.75 against 0.75 is a tie, counted half

    # Signals that never ran say so with zero counts rather than made-up figures.
    assert signals["grounding"].judged == 0 and signals["grounding"].accuracy is None
    assert signals["ranker"].judged == 0


def test_best_threshold_on_a_clean_split_and_on_nothing():
    assert best_threshold([0.1, 0.2, 0.7, 0.9], [False, False, True, True]) == (0.7, 1.0)
    assert best_threshold([], []) == (None, None)
