"""`export --overwrite` replaces only an untouched papergym export; it never deletes a file papergym did not write."""

from __future__ import annotations

import json

import pytest
from papergym.core.errors import PapergymError

from tests.unit.test_export import add_questions, corpus, run


@pytest.fixture
def questions(library):
    add_questions(library, corpus({"Physics": 10}))
    return library


def test_a_folder_that_merely_holds_an_export_json_is_never_emptied(questions, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "export.json").write_text('{"name": "my own export settings"}')
    (mine / "results.csv").write_text("a,b\n1,2\n")
    with pytest.raises(PapergymError, match="did not write"):
        run(questions, mine, overwrite=True)
    assert sorted(path.name for path in mine.iterdir()) == ["export.json", "results.csv"]
    assert (mine / "results.csv").read_text() == "a,b\n1,2\n"


def test_a_file_added_to_an_earlier_export_is_kept_and_named(questions, tmp_path):
    out = tmp_path / "out"
    run(questions, out, format="jsonl")
    (out / "notes.md").write_text("what I found in the validation split")
    with pytest.raises(PapergymError, match="notes.md"):
        run(questions, out, format="jsonl", overwrite=True)
    assert (out / "notes.md").read_text() == "what I found in the validation split"


def test_an_edited_file_of_an_earlier_export_is_not_deleted(questions, tmp_path):
    out = tmp_path / "out"
    run(questions, out, format="parquet")
    (out / "README.md").write_text("my edited dataset card")
    with pytest.raises(PapergymError, match="README.md"):
        run(questions, out, format="parquet", overwrite=True)
    assert (out / "README.md").read_text() == "my edited dataset card"


def test_a_copied_manifest_does_not_vouch_for_another_folder(questions, tmp_path):
    out = tmp_path / "out"
    run(questions, out, format="jsonl")
    other = tmp_path / "other"
    other.mkdir()
    (other / "export.json").write_text((out / "export.json").read_text())
    (other / "train.jsonl").write_text("my own rows\n")
    with pytest.raises(PapergymError, match="train.jsonl"):
        run(questions, other, format="jsonl", overwrite=True)
    assert (other / "train.jsonl").read_text() == "my own rows\n"


@pytest.mark.parametrize("fmt", ["hf", "parquet", "jsonl"])
def test_an_untouched_export_is_replaced(questions, tmp_path, fmt):
    out = tmp_path / "out"
    run(questions, out, format=fmt)
    manifest = json.loads((out / "export.json").read_text())
    assert "README.md" in manifest["written_files"]
    run(questions, out, format="jsonl", overwrite=True, seed=3)
    assert (out / "train.jsonl").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["lib", "out"]


def test_an_export_from_before_the_hashes_is_replaced_when_it_holds_only_its_own_files(questions, tmp_path):
    out = tmp_path / "out"
    run(questions, out, format="jsonl")
    manifest = json.loads((out / "export.json").read_text())
    del manifest["written_files"], manifest["written_files_hash"]
    (out / "export.json").write_text(json.dumps(manifest))
    run(questions, out, format="parquet", overwrite=True)
    assert (out / "train.parquet").exists()
