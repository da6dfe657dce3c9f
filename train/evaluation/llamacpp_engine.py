"""The llama.cpp engine: a GGUF model with an optional GGUF LoRA adapter, greedy, one question at a time."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from papergym.train.evaluation.errors import EvalError
from papergym.train.evaluation.generation import Generation


class LlamaCppGenerator:
    """A GGUF model (optionally with a GGUF LoRA adapter) in llama.cpp, one question at a time.

    The prompt is the same chat template transformers renders: the GGUF's own,
    or for a base model without one, the plain template training uses.
    """

    engine = "llama.cpp"
    batch_size = 1

    def __init__(self, model_path: Path, lora_path: Path | None = None, *, context_length: int = 4096, threads: int | None = None) -> None:
        from papergym.core.llm.gguf import read_gguf_info
        from papergym.core.llm.llamacpp import load_llama
        from papergym.core.llm.lora_check import check_lora_for_model
        from papergym.train.backends import PLAIN_CHAT_TEMPLATE

        trained = read_gguf_info(model_path).context_length
        if lora_path is not None:
            check_lora_for_model(lora_path, model_path)  # llama.cpp would crash on the first prompt with an unusable adapter
        try:
            import llama_cpp
        except ImportError:
            raise EvalError("llama-cpp-python is not installed; run `pip install llama-cpp-python` or use --engine transformers.") from None
        self._lib = llama_cpp
        offload = bool(llama_cpp.llama_supports_gpu_offload())
        self.device = "gpu" if offload else "cpu"
        log = io.StringIO()
        try:
            with contextlib.redirect_stderr(log):
                self.llm = load_llama(
                    model_path=str(model_path),
                    lora_path=str(lora_path) if lora_path else None,
                    n_ctx=min(trained or context_length, context_length),
                    n_threads=threads or max(1, os.cpu_count() or 1),
                    n_gpu_layers=-1 if offload else 0,
                    seed=0,
                    verbose=False,
                )
        except (ValueError, RuntimeError) as error:
            detail = (log.getvalue().strip().splitlines() or [str(error)])[-1]
            what = f"{model_path.name} with the adapter {lora_path.name}" if lora_path else model_path.name
            raise EvalError(f"llama.cpp could not load {what} ({detail}); is the adapter for this model?") from None
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self.llm
        self._bos = llm.detokenize([llm.token_bos()], special=True).decode("utf-8", "replace") if llm.token_bos() >= 0 else ""
        eos = llm.detokenize([llm.token_eos()], special=True).decode("utf-8", "replace") if llm.token_eos() >= 0 else ""
        template = llm.metadata.get("tokenizer.chat_template") or PLAIN_CHAT_TEMPLATE
        self._formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=self._bos, add_generation_prompt=True)

    def render(self, messages: list[dict[str, str]]) -> str:
        return self._formatter(messages=messages).prompt

    def generate(self, prompts, max_new_tokens, stop_at, cancel) -> list[Generation]:
        llm, lib = self.llm, self._lib
        vocab = llm._model.vocab
        generations = []
        for row, messages in enumerate(prompts):
            prompt = self.render(messages)
            if self._bos and prompt.startswith(self._bos):
                prompt = prompt[len(self._bos) :]  # the template writes the BOS token, and tokenize adds it too
            tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
            if len(tokens) + max_new_tokens > llm.n_ctx():
                raise EvalError(
                    f"A prompt of {len(tokens)} tokens plus {max_new_tokens} new ones does not fit the "
                    f"{llm.n_ctx()}-token context; lower --max-new-tokens."
                )
            output = bytearray()
            count = 0
            for token in llm.generate(tokens, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0):
                if lib.llama_vocab_is_eog(vocab, token):
                    break
                count += 1
                piece = llm.detokenize([token])
                output += piece
                if b"\n" in piece and stop_at(row, output.decode("utf-8", "replace")) is not None:
                    break
                if count >= max_new_tokens or cancel.is_set():
                    break
            if cancel.is_set():
                return []
            text = output.decode("utf-8", "replace")
            cut = stop_at(row, text)
            generations.append(Generation(text[:cut] if cut is not None else text, count))
        return generations

    def close(self) -> None:
        self.llm.close()
