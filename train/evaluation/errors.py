"""The two ways an evaluation ends without a result: it cannot run as asked, or it was cancelled."""

from __future__ import annotations

from papergym.core.errors import PapergymError


class EvalError(PapergymError):
    """An evaluation that cannot run as asked; the message says what to change."""


class EvalCancelled(PapergymError):
    """The evaluation was cancelled; nothing was stored."""
