"""The topics commands: the topic table, classifying papers, and the taxonomy file in use."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click
from papergym.tui.cli.common import PapergymGroup, StatusLine, clip, echo_json, library_option, open_library, terminal_width

NAME_WIDTH = 46


def _taxonomy_option(command):
    return click.option(
        "--taxonomy",
        "taxonomy_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="A taxonomy TOML file (default: taxonomy.toml in the library folder, else the built-in one).",
    )(command)


def _taxonomy(ctx: click.Context, library, taxonomy_path: Path | None):
    from papergym.core.dataset.taxonomy import taxonomy_for_library

    return taxonomy_for_library(library, taxonomy_path or ctx.obj.get("taxonomy_path"))


def _percent(share: float | None, count: int | None = None) -> str:
    if share is None:
        return ""
    if count == 0:
        return "–"
    return f"{share * 100:.1f}%"


@click.group(cls=PapergymGroup, invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the table as one JSON object.")
@_taxonomy_option
@library_option
@click.pass_context
def topics(ctx, as_json, taxonomy_path, library_dir):
    """Papers and accepted questions per discipline and subdomain, next to the target shares.

    \b
      papergym topics                 the table
      papergym topics classify        label papers that have no topic yet
      papergym topics taxonomy --copy copy the taxonomy into the library to edit it
    """
    ctx.ensure_object(dict)
    if library_dir is not None:
        ctx.obj["library_dir"] = library_dir
    if taxonomy_path is not None:
        ctx.obj["taxonomy_path"] = taxonomy_path
    if ctx.invoked_subcommand is not None:
        return
    from papergym.core.dataset.topics import topic_counts

    library = open_library(ctx, None)
    table = topic_counts(library, _taxonomy(ctx, library, None))
    if as_json:
        echo_json(table.as_dict())
        return
    _print_table(table)


def _print_table(table) -> None:
    name_width = max(24, min(NAME_WIDTH, terminal_width() - 42))
    lines = [f"{'TOPIC':{name_width}} {'PAPERS':>6} {'SHARE':>6} {'ACCEPTED':>8} {'SHARE':>6} {'TARGET':>6}"]
    for row in table.rows:
        name = "  " + clip(row.name, name_width - 2) if row.level == "subdomain" else clip(row.name, name_width)
        lines.append(
            f"{name:{name_width}} {row.papers:>6} {_percent(row.paper_share, row.papers):>6} "
            f"{row.accepted_questions:>8} {_percent(row.accepted_share, row.accepted_questions):>6} "
            f"{_percent(row.target_share):>6}"
        )
    lines.append(
        f"{table.papers} readable papers, {table.accepted_questions} accepted questions "
        f"({table.usable_questions} usable); taxonomy: {table.taxonomy_path}"
    )
    unclassified = table.row("Unclassified", "unclassified").papers
    if unclassified:
        lines.append(f"{unclassified} papers have no topic yet; label them with: papergym topics classify")
    click.echo("\n".join(lines))


class _ClassifyProgressView:
    """Papers classified so far and the pace, on one status line."""

    def __init__(self) -> None:
        self.status = StatusLine()
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        self.status.show(f"classified {done}/{total} papers  {rate:.1f} papers/s", final=done == total)

    def close(self) -> None:
        self.status.close()


@topics.command()
@click.option(
    "--papers", "paper_ids", default=None, help="Comma-separated paper ids (prefixes work). Default: every readable paper without a topic."
)
@click.option(
    "--model",
    default=None,
    help="A registered model name or a .gguf path (default: `papergym models` default); with --server, the server's model name.",
)
@click.option("--server", default=None, metavar="URL", help="An OpenAI-compatible server instead of a local model.")
@click.option("--api-key", default=None, envvar="PAPERGYM_API_KEY", help="API key for --server (or PAPERGYM_API_KEY).")
@click.option("--no-llm", is_flag=True, help="Classify by keywords only, without a model.")
@click.option("--force", is_flag=True, help="Classify papers that already have a topic again (topics set by hand are kept).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as one JSON object.")
@_taxonomy_option
@library_option
@click.pass_context
def classify(ctx, paper_ids, model, server, api_key, no_llm, force, as_json, taxonomy_path, library_dir):
    """Give each readable paper a discipline and subdomain, and its questions the same.

    A model picks from the taxonomy's subdomains; where it cannot answer, or
    with --no-llm, keywords decide, and a paper with too little evidence stays
    unclassified. Each paper is saved as it is done, so running the command
    again after a stop carries on.
    """
    from papergym.core.dataset.topics import classify_library, papers_to_classify

    if no_llm and (model or server):
        raise click.UsageError("--no-llm cannot be combined with --model or --server")
    library = open_library(ctx, library_dir)
    taxonomy = _taxonomy(ctx, library, taxonomy_path)
    ids = [part.strip() for part in paper_ids.split(",") if part.strip()] if paper_ids else None
    backend = None
    if not no_llm and papers_to_classify(library, paper_ids=ids, force=force):
        backend = _open_classifier(library, model, server, api_key, quiet=as_json)
    view = None if as_json else _ClassifyProgressView()
    try:
        report = classify_library(library, taxonomy, backend, paper_ids=ids, force=force, on_progress=view)
    except KeyboardInterrupt:
        if view:
            view.close()
        click.echo("Stopped. Classified papers are saved; run the same command again to classify the rest.", err=True)
        sys.exit(130)
    finally:
        if backend is not None:
            backend.close()
    if view:
        view.close()
    if as_json:
        echo_json(report.as_dict())
        return
    _print_classify_summary(report, backend)


def _builtin_is_default(library) -> str | None:
    """The built-in model's name when it is the library's default model."""
    from papergym.core.errors import PapergymError
    from papergym.core.llm.models import list_models

    try:
        default = next((entry for entry in list_models(library) if entry.is_default), None)
    except PapergymError:
        return None
    return default.name if default is not None and default.builtin else None


def _open_classifier(library, model: str | None, server: str | None, api_key: str | None, *, quiet: bool):
    """The backend to classify with, or None (keywords) when the default model cannot do the job."""
    from papergym.core.errors import PapergymError
    from papergym.core.llm.backends import open_backend

    if not (model or server):
        builtin = _builtin_is_default(library)
        if builtin:
            # Measured: the 270M built-in model picked the right subdomain for none of the six demo papers.
            click.echo(
                f"The built-in model ({builtin}) is too small to pick topics reliably; classifying by keywords "
                "(name a model with --model to use one).",
                err=True,
            )
            return None
    if not quiet:
        click.echo("Loading the model…", err=True)
    try:
        return open_backend(library, model=model, server=server, api_key=api_key)
    except PapergymError as error:
        if model or server:
            raise  # the user asked for this model: falling back would hide the problem
        click.echo(f"No model could be opened ({error}); classifying by keywords.", err=True)
        return None


def _print_classify_summary(report, backend) -> None:
    if report.papers_total == 0:
        click.echo("Nothing to classify: every readable paper has a topic (use --force to classify them again).")
        return
    parts = [f"{count} by {source}" for source, count in sorted(report.by_source.items()) if source != "unclassified"]
    unclassified = report.by_source.get("unclassified", 0)
    click.echo(
        f"Classified {report.papers_done - unclassified} of {report.papers_total} papers"
        + (f" ({', '.join(parts)})" if parts else "")
        + (f"; {unclassified} unclassified (too few keywords)" if unclassified else "")
        + f" in {report.seconds:.1f} s; {report.questions_labelled} questions labelled."
    )
    if backend is not None:
        click.echo(f"Model: {backend.model_name}")
    for reason, count in report.fallback_reasons.most_common(5):
        click.echo(f"  {count:4} × keywords used because {clip(reason, 100)}")
    if report.model_dropped:
        click.echo(f"Stopped asking the model: {report.model_dropped}.")
    click.echo("See the table with: papergym topics")


@topics.command()
@click.option("--copy", "copy_default", is_flag=True, help="Copy the built-in taxonomy into the library folder as taxonomy.toml, to edit.")
@_taxonomy_option
@library_option
@click.pass_context
def taxonomy(ctx, copy_default, taxonomy_path, library_dir):
    """Print the path of the taxonomy in use (and how many disciplines and subdomains it has)."""
    from papergym.assets import DEFAULT_TAXONOMY
    from papergym.core.dataset.taxonomy import TaxonomyError, library_taxonomy_path

    library = open_library(ctx, library_dir)
    if copy_default:
        target = library_taxonomy_path(library)
        if target.exists():
            raise TaxonomyError(f"{target} already exists; edit it, or delete it first to copy the built-in taxonomy again.")
        try:
            shutil.copyfile(DEFAULT_TAXONOMY, target)
        except OSError as error:
            raise TaxonomyError(f"Cannot write {target} ({error.strerror}); check the library folder's permissions.") from None
        click.echo(f"Copied the built-in taxonomy to {target}; edit it there.", err=True)
    in_use = _taxonomy(ctx, library, taxonomy_path)
    click.echo(str(in_use.path))
    click.echo(
        f"{len(in_use.disciplines)} disciplines, {len(in_use.subdomains())} subdomains"
        + (" (built-in)" if in_use.path == DEFAULT_TAXONOMY else ""),
        err=True,
    )
