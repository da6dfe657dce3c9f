"""`papergym check --help` names every step the pipeline runs, in the order it runs them."""

from __future__ import annotations

import re

from click.testing import CliRunner
from papergym.core.quality.pipeline import STEPS


def test_the_check_help_lists_every_step_in_pipeline_order():
    from papergym.tui.cli.main import cli

    text = " ".join(CliRunner().invoke(cli, ["check", "--help"]).output.split())
    described = text.split("Steps, in order:")[1].split("Each step records")[0]
    named = [word for word in re.findall(r"\b(\w+) \(", described) if word in STEPS]
    assert named == list(STEPS), described
