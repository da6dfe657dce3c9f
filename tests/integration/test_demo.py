"""`papergym demo` runs every stage and reports real counts (with a scripted model, training left out)."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from papergym.core.llm.backend import Completion, FakeBackend
from papergym.tui.cli.main import cli


class ScriptedModel(FakeBackend):
    """Answers each pipeline prompt the way a small model would: a question, a letter, a verdict."""

    def __init__(self):
        super().__init__(model_name="scripted")
        self.count = 0

    def complete(self, prompt: str, **options) -> Completion:
        self.prompts.append(prompt)
        if prompt.rstrip().endswith("JSON:"):
            self.count += 1
            question = {
                "question": f"A sample of {self.count + 2} moles of an ideal gas is heated at constant volume; which quantity doubles when its absolute temperature doubles?",
                "options": ["Its pressure", "Its volume", "Its mass", "Its number of moles"],
                "answer": "A",
                "rationale": "At constant volume, pressure is proportional to absolute temperature.",
            }
            return Completion(text=json.dumps(question), completion_tokens=60)
        if prompt.rstrip().endswith("Good:"):
            return Completion(text=" yes", completion_tokens=1, top_logprobs=[{" yes": math.log(0.7), " no": math.log(0.2)}])
        return Completion(text=" A", completion_tokens=1, top_logprobs=[{" A": math.log(0.8), " B": math.log(0.1)}])


def test_demo_without_training_runs_every_stage_with_real_counts(tmp_path, monkeypatch):
    import papergym.core.llm.backends

    monkeypatch.setattr(papergym.core.llm.backends, "open_backend", lambda library, **kwargs: ScriptedModel())
    result = CliRunner().invoke(cli, ["demo", "--library", str(tmp_path / "demo"), "--no-train", "--windows", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    stages = report["stages"]
    assert stages["1. import the demo papers"]["imported"] == 6
    generated = next(value for name, value in stages.items() if name.startswith("3."))
    assert generated["windows"] == 3 and generated["questions"] == 3
    assert stages["4. add the questions written for the demo papers"]["added"] == 18
    checked = next(value for name, value in stages.items() if name.startswith("5."))
    assert sum(checked["statuses"].values()) == 21
    exported = next(value for name, value in stages.items() if name.startswith("6."))
    assert sum(exported["splits"].values()) >= 18 and exported["splits"]["test"] > 0
    assert report["stopped"] == "training skipped"
    assert (tmp_path / "demo" / "exports" / "demo" / "README.md").is_file()


@pytest.mark.slow
def test_the_whole_demo_with_the_real_model_and_one_training_step(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("trl")
    result = CliRunner().invoke(cli, ["demo", "--library", str(tmp_path / "demo"), "--windows", "2", "--steps", "1", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["stopped"] is None
    evaluation = next(value for name, value in report["stages"].items() if name.startswith("8."))
    assert 0.0 <= evaluation["base"]["accuracy"] <= 1.0 and 0.0 <= evaluation["adapter"]["accuracy"] <= 1.0
