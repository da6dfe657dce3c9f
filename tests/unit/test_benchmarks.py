import csv
import json
from pathlib import Path

import pytest
from papergym.core.dataset.benchmarks import BenchmarkError, BenchmarkItem, load_benchmark_file, load_benchmark_folder
from papergym.core.errors import PapergymError

GPQA_HEADER = [
    "Record ID",
    "Question",
    "Correct Answer",
    "Incorrect Answer 1",
    "Incorrect Answer 2",
    "Incorrect Answer 3",
    "High-level domain",
    "Subdomain",
]


def gpqa_row(
    record_id, question, correct="the right one", wrong=("wrong one", "wrong two", "wrong three"), domain="Physics", subdomain="Optics"
):
    return [record_id, question, correct, *wrong, domain, subdomain]


def write_gpqa(path: Path, rows, header=GPQA_HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


MMLU_PRO = [
    {
        "question_id": 70,
        "question": "Typical advertising regulatory bodies suggest, for example, that adverts must not:",
        "options": ["Safe practices, Fear", "Unsafe practices, Distress", "Safe practices, Wants", "Unsafe practices, Wants"],
        "answer": "D",
        "answer_index": 3,
        "cot_content": "",
        "category": "business",
        "src": "ori_mmlu-business_ethics",
    },
    {
        "question_id": 71,
        "question": "What is the spin multiplicity of a triplet state?",
        "options": [str(value) for value in range(1, 11)],
        "answer": "C",
        "answer_index": 2,
        "cot_content": "",
        "category": "chemistry",
        "src": "stemez",
    },
]

SUPERGPQA = [
    {
        "uuid": "a1b2",
        "question": "Which layer of the atmosphere holds most of the ozone?",
        "options": ["Troposphere", "Stratosphere", "Mesosphere", "Thermosphere"],
        "answer": "Stratosphere",
        "answer_letter": "B",
        "discipline": "Science",
        "field": "Atmospheric Science",
        "subfield": "Meteorology",
    },
    {
        # Older dumps have no answer_letter: the letter comes from the answer's text.
        "uuid": "c3d4",
        "question": "Which gas makes up most of dry air?",
        "options": ["Oxygen", "Argon", "Nitrogen", "Carbon dioxide"],
        "answer": "nitrogen.",
        "discipline": "Science",
        "field": "Atmospheric Science",
        "subfield": "Chemistry",
    },
]


def test_gpqa_csv_with_quoted_commas_and_newlines_reads_whole_questions(tmp_path):
    path = write_gpqa(
        tmp_path / "gpqa_main.csv",
        [
            gpqa_row(
                "rec1",
                "A beam, polarised at 45 degrees,\npasses two filters.\nWhat fraction is left?",
                correct="1/4, roughly",
                wrong=("1/2", "1/8", "0"),
            ),
            gpqa_row(
                "rec2",
                "Which quantity is conserved in an elastic collision?",
                correct="kinetic energy",
                wrong=("heat", "charge only", "mass flow"),
            ),
        ],
    )
    items = load_benchmark_file(path)
    assert [item.item_id for item in items] == ["rec1", "rec2"]
    first = items[0]
    assert first.source == "gpqa"
    assert first.question == "A beam, polarised at 45 degrees, passes two filters. What fraction is left?"
    assert sorted(first.options) == sorted(["1/4, roughly", "1/2", "1/8", "0"])
    assert first.options["ABCD".index(first.answer)] == "1/4, roughly"
    assert first.discipline == "Optics"
    assert first.file == str(path)


def test_gpqa_key_moves_off_a_but_stays_put_between_loads(tmp_path):
    rows = [gpqa_row(f"rec{n}", f"Question number {n} about a physical system?") for n in range(40)]
    path = write_gpqa(tmp_path / "gpqa.csv", rows)
    items = load_benchmark_file(path)
    assert all(item.options[ord(item.answer) - ord("A")] == "the right one" for item in items)
    assert len({item.answer for item in items}) == 4  # GPQA lists the key first; the loader must not keep it there
    assert [item.answer for item in load_benchmark_file(path)] == [item.answer for item in items]


def test_gpqa_row_without_record_id_is_named_by_its_line(tmp_path):
    header = [column for column in GPQA_HEADER if column != "Record ID"]
    path = write_gpqa(
        tmp_path / "gpqa.csv",
        [gpqa_row("x", "Two\nline question about optics?")[1:], gpqa_row("x", "Another question?")[1:]],
        header=header,
    )
    assert [item.item_id for item in load_benchmark_file(path)] == ["gpqa.csv line 2", "gpqa.csv line 4"]


def test_gpqa_empty_answer_names_the_line_after_a_multiline_row(tmp_path):
    path = write_gpqa(
        tmp_path / "gpqa.csv",
        [gpqa_row("rec1", "First,\nsecond\nthird line?"), gpqa_row("rec2", "Broken row?", correct="")],
    )
    with pytest.raises(BenchmarkError, match=r"gpqa\.csv line 5: 'Correct Answer' is missing or empty"):
        load_benchmark_file(path)


def test_csv_without_gpqa_columns_says_what_is_expected(tmp_path):
    path = tmp_path / "gpqa.csv"
    path.write_text("Prompt,Answer\nWhat is 2+2?,4\n", encoding="utf-8")
    with pytest.raises(BenchmarkError) as raised:
        load_benchmark_file(path)
    message = str(raised.value)
    assert message.startswith("gpqa.csv line 1: no 'Question', 'Correct Answer'")
    assert "MMLU-Pro" in message and "SuperGPQA" in message
    assert isinstance(raised.value, PapergymError)


def test_mmlu_pro_jsonl_and_parquet_give_the_same_items(tmp_path):
    import pyarrow
    import pyarrow.parquet

    jsonl = write_jsonl(tmp_path / "test.jsonl", MMLU_PRO)
    parquet = tmp_path / "test-00000-of-00001.parquet"
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(MMLU_PRO), parquet)
    from_jsonl, from_parquet = load_benchmark_file(jsonl), load_benchmark_file(parquet)
    assert [(i.item_id, i.question, i.options, i.answer, i.discipline) for i in from_jsonl] == [
        (i.item_id, i.question, i.options, i.answer, i.discipline) for i in from_parquet
    ]
    assert from_parquet[0] == BenchmarkItem(
        source="mmlu-pro",
        item_id="70",
        question=MMLU_PRO[0]["question"],
        options=MMLU_PRO[0]["options"],
        answer="D",
        discipline="business",
        file=str(parquet),
    )
    assert len(from_parquet[1].options) == 10


def test_format_comes_from_columns_not_the_file_name(tmp_path):
    items = load_benchmark_file(write_jsonl(tmp_path / "supergpqa.jsonl", MMLU_PRO))
    assert {item.source for item in items} == {"mmlu-pro"}


def test_json_array_file_is_read_too(tmp_path):
    path = tmp_path / "mmlu_pro.json"
    path.write_text(json.dumps(MMLU_PRO, indent=2), encoding="utf-8")
    assert [item.item_id for item in load_benchmark_file(path)] == ["70", "71"]


def test_supergpqa_prefers_answer_letter_and_falls_back_to_answer_text(tmp_path):
    items = load_benchmark_file(write_jsonl(tmp_path / "SuperGPQA-all.jsonl", SUPERGPQA))
    assert [(item.source, item.item_id, item.answer, item.discipline) for item in items] == [
        ("supergpqa", "a1b2", "B", "Science"),
        ("supergpqa", "c3d4", "C", "Science"),
    ]


def test_supergpqa_answer_text_that_matches_no_option_is_an_error(tmp_path):
    record = dict(SUPERGPQA[1], answer="Helium")
    with pytest.raises(BenchmarkError, match=r"super\.jsonl line 1: no 'answer_letter', and the answer 'Helium' matches none"):
        load_benchmark_file(write_jsonl(tmp_path / "super.jsonl", [record]))


def test_answer_letter_outside_the_options_is_an_error(tmp_path):
    records = [MMLU_PRO[0], dict(MMLU_PRO[0], question_id=72, answer="F", answer_index=5)]
    with pytest.raises(BenchmarkError, match=r"mmlu\.jsonl line 2: the answer 'F' is not one of the option letters A-D"):
        load_benchmark_file(write_jsonl(tmp_path / "mmlu.jsonl", records))
    with pytest.raises(BenchmarkError, match=r"line 1: the answer_letter 'E' is not one of the option letters A-D"):
        load_benchmark_file(write_jsonl(tmp_path / "super.jsonl", [dict(SUPERGPQA[0], answer_letter="E")]))


def test_invalid_json_line_is_named(tmp_path):
    path = tmp_path / "mmlu.jsonl"
    path.write_text(json.dumps(MMLU_PRO[0]) + "\n\n" + '{"question_id": 5, "question": "cut off' + "\n", encoding="utf-8")
    with pytest.raises(BenchmarkError, match=r"^mmlu\.jsonl line 3: not valid JSON"):
        load_benchmark_file(path)


def test_corrupt_parquet_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "test.parquet"
    path.write_bytes(b"PAR1 this is not really parquet at all")
    with pytest.raises(BenchmarkError, match=r"^test\.parquet is not a readable parquet file"):
        load_benchmark_file(path)


def test_unknown_columns_are_listed(tmp_path):
    with pytest.raises(BenchmarkError, match=r"^odd\.jsonl line 1: unknown columns \(label, prompt\); expected GPQA"):
        load_benchmark_file(write_jsonl(tmp_path / "odd.jsonl", [{"prompt": "hi", "label": 1}]))


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(BenchmarkError, match=r"empty\.jsonl holds no questions"):
        load_benchmark_file(tmp_path / "empty.jsonl")
    with pytest.raises(BenchmarkError, match="does not exist"):
        load_benchmark_file(tmp_path / "nope.csv")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(BenchmarkError, match=r"notes\.txt is not a benchmark file"):
        load_benchmark_file(tmp_path / "notes.txt")


def test_folder_reads_every_benchmark_file_recursively_in_path_order(tmp_path):
    folder = tmp_path / "benchmarks"
    (folder / "mmlu_pro" / "data").mkdir(parents=True)
    (folder / "gpqa").mkdir()
    (folder / ".cache" / "huggingface").mkdir(parents=True)
    write_jsonl(folder / "supergpqa.jsonl", SUPERGPQA)
    write_gpqa(folder / "gpqa" / "gpqa_main.csv", [gpqa_row("rec1", "Which quantity is conserved?")])
    write_jsonl(folder / "mmlu_pro" / "data" / "test.jsonl", MMLU_PRO)
    (folder / "README.md").write_text("# benchmarks", encoding="utf-8")
    (folder / ".cache" / "huggingface" / "broken.json").write_text("{not json", encoding="utf-8")
    items = load_benchmark_folder(folder)
    assert [(item.source, item.item_id) for item in items] == [
        ("gpqa", "rec1"),
        ("mmlu-pro", "70"),
        ("mmlu-pro", "71"),
        ("supergpqa", "a1b2"),
        ("supergpqa", "c3d4"),
    ]


def test_bad_file_in_a_folder_is_named_by_its_path_in_the_folder(tmp_path):
    (tmp_path / "mmlu").mkdir()
    write_jsonl(tmp_path / "mmlu" / "test.jsonl", [dict(MMLU_PRO[0], answer="Z")])
    with pytest.raises(BenchmarkError, match=r"^mmlu/test\.jsonl line 1: the answer 'Z'"):
        load_benchmark_folder(tmp_path)


def test_folders_without_benchmarks(tmp_path):
    with pytest.raises(BenchmarkError, match="does not exist"):
        load_benchmark_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BenchmarkError, match=r"holds no \.csv, \.jsonl, \.json or \.parquet files"):
        load_benchmark_folder(tmp_path / "empty")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("nothing here", encoding="utf-8")
    with pytest.raises(BenchmarkError, match="holds no"):
        load_benchmark_folder(tmp_path / "docs")
    write_jsonl(tmp_path / "one.jsonl", MMLU_PRO)
    with pytest.raises(BenchmarkError, match="is a file, not a folder"):
        load_benchmark_folder(tmp_path / "one.jsonl")
