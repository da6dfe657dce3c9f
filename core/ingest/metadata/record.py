"""What is known about a paper, and how candidates from several sources combine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Metadata:
    """What is known about a paper; None or [] where a field is unknown."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    doi: str | None = None
    # The venue, when page 1 names one; not part of a paper's identity, so equality ignores it.
    journal: str | None = field(default=None, compare=False)
    # Whether the year is the day the file was made (Info CreationDate, XMP CreateDate), not a publication date.
    year_is_file_date: bool = field(default=False, compare=False)
    # The year the file was made (Info's CreationDate, else its ModDate, else XMP's CreateDate), whatever the year
    # field holds: what a year estimated for a paper that prints none is checked against.
    file_year: int | None = field(default=None, compare=False)
    # Where each field came from: "layout", "text", "info", "xmp", "doi-pattern", "doi" (a year the DOI names),
    # "citation" (the names of the citation page 1 prints for itself, or the year of one that quotes the title) or
    # "page-2" (read off the paper's page after a cover sheet), "running-head" (names a later page's running head gives)
    # "references" (a year estimated from the latest year the references cite, where no page prints one) or "file-date"
    # (the year the file was made, within a year of that latest reference).
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
