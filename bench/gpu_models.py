"""Random-initialised models at real Qwen2.5 shapes, with a small tokenizer trained on the demo questions: no download.

Step time and memory depend on the shapes (layers, widths, vocabulary), not
on the weights, so these stand in for the real checkpoints on a machine
without internet. ``--dry-run`` builds each model on torch's meta device
(no memory) and reports its size, so the plan can be checked on any CPU.

    python bench/gpu_models.py OUT_DIR [--models qwen2.5-0.5b,qwen2.5-1.5b] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The published Qwen2.5 configs' shapes (config.json of Qwen/Qwen2.5-0.5B-Instruct and -1.5B-Instruct).
SHAPES = {
    "qwen2.5-0.5b": {"hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14},
    "qwen2.5-1.5b": {"hidden_size": 1536, "intermediate_size": 8960, "num_hidden_layers": 28, "num_attention_heads": 12},
    # Same family, a few MB: for checking this script (and a conversion round trip) on a CPU.
    "qwen2-tiny": {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4},
}
COMMON = {
    "num_key_value_heads": 2,
    "vocab_size": 151936,
    "max_position_embeddings": 32768,
    "rope_theta": 1000000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "hidden_act": "silu",
}
CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def config_for(name: str):
    from transformers import Qwen2Config

    return Qwen2Config(**COMMON, **SHAPES[name], bos_token_id=0, eos_token_id=2, pad_token_id=0)


def train_tokenizer(vocab_size: int = 4000):
    """A byte-level BPE tokenizer trained on the demo questions, with ChatML's special tokens and template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    lines = []
    for line in (ROOT / "assets" / "demo_questions.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        lines.append(" ".join(str(value) for value in record.values() if isinstance(value, str)))
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, show_progress=False, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(lines * 4, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token=None, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    fast.chat_template = CHATML
    return fast


def build(name: str, out: Path, dry_run: bool) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    config = config_for(name)
    tokenizer = train_tokenizer()
    if tokenizer.convert_tokens_to_ids("<|im_end|>") >= config.vocab_size:
        raise SystemExit("the tokenizer's ids must fit the model's vocabulary")
    if dry_run:
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config)
        parameters = sum(parameter.numel() for parameter in model.parameters())
        return {"model": name, "parameters": parameters, "bf16_gb": round(parameters * 2 / 2**30, 2), "written": None}
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    folder = out / name
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    parameters = sum(parameter.numel() for parameter in model.parameters())
    return {"model": name, "parameters": parameters, "bf16_gb": round(parameters * 2 / 2**30, 2), "written": str(folder)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", default="qwen2.5-0.5b")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    for name in args.models.split(","):
        if name not in SHAPES:
            print(f"unknown model shape {name!r}; known: {', '.join(SHAPES)}", file=sys.stderr)
            return 2
        print(json.dumps(build(name, args.out, args.dry_run)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
