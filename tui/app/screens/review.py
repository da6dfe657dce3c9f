"""Review: one question card at a time, keyboard only, built for hours of curation.

The ids matching the filter are loaded once (one query over an index); each
move fetches just the current card by id, so the next question appears at once
even in a library of hundreds of thousands. Decisions on one card are written
on the spot; bulk decisions and undo (which recomputes pipeline statuses) run
in a thread worker. The position and filter are saved as a library setting so
the next session opens where this one stopped.
"""

from __future__ import annotations

import json
import sqlite3
import time
from bisect import bisect_left
from dataclasses import asdict, dataclass

from papergym.core.errors import PapergymError, describe_database_error
from papergym.core.library import Library
from papergym.core.quality.pipeline import question_checks
from papergym.core.questions.edit import update_question
from papergym.core.questions.review import decide, undo
from papergym.core.questions.store import get_question
from papergym.tui.app.messages import JobFailed, LibraryChanged
from papergym.tui.app.mode_bar import ModeBar
from papergym.tui.app.worker_errors import ReportsWorkerErrors
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, TextArea

POSITION_SETTING = "review_position"
TO_REVIEW = "draft,passed,flagged"
STATUS_CHOICES = (
    ("to review (draft, passed, flagged)", TO_REVIEW),
    ("any status", ""),
    ("accepted", "accepted"),
    ("rejected", "rejected"),
    ("passed", "passed"),
    ("flagged", "flagged"),
    ("dropped", "dropped"),
    ("draft", "draft"),
)
PASSAGE_CHARS = 1500
CHECK_STYLES = {"pass": "green", "flag": "yellow", "drop": "red"}


@dataclass(frozen=True)
class ReviewFilter:
    """Which questions the review walks through; empty means any."""

    status: str = TO_REVIEW
    discipline: str = ""
    voting_type: str = ""
    min_score: float | None = None

    def describe(self) -> str:
        parts = [f"status {self.status or 'any'}"]
        if self.discipline:
            parts.append(f"discipline {self.discipline}")
        if self.voting_type:
            parts.append(f"votes {self.voting_type}")
        if self.min_score is not None:
            parts.append(f"score ≥ {self.min_score:g}")
        return ", ".join(parts)


def filtered_rowids(library: Library, review_filter: ReviewFilter) -> list[int]:
    """The rowids of the questions matching the filter, ascending (the order they were stored), in one query.

    Rowids rather than ids: they come straight from the indexes without reading
    the table, which makes the query several times faster on a large library.
    """
    clauses, params = [], []
    if review_filter.status:
        statuses = [part.strip() for part in review_filter.status.split(",") if part.strip()]
        clauses.append(f"status IN ({','.join('?' * len(statuses))})")
        params += statuses
    if review_filter.discipline:
        clauses.append("discipline = ?")
        params.append(review_filter.discipline)
    if review_filter.voting_type:
        clauses.append("voting_type = ?")
        params.append(review_filter.voting_type)
    if review_filter.min_score is not None:
        clauses.append("score >= ?")
        params.append(review_filter.min_score)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return [row[0] for row in library.conn.execute(f"SELECT rowid FROM questions {where} ORDER BY rowid", params)]


def ids_of_rowids(library: Library, rowids: list[int], chunk: int = 10_000) -> list[str]:
    """The question ids for a list of rowids (for bulk decisions over a filter)."""
    ids = []
    for start in range(0, len(rowids), chunk):
        part = rowids[start : start + chunk]
        ids += [row[0] for row in library.conn.execute(f"SELECT id FROM questions WHERE rowid IN ({','.join('?' * len(part))})", part)]
    return ids


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def card_texts(question: dict, checks: list[dict]) -> dict[str, Text]:
    """The parts of one card as Rich text (text from papers and models is never read as markup)."""
    meta = Text()
    meta.append(f"{question['id'][:12]}  ", style="dim")
    meta.append(f"{question['kind']}  ", style="bold")
    status_style = {"accepted": "bold green", "rejected": "bold red"}.get(question["status"], "bold")
    meta.append(question["status"], style=status_style)
    if question.get("review_reason"):
        meta.append(f" ({question['review_reason']})", style="red")
    meta.append(f"   {question.get('discipline') or 'no discipline'}")
    if question.get("subdomain"):
        meta.append(f" / {question['subdomain']}")
    meta.append("\nvotes: ", style="dim")
    meta.append(question.get("voting_type") or "not voted")
    if question.get("votes"):
        meta.append(f" {', '.join(str(vote) for vote in question['votes'])}")
    meta.append("   judge score: ", style="dim")
    meta.append(_number(question.get("score")))
    meta.append("   rank score: ", style="dim")
    meta.append(_number(question.get("rank_score")))

    options = Text()
    if question["kind"] == "mcq":
        for letter, option in zip("ABCDEFGHIJ", question["options"]):
            is_key = letter == question["answer"]
            options.append(f"{'✓' if is_key else ' '} {letter}. ", style="bold green" if is_key else "dim")
            options.append(f"{option}\n", style="bold green" if is_key else "")
    else:
        options.append("answer: ", style="dim")
        answer = question["answer"] + (f" {question['unit']}" if question.get("unit") else "")
        options.append(answer, style="bold green")
        if question.get("tolerance"):
            options.append(f"  (± {question['tolerance']:g})", style="dim")
        if question.get("aliases"):
            options.append(f"\nalso accepted: {', '.join(question['aliases'])}", style="dim")

    rationale = Text("rationale: ", style="dim")
    rationale.append(question.get("rationale") or "none")
    passage = Text(f"source passage{' (' + question['source_section'] + ')' if question.get('source_section') else ''}:\n", style="dim")
    source = question.get("source_passage") or "not stored (imported or written by hand)"
    passage.append(source if len(source) <= PASSAGE_CHARS else source[: PASSAGE_CHARS - 1] + "…", style="italic")

    verdicts = Text()
    if not checks:
        verdicts.append("no checks yet (papergym check runs them)", style="dim")
    for row in checks:
        verdicts.append(f"{row['step']}: ", style="dim")
        verdicts.append(row["status"], style=CHECK_STYLES.get(row["status"], ""))
        if row.get("reasons"):
            verdicts.append(f" — {'; '.join(row['reasons'])}")
        verdicts.append("\n")
    verdicts.rstrip()
    return {
        "meta": meta,
        "question": Text(question["question"], style="bold"),
        "options": options,
        "rationale": rationale,
        "passage": passage,
        "checks": verdicts,
    }


# -- messages from the workers -------------------------------------------------


class DecisionsWritten(Message):
    """A bulk decision or an undo was written to the library."""

    def __init__(self, action: str, question_ids: list[str], count: int, return_to: str | None = None) -> None:
        super().__init__()
        self.action = action  # accepted | rejected | undone
        self.question_ids = question_ids
        self.count = count
        self.return_to = return_to  # the card to show after an undo


# -- modals --------------------------------------------------------------------


class RejectReasonScreen(ModalScreen[str | None]):
    """Asks why a question is rejected; Enter with nothing typed rejects without a reason."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, how_many: str = "this question") -> None:
        super().__init__()
        self.how_many = how_many

    def compose(self) -> ComposeResult:
        with Vertical(classes="review-modal"):
            yield Label(f"Reject {self.how_many}: why? (Enter to reject, Escape to go back)")
            yield Input(placeholder="e.g. answer not supported by the passage", id="reject-reason")
        yield Footer()

    @on(Input.Submitted, "#reject-reason")
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditQuestionScreen(ModalScreen[bool]):
    """Edit the question, its options, key and rationale; Ctrl+S saves, Escape leaves it as it was."""

    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: dict) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        question = self.question
        with VerticalScroll(classes="review-modal", id="edit-form"):
            yield Label(f"Edit {question['id'][:12]} ({question['kind']}) — Ctrl+S saves, Escape cancels")
            yield Label("question")
            yield TextArea(question["question"], id="edit-question", soft_wrap=True)
            for number, option in enumerate(question["options"] if question["kind"] == "mcq" else []):
                yield Input(option, id=f"edit-option-{number}", placeholder=f"option {'ABCDEFGHIJ'[number]}")
            yield Label("key (a letter)" if question["kind"] == "mcq" else "answer")
            yield Input(question["answer"], id="edit-answer")
            yield Label("rationale")
            yield TextArea(question.get("rationale") or "", id="edit-rationale", soft_wrap=True)
            yield Label("", id="edit-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Save", variant="primary", id="edit-save")
                yield Button("Cancel", id="edit-cancel")
        yield Footer()

    @on(Button.Pressed, "#edit-save")
    def action_save(self) -> None:
        options = None
        if self.question["kind"] == "mcq":
            options = [self.query_one(f"#edit-option-{n}", Input).value for n in range(len(self.question["options"]))]
        try:
            update_question(
                self.app.library,
                self.question["id"],
                question=self.query_one("#edit-question", TextArea).text,
                options=options,
                answer=self.query_one("#edit-answer", Input).value,
                rationale=self.query_one("#edit-rationale", TextArea).text,
            )
        except PapergymError as error:
            self.query_one("#edit-error", Label).update(Text(str(error), style="bold red"))
            return
        except sqlite3.Error as error:
            self.query_one("#edit-error", Label).update(Text(describe_database_error(error) + " The edit is kept here.", style="bold red"))
            return
        self.dismiss(True)

    @on(Button.Pressed, "#edit-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ReviewFilterScreen(ModalScreen[ReviewFilter | None]):
    """Choose status, discipline, vote type and a minimum judge score; Enter in the score box or Apply applies."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "apply", "Apply")]

    def __init__(self, current: ReviewFilter, disciplines: list[str], voting_types: list[str]) -> None:
        super().__init__()
        self.current = current
        self.disciplines = disciplines
        self.voting_types = voting_types

    def compose(self) -> ComposeResult:
        current = self.current
        statuses = list(STATUS_CHOICES)
        if current.status not in {value for _, value in statuses}:
            statuses.append((current.status, current.status))
        with Vertical(classes="review-modal", id="filter-form"):
            yield Label("Filter the questions to review")
            yield Select(statuses, value=current.status, allow_blank=False, id="filter-status")
            yield Select(
                [("any discipline", ""), *((name, name) for name in self.disciplines)],
                value=current.discipline if current.discipline in self.disciplines else "",
                allow_blank=False,
                id="filter-discipline",
            )
            yield Select(
                [("any vote type", ""), *((name, name) for name in self.voting_types)],
                value=current.voting_type if current.voting_type in self.voting_types else "",
                allow_blank=False,
                id="filter-votes",
            )
            yield Input(
                "" if current.min_score is None else f"{current.min_score:g}",
                placeholder="minimum judge score (-1 to 1), empty for any",
                id="filter-score",
            )
            yield Label("", id="filter-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Apply", variant="primary", id="filter-apply")
                yield Button("Cancel", id="filter-cancel")
        yield Footer()

    @on(Input.Submitted, "#filter-score")
    @on(Button.Pressed, "#filter-apply")
    def action_apply(self) -> None:
        score_text = self.query_one("#filter-score", Input).value.strip()
        try:
            min_score = float(score_text) if score_text else None
        except ValueError:
            self.query_one("#filter-error", Label).update(
                Text(f"{score_text!r} is not a number; type a score like 0.5 or leave it empty.", style="bold red")
            )
            return
        self.dismiss(
            ReviewFilter(
                status=self.query_one("#filter-status", Select).value,
                discipline=self.query_one("#filter-discipline", Select).value,
                voting_type=self.query_one("#filter-votes", Select).value,
                min_score=min_score,
            )
        )

    @on(Button.Pressed, "#filter-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


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
    ]

    def __init__(self) -> None:
        super().__init__()
        self.review_filter = ReviewFilter()
        self.rowids: list[int] = []  # the filter's questions, ascending
        self.index = 0
        self.current: dict | None = None
        # Each entry: the ids one decision touched and where the review stood, so undo returns there.
        # (question ids, where to return, whether it counted in the session's pace)
        self.undo_stack: list[tuple[list[str], str | None, bool]] = []
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

    # -- loading and showing --------------------------------------------------

    def load(self, review_filter: ReviewFilter, keep_id: str | None = None) -> None:
        """Load the ids matching a filter and show the card at ``keep_id`` (or the nearest one after it)."""
        self.review_filter = review_filter
        self.rowids = filtered_rowids(self.app.library, review_filter)
        self.index = self.position_of(keep_id) or 0
        self.show_current()

    def position_of(self, question_id: str | None) -> int | None:
        """Where a question is in the filter's walk, or None when the filter does not hold it."""
        if question_id is None:
            return None
        row = self.app.library.conn.execute("SELECT rowid FROM questions WHERE id = ?", [question_id]).fetchone()
        if row is None:
            return None
        index = bisect_left(self.rowids, row[0])
        return index if index < len(self.rowids) and self.rowids[index] == row[0] else None

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
        row = self.app.library.conn.execute("SELECT id FROM questions WHERE rowid = ?", [self.rowids[self.index]]).fetchone()
        try:
            if row is None:
                raise PapergymError("removed")
            question_id = row[0]
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
            decide(self.app.library, [question_id], decision, reason)
        except sqlite3.Error as error:
            self.notify(describe_database_error(error) + " This decision was not saved.", severity="error", timeout=8)
            return
        self.undo_stack.append(([question_id], question_id, True))
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
        question_ids, position_id, counted = self.undo_stack.pop()
        if counted:
            self.session_decisions = max(0, self.session_decisions - 1)
            self.update_pace()
        self.write_decisions("undone", question_ids, None, return_to=position_id)

    def action_filter(self) -> None:
        library = self.app.library
        disciplines = [
            row[0] for row in library.conn.execute("SELECT DISTINCT discipline FROM questions WHERE discipline IS NOT NULL ORDER BY 1")
        ]
        voting_types = [
            row[0] for row in library.conn.execute("SELECT DISTINCT voting_type FROM questions WHERE voting_type IS NOT NULL ORDER BY 1")
        ]

        def chosen(review_filter: ReviewFilter | None) -> None:
            if review_filter is not None:
                self.load(review_filter, keep_id=self.current["id"] if self.current else None)

        self.app.push_screen(ReviewFilterScreen(self.review_filter, disciplines, voting_types), chosen)

    def action_bulk(self, decision: str) -> None:
        rowids = list(self.rowids)
        if not rowids:
            self.notify("No questions match this filter.", timeout=2)
            return
        from papergym.tui.app.screens.confirm import ConfirmScreen

        verb = "Accept" if decision == "accepted" else "Reject"
        how_many = f"all {len(rowids):,} question{'s' if len(rowids) != 1 else ''} matching {self.review_filter.describe()}"

        def confirm(reason: str | None) -> None:
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.write_decisions(decision, rowids, reason)

            self.app.push_screen(ConfirmScreen(f"{verb} {how_many}? u undoes it.", yes=verb, no="Cancel"), confirmed)

        if decision == "rejected":
            self.app.push_screen(RejectReasonScreen(how_many), lambda reason: reason is not None and confirm(reason or None))
        else:
            confirm(None)

    # -- the worker -----------------------------------------------------------

    @work(thread=True, exclusive=True, group="review-write", exit_on_error=False, name="review decisions")
    def write_decisions(self, action: str, questions: list[str] | list[int], reason: str | None, return_to: str | None = None) -> None:
        """Write a bulk decision (over rowids) or an undo (over ids) on a connection of its own; the screen reloads when it lands."""
        library = self.app.open_library()
        try:
            question_ids = questions if action == "undone" else ids_of_rowids(library, questions)
            if action == "undone":
                count = undo(library, question_ids)
            else:
                count = decide(library, question_ids, action, reason)
        except sqlite3.Error as error:  # a locked or broken database: say so, keep the user's place
            self.post_message(JobFailed("review", describe_database_error(error) + " The decisions were not saved."))
            return
        finally:
            library.close()
        self.post_message(DecisionsWritten(action, question_ids, count, return_to))

    @on(DecisionsWritten)
    def decisions_written(self, message: DecisionsWritten) -> None:
        if message.action == "undone":
            self.notify(f"Undid the decision on {message.count} question{'s' if message.count != 1 else ''}.", timeout=2)
            position = self.position_of(message.return_to)
            if position is not None:
                # Stay in the same walk through the filter, so k and j still lead where they did.
                self.index = position
                self.show_current()
            else:
                self.load(self.review_filter, keep_id=message.return_to)
        else:
            self.undo_stack.append((message.question_ids, self.current["id"] if self.current else None, False))
            self.notify(f"{message.action.capitalize()} {message.count:,} questions; u undoes it.", timeout=3)
            self.load(self.review_filter, keep_id=self.current["id"] if self.current else None)
        self.app.post_message(LibraryChanged())

    @on(JobFailed)
    def job_failed(self, message: JobFailed) -> None:
        self.notify(message.reason, severity="error")
