"""Benchmark learnability filtering: the same short GRPO run on all demo questions and on the learnable ones only.

1. Imports the 18 demo questions (assets/demo_questions.jsonl) into a fresh library.
2. Measures each question's pass rate for the model to be trained (`papergym check --steps
   learnability`, sample mode: k completions of the training prompt at the training
   temperature, through llama.cpp) and prints the time the measurement costs per
   question, and the fast logprob mode's time for comparison.
3. Trains twice with the trl backend on the CPU, same model, seed, steps and settings:
   on every question (the baseline), then only on the learnable band. Prints each run's
   mean ``frac_reward_zero_std`` (share of GRPO groups whose completions all got the
   same reward: no gradient) and mean reward, and their ratio filtered / unfiltered.

The model is the built-in gemma3-270m (a real pretrained model, no download); the
measurement runs its GGUF through llama.cpp, training its de-quantized copy through
transformers. It is small, so most questions sit at chance or below and few are learnable.

    python bench/learnability.py [--steps 4] [--num-generations 4] [--max-completion-length 48] [--samples 8]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _library(folder: Path):
    from papergym.core.dataset.import_questions import import_questions
    from papergym.core.library import Library

    library = Library(folder)
    import_questions(library, ROOT / "assets" / "demo_questions.jsonl", status="accepted")
    return library


def measure(library, args) -> None:
    from papergym.core.llm.backends import open_backend
    from papergym.core.quality.learnability import LearnabilitySettings, LearnableBand, measure
    from papergym.core.quality.pipeline import CheckSettings, run_checks

    backend = open_backend(library, model=args.base_model, threads=args.threads)
    settings = LearnabilitySettings(
        model=args.base_model,
        mode=args.mode,
        samples=args.samples,
        temperature=1.0,
        reasoning_tokens=args.max_completion_length,
        band=LearnableBand.parse(args.band),
    )
    questions = library.query("SELECT count(*) AS n FROM questions")[0]["n"]
    started = time.perf_counter()
    report = run_checks(library, CheckSettings(steps=("learnability",), learnability=settings), open_learner=lambda: backend)
    seconds = time.perf_counter() - started
    step = report.steps[0]
    bands = ", ".join(f"{step.extra['bands'].get(name, 0)} {name}" for name in ("too hard", "learnable", "too easy"))
    print(
        f"measurement, {args.mode} mode (k={args.samples}, {args.max_completion_length} tokens, T=1.0): {questions} questions in {seconds:.1f} s "
        f"= {seconds / questions:.2f} s per question; bands: {bands} ({settings.band.describe()})"
    )
    rates = library.query("SELECT pass_rate, chance FROM learnability")
    print(
        f"  mean pass rate {statistics.fmean(row['pass_rate'] for row in rates):.2f} against a mean chance of "
        f"{statistics.fmean(row['chance'] for row in rates):.2f}"
    )
    mcq = [row for row in library.query("SELECT id, kind, question, options, answer, unit FROM questions") if row["kind"] == "mcq"]
    import json

    started = time.perf_counter()
    reopened = open_backend(library, model=args.base_model, threads=args.threads)
    for row in mcq:
        measure(reopened, {**row, "options": json.loads(row["options"])}, LearnabilitySettings(mode="logprob", samples=args.samples))
    reopened.close()
    if mcq:
        per_question = (time.perf_counter() - started) / len(mcq)
        print(f"measurement, logprob mode (one forward pass, multiple choice): {per_question:.2f} s per question (model load included)")


def train_twice(library, args) -> None:
    from papergym.core.quality.learnability import LearnableBand
    from papergym.train.config import TrainConfig
    from papergym.train.run import metric_summary, run_foreground

    band = LearnableBand.parse(args.band)
    results = {}
    for name, learnable_band in (("unfiltered", None), ("learnable", (band.low, band.high))):
        config = TrainConfig(
            base_model=args.train_base or args.base_model,
            backend="trl",
            steps=args.steps,
            num_generations=args.num_generations,
            max_completion_length=args.max_completion_length,
            seed=args.seed,
            save_steps=args.steps,
            learnable_band=learnable_band,
            use_cpu=True,
        )
        started = time.perf_counter()
        try:
            result = run_foreground(library, config)
        except Exception as error:
            print(f"{name}: not trained ({error})")
            continue
        seconds = time.perf_counter() - started
        rows = library.query("SELECT name, value FROM metrics WHERE run_id = ?", [result["run_id"]])
        by_name: dict[str, list[float]] = {}
        for row in rows:
            if row["value"] is not None:
                by_name.setdefault(row["name"], []).append(row["value"])
        zero_std = statistics.fmean(by_name.get("frac_reward_zero_std", [float("nan")]))
        reward = statistics.fmean(by_name.get("reward", [float("nan")]))
        correct = statistics.fmean(by_name.get("rewards/correctness/mean", [float("nan")]))
        results[name] = (zero_std, reward)
        summary = metric_summary(library, result["run_id"])
        print(
            f"{name}: {result['questions']} questions, {args.steps} steps in {seconds:.0f} s; mean frac_reward_zero_std {zero_std:.2f}, "
            f"mean reward {reward:.3f} (correctness {correct:.3f}); logged steps {summary.get('reward', {}).get('points', 0)}"
        )
    if len(results) == 2:
        (zero_all, reward_all), (zero_kept, reward_kept) = results["unfiltered"], results["learnable"]
        print(
            f"learnable / unfiltered: frac_reward_zero_std {zero_kept:.2f} / {zero_all:.2f}"
            + (f" = {zero_kept / zero_all:.2f}" if zero_all else "")
            + f"; reward {reward_kept:.3f} / {reward_all:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-model", default="gemma3-270m", help="the model measured (a registered GGUF name)")
    parser.add_argument(
        "--train-base",
        default=None,
        help="the same model as training loads it, e.g. an HF folder already converted (default: --base-model)",
    )
    parser.add_argument("--mode", choices=("sample", "logprob"), default="sample", help="the measurement's mode")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--num-generations", type=int, default=4)
    parser.add_argument("--max-completion-length", type=int, default=48)
    parser.add_argument("--samples", type=int, default=8, help="k for the measurement")
    parser.add_argument("--band", default="0.1,0.9")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=None, help="llama.cpp threads (1 on a busy shared machine: its threads wait on each other)"
    )
    parser.add_argument("--measure-only", action="store_true", help="skip the two training runs")
    parser.add_argument("--keep", action="store_true", help="keep the library under bench/_work/learnability")
    args = parser.parse_args()
    if args.keep:
        workdir = ROOT / "bench" / "_work" / "learnability"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="papergym-bench-learnability-"))
    try:
        library = _library(workdir / "lib")
        measure(library, args)
        if not args.measure_only:
            train_twice(library, args)
        library.close()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
