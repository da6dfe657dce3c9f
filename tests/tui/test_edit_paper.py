"""Fixing a paper's metadata from the Paper screen, driven by Pilot on the demo library."""

from __future__ import annotations

import pytest
from papergym.core.library import Library
from papergym.tui.app.app import PapergymApp
from papergym.tui.app.screens.paper import PaperScreen
from textual.widgets import Input, Label, Static

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


def first_paper_id(folder) -> str:
    with Library(folder) as library:
        return sorted(row["id"] for row in library.papers())[0]


async def test_e_edits_the_title_and_year_and_only_those_become_the_users(demo_library):
    paper_id = first_paper_id(demo_library)
    app = PapergymApp(demo_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(PaperScreen(paper_id))
        await pilot.pause()
        assert app.active_bindings["e"].binding.description == "Edit metadata"  # the footer names the key
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "EditPaperScreen"
        title = app.screen.query_one("#edit-paper-title", Input)
        title.value = "A title fixed by hand"
        app.screen.query_one("#edit-paper-year", Input).value = "1999"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
        meta = str(app.screen.query_one("#paper-meta", Static).render())
        assert "A title fixed by hand" in meta and "1999" in meta and "title user" in meta

    with Library(demo_library) as library:
        paper = library.paper(paper_id)
    assert paper["title"] == "A title fixed by hand" and paper["year"] == 1999
    assert paper["sources"]["title"] == paper["sources"]["year"] == "user"
    assert paper["sources"].get("authors") != "user" and paper["sources"].get("abstract") != "user"


async def test_a_bad_year_is_explained_in_the_dialog_and_escape_changes_nothing(demo_library):
    paper_id = first_paper_id(demo_library)
    with Library(demo_library) as library:
        before = library.paper(paper_id)
    app = PapergymApp(demo_library)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(PaperScreen(paper_id))
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#edit-paper-year", Input).value = "soon"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "EditPaperScreen"
        assert "year must be a year" in str(app.screen.query_one("#edit-paper-error", Label).render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
    with Library(demo_library) as library:
        assert library.paper(paper_id) == before


async def test_the_library_shows_a_second_copy_of_a_paper_as_a_duplicate(tmp_path):
    from papergym.core.library import PaperRecord, SectionRecord
    from textual.widgets import DataTable

    folder = tmp_path / "lib"
    with Library(folder) as library:
        for letter, title in (("a", "Preprint of the alumina paper"), ("b", "Alumina paper as published")):
            library.add_paper(
                PaperRecord(
                    id=letter * 64, status="ok", filename=f"{letter}.pdf", source_path=f"/tmp/{letter}.pdf", size_bytes=1, pages=1,
                    title=title, doi="10.5555/alumina", sections=[SectionRecord("body", "Body", "Heat in films.")],
                ),
                stored_path=None,
            )  # fmt: skip
    app = PapergymApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#papers", DataTable)
        cells = {str(table.get_row_at(index)[0]): str(table.get_row_at(index)[2]) for index in range(table.row_count)}
    assert cells == {"Preprint of the alumina paper": "ok", "Alumina paper as published": f"duplicate of {'a' * 12}"}


async def test_the_edit_dialog_opens_with_the_cursor_in_the_title_so_typing_fixes_it(demo_library):
    paper_id = first_paper_id(demo_library)
    app = PapergymApp(demo_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(PaperScreen(paper_id))
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        title = app.screen.query_one("#edit-paper-title", Input)
        assert app.focused is title, app.focused
        await pilot.press("ctrl+u", *"Typed title", "ctrl+s")
        await pilot.pause()
    with Library(demo_library) as library:
        assert library.paper(paper_id)["title"] == "Typed title"
