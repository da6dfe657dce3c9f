"""Fixtures shared by the app's tests: the asyncio backend for Pilot, and a library of the six demo papers."""

from __future__ import annotations

import shutil

import pytest
from papergym.core.ingest.importer import import_paths
from papergym.core.library import Library

from tests.conftest import DEMO_PAPERS


@pytest.fixture(autouse=True)
def _own_gpu_queue(tmp_path, monkeypatch):
    """Each test has its own GPU queue, so a job running on the developer's GPU never makes a screen test wait."""
    monkeypatch.setenv("PAPERGYM_GPU_LEASE_DIR", str(tmp_path / "gpu-lease"))


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="session")
def demo_library_template(tmp_path_factory):
    """The six demo papers, imported once per session and copied per test."""
    folder = tmp_path_factory.mktemp("demo") / "lib"
    with Library(folder) as library:
        report = import_paths(library, [DEMO_PAPERS])
        # The import runs in parallel, so its insertion order is not fixed, and equal import times fall back to it;
        # snapshots want one order: each paper its own second, so the library (newest first) lists them by title.
        with library.write() as db:
            db.execute(
                "UPDATE papers SET imported_at = "
                "printf('2026-01-01T00:00:%02d+00:00', (SELECT count(*) FROM papers later WHERE later.title > papers.title))"
            )
    assert report.counts["imported"] == 6
    return folder


@pytest.fixture
def demo_library(demo_library_template, tmp_path):
    folder = tmp_path / "lib"
    shutil.copytree(demo_library_template, folder)
    return folder
