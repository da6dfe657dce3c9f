"""Property: randomly damaged real PDFs, imported in bulk, never stop the batch nor corrupt the library.

Each example damages a few real files (the demo papers, papers built by
tests/pdfs.py, one with broken Unicode) by flipping, inserting, deleting and
cutting bytes, imports them together, and checks what a user relies on: one
result per file, each failure a one-line reason, and a library that SQLite
itself finds intact and that opens again.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from papergym.core.ingest.importer import import_paths
from papergym.core.library import Library

from tests.conftest import DEMO_PAPERS
from tests.integration.test_import_never_aborts import broken_unicode_pdf
from tests.pdfs import image_only_pdf, paper_pages, text_pdf

STATUSES = {"imported", "duplicate", "skipped", "failed"}


def _seed_documents() -> list[bytes]:
    built = [
        text_pdf(paper_pages("Lattice thermal conductivity of thin films", seed=1), info={"Title": "Thin films", "Author": "A. Author"}),
        text_pdf(paper_pages("Enzyme kinetics under oxidative stress", seed=2, body_pages=1)),
        broken_unicode_pdf([line + "\x01\x02\x03" for line in paper_pages("Broken glyph paper")[0]]),
        image_only_pdf(1),
    ]
    return built + [path.read_bytes() for path in sorted(DEMO_PAPERS.glob("*.pdf"))]


SEEDS = _seed_documents()

# One damage to a file, at a position given as a share of its length so that it fits any file.
damage = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 4096)),
    st.tuples(st.just("cut"), st.floats(0, 1), st.none()),
)
damaged_file = st.tuples(st.integers(0, len(SEEDS) - 1), st.lists(damage, min_size=1, max_size=8))


def apply(data: bytes, damages: list[tuple]) -> bytes:
    buffer = bytearray(data)
    for kind, share, value in damages:
        at = min(int(share * len(buffer)), max(len(buffer) - 1, 0))
        if kind == "flip" and buffer:
            buffer[at] = value
        elif kind == "insert":
            buffer[at:at] = value
        elif kind == "delete":
            del buffer[at : at + value]
        elif kind == "cut":
            del buffer[at:]
    return bytes(buffer)


@pytest.mark.skipif(not any(DEMO_PAPERS.glob("*.pdf")), reason="demo papers not built")
@settings(max_examples=6, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(damaged_file, min_size=3, max_size=6))
def test_damaged_pdfs_never_abort_the_batch_nor_corrupt_the_library(files):
    with tempfile.TemporaryDirectory() as scratch:
        inbox = Path(scratch) / "inbox"
        inbox.mkdir()
        inputs = set()
        for number, (seed, damages) in enumerate(files):
            path = inbox / f"damaged-{number}.pdf"
            path.write_bytes(apply(SEEDS[seed], damages))
            inputs.add(str(path))
        (inbox / f"intact-{len(files)}.pdf").write_bytes(SEEDS[files[0][0]])  # the same paper, undamaged, in the same batch
        inputs.add(str(inbox / f"intact-{len(files)}.pdf"))

        with Library(Path(scratch) / "lib") as library:
            report = import_paths(library, [inbox], workers=2, timeout=20)

        assert not report.cancelled
        assert len(report.results) == len(inputs) and {result.path for result in report.results} == inputs
        for result in report.results:
            assert result.status in STATUSES
            if result.status == "failed":
                assert result.reason and "\n" not in result.reason and len(result.reason) < 300
        assert any(result.path.endswith(f"intact-{len(files)}.pdf") and result.status != "failed" for result in report.results)

        with sqlite3.connect(Path(scratch) / "lib" / "library.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            readable = conn.execute("SELECT count(*) FROM papers WHERE status != 'failed'").fetchone()[0]
            assert conn.execute("SELECT count(*) FROM paper_fts").fetchone()[0] == readable
            for (text,) in conn.execute("SELECT coalesce(title, '') || coalesce(abstract, '') || authors FROM papers"):
                assert "\x00" not in text
        with Library(Path(scratch) / "lib") as reopened:
            assert len(reopened.papers()) <= len(inputs)
