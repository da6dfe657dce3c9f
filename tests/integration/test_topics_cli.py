"""`papergym topics` on the real demo papers: import, classify, count, and the taxonomy file a user edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from papergym.assets import DEFAULT_TAXONOMY
from papergym.core.ingest.importer import import_paths
from papergym.core.library import Library
from papergym.core.llm.backend import FakeBackend
from papergym.core.llm.models import ModelError
from papergym.tui.cli.topics import topics

from tests.conftest import DEMO_PAPERS

DEMO_DISCIPLINES = {
    "Physics": 1,
    "Earth and Environmental Sciences": 1,
    "Medicine": 1,
    "Computer Science": 1,
    "Biology": 1,
    "Chemistry": 1,
}


def run(*args: str):
    return CliRunner().invoke(topics, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_library(tmp_path_factory) -> Path:
    """The six demo papers imported once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("demo") / "lib"
    with Library(folder) as library:
        report = import_paths(library, [DEMO_PAPERS], workers=2)
    assert report.counts["imported"] == 6
    return folder


@pytest.fixture
def lib(demo_library, tmp_path) -> str:
    import shutil

    copy = tmp_path / "lib"
    shutil.copytree(demo_library, copy)
    return str(copy)


def table(lib: str) -> dict:
    result = run("--json", "--library", lib)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_classify_by_keywords_then_the_table_has_one_demo_paper_per_discipline(lib):
    before = table(lib)
    assert before["papers"] == 6
    assert next(row for row in before["rows"] if row["level"] == "unclassified")["papers"] == 6

    result = run("classify", "--no-llm", "--json", "--library", lib)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["papers_done"] == 6 and report["by_source"] == {"keyword": 6}

    after = table(lib)
    disciplines = {row["name"]: row["papers"] for row in after["rows"] if row["level"] == "discipline" and row["papers"]}
    assert disciplines == DEMO_DISCIPLINES
    subdomains = {row["name"] for row in after["rows"] if row["level"] == "subdomain" and row["papers"]}
    assert subdomains == {
        "Condensed matter physics",
        "Geoscience",
        "Clinical medicine",
        "Algorithms and computing systems",
        "Molecular and cell biology",
        "Catalysis",
    }
    assert next(row for row in after["rows"] if row["level"] == "unclassified")["papers"] == 0
    assert sum(row["target_share"] for row in after["rows"] if row["level"] == "discipline") == pytest.approx(1.0)
    assert after["taxonomy"] == str(DEFAULT_TAXONOMY)

    again = run("classify", "--no-llm", "--library", lib)
    assert "Nothing to classify" in again.output


def test_the_table_prints_disciplines_with_their_subdomains_indented(lib):
    run("classify", "--no-llm", "--library", lib)
    result = run("--library", lib)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["TOPIC", "PAPERS", "SHARE", "ACCEPTED", "SHARE", "TARGET"]
    physics = next(line for line in lines if line.startswith("Physics"))
    assert physics.split()[1:3] == ["1", "16.7%"] and physics.endswith("14.0%")
    assert any(line.startswith("  Condensed matter physics") for line in lines)
    assert "6 readable papers" in lines[-1]


def test_without_a_usable_default_model_classify_says_so_and_uses_keywords(lib, monkeypatch):
    def no_model(*args, **kwargs):
        raise ModelError("No model is available; register one with `papergym models add PATH`.")

    monkeypatch.setattr("papergym.tui.cli.topics._builtin_is_default", lambda library: None)
    monkeypatch.setattr("papergym.core.llm.backends.open_backend", no_model)
    result = run("classify", "--library", lib)
    assert result.exit_code == 0
    assert "No model could be opened (No model is available" in result.stderr
    assert "Classified 6 of 6 papers (6 by keyword)" in result.stdout


def test_the_built_in_model_is_not_used_for_topics_unless_named(lib, monkeypatch):
    monkeypatch.setattr("papergym.tui.cli.topics._builtin_is_default", lambda library: "gemma3-270m")
    monkeypatch.setattr("papergym.core.llm.backends.open_backend", lambda *a, **k: pytest.fail("the model was opened"))
    result = run("classify", "--library", lib)
    assert "too small to pick topics reliably" in result.stderr
    assert "6 by keyword" in result.stdout


def test_classify_with_a_model_uses_its_answers(lib, monkeypatch):
    backend = FakeBackend(['{"subdomain": "Oncology"}'] * 6, model_name="fake-8b")
    monkeypatch.setattr("papergym.core.llm.backends.open_backend", lambda library, **options: backend)
    result = run("classify", "--model", "fake-8b", "--library", lib)
    assert result.exit_code == 0, result.output
    assert "6 by llm" in result.stdout and "Model: fake-8b" in result.stdout
    oncology = next(row for row in table(lib)["rows"] if row["name"] == "Oncology")
    assert oncology["papers"] == 6


def test_a_named_model_that_cannot_be_opened_is_an_error_not_a_silent_fallback(lib, monkeypatch):
    def no_model(*args, **kwargs):
        raise ModelError("No model is named 'big'; `papergym models` lists them.")

    monkeypatch.setattr("papergym.core.llm.backends.open_backend", no_model)
    result = run("classify", "--model", "big", "--library", lib)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: No model is named 'big'; `papergym models` lists them."
    assert "Traceback" not in result.output


def test_taxonomy_copy_makes_an_editable_copy_that_the_library_then_uses(lib):
    result = run("taxonomy", "--library", lib)
    assert result.stdout.strip() == str(DEFAULT_TAXONOMY)
    copied = run("taxonomy", "--copy", "--library", lib)
    own = Path(lib) / "taxonomy.toml"
    assert copied.exit_code == 0 and copied.stdout.strip() == str(own)
    assert own.read_text() == DEFAULT_TAXONOMY.read_text()
    assert run("taxonomy", "--copy", "--library", lib).exit_code == 1  # never overwrites the user's edits

    own.write_text(own.read_text().replace('name = "Catalysis"', 'name = "Heterogeneous catalysis"'))
    run("classify", "--no-llm", "--library", lib)
    rows = {row["name"]: row for row in table(lib)["rows"]}
    assert rows["Heterogeneous catalysis"]["papers"] == 1 and "Catalysis" not in rows


def test_a_broken_taxonomy_is_one_line_naming_the_file(lib, tmp_path):
    broken = tmp_path / "mine.toml"
    broken.write_text('[[discipline]]\nname = "Physics"\ntarget = -1\n')
    result = run("--taxonomy", str(broken), "--library", lib)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and str(broken) in result.stderr and "target of -1" in result.stderr
    assert run("classify", "--no-llm", "--taxonomy", str(broken), "--library", lib).exit_code == 1
