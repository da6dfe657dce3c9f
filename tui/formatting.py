"""Formatting shared by the command line and the app: durations, percentages and clipped text.

It imports neither click nor textual, so both faces can use it and show the
same numbers the same way.
"""

from __future__ import annotations


def duration(seconds: float | None) -> str:
    """H:MM:SS or M:SS, or "?" when unknown."""
    if seconds is None:
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def truncate(text: str, width: int) -> str:
    """The text cut to ``width`` characters, its last one an ellipsis when anything was cut."""
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def percent(value: float | None, missing: str = "-") -> str:
    """A share (0.25) as a percentage with one decimal ("25.0%"), or ``missing`` when there is none."""
    return missing if value is None else f"{100 * value:.1f}%"


# What a metadata field's origin means where its name alone would mislead: a year no page prints is an estimate.
_SOURCE_NOTES = {
    "references": "estimated: the latest year its references cite",
    "file-date": "estimated: the year its file was made, within a year of its latest reference",
}


def source_label(source: str) -> str:
    """How the library names where a metadata field came from ("layout", "xmp", ...), spelt out for an estimate."""
    return _SOURCE_NOTES.get(source, source)
