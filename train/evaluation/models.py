"""Which model and adapter an eval runs, and on which engine: run ids, PEFT folders, GGUF LoRA files, model names.

A PEFT adapter that must run in llama.cpp is converted to a GGUF LoRA once and
cached under the library, keyed by both files' identities.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.train.evaluation.errors import EvalError

if TYPE_CHECKING:
    from papergym.core.library import Library
    from papergym.train.backends import BaseModel


ENGINES = ("auto", "transformers", "llama.cpp")
LORA_CACHE_DIR = Path("models") / "lora"


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


def file_identity(path: Path) -> list:
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


def lora_gguf_for(library: Library, adapter: AdapterChoice, model_path: Path) -> Path:
    """The adapter as a GGUF LoRA for llama.cpp, converted once and cached under ``<library>/models/lora/``."""
    from papergym.train.gguf_lora import convert_lora_to_gguf

    key = hashlib.sha256(json.dumps([file_identity(adapter.path), file_identity(model_path)]).encode()).hexdigest()[:16]
    target = library.folder / LORA_CACHE_DIR / f"{adapter.run_id or adapter.path.name}-{key}.gguf"
    if not target.is_file():
        convert_lora_to_gguf(adapter.path, target, base=model_path, outtype="f32")
    return target
