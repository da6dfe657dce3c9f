"""Errors a user can cause, each carrying one sentence that says what to do."""


class PapergymError(Exception):
    """A problem the user can fix; its message is shown as is, without a traceback."""


class PaperNotFound(PapergymError):
    """No paper matches the given id or id prefix."""


class LibraryError(PapergymError):
    """The library folder or its database cannot be used."""
