"""bench/gpu_check.sh --dry-run: the GPU check's plan holds on a CPU machine (files, stage budgets, model shapes)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_gpu_check_plan_holds_on_a_cpu(tmp_path):
    finished = subprocess.run(
        ["bash", str(ROOT / "bench" / "gpu_check.sh"), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHON": sys.executable, "OUT": str(tmp_path / "out"), "GPU_CHECK_WORK": str(tmp_path / "work")},
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "dry run: 0 problem(s)" in finished.stdout
    assert "budgets add up to" in finished.stdout and "FAIL" not in finished.stdout
    assert '"parameters": 494032768' in finished.stdout  # Qwen2.5-0.5B's real size: the shapes are right


def test_the_gpu_check_refuses_an_unknown_option():
    finished = subprocess.run(["bash", str(ROOT / "bench" / "gpu_check.sh"), "--fast"], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2 and "unknown option --fast" in finished.stderr
