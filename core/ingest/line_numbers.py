"""Take off the line numbers that submitted manuscripts print in the margin.

bioRxiv preprints and journal submissions number every line; pypdf puts the
number at the end of its line ("support human visual 1") or on a line of its
own, where it joins titles, names and body text. A number counts as a line
number only inside a run of lines whose numbers go up one by one, so a
value, a year or a page number that ends a line stays.
"""

from __future__ import annotations

import itertools
import re

_TRAILING_NUMBER = re.compile(r"^(?P<text>.*?)(?:^|\s+)(?P<number>\d{1,4})$")
# This many numbered lines in a row, each one more than the last, make a run.
_MIN_RUN = 5
# Lines in a run may be this far apart (unnumbered lines between them: a title set in two sizes).
_MAX_GAP = 2


def line_number_positions(lines: list[str]) -> set[int]:
    """The indexes of the lines that end in a margin line number."""
    numbered = []  # (line index, number)
    for index, line in enumerate(lines):
        match = _TRAILING_NUMBER.match(line.rstrip())
        if match:
            numbered.append((index, int(match.group("number"))))
    positions: set[int] = set()
    if len(numbered) < _MIN_RUN:
        return positions
    run = [numbered[0]]
    for previous, current in itertools.pairwise(numbered):
        if current[1] == previous[1] + 1 and current[0] - previous[0] <= _MAX_GAP:
            run.append(current)
            continue
        if len(run) >= _MIN_RUN:
            positions.update(index for index, _ in run)
        run = [current]
    if len(run) >= _MIN_RUN:
        positions.update(index for index, _ in run)
    return positions


def without_line_number(line: str) -> str:
    """A line found by `line_number_positions` without its number ("" when it held only the number)."""
    match = _TRAILING_NUMBER.match(line.rstrip())
    return match.group("text") if match else line


def strip_line_numbers(lines: list[str]) -> list[str]:
    """The lines without the margin numbers of a numbered manuscript; unnumbered text comes back unchanged."""
    positions = line_number_positions(lines)
    if not positions:
        return lines
    stripped = [without_line_number(line) if index in positions else line for index, line in enumerate(lines)]
    return [line for index, line in enumerate(stripped) if index not in positions or line.strip()]


def strip_line_numbers_from_text(text: str) -> str:
    """A page's text without the margin numbers of a numbered manuscript."""
    lines = text.split("\n")
    stripped = strip_line_numbers(lines)
    return text if stripped is lines else "\n".join(stripped)
