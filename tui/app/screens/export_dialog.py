"""The export dialog: where to, which format and statuses, the topic alignment α, and what was written.

The export is ``core.export.export_dataset``, the function ``papergym
export`` runs, in a thread worker; the output folder appears only when the
export is complete, so cancelling leaves nothing half-written.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from papergym.core.errors import PapergymError, describe_database_error
from papergym.tui.app.worker_errors import ReportsWorkerErrors
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static
from textual.worker import Worker, get_current_worker

FORMATS = (
    ("Hugging Face dataset folder (load_from_disk)", "hf"),
    ("Parquet, one file per split", "parquet"),
    ("JSON lines, one file per split", "jsonl"),
)


class ExportEnded(Message):
    """The export finished, failed or was cancelled; carries the summary to show."""

    def __init__(self, summary: str, error: bool = False, out: Path | None = None) -> None:
        super().__init__()
        self.summary, self.error, self.out = summary, error, out


class ExportStepped(Message):
    """The export moved on to its next step."""

    def __init__(self, step: str, done: int, total: int) -> None:
        super().__init__()
        self.step, self.done, self.total = step, done, total


def taken_folder_words(taken) -> str:
    """The dialog's own sentence for an output folder that holds files (the command's names a flag)."""
    if taken.earlier_export:
        return f"{taken.out} already exists and is not empty; tick 'replace an earlier export', or choose a new folder."
    if taken.foreign:
        return (
            f"{taken.out} holds {taken.foreign}, which papergym did not write (or which changed since), so it will not be replaced; "
            "move what you want to keep out of it, or choose a new folder."
        )
    return f"{taken.out} is not a papergym export (it has no export.json), so it will not be replaced; choose a new folder."


def export_summary(report) -> str:
    """What was written, split by split, in a few lines."""
    splits = ", ".join(f"{name} {count:,} ({report.papers[name]:,} papers)" for name, count in report.splits.items())
    lines = [
        f"Wrote {report.written:,} of {report.selected:,} selected questions as {report.format} to {report.out} in {report.seconds:.1f} s.",
        f"Splits: {splits}.",
    ]
    if report.alignment:
        removed = sum(row["removed"] for row in report.alignment.values())
        lines.append(f"Topic alignment (α {report.settings['align_alpha']:g}) left {removed:,} train questions out.")
    empty = [name for name, count in report.splits.items() if not count]
    if empty:
        lines.append(f"{' and '.join(empty)} got no questions (too few papers) and {'were' if len(empty) > 1 else 'was'} not written.")
    return "\n".join(lines)


class ExportDialog(ReportsWorkerErrors, ModalScreen[Path | None]):
    """Export questions as a training dataset; dismisses with the folder written, or None."""

    CSS_PATH = "export_dialog.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close / cancel"),
        Binding("ctrl+s", "start", "Export"),
    ]

    def __init__(self, alpha: float | None = None, out: Path | None = None) -> None:
        super().__init__()
        self.alpha = alpha
        self.default_out = out or Path.cwd() / "papergym-dataset"
        self.export_worker: Worker | None = None
        self.exporting = False  # until the worker's thread has ended, not just its task (a cancel ends that at once)
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="export-box"):
            yield Label("Export questions as train/validation/test splits (a paper's questions stay in one split).", id="export-intro")
            yield Label("output folder")
            yield Input(str(self.default_out), id="export-out")
            yield Label("format")
            yield Select(FORMATS, value="hf", allow_blank=False, id="export-format")
            yield Label("statuses (comma-separated)")
            yield Input("accepted", id="export-statuses")
            yield Label("topic alignment α for the train split (1 = target, 0 = uniform, empty = none)")
            yield Input("" if self.alpha is None else f"{self.alpha:g}", id="export-alpha")
            yield Checkbox("replace an earlier export in that folder", id="export-overwrite")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-start")
                yield Button("Close", id="export-close")
            yield Static("", id="export-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#export-out", Input).focus()

    def settings(self):
        from papergym.core.dataset.export import ExportSettings

        raw_alpha = self.query_one("#export-alpha", Input).value.strip()
        try:
            alpha = float(raw_alpha) if raw_alpha else None
        except ValueError:
            raise PapergymError(f"α must be a number such as 0.5, or empty for no alignment, not {raw_alpha!r}.") from None
        out = self.query_one("#export-out", Input).value.strip()
        if not out:
            raise PapergymError("Type the folder to export to.")
        return ExportSettings(
            out=Path(out),
            format=self.query_one("#export-format", Select).value,
            statuses=tuple(part.strip() for part in self.query_one("#export-statuses", Input).value.split(",") if part.strip()),
            align_alpha=alpha,
            overwrite=self.query_one("#export-overwrite", Checkbox).value,
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#export-start")
    def action_start(self) -> None:
        if self.exporting:
            self.notify("The export is still running; Escape cancels it.", severity="warning")
            return
        try:
            settings = self.settings()
        except PapergymError as error:
            self.notify(str(error), title="Cannot export", severity="error")
            return
        self.query_one("#export-start", Button).disabled = True
        self.show_status("Exporting…")
        self.exporting = True
        self.export_worker = self.run_export(settings)

    @on(Button.Pressed, "#export-close")
    def action_close(self) -> None:
        if self.exporting:
            if self.export_worker is not None:
                self.export_worker.cancel()
            self.show_status("Cancelling: the output folder is left as it was…")
            return
        self.dismiss(self.written)

    def show_status(self, words: str | Text) -> None:
        """Put words under the buttons and scroll them into view, since a short terminal cuts the box off."""
        status = self.query_one("#export-status", Static)
        status.update(words)
        self.call_after_refresh(status.scroll_visible, animate=False)

    @work(thread=True, exclusive=True, exit_on_error=False, name="export")
    def run_export(self, settings) -> None:
        from papergym.core.dataset.export import ExportCancelled, export_dataset
        from papergym.core.dataset.export_files import OutputFolderTaken

        worker = get_current_worker()

        def progressed(step: str, done: int, total: int) -> None:
            self.post_message(ExportStepped(step, done, total))

        try:
            library = self.app.open_library()
            try:
                report = export_dataset(library, settings, on_progress=progressed, cancel=worker.cancelled_event)
            finally:
                library.close()
        except ExportCancelled as cancelled:
            self.post_message(ExportEnded(str(cancelled)))
        except OutputFolderTaken as taken:
            self.post_message(ExportEnded(taken_folder_words(taken), error=True))
        except PapergymError as error:
            self.post_message(ExportEnded(str(error), error=True))
        except sqlite3.Error as error:
            self.post_message(ExportEnded(describe_database_error(error), error=True))
        except OSError as error:  # a folder that cannot be written, a full disk
            self.post_message(ExportEnded(f"Cannot write {settings.out} ({error.strerror or error}); choose another folder.", error=True))
        except Exception as error:  # a bug: say it, and leave the dialog usable
            self.post_message(ExportEnded(f"The export failed: {type(error).__name__}: {error}", error=True))
        else:
            self.post_message(ExportEnded(export_summary(report), out=report.out))

    @on(ExportStepped)
    def stepped(self, event: ExportStepped) -> None:
        self.show_status(f"Exporting: {event.step} ({event.done}/{event.total})…")

    @on(ExportEnded)
    def ended(self, event: ExportEnded) -> None:
        self.exporting = False
        self.query_one("#export-start", Button).disabled = False
        self.show_status(Text(event.summary, style="red" if event.error else ""))
        if event.error:
            self.notify(event.summary, title="Export failed", severity="error")
        elif event.out is not None:
            self.written = event.out
            self.notify(f"Exported to {event.out}.", timeout=4)
