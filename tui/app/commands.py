"""Command palette entries: one per screen to open it, and one per key of the screen in front and of the app.

The entries are read from the same bindings the footer and the help screen
show, so a key added to a screen is in the palette without another list to
keep in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


def node_bindings(node: DOMNode) -> list[Binding]:
    """The bindings a node's class declares, its base classes' included (a subclass's key wins)."""
    by_key: dict[str, Binding] = {}
    for base in reversed(type(node).__mro__):
        if isinstance(base, type) and issubclass(base, DOMNode) and "BINDINGS" in base.__dict__:
            if not base._inherit_bindings:
                by_key.clear()
            for key, bindings in BindingsMap(base.__dict__["BINDINGS"]).key_to_bindings.items():
                by_key[key] = bindings[0]
    return list(by_key.values())


def key_label(binding: Binding, node: DOMNode) -> str:
    """How a key is shown to the user, e.g. ``?`` rather than ``question_mark``."""
    return binding.key_display or node.app.get_key_display(binding)


def screen_label(node: DOMNode) -> str:
    """``Review`` for ReviewScreen, ``ImportDialog`` for a dialog."""
    return node.__class__.__name__.removesuffix("Screen") or "Screen"


def key_commands(screen: DOMNode) -> Iterator[tuple[str, str, Callable[[], object]]]:
    """(name, key, run) for every described key of the screen and then of the app, each action once."""
    seen: set[str] = set()
    for where, node in ((screen_label(screen), screen), ("App", screen.app)):
        for binding in node_bindings(node):
            if not binding.description or binding.action in seen or binding.action.startswith("switch_mode"):
                continue  # switching screens has its own "Open ..." entries
            seen.add(binding.action)
            run = partial(screen.app.run_action, binding.action, node)
            yield f"{where}: {binding.description}", key_label(binding, node), run


class ScreenCommands(Provider):
    """ "Open Library", "Open Review"... for every screen of the app."""

    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        from papergym.tui.app.app import SCREENS

        for mode, (_, _, key, title) in SCREENS.items():
            yield f"Open {title}", key, partial(self.app.switch_mode, mode)

    async def discover(self) -> Hits:
        for name, key, run in self.commands():
            yield DiscoveryHit(name, run, help=f"key {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, key, run in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=f"key {key}")


class KeyCommands(ScreenCommands):
    """Every action of the screen the palette was opened over, and the app's, with its key."""

    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        return key_commands(self.screen)
