"""A progress bar for the command line: files done, files/s and time left."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class FileProgress:
    """Shows import progress on stderr while results arrive."""

    def __init__(self) -> None:
        self._console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[last]}"),
            console=self._console,
            transient=True,
        )
        self._task = None
        self._pages = 0

    def start(self) -> None:
        self._progress.start()
        self._task = self._progress.add_task("import", total=None, rate="", last="")

    def update(self, result, done: int, total: int) -> None:
        if result.status == "imported":
            self._pages += result.pages or 0
        elapsed = self._progress.tasks[0].elapsed or 0.0
        rate = f"{done / elapsed:.1f} files/s {self._pages / elapsed:.0f} pages/s" if elapsed > 0 else ""
        name = result.path.rsplit("/", 1)[-1][:30]
        self._progress.update(self._task, completed=done, total=total, rate=rate, last=f"{result.status} {name}")
        if result.status == "failed":
            self._progress.console.print(f"[red]failed[/red] {result.path} {result.reason}")

    def stop(self) -> None:
        self._progress.stop()
