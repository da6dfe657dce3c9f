"""One paper: its metadata, its sections (pick one to read its text), and the questions drawn from it."""

from __future__ import annotations

from papergym.core.errors import PapergymError
from papergym.core.library import duplicate_label
from papergym.core.questions.store import list_questions
from papergym.tui.app.messages import LibraryChanged
from papergym.tui.formatting import source_label
from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

QUESTION_WIDTH = 70


def describe_paper(paper: dict) -> str:
    """The paper's metadata as a few lines of text, with where each field came from when the library knows."""
    authors = ", ".join(paper["authors"]) or "unknown authors"
    duplicate = duplicate_label(paper)
    lines = [
        f"[b]{escape(paper['title'] or paper['filename'])}[/b]",
        escape(
            f"{authors} · {paper['year'] or 'year unknown'}"
            + (f" · {paper['journal']}" if paper.get("journal") else "")
            + f" · {paper['pages'] or '?'} pages · {paper['filename']}"
        ),
        escape(
            f"status: {paper['status']}"
            + (f" ({paper['reason']})" if paper.get("reason") else "")
            + (f" · DOI {paper['doi']}" if paper.get("doi") else "")
            + f" · id {paper['id'][:12]}"
        )
        + (f" · [b yellow]{escape(duplicate)}[/]" if duplicate else ""),
    ]
    sources = paper.get("sources") or {}
    if sources:
        lines.append("[dim]from: " + escape(" · ".join(f"{name} {source_label(source)}" for name, source in sources.items())) + "[/dim]")
    return "\n".join(lines)


class PaperScreen(Screen):
    """Everything the library knows about one paper; Escape goes back."""

    CSS_PATH = "paper.tcss"
    BINDINGS = [Binding("escape", "back", "Back"), Binding("e", "edit", "Edit metadata")]

    def __init__(self, paper_id: str) -> None:
        super().__init__()
        self.paper_id = paper_id
        self.section_texts: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="paper-meta")
        with Horizontal(id="paper-body"):
            with Vertical(id="paper-side"):
                yield Label("Sections", classes="paper-heading")
                yield OptionList(id="paper-sections")
            with VerticalScroll(id="paper-text-scroll"):
                yield Static("", id="paper-text", markup=False)
        yield Label("Questions", classes="paper-heading", id="paper-questions-heading")
        yield DataTable(id="paper-questions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#paper-questions", DataTable).add_columns("status", "kind", "question", "answer", "section")
        self.load()
        self.query_one("#paper-sections", OptionList).focus()

    @on(LibraryChanged)
    def load(self) -> None:
        library = self.app.library
        try:
            paper = library.paper(self.paper_id)
        except PapergymError as error:
            self.notify(str(error), severity="error")
            self.app.pop_screen()
            return
        self.sub_title = paper["title"] or paper["filename"]
        abstract = paper.get("abstract") or ""
        self.query_one("#paper-meta", Static).update(describe_paper(paper))

        sections = library.sections(self.paper_id)
        self.section_texts = [section["text"] or "" for section in sections]
        options = self.query_one("#paper-sections", OptionList)
        options.clear_options()
        options.add_options([Option(Text(f"{section['heading'] or section['kind']} ({section['chars']} chars)")) for section in sections])
        text = self.query_one("#paper-text", Static)
        if sections:
            options.highlighted = 0
            text.update(self.section_texts[0])
        else:
            text.update(abstract or "This paper has no text in the library (it failed to import or is a scan).")

        questions = list_questions(library, paper_id=self.paper_id)
        table = self.query_one("#paper-questions", DataTable)
        table.clear()
        for question in questions:
            wording = " ".join(question["question"].split())
            table.add_row(
                question["status"],
                question["kind"],
                Text(wording if len(wording) <= QUESTION_WIDTH else wording[: QUESTION_WIDTH - 1] + "…"),
                Text(question["answer"] or ""),
                Text(question["source_section"] or ""),
                key=question["id"],
            )
        self.query_one("#paper-questions-heading", Label).update(
            f"Questions ({len(questions)})" if questions else "Questions: none yet (generate some on the Generate screen)"
        )

    @on(OptionList.OptionHighlighted, "#paper-sections")
    def show_section(self, event: OptionList.OptionHighlighted) -> None:
        if 0 <= event.option_index < len(self.section_texts):
            self.query_one("#paper-text", Static).update(self.section_texts[event.option_index])
            self.query_one("#paper-text-scroll", VerticalScroll).scroll_home(animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_edit(self) -> None:
        """Open the dialog that fixes this paper's metadata."""
        from papergym.tui.app.screens.edit_paper import EditPaperScreen

        try:
            paper = self.app.library.paper(self.paper_id)
        except PapergymError as error:
            self.notify(str(error), severity="error")
            return

        def saved(fields: list[str] | None) -> None:
            if fields:
                # Every open screen reloads (this one included): the library list shows the new title too.
                for screen in self.app.screen_stack:
                    screen.post_message(LibraryChanged())
                self.notify(f"Saved {', '.join(fields)}; marked as yours, so re-imports keep them.")

        self.app.push_screen(EditPaperScreen(paper), saved)
