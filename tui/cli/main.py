"""The command line: a thin layer over papergym.core, one command per pipeline step."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click
from papergym import __version__
from papergym.tui.cli.check import accept, check, reject, unreview
from papergym.tui.cli.common import SHORT_ID, PapergymGroup, clip, echo_json, library_option, open_library, terminal_width
from papergym.tui.cli.demo import demo
from papergym.tui.cli.doctor import doctor
from papergym.tui.cli.edit import edit
from papergym.tui.cli.evaluate import convert_command, eval_command
from papergym.tui.cli.export import export, import_questions_command
from papergym.tui.cli.generate import generate, question, questions
from papergym.tui.cli.models import models
from papergym.tui.cli.queue import queue_command
from papergym.tui.cli.topics import topics
from papergym.tui.cli.train import runs, train
from papergym.tui.formatting import source_label
from papergym.tui.terminal_text import printable


@click.group(cls=PapergymGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="papergym")
@library_option
@click.pass_context
def cli(ctx: click.Context, library_dir: Path | None) -> None:
    """papergym: turn your PDF library into verifiable science questions, offline.

    With no command, papergym opens the app on the library.

    \b
    Start with:
      papergym import ~/papers        copy PDFs into the library and extract their text
      papergym papers                 list what is in the library
      papergym search "rate constant" full-text search over titles, abstracts and sections
      papergym show ID                a paper's metadata (and where each field came from) and sections
      papergym edit ID --title "..."  fix a paper's metadata; re-imports keep your fix
      papergym generate               questions from every paper with the default model
      papergym questions              what was generated
      papergym check                  the quality pipeline: validate, dedup, grounding, vote, score...
      papergym topics classify        label papers with the taxonomy's disciplines
      papergym export OUT             a Hugging Face dataset, split by paper, ready for GRPO
    """
    ctx.ensure_object(dict)
    ctx.obj["library_dir"] = library_dir
    if ctx.invoked_subcommand is None:
        if not sys.stdout.isatty():
            click.echo(ctx.get_help())  # no terminal to draw the app in (a pipe, a script)
            return
        from papergym.tui.app.app import run_app

        run_app(library_dir)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file instead of a summary.")
@click.option("--workers", type=click.IntRange(1, 256), default=None, help="Reader processes (default: one per core).")
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=60.0,
    show_default=True,
    help="Seconds one page of a file may take before the file is stopped as hung; a whole file may take this plus 3 s per page.",
)
@click.option("--max-pages", type=click.IntRange(1), default=2000, show_default=True, help="Refuse PDFs longer than this.")
@click.option(
    "--memory-limit",
    "memory_limit_mb",
    type=click.IntRange(256),
    default=2048,
    show_default=True,
    help="Memory ceiling of each reader process, in MiB.",
)
@library_option
@click.pass_context
def import_command(ctx, paths, as_json, workers, timeout, max_pages, memory_limit_mb, library_dir):
    """Import PDF files and folders (searched recursively) into the library.

    Files already in the library are recognised by content and left alone, so
    running the same command again after an interruption finishes the job; a
    scan imported before the ocr extra was installed is read again by OCR.
    Exits with 1 if any file failed.
    """
    from papergym.core.ingest.importer import import_paths

    library = open_library(ctx, library_dir)
    progress = None
    if not as_json and sys.stderr.isatty():
        from papergym.tui.cli.progress import FileProgress

        progress = FileProgress()

    def on_result(result, done, total):
        if as_json:
            echo_json(result.as_dict())
        elif progress is not None:
            progress.update(result, done, total)

    try:
        if progress:
            progress.start()
        report = import_paths(
            library,
            paths,
            workers=workers,
            timeout=timeout,
            max_pages=max_pages,
            memory_limit_mb=memory_limit_mb,
            on_result=on_result,
        )
    except KeyboardInterrupt:
        if progress:
            progress.stop()
        click.echo("Stopped. Finished files are saved; run the same command again to import the rest.", err=True)
        sys.exit(130)
    finally:
        if progress:
            progress.stop()
    if not as_json:
        _print_import_summary(report, library.folder)
    sys.exit(1 if report.failed else 0)


def _print_import_summary(report, library_folder: Path) -> None:
    counts = report.counts
    rate = report.pages / report.seconds if report.seconds else 0.0
    failed = report.failed
    for result in failed[:20]:
        click.echo(f"failed   {printable(result.path)} {printable(result.reason)}")
    if len(failed) > 20:
        click.echo(f"failed   … and {len(failed) - 20} more (`papergym papers --status failed` lists them all)")
    # A pipe, socket or device named *.pdf is named one by one: the user put it there (or something did).
    not_regular = [r for r in report.results if r.status == "skipped" and "not a regular file" in (r.reason or "")]
    for result in not_regular[:20]:
        click.echo(f"skipped  {printable(result.path)} {result.reason}")
    skipped = [r for r in report.results if r.status == "skipped" and r not in not_regular]
    if skipped:
        kinds = Counter(Path(r.path).suffix.lower() or "no extension" for r in skipped)
        listing = ", ".join(f"{kind} ×{count}" for kind, count in kinds.most_common())
        noun = "file that is not a PDF" if len(skipped) == 1 else "files that are not PDFs"
        click.echo(f"skipped  {len(skipped)} {noun} ({listing}); --json lists each one")
    no_text = [r for r in report.results if r.status == "imported" and r.has_text is False]
    for result in no_text:
        click.echo(f"no text  {printable(result.path)} {printable(result.reason)}")
    same_paper = [r for r in report.results if r.status == "duplicate" and r.duplicate_of]
    for result in same_paper:
        click.echo(f"linked   {result.path} is a {result.reason}; kept, and generate skips it")
    click.echo(
        f"Imported {counts['imported']} papers ({report.pages} pages) in {report.seconds:.1f} s"
        f" ({rate:.1f} pages/s); {counts['duplicate'] - len(same_paper)} already in the library,"
        + (f" {len(same_paper)} another copy of a paper here," if same_paper else "")
        + f" {counts['skipped']} skipped, {counts['failed']} failed."
    )
    click.echo(f"Library: {library_folder}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per paper.")
@click.option(
    "--status",
    type=click.Choice(["ok", "no_text", "failed", "duplicate"]),
    default=None,
    help="Only papers with this status (duplicate: another file of a paper already here).",
)
@library_option
@click.pass_context
def papers(ctx, as_json, status, library_dir):
    """List the papers in the library, newest first."""
    from papergym.core.library import duplicate_label

    library = open_library(ctx, library_dir)
    if status == "duplicate":
        rows = [row for row in library.papers() if row["duplicate_of"]]
    else:
        rows = library.papers(status=status)
    if as_json:
        for row in rows:
            echo_json(row)
        return
    if not rows:
        if status:
            click.echo(f"No paper has the status {status}.")
        else:
            click.echo("The library is empty. Add papers with: papergym import PATH")
        return
    width = terminal_width()
    title_width = max(20, width - (SHORT_ID + 2 + 8 + 6 + 6))
    lines = [f"{'ID':{SHORT_ID}}  {'STATUS':7} {'PAGES':>5} {'YEAR':>5} TITLE"]
    for row in rows:
        label = row["title"] or row["filename"]
        shown_status = row["status"]
        if row["status"] == "failed":
            label = f"{row['filename']}: {row['reason']}"
        elif row["duplicate_of"]:
            shown_status, label = "dup", f"{duplicate_label(row)}: {label}"
        lines.append(f"{row['id'][:SHORT_ID]}  {shown_status:7} {row['pages'] or '':>5} {row['year'] or '':>5} {clip(label, title_width)}")
    counts = library.counts()
    summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    duplicates = sum(1 for row in rows if row["duplicate_of"]) if status is None else 0
    if duplicates:
        summary += f"; {duplicates} of them another copy of a paper here"
    lines.append(f"{len(rows)} papers ({summary})")
    click.echo("\n".join(lines))


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per hit.")
@library_option
@click.pass_context
def search(ctx, query, limit, as_json, library_dir):
    """Full-text search over titles, authors, abstracts and section text (best first).

    Words must all appear (stemmed); "quoted phrases", OR, NOT and prefix* work too.
    """
    if not query.strip():
        raise click.ClickException('Give words to search for, for example: papergym search "rate constant".')
    library = open_library(ctx, library_dir)
    hits = library.search(query, limit=limit)
    from papergym.core.library import MAX_QUERY_WORDS, query_word_count

    if query_word_count(query) > MAX_QUERY_WORDS and not as_json:
        click.echo(f"The query has more than {MAX_QUERY_WORDS} different words; searched for its first {MAX_QUERY_WORDS}.", err=True)
    if as_json:
        for hit in hits:
            echo_json(hit.__dict__)
        return
    if not hits:
        click.echo(f"No paper matches {clip(query, 80)!r}.")
        return
    color = sys.stdout.isatty()
    width = terminal_width()
    for rank, hit in enumerate(hits, start=1):
        click.echo(f"{rank:2}. {hit.paper_id[:SHORT_ID]}  {hit.year or '':>4}  {clip(hit.title or '', width - 24)}")
        snippet = clip(hit.snippet, width * 2)
        if color:
            parts = snippet.split("**")
            snippet = "".join(click.style(p, bold=True) if i % 2 else p for i, p in enumerate(parts))
        click.echo(f"    {snippet}")


@cli.command()
@click.argument("paper_id")
@click.option("--json", "as_json", is_flag=True, help="Print the paper as one JSON object.")
@click.option("--text", "with_text", is_flag=True, help="Also print each section's text.")
@library_option
@click.pass_context
def show(ctx, paper_id, as_json, with_text, library_dir):
    """Show a paper's metadata and its sections (PAPER_ID may be a unique prefix)."""
    library = open_library(ctx, library_dir)
    paper = library.paper(paper_id)
    sections = library.sections(paper["id"])
    if as_json:
        paper["sections"] = [{key: value for key, value in section.items() if with_text or key != "text"} for section in sections]
        echo_json(paper)
        return
    from papergym.core.library import duplicate_label

    sources = paper.get("sources") or {}

    def sourced(name: str, value):
        """The value with where it came from, when the library knows."""
        origin = sources.get(name)
        return f"{value}  [{source_label(origin)}]" if value not in (None, "") and origin else value

    duplicate = duplicate_label(paper)
    fields = [
        ("id", paper["id"]),
        ("title", sourced("title", paper["title"])),
        ("authors", sourced("authors", "; ".join(paper["authors"]))),
        ("year", sourced("year", paper["year"])),
        ("doi", sourced("doi", paper["doi"])),
        ("journal", sourced("journal", paper["journal"])),
        ("status", paper["status"] + (f": {paper['reason']}" if paper["reason"] else "") + (f"; {duplicate}" if duplicate else "")),
        ("pages", paper["pages"]),
        ("file", paper["filename"]),
        ("source", paper["source_path"]),
        ("imported", paper["imported_at"]),
    ]
    for name, value in fields:
        if value not in (None, ""):
            click.echo(f"{name:9} {printable(value)}")
    if paper.get("abstract"):
        click.echo(f"abstract  {clip(paper['abstract'], 300)}" + (f"  [{sources['abstract']}]" if sources.get("abstract") else ""))
    if sections:
        click.echo(f"\n{'#':>3}  {'KIND':12} {'CHARS':>7}  HEADING")
        for section in sections:
            click.echo(f"{section['ordinal']:>3}  {section['kind']:12} {section['chars']:>7}  {printable(section['heading'])}")
            if with_text:
                click.echo(printable(section["text"]) + "\n")


@cli.command()
@click.argument("paper_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@library_option
@click.pass_context
def remove(ctx, paper_id, yes, library_dir):
    """Remove a paper, its text and its stored PDF from the library."""
    library = open_library(ctx, library_dir)
    paper = library.paper(paper_id)
    label = paper["title"] or paper["filename"]
    if not yes:
        click.confirm(f"Remove {paper['id'][:SHORT_ID]} {label!r}?", abort=True)
    library.remove(paper["id"])
    click.echo(f"Removed {paper['id'][:SHORT_ID]} {label}")


cli.add_command(generate)
cli.add_command(doctor)
cli.add_command(queue_command)
cli.add_command(questions)
cli.add_command(question)
cli.add_command(models)
cli.add_command(check)
cli.add_command(accept)
cli.add_command(reject)
cli.add_command(unreview)
cli.add_command(topics)
cli.add_command(export)
cli.add_command(import_questions_command)
cli.add_command(train)
cli.add_command(runs)
cli.add_command(demo)
cli.add_command(edit)
cli.add_command(eval_command)
cli.add_command(convert_command)


def main() -> None:
    cli(prog_name="papergym")
