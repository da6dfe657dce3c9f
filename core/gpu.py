"""What this machine offers for GPU work, found without torch: NVIDIA devices and llama.cpp's offload support.

Generation and checking run in processes that never import torch, so they
learn of a GPU from the driver's files rather than from CUDA.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

NVIDIA_GPUS_DIR = Path("/proc/driver/nvidia/gpus")
LLAMA_CUDA_REINSTALL = 'CMAKE_ARGS="-DGGML_CUDA=on" pip install --force-reinstall --no-cache-dir llama-cpp-python'


def no_gpu_reason() -> str | None:
    """Why this process sees no NVIDIA GPU, in the words `papergym doctor` and the app's Models screen both show; None when it sees one.

    ``PAPERGYM_ASSUME_GPU=1`` (or 0) overrides what the driver says, for tests and odd containers.
    """
    assumed = os.environ.get("PAPERGYM_ASSUME_GPU", "").strip()
    if assumed:
        return None if assumed not in ("0", "no", "off", "false") else f"PAPERGYM_ASSUME_GPU={assumed} says there is none"
    hidden = os.environ.get("CUDA_VISIBLE_DEVICES", None)
    if hidden in ("", "-1"):
        return f"CUDA_VISIBLE_DEVICES={hidden!r} hides every GPU from papergym"
    try:
        if NVIDIA_GPUS_DIR.is_dir() and any(NVIDIA_GPUS_DIR.iterdir()):
            return None
    except OSError:
        pass
    if Path("/dev/nvidia0").exists() and shutil.which("nvidia-smi") is not None:
        return None
    return "the NVIDIA driver lists no GPU"


def nvidia_gpu_visible() -> bool:
    """Whether an NVIDIA GPU is visible to this process (the driver lists one and CUDA_VISIBLE_DEVICES does not hide it)."""
    return no_gpu_reason() is None


def llama_supports_gpu_offload() -> bool | None:
    """Whether the installed llama.cpp was built with a GPU backend (None when llama-cpp-python is missing)."""
    try:
        import llama_cpp
    except ImportError:
        return None
    return bool(llama_cpp.llama_supports_gpu_offload())


def llama_job_uses_gpu(local_model: bool, torch_engine: bool = False) -> bool:
    """Whether a generate, check or eval job would put its model on this machine's GPU, and so waits its turn for it.

    llama.cpp uses a visible GPU only when built with offload; torch (eval's
    transformers engine) always does; a server's GPU is the server's own.
    """
    return local_model and nvidia_gpu_visible() and (torch_engine or bool(llama_supports_gpu_offload()))


def cpu_only_llama_warning(tokens_per_second: float | None = None, tokens_per_second_with_prompts: float | None = None) -> str | None:
    """One sentence when a GPU is visible but llama.cpp cannot use it (None otherwise), with the reinstall command.

    A pip install compiles llama.cpp for the CPU unless told otherwise, so a
    GPU machine silently generates at CPU speed. The speeds are the job's own:
    tokens generated a second, and all tokens (prompts read too) a second,
    which is the figure that says more for a job of short replies to long
    prompts such as a check.
    """
    if not nvidia_gpu_visible() or llama_supports_gpu_offload() is not False:
        return None
    figures = [f"{tokens_per_second:.1f} tokens/s generated"] if tokens_per_second else []
    if tokens_per_second_with_prompts:
        figures.append(f"{tokens_per_second_with_prompts:,.0f} tokens/s counting the prompts read")
    speed = f" (measured in this run: {', '.join(figures)}, on the CPU)" if figures else ""
    return f"A CUDA GPU is visible, but llama.cpp was built without GPU offload, so generation runs on the CPU{speed}; reinstall it with: {LLAMA_CUDA_REINSTALL}"
