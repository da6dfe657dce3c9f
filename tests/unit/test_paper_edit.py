"""Fixing a paper's metadata by hand, where each field came from, and the same paper in other bytes."""

from __future__ import annotations

import pytest
from papergym.core.errors import InvalidField
from papergym.core.generation.run import select_papers
from papergym.core.library import Library, PaperRecord, SectionRecord


def _paper(paper_id: str, title: str = "Lattice thermal conductivity of thin films", **fields) -> PaperRecord:
    values = {
        "id": paper_id,
        "status": "ok",
        "filename": f"{paper_id[:6]}.pdf",
        "source_path": f"/tmp/{paper_id[:6]}.pdf",
        "size_bytes": 100,
        "pages": 3,
        "title": title,
        "authors": ["Ada Lovelace", "Alan Turing"],
        "year": 2024,
        "doi": None,
        "abstract": "We measured heat.",
        "sections": [SectionRecord("methods", "Methods", "Films were grown by sputtering.")],
        "sources": {"title": "layout", "authors": "layout", "year": "text"},
    }
    return PaperRecord(**(values | fields))


def test_where_each_field_came_from_is_kept(library: Library):
    library.add_paper(_paper("a" * 64, doi="10.1234/abc", sources={"title": "xmp", "doi": "doi-pattern"}), stored_path=None)
    assert library.paper("aaaa")["sources"] == {"title": "xmp", "doi": "doi-pattern"}


def test_an_edit_is_marked_as_the_users_and_found_by_search(library: Library):
    library.add_paper(_paper("a" * 64, title="Untitled-3"), stored_path=None)
    edited = library.edit_paper("aaaa", {"title": "Phonon transport in amorphous silicon", "authors": "Ada Lovelace; Mary Somerville"})
    assert edited["title"] == "Phonon transport in amorphous silicon"
    assert edited["authors"] == ["Ada Lovelace", "Mary Somerville"]
    assert edited["sources"]["title"] == edited["sources"]["authors"] == "user"
    assert edited["sources"]["year"] == "text"
    assert [hit.paper_id for hit in library.search("amorphous")] == ["a" * 64]
    assert library.search("Untitled") == []


def test_bad_values_are_one_sentence_and_change_nothing(library: Library):
    library.add_paper(_paper("a" * 64), stored_path=None)
    for changes, wording in (
        ({"year": "next year"}, "must be a year"),
        ({"year": 99999}, "out of range"),
        ({"doi": "not a doi"}, "not a DOI"),
    ):
        with pytest.raises(InvalidField, match=wording):
            library.edit_paper("aaaa", changes)
    with pytest.raises(InvalidField, match="title cannot be empty"):
        library.edit_paper("aaaa", {"title": "  "})
    assert library.paper("aaaa")["year"] == 2024
    assert library.edit_paper("aaaa", {"doi": "https://doi.org/10.1234/ABC.5"})["doi"] == "10.1234/ABC.5"


def test_a_user_field_survives_the_file_being_imported_again(library: Library):
    library.record_failure("a" * 64, "a.pdf", "/tmp/a.pdf", 100, "timed out")
    library.edit_paper("aaaa", {"title": "The right title of this paper", "year": 2019})
    library.add_paper(_paper("a" * 64, title="Wrong title from the layout", year=2024), stored_path=None)
    paper = library.paper("aaaa")
    assert (paper["title"], paper["year"], paper["status"]) == ("The right title of this paper", 2019, "ok")
    assert paper["sources"]["title"] == "user" and paper["sources"]["authors"] == "layout"


def test_the_same_doi_in_other_bytes_is_a_linked_duplicate_that_generate_skips(library: Library):
    library.add_paper(_paper("a" * 64, title="Preprint title", doi="10.1234/ABC"), stored_path=None)
    stored = library.add_paper(_paper("b" * 64, title="Published title", doi="10.1234/abc"), stored_path=None)
    assert (stored.duplicate_of, stored.duplicate_match) == ("a" * 64, "doi")
    assert library.paper("bbbb")["duplicate_of"] == "a" * 64
    assert select_papers(library, None) == ["a" * 64]
    assert sorted(select_papers(library, None, include_duplicates=True)) == ["a" * 64, "b" * 64]
    assert select_papers(library, ["bbbb"]) == ["b" * 64]  # asked for by name


def test_the_same_title_and_first_author_link_but_another_author_does_not(library: Library):
    library.add_paper(_paper("a" * 64, title="Lattice Thermal Conductivity of Thin Films"), stored_path=None)
    same = library.add_paper(
        _paper("b" * 64, title="Lattice thermal conductivity of thin films.", authors=["A. Lovelace"]), stored_path=None
    )
    other = library.add_paper(_paper("c" * 64, authors=["Grace Hopper"]), stored_path=None)
    assert (same.duplicate_of, same.duplicate_match) == ("a" * 64, "title")
    assert other.duplicate_of is None


def test_a_title_taken_from_the_file_name_never_links(library: Library):
    library.add_paper(_paper("a" * 64, title="supplementary_material_final", sources={"title": "filename"}), stored_path=None)
    stored = library.add_paper(_paper("b" * 64, title="supplementary_material_final", sources={"title": "filename"}), stored_path=None)
    assert stored.duplicate_of is None


def test_another_copy_takes_the_users_fixes_and_removing_the_first_promotes_it(library: Library):
    library.add_paper(_paper("a" * 64, doi="10.1234/abc"), stored_path=None)
    library.edit_paper("aaaa", {"journal": "J. Heat Transf."})
    library.add_paper(_paper("b" * 64, doi="10.1234/abc", journal="Preprint server"), stored_path=None)
    library.add_paper(_paper("c" * 64, doi="10.1234/abc"), stored_path=None)
    assert library.paper("bbbb")["journal"] == "J. Heat Transf." and library.paper("bbbb")["sources"]["journal"] == "user"
    library.remove("aaaa")
    assert library.paper("bbbb")["duplicate_of"] is None
    assert library.paper("cccc")["duplicate_of"] == "b" * 64


def test_fixing_a_paper_fixes_the_files_linked_to_it(library: Library):
    library.add_paper(_paper("a" * 64, doi="10.1234/abc"), stored_path=None)
    library.add_paper(_paper("b" * 64, doi="10.1234/abc"), stored_path=None)
    library.add_paper(_paper("c" * 64, title="Another paper on river sediment", authors=["Grace Hopper"]), stored_path=None)
    library.edit_paper("aaaa", {"year": 2011})
    assert [library.paper(prefix)["year"] for prefix in ("aaaa", "bbbb", "cccc")] == [2011, 2011, 2024]
    assert library.paper("bbbb")["sources"]["year"] == "user"
