"""pypdf fonts: parsed once per PDF (same text, fewer parses, nothing kept after the file) and read despite two font files."""

from pathlib import Path

import pypdf
from papergym.core.ingest import pypdf_fonts as font_cache
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


def _one_font_pdf(content: bytes, base_font: str, widths: list[int], descriptor: dict | None = None) -> pypdf.PdfReader:
    """A one-page PDF set in one Type 1 font with these widths (codes 32 to 126) and, if given, this descriptor."""
    from io import BytesIO

    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject(base_font),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            NameObject("/FirstChar"): NumberObject(32),
            NameObject("/LastChar"): NumberObject(126),
            NameObject("/Widths"): ArrayObject([NumberObject(width) for width in widths]),
        }
    )
    if descriptor is not None:
        font_file = writer._add_object(DecodedStreamObject())
        entries = {NameObject(key): (font_file if value == "font file" else value) for key, value in descriptor.items()}
        font[NameObject("/FontDescriptor")] = writer._add_object(DictionaryObject(entries))
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    stream = DecodedStreamObject()
    stream.set_data(content)
    page.replace_contents(stream)
    buffer = BytesIO()
    writer.write(buffer)
    return pypdf.PdfReader(buffer)


def _pdf_with_two_font_files() -> pypdf.PdfReader:
    """A one-page PDF whose font descriptor names both a /FontFile and a /FontFile3, as some 1990s journals' do."""
    from pypdf.generic import ArrayObject, NameObject, NumberObject

    descriptor = {
        "/Type": NameObject("/FontDescriptor"),
        "/FontName": NameObject("/Helvetica"),
        "/Flags": NumberObject(32),
        "/FontBBox": ArrayObject([NumberObject(-166), NumberObject(-225), NumberObject(1000), NumberObject(931)]),
        "/FontFile": "font file",
        "/FontFile3": "font file",
    }
    content = b"BT /F1 12 Tf 72 700 Td (The maintenance of strain structure) Tj ET"
    return _one_font_pdf(content, "/Helvetica", [556] * 95, descriptor)


def test_a_font_descriptor_naming_two_font_files_still_reads():
    with font_cache.reading_one_pdf():
        assert "The maintenance of strain structure" in _pdf_with_two_font_files().pages[0].extract_text()


def _pdf_with_space_width(space_width: int, base_font: str = "/NimbusRomNo9L-Regu") -> pypdf.PdfReader:
    """A page set in a font that gives its space ``space_width`` and its letters 500, words apart by TJ gaps."""
    content = b"BT /F1 10 Tf 72 700 Td [(Generalized) -280 (Langevin) -280 (equation) 30 (s)] TJ ET"
    return _one_font_pdf(content, base_font, [space_width if code == 32 else 500 for code in range(32, 127)])


def test_a_font_whose_space_is_as_wide_as_its_letters_still_gets_its_word_gaps():
    # Without the fix pypdf reads "GeneralizedLangevinequations": its least word gap is half of a 1000-wide space.
    with font_cache.reading_one_pdf():
        assert _pdf_with_space_width(1000).pages[0].extract_text() == "Generalized Langevin equations"
        # A plausible space (250 against letters of 500) is left alone, and so are monospaced and math fonts.
        assert _pdf_with_space_width(250).pages[0].extract_text() == "Generalized Langevin equations"
        assert _pdf_with_space_width(1000, "/Courier").pages[0].extract_text() == "GeneralizedLangevinequations"
