"""The import dialog: a path (typed, or picked from a file tree), live progress, and the files that failed.

The import itself is ``core.ingest.import_paths``, the function ``papergym
import`` runs, in a thread worker that only posts messages; cancelling the
worker sets the event the import checks between files, so what finished stays.
"""

from __future__ import annotations

import time
from pathlib import Path

from papergym.core.errors import PapergymError
from papergym.tui.app.messages import JobFailed, LibraryChanged
from papergym.tui.app.worker_errors import ReportsWorkerErrors
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, DirectoryTree, Footer, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker


class ImportProgressed(Message):
    """One more file finished; a newer one replaces an older one still waiting in the queue."""

    def __init__(self, done: int, total: int, pages: int, seconds: float, last_path: str) -> None:
        super().__init__()
        self.done, self.total, self.pages, self.seconds, self.last_path = done, total, pages, seconds, last_path

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ImportProgressed)


class ImportFinished(Message):
    """The import ended (completely or cut short); carries the counts and the failed files."""

    def __init__(self, counts: dict[str, int], failed: list[tuple[str, str]], pages: int, seconds: float, cancelled: bool) -> None:
        super().__init__()
        self.counts, self.failed, self.pages, self.seconds, self.cancelled = counts, failed, pages, seconds, cancelled


def path_problem(text: str) -> str | None:
    """What is wrong with a typed import path, as a sentence that says what to do; None if it can be imported."""
    if not text.strip():
        return "Type the path of a PDF file or a folder of PDFs (or pick one in the tree), then press Start."
    path = Path(text.strip()).expanduser()
    if not path.exists():
        return f"{path} does not exist; type the path of a PDF file or a folder of PDFs."
    if path.is_file() and path.suffix.lower() != ".pdf":
        return f"{path} is not a PDF file; choose a .pdf file or a folder holding PDFs."
    return None


class ImportDialog(ReportsWorkerErrors, ModalScreen[None]):
    """Import PDF files or folders into the library, watching each file go by."""

    CSS_PATH = "import_dialog.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close / cancel"),
        Binding("ctrl+s", "start", "Start"),
    ]

    def __init__(self, start_folder: Path | None = None) -> None:
        super().__init__()
        self.start_folder = start_folder or Path.cwd()
        self.import_worker: Worker | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box"):
            yield Label("Import PDF files: type a file or folder, or pick one below.", id="import-title")
            yield Input(placeholder="~/papers or ~/papers/some_paper.pdf", id="import-path")
            yield DirectoryTree(self.start_folder, id="import-tree")
            with Horizontal(id="import-buttons"):
                yield Button("Start", variant="primary", id="import-start")
                yield Button("Close", id="import-close")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static("", id="import-status")
            yield DataTable(id="import-failed", cursor_type="row", show_cursor=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#import-failed", DataTable).add_columns("file", "why it failed")
        self.query_one("#import-failed", DataTable).display = False
        self.query_one("#import-path", Input).focus()

    @on(DirectoryTree.FileSelected, "#import-tree")
    @on(DirectoryTree.DirectorySelected, "#import-tree")
    def picked(self, event: DirectoryTree.FileSelected | DirectoryTree.DirectorySelected) -> None:
        self.query_one("#import-path", Input).value = str(event.path)

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-start")
    def action_start(self) -> None:
        if self.import_worker is not None and self.import_worker.is_running:
            self.notify("An import is already running; wait for it or press Escape to cancel it.", severity="warning")
            return
        text = self.query_one("#import-path", Input).value
        problem = path_problem(text)
        if problem:
            self.notify(problem, title="Cannot import", severity="error")
            return
        failed_table = self.query_one("#import-failed", DataTable)
        failed_table.clear()
        failed_table.display = False
        self.query_one("#import-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#import-status", Static).update("Looking for PDF files…")
        self.query_one("#import-start", Button).disabled = True
        self.import_worker = self.run_import(Path(text.strip()).expanduser())

    @on(Button.Pressed, "#import-close")
    def action_close(self) -> None:
        if self.import_worker is not None and self.import_worker.is_running:
            self.import_worker.cancel()
            self.query_one("#import-status", Static).update("Cancelling: the files already imported stay…")
            return
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False, name="import papers")
    def run_import(self, path: Path) -> None:
        from papergym.core.ingest.importer import import_paths

        worker = get_current_worker()
        started = time.monotonic()
        pages_done = 0

        def on_result(result, done: int, total: int) -> None:
            nonlocal pages_done
            if result.status == "imported":
                pages_done += result.pages or 0
            self.post_message(ImportProgressed(done, total, pages_done, time.monotonic() - started, result.path))

        library = self.app.open_library()
        try:
            report = import_paths(library, [path], on_result=on_result, cancel=worker.cancelled_event)
        except PapergymError as error:
            self.post_message(JobFailed("import", str(error)))
            return
        finally:
            library.close()
        self.post_message(
            ImportFinished(
                dict(report.counts),
                [(result.path, result.reason or "unknown reason") for result in report.failed],
                report.pages,
                report.seconds,
                report.cancelled,
            )
        )

    @on(ImportProgressed)
    def show_progress(self, event: ImportProgressed) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=max(event.total, 1), progress=event.done)
        rate = event.pages / event.seconds if event.seconds > 0 else 0.0
        self.query_one("#import-status", Static).update(
            f"{event.done}/{event.total} files · {event.pages} pages · {rate:.1f} pages/s · {Path(event.last_path).name}"
        )

    @on(ImportFinished)
    def show_report(self, event: ImportFinished) -> None:
        self.query_one("#import-start", Button).disabled = False
        counts = ", ".join(f"{count} {status}" for status, count in sorted(event.counts.items())) or "no PDF files found"
        rate = event.pages / event.seconds if event.seconds > 0 else 0.0
        ending = "Cancelled" if event.cancelled else "Done"
        self.query_one("#import-status", Static).update(
            f"{ending} in {event.seconds:.1f} s: {counts} ({event.pages} pages, {rate:.1f} pages/s)."
            + (" The files below failed:" if event.failed else "")
        )
        failed_table = self.query_one("#import-failed", DataTable)
        for path, reason in event.failed:
            failed_table.add_row(Path(path).name, reason)
        failed_table.display = bool(event.failed)
        # Whatever screens are open reload what they show.
        for screen in self.app.screen_stack:
            if screen is not self:
                screen.post_message(LibraryChanged())

    @on(JobFailed)
    def show_failure(self, event: JobFailed) -> None:
        self.query_one("#import-start", Button).disabled = False
        self.query_one("#import-status", Static).update(f"The import failed: {event.reason}")
        self.notify(event.reason, title="Import failed", severity="error")

    @on(Worker.StateChanged)
    def worker_ended(self, event: Worker.StateChanged) -> None:
        # An unexpected error (a bug, not a user's mistake) still leaves the dialog usable; the app notifies.
        if event.worker is self.import_worker and event.state == WorkerState.ERROR:
            self.query_one("#import-start", Button).disabled = False
            self.query_one("#import-status", Static).update("The import stopped; what finished is in the library.")
