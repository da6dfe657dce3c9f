"""Check a GGUF LoRA adapter against its base model before llama.cpp sees it.

llama-cpp-python loads a model with a file that is not a usable LoRA without a word and then
dies with a segmentation fault on the first prompt (exit 139, nothing printed). So every check
llama.cpp itself makes on an adapter is made here first, each failure one sentence: the file is
a GGUF, of type adapter, a LoRA, for the base model's architecture, and each of its tensor pairs
fits the base tensor it changes.
"""

from __future__ import annotations

import struct
from pathlib import Path

from papergym.core.errors import PapergymError
from papergym.core.llm.gguf import GGUFError, GGUFInfo, read_gguf_info

MAKE_ONE = "make one with `papergym convert RUN --to gguf-lora OUT`"
_LORA_SUFFIXES = (".lora_a", ".lora_b")


class LoraAdapterError(PapergymError):
    """A --lora file that llama.cpp cannot apply to the chosen model."""


def check_lora_file(lora_path: Path | str) -> GGUFInfo:
    """The adapter's header, if the file is a GGUF LoRA adapter at all; LoraAdapterError otherwise."""
    path = Path(lora_path).expanduser()
    try:
        info = read_gguf_info(path)
    except GGUFError as error:
        raise LoraAdapterError(f"The LoRA adapter cannot be used: {error}") from None
    kind = info.metadata.get("general.type")
    if kind != "adapter":
        what = "a GGUF model" if kind in (None, "model") else f"a GGUF file of type {kind!r}"
        raise LoraAdapterError(f"{path.name} is {what}, not a LoRA adapter; pass a model as --model, or {MAKE_ONE}.")
    adapter_type = info.metadata.get("adapter.type")
    if adapter_type != "lora":
        raise LoraAdapterError(f"{path.name} is a {adapter_type or 'untyped'} adapter, not a LoRA; {MAKE_ONE}.")
    return info


def check_lora_for_model(lora_path: Path | str, model_path: Path | str) -> None:
    """Raise LoraAdapterError unless the adapter is a LoRA that llama.cpp can apply to this base model."""
    lora = check_lora_file(lora_path)
    base = read_gguf_info(model_path)
    name = lora.path.name
    if lora.architecture != base.architecture:
        raise LoraAdapterError(
            f"{name} is a LoRA for {lora.architecture or 'an unnamed'} models, but {base.path.name} is {base.architecture or 'unnamed'}; "
            "use the adapter with the model it was trained on."
        )
    base_shapes = tensor_shapes(base)
    lora_shapes = tensor_shapes(lora)
    for tensor, shape_a in lora_shapes.items():
        if not tensor.endswith(".lora_a"):
            if not tensor.endswith(_LORA_SUFFIXES):
                raise LoraAdapterError(f"{name} holds the tensor {tensor!r}, which is no LoRA pair; {MAKE_ONE}.")
            continue
        target = tensor.removesuffix(".lora_a")
        shape_b = lora_shapes.get(target + ".lora_b")
        if shape_b is None:
            raise LoraAdapterError(f"{name} has {tensor!r} without its lora_b half; {MAKE_ONE}.")
        if target not in base_shapes:
            raise LoraAdapterError(f"{name} changes {target!r}, which {base.path.name} does not have; it was made for another model.")
        weight = base_shapes[target]
        if len(shape_a) < 2 or len(shape_b) < 2 or len(weight) < 2:
            raise LoraAdapterError(f"{name}: {target!r} is not a matrix; {MAKE_ONE}.")
        if shape_a[0] != weight[0] or shape_b[1] != weight[1] or shape_a[1] != shape_b[0]:
            raise LoraAdapterError(
                f"{name} does not fit {base.path.name}: {target!r} is {weight[0]}x{weight[1]} there, but the adapter's halves are "
                f"{shape_a[0]}x{shape_a[1]} and {shape_b[0]}x{shape_b[1]}; use the adapter with the model it was trained on."
            )
    if not any(tensor.endswith(".lora_a") for tensor in lora_shapes):
        raise LoraAdapterError(f"{name} holds no LoRA tensors; {MAKE_ONE}.")


def tensor_shapes(info: GGUFInfo) -> dict[str, tuple[int, ...]]:
    """Each tensor's name and dimensions (llama.cpp's order, fastest first) from the descriptions after the header."""
    shapes: dict[str, tuple[int, ...]] = {}
    with info.path.open("rb") as file:
        file.seek(info.header_bytes)
        reader = _Reader(file, info)
        for _ in range(info.tensor_count):
            name = reader.bytes(reader.u64()).decode("utf-8", errors="replace")
            dimensions = reader.u32()
            if dimensions > 8:
                raise LoraAdapterError(f"{info.path} is corrupt: its tensor {name!r} claims {dimensions} dimensions.")
            shapes[name] = tuple(reader.u64() for _ in range(dimensions))
            reader.u32()  # type
            reader.u64()  # offset
    return shapes


class _Reader:
    """Little-endian values from a file, failing with one sentence at its end."""

    def __init__(self, file, info: GGUFInfo) -> None:
        self.file = file
        self.info = info

    def bytes(self, count: int) -> bytes:
        if count > self.info.size_bytes:
            raise LoraAdapterError(f"{self.info.path} is corrupt: a tensor name claims {count} bytes.")
        data = self.file.read(count)
        if len(data) < count:
            raise LoraAdapterError(f"{self.info.path} is cut short inside its tensor list; copy it again.")
        return data

    def u32(self) -> int:
        return struct.unpack("<I", self.bytes(4))[0]

    def u64(self) -> int:
        return struct.unpack("<Q", self.bytes(8))[0]
