"""The library, paper, import, help and models screens, driven by Pilot on a library in a temporary folder."""

from __future__ import annotations

import pytest
from papergym.core.library import Library
from papergym.core.llm.models import BUILTIN_NAME, list_models
from papergym.tui.app.app import PapergymApp
from textual.widgets import DataTable, Input, OptionList, Static

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


def papers_table(app: PapergymApp) -> DataTable:
    return app.screen.query_one("#papers", DataTable)


def notifications(app: PapergymApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_typing_a_search_filters_the_papers(demo_library):
    app = PapergymApp(demo_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert papers_table(app).row_count == 6
        await pilot.press("slash")
        await pilot.press(*"hyperloglog")
        await pilot.pause()
        table = papers_table(app)
        assert table.row_count == 1
        assert "hyperloglog" in str(app.screen.query_one("#library-summary", Static).render()).lower()
        await pilot.press(*["backspace"] * len("hyperloglog"))
        await pilot.pause()
        assert papers_table(app).row_count == 6
        await pilot.press(*"zzzqqq")
        await pilot.pause()
        assert papers_table(app).row_count == 0


async def test_the_search_summary_names_the_words_in_the_box_when_more_letters_find_the_same_papers(demo_library):
    app = PapergymApp(demo_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await pilot.press(*"nibbl")  # the stemmer makes "nibble" "nibbl": one more letter, the same papers
        await pilot.pause()
        assert papers_table(app).row_count == 1
        await pilot.press("e")
        await pilot.pause()
        assert papers_table(app).row_count == 1
        summary = str(app.screen.query_one("#library-summary", Static).render())
        assert "match 'nibble'" in summary, summary


async def test_enter_opens_the_paper_with_its_sections_and_escape_goes_back(demo_library):
    app = PapergymApp(demo_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"thermal conductivity", "enter")
        await pilot.pause()
        assert papers_table(app).row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "PaperScreen"
        meta = str(app.screen.query_one("#paper-meta", Static).render())
        assert "Cross-plane thermal conductivity" in meta and "Castellanos" in meta
        sections = app.screen.query_one("#paper-sections", OptionList)
        headings = [str(sections.get_option_at_index(index).prompt) for index in range(sections.option_count)]
        assert any(heading.startswith("Methods") for heading in headings)
        first_text = str(app.screen.query_one("#paper-text", Static).render())
        await pilot.press("down")
        await pilot.pause()
        assert str(app.screen.query_one("#paper-text", Static).render()) != first_text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "LibraryScreen"


async def test_help_lists_the_keys_of_the_app_and_the_screen(tmp_path):
    app = PapergymApp(tmp_path / "lib")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        table = app.screen.query_one("#help-keys", DataTable)
        rows = [tuple(str(cell) for cell in table.get_row_at(index)) for index in range(table.row_count)]
        assert ("Library", "i", "Import") in rows
        assert ("Everywhere", "7", "Models") in rows
        assert any(where == "Everywhere" and key == "?" for where, key, _ in rows)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "LibraryScreen"


async def test_models_screen_marks_the_builtin_default_and_reports_a_bad_path(tmp_path):
    app = PapergymApp(tmp_path / "lib", start="models")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#models", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]
        assert rows[0][0] == "★" and rows[0][1].startswith(BUILTIN_NAME)
        await pilot.press("a")
        await pilot.pause()
        missing = tmp_path / "nothing.gguf"
        app.screen.query_one("#model-path", Input).value = str(missing)
        await pilot.click("#model-add")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ModelsScreen"
        assert any(str(missing) in message for message in notifications(app))


async def test_adding_a_model_and_making_it_the_default(tmp_path):
    from tests.unit.test_gguf import write_gguf

    model_file = write_gguf(tmp_path / "tiny.gguf")
    app = PapergymApp(tmp_path / "lib", start="models")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#model-path", Input).value = str(model_file)
        await pilot.click("#model-add")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#models", DataTable)
        assert table.row_count == 2
        await pilot.press("down", "d")
        await pilot.pause()
        assert [str(table.get_row_at(index)[0]) for index in range(2)] == ["", "★"]
    with Library(tmp_path / "lib") as library:
        assert [entry.name for entry in list_models(library) if entry.is_default] == ["tiny"]


async def test_models_screen_shows_the_machine_and_the_gpu_queue(tmp_path, monkeypatch):
    from papergym.core.gpu_lease import gpu_lease

    monkeypatch.setenv("PAPERGYM_GPU_LEASE_DIR", str(tmp_path / "lease"))
    app = PapergymApp(tmp_path / "lib", start="models")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        machine = str(app.screen.query_one("#models-machine", Static).render())
        assert "llama.cpp:" in machine and "--backend auto:" in machine
        assert str(tmp_path / "lib") in machine
        assert "nobody holds or waits for the GPU" in str(app.screen.query_one("#models-queue", Static).render())
        with gpu_lease("train run-9", library="/elsewhere/lib"):
            app.screen.refresh_queue()
            await pilot.pause()
            queue_text = str(app.screen.query_one("#models-queue", Static).render())
        assert "GPU 0 holds: train run-9" in queue_text and "/elsewhere/lib" in queue_text


def column_widths(table: DataTable) -> dict[str, int]:
    return {column.key.value: column.get_render_width(table) for column in table.columns.values()}


def first_row_text(table: DataTable) -> str:
    return "".join(segment.text for segment in table.render_line(1))  # line 0 is the header


async def test_the_title_column_takes_the_width_the_terminal_leaves(demo_library):
    app = PapergymApp(demo_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = papers_table(app)
        title = str(table.get_row_at(0)[0])
        narrow = column_widths(table)
        assert sum(narrow.values()) == table.size.width  # every column shown, no horizontal scrolling
        assert narrow["title"] - 2 < len(title)
        assert title[: narrow["title"] - 3] + "…" in first_row_text(table)  # cut by the column, with an ellipsis
        await pilot.resize_terminal(180, 30)
        await pilot.pause()
        wide = column_widths(table)
        assert sum(wide.values()) == table.size.width
        assert wide["title"] == narrow["title"] + 80
        assert {key: width for key, width in wide.items() if key != "title"} == {
            key: width for key, width in narrow.items() if key != "title"
        }
        assert title in first_row_text(table)


async def test_a_reload_shows_new_question_counts_and_a_failed_paper_with_its_reason(demo_library):
    app = PapergymApp(demo_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = papers_table(app)
        first_id = table.coordinate_to_cell_key((0, 0)).row_key.value
        assert str(table.get_cell(first_id, "questions")) == "0"
        with Library(demo_library) as other:
            with other.write() as db:
                db.conn.executemany(
                    "INSERT INTO questions (id, paper_id, kind, question, status) VALUES (?, ?, 'mcq', 'Why?', 'draft')",
                    [(f"{n:032x}", first_id) for n in range(3)],
                )
        await pilot.press("question_mark")  # another screen over the library, and back: it reads the library again
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert str(table.get_cell(first_id, "questions")) == "3"
        with Library(demo_library) as other:
            other.record_failure("f" * 64, "broken.pdf", "/tmp/broken.pdf", 10, "not a PDF file (it has no %PDF header)")
        await pilot.press("r")
        await pilot.pause()
        assert table.row_count == 7
        status = table.get_cell("f" * 64, "status")
        assert str(status) == "failed: not a PDF file (it has no %PDF header)" and status.style == "red"
        assert column_widths(table)["status"] == 32 + 2  # a long reason is cut by the column, not allowed to squeeze the title


async def test_a_long_library_fills_in_whole_and_a_search_replaces_the_list(tmp_path, monkeypatch):
    from papergym.tui.app.screens import library as library_screen

    # Small steps, each held back until the test lets it run, so the list is still filling in when the search is
    # typed however fast the machine repaints.
    monkeypatch.setattr(library_screen, "FIRST_ROWS", 20)
    monkeypatch.setattr(library_screen, "ROWS_PER_STEP", 5)
    held_steps = []
    monkeypatch.setattr(
        library_screen.LibraryScreen, "call_after_refresh", lambda self, step, *args: held_steps.append((step, args)) or True
    )
    papers = 600
    rows = [(f"{n:064x}", f"Paper {n}", f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}+00:00") for n in range(papers)]
    with Library(tmp_path / "lib") as library, library.write() as db:
        db.conn.executemany("INSERT INTO papers (id, status, filename, title, imported_at) VALUES (?, 'ok', 'p.pdf', ?, ?)", rows)
        db.conn.executemany(
            "INSERT INTO paper_fts (paper_id, title, authors, abstract, body) VALUES (?, ?, '', '', '')", [row[:2] for row in rows]
        )
    app = PapergymApp(tmp_path / "lib")
    async with app.run_test(size=SIZE) as pilot:
        table = papers_table(app)
        search = app.screen.query_one("#search", Input)
        assert 0 < table.row_count < papers  # the first rows are shown, the rest still to come
        search.value = "paper 7"
        for _ in range(20):
            await pilot.pause()
        assert [str(table.get_row_at(index)[0]) for index in range(table.row_count)] == ["Paper 7"]
        search.value = ""
        await pilot.pause()
        # The steps of the first list are stale now and add nothing; the new list's steps fill it in.
        while held_steps:
            step, args = held_steps.pop(0)
            step(*args)
        await pilot.pause()
        assert table.row_count == papers
        assert [str(table.get_row_at(index)[0]) for index in (0, 1, papers - 1)] == [
            f"Paper {papers - 1}",
            f"Paper {papers - 2}",
            "Paper 0",
        ]
