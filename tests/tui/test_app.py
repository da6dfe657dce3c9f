"""The app shell: screens by key, the command palette, themes, and quitting in the middle of a job."""

from __future__ import annotations

import threading

import pytest
from papergym.tui.app.app import SCREENS, PapergymApp
from textual.command import CommandList
from textual.worker import WorkerFailed

pytestmark = pytest.mark.anyio


async def test_quitting_during_a_job_asks_first(tmp_path):
    app = PapergymApp(tmp_path / "lib", start="topics")
    release = threading.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        app.run_worker(lambda: release.wait(10), thread=True, name="a slow job")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        assert "a slow job" in str(app.screen.question)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and app.screen.__class__.__name__ != "ConfirmScreen"
        release.set()
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code in (0, None)


async def test_theme_toggles_between_dark_and_light(tmp_path):
    app = PapergymApp(tmp_path / "lib", start="topics")
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != first


def test_every_screen_has_a_key_and_a_module():
    keys = [key for _, _, key, _ in SCREENS.values()]
    assert len(set(keys)) == len(keys)


async def test_the_palette_runs_an_action_of_the_screen_in_front(tmp_path):
    app = PapergymApp(tmp_path / "lib")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"library: import")
        hits = app.screen.query_one(CommandList)
        for _ in range(100):  # the palette gathers hits in batches
            if hits.option_count:
                break
            await pilot.pause(0.05)
        assert "Library: Import" in str(hits.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")
        await pilot.pause(0.3)
        assert app.screen.__class__.__name__ == "ImportDialog"


async def test_every_key_of_every_screen_is_a_palette_entry(tmp_path):
    from papergym.tui.app.commands import key_commands

    app = PapergymApp(tmp_path / "lib", start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        names = {name for name, _, _ in key_commands(app.screen)}
        assert {"Review: Accept", "Review: Reject", "Review: Undo", "Review: Filter", "App: Help", "App: Quit"} <= names
        await pilot.press("5")
        await pilot.pause()
        assert {"Train: Start run", "Train: Stop run"} <= {name for name, _, _ in key_commands(app.screen)}


async def test_a_job_that_crashes_is_a_notification_and_the_app_stays(tmp_path, monkeypatch):
    """A screen's worker (here the import dialog's) that dies of a bug is reported by the app."""
    import papergym.core.ingest.importer
    from textual.widgets import Input

    def broken_import(*args, **kwargs):
        raise RuntimeError("the reader exploded")

    monkeypatch.setattr(papergym.core.ingest.importer, "import_paths", broken_import)
    app = PapergymApp(tmp_path / "lib", start="library")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#import-path", Input).value = str(tmp_path)
        await pilot.press("enter")
        with pytest.raises(WorkerFailed):
            await app.screen.import_worker.wait()
        await pilot.pause()
        titles = [(notification.title, notification.message) for notification in app._notifications]
        assert any(title == "Import papers failed" and "the reader exploded" in message for title, message in titles), titles
        assert app.is_running and app.screen.__class__.__name__ == "ImportDialog"
        assert not app.screen.query_one("#import-start").disabled


async def test_a_locked_library_is_explained_and_the_decision_can_be_made_again(tmp_path, monkeypatch):
    import sqlite3

    from papergym.core.library import Library
    from papergym.tui.app import app as app_module

    from tests.questions import add_question

    monkeypatch.setattr(app_module, "UI_BUSY_TIMEOUT_MS", 100)
    folder = tmp_path / "lib"
    with Library(folder) as library:
        question_id = add_question(library)
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        other_process = sqlite3.connect(folder / "library.db", isolation_level=None)
        other_process.execute("BEGIN EXCLUSIVE")
        await pilot.press("a")
        await pilot.pause()
        messages = [notification.message for notification in app._notifications]
        assert any("busy" in message and "not saved" in message for message in messages)
        assert app.is_running and app.screen.__class__.__name__ == "ReviewScreen"
        other_process.execute("ROLLBACK")
        other_process.close()
        await pilot.press("a")
        await pilot.pause()
    with Library(folder) as library:
        assert library.query("SELECT status FROM questions WHERE id = ?", [question_id])[0]["status"] == "accepted"


async def test_digits_switch_screens_from_the_train_form_and_escape_leaves_a_field(tmp_path):
    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "LibraryScreen"
        await pilot.press("slash", *"heat")  # typing in the search field...
        await pilot.pause()
        assert app.screen.__class__.__name__ == "LibraryScreen"
        await pilot.press("escape")  # ...until Escape leaves it for the table, where keys work again
        await pilot.pause()
        assert app.focused is app.screen.query_one("#papers")
        await pilot.press("escape", "5")  # Escape in the table keeps it
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TrainScreen"
