"""Bad files of each kind a user (or an attacker) can hand to a command that reads files.

Each maker writes one file (or folder, pipe, link) into a folder and returns its
path. Nothing here is random at run time: every case is the same on every run.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_PDF = ROOT / "assets" / "demo_papers" / "alox_thin_film_tdtr.pdf"
NOISE = bytes((index * 131 + 17) % 256 for index in range(40_000))
QUESTION = {
    "question": "Which mechanism limits heat transport in a 120 nm amorphous aluminium oxide film?",
    "options": ["phonon boundary scattering", "electron transport", "radiation", "convection"],
    "answer": "A",
}

Maker = Callable[[Path, str], Path]


def empty(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"")
    return path


def noise(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(NOISE)
    return path


def html_page(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("<!DOCTYPE html><html><body>Access denied</body></html>")
    return path


def png_image(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + NOISE[:2000])
    return path


def fifo(folder: Path, name: str) -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def folder_named_like_a_file(folder: Path, name: str) -> Path:
    path = folder / name
    path.mkdir()
    return path


def dangling_link(folder: Path, name: str) -> Path:
    path = folder / name
    path.symlink_to(folder / "nowhere" / "gone")
    return path


def link_loop(folder: Path, name: str) -> Path:
    path = folder / name
    path.symlink_to(path)
    return path


def invalid_utf8(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b'{"question": "caf\xe9 \xff\xfe", "options": ["a", "b"], "answer": "A"}\n')
    return path


def nul_bytes(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"\0" * 5000)
    return path


# -- PDFs -------------------------------------------------------------------------------


def truncated_pdf(folder: Path, name: str) -> Path:
    path = folder / name
    data = DEMO_PDF.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def pdf_header_only(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.7\n" + NOISE)
    return path


# -- JSON lines -------------------------------------------------------------------------


def deeply_nested(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text('{"question": ' + "[" * 200_000 + "]" * 200_000 + "}\n")
    return path


def lone_surrogate(folder: Path, name: str) -> Path:
    path = folder / name
    row = dict(QUESTION, question="Which \\ud800 mechanism limits heat transport in a thin oxide film of 120 nm?")
    path.write_text(json.dumps(QUESTION) + "\n" + json.dumps(row).replace("\\\\ud800", "\\ud800") + "\n")
    return path


def byte_order_mark(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes("\ufeff".encode() + (json.dumps(QUESTION) + "\n").encode())
    return path


def one_huge_line(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text(json.dumps(dict(QUESTION, rationale="x" * 3_000_000)) + "\n")
    return path


def not_objects(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("1\n2\n[3]\n")
    return path


def truncated_json_array(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("[" + json.dumps(QUESTION) + ", {")
    return path


def wrong_shapes(folder: Path, name: str) -> Path:
    rows = [
        {"question": 5, "options": "nope", "answer": None},
        {"question": "Q?", "options": {"Z": "a"}, "answer": "Z"},
        {"question": "Superscript answer?", "kind": "numeric", "answer": "\u00b2"},
        {"question": "Huge index?", "options": ["a", "b"], "answer": 10**40},
        {"question": "NaN tolerance?", "kind": "numeric", "answer": "1.5", "tolerance": "nan"},
        QUESTION,
    ]
    path = folder / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


# -- Parquet, Arrow, datasets --------------------------------------------------------------


def truncated_parquet(folder: Path, name: str) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / name
    pq.write_table(pa.Table.from_pylist([QUESTION] * 50), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def parquet_without_columns(folder: Path, name: str) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / name
    pq.write_table(pa.Table.from_pylist([{"colour": "red"}]), path)
    return path


def _saved_dataset(folder: Path, name: str) -> Path:
    from datasets import Dataset, DatasetDict

    path = folder / name
    rows = [dict(QUESTION, id=f"q{index}", kind="mcq", prompt="p", discipline="Physics") for index in range(4)]
    DatasetDict({"train": Dataset.from_list(rows), "test": Dataset.from_list(rows)}).save_to_disk(str(path))
    return path


def bogus_dataset_dict(folder: Path, name: str) -> Path:
    path = _saved_dataset(folder, name)
    (path / "dataset_dict.json").write_text('{"splits": 7}')
    return path


def garbage_arrow(folder: Path, name: str) -> Path:
    path = _saved_dataset(folder, name)
    for arrow in path.rglob("*.arrow"):
        arrow.write_bytes(NOISE[:3000])
    return path


def unparseable_dataset_dict(folder: Path, name: str) -> Path:
    path = _saved_dataset(folder, name)
    (path / "dataset_dict.json").write_text("{")
    return path


# -- GGUF models -------------------------------------------------------------------------


def _gguf_text(value: str) -> bytes:
    return struct.pack("<Q", len(value.encode())) + value.encode()


def gguf_absurd_counts(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**62, 2**62) + NOISE[:200])
    return path


def gguf_huge_string(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**60) + b"key")
    return path


def gguf_bad_version(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 99, 0, 0))
    return path


def gguf_truncated_tensors(folder: Path, name: str) -> Path:
    """A GGUF whose header is whole but whose tensor data stops early, as a broken download does."""
    header = b"GGUF" + struct.pack("<IQQ", 3, 1, 1) + _gguf_text("general.architecture") + struct.pack("<I", 8) + _gguf_text("llama")
    header += _gguf_text("token_embd.weight") + struct.pack("<IQ", 1, 1 << 20) + struct.pack("<IQ", 0, 0)
    header += b"\0" * (-len(header) % 32)
    path = folder / name
    path.write_bytes(header + b"\1" * 4096)
    return path


def git_lfs_pointer(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n")
    return path


def safetensors_file(folder: Path, name: str) -> Path:
    header = b'{"__metadata__": {}}'
    path = folder / name
    path.write_bytes(struct.pack("<Q", len(header)) + header)
    return path


# -- benchmark files -----------------------------------------------------------------------


def csv_without_header(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("1,2,3\n4,5,6\n")
    return path


def csv_with_a_huge_field(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text('Question,Correct Answer\n"' + "word " * 400_000 + '",x\n')
    return path
