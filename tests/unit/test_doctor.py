"""papergym doctor and queue on this machine, and the notice for a GPU that llama.cpp cannot use."""

import json
import os
import sys

import pytest
from click.testing import CliRunner
from papergym.core.library import Library


def _cli():
    from papergym.tui.cli.main import cli

    return cli


def test_doctor_json_describes_this_machine(tmp_path):
    Library(tmp_path / "lib").close()
    result = CliRunner().invoke(_cli(), ["doctor", "--json", "--library", str(tmp_path / "lib")])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["cpu"]["cores"] == os.cpu_count() and isinstance(facts["cpu"]["amx"], bool)
    assert facts["packages"]["torch"] and facts["packages"]["trl"]
    assert facts["llama_cpp"]["gpu_offload"] in (True, False)
    assert facts["library"]["path"] == str(tmp_path / "lib")
    assert facts["library"]["schema_version"] == facts["library"]["schema_expected"] > 0
    import torch

    if not torch.cuda.is_available():
        assert facts["cuda"]["devices"] == []
        assert facts["backend"]["auto"] == "trl" and "no CUDA GPU" in facts["backend"]["why"]
    # The test install carries the ocr extra: scans are read.
    assert facts["ocr"]["available"] is True and facts["ocr"]["tesserocr"] and facts["ocr"]["reason"] is None
    text = CliRunner().invoke(_cli(), ["doctor", "--no-backend", "--library", str(tmp_path / "lib")])
    assert text.exit_code == 0 and "llama.cpp:" in text.output and "Training stack: torch" in text.output
    assert "OCR: Tesseract (tesserocr " in text.output


def test_doctor_says_why_scans_are_not_read_without_ocr():
    from papergym.train.doctor import summary_lines

    off = {"available": False, "tesserocr": None, "reason": 'OCR needs the ocr extra: pip install "papergym[ocr]"'}
    facts = {
        "cpu": {"model": "x", "usable_cores": 2, "cores": 2, "amx": False, "amx_guard": False},
        "cuda": {"devices": [], "note": "no driver", "driver_sees_gpu": False},
        "llama_cpp": {"version": None, "gpu_offload": None, "advice": None},
        "packages": dict.fromkeys(("torch", "trl", "peft", "transformers", "unsloth", "vllm")),
        "stack_conflicts": [],
        "library": {},
        "gpu_queue": {"jobs": []},
        "ocr": off,
    }
    assert 'OCR: off, scans keep no title or authors (OCR needs the ocr extra: pip install "papergym[ocr]")' in summary_lines(facts)


def test_doctor_says_when_unsloth_does_not_fit_the_installed_stack():
    from papergym.train.doctor import stack_conflicts

    fitting = {"unsloth": None, "trl": "1.16.0", "transformers": "5.24.0", "datasets": "5.2.0", "torch": "2.13.0+cpu"}
    assert stack_conflicts(fitting) == []  # without Unsloth anything goes
    problems = stack_conflicts({**fitting, "unsloth": "2026.10.9"})
    assert any(problem.startswith("unsloth 2026.10.9 needs trl<=1.15.0, but trl 1.16.0") for problem in problems)
    assert any("transformers<=5.17.0" in problem for problem in problems)
    assert any("datasets<5" in problem for problem in problems)
    assert not any("torch" in problem for problem in problems)  # 2.13 is under 2.15
    assert stack_conflicts({**fitting, "unsloth": "2026.10.9", "trl": "1.15.0", "transformers": "5.17.0", "datasets": "4.4.1"}) == []


def test_a_gpu_that_llama_cpp_cannot_use_is_named_once_with_the_reinstall_command(monkeypatch):
    import llama_cpp
    from papergym.core import gpu

    monkeypatch.setenv("PAPERGYM_ASSUME_GPU", "1")
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: False)
    notice = gpu.cpu_only_llama_warning(45.2)
    assert "built without GPU offload" in notice and "45.2 tokens/s" in notice
    assert 'CMAKE_ARGS="-DGGML_CUDA=on" pip install --force-reinstall --no-cache-dir llama-cpp-python' in notice
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: True)
    assert gpu.cpu_only_llama_warning(45.2) is None
    monkeypatch.setenv("PAPERGYM_ASSUME_GPU", "0")
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: False)
    assert gpu.cpu_only_llama_warning(45.2) is None


def test_queue_lists_the_holder_as_json(tmp_path, monkeypatch):
    from papergym.core.gpu_lease import gpu_lease

    monkeypatch.setenv("PAPERGYM_GPU_LEASE_DIR", str(tmp_path / "lease"))
    empty = CliRunner().invoke(_cli(), ["queue"])
    assert empty.exit_code == 0 and "No job holds or waits for the GPU." in empty.output
    with gpu_lease("generate", library="/lib/x"):
        result = CliRunner().invoke(_cli(), ["queue", "--json"])
    assert result.exit_code == 0
    jobs = json.loads(result.output)["jobs"]
    assert [(job["role"], job["job"], job["pid"], job["library"]) for job in jobs] == [("holding", "generate", os.getpid(), "/lib/x")]


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_cpu_facts_name_the_processor():
    from papergym.train.doctor import cpu_facts

    facts = cpu_facts()
    assert facts["model"] and facts["usable_cores"] >= 1


def test_doctor_says_a_new_library_does_not_exist_yet_instead_of_a_dash_for_its_schema(tmp_path):
    from papergym.train.doctor import library_facts, summary_lines

    facts = {
        "cpu": {"model": "test CPU", "cores": 2, "usable_cores": 2, "amx": False, "amx_guard": False},
        "cuda": {"devices": [], "note": "no CUDA build", "driver_sees_gpu": False},
        "llama_cpp": {"version": "0.3.36", "gpu_offload": False, "advice": None},
        "packages": dict.fromkeys(("torch", "trl", "peft", "transformers", "unsloth", "vllm")),
        "stack_conflicts": [],
        "library": library_facts(tmp_path / "new"),
        "gpu_queue": {"jobs": []},
    }
    library_line = next(line for line in summary_lines(facts) if line.startswith("Library:"))
    assert "no library here yet" in library_line and "schema -" not in library_line, library_line
