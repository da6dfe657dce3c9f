"""The script in docs/python-api.md runs as written (with a fake model standing in for the GGUF one)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import papergym.core.llm.backends as backends
from papergym.core.llm.backend import FakeBackend

ROOT = Path(__file__).resolve().parents[2]


def test_the_python_api_example_runs(tmp_path, monkeypatch):
    page = (ROOT / "docs" / "python-api.md").read_text()
    script = re.search(r"```python\n(.*?)```", page, re.S).group(1)
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(ROOT / "assets" / "demo_papers" / "nitroreductase_kinetics.pdf", papers)
    reply = {
        "question": "A flavin-dependent nitroreductase has a turnover number of 42 per second and a Michaelis constant of 18 micromolar. What is its catalytic efficiency?",
        "options": [
            "2.3 x 10^6 per molar per second",
            "7.6 x 10^2 per molar per second",
            "0.43 per molar per second",
            "2.3 x 10^3 per molar per second",
        ],
        "answer": "A",
        "rationale": "42 / 18e-6 = 2.3e6.",
    }
    monkeypatch.setattr(backends, "open_backend", lambda library, **options: FakeBackend([json.dumps(reply)] * 20))
    namespace = {"workspace": str(tmp_path), "papers_folder": str(papers)}
    exec(compile(script, "docs/python-api.md", "exec"), namespace)
    assert namespace["report"].counts["imported"] == 1
    assert namespace["generated"].questions_new >= 1
    assert sum(namespace["exported"].splits.values()) >= 1
