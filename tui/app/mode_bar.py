"""The row of screens under the header: each screen's key and name, the one in front highlighted.

The footer keeps to the keys of the screen in front; which screen a digit
opens is always visible here instead.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class ModeBar(Static):
    """``1 Library  2 Generate  3 Review ...`` with the current screen picked out."""

    DEFAULT_CSS = """
    ModeBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def render(self) -> Text:
        from papergym.tui.app.app import SCREENS

        bar = Text()
        for mode, (_, _, key, title) in SCREENS.items():
            chosen = mode == self.current
            bar.append(f" {key} ", style="bold reverse" if chosen else "bold")
            bar.append(f"{title}  ", style="bold" if chosen else "")
        bar.append("  ? help · ctrl+p every action", style="dim")
        return bar
