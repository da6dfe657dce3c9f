"""bench/gpu_check.sh --dry-run: the GPU check's plan holds on a CPU machine (files, stage budgets, model shapes)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert "convert lora_load;" in finished.stdout and "ok    bench/gguf_lora_check.py knows --base, --shape and --lora" in finished.stdout


def test_the_gpu_check_refuses_an_unknown_option():
    finished = subprocess.run(["bash", str(ROOT / "bench" / "gpu_check.sh"), "--fast"], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2 and "unknown option --fast" in finished.stderr


def _tiny_run_lora(tmp_path):
    """A LoRA as the GPU check's run leaves one: on the qwen2-tiny bench model, converted to GGUF, its B off zero."""
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gguf")
    from papergym.train.gguf_lora import convert_lora_to_gguf
    from transformers import AutoModelForCausalLM

    built = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gpu_models.py"), str(tmp_path / "models"), "--models", "qwen2-tiny"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    base = tmp_path / "models" / "qwen2-tiny"
    model = AutoModelForCausalLM.from_pretrained(str(base), dtype=torch.float32)
    torch.manual_seed(1)
    adapted = peft.get_peft_model(model, peft.LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    with torch.no_grad():
        for name, parameter in adapted.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)
    adapted.save_pretrained(str(tmp_path / "adapter"))
    convert_lora_to_gguf(tmp_path / "adapter", tmp_path / "lora.gguf", base=base, outtype="f16")
    return base, tmp_path / "lora.gguf"


def _lora_check(*arguments):
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gguf_lora_check.py"), *arguments], capture_output=True, text=True, timeout=300
    )


def test_the_converted_lora_loads_in_llama_cpp_beside_its_base_and_generates(tmp_path):
    base, lora = _tiny_run_lora(tmp_path)
    checked = _lora_check("--base", str(base), "--lora", str(lora), "--work", str(tmp_path / "work"), "--tokens", "6")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "pass: llama.cpp loaded qwen2-tiny.f16.gguf with lora.gguf and generated 6 tokens" in checked.stdout
    moved = float(checked.stdout.split("moves the next-token logits by up to ")[1].split()[0].rstrip(";"))
    assert moved > 0  # the adapter was applied, not merely accepted
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(lora.read_bytes()[:200])
    failed = _lora_check("--base", str(tmp_path / "work" / "qwen2-tiny.f16.gguf"), "--lora", str(broken), "--work", str(tmp_path / "work"))
    assert failed.returncode == 1 and failed.stdout.startswith("fail: broken.gguf does not fit qwen2-tiny.f16.gguf"), failed.stdout
