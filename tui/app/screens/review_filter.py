"""The Review screen's filter and the dialog that chooses it: status, discipline, vote type, minimum judge score."""

from __future__ import annotations

from dataclasses import dataclass

from papergym.core.questions.store import TO_REVIEW, QuestionFilter
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select

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


@dataclass(frozen=True)
class ReviewFilter(QuestionFilter):
    """Which questions the review walks through: those left to review unless the user picks otherwise."""

    status: str = TO_REVIEW


class ReviewFilterScreen(ModalScreen[ReviewFilter | None]):
    """Choose status, discipline, vote type and a minimum judge score; Enter in the score box or Apply applies."""

    CSS_PATH = ["review_modal.tcss", "review_filter.tcss"]
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
