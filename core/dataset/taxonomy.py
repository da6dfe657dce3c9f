"""The topic taxonomy: disciplines with target shares, each split into subdomains with keywords.

The default ships as ``papergym/assets/taxonomy.toml``; a library may carry its
own ``taxonomy.toml`` (written by ``papergym topics taxonomy --copy``), which
then wins, and a command may name another file with ``--taxonomy``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from papergym.assets import DEFAULT_TAXONOMY
from papergym.core.errors import PapergymError

if TYPE_CHECKING:
    from papergym.core.library import Library

LIBRARY_TAXONOMY = "taxonomy.toml"

_DISCIPLINE_KEYS = {"name", "target", "subdomain"}
_SUBDOMAIN_KEYS = {"name", "keywords"}
_TOP_KEYS = {"discipline", "name", "description"}


class TaxonomyError(PapergymError):
    """A taxonomy file that cannot be used; the message names the file, the entry and the problem."""


def normalize_text(text: str) -> str:
    """Lower case, every run of punctuation or space made one space: how text and keywords are compared."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


@dataclass(frozen=True)
class Keyword:
    """One keyword as matched: its normalised text and whether it must be a whole word."""

    text: str
    whole_word: bool

    @classmethod
    def parse(cls, raw: str) -> Keyword:
        whole_word = raw.rstrip().endswith("$")
        text = normalize_text(raw.rstrip().removesuffix("$"))
        # Very short stems ("dna", "ai") match inside far too many unrelated words.
        return cls(text, whole_word or len(text) <= 3)


@dataclass
class Subdomain:
    name: str
    keywords: list[str] = field(default_factory=list)

    @cached_property
    def matchers(self) -> list[Keyword]:
        return [Keyword.parse(keyword) for keyword in self.keywords]


@dataclass
class Discipline:
    name: str
    target: float
    subdomains: list[Subdomain]


@dataclass
class Taxonomy:
    disciplines: list[Discipline]
    path: Path | None = None  # the file it was read from

    def __post_init__(self) -> None:
        self._discipline_by_subdomain = {
            subdomain.name: discipline.name for discipline in self.disciplines for subdomain in discipline.subdomains
        }

    def subdomains(self) -> list[Subdomain]:
        """Every subdomain, in file order."""
        return [subdomain for discipline in self.disciplines for subdomain in discipline.subdomains]

    def subdomain_names(self) -> list[str]:
        return list(self._discipline_by_subdomain)

    def discipline_names(self) -> list[str]:
        return [discipline.name for discipline in self.disciplines]

    def discipline_of(self, subdomain: str) -> str | None:
        """The discipline a subdomain belongs to, or None if the taxonomy has no such subdomain."""
        return self._discipline_by_subdomain.get(subdomain)

    def target_distribution(self) -> dict[str, float]:
        """Each discipline's target share, summing to 1."""
        total = sum(discipline.target for discipline in self.disciplines)
        return {discipline.name: discipline.target / total for discipline in self.disciplines}

    def subdomain_targets(self) -> dict[str, float]:
        """Each subdomain's target share: its discipline's, split evenly between the discipline's subdomains."""
        shares = self.target_distribution()
        return {
            subdomain.name: shares[discipline.name] / len(discipline.subdomains)
            for discipline in self.disciplines
            for subdomain in discipline.subdomains
        }


def _line_of(text: str, name: str, occurrence: int) -> int | None:
    """The line of the n-th ``name = "..."`` entry with this value, to point at a duplicate."""
    pattern = re.compile(r"^\s*name\s*=\s*([\"'])" + re.escape(name) + r"\1\s*(#.*)?$")
    found = [number for number, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]
    return found[occurrence] if len(found) > occurrence else None


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _name(entry: object, where: str, fail: Callable[[str], NoReturn]) -> str:
    if not isinstance(entry, dict):
        fail(f"the {where} is not a table (write it as [[...]] with name = ...)")
    name = entry.get("name")
    if name is None:
        fail(f"the {where} has no name")
    if not isinstance(name, str) or not name.strip():
        fail(f"the {where} has a name that is not a non-empty string")
    return " ".join(name.split())


def _parse(data: dict, text: str, path: Path) -> Taxonomy:
    def fail(problem: str) -> NoReturn:
        raise TaxonomyError(f"{path}: {problem}; fix the file or delete it to use the default taxonomy.")

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        fail(f"unknown top-level key {unknown[0]!r} (expected [[discipline]] tables)")
    entries = data.get("discipline")
    if not entries:
        fail("it defines no disciplines (add [[discipline]] tables)")
    if not isinstance(entries, list):
        fail("'discipline' must be an array of tables, written [[discipline]]")
    targets_given = [isinstance(entry, dict) and "target" in entry for entry in entries]
    disciplines: list[Discipline] = []
    seen_disciplines: set[str] = set()
    seen_subdomains: dict[str, str] = {}
    for position, entry in enumerate(entries, start=1):
        name = _name(entry, f"{_ordinal(position)} discipline", fail)
        where = f"discipline {name!r}"
        unknown = sorted(set(entry) - _DISCIPLINE_KEYS)
        if unknown:
            fail(f"{where} has an unknown key {unknown[0]!r} (expected name, target, subdomain)")
        if name in seen_disciplines:
            line = _line_of(text, name, 1)
            fail(f"{where} is defined twice" + (f" (again at line {line})" if line else ""))
        seen_disciplines.add(name)
        target = entry.get("target", 1.0)
        if isinstance(target, bool) or not isinstance(target, (int, float)):
            fail(f"{where} has a target that is not a number ({target!r})")
        if not math.isfinite(target) or target < 0:
            fail(f"{where} has a target of {target}, but a target must be a finite number of at least 0")
        raw_subdomains = entry.get("subdomain")
        if not raw_subdomains:
            fail(f"{where} has no subdomains (add [[discipline.subdomain]] tables under it)")
        if not isinstance(raw_subdomains, list):
            fail(f"{where}: 'subdomain' must be an array of tables, written [[discipline.subdomain]]")
        subdomains = []
        for sub_position, sub_entry in enumerate(raw_subdomains, start=1):
            sub_name = _name(sub_entry, f"{_ordinal(sub_position)} subdomain of {where}", fail)
            sub_where = f"subdomain {sub_name!r} of {where}"
            unknown = sorted(set(sub_entry) - _SUBDOMAIN_KEYS)
            if unknown:
                fail(f"{sub_where} has an unknown key {unknown[0]!r} (expected name, keywords)")
            if sub_name in seen_subdomains:
                line = _line_of(text, sub_name, 1)
                fail(
                    f"subdomain {sub_name!r} appears twice (in discipline {seen_subdomains[sub_name]!r} and {where}"
                    + (f", again at line {line})" if line else ")")
                )
            seen_subdomains[sub_name] = name
            keywords = sub_entry.get("keywords", [])
            if not isinstance(keywords, list):
                fail(f"{sub_where} has keywords that are not a list of strings")
            for keyword in keywords:
                if not isinstance(keyword, str):
                    fail(f"{sub_where} has a keyword that is not a string ({keyword!r})")
                if not normalize_text(keyword.removesuffix("$")):
                    fail(f"{sub_where} has a keyword with no letters or digits ({keyword!r})")
            subdomains.append(Subdomain(sub_name, list(keywords)))
        disciplines.append(Discipline(name, float(target), subdomains))
    if any(targets_given) and not all(targets_given):
        missing = next(discipline.name for discipline, given in zip(disciplines, targets_given) if not given)
        fail(f"discipline {missing!r} has no target while others do (give every discipline a target, or none)")
    if sum(discipline.target for discipline in disciplines) <= 0:
        fail("every discipline has a target of 0, so there is no target distribution (give one a positive target)")
    return Taxonomy(disciplines, path=path)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and check a taxonomy file; the default one when no path is given."""
    path = Path(path).expanduser() if path else DEFAULT_TAXONOMY
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: no such taxonomy file; check the path given to --taxonomy.") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise TaxonomyError(f"{path}: cannot be read ({reason}); check the file.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # The parser's message ends with "(at line N, column M)".
        raise TaxonomyError(f"{path}: not valid TOML: {error}; fix the syntax there.") from None
    return _parse(data, text, path)


def library_taxonomy_path(library: Library) -> Path:
    """Where a library keeps its own editable taxonomy."""
    return library.folder / LIBRARY_TAXONOMY


def taxonomy_for_library(library: Library, override_path: Path | str | None = None) -> Taxonomy:
    """The taxonomy a library uses: the named file, else its own taxonomy.toml, else the default."""
    if override_path:
        return load_taxonomy(override_path)
    own = library_taxonomy_path(library)
    return load_taxonomy(own if own.is_file() else None)
