"""Cover pages that label their fields: "Title" over the title, "Authors" over the names.

eScholarship's cover (University of California) and some institutional
repositories print the paper's record as a form: a bold label on its own
line, the value under it, names written "Surname, Given". Read as a form,
such a page gives its title and authors outright. JSTOR's cover labels the
names inline under the title ("Author(s): Martin A. Nowak, Karen M. Page and
Karl Sigmund", then "Source:" and "Stable URL:"). A manuscript that a
journal's submission system (Editorial Manager) built prints "--Manuscript
Draft--" under the title and the names after "Order of Authors:". A
manuscript may label its title inline ("Title: Variation in leaf ..."); the
names under it are then read as on any page.
"""

from __future__ import annotations

import re

from papergym.core.ingest.metadata.authors import GENERATIONAL_SUFFIX, looks_like_author_line
from papergym.core.ingest.metadata.names import turn_round, unique_names
from papergym.core.ingest.metadata.page_lines import has_markers

_LABEL = re.compile(
    r"^(?:title|authors?|author\(s\)|permalink|journal|issn|e?issn|publication\s+date|date|doi|peer\s+reviewed|abstract"
    r"|series|publication|keywords|copyright\s+information|license|source|citation|repository)\s*:?$",
    re.IGNORECASE,
)
_TITLE_LABEL = re.compile(r"^title\s*:?$", re.IGNORECASE)
_AUTHORS_LABEL = re.compile(r"^(?:authors?|author\(s\))\s*:?$", re.IGNORECASE)
_MAX_TITLE_LINES = 4
_MAX_AUTHORS = 60


def labelled_front_matter(lines: list[str]) -> tuple[str, list[str]] | None:
    """The title and authors of a page laid out as labelled fields, or None when the page is not such a form."""
    stripped = [line.strip() for line in lines]
    for cover in (_jstor_cover, _submission_form, _title_field):
        found = cover(stripped)
        if found is not None:
            return found
    title_at = next((index for index, line in enumerate(stripped) if _TITLE_LABEL.match(line)), None)
    authors_at = next((index for index, line in enumerate(stripped) if _AUTHORS_LABEL.match(line)), None)
    if title_at is None or authors_at is None:
        return None
    title_lines = _values_after(stripped, title_at)[:_MAX_TITLE_LINES]
    names = [turn_round(line) for line in _values_after(stripped, authors_at)[:_MAX_AUTHORS]]
    if not title_lines or not names or not all("," not in name for name in names):
        return None
    return " ".join(title_lines), names


def _values_after(lines: list[str], label_at: int) -> list[str]:
    """The lines under a label, up to the next label."""
    values = []
    for line in lines[label_at + 1 :]:
        if _LABEL.match(line):
            break
        if line:
            values.append(line)
    return values


# JSTOR's cover: the title, then "Author(s): ..." (or "Review by: ..."), then "Source: ..." and "Stable URL: ...".
_JSTOR_AUTHORS = re.compile(r"^(?:author\(s\)|review\s+by)\s*:\s*(?P<names>.+)$", re.IGNORECASE)
_JSTOR_AFTER_AUTHORS = re.compile(r"^(?:source|published\s+by|stable\s+url|reviewed\s+work\(s\))\s*:", re.IGNORECASE)
_JSTOR_NAME_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_JSTOR_MAX_NAME_LINES = 4
_JSTOR_NOTICE = re.compile(r"\bJSTOR\b|^https?://", re.IGNORECASE)
_JSTOR_REVIEWED = re.compile(r"^reviewed\s+work\(s\)\s*:", re.IGNORECASE)


def _jstor_cover(lines: list[str]) -> tuple[str, list[str]] | None:
    """Title and authors of a JSTOR cover page, or None."""
    found = next(
        ((index, match) for index, line in enumerate(lines[: _MAX_TITLE_LINES + 2]) if (match := _JSTOR_AUTHORS.match(line))), None
    )
    if found is None or found[0] == 0:
        return None
    authors_at, match = found
    if not any(_JSTOR_AFTER_AUTHORS.match(line) for line in lines[authors_at + 1 : authors_at + 2 + _JSTOR_MAX_NAME_LINES]):
        return None
    name_text = match.group("names")
    for line in lines[authors_at + 1 : authors_at + 1 + _JSTOR_MAX_NAME_LINES]:
        if _JSTOR_AFTER_AUTHORS.match(line):
            break
        name_text += f" {line}"
    # A review's cover lists the reviewed works between the title and the reviewer: "Reviewed Work(s): ...".
    title_lines: list[str] = []
    for line in lines[:authors_at]:
        if _JSTOR_REVIEWED.match(line):
            break
        # The older cover's footer may come first in reading order: "The Econometric Society is collaborating with
        # JSTOR to digitize, ..." and "http://www.jstor.org"; the title starts after it.
        title_lines = [] if _JSTOR_NOTICE.search(line) else [*title_lines, line]
    title = " ".join(line for line in title_lines if line)
    names: list[str] = []
    for name in _JSTOR_NAME_SPLIT.split(name_text):
        if GENERATIONAL_SUFFIX.fullmatch(name) and names:
            names[-1] += f" {name}"  # "Robert E. DeOtte, Jr."
        elif name:
            names.append(name)
    names = unique_names(names)
    return (title, names) if title and names else None


# Editorial Manager's submission PDF: the journal's name, the title, "--Manuscript Draft--", then fields
# ("Manuscript Number:", "Full Title:", "Order of Authors: Ana Demo, PhD" and one name a line, "Abstract: ...").
_DRAFT_MARK = re.compile(r"^-+\s*manuscript\s+draft\s*-+$", re.IGNORECASE)
_FIELD = re.compile(r"^[A-Z][A-Za-z ]{2,40}:")
_FULL_TITLE = re.compile(r"^full\s+title\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_ORDER_OF_AUTHORS = re.compile(r"^order\s+of\s+authors\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_DRAFT_FIELD_LINES = 40


def _submission_form(lines: list[str]) -> tuple[str, list[str]] | None:
    """Title and authors of a submission system's manuscript draft, or None."""
    draft_at = next((index for index, line in enumerate(lines[: _MAX_TITLE_LINES + 2]) if _DRAFT_MARK.match(line)), None)
    if draft_at is None:
        return None
    fields = lines[draft_at + 1 : draft_at + 1 + _DRAFT_FIELD_LINES]
    full_title = _field_value(fields, _FULL_TITLE)
    # Above the mark: the journal's name, then the title.
    title = " ".join(full_title) if full_title else " ".join(line for line in lines[1 if draft_at > 1 else 0 : draft_at] if line)
    # Each name is followed by its degrees: "Anna Bosman, PhD. Computer Science".
    names = unique_names([line.split(",")[0].strip() for line in _field_value(fields, _ORDER_OF_AUTHORS)])
    return (title, names) if title and names else None


def _field_value(lines: list[str], label: re.Pattern[str]) -> list[str]:
    """The lines of a form's field: the rest of the labelled line and those under it, up to the next label."""
    found = next(((index, match) for index, line in enumerate(lines) if (match := label.match(line))), None)
    if found is None:
        return []
    at, match = found
    value = [match.group("value")]
    for line in lines[at + 1 :]:
        if _FIELD.match(line):
            break
        value.append(line)
    return [line for line in value if line]


# A manuscript's title labelled inline at the top of the page: "Title: Variation in leaf transcriptome ...".
_TITLE_FIELD = re.compile(r"^title\s*:\s*(?P<value>\S.*)$", re.IGNORECASE)


def _title_field(lines: list[str]) -> tuple[str, list[str]] | None:
    """The title a manuscript labels inline, with the lines that continue it and no names (they are read as on any
    page), or None."""
    found = _field_value(lines[: _MAX_TITLE_LINES + 2], _TITLE_FIELD)
    if not found:
        return None
    title = [found[0]]
    for line in found[1:_MAX_TITLE_LINES]:
        # The names follow, with their markers ("Adalena V. Nanni1,4, Alison M. Morse1,4, ...").
        if looks_like_author_line(line) or (has_markers(line) and "," in line):
            break
        title.append(line)
    return " ".join(title), []
