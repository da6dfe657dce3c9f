"""Topics: papers and accepted questions per discipline against the target, and what an export's α would keep.

Counts come from ``core.topics.topic_counts`` (what ``papergym topics`` prints)
and the preview from ``core.export.aligned_counts``, the function an export
with ``--align-alpha`` uses, so the preview and the export cannot disagree.
"""

from __future__ import annotations

import math
from pathlib import Path

from papergym.assets import DEFAULT_TAXONOMY
from papergym.core.dataset.alignment import aligned_counts
from papergym.core.dataset.taxonomy import taxonomy_for_library
from papergym.core.dataset.topics import TopicTable, topic_counts
from papergym.core.errors import PapergymError
from papergym.tui.app.charts import short_names
from papergym.tui.app.mode_bar import ModeBar
from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static
from textual_plotext import PlotextPlot

DEFAULT_ALPHA = "0.5"


def taxonomy_label(path: str | None) -> str:
    """The built-in taxonomy by name, a library's own by its path."""
    if not path or Path(path) == DEFAULT_TAXONOMY:
        return "built in (after WildSci)"
    return path


class TopicsScreen(Screen):
    """The library's topic distribution next to the target, with an α preview."""

    CSS_PATH = "topics.tcss"
    BINDINGS = [("r", "reload", "Reload"), ("e", "export", "Export")]

    def __init__(self) -> None:
        super().__init__()
        self.table: TopicTable | None = None
        self.targets: dict[str, float] = {}
        self.preview: dict[str, int] = {}  # discipline -> accepted questions an export with the current α keeps
        self.bars: dict[str, dict[str, float]] = {}  # series label -> {discipline: percent} as drawn

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("topics")
        yield Static("", id="topics-summary")
        with Horizontal():
            with Vertical(id="topics-side"):
                yield DataTable(id="topics", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="alpha-row"):
                    yield Label("α (1 = target, 0 = uniform)")
                    yield Input(DEFAULT_ALPHA, id="alpha")
                yield Static("", id="alpha-preview")
            yield PlotextPlot(id="topic-bars")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#topics", DataTable).add_columns("discipline", "papers", "accepted", "target", "kept at α")
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def disciplines(self) -> list:
        """Discipline-level rows, then unclassified and not-in-taxonomy ones that hold anything."""
        if self.table is None:
            return []
        return [
            row
            for row in self.table.rows
            if row.level == "discipline" or (row.level != "subdomain" and (row.papers or row.accepted_questions))
        ]

    def action_reload(self) -> None:
        library = self.app.library
        try:
            taxonomy = taxonomy_for_library(library)
            self.table = topic_counts(library, taxonomy)
        except PapergymError as error:
            self.query_one("#topics-summary", Static).update(str(error))
            return
        self.targets = taxonomy.target_distribution()
        self.query_one("#topics-summary", Static).update(
            f"[b]{self.table.papers}[/b] papers, [b]{self.table.accepted_questions}[/b] accepted questions "
            f"({self.table.usable_questions} usable) — taxonomy: {escape(taxonomy_label(self.table.taxonomy_path))}"
        )
        self.update_preview()
        self.draw_bars()

    def action_export(self) -> None:
        """Open the export dialog with the α typed here, so what is written is what the preview showed."""
        from papergym.tui.app.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog(alpha=self.alpha()))

    def alpha(self) -> float | None:
        raw = self.query_one("#alpha", Input).value.strip()
        try:
            value = float(raw)
        except ValueError:
            return None
        return value if math.isfinite(value) and value >= 0 else None

    def update_preview(self) -> None:
        """Recount what an aligned export would keep and refill the table."""
        preview_text = self.query_one("#alpha-preview", Static)
        alpha = self.alpha()
        rows = self.disciplines()
        available = {row.name: row.accepted_questions for row in rows}
        self.preview = {}
        if alpha is None:
            preview_text.update("α must be a number of 0 or more (1 follows the target, 0 gives every discipline the same share).")
        elif not any(available.values()):
            preview_text.update("No accepted questions yet: accept some in Review to preview an export.")
        else:
            try:
                keep, _ = aligned_counts(available, self.targets, alpha)
            except PapergymError as error:
                preview_text.update(str(error))
            else:
                self.preview = {name: keep.get(name, 0) for name in available}
                kept = sum(self.preview.values())
                preview_text.update(
                    f"An export with --align-alpha {alpha:g} keeps [b]{kept}[/b] of {sum(available.values())} accepted questions "
                    "(in its train split, the same shares of what the split holds)."
                )
        table = self.query_one("#topics", DataTable)
        table.clear()
        for row in rows:
            target = self.targets.get(row.name)
            table.add_row(
                row.name,
                f"{row.papers} ({100 * row.paper_share:.0f}%)",
                f"{row.accepted_questions} ({100 * row.accepted_share:.0f}%)",
                "–" if target is None else f"{100 * target:.0f}%",
                str(self.preview[row.name]) if row.name in self.preview else "–",
                key=row.name,
            )

    def draw_bars(self) -> None:
        rows = [row for row in self.disciplines() if row.level == "discipline"]
        self.bars = {
            "papers": {row.name: 100 * row.paper_share for row in rows},
            "accepted": {row.name: 100 * row.accepted_share for row in rows},
            "target": {row.name: 100 * self.targets.get(row.name, 0.0) for row in rows},
        }
        plot = self.query_one("#topic-bars", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("share per discipline (%)")
        if rows:
            names = short_names([row.name for row in rows])
            plt.multiple_bar(
                names, [list(series.values()) for series in self.bars.values()], labels=list(self.bars), orientation="horizontal"
            )
        plot.refresh()

    @on(Input.Changed, "#alpha")
    def alpha_changed(self) -> None:
        if self.table is not None:
            self.update_preview()
