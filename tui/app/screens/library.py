"""The library: every paper in one table, full-text search as you type, and the import dialog.

The table is filled from ``Library.papers`` and two grouped queries (disciplines,
question counts), so a library of ten thousand papers opens at once; a search
asks FTS5 for the matching ids and shows those rows from what is already loaded.
"""

from __future__ import annotations

from papergym.core.dataset.topics import paper_disciplines
from papergym.core.errors import PapergymError
from papergym.core.library import Library
from papergym.core.questions.store import question_counts_by_paper
from papergym.tui.app.messages import LibraryChanged
from papergym.tui.app.mode_bar import ModeBar
from papergym.tui.formatting import truncate
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

SEARCH_LIMIT = 2000
TITLE_WIDTH = 48
REASON_WIDTH = 40
COLUMNS = ("title", "year", "status", "pages", "discipline", "questions")


def load_paper_rows(library: Library) -> list[dict]:
    """Every paper (``Library.papers``, newest import first) with its discipline and question count."""
    question_counts = question_counts_by_paper(library)
    disciplines = paper_disciplines(library)
    return [
        {**paper, "discipline": disciplines.get(paper["id"]), "questions": question_counts.get(paper["id"], 0)}
        for paper in library.papers()
    ]


def _status_cell(row: dict) -> str:
    """The status, with the reason when the paper cannot be used (failed, no text)."""
    if row["status"] != "ok" and row["reason"]:
        return f"{row['status']}: {truncate(row['reason'], REASON_WIDTH)}"
    if row.get("duplicate_of"):
        return f"duplicate of {row['duplicate_of'][:12]}"  # another file of a paper already here; generate skips it
    return row["status"]


def table_cells(row: dict) -> tuple:
    """One table row; text from the papers is wrapped in Text so brackets in a title are never markup."""
    return (
        Text(truncate(row["title"] or row["filename"] or row["id"][:12], TITLE_WIDTH)),
        "" if row["year"] is None else str(row["year"]),
        Text(_status_cell(row), style=("yellow" if row.get("duplicate_of") else "") if row["status"] == "ok" else "red"),
        "" if row["pages"] is None else str(row["pages"]),
        Text(row["discipline"] or ""),
        str(row["questions"]),
    )


class LibraryScreen(Screen):
    """The papers of the library; type to search, Enter to open one, i to import."""

    CSS_PATH = "library.tcss"
    BINDINGS = [
        Binding("i", "import_papers", "Import"),
        Binding("slash", "focus_search", "Search"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.paper_rows: list[dict] = []
        self.rows_by_id: dict[str, dict] = {}
        self.shown_ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("library")
        yield Input(placeholder="Search titles, authors, abstracts and text (empty shows every paper)", id="search")
        yield DataTable(id="papers", cursor_type="row", zebra_stripes=True)
        yield Static("", id="library-summary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#papers", DataTable).add_columns(*COLUMNS)
        self.action_reload()
        self.query_one("#papers", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    @on(LibraryChanged)
    def library_changed(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.paper_rows = load_paper_rows(self.app.library)
        self.rows_by_id = {row["id"]: row for row in self.paper_rows}
        self.apply_search(self.query_one("#search", Input).value)

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.apply_search(event.value)

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.query_one("#papers", DataTable).focus()

    def apply_search(self, query: str) -> None:
        """Show the papers matching a full-text query, best first; every paper when it is empty."""
        query = query.strip()
        if query:
            try:
                hits = self.app.library.search(query, limit=SEARCH_LIMIT)
            except PapergymError as error:
                self.notify(str(error), severity="error")
                return
            ids = [hit.paper_id for hit in hits if hit.paper_id in self.rows_by_id]
        else:
            ids = [row["id"] for row in self.paper_rows]
        if ids == self.shown_ids and self.query_one("#papers", DataTable).row_count == len(ids):
            self.show_summary(query)  # the same papers, but the words in the box changed
            return
        self.shown_ids = ids
        table = self.query_one("#papers", DataTable)
        # Row keys are the paper ids, so Enter can open the paper under the cursor.
        table.clear()
        for paper_id in ids:
            table.add_row(*table_cells(self.rows_by_id[paper_id]), key=paper_id)
        self.show_summary(query)

    def show_summary(self, query: str) -> None:
        total = len(self.paper_rows)
        usable = sum(1 for row in self.paper_rows if row["status"] == "ok")
        if not total:
            text = "The library is empty: press i to import PDF files or a folder."
        elif query:
            text = f"{len(self.shown_ids)} of {total} papers match {query!r}. Enter opens the paper under the cursor."
        else:
            text = f"{total} papers, {usable} with text. Type to search, Enter opens a paper, i imports more."
        self.query_one("#library-summary", Static).update(text)

    @on(DataTable.RowSelected, "#papers")
    def open_paper(self, event: DataTable.RowSelected) -> None:
        from papergym.tui.app.screens.paper import PaperScreen

        self.app.push_screen(PaperScreen(event.row_key.value))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_import_papers(self) -> None:
        from papergym.tui.app.screens.import_dialog import ImportDialog

        self.app.push_screen(ImportDialog())
