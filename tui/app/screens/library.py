"""The library: every paper in one table, full-text search as you type, and the import dialog.

The table is filled from ``Library.paper_listing``, one query that reads only what
the table shows, a screenful first and the rest a step per repaint, so a library of
ten thousand papers opens at once; a search asks FTS5 for the matching ids and shows
those rows from what is already loaded. A reload that finds the same papers rewrites
only the cells that changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from papergym.core.errors import PapergymError
from papergym.core.library import SHORT_ID, Library, PaperListing
from papergym.tui.app.messages import LibraryChanged
from papergym.tui.app.mode_bar import ModeBar
from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.widgets.data_table import ColumnKey

SEARCH_LIMIT = 2000
FIRST_ROWS = 200  # more than a terminal shows: the first screen of a long list appears at once
ROWS_PER_STEP = 1000  # then the rest, this many rows between two repaints (each repaint redraws the visible rows), so keys still work
MIN_TITLE_WIDTH = 24
STATUS_WIDTH = 32  # a failed paper's reason is cut here; the paper screen shows it whole
COLUMNS = ("title", "year", "status", "pages", "discipline", "questions")
TITLE = COLUMNS[0]

Cells = tuple[Text, ...]


def load_paper_rows(library: Library) -> list[PaperListing]:
    """Every paper, newest import first, with its discipline and question count (``Library.paper_listing``)."""
    return library.paper_listing()


def _status_cell(row: PaperListing) -> str:
    """The status, with the reason when the paper cannot be used (failed, no text)."""
    if row.status != "ok" and row.reason:
        return f"{row.status}: {row.reason}"
    if row.duplicate_of:
        return f"duplicate of {row.duplicate_of[:SHORT_ID]}"  # another file of a paper already here; generate skips it
    return row.status


def _cell_texts(row: PaperListing) -> tuple[str, ...]:
    """The text of each cell of a paper's row."""
    return (
        row.title or row.filename or row.id[:SHORT_ID],
        "" if row.year is None else str(row.year),
        _status_cell(row),
        "" if row.pages is None else str(row.pages),
        row.discipline or "",
        str(row.questions),
    )


def table_cells(row: PaperListing) -> Cells:
    """One table row; every cell is Text, so brackets in a title are never markup and no cell is parsed for it.

    The title and the status are whole: the column's width cuts them, with an ellipsis, so a resize needs no new cells.
    """
    title, year, status, pages, discipline, questions = _cell_texts(row)
    status_style = ("yellow" if row.duplicate_of else "") if row.status == "ok" else "red"
    return (
        Text(title, no_wrap=True, overflow="ellipsis"),
        Text(year),
        Text(status, style=status_style, no_wrap=True, overflow="ellipsis"),
        Text(pages),
        Text(discipline),
        Text(questions),
    )


def column_widths(rows: Iterable[PaperListing]) -> dict[str, int]:
    """The width each column but the title needs for its widest cell or its label (the status at most ``STATUS_WIDTH``)."""
    widths = {column: len(column) for column in COLUMNS[1:]}
    for row in rows:
        for column, text in zip(COLUMNS[1:], _cell_texts(row)[1:]):
            width = cell_len(text)
            if width > widths[column]:
                widths[column] = width
    widths["status"] = min(widths["status"], STATUS_WIDTH)
    return widths


class PaperTable(DataTable):
    """The papers table: every column as wide as its content, and the title takes the width that is left."""

    def set_widths(self, widths: dict[str, int]) -> None:
        """Fix the width of every column but the title, then give the title the rest."""
        for column_key, width in widths.items():
            self.columns[ColumnKey(column_key)].width = width
        self.fit_title()

    def on_resize(self) -> None:
        self.fit_title()

    def fit_title(self) -> None:
        """Give the title column the width the other columns leave, less the scroll bar when the rows need one."""
        title = self.columns.get(ColumnKey(TITLE))
        if title is None or not self.size.width:
            return  # not laid out yet: the first resize fits it
        others = sum(column.get_render_width(self) for key, column in self.columns.items() if key != TITLE)
        header = self.header_height if self.show_header else 0
        scrollbar = self.styles.scrollbar_size_vertical if self.row_count + header > self.size.height else 0
        width = max(MIN_TITLE_WIDTH, self.size.width - scrollbar - others - 2 * self.cell_padding)
        total = others + width + 2 * self.cell_padding
        if width == title.width and total == self.virtual_size.width:
            return
        title.width = width
        self.virtual_size = Size(total, self.virtual_size.height)
        # DataTable caches rendered lines by content, not by column width; this public hook drops those caches.
        self.notify_style_update()


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
        self.paper_rows: list[PaperListing] = []
        self.rows_by_id: dict[str, PaperListing] = {}
        self.cells_by_id: dict[str, Cells] = {}
        self.widths: dict[str, int] = {}
        self.shown_ids: list[str] = []
        self.loaded_version: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("library")
        yield Input(placeholder="Search titles, authors, abstracts and text (empty shows every paper)", id="search")
        yield PaperTable(id="papers", cursor_type="row", zebra_stripes=True)
        yield Static("", id="library-summary")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#papers", PaperTable)
        for column in COLUMNS:
            table.add_column(column, key=column, width=MIN_TITLE_WIDTH if column == TITLE else len(column))
        table.focus()
        # No load here: the ScreenResume that follows the mount loads the papers.

    def on_screen_resume(self) -> None:
        # Textual resumes a screen twice when its mode first opens, and coming back from another screen often changes nothing.
        if self.app.library.data_version() != self.loaded_version:
            self.action_reload()

    @on(LibraryChanged)
    def library_changed(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """Read the papers again; the rows of papers that changed are rewritten in place when the same papers are shown."""
        previous = self.rows_by_id
        self.loaded_version = self.app.library.data_version()
        self.paper_rows = load_paper_rows(self.app.library)
        self.rows_by_id = {row.id: row for row in self.paper_rows}
        changed = [row for row in self.paper_rows if previous.get(row.id) != row]
        if changed or len(previous) != len(self.rows_by_id):
            self.cells_by_id = {
                paper_id: cells for paper_id, cells in self.cells_by_id.items() if previous.get(paper_id) == self.rows_by_id.get(paper_id)
            }
            self.widths = column_widths(self.paper_rows)
        table = self.query_one("#papers", PaperTable)
        for row in changed:
            if row.id in table.rows:
                for column, cell in zip(COLUMNS, self.cells(row.id)):
                    table.update_cell(row.id, column, cell)
        table.set_widths(self.widths)
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
            ids = [row.id for row in self.paper_rows]
        if ids == self.shown_ids:
            self.show_summary(query)  # the same papers, but the words in the box changed
            return
        self.shown_ids = ids
        self.query_one("#papers", PaperTable).clear()
        self.add_rows(ids, 0)
        self.show_summary(query)

    def add_rows(self, ids: list[str], start: int) -> None:
        """Add the shown rows from ``start``: a screenful now, and the rest a step per repaint.

        A table measures every row it is given, which for ten thousand papers takes
        seconds; this way the first rows show at once and a key typed meanwhile
        (a search, a reload) starts a new list, which stops this one.
        """
        if ids is not self.shown_ids:
            return
        table = self.query_one("#papers", PaperTable)
        end = start + (ROWS_PER_STEP if start else FIRST_ROWS)
        # Row keys are the paper ids, so Enter can open the paper under the cursor.
        for paper_id in ids[start:end]:
            table.add_row(*self.cells(paper_id), key=paper_id)
        table.fit_title()  # the scroll bar may have come
        if end < len(ids):
            self.call_after_refresh(self.add_rows, ids, end)

    def cells(self, paper_id: str) -> Cells:
        """A paper's row, made when the table first takes it, so the first screen of a long list does not wait for the rest."""
        cells = self.cells_by_id.get(paper_id)
        if cells is None:
            cells = self.cells_by_id[paper_id] = table_cells(self.rows_by_id[paper_id])
        return cells

    def show_summary(self, query: str) -> None:
        total = len(self.paper_rows)
        usable = sum(1 for row in self.paper_rows if row.status == "ok")
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
