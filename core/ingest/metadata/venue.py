"""The journal or proceedings a page-1 banner names."""

from __future__ import annotations

import re

_JOURNAL_LINE = re.compile(
    r"^(?:(?:in\s+)?(?P<proceedings>proceedings\s+of\s+.+?)(?:,\s*pages|\s+pages|,\s*pp\.|$)"
    r"|(?P<journal>(?:[A-Z][\w&.:-]*\s+){0,6}(?:journal|letters|reports|review|transactions|annals|advances|bulletin|communications)\b[^\d(]{0,60}?)"
    r"\s*(?:\(\d{4}\)|\d{1,4}\s*[(:,]|vol\.?|volume|,\s*\d{4}))",
    re.IGNORECASE,
)


def find_journal(lines: list[str]) -> str | None:
    """The journal or proceedings that a banner line among the first lines names, or None."""
    for line in lines:
        match = _JOURNAL_LINE.match(line)
        if match:
            venue = (match.group("proceedings") or match.group("journal") or "").strip(" ,.;:")
            if 2 <= len(venue.split()) <= 20:
                return venue
    return None
