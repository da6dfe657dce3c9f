"""The same paper in two files is noticed, and a user's fix to a field outlives every re-import."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from papergym.core.library import Library
from papergym.tui.cli.main import cli

from tests.pdfs import paper_pages, text_pdf

TITLE = "Lattice thermal conductivity of sputtered alumina films"
DOI = "10.5555/demo.2024.017"


def paper_with_doi(path: Path, seed: int, doi: str = DOI, stamp: str = "") -> Path:
    """A paper whose first page prints its DOI; the seed changes the body, the stamp adds a watermark line."""
    pages = paper_pages(TITLE, seed=seed)
    pages[0].insert(2, f"https://doi.org/{doi}")
    if stamp:
        pages[-1].append(stamp)
    path.write_bytes(text_pdf(pages, info={"Title": TITLE, "Author": "Ada Lovelace; Alan Turing"}))
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_two_files_with_the_same_doi_are_linked_kept_and_generated_from_once(tmp_path: Path):
    library_dir = str(tmp_path / "lib")
    preprint = paper_with_doi(tmp_path / "preprint.pdf", seed=1)
    published = paper_with_doi(tmp_path / "published.pdf", seed=2, stamp="Downloaded by a university library")
    assert preprint.read_bytes() != published.read_bytes()

    _code, first_output = run("import", str(preprint), "--json", "--library", library_dir)
    first_id = json.loads(first_output)["paper_id"]
    code, output = run("import", str(published), "--json", "--library", library_dir)
    second = json.loads(output)
    assert code == 0 and second["status"] == "duplicate"
    with Library(library_dir) as library:
        assert library.paper(first_id)["doi"] == DOI
    assert second["duplicate_of"] == first_id and second["reason"] == f"duplicate of {first_id[:12]} (same DOI)"

    _code, listing = run("papers", "--library", library_dir)
    duplicate_line = next(line for line in listing.splitlines() if line.startswith(second["paper_id"][:12]))
    assert duplicate_line.split()[1] == "dup" and f"duplicate of {first_id[:12]} (same DOI)" in duplicate_line
    _code, shown = run("show", second["paper_id"][:10], "--library", library_dir)
    assert f"duplicate of {first_id[:12]} (same DOI)" in shown
    _code, shown_json = run("show", second["paper_id"][:10], "--json", "--library", library_dir)
    assert json.loads(shown_json)["duplicate_of"] == first_id

    from papergym.core.generation.run import select_papers

    with Library(library_dir) as library:
        assert select_papers(library, None) == [first_id]
        assert len(select_papers(library, None, include_duplicates=True)) == 2


def test_an_edit_outlives_importing_the_file_again_and_a_modified_copy(tmp_path: Path):
    library_dir = str(tmp_path / "lib")
    original = paper_with_doi(tmp_path / "paper.pdf", seed=3)
    _code, output = run("import", str(original), "--json", "--library", library_dir)
    paper_id = json.loads(output)["paper_id"]

    code, output = run(
        "edit", paper_id[:8], "--title", "Thermal conductivity of alumina films", "--authors", "A. Lovelace; A. Turing",
        "--journal", "J. Heat Transf.", "--json", "--library", library_dir,
    )  # fmt: skip
    edited = json.loads(output)
    assert code == 0 and edited["title"] == "Thermal conductivity of alumina films"
    assert edited["sources"]["title"] == edited["sources"]["journal"] == "user"

    run("import", str(original), "--library", library_dir)
    copy = paper_with_doi(tmp_path / "paper-watermarked.pdf", seed=3, stamp="Downloaded on 2025-01-02")
    _code, output = run("import", str(copy), "--json", "--library", library_dir)
    copy_id = json.loads(output)["paper_id"]

    with Library(library_dir) as library:
        for stored in (library.paper(paper_id), library.paper(copy_id)):
            assert stored["title"] == "Thermal conductivity of alumina films"
            assert stored["authors"] == ["A. Lovelace", "A. Turing"] and stored["journal"] == "J. Heat Transf."
    _code, shown = run("show", paper_id[:8], "--library", library_dir)
    assert "Thermal conductivity of alumina films  [user]" in shown and "J. Heat Transf.  [user]" in shown

    code, output = run("edit", paper_id[:8], "--year", "next", "--library", library_dir)
    assert code == 1 and "The year must be a year such as 2021" in output and "Traceback" not in output
