"""Read one PDF into metadata and sections; runs inside a worker process."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from papergym.core.ingest.clean import clean_pages, decode_glyph_codes
from papergym.core.ingest.layout import PageLayout, page_text
from papergym.core.ingest.metadata import from_pdf, is_cover_page, read_first_page
from papergym.core.ingest.metadata.cited_years import estimated_year
from papergym.core.ingest.metadata.doi_year import without_download_stamps
from papergym.core.ingest.metadata.pdf import RUNNING_HEAD_SOURCE
from papergym.core.ingest.ocr import ocr_unavailable_reason, read_scanned_page, without_footnote_mark
from papergym.core.ingest.pool import TaskClock
from papergym.core.ingest.pypdf_fonts import reading_one_pdf
from papergym.core.ingest.sections import find_abstract, split_sections

# Below this many letters per page a PDF is taken to have no text layer (a scan).
MIN_LETTERS_PER_PAGE = 25
# A page with fewer letters than this may hold nothing but a download stamp (about 100 letters).
_STAMP_LETTERS_PER_PAGE = 300
# Seconds of total allowance granted per page once the page count is known. Each page must also
# finish within the import timeout (the stall deadline), so this only bounds a file whose every page crawls.
SECONDS_PER_PAGE = 3.0


@dataclass
class ExtractedPaper:
    """What a worker sends back for one readable PDF."""

    pages: int
    has_text: bool
    title: str | None
    authors: list[str]
    year: int | None
    doi: str | None
    abstract: str
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, heading, text)
    unreadable_pages: int = 0
    peak_rss_mb: float = 0.0
    journal: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> where it came from ("layout", "xmp", ...)
    # Why the text is unusable when has_text is False: no text layer, or one that reads as noise.
    text_problem: str | None = None


class ExtractError(Exception):
    """A PDF that cannot be imported; the message completes the sentence "<file> ..."."""


def _quiet_pypdf() -> None:
    # pypdf warns once per font or broken object; thousands of lines on real papers.
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def _open(path: str):
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = pypdf.PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except DependencyError:
                raise ExtractError("is encrypted and reading it needs the cryptography package: pip install 'pypdf[crypto]'") from None
            if not decrypted:
                raise ExtractError("is protected by a password; save an unprotected copy and import that")
        page_count = len(reader.pages)
    except FileNotDecryptedError:
        raise ExtractError("is protected by a password; save an unprotected copy and import that") from None
    except PdfReadError as error:
        raise ExtractError(f"is not a readable PDF ({_first_line(error)})") from None
    except RecursionError:
        raise ExtractError("is nested too deeply to read (malformed or hostile)") from None
    return reader, page_count


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    return line[:160]


def extract_pdf(
    path: str,
    max_pages: int = 2000,
    *,
    clock: TaskClock | None = None,
) -> ExtractedPaper:
    """Extract one PDF's metadata and sectioned text, raising ExtractError with a one-line reason."""
    with reading_one_pdf():
        return _extract(path, max_pages, clock)


def _extract(path: str, max_pages: int, clock: TaskClock | None) -> ExtractedPaper:
    _quiet_pypdf()
    try:
        reader, page_count = _open(path)
        if page_count == 0:
            raise ExtractError("has no pages")
        if page_count > max_pages:
            raise ExtractError(f"has {page_count} pages, more than the limit of {max_pages} (see --max-pages)")
        clock = clock or TaskClock()
        clock.allow(page_count * SECONDS_PER_PAGE)
        raw_pages: list[str] = []
        unreadable = 0
        first_page: tuple[str, PageLayout | None] | None = None
        for number, page in enumerate(reader.pages):
            clock.progress(f"reading page {number + 1} of {page_count}")
            try:
                if number == 0:
                    # One pass over page 1 gives its text and the font sizes that find the title.
                    first_page = read_first_page(page)
                    raw_pages.append(first_page[0])
                    continue
                raw_pages.append(decode_glyph_codes(page_text(page)))
            except (MemoryError, RecursionError):
                raise
            except Exception:
                unreadable += 1
                raw_pages.append("")
        letters = sum(ch.isalpha() for page_text in raw_pages for ch in page_text)
        if letters < _STAMP_LETTERS_PER_PAGE * page_count:
            # A publisher's download stamp on every page of a scan ("Downloaded from ... on 13 October 2020") is no
            # text layer; only a file this short of letters is read again without it.
            letters = sum(ch.isalpha() for page_text in raw_pages for ch in without_download_stamps(page_text))
        text_problem = None
        if letters < MIN_LETTERS_PER_PAGE * page_count:
            text_problem = NO_TEXT_LAYER
        elif _reads_as_noise(raw_pages):
            text_problem = NOISE_TEXT_LAYER
        has_text = text_problem is None
        # A paper whose first page alone reads as noise (its title set in a font without a Unicode map) has its
        # metadata there: OCR reads that page, and pypdf the rest.
        first_page_noise = has_text and _reads_as_noise(raw_pages[:1])
        scanned = _scanned_pages(path, page_count, clock) if not has_text or first_page_noise else None
        if text_problem == NO_TEXT_LAYER and scanned is None and ocr_unavailable_reason() is None:
            text_problem = OCR_FOUND_NO_TEXT
        clock.progress("reading the metadata and sections")
        # The fields read off pages OCR read: page 1's, and page 2's where OCR read that too.
        ocr_sources = _PAGE_SOURCES - {"page-2", RUNNING_HEAD_SOURCE} if has_text else _PAGE_SOURCES
        if scanned and has_text:
            metadata = from_pdf(reader, scanned.first, raw_pages[1] if len(raw_pages) > 1 else "")
            raw_pages = [scanned.first[0], *raw_pages[1:]]
        elif scanned:
            # Page 1 read by OCR stands for what pypdf could not read; page 2 is read only when the rules ask for it.
            metadata = from_pdf(reader, scanned.first, second_page=scanned.second)
            text_problem = SCAN_READ_BY_OCR if text_problem == NO_TEXT_LAYER else NOISE_READ_BY_OCR
            raw_pages = scanned.texts
        else:
            metadata = from_pdf(reader, first_page, raw_pages[1] if len(raw_pages) > 1 else "")
        # An archive's or publisher's cover sheet (JSTOR's terms of use, ResearchGate's profiles) is no part of the
        # paper: its sections, and the abstract among them, start on the paper's own first page.
        behind_cover = is_cover_page(raw_pages[0]) or "page-2" in (metadata.sources.get("title"), metadata.sources.get("authors"))
        paper_pages = raw_pages[1:] if len(raw_pages) > 1 and behind_cover else raw_pages
        # A scan's pages read by OCR give its abstract; its text is not kept as the paper's, being its first pages only.
        sections = split_sections(clean_pages(paper_pages)) if has_text or scanned else []
        abstract = find_abstract(sections, metadata.title)
        if not metadata.year and has_text:
            # No page states a year: the latest its references cite, or the file's own when it is no later than one after.
            estimate = estimated_year(paper_pages, metadata.file_year)
            if estimate:
                metadata.year, metadata.sources["year"] = estimate
        if not has_text:
            sections = []
        if scanned:
            metadata.sources = {name: OCR_SOURCE if origin in ocr_sources else origin for name, origin in metadata.sources.items()}
            if metadata.title and metadata.sources.get("title") == OCR_SOURCE:
                metadata.title = without_footnote_mark(metadata.title)
    except MemoryError:
        raise ExtractError("needs more memory than a reader process may use (see --memory-limit)") from None
    except RecursionError:
        raise ExtractError("is nested too deeply to read (malformed or hostile)") from None
    except ExtractError:
        raise
    except Exception as error:
        raise ExtractError(f"could not be read ({type(error).__name__}: {_first_line(error)})") from None
    return ExtractedPaper(
        pages=page_count,
        has_text=has_text,
        title=metadata.title,
        authors=list(metadata.authors),
        year=metadata.year,
        doi=metadata.doi,
        abstract=abstract,
        sections=[(section.kind, section.heading, section.text) for section in sections],
        unreadable_pages=unreadable,
        peak_rss_mb=_peak_rss_mb(),
        journal=metadata.journal,
        sources=dict(metadata.sources),
        text_problem=text_problem,
    )


NO_TEXT_LAYER = (
    "has no text layer (a scan or images only); run OCR on it (e.g. ocrmypdf) and import the result,"
    ' or install the ocr extra (pip install "papergym[ocr]") and import it again to read its title, authors and abstract'
)
OCR_FOUND_NO_TEXT = (
    "has no text layer, and OCR found no words on its first page (a figure, a blank page or a poor scan);"
    " run OCR on it (e.g. ocrmypdf) and import the result"
)
SCAN_READ_BY_OCR = (
    "has no text layer (a scan): its title, authors, year and abstract were read from its first page by OCR;"
    " for its text, run OCR over it (e.g. ocrmypdf) and import the result"
)
NOISE_READ_BY_OCR = (
    "has a text layer that reads as noise (fonts without a Unicode map, as old dvips output has): its title, authors,"
    " year and abstract were read from its first page by OCR; for its text, run OCR over it (e.g. ocrmypdf --force-ocr)"
    " and import the result"
)
# Where a field read off a page by OCR came from, in `papergym show`.
OCR_SOURCE = "ocr"
_PAGE_SOURCES = {"layout", "text", "page-2", "citation", RUNNING_HEAD_SOURCE}
# Below this many letters OCR read nothing from page 1 (a figure, a blank, noise).
MIN_OCR_LETTERS = 40
# Seconds one page's OCR may take on a slow core, added to the file's allowance.
OCR_SECONDS_PER_PAGE = 30.0


class _ScannedPages:
    """A scan's first pages read by OCR: page 1 at once, page 2 once and only when the metadata rules ask for it."""

    def __init__(self, path: str, page_count: int, clock: TaskClock) -> None:
        self._path, self._page_count, self._clock = path, page_count, clock
        clock.allow(OCR_SECONDS_PER_PAGE * min(page_count, 2))
        clock.progress("reading page 1 by OCR")
        self.first: tuple[str, PageLayout | None] = read_scanned_page(path, 0)
        self._second: tuple[str, PageLayout | None] | None = None

    def second(self) -> tuple[str, PageLayout | None]:
        if self._second is None:
            self._second = ("", None)
            if self._page_count > 1:
                self._clock.progress("reading page 2 by OCR")
                try:
                    self._second = read_scanned_page(self._path, 1)
                except Exception:  # MemoryError among them
                    pass  # page 2 is a help, not a need
        return self._second

    @property
    def texts(self) -> list[str]:
        """The text of each page read so far."""
        return [self.first[0]] + ([self._second[0]] if self._second is not None else [])


def _scanned_pages(path: str, page_count: int, clock: TaskClock) -> _ScannedPages | None:
    """A scan's pages for OCR to read, or None where OCR cannot run (the ocr extra is not installed) or fails on
    the file's first page."""
    if ocr_unavailable_reason() is not None:
        return None
    try:
        scanned = _ScannedPages(path, page_count, clock)
    except Exception:  # MemoryError among them
        # OCR failing on a page (too large to render in the memory allowed, or a timeout) leaves the file as pypdf
        # read it; the rendered image is freed with the frame.
        return None
    # A page of pictures or noise gives OCR a few stray letters, which name nothing.
    return scanned if sum(char.isalpha() for char in scanned.first[0]) >= MIN_OCR_LETTERS else None


NOISE_TEXT_LAYER = (
    "has a text layer that reads as noise (fonts without a Unicode map, as old dvips output has);"
    " run OCR over it (e.g. ocrmypdf --force-ocr) and import the result, or install the ocr extra"
    ' (pip install "papergym[ocr]") and import it again to read its title, authors and abstract'
)
# A text layer with more control characters than this share of its characters is noise: TeX Type 3
# fonts without a Unicode map come out of pypdf as control codes. Real text has a few ligature codes at most.
_NOISE_SHARE = 0.1
# A document is noise when more than this share of its pages with text are noise.
_NOISY_PAGE_SHARE = 0.5
# Vowels are a third or more of the letters of any text in a Latin alphabet (English 38%, German 36%, Czech 33%);
# a page of letters standing for other letters has a quarter or fewer. Fewer letters than this say nothing.
_CIPHER_VOWEL_SHARE = 0.25
_CIPHER_MIN_LETTERS = 200
_CIPHER_PAGES = 3
_LATIN_LETTER = re.compile("[A-Za-z]")
_LATIN_VOWEL = re.compile("[aeiouyAEIOUY]")
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _reads_as_noise(pages: list[str]) -> bool:
    """Whether a document's text is mostly control characters, the mark of fonts pypdf cannot map, or letters
    without vowels, the mark of a font whose codes name other letters ("Vhkk Rlhsg" for "Will Merrill")."""
    # Pages are judged one by one: a paper's tables or equations set in a font without a map make a few pages noise
    # (an accepted manuscript's table pages, 1,600 control codes each), and its text is still the paper's. Pages are
    # counted, not their characters: a scan's pages carry only a download stamp, whose blanks read as control codes,
    # and its cover sheet, with more text than they, is no part of the paper.
    sizes = [len("".join(text.split())) for text in pages]
    noisy = sum(1 for size, text in zip(sizes, pages, strict=True) if size and len(_CONTROL_CHARACTER.findall(text)) > _NOISE_SHARE * size)
    if noisy > _NOISY_PAGE_SHARE * sum(1 for size in sizes if size):
        return True
    # A font's letters are read the same way on every page, so the first pages tell. Accented letters count as
    # their base letter ("ệ" is an e), so a language rich in accents keeps its vowels.
    sample = unicodedata.normalize("NFD", "".join(pages[:_CIPHER_PAGES]))
    latin = len(_LATIN_LETTER.findall(sample))
    return latin >= _CIPHER_MIN_LETTERS and len(_LATIN_VOWEL.findall(sample)) < _CIPHER_VOWEL_SHARE * latin


def _peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def extract_task(path: str, max_pages: int = 2000, *, clock: TaskClock | None = None) -> ExtractedPaper | str:
    """The worker's entry point: the extracted paper, or the reason it could not be read."""
    try:
        return extract_pdf(path, max_pages, clock=clock)
    except ExtractError as error:
        return str(error)
