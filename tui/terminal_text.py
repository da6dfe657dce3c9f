"""Text from the library made safe to print on a terminal.

Imported PDFs and datasets are untrusted: printed raw, an escape sequence in a
question could clear, recolour or retitle the user's terminal, or hide what is
really there. The library keeps the text as it came; only output is cleaned.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

# An escape sequence (CSI, OSC, or a lone ESC pair), then any other C0/C1 control character but newline and tab.
_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def printable(text: object) -> str:
    """The text without terminal escape sequences or control characters (line breaks and tabs stay); None is empty."""
    return _TERMINAL_CONTROL.sub("", "" if text is None else str(text))
