"""The transformers engine: an HF model (a GGUF file de-quantized, a PEFT adapter merged in), greedy, in batches, on CUDA when there is one."""

from __future__ import annotations

from pathlib import Path

from papergym.train.evaluation.errors import EvalError
from papergym.train.evaluation.generation import Generation


def eval_dtype(torch, device: str, model_dir: Path):
    """bf16 from Ampere (sm 8.0) on, fp16 before it (fp32 for Gemma 3, which overflows in fp16), fp32 on the CPU.

    ``torch.cuda.is_bf16_supported()`` says True on pre-Ampere cards too, where bf16 is emulated and slow.
    """
    from papergym.train.backends import model_type, training_precision

    capability = tuple(torch.cuda.get_device_capability(torch.device(device))) if device.startswith("cuda") else None
    precision = training_precision(capability, model_type(model_dir))
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]


class TransformersGenerator:
    """An HF model (plus a merged PEFT adapter) generating greedily in left-padded batches."""

    engine = "transformers"

    def __init__(
        self,
        model_dir: Path,
        adapter_dir: Path | None = None,
        *,
        batch_size: int | None = None,
        device: str | None = None,
        threads: int | None = None,
    ) -> None:
        import torch
        from papergym.train.backends import prepare_tokenizer
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self._torch = torch
        if threads:
            # torch's CPU thread pool stalls badly when another process holds one of its cores (a training run).
            torch.set_num_threads(threads)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        on_cuda = self.device.startswith("cuda")
        dtype = eval_dtype(torch, self.device, model_dir)
        self.batch_size = batch_size or (32 if on_cuda else 8)
        try:
            self.tokenizer = prepare_tokenizer(AutoTokenizer.from_pretrained(str(model_dir)))
            model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=dtype)
        except (OSError, ValueError) as error:
            raise EvalError(f"Cannot load the model in {model_dir} ({str(error).splitlines()[0]}); pass another --model.") from None
        if adapter_dir is not None:
            from peft import PeftModel

            try:
                # Merged once: the same function as base + B@A, at the speed of the plain model.
                model = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
            except (ValueError, KeyError, RuntimeError) as error:
                raise EvalError(
                    f"The adapter in {adapter_dir} does not fit the model in {model_dir} ({str(error).splitlines()[0]}); "
                    "pass the run's base model with --model."
                ) from None
        self.tokenizer.padding_side = "left"  # decoder-only models continue from the right edge
        self.model = model.to(self.device).eval()
        configured = self.model.generation_config.eos_token_id
        eos = set(configured if isinstance(configured, list) else [configured] if configured is not None else [])
        if self.tokenizer.eos_token_id is not None:
            eos.add(self.tokenizer.eos_token_id)
        self.eos_ids = sorted(eos)
        self.pad_id = self.tokenizer.pad_token_id

    def render(self, messages: list[dict[str, str]]) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def generate(self, prompts, max_new_tokens, stop_at, cancel) -> list[Generation]:
        from transformers import GenerationConfig, StoppingCriteria, StoppingCriteriaList

        torch = self._torch
        tokenizer = self.tokenizer
        texts = [self.render(messages) for messages in prompts]
        # The template writes the BOS token itself (as training's prompts do): do not add a second one.
        encoded = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        prompt_length = encoded["input_ids"].shape[1]

        class StopAfterAnswer(StoppingCriteria):
            def __init__(self) -> None:
                self.stopped: set[int] = set()

            def __call__(self, input_ids, scores, **kwargs):
                done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
                if cancel.is_set():
                    return done | True
                pieces = tokenizer.batch_decode(input_ids[:, -1:].tolist())
                for row, piece in enumerate(pieces):
                    # A final-answer line can only complete with a newline: decode the whole row only then.
                    if row not in self.stopped and "\n" in piece:
                        text = tokenizer.decode(input_ids[row, prompt_length:], skip_special_tokens=True)
                        if stop_at(row, text) is not None:
                            self.stopped.add(row)
                for row in self.stopped:
                    done[row] = True
                return done

        config = GenerationConfig(
            max_new_tokens=max_new_tokens,
            do_sample=False,
            num_beams=1,
            temperature=None,
            top_p=None,
            top_k=None,
            pad_token_id=self.pad_id,
            eos_token_id=self.eos_ids,
            repetition_penalty=None,
        )
        with torch.inference_mode():
            output = self.model.generate(**encoded, generation_config=config, stopping_criteria=StoppingCriteriaList([StopAfterAnswer()]))
        if cancel.is_set():
            return []
        ends = set(self.eos_ids) | ({self.pad_id} if self.pad_id is not None else set())
        generations = []
        for row, sequence in enumerate(output[:, prompt_length:].tolist()):
            count = next((index for index, token in enumerate(sequence) if token in ends), len(sequence))
            text = tokenizer.decode(sequence[:count], skip_special_tokens=True)
            cut = stop_at(row, text)
            generations.append(Generation(text[:cut] if cut is not None else text, count))
        return generations

    def close(self) -> None:
        del self.model
        if self.device.startswith("cuda"):
            self._torch.cuda.empty_cache()
