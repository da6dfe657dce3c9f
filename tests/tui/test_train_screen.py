"""The Train screen follows a run's metrics from the library and starts and stops runs through injectable launchers."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from papergym.core.library import Library
from papergym.tui.app.app import PapergymApp
from papergym.tui.app.screens.train import TrainScreen

SIZE = (140, 45)
pytestmark = pytest.mark.anyio


def record_run(
    library: Library, run_id: str, status: str = "finished", steps: int = 3, started_at: str = "2025-01-01T00:00:00+00:00"
) -> None:
    with library.write() as db:
        db["runs"].insert(
            {
                "id": run_id,
                "status": status,
                "backend": "trl",
                "base_model": "gemma3-270m",
                "dataset": "library",
                "config": "{}",
                "output_dir": str(library.folder / "runs" / run_id),
                "pid": None,
                "step": steps,
                "max_steps": 10,
                "started_at": started_at,
                "updated_at": started_at,
            }
        )
    log_steps(library, run_id, range(1, steps + 1))


def log_steps(library: Library, run_id: str, steps) -> None:
    rows = []
    for step in steps:
        values = {
            "reward": 0.1 * step,
            "reward_std": 0.05,
            "rewards/correctness/mean": 0.08 * step,
            "rewards/format_reward/mean": 0.5,
            "frac_reward_zero_std": 0.25,
            "kl": 0.01 * step,
            "completions/mean_length": 100.0 + step,
        }
        rows += [{"run_id": run_id, "step": step, "name": name, "value": value} for name, value in values.items()]
    with library.write() as db:
        db["metrics"].upsert_all(rows, pk=("run_id", "name", "step"))
        last = max(steps)
        db["samples"].insert(
            {
                "run_id": run_id,
                "step": last,
                "ordinal": 0,
                "prompt": "Q?",
                "completion": f"Reasoning at step {last}. Answer: B",
                "answer": "B",
                "rewards": json.dumps({"correctness": 1.0, "format_reward": 1.0}),
            }
        )
        db.execute("UPDATE runs SET step = ? WHERE id = ?", [last, run_id])


async def test_recorded_run_appears_in_history_and_charts(tmp_path):
    library = Library(tmp_path / "lib")
    record_run(library, "run-old", started_at="2025-01-01T00:00:00+00:00")
    record_run(library, "run-new", steps=2, started_at="2025-02-01T00:00:00+00:00")
    library.close()
    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        table = screen.query_one("#runs")
        assert table.row_count == 2
        assert screen.run_id == "run-new"  # the newest run is followed by default
        reward = screen.query_one("#chart-reward")
        assert reward.points("reward") == [(1, 0.1), (2, 0.2)]
        assert reward.points("reward + std") == [(1, 0.15000000000000002), (2, 0.25)]
        functions = screen.query_one("#chart-functions")
        assert set(functions.series) == {"correctness", "format_reward"}
        assert screen.query_one("#chart-kl").points("kl") == [(1, 0.01), (2, 0.02)]
        assert "Reasoning at step 2" in str(screen.query_one("#samples-text").render())

        # Picking the older run in the history shows its curves instead.
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.run_id == "run-old"
        assert [step for step, _ in reward.points("reward")] == [1, 2, 3]


async def test_new_metric_rows_appear_after_the_poll(tmp_path):
    library = Library(tmp_path / "lib")
    record_run(library, "run-live", status="running", steps=1)
    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        length = screen.query_one("#chart-length")
        assert length.points("completions/mean_length") == [(1, 101.0)]
        log_steps(library, "run-live", [2, 3])  # the training process writes through its own connection
        for _ in range(40):  # the screen's own timer polls every POLL_SECONDS
            await pilot.pause(0.1)
            if screen.last_step == 3:
                break
        assert length.points("completions/mean_length") == [(1, 101.0), (2, 102.0), (3, 103.0)]
        assert screen.last_step == 3
        assert "step 3/10" in str(screen.query_one("#run-status").render())
    library.close()


async def test_start_with_a_fake_launcher_then_stop(tmp_path):
    launched, stopped = [], []

    def launcher(library, config):
        launched.append(config)
        record_run(library, "run-started", status="running", steps=1, started_at="2026-01-01T00:00:00+00:00")
        return SimpleNamespace(run_id="run-started", notice=None)

    def stopper(library, run_id):
        stopped.append(run_id)
        with library.write() as db:
            db.execute("UPDATE runs SET status = 'stopped' WHERE id = ?", [run_id])

    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = TrainScreen(launcher=launcher, stopper=stopper)
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#steps").value = "7"
        screen.query_one("#lora-rank").value = "8"
        await pilot.click("#start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert launched[0].steps == 7 and launched[0].lora_rank == 8 and launched[0].base_model == "gemma3-270m"
        assert screen.run_id == "run-started"
        assert screen.query_one("#runs").row_count == 1
        assert screen.query_one("#chart-reward").points("reward") == [(1, 0.1)]

        await pilot.click("#stop")
        await pilot.pause()
        assert stopped == ["run-started"]
        assert "stopped" in str(screen.query_one("#run-status").render())


async def test_a_bad_setting_is_refused_without_launching(tmp_path):
    launched = []
    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = TrainScreen(launcher=lambda library, config: launched.append(config))
        await app.push_screen(screen)
        screen.query_one("#num-generations").value = "1"
        await pilot.click("#start")
        await pilot.pause()
        assert launched == []
        assert any("--num-generations must be at least 2" in notification.message for notification in app._notifications)


async def test_samples_are_the_latest_across_steps_as_runs_show_prints_them(tmp_path):
    from papergym.train.run import run_details
    from papergym.tui.app.screens.train import SAMPLES_SHOWN

    library = Library(tmp_path / "lib")
    record_run(library, "run-samples", steps=2)  # one sample at step 2
    with library.write() as db:
        db["samples"].insert_all(
            {
                "run_id": "run-samples",
                "step": 1,
                "ordinal": n,
                "prompt": "Q?",
                "completion": f"Earlier try {n}",
                "answer": "B",
                "rewards": "{}",
            }
            for n in range(3)
        )
    expected = [(sample["step"], sample["ordinal"]) for sample in run_details(library, "run-samples", samples=SAMPLES_SHOWN)["samples"]]
    library.close()
    assert expected == [(2, 0), (1, 0), (1, 1), (1, 2)]
    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#samples-text").render())
    headers = [line.split("  ")[0] for line in shown.splitlines() if line.startswith("step ")]
    assert headers == [f"step {step} #{ordinal}" for step, ordinal in expected]


def cli_config(monkeypatch, folder, *options: str):
    """The TrainConfig that `papergym train OPTIONS` would start, caught before any process is launched."""
    from click.testing import CliRunner
    from papergym.train import run
    from papergym.tui.cli.main import cli

    started = []

    def start_run(library, config, **launch):
        started.append(config)
        return SimpleNamespace(as_dict=lambda: {"run_id": "run-cli"})

    monkeypatch.setattr(run, "start_run", start_run)
    result = CliRunner().invoke(cli, ["train", *options, "--json", "--library", str(folder)])
    return (started[0] if started else None), result.output


def learnability_settings(config) -> tuple:
    return config.learnable_band, config.learnability_model, config.curriculum


async def test_the_learnability_filter_and_curriculum_pass_to_the_run_as_train_passes_them(tmp_path, monkeypatch):
    launched = []

    def launcher(library, config):
        launched.append(config)
        run_id = f"run-form-{len(launched)}"
        record_run(library, run_id, status="running", steps=1, started_at=f"2026-01-0{len(launched)}T00:00:00+00:00")
        return SimpleNamespace(run_id=run_id, notice=None)

    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = TrainScreen(launcher=launcher)
        await app.push_screen(screen)
        await pilot.pause()
        # Untouched, the form starts what plain `papergym train` starts: every question, in shuffled order.
        assert screen.query_one("#band").value == "0.1,0.9" and screen.query_one("#band").disabled
        await pilot.click("#start")
        await app.workers.wait_for_complete()
        await pilot.pause()

        await pilot.click("#learnable")
        assert not screen.query_one("#band").disabled
        screen.query_one("#band").value = "0.2,0.7"
        screen.query_one("#learnability-model").value = " gemma3-270m "
        await pilot.click("#curriculum")
        await pilot.click("#start")
        await app.workers.wait_for_complete()
        await pilot.pause()

    plain, _ = cli_config(monkeypatch, tmp_path / "lib")
    chosen, _ = cli_config(
        monkeypatch, tmp_path / "lib", "--learnable", "--band", "0.2,0.7", "--learnability-model", "gemma3-270m", "--curriculum"
    )
    assert [learnability_settings(config) for config in launched] == [
        learnability_settings(plain),
        learnability_settings(chosen),
    ]
    assert learnability_settings(launched[1]) == ((0.2, 0.7), "gemma3-270m", True)


async def test_learnable_alone_keeps_the_default_band_and_a_bad_band_is_refused_as_the_cli_refuses_it(tmp_path, monkeypatch):
    launched = []
    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = TrainScreen(launcher=lambda library, config: launched.append(config))
        await app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#learnable").value = True
        screen.query_one("#band").value = "0.9,0.1"
        await pilot.click("#start")
        await pilot.pause()
        assert launched == []
        refusals = [notification.message for notification in app._notifications]
        screen.query_one("#band").value = ""  # empty, like --learnable without --band
        assert screen.form_config().learnable_band == (0.1, 0.9)

    cli_default, _ = cli_config(monkeypatch, tmp_path / "lib", "--learnable")
    assert cli_default.learnable_band == (0.1, 0.9)
    refused, output = cli_config(monkeypatch, tmp_path / "lib", "--learnable", "--band", "0.9,0.1")
    assert refused is None
    sentence = "The learnable band 0.9-0.1 is empty; give two numbers with 0 <= LOW < HIGH <= 1, e.g. 0.1,0.9."
    assert sentence in refusals and sentence in output


async def test_a_run_queued_for_the_gpu_says_who_holds_it_and_then_that_it_runs(tmp_path):
    library = Library(tmp_path / "lib")
    holder = "train run-7 (pid 4242, since 2026-01-01T10:00:00+00:00)"
    with library.write() as db:  # what the worker writes while another job holds the GPU lease
        db["runs"].insert(
            {
                "id": "run-queued",
                "status": "waiting",
                "waiting_for": holder,
                "backend": "trl",
                "base_model": "gemma3-270m",
                "dataset": "library",
                "config": "{}",
                "output_dir": str(library.folder / "runs" / "run-queued"),
                "step": 0,
                "max_steps": 10,
                "started_at": "2026-01-01T10:00:01+00:00",
                "updated_at": "2026-01-01T10:00:01+00:00",
            }
        )
    app = PapergymApp(tmp_path / "lib", start="train")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        status = screen.query_one("#run-status")
        assert f"waiting for the GPU, held by {holder}" in str(status.render())
        assert "running" not in str(status.render())
        assert screen.query_one("#runs").get_row("run-queued")[1] == "waiting"

        with library.write() as db:  # the worker took the lease
            db.execute("UPDATE runs SET status = 'running', waiting_for = NULL WHERE id = 'run-queued'")
        for _ in range(40):  # the screen's own timer polls every POLL_SECONDS
            await pilot.pause(0.1)
            if "running" in str(status.render()):
                break
        assert "run-queued  running  step 0/10" in str(status.render())
        assert "waiting" not in str(status.render())
        assert screen.query_one("#runs").get_row("run-queued")[1] == "running"
    library.close()
