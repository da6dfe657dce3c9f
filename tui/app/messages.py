"""Messages the app's workers post and its screens handle; names say what already happened."""

from __future__ import annotations

from textual.message import Message


class LibraryChanged(Message):
    """Papers or questions were added, changed or removed: screens showing them reload."""


class JobFailed(Message):
    """A worker's job failed with a sentence a user can act on."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__()
        self.what = what
        self.reason = reason
