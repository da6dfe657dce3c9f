"""Load a converted GGUF LoRA in llama.cpp on the CPU beside its base model, generate a few tokens, and say pass or fail.

The GPU check's run trains a LoRA on a random-initialised Qwen2 model (an HF
folder, bench/gpu_models.py) and converts it with `papergym convert --to
gguf-lora`. llama.cpp needs the base as a GGUF file too, so this writes the HF
folder's weights as one (F16, the Qwen2 layout and BPE vocabulary llama.cpp's
own converter writes), loads it with the LoRA with no layer on a GPU,
generates greedily, and reports how far the adapter moves the next-token
logits (0 when the run never moved its B matrices off zero, as GRPO does when
every completion got the same reward).

    python bench/gguf_lora_check.py --base HF_DIR --lora lora.gguf [--work DIR] [--tokens 8]
    python bench/gguf_lora_check.py --shape qwen2.5-0.5b --lora lora.gguf   # a LoRA brought back from the GPU machine:
                                                                          # a random base of the same shape, built here

Exit status: 0 pass, 1 fail, 77 skipped (llama-cpp-python is not installed on this machine).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = 77
PROMPT = "Question: which material conducts electricity best, copper or glass?\nAnswer:"


def _vocabulary(folder: Path, vocab_size: int) -> tuple[list[str], list[int], list[str]]:
    """Tokens, token types and merges of the folder's byte-level BPE tokenizer, padded to the model's vocabulary."""
    import gguf

    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    by_id = {index: token for token, index in spec["model"]["vocab"].items()}
    special = set()
    for added in spec.get("added_tokens", []):
        by_id[added["id"]] = added["content"]
        if added.get("special"):
            special.add(added["id"])
    tokens, types = [], []
    for index in range(vocab_size):
        if index in by_id:
            tokens.append(by_id[index])
            types.append(gguf.TokenType.CONTROL if index in special else gguf.TokenType.NORMAL)
        else:  # rows of the embedding no token uses, as llama.cpp's converter pads them
            tokens.append(f"[PAD{index}]")
            types.append(gguf.TokenType.UNUSED)
    merges = [merge if isinstance(merge, str) else " ".join(merge) for merge in spec["model"].get("merges", [])]
    return tokens, [int(kind) for kind in types], merges


def write_base_gguf(folder: Path, out: Path) -> Path:
    """The HF Qwen2 folder's weights as an F16 GGUF model (norms and biases in F32, as llama.cpp expects)."""
    import gguf
    import numpy as np
    import torch
    from safetensors.torch import load_file

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "qwen2":
        raise SystemExit(f"{folder} is a {config.get('model_type')} model; this check writes Qwen2 bases only")
    state: dict = {}
    for shard in sorted(folder.glob("*.safetensors")):
        state.update(load_file(str(shard)))

    def array(name: str, half: bool) -> np.ndarray:
        tensor = state[name].to(torch.float16 if half else torch.float32)
        return np.ascontiguousarray(tensor.numpy())

    from papergym.train.gguf_lora import PROJECTIONS  # the names the LoRA conversion writes

    layers = config["num_hidden_layers"]
    tokens, types, merges = _vocabulary(folder, config["vocab_size"])
    staging = out.with_suffix(".partial")
    writer = gguf.GGUFWriter(str(staging), "qwen2")
    writer.add_name(folder.name)
    writer.add_block_count(layers)
    writer.add_context_length(min(config.get("max_position_embeddings", 4096), 4096))
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config.get("num_key_value_heads", config["num_attention_heads"]))
    writer.add_layer_norm_rms_eps(config.get("rms_norm_eps", 1e-6))
    writer.add_rope_freq_base(config.get("rope_theta", 10000.0))
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_eos_token_id(config.get("eos_token_id", 0))
    writer.add_bos_token_id(config.get("bos_token_id", 0))
    writer.add_pad_token_id(config.get("pad_token_id", 0))
    writer.add_add_bos_token(False)
    writer.add_tensor("token_embd.weight", array("model.embed_tokens.weight", half=True))
    writer.add_tensor("output_norm.weight", array("model.norm.weight", half=False))
    if not config.get("tie_word_embeddings") and "lm_head.weight" in state:
        writer.add_tensor("output.weight", array("lm_head.weight", half=True))
    for layer in range(layers):
        prefix = f"model.layers.{layer}."
        writer.add_tensor(f"blk.{layer}.attn_norm.weight", array(prefix + "input_layernorm.weight", half=False))
        writer.add_tensor(f"blk.{layer}.ffn_norm.weight", array(prefix + "post_attention_layernorm.weight", half=False))
        for projection, name in PROJECTIONS.items():
            part = "self_attn" if name.startswith("attn") else "mlp"
            writer.add_tensor(f"blk.{layer}.{name}.weight", array(f"{prefix}{part}.{projection}.weight", half=True))
            if f"{prefix}{part}.{projection}.bias" in state:
                writer.add_tensor(f"blk.{layer}.{name}.bias", array(f"{prefix}{part}.{projection}.bias", half=False))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    staging.replace(out)
    return out


def _load(base: Path, lora: Path | None):
    import contextlib
    import io
    import os

    from papergym.core.llm.llamacpp import load_llama
    from papergym.core.llm.lora_check import LoraAdapterError, check_lora_for_model

    if lora is not None:
        try:
            check_lora_for_model(lora, base)  # llama.cpp crashes on some unusable adapters instead of saying why
        except LoraAdapterError as error:
            raise RuntimeError(f"{lora.name} does not fit {base.name}: {error}") from None
    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log):
            return load_llama(
                model_path=str(base),
                lora_path=str(lora) if lora else None,
                n_ctx=256,
                n_threads=max(1, min(8, os.cpu_count() or 1)),
                n_gpu_layers=0,
                seed=0,
                verbose=False,
            )
    except (ValueError, RuntimeError) as error:
        detail = (log.getvalue().strip().splitlines() or [str(error)])[-1]
        raise RuntimeError(f"llama.cpp could not load {base.name}" + (f" with {lora.name}" if lora else "") + f": {detail}") from None


def _next_logits(llm):
    import numpy as np

    return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).astype(np.float64)


def generate(base: Path, lora: Path | None, count: int) -> tuple[list[int], str, object, float]:
    """Greedy tokens after the prompt (end-of-text does not stop it), their text, the first logits and tokens/s."""
    import numpy as np

    llm = _load(base, lora)
    try:
        prompt = llm.tokenize(PROMPT.encode("utf-8"), add_bos=False, special=False)
        started = time.perf_counter()
        llm.eval(prompt)
        first = _next_logits(llm)
        logits, generated = first, []
        for _ in range(count):
            token = int(np.argmax(logits))
            generated.append(token)
            llm.eval([token])
            logits = _next_logits(llm)
        seconds = time.perf_counter() - started
        text = llm.detokenize(generated).decode("utf-8", "replace")
        return generated, text, first, (len(prompt) + count) / seconds if seconds > 0 else 0.0
    finally:
        llm.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--base", type=Path, help="the LoRA's base model: an HF Qwen2 folder, or a .gguf file")
    source.add_argument("--shape", help="build a random base of this bench/gpu_models.py shape here (for a LoRA brought back)")
    parser.add_argument("--lora", type=Path, required=True, help="the GGUF LoRA `papergym convert --to gguf-lora` wrote")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "_work" / "gguf_lora_check", help="where the base GGUF is written")
    parser.add_argument("--tokens", type=int, default=8)
    args = parser.parse_args()
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        print(
            "skipped: llama-cpp-python is not installed on this machine; where it is, with the lora.gguf brought back: "
            f"python bench/gguf_lora_check.py --shape SHAPE --lora {args.lora.name}"
        )
        return SKIPPED
    if not args.lora.is_file():
        print(f"fail: {args.lora} is not there")
        return 1
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    base = args.base
    if args.shape:
        sys.path.insert(0, str(ROOT / "bench"))
        from gpu_models import build

        base = Path(build(args.shape, args.work / "models", dry_run=False)["written"])
        print(f"a random {args.shape} base built here (same shapes as the GPU run's, not its weights)")
    if base.suffix != ".gguf":
        base = write_base_gguf(base, args.work / f"{base.name}.f16.gguf")
        print(f"base written as {base} ({base.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - started:.1f} s")
    try:
        plain_tokens, _, plain_logits, _ = generate(base, None, args.tokens)
        tokens, text, adapted_logits, speed = generate(base, args.lora, args.tokens)
    except RuntimeError as error:
        print(f"fail: {error}")
        return 1
    moved = float(abs(adapted_logits - plain_logits).max())
    if len(tokens) != args.tokens:
        print(f"fail: llama.cpp generated {len(tokens)} of {args.tokens} tokens with the LoRA")
        return 1
    print(f"generated with the LoRA on the CPU: {tokens} {text!r} ({speed:.0f} tokens/s, prompt included)")
    print(
        f"the adapter moves the next-token logits by up to {moved:.3g}"
        + (" (its B matrices are zero: the run's updates never moved them)" if moved == 0 else "")
        + ("; the greedy tokens differ from the base's" if tokens != plain_tokens else "")
    )
    print(f"pass: llama.cpp loaded {base.name} with {args.lora.name} and generated {len(tokens)} tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main())
