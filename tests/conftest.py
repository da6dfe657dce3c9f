from __future__ import annotations

from pathlib import Path

import pytest
from papergym.core.library import Library

ROOT = Path(__file__).resolve().parents[1]
DEMO_PAPERS = ROOT / "assets" / "demo_papers"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's real library."""
    monkeypatch.setenv("PAPERGYM_HOME", str(tmp_path / "default-home"))
