"""The whole way through the app: generate with a fake model, review with accept and reject, then export."""

from __future__ import annotations

import pytest
from papergym.core.llm.backend import FakeBackend
from papergym.tui.app.app import PapergymApp
from papergym.tui.app.screens.generate import GenerateScreen
from textual.widgets import Input, Static

from tests.tui.test_review_generate_screens import add_paper, mcq

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


async def test_generate_review_and_export(tmp_path, monkeypatch):
    from datasets import load_from_disk

    folder = tmp_path / "lib"
    add_paper(folder, sections=2, letter="a", title="Heat in thin films")
    add_paper(folder, sections=2, letter="b", title="Heat in thick films")
    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(lambda library, model: FakeBackend([mcq(n) for n in range(4)])))
    app = PapergymApp(folder, start="generate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Finished: 4 new questions" in str(app.screen.query_one("#generate-status", Static).render())

        await pilot.press("3")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReviewScreen"
        await pilot.press("a", "a", "x")
        await pilot.pause()
        await pilot.press(*"too easy", "enter")
        await pilot.pause()

        await pilot.press("4")
        await pilot.pause()
        assert "2 papers, 2 accepted questions" in str(app.screen.query_one("#topics-summary", Static).render())
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ExportDialog"
        out = tmp_path / "dataset"
        app.screen.query_one("#export-out", Input).value = str(out)
        app.screen.query_one("#export-alpha", Input).value = ""
        await pilot.press("ctrl+s")
        await app.screen.export_worker.wait()
        await pilot.pause()
        status = str(app.screen.query_one("#export-status", Static).render())
        assert "Wrote 2 of 2 selected questions as hf" in status, status
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TopicsScreen"
    dataset = load_from_disk(str(out))
    assert sum(len(split) for split in dataset.values()) == 2


async def test_an_export_that_cannot_run_says_why_and_keeps_the_dialog(tmp_path):
    app = PapergymApp(tmp_path / "lib", start="topics")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-out", Input).value = str(tmp_path / "dataset")
        app.screen.query_one("#export-alpha", Input).value = "lots"
        await pilot.press("ctrl+s")
        await pilot.pause()
        messages = [notification.message for notification in app._notifications]
        assert any("α must be a number" in message for message in messages)
        app.screen.query_one("#export-alpha", Input).value = ""
        await pilot.press("ctrl+s")
        await app.screen.export_worker.wait()
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ExportDialog"
        assert not (tmp_path / "dataset").exists()
        messages = [notification.message for notification in app._notifications]
        assert any("No questions match" in message for message in messages[1:]), messages


async def test_a_folder_that_cannot_be_written_is_explained_and_export_can_be_tried_again(tmp_path, monkeypatch):
    import papergym.core.dataset.export

    def refused(library, settings, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(papergym.core.dataset.export, "export_dataset", refused)
    app = PapergymApp(tmp_path / "lib", start="topics")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-out", Input).value = str(tmp_path / "locked" / "dataset")
        await pilot.press("ctrl+s")
        await app.screen.export_worker.wait()
        await pilot.pause()
        status = str(app.screen.query_one("#export-status", Static).render())
        assert "Cannot write" in status and "Permission denied" in status, status
        assert not app.screen.query_one("#export-start").disabled and not app.screen.exporting
