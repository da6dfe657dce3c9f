"""What generate, check and eval share about the GPU: its place in the queue, --cpu, and the CPU-only llama.cpp notice."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import click


def cpu_option(command):
    return click.option(
        "--cpu", "use_cpu", is_flag=True, help="Run on the CPU even when a GPU is there, without waiting for it in the GPU queue."
    )(command)


def cpu_only_notice(generated_tokens: int, seconds: float, prompt_tokens_read: int = 0) -> None:
    """Say, on stderr at the end of a llama.cpp job, when a GPU is visible but llama.cpp was built without offload.

    The sentence names the reinstall command and the speed this job measured
    (``seconds``: the time its model spent, prompts included).
    """
    from papergym.core.gpu import cpu_only_llama_warning

    generated = generated_tokens / seconds if seconds > 0 and generated_tokens else None
    with_prompts = (generated_tokens + prompt_tokens_read) / seconds if seconds > 0 and prompt_tokens_read else None
    notice = cpu_only_llama_warning(generated, with_prompts)
    if notice:
        click.echo(notice, err=True)


@contextlib.contextmanager
def gpu_job(job: str, library_folder, *, local_model: bool, use_cpu: bool, quiet: bool, torch_engine: bool = False) -> Iterator[None]:
    """Hold the GPU lease for a llama.cpp job that would offload to a GPU, waiting visibly in the queue; Ctrl-C leaves it.

    With --cpu the GPU is hidden from this process instead, so the job neither uses it nor waits for it.
    """
    from papergym.core.gpu import llama_job_uses_gpu
    from papergym.core.gpu_lease import held_by, maybe_gpu_lease

    if use_cpu:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # read by the CUDA runtime when llama.cpp first looks for devices
        yield
        return

    def waiting(holder, position: int) -> None:
        if not quiet:
            click.echo(
                f"Waiting for the GPU, held by {held_by(holder)}; place {position} in `papergym queue`. Ctrl-C leaves the queue.", err=True
            )

    with maybe_gpu_lease(llama_job_uses_gpu(local_model, torch_engine), job, library=str(library_folder), on_wait=waiting):
        yield
