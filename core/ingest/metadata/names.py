"""Author names from one string, as the Info dictionary and XMP give them."""

from __future__ import annotations

import re

from papergym.core.ingest.clean import normalize_ligatures

_JUNK_AUTHORS = frozenset(
    {
        "",
        "admin",
        "administrator",
        "author",
        "authors",
        "owner",
        "user",
        "unknown",
        "anonymous",
        # A supplement's label set under the names in their type.
        "web appendix",
        "online appendix",
        "data appendix",
        "technical appendix",
        "appendix",
        # A submission's template hides its authors: "Anonymous Authors", "Anonymous Author(s)" (its "(s)" is dropped).
        "anonymous author",
        "anonymous authors",
        "anonymous submission",
        "windows user",
        "microsoft office user",
        "microsoft",
        "default",
        "guest",
    }
)
_INITIALS = re.compile(r"^(?:[A-Z]\.?\s*-?\s*){1,4}$")
NAME_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "del", "della", "la", "le", "du", "dos", "das", "ten", "ter", "bin", "al", "el", "y"}
)
ET_AL = re.compile(r"\bet\s*al\.?", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|,|&|\band\b)\s*")


def split_author_string(authors: str | None) -> list[str]:
    """Authors from one string such as "Smith, J.; Demo, A." or "J. Smith and A. Demo".

    Semicolons split first, and an item "Smith, J." or "Smith, John" is turned
    round. Without semicolons, commas and "and" split, and a piece that is only
    initials ("J.") or, when every piece is one word, every second piece, is
    read as the given name of the piece before it; a list whose every name
    ends in undotted initials ("Datta I, Ball CG") is in PubMed's style, and
    each is turned round.
    """
    if not authors:
        return []
    authors = ET_AL.sub("", normalize_ligatures(authors))
    if ";" in authors:
        names = [turn_round(item) for item in authors.split(";")]
    else:
        pieces = [piece for piece in _AUTHOR_SEPARATORS.split(authors) if piece.strip()]
        names = _pair_surnames_with_given_names(pieces)
        if len(names) > 1 and all(_VANCOUVER_NAME.match(name) for name in names):
            names = [_VANCOUVER_NAME.sub(r"\2 \1", name) for name in names]
    return unique_names(names)


# PubMed's style puts the initials after the surname, with no dots: "Datta I, Ball CG, van Dijk J".
_VANCOUVER_NAME = re.compile(r"^((?:[a-z]+\s)*[A-Z][\w'\u2019-]+(?:\s[A-Z][\w'\u2019-]+)?)\s([A-Z]{1,3})$")


def turn_round(item: str) -> str:
    """ "Smith, John" or "van Dijk, J." as "John Smith"; other text unchanged."""
    parts = [part.strip() for part in item.split(",")]
    if len(parts) != 2 or not all(parts):
        return item
    surname_words = [word for word in parts[0].split() if word.lower() not in NAME_PARTICLES]
    if len(surname_words) == 1 or _INITIALS.match(parts[1]):
        return f"{parts[1]} {parts[0]}"
    return item


def _pair_surnames_with_given_names(pieces: list[str]) -> list[str]:
    """Comma-split pieces joined back into names where "Surname, Given" was meant."""
    pieces = [piece.strip() for piece in pieces]
    surnames, given_names = pieces[0::2], pieces[1::2]
    all_single_words = len(pieces) % 2 == 0 and all(" " not in piece for piece in pieces)
    if all_single_words and not any(_INITIALS.match(surname) for surname in surnames):
        return [f"{given} {surname}" for surname, given in zip(surnames, given_names)]
    names: list[str] = []
    for index, piece in enumerate(pieces):
        if _INITIALS.match(piece) and names:
            names[-1] = f"{piece} {names[-1]}"
        elif index % 2 and _GIVEN_THEN_INITIAL.match(piece) and " " not in pieces[index - 1] and names[-1:] == [pieces[index - 1]]:
            # "McIntyre, Lauren M": a given name with an undotted initial after it ends no full name.
            names[-1] = f"{piece} {names[-1]}"
        else:
            names.append(piece)
    return names


_GIVEN_THEN_INITIAL = re.compile(r"^[A-Z][a-z]+(?:\s[A-Z]{1,2})+$")


def unique_names(names: list[str]) -> list[str]:
    """Names tidied, without junk such as "Administrator", each once, in order."""
    unique: list[str] = []
    for name in names:
        name = " ".join(re.sub(r"\([^)]*\)?|\S+@\S+", " ", name).split()).strip(" ,;")
        if name.lower() in _JUNK_AUTHORS or not any(char.isalpha() for char in name):
            continue
        if name not in unique and not any(_abbreviates(name, earlier) or _abbreviates(earlier, name) for earlier in unique):
            unique.append(name)
    return unique


def _abbreviates(short: str, full: str) -> bool:
    """Whether a name is another's with some of its given names cut to initials ("D. V. Semenok" of "Dmitrii V. Semenok").

    A page that lists its authors in full often names them again so in a
    corresponding-author or contribution note; one that lists them with
    initials may spell them out in an ORCID table.
    """
    short_words, full_words = short.split(), full.split()
    if len(short_words) < 2 or len(short_words) != len(full_words) or short_words[-1].lower() != full_words[-1].lower():
        return False
    initials = short_words[:-1]
    return short != full and all(
        word == given or (word.endswith(".") and len(word.rstrip(".")) <= 2 and given.lower().startswith(word.rstrip(".").lower()))
        for word, given in zip(initials, full_words[:-1], strict=True)
    )
