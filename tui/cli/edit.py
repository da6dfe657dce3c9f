"""`papergym edit`: fix a paper's metadata by hand; the fix survives every re-import."""

from __future__ import annotations

import click
from papergym.tui.cli.common import SHORT_ID, echo_json, library_option, open_library


@click.command("edit")
@click.argument("paper_id")
@click.option("--title", default=None, help="The paper's title.")
@click.option("--authors", default=None, help='Authors in order, separated by semicolons: "Ada Lovelace; Charles Babbage".')
@click.option("--year", default=None, help="Publication year (an empty string clears it).")
@click.option("--doi", default=None, help="DOI, e.g. 10.1234/abc.5678 (an empty string clears it).")
@click.option("--journal", default=None, help="Journal or venue (an empty string clears it).")
@click.option("--abstract", default=None, help="The abstract.")
@click.option("--json", "as_json", is_flag=True, help="Print the edited paper as one JSON object.")
@library_option
@click.pass_context
def edit(ctx, paper_id, title, authors, year, doi, journal, abstract, as_json, library_dir):
    """Fix a paper's title, authors, year, DOI, journal or abstract (PAPER_ID may be a unique prefix).

    Each field you set is marked as yours: importing the same file again, or
    another file of the same paper, never overwrites it. `papergym show`
    lists it with the source "user".
    """
    given = {"title": title, "authors": authors, "year": year, "doi": doi, "journal": journal, "abstract": abstract}
    changes = {name: value for name, value in given.items() if value is not None}
    library = open_library(ctx, library_dir)
    paper = library.edit_paper(paper_id, changes)
    if as_json:
        echo_json(paper)
        return
    label = paper["title"] or paper["filename"]
    click.echo(f"Edited {paper['id'][:SHORT_ID]} {label}: {', '.join(changes)} (marked as yours; re-imports keep them).")
