"""Reads what a GGUF model file says about itself, without loading the model.

Only the header is read: the magic, the version and the key/value metadata.
Arrays (the tokenizer's vocabulary has hundreds of thousands of entries) are
stepped over without building Python objects, and reading stops where the
tensor descriptions begin, so even a 50 GB file answers in milliseconds.
Every length in the file is checked against the file's size first, because a
GGUF from the internet is untrusted input.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from papergym.core.errors import PapergymError

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
BLOCK_BYTES = 1 << 20
# Strings longer than this are stepped over rather than kept (nothing we show needs them).
MAX_KEPT_STRING_BYTES = 1 << 20
MAX_ARRAY_DEPTH = 8

# llama.cpp's `llama_ftype` values, as written to `general.file_type`.
FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    4: "Q4_1_SOME_F16",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    33: "Q4_0_4_4",
    34: "Q4_0_4_8",
    35: "Q4_0_8_8",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
    39: "NVFP4",
    40: "Q1_0",
    41: "Q2_0",
}

# GGUF value types: id -> (name, struct format of one value, or None when not fixed-size).
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
_SCALARS: dict[int, struct.Struct] = {
    UINT8: struct.Struct("<B"),
    INT8: struct.Struct("<b"),
    UINT16: struct.Struct("<H"),
    INT16: struct.Struct("<h"),
    UINT32: struct.Struct("<I"),
    INT32: struct.Struct("<i"),
    FLOAT32: struct.Struct("<f"),
    BOOL: struct.Struct("<?"),
    UINT64: struct.Struct("<Q"),
    INT64: struct.Struct("<q"),
    FLOAT64: struct.Struct("<d"),
}
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
# The smallest possible key/value pair: an empty key (8), a type (4), one byte of value.
_MIN_KV_BYTES = 13
# The smallest possible tensor description: name length (8), one dimension count (4), type (4), offset (8).
_MIN_TENSOR_INFO_BYTES = 24


# ggml tensor types: id -> (values per block, bytes per block). A tensor of n values takes
# n / values_per_block * bytes_per_block bytes; types missing here are checked by their offset only.
TENSOR_TYPE_BLOCKS: dict[int, tuple[int, int]] = {
    0: (1, 4),  # F32
    1: (1, 2),  # F16
    2: (32, 18),  # Q4_0
    3: (32, 20),  # Q4_1
    6: (32, 22),  # Q5_0
    7: (32, 24),  # Q5_1
    8: (32, 34),  # Q8_0
    9: (32, 40),  # Q8_1
    10: (256, 84),  # Q2_K
    11: (256, 110),  # Q3_K
    12: (256, 144),  # Q4_K
    13: (256, 176),  # Q5_K
    14: (256, 210),  # Q6_K
    15: (256, 292),  # Q8_K
    16: (256, 66),  # IQ2_XXS
    17: (256, 74),  # IQ2_XS
    18: (256, 98),  # IQ3_XXS
    19: (256, 50),  # IQ1_S
    20: (32, 18),  # IQ4_NL
    21: (256, 110),  # IQ3_S
    22: (256, 82),  # IQ2_S
    23: (256, 136),  # IQ4_XS
    24: (1, 1),  # I8
    25: (1, 2),  # I16
    26: (1, 4),  # I32
    27: (1, 8),  # I64
    28: (1, 8),  # F64
    29: (256, 56),  # IQ1_M
    30: (1, 2),  # BF16
    34: (256, 54),  # TQ1_0
    35: (256, 66),  # TQ2_0
    39: (32, 17),  # MXFP4
}
DEFAULT_ALIGNMENT = 32
MAX_TENSOR_DIMS = 8


class GGUFError(PapergymError):
    """A file is not a GGUF model papergym can read; the message names the file and what to do."""


@dataclass(frozen=True)
class GGUFInfo:
    """What a GGUF file's header says about the model in it."""

    path: Path
    size_bytes: int
    version: int
    tensor_count: int
    architecture: str | None
    name: str | None
    quantization: str  # Q4_K_M, Q8_0, F16, BF16, ... or "unknown"
    context_length: int | None  # tokens the model was trained for
    chat_template: str | None  # Jinja template of an instruct model
    size_label: str | None  # `general.size_label`, such as "268M" or "8x7B"
    parameter_count: int | None  # from the size label, when it is a plain number like "7B"
    vocab_size: int | None
    header_bytes: int  # where the tensor descriptions start
    data_end: int | None = None  # the byte where the last tensor's data ends; None when the file has no tensors
    metadata: dict[str, object] = field(default_factory=dict, repr=False)  # scalar and string values
    array_lengths: dict[str, int] = field(default_factory=dict, repr=False)  # arrays are counted, not read


def read_gguf_info(path: Path | str, whole_size: int | None = None) -> GGUFInfo:
    """Read a GGUF file's header; raises GGUFError with one sentence if it is not a usable GGUF.

    ``whole_size`` is the size of the whole model when ``path`` is only its
    first piece (a model shipped split in parts), so the tensors are checked
    against the whole.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise GGUFError(f"There is no file at {path}; check the path of the .gguf model.")
    if path.is_dir():
        raise GGUFError(f"{path} is a folder, not a GGUF model file; give the path of a .gguf file.")
    if not path.is_file():
        # A FIFO or a device would block the first read forever.
        raise GGUFError(f"{path} is not a regular file (a pipe, socket or device); give the path of a .gguf file.")
    try:
        with path.open("rb") as file:
            size = whole_size if whole_size is not None else path.stat().st_size
            return _read_header(file, size, path)
    except OSError as error:
        raise GGUFError(f"Cannot read {path} ({error.strerror or error}); check that the file is readable.") from None


def parse_size_label(label: str | None) -> int | None:
    """Parameters in a plain size label ("268M" -> 268000000, "1.5B" -> 1500000000); None otherwise."""
    if not label:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMBT])\s*", label, flags=re.IGNORECASE)
    if not match:
        return None
    scale = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}[match.group(2).upper()]
    return round(float(match.group(1)) * scale)


def _describe_start(head: bytes) -> tuple[str, str]:
    """What the first bytes of a non-GGUF file suggest it is, and what to do about it."""
    convert = "convert it to GGUF with llama.cpp first"
    if head.startswith(b"PK\x03\x04"):
        return "it is a zip archive, perhaps a PyTorch checkpoint", convert
    if head.startswith(b"version https://git-lfs"):
        return "it is a Git LFS pointer, not the model itself", "download the real file"
    if head.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")):
        return "it is a web page", "download the model file itself"
    if len(head) >= 9 and head[8:9] == b"{":
        return "it looks like a safetensors file", convert
    if head[:4] in (b"lmgg", b"fmgg", b"tjgg"):
        return "it is in the old GGML format", "convert it to GGUF with a recent llama.cpp"
    return f"it starts with {head[:8]!r}", "give the path of a .gguf model file"


class _Cursor:
    """Reads little-endian values from a file through a buffer, never past the file's end."""

    def __init__(self, file, size: int, path: Path) -> None:
        self.file = file
        self.size = size
        self.path = path
        self.pos = 0
        self.buf = b""
        self.buf_start = 0

    def truncated(self) -> GGUFError:
        return GGUFError(f"{self.path} is cut short (it ends inside its header, after {self.size} bytes); download or copy it again.")

    def corrupt(self, what: str) -> GGUFError:
        return GGUFError(f"{self.path} is corrupt ({what}); download or copy it again.")

    def _window(self, count: int) -> int:
        """Make the buffer hold bytes [pos, pos + count) and return where pos is in it."""
        if self.pos + count > self.size:
            raise self.truncated()
        offset = self.pos - self.buf_start
        if offset >= 0 and offset + count <= len(self.buf):
            return offset
        self.file.seek(self.pos)
        self.buf = self.file.read(max(count, BLOCK_BYTES))
        self.buf_start = self.pos
        if len(self.buf) < count:
            raise self.truncated()  # the file shrank while we read it
        return 0

    def scalar(self, layout: struct.Struct):
        offset = self._window(layout.size)
        self.pos += layout.size
        return layout.unpack_from(self.buf, offset)[0]

    def u32(self) -> int:
        return self.scalar(_U32)

    def u64(self) -> int:
        return self.scalar(_U64)

    def length(self, what: str) -> int:
        """A byte or item count, checked against what is left of the file."""
        start = self.pos
        value = self.u64()
        if value > self.size:
            raise self.corrupt(f"at byte {start} it says {what} is {value} long, more than the whole file")
        return value

    def take(self, count: int) -> bytes:
        offset = self._window(count)
        self.pos += count
        return bytes(self.buf[offset : offset + count])

    def skip(self, count: int) -> None:
        if self.pos + count > self.size:
            raise self.truncated()
        self.pos += count

    def string(self, what: str = "a string") -> str | None:
        """A length-prefixed UTF-8 string, or None when it is too long to be worth keeping."""
        count = self.length(what)
        if count > MAX_KEPT_STRING_BYTES:
            self.skip(count)
            return None
        return self.take(count).decode("utf-8", errors="replace")

    def skip_strings(self, count: int) -> None:
        """Step over `count` length-prefixed strings; the hot loop for a tokenizer's vocabulary."""
        unpack = _U64.unpack_from
        size = self.size
        for _ in range(count):
            offset = self.pos - self.buf_start
            if offset < 0 or offset + 8 > len(self.buf):
                offset = self._window(8)
            length = unpack(self.buf, offset)[0]
            end = self.pos + 8 + length
            if end > size:
                if length > size:
                    raise self.corrupt(f"at byte {self.pos} it says a string is {length} bytes long, more than the whole file")
                raise self.truncated()
            self.pos = end


def _read_header(file, size: int, path: Path) -> GGUFInfo:
    if size == 0:
        raise GGUFError(f"{path} is empty, not a GGUF model file; download or copy it again.")
    head = file.read(64)
    if not head.startswith(MAGIC):
        if MAGIC.startswith(head):
            raise GGUFError(f"{path} is cut short (only {size} bytes); download or copy it again.")
        what, action = _describe_start(head)
        raise GGUFError(f"{path} is not a GGUF model file ({what}); {action}.")
    cursor = _Cursor(file, size, path)
    cursor.skip(4)
    version = cursor.u32()
    if version not in SUPPORTED_VERSIONS:
        if version & 0xFFFF == 0 and (version >> 24) in SUPPORTED_VERSIONS:
            raise GGUFError(
                f"{path} is a big-endian GGUF file, which llama.cpp cannot run here; get the little-endian version of the model."
            )
        raise GGUFError(
            f"{path} is GGUF version {version}, which papergym cannot read (only versions 2 and 3); "
            "convert it again with a recent llama.cpp."
        )
    tensor_count = cursor.u64()
    kv_count = cursor.u64()
    if tensor_count * _MIN_TENSOR_INFO_BYTES > size:
        raise cursor.corrupt(f"it claims {tensor_count} tensors, more than the file could hold")
    if kv_count * _MIN_KV_BYTES > size:
        raise cursor.corrupt(f"it claims {kv_count} metadata entries, more than the file could hold")

    metadata: dict[str, object] = {}
    array_lengths: dict[str, int] = {}
    for _ in range(kv_count):
        key = cursor.string("a key") or ""
        value_type = cursor.u32()
        if value_type == ARRAY:
            array_lengths[key] = _skip_array(cursor, key, depth=1)
        else:
            value = _read_value(cursor, value_type, key)
            if value is not None:
                metadata[key] = value

    header_bytes = cursor.pos
    data_end = _tensor_data_end(cursor, tensor_count, metadata.get("general.alignment"))
    if data_end is not None and data_end > size:
        raise GGUFError(f"{path} is cut short: its tensors need {data_end:,} bytes but the file has {size:,}; download or copy it again.")
    architecture = _text(metadata.get("general.architecture"))
    file_type = metadata.get("general.file_type")
    quantization = FILE_TYPES.get(file_type, "unknown") if isinstance(file_type, int) else "unknown"
    context_length = metadata.get(f"{architecture}.context_length") if architecture else None
    size_label = _text(metadata.get("general.size_label"))
    vocab_size = array_lengths.get("tokenizer.ggml.tokens")
    return GGUFInfo(
        path=path,
        size_bytes=size,
        version=version,
        tensor_count=tensor_count,
        architecture=architecture,
        name=_text(metadata.get("general.name")),
        quantization=quantization,
        context_length=context_length if isinstance(context_length, int) and context_length > 0 else None,
        chat_template=_text(metadata.get("tokenizer.chat_template")) or None,
        size_label=size_label,
        parameter_count=parse_size_label(size_label),
        vocab_size=vocab_size,
        header_bytes=header_bytes,
        data_end=data_end,
        metadata=metadata,
        array_lengths=array_lengths,
    )


def _tensor_data_end(cursor: _Cursor, tensor_count: int, alignment: object) -> int | None:
    """Where the last tensor's data ends, read from the tensor descriptions; None without tensors.

    The header of a truncated download is intact, so only this extent shows that
    the weights are missing before llama.cpp fails on them at first use.
    """
    if tensor_count == 0:
        return None
    if not isinstance(alignment, int) or isinstance(alignment, bool) or alignment <= 0:
        alignment = DEFAULT_ALIGNMENT
    furthest = 0
    for _ in range(tensor_count):
        name = cursor.string("a tensor name") or "?"
        dimensions = cursor.u32()
        if dimensions > MAX_TENSOR_DIMS:
            raise cursor.corrupt(f"the tensor {name!r} claims {dimensions} dimensions")
        values = 1
        for _ in range(dimensions):
            values *= cursor.u64()
        tensor_type = cursor.u32()
        offset = cursor.u64()
        block_values, block_bytes = TENSOR_TYPE_BLOCKS.get(tensor_type, (0, 0))
        tensor_bytes = -(-values // block_values) * block_bytes if block_values else 0
        furthest = max(furthest, offset + tensor_bytes)
    data_start = -(-cursor.pos // alignment) * alignment
    return data_start + furthest


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _read_value(cursor: _Cursor, value_type: int, key: str):
    if value_type == STRING:
        return cursor.string(f"the value of {key}")
    layout = _SCALARS.get(value_type)
    if layout is None:
        raise cursor.corrupt(f"the metadata entry {key!r} has the unknown value type {value_type}")
    return cursor.scalar(layout)


def _skip_array(cursor: _Cursor, key: str, depth: int) -> int:
    """Step over an array value without building it; returns how many items it has."""
    if depth > MAX_ARRAY_DEPTH:
        raise cursor.corrupt(f"the metadata entry {key!r} nests arrays more than {MAX_ARRAY_DEPTH} deep")
    item_type = cursor.u32()
    count = cursor.length(f"the array {key!r}")
    if item_type == STRING:
        if count * 8 > cursor.size:
            raise cursor.corrupt(f"the array {key!r} claims {count} strings, more than the file could hold")
        cursor.skip_strings(count)
    elif item_type == ARRAY:
        for _ in range(count):
            _skip_array(cursor, key, depth + 1)
    else:
        layout = _SCALARS.get(item_type)
        if layout is None:
            raise cursor.corrupt(f"the array {key!r} has the unknown item type {item_type}")
        if count * layout.size > cursor.size:
            raise cursor.corrupt(f"the array {key!r} claims {count} items, more than the file could hold")
        cursor.skip(count * layout.size)
    return count
