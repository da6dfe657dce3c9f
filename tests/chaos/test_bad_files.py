"""Bad files of each kind for each command that reads files: a clear sentence or a reasoned skip, never a traceback or a hang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from papergym.core.library import Library, PaperRecord, SectionRecord

from tests.chaos import hostile
from tests.chaos.conftest import BAD, assert_sound, judge, library_state, run_papergym

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


def _run_cases(command: str, cases: list, args_for, tmp_path: Path, *, timeout: float = 60, expect=None, workers: int = 4):
    """Run every (maker, name) case of one command, a few processes at a time, and fail with all the bad outcomes at once.

    ``args_for(target)`` gives the command's arguments; ``expect(ran)`` returns a complaint or None.
    """
    from concurrent.futures import ThreadPoolExecutor

    def one(index: int, maker, name: str) -> str | None:
        base = tmp_path / f"case-{index}"
        library = seeded_library(base / "lib")
        files = base / "files"
        files.mkdir()
        target = maker(files, name)
        before = library_state(library)
        ran = run_papergym(*args_for(target), "--library", str(library), timeout=timeout)
        case = judge(f"{command} {maker.__name__} ({name})", ran, before, library_state(library))
        if case.outcome in BAD:
            return f"{case.name}: {case.outcome}: {case.detail[:400]}"
        complaint = expect(ran, library) if expect else None
        return f"{case.name}: {complaint}" if complaint else None

    with ThreadPoolExecutor(workers) as pool:
        problems = [problem for problem in pool.map(lambda item: one(item[0], *item[1]), enumerate(cases)) if problem]
    assert not problems, "\n".join(problems)


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


def test_import_each_bad_file_alone(tmp_path):
    def expect(ran, library):
        return None if ran.returncode in (0, 1) else f"exit {ran.returncode}"

    # A reader pool starts for each: only the files that once hung or crashed it; the folder case has them all.
    alone = [case for case in PDF_CASES if case[1] in ("pipe.pdf", "cut.pdf", "loop.pdf", "folder.pdf")]
    _run_cases("import", alone, lambda target: ("import", str(target), "--workers", "1", "--timeout", "20"), tmp_path, expect=expect)


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


def test_import_questions_from_each_bad_file(tmp_path):
    _run_cases("import-questions", QUESTION_FILE_CASES, lambda target: ("import-questions", str(target)), tmp_path)


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


def test_models_add_each_bad_file(tmp_path):
    def expect(ran, library):
        return "a bad model file was registered" if ran.returncode == 0 else None

    _run_cases("models add", MODEL_CASES, lambda target: ("models", "add", str(target)), tmp_path, timeout=30, expect=expect)


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


def _in_a_folder(maker):
    """The maker, but its file goes into a benchmarks/ folder that the command is then given."""

    def make(folder: Path, name: str) -> Path:
        benchmarks = folder / "benchmarks"
        benchmarks.mkdir()
        maker(benchmarks, name)
        return benchmarks

    make.__name__ = maker.__name__
    return make


def test_check_with_each_bad_benchmark_file(tmp_path):
    def expect(ran, library):
        if ran.returncode == 0:
            return None
        with Library(library) as opened:
            return "a folder that failed was remembered" if opened.setting("benchmarks_dir") else None

    cases = [(_in_a_folder(maker), name) for maker, name in BENCHMARK_CASES] + [(hostile.noise, "gpqa.csv")]
    _run_cases(
        "check --benchmarks",
        cases,
        lambda target: ("check", "--steps", "validate,decontam", "--benchmarks", str(target)),
        tmp_path,
        expect=expect,
    )


DATASET_CASES = [
    (hostile.bogus_dataset_dict, "bogus-dict"),
    (hostile.unparseable_dataset_dict, "cut-dict"),
    (hostile.garbage_arrow, "garbage-arrow"),
    (hostile.deeply_nested, "nested.jsonl"),
    (hostile.truncated_parquet, "cut.parquet"),
    (hostile.folder_named_like_a_file, "empty-folder"),
]


def _must_fail(ran, library):
    return "a bad file was taken" if ran.returncode == 0 else None


def test_train_on_each_bad_dataset(tmp_path):
    def args(target):
        return ("train", "--dataset", str(target), "--base-model", "gemma3-270m", "--steps", "1", "--foreground")

    _run_cases("train --dataset", DATASET_CASES, args, tmp_path, expect=_must_fail)


EVAL_CASES = [
    (hostile.empty, "empty.jsonl"),
    (hostile.truncated_parquet, "cut.parquet"),
    (hostile.invalid_utf8, "latin1.jsonl"),
    (hostile.noise, "noise.csv"),
    (hostile.deeply_nested, "nested.jsonl"),
    (hostile.fifo, "pipe.jsonl"),
    (hostile.garbage_arrow, "garbage-arrow"),
]


def test_eval_on_each_bad_file(tmp_path):
    def args(target):
        return ("eval", "--model", "gemma3-270m", "--engine", "llama.cpp", "--on", str(target))

    _run_cases("eval --on", EVAL_CASES, args, tmp_path, expect=_must_fail)
