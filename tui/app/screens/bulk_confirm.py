"""The Review screen's confirmation of a decision over a whole filter when some of its questions were decided meanwhile."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label

SKIP, INCLUDE = "skip", "include"


class BulkConfirmScreen(ModalScreen[str | None]):
    """Dismisses with "skip" (leave the questions decided meanwhile as they are), "include" (decide them too) or None.

    Leaving them is the default (y or Enter): someone decided them after the
    list on screen was read, and a bulk decision must not overwrite that unless
    the user says so.
    """

    CSS_PATH = "bulk_confirm.tcss"
    BINDINGS = [
        Binding("y,enter", "answer('skip')", "Yes, skip them"),
        Binding("i", "answer('include')", "Include them"),
        Binding("n,escape", "answer(None)", "Cancel"),
    ]

    def __init__(self, verb: str, how_many: str, to_change: int, decided_since: int) -> None:
        super().__init__()
        self.verb = verb
        self.question = (
            f"{verb} {how_many}? {decided_since:,} of them {'was' if decided_since == 1 else 'were'} decided since this list was read "
            f"(here or elsewhere) and will be left as {'it is' if decided_since == 1 else 'they are'}: "
            f"y {verb.lower()}s the other {to_change:,}, i includes them too. u undoes it."
        )
        self.to_change, self.decided_since = to_change, decided_since

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            with Horizontal():
                yield Button(f"{self.verb} {self.to_change:,}", variant="warning", id="bulk-skip")
                yield Button(f"{self.verb} all {self.to_change + self.decided_since:,}", variant="error", id="bulk-include")
                yield Button("Cancel", id="bulk-cancel")
        yield Footer()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"bulk-skip": SKIP, "bulk-include": INCLUDE}.get(event.button.id or ""))

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
