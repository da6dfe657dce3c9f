"""Review: one question card at a time, keyboard only, built for hours of curation.

The ids matching the filter are loaded once (one query over an index); each
move fetches just the current card by id, so the next question appears at once
even in a library of hundreds of thousands. Decisions on one card are written
on the spot. Bulk decisions (over the filter as it is when they are written,
keeping what anyone decided after the list was read) and undo (which puts back
each question's own earlier state) run in a thread worker. The position and
filter are saved as a library setting so the next session opens where this one
stopped. The dialogs live next to it: reject_reason.py, edit_question.py,
review_filter.py and bulk_confirm.py.
"""

from __future__ import annotations

import json
import sqlite3
import time
from bisect import bisect_left
from dataclasses import asdict

from papergym.core.errors import PapergymError, describe_database_error
from papergym.core.quality.pipeline import question_checks
from papergym.core.questions.review import (
    BulkPreview,
    DecisionRecord,
    UndoReport,
    bulk_decide,
    decide_recorded,
    decision_time,
    preview_bulk,
    undo_decision,
)
from papergym.core.questions.store import filter_choices, get_question, matching_rowids, question_id_at, rowid_of
from papergym.tui.app.messages import JobFailed, LibraryChanged
from papergym.tui.app.mode_bar import ModeBar
from papergym.tui.app.screens.edit_question import EditQuestionScreen
from papergym.tui.app.screens.reject_reason import RejectReasonScreen
from papergym.tui.app.screens.review_card import card_texts
from papergym.tui.app.screens.review_filter import ReviewFilter, ReviewFilterScreen
from papergym.tui.app.worker_errors import ReportsWorkerErrors
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

__all__ = ["ReviewFilter", "ReviewScreen"]

POSITION_SETTING = "review_position"


# -- messages from the workers -------------------------------------------------


class DecisionsWritten(Message):
    """A bulk decision was written to the library."""

    def __init__(self, record: DecisionRecord) -> None:
        super().__init__()
        self.record = record


class DecisionUndone(Message):
    """An undo was written: what it put back, and the card to show after it."""

    def __init__(self, report: UndoReport, return_to: str | None) -> None:
        super().__init__()
        self.report = report
        self.return_to = return_to


# -- the screen ----------------------------------------------------------------


class ReviewScreen(ReportsWorkerErrors, Screen):
    """One question card at a time: a accept, x reject, e edit, s/j next, k back, u undo, f filter."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("a", "decide('accepted')", "Accept"),
        Binding("x", "reject", "Reject"),
        Binding("e", "edit", "Edit"),
        Binding("s,j", "move(1)", "Skip/next"),
        Binding("k", "move(-1)", "Previous"),
        Binding("u", "undo", "Undo"),
        Binding("f", "filter", "Filter"),
        Binding("A", "bulk('accepted')", "Accept all"),
        Binding("X", "bulk('rejected')", "Reject all"),
        Binding("c", "agreement", "Checks vs you"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.review_filter = ReviewFilter()
        self.rowids: list[int] = []  # the filter's questions, ascending
        self.index = 0
        self.current: dict | None = None
        self.listed_at = decision_time()  # when rowids were read: decisions after it are someone else's to keep
        # Each entry: what one decision changed (each question's state before it), where the review stood so
        # undo returns there, and whether it counted in the session's pace.
        self.undo_stack: list[tuple[DecisionRecord, str | None, bool]] = []
        self.session_decisions = 0
        self.session_started: float | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("review")
        yield Static(id="review-filter")
        yield Static(id="review-pace")
        with VerticalScroll(id="review-card"):
            yield Static(id="card-meta")
            yield Static(id="card-question")
            yield Static(id="card-options")
            yield Static(id="card-rationale")
            yield Static(id="card-passage")
            yield Static(id="card-checks")
        yield Footer()

    def on_mount(self) -> None:
        saved_id = None
        saved = self.app.library.setting(POSITION_SETTING)
        if saved:
            try:
                position = json.loads(saved)
                self.review_filter = ReviewFilter(**position.get("filter", {}))
                saved_id = position.get("id")
            except (ValueError, TypeError):
                self.review_filter = ReviewFilter()  # a setting from another version: start afresh
        self.load(self.review_filter, keep_id=saved_id)
        self.update_pace()

    def on_screen_resume(self) -> None:
        """Add the questions written while the user was elsewhere (the Generate screen, another terminal).

        They are appended to the walk rather than reloading it, so the card in
        front, the questions already passed and the undo history stay as they were.
        """
        last = self.rowids[-1] if self.rowids else 0
        arrived = [rowid for rowid in matching_rowids(self.app.library, self.review_filter) if rowid > last]
        if arrived:
            self.rowids += arrived
            self.show_current()

    # -- loading and showing --------------------------------------------------

    def load(self, review_filter: ReviewFilter, keep_id: str | None = None) -> None:
        """Load the ids matching a filter and show the card at ``keep_id`` (or the nearest one after it)."""
        self.review_filter = review_filter
        self.listed_at = decision_time()
        self.rowids = matching_rowids(self.app.library, review_filter)
        self.index = self.position_of(keep_id) or 0
        self.show_current()

    def position_of(self, question_id: str | None) -> int | None:
        """Where a question is in the filter's walk, or None when the filter does not hold it."""
        if question_id is None:
            return None
        rowid = rowid_of(self.app.library, question_id)
        if rowid is None:
            return None
        index = bisect_left(self.rowids, rowid)
        return index if index < len(self.rowids) and self.rowids[index] == rowid else None

    def show_current(self) -> None:
        """Render the card at the current index and remember the position."""
        total = len(self.rowids)
        self.query_one("#review-filter", Static).update(
            Text(f"{min(self.index + 1, total):,} / {total:,}   filter: {self.review_filter.describe()}   (f to change)")
        )
        if not total:
            self.current = None
            self._fill(
                {
                    "meta": Text(""),
                    "question": Text("No questions match this filter; press f to change it.", style="bold"),
                    "options": Text(""),
                    "rationale": Text(""),
                    "passage": Text(""),
                    "checks": Text(""),
                }
            )
            self.save_position()
            return
        self.index = max(0, min(self.index, total - 1))
        question_id = question_id_at(self.app.library, self.rowids[self.index])
        try:
            if question_id is None:
                raise PapergymError("removed")
            self.current = get_question(self.app.library, question_id)
        except PapergymError:
            self.current = None  # removed since the filter was loaded
            self._fill(
                {
                    "meta": Text(""),
                    "question": Text("This question was removed; press s for the next.", style="bold"),
                    "options": Text(""),
                    "rationale": Text(""),
                    "passage": Text(""),
                    "checks": Text(""),
                }
            )
            return
        self._fill(card_texts(self.current, question_checks(self.app.library, question_id)))
        self.query_one("#review-card", VerticalScroll).scroll_home(animate=False)
        self.save_position()

    def _fill(self, texts: dict[str, Text]) -> None:
        for part, text in texts.items():
            self.query_one(f"#card-{part}", Static).update(text)

    def save_position(self) -> None:
        current_id = self.current["id"] if self.current else None
        try:
            self.app.library.set_setting(POSITION_SETTING, json.dumps({"id": current_id, "filter": asdict(self.review_filter)}))
        except sqlite3.Error:
            pass  # a busy library: the next move saves the position again

    def update_pace(self) -> None:
        if self.session_started is None:
            pace = Text("this session: no decisions yet", style="dim")
        else:
            minutes = max((time.monotonic() - self.session_started) / 60, 1 / 60)
            pace = Text(f"this session: {self.session_decisions} decisions, {self.session_decisions / minutes:.1f}/min", style="dim")
        self.query_one("#review-pace", Static).update(pace)

    def count_decision(self) -> None:
        if self.session_started is None:
            self.session_started = time.monotonic()
        self.session_decisions += 1
        self.update_pace()

    # -- actions --------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if not self.rowids:
            return
        new_index = max(0, min(self.index + step, len(self.rowids) - 1))
        if new_index == self.index:
            self.notify("That was the last question of this filter." if step > 0 else "This is the first question.", timeout=2)
            return
        self.index = new_index
        self.show_current()

    def action_decide(self, decision: str, reason: str | None = None) -> None:
        if self.current is None:
            return
        question_id = self.current["id"]
        try:
            record = decide_recorded(self.app.library, [question_id], decision, reason)
        except sqlite3.Error as error:
            self.notify(describe_database_error(error) + " This decision was not saved.", severity="error", timeout=8)
            return
        self.undo_stack.append((record, question_id, True))
        self.count_decision()
        if self.index < len(self.rowids) - 1:
            self.index += 1
        self.show_current()

    def action_reject(self) -> None:
        if self.current is None:
            return

        def rejected(reason: str | None) -> None:
            if reason is not None:
                self.action_decide("rejected", reason or None)

        self.app.push_screen(RejectReasonScreen(), rejected)

    def action_edit(self) -> None:
        if self.current is None:
            return

        def edited(saved: bool | None) -> None:
            if saved:
                self.notify("Saved the edit.", timeout=2)
                self.show_current()

        self.app.push_screen(EditQuestionScreen(self.current), edited)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo in this session.", timeout=2)
            return
        record, position_id, counted = self.undo_stack.pop()
        if counted:
            self.session_decisions = max(0, self.session_decisions - 1)
            self.update_pace()
        self.write_undo(record, position_id)

    def action_agreement(self) -> None:
        """How each automatic check agrees with the decisions made so far (papergym check --report)."""
        from papergym.tui.app.screens.check_agreement import CheckAgreementScreen

        self.app.push_screen(CheckAgreementScreen())

    def action_filter(self) -> None:
        choices = filter_choices(self.app.library)

        def chosen(review_filter: ReviewFilter | None) -> None:
            if review_filter is not None:
                self.load(review_filter, keep_id=self.current["id"] if self.current else None)

        self.app.push_screen(ReviewFilterScreen(self.review_filter, choices["discipline"], choices["voting_type"]), chosen)

    def action_bulk(self, decision: str) -> None:
        """Decide every question the filter holds now; questions decided since the list was read are kept unless the user includes them."""
        review_filter, listed_at = self.review_filter, self.listed_at
        try:
            preview = preview_bulk(self.app.library, review_filter, listed_at)
        except sqlite3.Error as error:
            self.notify(describe_database_error(error) + " Nothing was decided.", severity="error", timeout=8)
            return
        if not preview.matching:
            self.notify("No questions match this filter.", timeout=2)
            return
        from papergym.tui.app.screens.bulk_confirm import INCLUDE, SKIP, BulkConfirmScreen
        from papergym.tui.app.screens.confirm import ConfirmScreen

        verb = "Accept" if decision == "accepted" else "Reject"
        count = preview.matching
        how_many = f"all {count:,} question{'s' if count != 1 else ''} matching {review_filter.describe()}"

        def confirm(reason: str | None) -> None:
            def answered(choice: str | bool | None) -> None:
                if choice in (True, SKIP, INCLUDE):
                    self.write_bulk(decision, reason, review_filter, listed_at, preview if choice == INCLUDE else None)

            if preview.decided_since:
                self.app.push_screen(BulkConfirmScreen(verb, how_many, preview.to_change, preview.decided_since), answered)
            else:
                self.app.push_screen(ConfirmScreen(f"{verb} {how_many}? u undoes it.", yes=verb, no="Cancel"), answered)

        if decision == "rejected":
            self.app.push_screen(RejectReasonScreen(how_many), lambda reason: reason is not None and confirm(reason or None))
        else:
            confirm(None)

    # -- the workers ----------------------------------------------------------

    @work(thread=True, exclusive=True, group="review-write", exit_on_error=False, name="review decisions")
    def write_bulk(
        self, decision: str, reason: str | None, review_filter: ReviewFilter, listed_at: str, include: BulkPreview | None
    ) -> None:
        """Decide the filter's questions as they are now, on a connection of its own; the screen reloads when it lands."""
        library = self.app.open_library()
        try:
            record = bulk_decide(library, review_filter, decision, reason, listed_at=listed_at, include=include)
        except sqlite3.Error as error:  # a locked or broken database: say so, keep the user's place
            self.post_message(JobFailed("review", describe_database_error(error) + " The decisions were not saved."))
            return
        finally:
            library.close()
        self.post_message(DecisionsWritten(record))

    @work(thread=True, exclusive=True, group="review-write", exit_on_error=False, name="review undo")
    def write_undo(self, record: DecisionRecord, return_to: str | None) -> None:
        """Put back what a decision changed, on a connection of its own."""
        library = self.app.open_library()
        try:
            report = undo_decision(library, record)
        except sqlite3.Error as error:
            self.app.call_from_thread(self.undo_stack.append, (record, return_to, False))  # not undone: u can try again
            self.post_message(JobFailed("review", describe_database_error(error) + " Nothing was undone."))
            return
        finally:
            library.close()
        self.post_message(DecisionUndone(report, return_to))

    @on(DecisionUndone)
    def decision_undone(self, message: DecisionUndone) -> None:
        report = message.report
        text = f"Undid the decision on {report.restored:,} question{'s' if report.restored != 1 else ''}."
        if report.changed_since:
            text += f" {report.changed_since:,} changed since and {'was' if report.changed_since == 1 else 'were'} left as decided then."
        self.notify(text, timeout=3 if report.changed_since else 2)
        position = self.position_of(message.return_to)
        if position is not None:
            # Stay in the same walk through the filter, so k and j still lead where they did.
            self.index = position
            self.show_current()
        else:
            self.load(self.review_filter, keep_id=message.return_to)
        self.app.post_message(LibraryChanged())

    @on(DecisionsWritten)
    def decisions_written(self, message: DecisionsWritten) -> None:
        record = message.record
        self.undo_stack.append((record, self.current["id"] if self.current else None, False))
        text = f"{record.decision.capitalize()} {record.changed:,} questions; u undoes it."
        if record.skipped:
            text += f" {record.skipped:,} decided since the list was read {'was' if record.skipped == 1 else 'were'} left as decided."
        self.notify(text, timeout=4 if record.skipped else 3)
        self.load(self.review_filter, keep_id=self.current["id"] if self.current else None)
        self.app.post_message(LibraryChanged())

    @on(JobFailed)
    def job_failed(self, message: JobFailed) -> None:
        self.notify(message.reason, severity="error")
