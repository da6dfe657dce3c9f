"""Loading llama.cpp without the extra CPU buffer types on CPUs where they crash (AMX)."""

from __future__ import annotations

import pytest
from papergym.core.llm import llamacpp as llm_llamacpp
from papergym.core.llm.llamacpp import extra_buffers_allowed, load_llama

llama_cpp = pytest.importorskip("llama_cpp")


@pytest.mark.parametrize(
    ("setting", "has_amx", "allowed"),
    [("", True, False), ("", False, True), ("1", True, True), ("0", False, False), ("off", False, False)],
)
def test_extra_buffers_follow_the_cpu_unless_the_user_says(monkeypatch, setting, has_amx, allowed):
    monkeypatch.setenv("PAPERGYM_LLAMA_EXTRA_BUFFERS", setting)
    monkeypatch.setattr(llm_llamacpp, "cpu_has_amx", lambda: has_amx)
    assert extra_buffers_allowed() is allowed


@pytest.mark.parametrize("allowed", [True, False])
def test_load_llama_passes_the_choice_to_the_model_parameters(monkeypatch, allowed):
    import llama_cpp.llama_cpp as low_level

    seen = {}

    class RecordingLlama:
        def __init__(self, **kwargs):
            # What the real Llama() does first: start from the library's default parameters.
            seen["use_extra_bufts"] = low_level.llama_model_default_params().use_extra_bufts
            seen["kwargs"] = kwargs

    monkeypatch.setattr(llama_cpp, "Llama", RecordingLlama)
    monkeypatch.setattr(llm_llamacpp, "extra_buffers_allowed", lambda: allowed)
    load_llama(model_path="model.gguf", n_ctx=64)
    assert seen == {"use_extra_bufts": allowed, "kwargs": {"model_path": "model.gguf", "n_ctx": 64}}
    assert low_level.llama_model_default_params().use_extra_bufts  # the defaults are restored afterwards


def test_cpu_has_amx_reads_the_flags_line(monkeypatch, tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor : 0\nflags : fpu sse avx2 avx512f amx_tile amx_int8\n")
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: real_open(cpuinfo if path == "/proc/cpuinfo" else path, *a, **k))
    assert llm_llamacpp.cpu_has_amx()
    cpuinfo.write_text("processor : 0\nflags : fpu sse avx2\n")
    assert not llm_llamacpp.cpu_has_amx()
