"""`papergym search` with nothing to search for says what to type, not that no paper matched."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from papergym.core.library import Library


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_search_asks_for_words_and_fails(tmp_path, query):
    from papergym.tui.cli.main import cli

    Library(tmp_path / "lib").close()
    result = CliRunner().invoke(cli, ["search", query, "--library", str(tmp_path / "lib")])
    assert result.exit_code != 0
    assert "Give words to search for" in result.output and "No paper matches" not in result.output
