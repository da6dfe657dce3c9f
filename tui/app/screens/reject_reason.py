"""The Review screen's dialog that asks why a question (or a whole filter) is rejected."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label


class RejectReasonScreen(ModalScreen[str | None]):
    """Asks why a question is rejected; Enter with nothing typed rejects without a reason."""

    CSS_PATH = "review_modal.tcss"
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
