"""The Generate screen takes its place in the GPU queue as `papergym generate` does, and says who holds the GPU."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from papergym.core.gpu_lease import gpu_lease, queue
from papergym.core.library import Library
from papergym.core.llm.backend import FakeBackend
from papergym.tui.app.app import PapergymApp
from papergym.tui.app.screens.generate import GenerateScreen
from textual.widgets import Static

from tests.tui.test_review_generate_screens import SIZE, SlowBackend, add_paper, mcq

pytestmark = pytest.mark.anyio


def status(app) -> str:
    return str(app.screen.query_one("#generate-status", Static).render())


def jobs() -> list[tuple[str, str]]:
    return [(entry.role, entry.job) for entry in queue()]


async def wait_until(pilot, condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the screen never got there"
        await pilot.pause(0.05)


@pytest.fixture
def gpu_machine(monkeypatch):
    """The lease is taken as on a machine whose llama.cpp offloads to a GPU (PAPERGYM_GPU_LEASE=1 forces it without one)."""
    monkeypatch.setenv("PAPERGYM_GPU_LEASE", "1")


async def test_a_run_waits_while_another_job_holds_the_gpu_and_names_it(tmp_path, monkeypatch, gpu_machine):
    folder = tmp_path / "lib"
    add_paper(folder, sections=3)
    backend = FakeBackend([mcq(n) for n in range(3)])
    held_while_loading: list = []

    def load(library, model):
        held_while_loading.extend((entry.role, entry.job, entry.library) for entry in queue())
        return backend

    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(load))
    app = PapergymApp(folder, start="generate")
    with contextlib.ExitStack() as other_job:
        other_job.enter_context(gpu_lease("train run-7", library="/elsewhere/lib"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+g")
            await wait_until(pilot, lambda: "Waiting for the GPU" in status(app))
            assert "held by train run-7 (pid" in status(app) and "place 1 in the queue" in status(app)
            assert "Ctrl+X leaves the queue" in status(app)
            assert any("The GPU is busy with train run-7" in note.message for note in app._notifications)
            assert jobs() == [("holding", "train run-7"), ("waiting", "generate")]
            assert held_while_loading == [] and backend.prompts == []  # the model is not even loaded while it waits

            other_job.close()
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: "Finished: 3 new questions" in status(app))
    assert held_while_loading == [("holding", "generate", str(folder))]
    assert jobs() == []  # let go when the run ended
    with Library(folder) as library:
        assert library.query("SELECT count(*) AS n FROM questions")[0]["n"] == 3


async def test_cancel_while_waiting_leaves_the_queue_and_runs_nothing(tmp_path, monkeypatch, gpu_machine):
    folder = tmp_path / "lib"
    add_paper(folder, sections=2)
    loaded: list = []
    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(lambda library, model: loaded.append(model) or FakeBackend()))
    app = PapergymApp(folder, start="generate")
    with gpu_lease("check", library="/elsewhere/lib"):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.click("#generate-start")
            await wait_until(pilot, lambda: len(queue()) == 2)
            await pilot.click("#generate-cancel")
            await app.workers.wait_for_complete()
            # The worker's last word reaches the status line through the message queue, after the worker ends.
            await wait_until(pilot, lambda: "Cancelled while waiting for the GPU" in status(app))
            assert not app.screen.query_one("#generate-start").disabled
            assert jobs() == [("holding", "check")]  # out of the queue; the other job keeps the GPU
    assert loaded == []
    with Library(folder) as library:
        assert library.query("SELECT status, attempts FROM jobs") == []


async def test_the_gpu_is_let_go_when_the_model_fails_to_load(tmp_path, monkeypatch, gpu_machine):
    folder = tmp_path / "lib"
    add_paper(folder, sections=1)
    held: list = []

    def broken(library, model):
        held.extend(jobs())
        raise FileNotFoundError("model.gguf is missing")

    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(broken))
    app = PapergymApp(folder, start="generate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: "The model did not load." in status(app))
    assert held == [("holding", "generate")] and jobs() == []


async def test_the_gpu_is_let_go_when_a_run_is_cancelled_mid_window(tmp_path, monkeypatch, gpu_machine):
    folder = tmp_path / "lib"
    add_paper(folder, sections=2)
    backend = SlowBackend([mcq(n) for n in range(2)])
    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(lambda library, model: backend))
    app = PapergymApp(folder, start="generate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#generate-start")
        assert await asyncio.to_thread(backend.thinking.wait, 10)
        assert jobs() == [("holding", "generate")]
        await pilot.click("#generate-cancel")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: "Cancelled" in status(app))
    assert jobs() == []


async def test_without_a_gpu_a_run_does_not_wait_for_the_queue(tmp_path, monkeypatch):
    """As with `papergym generate` on a machine whose llama.cpp cannot offload: the CPU is not the GPU's to share."""
    monkeypatch.delenv("PAPERGYM_GPU_LEASE", raising=False)
    monkeypatch.setenv("PAPERGYM_ASSUME_GPU", "0")
    folder = tmp_path / "lib"
    add_paper(folder, sections=1)
    backend = FakeBackend([mcq(0)])
    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(lambda library, model: backend))
    app = PapergymApp(folder, start="generate")
    with gpu_lease("train run-8"):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+g")
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: "Finished: 1 new question" in status(app))
        assert jobs() == [("holding", "train run-8")]
