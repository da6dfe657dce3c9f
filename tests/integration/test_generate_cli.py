"""`papergym generate`, `questions` and `question` as a user runs them (with a fake model)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from papergym.core.library import Library
from papergym.core.llm.backend import FakeBackend
from papergym.tui.cli.main import cli

from tests.unit.test_generate import add_paper, mcq, numeric


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_generate_then_list_and_show_questions(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    with Library(lib) as library:
        add_paper(library, "a" * 64, sections=1)
    backend = FakeBackend([mcq(), numeric(), "garbage", "garbage", "garbage"])
    monkeypatch.setattr("papergym.core.llm.backends.open_backend", lambda *a, **k: backend)

    result = _run("generate", "--kinds", "mcq,numeric,exact", "--library", str(lib))
    assert result.exit_code == 0, result.output
    assert "1 windows run" in result.output and "gave 2 new questions" in result.output

    listed = [json.loads(line) for line in _run("questions", "--json", "--library", str(lib)).output.splitlines()]
    assert {row["kind"] for row in listed} == {"mcq", "numeric"}
    table = _run("questions", "--kind", "numeric", "--library", str(lib)).output
    assert "1.4 W/m/K" in table and "1 questions" in table

    question_id = next(row["id"] for row in listed if row["kind"] == "mcq")
    shown = _run("question", question_id[:8], "--library", str(lib)).output
    assert "* " in shown and "1.4 W/m/K" in shown and "source (Methods 0)" in shown
    as_json = json.loads(_run("question", question_id[:8], "--json", "--library", str(lib)).output)
    assert as_json["options"]["ABCD".index(as_json["answer"])] == "1.4 W/m/K"

    again = _run("generate", "--kinds", "mcq,numeric,exact", "--json", "--library", str(lib))
    report = json.loads(again.output)
    assert report["windows_run"] == 0 and report["windows_already_done"] == 1


def test_generate_explains_why_nothing_came_out(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    with Library(lib) as library:
        add_paper(library, "a" * 64, sections=1)
    monkeypatch.setattr("papergym.core.llm.backends.open_backend", lambda *a, **k: FakeBackend(["{}"] * 3))
    result = _run("generate", "--library", str(lib))
    assert "0 gave 0 new questions, 1 gave none" in result.output
    assert "3 × validation failure: the reply lacks question, options, answer, rationale" in result.output


def test_generate_on_an_empty_library_says_what_to_do(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "--library", str(tmp_path / "lib")])
    assert result.exit_code == 1 and "import some with `papergym import PATH`" in result.output


def test_unknown_question_id(tmp_path):
    result = CliRunner().invoke(cli, ["question", "abcd", "--library", str(tmp_path / "lib")])
    assert result.exit_code == 1 and "No question has the id abcd" in result.output


def test_generate_says_how_many_questions_and_tokens_it_is_about_to_ask_for(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    with Library(lib) as library:
        add_paper(library, "a" * 64, sections=1)
    monkeypatch.setattr("papergym.core.llm.backends.open_backend", lambda *a, **k: FakeBackend([mcq(), mcq(), numeric(), numeric()]))
    result = _run("generate", "--kinds", "mcq,numeric", "--per-window", "2", "--library", str(lib))
    assert result.exit_code == 0, result.output
    # Two kinds, two of each: four questions a window, each reply capped at its kind's token limit (640 + 640 + 512 + 512).
    assert "about to run 1 windows for up to 4 questions and at most 2,304 generated tokens" in result.output
