"""Metadata read off a paper's first page, from its text or its layout."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from papergym.core.ingest.clean import normalize_ligatures
from papergym.core.ingest.layout import LayoutLine, PageLayout
from papergym.core.ingest.line_numbers import line_number_positions, strip_line_numbers_from_text, without_line_number
from papergym.core.ingest.metadata.authors import (
    AUTHOR_ZONE_LINES,
    find_author_block,
    find_authors,
    find_authors_above,
    letter_markers,
    scribe_byline,
)
from papergym.core.ingest.metadata.doi_year import HEADER_LINES, find_doi, find_year
from papergym.core.ingest.metadata.labelled import labelled_front_matter
from papergym.core.ingest.metadata.page_lines import letters
from papergym.core.ingest.metadata.record import Metadata
from papergym.core.ingest.metadata.titles import TITLE_SEARCH_LINES, bold_title, clean_title, find_title, find_title_end, largest_type_title
from papergym.core.ingest.metadata.venue import find_journal

# pdfTeX sets an accent as its own glyph before the letter ("Gr´egory",
# "Sof´ıa"), a cedilla after it ("Franc¸ois"); APS's typesetting puts every accent after its letter ("Buzˇek").
# pypdf returns them apart.
_SPACING_ACCENTS = {
    "\u00b4": "\u0301",
    "`": "\u0300",
    "\u00a8": "\u0308",
    "\u02c6": "\u0302",
    "\u02dc": "\u0303",
    "\u02c7": "\u030c",
    "\u02da": "\u030a",
    "\u02d8": "\u0306",
    "\u02d9": "\u0307",
    "\u02dd": "\u030b",
    "\u00af": "\u0304",
}
# The spacing accents but the grave, which is also an opening quote (``so'').
_ACCENTS = "".join(accent for accent in _SPACING_ACCENTS if accent != "`")
_ACCENT_BEFORE_LETTER = re.compile(f"([`{_ACCENTS}])\\s?([A-Za-z\u0131])")
_CEDILLA_AFTER_LETTER = re.compile("([cCsStTnNlLgGrR])\u00b8")
# REVTeX's fonts may set the cedilla before its "c" ("Fran\u00b8cois"); "ç" goes before a, o or u, as in French,
# Portuguese and Catalan, where a Latvian "ņ" would not.
_CEDILLA_BEFORE_C = re.compile("\u00b8([cC])(?=[aouAOU\u00e3\u00f5])")
_ACCENT_ENDS_WORD = re.compile(f"[A-Za-z][{_ACCENTS}](?=[,;.)\\d]|$)", re.MULTILINE)
_ACCENT_AFTER_LETTER = re.compile(f"([A-Za-z])([{_ACCENTS}])")
# An accent glued to a word's last letter with a space after it is that letter's ("Andre´ E. Punt"), not the
# next word's capital's.
_ACCENT_BEFORE_SPACE = re.compile(f"([A-Za-z])([{_ACCENTS}])(?=\\s)")
# The ogonek hangs under the letter before it ("Je\u02dbdrzej" -> "Jędrzej"); some fonts draw it with the cedilla's
# glyph, set before its vowel ("K\u00b8edziorek" -> "Kędziorek"); after c, s, t, n, l, g or r the cedilla is that
# letter's own ("Berzin\u00b8a" is Latvian "Berziņa").
_OGONEK_AFTER_LETTER = re.compile("([aAeEiIuU])\u02db")
# A diaeresis between a vowel and a consonant is the vowel's, whichever side the font sets it on: no consonant takes
# one ("Scha\u00a8fer" -> "Schäfer" where APS sets it after its letter, "M\u00a8uller" stays "Müller").
_DIAERESIS_AFTER_VOWEL = re.compile("([AEIOUYaeiouy])\u00a8(?=[^\\W\\d_AEIOUYaeiouy\u0131])")
_OGONEK_BEFORE_VOWEL = re.compile("(?<=[^\\W\\d_cCsStTnNlLgGrR])\u00b8([eE])")
# An accent on a capital inside a word in capitals that pypdf set apart by a space ("NICOL `O CESA-BIANCHI" ->
# "NICOLÒ", "IV ´AN FERN ´ANDEZ-VAL", "G ¨UNTER"). A word in capitals that starts with an accented capital after
# another word ("UNE ´ETUDE") reads the same and is joined wrongly; names in capitals are far more common.
# A grave accent is also an opening quote ("THE `BIG' DATA"): it joins only a word's last capital.
_ACCENT_ON_LAST_CAPITAL = re.compile(f"(?<=[A-Z]) (?:([{_ACCENTS}])(?=[A-Z])|(`)(?=[A-Z](?:[\\s,.|]|$)))")
_DOTLESS_I_BEFORE_ACCENT = re.compile(f"\u0131([{_ACCENTS}])")
# A name in capitals whose accent came after its capital and a space after the accent ("DANIEL GRU¨ NBAUM3"): the
# rest of the name runs to its marker. A title's words in capitals have no marker after them, and are left apart.
_NAME_SPLIT_AFTER_ACCENT = re.compile(f"(?<=[A-Z]{{2}})([A-Z])([{_ACCENTS}]) (?=[A-Z]{{2,}}(?:\\d|[*\u2217\u2020,]))")


def _join_accents(text: str) -> str:
    """Text with pdfTeX's detached accents put back on their letters ("Gr´egory" -> "Grégory")."""
    if not any(accent in text for accent in (*_SPACING_ACCENTS, "\u00b8", "\u02db")):
        return text

    def accented(match: re.Match[str]) -> str:
        letter = "i" if match.group(2) == "\u0131" else match.group(2)
        return unicodedata.normalize("NFC", letter + _SPACING_ACCENTS[match.group(1)])

    if _ACCENT_ENDS_WORD.search(text):
        # APS and AIP set the accent after its letter ("Hladky´,1 G. Drobny´,1 and V. Buzˇek"): an accent that
        # ends a word before punctuation or a marker shows it.
        text = _ACCENT_AFTER_LETTER.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + _SPACING_ACCENTS[match.group(2)]), text)
    # A dotless "ı" only ever carries an accent, wherever the font sets it: "Frı´as" -> "Frías".
    text = _DOTLESS_I_BEFORE_ACCENT.sub(lambda match: unicodedata.normalize("NFC", "i" + _SPACING_ACCENTS[match.group(1)]), text)
    text = _ACCENT_ON_LAST_CAPITAL.sub(lambda match: match.group(1) or match.group(2), text)
    text = _NAME_SPLIT_AFTER_ACCENT.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + _SPACING_ACCENTS[match.group(2)]), text)
    text = _DIAERESIS_AFTER_VOWEL.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + "\u0308"), text)
    text = _ACCENT_BEFORE_SPACE.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + _SPACING_ACCENTS[match.group(2)]), text)
    text = _ACCENT_BEFORE_LETTER.sub(accented, text)
    text = _CEDILLA_BEFORE_C.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + "\u0327"), text)
    text = _CEDILLA_AFTER_LETTER.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + "\u0327"), text)
    text = _OGONEK_BEFORE_VOWEL.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + "\u0328"), text)
    return _OGONEK_AFTER_LETTER.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + "\u0328"), text)


# A front-matter line is never this long; a longer one (a hostile or broken page) is cut, so no rule runs long on it.
_MAX_LINE_CHARS = 1000


def from_first_page(text: str, title: str | None = None) -> Metadata:
    """Metadata read off the text of a paper's first page.

    The title is the first substantial line that is not a journal banner, DOI,
    date or running head, joined with its continuation lines; the authors are
    the name-like lines right after it, with affiliation markers removed. A
    title already known (for example from font sizes) can be passed in; the
    authors are then looked for after it.
    """
    text = strip_line_numbers_from_text(_join_accents(normalize_ligatures(text)))
    # A line of control codes alone (a Type 3 font's footnote mark) is no line: it would part the names around it.
    lines = [LayoutLine(" ".join(line[:_MAX_LINE_CHARS].split()), 0.0, "") for line in text.split("\n") if _has_printable(line)]
    return _read_front_matter(lines, text, known_title=title, use_styles=False)


def _has_printable(line: str) -> bool:
    return any(char.isprintable() and not char.isspace() for char in line)


def from_layout(layout: PageLayout, text: str) -> Metadata:
    """Metadata read off a first page's lines and their font sizes.

    The title is the largest type that reads as a title (journal names and
    banners in bigger type are passed over); the authors are the name lines
    after it in the type of the first of them, so affiliations and e-mails set
    in other type between stacked author blocks are skipped.
    """
    text = strip_line_numbers_from_text(_join_accents(normalize_ligatures(text)))
    lines = [
        LayoutLine(_clean_line(line.text), line.size, line.font, line.y, _clean_line(line.marked) if line.marked else "")
        for line in layout.lines
    ]
    numbered = line_number_positions([line.text for line in lines])
    lines = [
        LayoutLine(without_line_number(line.text), line.size, line.font, line.y, without_line_number(line.marked) if line.marked else "")
        if index in numbered
        else line
        for index, line in enumerate(lines)
    ]
    lines = [line for line in lines if line.text.strip()]
    lines = _undoubled(lines)
    # Nature-style and SAGE pages put the title block after the first column's text in reading order, so the
    # rest of the page is searched when its top has none, or has only a title in clearly smaller type (a heading).
    body_size = layout.body_size
    top_title = largest_type_title(lines[:TITLE_SEARCH_LINES], body_size) or bold_title(lines[:TITLE_SEARCH_LINES], body_size)
    page_title = largest_type_title(lines, body_size)
    if (
        top_title is None
        or (
            page_title
            and len(page_title[0].split()) >= _LATER_TITLE_WORDS
            and _title_size(lines, page_title) > _LATER_TITLE_RATIO * _title_size(lines, top_title)
        )
        # A title whose lines run past the top's last line is read whole.
        or (page_title and page_title[0] != top_title[0] and page_title[0].startswith(top_title[0]))
    ):
        title_span = page_title
    else:
        title_span = top_title
    if title_span is None:
        return _read_front_matter(lines, text, known_title=None, use_styles=True)
    title, title_end = title_span
    metadata = _read_front_matter(lines, text, known_title=title, use_styles=True, title_end=title_end)
    return metadata


def _half_of_doubled(text: str) -> str | None:
    """The first half of a line whose words are the same sequence twice ("Area Area"), or None."""
    words = text.split()
    half = len(words) // 2
    return " ".join(words[:half]) if words and len(words) % 2 == 0 and words[:half] == words[half:] else None


# A page that draws its text twice over (bepress DigitalCommons's cover: "University of Nebraska - Lincoln University
# of Nebraska - Lincoln") doubles this many lines of at least two words a half; a single doubled line is the page's.
_DOUBLED_LINES = 2


def _undoubled(lines: list[LayoutLine]) -> list[LayoutLine]:
    """A page's lines with the doubling taken out, when the page draws its text twice over."""
    doubled = [_half_of_doubled(line.text) for line in lines]
    if sum(half is not None and " " in half for half in doubled) < _DOUBLED_LINES:
        return lines
    return [
        LayoutLine(half, line.size, line.font, line.y, line.marked) if half is not None else line
        for line, half in zip(lines, doubled, strict=True)
    ]


def _clean_line(text: str) -> str:
    """A layout line's text cut to a sane length, with ligatures and detached accents put right; a lecture's scribe
    byline as the names it gives."""
    return scribe_byline(_join_accents(normalize_ligatures(text[:_MAX_LINE_CHARS])))


# A title found further down the page wins over one at its top only in type this much larger, and only with this
# many words (a figure's big label, "Unsmoothed", is no title).
_LATER_TITLE_RATIO = 1.25
_LATER_TITLE_WORDS = 4
# How many lines before a title's end may be its lines.
_TITLE_LINES_BACK = 6


def _title_size(lines: list[LayoutLine], title_span: tuple[str, int]) -> float:
    """The largest type of the lines that make up a title, which end just before the index given with it."""
    title, end = title_span
    title_letters = letters(title)
    sizes = [
        line.size for line in lines[max(0, end - _TITLE_LINES_BACK) : end] if letters(line.text) and letters(line.text) in title_letters
    ]
    return max(sizes, default=0.0)


def _read_front_matter(
    lines: list[LayoutLine], text: str, known_title: str | None, use_styles: bool, title_end: int | None = None
) -> Metadata:
    """Title, authors, year, DOI and venue from a first page's lines."""
    if title_end is None:
        lines = lines[: TITLE_SEARCH_LINES + AUTHOR_ZONE_LINES]
    plain = [line.text for line in lines]
    # A cover laid out as a form ("Title" / the title, "Authors" / "Ma, Ili") is read as one.
    labelled = labelled_front_matter(plain)
    if labelled is not None:
        known_title = labelled[0]
    page_title = clean_title(known_title)
    if page_title and title_end is None:
        title_end = find_title_end(plain[:TITLE_SEARCH_LINES], page_title)
    elif not page_title:
        page_title, title_end = find_title(plain[:TITLE_SEARCH_LINES])
    authors: list[str] = list(labelled[1]) if labelled is not None else []
    if title_end is not None and not authors:
        # Names are read where superscript markers are set off, so a marker glued to a name ("Huanga") is not its letter.
        name_lines = [replace(line, text=line.marked) if line.marked else line for line in lines]
        authors = find_authors(name_lines[title_end:], letter_markers(plain), use_styles)
        if not authors and page_title:
            authors = find_authors_above(name_lines[:title_end], page_title)
        if not authors and use_styles:
            authors = find_author_block(name_lines[title_end:], letter_markers(plain))
    origin = "layout" if use_styles else "text"
    doi = find_doi(text)
    metadata = Metadata(title=page_title, authors=authors, year=find_year(text, doi), doi=doi, journal=find_journal(plain[:HEADER_LINES]))
    metadata.sources = {name: origin for name in ("title", "authors", "year", "journal") if getattr(metadata, name)}
    if metadata.doi:
        metadata.sources["doi"] = "doi-pattern"
    return metadata
