"""Small helpers for the plotext charts the screens draw."""

from __future__ import annotations


def short_names(names: list[str], width: int = 12) -> list[str]:
    """Chart labels: each name's first word ("Earth" for Earth and Environmental Sciences), the full name cut when words collide."""
    firsts = [name.split()[0][:width] if name.split() else name for name in names]
    if len(set(firsts)) == len(firsts):
        return firsts
    return [name if len(name) <= width else name[: width - 1] + "…" for name in names]
