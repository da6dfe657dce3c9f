"""``papergym doctor``: what this machine can do for papergym (CPU, GPUs, llama.cpp, the training stack) and why."""

from __future__ import annotations

from pathlib import Path

import click
from papergym.tui.cli.common import echo_json, library_option


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON.")
@click.option("--no-backend", is_flag=True, help="Do not import Unsloth to say which backend --backend auto would pick (faster).")
@library_option
@click.pass_context
def doctor(ctx, as_json: bool, no_backend: bool, library_dir: Path | None) -> None:
    """What this machine can do: CPU and AMX, CUDA GPUs and free memory, llama.cpp offload, package versions, the backend auto
    picks, and whether scans are read by OCR."""
    from papergym.core.library import default_library_dir
    from papergym.train.doctor import gather_facts, summary_lines

    ctx.ensure_object(dict)
    folder = library_dir or ctx.obj.get("library_dir") or default_library_dir()
    facts = gather_facts(folder, backend=not no_backend)
    if as_json:
        echo_json(facts)
        return
    for line in summary_lines(facts):
        click.echo(line)
