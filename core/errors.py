"""Errors a user can cause, each carrying one sentence that says what to do."""

import sqlite3


class PapergymError(Exception):
    """A problem the user can fix; its message is shown as is, without a traceback."""


class PaperNotFound(PapergymError):
    """No paper matches the given id or id prefix."""


class LibraryError(PapergymError):
    """The library folder or its database cannot be used."""


def describe_database_error(error: sqlite3.Error) -> str:
    """One sentence for a failed database call, naming what is wrong with the library and what to do."""
    text = str(error)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return (
            "The library database is busy: another papergym process (an import, a generation or a check in another "
            "terminal) is writing to it. Wait for it to finish, then try again."
        )
    if "readonly" in lowered or "read-only" in lowered:
        return (
            "The library database is read-only here, so nothing can be written to it; give your user write access to the "
            "library folder and its library.db, or choose another library with --library."
        )
    if "disk is full" in lowered or "disk full" in lowered:
        return "The disk that holds the library is full, so nothing was written; free some space, then run the command again."
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return (
            "The library database is damaged; restore library.db from a backup "
            "(or try `sqlite3 library.db .recover | sqlite3 recovered.db`)."
        )
    if "disk i/o error" in lowered or "unable to open" in lowered:
        return f"The library database cannot be read or written ({text}); check the disk and the library folder, then try again."
    return f"The library database failed ({text}); try again, and if it keeps failing, restore library.db from a backup."


class InvalidField(PapergymError):
    """A value the user gave for a paper's metadata field is not usable."""
