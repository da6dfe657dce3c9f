"""The app shell: screens by key, the command palette, themes, and quitting in the middle of a job."""

from __future__ import annotations

import threading

import pytest

from papergym.tui.app import SCREENS, PapergymApp

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


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
