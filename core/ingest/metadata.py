"""Find a paper's title, authors, year and DOI.

Three sources disagree in quality: the PDF Info dictionary (often filled by
the authoring tool with junk such as "Microsoft Word - draft3.docx"), the XMP
packet (structured, present in publisher PDFs), and the first page's text
(always there, but has to be read heuristically). Each has its own reader
here, and `from_pdf` combines them field by field.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import Any

from papergym.core.ingest.clean import join_hyphenated, normalize_ligatures
from papergym.core.ingest.layout import LayoutLine, PageLayout, read_page

__all__ = ["Metadata", "from_first_page", "from_info", "from_layout", "from_pdf", "from_xmp", "merge", "read_first_page"]


@dataclass
class Metadata:
    """What is known about a paper; None or [] where a field is unknown."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    doi: str | None = None
    # The venue, when page 1 names one; not part of a paper's identity, so equality ignores it.
    journal: str | None = field(default=None, compare=False)
    # Where each field came from: "layout", "text", "info", "xmp" or "doi-pattern".
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The identifying fields as a plain dict, ready for JSON or a database row."""
        return {"title": self.title, "authors": list(self.authors), "year": self.year, "doi": self.doi}


def merge(*candidates: Metadata) -> Metadata:
    """Combine candidates field by field: each field from the first that has it.

    Callers order the candidates from the most to the least trusted source.
    """
    merged = Metadata()
    for candidate in candidates:
        merged.title = merged.title or candidate.title
        merged.authors = merged.authors or list(candidate.authors)
        merged.year = merged.year or candidate.year
        merged.doi = merged.doi or candidate.doi
    return merged


# --- DOI and year -----------------------------------------------------------

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]+(?:<[^\s\"'<>]+>[^\s\"'<>]*)*")
# The start of a DOI, which pypdf may have broken at a line end. Old Wiley and
# Elsevier DOIs are SICIs with "<...>" inside ("10.1002/(SICI)...<1::AID-X1>3.0.CO;2-M").
_DOI_START = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]*(?:<[^\s\"'<>]+>[^\s\"'<>]*)*")
# Words that pypdf glues onto a DOI's end when the next text object follows without a space.
_GLUED_AFTER_DOI = re.compile(
    r"(?<=\d)(?:doi|https?|www|received|accepted|published|citation|copyright|cite|available|open|licen[cs]e)$", re.IGNORECASE
)
_DOI_TRAILING_PUNCTUATION = ".,;:'\""
_DOI_BROKEN_AT_LINE_END = re.compile(r"[ \t]*\n[ \t]*(?P<rest>[^\s\"'<>]+)")
_FIRST_YEAR = 1900
_LAST_YEAR = 2100


def _find_doi(text: str) -> str | None:
    """The first DOI in a text, without the punctuation that ends its sentence.

    A DOI broken at a line end just after "/", "-" or "_" is rejoined, and
    after "." when the next line goes on with a digit or a lower-case letter
    (a capital there starts a new sentence).
    """
    for match in _DOI_START.finditer(text):
        doi = match.group(0)
        rest = _DOI_BROKEN_AT_LINE_END.match(text, match.end())
        page_number = rest is not None and rest.group("rest").isdigit() and len(rest.group("rest")) <= 4
        if rest and not page_number and (doi.endswith(("/", "-", "_")) or (doi.endswith(".") and not rest.group("rest")[0].isupper())):
            doi += rest.group("rest")
        trimmed = _trim_doi(_GLUED_AFTER_DOI.sub("", doi))
        if trimmed:
            return trimmed
    return None


def _trim_doi(doi: str) -> str | None:
    """A DOI without trailing punctuation or a closing bracket it never opened."""
    while doi:
        if doi[-1] in _DOI_TRAILING_PUNCTUATION or (
            doi[-1] in ")]}" and doi.count(doi[-1]) > doi.count({")": "(", "]": "[", "}": "{"}[doi[-1]])
        ):
            doi = doi[:-1]
        else:
            break
    return doi if _DOI.fullmatch(doi) else None


def _year_in_range(year: int | None) -> int | None:
    """The year if it is a plausible publication year, else None."""
    return year if year is not None and _FIRST_YEAR <= year <= _LAST_YEAR else None


_YEAR_DIGITS = r"(?:19|20)\d{2}|2100"
_YEAR = rf"(?P<year>{_YEAR_DIGITS})"
_ANY_YEAR = rf"({_YEAR_DIGITS})"
# Ordered from the year closest to publication to the one furthest from it.
_EXPLICIT_YEAR_PATTERNS = (
    re.compile(rf"\b(?:published(?:\s+online)?|available\s+online|issue\s+date)\b[^\n]{{0,40}}?\b{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"(?:©|\(c\)|\bcopyright)\s*(?:©\s*)?{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\baccepted\b[^\n]{{0,40}}?\b{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\breceived\b[^\n]{{0,40}}?\b{_YEAR}\b", re.IGNORECASE),
)
# A journal or series line names its year: "Sci. 12 (2024) 1-4", "Letters in
# Biochemistry (2023) 5:107", "Vol. 12, 2024", "Technical Reports, 2021".
_JOURNAL_LINE_YEAR = re.compile(
    rf"\({_ANY_YEAR}\)|\b(?:vol(?:ume)?|no|issue)\.?\s*\d{{1,4}}[^\n]{{0,30}}?\b{_ANY_YEAR}\b|,\s*{_ANY_YEAR}$",
    re.IGNORECASE,
)
# Lines at the top of the page (and its last few, the footer) are banners;
# further down a "(2019)" is likely a citation.
_HEADER_LINES = 10
_FOOTER_LINES = 2


# Stamps that name the day a file was fetched or printed, not published.
_DOWNLOAD_STAMP = re.compile(
    r"\b(?:downloaded|accessed|retrieved|printed|generated|provided\s+by|this\s+pdf|terms\s+of\s+use|for\s+personal\s+use)\b",
    re.IGNORECASE,
)
_ARXIV_STAMP = re.compile(rf"arXiv:\s*[\w./-]+\s*(?:\[[^\]]*\])?\s*\d{{1,2}}\s+[A-Z][a-z]{{2}}\s+{_YEAR}\b")


def _find_year(text: str) -> int | None:
    """The publication year a first page states, or None.

    Dates after "published", "©", "accepted" and "received" are trusted in
    that order; then a year in a journal banner among the page's first or
    last lines, where a citation such as "Smith et al. (2019)" is unlikely;
    then the date of an arXiv stamp. Lines that say when the file was
    downloaded or printed are never read.
    """
    text = "\n".join(line for line in text.split("\n") if not _DOWNLOAD_STAMP.search(line))
    journal_year = _journal_line_year(text)
    for pattern in _EXPLICIT_YEAR_PATTERNS:
        match = pattern.search(text)
        if match:
            year = _year_in_range(int(match.group("year")))
            # A journal banner's issue year outranks a copyright or history
            # date up to a year before it (online first, printed next year).
            if year and journal_year and 0 < journal_year - year <= 1 and pattern is not _EXPLICIT_YEAR_PATTERNS[0]:
                return journal_year
            return year
    if journal_year:
        return journal_year
    arxiv = _ARXIV_STAMP.search(text)
    return _year_in_range(int(arxiv.group("year"))) if arxiv else None


# A conference or issue date in a banner: "June 2009", "July 5 - 10, 2020", "8-14 July 2012", "(ACL-2007)".
_BANNER_DATE_YEAR = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2}(?:\s*[-\u2013]\s*(?:[a-z]+\s+)?\d{1,2})?,?\s+)?"
    rf"(?P<year>{_YEAR_DIGITS})\b|\([A-Z]{{2,}}[- ]?(?P<acronym_year>{_YEAR_DIGITS})\)"
    r"|\b\d{1,2}(?:\s*[-\u2013]\s*\d{1,2})?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+"
    rf"(?P<day_first_year>{_YEAR_DIGITS})\b",
    re.IGNORECASE,
)
# A conference's short name with its year: "SIGMOD'07", "KDD '09", "CHI 2019".
_CONFERENCE_TAG = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]+)?\s?['\u2019]\d{2}\b|\b[A-Z]{3,}\s(?:19|20)\d{2}\b")
_PROCEEDINGS_LINE = re.compile(r"^(?:in\s+)?(?:proceedings|appearing\s+in|published\s+in|to\s+appear\s+in)\b", re.IGNORECASE)


def _journal_line_year(text: str) -> int | None:
    """The year in a journal or proceedings banner among the page's first or last lines, or None."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    banner_lines = lines[:_HEADER_LINES] + lines[-_FOOTER_LINES:]
    for line in banner_lines:
        match = _JOURNAL_LINE_YEAR.search(line.rstrip(".") if _PROCEEDINGS_LINE.match(line) else line)
        if match and "et al" not in line and (not line.endswith(".") or _PROCEEDINGS_LINE.match(line)):
            return _year_in_range(int(next(year for year in match.groups() if year)))
    for index, line in enumerate(banner_lines):
        follows_proceedings = index > 0 and bool(_PROCEEDINGS_LINE.match(banner_lines[index - 1]))
        banner = _PROCEEDINGS_LINE.match(line) or _BANNER_START.match(line) or _BANNER_ANYWHERE.search(line) or _CONFERENCE_TAG.search(line)
        if (banner or follows_proceedings) and "et al" not in line:
            date = _BANNER_DATE_YEAR.search(line)
            if date:
                return _year_in_range(int(date.group("year") or date.group("acronym_year") or date.group("day_first_year")))
    return None


# --- Titles -----------------------------------------------------------------

_JUNK_TITLE = re.compile(
    r"^(?:untitled\b.*|microsoft\s+\w+\s*-.*|.*\.(?:pdf|docx?|tex|dvi|ps|eps|rtf|odt|indd|qxd|txt)"
    r"|document\d*|doc\d*|title|paper|article|manuscript|main|draft|template|layout\s*\d*"
    r"|pii:.*|doi:.*|10\.\d{4,9}/.*|slide\s*\d*|\d+"
    # Typesetters' job names ("OP-GENE210101 1..14", "JMF-2019-4604-ver9", "28 e.xps") and placeholders.
    r"|\S+\s+\d+\.\.\d+|[A-Z]{2,}[-_]?\d[\w-]*|[A-Z]+-\d{4}-\d+(?:-ver\d+)?|\d+\s+\S+\.xps"
    r"|anonymous\s+submission.*|proceedings\s+template.*|paper\s+title.*|insert\s+(?:your\s+)?title.*|title\s+of\s+(?:the\s+)?paper)$",
    re.IGNORECASE,
)


def _clean_title(title: str | None) -> str | None:
    """A title with its spacing tidied, or None when it is empty or junk.

    Junk is what tools put there instead of a title: "untitled", "Microsoft
    Word - x.docx", a file name, a DOI or PII, or text with no letters at all.
    """
    if not title:
        return None
    title = " ".join(normalize_ligatures(title).split()).strip(" .")
    if len(title) < 4 or not any(char.isalpha() for char in title):
        return None
    if _JUNK_TITLE.match(title):
        return None
    if " " not in title and ("_" in title or any(char.isdigit() for char in title)):
        return None
    return title


# --- Authors ----------------------------------------------------------------

_JUNK_AUTHORS = frozenset(
    {
        "",
        "admin",
        "administrator",
        "author",
        "authors",
        "owner",
        "user",
        "unknown",
        "anonymous",
        "windows user",
        "microsoft office user",
        "microsoft",
        "default",
        "guest",
    }
)
_INITIALS = re.compile(r"^(?:[A-Z]\.?\s*-?\s*){1,4}$")
_NAME_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "del", "della", "la", "le", "du", "dos", "das", "ten", "ter", "bin", "al", "el", "y"}
)
_ET_AL = re.compile(r"\bet\s*al\.?", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|,|&|\band\b)\s*")


def _split_author_string(authors: str | None) -> list[str]:
    """Authors from one string such as "Smith, J.; Demo, A." or "J. Smith and A. Demo".

    Semicolons split first, and an item "Smith, J." or "Smith, John" is turned
    round. Without semicolons, commas and "and" split, and a piece that is only
    initials ("J.") or, when every piece is one word, every second piece, is
    read as the given name of the piece before it.
    """
    if not authors:
        return []
    authors = _ET_AL.sub("", normalize_ligatures(authors))
    if ";" in authors:
        names = [_turn_round(item) for item in authors.split(";")]
    else:
        pieces = [piece for piece in _AUTHOR_SEPARATORS.split(authors) if piece.strip()]
        names = _pair_surnames_with_given_names(pieces)
    return _unique_names(names)


def _turn_round(item: str) -> str:
    """ "Smith, John" or "van Dijk, J." as "John Smith"; other text unchanged."""
    parts = [part.strip() for part in item.split(",")]
    if len(parts) != 2 or not all(parts):
        return item
    surname_words = [word for word in parts[0].split() if word.lower() not in _NAME_PARTICLES]
    if len(surname_words) == 1 or _INITIALS.match(parts[1]):
        return f"{parts[1]} {parts[0]}"
    return item


def _pair_surnames_with_given_names(pieces: list[str]) -> list[str]:
    """Comma-split pieces joined back into names where "Surname, Given" was meant."""
    pieces = [piece.strip() for piece in pieces]
    surnames, given_names = pieces[0::2], pieces[1::2]
    all_single_words = len(pieces) % 2 == 0 and all(" " not in piece for piece in pieces)
    if all_single_words and not any(_INITIALS.match(surname) for surname in surnames):
        return [f"{given} {surname}" for surname, given in zip(surnames, given_names)]
    names: list[str] = []
    for piece in pieces:
        if _INITIALS.match(piece) and names:
            names[-1] = f"{piece} {names[-1]}"
        else:
            names.append(piece)
    return names


def _unique_names(names: list[str]) -> list[str]:
    """Names tidied, without junk such as "Administrator", each once, in order."""
    unique: list[str] = []
    for name in names:
        name = " ".join(re.sub(r"\([^)]*\)?|\S+@\S+", " ", name).split()).strip(" ,;")
        if name.lower() in _JUNK_AUTHORS or not any(char.isalpha() for char in name):
            continue
        if name not in unique:
            unique.append(name)
    return unique


# --- The Info dictionary ----------------------------------------------------

_INFO_YEAR = re.compile(r"^(?:D:)?(?P<year>\d{4})")
_INFO_DOI_KEYS = ("/doi", "/DOI", "/Subject", "/Keywords", "/Title")


def from_info(info: dict[str, Any] | None) -> Metadata:
    """Metadata from a PDF Info dictionary ("/Title", "/Author", "/CreationDate", ...)."""
    if not info:
        return Metadata()
    texts = {str(key): _as_text(value) for key, value in info.items()}
    year_match = _INFO_YEAR.match(texts.get("/CreationDate") or texts.get("/ModDate") or "")
    doi = None
    for key in (*_INFO_DOI_KEYS, *sorted(texts)):
        doi = _find_doi(texts.get(key) or "")
        if doi:
            break
    return Metadata(
        title=_clean_title(texts.get("/Title")),
        authors=_split_author_string(texts.get("/Author")),
        year=_year_in_range(int(year_match.group("year"))) if year_match else None,
        doi=doi,
    )


def _as_text(value: Any) -> str | None:
    """A metadata value as text; None stays None."""
    if value is None:
        return None
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            return value.decode("utf-16", errors="replace")
        return value.decode("utf-8", errors="replace")
    text = str(value)
    # UTF-16 that a producer wrote without marking it, read back as Latin-1: "þÿ\x00T\x00i...".
    if text.startswith(("\u00fe\u00ff", "\u00ff\u00fe")) or (len(text) > 3 and text.count("\x00") >= len(text) // 3):
        raw = text.encode("latin-1", errors="ignore")
        encoding = "utf-16" if raw.startswith((b"\xfe\xff", b"\xff\xfe")) else ("utf-16-be" if raw[:1] == b"\x00" else "utf-16-le")
        text = raw.decode(encoding, errors="replace")
    return text.replace("\x00", "")


# --- XMP --------------------------------------------------------------------

_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Properties are matched by local name, because publishers use several
# PRISM versions and their own namespaces (pdfx:doi, crossmark:DOI).
_XMP_DOI_NAMES = ("doi", "DOI", "identifier")
# Dates in order of trust: the publication date first, the file's last.
_XMP_DATE_NAMES = ("publicationDate", "coverDate", "coverDisplayDate", "date", "CreateDate")


def from_xmp(xmp_xml: bytes | str | None) -> Metadata:
    """Metadata from an XMP packet; empty Metadata when it is missing or malformed.

    Reads dc:title, dc:creator, prism:doi (or pdfx:doi, crossmark:DOI, or a
    "doi:" dc:identifier) and the year of prism:publicationDate, falling back
    to dc:date and xmp:CreateDate.
    """
    properties = _xmp_properties(xmp_xml)
    if not properties:
        return Metadata()
    doi = None
    for name in _XMP_DOI_NAMES:
        for value in properties.get(name, []):
            doi = doi or _find_doi(value)
    year = None
    for name in _XMP_DATE_NAMES:
        for value in properties.get(name, []):
            year = year or _year_in_range(_leading_year(value))
    titles = properties.get("title", [])
    authors = _unique_names([_turn_round(creator) for creator in properties.get("creator", [])])
    if len(authors) == 1:
        # Some tools write all authors into a single dc:creator entry.
        authors = _split_author_string(authors[0])
    return Metadata(title=_clean_title(titles[0]) if titles else None, authors=authors, year=year, doi=doi)


def _leading_year(value: str) -> int | None:
    """The year at the start of an XMP date such as "2024-06-01T12:00:00Z"."""
    match = re.match(r"\s*(\d{4})", value)
    return int(match.group(1)) if match else None


def _xmp_properties(xmp_xml: bytes | str | None) -> dict[str, list[str]]:
    """The XMP properties we use, by local name, each with its text values.

    XMP never has a DTD, so a packet with one is refused: that rules out
    entity-expansion attacks from a hostile PDF.
    """
    if not xmp_xml:
        return {}
    if isinstance(xmp_xml, bytes):
        xmp_xml = xmp_xml.decode("utf-8", errors="replace")
    xmp_xml = xmp_xml.lstrip("\ufeff \t\r\n\x00")
    if "<!DOCTYPE" in xmp_xml or "<!ENTITY" in xmp_xml:
        return {}
    try:
        root = ElementTree.fromstring(xmp_xml)
    except (ElementTree.ParseError, ValueError):
        return {}
    wanted = {"title", "creator", *_XMP_DOI_NAMES, *_XMP_DATE_NAMES}
    properties: dict[str, list[str]] = {}
    for description in root.iter(f"{_RDF}Description"):
        for attribute, value in description.attrib.items():
            name = _local_name(attribute)
            if name in wanted and value.strip():
                properties.setdefault(name, []).append(value.strip())
        for element in description:
            name = _local_name(element.tag)
            if name in wanted:
                properties.setdefault(name, []).extend(_xmp_values(element))
    return properties


def _local_name(tag: str) -> str:
    """An XML name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _xmp_values(element: ElementTree.Element) -> list[str]:
    """The text values of an XMP property: its rdf:li items, or its own text.

    In an rdf:Alt (language alternatives) the x-default item comes first.
    """
    items = list(element.iter(f"{_RDF}li"))
    if not items:
        text = (element.text or "").strip()
        return [text] if text else []
    default_first = sorted(items, key=lambda item: item.get(_XML_LANG) != "x-default")
    return [" ".join(item.text.split()) for item in default_first if item.text and item.text.strip()]


# --- The first page ---------------------------------------------------------

_TITLE_SEARCH_LINES = 30
_MAX_TITLE_LINES = 3
_MAX_AUTHOR_LINES = 4
# Lines that start like a journal banner or a history line.
_BANNER_START = re.compile(
    r"^(?:(?:original|research|review|short|brief)\s+(?:research|article|paper|report|communication)\b"
    r"|journal\s+of|proceedings|proc\.|vol\.|volume\s+\d|received|accepted|published|available\s+online"
    r"|preprint|arxiv|contents\s+lists|citation:|cite\s+this|submitted|manuscript|doi\b|keywords|key\s+words"
    r"|copyright|issn|e-?issn|draft\s+version|typeset\s+using|open\s+access"
    r"|\w+\s+publishing|published\s+by|in\s+proceedings|to\s+appear|under\s+review|accepted\s+(?:at|to|for)|workshop\b)",
    re.IGNORECASE,
)
# Lines that are nothing but an article-type label.
_ARTICLE_TYPE_LINE = re.compile(
    r"^(?:research|original|review|short|brief|technical)?\s*(?:article|paper|letter|review|communication"
    r"|report|note|editorial|correspondence|open\s+access)s?$|^(?:a\s+)?(?:preprint|draft|working\s+paper|technical\s+report|extended\s+abstract)$",
    re.IGNORECASE,
)
_BANNER_ANYWHERE = re.compile(
    r"10\.\d{4,9}/|https?:|www\.|@|©|\bissn\b|arxiv:|\(\d{4}\)"
    r"|\bjournal\s+of\b|\bproceedings\s+of\b|\btransactions\s+(?:on|of)\b|\bpublishing\s+(?:corporation|group|ltd)\b"
    r"|\b(?:elsevier|springer|wiley|taylor\s*&\s*francis|hindawi|mdpi|frontiers\s+in|biomed\s+central|plos|cell\s+press)\b"
    r"|\bvol(?:ume)?\.?\s*\d|\bpp\.\s*\d|\bpages\s+\d|\bconference\s+on\b|\bsymposium\b|\bworkshop\s+on\b"
    r"|\ball\s+rights\s+reserved\b|\bcreative\s+commons\b|\bcorrespond|\bopen\s+access\b|^(?:[A-Z] ){4,}",
    re.IGNORECASE,
)
# Running heads that a first page may carry too: "Smith et al.", and
# upper-case author lists such as "SOLBERG, IBARRA & NWOSU".
_RUNNING_HEAD = re.compile(r"\bet\s+al\b|^[A-Z][A-Z'\u2019-]+(?:,\s*[A-Z][A-Z'\u2019-]+)*\s*(?:&|AND)\s*[A-Z][A-Z'\u2019-]+\b")
_DATE_LINE = re.compile(
    r"^(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?\d{4}$",
    re.IGNORECASE,
)
_AFFILIATION_WORDS = re.compile(
    r"\b(?:universit\w*|universidad|universidade|department|dept\.|departamento|departament|institute|institut|instituto"
    r"|laborator(?:y|ies|io|ium)|lab|faculty|college|school|centre|center|centro|hospital|clinic|academy|inc\.?|ltd|gmbh|corporation|corp\.?"
    r"|company|division|group|research|sciences?|engineering|technology|polytechnic|foundation|ministry|council|agency|observatory"
    r"|program(?:me)?|unit|station|avenue|street|road|box|campus|labs|technologies|informatics|computing|way|drive|suite|building)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"@|\be-?mail\b", re.IGNORECASE)
# An affiliation labelled by a letter that pypdf glues on: "aSchool of ...".
_AFFILIATION_WITH_LETTER = re.compile(r"^(?P<letter>[a-h])\s?(?=[A-Z])")
_SECTION_START = re.compile(
    r"^(?:abstract|a\s?b\s?s\s?t\s?r\s?a\s?c\s?t|summary|introduction|(?:1|i)\.?\s+introduction|background|key\s*words|index\s+terms)\b",
    re.IGNORECASE,
)
# Affiliation and footnote markers glued to or just after a name.
_MARKERS = re.compile(
    r"(?<=[^\W\d_]),\s?\d{1,2}(?:\s*,\s*(?:\d{1,2}|[a-z*\u2217\u2020\u2021](?![a-z])))*[*\u2217\u2020\u2021]*(?=[\s,]|$)"
    r"|(?<=[^\W\d_])(?:\d{1,2}(?:\s*[,\u2013-]\s*(?:\d{1,2}|[a-z*\u2217](?![a-z])))*|[*\u2217\u2020\u2021\u00a7\u00b6\u2016#$+\u00b9\u00b2\u00b3\u2070-\u2079]+)+"
    r"|(?<=\s)(?:\d{1,2}(?:,\d{1,2})*)?[*\u2217\u2020\u2021\u00a7\u00b6\u2016#]*(?<=[\d*\u2217\u2020\u2021\u00a7\u00b6\u2016#])(?=\s|,|$)"
    r"|(?<=[a-z])[a-z](?:,[a-z])+(?=[\s,]|$)"
    r"|(?<=\s)[a-z](?:,[a-z])*(?=\s|,|$)"
)
_MARKER_SEPARATOR = "|"
_MARKER_SYMBOLS = "*\u2217\u2020\u2021\u00a7\u00b6\u2016#"
_NAME_SPLIT = re.compile(r"\s*(?:\||,|;|&|\band\b)\s*")
_TITLE_CONTINUES_AFTER = frozenset(
    {
        "of",
        "in",
        "for",
        "and",
        "the",
        "a",
        "an",
        "on",
        "with",
        "to",
        "by",
        "from",
        "at",
        "via",
        "into",
        "under",
        "between",
        "through",
        "towards",
        "toward",
        "using",
        "its",
        "their",
        "as",
        "or",
    }
)


# pdfTeX sets an accent as its own glyph before the letter ("Gr´egory",
# "Sof´ıa"), a cedilla after it ("Franc¸ois"); pypdf returns them apart.
_SPACING_ACCENTS = {
    "\u00b4": "\u0301",
    "`": "\u0300",
    "\u00a8": "\u0308",
    "\u02c6": "\u0302",
    "\u02dc": "\u0303",
    "\u02c7": "\u030c",
    "\u02da": "\u030a",
}
_ACCENT_BEFORE_LETTER = re.compile("([\u00b4`\u00a8\u02c6\u02dc\u02c7\u02da])\\s?([A-Za-z\u0131])")
_CEDILLA_AFTER_LETTER = re.compile("([cCsStT])\u00b8")


def _join_accents(text: str) -> str:
    """Text with pdfTeX's detached accents put back on their letters ("Gr´egory" -> "Grégory")."""
    if not any(accent in text for accent in (*_SPACING_ACCENTS, "\u00b8")):
        return text

    def accented(match: re.Match[str]) -> str:
        letter = "i" if match.group(2) == "\u0131" else match.group(2)
        return unicodedata.normalize("NFC", letter + _SPACING_ACCENTS[match.group(1)])

    text = _ACCENT_BEFORE_LETTER.sub(accented, text)
    return _CEDILLA_AFTER_LETTER.sub(lambda match: unicodedata.normalize("NFC", match.group(1) + "\u0327"), text)


def from_first_page(text: str, title: str | None = None) -> Metadata:
    """Metadata read off the text of a paper's first page.

    The title is the first substantial line that is not a journal banner, DOI,
    date or running head, joined with its continuation lines; the authors are
    the name-like lines right after it, with affiliation markers removed. A
    title already known (for example from font sizes) can be passed in; the
    authors are then looked for after it.
    """
    text = _join_accents(normalize_ligatures(text))
    lines = [LayoutLine(" ".join(line.split()), 0.0, "") for line in text.split("\n") if line.strip()]
    return _read_front_matter(lines, text, known_title=title, use_styles=False)


def from_layout(layout: PageLayout, text: str) -> Metadata:
    """Metadata read off a first page's lines and their font sizes.

    The title is the largest type that reads as a title (journal names and
    banners in bigger type are passed over); the authors are the name lines
    after it in the type of the first of them, so affiliations and e-mails set
    in other type between stacked author blocks are skipped.
    """
    text = _join_accents(normalize_ligatures(text))
    lines = [LayoutLine(_join_accents(normalize_ligatures(line.text)), line.size, line.font, line.y) for line in layout.lines]
    lines = [line for line in lines if line.text.strip()]
    # Nature-style pages put the title block after the first column's text
    # in reading order, so the rest of the page is searched when its top has none.
    title_span = (
        _largest_type_title(lines[:_TITLE_SEARCH_LINES], layout.body_size)
        or _bold_title(lines[:_TITLE_SEARCH_LINES])
        or _largest_type_title(lines, layout.body_size)
    )
    if title_span is None:
        return _read_front_matter(lines, text, known_title=None, use_styles=True)
    title, title_end = title_span
    metadata = _read_front_matter(lines, text, known_title=title, use_styles=True, title_end=title_end)
    return metadata


def _read_front_matter(
    lines: list[LayoutLine], text: str, known_title: str | None, use_styles: bool, title_end: int | None = None
) -> Metadata:
    """Title, authors, year, DOI and venue from a first page's lines."""
    if title_end is None:
        lines = lines[: _TITLE_SEARCH_LINES + _AUTHOR_ZONE_LINES]
    plain = [line.text for line in lines]
    page_title = _clean_title(known_title)
    if page_title and title_end is None:
        title_end = _find_title_end(plain[:_TITLE_SEARCH_LINES], page_title)
    elif not page_title:
        page_title, title_end = _find_title(plain[:_TITLE_SEARCH_LINES])
    authors: list[str] = []
    if title_end is not None:
        authors = _find_authors(lines[title_end:], _letter_markers(plain), use_styles)
    origin = "layout" if use_styles else "text"
    metadata = Metadata(
        title=page_title, authors=authors, year=_find_year(text), doi=_find_doi(text), journal=_find_journal(plain[:_HEADER_LINES])
    )
    metadata.sources = {name: origin for name in ("title", "authors", "year", "journal") if getattr(metadata, name)}
    if metadata.doi:
        metadata.sources["doi"] = "doi-pattern"
    return metadata


_TITLE_FONT_RATIO = 1.15
_MAX_TITLE_CHARS = 300
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,6}\.)\s")
# Lines of this many letters or fewer are markers or symbols set apart ("∗", "1").
_STRAY_MARK_LETTERS = 1


def _largest_type_title(lines: list[LayoutLine], body_size: float) -> tuple[str, int] | None:
    """The title in the largest type that reads as one, and the index of the line after it.

    Each stretch of consecutive lines in one size is a candidate; sizes are
    tried from the largest down, so a big journal name, a figure label or an
    article-type banner is passed over for the title below it.
    """
    runs = _same_size_runs(lines)
    sizes = sorted({line.size for line in lines if line.size >= body_size * _TITLE_FONT_RATIO}, reverse=True)
    for size in sizes:
        for start, end in runs:
            if lines[start].size != size:
                continue
            run = [line.text for line in lines[start:end] if _letter_count(line.text) > _STRAY_MARK_LETTERS]
            title, used = _title_from_run(run)
            if title:
                return title, _index_after(lines, start, end, used)
    return None


_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|\bBX|CMBX|-B\b|\.B\b|Bd", re.IGNORECASE)


def _bold_title(lines: list[LayoutLine]) -> tuple[str, int] | None:
    """The first stretch of bold lines in one type that reads as a title, for titles set in the body size."""
    start = 0
    while start < len(lines):
        end = start + 1
        while end < len(lines) and lines[end].same_style(lines[start]):
            end += 1
        if _BOLD_FONT.search(lines[start].font):
            title, used = _title_from_run([line.text for line in lines[start:end]])
            if title:
                return title, _index_after(lines, start, end, used)
        if _SECTION_START.match(lines[start].text):
            return None
        start = end
    return None


def _same_size_runs(lines: list[LayoutLine]) -> list[tuple[int, int]]:
    """(start, end) of each stretch of lines in one font size, stray marks bridged."""
    runs: list[tuple[int, int]] = []
    start = 0
    while start < len(lines):
        end = start + 1
        while end < len(lines) and (
            abs(lines[end].size - lines[start].size) < 0.25 or _letter_count(lines[end].text) <= _STRAY_MARK_LETTERS
        ):
            end += 1
        runs.append((start, end))
        start = end
    return runs


def _title_from_run(run: list[str]) -> tuple[str | None, int]:
    """The title that a stretch of same-size lines gives, and how many of its lines it used."""
    used = 0
    kept: list[str] = []
    for line in run[: _MAX_TITLE_LINES + 1]:
        if kept and ((_looks_like_author_line(line) and _has_markers(line)) or _is_affiliation(line)):
            break
        if not kept and _is_banner(line):
            used += 1
            continue
        kept.append(line)
        used += 1
    if not kept:
        return None, used
    title = _clean_title(join_hyphenated("\n".join(kept)).replace("\n", " "))
    if not title or not _reads_as_title(title):
        return None, used
    return title, used


def _reads_as_title(title: str) -> bool:
    """Whether text in large type can be a paper's title, not a banner, heading or figure label."""
    words = title.split()
    if len(words) < 2 or len(title) > _MAX_TITLE_CHARS or len(title) < 10:
        return False
    if _is_banner(title) or _SECTION_START.match(title) or _NUMBERED_HEADING.match(title) or _FIGURE_TEXT.search(title):
        return False
    if (len(words) < 3 and len(title) < 20) or (len(words) <= 4 and _JOURNAL_NAME.match(title)):
        return False
    letters = _letter_count(title)
    if not any(char.isupper() for char in title):
        return False  # a journal's logo type ("future internet"), never a title
    return letters >= 0.6 * len(title.replace(" ", "")) and sum(word[:1].isalpha() for word in words) >= 0.6 * len(words)


# A journal's name set large as its logo: "Nature Communications", "Physical Review Letters".
_JOURNAL_NAME = re.compile(
    r"^(?:[A-Z][\w&.-]*\s+){0,3}(?:journal|letters|reports|communications|reviews?|transactions|annals|advances|bulletin"
    r"|magazine|proceedings|research|chemistry|physics|medicine|sciences?|internet|nature|cell)$",
    re.IGNORECASE,
)
# Text in figures: labels ("Fig. 2", "Figure 1b") and axis titles with units ("Temperature (K)").
_FIGURE_TEXT = re.compile(r"^(?:fig(?:ure)?\.?\s*\d|panel\s+[a-z]\b)|\((?:[a-zA-Zµ°%/^\d\s·.-]{1,8})\)$", re.IGNORECASE)


def _index_after(lines: list[LayoutLine], start: int, end: int, used: int) -> int:
    """The index of the line after the `used` lettered lines of lines[start:end]."""
    seen = 0
    for index in range(start, end):
        if _letter_count(lines[index].text) > _STRAY_MARK_LETTERS:
            seen += 1
            if seen == used:
                return index + 1
    return end


def _letter_count(text: str) -> int:
    return sum(char.isalpha() for char in text)


def _is_banner(line: str) -> bool:
    """Whether a first-page line is a banner, date, DOI or other non-title line."""
    return bool(
        _BANNER_START.match(line)
        or _ARTICLE_TYPE_LINE.match(line)
        or _BANNER_ANYWHERE.search(line)
        or _RUNNING_HEAD.search(line)
        or _DATE_LINE.match(line)
        or _is_affiliation(line)
        or re.fullmatch(r"[\d\W]*", line)
    )


def _is_affiliation(line: str) -> bool:
    """Whether a line is an address: an e-mail, or an institution with a comma or a marker.

    A title may well name a "center" or a "school"; an address also lists
    places after commas or starts with its marker ("1Department", "aSchool").
    """
    if _EMAIL.search(line):
        return True
    if not _AFFILIATION_WORDS.search(line) and not _AFFILIATION_WORDS.search(line[1:]):
        return False
    return "," in line or not line[:1].isalpha() or bool(_AFFILIATION_WITH_LETTER.match(line))


def _find_title(lines: list[str]) -> tuple[str | None, int | None]:
    """The title and the index of the line after it, or (None, None)."""
    for start, line in enumerate(lines):
        if _SECTION_START.match(line):
            return None, None
        if _is_banner(line) or len(line.split()) < 2 or len(line) < 10 or line.endswith("."):
            continue
        if _looks_like_author_line(line) and _has_markers(line):
            continue
        end = start + 1
        while end < len(lines) and end - start < _MAX_TITLE_LINES and _continues_title(lines, start, end):
            end += 1
        title = join_hyphenated("\n".join(lines[start:end])).replace("\n", " ")
        return _clean_title(title), end
    return None, None


def _continues_title(lines: list[str], start: int, candidate: int) -> bool:
    """Whether lines[candidate] continues the title that begins at lines[start]."""
    line = lines[candidate]
    previous = lines[candidate - 1]
    if _is_banner(line) or _SECTION_START.match(line) or line.endswith("."):
        return False
    if _has_markers(line) and _looks_like_author_line(line):
        return False
    if previous.split()[-1].lower() in _TITLE_CONTINUES_AFTER or previous.endswith((":", "-", ",")):
        return True
    if not _looks_like_author_line(line):
        return True
    # A name-like line without markers ("Heat Diffusion") is more title only
    # when the marked author line comes right after it.
    following = lines[candidate + 1] if candidate + 1 < len(lines) else ""
    return _looks_like_author_line(following) and _has_markers(following)


def _find_title_end(lines: list[str], title: str) -> int | None:
    """The index of the line after a known title's last line, or None."""
    wanted = _letters(title)
    for start in range(len(lines)):
        seen = ""
        for end in range(start, min(start + _MAX_TITLE_LINES + 2, len(lines))):
            seen += _letters(lines[end])
            if not wanted.startswith(seen):
                break
            if seen == wanted:
                return end + 1
    return None


def _letters(text: str) -> str:
    """Only the letters and digits of a text, lower-cased, for loose comparison."""
    return "".join(char for char in text.lower() if char.isalnum())


def _has_markers(line: str) -> bool:
    """Whether a line carries affiliation or footnote markers after its words."""
    return bool(re.search(r"[^\W\d_]\d|[*\u2217\u2020\u2021\u2660-\u2667\u25a1\u2662\u22c4]", line))


# Titles and degrees around names: "Dr. Saeed Murtaza", "Ed Chang, Member, IEEE".
_HONORIFIC = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|sir)\.?\s+", re.IGNORECASE)
_IEEE_GRADE = re.compile(r",?\s*(?:(?:student|senior|life)\s+)?(?:member|fellow)\s*,?\s*(?:IEEE|ACM|OSA|SPIE)\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*\([^)]*\)?")
# Symbols that mark affiliations in some templates: ♠ ♢ ♡ ♣ □ ⋄ and Greek letters.
_EMAIL_ADDRESS = re.compile(r"\S*@\S*|\{[^}]*\}\S*")
# Countries and places that end an address line set in the authors' type.
_PLACE_WORDS = frozenset(
    [
        "usa",
        "uk",
        "u.k.",
        "china",
        "japan",
        "germany",
        "france",
        "italy",
        "spain",
        "canada",
        "australia",
        "india",
        "korea",
        "brazil",
        "netherlands",
        "switzerland",
        "sweden",
        "israel",
        "singapore",
        "africa",
        "america",
        "kingdom",
        "belgium",
        "austria",
        "denmark",
        "norway",
        "finland",
        "poland",
        "portugal",
        "greece",
        "ireland",
        "mexico",
        "russia",
        "taiwan",
        "iran",
        "turkey",
        "egypt",
        "chile",
        "argentina",
        "pakistan",
        "bangladesh",
        "malawi",
    ]
)
_SYMBOL_MARKERS = re.compile(r"[\u2660-\u2667\u25a1\u22c4\u03b1-\u03c9\u2662]+")


def _name_pieces(line: str) -> list[str]:
    """A line split into name candidates at commas, "and" and markers."""
    line = _IEEE_GRADE.sub("", _PARENTHESES.sub(" ", _EMAIL_ADDRESS.sub(" ", line)))
    line = _SYMBOL_MARKERS.sub(_MARKER_SEPARATOR, line)
    unmarked = _MARKERS.sub(_MARKER_SEPARATOR, _ET_AL.sub("", line))
    pieces = [_HONORIFIC.sub("", piece.strip(" ,")) for piece in _NAME_SPLIT.split(unmarked)]
    return [piece for piece in pieces if piece.strip(_MARKER_SYMBOLS + " .")]


def _is_name(piece: str) -> bool:
    """Whether a piece of text reads as one person's name."""
    tokens = piece.split()
    if not 2 <= len(tokens) <= 5 or len(piece) > 60:
        return False
    if not all(_is_name_token(token) or token.lower() in _NAME_PARTICLES for token in tokens):
        return False
    if _AFFILIATION_WORDS.search(piece) or any(token.lower().strip(".,") in _PLACE_WORDS for token in tokens):
        return False
    return any(len(token.rstrip(".")) >= 2 and not token.endswith(".") for token in tokens)


def _is_name_token(token: str) -> bool:
    """Whether a word can be part of a name: "Ana", "O'Neill", "Jean-Luc", "J.", "J.-P.", "Yu.A."."""
    if not token[:1].isupper():
        return False
    letters = token.replace("'", "").replace("\u2019", "").replace("-", "").replace(".", "")
    return letters.isalpha() and (not token.endswith(".") or len(letters) <= 3)


def _looks_like_author_line(line: str) -> bool:
    """Whether a line is a list of names (with or without markers)."""
    line = _EMAIL_ADDRESS.sub(" ", line).strip()
    if not line or _is_affiliation(line) or _BANNER_ANYWHERE.search(line) or _BANNER_START.match(line) or _ARTICLE_TYPE_LINE.match(line):
        return False
    pieces = _name_pieces(line)
    return bool(pieces) and all(_is_name(piece) or _is_run_of_names(piece, len(pieces) == 1) for piece in pieces)


def _is_run_of_names(piece: str, alone_on_line: bool) -> bool:
    """Whether a piece is several names set side by side with no separator.

    In a comma-separated list a four-word piece is one long name ("Erik
    Tjong Kim Sang"); alone on its line it is two names.
    """
    if not alone_on_line and len(piece.split()) <= 5:
        return False
    names = _split_run_of_names(piece)
    return len(names) > 1 and all(_is_name(name) for name in names)


# How far after the title the author lines may reach: stacked author blocks
# (name, department, address, e-mail) take four or five lines per author.
_AUTHOR_ZONE_LINES = 40
# Only "and" between stacked names ("LEANA GOLUBCHIK / and / SANJEEV KHANNA").
_JOINER_LINE = re.compile(r"^(?:and|&|,)$", re.IGNORECASE)
_PROSE_WORDS = 9


def _find_authors(lines: list[LayoutLine], letter_markers: str = "", use_styles: bool = False) -> list[str]:
    """The names on the author lines that follow the title.

    The first line of names sets the author type; later lines in that type
    that read as names are authors too (stacked author blocks put an address
    between them), until the abstract, the introduction or running prose.
    Lines right after a line of names continue it whatever their type (small
    capitals change the size). Without font sizes, the names must follow
    each other.
    """
    names: list[str] = []
    author_style: LayoutLine | None = None
    previous_had_names = False
    for line in _join_broken_name_lines(lines[:_AUTHOR_ZONE_LINES]):
        text = line.text
        if _SECTION_START.match(text) or (names and _is_prose(text)):
            break
        if _JOINER_LINE.match(text):
            continue
        if author_style is not None and not previous_had_names and not line.same_style(author_style):
            continue
        line_names = _names_on_line(text)
        previous_had_names = bool(line_names)
        if line_names:
            names.extend(line_names)
            if use_styles and author_style is None:
                author_style = line
            continue
        if names and not use_styles and not _is_affiliation(text):
            break
        if not names and _is_prose(text):
            break
    if letter_markers:
        names = [_without_letter_marker(name, letter_markers) for name in names]
    return [_title_case_if_capitals(name) for name in _unique_names(names)]


def _join_broken_name_lines(lines: list[LayoutLine]) -> list[LayoutLine]:
    """Lines with a name broken at the line end ("Paulo Ro-" / "cha9, ...", "Corina" / "Forăscu5, ...") joined.

    Only lines in one type are joined, and only when the first ends in a
    hyphen or in a lone given name after a comma.
    """
    joined: list[LayoutLine] = []
    for line in lines:
        if joined and line.same_style(joined[-1]) and _name_runs_on(joined[-1].text, line.text):
            previous = joined[-1]
            glue = "" if previous.text.endswith("-") and line.text[:1].islower() else " "
            text = previous.text[:-1] + line.text if glue == "" else previous.text + glue + line.text
            joined[-1] = LayoutLine(text, previous.size, previous.font, previous.y)
        else:
            joined.append(line)
    return joined


def _name_runs_on(line: str, following: str) -> bool:
    """Whether a line of names ends inside a name that the following line finishes."""
    if "," not in line or _is_affiliation(line) or _is_affiliation(following) or _is_prose(following):
        return False
    last_piece = re.sub(r"^(?:and|&)\s+", "", line.rsplit(",", 1)[-1].strip())
    if line.endswith("-"):
        return following[:1].islower()
    words = last_piece.split()
    if not words or not following[:1].isupper():
        return False
    return (len(words) == 1 and _is_name_token(last_piece)) or (len(words) >= 2 and words[-1].lower() in _NAME_PARTICLES)


def _names_on_line(line: str) -> list[str]:
    """The names a line lists, or [] when it is not a line of names."""
    if not _looks_like_author_line(line):
        # ACM journals: "TAL AUGUST, University of Washington, USA", one author a line.
        first, _, rest = line.partition(",")
        if rest and _AFFILIATION_WORDS.search(rest) and _looks_like_author_line(first):
            return _name_pieces(first)
        return []
    pieces = _name_pieces(line)
    alone = len(pieces) == 1
    return [name for piece in pieces for name in (_split_run_of_names(piece) if _is_run_of_names(piece, alone) else [piece])]


def _split_run_of_names(piece: str) -> list[str]:
    """Names set side by side with no separator ("Zoltan Gyongyi Hector Garcia-Molina Jan Pedersen").

    Only an even run of at least four full words, none an initial or particle,
    is cut into pairs; anything else stays one name.
    """
    tokens = piece.split()
    if len(tokens) >= 4 and len(tokens) % 2 == 0 and all(len(token) > 2 and not token.endswith(".") for token in tokens):
        if not any(token.lower() in _NAME_PARTICLES for token in tokens):
            return [f"{tokens[index]} {tokens[index + 1]}" for index in range(0, len(tokens), 2)]
    return [piece]


def _is_prose(line: str) -> bool:
    """Whether a line is running text: many words, most of them lower case."""
    words = line.split()
    return len(words) >= _PROSE_WORDS and sum(word[:1].islower() for word in words) >= len(words) / 2


def _title_case_if_capitals(name: str) -> str:
    """ "LEANA GOLUBCHIK" as "Leana Golubchik"; "Ross G. DOUGLAS" as "Ross G. Douglas"; mixed case unchanged."""
    words = name.split()
    return " ".join(word.capitalize() if len(word) > 2 and word.isupper() and word.isalpha() else word for word in words)


def _letter_markers(lines: list[str]) -> str:
    """The letters that start the page's affiliation lines ("aSchool of ...")."""
    letters = ""
    for line in lines:
        match = _AFFILIATION_WITH_LETTER.match(line)
        if match and _AFFILIATION_WORDS.search(line[1:]):
            letters += match.group("letter")
    return letters


def _without_letter_marker(name: str, letter_markers: str) -> str:
    """A name without the affiliation letter glued to its end."""
    if len(name) > 3 and name[-1] in letter_markers and name[-2].islower():
        return name[:-1]
    return name


# --- The venue ----------------------------------------------------------------

_JOURNAL_LINE = re.compile(
    r"^(?:(?:in\s+)?(?P<proceedings>proceedings\s+of\s+.+?)(?:,\s*pages|\s+pages|,\s*pp\.|$)"
    r"|(?P<journal>(?:[A-Z][\w&.:-]*\s+){0,6}(?:journal|letters|reports|review|transactions|annals|advances|bulletin|communications)\b[^\d(]{0,60}?)"
    r"\s*(?:\(\d{4}\)|\d{1,4}\s*[(:,]|vol\.?|volume|,\s*\d{4}))",
    re.IGNORECASE,
)


def _find_journal(lines: list[str]) -> str | None:
    """The journal or proceedings that a banner line among the first lines names, or None."""
    for line in lines:
        match = _JOURNAL_LINE.match(line)
        if match:
            venue = (match.group("proceedings") or match.group("journal") or "").strip(" ,.;:")
            if 2 <= len(venue.split()) <= 20:
                return venue
    return None


# --- A whole PDF ------------------------------------------------------------

# A page with fewer letters than this has no text layer worth checking against.
_SCANNED_PAGE_LETTERS = 200


def from_pdf(reader: Any, first_page: tuple[str, Any] | None = None) -> Metadata:
    """Metadata of a `pypdf.PdfReader`, from page 1's layout checked against Info and XMP.

    Page 1 is read for every field. A title in XMP or Info is taken only when
    page 1 prints it (it is then clean of hyphenation and line breaks), so a
    typesetter's job name, a venue, or another paper's title never wins; the
    same holds for their authors, whose surnames must all be on page 1. A DOI
    from XMP or Info is taken when page 1 prints none or prints the same one.
    The year is the one page 1 prints, then XMP's publication date, then
    Info's creation date. Each field's origin is in `sources`. A broken
    metadata structure never raises; what could be read is returned.
    ``first_page`` is what ``read_first_page`` gave, for callers that already read it.
    """
    info = from_info(_safe(lambda: _info_dict(reader), None))
    xmp = from_xmp(_safe(lambda: _xmp_bytes(reader), None))
    first_text, layout = first_page or _safe(lambda: read_first_page(reader.pages[0]), ("", None))
    if isinstance(layout, PageLayout) and layout.lines:
        page = _safe(lambda: from_layout(layout, first_text), Metadata())
    else:
        page = _safe(lambda: from_first_page(first_text, title=layout if isinstance(layout, str) else None), Metadata())
    return _combine(page, xmp, info, first_text)


def _combine(page: Metadata, xmp: Metadata, info: Metadata, page_text: str) -> Metadata:
    """Each field from the page or from XMP and Info where page 1 confirms them."""
    page_letters = _letters(normalize_ligatures(page_text))
    scanned = len(page_letters) < _SCANNED_PAGE_LETTERS
    combined = Metadata(title=page.title, authors=list(page.authors), year=page.year, doi=page.doi, journal=page.journal)
    combined.sources = dict(page.sources)
    for origin, candidate in (("xmp", xmp), ("info", info)):
        if candidate.title and (scanned or _printed_on_page(candidate.title, page_letters)):
            # Printed on the page but unrelated to the title found there, it is a banner (a venue, a series).
            if scanned or not page.title or _letters(page.title) in _letters(candidate.title):
                combined.title, combined.sources["title"] = candidate.title, origin
                break
    for origin, candidate in (("xmp", xmp), ("info", info)):
        if (
            candidate.authors
            and all(_is_name(name) or len(name.split()) == 1 for name in candidate.authors)
            and len(candidate.authors) >= len(page.authors)
            and (scanned or _surnames_on_page(candidate.authors, page_letters))
        ):
            combined.authors, combined.sources["authors"] = list(candidate.authors), origin
            break
    for origin, candidate in (("xmp", xmp), ("info", info)):
        if candidate.doi and (
            not page.doi or candidate.doi.lower() == page.doi.lower() or page.doi.lower().startswith(candidate.doi.lower())
        ):
            combined.doi, combined.sources["doi"] = candidate.doi, origin
            break
    if not combined.year:
        for origin, candidate in (("xmp", xmp), ("info", info)):
            if candidate.year:
                combined.year, combined.sources["year"] = candidate.year, origin
                break
    return combined


def _printed_on_page(title: str, page_letters: str) -> bool:
    """Whether a title's letters appear on page 1, in order and unbroken."""
    wanted = _letters(normalize_ligatures(title))
    return len(wanted) >= 8 and wanted in page_letters


def _surnames_on_page(authors: list[str], page_letters: str) -> bool:
    """Whether every author's surname is printed on page 1."""
    return all(_letters(name.split()[-1]) in page_letters for name in authors if name.split())


def _safe(read: Any, default: Any) -> Any:
    """The result of `read()`, or `default` when the PDF's structure breaks it."""
    try:
        return read()
    except Exception:
        return default


def _info_dict(reader: Any) -> dict[str, Any]:
    """The Info dictionary with its indirect values resolved."""
    info = reader.metadata
    if info is None:
        return {}
    return {str(key): _safe(lambda key=key: info[key], None) for key in list(info.keys())}


def _xmp_bytes(reader: Any) -> bytes | None:
    """The raw XMP packet of the document catalog, or None."""
    metadata_stream = reader.root_object.get("/Metadata")
    if metadata_stream is None:
        return None
    return metadata_stream.get_object().get_data()


def read_first_page(page: Any) -> tuple[str, PageLayout | None]:
    """A page's text and its layout (lines with font sizes), from one extraction.

    If reading the font sizes fails, the plain text is still returned.
    """
    return read_page(page)
