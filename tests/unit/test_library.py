import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils
from papergym.core.errors import LibraryError, PaperNotFound
from papergym.core.library import MIGRATIONS, Library, PaperRecord, SectionRecord


def _paper(paper_id: str, title: str, body: str, abstract: str = "An abstract.") -> PaperRecord:
    return PaperRecord(
        id=paper_id,
        status="ok",
        filename=f"{paper_id[:6]}.pdf",
        source_path=f"/tmp/{paper_id[:6]}.pdf",
        size_bytes=100,
        pages=3,
        title=title,
        authors=["Ada Lovelace", "Alan Turing"],
        year=2024,
        doi="10.5555/x",
        abstract=abstract,
        sections=[
            SectionRecord("abstract", "Abstract", abstract),
            SectionRecord("methods", "Methods", body),
        ],
    )


def test_a_new_library_is_migrated_and_in_wal_mode(library):
    assert library.schema_version == len(MIGRATIONS)
    assert library.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"papers", "sections", "paper_fts"} <= set(library.db.table_names())


def test_reopening_keeps_the_data_and_runs_no_migration_twice(tmp_path):
    with Library(tmp_path) as first:
        first.add_paper(_paper("a" * 64, "Thermal films", "We measured heat."), stored_path=None)
    with Library(tmp_path) as again:
        assert again.schema_version == len(MIGRATIONS)
        assert [p["title"] for p in again.papers()] == ["Thermal films"]


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path):
    with Library(tmp_path) as lib:
        lib.db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    with pytest.raises(LibraryError, match="newer papergym"):
        Library(tmp_path)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    (tmp_path / "library.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError, match="not a usable papergym library"):
        Library(tmp_path)


def test_search_ranks_title_matches_first_and_marks_the_snippet(library):
    library.add_paper(_paper("a" * 64, "Enzyme kinetics of lactase", "Rates were fitted."), stored_path=None)
    library.add_paper(_paper("b" * 64, "Sediment transport", "One enzyme was mentioned in passing."), stored_path=None)
    hits = library.search("enzyme")
    assert [hit.paper_id[0] for hit in hits] == ["a", "b"]
    assert "**" in hits[1].snippet


@pytest.mark.parametrize("query", ['state-of-the-art "', "C++ (", "AND OR", "*", "NEAR("])
def test_search_never_fails_on_odd_input(library, query):
    library.add_paper(_paper("a" * 64, "State of the art C methods", "Art."), stored_path=None)
    assert isinstance(library.search(query), list)


def test_search_uses_stems_and_phrases(library):
    library.add_paper(_paper("a" * 64, "Diffusion", "The films were heated slowly."), stored_path=None)
    assert library.search("film heating")
    assert library.search('"heated slowly"')
    assert not library.search('"slowly heated"')


def test_ids_resolve_from_a_unique_prefix(library):
    library.add_paper(_paper("abcd1" + "0" * 59, "One", "x"), stored_path=None)
    library.add_paper(_paper("abcd2" + "0" * 59, "Two", "y"), stored_path=None)
    assert library.resolve_id("ABCD1") == "abcd1" + "0" * 59
    with pytest.raises(PaperNotFound, match="several"):
        library.resolve_id("abcd")
    with pytest.raises(PaperNotFound, match="No paper"):
        library.resolve_id("ffff")
    with pytest.raises(PaperNotFound, match="not a paper id"):
        library.resolve_id("zz!")


def test_remove_deletes_sections_search_entry_and_file(library):
    paper_id = "c" * 64
    stored = library.pdf_dir / f"{paper_id}.pdf"
    stored.write_bytes(b"%PDF-1.4")
    library.add_paper(_paper(paper_id, "Groundwater", "Aquifer recharge."), stored_path=f"pdfs/{paper_id}.pdf")
    library.remove(paper_id[:8])
    assert library.papers() == []
    assert library.search("aquifer") == []
    assert library.db.execute("SELECT count(*) FROM sections").fetchone()[0] == 0
    assert not stored.exists()


def test_adding_the_same_paper_twice_keeps_one_copy(library):
    for _ in range(2):
        library.add_paper(_paper("d" * 64, "Catalysis", "Yield of 40%."), stored_path=None)
    assert library.db.execute("SELECT count(*) FROM papers").fetchone()[0] == 1
    assert library.db.execute("SELECT count(*) FROM paper_fts").fetchone()[0] == 1
    assert library.db.execute("SELECT count(*) FROM sections").fetchone()[0] == 2


def test_a_failed_write_leaves_the_library_as_it_was(library, monkeypatch):
    library.add_paper(_paper("e" * 64, "Kept", "Original."), stored_path=None)
    broken = _paper("e" * 64, "Replacement", "New.")

    def fail(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    # The sections insert fails after the old row was deleted and the new one inserted.
    monkeypatch.setattr(sqlite_utils.db.Table, "insert_all", fail)
    with pytest.raises(sqlite3.OperationalError):
        library.add_paper(broken, stored_path=None)
    assert [p["title"] for p in library.papers()] == ["Kept"]
    assert library.search("original")


def _add_questions(library: Library, paper_id: str, count: int) -> None:
    with library.write() as db:
        db.conn.executemany(
            "INSERT INTO questions (id, paper_id, kind, question, status) VALUES (?, ?, 'mcq', 'Why?', 'draft')",
            [(f"{paper_id[:8]}{n:024x}", paper_id) for n in range(count)],
        )


def test_the_paper_listing_reads_what_the_table_shows_in_the_order_of_papers(library):
    from dataclasses import replace

    from papergym.core.library import PaperListing

    library.add_paper(replace(_paper("a" * 64, "Thermal films", "Heat."), year=2021, doi="10.5555/first"), stored_path=None)
    library.add_paper(replace(_paper("b" * 64, "Sediment", "Sand."), doi=None, pages=None), stored_path=None)
    # Another file of the first paper: listed, and marked as its duplicate.
    library.add_paper(replace(_paper("c" * 64, "Thermal films", "Heat."), doi="10.5555/first"), stored_path=None)
    library.record_failure("f" * 64, "broken.pdf", "/tmp/broken.pdf", 10, "not a PDF (no %PDF header)")
    with library.write() as db:
        # b and c imported in the same second, after a and before the failure: ties go to the later insert.
        db.execute(
            "UPDATE papers SET imported_at = CASE id WHEN ? THEN '2026-01-01T00:00:00+00:00' "
            "WHEN ? THEN '2026-01-03T00:00:00+00:00' ELSE '2026-01-02T00:00:00+00:00' END",
            ["a" * 64, "f" * 64],
        )
        db.execute("UPDATE papers SET discipline = 'Physics' WHERE id = ?", ["a" * 64])
    _add_questions(library, "a" * 64, 3)
    _add_questions(library, "b" * 64, 1)

    listing = library.paper_listing()

    # Only what the table shows: no authors or field sources to decode, no text.
    assert PaperListing._fields == (
        "id",
        "title",
        "filename",
        "year",
        "status",
        "reason",
        "pages",
        "discipline",
        "duplicate_of",
        "questions",
    )
    assert [row.id for row in listing] == [paper["id"] for paper in library.papers()] == ["f" * 64, "c" * 64, "b" * 64, "a" * 64]
    failed, duplicate, sediment, thermal = listing
    assert failed == PaperListing("f" * 64, None, "broken.pdf", None, "failed", "not a PDF (no %PDF header)", None, None, None, 0)
    assert (duplicate.status, duplicate.duplicate_of, duplicate.questions) == ("ok", "a" * 64, 0)
    assert sediment == PaperListing("b" * 64, "Sediment", "bbbbbb.pdf", 2024, "ok", None, None, None, None, 1)
    assert thermal == PaperListing("a" * 64, "Thermal films", "aaaaaa.pdf", 2021, "ok", None, 3, "Physics", None, 3)


def test_the_data_version_moves_with_any_write_and_not_with_reads(library):
    before = library.data_version()
    library.papers()
    library.paper_listing()
    assert library.data_version() == before
    library.set_setting("theme", "light")
    after_own_write = library.data_version()
    assert after_own_write != before
    with Library(library.folder) as other:
        other.add_paper(_paper("a" * 64, "Thermal films", "Heat."), stored_path=None)
    assert library.data_version() != after_own_write


def test_writing_to_the_library_does_not_import_pandas(tmp_path):
    # sqlite-utils would import pandas (and pyarrow) only for a type the library never stores: 0.4-0.6 s a command.
    script = (
        "import sys\n"
        "from papergym.core.library import Library\n"
        f"library = Library({str(tmp_path)!r})\n"
        "library.db['probe'].insert({'a': 1})\n"
        "assert 'sqlite_utils' in sys.modules\n"
        "print('pandas' in sys.modules)\n"
        "import pandas\n"  # still importable afterwards, for whatever needs it (datasets)
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
