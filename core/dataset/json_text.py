"""JSON parsing that turns a too-deeply nested value into an ordinary error instead of a RecursionError.

Python's json module recurses once per nesting level, so a line of 100,000 brackets in a user's file
would otherwise escape every ``except ValueError`` as a RecursionError and end the command in a traceback.
"""

from __future__ import annotations

import json
from typing import IO


class TooDeeplyNested(ValueError):
    """A JSON value nested deeper than Python can read."""


TOO_DEEP = "the JSON nests too deeply (hundreds of brackets inside each other)"


def parse_json(text: str) -> object:
    """``json.loads``, but a value nested too deeply raises TooDeeplyNested (a ValueError)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise TooDeeplyNested(TOO_DEEP) from None


def load_json(handle: IO[str]) -> object:
    """``json.load`` with the same guard as ``parse_json``."""
    return parse_json(handle.read())
