"""`papergym doctor` and the app's Models screen give the same reason when there is no GPU."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from papergym.core.gpu import no_gpu_reason
from papergym.core.library import Library
from papergym.tui.app.app import PapergymApp
from textual.widgets import Static

pytestmark = pytest.mark.anyio

# How a machine comes to have no GPU for papergym: the override tests use, CUDA_VISIBLE_DEVICES, or no driver at all.
NO_GPU = {
    "assumed none": {"PAPERGYM_ASSUME_GPU": "0"},
    "hidden": {"CUDA_VISIBLE_DEVICES": ""},
    "no driver": {},
}


def shared_lines(text: str) -> dict[str, str]:
    """The GPU line and the --backend auto line, by their opening words."""
    lines = [line.strip() for line in text.splitlines()]
    return {start: next(line for line in lines if line.startswith(start)) for start in ("GPU:", "--backend auto:")}


@pytest.mark.parametrize("environment", NO_GPU.values(), ids=NO_GPU.keys())
async def test_doctor_and_the_models_screen_say_the_same_sentence_without_a_gpu(tmp_path, monkeypatch, environment):
    import torch
    from papergym.tui.cli.main import cli

    monkeypatch.delenv("PAPERGYM_ASSUME_GPU", raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    reason = no_gpu_reason()
    if reason is None:
        pytest.skip("this machine has an NVIDIA GPU")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # torch may have started CUDA before the variables changed
    Library(tmp_path / "lib").close()

    doctor = CliRunner().invoke(cli, ["doctor", "--library", str(tmp_path / "lib")])
    assert doctor.exit_code == 0, doctor.output
    app = PapergymApp(tmp_path / "lib", start="models")
    async with app.run_test(size=(140, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = str(app.screen.query_one("#models-machine", Static).render())

    assert shared_lines(doctor.output) == shared_lines(screen)
    assert shared_lines(screen)["GPU:"] == f"GPU: none usable ({reason})"
    assert shared_lines(screen)["--backend auto:"] == "--backend auto: trl (no CUDA GPU is visible, so TRL + PEFT on the CPU.)"
