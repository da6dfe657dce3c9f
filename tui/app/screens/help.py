"""The keys: the app's and the current screen's, read from their bindings so the list never drifts."""

from __future__ import annotations

from papergym.tui.app.commands import key_label, node_bindings, screen_label
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label


class HelpScreen(ModalScreen[None]):
    """Every key that works here; Escape or ? closes."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label("Keys (ctrl+p opens the command palette with every action)", id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        table.add_columns("where", "key", "does")
        beneath = [screen for screen in self.app.screen_stack if screen is not self]
        sources: list[tuple[str, DOMNode]] = []
        if beneath:
            current = beneath[-1]
            sources.append((screen_label(current), current))
        sources.append(("Everywhere", self.app))
        for where, node in sources:
            for binding in node_bindings(node):
                table.add_row(where, key_label(binding, node), Text(binding.description or binding.action))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
