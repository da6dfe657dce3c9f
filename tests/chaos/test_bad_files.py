"""Bad files of each kind for each command that reads files: a clear sentence or a reasoned skip, never a traceback or a hang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from papergym.core.library import Library, PaperRecord, SectionRecord

from tests.chaos import hostile
from tests.chaos.conftest import assert_sound, judge, library_state, run_papergym

pytestmark = pytest.mark.chaos


def seeded_library(folder: Path) -> Path:
    """A library holding one paper and one imported question, so a lost row shows in the counts."""
    from papergym.core.dataset.import_questions import import_questions

    with Library(folder) as library:
        library.add_paper(
            PaperRecord(
                id="c" * 64,
                status="ok",
                filename="seed.pdf",
                source_path="/seed.pdf",
                size_bytes=1,
                title="Seed paper on thin film heat transport",
                sections=[SectionRecord("body", "Results", "Phonon boundary scattering dominates heat transport in thin films.")],
            ),
            None,
        )
        seed = folder.parent / "seed.jsonl"
        seed.write_text(json.dumps(hostile.QUESTION) + "\n")
        import_questions(library, seed)
    return folder


def _case(command: str, maker, name: str, tmp_path: Path, *args: str, timeout: float = 60, may_shrink=()):
    library = seeded_library(tmp_path / "lib")
    files = tmp_path / "files"
    files.mkdir()
    target = maker(files, name)
    before = library_state(library)
    ran = run_papergym(*[arg.replace("{file}", str(target)) for arg in args], "--library", str(library), timeout=timeout)
    case = judge(f"{command} {maker.__name__} ({name})", ran, before, library_state(library), may_shrink=may_shrink)
    assert_sound(case)
    return ran


PDF_CASES = [
    (hostile.empty, "empty.pdf"),
    (hostile.noise, "noise.pdf"),
    (hostile.html_page, "download.pdf"),
    (hostile.png_image, "scan.pdf"),
    (hostile.truncated_pdf, "cut.pdf"),
    (hostile.pdf_header_only, "header-only.pdf"),
    (hostile.fifo, "pipe.pdf"),
    (hostile.folder_named_like_a_file, "folder.pdf"),
    (hostile.dangling_link, "dangling.pdf"),
    (hostile.link_loop, "loop.pdf"),
]


# One process per file costs seconds (a reader pool starts each time); these are the files that once hung or crashed it.
SINGLE_PDF_CASES = [case for case in PDF_CASES if case[1] in ("pipe.pdf", "cut.pdf", "loop.pdf")]


@pytest.mark.parametrize(("maker", "name"), SINGLE_PDF_CASES, ids=[name for _, name in SINGLE_PDF_CASES])
def test_import_a_bad_file(maker, name, tmp_path):
    ran = _case("import", maker, name, tmp_path, "import", "{file}", "--workers", "1", "--timeout", "20")
    assert ran.returncode in (0, 1), ran.output


def test_import_a_folder_of_every_bad_pdf(tmp_path):
    library = seeded_library(tmp_path / "lib")
    folder = tmp_path / "papers"
    folder.mkdir()
    for maker, name in PDF_CASES:
        maker(folder, name)
    before = library_state(library)
    ran = run_papergym("import", str(folder), "--workers", "2", "--timeout", "20", "--library", str(library))
    case = judge("import a folder of every bad pdf", ran, before, library_state(library))
    assert_sound(case)
    assert "pipe.pdf is not a regular file" in ran.output  # skipped with its reason, not waited on


QUESTION_FILE_CASES = [
    (hostile.empty, "empty.jsonl"),
    (hostile.noise, "noise.jsonl"),
    (hostile.invalid_utf8, "latin1.jsonl"),
    (hostile.deeply_nested, "nested.jsonl"),
    (hostile.lone_surrogate, "surrogate.jsonl"),
    (hostile.byte_order_mark, "bom.jsonl"),
    (hostile.one_huge_line, "huge-line.jsonl"),
    (hostile.not_objects, "numbers.jsonl"),
    (hostile.truncated_json_array, "cut-array.json"),
    (hostile.wrong_shapes, "shapes.jsonl"),
    (hostile.truncated_parquet, "cut.parquet"),
    (hostile.parquet_without_columns, "colours.parquet"),
    (hostile.noise, "noise.parquet"),
    (hostile.fifo, "pipe.jsonl"),
    (hostile.folder_named_like_a_file, "folder.jsonl"),
    (hostile.html_page, "page.csv"),
]


@pytest.mark.parametrize(("maker", "name"), QUESTION_FILE_CASES, ids=[name for _, name in QUESTION_FILE_CASES])
def test_import_questions_from_a_bad_file(maker, name, tmp_path):
    _case("import-questions", maker, name, tmp_path, "import-questions", "{file}", timeout=60)


MODEL_CASES = [
    (hostile.empty, "empty.gguf"),
    (hostile.noise, "noise.gguf"),
    (hostile.html_page, "page.gguf"),
    (hostile.git_lfs_pointer, "pointer.gguf"),
    (hostile.safetensors_file, "model.safetensors"),
    (hostile.gguf_absurd_counts, "counts.gguf"),
    (hostile.gguf_huge_string, "string.gguf"),
    (hostile.gguf_bad_version, "version.gguf"),
    (hostile.gguf_truncated_tensors, "cut.gguf"),
    (hostile.fifo, "pipe.gguf"),
    (hostile.folder_named_like_a_file, "folder.gguf"),
    (hostile.dangling_link, "dangling.gguf"),
]


@pytest.mark.parametrize(("maker", "name"), MODEL_CASES, ids=[name for _, name in MODEL_CASES])
def test_models_add_a_bad_file(maker, name, tmp_path):
    ran = _case("models add", maker, name, tmp_path, "models", "add", "{file}", timeout=30)
    assert ran.returncode != 0, "a bad model file was registered"


BENCHMARK_CASES = [
    (hostile.empty, "empty.csv"),
    (hostile.noise, "noise.csv"),
    (hostile.csv_without_header, "numbers.csv"),
    (hostile.csv_with_a_huge_field, "huge.csv"),
    (hostile.deeply_nested, "nested.jsonl"),
    (hostile.invalid_utf8, "latin1.jsonl"),
    (hostile.truncated_parquet, "cut.parquet"),
    (hostile.fifo, "pipe.csv"),
]


@pytest.mark.parametrize(("maker", "name"), BENCHMARK_CASES, ids=[name for _, name in BENCHMARK_CASES])
def test_check_with_a_bad_benchmark_file(maker, name, tmp_path):
    benchmarks = tmp_path / "benchmarks"
    benchmarks.mkdir()
    maker(benchmarks, name)
    library = seeded_library(tmp_path / "lib")
    before = library_state(library)
    args = ("check", "--steps", "validate,decontam", "--benchmarks", str(benchmarks), "--library", str(library))
    ran = run_papergym(*args, timeout=60)
    case = judge(f"check --benchmarks {maker.__name__} ({name})", ran, before, library_state(library))
    assert_sound(case)
    if ran.returncode != 0:
        with Library(library) as opened:
            assert opened.setting("benchmarks_dir") is None  # a folder that failed is not remembered


def test_check_with_a_benchmark_path_that_is_a_file(tmp_path):
    _case("check --benchmarks", hostile.noise, "gpqa.csv", tmp_path, "check", "--steps", "decontam", "--benchmarks", "{file}")


DATASET_CASES = [
    (hostile.bogus_dataset_dict, "bogus-dict"),
    (hostile.unparseable_dataset_dict, "cut-dict"),
    (hostile.garbage_arrow, "garbage-arrow"),
    (hostile.noise, "noise.jsonl"),
    (hostile.deeply_nested, "nested.jsonl"),
    (hostile.truncated_parquet, "cut.parquet"),
    (hostile.empty, "empty.jsonl"),
    (hostile.folder_named_like_a_file, "empty-folder"),
]


@pytest.mark.parametrize(("maker", "name"), DATASET_CASES, ids=[name for _, name in DATASET_CASES])
def test_train_on_a_bad_dataset(maker, name, tmp_path):
    ran = _case(
        "train --dataset",
        maker,
        name,
        tmp_path,
        "train",
        "--dataset",
        "{file}",
        "--base-model",
        "gemma3-270m",
        "--steps",
        "1",
        "--foreground",
    )
    assert ran.returncode != 0


# eval starts slowly (it sets up its engine first), so only the kinds that once hung or crashed it.
EVAL_CASES = [
    (hostile.noise, "noise.csv"),
    (hostile.deeply_nested, "nested.jsonl"),
    (hostile.fifo, "pipe.jsonl"),
    (hostile.garbage_arrow, "garbage-arrow"),
]


@pytest.mark.parametrize(("maker", "name"), EVAL_CASES, ids=[name for _, name in EVAL_CASES])
def test_eval_on_a_bad_file(maker, name, tmp_path):
    ran = _case("eval --on", maker, name, tmp_path, "eval", "--model", "gemma3-270m", "--engine", "llama.cpp", "--on", "{file}")
    assert ran.returncode != 0
