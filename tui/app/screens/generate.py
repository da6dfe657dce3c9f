"""Generate: choose a model, the question kinds and the papers, then watch questions being written.

The run is ``core.generate.run_generation`` in a thread worker, cancelled
through the worker's ``cancelled_event``; progress arrives as messages that
replace each other in the queue, so a fast model never floods the screen.
Work is committed window by window: a cancelled or failed run resumes next time.
Like ``papergym generate``, a run whose model would go on the GPU first waits
for the machine's GPU lease, and the screen says which job holds it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from papergym.core.errors import PapergymError, describe_database_error
from papergym.core.generation.run import GenerateProgress, GenerateSettings, plan, run_generation
from papergym.core.gpu import llama_job_uses_gpu
from papergym.core.gpu_lease import LeaseCancelled, QueueEntry, held_by, maybe_gpu_lease
from papergym.core.library import Library
from papergym.core.llm.backend import Backend
from papergym.core.llm.models import list_models
from papergym.core.questions.kinds import KINDS
from papergym.tui.app.messages import LibraryChanged
from papergym.tui.app.mode_bar import ModeBar
from papergym.tui.app.worker_errors import ReportsWorkerErrors
from papergym.tui.formatting import duration
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Label, Select, SelectionList, Static
from textual.worker import get_current_worker


def open_model(library: Library, model: str | None) -> Backend:
    """The real backend: a local GGUF model by registry name (the default when None)."""
    from papergym.core.llm.backends import open_backend

    return open_backend(library, model=model)


@dataclass
class ProgressSnapshot:
    """A copy of a run's progress, safe to hand to the UI thread."""

    windows_total: int
    windows_done: int
    windows_this_run: int
    windows_failed: int
    questions: int
    tokens_per_second: float
    questions_per_minute: float
    eta_seconds: float | None
    failures: Counter = field(default_factory=Counter)
    last: str = ""


class GenerationProgressed(Message):
    """The run finished another window."""

    def __init__(self, snapshot: ProgressSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, GenerationProgressed)


class GenerationEnded(Message):
    """The run stopped: finished, cancelled, stopped by repeated model errors, or failed to start."""

    def __init__(self, summary: str, error: str | None = None) -> None:
        super().__init__()
        self.summary = summary
        self.error = error


class GpuAwaited(Message):
    """The run waits for the GPU (``position`` 1 is next), or got it after waiting (``position`` 0)."""

    def __init__(self, holder: QueueEntry | None, position: int) -> None:
        super().__init__()
        self.holder = holder
        self.position = position

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, GpuAwaited)


def gpu_waiting_text(holder: QueueEntry | None, position: int) -> str:
    """The waiting run's status line: who holds the GPU and this run's place, the words `papergym generate` prints."""
    return (
        f"Waiting for the GPU, held by {held_by(holder)}; place {position} in the queue (Models screen, `papergym queue`). "
        "Ctrl+X leaves the queue."
    )


def progress_text(snapshot: ProgressSnapshot) -> Text:
    text = Text()
    text.append(f"windows {snapshot.windows_done:,}/{snapshot.windows_total:,}", style="bold")
    text.append(f"   questions {snapshot.questions:,}", style="bold green")
    text.append(f"   {snapshot.tokens_per_second:.1f} tokens/s   {snapshot.questions_per_minute:.1f} questions/min")
    text.append(f"   ETA {duration(snapshot.eta_seconds)}")
    if snapshot.windows_failed:
        text.append(f"\n{snapshot.windows_failed} window{'s' if snapshot.windows_failed != 1 else ''} gave no question:", style="yellow")
    for reason, count in snapshot.failures.most_common(6):
        text.append(f"\n  {count}× {reason}", style="yellow")
    if snapshot.last:
        text.append(f"\nlast: {snapshot.last}", style="dim")
    return text


class GenerateScreen(ReportsWorkerErrors, Screen):
    """Pick a model, kinds and papers; Ctrl+G starts, Ctrl+X cancels (finished windows are kept)."""

    CSS_PATH = "generate.tcss"
    BINDINGS = [
        Binding("ctrl+g", "start", "Start"),
        Binding("ctrl+x", "cancel", "Cancel"),
    ]
    # (library, model name or None) -> a backend; tests put a fake model here.
    backend_factory: Callable[[Library, str | None], Backend] = staticmethod(open_model)

    def __init__(self, backend_factory: Callable[[Library, str | None], Backend] | None = None) -> None:
        super().__init__()
        if backend_factory is not None:
            self.backend_factory = backend_factory
        self.told_of_wait = False  # the "GPU is busy" notification comes once per run, the status line follows the queue

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("generate")
        with Horizontal(id="generate-form"):
            with Vertical(id="generate-options"):
                yield Label("model")
                yield Select([], prompt="no model: add one on the Models screen (7)", id="generate-model")
                yield Label("question kinds")
                for kind in KINDS:
                    yield Checkbox(kind, value=kind == "mcq", id=f"kind-{kind}")
                yield Checkbox("all readable papers", value=True, id="generate-all-papers")
                with Horizontal(id="generate-buttons"):
                    yield Button("Start", variant="primary", id="generate-start")
                    yield Button("Cancel", variant="error", id="generate-cancel", disabled=True)
            with Vertical(id="generate-papers-box"):
                yield Label("papers (used when 'all readable papers' is off)")
                yield SelectionList[str](id="generate-papers")
        yield Static("Choose a model and press Start.", id="generate-status")
        yield Static(id="generate-progress")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    @on(LibraryChanged)
    def reload(self) -> None:
        """Fill the model choice and the paper list from the library."""
        library = self.app.library
        models = list_models(library)
        select = self.query_one("#generate-model", Select)
        select.set_options([(f"{entry.name}{' (default)' if entry.is_default else ''}", entry.name) for entry in models])
        default = next((entry.name for entry in models if entry.is_default), None)
        if default is not None:
            select.value = default
        papers = self.query_one("#generate-papers", SelectionList)
        papers.clear_options()
        papers.add_options([(Text(row["title"] or row["filename"] or row["id"][:12]), row["id"]) for row in library.papers(status="ok")])

    def chosen_settings(self) -> tuple[GenerateSettings, list[str] | None, str | None]:
        kinds = tuple(kind for kind in KINDS if self.query_one(f"#kind-{kind}", Checkbox).value)
        if not kinds:
            raise PapergymError("Tick at least one question kind (mcq, numeric or exact).")
        paper_ids = None
        if not self.query_one("#generate-all-papers", Checkbox).value:
            paper_ids = list(self.query_one("#generate-papers", SelectionList).selected)
            if not paper_ids:
                raise PapergymError("Select some papers in the list, or tick 'all readable papers'.")
        model = self.query_one("#generate-model", Select).value
        return GenerateSettings(kinds=kinds), paper_ids, None if model is Select.BLANK else model

    def running_workers(self) -> list:
        return [worker for worker in self.app.workers if worker.group == "generate" and worker.is_running]

    @on(Button.Pressed, "#generate-start")
    def action_start(self) -> None:
        if self.running_workers():
            self.notify("A run is already going; cancel it first.", timeout=3)
            return
        try:
            settings, paper_ids, model = self.chosen_settings()
        except PapergymError as error:
            self.notify(str(error), severity="warning")
            return
        self.query_one("#generate-start", Button).disabled = True
        self.query_one("#generate-cancel", Button).disabled = False
        self.told_of_wait = False
        self.query_one("#generate-status", Static).update(f"Loading {model or 'the default model'}…")
        self.query_one("#generate-progress", Static).update("")
        self.generate(settings, paper_ids, model)

    @on(Button.Pressed, "#generate-cancel")
    def action_cancel(self) -> None:
        running = self.running_workers()
        if not running:
            return
        for worker in running:
            worker.cancel()
        self.query_one("#generate-status", Static).update("Cancelling: the unfinished window stops and stays pending for the next run…")

    @work(thread=True, exclusive=True, group="generate", exit_on_error=False, name="generation")
    def generate(self, settings: GenerateSettings, paper_ids: list[str] | None, model: str | None) -> None:
        """The whole run, on its own connection; never touches widgets.

        A model that llama.cpp would put on the GPU waits for the GPU lease
        first, exactly as ``papergym generate`` does, so it never shares the
        GPU with a check, an eval or a training run; the lease is let go when
        the run ends, fails or is cancelled, and cancelling while waiting
        leaves the queue.
        """
        cancelled = get_current_worker().cancelled_event
        library = self.app.open_library()
        waited = False

        def waiting(holder: QueueEntry | None, position: int) -> None:
            nonlocal waited
            waited = True
            self.post_message(GpuAwaited(holder, position))

        try:
            with maybe_gpu_lease(
                llama_job_uses_gpu(local_model=True), "generate", library=library.folder, cancel=cancelled, on_wait=waiting
            ):
                if waited:
                    self.post_message(GpuAwaited(None, 0))
                self.run_with_gpu(library, settings, paper_ids, model, cancelled)
        except LeaseCancelled:
            self.post_message(GenerationEnded("Cancelled while waiting for the GPU; nothing ran. Start again to queue for it again."))
        except Exception as error:  # a locked database or a bug: the user keeps the screen and what was committed
            reason = describe_database_error(error) if isinstance(error, sqlite3.Error) else str(error)
            self.post_message(GenerationEnded("The run failed.", f"Generation failed: {reason} What finished is saved; Start resumes."))
        finally:
            library.close()

    def run_with_gpu(
        self, library: Library, settings: GenerateSettings, paper_ids: list[str] | None, model: str | None, cancelled: threading.Event
    ) -> None:
        """Load the model, plan and run (in the worker, holding the GPU when it is needed); the model is closed before the GPU is let go."""
        try:
            backend = self.backend_factory(library, model)
        except Exception as error:  # a missing file, a bad GGUF, not enough memory
            self.post_message(
                GenerationEnded(
                    "The model did not load.",
                    f"Could not load {model or 'the default model'}: {error}. Pick another model, or check it on the Models screen (7).",
                )
            )
            return
        try:
            try:
                todo, total = plan(library, backend, settings, paper_ids)
            except PapergymError as error:
                self.post_message(GenerationEnded("Nothing to generate.", str(error)))
                return
            already_done = total - len(todo)
            # The first window can take a minute on a CPU: show the plan at once, not "Loading…".
            self.post_message(
                GenerationProgressed(
                    ProgressSnapshot(
                        windows_total=total,
                        windows_done=already_done,
                        windows_this_run=0,
                        windows_failed=0,
                        questions=0,
                        tokens_per_second=0.0,
                        questions_per_minute=0.0,
                        eta_seconds=None,
                        last=f"{len(todo)} windows to run ({already_done} done before); the first one is being written…",
                    )
                )
            )

            def progressed(progress: GenerateProgress) -> None:
                this_run = progress.windows_done - already_done
                self.post_message(
                    GenerationProgressed(
                        ProgressSnapshot(
                            windows_total=progress.windows_total,
                            windows_done=progress.windows_done,
                            windows_this_run=this_run,
                            windows_failed=progress.windows_failed,
                            questions=progress.questions,
                            tokens_per_second=progress.tokens_per_second,
                            questions_per_minute=progress.questions_per_minute,
                            eta_seconds=progress.eta_seconds(this_run, progress.windows_total - progress.windows_done),
                            failures=Counter(progress.failures),
                            last=progress.last,
                        )
                    )
                )

            report = run_generation(library, backend, settings, paper_ids, planned=(todo, total), on_progress=progressed, cancel=cancelled)
            summary = (
                f"{report.questions_new} new question{'s' if report.questions_new != 1 else ''} from "
                f"{report.windows_run} window{'s' if report.windows_run != 1 else ''}"
                f" ({report.windows_already_done} done before, {report.questions_duplicate} duplicates) in {report.seconds:.1f}s."
            )
            if report.stopped_reason:
                self.post_message(
                    GenerationEnded(
                        f"Stopped: {summary}", f"Generation stopped: {report.stopped_reason}. Check the model, then Start again to resume."
                    )
                )
            elif report.cancelled:
                self.post_message(GenerationEnded(f"Cancelled: {summary} Start again to resume."))
            else:
                self.post_message(GenerationEnded(f"Finished: {summary}"))
        finally:
            backend.close()

    @on(GpuAwaited)
    def gpu_awaited(self, message: GpuAwaited) -> None:
        """Say who holds the GPU and where this run stands in the queue, as `papergym generate` does on its terminal."""
        status = self.query_one("#generate-status", Static)
        if message.position == 0:
            status.update("Got the GPU; loading the model…")
            return
        status.update(Text(gpu_waiting_text(message.holder, message.position)))
        if not self.told_of_wait:
            self.told_of_wait = True
            self.notify(f"The GPU is busy with {held_by(message.holder)}; this run waits its turn.", severity="warning", timeout=8)

    @on(GenerationProgressed)
    def progressed(self, message: GenerationProgressed) -> None:
        self.query_one("#generate-status", Static).update("Generating… (Ctrl+X cancels; finished windows are kept)")
        self.query_one("#generate-progress", Static).update(progress_text(message.snapshot))

    @on(GenerationEnded)
    def ended(self, message: GenerationEnded) -> None:
        self.query_one("#generate-start", Button).disabled = False
        self.query_one("#generate-cancel", Button).disabled = True
        self.query_one("#generate-status", Static).update(Text(message.summary))
        if message.error:
            self.notify(message.error, severity="error", timeout=10)
        self.app.post_message(LibraryChanged())
