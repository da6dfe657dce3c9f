"""Make text from a PDF (or a command line) safe to store, search and print.

A PDF's text can hold anything its fonts map glyphs to: lone UTF-16
surrogates (which SQLite's UTF-8 encoder refuses, aborting the write), NUL
and other control characters (which cut C strings and garble terminals),
and runs of glyphs that no font could map: replacement characters,
private-use code points and pdfminer-style ``(cid:123)`` markers. These
functions remove or mark each of them, so one bad paper can never break a
write, and leave every other character (Greek, math, accents) alone.
"""

from __future__ import annotations

import re

__all__ = ["safe_field", "safe_text"]

REPLACEMENT = "\ufffd"
# Everything that may need work; text without any of it is returned as it is (the common case).
_NEEDS_WORK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\ufffe\uffff\ufffd\U000f0000-\U0010ffff]|\\(cid:\\d+\\)"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Glyphs a font could not map to text: each becomes one replacement character.
_UNMAPPED_GLYPH = re.compile("\\(cid:\\d+\\)|[\ue000-\uf8ff\U000f0000-\U0010ffff]")
# Two or more unmapped glyphs in a row (spaces between them included) say nothing more than one.
_GLYPH_RUN = re.compile(f"{REPLACEMENT}(?:[ \t]*{REPLACEMENT})+")
# A line that is nothing but unmapped glyphs is noise.
_GLYPH_LINE = re.compile(f"^[ \t]*{REPLACEMENT}[ \t]*$\n?", re.MULTILINE)
_WHITESPACE_RUN = re.compile(r"\s+")


def _without_surrogates(text: str) -> str:
    """Join surrogate pairs into the characters they encode; a lone surrogate becomes a replacement character."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def safe_text(text: str | None) -> str:
    """Multi-line text safe to store: no surrogates or control characters (line breaks and tabs stay), glyph runs marked once.

    A carriage return becomes a line break, so a paragraph keeps its shape.
    """
    if not text:
        return ""
    if not _NEEDS_WORK.search(text):
        return text
    text = _without_surrogates(text).replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n").replace("\x0b", "\n")
    text = _CONTROL.sub("", text)
    text = _UNMAPPED_GLYPH.sub(REPLACEMENT, text)
    text = _GLYPH_RUN.sub(REPLACEMENT, text)
    return _GLYPH_LINE.sub("", text)


def safe_field(text: str | None) -> str | None:
    """A one-line field (title, author, journal) safe to store, or None when nothing readable is left.

    Line breaks and tabs become spaces; a field that is mostly unmapped glyphs is
    worse than none, because a title of replacement characters hides the file name.
    """
    if text is None:
        return None
    line = _WHITESPACE_RUN.sub(" ", safe_text(text)).strip()
    readable = sum(character.isalnum() for character in line)
    if readable == 0 or line.count(REPLACEMENT) * 2 > readable:
        return None
    return line
