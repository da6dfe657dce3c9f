"""The papergym app: the library, generation, review, topics, training and evaluation in one terminal window.

Screens are modes (one per part of the pipeline), switched with single keys
and reachable from the command palette. All work runs in thread workers over
the same core functions the command line uses; workers never touch widgets,
they post messages (``tui/messages.py``) that the screens handle.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from papergym.core.errors import PapergymError, describe_database_error
from papergym.core.library import Library
from papergym.tui.app.commands import KeyCommands, ScreenCommands
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker

# The app's own connection runs on the UI thread, which must never wait long:
# when another process holds the write lock for longer, the screen says so.
UI_BUSY_TIMEOUT_MS = 2_000

# mode name -> (module in tui/screens, screen class, key, title)
SCREENS = {
    "library": ("library", "LibraryScreen", "1", "Library"),
    "generate": ("generate", "GenerateScreen", "2", "Generate"),
    "review": ("review", "ReviewScreen", "3", "Review"),
    "topics": ("topics", "TopicsScreen", "4", "Topics"),
    "train": ("train", "TrainScreen", "5", "Train"),
    "evaluate": ("evaluate", "EvaluateScreen", "6", "Evaluate"),
    "models": ("models", "ModelsScreen", "7", "Models"),
}


def _screen_factory(module: str, class_name: str):
    def make():
        from importlib import import_module

        return getattr(import_module(f"papergym.tui.app.screens.{module}"), class_name)()

    return make


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker while stderr is still a real file.

    The import reads PDFs in spawned processes, and spawning hands the tracker
    our stderr's descriptor; once the app runs, Textual has replaced stderr
    with an object without one, and the first import would fail with "bad
    value(s) in fds_to_keep".
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


class PapergymApp(App):
    """The whole pipeline, keyboard first."""

    TITLE = "papergym"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ScreenCommands, KeyCommands}
    MODES = {mode: _screen_factory(module, class_name) for mode, (module, class_name, _, _) in SCREENS.items()}
    BINDINGS = [
        # The mode bar under the header shows these; the footer keeps to the screen's own keys.
        *(Binding(key, f"switch_mode('{mode}')", title, show=False) for mode, (_, _, key, title) in SCREENS.items()),
        Binding("question_mark", "help", "Help"),
        # Leaves a text field, so single-key shortcuts (1-7, ?) work again; dialogs bind Escape themselves.
        Binding("escape", "leave_field", show=False),
        Binding("ctrl+t", "toggle_dark", "Theme", show=False),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, library_dir: Path | None = None, start: str = "library") -> None:
        super().__init__()
        _start_resource_tracker()
        self.library = Library(library_dir, busy_timeout_ms=UI_BUSY_TIMEOUT_MS)
        self.start_mode = start

    def on_mount(self) -> None:
        self.switch_mode(self.start_mode)

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_leave_field(self) -> None:
        """From a text field to the screen's first other control (its table or list), where keys are shortcuts again."""
        from textual.widgets import Button, DataTable, Input, OptionList, TextArea, Tree

        if not isinstance(self.focused, (Input, TextArea)):
            return
        chain = self.screen.focus_chain
        # A list before anything else; never a button, where Enter would start something.
        lists = [widget for widget in chain if isinstance(widget, (DataTable, OptionList, Tree))]
        others = [widget for widget in chain if not isinstance(widget, (Input, TextArea, Button))]
        self.screen.set_focus((lists or others or [None])[0])

    def action_help(self) -> None:
        from papergym.tui.app.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def running_jobs(self) -> list[str]:
        """Names of the workers still doing something (an import, a generation, an evaluation...)."""
        return [worker.name or "a job" for worker in self.workers if worker.is_running]

    async def action_quit(self) -> None:
        """Quit, asking first when a job is still running; finished work is saved and the rest resumes next time."""
        jobs = self.running_jobs()
        if not jobs:
            self.exit()
            return
        from papergym.tui.app.screens.confirm import ConfirmScreen

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                for worker in self.workers:
                    worker.cancel()
                self.exit()

        self.push_screen(
            ConfirmScreen(
                f"{len(jobs)} job{'s are' if len(jobs) > 1 else ' is'} still running ({', '.join(jobs)}). Quit anyway? "
                "What is finished is saved; running the same job again resumes it. Training runs keep going on their own.",
                yes="Quit",
                no="Stay",
            ),
            answered,
        )

    def report_worker_error(self, worker: Worker) -> None:
        """A job that died of an unexpected error becomes a notification; the app and the user's place stay.

        Screens call it through ``tui.worker_errors.ReportsWorkerErrors``.
        """
        error = worker.error
        if isinstance(error, sqlite3.Error):
            reason = describe_database_error(error)
        elif isinstance(error, PapergymError):
            reason = str(error)
        else:
            reason = f"{type(error).__name__}: {error}. Nothing else was affected; try again, and report it if it repeats."
        self.notify(reason, title=f"{(worker.name or 'A job').capitalize()} failed", severity="error", timeout=10)

    def open_library(self) -> Library:
        """A separate connection for a worker thread's long job (close it when done)."""
        return Library(self.library.folder)

    def on_unmount(self) -> None:
        self.library.close()


def run_app(library_dir: Path | None = None) -> None:
    PapergymApp(library_dir).run()
