"""The authors of the citation a first page prints for its own paper.

Many publishers print how to cite the article on its first page: PLOS and
Frontiers ("Citation: Arroyo-Machado W, Torres-Salinas D (2020) ..."), MDPI
("Citation: Chaganti, R.; Rustam, F. Thyroid ..."), Taylor & Francis and IOP
("To cite this article: Cheng Zhang & B. Montgomery Pettitt (2014) ..."),
Nature's "How to cite this article: Park, S. et al. ...", ACM's "Reference
Format: Jane Roe and John Smith. 2019. ...". The names there are in the
paper's order, whatever order the page's layout gives its author block in, so
they stand in when the page's names cannot be read.
"""

from __future__ import annotations

import re

from papergym.core.ingest.metadata.authors import is_name
from papergym.core.ingest.metadata.names import split_author_string, turn_round
from papergym.core.ingest.metadata.page_lines import letters

_CITATION_LABEL = re.compile(
    # Elsevier's "Please cite this article as: J. Roe, J. Smith, Title, Journal (2020)" puts the title between the
    # names and the year, where no rule tells them apart; it is left out.
    r"(?:\bcitation\s*:|\bto\s+cite\s+this\s+(?:article|paper)\s*:"
    r"|\bhow\s+to\s+cite\s+this\s+article\s*:|(?<!please\s)\bcite\s+this\s+article\s*(?:as)?\s*:|\breference\s+format\s*:)\s*",
    re.IGNORECASE,
)
# How far after its label a citation's names may reach.
_CITATION_CHARS = 700
# Where the names end: the year in brackets (PLOS, Frontiers, Taylor & Francis), "et al" (Nature, IOP), the year
# after a full stop (ACM: "Jane Roe and John Smith. 2019.").
_NAMES_END = re.compile(r"\s*\(\s*(?:19|20)\d\d[a-z]?\s*\)|\s+et\s*al\b|\.\s+(?:19|20)\d\d\.")
# MDPI's list: "Surname, I.; Surname, I.J.; Surname, I. Title of the paper. Journal 2022, 14, 3914."
_LAST_SEMICOLON_NAME = re.compile(r"^\s*([^,;]+,\s*(?:[A-Z][a-z]?\.\s*-?\s*)+)")
_MAX_NAMES = 60


def citation_authors(text: str) -> list[str]:
    """The names of the citation a page gives for itself, in order, or [] when it gives none that reads as names."""
    label = _CITATION_LABEL.search(text)
    if label is None:
        return []
    citation = " ".join(text[label.end() : label.end() + _CITATION_CHARS].split())
    if _LAST_SEMICOLON_NAME.match(citation.split(";")[0]) and ";" in citation:
        names = _semicolon_names(citation)
    else:
        end = _NAMES_END.search(citation)
        if end is None:
            return []
        part = citation[: end.start()].strip(" ,.")
        # Nature's "Park, S. et al." is one name turned round; PLOS's "Mugurungi O, Mbunge E, ..., Moyo B, et al." lists
        # several before "et al".
        one_name = end.group(0).strip().startswith("et") and part.count(",") <= 1
        names = [turn_round(part)] if one_name else split_author_string(part)
    names = [_dotted_initials(_PUBMED_NAME.sub(r"\2 \1", name)) for name in names[:_MAX_NAMES]]
    return names if names and all(is_name(name) for name in names) else []


def _semicolon_names(citation: str) -> list[str]:
    """MDPI's "Surname, I.; Surname, I. Title..." as names, the title cut off the last."""
    pieces = citation.split(";")
    names = [turn_round(piece.strip()) for piece in pieces[:-1]]
    last = _LAST_SEMICOLON_NAME.match(pieces[-1])
    if last:
        names.append(turn_round(last.group(1).strip()))
    return names


# A name PubMed's way, its initials after its surname: "Mitchell S", "van Dijk JL".
_PUBMED_NAME = re.compile(r"^((?:[a-z]+\s)*[A-Z][\w'\u2019-]+(?:\s[A-Z][\w'\u2019-]+)?)\s([A-Z]{1,3})$")
_BARE_INITIALS = re.compile(r"^[A-Z]{1,3}$")


def _dotted_initials(name: str) -> str:
    """A name with the bare initials of a PubMed-style citation dotted: "JL Vidal Mazón" -> "J. L. Vidal Mazón"."""
    words = name.split()
    dotted = [
        " ".join(f"{letter}." for letter in word) if index < len(words) - 1 and _BARE_INITIALS.match(word) else word
        for index, word in enumerate(words)
    ]
    return " ".join(dotted)


def with_citation_order(page_names: list[str], cited: list[str]) -> list[str] | None:
    """The authors as the page's own citation lists them, in the page's fuller spelling where it has one; None to keep the page's.

    The citation decides when the page found no names, or found names
    whose first is not the citation's first while the citation names
    several people.
    """
    if not cited or (page_names and (_surname(page_names[0]) == _surname(cited[0]) or len(cited) < 2)):
        return None
    # Co-authors may share a surname ("Zhang W", "Zhang Y"): a name is matched by its surname and first initial.
    fuller = {_key(name): name for name in page_names}
    return [fuller.get(_key(name), name) for name in cited]


def _surname(name: str) -> str:
    return name.split()[-1].lower() if name.split() else ""


def _key(name: str) -> tuple[str, str]:
    return _surname(name), name[:1].lower()


# A citation that quotes the paper's title before its year: an institutional repository's cover (bepress
# DigitalCommons: 'Poessel, Sharon A.; ... "Patterns of Human–Coyote Conflicts in the Denver Metropolitan Area"
# (2013). USDA National ...'). The quotes may be straight or curly, and the title may run over lines.
_QUOTED_TITLE_YEAR = re.compile(r"[\"\u201c](?P<quoted>[^\"\u201c\u201d]{10,500}?)[\"\u201d]\s*\(\s*(?P<year>(?:19|20)\d\d)[a-z]?\s*\)")


def quoted_title_year(text: str, title: str | None) -> int | None:
    """The year of a citation on the page that quotes the paper's own title, or None."""
    wanted = letters(title or "")
    if len(wanted) < _QUOTED_TITLE_LETTERS:
        return None
    for match in _QUOTED_TITLE_YEAR.finditer(text):
        if letters(match.group("quoted")) == wanted:
            return int(match.group("year"))
    return None


# A shorter title could be quoted for another reason ("Introduction" (2019)).
_QUOTED_TITLE_LETTERS = 20
