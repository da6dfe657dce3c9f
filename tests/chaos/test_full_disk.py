"""A full disk under the library or the export: one sentence, the library intact, nothing half-written left behind.

Where this machine lets the tests mount a small tmpfs (root, with mount), the
disk is really full; elsewhere each command runs with a file-size limit
(RLIMIT_FSIZE), so a write past it fails inside the process as a full disk does.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.chaos.conftest import assert_sound, judge, library_state, run_papergym
from tests.chaos.hostile import ROOT
from tests.chaos.test_bad_files import seeded_library
from tests.chaos.test_kill_nine import _import_rows, scalar

pytestmark = pytest.mark.chaos
FREE_BYTES = 400_000


@dataclass
class FullDisk:
    folder: Path
    kind: str  # tmpfs | rlimit
    limit_bytes: int = 0

    def preexec(self):
        """For the rlimit kind: the function that caps every file the command writes."""
        if self.kind != "rlimit":
            return None
        limit = self.limit_bytes

        def cap() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the cap fails with EFBIG instead of killing
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return cap

    def fill(self) -> None:
        """Leave FREE_BYTES free on a tmpfs (the rlimit kind is capped per file already)."""
        if self.kind != "tmpfs":
            return
        usage = shutil.disk_usage(self.folder)
        filler = self.folder / "filler"
        with filler.open("wb") as handle:
            handle.truncate(0)
            remaining = usage.free - FREE_BYTES
            block = b"\0" * (1 << 20)
            while remaining > 0:
                handle.write(block[: min(len(block), remaining)])
                remaining -= len(block)


@pytest.fixture
def full_disk(tmp_path):
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = False
    # CHAOS_FULL_DISK=rlimit tries the fallback on a machine that could mount.
    if os.geteuid() == 0 and shutil.which("mount") and os.environ.get("CHAOS_FULL_DISK") != "rlimit":
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(folder)], capture_output=True)
        mounted = done.returncode == 0
    try:
        yield FullDisk(folder, "tmpfs") if mounted else FullDisk(folder, "rlimit")
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _cap_for(disk: FullDisk, library: Path) -> None:
    if disk.kind == "rlimit":
        disk.limit_bytes = (library / "library.db").stat().st_size + FREE_BYTES


def test_import_questions_onto_a_full_disk(full_disk, tmp_path):
    library = seeded_library(full_disk.folder / "lib")
    rows = _import_rows(tmp_path / "source-lib", tmp_path, 8000)
    _cap_for(full_disk, library)
    full_disk.fill()
    before = library_state(library)
    ran = run_papergym("import-questions", str(rows), "--library", str(library), preexec_fn=full_disk.preexec())
    case = judge(f"import-questions onto a full disk ({full_disk.kind})", ran, before, library_state(library))
    assert_sound(case)
    assert ran.returncode != 0, "8,000 rows cannot fit in the space left"
    assert scalar(library, "SELECT count(*) FROM questions") >= before.counts["questions"]


def test_import_pdfs_onto_a_full_disk(full_disk, tmp_path):
    library = seeded_library(full_disk.folder / "lib")
    papers = tmp_path / "papers"
    shutil.copytree(ROOT / "assets" / "demo_papers", papers, ignore=shutil.ignore_patterns("src", "*.json"))
    _cap_for(full_disk, library)
    full_disk.fill()
    before = library_state(library)
    ran = run_papergym("import", str(papers), "--workers", "1", "--library", str(library), preexec_fn=full_disk.preexec())
    case = judge(f"import PDFs onto a full disk ({full_disk.kind})", ran, before, library_state(library))
    assert_sound(case)
    stored = {path.name for path in (library / "pdfs").iterdir()}
    recorded = scalar(library, "SELECT count(*) FROM papers WHERE stored_path IS NOT NULL")
    assert len(stored) <= recorded, f"PDF copies without a paper row: {sorted(stored)}"
    assert not [name for name in stored if ".partial" in name], "half-copied PDFs were left in pdfs/"


def test_export_onto_a_full_disk(full_disk, tmp_path):
    library = tmp_path / "lib"
    _import_rows(library, tmp_path, 8000, status="accepted")
    out = full_disk.folder / "datasets" / "mine"
    out.parent.mkdir()
    full_disk.limit_bytes = FREE_BYTES
    full_disk.fill()
    before = library_state(library)
    ran = run_papergym(
        "export", str(out), "--format", "jsonl", "--status", "accepted", "--library", str(library), preexec_fn=full_disk.preexec()
    )
    case = judge(f"export onto a full disk ({full_disk.kind})", ran, before, library_state(library))
    assert_sound(case)
    assert ran.returncode != 0
    assert not out.exists()
    assert list(out.parent.iterdir()) == [], "a half-written export was left on the full disk"
