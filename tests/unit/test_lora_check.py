"""A --lora file that llama.cpp cannot apply is refused in one sentence before the model loads (it used to segfault)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from papergym.core.errors import PapergymError
from papergym.core.llm.backends import open_backend
from papergym.core.llm.lora_check import LoraAdapterError, check_lora_for_model

gguf = pytest.importorskip("gguf")


def write_base(path: Path, arch: str = "llama", width: int = 8) -> Path:
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_tensor("blk.0.attn_q.weight", np.zeros((width, width), dtype=np.float32))
    _finish(writer)
    return path


def write_lora(path: Path, arch: str = "llama", width: int = 8, rank: int = 2, adapter_type: str = "lora", target="blk.0.attn_q") -> Path:
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, adapter_type)
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, 4.0)
    writer.add_tensor(f"{target}.weight.lora_a", np.zeros((rank, width), dtype=np.float32))
    writer.add_tensor(f"{target}.weight.lora_b", np.zeros((width, rank), dtype=np.float32))
    _finish(writer)
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _finish(writer) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def test_a_lora_made_for_the_model_passes(tmp_path):
    check_lora_for_model(write_lora(tmp_path / "lora.gguf"), write_base(tmp_path / "base.gguf"))


@pytest.mark.parametrize(
    ("make_lora", "expected"),
    [
        (lambda path: write_text(path, "not a gguf at all"), "not a GGUF"),
        (lambda path: write_base(path), "is a GGUF model, not a LoRA adapter"),
        (lambda path: write_lora(path, adapter_type="control_vector"), "not a LoRA"),
        (lambda path: write_lora(path, arch="qwen2"), "LoRA for qwen2 models, but base.gguf is llama"),
        (lambda path: write_lora(path, width=16), "does not fit base.gguf"),
        (lambda path: write_lora(path, target="blk.7.ffn_up"), "does not have"),
    ],
)
def test_an_unusable_adapter_is_one_sentence(tmp_path, make_lora, expected):
    lora = make_lora(tmp_path / "lora.gguf")
    with pytest.raises(LoraAdapterError, match=expected):
        check_lora_for_model(lora, write_base(tmp_path / "base.gguf"))


def test_generate_and_check_refuse_a_model_file_as_lora_before_llama_cpp_loads_it(library, tmp_path):
    """The built-in gemma model with a file that is no LoRA crashed with exit 139 on the first prompt."""
    pytest.importorskip("llama_cpp")
    not_lora = tmp_path / "adapter.gguf"
    not_lora.write_bytes(b"GGUF" + bytes(60))
    with pytest.raises(PapergymError, match="LoRA adapter"):
        open_backend(library, lora=str(not_lora))
    model_as_lora = write_base(tmp_path / "model.gguf")
    with pytest.raises(PapergymError, match="not a LoRA adapter"):
        open_backend(library, lora=str(model_as_lora))
