"""The Paper screen's dialog that fixes a paper's metadata; a fixed field is the user's from then on."""

from __future__ import annotations

import sqlite3

from papergym.core.errors import PapergymError, describe_database_error
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, TextArea

# (field, label, how the field's stored value reads in its Input)
LINE_FIELDS = (
    ("title", "title", lambda paper: paper["title"] or ""),
    ("authors", "authors, in order, separated by semicolons", lambda paper: "; ".join(paper["authors"])),
    ("year", "year", lambda paper: str(paper["year"] or "")),
    ("doi", "DOI", lambda paper: paper["doi"] or ""),
    ("journal", "journal or venue", lambda paper: paper.get("journal") or ""),
)


class EditPaperScreen(ModalScreen[list[str]]):
    """Edit title, authors, year, DOI, journal and abstract; Ctrl+S saves what changed, Escape leaves it as it was.

    Only the fields whose text changed are saved, so a field left alone keeps
    its source and can still improve when a better reader imports the file again.
    """

    CSS_PATH = "edit_paper.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, paper: dict) -> None:
        super().__init__()
        self.paper = paper
        self.shown_values = {name: read(paper) for name, _label, read in LINE_FIELDS} | {"abstract": paper.get("abstract") or ""}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="edit-paper-form"):
            yield Label(f"Fix {self.paper['id'][:12]}: fields you change are marked as yours and no re-import overwrites them")
            for name, label, _read in LINE_FIELDS:
                yield Label(label, classes="edit-paper-label")
                yield Input(self.shown_values[name], id=f"edit-paper-{name}")
            yield Label("abstract", classes="edit-paper-label")
            yield TextArea(self.shown_values["abstract"], id="edit-paper-abstract", soft_wrap=True)
            yield Label("", id="edit-paper-error")
            with Horizontal(id="edit-paper-buttons"):
                yield Button("Save", variant="primary", id="edit-paper-save")
                yield Button("Cancel", id="edit-paper-cancel")
        yield Footer()

    def on_mount(self) -> None:
        # The form scrolls, so it could take the focus itself; the title is what a user came to type into.
        self.query_one("#edit-paper-title", Input).focus()

    def changed_values(self) -> dict[str, str]:
        """The fields whose text the user changed, with the new text."""
        typed = {name: self.query_one(f"#edit-paper-{name}", Input).value for name, _label, _read in LINE_FIELDS}
        typed["abstract"] = self.query_one("#edit-paper-abstract", TextArea).text
        return {name: value for name, value in typed.items() if value.strip() != self.shown_values[name].strip()}

    @on(Button.Pressed, "#edit-paper-save")
    def action_save(self) -> None:
        changes = self.changed_values()
        if not changes:
            self.dismiss([])
            return
        try:
            self.app.library.edit_paper(self.paper["id"], changes)
        except PapergymError as error:
            self.query_one("#edit-paper-error", Label).update(Text(str(error), style="bold red"))
            return
        except sqlite3.Error as error:
            self.query_one("#edit-paper-error", Label).update(
                Text(describe_database_error(error) + " The edit is kept here.", style="bold red")
            )
            return
        self.dismiss(list(changes))

    @on(Button.Pressed, "#edit-paper-cancel")
    def action_cancel(self) -> None:
        self.dismiss([])
