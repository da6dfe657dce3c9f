"""`papergym demo`: the whole pipeline once on the embedded defaults."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import click
from papergym.tui.cli.common import echo_json


@click.command()
@click.option(
    "--library",
    "library_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run in this library folder (default: a new temporary one, kept afterwards).",
)
@click.option("--windows", type=click.IntRange(1, 200), default=6, show_default=True, help="Paper windows to generate from.")
@click.option("--steps", type=click.IntRange(1, 1000), default=2, show_default=True, help="GRPO steps on CPU.")
@click.option("--no-train", is_flag=True, help="Stop after the export (also automatic without the train extra).")
@click.option("--json", "as_json", is_flag=True, help="Print the stages' numbers as one JSON object at the end.")
def demo(library_dir, windows, steps, no_train, as_json):
    """Run the whole pipeline once: import, generate, check, export, train, evaluate.

    Uses the demo papers and the built-in gemma3-270m model, so nothing is
    downloaded; it takes a few minutes on a laptop CPU. Every number printed
    is measured, and the library is kept so you can look around afterwards
    (`papergym --library DIR` opens it in the app).
    """
    from papergym.core.library import Library
    from papergym.train.demo import DemoSettings, run_demo

    folder = library_dir or Path(tempfile.mkdtemp(prefix="papergym-demo-"))
    library = Library(folder)
    trainable = all(importlib.util.find_spec(name) for name in ("torch", "trl", "peft", "transformers"))
    if not trainable and not no_train:
        click.echo(
            "Training and evaluation are skipped: they need the train extra (pip install torch==2.13.0 && pip install 'papergym[train]').",
            err=True,
        )
    settings = DemoSettings(windows=windows, train_steps=steps, skip_training=no_train or not trainable)
    say = (lambda line: click.echo(line, err=True)) if as_json else click.echo
    try:
        report = run_demo(library, settings, say=say)
    except KeyboardInterrupt:
        click.echo(f"\nStopped. The library is in {folder}.", err=True)
        sys.exit(130)
    finally:
        library.close()
    say(f"\nDone in {report.seconds:.0f} s. The demo library is {folder}:")
    say(f"  papergym --library {folder}                  the app: review the questions (3), the run's curves (5), the eval (6)")
    say(f"  papergym --library {folder} questions        papergym --library {folder} runs show latest")
    if as_json:
        echo_json({"library": str(folder), "seconds": report.seconds, "stopped": report.stopped, "stages": report.stages})
