"""Evaluation: a model (with or without a trained LoRA adapter) answers held-out questions, greedily, and is graded.

Questions come from an exported dataset's split (``validation``, ``test``),
from local benchmark files (GPQA csv, MMLU-Pro parquet/jsonl, SuperGPQA jsonl,
read by ``core.benchmarks``), or from a file of WildSci-style questions. Every
question is asked with the prompt training uses (``core.export.prompt_messages``)
and graded by ``core.grading``, the code behind the training reward, so an
eval's accuracy is the reward a policy would have earned.

Two engines generate: transformers (an HF folder, or a GGUF file de-quantized;
a PEFT adapter merged in; batched, on CUDA when there is one) and llama.cpp (a
GGUF file, with a GGUF LoRA adapter, or a PEFT adapter converted to one by
``train.gguf_lora``). Decoding is greedy, so an eval is repeatable, and stops
once the model has written its final "Answer: ..." line (the prompt asks for it
last), so a base model that keeps writing new questions does not burn tokens.

Each eval is stored in ``evals`` only when it is complete (its completions go
to ``<library>/evals/<id>.jsonl``); ``compare`` sets an adapter's eval beside
the base model's eval of the same questions.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from papergym.core.dataset.json_text import parse_json
from papergym.core.dataset.prompt import PROMPT_VERSION, prompt_messages
from papergym.core.dataset.splits import NO_DISCIPLINE
from papergym.core.errors import PapergymError
from papergym.core.questions.grading import extract_letter, extract_number, final_answer_text, grade

if TYPE_CHECKING:
    from papergym.core.library import Library
    from papergym.train.backends import BaseModel

DEFAULT_MAX_NEW_TOKENS = 256
ENGINES = ("auto", "transformers", "llama.cpp")
EVALS_DIR = "evals"
LORA_CACHE_DIR = Path("models") / "lora"
SAMPLES_KEPT = 5
STOP_RULE = "answer-line-1"  # part of an eval's identity: a changed stopping rule is a different eval
_SPLIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# A line that states the final answer: "Answer: C", "**Final answer:** 4.2 mW", "The answer is (B)".
_ANSWER_LINE = re.compile(r"^[ \t*_#>-]*(?:the\s+)?(?:final\s+)?answer\s*[*_]*\s*(?:is\b|:|=)[^\n]*\n", re.I | re.M)


class EvalError(PapergymError):
    """An evaluation that cannot run as asked; the message says what to change."""


class EvalCancelled(PapergymError):
    """The evaluation was cancelled; nothing was stored."""


# -- questions ------------------------------------------------------------------------------


@dataclass
class EvalQuestion:
    """One question to ask, in the shape ``core.grading.grade`` reads."""

    id: str
    kind: str  # mcq | numeric | exact
    question: str
    options: list[str]
    answer: str  # a letter (mcq), a number as text (numeric) or a term (exact)
    unit: str | None = None
    tolerance: float | None = None
    aliases: list[str] = field(default_factory=list)
    discipline: str | None = None

    def prompt(self) -> list[dict[str, str]]:
        return prompt_messages(self.question, self.kind, self.options, self.unit)

    def grading(self) -> dict:
        return {
            "kind": self.kind,
            "answer": self.answer,
            "options": self.options,
            "unit": self.unit,
            "tolerance": self.tolerance,
            "aliases": self.aliases,
        }


@dataclass
class EvalSet:
    """The questions of one eval and where they came from."""

    questions: list[EvalQuestion]
    dataset: str  # stored in evals.dataset: the split's name, or the file or folder evaluated
    description: str  # for people: "the validation split of /data/export (40 questions)"
    source_kind: str  # split | benchmark | questions
    available: int  # questions before --limit
    path: str | None = None  # the dataset folder (a split) or the file/folder
    skipped: dict[str, int] = field(default_factory=dict)  # unusable rows by reason

    @property
    def fingerprint(self) -> str:
        """A hash of exactly what is asked and the key, so two evals match only on the same questions."""
        digest = hashlib.sha256(PROMPT_VERSION.encode())
        for question in self.questions:
            digest.update(
                json.dumps(
                    [question.id, question.kind, question.question, question.options, question.answer, question.unit], ensure_ascii=False
                ).encode()
            )
        return digest.hexdigest()[:24]


def _limited(questions: list[EvalQuestion], limit: int | None) -> list[EvalQuestion]:
    """At most ``limit`` questions, picked by a hash of their ids (spread over the file, the same every time), in file order."""
    if limit is None or limit >= len(questions):
        return questions
    ranked = sorted(range(len(questions)), key=lambda index: hashlib.sha256(questions[index].id.encode()).hexdigest())
    keep = set(ranked[:limit])
    return [question for index, question in enumerate(questions) if index in keep]


def load_eval_set(on: str | Path, dataset: str | Path | None = None, limit: int | None = None) -> EvalSet:
    """The questions ``--on`` names: a split of the ``dataset`` export, or a benchmark/question file or folder."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise EvalError(f"--limit must be a whole number of 1 or more, not {limit!r}.")
    text = str(on)
    path = Path(text).expanduser()
    if path.exists():
        eval_set = _from_path(path.resolve())
    elif _SPLIT_NAME.fullmatch(text):
        eval_set = _from_split(text, dataset)
    else:
        raise EvalError(f"--on {text}: no such file or folder, and not a split name like validation or test.")
    eval_set.available = len(eval_set.questions)
    eval_set.questions = _limited(eval_set.questions, limit)
    if not eval_set.questions:
        raise EvalError(f"{eval_set.description} holds no question that can be graded.")
    return eval_set


def _from_split(split: str, dataset: str | Path | None) -> EvalSet:
    from papergym.train.config import LIBRARY_DATASET, TrainConfig
    from papergym.train.data import load_training_data

    if dataset is None or str(dataset) == LIBRARY_DATASET:
        raise EvalError(f"--on {split} needs --dataset DIR, a folder written by `papergym export`.")
    folder = Path(dataset).expanduser()
    if not folder.exists():
        raise EvalError(f"The dataset folder {folder} does not exist; export one with `papergym export OUT`.")
    data = load_training_data(TrainConfig(dataset=str(folder), split=split))
    questions = [
        EvalQuestion(
            id=row["id"],
            kind=row["kind"],
            question=row["question"],
            options=list(row["options"]),
            answer=row["answer"],
            unit=row.get("unit"),
            tolerance=row.get("tolerance"),
            aliases=list(row.get("aliases") or []),
            discipline=row.get("discipline"),
        )
        for row in data.rows
    ]
    return EvalSet(
        questions, split, f"the {split} split of {folder.resolve()}", "split", len(questions), str(folder.resolve()), dict(data.skipped)
    )


def _from_path(path: Path) -> EvalSet:
    from papergym.core.dataset.benchmarks import load_benchmark_file, load_benchmark_folder

    if path.is_dir():
        if (path / "dataset_dict.json").is_file():
            raise EvalError(f"{path} is an exported dataset; pass --on validation (or test) --dataset {path}.")
        items = load_benchmark_folder(path)
        return _benchmark_set(items, path)
    if not path.is_file():
        # A FIFO or a device would block the first read forever.
        raise EvalError(f"--on {path} is not a regular file (a pipe, socket or device); give a benchmark or question file.")
    if _is_benchmark_file(path):
        return _benchmark_set(load_benchmark_file(path), path)
    return _question_file_set(path)


def _first_columns(path: Path) -> set[str]:
    """The column names of a data file's first row (or its schema), to tell benchmarks from question files."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return set(pq.read_schema(path).names)
        except Exception:
            return set()
    if suffix in (".jsonl", ".json", ".ndjson"):
        try:
            with path.open(encoding="utf-8-sig") as handle:
                head = handle.read(1 << 16).lstrip()
            if head.startswith("["):
                records = parse_json(path.read_text(encoding="utf-8-sig"))
                return set(records[0]) if isinstance(records, list) and records and isinstance(records[0], dict) else set()
            first = parse_json(head.splitlines()[0]) if head else {}
            return set(first) if isinstance(first, dict) else set()
        except (OSError, ValueError, IndexError):
            return set()
    return set()


def _is_benchmark_file(path: Path) -> bool:
    from papergym.core.dataset.benchmarks import GPQA_COLUMNS, MMLU_PRO_COLUMNS, SUPERGPQA_COLUMNS

    if path.suffix.lower() == ".csv":
        return True
    columns = _first_columns(path)
    return any(set(required) <= columns for required in (GPQA_COLUMNS, MMLU_PRO_COLUMNS, SUPERGPQA_COLUMNS))


def _benchmark_set(items, path: Path) -> EvalSet:
    questions = [
        EvalQuestion(
            id=f"{item.source}:{item.item_id}",
            kind="mcq",
            question=item.question,
            options=list(item.options),
            answer=item.answer,
            discipline=item.discipline or item.source,
        )
        for item in items
    ]
    sources = sorted({item.source for item in items})
    return EvalSet(questions, str(path), f"{path} ({', '.join(sources)})", "benchmark", len(questions), str(path))


def _question_file_set(path: Path) -> EvalSet:
    """A JSON lines / JSON / Parquet file of WildSci-style questions (or rows of a papergym export)."""
    from papergym.core.dataset.import_questions import BadRow, row_to_question

    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".json", ".ndjson", ".parquet"):
        raise EvalError(f"{path} is not a question file; give a .jsonl, .json or .parquet file, a GPQA .csv, or a benchmark folder.")
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            rows = pq.read_table(path).to_pylist()
        else:
            text = path.read_text(encoding="utf-8-sig")
            if text.lstrip().startswith("["):
                rows = parse_json(text)
            else:
                rows = [parse_json(line) for line in text.splitlines() if line.strip()]
    except (OSError, ValueError) as error:
        raise EvalError(f"{path} cannot be read as questions ({str(error).splitlines()[0]}).") from None
    except Exception as error:
        raise EvalError(f"{path} is not a readable Parquet file ({str(error).splitlines()[0]}).") from None
    questions: list[EvalQuestion] = []
    skipped: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        try:
            question, extra = row_to_question(row)
        except BadRow as reason:
            skipped[str(reason)] = skipped.get(str(reason), 0) + 1
            continue
        given_id = row.get("id") if isinstance(row, dict) else None
        questions.append(
            EvalQuestion(
                id=str(given_id) if given_id not in (None, "") else question.content_id(extra.get("paper_id") or f"{path.name}:{number}"),
                kind=question.kind,
                question=question.question,
                options=list(question.options),
                answer=question.answer,
                unit=question.unit,
                tolerance=question.tolerance,
                aliases=list(question.aliases),
                discipline=extra.get("discipline"),
            )
        )
    if not questions and skipped:
        reasons = "; ".join(f"{count} {reason}" for reason, count in list(skipped.items())[:3])
        raise EvalError(f"No row of {path} is a usable question ({reasons}).")
    return EvalSet(questions, str(path), str(path), "questions", len(questions), str(path), skipped)


# -- models and adapters -----------------------------------------------------------------------


@dataclass
class AdapterChoice:
    """A trained adapter to evaluate: a PEFT folder or a GGUF LoRA file, with its run when it came from one."""

    kind: str  # peft | gguf
    path: Path
    run_id: str | None = None
    base_model: str | None = None  # the run's --base-model, or the base the adapter records
    dataset: str | None = None  # the run's dataset folder (for --on validation without --dataset)
    notice: str | None = None


def resolve_adapter(library: Library, adapter: str | Path) -> AdapterChoice:
    """An adapter from a run id (or unique prefix, or "latest"), a PEFT adapter folder, or a GGUF LoRA file."""
    path = Path(str(adapter)).expanduser()
    if path.exists():
        return _adapter_from_path(path.resolve())
    from papergym.train.run import get_run

    run = get_run(library, str(adapter))
    dataset = run.get("dataset")
    base_model = run.get("base_model")
    if run.get("adapter_path") and Path(run["adapter_path"]).is_dir():
        return AdapterChoice("peft", Path(run["adapter_path"]), run["id"], base_model, dataset)
    checkpoints = sorted(
        (int(folder.name.rsplit("-", 1)[1]), folder)
        for folder in Path(run["output_dir"] or "").glob("checkpoint-*")
        if folder.name.rsplit("-", 1)[1].isdigit() and (folder / "adapter_config.json").is_file()
    )
    if not checkpoints:
        raise EvalError(
            f"Run {run['id']} has no adapter yet (it is {run['status']} at step {run.get('step') or 0}); "
            "wait until it saves a checkpoint or finishes."
        )
    step, folder = checkpoints[-1]
    return AdapterChoice(
        "peft",
        folder,
        run["id"],
        base_model,
        dataset,
        notice=f"Run {run['id']} is {run['status']}; evaluating its latest checkpoint (step {step}).",
    )


def _adapter_from_path(path: Path) -> AdapterChoice:
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise EvalError(f"{path} is neither a PEFT adapter folder nor a .gguf LoRA file.")
        from papergym.core.llm.lora_check import check_lora_file

        check_lora_file(path)
        return AdapterChoice("gguf", path)
    if not (path / "adapter_config.json").is_file():
        if (path / "adapter" / "adapter_config.json").is_file():  # a run's output folder
            path = path / "adapter"
        else:
            raise EvalError(f"{path} holds no adapter_config.json; give a PEFT adapter folder, a .gguf LoRA file or a run id.")
    base = None
    try:
        recorded = json.loads((path / "adapter_config.json").read_text(encoding="utf-8")).get("base_model_name_or_path")
    except (OSError, ValueError):
        recorded = None
    if recorded and Path(recorded).is_dir():
        base = recorded
        mark = Path(recorded) / "papergym-source.json"  # an HF folder papergym made from a GGUF file: name the GGUF
        if mark.is_file():
            try:
                base = json.loads(mark.read_text(encoding="utf-8"))["gguf"]
            except (OSError, ValueError, KeyError):
                pass
    return AdapterChoice("peft", path, base_model=base)


def resolve_model_source(library: Library, model: str) -> BaseModel:
    """The model ``--model`` names: an HF folder, a .gguf file, or a registered name (gemma3-270m is built in)."""
    from papergym.core.llm.models import ModelError, resolve_model
    from papergym.train.backends import BaseModel

    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise EvalError(f"{path} is not a Hugging Face model folder (it has no config.json); pass a model folder or a .gguf file.")
        return BaseModel("hf", path.resolve(), path.name)
    if path.is_file() and path.suffix.lower() != ".gguf":
        raise EvalError(f"{path} is neither a Hugging Face model folder nor a .gguf file; pass one of those to --model.")
    try:
        entry = resolve_model(library, model)
    except ModelError as error:
        raise EvalError(f"--model {model}: {error}") from None
    return BaseModel("gguf", Path(entry.path), entry.name)


def _file_identity(path: Path) -> list:
    """Path, size and modification time: enough to tell a changed model or adapter from the one evaluated before."""
    if path.is_dir():
        for name in ("adapter_model.safetensors", "model.safetensors", "config.json"):
            if (path / name).is_file():
                stat = (path / name).stat()
                return [str(path), stat.st_size, int(stat.st_mtime)]
        return [str(path)]
    stat = path.stat()
    return [str(path), stat.st_size, int(stat.st_mtime)]


def choose_engine(requested: str, model: BaseModel, adapter: AdapterChoice | None) -> str:
    """The engine an eval runs on: llama.cpp for a GGUF model on a machine without CUDA, transformers otherwise."""
    if requested not in ENGINES:
        raise EvalError(f"--engine {requested!r} is not one of {', '.join(ENGINES)}.")
    if adapter is not None and adapter.kind == "gguf":
        if model.kind != "gguf":
            raise EvalError("A GGUF LoRA adapter needs a GGUF base model; pass --model FILE.gguf or a registered model name.")
        if requested == "transformers":
            raise EvalError("transformers cannot apply a GGUF LoRA adapter; use --engine llama.cpp, or pass the PEFT adapter folder.")
        return "llama.cpp"
    if requested == "llama.cpp":
        if model.kind != "gguf":
            raise EvalError(f"--engine llama.cpp needs a GGUF model, and {model.path} is a Hugging Face folder; use --engine transformers.")
        return "llama.cpp"
    if requested == "transformers":
        return "transformers"
    if model.kind == "gguf":
        from papergym.train.config import cuda_available

        return "transformers" if cuda_available() else "llama.cpp"
    return "transformers"


# -- generating -------------------------------------------------------------------------------


@dataclass
class Generation:
    """One completion: its text (cut after the answer line) and how many tokens the model generated."""

    text: str
    tokens: int


StopAt = Callable[[int, str], "int | None"]  # (row in the batch, text so far) -> where to cut, or None to go on


class Generator(Protocol):
    """What ``evaluate`` needs from an engine."""

    engine: str
    device: str
    batch_size: int

    def generate(
        self, prompts: list[list[dict[str, str]]], max_new_tokens: int, stop_at: StopAt, cancel: threading.Event
    ) -> list[Generation]: ...

    def close(self) -> None: ...


def answer_line_end(text: str) -> int | None:
    """Where the first complete final-answer line of a completion ends (after its newline), or None."""
    found = _ANSWER_LINE.search(text)
    return found.end() if found else None


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
        dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if on_cuda else torch.float32
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


def lora_gguf_for(library: Library, adapter: AdapterChoice, model_path: Path) -> Path:
    """The adapter as a GGUF LoRA for llama.cpp, converted once and cached under ``<library>/models/lora/``."""
    from papergym.train.gguf_lora import convert_lora_to_gguf

    key = hashlib.sha256(json.dumps([_file_identity(adapter.path), _file_identity(model_path)]).encode()).hexdigest()[:16]
    target = library.folder / LORA_CACHE_DIR / f"{adapter.run_id or adapter.path.name}-{key}.gguf"
    if not target.is_file():
        convert_lora_to_gguf(adapter.path, target, base=model_path, outtype="f32")
    return target


# -- the eval -------------------------------------------------------------------------------------


@dataclass
class EvalProgress:
    """How far an eval has got."""

    done: int
    total: int
    correct: int
    seconds: float

    @property
    def questions_per_second(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


@dataclass
class EvalReport:
    """The outcome of one eval, as stored in ``evals`` (and more)."""

    id: str
    run_id: str | None
    model: str
    model_path: str
    adapter: str | None
    engine: str
    device: str
    dataset: str
    source: str
    questions: int
    correct: int
    accuracy: float
    extractable: float
    mean_length: float
    per_discipline: dict[str, dict]
    seconds: float
    load_seconds: float
    questions_per_second: float
    tokens_per_second: float
    max_new_tokens: int
    batch_size: int
    limit: int | None
    available: int
    fingerprint: str
    completions_path: str | None
    created_at: str
    skipped: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list, repr=False)  # one per question: id, answer, given, correct, tokens, completion

    @property
    def samples(self) -> list[dict]:
        return self.results[:SAMPLES_KEPT]

    def as_dict(self, with_results: bool = False) -> dict:
        data = {name: value for name, value in self.__dict__.items() if name != "results"}
        data["results" if with_results else "samples"] = self.results if with_results else self.samples
        return data


def _given_answer(question: EvalQuestion, completion: str) -> str | None:
    """The final answer a completion gives, as text, for the reader of a report."""
    if question.kind == "mcq":
        return extract_letter(completion, len(question.options))
    if question.kind == "numeric":
        parsed = extract_number(completion)
        return None if parsed is None else f"{parsed[0]:g} {parsed[1]}".strip()
    return final_answer_text(completion)


def summarize(questions: Sequence[EvalQuestion], grades: Sequence[bool | None], lengths: Sequence[int]) -> dict:
    """Accuracy (unreadable answers count as wrong), extractability and mean length, overall and per discipline."""

    def block(indices: list[int]) -> dict:
        count = len(indices)
        correct = sum(1 for index in indices if grades[index] is True)
        readable = sum(1 for index in indices if grades[index] is not None)
        return {
            "questions": count,
            "correct": correct,
            "accuracy": correct / count if count else 0.0,
            "extractable": readable / count if count else 0.0,
            "mean_length": sum(lengths[index] for index in indices) / count if count else 0.0,
        }

    by_discipline: dict[str, list[int]] = {}
    for index, question in enumerate(questions):
        by_discipline.setdefault(question.discipline or NO_DISCIPLINE, []).append(index)
    ordered = sorted(by_discipline.items(), key=lambda item: (-len(item[1]), item[0]))
    return {"overall": block(list(range(len(questions)))), "per_discipline": {name: block(indices) for name, indices in ordered}}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def evaluate(
    library: Library,
    *,
    model: str | None = None,
    adapter: str | Path | None = None,
    on: str | Path = "validation",
    dataset: str | Path | None = None,
    limit: int | None = None,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    batch_size: int | None = None,
    engine: str = "auto",
    threads: int | None = None,
    on_progress: Callable[[EvalProgress], None] | None = None,
    on_status: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    generator: Generator | None = None,
    store: bool = True,
) -> EvalReport:
    """Ask a model (with an adapter: a run id, a PEFT folder or a GGUF LoRA) the questions ``on`` names, and grade them.

    ``model`` defaults to the adapter's run's base model, else the library's
    default model; ``dataset`` (for a split) to the run's dataset folder. A
    ``generator`` already loaded may be passed in; ``model`` then only names it.
    ``on_status`` hears a line before the (slow) model load starts.
    The result is stored in ``evals`` only when every question was answered;
    cancelling raises ``EvalCancelled`` and stores nothing.
    """
    cancel = cancel or threading.Event()
    if not isinstance(max_new_tokens, int) or isinstance(max_new_tokens, bool) or max_new_tokens < 1:
        raise EvalError(f"--max-new-tokens must be a whole number of 1 or more, not {max_new_tokens!r}.")
    for option, value in (("--batch-size", batch_size), ("--threads", threads)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise EvalError(f"{option} must be a whole number of 1 or more, not {value!r}.")
    notices: list[str] = []
    adapter_choice = resolve_adapter(library, adapter) if adapter is not None else None
    if adapter_choice is not None and adapter_choice.notice:
        notices.append(adapter_choice.notice)
    if dataset is None and adapter_choice is not None and adapter_choice.dataset and not Path(str(on)).expanduser().exists():
        dataset = adapter_choice.dataset
    eval_set = load_eval_set(on, dataset, limit)

    load_started = time.perf_counter()
    if generator is not None:
        model_label = model or "model"
        model_path = model_label
        model_identity: list = [model_label]
        opened = False
    else:
        if model is None:
            model = (adapter_choice.base_model if adapter_choice is not None else None) or _default_model_name(library)
        source = resolve_model_source(library, model)
        model_label, model_path, model_identity = model, str(source.path), _file_identity(source.path)
        chosen = choose_engine(engine, source, adapter_choice)
        if on_status is not None:
            with_adapter = f" with the adapter {adapter_choice.run_id or adapter_choice.path.name}" if adapter_choice else ""
            on_status(f"Loading {model}{with_adapter} in {chosen} for {len(eval_set.questions)} questions…")
        generator, extra_notice = _open_generator(library, chosen, engine, source, adapter_choice, batch_size, threads)
        if extra_notice:
            notices.append(extra_notice)
        opened = True
    load_seconds = time.perf_counter() - load_started
    adapter_identity = _file_identity(adapter_choice.path) if adapter_choice is not None else None

    try:
        completions, seconds = _run(generator, eval_set.questions, max_new_tokens, on_progress, cancel)
    finally:
        if opened:
            generator.close()

    questions = eval_set.questions
    grades = [grade(question.grading(), completion.text) for question, completion in zip(questions, completions)]
    lengths = [completion.tokens for completion in completions]
    summary = summarize(questions, grades, lengths)
    overall = summary["overall"]
    identity = [model_identity, adapter_identity, generator.engine, eval_set.fingerprint, max_new_tokens, STOP_RULE]
    eval_id = "eval-" + hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()[:16]
    results = [
        {
            "id": question.id,
            "discipline": question.discipline,
            "kind": question.kind,
            "answer": question.answer,
            "given": _given_answer(question, completion.text),
            "correct": result,
            "tokens": completion.tokens,
            "completion": completion.text,
        }
        for question, completion, result in zip(questions, completions, grades)
    ]
    report = EvalReport(
        id=eval_id,
        run_id=adapter_choice.run_id if adapter_choice else None,
        model=model_label,
        model_path=model_path,
        adapter=str(adapter_choice.path) if adapter_choice else None,
        engine=generator.engine,
        device=generator.device,
        dataset=eval_set.dataset,
        source=eval_set.description,
        questions=len(questions),
        correct=overall["correct"],
        accuracy=overall["accuracy"],
        extractable=overall["extractable"],
        mean_length=overall["mean_length"],
        per_discipline=summary["per_discipline"],
        seconds=seconds,
        load_seconds=load_seconds,
        questions_per_second=len(questions) / seconds if seconds > 0 else 0.0,
        tokens_per_second=sum(lengths) / seconds if seconds > 0 else 0.0,
        max_new_tokens=max_new_tokens,
        batch_size=generator.batch_size,
        limit=limit,
        available=eval_set.available,
        fingerprint=eval_set.fingerprint,
        completions_path=None,
        created_at=_now(),
        skipped=eval_set.skipped,
        notices=notices,
        results=results,
    )
    if store:
        _store(library, report, eval_set)
    return report


def _default_model_name(library: Library) -> str:
    from papergym.core.llm.models import default_model

    return default_model(library).name


def _open_generator(
    library: Library,
    chosen: str,
    requested: str,
    source: BaseModel,
    adapter: AdapterChoice | None,
    batch_size: int | None,
    threads: int | None = None,
) -> tuple[Generator, str | None]:
    notice = None
    if chosen == "llama.cpp":
        lora = None
        if adapter is not None and adapter.kind == "gguf":
            lora = adapter.path
        elif adapter is not None:
            from papergym.train.gguf_lora import ConversionError

            try:
                lora = lora_gguf_for(library, adapter, source.path)
            except ConversionError as error:
                if requested == "llama.cpp":
                    raise
                notice = f"Evaluating with transformers: the adapter cannot run in llama.cpp ({error})"
                chosen = "transformers"
        if chosen == "llama.cpp":
            return LlamaCppGenerator(source.path, lora, threads=threads), notice
    from papergym.train.backends import hf_model_dir

    with contextlib.redirect_stdout(sys.stderr):  # its one-time conversion notice must not mix into --json output
        model_dir = hf_model_dir(source, library.folder)
    adapter_dir = adapter.path if adapter is not None else None
    return TransformersGenerator(model_dir, adapter_dir, batch_size=batch_size, threads=threads), notice


def _run(
    generator: Generator,
    questions: list[EvalQuestion],
    max_new_tokens: int,
    on_progress: Callable[[EvalProgress], None] | None,
    cancel: threading.Event,
) -> tuple[list[Generation], float]:
    """Every question's completion, in question order; batches hold prompts of similar length to pad less."""
    order = sorted(range(len(questions)), key=lambda index: len(questions[index].question) + sum(map(len, questions[index].options)))
    completions: list[Generation | None] = [None] * len(questions)
    correct = 0
    started = time.perf_counter()
    size = max(1, generator.batch_size)
    for start in range(0, len(order), size):
        if cancel.is_set():
            raise EvalCancelled("Evaluation cancelled; nothing was stored.")
        batch = order[start : start + size]
        batch_questions = [questions[index] for index in batch]

        def stop_at(row: int, text: str, batch_questions: list[EvalQuestion] = batch_questions) -> int | None:
            end = answer_line_end(text)
            # Stop at an answer line only once it gives a readable answer; "Answer: let me think" is not one.
            if end is not None and grade(batch_questions[row].grading(), text[:end]) is None:
                return None
            return end

        generated = generator.generate([question.prompt() for question in batch_questions], max_new_tokens, stop_at, cancel)
        if cancel.is_set():
            raise EvalCancelled("Evaluation cancelled; nothing was stored.")
        if len(generated) != len(batch):
            raise EvalError(f"The {generator.engine} engine returned {len(generated)} completions for {len(batch)} prompts.")
        for index, completion in zip(batch, generated):
            completions[index] = completion
            correct += grade(questions[index].grading(), completion.text) is True
        if on_progress is not None:
            on_progress(EvalProgress(min(start + size, len(order)), len(order), correct, time.perf_counter() - started))
    return completions, time.perf_counter() - started  # type: ignore[return-value]


def _store(library: Library, report: EvalReport, eval_set: EvalSet) -> None:
    """The completions file first (written whole, then renamed), then the row: a row always has its file."""
    folder = library.folder / EVALS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report.id}.jsonl"
    staging = folder / f".{report.id}.{uuid.uuid4().hex[:8]}.partial"
    try:
        with staging.open("w", encoding="utf-8") as handle:
            for result in report.results:
                handle.write(json.dumps(result, ensure_ascii=False) + "\n")
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    report.completions_path = str(path)
    config = {
        "engine": report.engine,
        "device": report.device,
        "model_path": report.model_path,
        "max_new_tokens": report.max_new_tokens,
        "batch_size": report.batch_size,
        "limit": report.limit,
        "available": report.available,
        "fingerprint": report.fingerprint,
        "source_kind": eval_set.source_kind,
        "source": report.source,
        "path": eval_set.path,
        "prompt_version": PROMPT_VERSION,
        "stop_rule": STOP_RULE,
        "correct": report.correct,
        "seconds": report.seconds,
        "load_seconds": report.load_seconds,
        "questions_per_second": report.questions_per_second,
        "tokens_per_second": report.tokens_per_second,
        "completions": str(path),
        "skipped": report.skipped,
    }
    with library.write() as db:
        db.execute("DELETE FROM evals WHERE id = ?", [report.id])  # the same eval again replaces its row
        db["evals"].insert(
            {
                "id": report.id,
                "run_id": report.run_id,
                "model": report.model,
                "adapter": report.adapter,
                "dataset": report.dataset,
                "questions": report.questions,
                "accuracy": report.accuracy,
                "extractable": report.extractable,
                "mean_length": report.mean_length,
                "per_discipline": json.dumps(report.per_discipline, ensure_ascii=False),
                "config": json.dumps(config, ensure_ascii=False),
                "created_at": report.created_at,
            }
        )


# -- reading and comparing -----------------------------------------------------------------------


def _decode(row: dict) -> dict:
    row = dict(row)
    row["per_discipline"] = json.loads(row["per_discipline"]) if row.get("per_discipline") else {}
    row["config"] = json.loads(row["config"]) if row.get("config") else {}
    return row


def list_evals(library: Library, run_id: str | None = None) -> list[dict]:
    """Stored evals, newest first (of one run when ``run_id`` is given)."""
    where, params = ("WHERE run_id = ?", [run_id]) if run_id else ("", [])
    return [_decode(row) for row in library.query(f"SELECT * FROM evals {where} ORDER BY created_at DESC, id", params)]


def get_eval(library: Library, eval_id: str) -> dict:
    """One stored eval by id or unique id prefix."""
    rows = library.query("SELECT * FROM evals WHERE id = ? OR id LIKE ? ORDER BY id LIMIT 2", [eval_id, eval_id.replace("%", "") + "%"])
    exact = [row for row in rows if row["id"] == eval_id]
    rows = exact or rows
    if not rows:
        raise EvalError(f"No eval has the id {eval_id}; `papergym eval --list` shows them.")
    if len(rows) > 1:
        raise EvalError(f"The id prefix {eval_id} matches several evals; type more of it.")
    return _decode(rows[0])


def find_base_eval(library: Library, adapted: dict | EvalReport) -> dict | None:
    """The newest eval of the adapter's base model on exactly the same questions and budget, or None.

    One on the same engine is preferred: llama.cpp and transformers differ a
    little in their arithmetic, and a before/after should differ only by the adapter.
    """
    row = adapted.as_dict() if isinstance(adapted, EvalReport) else adapted
    config = row.get("config") or {}
    model_path = config.get("model_path", row.get("model_path"))
    fingerprint = config.get("fingerprint", row.get("fingerprint"))
    max_new = config.get("max_new_tokens", row.get("max_new_tokens"))
    engine = config.get("engine", row.get("engine"))
    candidates = [
        _decode(candidate)
        for candidate in library.query(
            "SELECT * FROM evals WHERE adapter IS NULL AND json_extract(config, '$.model_path') = ? "
            "AND json_extract(config, '$.fingerprint') = ? AND json_extract(config, '$.max_new_tokens') = ? "
            "ORDER BY created_at DESC, id",
            [model_path, fingerprint, max_new],
        )
    ]
    same_engine = [candidate for candidate in candidates if candidate["config"].get("engine") == engine]
    return (same_engine or candidates or [None])[0]


@dataclass
class Comparison:
    """An adapter's eval beside its base model's eval of the same questions."""

    base: dict
    adapted: dict
    rows: list[dict]  # {"name", "questions", "before", "after", "delta"}: "all" first, then each discipline

    def as_dict(self) -> dict:
        keep = ("id", "model", "adapter", "run_id", "dataset", "questions", "accuracy", "extractable", "mean_length", "created_at")
        return {
            "base": {name: self.base.get(name) for name in keep} | {"engine": self.base["config"].get("engine")},
            "adapted": {name: self.adapted.get(name) for name in keep} | {"engine": self.adapted["config"].get("engine")},
            "rows": self.rows,
        }


def compare(library: Library, adapted: str | EvalReport | None = None) -> Comparison:
    """A before/after table: an adapter's eval (by id, a report, or the newest one) against its base model's.

    Rows: accuracy overall, extractability, mean length, then accuracy per discipline.
    """
    if isinstance(adapted, EvalReport):
        adapted_row = get_eval(library, adapted.id)
    elif adapted is not None:
        adapted_row = get_eval(library, adapted)
    else:
        rows = library.query("SELECT * FROM evals WHERE adapter IS NOT NULL ORDER BY created_at DESC, id LIMIT 1")
        if not rows:
            raise EvalError("No adapter has been evaluated yet; run `papergym eval --adapter RUN` first.")
        adapted_row = _decode(rows[0])
    if adapted_row.get("adapter") is None:
        raise EvalError(f"Eval {adapted_row['id']} is of a base model, not an adapter; compare an adapter's eval.")
    base_row = find_base_eval(library, adapted_row)
    if base_row is None:
        raise EvalError(
            f"No eval of the base model {adapted_row['model']} on the same {adapted_row['questions']} questions yet; "
            f"run `papergym eval --model {adapted_row['model']} --on {adapted_row['dataset']}` with the same --limit and --max-new-tokens."
        )
    rows = [
        _row("accuracy", base_row["questions"], base_row["accuracy"], adapted_row["accuracy"]),
        _row("extractable", base_row["questions"], base_row["extractable"], adapted_row["extractable"]),
        _row("mean length", base_row["questions"], base_row["mean_length"], adapted_row["mean_length"]),
    ]
    names = list(adapted_row["per_discipline"]) + [name for name in base_row["per_discipline"] if name not in adapted_row["per_discipline"]]
    for name in names:
        before = base_row["per_discipline"].get(name, {})
        after = adapted_row["per_discipline"].get(name, {})
        rows.append(
            _row(f"accuracy: {name}", after.get("questions", before.get("questions", 0)), before.get("accuracy"), after.get("accuracy"))
        )
    return Comparison(base_row, adapted_row, rows)


def _row(name: str, questions: int, before: float | None, after: float | None) -> dict:
    delta = after - before if before is not None and after is not None else None
    return {"name": name, "questions": questions, "before": before, "after": after, "delta": delta}
