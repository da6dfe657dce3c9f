"""A dialog over Review: how well each automatic check agrees with the user's accept and reject decisions.

The figures are ``papergym check --report``'s: per signal, the reviewed questions it
judged, how often its pass/flag matched the decision against always guessing the
more common decision, its AUC, and the threshold that would have matched best.
"""

from __future__ import annotations

import sqlite3

from papergym.core.quality.curator_report import CuratorReport, curator_report
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

COLUMNS = ("check", "judged", "accepted", "rejected", "agrees", "majority", "AUC", "best threshold")


class AgreementRead(Message):
    """The report, read on a worker's own connection."""

    def __init__(self, report: CuratorReport | None, error: str | None = None) -> None:
        super().__init__()
        self.report = report
        self.error = error


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def agreement_rows(report: CuratorReport) -> list[tuple[str, ...]]:
    """One table row per signal, as the dialog shows it."""
    rows = []
    for signal in report.signals:
        if not signal.judged:
            rows.append((signal.signal, "0", "", "", "-", "-", "-", "not run on reviewed questions"))
            continue
        best = "-"
        if signal.best_threshold is not None:
            best = f">= {signal.best_threshold:+.3g} ({_percent(signal.best_threshold_accuracy)})"
        rows.append(
            (
                signal.signal,
                str(signal.judged),
                str(signal.accepted),
                str(signal.rejected),
                _percent(signal.accuracy),
                _percent(signal.baseline),
                "-" if signal.auc is None else f"{signal.auc:.2f}",
                best,
            )
        )
    return rows


class CheckAgreementScreen(ModalScreen[None]):
    """The checks measured against the curator; Escape closes it."""

    CSS_PATH = ["review_modal.tcss", "check_agreement.tcss"]
    BINDINGS = [Binding("escape", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="review-modal", id="agreement"):
            yield Label("How each check agrees with your decisions", id="agreement-title")
            yield DataTable(id="agreement-table", cursor_type="row", zebra_stripes=True)
            yield Static("Reading your decisions…", id="agreement-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#agreement-table", DataTable).add_columns(*COLUMNS)
        self.read_report()

    @work(thread=True, exclusive=True, exit_on_error=False, name="check agreement")
    def read_report(self) -> None:
        library = self.app.open_library()
        try:
            report = curator_report(library)
        except sqlite3.Error as error:
            self.post_message(AgreementRead(None, f"Could not read the library ({error})."))
            return
        finally:
            library.close()
        self.post_message(AgreementRead(report))

    @on(AgreementRead)
    def show_report(self, message: AgreementRead) -> None:
        note = self.query_one("#agreement-note", Static)
        if message.report is None:
            note.update(message.error or "")
            return
        report = message.report
        if not report.decisions:
            note.update("No question is accepted or rejected yet: decide some (a / x) and the checks are measured against you.")
            return
        table = self.query_one("#agreement-table", DataTable)
        table.clear()
        for row in agreement_rows(report):
            table.add_row(*row)
        note.update(
            f"Against your {report.decisions} decisions ({report.accepted} accepted, {report.rejected} rejected). "
            "agrees: the check's pass/flag matched you; majority: always guessing your more common decision; "
            "AUC: how often an accepted question scores above a rejected one (0.5 is chance); "
            "best threshold: accept at or above it to match you best."
        )

    def action_close(self) -> None:
        self.dismiss(None)
