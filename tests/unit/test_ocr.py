"""OCR of a scan's first page: the layout built from OCR's boxes, the dates it glues, and a scanned paper end to end."""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from papergym.core.ingest import extract as extract_module
from papergym.core.ingest import ocr as ocr_module
from papergym.core.ingest.extract import NO_TEXT_LAYER, OCR_FOUND_NO_TEXT, OCR_SOURCE, SCAN_READ_BY_OCR, extract_pdf
from papergym.core.ingest.layout import PageLayout
from papergym.core.ingest.ocr import (
    OCR_FONT,
    OcrLine,
    layout_of_ocr,
    ocr_unavailable_reason,
    render_scale,
    respaced,
    without_footnote_mark,
)

# A US letter page, in points.
PAGE = (612.0, 792.0)
# A serif face, as most papers are set in; Pillow's own sans face is the fallback.
SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def line(text: str, left: float, top: float, size: float, confidence: float = 92.0, width: float | None = None) -> OcrLine:
    """What Tesseract reads of a line of ``text`` set in ``size`` points with its top-left corner at (left, top)."""
    width = width if width is not None else 0.5 * size * len(text)
    return OcrLine(text, left, top, left + width, top + 1.2 * size, 0.45 * size, confidence)


@pytest.mark.parametrize(
    ("glued", "spaced"),
    [
        ("NatureVol.261June101976", "NatureVol.261 June 10 1976"),
        (
            "(Manuscript received 18November1962, in revised form 7January 1963)",
            "(Manuscript received 18 November 1962, in revised form 7 January 1963)",
        ),
        ("5 JULY1993", "5 JULY 1993"),
        ("(Received20December 1989)", "(Received 20 December 1989)"),
        # Words that open like a month, and numbers beside no month, stay as they are.
        ("Decay3 of Mayfield12", "Decay3 of Mayfield12"),
        ("Marching 12 CA3 cells", "Marching 12 CA3 cells"),
        # A DOI's and a web address's dots and digits are glued on purpose.
        ("doi:10.1002/mar.20123 received 18November1962", "doi:10.1002/mar.20123 received 18 November 1962"),
        ("https://example.org/archive/june2019/may3.pdf", "https://example.org/archive/june2019/may3.pdf"),
    ],
)
def test_ocr_glued_dates_get_their_spaces_back(glued, spaced):
    assert respaced(glued) == spaced


@pytest.mark.parametrize(
    ("read", "title"),
    [
        ("Deterministic Nonperiodic Flow!", "Deterministic Nonperiodic Flow"),
        ("Sediment Transport in Braided Rivers*", "Sediment Transport in Braided Rivers"),
        ("Is It Chaos? Yes!", "Is It Chaos? Yes"),
        ("The Rivers' Beds", "The Rivers' Beds"),
        ("Reaching 100%!", "Reaching 100%!"),
    ],
)
def test_a_footnote_mark_after_a_title_read_by_ocr_goes(read, title):
    assert without_footnote_mark(read) == title


def test_a_running_head_spread_across_the_page_is_one_line():
    found = [
        line("VOLUME 64, NUMBER 8", 48, 36, 9),
        line("PHYSICAL REVIEW LETTERS", 208, 36, 9),
        line("19 FEBRUARY 1990", 470, 36, 9),
        line("Synchronization in Chaotic Systems", 180, 70, 14),
    ]
    lines = layout_of_ocr(found, *PAGE).lines
    assert [line.text for line in lines] == [
        "VOLUME 64, NUMBER 8 PHYSICAL REVIEW LETTERS 19 FEBRUARY 1990",
        "Synchronization in Chaotic Systems",
    ]
    assert lines[0].size < lines[1].size
    assert all(line.font == OCR_FONT for line in lines)
    # pypdf's y grows up the page; so does the layout's.
    assert lines[0].y > lines[1].y


def test_two_columns_keep_ocr_s_reading_order_and_are_not_joined():
    # Tesseract reads a page block by block: the left column's paragraphs, then the right's, though their lines share
    # rows. A paragraph of a column is short, but as wide as a column: no address to set beside another.
    found = [line("A title set across the whole page width here", 60, 60, 18, width=490)]
    found += [replace(line(f"left column line {row} of running text", 50, 200 + 14 * row, 10, width=240), block=1) for row in range(4)]
    found += [replace(line(f"left column paragraph two line {row}", 50, 270 + 14 * row, 10, width=240), block=2) for row in range(4)]
    found += [replace(line(f"right column line {row} of running text", 320, 200 + 14 * row, 10, width=240), block=3) for row in range(4)]
    assert [line.text for line in layout_of_ocr(found, *PAGE).lines] == [line.text for line in found]


def test_a_running_foot_s_pieces_join_in_page_order_but_two_columns_last_lines_do_not():
    foot = 740
    found = [
        replace(line("end of the left column", 50, foot, 10, width=170), block=1),
        replace(line("end of the right column", 320, foot, 10, width=170), block=2),
        replace(line("1990", 540, foot + 20, 9, width=30), block=5),
        replace(line("Nature Vol. 261", 50, foot + 20, 9, width=80), block=3),
        replace(line("page 7", 290, foot + 20, 9, width=40), block=4),
    ]
    texts = [line.text for line in layout_of_ocr(found, *PAGE).lines]
    assert texts == ["end of the left column", "end of the right column", "Nature Vol. 261 page 7 1990"]


def test_a_huge_page_is_rendered_smaller_and_a_letter_page_at_216_dpi():
    assert render_scale(612, 792) == 3.0
    # An A0 poster (2384 x 3370 points) would be 7152 x 10110 pixels at 216 dpi: 72 MB in grey.
    scale = render_scale(2384, 3370)
    assert 3370 * scale <= 3400 and scale > 0.9


def test_two_authors_addresses_side_by_side_are_read_one_after_the_other():
    # OCR reads a column at a time: the second author's address, beside the first, comes after the whole left column.
    def address(name: str, left: float, block: int) -> list[OcrLine]:
        rows = [name, "Dept. of Computer Science", "University of Washington", "Seattle, WA 98195"]
        return [replace(line(text, left, 150 + 12 * row, 10), block=block) for row, text in enumerate(rows)]

    title = replace(line("Mining the Network Value of Customers", 150, 90, 18), block=0)
    left_column = [replace(line(f"left column line {row} of the abstract", 50, 260 + 12 * row, 9, width=240), block=2) for row in range(12)]
    found = [title, *address("Pedro Domingos", 100, 1), *left_column, *address("Matt Richardson", 360, 3)]
    texts = [line.text for line in layout_of_ocr(found, *PAGE).lines]
    assert texts[:9] == ["Mining the Network Value of Customers"] + [line.text for line in found[1:5]] + [line.text for line in found[-4:]]
    assert texts[9:] == [line.text for line in left_column]


def test_the_same_type_gets_one_size_and_larger_type_a_larger_one():
    found = [line("Deterministic Nonperiodic Flow", 200, 120, 16)]
    # The x-height OCR measures wanders by a pixel or so from line to line of one type.
    for row, wander in enumerate((0.96, 1.0, 1.04, 0.98, 1.02)):
        found.append(line("finite systems of deterministic ordinary nonlinear differential equations", 60, 200 + 14 * row, 10 * wander))
    lines = layout_of_ocr(found, *PAGE).lines
    body_sizes = {line.size for line in lines[1:]}
    assert len(body_sizes) == 1
    assert lines[0].size > body_sizes.pop()


def test_text_running_up_the_margin_and_unsure_readings_are_left_out():
    found = [
        line("Deterministic Nonperiodic Flow", 200, 120, 16),
        OcrLine("Downloaded from http://journals.example.org", 580, 150, 592, 450, 4, 95.0),
        line("l1|;", 100, 500, 10, confidence=20.0),
    ]
    assert [line.text for line in layout_of_ocr(found, *PAGE).lines] == ["Deterministic Nonperiodic Flow"]


def _scanned_paper(path: Path) -> Path:
    """A one-page paper that is only an image of its text, at 150 dpi, as a scanner makes it."""
    from PIL import Image, ImageDraw, ImageFont

    dpi = 150
    image = Image.new("L", (int(8.5 * dpi), 11 * dpi), 255)
    draw = ImageDraw.Draw(image)

    def write(text: str, y: float, points: float) -> None:
        pixels = int(points * dpi / 72)
        font = ImageFont.truetype(str(SERIF), pixels) if SERIF.exists() else ImageFont.load_default(size=pixels)
        width = draw.textlength(text, font=font)
        draw.text(((image.width - width) / 2 if points > 11 else 1.0 * dpi, y * dpi), text, fill=0, font=font)

    write("Sediment Transport in Braided Rivers", 1.2, 20)
    write("Margaret Holloway and Daniel Okafor", 1.75, 12)
    write("Department of Geography, University of Leeds", 2.05, 10)
    write("Received 3 March 1987", 2.3, 10)
    write("Abstract", 2.8, 10)
    abstract = [
        "Braided rivers move their sediment in pulses that no single equation",
        "of bed load describes. We measured the flux in three flumes over two",
        "years and show that the pulses follow the migration of the bars.",
    ]
    for row, line in enumerate(abstract):
        write(line, 3.05 + 0.2 * row, 10)
    write("1. Introduction", 4.0, 10)
    write("Rivers that braid are common in glaciated valleys and on alluvial fans.", 4.25, 10)
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=dpi)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.skipif(ocr_unavailable_reason() is not None, reason="the ocr extra is not installed")
def test_a_scanned_paper_gets_its_title_authors_year_and_abstract_by_ocr(tmp_path: Path):
    paper = extract_pdf(str(_scanned_paper(tmp_path / "scan.pdf")))
    assert paper.title == "Sediment Transport in Braided Rivers"
    assert paper.authors == ["Margaret Holloway", "Daniel Okafor"]
    assert paper.year == 1987
    assert paper.abstract.startswith("Braided rivers move their sediment")
    assert {paper.sources[field] for field in ("title", "authors", "year")} == {OCR_SOURCE}
    # Only its first page was read, so it is still no paper to generate questions from, and says why.
    assert not paper.has_text and paper.sections == []
    assert paper.text_problem == SCAN_READ_BY_OCR


def test_without_ocr_a_scan_keeps_the_reason_that_it_has_no_text(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(extract_module, "ocr_unavailable_reason", lambda: 'OCR needs the ocr extra: pip install "papergym[ocr]"')
    paper = extract_pdf(str(_scanned_paper(tmp_path / "scan.pdf")))
    assert paper.text_problem == NO_TEXT_LAYER
    assert paper.title is None and paper.authors == []


def test_a_scan_whose_only_text_is_the_publisher_s_download_stamp_is_read_as_a_scan(tmp_path: Path, monkeypatch):
    # A publisher stamps every page of a scan with a line of text, which is no text layer of the paper.
    from tests.pdfs import text_pdf

    stamp = "Downloaded from http://journals.example.org/jas/article-pdf/20/2/130/3406061.pdf by guest on 13 October 2020"
    path = tmp_path / "stamped-scan.pdf"
    path.write_bytes(text_pdf([[stamp]] * 6))
    monkeypatch.setattr(extract_module, "ocr_unavailable_reason", lambda: "no OCR here")
    paper = extract_pdf(str(path))
    assert not paper.has_text and paper.text_problem == NO_TEXT_LAYER


def _shifted(text: str) -> str:
    """Each letter one before it in the alphabet, as a font whose codes name other letters reads ("Will" -> "Vhkk")."""
    return "".join(chr(ord(char) - 1) if char.isalpha() and char.lower() != "a" else char for char in text)


def test_a_first_page_that_reads_as_noise_is_read_by_ocr_and_the_rest_by_pypdf(tmp_path: Path, monkeypatch):
    from papergym.core.ingest.layout import LayoutLine, PageLayout

    from tests.pdfs import paper_pages, text_pdf

    pages = paper_pages("Sediment flux in braided rivers", seed=4)
    pages[0] = [_shifted(line) for line in pages[0]]
    path = tmp_path / "cipher-title-page.pdf"
    path.write_bytes(text_pdf(pages))
    read = [
        LayoutLine("Sediment Flux in Braided Rivers", 20.0, OCR_FONT, 700.0),
        LayoutLine("Margaret Holloway and Daniel Okafor", 11.0, OCR_FONT, 670.0),
        LayoutLine("Abstract", 10.0, OCR_FONT, 640.0),
        *(
            LayoutLine(
                "Braided rivers move their sediment in pulses that no equation of bed load describes.", 10.0, OCR_FONT, 628.0 - 12 * n
            )
            for n in range(3)
        ),
    ]
    calls = []
    monkeypatch.setattr(extract_module, "ocr_unavailable_reason", lambda: None)
    monkeypatch.setattr(
        extract_module,
        "read_scanned_page",
        lambda pdf, index: calls.append(index) or ("\n".join(line.text for line in read), PageLayout(read)),
    )
    paper = extract_pdf(str(path))
    assert calls == [0]  # only the page that reads as noise
    assert paper.has_text and paper.text_problem is None
    assert paper.title == "Sediment Flux in Braided Rivers" and paper.authors == ["Margaret Holloway", "Daniel Okafor"]
    assert paper.sources["title"] == OCR_SOURCE
    assert paper.abstract.startswith("Braided rivers move their sediment")
    # The pages after it are pypdf's, in the paper's sections.
    assert any(pages[1][5] in text for _kind, _heading, text in paper.sections)


def test_ocr_that_reads_no_words_on_a_scan_says_so(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(extract_module, "ocr_unavailable_reason", lambda: None)
    monkeypatch.setattr(extract_module, "read_scanned_page", lambda pdf, index: ("~ ' .", PageLayout([])))
    paper = extract_pdf(str(_scanned_paper(tmp_path / "scan.pdf")))
    assert paper.text_problem == OCR_FOUND_NO_TEXT and paper.title is None


def test_ocr_running_out_of_memory_leaves_the_scan_as_pypdf_read_it(tmp_path: Path, monkeypatch):
    def out_of_memory(pdf: str, index: int):
        raise MemoryError

    monkeypatch.setattr(extract_module, "ocr_unavailable_reason", lambda: None)
    monkeypatch.setattr(extract_module, "read_scanned_page", out_of_memory)
    paper = extract_pdf(str(_scanned_paper(tmp_path / "scan.pdf")))
    assert not paper.has_text and paper.text_problem == OCR_FOUND_NO_TEXT


def test_a_tesseract_that_cannot_start_means_no_ocr_rather_than_a_failed_import(monkeypatch):
    tesserocr = pytest.importorskip("tesserocr")

    class Broken:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("Failed to init API, possibly an invalid tessdata path")

    ocr_module._engine.cache_clear()
    monkeypatch.setattr(tesserocr, "PyTessBaseAPI", Broken)
    monkeypatch.setattr(ocr_module, "_model_folder", lambda: Path("/nowhere"))
    try:
        reason = ocr_unavailable_reason()
    finally:
        ocr_module._engine.cache_clear()
    assert reason is not None and "invalid tessdata path" in reason


def test_without_pillow_ocr_says_it_needs_the_ocr_extra(monkeypatch):
    # pypdfium2 hands Tesseract the page as a Pillow image: an install without Pillow reads no scan, and must say why.
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    ocr_module._engine.cache_clear()
    try:
        reason = ocr_unavailable_reason()
    finally:
        ocr_module._engine.cache_clear()
    assert reason is not None and 'pip install "papergym[ocr]"' in reason


def test_letters_that_stand_for_other_letters_read_as_noise():
    english = "Language models have become ubiquitous in both research and commercial products as their power grew. " * 4
    assert not extract_module._reads_as_noise([english])
    assert extract_module._reads_as_noise([_shifted(english)])
    # Too few letters to tell, and text in other scripts, are not judged.
    assert not extract_module._reads_as_noise([_shifted("Vhkk Rlhsg")])
    assert not extract_module._reads_as_noise(["\u8bed\u8a00\u6a21\u578b" * 200])
    # A language written with many accents keeps its vowels under them.
    vietnamese = (
        "C\u00e1c m\u00f4 h\u00ecnh ng\u00f4n ng\u1eef \u0111\u00e3 tr\u1edf n\u00ean ph\u1ed5 bi\u1ebfn trong nghi\u00ean c\u1ee9u. " * 10
    )
    assert not extract_module._reads_as_noise([vietnamese])


def test_a_few_pages_of_control_codes_leave_the_papers_text_a_text():
    text = "Transient electronics dissolve in water after a designed time, which the models here predict well. " * 20
    table = "\x01\x02 1.5 \x03 2.0 \x01 " * 200
    # A manuscript's table pages set in a font without a map: more control codes than a tenth of all its characters.
    pages = [text] * 6 + [table] * 3
    assert extract_module._reads_as_noise(["".join(pages)])
    assert not extract_module._reads_as_noise(pages)
    # Most of the paper in such a font is noise.
    assert extract_module._reads_as_noise([text] * 2 + [table] * 6)
    # A JSTOR scan: a cover sheet with more text than all the scanned pages, whose text is a stamp with blanks in it.
    stamp = "This content downloaded from\n" + "\x00" * 12 + "106.122.167.86 on Mon, 29 Nov 2021 02:31:12 UTC" + "\x00" * 13
    assert extract_module._reads_as_noise([text * 3] + [stamp] * 6)


@pytest.mark.skipif(ocr_unavailable_reason() is not None, reason="the ocr extra is not installed")
def test_a_scan_imported_before_ocr_was_installed_is_read_when_imported_again(tmp_path: Path):
    from papergym.core.ingest.importer import import_paths
    from papergym.core.library import Library

    (tmp_path / "inbox").mkdir()
    scan = _scanned_paper(tmp_path / "inbox" / "scan.pdf")
    with Library(tmp_path / "lib") as library:
        (first,) = import_paths(library, [scan], workers=1).results
        # As an import without the ocr extra stored it: no title but the file's name, and the reason that says so.
        with library.write() as db:
            db.execute(
                "UPDATE papers SET title = 'scan', authors = '[]', year = NULL, reason = ? WHERE id = ?", [NO_TEXT_LAYER, first.paper_id]
            )
        (again,) = import_paths(library, [scan], workers=1).results
        assert again.status == "imported"
        paper = library.paper(first.paper_id)
        assert paper["title"] == "Sediment Transport in Braided Rivers" and paper["reason"] == SCAN_READ_BY_OCR
        # Read by OCR once, the file is a duplicate of itself from then on.
        (third,) = import_paths(library, [scan], workers=1).results
        assert third.status == "duplicate"
