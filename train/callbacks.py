"""Trainer callbacks: metrics and sample completions into the library, a progress line, and a clean stop.

What TRL 1.16's GRPOTrainer puts in each ``on_log`` (read from
``trl/trainer/grpo_trainer.py``; the metrics table keeps these names as is):

- ``reward``, ``reward_std``: the weighted total reward, mean and std over the logged completions;
- ``rewards/<function>/mean``, ``rewards/<function>/std``: per reward function
  (here ``rewards/correctness/mean``, ``rewards/format_reward/mean``, ...);
- ``frac_reward_zero_std``: share of questions whose completions all scored the same (no learning signal);
- ``kl`` (only when beta > 0), ``entropy``;
- ``completions/mean_length``, ``/min_length``, ``/max_length``, ``/clipped_ratio``,
  ``/mean_terminated_length``, ``/min_terminated_length``, ``/max_terminated_length``;
- ``clip_ratio/low_mean``, ``/low_min``, ``/high_mean``, ``/high_max``, ``/region_mean``; ``num_tokens``;
- from transformers' Trainer: ``loss``, ``grad_norm``, ``learning_rate``, ``epoch``;
- anything a reward function passes to ``log_metric``: here ``extractable``.

TRL logs its own ``step_time`` (the last step's generation and training). This
module adds ``papergym/step_seconds`` (mean wall time per optimizer step since
the last log, callbacks and data loading included) and, on CUDA,
``peak_gpu_memory_gb`` and ``peak_gpu_reserved_gb`` (peak allocated and
reserved since the last log) and, once, ``gpu_reserved_at_start_gb``: what was
reserved before the first step (the model, and vLLM's engine and cache when
Unsloth started one), so that share is reported apart from training's own.

Unsloth's GRPO loss logs ``completion_length`` instead of
``completions/mean_length`` and never ``entropy``; the first is copied under
TRL's name so the app's length chart fills on an Unsloth run.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from papergym.core.ids import now
from papergym.core.library import Library
from transformers import TrainerCallback

# The end-of-training summary TRL/transformers log once ("train_runtime", "train_loss", ...): not curves.
_SUMMARY_KEYS = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos", "train_loss")
STEP_SECONDS = "papergym/step_seconds"
# Unsloth's name -> TRL's name for the same value.
UNSLOTH_ALIASES = {"completion_length": "completions/mean_length"}


def _message_text(prompt) -> str:
    """The user's turn of a chat prompt (the question), or the prompt itself when it is plain text."""
    if isinstance(prompt, str):
        return prompt
    users = [message.get("content", "") for message in prompt if isinstance(message, dict) and message.get("role") == "user"]
    return users[-1] if users else json.dumps(prompt, ensure_ascii=False)


class MetricsCallback(TrainerCallback):
    """Writes every logged value to ``metrics`` and a few sample completions to ``samples`` under the run id."""

    def __init__(self, library_folder: Path | str, run_id: str, sample_completions: int = 4) -> None:
        self.library_folder = Path(library_folder)
        self.run_id = run_id
        self.sample_completions = sample_completions
        self.trainer = None  # set after the trainer is built: the samples come from its last generation batch
        self._library: Library | None = None
        self._step_started: float | None = None
        self._step_seconds: list[float] = []
        self._cuda = None
        self._reserved_at_start: int | None = None

    @property
    def library(self) -> Library:
        # Opened lazily in the training process itself (a sqlite connection must not cross a fork).
        if self._library is None:
            self._library = Library(self.library_folder)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None

    def _torch_cuda(self):
        if self._cuda is None:
            import torch

            self._cuda = torch.cuda if torch.cuda.is_available() else False
        return self._cuda

    def on_train_begin(self, args, state, control, **kwargs):
        cuda = self._torch_cuda()
        if cuda:
            self._reserved_at_start = cuda.memory_reserved()

    def on_step_begin(self, args, state, control, **kwargs):
        self._step_started = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        if self._step_started is not None:
            self._step_seconds.append(time.perf_counter() - self._step_started)
            self._step_started = None
        if state.is_world_process_zero:
            with self.library.write() as db:
                db.execute(
                    "UPDATE runs SET step = ?, status = 'running', updated_at = ? WHERE id = ?",
                    [state.global_step, now(), self.run_id],
                )

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        if any(name in logs for name in _SUMMARY_KEYS):
            # The end-of-training summary (it also carries `epoch`): writing it as a step would overwrite
            # the last step's values and reset the peak memory it measured.
            return
        values = {name: float(value) for name, value in logs.items() if isinstance(value, (int, float)) and not isinstance(value, bool)}
        if not values:
            return
        for unsloth_name, trl_name in UNSLOTH_ALIASES.items():
            if unsloth_name in values and trl_name not in values:
                values[trl_name] = values[unsloth_name]
        if self._step_seconds:
            values[STEP_SECONDS] = sum(self._step_seconds) / len(self._step_seconds)
            self._step_seconds.clear()
            logs[STEP_SECONDS] = values[STEP_SECONDS]  # for the callbacks after this one: the progress line's s/step and ETA
        cuda = self._torch_cuda()
        if cuda:
            if self._reserved_at_start is not None:
                values["gpu_reserved_at_start_gb"] = self._reserved_at_start / 2**30
                self._reserved_at_start = None
            values["peak_gpu_memory_gb"] = cuda.max_memory_allocated() / 2**30
            values["peak_gpu_reserved_gb"] = cuda.max_memory_reserved() / 2**30
            cuda.reset_peak_memory_stats()
        step, logged_at = state.global_step, now()
        samples = self._samples(step)
        with self.library.write() as db:
            db["metrics"].upsert_all(
                [
                    {"run_id": self.run_id, "step": step, "name": name, "value": value, "logged_at": logged_at}
                    for name, value in values.items()
                ],
                pk=("run_id", "name", "step"),
            )
            if samples:
                db["samples"].upsert_all(samples, pk=("run_id", "step", "ordinal"))
            db.execute("UPDATE runs SET step = ?, updated_at = ? WHERE id = ?", [step, logged_at, self.run_id])

    def _samples(self, step: int) -> list[dict]:
        # GRPOTrainer keeps its last generation batch in `_logs` (what it prints with log_completions);
        # there is no public hook that carries completions together with every reward function's score.
        logs = getattr(self.trainer, "_logs", None)
        if not logs or not self.sample_completions:
            return []
        prompts, completions = list(logs.get("prompt", [])), list(logs.get("completion", []))
        rewards = {name: list(values) for name, values in logs.get("rewards", {}).items()}
        answers = list(logs.get("extra", {}).get("answer", []))
        advantages = list(logs.get("advantages", []))
        count = min(self.sample_completions, len(completions))
        # Spread the picks over the batch, so they cover several questions rather than one group.
        picks = sorted({round(index * (len(completions) - 1) / max(count - 1, 1)) for index in range(count)}) if count else []
        from papergym.train.rewards import completion_text

        rows = []
        for ordinal, index in enumerate(picks):
            scores = {name: values[index] for name, values in rewards.items() if index < len(values)}
            if index < len(advantages):
                scores["advantage"] = advantages[index]
            rows.append(
                {
                    "run_id": self.run_id,
                    "step": step,
                    "ordinal": ordinal,
                    "prompt": _message_text(prompts[index]) if index < len(prompts) else "",
                    "completion": completion_text(completions[index]),
                    "answer": answers[index] if index < len(answers) else None,
                    "rewards": json.dumps(scores),
                }
            )
        return rows


class ProgressCallback(TrainerCallback):
    """Calls ``on_progress(step, max_steps, logs)`` after each log, for a progress line in the foreground."""

    def __init__(self, on_progress: Callable[[int, int, dict], None]) -> None:
        self.on_progress = on_progress
        self.last_logs: dict = {}

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs and "train_runtime" not in logs:
            self.last_logs.update({key: value for key, value in logs.items() if isinstance(value, (int, float))})
            self.on_progress(state.global_step, state.max_steps, dict(self.last_logs))


class StopCallback(TrainerCallback):
    """Ends training at the next step boundary once ``cancel`` is set, saving a checkpoint there first."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel
        self.stopped_at: int | None = None

    def on_step_end(self, args, state, control, **kwargs):
        return self._stop_if_cancelled(state, control)

    def on_log(self, args, state, control, logs=None, **kwargs):
        # A stop asked for while this step's metrics were logged still lands on this step: the trainer saves after logging.
        return self._stop_if_cancelled(state, control)

    def _stop_if_cancelled(self, state, control):
        if self.cancel.is_set():
            control.should_save = True
            control.should_training_stop = True
            self.stopped_at = state.global_step
        return control
