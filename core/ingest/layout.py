"""The lines of a PDF page with the font size and font of each, from one text extraction.

A paper's first page says what its parts are by typography: the title in the
largest type, the authors in their own size or face, the body smaller. pypdf
hands each piece of text to a visitor with its font and text matrices, so one
`extract_text` call gives both the page text and this layout.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from papergym.core.ingest.clean import (
    decode_glyph_codes,
    decode_named_glyphs,
    decode_slash_named_glyphs,
    has_slash_named_glyphs,
    shows_numbered_glyphs,
)

__all__ = ["LayoutLine", "PageLayout", "page_text", "read_page"]

# Font sizes are compared at half-point steps: LaTeX and Word titles differ from
# the body by at least a point, while one line's pieces may differ by rounding.
_FONT_SIZE_STEP = 0.5


@dataclass(frozen=True)
class LayoutLine:
    """One line of page text as pypdf lays it out, with its main font size and face."""

    text: str
    size: float
    font: str
    y: float = 0.0
    # The text with each run of raised, smaller type (an affiliation or footnote marker: "Huang" + superscript
    # "a") replaced by "|"; empty when the line has none. Names glued to their markers are read apart from it.
    marked: str = ""

    def same_style(self, other: LayoutLine) -> bool:
        """Whether two lines are set in the same size and face."""
        return abs(self.size - other.size) <= _FONT_SIZE_STEP and self.font == other.font


@dataclass
class PageLayout:
    """The lines of one page, top to bottom in pypdf's reading order."""

    lines: list[LayoutLine] = field(default_factory=list)

    @property
    def body_size(self) -> float:
        """The font size that carries the most letters on the page."""
        letters: Counter[float] = Counter()
        for line in self.lines:
            letters[line.size] += sum(char.isalpha() for char in line.text)
        return letters.most_common(1)[0][0] if letters else 0.0


def read_page(page: Any) -> tuple[str, PageLayout | None]:
    """A page's text and its layout, from one extraction; the layout is None if fonts cannot be read."""
    pieces: list[tuple[str, float, str, float]] = []
    raw_pieces: list[str] = []

    def collect(text: str, cm: list[float], tm: list[float], font: Any, font_size: float) -> None:
        scale = math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2]) * abs(cm[0] * cm[3] - cm[1] * cm[2]))
        size = round(font_size * scale / _FONT_SIZE_STEP) * _FONT_SIZE_STEP
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        pieces.append((decode_named_glyphs(text), size, _font_name(font), y))
        raw_pieces.append(text)  # last, so that the two lists keep one length whatever fails above

    try:
        raw_text = page.extract_text(visitor_text=collect) or ""
        if words_glued(raw_text, raw_pieces):
            raw_text = "".join(words_set_apart(raw_pieces))
            spaced = words_set_apart([piece[0] for piece in pieces])
            pieces = [(text, size, font, y) for text, (_, size, font, y) in zip(spaced, pieces, strict=True)]
        text = decode_named_glyphs(raw_text)
    except Exception:
        try:
            return decode_glyph_codes(page.extract_text() or ""), None
        except Exception:
            return "", None
    if has_slash_named_glyphs(text):
        # Only digits and punctuation are named oddly; the sizes are sound, so each line is decoded.
        decoded_pieces = [(decode_slash_named_glyphs(piece, whole_page=False), *rest) for piece, *rest in pieces]
        return decode_slash_named_glyphs(text), PageLayout(_lines_of(decoded_pieces))
    decoded = decode_glyph_codes(text)
    if decoded != text:
        # A font known only by glyph codes: its sizes are unreliable too, so the text is read without them.
        return decoded, None
    try:
        # A sign a line names by its number is read when the page shows the numbering elsewhere ("/C3Corresponding
        # author" in the footnote, "Wüstenhagena,/C3," in the author line).
        return text, PageLayout(_lines_of(pieces, signs_named=shows_numbered_glyphs(raw_text)))
    except Exception:
        return text, None


def page_text(page: Any) -> str:
    """A page's text as pypdf extracts it, with words set apart where the text layer places each word on its own."""
    text = page.extract_text() or ""
    if not _runs_glued(text):
        return text  # most pages: one extraction, without a visitor's cost
    raw_pieces: list[str] = []
    text = page.extract_text(visitor_text=lambda piece, *_: raw_pieces.append(piece)) or ""
    return "".join(words_set_apart(raw_pieces)) if words_glued(text, raw_pieces) else text


# A scan's hidden OCR layer (JSTOR, old journals) places every word by itself in a stand-in font whose widths are
# not the scan's, so pypdf sees no gap between words and glues them: "Brokensymmetryandthenatureof". Such a page
# reads as long runs of letters while almost every piece pypdf hands over is one word. A page needs this many
# letters to be judged, this share of them in runs of at least _GLUED_RUN letters, and this share of its
# pieces holding one word; a chemistry page ("phosphatidylethanolamine") has the long words but not the pieces.
_GLUED_PAGE_LETTERS = 400
_GLUED_RUN = 16
_GLUED_LETTER_SHARE = 0.4
_ONE_WORD_PIECE_SHARE = 0.7
# Pieces of a word's length on average: a PDF that draws each glyph by itself is glued too, but set apart it would
# read "B r o k e n".
_GLUED_PIECE_CHARS = 3


def words_glued(text: str, pieces: list[str]) -> bool:
    """Whether a page's text glues its words together although pypdf handed them over one by one."""
    if not _runs_glued(text):
        return False
    words = [piece.strip() for piece in pieces if piece.strip()]
    if sum(len(word) for word in words) < _GLUED_PIECE_CHARS * len(words):
        return False
    return sum(len(word.split()) == 1 for word in words) >= _ONE_WORD_PIECE_SHARE * len(words)


def _runs_glued(text: str) -> bool:
    """Whether a page's text reads as long runs of letters, as glued words do (the pieces are not looked at)."""
    runs = text.split()
    letters = sum(len(run) for run in runs)
    if letters < _GLUED_PAGE_LETTERS:
        return False
    return sum(len(run) for run in runs if len(run) >= _GLUED_RUN) >= _GLUED_LETTER_SHARE * letters


def words_set_apart(pieces: list[str]) -> list[str]:
    """Each piece that goes on the line of the piece before it, after a space (the pieces keep their count)."""
    spaced: list[str] = []
    ends_open = False
    for piece in pieces:
        if not piece:
            spaced.append(piece)
            continue
        spaced.append(" " + piece if ends_open and not piece[0].isspace() else piece)
        ends_open = not piece[-1].isspace()
    return spaced


def _font_name(font: Any) -> str:
    """A font's base name without the subset prefix ("ABCDEF+Times-Bold" -> "Times-Bold")."""
    try:
        name = str(font.get("/BaseFont", "")) if font is not None else ""
    except Exception:
        return ""
    return name.lstrip("/").split("+", 1)[-1]


def _lines_of(pieces: list[tuple[str, float, str, float]], signs_named: bool = False) -> list[LayoutLine]:
    """Pieces of text joined into lines at pypdf's line breaks, each with the style of most of its letters."""
    lines: list[LayoutLine] = []
    parts: list[tuple[str, float, str, float]] = []

    def finish() -> None:
        # A glyph named apart from the letters around it ("Radomı´rM" + "/C20ech") is read in its word.
        text = decode_named_glyphs("".join(part[0] for part in parts), signs_named)
        if text.strip():
            letters_by_style: Counter[tuple[float, str]] = Counter()
            for part_text, size, font, _ in parts:
                letters_by_style[(size, font)] += sum(char.isalnum() for char in part_text)
            size, font = letters_by_style.most_common(1)[0][0]
            first = next(part for part in parts if part[0].strip())
            baseline = next((part[3] for part in parts if part[1] == size and part[0].strip()), first[3])
            # A line that opens with a raised marker ("ᵃ Livia B. Pártay") stands on its letters' baseline.
            y = baseline if _is_raised_marker(first, size, baseline) else first[3]
            marked = _markers_set_off(parts, size, baseline)
            lines.append(LayoutLine(" ".join(text.split()), size, font, y, marked))
        parts.clear()

    for text, size, font, y in pieces:
        segments = text.split("\n")
        for index, segment in enumerate(segments):
            if index > 0:
                finish()
            if segment:
                parts.append((segment, size, font, y))
    finish()
    return _baselines_joined(lines)


# A marker is set in type at most this share of its line's size, its baseline raised by at least this share of
# that size, and it is short: "a", "1,2", "*", "†".
_MARKER_SIZE_SHARE = 0.85
_MARKER_RAISE_SHARE = 0.15
_MARKER_MAX_CHARS = 10


def _markers_set_off(parts: list[tuple[str, float, str, float]], line_size: float, baseline: float) -> str:
    """A line's text with each raised marker after its first words replaced by "|"; "" when it has none.

    A marker that opens the line stays: it labels an affiliation ("1Department of ...").
    """
    pieces: list[str] = []
    started = found = False
    for part in parts:
        if started and _is_raised_marker(part, line_size, baseline):
            pieces.append("|")
            found = True
        else:
            pieces.append(part[0])
            started = started or bool(part[0].strip())
    return " ".join("".join(pieces).split()) if found else ""


def _is_raised_marker(part: tuple[str, float, str, float], line_size: float, baseline: float) -> bool:
    """Whether a piece of a line is a superscript marker: smaller type, above the line's baseline, a few characters."""
    text, size, _, y = part
    stripped = text.strip()
    return (
        # A raised parenthesis alone closes a marker pypdf left in the line's own type ("Chaumeta" + ")").
        bool(stripped.strip("(),;."))
        and len(stripped) <= _MARKER_MAX_CHARS
        and 0 < size <= _MARKER_SIZE_SHARE * line_size
        and y - baseline >= _MARKER_RAISE_SHARE * line_size
    )


# Lines whose baselines differ by less than this share of their type's size stand on one baseline.
_SAME_BASELINE = 0.2


def _baselines_joined(lines: list[LayoutLine]) -> list[LayoutLine]:
    """Consecutive lines on one baseline in one size joined into one.

    pypdf breaks the line wherever a PDF places each word on its own (OCR
    text layers, some converters), so a title would come back one word a line.
    """
    joined: list[LayoutLine] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.y
            and abs(previous.size - line.size) <= _FONT_SIZE_STEP
            and abs(previous.y - line.y) <= _SAME_BASELINE * line.size
        ):
            marked = f"{previous.marked or previous.text} {line.marked or line.text}" if previous.marked or line.marked else ""
            joined[-1] = LayoutLine(f"{previous.text} {line.text}", previous.size, previous.font, previous.y, marked)
        else:
            joined.append(line)
    return joined
