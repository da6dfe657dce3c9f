"""llama.cpp in process, through llama-cpp-python, with fast JSON-schema constrained decoding.

Constrained decoding in llama-cpp-python checks the grammar against the whole
vocabulary at every step (262k tokens for Gemma 3), which makes it about 4x
slower than free decoding. This backend samples each token freely first and
only asks the grammar whether that one token is allowed; the full grammar
pass runs only for the rare token the model gets wrong. The output is exactly
as constrained, at close to free-decoding speed.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import math
import os
import threading
import time
from pathlib import Path

from papergym.core.llm.backend import BackendError, Completion, Message, stop_if_cancelled

DEFAULT_CONTEXT = 8192
# llama-cpp-python's schema converter lets raw control characters into JSON strings; JSON forbids them.
_LOOSE_CHAR_RULE = 'char ::= [^"\\\\]'
_STRICT_CHAR_RULE = 'char ::= [^"\\\\\\x7F\\x00-\\x1F]'


_LOAD_LOCK = threading.Lock()


def cpu_has_amx() -> bool:
    """Whether this CPU reports Intel AMX tiles (Linux; elsewhere assumed not)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            return any(line.startswith("flags") and " amx_tile" in line for line in cpuinfo)
    except OSError:
        return False


def extra_buffers_allowed() -> bool:
    """Whether ggml may use its extra CPU buffer types (AMX tiles, repacked weights).

    llama.cpp built for the machine it runs on (pip's default) uses AMX on
    CPUs that have it, and its AMX matrix multiply died with a general
    protection fault on the first prompt on a Xeon with AMX (llama-cpp-python
    0.3.36). Without the extra buffers it runs, a little slower; set
    PAPERGYM_LLAMA_EXTRA_BUFFERS=1 to use them anyway, or =0 to turn them off everywhere.
    """
    setting = os.environ.get("PAPERGYM_LLAMA_EXTRA_BUFFERS", "").strip().lower()
    if setting:
        return setting not in ("0", "no", "off", "false")
    return not cpu_has_amx()


@contextlib.contextmanager
def model_defaults_for_this_cpu():
    """Within it, llama-cpp-python loads models without ggml's extra CPU buffers where they would crash.

    ``Llama()`` takes no argument for them, so the library's default model
    parameters are adjusted while the block runs (one block at a time).
    """
    if extra_buffers_allowed():
        yield
        return
    import llama_cpp.llama_cpp as low_level

    with _LOAD_LOCK:
        defaults = low_level.llama_model_default_params

        def without_extra_buffers():
            params = defaults()
            if any(name == "use_extra_bufts" for name, *_ in params._fields_):
                params.use_extra_bufts = False
            return params

        low_level.llama_model_default_params = without_extra_buffers
        try:
            yield
        finally:
            low_level.llama_model_default_params = defaults


def load_llama(**kwargs):
    """``llama_cpp.Llama(**kwargs)``, without ggml's extra CPU buffer types where they would crash."""
    import llama_cpp

    with model_defaults_for_this_cpu():
        return llama_cpp.Llama(**kwargs)


# Runs llama-cpp-python's OpenAI-compatible server with the same protection (for tests and benchmarks):
# python -c SERVE_LLAMA_CPP_SERVER --model M --port P ...
SERVE_LLAMA_CPP_SERVER = (
    "import runpy, sys; from papergym.core.llm.llamacpp import model_defaults_for_this_cpu\n"
    "with model_defaults_for_this_cpu():\n"
    "    sys.argv[0] = 'llama_cpp.server'; runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)\n"
)


def json_complete_at(data: bytes | bytearray, start: int = 0) -> int | None:
    """Index just past the first complete top-level JSON object or array in ``data``, or None."""
    depth = 0
    in_string = escaped = False
    begun = False
    for index in range(start, len(data)):
        byte = data[index]
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
            continue
        if byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):  # { [
            depth += 1
            begun = True
        elif byte in (0x7D, 0x5D):  # } ]
            depth -= 1
            if begun and depth == 0:
                return index + 1
    return None


class _Sampler:
    """One request's sampling state: a free chain and, for constrained output, a grammar."""

    def __init__(self, llama_cpp, vocab, grammar: str | None, temperature: float, seed: int) -> None:
        self._lib = llama_cpp
        self.free = self._chain(temperature, seed, grammar=None, vocab=vocab)
        self.constrained = self._chain(temperature, seed, grammar=grammar, vocab=vocab) if grammar else None
        self.grammar_fallbacks = 0

    def _chain(self, temperature: float, seed: int, grammar: str | None, vocab):
        lib = self._lib
        chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        if grammar is not None:
            # Grammar first: in the fallback path it must see the whole vocabulary.
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_grammar(vocab, grammar.encode(), b"root"))
        if temperature <= 0:
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_greedy())
        else:
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_k(40))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_p(0.95, 1))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_min_p(0.05, 1))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_temp(temperature))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_dist(seed))
        return chain

    def _grammar_allows(self, token: int) -> bool:
        lib = self._lib
        grammar = lib.llama_sampler_chain_get(self.constrained, 0)
        candidate = (lib.llama_token_data * 1)()
        candidate[0].id = token
        candidate[0].logit = 0.0
        candidate[0].p = 0.0
        array = lib.llama_token_data_array(data=ctypes.cast(candidate, lib.llama_token_data_p), size=1, selected=-1, sorted=False)
        lib.llama_sampler_apply(grammar, ctypes.byref(array))
        return not math.isinf(candidate[0].logit)

    def sample(self, ctx) -> int:
        """The next token; llama_sampler_sample accepts it into the chain that chose it."""
        lib = self._lib
        token = lib.llama_sampler_sample(self.free, ctx, -1)
        if self.constrained is not None:
            if self._grammar_allows(token):
                lib.llama_sampler_accept(self.constrained, token)
            else:
                self.grammar_fallbacks += 1
                token = lib.llama_sampler_sample(self.constrained, ctx, -1)
        return token

    def close(self) -> None:
        for chain in (self.free, self.constrained):
            if chain is not None:
                self._lib.llama_sampler_free(chain)


@contextlib.contextmanager
def _quiet_llama_log():
    """Keep llama.cpp's load-time chatter (printed through Python's stderr) off the user's terminal."""
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        yield captured


class LlamaCppBackend:
    """A GGUF model loaded in this process."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        context_length: int | None = None,
        threads: int | None = None,
        gpu_layers: int | None = None,
        seed: int = 0,
        name: str | None = None,
        lora_path: str | Path | None = None,
    ) -> None:
        path = Path(model_path)
        if lora_path is not None and not Path(lora_path).is_file():
            raise BackendError(f"The LoRA adapter {lora_path} does not exist; make one with `papergym convert RUN --to gguf-lora OUT`.")
        from papergym.core.llm.gguf import read_gguf_info
        from papergym.core.llm.lora_check import check_lora_for_model

        # The header check gives a clear error for a missing or non-GGUF file, and the trained context.
        trained = read_gguf_info(path).context_length
        if lora_path is not None:
            check_lora_for_model(lora_path, path)  # llama.cpp would crash on the first prompt with an unusable adapter
        try:
            import llama_cpp
        except ImportError:
            raise BackendError("llama-cpp-python is not installed: pip install llama-cpp-python") from None
        self._lib = llama_cpp
        if gpu_layers is None:
            gpu_layers = -1 if llama_cpp.llama_supports_gpu_offload() else 0
        # The full trained context (32k for Gemma 3) would cost memory nobody asked for: cap the default.
        context_length = context_length or min(trained or DEFAULT_CONTEXT, DEFAULT_CONTEXT)
        try:
            with _quiet_llama_log() as log:
                self._llm = load_llama(
                    model_path=str(path),
                    n_ctx=context_length,
                    n_threads=threads or max(1, (os.cpu_count() or 2)),
                    n_gpu_layers=gpu_layers,
                    seed=seed,
                    lora_path=str(lora_path) if lora_path else None,
                    verbose=False,
                )
        except (ValueError, RuntimeError) as error:
            detail = log.getvalue().strip().splitlines()[-1:] or [str(error)]
            what = f"{path} with the adapter {lora_path}" if lora_path else str(path)
            raise BackendError(
                f"llama.cpp could not load {what} ({detail[0]}); is the file complete and the adapter made for this model?"
            ) from None
        self.model_name = (name or path.stem) + (f"+{Path(lora_path).stem}" if lora_path else "")
        self.context_length = self._llm.n_ctx()
        self.chat_template = self._llm.metadata.get("tokenizer.chat_template")
        self.supports_chat = bool(self.chat_template)
        self.parallel = 1
        self._seed = seed
        self._lock = threading.Lock()
        self._grammars: dict[str, str] = {}
        self._vocab = self._llm._model.vocab
        self.grammar_fallbacks = 0

    # -- helpers ------------------------------------------------------------

    def _grammar_for(self, schema: dict) -> str:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            from llama_cpp.llama_grammar import json_schema_to_gbnf

            # The schema's own property order is kept: it is the order the model writes in.
            grammar = json_schema_to_gbnf(json.dumps(schema))
            # The converter lets raw control characters into strings, which JSON forbids.
            self._grammars[key] = grammar.replace(_LOOSE_CHAR_RULE, _STRICT_CHAR_RULE)
        return self._grammars[key]

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode(), add_bos=False, special=True))

    def _prepare(self, tokens: list[int]) -> tuple[int, float]:
        """Evaluate the prompt, reusing the longest prefix already in the KV cache; returns (reused, seconds)."""
        llm = self._llm
        reused = 0
        if llm.n_tokens:
            for cached, new in zip(llm._input_ids[: llm.n_tokens], tokens):
                if cached != new:
                    break
                reused += 1
            reused = min(reused, len(tokens) - 1)  # at least one token must run to get fresh logits
            if reused <= 0 or not llm._ctx.kv_cache_seq_rm(-1, reused, -1):
                reused = 0
                llm.reset()
                llm._ctx.kv_cache_clear()
            else:
                llm.n_tokens = reused
        started = time.perf_counter()
        llm.eval(tokens[reused:])
        return reused, time.perf_counter() - started

    def _top_logprobs(self, count: int) -> dict[str, float]:
        import numpy as np

        logits = np.ctypeslib.as_array(self._llm._ctx.get_logits(), shape=(self._llm.n_vocab(),)).astype(np.float64)
        peak = logits.max()
        log_total = peak + math.log(np.exp(logits - peak).sum())
        best = np.argpartition(-logits, count)[:count]
        best = best[np.argsort(-logits[best])]
        return {self._llm.detokenize([int(token)]).decode("utf-8", "replace"): float(logits[token] - log_total) for token in best}

    # -- the interface -------------------------------------------------------

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float = 0.7,
        stop: list[str] | None = None,
        json_schema: dict | None = None,
        logprobs: int | None = None,
        seed: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Completion:
        """One reply; a set ``cancel`` stops it within a token with GenerationCancelled (the model stays usable)."""
        lib, llm = self._lib, self._llm
        with self._lock:
            stop_if_cancelled(cancel)  # it may have been set while this request waited for the model
            started = time.perf_counter()
            tokens = llm.tokenize(prompt.encode(), add_bos=True, special=True)
            if len(tokens) + max_tokens > self.context_length:
                raise BackendError(
                    f"the prompt ({len(tokens)} tokens) plus {max_tokens} new tokens does not fit the "
                    f"{self.context_length}-token context of {self.model_name}"
                )
            reused, prompt_seconds = self._prepare(tokens)
            grammar = self._grammar_for(json_schema) if json_schema else None
            sampler = _Sampler(lib, self._vocab, grammar, temperature, self._seed if seed is None else seed)
            stops = [s.encode() for s in stop or []]
            output = bytearray()
            top: list[dict[str, float]] = []
            finish = "length"
            generated = 0
            try:
                for _ in range(max_tokens):
                    stop_if_cancelled(cancel)
                    if logprobs:
                        top.append(self._top_logprobs(logprobs))
                    token = sampler.sample(llm._ctx.ctx)
                    generated += 1
                    if lib.llama_vocab_is_eog(self._vocab, token):
                        finish = "stop"
                        break
                    output += llm.detokenize([token])
                    end = json_complete_at(output) if json_schema is not None else None
                    if end is not None:
                        output = output[:end]
                        finish = "stop"
                        break
                    cut = min((output.find(s) for s in stops if s in output), default=-1)
                    if cut >= 0:
                        output = output[:cut]
                        finish = "stop"
                        break
                    llm.eval([token])
            finally:
                self.grammar_fallbacks += sampler.grammar_fallbacks
                sampler.close()
            return Completion(
                text=bytes(output).decode("utf-8", "replace"),
                finish_reason=finish,
                prompt_tokens=len(tokens),
                completion_tokens=generated,
                cached_tokens=reused,
                seconds=time.perf_counter() - started,
                prompt_seconds=prompt_seconds,
                top_logprobs=top,
            )

    def render_chat(self, messages: list[Message]) -> str:
        """The prompt the model's own chat template makes of these messages."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self._llm
        formatter = Jinja2ChatFormatter(
            template=self.chat_template,
            eos_token=llm.detokenize([llm.token_eos()]).decode("utf-8", "replace"),
            bos_token=llm.detokenize([llm.token_bos()]).decode("utf-8", "replace"),
        )
        result = formatter(messages=[{"role": m.role, "content": m.content} for m in messages])
        return result.prompt

    def chat(self, messages: list[Message], **options) -> Completion:
        if not self.supports_chat:
            raise BackendError(f"{self.model_name} has no chat template; use a completion-style prompt")
        return self.complete(self.render_chat(messages), **options)

    def close(self) -> None:
        self._llm.close()
