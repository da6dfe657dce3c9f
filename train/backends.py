"""The two training backends: TRL + PEFT (CPU or CUDA) and Unsloth (CUDA), both driving TRL's GRPOTrainer.

``resolve_base_model`` only looks at paths and the model registry (no torch),
so the app can refuse a bad ``--base-model`` before it starts a process; the
rest imports torch, transformers, peft, trl or unsloth when it runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.core.errors import PapergymError
from papergym.train.config import TrainConfig, cuda_compute_capability, supports_bf16
from papergym.train.data import EpochOptionShuffle, filter_long_prompts, to_dataset
from papergym.train.rewards import reward_functions

if TYPE_CHECKING:
    from papergym.core.library import Library

HF_MODELS_DIR = Path("models") / "hf"
_SOURCE_MARK = "papergym-source.json"

# For tokenizers without a chat template (a base model's GGUF carries none): plain text turns that a base
# model can continue, ending where the reasoning should begin.
PLAIN_CHAT_TEMPLATE = (
    "{{ bos_token if bos_token else '' }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] }}\n\n"
    "{% elif message['role'] == 'user' %}Question: {{ message['content'] }}\n\n"
    "{% else %}{{ message['content'] }}{{ eos_token if eos_token else '' }}\n\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}Reasoning:{% endif %}"
)


@dataclass
class BaseModel:
    """Where a run's base model comes from: an HF folder, or a GGUF file converted once into one."""

    kind: str  # hf | gguf
    path: Path
    name: str  # the folder name its conversion gets under <library>/models/hf/


def resolve_base_model(base_model: str, library: Library | None) -> BaseModel:
    """The base model a ``--base-model`` names: an HF folder, a .gguf file, a registered name, or gemma3-270m."""
    path = Path(base_model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise PapergymError(f"{path} is not a Hugging Face model folder (it has no config.json); pass a model folder or a .gguf file.")
        return BaseModel("hf", path.resolve(), path.name)
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise PapergymError(f"{path} is neither a Hugging Face model folder nor a .gguf file; pass one of those.")
        return BaseModel("gguf", path.resolve(), path.stem)
    if library is not None:
        from papergym.core.llm.models import ModelError, resolve_model

        try:
            entry = resolve_model(library, base_model)
        except ModelError as error:
            raise PapergymError(f"--base-model {base_model!r}: {error}") from None
        return BaseModel("gguf", Path(entry.path), entry.name)
    raise PapergymError(f"--base-model {base_model!r} is not a model folder, a .gguf file or a registered model name.")


def _converted(target: Path, mark: dict) -> bool:
    """Whether ``target`` holds a finished conversion of the GGUF file that ``mark`` describes."""
    if not (target / "config.json").is_file() or not (target / _SOURCE_MARK).is_file():
        return False
    try:
        return json.loads((target / _SOURCE_MARK).read_text(encoding="utf-8")) == mark
    except (OSError, ValueError):
        return False


def load_dequantized_gguf(path: Path):
    """A GGUF file as a float32 transformers model with its tokenizer, no longer flagged as quantized.

    transformers loads a GGUF de-quantized but keeps it flagged as quantized,
    and Trainer and ``save_pretrained`` refuse such a model. What transformers
    raises for a file it cannot read (ValueError, OSError, KeyError) is left
    to the caller, which knows what to tell the user.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.is_quantized = False
    return model, tokenizer


def hf_model_dir(source: BaseModel, library_folder: Path) -> Path:
    """An HF folder for the base model: itself, or its GGUF de-quantized once into ``<library>/models/hf/<name>/``.

    transformers loads a GGUF de-quantized but keeps it flagged as quantized,
    and Trainer refuses such a model; saved again without the flag it trains.
    """
    if source.kind == "hf":
        return source.path
    target = library_folder / HF_MODELS_DIR / source.name
    stat = source.path.stat()
    mark = {"gguf": str(source.path), "size": stat.st_size, "mtime": int(stat.st_mtime)}
    if _converted(target, mark):
        return target
    if importlib.util.find_spec("gguf") is None:
        raise PapergymError(
            "Training from a GGUF file needs the gguf package; run `pip install gguf`, or pass a Hugging Face model folder."
        )
    print(f"Converting {source.path.name} to a Hugging Face model in {target} (once; this takes a minute)...", file=sys.stderr, flush=True)
    try:
        model, tokenizer = load_dequantized_gguf(source.path)
    except (ValueError, OSError, KeyError) as error:
        raise PapergymError(
            f"transformers cannot load {source.path.name} ({str(error).splitlines()[0]}); pass a Hugging Face model folder instead."
        ) from None
    if tokenizer.chat_template is None:
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        model.save_pretrained(str(staging))
        tokenizer.save_pretrained(str(staging))
        (staging / _SOURCE_MARK).write_text(json.dumps(mark), encoding="utf-8")
        if _converted(target, mark):
            shutil.rmtree(staging)  # another run converted the same file meanwhile
            return target
        if target.exists():
            shutil.rmtree(target)  # an older conversion of a GGUF file that has changed since
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def prepare_tokenizer(tokenizer):
    """A pad token and a chat template where the model lacks them, so chat prompts always render."""
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if getattr(tokenizer, "chat_template", None) is None:
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    return tokenizer


@dataclass
class TrainerSetup:
    """A ready GRPOTrainer and what went into it."""

    trainer: object
    option_shuffle: EpochOptionShuffle
    backend: str
    questions: int
    too_long: int  # questions left out because their prompt exceeds max_prompt_length


def _grpo_trainer_class():
    """TRL's GRPOTrainer, with a sampler that tells the option shuffle which epoch it is serving."""
    from torch.utils.data import Sampler
    from trl import GRPOTrainer

    class EpochSampler(Sampler):
        def __init__(self, inner, option_shuffle: EpochOptionShuffle) -> None:
            self.inner = inner
            self.option_shuffle = option_shuffle

        def __iter__(self):
            return iter(self.inner)

        def __len__(self) -> int:
            return len(self.inner)

        def set_epoch(self, epoch: int) -> None:
            # accelerate calls this before each epoch's first batch (also on resume), see DataLoaderShard.set_epoch.
            self.option_shuffle.set_epoch(epoch)
            if hasattr(self.inner, "set_epoch"):
                self.inner.set_epoch(epoch)

    class PapergymGRPOTrainer(GRPOTrainer):
        option_shuffle: EpochOptionShuffle | None = None

        def _get_train_sampler(self, dataset=None):
            sampler = super()._get_train_sampler(dataset)
            return EpochSampler(sampler, self.option_shuffle) if self.option_shuffle is not None else sampler

    return PapergymGRPOTrainer


def _grpo_args(config: TrainConfig, output_dir: Path, on_cuda: bool, bf16: bool, **extra):
    from trl import GRPOConfig

    return GRPOConfig(
        output_dir=str(output_dir),
        max_steps=config.steps,
        per_device_train_batch_size=config.per_device_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        num_generations=config.num_generations,
        max_completion_length=config.max_completion_length,
        learning_rate=config.learning_rate,
        beta=config.beta,
        temperature=config.temperature,
        seed=config.seed,
        logging_steps=config.logging_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        reward_weights=[config.reward_weights.get(name, 1.0) for name in config.reward_names],
        report_to="none",
        disable_tqdm=True,  # the worker writes its own progress line; bars would fill train.log
        use_cpu=not on_cuda,
        bf16=bf16,
        log_completions=False,
        shuffle_dataset=not config.curriculum,  # a curriculum is served in its easy-to-hard order
        **_checkpointing_args(GRPOConfig, config.gradient_checkpointing if config.gradient_checkpointing is not None else on_cuda),
        **extra,
    )


def _checkpointing_args(config_class, enabled: bool) -> dict:
    # transformers 5 renamed gradient_checkpointing to activation_checkpointing (the old name warns).
    fields = getattr(config_class, "__dataclass_fields__", {})
    return {"activation_checkpointing" if "activation_checkpointing" in fields else "gradient_checkpointing": enabled}


def _with_rows(config: TrainConfig, rows: list[dict], tokenizer) -> tuple[list[dict], int]:
    kept, too_long = filter_long_prompts(rows, tokenizer, config.max_prompt_length)
    if not kept:
        raise PapergymError(f"Every question's prompt is longer than --max-prompt-length {config.max_prompt_length} tokens; raise it.")
    return kept, too_long


def _check_targets(model, config: TrainConfig) -> None:
    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    if not set(config.target_modules) & names:
        import torch

        linear = sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)})
        raise PapergymError(
            f"--target-modules {','.join(config.target_modules)} match no layer of the base model; "
            f"its linear layers are {', '.join(linear[:12])}."
        )


def _quiet(trainer) -> None:
    """Drop transformers' printer of raw log dicts: the metrics go to SQLite and the worker prints its own line."""
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)


def build_trl_trainer(config: TrainConfig, model_dir: Path, rows: list[dict], output_dir: Path, callbacks: list) -> TrainerSetup:
    """GRPOTrainer with a PEFT LoRA adapter on the model in ``model_dir``, on CUDA when there is one, else CPU."""
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    on_cuda = torch.cuda.is_available()
    precision = training_precision(cuda_compute_capability() if on_cuda else None, model_type(model_dir))
    bf16 = precision == "bf16"
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]
    try:
        tokenizer = prepare_tokenizer(AutoTokenizer.from_pretrained(str(model_dir)))
        model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=dtype)
    except (OSError, ValueError) as error:
        raise PapergymError(f"Cannot load the model in {model_dir} ({str(error).splitlines()[0]}); pass another --base-model.") from None
    _check_targets(model, config)
    rows, too_long = _with_rows(config, rows, tokenizer)
    option_shuffle = EpochOptionShuffle(config.seed, enabled=config.reshuffle_options)
    lora = LoraConfig(
        r=config.lora_rank,
        lora_alpha=config.alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        exclude_modules=lora_excluded_modules(model),
        task_type="CAUSAL_LM",
    )
    trainer_class = _grpo_trainer_class()
    trainer = trainer_class(
        model=model,
        reward_funcs=reward_functions(config.reward_names),
        args=_grpo_args(config, output_dir, on_cuda, bf16, fp16=precision == "fp16"),
        train_dataset=to_dataset(rows, option_shuffle),
        processing_class=tokenizer,
        peft_config=lora,
        callbacks=callbacks,
    )
    _quiet(trainer)
    trainer.option_shuffle = option_shuffle
    return TrainerSetup(trainer, option_shuffle, "trl", len(rows), too_long)


def vllm_importable() -> bool:
    return importlib.util.find_spec("vllm") is not None


# The vision side of multimodal checkpoints (Gemma 3 4B and larger load as image-text models): a LoRA there
# trains nothing a text task uses, and its layers share names with the language model's.
VISION_MODULES = ("vision_tower", "multi_modal_projector")


def lora_excluded_modules(model) -> str | None:
    """PEFT's ``exclude_modules`` as a regex matching the model's vision side, or None when it has none.

    None rather than an unused pattern: PEFT warns when an exclusion matches nothing.
    """
    if not any(part in VISION_MODULES for name, _ in model.named_modules() for part in name.split(".")):
        return None
    return r".*\b(" + "|".join(VISION_MODULES) + r")\b.*"


def model_type(model_dir: Path) -> str | None:
    """The ``model_type`` in an HF folder's config.json (the text model's for a multimodal one), or None."""
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    text = config.get("text_config") or {}
    return text.get("model_type") or config.get("model_type")


def training_precision(capability: tuple[int, int] | None, model_kind: str | None, bf16_supported: bool | None = None) -> str:
    """bf16, fp16 or fp32 for a run: bf16 from Ampere (sm 8.0) on, else fp16, but fp32 for Gemma 3 and on the CPU.

    ``bf16_supported`` overrides the compute-capability rule (Unsloth's own
    answer, which matches the dtype it loads the model in). Gemma 3's
    activations overflow float16, so without bf16 it trains in float32.
    """
    if capability is None:
        return "fp32"
    bf16 = supports_bf16(capability) if bf16_supported is None else bf16_supported
    if bf16:
        return "bf16"
    return "fp32" if (model_kind or "").startswith("gemma3") else "fp16"


def is_vllm_memory_error(error: BaseException) -> bool:
    """Whether vLLM refused to start because its share of the GPU leaves no room for the KV cache."""
    text = str(error).lower()
    return "cache blocks" in text or ("gpu_memory_utilization" in text and "memory" in text)


def load_unsloth_model(fast_language_model, config: TrainConfig, model_dir: Path, dtype, say=print):
    """Unsloth's 4-bit model and tokenizer, with its vLLM engine when vLLM works here; returns (model, tokenizer, used_vllm).

    Unsloth turns vLLM generation on itself when it built an engine (and
    leaves it off on GPUs it cannot serve), so papergym never forces
    ``use_vllm``; a vLLM that is installed but broken falls back to plain
    generation instead of stopping the run.
    """
    max_seq_length = config.max_prompt_length + config.max_completion_length
    attempts = [True, False] if vllm_importable() else [False]
    for fast_inference in attempts:
        options = {"fast_inference": fast_inference}
        if fast_inference:
            options["gpu_memory_utilization"] = config.gpu_memory_utilization
        try:
            model, tokenizer = fast_language_model.from_pretrained(
                model_name=str(model_dir),
                max_seq_length=max_seq_length,
                load_in_4bit=True,
                dtype=dtype,
                max_lora_rank=config.lora_rank,
                **options,
            )
        except (ImportError, RuntimeError, ValueError, OSError) as error:
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            if fast_inference and is_vllm_memory_error(error):
                raise PapergymError(
                    f"vLLM found no GPU memory for its cache at --gpu-memory-utilization {config.gpu_memory_utilization}; "
                    "raise it (or lower --max-completion-length), or uninstall vLLM to generate without it."
                ) from None
            if fast_inference and isinstance(error, (ImportError, RuntimeError)):
                say(f"vLLM could not start ({type(error).__name__}: {first_line}); generating with Unsloth's own generate instead.")
                continue
            raise PapergymError(f"Unsloth cannot load the model in {model_dir} ({first_line}); try --backend trl.") from None
        used_vllm = fast_inference and getattr(model, "vllm_engine", None) is not None
        return model, tokenizer, used_vllm
    raise AssertionError("unreachable: the last attempt either returns or raises")


def build_unsloth_trainer(config: TrainConfig, model_dir: Path, rows: list[dict], output_dir: Path, callbacks: list) -> TrainerSetup:
    """Unsloth's 4-bit model, its LoRA with Unsloth gradient checkpointing, and vLLM generation when vLLM works here."""
    # Unsloth patches transformers and TRL when imported, so it goes first.
    import torch
    from unsloth import FastLanguageModel, is_bfloat16_supported

    precision = training_precision(cuda_compute_capability(), model_type(model_dir), bf16_supported=is_bfloat16_supported())
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]
    model, tokenizer, used_vllm = load_unsloth_model(FastLanguageModel, config, model_dir, dtype, say=_say)
    tokenizer = prepare_tokenizer(tokenizer)
    _check_targets(model, config)
    model = FastLanguageModel.get_peft_model(
        model,
        r=config.lora_rank,
        target_modules=list(config.target_modules),
        lora_alpha=config.alpha,
        lora_dropout=config.lora_dropout,
        use_gradient_checkpointing="unsloth",
        random_state=config.seed,
        # Unsloth routes multimodal checkpoints to its vision model, whose LoRA covers the vision layers unless told not to.
        **({"finetune_vision_layers": False} if lora_excluded_modules(model) else {}),
    )
    rows, too_long = _with_rows(config, rows, tokenizer)
    option_shuffle = EpochOptionShuffle(config.seed, enabled=config.reshuffle_options)
    trainer_class = _grpo_trainer_class()
    trainer = trainer_class(
        model=model,
        reward_funcs=reward_functions(config.reward_names),
        args=_grpo_args(config, output_dir, True, precision == "bf16", fp16=precision == "fp16"),
        train_dataset=to_dataset(rows, option_shuffle),
        processing_class=tokenizer,
        callbacks=callbacks,
    )
    _quiet(trainer)
    trainer.option_shuffle = option_shuffle
    generation = "vLLM" if getattr(trainer.args, "use_vllm", False) else "Unsloth's generate (no vLLM)"
    _say(
        f"Unsloth: {precision}, completions generated with {generation}"
        + ("" if used_vllm or not vllm_importable() else "; vLLM was not used")
    )
    return TrainerSetup(trainer, option_shuffle, "unsloth", len(rows), too_long)


def _say(message: str) -> None:
    print(message, flush=True)


def build_trainer(backend: str, config: TrainConfig, model_dir: Path, rows: list[dict], output_dir: Path, callbacks: list) -> TrainerSetup:
    builder = build_unsloth_trainer if backend == "unsloth" else build_trl_trainer
    return builder(config, model_dir, rows, output_dir, callbacks)


def is_out_of_memory(error: BaseException) -> bool:
    """Whether an error is the GPU (or the host) running out of memory."""
    if isinstance(error, MemoryError):
        return True
    name = type(error).__name__
    return name == "OutOfMemoryError" or (isinstance(error, RuntimeError) and "out of memory" in str(error).lower())


def out_of_memory_message(config: TrainConfig) -> str:
    """What to lower after an out-of-memory error, naming vLLM's share of the GPU when Unsloth may have started it."""
    vllm_share = (
        f", or give vLLM less of the GPU with --gpu-memory-utilization (now {config.gpu_memory_utilization})"
        if config.backend != "trl" and vllm_importable()
        else ""
    )
    return (
        f"Training ran out of memory; start a new run with lower --num-generations (now {config.num_generations}), "
        f"--max-completion-length (now {config.max_completion_length}), --batch-size (now {config.per_device_batch_size}) "
        f"or --lora-rank (now {config.lora_rank}){vllm_share}."
    )


def environment_summary() -> dict:
    """Library versions and the device, for the run's log."""
    import torch

    versions = {"torch": torch.__version__}
    for name in ("transformers", "trl", "peft", "accelerate", "unsloth", "vllm"):
        if importlib.util.find_spec(name) is not None:
            try:
                from importlib.metadata import version

                versions[name] = version(name)
            except Exception:
                pass
    versions["device"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"cpu ({os.cpu_count()} cores)"
    return versions
