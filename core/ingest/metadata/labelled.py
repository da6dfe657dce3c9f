"""Cover pages that label their fields: "Title" over the title, "Authors" over the names.

eScholarship's cover (University of California) and some institutional
repositories print the paper's record as a form: a bold label on its own
line, the value under it, names written "Surname, Given". Read as a form,
such a page gives its title and authors outright.
"""

from __future__ import annotations

import re

from papergym.core.ingest.metadata.names import turn_round

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
