"""Resuming passes over a half-written newest checkpoint and uses the newest whole one."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

from papergym.train.checkpoints import checkpoint_problem
from papergym.train.worker import latest_checkpoint


def safetensors_bytes(values: int = 64) -> bytes:
    header = json.dumps({"lora_A.weight": {"dtype": "F32", "shape": [values], "data_offsets": [0, values * 4]}}).encode()
    return struct.pack("<Q", len(header)) + header + b"\0" * (values * 4)


def torch_archive_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    return buffer.getvalue()


def write_checkpoint(output_dir: Path, step: int) -> Path:
    folder = output_dir / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "adapter_model.safetensors").write_bytes(safetensors_bytes())
    (folder / "adapter_config.json").write_text(json.dumps({"r": 8}))
    (folder / "optimizer.pt").write_bytes(torch_archive_bytes())
    (folder / "trainer_state.json").write_text(json.dumps({"global_step": step, "log_history": []}))
    return folder


def test_a_whole_checkpoint_has_no_problem(tmp_path):
    assert checkpoint_problem(write_checkpoint(tmp_path, 2)) is None


def test_resume_falls_back_past_each_kind_of_half_written_checkpoint(tmp_path):
    whole = write_checkpoint(tmp_path, 2)
    cut_weights = write_checkpoint(tmp_path, 3)
    data = (cut_weights / "adapter_model.safetensors").read_bytes()
    (cut_weights / "adapter_model.safetensors").write_bytes(data[: len(data) - 50])
    cut_optimizer = write_checkpoint(tmp_path, 4)
    archive = (cut_optimizer / "optimizer.pt").read_bytes()
    (cut_optimizer / "optimizer.pt").write_bytes(archive[: len(archive) // 2])
    cut_state = write_checkpoint(tmp_path, 5)
    (cut_state / "trainer_state.json").write_text('{"global_step": 5, "log_hist')
    no_weights = write_checkpoint(tmp_path, 6)
    (no_weights / "adapter_model.safetensors").unlink()

    assert latest_checkpoint(tmp_path) == whole
    assert checkpoint_problem(cut_weights) == "adapter_model.safetensors is cut short"
    assert checkpoint_problem(cut_optimizer) == "optimizer.pt is cut short"
    assert "trainer_state.json" in checkpoint_problem(cut_state)
    assert "weights are missing" in checkpoint_problem(no_weights)


def test_no_whole_checkpoint_means_starting_over(tmp_path):
    broken = write_checkpoint(tmp_path, 1)
    (broken / "adapter_config.json").write_text("")
    assert latest_checkpoint(tmp_path) is None
