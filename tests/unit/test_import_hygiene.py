"""The core stays importable without the UI or training stacks, and fast to import."""

import subprocess
import sys

import pytest

HEAVY = ("textual", "torch", "trl", "peft", "unsloth", "llama_cpp", "transformers")


@pytest.mark.parametrize(
    "module",
    ["papergym.core", "papergym.core.library", "papergym.core.ingest.importer", "papergym.core.ingest.extract", "papergym.tui.cli.main"],
)
def test_module_loads_no_heavy_library(module):
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"{module} imported {loaded}"
