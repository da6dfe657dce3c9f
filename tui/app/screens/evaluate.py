"""Evaluate: an adapter's eval beside its base model's on the same questions, overall and per discipline.

The numbers come from the ``evals`` table through ``train.evaluate.compare``,
the same function ``papergym eval --compare`` prints; evals themselves are run
from the command line (they load a model), so this screen only reads.
"""

from __future__ import annotations

from papergym.core.errors import PapergymError
from papergym.tui.app.charts import short_names
from papergym.tui.app.mode_bar import ModeBar
from papergym.tui.formatting import percent
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static
from textual_plotext import PlotextPlot

PER_DISCIPLINE_PREFIX = "accuracy: "
MISSING = "–"


def _number(name: str, value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:.0f}" if name == "mean length" else percent(value, MISSING)


def _delta(name: str, value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:+.0f}" if name == "mean length" else f"{100 * value:+.1f} pt"


class EvaluateScreen(Screen):
    """Every stored eval, and the before/after of the chosen adapter eval."""

    CSS_PATH = "evaluate.tcss"
    BINDINGS = [("r", "reload", "Reload")]

    def __init__(self) -> None:
        super().__init__()
        self.comparison_rows: list[dict] = []  # compare()'s rows for the adapter eval shown
        self.adapter_eval_id: str | None = None
        self.discipline_bars: dict[str, tuple[float, float]] = {}  # discipline -> (before, after) accuracy drawn

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("evaluate")
        with Horizontal():
            with Vertical(id="evals-side"):
                yield Label("Evals (Enter on an adapter's eval compares it)")
                yield DataTable(id="evals", cursor_type="row", zebra_stripes=True)
            with Vertical(id="evals-main"):
                yield Static("", id="compare-title")
                yield DataTable(id="compare", cursor_type="none", zebra_stripes=True)
                yield PlotextPlot(id="discipline-bars")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#evals", DataTable).add_columns("eval", "model", "adapter", "dataset", "questions", "accuracy")
        self.query_one("#compare", DataTable).add_columns("", "questions", "base", "adapter", "change")
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        from papergym.train.evaluation.results import list_evals

        evals = list_evals(self.app.library)
        table = self.query_one("#evals", DataTable)
        table.clear()
        for row in evals:
            table.add_row(
                row["id"][:8],
                row["model"],
                row.get("run_id") or ("yes" if row.get("adapter") else "base"),
                row["dataset"],
                str(row["questions"]),
                percent(row["accuracy"], MISSING),
                key=row["id"],
            )
        self.show_comparison(self.adapter_eval_id if any(row["id"] == self.adapter_eval_id for row in evals) else None)

    def show_comparison(self, adapter_eval_id: str | None) -> None:
        """Fill the before/after table and bars for one adapter eval (the newest when None)."""
        from papergym.train.evaluation.results import compare

        title = self.query_one("#compare-title", Static)
        table = self.query_one("#compare", DataTable)
        table.clear()
        try:
            comparison = compare(self.app.library, adapter_eval_id)
        except PapergymError as error:
            self.comparison_rows = []
            self.discipline_bars = {}
            title.update(str(error))
            self.draw_bars()
            return
        self.adapter_eval_id = comparison.adapted["id"]
        self.comparison_rows = comparison.rows
        base, adapted = comparison.base, comparison.adapted
        title.update(
            f"[b]{adapted['model']}[/b] + adapter {adapted.get('run_id') or adapted['adapter']}  vs  base  "
            f"on {adapted['dataset']} ({adapted['questions']} questions; evals {base['id'][:8]} → {adapted['id'][:8]})"
        )
        for row in comparison.rows:
            name = row["name"]
            table.add_row(
                name, str(row["questions"]), _number(name, row["before"]), _number(name, row["after"]), _delta(name, row["delta"])
            )
        self.discipline_bars = {
            row["name"].removeprefix(PER_DISCIPLINE_PREFIX): (row["before"] or 0.0, row["after"] or 0.0)
            for row in comparison.rows
            if row["name"].startswith(PER_DISCIPLINE_PREFIX)
        }
        self.draw_bars()

    def draw_bars(self) -> None:
        plot = self.query_one("#discipline-bars", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("accuracy per discipline (%)")
        if self.discipline_bars:
            names = short_names(list(self.discipline_bars))
            before = [100 * pair[0] for pair in self.discipline_bars.values()]
            after = [100 * pair[1] for pair in self.discipline_bars.values()]
            plt.multiple_bar(names, [before, after], labels=["base", "adapter"], orientation="horizontal")
            plt.xlim(0, 100)  # accuracy in percent, even when every bar is 0
        plot.refresh()

    @on(DataTable.RowSelected, "#evals")
    def eval_selected(self, event: DataTable.RowSelected) -> None:
        from papergym.train.evaluation.results import get_eval

        try:
            chosen = get_eval(self.app.library, event.row_key.value)
        except PapergymError as error:
            self.notify(str(error), severity="error")
            return
        if not chosen.get("adapter"):
            self.notify("That eval is of a base model; pick an adapter's eval to compare it with its base.", severity="warning")
            return
        self.show_comparison(chosen["id"])
