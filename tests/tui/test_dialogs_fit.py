"""The app's dialogs at the smallest size the README promises (120x36): their buttons and results can be seen."""

from __future__ import annotations

import pytest
from papergym.tui.app.app import PapergymApp
from textual.widgets import Input

pytestmark = pytest.mark.anyio
SMALL = (120, 36)


def shown_on_screen(app, widget) -> bool:
    """Whether the widget's middle is what the screen shows at that cell, not hidden by its container."""
    region = widget.region
    if not region.area:
        return False
    shown, _ = app.screen.get_widget_at(region.x + region.width // 2, region.y + region.height // 2)
    return shown is widget or widget in shown.ancestors


async def test_the_export_dialog_shows_its_buttons_and_its_result_in_a_small_terminal(tmp_path):
    app = PapergymApp(tmp_path / "lib", start="topics")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert shown_on_screen(app, dialog.query_one("#export-start"))
        dialog.query_one("#export-out", Input).value = str(tmp_path / "dataset")
        dialog.query_one("#export-alpha", Input).value = ""
        await pilot.press("ctrl+s")
        await dialog.export_worker.wait()
        await pilot.pause()
        status = dialog.query_one("#export-status")
        assert "No questions match" in str(status.render())
        assert shown_on_screen(app, status)


async def test_a_bulk_confirmation_wraps_its_question_instead_of_cutting_off_the_undo_hint(tmp_path):
    from papergym.core.library import Library
    from textual.widgets import Label

    from tests.questions import add_question

    with Library(tmp_path / "lib") as library:
        for number in range(2):
            add_question(library, question=f"Question {number}: what is the resistance of a 2.0 m copper wire carrying 3.0 A?")
    app = PapergymApp(tmp_path / "lib", start="review")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        label = app.screen.query_one(Label)
        box = label.parent
        assert "u undoes it." in str(label.render())
        assert label.region.right <= box.content_region.right, (label.region, box.content_region)
        assert label.region.height >= 2  # the sentence is longer than the box is wide


async def test_the_question_edit_dialog_opens_with_the_cursor_in_the_question(tmp_path):
    from papergym.core.library import Library
    from textual.widgets import TextArea

    from tests.questions import add_question

    with Library(tmp_path / "lib") as library:
        add_question(library)
    app = PapergymApp(tmp_path / "lib", start="review")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#edit-question", TextArea), app.focused
