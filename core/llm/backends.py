"""Open the backend a command asked for: a registered GGUF model, or an OpenAI-compatible server."""

from __future__ import annotations

from papergym.core.library import Library
from papergym.core.llm.backend import Backend


def open_backend(
    library: Library,
    *,
    model: str | None = None,
    server: str | None = None,
    api_key: str | None = None,
    concurrency: int = 4,
    context_length: int | None = None,
    threads: int | None = None,
    lora: str | None = None,
) -> Backend:
    """A ready backend; a server URL wins over a local model (then ``model`` names the server's model).

    ``lora`` is a GGUF LoRA adapter (``papergym convert RUN --to gguf-lora``) applied to a local model.
    """
    if server:
        from papergym.core.llm.openai_compat import OpenAIBackend

        return OpenAIBackend(server, model=model, api_key=api_key, concurrency=concurrency, context_length=context_length)
    from papergym.core.llm.llamacpp import LlamaCppBackend
    from papergym.core.llm.models import default_model, resolve_model

    entry = resolve_model(library, model) if model else default_model(library)
    return LlamaCppBackend(entry.path, context_length=context_length, threads=threads, name=entry.name, lora_path=lora)
