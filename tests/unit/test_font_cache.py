"""Fonts parsed once per PDF: the same text, fewer parses, nothing kept after the file."""

from pathlib import Path

import pypdf
from papergym.core.ingest import font_cache
from papergym.core.ingest.extract import extract_pdf

DEMO_PAPER = Path(__file__).resolve().parents[2] / "assets" / "demo_papers" / "nibble_hyperloglog.pdf"


def _page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_pages_read_with_shared_fonts_give_the_same_text_with_fewer_parses(monkeypatch):
    without = _page_texts(DEMO_PAPER)
    font_cache._install()
    parses = []
    monkeypatch.setattr(font_cache, "_fonts", _CountingDict(parses))
    with font_cache.reading_one_pdf():
        shared = _page_texts(DEMO_PAPER)
        lookups = font_cache._fonts.lookups
    assert shared == without
    assert 0 < len(parses) < lookups  # some pages reused a font parsed on an earlier page
    assert len(font_cache._fonts) == 0


def test_extracting_a_paper_leaves_no_font_behind():
    paper = extract_pdf(str(DEMO_PAPER))
    assert paper.title and not font_cache._fonts


class _CountingDict(dict):
    """A dict that counts its lookups and records each key stored."""

    def __init__(self, stored: list) -> None:
        super().__init__()
        self.stored = stored
        self.lookups = 0

    def get(self, key, default=None):
        self.lookups += 1
        return super().get(key, default)

    def __setitem__(self, key, value) -> None:
        self.stored.append(key)
        super().__setitem__(key, value)
