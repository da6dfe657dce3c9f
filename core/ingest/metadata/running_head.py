"""The authors a journal's running head names, for a paper whose first page gave none.

Old journals (and scans of them) set their names where no layout rule
finds them, but repeat them at the top or foot of every later page:
Elsevier's "M.A. Bender, M. Farach-Colton/Theoretical Computer Science 321
(2004) 5–12", the AER's "VOL. 84 NO. 4 CARD AND KRUEGER: MINIMUM WAGE",
IEEE's "SMITH et al.: A TITLE". Only a page's first and last lines are read,
and only in those shapes: the page's body names other people. A head that
gives surnames alone takes the given names page 1 prints before them
("DAVID CARD AND ALAN B. KRUEGER").
"""

from __future__ import annotations

import re

from papergym.core.ingest.metadata.authors import _names_on_line, looks_like_author_line, title_case_if_capitals
from papergym.core.ingest.metadata.doi_year import nonblank_lines, without_download_stamps

# A running head or foot is one of a page's first or last lines.
_EDGE_LINES = 2
# A head names a few people, or the first and "et al.".
_MAX_NAMES = 8
# A surname in a mixed-case head has lower-case letters: "U.S. EPA/600/R-09/052F" is a report's number.
_SURNAME = r"[A-Z][a-z'\u2019][\w'\u2019]*(?:-[A-Z][\w'\u2019]+)?"
# Initials and a surname: "M.A. Bender", "M. Farach-Colton", "J.-P. Hugonin", "F. Livolant".
_INITIALS_AND_SURNAME = re.compile(rf"(?:[A-Z]\.\s?-?)+\s*{_SURNAME}(?:\s+et\s+al\.?)?")
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", re.IGNORECASE)
# Names, a slash, and the journal or the short title: "6 M.A. Bender, M. Farach-Colton/Theoretical Computer Science".
_NAMES_BEFORE_SLASH = re.compile(r"^(?:\d{1,5}\s+)?(?P<names>[A-Z][^/]{2,150}?)\s*/\s*\S")
# Surnames in capitals, a colon, and the short title: "773 VOL. 84 NO. 4 CARD AND KRUEGER: MINIMUM WAGE AND
# EMPLOYMENT", "SMITH et al.: LEARNING TO RANK".
_CAPITAL_SURNAME = r"[A-Z][A-Z'\u2019]+(?:-[A-Z][A-Z'\u2019]+)?"
_SURNAMES_BEFORE_COLON = re.compile(
    r"^(?:\d{1,5}\s+)?(?:VOL\.\s*\d{1,4},?\s+NO\.\s*\d{1,3}\s+)?"
    rf"(?P<names>{_CAPITAL_SURNAME}(?:(?:,\s*|\s+AND\s+|\s*&\s*){_CAPITAL_SURNAME})*|{_CAPITAL_SURNAME}\s+(?:ET\s+AL|et\s+al)\.?)"
    r"\s*:\s+[A-Z]"
)
_ET_AL = re.compile(r"\s+et\s+al\.?$", re.IGNORECASE)
# Capital words a head may put before a colon that are no surnames: a journal's, a section's or a structured abstract's.
_NOT_SURNAMES = frozenset(
    {
        *("VOL", "NO", "THE", "AND", "JOURNAL", "REVIEW", "ARTICLE", "RESEARCH", "LETTER", "LETTERS", "NOTE", "NOTES"),
        *("ABSTRACT", "SUMMARY", "BACKGROUND", "INTRODUCTION", "METHODS", "METHOD", "RESULTS", "DISCUSSION", "CONCLUSION"),
        *("CONCLUSIONS", "OBJECTIVE", "OBJECTIVES", "AIM", "AIMS", "PURPOSE", "DESIGN", "SETTING", "PARTICIPANTS"),
        *("KEYWORDS", "RECEIVED", "ACCEPTED", "CORRESPONDENCE", "TABLE", "FIGURE", "FIG", "APPENDIX", "JEL", "PREPRINT"),
        *("DRAFT", "REPORT", "CHAPTER", "SECTION", "PART", "NOTICE", "ERRATUM", "CORRECTION", "EDITORIAL", "COMMENTARY"),
    }
)


def running_head_authors(page_text: str, first_page_text: str = "") -> list[str]:
    """The authors the running head or foot of a page after the first names, in order, or [] when it names none."""
    lines = nonblank_lines(without_download_stamps(page_text))
    for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]:
        names = _names_before_slash(line) or _surnames_before_colon(line, first_page_text)
        if names:
            return names
    return []


def _names_before_slash(line: str) -> list[str]:
    match = _NAMES_BEFORE_SLASH.match(line)
    if not match:
        return []
    pieces = [piece for piece in _LIST_SEPARATOR.split(match.group("names").strip()) if piece]
    if not 0 < len(pieces) <= _MAX_NAMES or not all(_INITIALS_AND_SURNAME.fullmatch(piece) for piece in pieces):
        return []
    return [title_case_if_capitals(_ET_AL.sub("", piece)) for piece in pieces]


def _surnames_before_colon(line: str, first_page_text: str) -> list[str]:
    match = _SURNAMES_BEFORE_COLON.match(line)
    if not match:
        return []
    head = match.group("names").strip()
    surnames = [_ET_AL.sub("", piece) for piece in _LIST_SEPARATOR.split(head) if piece]
    if not 0 < len(surnames) <= _MAX_NAMES or any(surname in _NOT_SURNAMES for surname in surnames):
        return []
    on_page = _names_on_page(surnames, first_page_text)
    names = [next((name for name in on_page if name.split()[-1].upper() == surname.upper()), None) for surname in surnames]
    # One word in capitals before a colon may be any label ("BACKGROUND: ..."); alone, it is a name only when page 1
    # prints it as one. Two or more joined by "and", or one with "et al.", are a head's names whatever page 1 shows.
    if len(surnames) == 1 and not _ET_AL.search(head) and names[0] is None:
        return []
    return [name or title_case_if_capitals(surname) for name, surname in zip(names, surnames, strict=True)]


def _names_on_page(surnames: list[str], first_page_text: str) -> list[str]:
    """The whole names on the line of page 1 that names most of these surnames ("By DAVID CARD AND ALAN B. KRUEGER*"
    gives "David Card", "Alan B. Krueger"), or []; a title or prose that holds one of the words is passed over."""
    best: list[str] = []
    best_count = 0
    wanted = {surname.upper() for surname in surnames}
    for line in first_page_text.split("\n"):
        names_line = re.sub(r"^\s*by\s+", "", line.strip(), flags=re.IGNORECASE)
        if not any(re.search(rf"\b(?i:{re.escape(surname)})\b", names_line) for surname in surnames):
            continue
        if not looks_like_author_line(names_line):
            continue
        names = [title_case_if_capitals(name) for name in _names_on_line(names_line) if len(name.split()) > 1]
        count = sum(name.split()[-1].upper() in wanted for name in names)
        if count > best_count:
            best, best_count = names, count
    return best
