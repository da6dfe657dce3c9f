"""Every module of core, train, the command line and the app imports fast: no training or inference stack (nor, outside the app, UI) at import.

The app lists runs, the CLI answers `papers` in a tenth of a second, and a spawned PDF reader starts quickly only
because nothing heavy loads until a function that needs it runs. One subprocess per module, so each starts clean.
"""

import importlib
import pkgutil
import subprocess
import sys

import pytest

TRAINING_STACK = ("torch", "transformers", "trl", "peft", "unsloth", "accelerate", "vllm")
INFERENCE_STACK = ("llama_cpp",)
DATA_STACK = ("datasets", "pyarrow", "pandas")
UI_STACK = ("textual",)

# What each part may not load when one of its modules is imported.
FORBIDDEN = {
    "papergym.core": TRAINING_STACK + INFERENCE_STACK + DATA_STACK + UI_STACK + ("click", "rich", "httpx"),
    "papergym.train": TRAINING_STACK + INFERENCE_STACK + DATA_STACK + UI_STACK,
    "papergym.tui.cli": TRAINING_STACK + INFERENCE_STACK + DATA_STACK + UI_STACK,
    # Textual is the app itself; torch, llama.cpp and datasets load only when a screen starts work that needs them.
    "papergym.tui.app": TRAINING_STACK + INFERENCE_STACK + DATA_STACK,
}


def _modules(package) -> list[str]:
    found = [package.__name__]
    found += [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return sorted(found)


# Modules that only the training process imports, and that subclass what they load.
ALLOWED = {"papergym.train.callbacks": TRAINING_STACK}  # subclasses transformers' TrainerCallback

CASES = [(module, part) for part in FORBIDDEN for module in _modules(importlib.import_module(part))]


@pytest.mark.parametrize(("module", "part"), CASES, ids=[module for module, _ in CASES])
def test_module_loads_no_heavy_library(module, part):
    heavy = tuple(name for name in FORBIDDEN[part] if name not in ALLOWED.get(module, ()))
    code = f"import sys, {module}; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"importing {module} loaded {loaded}"


def test_every_part_has_modules_to_check():
    # A packaging slip (a folder missing from pyproject's list) would make walk_packages find nothing.
    for part in FORBIDDEN:
        assert len(_modules(importlib.import_module(part))) > 3, part
