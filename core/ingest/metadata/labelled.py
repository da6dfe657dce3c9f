"""Cover pages that label their fields: "Title" over the title, "Authors" over the names.

eScholarship's cover (University of California) and some institutional
repositories print the paper's record as a form: a bold label on its own
line, the value under it, names written "Surname, Given". Read as a form,
such a page gives its title and authors outright. JSTOR's cover labels the
names inline under the title ("Author(s): Martin A. Nowak, Karen M. Page and
Karl Sigmund", then "Source:" and "Stable URL:").
"""

from __future__ import annotations

import re

from papergym.core.ingest.metadata.authors import GENERATIONAL_SUFFIX
from papergym.core.ingest.metadata.names import turn_round, unique_names

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
    jstor = _jstor_cover(stripped)
    if jstor is not None:
        return jstor
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
