"""The import dialog: typing a path, watching the import, the failed files and their reasons."""

from __future__ import annotations

import shutil

import pytest
from papergym.tui.app.app import PapergymApp
from textual.widgets import DataTable, Input, Static

from tests.conftest import DEMO_PAPERS

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


def notifications(app: PapergymApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def wait_for_import(app: PapergymApp, pilot) -> None:
    # Not app.workers.wait_for_complete(): the file tree's loader worker never ends.
    await app.screen.import_worker.wait()
    await pilot.pause()
    await pilot.pause()


async def test_importing_a_folder_shows_the_papers_and_the_failed_files(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    for pdf in sorted(DEMO_PAPERS.glob("*.pdf"))[:2]:
        shutil.copy(pdf, folder / pdf.name)
    (folder / "broken.pdf").write_bytes(b"this is not a PDF at all")
    app = PapergymApp(tmp_path / "lib")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#papers", DataTable).row_count == 0
        await pilot.press("i")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ImportDialog"
        app.screen.query_one("#import-path", Input).value = str(folder)
        await pilot.press("enter")
        await wait_for_import(app, pilot)
        status = str(app.screen.query_one("#import-status", Static).render())
        assert "2 imported" in status and "1 failed" in status
        failed = app.screen.query_one("#import-failed", DataTable)
        assert failed.display and failed.row_count == 1
        assert str(failed.get_row_at(0)[0]) == "broken.pdf"
        assert "PDF" in str(failed.get_row_at(0)[1])
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "LibraryScreen"
        rows = app.screen.query_one("#papers", DataTable)
        assert rows.row_count == 3  # two papers and the failed file, with its reason


async def test_a_bad_path_is_a_notification_and_the_dialog_stays(tmp_path):
    app = PapergymApp(tmp_path / "lib")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        missing = tmp_path / "no-such-folder"
        app.screen.query_one("#import-path", Input).value = str(missing)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ImportDialog"
        assert any("does not exist" in message for message in notifications(app))
        (tmp_path / "notes.txt").write_text("hello")
        app.screen.query_one("#import-path", Input).value = str(tmp_path / "notes.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert any("not a PDF" in message for message in notifications(app))


IMPORT_IN_A_FRESH_PROCESS = """
import asyncio, sys
from pathlib import Path
from textual.widgets import Input, Static
from papergym.tui.app.app import PapergymApp

async def main():
    app = PapergymApp(Path(sys.argv[1]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#import-path", Input).value = sys.argv[2]
        await pilot.press("enter")
        await app.screen.import_worker.wait()
        await pilot.pause()
        print(app.screen.query_one("#import-status", Static).render())

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_the_first_import_of_a_fresh_app_process_reads_the_pdfs(tmp_path):
    """Spawning the PDF readers while Textual holds stderr once failed with "bad value(s) in fds_to_keep"."""
    import subprocess
    import sys

    script = tmp_path / "import_once.py"
    script.write_text(IMPORT_IN_A_FRESH_PROCESS)
    pdf = sorted(DEMO_PAPERS.glob("*.pdf"))[0]
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "lib"), str(pdf)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "1 imported" in result.stdout, result.stdout + result.stderr[-2000:]
