"""The Train screen says what a run with flat reward groups means, and what to do about it."""

from __future__ import annotations

import pytest
from papergym.core.library import Library
from papergym.tui.app.app import PapergymApp
from papergym.tui.app.screens.train import TrainScreen

from tests.tui.test_train_screen import SIZE, record_run

pytestmark = pytest.mark.anyio


async def test_a_run_whose_groups_stay_flat_gets_advice(tmp_path):
    library = Library(tmp_path / "lib")
    record_run(library, "run-flat", steps=6)
    with library.write() as db:
        db.execute("UPDATE metrics SET value = 0.95 WHERE name = 'frac_reward_zero_std'")
        db.execute("UPDATE metrics SET value = 0.97 WHERE name = 'rewards/correctness/mean'")
    record_run(library, "run-learning", steps=6, started_at="2024-01-01T00:00:00+00:00")  # 0.25 flat: nothing to say
    library.close()
    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        screen.show_run("run-flat")
        await pilot.pause()
        status = str(screen.query_one("#run-status").render())
        assert "95% of the questions gave every completion the same reward" in status
        assert "too easy" in status and "--learnable" in status
        screen.show_run("run-learning")
        await pilot.pause()
        assert "same reward" not in str(screen.query_one("#run-status").render())
