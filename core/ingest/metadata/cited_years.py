"""A paper's year when no page states one, estimated from the years its references cite.

A paper comes out in the year of the latest work it cites or soon after (its
authors' own papers in press, preprints of the same year). The day its file was
made settles which when it falls in that span: a file made within a year of the
latest reference is the paper's own typesetting, and its year is the paper's. A
file made later is a scan or a copy saved again years on; the latest reference
is then the estimate, a lower bound, and never the day of the scan. Measured on
every fifth paper of the metadata benchmark's tuning part (233 papers, all of
them, not only those that print no year, which are fewer and harder: preprints,
theses, scans): an estimate for 198, right for 155 (78%); the file's year,
taken for 138, right for 128 (93%); the latest reference, taken for 60, right
for 27 (45%; 26 of the 33 others a year or two early, and the year after the
latest reference would be right for only 16).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from papergym.core.ingest.metadata.doi_year import without_download_stamps, year_in_range

# The heading that opens a reference list, on a line of its own ("References", "7. REFERENCES", "Literature Cited").
_REFERENCES_HEADING = re.compile(
    r"^[ \t]*(?:\d{1,2}\.?[ \t]*|[IVX]{1,5}\.[ \t]*)?"
    r"(?:references?(?:[ \t]+(?:and|&)[ \t]+notes)?|bibliography|literature[ \t]+cited|references[ \t]+cited"
    r"|works[ \t]+cited|notes[ \t]+and[ \t]+references|cited[ \t]+literature)[ \t]*(?::[ \t]*)?$",
    re.IGNORECASE | re.MULTILINE,
)
# A year as references print it: closed by a bracket or a stop ("(2019)", "2019.", "2019a,", "2019;"), not a number
# inside a page range, a DOI or an arXiv number ("arXiv:1912.01703"), nor one alone on its line (a plot's axis).
_CITED_YEAR = re.compile(r"(?<![\w./:-])((?:19|20)\d\d)[a-z]?(?=[).,;:\]])")
# Fewer distinct years than this is no reference list (a page of results, a paper with a handful of footnotes).
MIN_CITED_YEARS = 4
# A file made this many years or fewer after the latest reference is the paper's own typesetting.
_FILE_AFTER_REFERENCE_YEARS = 1
# PDF files were first written in this year: a file "made" earlier carries no real date.
_FIRST_PDF_YEAR = 1993
# Where the year came from, in `papergym show`: the latest year the references cite.
REFERENCES_SOURCE = "references"
# ... or the year the file was made, within a year of the latest reference.
FILE_DATE_SOURCE = "file-date"


def latest_cited_year(pages: Sequence[str], ceiling: int) -> int | None:
    """The latest year, up to ``ceiling``, that the reference list of a paper's pages (its first page left out) cites,
    or None where fewer than ``MIN_CITED_YEARS`` distinct years are cited. Without a references heading, the years
    the later pages cite in the same form are read (an old journal's notes, a scan's text layer)."""
    body = "\n".join(without_download_stamps(page) for page in pages[1:])
    headings = list(_REFERENCES_HEADING.finditer(body))
    if headings:
        body = body[headings[-1].end() :]
    # Without a heading a sentence may end in a year of its topic ("By 2025, demand doubles."); the ceiling keeps such
    # a year from passing the day the file was made. Reading bracketed years only there lost three of the tuning part's
    # old papers (notes that cite "Phys. Rev. 12, 1-9, 1948.") and won none.
    years = {int(match.group(1)) for match in _CITED_YEAR.finditer(body)}
    years = {year for year in years if year_in_range(year) and year <= ceiling}
    return max(years) if len(years) >= MIN_CITED_YEARS else None


def estimated_year(pages: Sequence[str], file_year: int | None, this_year: int | None = None) -> tuple[int, str] | None:
    """A year for a paper that states none, and where it came from (``FILE_DATE_SOURCE`` or ``REFERENCES_SOURCE``),
    from its pages' text and the year its file was made (PDF Info's CreationDate), or None without a reference list."""
    this_year = this_year or datetime.date.today().year
    made = file_year if file_year is not None and _FIRST_PDF_YEAR <= file_year <= this_year else None
    latest = latest_cited_year(pages, made or this_year)
    if latest is None:
        return None
    if made is not None and made - latest <= _FILE_AFTER_REFERENCE_YEARS:
        return made, FILE_DATE_SOURCE
    return latest, REFERENCES_SOURCE
