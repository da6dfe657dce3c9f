"""A whole PDF's metadata: page 1 checked against the Info dictionary and XMP."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from papergym.core.ingest.clean import normalize_ligatures
from papergym.core.ingest.layout import PageLayout, page_text, read_page
from papergym.core.ingest.metadata.authors import is_name
from papergym.core.ingest.metadata.citation import citation_authors, quoted_title_year, with_citation_order
from papergym.core.ingest.metadata.doi_year import (
    find_doi,
    find_year,
    nonblank_lines,
    running_head_year,
    without_download_stamps,
    year_in_range,
    year_of_doi,
)
from papergym.core.ingest.metadata.embedded import from_info, from_xmp
from papergym.core.ingest.metadata.names import NAME_PARTICLES
from papergym.core.ingest.metadata.page import from_first_page, from_layout
from papergym.core.ingest.metadata.page_lines import letters
from papergym.core.ingest.metadata.record import Metadata
from papergym.core.ingest.metadata.running_head import running_head_authors

# A page with fewer letters than this has no text layer worth checking against.
_SCANNED_PAGE_LETTERS = 200
# A first page of at most this many lines that names no one is a sheet put before the paper.
_SHEET_LINES = 8
_SHEET_NOTICE = re.compile(r"https?://|\bwww\.|\bcourtesy\b|\bdownloaded\b|\bprovided\s+by\b|\bcopyright\b|\u00a9", re.IGNORECASE)
# A cover sheet that an archive, repository or publisher puts before the paper: HAL's, a university repository's
# (Pure, EPrints), JSTOR's, ResearchGate's, IOP's, Science's reprint notice, RSC's Accepted Manuscript cover. The
# paper's own first page follows it.
_COVER_PAGE = re.compile(
    r"\bHAL\s+Id\s*:|\barchive\s+ouverte\s+pluridisciplinaire\b|\bcitation\s+for\s+published\s+version\b"
    r"|\btake\s*down\s+policy\b|\bstable\s+URL\s*:.{0,200}\bJSTOR\b|\bJSTOR\s+is\s+a\s+not-for-profit\b"
    r"|\bsee\s+discussions,\s+stats,\s+and\s+author\s+profiles\b"
    # IOP's: the paper's citation, "View the article online for updates and enhancements", "You may also like".
    r"|\bview\s+the\s+article\s+online\s+for\s+updates\b"
    # A university repository's record (MIT's DSpace: "As Published", "Citable Link", "Terms of Use").
    r"|\bcitable\s+link\b"
    # A publisher's download sheet ("This article is provided courtesy of The MIT Press.").
    r"|\bthis\s+article\s+is\s+provided\s+courtesy\s+of\b"
    # Elsevier's COVID-19 resource centre notice, put before its papers in PubMed Central.
    r"|\bCOVID-19\s+resource\s+centre\b"
    # Taylor & Francis's download sheet: the journal, the citation, "PLEASE SCROLL DOWN FOR ARTICLE".
    r"|\bplease\s+scroll\s+down\s+for\s+article\b|\bfull\s+terms\s+&\s+conditions\s+of\s+access\s+and\s+use\b"
    # eScholarship's (University of California): a form with the paper's permalink.
    r"|\bescholarship\.org/uc/item\b"
    # A publisher's reprint notice (Science's: "This copy is for your personal, non-commercial use only."), and
    # RSC's Accepted Manuscript cover ("... has been through the Royal Society of Chemistry peer review process").
    r"|\bthis\s+copy\s+is\s+for\s+your\s+personal,?\s+non-?commercial\s+use\b"
    r"|\bthrough\s+the\s+royal\s+society\s+of\s+chemistry\s+peer\s+review\b",
    re.IGNORECASE | re.DOTALL,
)
# Cell Press's graphical-abstract page before the paper's own first page: its "Authors" box cuts a long list short
# ("Sarala Neomi Tantirimudalige, ..., Peter J. Bond"), and the paper's page after it names them all.
_GRAPHICAL_ABSTRACT_PAGE = re.compile(
    r"^Graphical\s+Abstract\s*$.*^Highlights\s*$.*^(?:In\s+Brief|eTOC\s+Blurb|Correspondence)\s*$", re.MULTILINE | re.DOTALL
)


def from_pdf(
    reader: Any,
    first_page: tuple[str, Any] | None = None,
    second_page_text: str | None = None,
    second_page: Callable[[], tuple[str, PageLayout | None]] | None = None,
) -> Metadata:
    """Metadata of a `pypdf.PdfReader`, from page 1's layout checked against Info and XMP.

    Page 1 is read for every field. A title in XMP or Info is taken only when
    page 1 prints it (it is then clean of hyphenation and line breaks), so a
    typesetter's job name, a venue, or another paper's title never wins; the
    same holds for their authors, whose surnames must all be on page 1. A DOI
    from XMP or Info is taken when page 1 prints none or prints the same one.
    The year is the one page 1 prints, then XMP's publication date, then the
    day the file was made (XMP CreateDate, Info CreationDate) when page 1
    prints that year somewhere: a scan or a reprint is made years after the
    paper came out. Each field's origin is in `sources`. A broken
    metadata structure never raises; what could be read is returned.
    ``first_page`` is what ``read_first_page`` gave, for callers that already read it.
    When page 1 is a cover sheet (an archive's: HAL, a university
    repository, JSTOR; a publisher's "Accepted Manuscript" or reprint
    notice), page 2 is the paper's own first page: its title and authors are
    taken when its type gives both and the cover names one person ("et al.")
    or none, and a DOI or year the cover lacks is read off it. A first page
    that names no author is checked the same way: when page 2's title is
    printed on page 1 (a cover that repeats it), page 2 is the paper's first
    page. Page 2's type is read only in these cases; ``second_page_text`` is
    page 2's text, for callers that read it already; ``second_page`` reads
    page 2's text and layout when a caller reads pages its own way (a scan's
    pages by OCR), in place of pypdf.
    """
    info = from_info(_safe(lambda: _info_dict(reader), None))
    xmp = from_xmp(_safe(lambda: _xmp_bytes(reader), None))
    first_text, layout = first_page or _safe(lambda: read_first_page(reader.pages[0]), ("", None))
    if isinstance(layout, str):
        page = _safe(lambda: from_first_page(first_text, title=layout), Metadata())
    else:
        page = _page_metadata(first_text, layout)
    cover = is_cover_page(first_text)
    second_text = second_page_text  # page 2's text once read, so it is read once
    if cover or not page.authors:
        read_second = second_page or (lambda: read_first_page(reader.pages[1]) if len(reader.pages) > 1 else ("", None))
        second_text, second_layout = _safe(read_second, ("", None))
        second_text = second_text or second_page_text or ""
        paper_page = _page_metadata(second_text, second_layout) if second_text else Metadata()
        if _is_papers_first_page(paper_page, cover, first_text, page.authors):
            page.authors, page.sources["authors"] = list(paper_page.authors), "page-2"
            # The same title in capitals on the paper's page reads better as the cover writes it.
            if not page.title or letters(page.title) != letters(paper_page.title or ""):
                page.title, page.sources["title"] = paper_page.title, "page-2"
            cover = True
        if cover:
            _fill_from_paper_page(page, second_text)
            # A notice that names no paper (Elsevier's COVID-19 resource centre) gave a line of its prose as the title.
            notice_line = page.sources.get("title") == "text" and not _printed_on_page(
                page.title or "", letters(normalize_ligatures(second_text))
            )
            if paper_page.title and (
                _extends(paper_page.title, page.title) or _repeated_on_cover(paper_page.title, page.title, first_text) or notice_line
            ):
                # JSTOR's cover gives the title without its subtitle; the paper's page prints it whole.
                page.title, page.sources["title"] = paper_page.title, "page-2"
    # The paper's own page behind a cover names its authors; the cover's citation is only a stand-in for a page.
    cited = None if page.sources.get("authors") == "page-2" else with_citation_order(page.authors, citation_authors(first_text))
    if cited:
        page.authors, page.sources["authors"] = cited, "citation"
    if not page.year:
        # A repository's cover may date the paper only in the citation it prints, which quotes the title.
        page.year = year_in_range(quoted_title_year(first_text, page.title))
        if page.year:
            page.sources["year"] = "citation"
    combined = _combine(page, xmp, info, first_text)
    combined.file_year = next((embedded.year for embedded in (info, xmp) if embedded.year and embedded.year_is_file_date), None)
    if not combined.authors and not cover and second_text:
        # An old journal's names may be set where no rule finds them on page 1, but its running head repeats them.
        combined.authors = running_head_authors(second_text, first_text)
        if combined.authors:
            combined.sources["authors"] = RUNNING_HEAD_SOURCE
    if not combined.year and not cover:
        # A journal may print its year only in the running head or foot of the pages after the first; the last
        # resort, after XMP, Info and the DOI.
        if second_text is None:
            second_text = _safe(lambda: second_page()[0] if second_page else _page_text(reader, 1), "")
        combined.year = running_head_year(second_text)
        if combined.year:
            combined.sources["year"] = "page-2"
    return combined


def _page_metadata(text: str, layout: Any) -> Metadata:
    """What a page's type and text say of title, authors, year and DOI; page 1's rules, for any page."""
    # A page set all in one size and face (Type 3 fonts whose sizes read as 0) says nothing by its type.
    if isinstance(layout, PageLayout) and len({(line.size, line.font) for line in layout.lines}) > 1:
        metadata: Metadata = _safe(lambda: from_layout(layout, text), Metadata())
        if metadata.title and not metadata.authors:
            # Type can mislead (names in the body's size and face, a title block split by reading order); the
            # plain text's reading may still find the names, which are then no piece of the title.
            text_page = _safe(lambda: from_first_page(text), Metadata())
            title_words = _words(metadata.title) | _words(text_page.title or "")
            if text_page.authors and not any(len(_words(name) & title_words) >= _TITLE_WORDS_IN_NAME for name in text_page.authors):
                metadata.authors = list(text_page.authors)
                metadata.sources["authors"] = "text"
        return metadata
    return _safe(lambda: from_first_page(text), Metadata())


def _words(text: str) -> set[str]:
    """A text's words, lower-cased, split at anything but letters ("13*00LISP History" -> {"lisp", "history"})."""
    return {word.lower() for word in re.findall(r"[^\W\d_]+", text)}


# ResearchGate's cover: "3 authors, including:".
_COVER_AUTHOR_COUNT = re.compile(r"\b(\d{1,3})\s+authors,?\s+including\b", re.IGNORECASE)
# A "name" with this many of the title's words is a piece of the title ("Early Lisp History").
_TITLE_WORDS_IN_NAME = 2
# A title of fewer letters than this could be a heading that page 1 prints by chance.
_REPEATED_TITLE_LETTERS = 20


_JSTOR_AUTHORS_FIELD = re.compile(r"^Author\(s\)\s*:", re.MULTILINE)


def _is_papers_first_page(paper_page: Metadata, cover: bool, first_text: str, page_authors: list[str]) -> bool:
    """Whether page 2 is the paper's own first page: after a cover sheet, or with its title repeated on page 1."""
    if not paper_page.title or not paper_page.authors:
        return False
    if cover:
        # An archive's cover names the authors well (HAL's, from its records); a publisher's names one "et al." or
        # none, and the paper's page names them all. ResearchGate's says how many there are ("3 authors, including:")
        # and names only those with a profile.
        # JSTOR's form names every author after "Author(s):"; the scanned page after it may read worse.
        if page_authors and _JSTOR_AUTHORS_FIELD.search(first_text):
            return False
        if _GRAPHICAL_ABSTRACT_PAGE.search(first_text):
            return len(paper_page.authors) >= len(page_authors)
        counted = _COVER_AUTHOR_COUNT.search(first_text)
        named_on_cover = int(counted.group(1)) if counted else 1
        return len(page_authors) < max(named_on_cover, 2) and len(paper_page.authors) > len(page_authors)
    # A sheet of a few lines naming no one, with an address or a notice (a publisher's or library's), before a page
    # with a title and names. A short first page with its own title and no notice is the paper's.
    if not page_authors and 0 < len(nonblank_lines(first_text)) <= _SHEET_LINES and _SHEET_NOTICE.search(first_text):
        return True
    title = paper_page.title
    return len(letters(title)) >= _REPEATED_TITLE_LETTERS and _printed_on_page(title, letters(normalize_ligatures(first_text)))


def _repeated_on_cover(paper_title: str | None, cover_title: str | None, cover_text: str) -> bool:
    """Whether the paper's page prints a title the cover repeats in smaller type than its own largest line.

    Taylor & Francis's download sheet sets the journal's name largest and
    the paper's title below it; the paper's own page sets its title largest.
    """
    if not paper_title or len(letters(paper_title)) < _REPEATED_TITLE_LETTERS or letters(paper_title) == letters(cover_title or ""):
        return False
    return _printed_on_page(paper_title, letters(normalize_ligatures(cover_text)))


def _extends(longer: str | None, shorter: str | None) -> bool:
    """Whether a title is another one with a subtitle after it ("A: B" after "A")."""
    if not longer or not shorter:
        return False
    longer_letters, shorter_letters = letters(longer), letters(shorter)
    if len(shorter_letters) < _REPEATED_TITLE_LETTERS or len(longer_letters) <= len(shorter_letters):
        return False
    if not longer_letters.startswith(shorter_letters):
        return False
    # What follows must be a subtitle ("A: B", "A? B", "A — B"), not an author line the page's title swallowed.
    seen = 0
    for index, char in enumerate(longer):
        seen += char.isalnum()
        if seen == len(shorter_letters):
            return longer[index + 1 :].lstrip()[:1] in (":", "?", "\u2014", "\u2013", "-", ".")
    return False


def is_cover_page(text: str) -> bool:
    """Whether a first page is a cover sheet an archive or repository put before the paper."""
    return bool(_COVER_PAGE.search(text) or _GRAPHICAL_ABSTRACT_PAGE.search(text))


# The prefix of the DOIs JSTOR registers for its own copies: the publisher's DOI, where the paper prints one, is the
# paper's.
_JSTOR_DOI_PREFIX = "10.2307/"


def _fill_from_paper_page(page: Metadata, paper_page_text: str) -> None:
    """The DOI and year a cover sheet lacks, from the paper's own first page after it.

    A JSTOR cover's DOI gives way to the publisher's DOI that the paper prints.
    """
    cover_doi = page.doi
    if not cover_doi or cover_doi.lower().startswith(_JSTOR_DOI_PREFIX):
        paper_doi = find_doi(paper_page_text)
        if paper_doi and (not cover_doi or not paper_doi.lower().startswith(_JSTOR_DOI_PREFIX)):
            page.doi = paper_doi
            page.sources["doi"] = "page-2"
    if not page.year:
        page.year = find_year(paper_page_text, page.doi)
        if page.year:
            page.sources["year"] = "page-2"


def _same_names_turned_round(embedded: list[str], printed: list[str]) -> bool:
    """Whether a metadata field lists the page's people in its order with each name's words in another order."""
    return (
        len(embedded) == len(printed)
        and embedded != printed
        and all(
            sorted(letters(word) for word in a.split()) == sorted(letters(word) for word in b.split())
            for a, b in zip(embedded, printed, strict=True)
        )
    )


def _fuller_on_page(embedded: list[str], printed: list[str]) -> bool:
    """Whether the page names a metadata field's people in its order, each with every word of theirs and more."""
    return (
        len(embedded) == len(printed)
        and embedded != printed
        and all(
            {letters(word) for word in a.split()} <= {letters(word) for word in b.split()} for a, b in zip(embedded, printed, strict=True)
        )
    )


def _combine(page: Metadata, xmp: Metadata, info: Metadata, page_text: str) -> Metadata:
    """Each field from the page or from XMP and Info where page 1 confirms them."""
    page_letters = letters(normalize_ligatures(page_text))
    # A cover in large type ("SEMINAR REPORT" / "on" / the title / "By" / the name) has as few letters as a scan, but
    # its type gave the title: Info's is then checked against it ("Coza store", a template's name, is not printed).
    scanned = len(page_letters) < _SCANNED_PAGE_LETTERS and page.sources.get("title") != "layout"
    combined = Metadata(title=page.title, authors=list(page.authors), year=page.year, doi=page.doi, journal=page.journal)
    combined.sources = dict(page.sources)
    for origin, candidate in (("xmp", xmp), ("info", info)):
        if (
            candidate.title
            and page.title
            and candidate.title != page.title
            and candidate.title.lower() == page.title.lower()
            and not page.title.isupper()
        ):
            break  # the same words: the page's capitals are the paper's ("How to Read a Paper", not Info's "How to read a paper")
        if candidate.title and (scanned or _printed_on_page(candidate.title, page_letters)):
            # Printed on the page but unrelated to the title found there, it is a banner (a venue, a series).
            if scanned or not page.title or letters(page.title) in letters(candidate.title) or _after_a_label(page.title, candidate.title):
                combined.title, combined.sources["title"] = candidate.title, origin
                break
    for origin, candidate in (("xmp", xmp), ("info", info)):
        if (
            candidate.authors
            and all(is_name(name) or _lone_surname(name, page.authors) for name in candidate.authors)
            and len(candidate.authors) >= len(page.authors)
            # A scan's page cannot confirm them, and a scan's Info names whoever scanned it (on the dev corpus, 4
            # scans of 4): its authors are taken only where page 1 prints their surnames.
            and _surnames_on_page(candidate.authors, page_letters)
            # The page's own names, each turned round ("Varnava Charalambia" in Info, "Charalambia Varnava" printed).
            and not _same_names_turned_round(candidate.authors, page.authors)
            # Nor where the page spells the same people out in full ("Frederick P. Brooks, Jr." for "Frederick Brooks").
            and not _fuller_on_page(candidate.authors, page.authors)
        ):
            combined.authors, combined.sources["authors"] = list(candidate.authors), origin
            break
    if combined.sources.get("authors") in _PAGE_SOURCES:
        combined.authors = _with_embedded_first_author(combined.authors, xmp, info, page_text)
    combined.authors = _respelled(combined.authors, [*xmp.authors, *info.authors])
    for origin, candidate in (("xmp", xmp), ("info", info)):
        if candidate.doi and (
            not page.doi or candidate.doi.lower() == page.doi.lower() or page.doi.lower().startswith(candidate.doi.lower())
        ):
            combined.doi, combined.sources["doi"] = candidate.doi, origin
            break
    if not combined.year:
        for origin, candidate in (("xmp", xmp), ("info", info)):
            # The day a file was made is its publication year only when page 1 prints that year too, and not only in
            # the stamp of the day it was downloaded or printed (which is the day the file was made).
            if candidate.year and (
                not candidate.year_is_file_date or re.search(rf"\b{candidate.year}\b", without_download_stamps(page_text))
            ):
                combined.year, combined.sources["year"] = candidate.year, origin
                break
    if not combined.year and combined.doi and year_of_doi(combined.doi):
        combined.year, combined.sources["year"] = year_of_doi(combined.doi), "doi"
    return combined


def _after_a_label(page_title: str, embedded: str) -> bool:
    """Whether the page's title is the embedded one after a few words of a label set above it in the title's type: a
    series' or a section's name ("Classical Text in Translation", "Survey Paper"), never a title's own part before a
    colon ("olmOCR 2: Unit Test Rewards for Document OCR")."""
    page_words, embedded_words = page_title.split(), embedded.split()
    label = page_words[: len(page_words) - len(embedded_words)]
    return (
        len(embedded_words) >= _LEAST_TITLE_WORDS_AFTER_LABEL
        and 0 < len(label) <= _MOST_LABEL_WORDS
        and letters(" ".join(label)) + letters(embedded) == letters(page_title)
        and not label[-1].endswith((":", "-", "\u2013", "\u2014", ","))
    )


_LEAST_TITLE_WORDS_AFTER_LABEL = 4
_MOST_LABEL_WORDS = 5


def _respelled(names: list[str], embedded: list[str]) -> list[str]:
    """Names as the PDF's own metadata spells them where the page's reading lost something the metadata kept.

    Where the letters are the same and the page's lost a space or a capital: a page's small capitals may read
    "Sojeong park" or "Sojeongpark" where Info says "Sojeong Park". Where a scan's OCR misread a letter or two
    ("Danlel T. Gillesple", "E. W. Dijxstra") of a name Info spells with the same initials. A person the misreading
    left twice in the list ("Daniel T. Gillesple", "Danlel T. Gillespie") is then named once.
    """
    people = [name for name in embedded if is_name(name)]
    spelled = {letters(name): name for name in people}
    respelled = []
    for name in names:
        if letters(name) in spelled and _misspaced(name, spelled[letters(name)]):
            name = spelled[letters(name)]
        elif letters(name) not in spelled:
            name = next((person for person in people if _misread(name, person)), name)
        if name not in respelled or name not in people:
            respelled.append(name)
    return respelled


# How many letters a scan's OCR may have misread in a name for Info's spelling to stand for it, and the least
# letters a name must have for that (two misread letters in a short name make another person: "Li Wan", "Lu Wang").
_MISREAD_LETTERS = 2
_MISREAD_MIN_LETTERS = 10


def _misread(name: str, embedded: str) -> bool:
    """Whether a page's name is an embedded one with a letter or two misread: the same words' initials, the same
    number of letters, at most ``_MISREAD_LETTERS`` of them different ("Robert K. Mcrton" for "Robert K. Merton").
    A name the page prints with accents that Info drops is no misreading ("Jorge Soberón", "Deniz Altınbüken")."""
    page_words, embedded_words = name.split(), embedded.split()
    if len(page_words) != len(embedded_words) or [word[:1] for word in page_words] != [word[:1] for word in embedded_words]:
        return False
    page_letters, embedded_letters = letters(name), letters(embedded)
    if len(page_letters) != len(embedded_letters) or len(page_letters) < _MISREAD_MIN_LETTERS:
        return False
    different = [(page, embedded) for page, embedded in zip(page_letters, embedded_letters, strict=True) if page != embedded]
    # A letter the page prints with a diacritic ("ı" in "Altınbüken", "ó") is the page's spelling, not a misreading.
    return 0 < len(different) <= _MISREAD_LETTERS and all(page.isascii() and embedded.isascii() for page, embedded in different)


def _misspaced(name: str, embedded: str) -> bool:
    """Whether a page's name lost a space or a capital its embedded spelling has ("Sojeongpark", "Sojeong park")."""
    words = name.split()
    lower_word = any(word[:1].islower() and word.lower() not in NAME_PARTICLES for word in words)
    return len(embedded.split()) > len(words) or lower_word


def _lone_surname(name: str, page_authors: list[str]) -> bool:
    """Whether a one-word Info author can stand for a person: only when page 1 names nobody, and never an acronym ("MCSER")."""
    return len(name.split()) == 1 and not page_authors and not name.isupper()


def _printed_on_page(title: str, page_letters: str) -> bool:
    """Whether a title's letters appear on page 1, in order and unbroken."""
    wanted = letters(normalize_ligatures(title))
    return len(wanted) >= 8 and wanted in page_letters


# Where the page's own names came from.
_PAGE_SOURCES = ("layout", "text", "page-2", "citation")
# Names read off a running head: the paper's own first page is still page 1, unlike "page-2" (behind a cover).
RUNNING_HEAD_SOURCE = "running-head"


def _with_embedded_first_author(authors: list[str], xmp: Metadata, info: Metadata, page_text: str) -> list[str]:
    """The page's names, with the one person XMP or Info names put first when the page missed them.

    A PDF whose metadata names one author names its first (the submitting
    author, as a journal's system or LaTeX's hyperref writes it); when that
    full name's surname is printed on page 1 but is not among the names read
    there, the reading missed or misplaced the first author.
    """
    for candidate in (xmp, info):
        if len(candidate.authors) != 1:
            continue
        person = candidate.authors[0]
        words = person.split()
        surname = letters(words[-1]) if words else ""
        if (
            len(words) >= 2
            and is_name(person)
            and len(surname) >= _MIN_SURNAME_LETTERS
            # The surname as a word of the page, not inside one ("King" in "making").
            and re.search(rf"(?<![^\W\d_]){re.escape(words[-1])}(?![^\W\d_])", page_text, re.IGNORECASE)
            # Not among the names, even run together with a given name ("Sojeongpark") or with a degree after it
            # ("Katherine A Twohig MPH").
            and all(surname not in letters(name) and letters(name.split()[-1]) not in letters(person) for name in authors if name.split())
        ):
            return [person, *authors]
    return authors


# A surname this short ("Li") is found inside other words on any page.
_MIN_SURNAME_LETTERS = 3


def _surnames_on_page(authors: list[str], page_letters: str) -> bool:
    """Whether every author's surname is printed on page 1."""
    return all(letters(name.split()[-1]) in page_letters for name in authors if name.split())


def _page_text(reader: Any, index: int) -> str:
    """The text of a page, or "" when the PDF has no such page."""
    return page_text(reader.pages[index]) if len(reader.pages) > index else ""


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
