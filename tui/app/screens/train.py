"""Train: a GRPO run's settings, start and stop, live curves from the metrics table, and the run history.

A run trains in its own process (``train.run.start_run``) and writes its
metrics to the library; this screen only polls the ``metrics`` table for rows
newer than the last step it drew, so following a run costs one indexed query a
tick and the run outlives the app.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from papergym.core.errors import PapergymError
from papergym.core.library import Library
from papergym.train.config import DEFAULT_BASE_MODEL, LIBRARY_DATASET, TrainConfig, learnable_band_from_text
from papergym.train.run import RunNotFound, get_run, latest_samples, list_runs, metric_rows, start_run, status_words, stop_run
from papergym.train.zero_signal import zero_signal_advice
from papergym.tui.app.mode_bar import ModeBar
from papergym.tui.app.worker_errors import ReportsWorkerErrors
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Label, Static
from textual_plotext import PlotextPlot

POLL_SECONDS = 1.5
SAMPLES_SHOWN = 4
SAMPLE_CHARS = 400
REWARD_FUNCTION_PREFIX = "rewards/"

# (chart id, title, metric names drawn, labels)
CHARTS = (
    ("chart-frac-zero-std", "frac_reward_zero_std", ("frac_reward_zero_std",)),
    ("chart-kl", "KL", ("kl",)),
    ("chart-length", "completion length", ("completions/mean_length",)),
)


class MetricChart(PlotextPlot):
    """A line chart of named metric series over steps; ``series`` is exactly what it draws."""

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.series: dict[str, dict[int, float]] = {}

    def clear_series(self) -> None:
        self.series = {}
        self.redraw()

    def add_points(self, label: str, points: list[tuple[int, float]]) -> None:
        self.series.setdefault(label, {}).update(points)

    def points(self, label: str) -> list[tuple[int, float]]:
        """One series as sorted (step, value) pairs."""
        return sorted(self.series.get(label, {}).items())

    def line_styles(self, label: str) -> dict:
        return {}

    def redraw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.title)
        plt.xlabel("step")
        for label in self.series:
            points = self.points(label)
            if points:
                steps, values = zip(*points)
                plt.plot(list(steps), list(values), label=label, marker="braille", **self.line_styles(label))
        self.refresh()


class RewardChart(MetricChart):
    """The mean total reward with its ± one standard deviation band drawn as two dim lines."""

    BAND = ("reward + std", "reward - std")

    def set_band(self, means: dict[int, float], stds: dict[int, float]) -> None:
        steps = [step for step in means if step in stds]
        self.add_points(self.BAND[0], [(step, means[step] + stds[step]) for step in steps])
        self.add_points(self.BAND[1], [(step, means[step] - stds[step]) for step in steps])

    def line_styles(self, label: str) -> dict:
        return {"color": "gray"} if label in self.BAND else {"color": "green"}


@dataclass
class LaunchedRun:
    """What the screen needs to know of a started run."""

    run_id: str
    notice: str | None = None


class RunStarted(Message):
    """A run's worker process was launched."""

    def __init__(self, run_id: str, notice: str | None) -> None:
        super().__init__()
        self.run_id = run_id
        self.notice = notice


class RunStartFailed(Message):
    """Starting a run failed with a sentence the user can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


Launcher = Callable[[Library, TrainConfig], object]  # returns something with .run_id (train.run.StartedRun)
Stopper = Callable[[Library, str], object]

# (input id, label, TrainConfig field, parse)
FORM_FIELDS = (
    ("dataset", "Dataset", "dataset", str),  # "library" or an export folder
    ("base-model", "Base model", "base_model", str),
    ("steps", "Steps", "steps", int),
    ("num-generations", "Generations", "num_generations", int),
    ("lora-rank", "LoRA rank", "lora_rank", int),
    ("max-completion-length", "Max completion", "max_completion_length", int),
    ("learning-rate", "Learning rate", "learning_rate", float),
)
DEFAULT_BAND = "{:g},{:g}".format(*learnable_band_from_text(None))  # what `train --learnable` keeps without --band


class TrainScreen(ReportsWorkerErrors, Screen):
    """Settings, start and stop, live curves of the followed run, and every past run."""

    CSS_PATH = "train.tcss"
    BINDINGS = [
        ("ctrl+s", "start_run", "Start run"),
        ("ctrl+x", "stop_run", "Stop run"),
    ]

    def __init__(self, launcher: Launcher | None = None, stopper: Stopper | None = None) -> None:
        super().__init__()
        self.launcher = launcher or start_run
        self.stopper = stopper or stop_run
        self.run_id: str | None = None  # the run whose curves are shown
        self.last_step = -1  # the highest metric step drawn for run_id
        self._history_signature: tuple = ()
        self._history_ids: list[str] = []
        self._starting = False
        self._poll_failing = False

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        defaults = TrainConfig()
        defaults_by_field = {
            "dataset": LIBRARY_DATASET,
            "base_model": DEFAULT_BASE_MODEL,
            "steps": defaults.steps,
            "num_generations": defaults.num_generations,
            "lora_rank": defaults.lora_rank,
            "max_completion_length": defaults.max_completion_length,
            "learning_rate": defaults.learning_rate,
        }
        yield Header()
        yield ModeBar("train")
        with Horizontal():
            with Vertical(id="train-side"):
                with VerticalScroll(id="train-form"):
                    for input_id, label, field_name, _ in FORM_FIELDS:
                        with Horizontal(classes="field"):
                            yield Label(label)
                            yield Input(str(defaults_by_field[field_name]), id=input_id)
                    # `train --learnable [--band] [--learnability-model] [--curriculum]`, with the same defaults.
                    with Horizontal(classes="field"):
                        yield Checkbox(
                            "Learnable",
                            defaults.learnable_band is not None,
                            id="learnable",
                            compact=True,
                            tooltip="Only questions the base model solves sometimes, as measured by "
                            "`papergym check --steps learnability` (others give GRPO no signal).",
                        )
                        yield Input(
                            DEFAULT_BAND,
                            id="band",
                            disabled=defaults.learnable_band is None,
                            tooltip=f"With Learnable: the pass rate above chance to keep, LOW,HIGH (default {DEFAULT_BAND}).",
                        )
                    with Horizontal(classes="field"):
                        yield Label("Pass rates of")
                        yield Input(
                            defaults.learnability_model or "",
                            placeholder="any model, newest",
                            id="learnability-model",
                            tooltip="Whose measured pass rates count for Learnable and Curriculum (default: each question's newest).",
                        )
                    with Horizontal(classes="field check"):
                        yield Checkbox(
                            "Curriculum: easy to hard",
                            defaults.curriculum,
                            id="curriculum",
                            compact=True,
                            tooltip="Train easy to hard by measured pass rate, in that order (no shuffling).",
                        )
                with Horizontal(id="train-buttons"):
                    yield Button("Start", id="start", variant="success")
                    yield Button("Stop", id="stop", variant="error")
                yield Label("Runs")
                yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
            with Vertical(id="train-main"):
                yield Static("No run yet: set the options and press Start.", id="run-status")
                with Grid(id="charts"):
                    yield RewardChart("reward (mean ± std)", id="chart-reward")
                    yield MetricChart("reward per function", id="chart-functions")
                    for chart_id, title, _ in CHARTS:
                        yield MetricChart(title, id=chart_id)
                    yield VerticalScroll(Static("", id="samples-text"), id="samples")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#runs", DataTable)
        table.add_columns("run", "status", "step", "reward")
        self.query_one("#samples").border_title = "latest completions"
        self.refresh_history()
        if self._history_ids:
            self.show_run(self._history_ids[0])
        self.set_interval(POLL_SECONDS, self.poll)
        # Not the first field: digits typed there would not switch screens.
        table.focus()

    # -- reading the library -------------------------------------------------------------

    @property
    def library(self) -> Library:
        return self.app.library

    def refresh_history(self) -> None:
        """Redraw the runs table when a run was added or changed status or step."""
        try:
            runs = list_runs(self.library)
        except PapergymError as error:
            self.notify(str(error), severity="error")
            return
        signature = tuple((run["id"], run["status"], run["waiting_for"], run["step"], run["last_reward"]) for run in runs)
        if signature == self._history_signature:
            return
        self._history_signature = signature
        self._history_ids = [run["id"] for run in runs]
        table = self.query_one("#runs", DataTable)
        cursor = table.cursor_row
        table.clear()
        for run in runs:
            reward = "" if run["last_reward"] is None else f"{run['last_reward']:.3f}"
            table.add_row(
                run["id"].removeprefix("run-"), run["status"], f"{run['step'] or 0}/{run['max_steps'] or '?'}", reward, key=run["id"]
            )
        if self.run_id in self._history_ids:
            table.move_cursor(row=self._history_ids.index(self.run_id))
        elif runs:
            table.move_cursor(row=min(cursor, len(runs) - 1))

    def show_run(self, run_id: str) -> None:
        """Follow this run: forget the drawn curves and read all of its metrics."""
        self.run_id = run_id
        self.last_step = -1
        for chart in self.query(MetricChart):
            chart.series = {}
        self.read_new_metrics()

    def read_new_metrics(self) -> int:
        """Draw the metric rows logged since the last read; returns how many there were."""
        if self.run_id is None:
            return 0
        rows = metric_rows(self.library, self.run_id, self.last_step)
        by_name: dict[str, dict[int, float]] = {}
        for row in rows:
            if row["value"] is not None:
                by_name.setdefault(row["name"], {})[row["step"]] = row["value"]
        if rows:
            self.last_step = max(row["step"] for row in rows)
        reward_chart = self.query_one("#chart-reward", RewardChart)
        if "reward" in by_name:
            reward_chart.add_points("reward", list(by_name["reward"].items()))
            # The band needs the mean of every step that has a std, including steps read in earlier ticks.
            means = dict(reward_chart.points("reward"))
            reward_chart.set_band(means, by_name.get("reward_std", {}))
        functions_chart = self.query_one("#chart-functions", MetricChart)
        for name, points in by_name.items():
            if name.startswith(REWARD_FUNCTION_PREFIX) and name.endswith("/mean"):
                functions_chart.add_points(name.removeprefix(REWARD_FUNCTION_PREFIX).removesuffix("/mean"), list(points.items()))
        for chart_id, _, names in CHARTS:
            chart = self.query_one(f"#{chart_id}", MetricChart)
            for name in names:
                if name in by_name:
                    chart.add_points(name, list(by_name[name].items()))
        if rows or self.last_step == -1:
            for chart in self.query(MetricChart):
                chart.redraw()
            self.show_samples()
        self.show_status()
        return len(rows)

    def show_samples(self) -> None:
        text = self.query_one("#samples-text", Static)
        rows = latest_samples(self.library, self.run_id, SAMPLES_SHOWN)
        if not rows:
            text.update("No completions logged yet.")
            return
        parts = []
        for row in rows:
            rewards = row["rewards"]
            scores = "  ".join(f"{name} {value:.2f}" for name, value in rewards.items() if isinstance(value, (int, float)))
            completion = (row["completion"] or "").strip()
            if len(completion) > SAMPLE_CHARS:
                completion = completion[:SAMPLE_CHARS] + "…"
            parts.append(f"[b]step {row['step']} #{row['ordinal']}[/b]  answer {row['answer']}  {scores}\n{_escape(completion)}")
        text.update("\n\n".join(parts))

    def show_status(self) -> None:
        status = self.query_one("#run-status", Static)
        try:
            run = get_run(self.library, self.run_id)
        except RunNotFound:
            status.update(f"Run {self.run_id} is not in this library.")
            return
        line = f"[b]{run['id']}[/b]  {_escape(status_words(run))}  step {run['step'] or 0}/{run['max_steps'] or '?'}  {run['base_model']}"
        if run["error"]:
            line += f"\n[red]{_escape(run['error'])}[/red]"
        advice = self.zero_signal_advice()
        if advice:
            line += f"\n[yellow]{_escape(advice)}[/yellow]"
        status.update(line)

    def zero_signal_advice(self) -> str | None:
        """What a high share of flat reward groups means for the followed run, read from the drawn curves."""
        zero_std = self.query_one("#chart-frac-zero-std", MetricChart).points("frac_reward_zero_std")
        correctness = self.query_one("#chart-functions", MetricChart).points("correctness")
        return zero_signal_advice(zero_std, correctness)

    def poll(self) -> None:
        try:
            self.refresh_history()
            self.read_new_metrics()
        except (sqlite3.Error, PapergymError) as error:  # a locked or busy database: try again next tick, say so once
            if not self._poll_failing:
                self.notify(f"Could not read the run's progress ({error}); retrying every {POLL_SECONDS:g} s.", severity="warning")
            self._poll_failing = True
        else:
            self._poll_failing = False

    # -- starting and stopping ------------------------------------------------------------

    def form_config(self) -> TrainConfig:
        """The settings in the form; a bad value raises PapergymError naming the field."""
        values = {}
        for input_id, label, field_name, parse in FORM_FIELDS:
            raw = self.query_one(f"#{input_id}", Input).value.strip()
            if not raw:
                raise PapergymError(f"{label} is empty; fill it in.")
            try:
                values[field_name] = parse(raw)
            except ValueError:
                kind = "a whole number" if parse is int else "a number"
                raise PapergymError(f"{label} must be {kind}, not {raw!r}.") from None
        if self.query_one("#learnable", Checkbox).value:
            values["learnable_band"] = learnable_band_from_text(self.query_one("#band", Input).value)
        values["learnability_model"] = self.query_one("#learnability-model", Input).value.strip() or None
        values["curriculum"] = self.query_one("#curriculum", Checkbox).value
        return TrainConfig(**values)

    @on(Checkbox.Changed, "#learnable")
    def learnable_toggled(self, event: Checkbox.Changed) -> None:
        """The band applies only to a learnable-only run, as --band goes with --learnable."""
        self.query_one("#band", Input).disabled = not event.value

    @on(Button.Pressed, "#start")
    def action_start_run(self) -> None:
        if self._starting:
            self.notify("A run is already starting.")
            return
        try:
            config = self.form_config()
        except PapergymError as error:
            self.notify(str(error), severity="error", title="Cannot start")
            return
        self._starting = True
        self.query_one("#run-status", Static).update("Starting a run: checking the model and the data…")
        self.launch(config)

    @work(thread=True, exclusive=True, group="train-start", exit_on_error=False)
    def launch(self, config: TrainConfig) -> None:
        library = self.app.open_library()
        try:
            started = self.launcher(library, config)
        except PapergymError as error:
            self.post_message(RunStartFailed(str(error)))
            return
        except Exception as error:  # anything else still must not take the app down
            self.post_message(RunStartFailed(f"The run could not start: {error}"))
            return
        finally:
            library.close()
        self.post_message(RunStarted(started.run_id, getattr(started, "notice", None)))

    @on(RunStarted)
    def run_started(self, message: RunStarted) -> None:
        self._starting = False
        self.notify(f"Run {message.run_id} started; it trains in its own process and keeps going if you quit.")
        if message.notice:
            self.notify(message.notice)
        self.refresh_history()
        self.show_run(message.run_id)
        self.refresh_history()

    @on(RunStartFailed)
    def run_start_failed(self, message: RunStartFailed) -> None:
        self._starting = False
        self.notify(message.reason, severity="error", title="Cannot start")
        if self.run_id:
            self.show_status()
        else:
            self.query_one("#run-status", Static).update(_escape(message.reason))

    @on(Button.Pressed, "#stop")
    def action_stop_run(self) -> None:
        if self.run_id is None:
            self.notify("No run is selected; pick one in the Runs table.", severity="warning")
            return
        try:
            stopped = self.stopper(self.library, self.run_id)
        except PapergymError as error:
            self.notify(str(error), severity="error", title="Cannot stop")
            return
        if isinstance(stopped, dict) and stopped.get("status") == "waiting":
            self.notify(f"Asked run {self.run_id} to leave the GPU queue; `papergym train --resume {self.run_id}` queues it again.")
        else:
            self.notify(f"Asked run {self.run_id} to stop; it saves a checkpoint after its current step.")
        self.refresh_history()
        self.show_status()

    @on(DataTable.RowSelected, "#runs")
    def run_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value and event.row_key.value != self.run_id:
            self.show_run(event.row_key.value)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
