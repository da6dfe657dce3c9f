"""Crashed workers become notifications, wherever they were started.

Textual posts ``Worker.StateChanged`` only to the node that started the
worker (it does not bubble), so each screen that runs workers mixes this in
and hands the crash to the app, which words it.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    """Mixed into a Screen: its workers' unexpected errors are shown by the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.report_worker_error(event.worker)
