"""`papergym check` from the command line, as a user runs it."""

from __future__ import annotations

import json

from click.testing import CliRunner
from papergym.tui.cli.main import cli

from tests.questions import GOOD, add_question


def run(library, *args):
    return CliRunner().invoke(cli, [*args, "--library", str(library.folder)], catch_exceptions=False)


def test_check_prints_a_per_step_summary_with_reasons(library):
    add_question(library)
    add_question(library, "According to the paper, what resistance did the authors measure for the copper wire?")
    add_question(library, GOOD + " ")
    result = run(library, "check", "--steps", "validate,dedup,decontam")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:5] == ["validate", "3", "2", "0", "1"] for line in lines), result.output
    assert any(line.split()[:5] == ["dedup", "2", "1", "0", "1"] for line in lines), result.output
    assert "skipped: no benchmark folder" in result.output
    assert "1 × refers to its source" in result.output
    assert "Questions now: 2 dropped, 1 passed." in result.output


def test_check_json_and_question_view_show_each_steps_verdict(library):
    leaky = add_question(library, "According to the paper, what resistance did the authors measure for the copper wire?")
    result = run(library, "check", "--steps", "validate", "--json")
    report = json.loads(result.output)
    assert report["steps"][0]["dropped"] == 1 and report["statuses"] == {"dropped": 1}
    shown = run(library, "question", leaky[:8])
    assert "validate   drop  refers to its source" in shown.output
    as_json = json.loads(run(library, "question", leaky[:8], "--json").output)
    assert as_json["checks"][0]["step"] == "validate"


def test_bad_step_names_and_folders_are_one_line_errors(library, tmp_path):
    add_question(library)
    result = run(library, "check", "--steps", "validate,votes")
    assert result.exit_code == 1 and "Unknown check step 'votes'" in result.output
    result = run(library, "check", "--benchmarks", str(tmp_path / "missing"))
    assert result.exit_code != 0 and "missing" in result.output and "Traceback" not in result.output


def test_model_steps_without_a_usable_model_say_so(library, monkeypatch):
    add_question(library)
    monkeypatch.setenv("PAPERGYM_HOME", str(library.folder))
    result = run(library, "check", "--steps", "score", "--model", "no-such-model")
    assert result.exit_code == 1
    assert "no-such-model" in result.output and "Traceback" not in result.output


def test_questions_can_be_filtered_by_what_the_checks_decided(library):
    kept = add_question(library)
    leaky = add_question(library, "According to the paper, what resistance did the authors measure for the copper wire?")
    run(library, "check", "--steps", "validate")
    dropped = run(library, "questions", "--status", "dropped")
    assert leaky[:12] in dropped.output and kept[:12] not in dropped.output
    both = run(library, "questions", "--status", "passed,dropped", "--json")
    assert len(both.output.splitlines()) == 2


def test_accept_reject_and_undo_from_the_command_line(library):
    good = add_question(library)
    bad = add_question(library, "According to the paper, what resistance did the authors measure for the copper wire?")
    run(library, "check", "--steps", "validate")
    assert "Accepted 1 question." in run(library, "accept", good[:8]).output
    assert "Rejected 1 question." in run(library, "reject", bad[:8], "--reason", "leaky").output
    rows = {row["id"]: row for row in library.query("SELECT id, status, review_reason FROM questions")}
    assert rows[good]["status"] == "accepted" and rows[bad]["status"] == "rejected" and rows[bad]["review_reason"] == "leaky"
    run(library, "check", "--steps", "validate", "--recheck")
    assert library.query("SELECT status FROM questions WHERE id = ?", [bad])[0]["status"] == "rejected"
    assert "1 question back" in run(library, "unreview", bad[:8]).output
    assert library.query("SELECT status FROM questions WHERE id = ?", [bad])[0]["status"] == "dropped"
    result = run(library, "accept", "ffff0000")
    assert result.exit_code == 1 and "No question has the id" in result.output


def test_a_missing_lora_adapter_is_one_sentence(library, tmp_path):
    add_question(library)
    result = run(library, "check", "--steps", "score", "--lora", str(tmp_path / "missing.gguf"))
    assert result.exit_code == 1 and "does not exist" in result.output and "Traceback" not in result.output
