"""The metadata a PDF carries itself: its Info dictionary and its XMP packet."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree
from typing import Any

from papergym.core.ingest.metadata.doi_year import find_doi, own_reference_year, year_in_range
from papergym.core.ingest.metadata.names import split_author_string, turn_round, unique_names
from papergym.core.ingest.metadata.record import Metadata
from papergym.core.ingest.metadata.titles import clean_title

_INFO_YEAR = re.compile(r"^(?:D:)?(?P<year>\d{4})")
_INFO_DOI_KEYS = ("/doi", "/DOI", "/Subject", "/Keywords", "/Title")


def from_info(info: dict[str, Any] | None) -> Metadata:
    """Metadata from a PDF Info dictionary ("/Title", "/Author", "/CreationDate", ...)."""
    if not info:
        return Metadata()
    texts = {str(key): _as_text(value) for key, value in info.items()}
    year_match = _INFO_YEAR.match(texts.get("/CreationDate") or texts.get("/ModDate") or "")
    # A publisher may write the article's reference into /Subject: its year is the paper's, not the file's.
    cited_year = own_reference_year(texts.get("/Subject") or "")
    doi = None
    for key in (*_INFO_DOI_KEYS, *sorted(texts)):
        doi = find_doi(texts.get(key) or "")
        if doi:
            break
    return Metadata(
        title=clean_title(texts.get("/Title")),
        authors=split_author_string(texts.get("/Author")),
        year=cited_year or (year_in_range(int(year_match.group("year"))) if year_match else None),
        doi=doi,
        year_is_file_date=not cited_year,
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
    text = text.replace("\x00", "")
    # Web-made PDFs carry HTML entities in their Info fields ("F. Lalo&euml;").
    return html.unescape(text) if "&" in text else text


_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Properties are matched by local name, because publishers use several
# PRISM versions and their own namespaces (pdfx:doi, crossmark:DOI).
_XMP_DOI_NAMES = ("doi", "DOI", "identifier")
# Dates in order of trust: the publication date first, the file's last.
_XMP_DATE_NAMES = ("publicationDate", "coverDate", "coverDisplayDate", "date", "CreateDate")
# Authoring tools fill these with the day the file was written, which for a scan or a reprint is years after publication.
_XMP_FILE_DATE_NAMES = ("date", "CreateDate")


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
            doi = doi or find_doi(value)
    year = None
    year_is_file_date = False
    for name in _XMP_DATE_NAMES:
        for value in properties.get(name, []):
            if year is None:
                year = year_in_range(_leading_year(value))
                year_is_file_date = name in _XMP_FILE_DATE_NAMES
    titles = properties.get("title", [])
    authors = unique_names([turn_round(creator) for creator in properties.get("creator", [])])
    if len(authors) == 1:
        # Some tools write all authors into a single dc:creator entry.
        authors = split_author_string(authors[0])
    return Metadata(
        title=clean_title(titles[0]) if titles else None, authors=authors, year=year, doi=doi, year_is_file_date=year_is_file_date
    )


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
