"""Real GRPO + LoRA runs on CPU with a tiny random model: metrics land in SQLite, the adapter moves, runs resume."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

from papergym.core.library import Library  # noqa: E402
from papergym.train.config import TrainConfig  # noqa: E402
from papergym.train.run import (  # noqa: E402
    accelerate_command,
    get_run,
    list_runs,
    resume_foreground,
    run_details,
    run_foreground,
    start_run,
    stop_run,
)

# A vocabulary of option letters and "Answer :" (every prompt word is [UNK]), so even a random model writes
# readable answers some of the time and one question's completions get different rewards: GRPO learns only then.
VOCAB = ["[PAD]", "[UNK]", "<s>", "</s>", "A", "B", "C", "D", "Answer", ":"]
# Per-token logit offsets: letters and an early end of text likely, special tokens rare.
TOKEN_BIAS = [-3.0, -3.0, -3.0, 1.15, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9]
CHAT_TEMPLATE = "{% for message in messages %}{{ message['content'] }} {% endfor %}"


def build_tiny_model(folder: Path) -> Path:
    """A 2-layer Llama with hidden size 32 and a word-level tokenizer, built offline and saved as an HF folder."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tokenizer_model = Tokenizer(models.WordLevel({word: index for index, word in enumerate(VOCAB)}, unk_token="[UNK]"))
    tokenizer_model.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer_model, unk_token="[UNK]", pad_token="[PAD]", bos_token="<s>", eos_token="</s>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(VOCAB),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=0,
        bos_token_id=2,
        eos_token_id=3,
    )
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        # A large constant first feature survives the RMS norm as a near-constant input, so the first
        # column of the output layer acts as a per-token bias.
        model.model.embed_tokens.weight[:, 0] = 20.0
        model.lm_head.weight[:, 0] = torch.tensor(TOKEN_BIAS)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(autouse=True)
def _one_thread():
    # The machine is shared: a tiny model gains nothing from more threads.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def add_questions(library: Library, status: str = "accepted") -> None:
    rows = [
        {
            "id": "q1",
            "question": "Which layer of the film carries the current in this device?",
            "options": ["top", "middle", "bottom", "none"],
            "answer": "B",
        },
        {
            "id": "q2",
            "question": "Which gas dominates the atmosphere of the described exoplanet?",
            "options": ["hydrogen", "helium", "methane", "water"],
            "answer": "A",
        },
    ]
    with library.write() as db:
        for row in rows:
            db["questions"].insert(
                {
                    **row,
                    "kind": "mcq",
                    "options": json.dumps(row["options"]),
                    "status": status,
                    "paper_id": None,
                    "discipline": "Physics",
                    "created_at": "2026-11-22T00:00:00+00:00",
                }
            )


def config_for(model: Path, **changes) -> TrainConfig:
    settings = dict(
        base_model=str(model),
        backend="trl",
        steps=3,
        num_generations=4,
        max_completion_length=12,
        max_prompt_length=128,
        learning_rate=0.05,
        lora_rank=4,
        save_steps=100,
        logging_steps=1,
        seed=1,
        sample_completions=2,
    )
    settings.update(changes)
    return TrainConfig(**settings)


def lora_tensors(adapter_dir: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(adapter_dir / "adapter_model.safetensors"))


def test_grpo_run_moves_the_lora_and_writes_metrics(library, tiny_model):
    add_questions(library)
    result = run_foreground(library, config_for(tiny_model), on_progress=lambda *args: None)

    assert result["status"] == "finished" and result["step"] == 3
    run = get_run(library, result["run_id"])
    assert run["status"] == "finished" and run["step"] == 3 and run["backend"] == "trl"
    # LoRA B matrices start at zero; any non-zero entry means the GRPO updates reached the adapter.
    tensors = lora_tensors(Path(run["adapter_path"]))
    lora_b = [tensor for name, tensor in tensors.items() if "lora_B" in name]
    assert lora_b and any(tensor.abs().sum().item() > 0 for tensor in lora_b)

    names = {row["name"] for row in library.query("SELECT DISTINCT name FROM metrics WHERE run_id = ?", [run["id"]])}
    for expected in (
        "reward",
        "reward_std",
        "rewards/correctness/mean",
        "rewards/format_reward/mean",
        "frac_reward_zero_std",
        "kl",
        "entropy",
        "completions/mean_length",
        "learning_rate",
        "step_time",  # TRL's
        "papergym/step_seconds",  # ours, kept apart from TRL's
        "extractable",
        "loss",
    ):
        assert expected in names, expected
    steps = [row["step"] for row in library.query("SELECT DISTINCT step FROM metrics WHERE run_id = ? ORDER BY step", [run["id"]])]
    assert steps == [1, 2, 3]
    samples = library.query("SELECT * FROM samples WHERE run_id = ?", [run["id"]])
    assert samples and all(sample["answer"] in "ABCD" and "correctness" in json.loads(sample["rewards"]) for sample in samples)
    # Two questions and one question per step: steps 1-2 are epoch 0, step 3 starts epoch 1 with new option orders.
    assert result["epochs_seen"] == [0, 1]

    details = run_details(library, run["id"])
    assert details["metrics"]["reward"]["points"] == 3
    assert list_runs(library)[0]["last_reward"] == pytest.approx(details["metrics"]["reward"]["last"])


def test_stop_then_resume_continues_the_steps(library, tiny_model):
    add_questions(library)
    cancel = threading.Event()

    def stop_after_two(step, max_steps, logs):
        if step >= 2:
            cancel.set()

    first = run_foreground(library, config_for(tiny_model, steps=4), on_progress=stop_after_two, cancel=cancel)
    assert first["status"] == "stopped" and first["step"] == 2
    assert get_run(library, first["run_id"])["status"] == "stopped"
    assert Path(first["checkpoint"]).name == "checkpoint-2"

    second = resume_foreground(library, first["run_id"], on_progress=lambda *args: None)
    assert second["status"] == "finished" and second["step"] == 4
    steps = [row["step"] for row in library.query("SELECT DISTINCT step FROM metrics WHERE run_id = ? ORDER BY step", [first["run_id"]])]
    assert steps == [1, 2, 3, 4]
    # The resumed half starts in epoch 1 (steps 3-4), which the shuffle must know to reorder the options.
    assert second["epochs_seen"] == [1]


def test_detached_run_survives_and_stops_on_sigterm(library, tiny_model, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    add_questions(library, status="passed")
    started = start_run(library, config_for(tiny_model, steps=200))
    assert "passed" in (started.notice or "")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and (get_run(library, started.run_id)["step"] or 0) < 1:
        time.sleep(0.5)
    assert get_run(library, started.run_id)["status"] == "running", started.log_path.read_text()
    stop_run(library, started.run_id)
    while time.monotonic() < deadline and get_run(library, started.run_id)["status"] == "running":
        time.sleep(0.5)
    run = get_run(library, started.run_id)
    assert run["status"] == "stopped", started.log_path.read_text()
    assert any(path.name.startswith("checkpoint-") for path in started.output_dir.iterdir())


def test_accelerate_command_hands_the_worker_to_accelerate_launch(library):
    argv = accelerate_command(library, "run-x", num_processes=2)
    assert argv[:3] == [sys.executable, "-m", "accelerate.commands.launch"]
    assert argv[3:6] == ["--num_processes", "2", "--multi_gpu"]
    assert argv[6:] == ["--module", "papergym.train.worker", "--library", str(library.folder), "--run", "run-x"]
    assert accelerate_command(library, "run-x")[3:5] == ["--module", "papergym.train.worker"]
    assert accelerate_command(library, "run-x", resume=True)[-1] == "--resume"


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_unsloth_backend_trains_on_cuda(library, tiny_model):
    pytest.importorskip("unsloth")
    add_questions(library)
    result = run_foreground(library, config_for(tiny_model, backend="unsloth", steps=2), on_progress=lambda *args: None)
    assert result["status"] == "finished" and result["backend"] == "unsloth"
    names = {
        row["name"]: row["n"]
        for row in library.query("SELECT name, count(*) AS n FROM metrics WHERE run_id = ? GROUP BY name", [result["run_id"]])
    }
    assert names["peak_gpu_memory_gb"] == 2 and names["peak_gpu_reserved_gb"] == 2
    assert names["completions/mean_length"] == 2  # Unsloth logs completion_length; the app charts TRL's name


def cli_group():
    import click
    from papergym.tui.cli.common import PapergymGroup
    from papergym.tui.cli.train import runs, train

    @click.group(cls=PapergymGroup)
    @click.pass_context
    def cli(ctx):
        ctx.ensure_object(dict)

    cli.add_command(train)
    cli.add_command(runs)
    return cli


def test_train_and_runs_commands(library, tiny_model):
    from click.testing import CliRunner

    add_questions(library)
    runner = CliRunner()
    folder = str(library.folder)
    result = runner.invoke(
        cli_group(),
        [
            "train",
            "--library",
            folder,
            "--from-library",
            "--base-model",
            str(tiny_model),
            "--steps",
            "2",
            "--max-completion-length",
            "8",
            "--lora-rank",
            "4",
            "--lr",
            "0.05",
            "--foreground",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert run["status"] == "finished" and run["step"] == 2

    listed = runner.invoke(cli_group(), ["runs", "--library", folder])
    assert run["run_id"] in listed.output and "finished" in listed.output and "2/2" in listed.output
    shown = runner.invoke(cli_group(), ["runs", "show", run["run_id"][:22], "--library", folder])
    assert shown.exit_code == 0 and "rewards/correctness/mean" in shown.output and "adapter:" in shown.output
    details = json.loads(runner.invoke(cli_group(), ["runs", "show", run["run_id"], "--library", folder, "--json"]).stdout)
    assert details["config"]["lora_rank"] == 4 and details["metrics"]["reward"]["points"] == 2

    refused = runner.invoke(cli_group(), ["train", "--library", folder, "--resume", run["run_id"], "--lora-rank", "8"])
    assert refused.exit_code == 1 and "--lora-rank cannot change" in refused.output
    finished = runner.invoke(cli_group(), ["train", "--library", folder, "--resume", run["run_id"], "--foreground"])
    assert finished.exit_code == 1 and "larger --steps" in finished.output
    stopped = runner.invoke(cli_group(), ["runs", "stop", run["run_id"], "--library", folder])
    assert stopped.exit_code == 1 and "is not running" in stopped.output
    missing = runner.invoke(cli_group(), ["runs", "show", "run-nope", "--library", folder])
    assert missing.exit_code == 1 and "No run has the id run-nope" in missing.output


def test_bad_base_model_is_refused_before_a_run_starts(library, tmp_path):
    from click.testing import CliRunner

    add_questions(library)
    result = CliRunner().invoke(cli_group(), ["train", "--library", str(library.folder), "--base-model", str(tmp_path / "none.gguf")])
    assert result.exit_code == 1 and "none.gguf" in result.output
    assert library.query("SELECT count(*) AS n FROM runs")[0]["n"] == 0


def test_out_of_memory_fails_the_run_with_what_to_lower(library, tiny_model, monkeypatch):
    import papergym.train.backends as backends
    from papergym.core.errors import PapergymError

    def out_of_memory(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(backends, "build_trainer", out_of_memory)
    add_questions(library)
    with pytest.raises(PapergymError, match="ran out of memory"):
        run_foreground(library, config_for(tiny_model, num_generations=8), on_progress=lambda *args: None)
    run = list_runs(library)[0]
    assert run["status"] == "failed"
    assert "--num-generations (now 8)" in run["error"] and "--max-completion-length (now 12)" in run["error"]
    assert "--lora-rank (now 4)" in run["error"] and "--batch-size" in run["error"]


def test_a_run_waits_for_the_gpu_and_a_stop_takes_it_out_of_the_queue(library, tiny_model, tmp_path, monkeypatch):
    import subprocess
    import sys
    import threading
    import time

    from papergym.core.gpu_lease import queue

    monkeypatch.setenv("PAPERGYM_GPU_LEASE", "1")  # no GPU here: the lease is forced
    monkeypatch.setenv("PAPERGYM_GPU_LEASE_DIR", str(tmp_path / "lease"))
    add_questions(library)
    release = tmp_path / "release"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom papergym.core.gpu_lease import gpu_lease\n"
            "with gpu_lease('generate', library='/other/lib'):\n    print('held', flush=True)\n"
            "    while not Path(sys.argv[1]).exists(): time.sleep(0.05)\n",
            str(release),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    cancel = threading.Event()
    seen_while_queued: list[dict] = []
    try:
        assert holder.stdout.readline().strip() == "held"

        def stop_once_queued():
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not seen_while_queued:
                if any(entry.role == "waiting" for entry in queue()):
                    with Library(library.folder) as own:  # the app's view of the run while it waits
                        seen_while_queued.extend(own.query("SELECT status, waiting_for FROM runs WHERE status = 'waiting'"))
                time.sleep(0.1)
            cancel.set()

        threading.Thread(target=stop_once_queued, daemon=True).start()
        result = run_foreground(library, config_for(tiny_model, steps=2), on_progress=lambda *args: None, cancel=cancel)
    finally:
        release.touch()
        holder.wait(timeout=30)
    assert cancel.is_set() and result["status"] == "stopped" and result["step"] == 0
    assert [entry.role for entry in queue()] == []
    assert seen_while_queued[0]["waiting_for"].startswith(f"generate (pid {holder.pid}, since ")
    run = library.query("SELECT status, waiting_for FROM runs WHERE id = ?", [result["run_id"]])[0]
    assert run == {"status": "stopped", "waiting_for": None}
