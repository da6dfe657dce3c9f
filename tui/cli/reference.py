"""The command-line reference (docs/cli.md), written from the click commands themselves and the documented --json shapes.

`python -m papergym.tui.cli.reference` prints it; `--check FILE` exits 1 when FILE differs, which CI runs so the page
cannot drift from the code.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click
from papergym.tui.cli.json_shapes import JSON_SHAPES, Shape

HEADER = """# papergym command reference

Written by `python -m papergym.tui.cli.reference > docs/cli.md` from the commands themselves; a test fails when
this page and the code disagree. Every command also takes `--library DIR` (default: `$PAPERGYM_HOME`, else your
user data directory). With `--json`, a command prints JSON instead of a table: one object, or one object per line
where the shape says "lines". Errors a user can fix go to stderr as one sentence with exit status 1 (2 for a bad
option); Ctrl-C exits with 130.
"""


def _type_name(param: click.Parameter) -> str:
    kind = param.type
    if isinstance(kind, click.Choice):
        return " \\| ".join(f"`{choice}`" for choice in kind.choices)
    if isinstance(param, click.Option) and param.is_flag:
        return "flag"
    name = {"path": "path", "directory": "folder", "file": "file"}.get(kind.name, kind.name)
    if isinstance(kind, click.IntRange | click.FloatRange) and (kind.min is not None or kind.max is not None):
        low = "" if kind.min is None else f"{kind.min} ≤ "
        high = "" if kind.max is None else f" ≤ {kind.max}"
        name = f"{low}{'integer' if isinstance(kind, click.IntRange) else 'number'}{high}"
    return name


def _default(param: click.Parameter) -> str:
    default = param.default
    if isinstance(param, click.Option) and param.is_flag:
        return "on" if default is True else "off"
    if default is None or default == () or callable(default) or type(default).__name__ == "Sentinel":
        return ""
    if isinstance(default, tuple | list):
        default = ",".join(str(item) for item in default)
    return f"`{default}`"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _options_table(command: click.Command) -> list[str]:
    rows = []
    for param in command.params:
        if isinstance(param, click.Option) and (param.hidden or param.name == "library_dir"):
            continue
        if isinstance(param, click.Argument):
            name = param.human_readable_name + ("…" if param.nargs == -1 else "")
            rows.append(f"| `{name}` (argument) | {_type_name(param)} | {'required' if param.required else ''} | |")
        else:
            names = ", ".join(f"`{opt}`" for opt in param.opts + param.secondary_opts)
            rows.append(f"| {names} | {_type_name(param)} | {_default(param)} | {_cell(getattr(param, 'help', ''))} |")
    if not rows:
        return []
    return ["| option | type | default | what it does |", "|---|---|---|---|", *rows, ""]


def _shape_lines(path: str) -> list[str]:
    shape: Shape | None = JSON_SHAPES.get(path)
    if shape is None:
        return []
    lines = [f"`--json` prints {shape.layout}:", "", "| field | type | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {kind} | {_cell(meaning)} |" for name, (kind, meaning) in shape.fields.items()]
    return [*lines, ""]


def _command_sections(command: click.Command, path: str) -> list[str]:
    lines = [f"## `papergym {path}`", ""]
    help_text = inspect.cleandoc(command.help or "").replace("\b\n", "")
    if help_text:
        lines += [help_text, ""]
    lines += _options_table(command)
    lines += _shape_lines(path)
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            sub = command.commands[name]
            if not sub.hidden:
                lines += _command_sections(sub, f"{path} {name}")
    return lines


def render(root: click.Group) -> str:
    """The whole reference page for the papergym command group."""
    lines = [HEADER]
    names = [name for name in sorted(root.commands) if not root.commands[name].hidden]
    lines += ["Commands: " + ", ".join(f"[`{name}`](#papergym-{name})" for name in names), ""]
    for name in names:
        lines += _command_sections(root.commands[name], name)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    from papergym.tui.cli.main import cli

    argv = sys.argv[1:] if argv is None else argv
    page = render(cli)
    if argv[:1] == ["--check"]:
        target = Path(argv[1])
        if not target.exists() or target.read_text() != page:
            print(f"{target} is out of date: run `python -m papergym.tui.cli.reference > {target}`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
