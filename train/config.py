"""One training configuration for both backends, stored as JSON with each run.

Every setting a run depends on lives here, so a run can be resumed or repeated
from its ``runs.config`` alone. Importing this module is cheap (no torch).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from papergym.core.errors import PapergymError

BACKENDS = ("auto", "unsloth", "trl")
LIBRARY_DATASET = "library"
DEFAULT_BASE_MODEL = "gemma3-270m"
# Attention projections: a small LoRA that still moves a model; Unsloth's docs add the MLP ones for more capacity.
DEFAULT_TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj")
REWARD_NAMES = ("correctness", "format_reward")
# Why --backend auto picks TRL without a GPU: `papergym doctor` and the app's Models screen say it in these words.
NO_GPU_BACKEND_REASON = "no CUDA GPU is visible, so TRL + PEFT on the CPU."


@dataclass
class TrainConfig:
    """Everything a GRPO + LoRA run needs; the CLI, the TUI and the worker all build one of these."""

    base_model: str = DEFAULT_BASE_MODEL  # an HF folder, a .gguf file, a registered model name, or gemma3-270m
    backend: str = "auto"  # auto | unsloth | trl
    dataset: str = LIBRARY_DATASET  # an exported dataset folder, or "library"
    split: str = "train"
    statuses: tuple[str, ...] = ("accepted",)  # library questions to train on (--from-library)
    learnable_band: tuple[float, float] | None = None  # keep questions whose measured pass rate above chance is in (low, high)
    learnability_model: str | None = None  # whose measured pass rates count (None: each question's newest)
    curriculum: bool = False  # easy to hard by measured pass rate, in that order (no shuffling)
    steps: int = 100
    num_generations: int = 4  # completions per question (the GRPO group)
    batch_size: int | None = None  # completions per device per micro-batch; None: one question's group
    gradient_accumulation_steps: int = 1
    lora_rank: int = 16
    lora_alpha: int | None = None  # None: twice the rank
    lora_dropout: float = 0.0
    target_modules: tuple[str, ...] = DEFAULT_TARGET_MODULES
    max_prompt_length: int = 1024  # longer prompts are left out (a truncated question cannot be answered)
    max_completion_length: int = 256
    learning_rate: float = 5e-6
    beta: float = 0.04  # KL weight against the base model; with LoRA the reference costs no memory
    temperature: float = 1.0
    seed: int = 0
    logging_steps: int = 1
    save_steps: int = 50
    save_total_limit: int | None = None  # None keeps every checkpoint
    sample_completions: int = 4  # completions kept in `samples` per logging step
    reward_weights: dict[str, float] = field(default_factory=lambda: {"correctness": 1.0, "format_reward": 0.2})
    format_reward: bool = True
    reshuffle_options: bool = True  # WildSci: a new option order (and key letter) every epoch
    gradient_checkpointing: bool | None = None  # trl backend; None: on with CUDA (memory), off on CPU (speed)
    use_cpu: bool = False  # --cpu: train on the CPU even with a GPU (no place in the GPU queue)
    gpu_memory_utilization: float = 0.5  # unsloth with vLLM: the share of the GPU vLLM reserves for its engine and cache
    output_dir: str | None = None  # set by start_run: <library>/runs/<run id>

    def __post_init__(self) -> None:
        self.statuses = tuple(self.statuses)
        if self.learnable_band is not None:
            self.learnable_band = (float(self.learnable_band[0]), float(self.learnable_band[1]))
        self.target_modules = tuple(self.target_modules)
        self.reward_weights = dict(self.reward_weights)
        self.validate()

    @property
    def from_library(self) -> bool:
        return self.dataset == LIBRARY_DATASET

    @property
    def alpha(self) -> int:
        return self.lora_alpha if self.lora_alpha is not None else 2 * self.lora_rank

    @property
    def per_device_batch_size(self) -> int:
        return self.batch_size if self.batch_size is not None else self.num_generations

    @property
    def reward_names(self) -> list[str]:
        """The reward functions this run uses, in the order TRL reports them."""
        return ["correctness", "format_reward"] if self.format_reward else ["correctness"]

    def validate(self) -> None:
        """Refuse settings that would only fail later inside the trainer, with the option to change."""
        if self.backend not in BACKENDS:
            raise PapergymError(f"--backend {self.backend!r} is not one of {', '.join(BACKENDS)}.")
        positive = {
            "--steps": self.steps,
            "--num-generations": self.num_generations,
            "--lora-rank": self.lora_rank,
            "--max-completion-length": self.max_completion_length,
            "--max-prompt-length": self.max_prompt_length,
            "--gradient-accumulation": self.gradient_accumulation_steps,
            "--logging-steps": self.logging_steps,
            "--save-steps": self.save_steps,
        }
        for option, value in positive.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise PapergymError(f"{option} must be a whole number of 1 or more, not {value!r}.")
        if self.num_generations < 2:
            raise PapergymError("--num-generations must be at least 2: GRPO compares completions of the same question.")
        if self.batch_size is not None and (not isinstance(self.batch_size, int) or self.batch_size < 1):
            raise PapergymError(f"--batch-size must be a whole number of 1 or more, not {self.batch_size!r}.")
        if (self.per_device_batch_size * self.gradient_accumulation_steps) % self.num_generations:
            raise PapergymError(
                f"--batch-size ({self.per_device_batch_size}) times --gradient-accumulation "
                f"({self.gradient_accumulation_steps}) must be a multiple of --num-generations ({self.num_generations}), "
                "so every question's completions land in one step."
            )
        for option, value in (("--lr", self.learning_rate), ("--temperature", self.temperature), ("--beta", self.beta)):
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise PapergymError(f"{option} must be a number of 0 or more, not {value!r}.")
        if self.learning_rate <= 0 or self.temperature <= 0:
            raise PapergymError("--lr and --temperature must be above 0.")
        if not isinstance(self.gpu_memory_utilization, (int, float)) or not 0.05 <= self.gpu_memory_utilization <= 0.95:
            raise PapergymError(f"--gpu-memory-utilization must be a share between 0.05 and 0.95, not {self.gpu_memory_utilization!r}.")
        if not self.target_modules:
            raise PapergymError("--target-modules needs at least one module name, like q_proj,v_proj.")
        unknown = [name for name in self.reward_weights if name not in REWARD_NAMES]
        if unknown:
            raise PapergymError(f"Reward weight {unknown[0]!r} names no reward; the rewards are {', '.join(REWARD_NAMES)}.")
        if not self.statuses:
            raise PapergymError("--status needs at least one question status, like accepted.")
        if self.learnable_band is not None:
            from papergym.core.quality.learnability import LearnableBand

            LearnableBand(*self.learnable_band)  # an empty band is one sentence now, not an empty run later

    def plan(self, questions: int, start_step: int = 0) -> str:
        """What a run is about to do, in one sentence: questions, steps, completions and tokens."""
        steps = max(self.steps - start_step, 0)
        questions_per_step = max(self.per_device_batch_size * self.gradient_accumulation_steps // self.num_generations, 1)
        completions = steps * questions_per_step * self.num_generations
        return (
            f"About to train {steps} steps{f' (from step {start_step})' if start_step else ''} on {questions} questions: "
            f"{questions_per_step} question(s) x {self.num_generations} completions per step, {completions} completions of up to "
            f"{self.max_completion_length} tokens (at most {completions * self.max_completion_length:,} generated tokens); "
            "the time left follows from the first measured steps."
        )

    # -- JSON --------------------------------------------------------------------

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["statuses"] = list(self.statuses)
        data["learnable_band"] = list(self.learnable_band) if self.learnable_band is not None else None
        data["target_modules"] = list(self.target_modules)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """A config from stored JSON; keys a newer papergym wrote and this one lacks are ignored."""
        known = {item.name for item in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        return cls.from_dict(json.loads(text))

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)


def learnable_band_from_text(text: str | None) -> tuple[float, float]:
    """The band ``train --band`` (or the Train screen's band field) asks for, as a run stores it; empty means 0.1,0.9.

    A band that is not two numbers, or is empty, is one sentence naming what to write (BandError).
    """
    from papergym.core.quality.learnability import DEFAULT_HIGH, DEFAULT_LOW, LearnableBand

    band = LearnableBand.parse(text) if text and text.strip() else LearnableBand(DEFAULT_LOW, DEFAULT_HIGH)
    return (band.low, band.high)


def format_seconds(seconds: float) -> str:
    """A duration as people say it: 45 s, 12 min, 3 h 05 min."""
    seconds = max(round(seconds), 0)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60:02d} min"


UNSLOTH_COMPILE_ENV = "UNSLOTH_COMPILE_LOCATION"
UNSLOTH_COMPILE_DIR = "cache/unsloth_compiled"


def cuda_available() -> bool:
    """Whether torch sees a CUDA GPU (False when torch itself is missing)."""
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def cuda_compute_capability(device: int = 0) -> tuple[int, int] | None:
    """The (major, minor) compute capability of a CUDA GPU, or None without one."""
    if not cuda_available():
        return None
    import torch

    return tuple(torch.cuda.get_device_capability(device))  # type: ignore[return-value]


def supports_bf16(capability: tuple[int, int] | None) -> bool:
    """Whether a GPU of this compute capability trains in bfloat16 (Ampere, sm 8.0, and newer).

    ``torch.cuda.is_bf16_supported()`` answers True on sm 6.x/7.x cards too (it
    only checks that a bf16 tensor can be made), where bf16 matmuls are emulated
    and Unsloth loads the model in float16.
    """
    return capability is not None and capability[0] >= 8


def unsloth_compile_cache(library_folder: Path | str | None) -> Path:
    """One Unsloth compile cache per library (or per user without one), so runs reuse each other's compiled kernels."""
    if library_folder is not None:
        return Path(library_folder) / UNSLOTH_COMPILE_DIR
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("papergym")) / "unsloth_compiled"


def unsloth_import_error(library_folder: Path | str | None = None) -> str | None:
    """Why Unsloth does not import here (None when it does), as ``Type: message``.

    Unsloth reads its compile location when imported; without one it writes a
    cache into the working directory (each run's own folder), so every run
    would compile again. The location is set first, unless the user set one.
    """
    if importlib.util.find_spec("unsloth") is None:
        return "Unsloth is not installed"
    os.environ.setdefault(UNSLOTH_COMPILE_ENV, str(unsloth_compile_cache(library_folder)))
    try:
        import unsloth  # noqa: F401
    except Exception as error:  # Unsloth raises plain errors (NotImplementedError, RuntimeError) on machines it cannot use
        first_line = str(error).splitlines()[0] if str(error) else "no message"
        return f"{type(error).__name__}: {first_line}"
    return None


def unsloth_importable(library_folder: Path | str | None = None) -> bool:
    """Whether Unsloth imports here (it needs a CUDA GPU and patches transformers when it does)."""
    return unsloth_import_error(library_folder) is None


def resolve_backend(config: TrainConfig, library_folder: Path | str | None = None) -> str:
    """The backend a run uses: auto picks unsloth only with a CUDA GPU and an importable Unsloth, else trl."""
    return explain_backend(config.backend, library_folder)[0]


def explain_backend(backend: str, library_folder: Path | str | None = None) -> tuple[str, str]:
    """The backend ``--backend`` resolves to here, and why, in one sentence."""
    if backend == "trl":
        return "trl", "--backend trl asks for TRL + PEFT."
    if backend == "unsloth":
        if not cuda_available():
            raise PapergymError("--backend unsloth needs a CUDA GPU; use --backend trl (or auto) on this machine.")
        error = unsloth_import_error(library_folder)
        if error == "Unsloth is not installed":
            raise PapergymError("--backend unsloth needs Unsloth; run `pip install unsloth`, or use --backend trl.")
        if error is not None:
            raise PapergymError(f"--backend unsloth: Unsloth is installed but does not import ({error}); fix it, or use --backend trl.")
        return "unsloth", "--backend unsloth asks for Unsloth, and it imports on this CUDA GPU."
    if not cuda_available():
        return "trl", NO_GPU_BACKEND_REASON
    error = unsloth_import_error(library_folder)
    if error is not None:
        return "trl", f"a CUDA GPU is visible but Unsloth cannot be used ({error}), so TRL + PEFT on the GPU."
    return "unsloth", "a CUDA GPU is visible and Unsloth imports."
