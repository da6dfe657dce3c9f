"""Errors a user can cause, each carrying one sentence that says what to do."""

import sqlite3


class PapergymError(Exception):
    """A problem the user can fix; its message is shown as is, without a traceback."""


class PaperNotFound(PapergymError):
    """No paper matches the given id or id prefix."""


class LibraryError(PapergymError):
    """The library folder or its database cannot be used."""


def describe_database_error(error: sqlite3.Error) -> str:
    """One sentence for a failed database call: a busy library says who holds it and what to do."""
    text = str(error)
    if isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return (
            "The library database is busy: another papergym process (an import, a generation or a check in another "
            "terminal) is writing to it. Wait for it to finish, then try again."
        )
    return f"The library database failed ({text}); try again, and if it keeps failing, restore library.db from a backup."


class InvalidField(PapergymError):
    """A value the user gave for a paper's metadata field is not usable."""
