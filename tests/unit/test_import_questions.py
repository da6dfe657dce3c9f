"""Importing questions from WildSci-style JSON lines and Parquet files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from papergym.core.dataset.export import ExportSettings, export_dataset
from papergym.core.dataset.import_questions import import_questions
from papergym.core.errors import PapergymError
from papergym.core.library import Library
from papergym.core.questions.store import list_questions

from tests.unit.test_export import add_papers, add_questions, corpus

STEM = "A sputtered aluminium oxide film 120 nm thick conducts heat poorly. Which mechanism limits heat transport?"
OPTIONS = ["phonon boundary scattering", "electron transport", "radiation", "convection"]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def stored(library: Library) -> dict[str, dict]:
    return {row["question"]: row for row in list_questions(library)}


def test_answers_as_letter_index_or_text_and_options_as_a_dict(library, tmp_path):
    rows = [
        {
            "question": STEM,
            "options": OPTIONS,
            "answer": "A",
            "discipline": "Physics",
            "subdomain": "Condensed matter physics",
            "voting_type": "All Aligned",
            "votes": ["A", "A", "A"],
            "rationale": "Boundaries scatter phonons.",
        },
        {"question": STEM.replace("120", "80"), "options": OPTIONS, "answer": 2},
        {"question": STEM.replace("120", "60"), "options": OPTIONS, "answer": "Electron transport."},
        {"question": STEM.replace("120", "40"), "options": {"B": "beta", "A": "alpha", "C": "gamma"}, "answer": "(c)"},
        {
            "question": "What is the measured thermal conductivity of the film, in W/m/K?",
            "answer": "1.45",
            "kind": "numeric",
            "unit": "W/m/K",
        },
        {"question": "Which enzyme family reduces nitroaromatic compounds with a flavin?", "answer": "nitroreductase", "aliases": ["NfsB"]},
    ]
    report = import_questions(library, write_jsonl(tmp_path / "q.jsonl", rows))
    assert (report.rows, report.added, report.skipped) == (6, 6, 0)
    questions = stored(library)
    first = questions[STEM]
    assert (first["kind"], first["answer"], first["status"], first["source"]) == ("mcq", "A", "draft", "imported")
    assert (first["discipline"], first["voting_type"], first["votes"]) == ("Physics", "all_aligned", ["A", "A", "A"])
    assert questions[STEM.replace("120", "80")]["answer"] == "C"
    assert questions[STEM.replace("120", "60")]["answer"] == "B"
    dict_options = questions[STEM.replace("120", "40")]
    assert dict_options["options"] == ["alpha", "beta", "gamma"] and dict_options["answer"] == "C"
    numeric = questions["What is the measured thermal conductivity of the film, in W/m/K?"]
    assert numeric["answer"] == "1.45" and numeric["tolerance"] == pytest.approx(0.029)
    exact = questions["Which enzyme family reduces nitroaromatic compounds with a flavin?"]
    assert exact["kind"] == "exact" and exact["aliases"] == ["NfsB"] and exact["options"] == []
    # Imported questions are searchable like generated ones.
    hits = library.query("SELECT question_id FROM question_fts WHERE question_fts MATCH 'nitroaromatic'")
    assert [hit["question_id"] for hit in hits] == [exact["id"]]


def test_parquet_files_import_the_same_way(library, tmp_path):
    rows = [
        {"question": STEM, "options": OPTIONS, "answer": "A", "paper_id": "wildsci-17", "discipline": "Physics"},
        {"question": STEM.replace("120", "80"), "options": OPTIONS, "answer": "D", "paper_id": None, "discipline": None},
    ]
    report = import_questions(library, write_parquet(tmp_path / "q.parquet", rows), status="passed")
    assert report.added == 2
    questions = stored(library)
    assert questions[STEM]["paper_id"] == "ext:wildsci-17" and questions[STEM]["status"] == "passed"
    assert questions[STEM.replace("120", "80")]["paper_id"] is None


def test_a_library_paper_keeps_its_id_and_lends_its_topic(library, tmp_path):
    add_papers(library, {"a" * 64: "Chemistry"})
    import_questions(
        library, write_jsonl(tmp_path / "q.jsonl", [{"question": STEM, "options": OPTIONS, "answer": "A", "paper_id": "a" * 64}])
    )
    question = stored(library)[STEM]
    assert question["paper_id"] == "a" * 64 and question["discipline"] == "Chemistry"


def test_bad_rows_are_skipped_and_counted_by_reason(library, tmp_path):
    rows = [
        {"question": STEM, "options": OPTIONS, "answer": "A"},
        {"question": STEM.replace("120", "1"), "options": OPTIONS, "answer": "K"},
        {"question": STEM.replace("120", "2"), "options": OPTIONS, "answer": 7},
        {"question": "", "options": OPTIONS, "answer": "A"},
        "{this is not json",
        {"options": OPTIONS, "answer": "A"},
        {"question": STEM.replace("120", "3"), "options": ["only one"], "answer": "A"},
        {"question": STEM.replace("120", "4"), "options": OPTIONS, "answer": "B", "voting_type": "unanimous"},
        {"question": "What value does the film reach at 300 K in W/m/K?", "kind": "numeric", "answer": "about two"},
        {"question": STEM.replace("120", "5"), "options": OPTIONS, "answer": "Z"},
    ]
    report = import_questions(library, write_jsonl(tmp_path / "q.jsonl", rows))
    assert (report.rows, report.added, report.skipped) == (10, 1, 9)
    assert report.reasons["the answer 'K' is neither an option letter, an index nor an option's text"] == 1
    assert report.reasons["the answer index 7 is outside the 4 options"] == 1
    assert report.reasons["the line is not valid JSON"] == 1
    assert report.reasons["the row has no 'question'"] == 1
    assert sum(report.reasons.values()) == 9
    assert report.examples[:2] == [
        "line 2: the answer 'K' is neither an option letter, an index nor an option's text",
        "line 3: the answer index 7 is outside the 4 options",
    ]
    assert len(report.examples) == 5


def test_importing_the_same_file_again_adds_nothing(library, tmp_path, monkeypatch):
    monkeypatch.setattr("papergym.core.dataset.import_questions.CHUNK_ROWS", 7)  # several chunks
    rows = [{"question": f"{STEM} Variant {n}.", "options": OPTIONS, "answer": "A"} for n in range(20)]
    rows.append(dict(rows[0]))  # a repeat inside the file
    path = write_jsonl(tmp_path / "q.jsonl", rows)
    first = import_questions(library, path)
    assert (first.added, first.already_present) == (20, 1)
    second = import_questions(library, path)
    assert (second.added, second.already_present) == (0, 21)
    assert library.query("SELECT count(*) AS n FROM questions")[0]["n"] == 20
    assert library.query("SELECT count(*) AS n FROM question_fts")[0]["n"] == 20


def test_files_that_are_not_question_files_are_one_sentence(library, tmp_path):
    csv = tmp_path / "q.csv"
    csv.write_text("question,answer\n")
    with pytest.raises(PapergymError, match="neither JSON lines"):
        import_questions(library, csv)
    with pytest.raises(PapergymError, match="is not a JSON lines file"):
        import_questions(library, write_jsonl(tmp_path / "a.jsonl", ["question,answer", "x,y"]))
    with pytest.raises(PapergymError, match="no 'question' field"):
        import_questions(library, write_jsonl(tmp_path / "b.jsonl", [{"prompt": "x", "answer": "A"}]))
    with pytest.raises(PapergymError, match="no 'question' column"):
        import_questions(library, write_parquet(tmp_path / "c.parquet", [{"prompt": "x", "answer": "A"}]))
    fake = tmp_path / "d.parquet"
    fake.write_text("not parquet")
    with pytest.raises(PapergymError, match="not a readable Parquet file"):
        import_questions(library, fake)
    with pytest.raises(PapergymError, match="does not exist"):
        import_questions(library, tmp_path / "missing.jsonl")
    with pytest.raises(PapergymError, match="--status"):
        import_questions(library, write_jsonl(tmp_path / "e.jsonl", [{"question": STEM, "answer": "x"}]), status="great")
    assert library.query("SELECT count(*) AS n FROM questions")[0]["n"] == 0


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_an_export_imports_back(library, tmp_path, fmt):
    add_questions(library, corpus({"Physics": 10, "Biology": 10}, votes=["B", "C"], voting_type="majority_divergent"))
    add_questions(
        library,
        [
            {
                "paper_id": "num0001",
                "discipline": "Physics",
                "kind": "numeric",
                "answer": "1.45",
                "unit": "W/m/K",
                "tolerance": 0.03,
                "question": "What cross-plane thermal conductivity does the film have?",
            }
        ],
    )
    add_papers(library, {row["paper_id"]: row["discipline"] for row in corpus({"Physics": 10, "Biology": 10})} | {"num0001": "Physics"})
    out = tmp_path / "export"
    report = export_dataset(library, ExportSettings(out=out, format=fmt))
    original = {row["id"]: row for row in list_questions(library)}
    written = [split for split, count in report.splits.items() if count]

    # Into the same library: every row is already there.
    for split in written:
        again = import_questions(library, out / f"{split}.{fmt}")
        assert again.added == 0 and again.skipped == 0
    assert len(list_questions(library)) == len(original)

    # Into a fresh library: the same questions, with external paper ids.
    with Library(tmp_path / "other") as other:
        for split in written:
            import_questions(other, out / f"{split}.{fmt}", status="accepted")
        copies = {row["question"]: row for row in list_questions(other)}
    assert len(copies) == len(original)
    for row in original.values():
        copy = copies[row["question"]]
        assert copy["paper_id"] == f"ext:{row['paper_id']}"
        for column in ("kind", "options", "answer", "discipline", "subdomain", "voting_type", "votes", "unit", "tolerance", "rationale"):
            assert copy[column] == row[column], column


def test_the_commands(tmp_path):
    from papergym.tui.cli.export import export, import_questions_command

    lib = tmp_path / "lib"
    rows = [
        {
            "question": f"{STEM} Variant {n}.",
            "options": OPTIONS,
            "answer": "A",
            "paper_id": f"p{n % 5}",
            "discipline": "Physics" if n % 2 else "Biology",
        }
        for n in range(40)
    ]
    rows.append({"question": STEM, "options": OPTIONS, "answer": "Q"})
    path = write_jsonl(tmp_path / "q.jsonl", rows)
    runner = CliRunner()

    result = runner.invoke(import_questions_command, [str(path), "--status", "accepted", "--library", str(lib)])
    assert result.exit_code == 0, result.output
    assert "Imported 40 new questions" in result.output and "1 skipped" in result.output
    assert "line 41: the answer 'Q'" in result.output
    result = runner.invoke(import_questions_command, [str(path), "--json", "--library", str(lib)])
    assert json.loads(result.output)["already_present"] == 40

    out = tmp_path / "out"
    result = runner.invoke(export, [str(out), "--format", "parquet", "--split", "train=0.6,validation=0.2,test=0.2", "--library", str(lib)])
    assert result.exit_code == 0, result.output
    assert "Physics" in result.output and "Biology" in result.output and str(out) in result.output
    assert (out / "README.md").exists()

    result = runner.invoke(export, [str(out), "--library", str(lib)])
    assert result.exit_code == 1 and "pass --overwrite" in result.output and "Traceback" not in result.output
    result = runner.invoke(export, [str(tmp_path / "x"), "--split", "train=2", "--library", str(lib)])
    assert result.exit_code == 1 and "add up to 2, not 1" in result.output
    result = runner.invoke(export, [str(tmp_path / "y"), "--status", "draft", "--library", str(lib)])
    assert result.exit_code == 1 and "No questions match status draft" in result.output

    target = tmp_path / "target.json"
    target.write_text(json.dumps({"Physics": 1, "Biology": 1}))
    result = runner.invoke(
        export, [str(tmp_path / "z"), "--format", "jsonl", "--align-alpha", "1", "--target", str(target), "--json", "--library", str(lib)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["alignment"] and data["format"] == "jsonl" and sum(data["splits"].values()) == data["written"]
