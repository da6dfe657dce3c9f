"""Keys that tell two files of the same paper apart from two papers.

A preprint and its published version, or two downloads of one article with
different watermarks, have different bytes and so different ids. They share
a DOI, or a title and a first author once case, accents, punctuation and
spacing are set aside; each such fact is one key, and two papers that share
a key are the same paper.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MATCH_NAMES", "paper_keys"]

# Titles shorter than this (in letters and digits) are too generic to link papers by ("Editorial", "Reply").
MIN_TITLE_CHARACTERS = 20
# What each key kind means to a user, for "duplicate of PAPER (same DOI)".
MATCH_NAMES = {"doi": "same DOI", "title": "same title and first author"}
_NOT_WORD = re.compile(r"[\W_]+")


def _folded(text: str) -> str:
    """Lower case without accents or punctuation, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(character for character in decomposed if not unicodedata.combining(character))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


def _surname(name: str) -> str:
    """The family name of "Given Family" or "Family, Given", folded."""
    family = name.split(",")[0] if "," in name else name
    words = [word for word in _folded(family).split() if len(word) > 1]
    if not words:
        return ""
    return words[0] if "," in name else words[-1]


def paper_keys(title: str | None, authors: list[str] | None, doi: str | None) -> list[str]:
    """The keys under which this paper can be found again: ``doi:...`` and ``title:...|surname``."""
    keys = []
    if doi and doi.strip():
        keys.append("doi:" + doi.strip().lower())
    folded_title = _folded(title or "")
    first_author = _surname(authors[0]) if authors else ""
    if first_author and len(folded_title.replace(" ", "")) >= MIN_TITLE_CHARACTERS:
        keys.append(f"title:{folded_title}|{first_author}")
    return keys
