"""The Train screen's advice when GRPO's groups keep getting one reward for every completion."""

from __future__ import annotations

from papergym.train.zero_signal import zero_signal_advice


def steps(*values: float) -> list[tuple[int, float]]:
    return list(enumerate(values, start=1))


def test_a_high_flat_share_over_recent_steps_says_why_and_what_to_do():
    advice = zero_signal_advice(steps(0.2, 0.9, 0.8, 0.9, 1.0, 0.8), steps(0.9, 0.95, 0.9, 1.0, 1.0, 0.9))
    assert advice.startswith("In steps 2-6, 88% of the questions gave every completion the same reward")
    assert "too easy" in advice and "papergym check --steps learnability" in advice and "--learnable" in advice
    hard = zero_signal_advice(steps(0.9, 0.9, 0.9, 0.9, 0.9), steps(0.0, 0.05, 0.0, 0.0, 0.1))
    assert "too hard" in hard and "3% correct" in hard


def test_no_advice_while_the_run_learns_or_has_too_few_steps():
    assert zero_signal_advice(steps(0.2, 0.3, 0.25, 0.4, 0.3), steps(0.5, 0.5, 0.5, 0.5, 0.5)) is None
    assert zero_signal_advice(steps(1.0, 1.0, 1.0), steps(1.0, 1.0, 1.0)) is None


def test_runs_show_gives_the_same_advice(tmp_path):
    from click.testing import CliRunner
    from papergym.core.library import Library
    from papergym.tui.cli.main import cli

    with Library(tmp_path / "lib") as library, library.write() as db:
        db["runs"].insert(
            {
                "id": "run-flat",
                "status": "finished",
                "backend": "trl",
                "base_model": "gemma3-270m",
                "dataset": "library",
                "config": "{}",
                "output_dir": str(tmp_path),
                "step": 6,
                "max_steps": 6,
                "started_at": "2025-01-01T00:00:00+00:00",
            }
        )
        rows = [
            ("run-flat", step, name, value)
            for step in range(1, 7)
            for name, value in (("frac_reward_zero_std", 1.0), ("rewards/correctness/mean", 0.0))
        ]
        db.conn.executemany("INSERT INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)", rows)
    result = CliRunner().invoke(cli, ["runs", "show", "run-flat", "--library", str(tmp_path / "lib")])
    assert result.exit_code == 0, result.output
    assert "In steps 2-6, 100% of the questions gave every completion the same reward" in result.output
    assert "too hard" in result.output
