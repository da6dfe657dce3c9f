"""Turn the raw per-page texts of one PDF into clean body text.

pypdf gives each page as one string with line breaks where the PDF had them,
including ligature glyphs, words hyphenated at line ends, running headers,
page numbers, the reference list and, on tightly set lines, words run
together. These functions undo each of those, and
`clean_pages` runs them in the order that works.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from papergym.core.ingest.glued_words import split_glued_words
from papergym.core.ingest.line_numbers import strip_line_numbers_from_text

__all__ = [
    "clean_pages",
    "cut_back_matter",
    "join_hyphenated",
    "normalize_ligatures",
    "strip_running_lines",
]

_CHARACTER_FIXES = {
    # Typographic ligatures (the Unicode "Alphabetic Presentation Forms").
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\ua732": "AA",
    "\ua733": "aa",
    "\u0132": "IJ",
    "\u0133": "ij",
    # pdfTeX with T1-encoded bitmap fonts has no ToUnicode map, so pypdf
    # returns the raw T1 slots: 0x1B-0x1F are the ligatures, 0x15/0x16 the
    # dashes. These control characters never occur in real text.
    "\x1b": "ff",
    "\x1c": "fi",
    "\x1d": "fl",
    "\x1e": "ffi",
    "\x1f": "ffl",
    "\x15": "\u2013",
    "\x16": "\u2014",
    # Hyphens that should behave like the ASCII one at line ends.
    "\u2010": "-",
    "\u2011": "-",
    # Spaces of every width become a plain space.
    "\u00a0": " ",
    "\u2000": " ",
    "\u2001": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u2007": " ",
    "\u2008": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\t": " ",
    # Invisible characters carry nothing a reader sees.
    "\u200b": None,
    "\u200c": None,
    "\u200d": None,
    "\u2060": None,
    "\ufeff": None,
    "\x00": None,
    # Line and paragraph separators are line breaks.
    "\r": "\n",
    "\x0c": "\n",
    "\x0b": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
}

# dvips' 8r encoding (Times and Helvetica in LaTeX papers of the 1990s and 2000s) puts the fi and fl ligatures
# at codes 2 and 3, which pypdf returns as control characters when the font has no Unicode map. Other fonts use
# those codes for symbols, so only a code inside a word is a ligature: "con\x02guration", "\x03exible".
_8R_LIGATURES = {2: "fi", 3: "fl"}
_8R_LIGATURE = re.compile(r"(?<=[^\W\d_])[\x02\x03]|[\x02\x03](?=[a-z])")

# Old TeX fonts in the OT1 encoding without a Unicode map (Computer Modern in papers of the 1990s and 2000s) come out
# as their codes: the ffi and ffl ligatures inside a word ("di\x0ecult"), and the grave, acute and caron accents before
# their letter or before the dotless i ("P\x13erez", "Medell\x13\x10n"), which are then joined to it. T1 fonts give the
# same codes to quotation marks, which stand before a word or a space, never between a letter and an accent.
_OT1_CODES = {"\x0e": "ffi", "\x0f": "ffl", "\x12": "`", "\x13": "\u00b4", "\x14": "\u02c7", "\x10": "\u0131"}
_OT1_CODE = re.compile(r"(?<=[^\W\d_])[\x0e\x0f](?=[a-z])|[\x0e\x0f](?=[a-z]{2})|[\x12\x13\x14](?=[A-Za-z\x10])|(?<=[\x12\x13\x14])\x10")

# A soft hyphen at a line end marks a word the typesetter broke; anywhere
# else it is invisible.
_SOFT_HYPHEN_AT_LINE_END = re.compile("\u00ad[ \t]*(?=\r?\n)")


def normalize_ligatures(text: str) -> str:
    """Replace ligatures (8r's coded ones inside words too), odd spaces and invisible characters with plain text.

    This is a fixed table rather than NFKC, because NFKC would also turn µ into
    Greek mu, ² into 2 and ½ into 1⁄2; Greek letters, math symbols, µ and °
    pass through unchanged. Letters with combining accents are composed (NFC).
    """
    text = text.replace("\r\n", "\n")
    text = _SOFT_HYPHEN_AT_LINE_END.sub("-", text)
    text = text.replace("\u00ad", "")
    if "\x02" in text or "\x03" in text:
        text = _8R_LIGATURE.sub(lambda match: _8R_LIGATURES[ord(match.group(0))], text)
    if any(code in text for code in "\x0e\x0f\x12\x13\x14"):
        text = _OT1_CODE.sub(lambda match: _OT1_CODES[match.group(0)], text)
    # One str.replace per character present is several times faster than
    # str.translate with a dict, and this runs on every page.
    for character, replacement in _CHARACTER_FIXES.items():
        if character in text:
            text = text.replace(character, replacement or "")
    # A letter and a combining accent after it (ACS's PDFs spell "Pérez" with "e" and U+0301) become the one letter,
    # which names, searches and comparisons read as a letter; NFC leaves everything else as it is.
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


# pypdf writes a glyph it cannot map to Unicode as its name, and some old TeX
# fonts name their glyphs by character code: "/68/97/116/97" is "Data".
# Some fonts name them "C" and the code: "/C79/C110" is "On".
_GLYPH_CODE = re.compile(r"/C?(\d{1,3})")
_GLYPH_CODE_RUN = re.compile(r"(?:/C?\d{1,3})+")
_GLYPH_CODE_TRIPLE = re.compile(r"/C?\d{1,3}/C?\d{1,3}/C?\d{1,3}")
# TeX's OT1 encoding puts its ligatures at these codes.
OT1_LIGATURES = {11: "ff", 12: "fi", 13: "fl", 14: "ffi", 15: "ffl"}
# Below this share of a page's non-space characters, glyph codes are text ("see /12/34").
_GLYPH_CODE_SHARE = 0.5


def decode_glyph_codes(text: str) -> str:
    """A page whose words are runs of glyph codes ("/68/97/116/97") as the letters they stand for.

    Only a page made mostly of such runs is decoded, so a path or a fraction
    in ordinary text stays as it is. A page whose digits and punctuation alone
    are named so ("Seattle/, WA/, USA /9/8/1/9/5") is decoded too.
    """
    text = decode_base36_glyph_names(decode_named_glyphs(text))
    if not _GLYPH_CODE_TRIPLE.search(text):
        return decode_slash_named_glyphs(text)
    coded = sum(len(run) for run in _GLYPH_CODE_RUN.findall(text))
    if coded < _GLYPH_CODE_SHARE * len("".join(text.split())):
        return decode_slash_named_glyphs(text)

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1))
        if code in OT1_LIGATURES:
            return OT1_LIGATURES[code]
        return chr(code) if 32 <= code < 127 or 160 <= code <= 255 else ""

    return _GLYPH_CODE.sub(character, text)


# Old dvips bitmap (Type 3) fonts name each glyph by two base-36 digits, its character code plus 360, so
# "/C5/D9/D0/D8/CX" is "Multi" (int("C5", 36) - 360 == ord("M")); the ISCA archive's papers are set so.
_BASE36_GLYPH = re.compile(r"/([0-9A-Z]{2})")
_BASE36_GLYPH_RUN = re.compile(r"(?:/[0-9A-Z]{2})+")
_BASE36_GLYPH_TRIPLE = re.compile(r"/[B-D][0-9A-Z]/[B-D][0-9A-Z]/[B-D][0-9A-Z]")
_BASE36_OFFSET = 360
# Three names of that scheme are also glyph names pypdf knows, which it writes as their character instead.
_BASE36_NAMES_PYPDF_KNOWS = {"\r": "/CR", "\x08": "/BS", "\u2104": "/CL"}
# These fonts use TeX's 8r encoding (its ligatures, _8R_LIGATURES, below the space; Windows' characters above 127).


def decode_base36_glyph_names(text: str) -> str:
    """A page whose words are runs of two-character glyph names ("/C5/D9/D0/D8/CX") as the letters they stand for.

    As with glyph codes, only a page made mostly of such runs is decoded.
    """
    if not _BASE36_GLYPH_TRIPLE.search(text):
        return text
    coded = sum(len(run) for run in _BASE36_GLYPH_RUN.findall(text))
    if coded < _GLYPH_CODE_SHARE * len("".join(text.split())):
        return text

    for character, name in _BASE36_NAMES_PYPDF_KNOWS.items():
        text = text.replace(character, name)

    def decoded(match: re.Match[str]) -> str:
        code = int(match.group(1), 36) - _BASE36_OFFSET
        if code in _8R_LIGATURES:
            return _8R_LIGATURES[code]
        if 32 <= code < 127:
            return chr(code)
        return bytes([code]).decode("cp1252", errors="ignore") if 127 < code < 256 else ""

    return _BASE36_GLYPH.sub(decoded, text)


# Other old dvips fonts name their digits and punctuation by the character itself, and pypdf writes
# each as "/" and that character: "Seattle/, WA/, USA /9/8/1/9/5", "http/:////www/.cs".
_SLASH_NAMED = re.compile(r"/([^A-Za-z \t\n])")
_SLASH_NAMED_SIGNS = re.compile(r"[^\W\d_]/[,.;:)](?=\s|$)|(?:/\d){2,}")
# A page needs this many unmistakable signs ("Ernst/,", "/1/9/9/8") before it is decoded.
_SLASH_NAMED_MIN_SIGNS = 4
# TeX's OT1 text fonts put dashes and a quote where ASCII has braces and a backslash.
_OT1_PUNCTUATION = {"{": "\u2013", "|": "\u2014", "\\": "\u201c"}


def has_slash_named_glyphs(text: str) -> bool:
    """Whether a page's digits and punctuation come out as "/9", "/," and "//"."""
    return len(_SLASH_NAMED_SIGNS.findall(text)) >= _SLASH_NAMED_MIN_SIGNS


def decode_slash_named_glyphs(text: str, whole_page: bool = True) -> str:
    """A page whose digits and punctuation come out as "/9", "/," and "//" with those characters.

    A whole page is decoded only when it has several such signs, so "and/or",
    "1/2" and "km/h" in ordinary text stay as they are; a line of a page
    already found so (``whole_page=False``) is decoded as it is.
    """
    if whole_page and not has_slash_named_glyphs(text):
        return text

    def character(match: re.Match[str]) -> str:
        char = match.group(1)
        if ord(char) in OT1_LIGATURES:
            return OT1_LIGATURES[ord(char)]
        return _OT1_PUNCTUATION.get(char, char)

    return _SLASH_NAMED.sub(character, text)


# AIP's journals name their parentheses by glyph number, which pypdf writes as "/H20849" and "/H20850".
# PNAS sets its footer's slashes and bars so too: "www.pnas.org/H20862cgi/H20862doi/H2086210.1073/H20862pnas.1635156100".
_AIP_GLYPHS = {"/H20849": "(", "/H20850": ")", "/H20862": "/", "/H20841": "|"}
# Elsevier's (AdvOT), Springer's and PLOS's fonts name some glyphs "C" and a number, which pypdf writes as
# "/C211 2016 Elsevier B.V." and "Mariano V/C19azquez". The numbers follow TeX's text encoding for accents, set
# before their letter, and its symbol encoding for signs; the copyright and registered signs have their own.
# A glyph code among others ("/C5/D9/D0", base-36 names of whole words) is not one of these.
_NUMBERED_GLYPH = re.compile(r"(?<!/[0-9A-Z]{2})(?<!/C\d\d)(?<!/C\d\d\d)/C(\d{1,3})(?!\d)(?P<letter>[^\W\d_]?)(?!/[0-9A-Z]{2})")
_NUMBERED_ACCENTS = {
    18: "\u0300",
    19: "\u0301",
    20: "\u030c",
    21: "\u0306",
    22: "\u0304",
    23: "\u030a",
    24: "\u0327",
    94: "\u0302",
    125: "\u030b",
    126: "\u0303",
    127: "\u0308",
}
# The corresponding author's star before its footnote shows it too: "/C3Corresponding author".
_UNMISTAKABLE_NUMBERED_GLYPH = re.compile(
    r"/C(?:211|223)\s?(?:19|20)\d\d\b|[^\W\d_]/C(?:18|19|20|23|24|126|127)[a-z]|/C3\s?[Cc]orresponding\s+author"
)


def shows_numbered_glyphs(text: str) -> bool:
    """Whether a text shows a font's "C"-numbered glyphs unmistakably (see ``decode_named_glyphs``)."""
    return bool(_UNMISTAKABLE_NUMBERED_GLYPH.search(text))


_NUMBERED_SIGNS = {
    0: "\u2212",
    1: "\u00b7",
    2: "\u00d7",
    3: "\u2217",
    6: "\u00b1",
    15: "\u2022",
    20: "\u2264",
    21: "\u2265",
    210: "\u00ae",
    211: "\u00a9",
    223: "\u00a9",
}


_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Proportional, lining, old-style and tabular figures: "/two.pnum", "/one.lf", "/seven.tosf".
_FIGURE_STYLE_DIGIT = re.compile(rf"/({'|'.join(_DIGIT_NAMES)})\.(?:pnum|lf|osf|tf|tosf|onum|lnum|pnum_lnum|plf|tlf)\b")


def decode_named_glyphs(text: str, signs_named: bool = False) -> str:
    """Text with glyphs that pypdf writes by a publisher font's names put back.

    A digit in one of an OpenType font's figure styles, which pypdf writes by
    its glyph's name ("/two.pnum/zero.pnum/two.pnum/three.pnum" -> "2023").

    AIP's numbered parentheses ("/H20849Received 2006/H20850" -> "(Received
    2006)"), and the "C"-numbered glyphs of Elsevier's and others' fonts: an
    accent before its letter ("V/C19azquez" -> "Vázquez"), a copyright sign
    ("/C211 2016 Elsevier"), a minus, a bullet. A numbered glyph whose meaning
    is not known stays as it is. Signs are read only where the text shows
    the fonts' numbering unmistakably, or the caller saw it elsewhere on the
    page (``signs_named``: a line of a page read piece by piece).
    """
    if "." in text and "/" in text:
        text = _FIGURE_STYLE_DIGIT.sub(lambda match: str(_DIGIT_NAMES.index(match.group(1))), text)
    if "/H208" in text:
        for name, character in _AIP_GLYPHS.items():
            text = text.replace(name, character)
    if "/C" not in text:
        return text
    # "C2H2/C2H4", "Pt/C20" and "S1/C0" are chemistry and labels: signs are read only on a page that shows the
    # fonts' numbering unmistakably, by a copyright sign before a year or an accent inside a word.
    signs_named = signs_named or shows_numbered_glyphs(text)

    def glyph(match: re.Match[str]) -> str:
        code, letter = int(match.group(1)), match.group("letter")
        inside_word = match.start() > 0 and text[match.start() - 1].isalpha()
        if letter and inside_word and code in _NUMBERED_ACCENTS:
            return unicodedata.normalize("NFC", letter + _NUMBERED_ACCENTS[code])
        if signs_named and code in _NUMBERED_SIGNS:
            return _NUMBERED_SIGNS[code] + letter
        return match.group(0)

    return _NUMBERED_GLYPH.sub(glyph, text)


# A word broken at a line end: the head up to the hyphen, then the next line's
# first token (with any punctuation glued to it).
_BROKEN_WORD = re.compile(r"(?<![\w-])(?P<head>[^\W_][\w-]*)-[ \t]*\n[ \t]*(?P<tail>[^\s]+)(?P<after>[ \t]*\n?)")
_WORD = re.compile(r"[^\W_][\w-]*[^\W_]|[^\W_]")
_WORD_PART = re.compile(r"[^\W_]+")
_HYPHENATED_WORD = re.compile(r"(?<![^\W_])[^\W_]++(?:-[^\W_]++)+")
# TeX leaves at least three letters after a break it makes itself (Word
# likewise), so a shorter tail means the author's own hyphen: "lock-in".
_SHORTEST_TYPESET_TAIL = 3
# A compound of two words of the text is kept only if both are this long:
# shorter parts are too often syllables that are words by chance ("be-cause").
_SHORTEST_COMPOUND_PART = 4
# Prefixes that English keeps hyphenated in nearly every word they start.
_HYPHEN_KEEPING_PREFIXES = frozenset({"self", "well"})
# Words that open closed compounds which TeX breaks at the seam:
# "further-more", "some-times", "there-fore", "other-wise", "under-standing".
_CLOSED_COMPOUND_HEADS = frozenset(
    {
        "after",
        "else",
        "every",
        "further",
        "here",
        "mean",
        "more",
        "never",
        "none",
        "other",
        "over",
        "some",
        "there",
        "through",
        "under",
        "what",
        "when",
        "where",
        "with",
    }
)


def join_hyphenated(text: str) -> str:
    """Rejoin words broken across line ends, moving the rest of the word up.

    "diffu-\\nsion of heat" becomes "diffusion\\nof heat", so lines stay lines.
    Most line-end hyphens are the typesetter's, so the hyphen goes unless one
    of these says it is the author's, checked in this order:

    - the part after the break does not start with a lower-case letter
      ("Navier-\\nStokes", "COVID-\\n19"), or the part before is one letter or
      holds a digit or an inner capital ("X-\\nray", "3-\\nfold", "GaN-\\nbased"),
      or either part holds a hyphen ("state-\\nof-the-art"), or the part after
      is under three letters ("lock-\\nin"): keep;
    - the text elsewhere has the joined word ("nonlinear"): join;
    - the text elsewhere has the hyphenated word ("non-linear"), the part
      before is "self" or "well", or both parts are words of four letters or
      more found elsewhere in the text ("steady-\\nstate" where "steady" and
      "state" occur) and the first is not one that starts closed compounds
      ("further-\\nmore"): keep;
    - otherwise join. So the ambiguous "non-\\nlinear" becomes "nonlinear"
      unless the paper writes "non-linear" somewhere else.
    """
    if "-" not in text:
        return text
    words_in_text = _vocabulary(_BROKEN_WORD.sub(" ", text))

    def rejoin(match: re.Match[str]) -> str:
        head, tail = match.group("head"), match.group("tail")
        line_end = "\n" if match.group("after").endswith("\n") or match.end() < len(text) else ""
        tail_word = _WORD.match(tail)
        if tail_word is None:
            return match.group(0)
        hyphen = "-" if _keeps_hyphen(head, tail_word.group(0), words_in_text) else ""
        return f"{head}{hyphen}{tail}{line_end}"

    return _BROKEN_WORD.sub(rejoin, text)


def _vocabulary(text: str) -> set[str]:
    """The lower-cased words of a text, with the parts of its hyphenated words."""
    lowered = text.lower()
    return set(_WORD_PART.findall(lowered)) | set(_HYPHENATED_WORD.findall(lowered))


def _keeps_hyphen(head: str, tail_word: str, words_in_text: set[str]) -> bool:
    """Whether a word broken as head-/tail is a real hyphenated compound."""
    if not tail_word[0].islower() or len(tail_word) < _SHORTEST_TYPESET_TAIL:
        return True
    if len(head) == 1 or any(char.isdigit() for char in head) or any(char.isupper() for char in head[1:]):
        return True
    if "-" in head or "-" in tail_word:
        return True
    head, tail_word = head.lower(), tail_word.lower()
    if head + tail_word in words_in_text:
        return False
    if f"{head}-{tail_word}" in words_in_text or head in _HYPHEN_KEEPING_PREFIXES:
        return True
    both_are_words = min(len(head), len(tail_word)) >= _SHORTEST_COMPOUND_PART and head in words_in_text and tail_word in words_in_text
    return both_are_words and head not in _CLOSED_COMPOUND_HEADS


# How many non-empty lines at the top and at the bottom of a page can hold
# running heads, running feet and page numbers.
_EDGE_LINES = 3
# A bare page number is only trusted this close to the page edge, because
# tables put lone numbers on lines too.
_PAGE_NUMBER_EDGE_LINES = 2
# A line must repeat on at least this share of the pages (and on two pages)
# to count as running: alternating left/right heads reach about half.
_RUNNING_SHARE = 0.4
_BARE_PAGE_NUMBER = re.compile(r"^[-\u2013\u2014\s]*\d{1,4}[-\u2013\u2014\s]*$")
_PAGE_NUMBER_PHRASE = re.compile(
    r"^(?:page\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s*(?:of|/)\s*\d{1,4})$",
    re.IGNORECASE,
)
# A journal's citation line ("J. Demo Sci. 12 (2024) 1-4") is a running line
# even on a page where it occurs only once, as in a two-page paper.
_JOURNAL_CITATION = re.compile(r"\b\d{1,4}\s*\((?:19|20)\d{2}\)\s*(?:[A-Za-z]?\d{1,6}\s*[-\u2013]+\s*[A-Za-z]?\d{1,6}|\d{1,6}\b)")
# First-page footnotes and banners that are never body text.
_PAGE_FURNITURE = re.compile(
    r"^(?:received|accepted|revised|published(?:\s+online)?|available\s+online)\b.*\b(?:19|20)\d{2}\b"
    r"|^(?:doi:?\s*10\.|https?://(?:dx\.)?doi\.org/)"
    r"|^(?:\u00a9|copyright\b|\(c\)\s*(?:19|20)\d{2})"
    r"|^[*\u2217\u2020\u2021\u00a7\u00b6]?\s*(?:corresponding\s+author|e-?mail\s*(?:address)?:)"
    r"|^\S*@\S+\.\w+$"
    r"|^[*\u2217\u2020\u2021\u00a7\u00b6]+\s*[A-Z].*\b(?:university|department|institute|school|laboratory"
    r"|group|centre|center|college|faculty)\b",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"\d+")
_SPACE_RUN = re.compile(r"\s+")


def strip_running_lines(pages: list[str]) -> list[str]:
    """Remove running headers, running footers and page numbers from each page.

    A running line is one of the first or last three lines of a page that, with
    digits masked, recurs near the edge of at least two pages and 40% of all
    pages; it goes from every page, the first included. Lines that are page
    furniture by their form go from a page edge even when they occur once:
    page numbers ("3", "- 3 -", "Page 3 of 10", "3 of 10"), journal citation
    lines ("J. Demo Sci. 12 (2024) 1-4"), and the first page's footnotes
    (received/accepted dates, DOI, copyright, e-mail, "*Corresponding author",
    "*Department of ..."). Any other line that occurs once is kept.
    """
    page_lines = [page.split("\n") for page in pages]
    edge_indexes = [_edge_line_indexes(lines, _EDGE_LINES) for lines in page_lines]
    pages_with_key: Counter[str] = Counter()
    for lines, indexes in zip(page_lines, edge_indexes):
        pages_with_key.update({_running_key(lines[index]) for index in indexes} - {""})
    needed = max(2, _RUNNING_SHARE * len(pages))
    running_keys = {key for key, count in pages_with_key.items() if count >= needed}

    cleaned_pages = []
    for lines, indexes in zip(page_lines, edge_indexes):
        number_indexes = set(_edge_line_indexes(lines, _PAGE_NUMBER_EDGE_LINES))
        dropped = set()
        for index in indexes:
            line = lines[index].strip()
            if (
                _PAGE_NUMBER_PHRASE.match(line)
                or (index in number_indexes and _BARE_PAGE_NUMBER.match(line))
                or _is_journal_citation_line(line)
                or _PAGE_FURNITURE.search(line)
                or _running_key(line) in running_keys
            ):
                dropped.add(index)
        kept_lines = [line for index, line in enumerate(lines) if index not in dropped]
        cleaned_pages.append("\n".join(kept_lines))
    return cleaned_pages


def _is_journal_citation_line(line: str) -> bool:
    """Whether a line is a journal's short citation banner rather than prose."""
    is_reference_entry = line.startswith("[")
    return len(line) <= 100 and not is_reference_entry and bool(_JOURNAL_CITATION.search(line))


def _edge_line_indexes(lines: list[str], count: int) -> list[int]:
    """Indexes of the first and last `count` non-empty lines of a page."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:count] + filled[-count:]))


def _running_key(line: str) -> str:
    """The form of a line that stays the same from page to page."""
    masked = _DIGIT_RUN.sub("#", line.strip().lower())
    return _SPACE_RUN.sub(" ", masked)


# An optional section number: "7", "7.", "VII.", "A." or "A ".
_NUMBERING = r"(?:\d{1,2}(?:\.\d{1,2})*\.?\s*|(?:[IVXLC]{1,6}|[A-Z])(?:\.\s*|\s+))?"
_REFERENCE_NAMES = (
    r"references?(?:\s+and\s+notes)?|notes\s+and\s+references|bibliography"
    r"|literature\s+cited|works\s+cited|cited\s+literature|literature\s+references"
)
_REFERENCE_HEADING = re.compile(rf"^{_NUMBERING}(?:{_REFERENCE_NAMES})\s*:?$", re.IGNORECASE)
_BACK_MATTER_NAMES = (
    r"acknowledge?ments?|funding(?:\s+(?:information|sources|statement))?"
    r"|financial\s+support|author\s+contributions?|credit\s+authorship\s+contribution\s+statement"
    r"|(?:declaration\s+of\s+)?competing\s+interests?|conflicts?\s+of\s+interests?"
    r"|data\s+availability(?:\s+statement)?|code\s+availability"
)
# A back-matter heading alone on its line, or run in before its first
# sentence ("Acknowledgements. We thank", "Funding This work was").
_BACK_MATTER_HEADING = re.compile(
    rf"^{_NUMBERING}(?:{_BACK_MATTER_NAMES})(?:\s*[:.\u2014\u2013].*|\s+-\s.*|\s+(?-i:[A-Z]).*)?$",
    re.IGNORECASE,
)
_CONCLUSION_NAMES = r"conclusions?(?:\s+and\s+\w+(?:\s+\w+)?)?|concluding\s+remarks|summary(?:\s+and\s+\w+)?"
_CONCLUSION_HEADING = re.compile(rf"^{_NUMBERING}(?:{_CONCLUSION_NAMES})\s*[:.]?$", re.IGNORECASE)
# Headings of the paper's own sections; back matter never spans one of them.
_BODY_HEADING = re.compile(
    rf"^(?:(?-i:(?:\d{{1,2}}\.?|[IVX]{{1,6}}\.)\s+[A-Z][^.]{{0,60}})"
    rf"|{_NUMBERING}(?:introduction|background|methods?|materials\s+and\s+methods"
    r"|experimental(?:\s+section)?|results?(?:\s+and\s+discussion)?|discussion"
    r"|outlook|appendix\b.*))\s*[:.]?$",
    re.IGNORECASE,
)


def cut_back_matter(text: str) -> str:
    """Cut the reference list and the acknowledgement-type sections around it.

    Headings count only as whole lines that start with a capital ("7 References",
    "REFERENCES", "Literature Cited"), so a sentence mentioning the references
    never cuts. Everything from the reference heading on goes, appendices after
    it included: they are supplementary and their start can't be told reliably
    from the end of the reference list. Acknowledgements, funding, author
    contributions, competing interests and data availability (alone on a line
    or run in: "Funding This work was ...") go too when no section heading of
    the paper's own stands between them and the reference heading, or, in a
    paper without a reference heading, when the section they follow is the
    conclusion.
    """
    lines = text.split("\n")
    reference_index = next(
        (index for index, line in enumerate(lines) if _is_heading(line, _REFERENCE_HEADING)),
        None,
    )
    search_end = len(lines) if reference_index is None else reference_index
    back_matter_index = None
    preceding_heading = ""
    for index in range(search_end - 1, -1, -1):
        if _is_heading(lines[index], _BACK_MATTER_HEADING):
            back_matter_index = index
        elif _is_heading(lines[index], _CONCLUSION_HEADING) or _is_heading(lines[index], _BODY_HEADING):
            preceding_heading = lines[index]
            break
    if reference_index is None and not _is_heading(preceding_heading, _CONCLUSION_HEADING):
        back_matter_index = None
    cut_index = back_matter_index if back_matter_index is not None else reference_index
    if cut_index is None:
        return text
    return "\n".join(lines[:cut_index]).rstrip()


def _is_heading(line: str, pattern: re.Pattern[str]) -> bool:
    """Whether a line is a capitalised heading that the pattern names."""
    stripped = line.strip()
    return bool(stripped) and not stripped[0].islower() and bool(pattern.match(stripped))


_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_INNER_SPACE_RUN = re.compile(r"(?<=\S)[ \t]{2,}")
_BLANK_LINE_RUN = re.compile(r"\n{3,}")


def clean_pages(pages: list[str]) -> str:
    """Turn one PDF's raw page texts into clean body text with its lines kept.

    The order matters: ligatures first so running lines compare equal, running
    lines before the pages are joined so a page's edges are still known, and
    dehyphenation after joining so a word broken across a page break is rejoined,
    and glued words split after it, when the whole paper's words are known.
    """
    normalized_pages = [strip_line_numbers_from_text(normalize_ligatures(page)) for page in pages]
    body_pages = [page.strip("\n ") for page in strip_running_lines(normalized_pages)]
    text = "\n".join(page for page in body_pages if page)
    text = _TRAILING_SPACE.sub("", text)
    text = _INNER_SPACE_RUN.sub(" ", text)
    text = split_glued_words(join_hyphenated(text))
    text = _BLANK_LINE_RUN.sub("\n\n", text)
    return cut_back_matter(text).strip()
