"""Review's `c` shows how each check agrees with the decisions made so far."""

from __future__ import annotations

import json

import pytest
from papergym.core.library import Library
from papergym.tui.app.app import PapergymApp
from textual.widgets import DataTable, Static

from tests.questions import add_question

pytestmark = pytest.mark.anyio


def decided_library(folder) -> None:
    with Library(folder) as library:
        for decision, score in (("accepted", 0.8), ("accepted", 0.4), ("rejected", -0.3), ("rejected", 0.1)):
            question_id = add_question(library, status=decision)
            with library.write() as db:
                db.conn.execute(
                    "INSERT INTO checks (question_id, step, status, reasons, scores, detail, config, updated_at) "
                    "VALUES (?, 'score', ?, '[]', ?, '{}', 'c', 't')",
                    [question_id, "pass" if score >= 0 else "flag", json.dumps({"score": score})],
                )
        add_question(library)  # one left to review, so the card has something to show


async def test_the_agreement_dialog_shows_each_checks_figures(tmp_path):
    decided_library(tmp_path / "lib")
    app = PapergymApp(tmp_path / "lib", start="review")
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CheckAgreementScreen"
        table = app.screen.query_one("#agreement-table", DataTable)
        judge = next(table.get_row_at(index) for index in range(table.row_count) if table.get_row_at(index)[0] == "judge score")
        # 3 of 4 verdicts match (the rejected 0.1 passed); every accepted scores above every rejected one.
        assert judge[1:7] == ["4", "2", "2", "75%", "50%", "1.00"]
        assert judge[7].startswith(">= +0.4 (100%)")
        assert "Against your 4 decisions" in str(app.screen.query_one("#agreement-note", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReviewScreen"
