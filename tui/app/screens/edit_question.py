"""The Review screen's dialog that edits a question: its text, options, key and rationale."""

from __future__ import annotations

import sqlite3

from papergym.core.errors import PapergymError, describe_database_error
from papergym.core.questions.edit import update_question
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, TextArea


class EditQuestionScreen(ModalScreen[bool]):
    """Edit the question, its options, key and rationale; Ctrl+S saves, Escape leaves it as it was."""

    CSS_PATH = ["review_modal.tcss", "edit_question.tcss"]
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

    def on_mount(self) -> None:
        # The form scrolls, so it could take the focus itself; the question is what a user came to fix.
        self.query_one("#edit-question", TextArea).focus()

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
