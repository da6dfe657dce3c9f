"""Which of a run's checkpoints can be resumed from: the newest one whose files are all whole.

A run killed while the trainer writes ``checkpoint-N`` (kill -9, a full disk, a
power cut) leaves a folder with a missing or cut-short file; resuming from it
fails every time. Each file is checked from its own structure (JSON parses,
a safetensors header's tensors fit in the file, a torch archive has its
directory at the end), without importing torch, so the check is instant.
"""

from __future__ import annotations

import json
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CheckpointChoice", "checkpoint_problem", "choose_checkpoint"]

WEIGHT_FILES = ("adapter_model.safetensors", "adapter_model.bin", "model.safetensors", "pytorch_model.bin")
TORCH_SUFFIXES = (".pt", ".pth", ".bin")
MAX_SAFETENSORS_HEADER = 100 << 20


@dataclass
class CheckpointChoice:
    """The checkpoint to resume from (None: start at step 0) and why newer ones were passed over."""

    checkpoint: Path | None
    passed_over: list[str] = field(default_factory=list)  # "checkpoint-40: trainer_state.json is cut short"


def _safetensors_problem(path: Path) -> str | None:
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            return f"{path.name} is cut short"
        header_length = struct.unpack("<Q", head)[0]
        if header_length > min(size - 8, MAX_SAFETENSORS_HEADER):
            return f"{path.name} is cut short"
        try:
            header = json.loads(handle.read(header_length))
        except ValueError:
            return f"{path.name} has an unreadable header"
    if not isinstance(header, dict):
        return f"{path.name} has an unreadable header"
    ends = [entry["data_offsets"][1] for key, entry in header.items() if key != "__metadata__" and isinstance(entry, dict)]
    needed = 8 + header_length + max(ends, default=0)
    return f"{path.name} is cut short" if needed > size else None


def _json_problem(path: Path) -> str | None:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return f"{path.name} is cut short or not JSON"
    return None


def checkpoint_problem(folder: Path) -> str | None:
    """Why the checkpoint folder cannot be resumed from, or None when every file in it is whole."""
    try:
        state_file = folder / "trainer_state.json"
        if not state_file.is_file():
            return "trainer_state.json is missing"
        if not any((folder / name).is_file() for name in WEIGHT_FILES):
            return "the model weights are missing"
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            if path.suffix in (".json", ".safetensors", *TORCH_SUFFIXES) and path.stat().st_size == 0:
                return f"{path.name} is empty"
            if path.suffix == ".json":
                problem = _json_problem(path)
            elif path.suffix == ".safetensors":
                problem = _safetensors_problem(path)
            elif path.suffix in TORCH_SUFFIXES:
                # torch.save writes a zip archive, whose directory sits at the very end of the file.
                problem = None if zipfile.is_zipfile(path) else f"{path.name} is cut short"
            else:
                problem = None
            if problem:
                return problem
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if not isinstance(state, dict) or not isinstance(state.get("global_step"), int):
            return "trainer_state.json has no step"
    except OSError as error:
        return f"it cannot be read ({error.strerror or error})"
    return None


def choose_checkpoint(output_dir: Path) -> CheckpointChoice:
    """The newest whole ``checkpoint-N`` folder under a run's output folder, and the newer broken ones it passed over."""
    numbered = []
    for path in output_dir.glob("checkpoint-*"):
        suffix = path.name.rsplit("-", 1)[-1]
        if suffix.isdigit() and path.is_dir():
            numbered.append((int(suffix), path))
    choice = CheckpointChoice(checkpoint=None)
    for _, path in sorted(numbered, reverse=True):
        problem = checkpoint_problem(path)
        if problem is None:
            choice.checkpoint = path
            break
        choice.passed_over.append(f"{path.name}: {problem}")
    return choice
