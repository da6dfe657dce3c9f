"""The GPU training path, checked on the CPU with fakes of torch.cuda and Unsloth (issue 12's defects)."""

import json
import sys
import tomllib
import types
from pathlib import Path
from types import SimpleNamespace

import pytest
from papergym.core.errors import PapergymError
from papergym.core.library import Library

ROOT = Path(__file__).resolve().parents[2]


# -- precision on pre-Ampere cards ---------------------------------------------------------------


def test_precision_follows_the_compute_capability_not_torchs_bf16_answer():
    from papergym.train.backends import training_precision

    assert training_precision((7, 5), "qwen2") == "fp16"  # T4, RTX 20xx: torch says bf16 is "supported"
    assert training_precision((6, 1), "llama") == "fp16"  # GTX 10xx
    assert training_precision((8, 0), "qwen2") == "bf16"  # A100
    assert training_precision((9, 0), "gemma3_text") == "bf16"  # H100
    assert training_precision((7, 0), "gemma3_text") == "fp32"  # V100: Gemma 3 overflows in fp16
    assert training_precision(None, "qwen2") == "fp32"  # CPU
    assert training_precision((8, 6), "qwen2", bf16_supported=False) == "fp16"  # Unsloth's answer wins


class _Stop(Exception):
    """Raised by the fake Unsloth loader once it has recorded what it was asked for."""


def _fake_gpu(monkeypatch, capability):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)  # what torch answers on a T4
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=0: capability)


def _fake_unsloth(monkeypatch, bf16: bool, calls: list, fail_with_vllm: BaseException | None = None):
    class FastLanguageModel:
        @staticmethod
        def from_pretrained(**kwargs):
            calls.append(kwargs)
            if kwargs.get("fast_inference") and fail_with_vllm is not None:
                raise fail_with_vllm
            raise _Stop

    module = types.ModuleType("unsloth")
    module.FastLanguageModel = FastLanguageModel
    module.is_bfloat16_supported = lambda: bf16
    monkeypatch.setitem(sys.modules, "unsloth", module)


def _hf_folder(tmp_path: Path, model_type: str) -> Path:
    folder = tmp_path / model_type
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": model_type}), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("model_type", "expected"), [("qwen2", "float16"), ("gemma3_text", "float32")])
def test_unsloth_on_a_t4_loads_without_bf16(tmp_path, monkeypatch, model_type, expected):
    import torch
    from papergym.train import backends
    from papergym.train.config import TrainConfig

    _fake_gpu(monkeypatch, (7, 5))
    calls: list = []
    _fake_unsloth(monkeypatch, bf16=False, calls=calls)
    monkeypatch.setattr(backends, "vllm_importable", lambda: False)
    with pytest.raises(_Stop):
        backends.build_unsloth_trainer(TrainConfig(), _hf_folder(tmp_path, model_type), [], tmp_path / "out", [])
    assert calls[0]["dtype"] == getattr(torch, expected)


# -- vLLM: never forced, falls back, its memory share is an option ---------------------------------


def test_a_broken_vllm_falls_back_to_unsloths_generate(monkeypatch):
    from papergym.train import backends
    from papergym.train.config import TrainConfig

    calls: list = []
    said: list = []

    class FastLanguageModel:
        @staticmethod
        def from_pretrained(**kwargs):
            calls.append(kwargs)
            if kwargs["fast_inference"]:
                raise ImportError("libcudart.so.13: cannot open shared object file")
            return SimpleNamespace(), "tokenizer"

    monkeypatch.setattr(backends, "vllm_importable", lambda: True)
    config = TrainConfig(gpu_memory_utilization=0.4)
    _model, tokenizer, used_vllm = backends.load_unsloth_model(FastLanguageModel, config, Path("/m"), None, say=said.append)
    assert tokenizer == "tokenizer" and used_vllm is False
    assert [call["fast_inference"] for call in calls] == [True, False]
    assert calls[0]["gpu_memory_utilization"] == 0.4
    assert "vLLM could not start" in said[0] and "libcudart" in said[0]


def test_vllm_without_room_for_its_cache_names_the_memory_option(monkeypatch):
    from papergym.train import backends
    from papergym.train.config import TrainConfig

    class FastLanguageModel:
        @staticmethod
        def from_pretrained(**kwargs):
            raise ValueError("No available memory for the cache blocks. Try increasing `gpu_memory_utilization`.")

    monkeypatch.setattr(backends, "vllm_importable", lambda: True)
    with pytest.raises(PapergymError, match="--gpu-memory-utilization 0.5") as raised:
        backends.load_unsloth_model(FastLanguageModel, TrainConfig(), Path("/m"), None, say=lambda _: None)
    assert "--backend trl" not in str(raised.value)
    message = backends.out_of_memory_message(TrainConfig(backend="unsloth"))
    assert "--gpu-memory-utilization (now 0.5)" in message
    with pytest.raises(PapergymError, match="--gpu-memory-utilization"):
        TrainConfig(gpu_memory_utilization=1.5)


# -- the metrics callback: peaks, names, Unsloth's keys ---------------------------------------------


class FakeCuda:
    """torch.cuda's memory counters, driven by the test."""

    def __init__(self) -> None:
        self.allocated_peak = 0
        self.reserved_peak = 0
        self.resets = 0

    def max_memory_allocated(self):
        return self.allocated_peak

    def max_memory_reserved(self):
        return self.reserved_peak

    def memory_reserved(self):
        return 3 * 2**30

    def reset_peak_memory_stats(self):
        self.resets += 1
        self.allocated_peak = self.reserved_peak = 0


@pytest.fixture
def metrics_callback(tmp_path):
    from papergym.train.callbacks import MetricsCallback

    callback = MetricsCallback(tmp_path, "run-1", sample_completions=0)
    callback._cuda = FakeCuda()
    yield callback
    callback.close()


def _metrics(folder: Path) -> dict[tuple[int, str], float]:
    library = Library(folder)
    try:
        return {(row["step"], row["name"]): row["value"] for row in library.query("SELECT step, name, value FROM metrics")}
    finally:
        library.close()


def test_the_training_summary_keeps_the_last_steps_peak_memory(tmp_path, metrics_callback):
    state = SimpleNamespace(is_world_process_zero=True, global_step=5)
    metrics_callback.on_train_begin(None, state, None)
    metrics_callback._cuda.allocated_peak, metrics_callback._cuda.reserved_peak = 10 * 2**30, 12 * 2**30
    metrics_callback.on_log(None, state, None, logs={"loss": 0.1, "epoch": 1.0})
    metrics_callback._cuda.allocated_peak = 2 * 2**30  # saving the adapter after the last step
    metrics_callback.on_log(None, state, None, logs={"train_runtime": 30.0, "train_loss": 0.1, "epoch": 1.0})
    metrics = _metrics(tmp_path)
    assert metrics[(5, "peak_gpu_memory_gb")] == 10
    assert metrics[(5, "peak_gpu_reserved_gb")] == 12
    assert metrics[(5, "gpu_reserved_at_start_gb")] == 3
    assert metrics_callback._cuda.resets == 1


def test_trls_step_time_and_ours_are_both_kept(tmp_path, metrics_callback):
    state = SimpleNamespace(is_world_process_zero=True, global_step=1)
    metrics_callback.on_step_begin(None, state, None)
    metrics_callback.on_step_end(None, state, None)
    logs = {"step_time": 42.0, "loss": 0.0}
    metrics_callback.on_log(None, state, None, logs=logs)
    metrics = _metrics(tmp_path)
    assert metrics[(1, "step_time")] == 42.0
    assert metrics[(1, "papergym/step_seconds")] < 5
    assert logs["papergym/step_seconds"] == metrics[(1, "papergym/step_seconds")]  # the progress line's s/step and ETA read it


def test_unsloths_completion_length_fills_the_length_chart(tmp_path, metrics_callback):
    state = SimpleNamespace(is_world_process_zero=True, global_step=2)
    metrics_callback.on_log(None, state, None, logs={"completion_length": 87.0, "kl": 0.01, "reward": 0.5})
    metrics = _metrics(tmp_path)
    assert metrics[(2, "completions/mean_length")] == 87.0
    assert metrics[(2, "kl")] == 0.01


# -- Gemma 3 4B+: the vision tower stays out of LoRA and of the GGUF ---------------------------------


def test_lora_on_a_multimodal_model_skips_the_vision_tower():
    import torch
    from papergym.train.backends import lora_excluded_modules
    from peft import LoraConfig, get_peft_model

    def block():
        attention = torch.nn.Module()
        attention.q_proj = torch.nn.Linear(8, 8)
        layer = torch.nn.Module()
        layer.self_attn = attention
        holder = torch.nn.Module()
        holder.layers = torch.nn.ModuleList([layer])
        return holder

    model = torch.nn.Module()
    model.language_model = block()
    model.vision_tower = block()
    model.multi_modal_projector = torch.nn.Linear(8, 8)
    model.config = SimpleNamespace(tie_word_embeddings=False, model_type="toy", to_dict=lambda: {})
    model.multi_modal_projector.q_proj = torch.nn.Linear(8, 8)
    exclude = lora_excluded_modules(model)
    adapted = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj"], exclude_modules=exclude))
    names = [name for name, _ in adapted.named_modules() if name.endswith("lora_A")]
    assert names and all("language_model" in name for name in names)
    assert lora_excluded_modules(torch.nn.Linear(2, 2)) is None  # a text model: nothing to exclude, no PEFT warning


def test_a_gemma3_adapter_with_vision_layers_converts_its_text_layers(tmp_path):
    pytest.importorskip("gguf")
    import torch
    from papergym.train.gguf_lora import convert_lora_to_gguf
    from safetensors.torch import save_file

    base = tmp_path / "base"
    base.mkdir()
    config = {"model_type": "gemma3", "text_config": {"model_type": "gemma3_text", "num_attention_heads": 2, "num_hidden_layers": 1}}
    (base / "config.json").write_text(json.dumps(config), encoding="utf-8")
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 2, "lora_alpha": 4}), encoding="utf-8")
    text = "base_model.model.model.language_model.layers.0.self_attn.q_proj"
    vision = "base_model.model.model.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj"
    tensors = {
        f"{text}.lora_A.weight": torch.ones(2, 16),
        f"{text}.lora_B.weight": torch.ones(32, 2),
        f"{vision}.lora_A.weight": torch.zeros(2, 4),  # other shapes: it would overwrite the text pair before the fix
        f"{vision}.lora_B.weight": torch.zeros(4, 2),
    }
    save_file(tensors, str(adapter / "adapter_model.safetensors"))
    result = convert_lora_to_gguf(adapter, tmp_path / "lora.gguf", base=base, outtype="f32")
    assert result.tensor_pairs == 1 and result.architecture == "gemma3"
    import gguf

    shapes = {tensor.name: tuple(int(size) for size in tensor.shape) for tensor in gguf.GGUFReader(str(tmp_path / "lora.gguf")).tensors}
    assert shapes["blk.0.attn_q.weight.lora_a"] == (16, 2)


# -- the gpu extra, Unsloth's import error, its compile cache ----------------------------------------


def test_the_gpu_extra_pins_what_unsloth_requires():
    from papergym.train.doctor import GPU_STACK_LIMITS

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["gpu"]
    pins = {requirement.split("<")[0].split(">")[0].split("=")[0]: requirement for requirement in extras}
    assert "<" in pins["unsloth"]
    for package, limit in GPU_STACK_LIMITS.items():
        assert limit in pins[package], f"the gpu extra does not hold {package}{limit}"


@pytest.fixture
def fake_unsloth_package(tmp_path, monkeypatch):
    """An installed 'unsloth' whose import runs the given source."""
    monkeypatch.delitem(sys.modules, "unsloth", raising=False)
    monkeypatch.delenv("UNSLOTH_COMPILE_LOCATION", raising=False)
    package = tmp_path / "site" / "unsloth"
    package.mkdir(parents=True)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    from papergym.train import config as train_config

    monkeypatch.setattr(train_config, "cuda_available", lambda: True)

    def write(source: str) -> None:
        (package / "__init__.py").write_text(source, encoding="utf-8")

    yield write
    sys.modules.pop("unsloth", None)


def test_a_broken_unsloth_install_says_why(fake_unsloth_package):
    from papergym.train.config import TrainConfig, resolve_backend

    fake_unsloth_package("raise RuntimeError('Unsloth: your CUDA driver is too old for torch 2.14')\n")
    with pytest.raises(PapergymError, match="CUDA driver is too old") as raised:
        resolve_backend(TrainConfig(backend="unsloth"))
    assert "pip install unsloth" not in str(raised.value)


def test_unsloth_compiles_into_one_cache_per_library(fake_unsloth_package, tmp_path):
    from papergym.train.config import TrainConfig, resolve_backend

    record = tmp_path / "seen.txt"
    fake_unsloth_package(f"import os\nopen({str(record)!r}, 'w').write(os.environ.get('UNSLOTH_COMPILE_LOCATION', 'unset'))\n")
    assert resolve_backend(TrainConfig(backend="auto"), library_folder=tmp_path / "lib") == "unsloth"
    assert record.read_text() == str(tmp_path / "lib" / "cache" / "unsloth_compiled")


# -- evaluation on the GPU picks the same precision -------------------------------------------------


@pytest.mark.parametrize(
    ("capability", "model_type", "expected"),
    [((7, 5), "qwen2", "float16"), ((8, 9), "qwen2", "bfloat16"), ((7, 0), "gemma3_text", "float32")],
)
def test_eval_on_a_gpu_uses_bf16_only_from_ampere(tmp_path, monkeypatch, capability, model_type, expected):
    import torch
    from papergym.train.evaluation.transformers_engine import eval_dtype

    _fake_gpu(monkeypatch, capability)
    assert eval_dtype(torch, "cuda", _hf_folder(tmp_path, model_type)) == getattr(torch, expected)
    assert eval_dtype(torch, "cpu", tmp_path) == torch.float32


def test_a_run_says_what_it_is_about_to_do():
    from papergym.train.config import TrainConfig, format_seconds

    plan = TrainConfig(steps=200, num_generations=8, batch_size=16, max_completion_length=512).plan(120)
    assert plan.startswith("About to train 200 steps on 120 questions: 2 question(s) x 8 completions per step, 3200 completions")
    assert "at most 1,638,400 generated tokens" in plan
    assert "from step 50" in TrainConfig(steps=200).plan(10, start_step=50)
    assert [format_seconds(value) for value in (42, 600, 7260)] == ["42 s", "10 min", "2 h 01 min"]


def test_the_progress_line_estimates_the_time_left_from_the_measured_steps(capsys):
    from papergym.train.worker import print_progress

    print_progress(50, 200, {"reward": 0.5})
    assert "left" not in capsys.readouterr().err  # nothing measured yet: no guess
    print_progress(50, 200, {"reward": 0.5, "papergym/step_seconds": 4.0})
    assert capsys.readouterr().err.strip().endswith("s/step 4  about 10 min left")


def test_the_training_benchmark_takes_the_peak_over_every_logged_step(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_train", ROOT / "bench" / "train.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    library = Library(tmp_path)
    try:
        rows = [
            (1, "peak_gpu_memory_gb", 9.5),
            (2, "peak_gpu_memory_gb", 7.0),  # the last interval is not the run's peak
            (1, "peak_gpu_reserved_gb", 11.0),
            (2, "peak_gpu_reserved_gb", 12.5),
            (1, "gpu_reserved_at_start_gb", 4.0),
            (1, "papergym/step_seconds", 3.0),
            (2, "papergym/step_seconds", 2.0),
            (2, "completion_length", 40.0),
        ]
        with library.write() as db:
            db["metrics"].insert_all(
                [{"run_id": "run-1", "step": step, "name": name, "value": value, "logged_at": "t"} for step, name, value in rows]
            )
        figures = bench.run_figures(library, "run-1")
    finally:
        library.close()
    assert figures["peak_gb"] == 9.5 and figures["peak_reserved_gb"] == 12.5 and figures["reserved_at_start_gb"] == 4.0
    assert figures["step_times"] == [3.0, 2.0]
    assert "completion_length" in figures["metric_names"]
