"""Dataset export: split by paper, stratified, deterministic, topic-aligned, written all at once or not at all."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from papergym.core.dataset import export as export_module
from papergym.core.dataset.alignment import aligned_counts
from papergym.core.dataset.arrow_table import COLUMNS
from papergym.core.dataset.export import ExportSettings, export_dataset
from papergym.core.dataset.prompt import PROMPT_VERSION
from papergym.core.dataset.splits import parse_split, split_groups
from papergym.core.errors import PapergymError
from papergym.core.library import Library
from papergym.core.questions.kinds import Question


def add_papers(library: Library, papers: dict[str, str | None]) -> None:
    """Paper rows (id -> discipline) with just enough columns for export's 'library' target."""
    with library.write() as db:
        db.conn.executemany(
            "INSERT INTO papers (id, status, filename, discipline) VALUES (?, 'ok', ?, ?)",
            [(paper_id, f"{paper_id}.pdf", discipline) for paper_id, discipline in papers.items()],
        )


def add_questions(library: Library, rows: list[dict]) -> list[str]:
    """Insert question rows directly (as generate and the quality steps would have left them); returns their ids."""
    ids = []
    values = []
    for number, row in enumerate(rows):
        kind = row.get("kind", "mcq")
        options = row.get("options", ["alpha", "beta", "gamma", "delta"] if kind == "mcq" else [])
        text = row.get("question", f"Question number {number} about {row.get('discipline')} and its measured value?")
        answer = row.get("answer", "B" if kind == "mcq" else "42")
        question = Question(
            kind,
            text,
            answer,
            row.get("rationale", "Because."),
            options=options,
            aliases=row.get("aliases", []),
            unit=row.get("unit"),
            tolerance=row.get("tolerance"),
        )
        identifier = row.get("id") or question.content_id(row.get("paper_id") or "")
        ids.append(identifier)
        values.append(
            (
                identifier,
                row.get("paper_id"),
                kind,
                text,
                json.dumps(options),
                answer,
                json.dumps(question.aliases),
                question.unit,
                question.tolerance,
                question.rationale,
                row.get("status", "accepted"),
                "2025-01-01T00:00:00+00:00",
                row.get("discipline"),
                row.get("subdomain"),
                row.get("source", "generated"),
                row.get("voting_type"),
                json.dumps(row["votes"]) if row.get("votes") is not None else None,
            )
        )
    with library.write() as db:
        db.conn.executemany(
            "INSERT INTO questions (id, paper_id, kind, question, options, answer, aliases, unit, tolerance, rationale, "
            "status, created_at, discipline, subdomain, source, voting_type, votes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        db.conn.executemany(
            "INSERT INTO question_fts (question, options, question_id) VALUES (?, ?, ?)",
            [(value[3], " ".join(json.loads(value[4])), value[0]) for value in values],
        )
    return ids


def corpus(disciplines: dict[str, int], per_paper: int = 3, **fields) -> list[dict]:
    """``per_paper`` questions for each of N papers per discipline."""
    rows = []
    for discipline, paper_count in disciplines.items():
        for paper in range(paper_count):
            paper_id = f"{discipline[:4].lower()}{paper:04d}"
            for number in range(per_paper):
                rows.append(
                    {
                        "paper_id": paper_id,
                        "discipline": discipline,
                        "subdomain": f"{discipline} sub",
                        "question": f"In {discipline} paper {paper_id}, what does measurement {number} show about the system?",
                        **fields,
                    }
                )
    return rows


def parquet_rows(out: Path, split: str) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(out / f"{split}.parquet").to_pylist()


def run(library, out, **settings):
    return export_dataset(library, ExportSettings(out=out, format=settings.pop("format", "parquet"), **settings))


# -- splitting -------------------------------------------------------------------------------


def test_no_paper_is_in_two_splits_and_paperless_questions_stand_alone(library, tmp_path):
    add_questions(library, corpus({"Physics": 40, "Biology": 30}, per_paper=4))
    loose = add_questions(
        library, [{"discipline": "Physics", "question": f"A question with no paper, number {n}, about heat?"} for n in range(30)]
    )
    report = run(library, tmp_path / "out")
    papers_by_split = {
        split: {row["paper_id"] for row in parquet_rows(tmp_path / "out", split) if row["paper_id"]}
        for split in ("train", "validation", "test")
    }
    assert not papers_by_split["train"] & papers_by_split["validation"]
    assert not papers_by_split["train"] & papers_by_split["test"]
    assert not papers_by_split["validation"] & papers_by_split["test"]
    all_ids = [row["id"] for split in ("train", "validation", "test") for row in parquet_rows(tmp_path / "out", split)]
    assert len(all_ids) == len(set(all_ids)) == 40 * 4 + 30 * 4 + 30 == report.written
    # Paperless questions are single groups, so they spread over the splits instead of all landing in one.
    loose_splits = {
        split for split in ("train", "validation", "test") for row in parquet_rows(tmp_path / "out", split) if row["id"] in loose
    }
    assert len(loose_splits) >= 2


def test_each_discipline_is_split_to_the_ratios():
    groups = {f"{discipline}{n}": (discipline, 2) for discipline, count in (("Physics", 200), ("Biology", 100)) for n in range(count)}
    assignment = split_groups(groups, {"train": 0.8, "validation": 0.1, "test": 0.1}, seed=3)
    for discipline, count in (("Physics", 200), ("Biology", 100)):
        splits = Counter(split for key, split in assignment.items() if groups[key][0] == discipline)
        assert splits == {"train": count * 0.8, "validation": count * 0.1, "test": count * 0.1}


def test_a_tiny_discipline_still_trains():
    groups = {"m1": ("Mathematics", 5), "p1": ("Physics", 1), "p2": ("Physics", 1)}
    assignment = split_groups(groups, {"train": 0.9, "validation": 0.05, "test": 0.05}, seed=0)
    assert assignment == {"m1": "train", "p1": "train", "p2": "train"}


def test_the_split_is_the_same_for_a_seed_and_changes_with_it(library, tmp_path):
    add_questions(library, corpus({"Physics": 30, "Chemistry": 30}))

    def ids(out, seed):
        run(library, out, seed=seed)
        return {split: [row["id"] for row in parquet_rows(out, split)] for split in ("train", "validation", "test")}

    first, again, other = ids(tmp_path / "a", 7), ids(tmp_path / "b", 7), ids(tmp_path / "c", 8)
    assert first == again
    assert set(first["test"]) != set(other["test"])


def test_split_specs(library, tmp_path):
    assert parse_split("validation=0.1, train=0.8,test=0.1") == {"train": 0.8, "validation": 0.1, "test": 0.1}
    assert list(parse_split({"test": 0.5, "train": 0.5})) == ["train", "test"]
    for bad, words in [
        ("train0.9", "is not NAME=RATIO"),
        ("train=0.9,validation=0.05", "add up to 0.95, not 1"),
        ("train=abc,test=1", "is not a number"),
        ("train=1.2,test=-0.2", "from 0 to 1"),
        ("train=0.5,train=0.5", "twice"),
        ("tr ain=1", "must be a word"),
        ("", "at least one split"),
    ]:
        with pytest.raises(PapergymError, match=words):
            parse_split(bad)
    with pytest.raises(PapergymError, match="--split"):
        ExportSettings(out=tmp_path / "x", split="train=0.9")


def test_a_zero_ratio_split_stays_empty_and_is_not_written(library, tmp_path):
    add_questions(library, corpus({"Physics": 10}))
    report = run(library, tmp_path / "out", split="train=0.9,validation=0.1,test=0")
    assert report.splits["test"] == 0
    assert not (tmp_path / "out" / "test.parquet").exists()
    assert (tmp_path / "out" / "train.parquet").exists()


# -- selection ------------------------------------------------------------------------------------


def test_status_and_vote_type_select_rows(library, tmp_path):
    add_questions(library, corpus({"Physics": 10}, voting_type="all_aligned"))
    add_questions(library, corpus({"Biology": 10}, voting_type="all_divergent"))
    add_questions(library, corpus({"Chemistry": 10}, status="draft"))
    report = run(library, tmp_path / "out", vote_types=("all_aligned", "majority_aligned"))
    assert report.selected == 30
    assert {name for counts in report.disciplines.values() for name in counts} == {"Physics"}
    assert run(library, tmp_path / "both", statuses=("accepted", "draft")).selected == 90


def test_an_empty_selection_says_what_there_is(library, tmp_path):
    add_questions(library, corpus({"Physics": 2}, status="draft"))
    with pytest.raises(PapergymError) as caught:
        run(library, tmp_path / "out")
    message = str(caught.value)
    assert "No questions match status accepted" in message and "6 draft" in message
    assert "`papergym questions --status draft`" in message
    assert not (tmp_path / "out").exists()


def test_unknown_names_are_refused(tmp_path):
    with pytest.raises(PapergymError, match="--status 'acepted'"):
        ExportSettings(out=tmp_path / "x", statuses=("acepted",))
    with pytest.raises(PapergymError, match="--vote-types"):
        ExportSettings(out=tmp_path / "x", vote_types=("aligned",))
    with pytest.raises(PapergymError, match="--format"):
        ExportSettings(out=tmp_path / "x", format="csv")
    with pytest.raises(PapergymError, match="--align-alpha"):
        ExportSettings(out=tmp_path / "x", align_alpha=-1)
    with pytest.raises(PapergymError, match="--target only matters"):
        ExportSettings(out=tmp_path / "x", target="library")


# -- alignment ---------------------------------------------------------------------------------------


def test_alpha_one_matches_the_target_by_downsampling_only():
    keep, shares = aligned_counts(
        {"Physics": 100, "Biology": 100, "Chemistry": 50}, {"Physics": 0.5, "Biology": 0.25, "Chemistry": 0.25}, 1
    )
    assert shares == {"Physics": 0.5, "Biology": 0.25, "Chemistry": 0.25}
    # Physics binds: 100 questions at a 0.5 share allow 200 in all.
    assert keep == {"Physics": 100, "Biology": 50, "Chemistry": 50}


def test_alpha_zero_is_uniform_over_disciplines_with_questions():
    keep, shares = aligned_counts({"Physics": 100, "Biology": 30, "Chemistry": 60}, {"Physics": 0.9, "Biology": 0.1}, 0)
    assert keep == {"Physics": 30, "Biology": 30, "Chemistry": 30}
    assert shares == pytest.approx({"Physics": 1 / 3, "Biology": 1 / 3, "Chemistry": 1 / 3})


def test_alpha_half_flattens_toward_the_tail():
    keep, shares = aligned_counts({"Physics": 1000, "Biology": 1000}, {"Physics": 0.8, "Biology": 0.2}, 0.5)
    assert shares["Physics"] == pytest.approx(2 / 3)  # sqrt(.8) : sqrt(.2) = 2 : 1
    assert keep == {"Physics": 1000, "Biology": 500}


def test_a_discipline_missing_from_the_target_is_removed_and_names_match_any_case():
    keep, _ = aligned_counts({"Physics": 10, "(none)": 10}, {"physics": 1.0}, 1)
    assert keep == {"Physics": 10, "(none)": 0}
    with pytest.raises(PapergymError, match="has a weight in the target"):
        aligned_counts({"(none)": 10}, {"Physics": 1.0}, 1)


def test_alignment_reshapes_only_train_and_reports_it(library, tmp_path):
    add_questions(library, corpus({"Physics": 100, "Biology": 100}, per_paper=2))
    target = tmp_path / "target.json"
    target.write_text(json.dumps({"Physics": 3, "Biology": 1}))
    plain = run(library, tmp_path / "plain", split="train=0.8,validation=0.1,test=0.1")
    aligned = run(library, tmp_path / "aligned", split="train=0.8,validation=0.1,test=0.1", align_alpha=1, target=target)
    assert plain.disciplines["train"] == {"Physics": 160, "Biology": 160}
    assert aligned.disciplines["train"] == {"Physics": 160, "Biology": 53}
    assert aligned.alignment["Biology"] == {"before": 160, "share": 0.25, "after": 53, "removed": 107}
    assert aligned.alignment["Physics"]["removed"] == 0
    assert aligned.splits["test"] == plain.splits["test"] and aligned.disciplines["test"] == plain.disciplines["test"]
    train = parquet_rows(tmp_path / "aligned", "train")
    assert Counter(row["discipline"] for row in train) == {"Physics": 160, "Biology": 53}
    assert len({row["id"] for row in train}) == len(train)  # downsampled, never repeated


def test_library_and_toml_targets(library, tmp_path):
    add_papers(library, {f"phys{n:04d}": "Physics" for n in range(30)} | {f"biol{n:04d}": "Biology" for n in range(10)})
    add_questions(library, corpus({"Physics": 30, "Biology": 30}, per_paper=1))
    report = run(library, tmp_path / "by-library", split="train=1", align_alpha=1, target="library")
    assert report.disciplines["train"] == {"Physics": 30, "Biology": 10}
    toml = tmp_path / "target.toml"
    toml.write_text('[[discipline]]\nname = "Physics"\ntarget = 0.5\n\n[[discipline]]\nname = "Biology"\ntarget = 0.5\n')
    report = run(library, tmp_path / "toml", split="train=1", align_alpha=1, target=toml)
    assert report.disciplines["train"] == {"Physics": 30, "Biology": 30}


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "cannot be read"),
        ('{"Physics": -1}', "must be a number of 0 or more"),
        ('{"Physics": 0}', "weight of 0"),
        ("[1, 2]", "must map disciplines to weights"),
    ],
)
def test_a_bad_target_file_is_one_sentence(library, tmp_path, content, words):
    add_questions(library, corpus({"Physics": 5}))
    target = tmp_path / "target.json"
    target.write_text(content)
    with pytest.raises(PapergymError, match=words):
        run(library, tmp_path / "out", align_alpha=1, target=target)
    with pytest.raises(PapergymError, match="does not exist"):
        run(library, tmp_path / "out", align_alpha=1, target=tmp_path / "missing.json")
    assert not (tmp_path / "out").exists()


# -- writing -------------------------------------------------------------------------------------------


def test_the_three_formats_load_back_with_datasets(library, tmp_path):
    from datasets import load_dataset, load_from_disk

    add_questions(library, corpus({"Physics": 20, "Biology": 20}, votes=["B", "B", "A"], voting_type="majority_aligned"))
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
                "votes": [1.45, 2],
                "question": "What cross-plane thermal conductivity does the 120 nm film have at room temperature?",
            },
            {
                "paper_id": "exa0001",
                "discipline": "Biology",
                "kind": "exact",
                "answer": "nitroreductase",
                "aliases": ["NfsB"],
                "question": "Which enzyme family reduces nitroaromatic compounds using a flavin cofactor?",
            },
        ],
    )
    expected = run(library, tmp_path / "reference").splits
    for fmt in ("hf", "parquet", "jsonl"):
        out = tmp_path / fmt
        report = run(library, out, format=fmt)
        assert report.splits == expected
        if fmt == "hf":
            loaded = load_from_disk(str(out))
        elif fmt == "parquet":
            loaded = load_dataset("parquet", data_files={s: str(out / f"{s}.parquet") for s in expected}, cache_dir=str(tmp_path / "cache"))
        else:
            loaded = load_dataset("json", data_files={s: str(out / f"{s}.jsonl") for s in expected}, cache_dir=str(tmp_path / "cache"))
        assert {name: len(split) for name, split in loaded.items()} == expected
        # The card's configs point at the data files, so the folder itself loads too.
        if fmt != "hf":
            assert {name: len(split) for name, split in load_dataset(str(out), cache_dir=str(tmp_path / "cache")).items()} == expected
        rows = [row for split in loaded.values() for row in split]
        assert set(rows[0]) == set(COLUMNS)
        numeric = next(row for row in rows if row["kind"] == "numeric")
        assert numeric["answer"] == "1.45" and numeric["unit"] == "W/m/K" and numeric["tolerance"] == 0.03 and numeric["options"] == []
        assert numeric["votes"] == ["1.45", "2"]
        assert "Give the answer as a number in W/m/K." in numeric["prompt"][1]["content"]
        exact = next(row for row in rows if row["kind"] == "exact")
        assert exact["aliases"] == ["NfsB"]
        mcq = next(row for row in rows if row["kind"] == "mcq")
        assert mcq["answer"] == "B" and mcq["votes"] == ["B", "B", "A"] and mcq["voting_type"] == "majority_aligned"
        system, user = mcq["prompt"]
        assert system["role"] == "system" and 'last line as "Answer: <letter>"' in system["content"]
        assert user["role"] == "user" and user["content"].startswith(mcq["question"]) and "\nB. beta\n" in user["content"]


def test_the_card_and_manifest_carry_the_counts(library, tmp_path):
    add_questions(library, corpus({"Physics": 20, "Biology": 10}, voting_type="all_aligned"))
    out = tmp_path / "out"
    report = run(library, out, format="jsonl")
    card = (out / "README.md").read_text()
    assert card.startswith("---\n") and "configs:\n- config_name: default" in card
    assert '  - split: train\n    path: "train.jsonl"' in card
    for split, count in report.splits.items():
        assert f"| {split} | {count} | {report.papers[split]} |" in card
    physics = report.disciplines
    assert (
        f"| Physics | {physics['train'].get('Physics', 0)} | {physics['validation'].get('Physics', 0)} | {physics['test'].get('Physics', 0)} | 60 |"
        in card
    )
    assert f"| all_aligned | {report.splits['train']} |" in card
    assert PROMPT_VERSION in card and "papergym 0.1.0" in card
    manifest = json.loads((out / "export.json").read_text())
    assert manifest["splits"] == report.splits and manifest["settings"]["format"] == "jsonl"
    assert manifest["prompt_version"] == PROMPT_VERSION
    assert sorted(Path(path).name for path in report.files) == sorted(p.name for p in out.iterdir())


def test_a_failure_mid_write_leaves_no_partial_output(library, tmp_path, monkeypatch):
    add_questions(library, corpus({"Physics": 30}))
    calls = []
    real = export_module.write_split

    def failing(fmt, table, staging, name):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(fmt, table, staging, name)

    monkeypatch.setattr(export_module, "write_split", failing)
    with pytest.raises(OSError):
        run(library, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "lib"]  # no temporary folder left behind

    # Replacing an earlier export: it survives a failed attempt untouched.
    monkeypatch.setattr(export_module, "write_split", real)
    first = run(library, tmp_path / "out")
    before = sorted(path.name for path in (tmp_path / "out").iterdir())
    calls.clear()
    monkeypatch.setattr(export_module, "write_split", failing)
    with pytest.raises(OSError):
        run(library, tmp_path / "out", overwrite=True, seed=5)
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == before
    assert json.loads((tmp_path / "out" / "export.json").read_text())["splits"] == first.splits
    assert sorted(path.name for path in tmp_path.iterdir()) == ["lib", "out"]


def test_an_existing_folder_is_replaced_only_when_asked(library, tmp_path):
    add_questions(library, corpus({"Physics": 10}))
    out = tmp_path / "out"
    run(library, out, format="jsonl")
    with pytest.raises(PapergymError, match="already exists and is not empty; pass --overwrite"):
        run(library, out)
    run(library, out, format="parquet", overwrite=True)
    assert (out / "train.parquet").exists() and not (out / "train.jsonl").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["lib", "out"]

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(PapergymError, match="not a papergym export"):
        run(library, precious, overwrite=True)
    assert (precious / "thesis.tex").read_text() == "years of work"

    empty = tmp_path / "empty"
    empty.mkdir()
    run(library, empty)
    assert (empty / "train.parquet").exists()


def test_cancel_leaves_nothing(library, tmp_path):
    import threading

    add_questions(library, corpus({"Physics": 10}))
    cancel = threading.Event()
    steps = []

    def on_progress(step, done, total):
        steps.append(step)
        if step == "write":
            cancel.set()

    with pytest.raises(export_module.ExportCancelled):
        export_dataset(library, ExportSettings(out=tmp_path / "out"), on_progress=on_progress, cancel=cancel)
    assert steps == ["read", "split", "write"]
    assert not (tmp_path / "out").exists()


def test_the_default_target_is_the_taxonomys(library, tmp_path):
    pytest.importorskip("papergym.core.dataset.taxonomy")
    # The default taxonomy aims Biology at 0.20 and Physics at 0.14.
    add_questions(library, corpus({"Physics": 100, "Biology": 100}, per_paper=1))
    report = run(library, tmp_path / "out", split="train=1", align_alpha=1)
    assert report.disciplines["train"] == {"Biology": 100, "Physics": 70}


def test_held_out_splits_take_a_paper_when_every_discipline_has_only_one():
    groups = {
        f"paper{index}": (discipline, 3)
        for index, discipline in enumerate(["Physics", "Chemistry", "Biology", "Medicine", "Geoscience", "Computing"])
    }
    assignment = split_groups(groups, {"train": 0.6, "validation": 0.2, "test": 0.2}, seed=0)
    counts = {split: list(assignment.values()).count(split) for split in ("train", "validation", "test")}
    assert counts == {"train": 4, "validation": 1, "test": 1}
