"""Benchmark GRPO + LoRA training: papergym's backends against a plain TRL script, same model and settings.

Each configuration runs in its own process (so peak memory is its own) for a few
steps on the same questions (the demo questions), and reports the median step
time after the first step and the peak memory (CUDA when there is a GPU, else
the process's resident set):

- plain TRL: GRPOTrainer + PEFT LoraConfig and one correctness reward, nothing else (the baseline);
- papergym --backend trl: the same through papergym (rewards, option reshuffle, metrics to SQLite);
- papergym --backend unsloth: only with CUDA and Unsloth installed.

It prints papergym-trl / plain-TRL (overhead, target close to 1.0) and, on a GPU,
unsloth against trl (targets: at most 0.66x the step time, at most 0.6x the peak VRAM), with
peak allocated and reserved VRAM and the metric names each backend logged.

    python bench/train.py [--base-model gemma3-270m|HF_DIR] [--steps 4] [--num-generations 4] [--max-completion-length 32]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


STEP_SECONDS = "papergym/step_seconds"  # the name train/callbacks.py logs, spelled here so the parent never imports transformers


def _peak_memory_gb() -> float:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**30
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kilobytes on Linux


def _library(folder: Path):
    from papergym.core.dataset.import_questions import import_questions
    from papergym.core.library import Library

    library = Library(folder)
    if not library.query("SELECT 1 FROM questions LIMIT 1"):
        import_questions(library, ROOT / "assets" / "demo_questions.jsonl", status="accepted")
    return library


def child_plain_trl(args) -> dict:
    """The baseline: TRL and PEFT as their docs show them, with the same data and numbers."""
    import torch
    from datasets import Dataset
    from papergym.core.dataset.prompt import prompt_messages
    from papergym.core.questions.grading import grade
    from papergym.train.backends import hf_model_dir, resolve_base_model
    from peft import LoraConfig
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    library = _library(Path(args.work) / "library")
    model_dir = hf_model_dir(resolve_base_model(args.base_model, library), library.folder)
    rows = library.query("SELECT question, options, answer, kind, unit, tolerance, aliases FROM questions")
    records = []
    for row in rows:
        options = json.loads(row["options"] or "[]")
        records.append(
            {
                "prompt": prompt_messages(row["question"], row["kind"], options, row["unit"]),
                "question_json": json.dumps({**row, "options": options, "aliases": json.loads(row["aliases"] or "[]")}),
            }
        )

    def correctness(completions, question_json, **kwargs):
        scores = []
        for completion, serialized in zip(completions, question_json):
            text = completion[-1]["content"] if isinstance(completion, list) else completion
            scores.append(1.0 if grade(json.loads(serialized), text) else 0.0)
        return scores

    times: list[float] = []

    class StepTimer(TrainerCallback):
        def on_step_begin(self, *a, **k):
            self.started = time.perf_counter()

        def on_step_end(self, *a, **k):
            times.append(time.perf_counter() - self.started)

    from papergym.train.backends import _checkpointing_args, model_type, training_precision
    from papergym.train.config import cuda_compute_capability
    from transformers import AutoModelForCausalLM

    cuda = torch.cuda.is_available()
    precision = training_precision(cuda_compute_capability() if cuda else None, model_type(model_dir))
    bf16 = precision == "bf16"
    config = GRPOConfig(
        output_dir=str(Path(args.work) / "plain"),
        max_steps=args.steps,
        num_generations=args.num_generations,
        per_device_train_batch_size=args.num_generations,
        max_completion_length=args.max_completion_length,
        learning_rate=5e-6,
        beta=0.04,
        logging_steps=1,
        report_to=[],
        save_strategy="no",
        seed=0,
        use_cpu=not cuda,
        bf16=bf16,
        fp16=precision == "fp16",
        **_checkpointing_args(GRPOConfig, cuda),  # as papergym's trl backend does
    )
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=dtype)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[correctness],
        args=config,
        train_dataset=Dataset.from_list(records),
        peft_config=LoraConfig(
            r=args.lora_rank, lora_alpha=2 * args.lora_rank, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], task_type="CAUSAL_LM"
        ),
        callbacks=[StepTimer()],
    )
    trainer.train()
    logged = sorted({name for entry in trainer.state.log_history for name in entry})
    reserved = torch.cuda.max_memory_reserved() / 2**30 if cuda else None
    return {"step_times": times, "peak_gb": _peak_memory_gb(), "peak_reserved_gb": reserved, "metric_names": logged}


def run_figures(library, run_id: str) -> dict:
    """A papergym run's step times, peak GPU memory and metric names, from its rows in ``metrics``.

    The peaks are the maxima over every logged step: the callback resets
    torch's peak counters at each log, so reading them after training would
    give the last interval's peak only.
    """
    rows = library.query("SELECT step, name, value FROM metrics WHERE run_id = ? ORDER BY step", [run_id])

    def series(name: str) -> list[float]:
        return [row["value"] for row in rows if row["name"] == name]

    allocated, reserved, at_start = series("peak_gpu_memory_gb"), series("peak_gpu_reserved_gb"), series("gpu_reserved_at_start_gb")
    return {
        "step_times": series(STEP_SECONDS),
        "peak_gb": max(allocated) if allocated else None,
        "peak_reserved_gb": max(reserved) if reserved else None,
        "reserved_at_start_gb": at_start[0] if at_start else None,
        "metric_names": sorted({row["name"] for row in rows}),
    }


def child_papergym(args) -> dict:
    from papergym.train.config import TrainConfig
    from papergym.train.run import run_foreground

    library = _library(Path(args.work) / "library")
    config = TrainConfig(
        base_model=args.base_model,
        backend=args.backend,
        steps=args.steps,
        num_generations=args.num_generations,
        max_completion_length=args.max_completion_length,
        lora_rank=args.lora_rank,
        save_steps=10**6,
    )
    result = run_foreground(library, config, on_progress=lambda *a: None)
    figures = run_figures(library, result["run_id"])
    if figures["peak_gb"] is None:  # on the CPU: the process's resident set
        figures["peak_gb"] = _peak_memory_gb()
    return figures


def _run_child(kind: str, args, work: Path) -> dict | None:
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--work",
        str(work),
        "--base-model",
        args.base_model,
        "--steps",
        str(args.steps),
        "--num-generations",
        str(args.num_generations),
        "--max-completion-length",
        str(args.max_completion_length),
        "--lora-rank",
        str(args.lora_rank),
    ]
    if kind.startswith("papergym-"):
        command += ["--backend", kind.removeprefix("papergym-")]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        print(f"{kind}: failed after {time.perf_counter() - started:.0f} s:\n{finished.stderr[-1500:]}")
        return None
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _median_step(result: dict) -> float:
    times = result["step_times"][1:] or result["step_times"]  # the first step pays for warm-up
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-model", default="gemma3-270m")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--num-generations", type=int, default=4)
    parser.add_argument("--max-completion-length", type=int, default=32)
    parser.add_argument("--lora-rank", type=int, default=8)
    parser.add_argument("--child", default=None)
    parser.add_argument("--work", default=None)
    parser.add_argument("--backend", default="trl")
    parser.add_argument("--only", default=None, help="Comma-separated runs to do: plain-trl, papergym-trl, papergym-unsloth.")
    parser.add_argument("--json-out", default=None, help="Also write every run's figures to this JSON file.")
    args = parser.parse_args()

    if args.child:
        result = child_plain_trl(args) if args.child == "plain-trl" else child_papergym(args)
        print(json.dumps(result))
        return

    import importlib.util

    cuda = False
    if importlib.util.find_spec("torch"):
        import torch

        cuda = torch.cuda.is_available()
    kinds = ["plain-trl", "papergym-trl"]
    if cuda and importlib.util.find_spec("unsloth"):
        kinds.append("papergym-unsloth")
    else:
        print("unsloth: skipped (needs a CUDA GPU and the unsloth package)")
    if args.only:
        kinds = [kind for kind in kinds if kind in args.only.split(",")]
    device = torch.cuda.get_device_name(0) if cuda else f"CPU ({os.cpu_count()} cores)"
    print(
        f"{args.base_model}, {args.steps} steps, {args.num_generations} generations of {args.max_completion_length} tokens, "
        f"LoRA r={args.lora_rank}, on {device}"
    )
    memory = "peak VRAM allocated" if cuda else "peak RSS"
    results = {}
    with tempfile.TemporaryDirectory(prefix="papergym-bench-train-") as work:
        for kind in kinds:
            # One library (and one GGUF conversion) for all runs; each run is its own process.
            result = _run_child(kind, args, Path(work))
            if result:
                results[kind] = result
                reserved = f"  reserved {result['peak_reserved_gb']:.2f} GiB" if result.get("peak_reserved_gb") is not None else ""
                at_start = (
                    f"  (reserved before step 1: {result['reserved_at_start_gb']:.2f} GiB)"
                    if result.get("reserved_at_start_gb") is not None
                    else ""
                )
                print(
                    f"{kind:17} median step {_median_step(result):6.2f} s  {memory} {result['peak_gb']:.2f} GiB{reserved}{at_start}  "
                    f"(steps: {', '.join(f'{t:.1f}' for t in result['step_times'])})"
                )
                print(f"{'':17} metrics logged: {', '.join(result.get('metric_names') or [])}")
    if "plain-trl" in results and "papergym-trl" in results:
        ratio = _median_step(results["papergym-trl"]) / _median_step(results["plain-trl"])
        print(f"papergym trl / plain TRL step time: {ratio:.2f} (overhead of rewards, reshuffling and metrics)")
    if "papergym-unsloth" in results and "papergym-trl" in results:
        unsloth, trl = results["papergym-unsloth"], results["papergym-trl"]
        step_ratio = _median_step(unsloth) / _median_step(trl)
        vram_ratio = unsloth["peak_gb"] / trl["peak_gb"]
        print(f"unsloth / trl: {step_ratio:.2f}x the step time (target <= 0.66), {vram_ratio:.2f}x the peak VRAM allocated (target <= 0.6)")
        only_trl = sorted(set(trl.get("metric_names") or []) - set(unsloth.get("metric_names") or []))
        only_unsloth = sorted(set(unsloth.get("metric_names") or []) - set(trl.get("metric_names") or []))
        print(f"metrics only trl logged: {', '.join(only_trl) or 'none'}; only unsloth: {', '.join(only_unsloth) or 'none'}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
