"""What an eval needs from an engine, and where a completion's final-answer line ends.

Decoding stops once the model has written its final "Answer: ..." line (the
prompt asks for it last), so a base model that keeps writing new questions
does not burn tokens.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

DEFAULT_MAX_NEW_TOKENS = 256
# A line that states the final answer: "Answer: C", "**Final answer:** 4.2 mW", "The answer is (B)".
_ANSWER_LINE = re.compile(r"^[ \t*_#>-]*(?:the\s+)?(?:final\s+)?answer\s*[*_]*\s*(?:is\b|:|=)[^\n]*\n", re.I | re.M)


@dataclass
class Generation:
    """One completion: its text (cut after the answer line) and how many tokens the model generated."""

    text: str
    tokens: int


StopAt = Callable[[int, str], "int | None"]  # (row in the batch, text so far) -> where to cut, or None to go on


class Generator(Protocol):
    """What ``evaluate`` needs from an engine."""

    engine: str
    device: str
    batch_size: int

    def generate(
        self, prompts: list[list[dict[str, str]]], max_new_tokens: int, stop_at: StopAt, cancel: threading.Event
    ) -> list[Generation]: ...

    def close(self) -> None: ...


def answer_line_end(text: str) -> int | None:
    """Where the first complete final-answer line of a completion ends (after its newline), or None."""
    found = _ANSWER_LINE.search(text)
    return found.end() if found else None
