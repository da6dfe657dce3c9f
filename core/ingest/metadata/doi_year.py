"""A paper's DOI and publication year, as a page or a metadata field prints them."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from itertools import chain

from papergym.core.ingest.metadata.page_lines import BANNER_ANYWHERE, BANNER_START, CITATION_BANNER

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]+(?:<[^\s\"'<>]+>[^\s\"'<>]*)*")
# The start of a DOI, which pypdf may have broken at a line end. Old Wiley and
# Elsevier DOIs are SICIs with "<...>" inside ("10.1002/(SICI)...<1::AID-X1>3.0.CO;2-M").
_DOI_START = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]*(?:<[^\s\"'<>]+>[^\s\"'<>]*)*")
# Words that pypdf glues onto a DOI's end when the next text object follows without a space.
_GLUED_AFTER_DOI = re.compile(
    r"(?<=\d)(?:doi|https?|www|received|accepted|published|citation|copyright|cite|available|open|licen[cs]e)$", re.IGNORECASE
)
# A footnote's "#" mark after the DOI (AIP: "10.1063/1.1494875#") is no part of it.
_DOI_TRAILING_PUNCTUATION = ".,;:'\"#"
_ADDRESS_AFTER_DOI = re.compile(r"(?<=\w)\.?(?:https?://|www\.).*$", re.IGNORECASE)
# PNAS prints its supplement's address after the DOI: "10.1073/pnas.1907370117/-/DCSupplemental".
# APA names its supplemental materials by the article's DOI and ".supp": "10.1037/xlm0001080.supp".
# IEEE may glue its fee line onto the DOI: "10.1109/TVCG.2012.295.1077-2626/13/$31.00".
# AIP's older fonts name a bracket's glyph by its code, which pypdf glues on: "10.1063/1.3218847/H20852".
_SUPPLEMENT_PATH = re.compile(r"/-/DC\w*.*$|\.supp$|\.\d{4}-\d{3}[\dX]/\d\d/\$.*$|(?:/H2\d{4})+$", re.IGNORECASE)
_ASCE_BRACKETS = re.compile(r"^10\.1061/~ASCE!")
_DOI_BROKEN_AT_LINE_END = re.compile(r"[ \t]*\n[ \t]*(?P<rest>[^\s\"'<>]+)")
_FIRST_YEAR = 1900
# Nothing was published after next year: a later "year" is a page number or an identifier.
_LAST_YEAR = datetime.date.today().year + 1


# Registrants of data and code deposits (Harvard Dataverse, Dryad, figshare, Zenodo, Mendeley Data, ICPSR, OSF,
# PANGAEA): a paper's "data and materials are available at https://doi.org/10.7910/DVN/..." names no paper. Nor do
# a funding note's DOIs: Crossref's registry of funders ("10.13039/501100000780") and the grants of Portugal's FCT
# ("10.54499/2021.01032.CEECIND/CP1685/CT0002").
_DATA_DOI_PREFIXES = (
    "10.7910/",
    "10.5061/",
    "10.6084/",
    "10.5281/",
    "10.17632/",
    "10.3886/",
    "10.17605/",
    "10.1594/",
    "10.13039/",
    "10.54499/",
)


# The DOIs that LaTeX templates print until the author fills in the real one (ACM's sig-alternate and acmart).
_TEMPLATE_DOIS = frozenset({"10.1145/1235", "10.475/123_4", "10.1145/nnnnnnn.nnnnnnn", "10.1145/1122445.1122456"})


def find_doi(text: str) -> str | None:
    """The paper's DOI in a text: the first that names no data deposit or grant, else the first DOI (see ``_dois``).
    A template's placeholder ("DOI: 10.1145/1235") is no DOI."""
    first = None
    for doi in _dois(text):
        if doi.lower() in _TEMPLATE_DOIS:
            continue
        if not doi.lower().startswith(_DATA_DOI_PREFIXES):
            return doi
        first = first or doi
    return first


def _dois(text: str) -> Iterator[str]:
    """The DOIs in a text, in order, each without the punctuation that ends its sentence.

    A DOI broken at a line end just after "/", "-" or "_" is rejoined, and
    after "." when the next line goes on with a digit or a lower-case letter
    (a capital there starts a new sentence, and a plain word such as "and"
    goes on with the sentence).
    """
    for match in _DOI_START.finditer(text):
        doi = match.group(0)
        rest = _DOI_BROKEN_AT_LINE_END.match(text, match.end())
        page_number = rest is not None and rest.group("rest").rstrip(".,;:").isdigit() and len(rest.group("rest").rstrip(".,;:")) <= 4
        word = rest is not None and rest.group("rest").rstrip(".,;:").isalpha() and rest.group("rest").islower()
        after_dot = doi.endswith(".") and not rest.group("rest")[0].isupper() and not word if rest else False
        if rest and not page_number and (doi.endswith(("/", "-", "_")) or after_dot):
            doi += rest.group("rest")
        # The DOI printed again as an address right after it, with no space: "10.1167/jov.24.11.13.https://doi.org/...".
        doi = _ADDRESS_AFTER_DOI.sub("", doi)
        # ASCE's fonts of the 2000s map its DOIs' brackets to "~" and "!": "10.1061/~ASCE!1076-0342~2003!9:3~117!".
        if _ASCE_BRACKETS.search(doi):
            doi = doi.replace("~", "(").replace("!", ")")
        trimmed = _trim_doi(_GLUED_AFTER_DOI.sub("", _SUPPLEMENT_PATH.sub("", doi).rstrip(_DOI_TRAILING_PUNCTUATION)))
        if trimmed:
            yield trimmed


def _trim_doi(doi: str) -> str | None:
    """A DOI without trailing punctuation or a closing bracket it never opened (HAL's cover puts the DOI in angle
    brackets: "⟨10.1109/TIT.1982.1056489⟩")."""
    while doi:
        if doi[-1] in _DOI_TRAILING_PUNCTUATION or (
            doi[-1] in ")]}\u27e9" and doi.count(doi[-1]) > doi.count({")": "(", "]": "[", "}": "{", "\u27e9": "\u27e8"}[doi[-1]])
        ):
            doi = doi[:-1]
        else:
            break
    return doi if _DOI.fullmatch(doi) else None


def year_in_range(year: int | None) -> int | None:
    """The year if it is a plausible publication year, else None."""
    return year if year is not None and _FIRST_YEAR <= year <= _LAST_YEAR else None


_YEAR_DIGITS = r"(?:19|20)\d{2}|2100"
_YEAR = rf"(?P<year>{_YEAR_DIGITS})"
_ANY_YEAR = rf"({_YEAR_DIGITS})"
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
# ACM's journals date the issue in their footer: "Proc. ACM Program. Lang., Vol. 3, No. POPL, Article 9. Publication
# date: January 2019."
_PUBLICATION_DATE_WORDS = r"publication\s+date(?=\s*:)"
_PUBLICATION_DATE = re.compile(rf"\b{_PUBLICATION_DATE_WORDS}\s*:\s*(?:{_MONTH}\s*)?(?:\d{{1,2}},?\s*)?{_YEAR}\b", re.IGNORECASE)
# A paper posted to arXiv before its issue came out: the issue's date is at most this many years after the stamp's.
_ARXIV_TO_ISSUE_YEARS = 1
# A copyright over several years ("© 1990,1991,1992") dates the paper by the last of them.
# Cell Press's Mac-encoded "©" reads as "ª" ("February 21, 2012ª2012 Elsevier Ltd"); old ACL scans read it
# as "@" ("@ 1993 Association for Computational Linguistics"), Blackwell's Adv fonts as "#" or "&" opening a line
# ("#2000 Blackwell Science Ltd", "& 1999 Royal Statistical Society").
_COPYRIGHT_YEAR = re.compile(
    rf"(?:©|\(c\)|\bcopyright|ª\s?(?=\d)|@(?=\s?(?:19|20)\d\d\s+[A-Z])|(?<![^\n])[#&]\s?(?=(?:19|20)\d\d\s+[A-Z][a-z]))\s*(?:©\s*)?(?:(?:{_YEAR_DIGITS})\s*[,\u2013-]\s*)*{_YEAR}\b",
    re.IGNORECASE,
)
# Words that open a span of time in prose: "775 articles published between January 2008 and June 2019".
_SPAN_WORDS = r"between|from|during|before|after|until|over"
# Ordered from the year closest to publication to the one furthest from it.
_EXPLICIT_YEAR_PATTERNS = (
    # A working paper's latest revision: "First version: February 2017 / This version: January 2019".
    re.compile(rf"\b(?:this|current|latest|revised)\s+(?:version|draft)\b[^\n]{{0,40}}?\b{_YEAR}\b", re.IGNORECASE),
    # Not "published in PNAS since 1995", the start of a span, nor running text about other work ("four works,
    # each published in 1939", "published by Mood in 1951", "775 articles published between January 2008 and June 2019").
    re.compile(
        rf"\b(?:(?-i:P)ublished(?!\s+(?:{_SPAN_WORDS})\b)|published(?!\s+(?:in|by|{_SPAN_WORDS})\b)|available\s+online|issue\s+date|{_PUBLICATION_DATE_WORDS})(?:\s+online)?\b"
        rf"(?:(?!\bsince\b)[^\n]){{0,40}}?\b{_YEAR}\b",
        re.IGNORECASE,
    ),
    _COPYRIGHT_YEAR,
    # The holder before the year: "© Springer Nature Switzerland AG 2019", "© The Royal Society 2010".
    re.compile(rf"©\s*[^\n\d©]{{1,60}}?\b{_YEAR}\b"),
)
# Dates of the manuscript's history, not its publication; trusted after those above.
_HISTORY_YEAR_PATTERNS = (
    re.compile(rf"\baccepted\b[^\n]{{0,40}}?\b{_YEAR}\b", re.IGNORECASE),
    # "Manuscript received 18 November 1962, in revised form 7 January 1963": the revision is the later date.
    # A date follows: a month's name or numbers, not prose ("the revised 1990 census").
    re.compile(
        rf"\b(?:in\s+)?revised\b(?:\s+(?:form|manuscript|version|paper|received|on|in)\b)*[\s:,;]*(?P<day_month>(?:\d{{1,2}}(?:st|nd|rd|th)?\s*)?{_MONTH}\s*\d{{0,2}}(?:st|nd|rd|th)?,?\s*|\d{{1,2}}[./-]\d{{1,2}}[./-])?"
        rf"{_YEAR}(?(day_month)\b|[./-]\d{{1,2}}[./-]\d{{1,2}}\b)",
        re.IGNORECASE,
    ),
    # An academy's proceedings date a paper by the meeting it was communicated at ("(Communicated at the meeting of
    # May 29. 1948.)"), PNAS by the day its editor communicated it ("Communicated by Jane Roe, May 3, 2001").
    re.compile(rf"\b(?:received|communicated)\b[^\n]{{0,40}}?\b{_YEAR}\b", re.IGNORECASE),
)
# An issue comes out at most this many years after the manuscript was received, or after the article went online.
_HISTORY_TO_ISSUE_YEARS = 4
_ONLINE_TO_ISSUE_YEARS = 2
# A journal or series line names its year: "Sci. 12 (2024) 1-4", "Letters in
# Biochemistry (2023) 5:107", "Vol. 12, 2024", "Technical Reports, 2021".
_JOURNAL_LINE_YEAR = re.compile(
    # SAGE's banner opens with the year: "2025, Vol. 62(6) 2070 -2087", whose page numbers read as years.
    # or follows the journal's name with no space ("Journal of Educational Psychology1974, Vol. 66, No. 5").
    # A page whose words run together glues them: "4August1972,Volume177,Number4047".
    rf"(?:^|(?<=[a-z])|(?<=\s)){_ANY_YEAR}(?:,?\s+|,)vol(?:ume)?\.?\s*\d"
    # JSTOR's "Source:" line puts the month with a comma before the year: "Vol. 84, No. 3 (Aug., 1970)".
    # Not a conference's acronym: "The 2nd Annual Applied Science and Engineering Conference (AASEC 2017)".
    rf"|\((?:(?-i:[A-Z][a-z]{{2,8}})\.?\s+|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,\s+)?{_ANY_YEAR}\)"
    # The American Economic Association's header: journal, year, volume(issue): pages: "American Economic Journal:
    # Macroeconomics 2013, 5(1): 81–101".
    # Elsevier's Current Opinion journals give no issue: "Current Opinion in Behavioral Sciences 2021, 37:47–55";
    # the AEA's older header puts the issue after a colon: "American Economic Review 2009, 99:4, 1145–1177".
    rf"|[A-Za-z]\s+{_ANY_YEAR},\s*\d{{1,4}}\s*(?:\(\d{{1,3}}\))?\s*:\s*(?:\d{{1,3}}\s*,\s*)?\d{{1,5}}\s*[-\u2013]\s*\d{{1,5}}"
    # A scan's text may run the words together: "Proc.NatLAcad.Sci.USAVol.79,pp.1129-1133,February1982Biophysics".
    rf"|(?:\b(?:vol(?:ume)?|no|issue)|(?<=[^\W\d_])(?-i:Vol))\.?\s*\d{{1,4}}[^\n]{{0,60}}?(?:\b|(?<=[a-z])){_ANY_YEAR}(?:\b|(?=[A-Z]))|,\s*{_ANY_YEAR}$",
    re.IGNORECASE,
)
# A year followed by volume and pages, as a journal prints its own article's reference.
_ARTICLE_REFERENCE = re.compile(
    # Blackwell's Adv fonts map the page range's en dash to "±": "Ecology Letters (2000) 3:349±361".
    # PubMed's form may put the month after the year: "Epidemiology. 2010 January ; 21(1): 128–138".
    rf"\({_ANY_YEAR}\)\s*\d{{1,4}}\s*[,:]\s*\d{{1,5}}\s*[-\u2013±]\s*\d{{1,5}}"
    # Nature's issues run to four digits: "Nature. 2018 August ; 560(7720): 644–648".
    rf"|\b{_ANY_YEAR}(?:\s+[A-Z][a-z]{{2,8}}\.?(?:\s+\d{{1,2}})?)?\s*;\s*\d{{1,4}}\s*(?:\(\d{{1,5}}\))?\s*:\s*\d{{1,5}}"
    # ACM's: volume, issue, (month year), pages: "ACM OOPS Messenger 4,4 (Oct. 1993), 2-27."
    rf"|\b\d{{1,4}}\s*,\s*\d{{1,4}}\s*\((?:[A-Z][a-z]{{2,8}}\.?\s+)?{_ANY_YEAR}\)\s*,?\s*\d{{1,5}}\s*[-\u2013]\s*\d{{1,5}}"
    # ACS's, RSC's and MDPI's line: journal, year, volume, pages or article: "J. Phys. Chem. B 2020, 124, 4567−4578",
    # "Cite This: J. Am. Chem. Soc. 2020, 142, 1234−1240", "Phys. Chem. Chem. Phys., 2020, 22, 1234", "Cancers 2022, 14, 3914.".
    # British Ecological Society's "Journal of Ecology 2020, 108, 123–134 doi: 10.1111/...".
    # Taylor & Francis's older line gives the issue as a range, its dash read as a glyph code: "VISUAL COGNITION, 2009,
    # 17 (1/2), 141/C1159".
    rf"|^(?:[Cc]ite\s+[Tt]his:\s*)?[A-Z][\w.&' -]*[A-Za-z.],?\s+{_ANY_YEAR}\s*,\s*\d{{1,4}}\s*(?:\(\d{{1,3}}(?:[/-]\d{{1,3}})?\)\s*)?,\s*\d{{1,6}}(?:\s*[-\u2013\u2212]\s*\d{{1,6}}|/C1\d{{1,6}})?\.?(?:$|\s+doi\b)"
    # Oxford's and the Ecological Society's: journal, volume(issue), year, pages or article: "Bioinformatics, 36(2),
    # 2020, 123–130", "Ecology, 101(2), 2020, e02934".
    rf"|^[A-Z][\w.&' -]*[A-Za-z.],\s*\d{{1,4}}\s*\(\d{{1,3}}\)\s*,\s*{_ANY_YEAR}\s*,\s*e?\d{{1,6}}(?:\s*[-\u2013]\s*\d{{1,6}})?"
    # Annual Reviews': "Annu. Rev. Psychol. 2020. 71:1–25".
    rf"|^[A-Z][\w.&' -]*[A-Za-z.]\s+{_ANY_YEAR}\.\s*\d{{1,4}}\s*:\s*\d{{1,6}}\s*[-\u2013]\s*\d{{1,6}}"
    # The University of Chicago Press's note under the first column, in brackets: "[Journal of Labor Economics, 2016, vol.
    # 34, no. 1, pt. 2]".
    rf"|^\[\s*[A-Z][\w.&' -]*[A-Za-z.],\s*{_ANY_YEAR},\s*vol\.\s*\d{{1,4}},\s*no\.\s*\d"
    # Nature Portfolio's footer: journal | (year) volume:article: "npj Digital Medicine | (2026) 9:20".
    rf"|\|\s*\({_ANY_YEAR}\)\s*\d{{1,4}}\s*:\s*\d{{1,6}}\b"
    # Elsevier's footer or header: journal, volume, (year), pages: "Cognition 158 (2017) 33–43".
    # New York J. Math.'s ends in a full stop: "New York J. Math. 17 (2011) 173–231.".
    rf"|^[A-Z][\w.&' -]*[A-Za-z.]\s+\d{{1,4}}\s*\({_ANY_YEAR}\)\s*\d{{1,6}}\s*[-\u2013]\s*\d{{1,6}}\.?$"
)


def _matched_year(match: re.Match[str]) -> int | None:
    """The year a pattern of several ways to print one matched: the first of its groups that took part."""
    return year_in_range(int(next(year for year in match.groups() if year)))


def _own_reference_year_on_page(text: str) -> int | None:
    """The year of the first line of a page that is an article's reference with volume and pages ("Computers &
    Operations Research 34 (2007) 2964–2975"), a journal's statement of its own article, or None."""
    for line in nonblank_lines(text):
        match = _ARTICLE_REFERENCE.search(line)
        if match and "et al" not in line:
            return _matched_year(match)
    return None


def own_reference_year(text: str) -> int | None:
    """The year of an article's reference in a field that holds only it (HighWire writes Science's into the PDF's
    /Subject: "Science 2002.296:301-305"), or None."""
    match = _ARTICLE_REFERENCE.search(text.strip())
    return _matched_year(match) if match else None


# Kluwer's and Springer's footer: volume:pages, year: "Boundary-Layer Meteorology 74:113-130, 1995."; read among the
# banner lines only, as a footnote citing other work has the same form.
_VOLUME_PAGES_YEAR = re.compile(rf"\b\d{{1,4}}\s*:\s*\d{{1,5}}\s*[-\u2013]\s*\d{{1,5}}\s*,\s*{_ANY_YEAR}\.?$")
# A line that opens with the volume is the journal's own banner ("Vol. 27, pp. 379-423, July, 1948.").
_VOLUME_LINE = re.compile(r"^vol(?:ume)?\.?\s*\d", re.IGNORECASE)
# A class's placeholder volume: "MNRAS 000, 1-21 (2023)".
_PLACEHOLDER_VOLUME = re.compile(r"\b[A-Z][A-Za-z.&]+\s+0{2,3}\s*,")
# So is an issue's number with its month, wherever it stands ("Volume 8 / Number 9 / September, 1965", as CACM
# prints it at a column's foot), and a weekly's volume with the issue's day, before or after it, which Science and
# Nature print in the foot that the reading order may put mid-page ("www.sciencemag.org SCIENCE VOL 296 12 APRIL 2002
# 301", "12 APRIL 2002 VOL 296 SCIENCE", "NATURE | VOL 408 | 16 NOVEMBER 2000 |").
_DAY_OF_ISSUE = r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+"
_ISSUE_DATE = re.compile(
    rf"\b(?:number|no\.)\s*\d{{1,3}}\s*[/,]\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+{_YEAR}\b"
    rf"|\bvol\.?\s*\d{{1,4}}\s*[|,]?\s*{_DAY_OF_ISSUE}(?P<weekly_year>{_YEAR_DIGITS})\b"
    rf"|\b{_DAY_OF_ISSUE}(?P<year_before_volume>{_YEAR_DIGITS})\s*[|,]?\s*vol\.?\s*\d{{1,4}}\b",
    re.IGNORECASE,
)
# Lines at the top of the page (and its last few, the footer) are banners;
# further down a "(2019)" is likely a citation.
HEADER_LINES = 10
_FOOTER_LINES = 2


# Stamps that name the day a file was fetched or printed, not published.
_DOWNLOAD_STAMP = re.compile(
    # pypdf may glue "Downloaded" onto the address before it ("www.plantphysiol.orgDownloaded from").
    r"downloaded\s+from|\b(?:downloaded|accessed|retrieved|printed|generated|provided\s+by|this\s+pdf|terms\s+of\s+use|for\s+personal\s+use)\b"
    # PubMed Central's header on an author manuscript dates its deposit: "Author manuscript; available in PMC 2013 February 18."
    r"|\bavailable\s+in\s+PMC\b"
    # ASCE's library stamps its second line: "No other uses without permission. Copyright (c) 2012. American Society of
    # Civil Engineers. All rights reserved." under "Downloaded from ascelibrary.org by ... on 07/13/12."
    r"|\bno\s+other\s+uses\s+without\s+permission\b"
    # A browser's print header or footer: the time of day, "Page 1 of 7".
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\s*(?-i:(?:AM|PM)(?![a-z]))|\bpage\s+\d+\s+of\s+\d+\b"
    # A clock time to the second before a year, as an archive's sheet stamps the day it was made ("Thu Feb 8 11:25:02 2007").
    r"|\b\d{1,2}:\d{2}:\d{2}\s+(?:[A-Z]{3,4}\s+)?(?:19|20)\d{2}\b",
    re.IGNORECASE,
)


def without_download_stamps(text: str) -> str:
    """A page's text without the lines that say when the file was downloaded or printed."""
    return "\n".join(line for line in text.split("\n") if not _DOWNLOAD_STAMP.search(line))


_ARXIV_STAMP = re.compile(rf"arXiv:\s*[\w./-]+\s*(?:\[[^\]]*\])?\s*\d{{1,2}}\s+(?P<month>[A-Z][a-z]{{2}})\s+{_YEAR}\b")
# A preprint posted in a year's last months may print its venue's copyright of the next year (AAAI's and ACM's
# January conferences: "Copyright © 2019, Association for the Advancement of Artificial Intelligence" on a paper
# stamped "16 Nov 2018").
_LATE_MONTHS = ("Sep", "Oct", "Nov", "Dec")


def find_year(text: str, doi: str | None = None) -> int | None:
    """The publication year a first page states, or None.

    The year of the citation the page gives for itself ("To cite this
    version:", "Reference Format:", "Please cite this article as") comes
    first. Then dates after "published", "©", "accepted" and "received" are trusted in
    that order, a journal banner's later issue year outranking a received or accepted date; then a year in a journal banner among the page's first or
    last lines, where a citation such as "Smith et al. (2019)" is unlikely;
    then the date of an arXiv stamp; then a short dated line there ("SMLI
    TR-94-29 November 1994", "(Draft of October 7, 2013)", "To appear in
    OSDI 2006"). Lines that say when the file was downloaded or printed are
    never read.

    A paper's DOI may name the year its article was registered
    (``year_of_doi``); the paper came out that year or within the next
    ``DOI_TO_ISSUE_YEARS``. Given such a DOI, the first year the page states
    in that span wins, and a page whose every year falls outside it (a cited
    work's, a reprint's) gives the DOI's year; the page's own citation wins
    whatever the DOI says. A page that states no year gives None.
    """
    text = without_download_stamps(text)
    # How the page says to cite the paper is its own statement of where and when it appeared, whatever the DOI says;
    # an archive's cover (HAL's "To cite this version:") also prints the day it was deposited, years later, in a banner.
    old = _CITED_CENTURIES_AGO.search(text)
    if old:
        return int(old.group("year"))
    cited = _CITE_AS.search(text) or (_REPOSITORY_CITATION.search(text) if _REPOSITORY_COVER.search(text) else None)
    if cited:
        return year_in_range(int(cited.group("year")))
    stated = (year for year in _stated_years(text) if year is not None)
    first = next(stated, None)
    registered = year_of_doi(doi) if doi else None
    if first is None or registered is None:
        return first  # without a stated year, the DOI's is the last resort, after the PDF's own fields
    in_span = (
        year
        for year in chain([first], stated)
        if registered <= year <= registered + DOI_TO_ISSUE_YEARS
        or (registered <= year <= registered + _ONLINE_TO_ISSUE_YEARS and year == _own_reference_year_on_page(text))
    )
    return next(in_span, registered)


def _stated_years(text: str) -> Iterator[int | None]:
    """After the page's own citation, the years a first page (without its download stamps) states for its paper, most
    trusted first (see ``find_year``); computed lazily, as the first one usually decides.

    arXiv stamps the day its version was submitted: a later year on that page is the day arXiv typeset it again
    (A&A's class prints "© ESO 2018" and the day of typesetting on a 2006 preprint), never the version's.
    """
    arxiv = _ARXIV_STAMP.search(text)
    arxiv_year = year_in_range(int(arxiv.group("year"))) if arxiv else None
    late_stamp = arxiv is not None and arxiv.group("month") in _LATE_MONTHS
    for year in _years_in_trust_order(text, arxiv_year):
        if year and arxiv_year and year > arxiv_year and not _issue_after_stamp(text, year, arxiv_year, late_stamp):
            continue
        yield year


def _issue_after_stamp(text: str, year: int, arxiv_year: int, late_stamp: bool) -> bool:
    """Whether a year after a page's arXiv stamp is the issue date its publisher's footer prints, soon after the stamp
    (a paper posted before its issue: "10 Nov 2018" stamped on "Publication date: January 2019"), or, for a stamp
    in a year's last months (``late_stamp``), the next year's copyright of the venue it was posted ahead of."""
    if year > arxiv_year + _ARXIV_TO_ISSUE_YEARS:
        return False
    issue = _PUBLICATION_DATE.search(text)
    if issue is not None and year == int(issue.group("year")):
        return True
    copyright_line = _COPYRIGHT_YEAR.search(text)
    return late_stamp and copyright_line is not None and year == int(copyright_line.group("year"))


def _years_in_trust_order(text: str, arxiv_year: int | None) -> Iterator[int | None]:
    """The years of ``_stated_years``, the arXiv stamp's (``arxiv_year``) in its place among them."""
    journal_year = _journal_line_year(text)
    for pattern in (*_EXPLICIT_YEAR_PATTERNS, *_HISTORY_YEAR_PATTERNS):
        match = pattern.search(text)
        if match:
            year = year_in_range(int(match.group("year")))
            # A journal banner's issue year outranks a copyright date up to a year before it (online first, printed
            # next year), and the day a manuscript was received or accepted, which may be years before the issue.
            # An article online first may wait two years for its issue ("Computers & Operations Research 34 (2007)
            # 2964–2975" over "Available online 13 December 2005").
            history_date = pattern in _HISTORY_YEAR_PATTERNS
            lead = _HISTORY_TO_ISSUE_YEARS if history_date else _ONLINE_TO_ISSUE_YEARS if "online" in match.group(0).lower() else 1
            if year and journal_year and 0 < journal_year - year <= lead:
                yield journal_year
            if year and history_date:
                # A manuscript's history is the least year of its issue: a later year that an issue line or the
                # page's banner prints is the issue's ("Vol. 12, No. 3, 2020" under "Received 12 May 2019").
                yield _later_issue_year(text, year)
            yield year
    yield journal_year
    yield arxiv_year
    for pattern in _APPEARED_IN_PATTERNS:
        match = pattern.search(text)
        if match:
            yield year_in_range(int(match.group("year")))
    publisher = _PUBLISHERS_COPYRIGHT_LINE.search(text)
    if publisher:
        yield year_in_range(int(publisher.group("year") or publisher.group("year_after")))
    venue = _VENUE_FOOTER.search(text)
    if venue:
        yield _year_of_two_digits(int(venue.group("short_year")))
    fee = _FEE_LINE.search(text)
    if fee:
        yield _year_of_two_digits(int(fee.group("short_year")))
    yield _dated_header_year(text)
    yield _citation_banner_year(text)


# DOIs that carry the year their article was registered: Elsevier's and old Wiley's journal code and year
# ("10.1016/j.cell.2019.01.021", "10.1111/j.1461-0248.2000.00143.x"), an ISSN and year (Taylor & Francis, Wiley:
# "10.1080/01621459.2017.1285773"), Frontiers' ("10.3389/fcell.2020.616592"), Springer Nature's two digits after
# the journal's number ("10.1007/s10994-019-05855-6").
_DOI_WITH_YEAR = re.compile(
    rf"^10\.\d{{4,9}}/(?:j\.[a-z0-9-]+\.|[a-z]?\d{{4}}-?\d{{3}}[\dx]\.|f[a-z]+\.)(?P<year>{_YEAR_DIGITS})\.\d"
    r"|^10\.\d{4,9}/s\d{5}-0(?P<short_year>\d\d)-\d",
    re.IGNORECASE,
)
# The year a DOI names and the year its paper came out: equal, or the next year (an article registered in December
# appears in January's issue). The year of the article's own reference line may be one more (an article online first waits for
# its issue: "10.1016/j.cor.2005.11.006" in "Computers & Operations Research 34 (2007) 2964–2975").
DOI_TO_ISSUE_YEARS = 1


def year_of_doi(doi: str) -> int | None:
    """The year a DOI names, for publishers whose DOIs carry it, else None."""
    match = _DOI_WITH_YEAR.match(doi)
    if not match:
        return None
    return year_in_range(int(match.group("year")) if match.group("year") else 2000 + int(match.group("short_year")))


# A copyright line whose sign was lost (a scan's text layer, a font without it): the year beside the publisher's
# name on a short line: "1063-6919/99 $10.00 .oo 13 1999 IEEE", "Springer-Verlag Berlin Heidelberg 1992", or with the
# sign read as a digit glued onto the year ("0-7803-5800-7/00$10.00 02000 IEEE").
_PUBLISHER = (
    r"(?:IEEE|ACM|Elsevier|Springer(?:-Verlag)?|Wiley|Kluwer|Taylor\s*&\s*Francis|Academic\s+Press|Pergamon|North-Holland"
    r"|American\s+(?:Physical|Chemical|Mathematical)\s+Society|Royal\s+Society|(?:Oxford|Cambridge)\s+University\s+Press"
    r"|The\s+Author\(?s\)?|Macmillan|Nature\s+Publishing|Blackwell|"
    # Springer's line may break before its city: "© Springer-Verlag / Berlin Heidelberg 1992".
    r"Berlin\s+Heidelberg)"
)
_PUBLISHERS_COPYRIGHT_LINE = re.compile(
    # A reference ("[3] J. Doe. 2011 IEEE Intl. Conf. ...") or a sentence ("The 1998 ACM SIGMOD record shows") is
    # longer after the publisher's name.
    rf"^(?!\[)(?:[^\n]{{0,40}}\s)?[0O@]?(?P<year>{_YEAR_DIGITS})\s+{_PUBLISHER}\b(?:[^\n]{{0,12}}|\s+[^\n]{{0,40}}\b[Aa]ll\s+rights\b[^\n]*)$"
    rf"|^(?!\[)[^\n]{{0,40}}\b{_PUBLISHER}\s+(?:[A-Z][a-z]+\s+){{0,2}}(?P<year_after>{_YEAR_DIGITS})\.?\s*$",
    re.MULTILINE,
)


# The fee line a publisher prints for copying: an ISSN or ISBN, the year's last two digits and the fee:
# "0018-9286/97$10.00", "1063-6919/99 $10.00", "0-7803-5800-7/00$10.00", "0022-2836/95 $08.00/0".
# ACM's adds the month: "0-89791-794-4/96/0006...$3.50".
_FEE_LINE = re.compile(
    r"\b(?:\d{4}-\d{3}[\dX]|\d{1,5}-\s?\d{1,7}\s?-\s?\d{1,7}-[\dX])/(?P<short_year>\d\d)(?:/\d{4}(?:-\d{4})?)?\s*/?\s*(?:\.{2,4}|\u2026)?\s*\$\s?\d+\.\d\d"
)
# Two digits at or above this are a year of the 1900s.
_FEE_CENTURY_SPLIT = 50
# USENIX's footer names the conference with the year's last two digits: "OSDI ’06: 7th USENIX Symposium on Operating
# Systems Design and Implementation USENIX Association 307".
_VENUE_FOOTER = re.compile(
    r"^(?-i:[A-Z]{2,}(?:-[A-Z]+)?)\s?['\u2019](?P<short_year>\d\d)\s*:\s*[^\n]{0,20}\b(?:symposium|conference|workshop)\b",
    re.MULTILINE | re.IGNORECASE,
)


def _year_of_two_digits(short: int) -> int | None:
    """The year that a year's last two digits name, in the 1900s from ``_FEE_CENTURY_SPLIT`` up."""
    return year_in_range(short + (1900 if short >= _FEE_CENTURY_SPLIT else 2000))


# A paper saying how to cite it: "PVLDB Reference Format: ... PVLDB, 14(3): 268-280, 2021.", HAL's "To cite this
# version: ... International Symposium on Ship Design, Sep 2009, Tokyo, Japan.", "Please cite this article as",
# "Citation: Smith J (2019) ...", "Reference: Chuttur M.Y. (2009).". A plural "References" heading is a list.
_CITE_AS = re.compile(
    # Elsevier's accepted manuscript labels the journal's code and the article's number "Reference: TAML 62".
    rf"\b(?:reference\s+format\b|to\s+cite\s+this\b|cite\s+(?:this\s+\w+\s+)?(?:\w+\s+){{0,2}}as\b|(?:reference|citation)\s*:(?!\s*[A-Z]{{2,10}}\s*\d{{1,6}}\s*(?:\n|$)))"
    # IOP's "To cite this article: Xiaoying Wei et al 2023 ECS Adv. 2 040502": the year before the journal's name.
    rf"[^©]{{0,400}}?\b{_YEAR}(?=[.,;)]|\s+(?-i:[A-Z])[A-Za-z]*\.?\s)",
    re.IGNORECASE,
)
# Taylor & Francis's archive reaches back centuries, its citation giving the names and then the year: "To cite this
# article: Robert Brown F.R.S. (1828) XXVII. A brief account"; years this old are read nowhere else.
_CITED_CENTURIES_AGO = re.compile(r"\bto\s+cite\s+this\s+article:\s*[^\n()]{1,120}\((?P<year>1[6-8]\d\d)\)", re.IGNORECASE)
# A Digital Commons (bepress) repository's cover heads the citation with the word alone on its line ("Citation",
# "Recommended Citation"), not ResearchGate's count ("CITATION / 1 / READS / 804"), nor a title that opens with it.
_REPOSITORY_COVER = re.compile(r"\bFollow\s+this\s+and\s+additional\s+works\s+at\b")
_REPOSITORY_CITATION = re.compile(rf"^(?:Recommended\s+)?Citation[ \t]*\n(?=[ \t]*[^\W\d_])[^©]{{0,400}}?\b{_YEAR}(?=[.,;)])", re.MULTILINE)
# A paper saying where it appeared: "This paper appeared in Proceedings, STOC 1996".
_APPEARED_IN_PATTERNS = (
    # The note may run over three lines of a footnote, in a Type 3 font whose words pypdf splits ("App ears in Pro ceedings
    # of the F ourteen th Confer- / ence on ..., Madison, WI, / July ,1998.").
    re.compile(
        rf"\b(?:app\s?eared|app\s?ears|to\s+app\s?ear)\s+(?:in|at)\b(?:[^\n]|\n(?!\n)){{0,200}}?\b{_YEAR}\b",
        re.IGNORECASE,
    ),
    # A note saying where the paper was published, with a colon, which prose does not have ("1Published in: Journal,
    # Vol. 5, No 1, pp. 35-42, 1992."; Spanish, French and German too: "Publicado en:", "Publié dans :", "Erschienen in:").
    re.compile(
        rf"(?<![^\W\d_])(?:published\s+in|publicado\s+en|publi[ée]\s+dans|erschienen\s+in|pubblicato\s+in)\s*:[^\n]{{0,200}}?\b{_YEAR}\b",
        re.IGNORECASE,
    ),
    # ASCE's footnote: "This paper is part of the Journal of Transportation Engineering, Vol. 119, No. 1,
    # January/February, 1993. ©ASCE".
    re.compile(rf"\bthis\s+paper\s+is\s+part\s+of\s+the\b(?:[^\n]|\n(?!\n)){{0,200}}?\b{_YEAR}\b", re.IGNORECASE),
    # "Presented at" is also prose ("the method presented in this paper"): only on its own line.
    # A footnote's marker may open the line ("*Presented at ..."); "is presented in (Zhao et al. (2014))" is prose.
    re.compile(rf"^[^\w\n]{{0,3}}\d{{0,2}}\s*presented\s+(?:in|at)\b[^\n]{{0,80}}?\b{_YEAR}\b", re.IGNORECASE | re.MULTILINE),
    # A permission notice names the venue: "... attribute the work to the author and CIDR 2007."
    re.compile(rf"\b(?:[Pp]ermission\s+to\s+(?:make|copy)|attribute\s+the\s+work)\b[^©]{{0,400}}?\b[A-Z]{{3,}}\s{{1,2}}{_YEAR}\b"),
    # VLDB's notice ends with its venue, the place and year on the next line: "Proceedings of the 20th VLDB
    # Conference / Santiago, Chile, 1994"; IFAC's banner has its federation's name between: "Preprints of the 20th
    # World Congress / The International Federation of Automatic Control / Toulouse, France, July 9-14, 2017". A
    # reference would go on after the year (pages).
    re.compile(
        rf"^(?:proceedings|preprints)\s+of\s+the\s+\d{{1,3}}(?:st|nd|rd|th)\s+[^\n]{{0,60}}?\b(?:conference|symposium|workshop|congress)\b"
        rf"[^\n]{{0,20}}?(?:\n[^\n\d]{{0,80}})?(?:\s*\n|,\s*)(?:[^\n]{{0,60}}?,\s*)?{_YEAR}\.?[ \t]*$",
        re.IGNORECASE | re.MULTILINE,
    ),
)


# A conference or issue date in a banner: "June 2009", "July 5 - 10, 2020", "8-14 July 2012", "(ACL-2007)".
_BANNER_DATE_YEAR = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2}(?:\s*(?:--?|\u2013)\s*(?:[a-z]+\s+)?\d{1,2})?,?\s+)?"
    rf"(?P<year>{_YEAR_DIGITS})\b|\([A-Z]{{2,}}[- ]?(?P<acronym_year>{_YEAR_DIGITS})\)"
    r"|\b\d{1,2}(?:\s*[-\u2013]\s*\d{1,2})?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+"
    rf"(?P<day_first_year>{_YEAR_DIGITS})\b",
    re.IGNORECASE,
)
# A date in numbers alone on its line, as a report's cover prints it: "15.12.2018", "3/7/2021", "2021-03-07".
_NUMERIC_DATE_LINE = re.compile(rf"\d{{1,2}}([./-])\d{{1,2}}\1(?P<year>{_YEAR_DIGITS})|(?P<iso_year>{_YEAR_DIGITS})-\d{{2}}-\d{{2}}")
# A conference's short name with its year: "SIGMOD'07", "KDD '09", "CHI 2019".
_CONFERENCE_TAG = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]+)?\s?['\u2019]\d{2}\b|\b[A-Z]{3,}\s(?:19|20)\d{2}\b")
_PROCEEDINGS_LINE = re.compile(r"^(?:in\s+)?(?:proceedings|appearing\s+in|published\s+in|to\s+appear\s+in)\b", re.IGNORECASE)
# A dated line is short: a longer one with a date is running text or a citation.
_DATED_LINE_WORDS = 8
# A footnote naming where and when the paper was given: "ACM, December 1993, Asheville, North Carolina."
_VENUE_WORD = re.compile(r"\b(?:ACM|IEEE|USENIX|SIAM|proceedings|symposium|conference|workshop|magazine)\b", re.IGNORECASE)
# What makes a dated footer line a note about this paper, not running text.
_FOOTER_DATE_CUE = re.compile(
    r"\b(?:ACM|IEEE|USENIX|SIAM|proceedings|symposium|conference|workshop|draft|to\s+appear|TR|report)\b|^\(", re.IGNORECASE
)
_CITATION_MARKS = re.compile(r"\bet\s+al\b|\[\d|\bcf\.|\bsee\b", re.IGNORECASE)


def nonblank_lines(text: str) -> list[str]:
    """A page's lines, stripped, without the blank ones."""
    return [line.strip() for line in text.split("\n") if line.strip()]


# Words of running text after a year: "(1985), is one of", "(1985) shows how".
_PROSE_AFTER = re.compile(r"\s*[,;]?\s*(?!in\s+press\b|to\s+appear\b|forthcoming\b)[a-z]{2,}\s+[a-z]+\s+[a-z]")


_PAGES_AT_END = re.compile(r"\bpp?\.\s*\d{1,5}\s*[-\u2013]\s*\d{1,5}\.$")
_SOURCE_LINE = re.compile(r"^source\s*:", re.IGNORECASE)
# A footnote's or a reference's opening: "[3] ...", "1 J. Doe, ...", "* Corresponding author".
_REFERENCE_START = re.compile(r"^(?:\[\d{1,3}\]|\d{1,3}\.\s)")
_NOTE_START = re.compile(r"^(?:\[\d|\d{1,3}\s|[*\u2020\u2021])")
_HISTORY_LINE = re.compile(r"\b(?:received|accepted|revised|submitted|published|available\s+online|advance\s+access|epub)\b", re.IGNORECASE)
# BMC's and Frontiers' header names the first author before the article's own reference: "Smith et al. BMC
# Medicine (2020) 18:45"; a citation in running text ("Smith et al. (2019) showed") has no volume after its year.
_OWN_REFERENCE_AFTER_NAMES = re.compile(
    rf"\bet\s+al\.?\s+[A-Z][\w.&' -]*\s\({_ANY_YEAR}\)\s*\d{{1,4}}\s*:\s*\d{{1,6}}"
    # Cell Press's footer: names, year, journal, volume, pages or article: "Tomic et al., 2021, Patterns 2, 100178".
    rf"|^(?:[A-Z][\w'\u2019-]+\s+(?:et\s+al\.|and\s+[A-Z][\w'\u2019-]+)|[A-Z][\w'\u2019-]+),\s*{_ANY_YEAR},\s*[A-Z][\w.&' -]*\s\d{{1,4}},\s*[A-Z]?\d{{1,6}}(?:\s*[-\u2013]\s*\d{{1,6}})?$"
)


def running_head_year(text: str) -> int | None:
    """The year in a journal's running head or foot on a page after the first ("Cognition 158 (2017) 33–43"), or
    None. Only the banner lines are read: the page's body may cite other works, or open the reference list."""
    # A running head may open with the page's number ("2 Journal of Demo 12 (2019) 1-10"); a reference list's entry
    # opens with its own ("[12] ...", "12. ...").
    lines = [line for line in nonblank_lines(without_download_stamps(text)) if not _REFERENCE_START.match(line)]
    edges = lines[:_RUNNING_HEAD_LINES] + lines[-_RUNNING_HEAD_LINES:]
    return _banner_line_year(edges, _RUNNING_HEAD_LINES, _RUNNING_HEAD_LINES) or _banner_date_year("\n".join(edges))


# A running head or foot is a page's first or last line; the lines between may cite other work.
_RUNNING_HEAD_LINES = 1


# Authors and a year in brackets closing a line: a work it cites ("England & McNider (1995)", "Smith et al. (2019)").
# A journal's name may have "and" ("Statistics and Computing (2023) 33:17"), and its banner goes on with the volume.
_CITED_WORK = re.compile(rf"[A-Z][\w'\u2019-]+(?:\s+&\s+[A-Z][\w'\u2019-]+|\s+et\s+al\.?)\s*\({_ANY_YEAR}\)\s*$")


def _banner_line_year(lines: list[str], header_lines: int = HEADER_LINES, footer_lines: int = _FOOTER_LINES) -> int | None:
    """The year of a journal or proceedings banner among the first or last of a page's lines, or None."""
    for line in lines[:header_lines] + lines[-footer_lines:]:
        match = _JOURNAL_LINE_YEAR.search(line.rstrip(".") if _PROCEEDINGS_LINE.match(line) else line) or _VOLUME_PAGES_YEAR.search(line)
        if (
            match
            and "et al" not in line
            # A manuscript's history ("Received: December 3, 2019") is no banner, though it ends in ", 2019".
            and not _HISTORY_LINE.search(line[: match.start()])
            # A class's placeholder volume ("MNRAS 000, 1-21 (2023) Preprint 18 January 2024") dates the template.
            and not _PLACEHOLDER_VOLUME.search(line[: match.end()])
            # A work the line names by its authors ("Revising and Extending England & McNider (1995)").
            and not _CITED_WORK.search(line)
            # Running text goes on after a work it cites ("introduced in Kyle (1985), is one of"); a banner's
            # year is followed by volume and pages.
            and not _PROSE_AFTER.match(line[match.end() :])
            and (
                not line.endswith(".")
                or _PROCEEDINGS_LINE.match(line)
                or _VOLUME_LINE.match(line)
                or _ARTICLE_REFERENCE.search(line)
                # JSTOR's cover: "Source: The Quarterly Journal of Economics , Aug., 1970, Vol. 84, No. 3 (Aug., 1970), pp."
                or _SOURCE_LINE.match(line)
                # JSTOR's old cover: "The American Naturalist, Vol. 94, No. 879. (Nov. - Dec., 1960), pp. 421-425."
                or _PAGES_AT_END.search(line)
                or _VOLUME_PAGES_YEAR.search(line)
            )
        ):
            return _matched_year(match)
    return None


def _journal_line_year(text: str) -> int | None:
    """The year in a journal or proceedings banner among the page's first or last lines, or in the article's own reference line, or None."""
    lines = nonblank_lines(text)
    banner = _banner_line_year(lines)
    if banner:
        return banner
    # The article's own reference, wherever the reading order puts it: "Proc. R. Soc. Lond. B (2004) 271, 147–152",
    # "Lancet 2004;363(9):147-52". Page 1 holds no reference list, so such a line is the paper's.
    for line in lines:
        own = _OWN_REFERENCE_AFTER_NAMES.search(line)
        if own:
            return _matched_year(own)
        match = _ARTICLE_REFERENCE.search(line)
        if match and "et al" not in line:
            return _matched_year(match)
    # A line that opens with the volume is the journal's banner wherever it stands (Emerald's margin: "Vol. 29 No. 2, 2007").
    for line in lines:
        if "et al" in line:
            continue
        issue = _ISSUE_DATE.search(line)
        if issue:
            return _matched_year(issue)
        match = _VOLUME_LINE.match(line) and _JOURNAL_LINE_YEAR.search(line)
        if match:
            return _matched_year(match)
    return _banner_date_year(text)


# A line that names an issue by its volume: "Vol. 12, No. 3", "Volume 8".
# A scan's page number may run into the word: "268Vol. 24, No. 5-GROUND WATER-September-October 1986".
_ISSUE_WORDS = re.compile(r"(?<![^\W\d_])vol(?:ume)?\.?\s*\d", re.IGNORECASE)
# An issue comes out at most this many years after the manuscript was accepted or received, as a banner dates it.
_LATER_ISSUE_YEARS = 2


def _later_issue_year(text: str, history_year: int) -> int | None:
    """A year up to ``_LATER_ISSUE_YEARS`` after a manuscript's history date, in a line that names an issue's volume
    (not a footnote or a reference, nor a postcode such as "B-2020 Antwerp"), or None."""
    for line in nonblank_lines(text):
        # A footnote or a reference ("1 J. Doe, Phys. Fluids vol. 12, 2020", "[3] ...") cites other work.
        if "et al" in line or _HISTORY_LINE.search(line) or _CITATION_MARKS.search(line) or _NOTE_START.match(line):
            continue
        if not _ISSUE_WORDS.search(line):
            continue
        for found in re.finditer(rf"(?<![A-Z]-)(?<![A-Z] )\b{_YEAR}\b", line):
            year = int(found.group("year"))
            if history_year < year <= history_year + _LATER_ISSUE_YEARS:
                return year
    return None


def _banner_date_year(text: str) -> int | None:
    """The year of a date in a journal, proceedings or conference banner among the page's first or last lines."""
    lines = nonblank_lines(text)
    banner_lines = lines[:HEADER_LINES] + lines[-_FOOTER_LINES:]
    for index, line in enumerate(banner_lines):
        follows_proceedings = index > 0 and bool(_PROCEEDINGS_LINE.match(banner_lines[index - 1]))
        # A venue's banner: "Australasian Coasts & Ports 2021 Conference – Christchurch, 30 November – 3 December 2021".
        banner = (
            _PROCEEDINGS_LINE.match(line)
            or BANNER_START.match(line)
            or BANNER_ANYWHERE.search(line)
            or _CONFERENCE_TAG.search(line)
            or _VENUE_WORD.search(line)
        )
        if (banner or follows_proceedings) and "et al" not in line:
            date = _BANNER_DATE_YEAR.search(line)
            if date:
                return year_in_range(int(date.group("year") or date.group("acronym_year") or date.group("day_first_year")))
    return None


_VENUE_BLOCK_LINES = 5
# A month and year alone on one of the page's last lines: a report's or a draft's date ("February 2019").
_MONTH_AND_YEAR = re.compile(rf"{_MONTH},?\s+{_YEAR}", re.IGNORECASE)
_CONFERENCE_DAYS = re.compile(
    rf"{_MONTH}\s+\d{{1,2}}\s*(?:--?|\u2013)\s*\d{{1,2}},?\s+{_YEAR}"
    rf"|\d{{1,2}}\s*(?:--?|\u2013)\s*\d{{1,2}}\s+{_MONTH},?\s+(?P<day_first_year>{_YEAR_DIGITS})",
    re.IGNORECASE,
)


def _citation_banner_year(text: str) -> int | None:
    """The year of a line among the page's first or last that cites the journal's own issue, or None."""
    lines = nonblank_lines(text)
    for line in lines[:HEADER_LINES] + (lines[-_FOOTER_LINES:] if len(lines) > HEADER_LINES else []):
        match = CITATION_BANNER.match(line)
        if match and "et al" not in line:
            return _matched_year(match)
    return None


def _dated_header_year(text: str) -> int | None:
    """The year of a short line that ends in a date, among the page's first or last lines, or None.

    Technical reports, drafts and reprints put their date there alone or
    after a report number; a line that says it is to appear somewhere names
    the conference ("To appear in OSDI 2006").
    """
    lines = nonblank_lines(text)
    footer = lines[-_FOOTER_LINES:] if len(lines) > HEADER_LINES else []
    # A venue's block at the page's foot dates it on a line of its own: "Tokyo, Japan" / "September 22--24, 2010" /
    # "ISCA Archive"; a date with its days alone on a line is no running text, nor is a month and year alone on one of
    # the last lines.
    for line in lines[-_VENUE_BLOCK_LINES:] if len(lines) > HEADER_LINES else []:
        conference_days = _CONFERENCE_DAYS.fullmatch(line.rstrip(" ."))
        if not conference_days and line in footer:
            conference_days = _MONTH_AND_YEAR.fullmatch(line.rstrip(" ."))
        if conference_days:
            return year_in_range(int(conference_days.group("year") or conference_days.group("day_first_year")))
    for line in lines[:HEADER_LINES] + footer:
        numeric = _NUMERIC_DATE_LINE.fullmatch(line.strip(" .()"))
        if numeric:
            return year_in_range(int(numeric.group("year") or numeric.group("iso_year")))
        if len(line.split()) > _DATED_LINE_WORDS or _CITATION_MARKS.search(line):
            continue
        if line in footer and not _FOOTER_DATE_CUE.search(line):
            continue  # on a two-column page the last lines may be running text ("... ended in March 2001.")
        date = _BANNER_DATE_YEAR.search(line)
        if date and (date.end() >= len(line.rstrip(" .)")) or _VENUE_WORD.search(line)):
            return year_in_range(int(date.group("year") or date.group("acronym_year") or date.group("day_first_year")))
        tag = _CONFERENCE_TAG.search(line)
        if tag and _PROCEEDINGS_LINE.match(line):
            year = re.search(r"(?:19|20)\d{2}", tag.group(0))
            if year:
                return year_in_range(int(year.group(0)))
    return None
