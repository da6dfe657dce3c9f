"""``papergym queue``: which job holds the GPU and which wait for it, machine-wide (every library and user)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from papergym.tui.cli.common import echo_json


def _waited(since: str) -> str:
    try:
        seconds = (datetime.now(UTC) - datetime.fromisoformat(since)).total_seconds()
    except ValueError:
        return "?"
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


@click.command("queue")
@click.option("--json", "as_json", is_flag=True, help="Print the queue as JSON.")
def queue_command(as_json: bool) -> None:
    """Jobs of every user holding or waiting for the GPU (generate, check, eval, train), in order; Ctrl-C in a waiting job takes it out."""
    from papergym.core.gpu_lease import lease_dir, queue

    entries = queue()
    if as_json:
        echo_json({"folder": str(lease_dir()), "jobs": [entry.as_dict() for entry in entries]})
        return
    if not entries:
        click.echo("No job holds or waits for the GPU.")
        return
    for entry in entries:
        place = "holds" if entry.role == "holding" else f"waits ({entry.position})"
        click.echo(
            f"GPU {entry.device}  {place:10}  {entry.job:24}  pid {entry.pid:<7}  {entry.user:10}  for {_waited(entry.since):>6}  {entry.library}"
        )
