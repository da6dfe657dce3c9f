"""A hostile row in a question or benchmark file is skipped or named in one sentence; it never costs the good rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from papergym.core.dataset.benchmarks import load_benchmark_file, load_benchmark_folder
from papergym.core.dataset.import_questions import import_questions
from papergym.core.errors import PapergymError
from papergym.train.config import TrainConfig
from papergym.train.data import load_training_data
from papergym.train.evaluation.eval_set import load_eval_set
from papergym.tui.cli.main import cli

OPTIONS = ["phonon boundary scattering", "electron transport", "radiation", "convection"]
DEEP = "[" * 100_000 + "]" * 100_000


def good_row(number: int) -> str:
    return json.dumps({"question": f"Which mechanism limits heat transport in film number {number}?", "options": OPTIONS, "answer": "A"})


def test_each_bad_row_is_skipped_with_its_line_and_every_good_row_is_imported(library, tmp_path):
    lines = [good_row(number) for number in range(12)]
    lines[3] = '{"question": "A lone surrogate \\ud800 in the stem?", "options": ["a", "b"], "answer": "A"}'
    lines[6] = json.dumps({"question": "Which option is right?", "options": ["a", "b", "c"], "answer": "²"})
    lines[9] = '{"question": "Nested", "options": ' + DEEP + ', "answer": "A"}'
    lines[10] = DEEP
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n")

    report = import_questions(library, path)

    assert report.added == 8
    assert report.skipped == 4
    assert [line for line, _ in report.skipped_rows] == [4, 7, 10, 11]
    reasons = dict(report.skipped_rows)
    assert "surrogate" in reasons[4]
    assert "²" in reasons[7]
    assert "nest" in reasons[10] and "nest" in reasons[11]
    assert library.conn.execute("SELECT count(*) FROM questions").fetchone()[0] == 8
    again = import_questions(library, path)
    assert again.added == 0 and again.already_present == 8 and again.skipped == 4


def test_the_command_reports_bad_lines_without_a_traceback(tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_text(good_row(1) + "\n" + '{"question": "Q \\udfff?", "options": ["a", "b"], "answer": "B"}\n' + DEEP + "\n")
    result = CliRunner().invoke(cli, ["import-questions", str(path), "--library", str(tmp_path / "lib")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "Imported 1 new questions" in result.output
    assert "line 2:" in result.output and "line 3:" in result.output


def write_deep(path: Path) -> Path:
    path.write_text(DEEP + "\n")
    return path


@pytest.mark.parametrize("name", ["deep.jsonl", "deep.json"])
def test_deeply_nested_benchmark_file_is_one_sentence(tmp_path, name):
    folder = tmp_path / "bench"
    folder.mkdir()
    write_deep(folder / name)
    with pytest.raises(PapergymError, match="nest"):
        load_benchmark_folder(folder)
    with pytest.raises(PapergymError, match="nest"):
        load_benchmark_file(folder / name)


def test_deeply_nested_training_dataset_is_one_sentence(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "train.jsonl").write_text(good_row(1) + "\n" + DEEP + "\n")
    with pytest.raises(PapergymError, match="nest"):
        load_training_data(TrainConfig(dataset=str(folder)))


@pytest.mark.parametrize("name", ["deep.jsonl", "deep.json"])
def test_deeply_nested_eval_file_is_one_sentence(tmp_path, name):
    with pytest.raises(PapergymError, match="nest"):
        load_eval_set(write_deep(tmp_path / name))


def test_json_lists_every_skipped_line_and_the_summary_says_so(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text(
        good_row(0) + "\n" + "".join(json.dumps({"question": f"Q{n}?", "answer": "²", "kind": "numeric"}) + "\n" for n in range(8))
    )
    library = ["--library", str(tmp_path / "lib")]
    summary = CliRunner().invoke(cli, ["import-questions", str(path), *library])
    assert "and 3 more; --json lists every skipped line" in summary.output
    listed = json.loads(CliRunner().invoke(cli, ["import-questions", str(path), "--json", *library]).output)
    assert [line for line, _ in listed["skipped_rows"]] == list(range(2, 10))
