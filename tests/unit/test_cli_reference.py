"""docs/cli.md is what the commands are, and every --json field it lists is what the commands print."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from papergym.tui.cli.json_shapes import JSON_SHAPES, LINES
from papergym.tui.cli.main import cli
from papergym.tui.cli.reference import render

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "assets" / "demo_papers"


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        found[path] = command
        if isinstance(command, click.Group):
            found |= _commands(command, path + " ")
    return found


def test_the_reference_page_is_up_to_date():
    page = (ROOT / "docs" / "cli.md").read_text()
    assert page == render(cli), "docs/cli.md is out of date: python -m papergym.tui.cli.reference > docs/cli.md"


def test_every_command_with_json_output_has_a_documented_shape_and_no_shape_is_stale():
    commands = _commands(cli)
    with_json = {path for path, command in commands.items() if any(param.name == "as_json" for param in command.params)}
    assert sorted(with_json - set(JSON_SHAPES)) == []
    assert sorted(set(JSON_SHAPES) - set(commands)) == []


@pytest.fixture(scope="module")
def library_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("library")
    runner = CliRunner()
    papers = tmp_path_factory.mktemp("papers")
    for pdf in sorted(DEMO.glob("*.pdf"))[:2]:
        shutil.copy(pdf, papers / pdf.name)
    assert runner.invoke(cli, ["--library", str(folder), "import", str(papers)]).exit_code == 0
    questions = ROOT / "assets" / "demo_questions.jsonl"
    assert runner.invoke(cli, ["--library", str(folder), "import-questions", str(questions)]).exit_code == 0
    return folder


def _run_json(library_dir: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--library", str(library_dir), *args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _first_id(library_dir: Path, command: str) -> str:
    return _run_json(library_dir, command)[0]["id"][:12]


CASES = [
    ("papers", []),
    ("show", ["<paper>"]),
    ("edit", ["<paper>", "--journal", "Journal of Checks"]),
    ("search", ["the"]),
    ("questions", []),
    ("question", ["<question>"]),
    ("import-questions", [str(ROOT / "assets" / "demo_questions.jsonl")]),
    ("import", [str(DEMO / "nibble_hyperloglog.pdf")]),
    ("models", []),
    ("models list", []),
    ("models show", ["gemma3-270m"]),
    ("topics", []),
    ("topics classify", []),
    ("check", ["--steps", "validate,dedup"]),
    ("export", ["<out>", "--status", "passed,draft,flagged", "--split", "train=1"]),
    ("doctor", []),
    ("queue", []),
]


@pytest.mark.parametrize(("command", "arguments"), CASES, ids=[command for command, _ in CASES])
def test_json_output_has_exactly_the_documented_fields(library_dir, command, arguments):
    substitutes = {
        "<paper>": lambda: _first_id(library_dir, "papers"),
        "<question>": lambda: _first_id(library_dir, "questions"),
        "<out>": lambda: str(library_dir.parent / f"export-{len(list(library_dir.parent.iterdir()))}"),
    }
    arguments = [substitutes[argument]() if argument in substitutes else argument for argument in arguments]
    printed = _run_json(library_dir, *command.split(), *arguments)
    shape = JSON_SHAPES[command]
    assert printed, f"{command} printed nothing"
    if shape.layout != LINES:
        assert len(printed) == 1
    for value in printed:
        assert sorted(value) == sorted(shape.fields), f"{command}: documented {sorted(shape.fields)}, printed {sorted(value)}"
