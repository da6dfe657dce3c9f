"""The formatting both faces share: what a user reads in the CLI and in the app is written the same way."""

from __future__ import annotations

import subprocess
import sys

from papergym.tui.formatting import duration, percent, truncate


def test_durations_percentages_and_clipped_text():
    assert duration(None) == "?"
    assert duration(59.9) == "0:59"
    assert duration(3725) == "1:02:05"
    assert percent(0.25) == "25.0%"
    assert percent(None) == "-" and percent(None, "–") == "–"
    assert truncate("thermal conductivity", 8) == "thermal…"
    assert truncate("short", 8) == "short"


def test_the_shared_formatting_and_every_app_module_load_without_the_command_line():
    code = (
        "import importlib, pkgutil, sys, papergym.tui.formatting, papergym.tui.app as app\n"
        "for module in pkgutil.walk_packages(app.__path__, 'papergym.tui.app.'):\n"
        "    importlib.import_module(module.name)\n"
        "print(sorted(name for name in sys.modules if name == 'click' or name.startswith('papergym.tui.cli')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
