"""Use a trained LoRA adapter outside PyTorch: as a llama.cpp GGUF LoRA file, or merged into a full HF model.

A PEFT adapter holds, per adapted linear layer, ``lora_A`` (rank x in) and
``lora_B`` (out x rank), and adds ``scale * B @ A`` to the layer's weight with
``scale = alpha / rank``. llama.cpp reads the same pair from a GGUF file whose
``general.type`` is ``adapter``: tensors named after the base model's GGUF
tensors plus ``.lora_a`` / ``.lora_b``, with ``adapter.lora.alpha`` and the
same ``alpha / rank`` scale. GGUF lists dimensions innermost first, so PEFT's
row-major ``A`` (rank, in) and ``B`` (out, rank) are written as they are.

Two things differ by architecture. llama.cpp names the projections the same
way for the architectures listed in ``ARCHITECTURES``; and for the llama
family the GGUF converter reorders the rows of the query and key weights
(rotary embedding halves interleaved), so ``B`` of ``q_proj`` and ``k_proj``
gets the same row order. Scales PEFT computes per module (``rank_pattern``,
``alpha_pattern``, rsLoRA) are folded into ``B`` so one file-wide alpha holds.

Nothing here imports torch until a conversion runs.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from papergym.core.errors import PapergymError

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = ("adapter_model.safetensors", "adapter_model.bin")
OUTTYPES = ("f16", "f32")

# HF ``model_type`` -> llama.cpp architecture name (``general.architecture``).
ARCHITECTURES = {
    "llama": "llama",
    "mistral": "llama",
    "qwen2": "qwen2",
    "qwen3": "qwen3",
    "gemma": "gemma",
    "gemma2": "gemma2",
    "gemma3": "gemma3",
    "gemma3_text": "gemma3",
}
# llama.cpp architectures whose GGUF converter reorders q/k rows for its rotary embedding layout.
PERMUTED_QK = {"llama"}
# HF projection name -> llama.cpp tensor name inside block N.
PROJECTIONS = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}
# Parts of a multimodal checkpoint (Gemma 3 4B and larger) that a text GGUF has no tensors for.
VISION_PARTS = {"vision_tower", "multi_modal_projector"}
_LORA_KEY = re.compile(
    r"^(?P<module>(?:.*\.)?layers\.(?P<layer>\d+)\.(?:self_attn|mlp)\.(?P<proj>[a-z_]+))"
    r"\.lora_(?P<part>[AB])(?:\.[A-Za-z0-9_-]+)?\.weight$"
)


class ConversionError(PapergymError):
    """An adapter that cannot be converted; the message says which file and why, in one sentence."""


@dataclass
class BaseInfo:
    """What the conversion needs to know about the base model."""

    architecture: str  # llama.cpp's name: llama, qwen2, gemma3, ...
    head_count: int | None
    head_count_kv: int | None
    block_count: int | None
    source: str  # where this came from, for messages
    gguf_path: Path | None = None  # a GGUF base model, whose tensor shapes the adapter is checked against


@dataclass
class LoraConversion:
    """What a conversion wrote."""

    out: Path
    architecture: str
    alpha: float
    ranks: list[int]
    layers: int
    modules: list[str]  # HF projection names adapted, e.g. ["q_proj", "v_proj"]
    tensor_pairs: int
    outtype: str
    rescaled: int  # modules whose PEFT scale was folded into B (rank/alpha patterns, rsLoRA)
    bytes: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data["out"] = str(self.out)
        return data


# -- reading the adapter and the base -----------------------------------------------------


def read_adapter_config(adapter_dir: Path) -> dict:
    """The adapter's ``adapter_config.json``, checked to be a plain LoRA llama.cpp can apply."""
    adapter_dir = Path(adapter_dir)
    path = adapter_dir / ADAPTER_CONFIG
    if not adapter_dir.is_dir():
        raise ConversionError(f"{adapter_dir} is not a folder; give the folder holding adapter_config.json and adapter_model.safetensors.")
    if not path.is_file():
        raise ConversionError(f"{adapter_dir} has no {ADAPTER_CONFIG}; give the folder of a PEFT LoRA adapter.")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConversionError(f"{path} cannot be read as JSON ({error}).") from None
    peft_type = str(config.get("peft_type", "LORA")).upper()
    if peft_type != "LORA":
        raise ConversionError(f"{path} describes a {peft_type} adapter; only LoRA adapters convert to GGUF.")
    if config.get("use_dora"):
        raise ConversionError(f"{adapter_dir} is a DoRA adapter, which llama.cpp cannot apply; merge it with --to merged-hf instead.")
    if config.get("fan_in_fan_out"):
        raise ConversionError(
            f"{adapter_dir} adapts Conv1D layers (fan_in_fan_out), which this converter does not handle; use --to merged-hf."
        )
    if config.get("modules_to_save"):
        raise ConversionError(
            f"{adapter_dir} also saves whole modules ({', '.join(config['modules_to_save'])}), which a GGUF LoRA cannot carry; use --to merged-hf."
        )
    if config.get("bias", "none") != "none":
        raise ConversionError(f"{adapter_dir} trains biases (bias={config['bias']!r}), which a GGUF LoRA cannot carry; use --to merged-hf.")
    return config


def _weights_file(adapter_dir: Path) -> Path:
    for name in ADAPTER_WEIGHTS:
        if (adapter_dir / name).is_file():
            return adapter_dir / name
    raise ConversionError(f"{adapter_dir} has no adapter_model.safetensors; was the adapter saved completely?")


def load_adapter_tensors(adapter_dir: Path) -> dict[str, object]:
    """The adapter's tensors as float32 numpy arrays, by their PEFT names."""
    weights = _weights_file(adapter_dir)
    if weights.suffix == ".safetensors":
        from safetensors import safe_open

        try:
            with safe_open(str(weights), framework="pt") as handle:
                # Through torch: numpy cannot hold bfloat16, which GPU runs save.
                return {key: handle.get_tensor(key).float().numpy() for key in handle.keys()}  # noqa: SIM118 (safe_open is not iterable)
        except Exception as error:
            raise ConversionError(f"{weights} is not a readable safetensors file ({str(error).splitlines()[0]}).") from None
    import torch

    state = torch.load(str(weights), map_location="cpu", weights_only=True)
    return {key: value.float().numpy() for key, value in state.items()}


def base_info(base: str | Path | None, adapter_config: dict | None = None) -> BaseInfo:
    """Architecture and attention heads of a base model: a GGUF file, an HF folder, or the adapter's recorded base."""
    if base is None and adapter_config is not None:
        recorded = adapter_config.get("base_model_name_or_path")
        if recorded and Path(recorded).is_dir():
            base = Path(recorded)
    if base is None:
        raise ConversionError("The adapter does not say where its base model is; pass the base model (an HF folder or a .gguf file).")
    path = Path(base).expanduser()
    if path.is_file():
        return _gguf_base_info(path)
    if path.is_dir():
        info = _hf_base_info(path)
        source_mark = path / "papergym-source.json"  # an HF folder papergym de-quantized from a GGUF file
        if source_mark.is_file():
            try:
                gguf_path = Path(json.loads(source_mark.read_text(encoding="utf-8"))["gguf"])
            except (OSError, ValueError, KeyError, TypeError):
                gguf_path = None
            if gguf_path is not None and gguf_path.is_file():
                info.gguf_path = gguf_path
        return info
    raise ConversionError(f"The base model {path} does not exist; pass an HF model folder or a .gguf file.")


def _gguf_base_info(path: Path) -> BaseInfo:
    from papergym.core.llm.gguf import read_gguf_info

    info = read_gguf_info(path)
    arch = info.architecture
    if arch not in set(ARCHITECTURES.values()):
        raise ConversionError(
            f"{path.name} is a {arch or 'unknown'} model; GGUF LoRA conversion supports {', '.join(sorted(set(ARCHITECTURES.values())))}."
        )
    meta = info.metadata

    def number(key: str) -> int | None:
        value = meta.get(f"{arch}.{key}")
        return int(value) if isinstance(value, (int, float)) else None

    return BaseInfo(arch, number("attention.head_count"), number("attention.head_count_kv"), number("block_count"), path.name, path)


def _hf_base_info(path: Path) -> BaseInfo:
    config_path = path / "config.json"
    if not config_path.is_file():
        raise ConversionError(f"{path} is not a Hugging Face model folder (no config.json); pass the base model folder or its .gguf file.")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    text = config.get("text_config") or config  # multimodal configs (Gemma 3 4B+) keep the language model's here
    model_type = text.get("model_type") or config.get("model_type")
    arch = ARCHITECTURES.get(model_type) or ARCHITECTURES.get(config.get("model_type"))
    if arch is None:
        raise ConversionError(
            f"{path.name} is a {model_type or 'unknown'} model; GGUF LoRA conversion supports {', '.join(sorted(ARCHITECTURES))}."
        )
    heads = text.get("num_attention_heads")
    return BaseInfo(arch, heads, text.get("num_key_value_heads", heads), text.get("num_hidden_layers"), path.name)


# -- the conversion ----------------------------------------------------------------------------


def permute_rows(rows, head_count: int):
    """Reorder the output rows of a q/k projection the way llama.cpp's converter does for the llama family.

    Within each head, HF keeps the two rotary halves one after the other;
    llama.cpp interleaves them. ``rows`` is any (out, ...) array.
    """
    shape = rows.shape
    return rows.reshape(head_count, 2, shape[0] // head_count // 2, *shape[1:]).swapaxes(1, 2).reshape(shape)


def _pattern_value(patterns: dict, module: str, default):
    """PEFT's rank/alpha pattern lookup: the first key that matches the end of the module's dotted name."""
    for key, value in (patterns or {}).items():
        if re.match(rf"(.*\.)?({key})$", module):
            return value
    return default


def _pairs(tensors: dict, adapter_dir: Path) -> dict[tuple[int, str], dict]:
    pairs: dict[tuple[int, str], dict] = {}
    for key, value in tensors.items():
        name = key.removeprefix("base_model.model.")
        if VISION_PARTS & set(name.split(".")):
            continue  # a multimodal model's vision side: its layers share numbers and names with the text model's
        found = _LORA_KEY.match(name)
        if not found:
            if "lora_embedding" in name or "embed_tokens" in name or "lm_head" in name:
                raise ConversionError(
                    f"{adapter_dir} adapts the embeddings or the output head ({key}); only attention and MLP projections convert."
                )
            raise ConversionError(f"{adapter_dir} holds a tensor this converter does not know ({key}); use --to merged-hf.")
        projection = found["proj"]
        if projection not in PROJECTIONS:
            raise ConversionError(
                f"{adapter_dir} adapts {projection}, which has no llama.cpp counterpart here; adapt {', '.join(PROJECTIONS)} only."
            )
        entry = pairs.setdefault((int(found["layer"]), projection), {"module": found["module"]})
        entry[found["part"]] = value
    for (layer, projection), entry in pairs.items():
        if "A" not in entry or "B" not in entry:
            raise ConversionError(f"{adapter_dir} has only half of the LoRA pair of layer {layer} {projection}; save the adapter again.")
        if entry["A"].ndim != 2 or entry["B"].ndim != 2 or entry["A"].shape[0] != entry["B"].shape[1]:
            raise ConversionError(
                f"{adapter_dir}: layer {layer} {projection} has A {tuple(entry['A'].shape)} and B {tuple(entry['B'].shape)}, not a rank-r pair."
            )
    if not pairs:
        raise ConversionError(f"{adapter_dir} holds no LoRA weights.")
    return pairs


def _base_shapes(gguf_path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name -> dimensions (innermost first, as GGUF lists them) of a GGUF base model.

    Read straight from the tensor descriptions after the header: gguf's
    GGUFReader also parses every metadata array (a 262k-token vocabulary takes
    it ten seconds), which a shape check does not need.
    """
    import struct

    from papergym.core.llm.gguf import read_gguf_info

    info = read_gguf_info(gguf_path)
    if info.version < 2:
        return {}  # GGUF v1 (32-bit lengths) predates every architecture converted here
    shapes: dict[str, tuple[int, ...]] = {}
    with gguf_path.open("rb") as handle:
        handle.seek(info.header_bytes)
        for _ in range(info.tensor_count):
            (name_length,) = struct.unpack("<Q", handle.read(8))
            name = handle.read(name_length).decode("utf-8", "replace")
            (dimensions,) = struct.unpack("<I", handle.read(4))
            shape = struct.unpack(f"<{dimensions}Q", handle.read(8 * dimensions))
            handle.read(12)  # type (u32) and data offset (u64)
            shapes[name] = tuple(int(size) for size in shape)
    return shapes


def convert_lora_to_gguf(
    adapter_dir: str | Path,
    out: str | Path,
    *,
    base: str | Path | None = None,
    outtype: str = "f16",
    overwrite: bool = False,
) -> LoraConversion:
    """Write a PEFT LoRA adapter as a llama.cpp GGUF LoRA file (``general.type = adapter``).

    ``base`` is the base model (a .gguf file or an HF folder); without it the
    adapter's own ``base_model_name_or_path`` is used. With a GGUF base every
    pair is checked against the base tensor it adapts, so a wrong base fails
    here with a clear message rather than inside llama.cpp. ``out`` appears
    only once it is complete.
    """
    import numpy as np

    started = time.perf_counter()
    adapter_dir = Path(adapter_dir).expanduser()
    out = Path(out).expanduser()
    if outtype not in OUTTYPES:
        raise ConversionError(f"--outtype {outtype!r} is not one of {', '.join(OUTTYPES)}.")
    if out.exists() and not overwrite:
        raise ConversionError(f"{out} already exists; pass --overwrite or choose another file name.")
    if out.is_dir():
        raise ConversionError(f"{out} is a folder; give the path of the .gguf file to write.")
    config = read_adapter_config(adapter_dir)
    info = base_info(base, config)
    pairs = _pairs(load_adapter_tensors(adapter_dir), adapter_dir)
    if info.block_count is not None:
        beyond = sorted({layer for layer, _ in pairs if layer >= info.block_count})
        if beyond:
            raise ConversionError(
                f"The adapter adapts layer {beyond[0]}, but {info.source} has only {info.block_count} layers; is it the adapter of another model?"
            )
    shapes = _base_shapes(info.gguf_path) if info.gguf_path is not None else None

    alpha = float(config.get("lora_alpha") or config.get("r") or 8)
    use_rslora = bool(config.get("use_rslora"))
    dtype = np.float16 if outtype == "f16" else np.float32
    notes: list[str] = []
    rescaled = 0
    tensors: list[tuple[str, np.ndarray]] = []
    for (layer, projection), entry in sorted(pairs.items()):
        lora_a, lora_b = entry["A"], entry["B"]
        rank = lora_a.shape[0]
        name = f"blk.{layer}.{PROJECTIONS[projection]}.weight"
        if shapes is not None:
            if name not in shapes:
                raise ConversionError(
                    f"{info.source} has no tensor {name} for layer {layer} {projection}; is the adapter for another model?"
                )
            if shapes[name][:2] != (lora_a.shape[1], lora_b.shape[0]):
                raise ConversionError(
                    f"Layer {layer} {projection} of the adapter is {lora_a.shape[1]}->{lora_b.shape[0]}, but {info.source} has "
                    f"{shapes[name][0]}->{shapes[name][1]}; is the adapter for another model?"
                )
        module_alpha = float(_pattern_value(config.get("alpha_pattern"), entry["module"], alpha))
        peft_scale = module_alpha / (math.sqrt(rank) if use_rslora else rank)
        llama_scale = alpha / rank
        if not math.isclose(peft_scale, llama_scale, rel_tol=1e-9):
            # llama.cpp has one alpha per file and divides by each pair's rank: fold the difference into B.
            lora_b = lora_b * (peft_scale / llama_scale)
            rescaled += 1
        if info.architecture in PERMUTED_QK and projection in ("q_proj", "k_proj"):
            heads = info.head_count if projection == "q_proj" else (info.head_count_kv or info.head_count)
            if not heads:
                raise ConversionError(f"{info.source} does not give its attention head count, which a llama-family conversion needs.")
            lora_b = permute_rows(lora_b, heads)
        tensors.append((f"{name}.lora_a", np.ascontiguousarray(lora_a, dtype=dtype)))
        tensors.append((f"{name}.lora_b", np.ascontiguousarray(lora_b, dtype=dtype)))
    if rescaled:
        notes.append(f"{rescaled} modules had their own PEFT scale (rank/alpha pattern or rsLoRA), folded into lora_b.")

    _write_gguf(out, info.architecture, alpha, tensors, config)
    ranks = sorted({entry["A"].shape[0] for entry in pairs.values()})
    return LoraConversion(
        out=out,
        architecture=info.architecture,
        alpha=alpha,
        ranks=ranks,
        layers=len({layer for layer, _ in pairs}),
        modules=sorted({projection for _, projection in pairs}, key=list(PROJECTIONS).index),
        tensor_pairs=len(pairs),
        outtype=outtype,
        rescaled=rescaled,
        bytes=out.stat().st_size,
        seconds=time.perf_counter() - started,
        notes=notes,
    )


def _write_gguf(out: Path, architecture: str, alpha: float, tensors: list, config: dict) -> None:
    import gguf

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        writer = gguf.GGUFWriter(str(staging), architecture)
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
        writer.add_name(f"papergym LoRA r{config.get('r')}")
        for name, array in tensors:
            writer.add_tensor(name, array)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(staging, out)
    except OSError as error:
        raise ConversionError(f"Cannot write {out} ({error.strerror or error}).") from None
    finally:
        staging.unlink(missing_ok=True)


# -- merging -----------------------------------------------------------------------------------


def _load_base_for_merge(base: Path, library_folder: Path | None):
    """The base model and tokenizer in float precision: an HF folder, or a GGUF file de-quantized."""
    from papergym.train.backends import BaseModel, hf_model_dir, load_dequantized_gguf, prepare_tokenizer
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if base.is_file():
        if library_folder is not None:
            with contextlib.redirect_stdout(sys.stderr):  # its one-time conversion notice must not mix into --json output
                base = hf_model_dir(BaseModel("gguf", base.resolve(), base.stem), library_folder)
        else:
            try:
                model, tokenizer = load_dequantized_gguf(base)
            except (OSError, ValueError, KeyError) as error:
                raise ConversionError(
                    f"transformers cannot load {base.name} ({str(error).splitlines()[0]}); pass an HF model folder."
                ) from None
            return model, prepare_tokenizer(tokenizer)
    try:
        model = AutoModelForCausalLM.from_pretrained(str(base), dtype="auto")
    except (OSError, ValueError) as error:
        raise ConversionError(f"Cannot load the base model in {base} ({str(error).splitlines()[0]}).") from None
    try:
        tokenizer = prepare_tokenizer(AutoTokenizer.from_pretrained(str(base)))
    except (OSError, ValueError):
        tokenizer = None  # a weights-only folder: the merged one is weights-only too
    return model, tokenizer


def merge_to_hf(
    base: str | Path, adapter: str | Path, out: str | Path, *, overwrite: bool = False, library_folder: str | Path | None = None
) -> Path:
    """Fold a PEFT LoRA adapter into its base model and save the result as a plain HF model folder.

    The folder loads without PEFT (``AutoModelForCausalLM.from_pretrained``),
    trains further, or goes through llama.cpp's ``convert_hf_to_gguf.py``
    into a single GGUF model. A GGUF base is de-quantized first (cached under
    ``library_folder`` when one is given). ``out`` appears only when complete.
    """
    from peft import PeftModel

    base = Path(base).expanduser()
    adapter = Path(adapter).expanduser()
    out = Path(out).expanduser()
    read_adapter_config(adapter)
    _weights_file(adapter)
    if out.exists() and not (overwrite and out.is_dir()):
        raise ConversionError(f"{out} already exists; pass --overwrite or choose another folder.")
    if not base.exists():
        raise ConversionError(f"The base model {base} does not exist; pass an HF model folder or a .gguf file.")
    model, tokenizer = _load_base_for_merge(base, Path(library_folder) if library_folder else None)
    try:
        merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    except (ValueError, KeyError, RuntimeError) as error:
        raise ConversionError(f"The adapter in {adapter} does not fit the base model {base.name} ({str(error).splitlines()[0]}).") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        merged.save_pretrained(str(staging))
        if tokenizer is not None:
            tokenizer.save_pretrained(str(staging))
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
