"""Pieces every command shares: error handling, the --library option, output helpers."""

from __future__ import annotations

import errno
import json
import shutil
import sqlite3
from pathlib import Path

import click
from papergym.core.errors import PapergymError, describe_database_error
from papergym.tui.formatting import duration, truncate
from papergym.tui.terminal_text import printable

SHORT_ID = 12


__all__ = ["SHORT_ID", "PapergymGroup", "StatusLine", "clip", "duration", "echo_json", "library_option", "open_library", "terminal_width"]


class PapergymGroup(click.Group):
    """Turns errors a user can fix, and a library database or disk that fails, into one line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PapergymError as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.Error as error:
            raise click.ClickException(describe_database_error(error)) from None
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
            raise click.ClickException(
                f"The disk is full{f' (writing {error.filename})' if error.filename else ''}; free some space, then run the command again."
            ) from None


def library_option(command):
    return click.option(
        "--library",
        "library_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Library folder (default: $PAPERGYM_HOME, else your data directory).",
    )(command)


def open_library(ctx: click.Context, library_dir: Path | None):
    """The library named by the subcommand's --library, else the group's, else the default."""
    from papergym.core.library import Library

    ctx.ensure_object(dict)
    return Library(library_dir or ctx.obj.get("library_dir"))


def echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


def terminal_width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def clip(text: str, width: int) -> str:
    text = " ".join(printable(text).split())
    return truncate(text, width)


class StatusLine:
    """Progress on stderr: one line rewritten in place on a terminal; in a log, a line every few seconds and the last."""

    def __init__(self, every: float = 10.0) -> None:
        import sys

        self.interactive = sys.stderr.isatty()
        self.every = every
        self.last_print = 0.0
        self.open = False

    def show(self, line: str, final: bool = False) -> None:
        import time

        if self.interactive:
            click.echo("\r" + line[: terminal_width() - 1].ljust(terminal_width() - 1), nl=False, err=True)
            self.open = True
        elif final or time.monotonic() - self.last_print > self.every:
            click.echo(line, err=True)
            self.last_print = time.monotonic()

    def close(self) -> None:
        if self.interactive and self.open:
            click.echo("", err=True)
        self.open = False
