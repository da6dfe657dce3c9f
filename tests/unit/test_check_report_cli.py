"""`papergym check --report` and the learnability options, as a user types them."""

from __future__ import annotations

import json

from click.testing import CliRunner
from papergym.core.library import Library
from papergym.tui.cli.main import cli

from tests.questions import add_question


def test_check_report_prints_each_signals_agreement_and_runs_nothing(tmp_path):
    with Library(tmp_path / "lib") as library:
        for decision, score in (("accepted", 0.6), ("accepted", 0.2), ("rejected", -0.4)):
            question_id = add_question(library, status=decision)
            with library.write() as db:
                db.conn.execute(
                    "INSERT INTO checks (question_id, step, status, reasons, scores, detail, config, updated_at) "
                    "VALUES (?, 'score', ?, '[]', ?, '{}', 'c', 't')",
                    [question_id, "pass" if score >= 0 else "flag", json.dumps({"score": score})],
                )
        draft = add_question(library)
    result = CliRunner().invoke(cli, ["check", "--report", "--json", "--library", str(tmp_path / "lib")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    judge = next(signal for signal in report["signals"] if signal["signal"] == "judge score")
    assert (report["decisions"], judge["judged"], judge["accuracy"], judge["auc"]) == (3, 3, 1.0, 1.0)
    text = CliRunner().invoke(cli, ["check", "--report", "--library", str(tmp_path / "lib")]).output
    assert "Agreement with your 3 decisions (2 accepted, 1 rejected)" in text and "judge score" in text
    with Library(tmp_path / "lib") as library:  # nothing was checked
        assert library.query("SELECT count(*) AS n FROM checks WHERE question_id = ?", [draft])[0]["n"] == 0


def test_an_empty_band_is_one_sentence(tmp_path):
    result = CliRunner().invoke(cli, ["check", "--steps", "learnability", "--band", "0.9,0.1", "--library", str(tmp_path / "lib")])
    assert result.exit_code == 2
    assert "The learnable band 0.9-0.1 is empty" in result.output and "Traceback" not in result.output
