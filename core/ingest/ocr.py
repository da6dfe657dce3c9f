"""The text and layout of a scanned page, read by optical character recognition, offline.

A scan has no text layer, so pypdf finds nothing on it; a paper from before
the 1990s is often only a scan. With the `ocr` extra installed
(`pip install "papergym[ocr]"`: RapidOCR, whose ONNX models come inside its
wheel, and pypdfium2 to render the page), a page is rendered and read into
the same `PageLayout` that pypdf's fonts give, so the metadata rules read a
scanned first page as they read a typeset one.

OCR gives no font sizes. A line's size is estimated from its width and its
letters (a capital is wider than a small letter, a space narrower), in
points, then lines of nearly one size are given one size, as type of one
size comes back a little wider or narrower from line to line.
"""

from __future__ import annotations

import functools
import re
import statistics
from typing import Any

from papergym.core.ingest.layout import LayoutLine, PageLayout

__all__ = ["OcrUnavailable", "ocr_unavailable_reason", "read_scanned_page"]

# Pixels per PDF point of the rendered page: 144 dpi, where body text of 9-10 points is 18-20 pixels high, as
# RapidOCR's recognition model reads best.
_RENDER_SCALE = 3.0
# A recognised line below this confidence is noise (a speck, a stamp, a rule read as letters).
_MIN_CONFIDENCE = 0.6
# The share of an em each kind of character takes in a common serif or sans face: what a line's width is divided by.
_CAPITAL_EM = 0.7
_SMALL_EM = 0.5
_NARROW_EM = 0.28  # i, l, j, t, f, r, punctuation
_SPACE_EM = 0.25
_NARROW = set("iljtfr.,;:'!|()[]-\u2019\u2018")
# Lines whose sizes differ by less than this share of the smaller are one size: OCR's widths wander that much
# from line to line of one type.
_SAME_SIZE_SHARE = 0.12
# Font sizes are given in half points, as the layout of a typeset page gives them.
_SIZE_STEP = 0.5
# A line narrower than this share of the text's width, wholly on one side of the page's middle, is in a column.
_COLUMN_SHARE = 0.56
# Words of one line that OCR returned as two boxes are joined when the gap between them is at most this many of
# the line's ems; a column's gutter is wider.
_WORD_GAP_EMS = 1.2
# The share of the page's height at its top and at its foot that holds its running head and foot.
_BANNER_SHARE = 0.1
# A running head's pieces (page number, journal, date) are each narrower than this share of the page; a column's
# line is wider.
_BANNER_PIECE_SHARE = 0.36
# A box this many times higher than wide holds text running up the page.
_UPRIGHT_SHARE = 1.5
# The face every OCR line is given: OCR sees no fonts.
OCR_FONT = "ocr"


# OCR's recognition model often drops the spaces around a date's parts ("NatureVol.261June101976",
# "received 18November1962"), which hides the year from every rule that reads one.
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
    """Why OCR cannot run on this machine (a missing package, a library it needs), or None when it can."""
    try:
        _engine()
    except OcrUnavailable as error:
        return str(error)
    return None


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    """RapidOCR's engine, made once per process: loading its models takes about a second."""
    try:
        import pypdfium2  # noqa: F401
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as error:
        raise OcrUnavailable(f'OCR needs the ocr extra: pip install "papergym[ocr]" ({error})') from None
    except OSError as error:  # OpenCV without a system library it links (libGL.so.1 on a bare server)
        raise OcrUnavailable(f"OCR's OpenCV cannot load: {error}") from None
    import logging

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    # One thread per reader process: an import runs one process per core, and a page's OCR is the slow part.
    # No angle classifier: a paper's page is upright.
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, use_cls=False)


def read_scanned_page(path: str, index: int) -> tuple[str, PageLayout]:
    """Page ``index`` of the PDF at ``path`` read by OCR: its text, a line per line, and its layout.

    Raises `OcrUnavailable` when OCR cannot run here.
    """
    engine = _engine()
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        page = document[index]
        bitmap = page.render(scale=_RENDER_SCALE, grayscale=True)
        image = bitmap.to_numpy()
        page_width, page_height = page.get_width(), page.get_height()
    finally:
        document.close()
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    found, _ = engine(image)
    boxes = [_Box.of(points, text) for points, text, confidence in found or [] if float(confidence) >= _MIN_CONFIDENCE and text.strip()]
    lines = lines_of_boxes([box for box in boxes if box is not None], page_width, page_height)
    return "\n".join(line.text for line in lines), PageLayout(lines)


class _Box:
    """One line of text OCR found, in page points: its left, top, right and bottom edges."""

    __slots__ = ("bottom", "left", "right", "size", "text", "top")

    def __init__(self, text: str, left: float, top: float, right: float, bottom: float, size: float | None = None) -> None:
        self.text, self.left, self.top, self.right, self.bottom = text, left, top, right, bottom
        # The font size, in points, that fits the line's letters into its width.
        self.size = size if size is not None else (right - left) / max(_ems(text), 1.0)

    @classmethod
    def of(cls, points: Any, text: str) -> _Box | None:
        xs = [float(point[0]) / _RENDER_SCALE for point in points]
        ys = [float(point[1]) / _RENDER_SCALE for point in points]
        if max(xs) <= min(xs) or max(ys) <= min(ys) or max(ys) - min(ys) > _UPRIGHT_SHARE * (max(xs) - min(xs)):
            return None  # a speck, or text running up the margin (a download stamp), which no metadata rule reads
        return cls(respaced(" ".join(text.split())), min(xs), min(ys), max(xs), max(ys))

    def joined(self, other: _Box) -> _Box:
        """This box and one to its right on the same baseline as one line, its size the two's, weighed by letters."""
        ems, other_ems = _ems(self.text), _ems(other.text)
        size = (self.size * ems + other.size * other_ems) / max(ems + other_ems, 1.0)
        top, bottom = min(self.top, other.top), max(self.bottom, other.bottom)
        return _Box(f"{self.text} {other.text}", self.left, top, other.right, bottom, size)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def _ems(text: str) -> float:
    """How many ems a line of text takes in a common face."""
    total = 0.0
    for char in text:
        if char == " ":
            total += _SPACE_EM
        elif char in _NARROW:
            total += _NARROW_EM
        elif char.isupper() or char in "mwMW@%&":
            total += _CAPITAL_EM
        else:
            total += _SMALL_EM
    return total


def lines_of_boxes(boxes: list[_Box], page_width: float, page_height: float) -> list[LayoutLine]:
    """OCR's boxes as a page's lines in reading order: boxes of one row joined, a two-column part read column by column,
    each line's size estimated and sizes that differ by OCR's wander made one."""
    rows = _rows(boxes, page_width, page_height)
    ordered = _reading_order(rows)
    sizes = _snapped_sizes([row.size for row in ordered])
    # pypdf's y grows up the page from its foot; the layout rules compare lines by it.
    return [LayoutLine(row.text, size, OCR_FONT, round(page_height - row.bottom, 1)) for row, size in zip(ordered, sizes, strict=True)]


def _rows(boxes: list[_Box], page_width: float, page_height: float) -> list[_Box]:
    """Boxes on one baseline whose gap is a word's, not a column's, joined into one box; in the page's banner (its top
    and foot) whatever stands on one baseline is one line, as a journal's running head spreads volume, name and date
    across the page ("VOLUME 64, NUMBER 8   PHYSICAL REVIEW LETTERS   19 FEBRUARY 1990")."""
    rows: list[_Box] = []
    for box in sorted(boxes, key=lambda box: (box.middle, box.left)):
        in_banner = box.bottom < _BANNER_SHARE * page_height or box.top > (1 - _BANNER_SHARE) * page_height
        short = box.right - box.left < _BANNER_PIECE_SHARE * page_width
        for index, row in enumerate(rows):
            height = min(row.bottom - row.top, box.bottom - box.top)
            same_row = abs(row.middle - box.middle) <= 0.35 * height
            size = min(row.size, box.size)
            gap = box.left - row.right if box.left >= row.left else row.left - box.right
            banner_pieces = in_banner and short and row.right - row.left < _BANNER_PIECE_SHARE * page_width
            if same_row and -size <= gap and (gap <= _WORD_GAP_EMS * size or banner_pieces):
                rows[index] = row.joined(box) if box.left >= row.left else box.joined(row)
                break
        else:
            rows.append(box)
    return sorted(rows, key=lambda row: (row.top, row.left))


def _reading_order(rows: list[_Box]) -> list[_Box]:
    """Rows top to bottom, except that between two full-width rows the left column is read before the right."""
    if not rows:
        return []
    left_edge = min(row.left for row in rows)
    right_edge = max(row.right for row in rows)
    middle = (left_edge + right_edge) / 2
    width = right_edge - left_edge

    def column(row: _Box) -> int:
        """0 for a row across the page, 1 for the left column, 2 for the right."""
        if row.right - row.left > _COLUMN_SHARE * width:
            return 0
        if row.right <= middle + 0.02 * width:
            return 1
        if row.left >= middle - 0.02 * width:
            return 2
        return 0

    ordered: list[_Box] = []
    band: list[_Box] = []

    def flush() -> None:
        lefts = [row for row in band if column(row) == 1]
        rights = [row for row in band if column(row) == 2]
        # A band is read as columns only when both sides hold several rows; a title page's short centred rows
        # (a name, an affiliation) stay in their order.
        if len(lefts) >= 3 and len(rights) >= 3:
            ordered.extend(sorted(lefts, key=lambda row: row.top) + sorted(rights, key=lambda row: row.top))
        else:
            ordered.extend(sorted(band, key=lambda row: (row.top, row.left)))
        band.clear()

    for row in rows:
        if column(row) == 0:
            flush()
            ordered.append(row)
        else:
            band.append(row)
    flush()
    return ordered


def _snapped_sizes(sizes: list[float]) -> list[float]:
    """Each size replaced by the median of its group, a group being sizes within ``_SAME_SIZE_SHARE`` of their
    neighbours in order of size, rounded to half points."""
    if not sizes:
        return []
    order = sorted(range(len(sizes)), key=lambda index: sizes[index])
    groups: list[list[int]] = [[order[0]]]
    for index in order[1:]:
        previous = sizes[groups[-1][-1]]
        if sizes[index] - previous <= _SAME_SIZE_SHARE * previous and sizes[index] <= (1 + 2 * _SAME_SIZE_SHARE) * sizes[groups[-1][0]]:
            groups[-1].append(index)
        else:
            groups.append([index])
    snapped = [0.0] * len(sizes)
    for group in groups:
        median = statistics.median(sizes[index] for index in group)
        for index in group:
            snapped[index] = round(median / _SIZE_STEP) * _SIZE_STEP
    return snapped
