"""The generate command's progress line counts and times the windows this run will do, not every window of the papers."""

from __future__ import annotations

from papergym.core.generation.run import GenerateProgress
from papergym.tui.cli.generate import _GenerateProgressView
from papergym.tui.formatting import duration


def test_with_max_windows_the_line_counts_to_the_limit_and_the_eta_covers_only_the_windows_left_in_this_run(capsys):
    view = _GenerateProgressView(stop_at=4)  # 9 windows in the papers, --max-windows 4
    view(GenerateProgress(windows_total=9, windows_done=1, elapsed=60.0))
    view(GenerateProgress(windows_total=9, windows_done=4, elapsed=240.0))
    view.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("windows 1/4 ") and lines[0].endswith(f"ETA {duration(180.0)}"), lines[0]
    assert lines[-1].startswith("windows 4/4 "), lines  # the last window of the run is printed even in a log


def test_without_a_limit_the_line_counts_every_window_of_the_papers(capsys):
    view = _GenerateProgressView(stop_at=9)
    view(GenerateProgress(windows_total=9, windows_done=3, elapsed=30.0))  # two were done by an earlier run, one now
    view.close()
    line = capsys.readouterr().err.splitlines()[0]
    assert line.startswith("windows 3/9 ") and line.endswith(f"ETA {duration(180.0)}"), line
