"""Importing real PDF files, good and bad, through the command line a user runs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from papergym.core.library import Library
from papergym.tui.cli.main import cli

from tests.conftest import DEMO_PAPERS
from tests.pdfs import encrypted_pdf, image_only_pdf, paper_pages, text_pdf, write_paper


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """A folder like a real download folder: good papers, broken files and things that are not PDFs."""
    folder = tmp_path / "inbox"
    (folder / "nested" / "deeper").mkdir(parents=True)
    good = text_pdf(
        paper_pages("Lattice thermal conductivity of thin films", seed=1), info={"Title": "Lattice thermal conductivity of thin films"}
    )
    (folder / "good.pdf").write_bytes(good)
    write_paper(folder / "nested" / "deeper" / "second.pdf", "Enzyme kinetics under oxidative stress", seed=2)
    (folder / "copy-of-good.pdf").write_bytes(good)
    (folder / "truncated.pdf").write_bytes(good[: len(good) // 3])
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "notes.pdf").write_text("These are my notes, not a PDF at all.\n" * 20)
    (folder / "locked.pdf").write_bytes(encrypted_pdf(good, user_password="secret"))
    (folder / "owner-only.pdf").write_bytes(encrypted_pdf(text_pdf(paper_pages("Sediment flux in rivers", seed=3)), user_password=""))
    (folder / "scan.pdf").write_bytes(image_only_pdf(3))
    (folder / "readme.txt").write_text("hello")
    return folder


def test_a_mixed_folder_imports_what_it_can_and_explains_the_rest(tmp_path, mixed_folder):
    code, output = run_cli("import", str(mixed_folder), "--json", "--library", str(tmp_path / "lib"))
    results = {Path(r["path"]).name: r for r in json_lines(output)}
    assert code == 1  # some files failed
    assert set(results) == {p.name for p in mixed_folder.rglob("*") if p.is_file()}
    for result in results.values():
        assert set(result) >= {"path", "status", "paper_id", "pages", "reason"}
    statuses = {name: r["status"] for name, r in results.items()}
    assert statuses["good.pdf"] == "imported" or statuses["copy-of-good.pdf"] == "imported"
    assert {statuses["good.pdf"], statuses["copy-of-good.pdf"]} == {"imported", "duplicate"}
    assert statuses["second.pdf"] == statuses["owner-only.pdf"] == statuses["scan.pdf"] == "imported"
    assert statuses["readme.txt"] == "skipped"
    for name in ("truncated.pdf", "corrupt.pdf", "empty.pdf", "notes.pdf", "locked.pdf"):
        assert statuses[name] == "failed", name
    assert "password" in results["locked.pdf"]["reason"]
    assert "0 bytes" in results["empty.pdf"]["reason"]
    assert "not a PDF" in results["notes.pdf"]["reason"]
    assert results["scan.pdf"]["has_text"] is False and "OCR" in results["scan.pdf"]["reason"]
    for name, result in results.items():
        if result["reason"]:
            assert "\n" not in result["reason"] and len(result["reason"]) < 250, name

    with Library(tmp_path / "lib") as library:
        stored = {row["filename"]: row for row in library.papers()}
        assert stored["scan.pdf"]["status"] == "no_text"
        assert stored["locked.pdf"]["status"] == "failed" and "password" in stored["locked.pdf"]["reason"]
        assert stored["second.pdf"]["pages"] == 3
        assert library.search("oxidative stress")[0].title == "Enzyme kinetics under oxidative stress"
        pdfs = sorted(p.name for p in library.pdf_dir.iterdir())
        assert len(pdfs) == 4 and all(len(name) == 64 + 4 for name in pdfs)

    # Failures are shown to the user in the listing too.
    code, listing = run_cli("papers", "--library", str(tmp_path / "lib"))
    assert "locked.pdf: is protected by a password" in listing


def test_importing_again_changes_nothing(tmp_path, mixed_folder):
    lib = str(tmp_path / "lib")
    run_cli("import", str(mixed_folder), "--json", "--library", lib)

    def snapshot():
        with Library(lib) as library:
            return {
                table: library.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("papers", "sections", "paper_fts")
            }

    before = snapshot()
    _code, output = run_cli("import", str(mixed_folder), "--json", "--library", lib)
    statuses = [r["status"] for r in json_lines(output)]
    assert "imported" not in statuses
    assert statuses.count("duplicate") == 5
    assert snapshot() == before


def test_summary_counts_what_happened(tmp_path, mixed_folder):
    _code, output = run_cli("import", str(mixed_folder), "--library", str(tmp_path / "lib"))
    assert "Imported 4 papers" in output and "1 already in the library" in output
    assert "1 skipped, 5 failed" in output and "skipped  1 file that is not a PDF (.txt ×1)" in output
    assert "failed   " in output and "locked.pdf is protected by a password" in output


def test_a_missing_path_fails_with_its_name(tmp_path):
    code, output = run_cli("import", str(tmp_path / "nope.pdf"), "--json", "--library", str(tmp_path / "lib"))
    assert code == 1
    assert json_lines(output)[0]["reason"] == "does not exist"


def test_browse_commands(tmp_path):
    lib = str(tmp_path / "lib")
    folder = tmp_path / "papers"
    folder.mkdir()
    write_paper(folder / "a.pdf", "Groundwater recharge in karst aquifers", seed=4)
    write_paper(folder / "b.pdf", "Catalyst yield in flow reactors", seed=5)
    assert run_cli("import", str(folder), "--library", lib)[0] == 0

    code, output = run_cli("papers", "--library", lib)
    assert code == 0 and "Groundwater recharge" in output and "2 papers (2 ok)" in output
    rows = json_lines(run_cli("papers", "--json", "--library", lib)[1])
    assert {row["title"] for row in rows} == {"Groundwater recharge in karst aquifers", "Catalyst yield in flow reactors"}

    hits = json_lines(run_cli("search", "karst", "--json", "--library", lib)[1])
    assert len(hits) == 1 and hits[0]["title"].startswith("Groundwater")
    paper_id = hits[0]["paper_id"]

    shown = json.loads(run_cli("show", paper_id[:8], "--json", "--library", lib)[1])
    assert shown["id"] == paper_id and shown["pages"] >= 2
    kinds = [section["kind"] for section in shown["sections"]]
    assert "methods" in kinds and "results" in kinds
    code, text = run_cli("show", paper_id[:8], "--library", lib)
    assert "methods" in text and "CHARS" in text

    code, output = run_cli("remove", paper_id[:8], "--yes", "--library", lib)
    assert code == 0 and "Removed" in output
    assert json_lines(run_cli("search", "karst", "--json", "--library", lib)[1]) == []
    code, output = run_cli("show", paper_id[:8], "--library", lib)
    assert code == 1 and "No paper has the id" in output and "Traceback" not in output


def test_library_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERGYM_HOME", str(tmp_path / "from-env"))
    folder = tmp_path / "p"
    folder.mkdir()
    write_paper(folder / "a.pdf", "Phonon scattering", seed=6)
    assert run_cli("import", str(folder))[0] == 0
    assert (tmp_path / "from-env" / "library.db").exists()


def test_a_killed_import_leaves_a_consistent_library_and_a_rerun_finishes(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(24):
        write_paper(folder / f"paper{number:02}.pdf", f"Study number {number} of diffusion", seed=number, body_pages=6)
    lib = tmp_path / "lib"
    env = dict(os.environ)
    command = [sys.executable, "-m", "papergym", "import", str(folder), "--json", "--workers", "2", "--library", str(lib)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    imported = 0
    deadline = time.monotonic() + 120
    while imported < 3 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        imported += json.loads(line)["status"] == "imported"
    os.killpg(process.pid, signal.SIGKILL)  # the whole process group, workers included
    process.wait()
    assert 3 <= imported < 24, "the import finished before it could be killed"

    with sqlite3.connect(lib / "library.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        assert papers >= imported
        orphan_sections = conn.execute("SELECT count(*) FROM sections WHERE paper_id NOT IN (SELECT id FROM papers)").fetchone()[0]
        assert orphan_sections == 0
        assert conn.execute("SELECT count(*) FROM paper_fts").fetchone()[0] == papers

    rerun = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    statuses = [json.loads(line)["status"] for line in rerun.stdout.splitlines()]
    assert statuses.count("duplicate") == papers and statuses.count("imported") == 24 - papers
    with Library(lib) as library:
        assert len(library.papers(status="ok")) == 24
        assert not list(library.pdf_dir.glob("*.partial-*"))
        assert len(list(library.pdf_dir.glob("*.pdf"))) == 24


@pytest.mark.skipif(not (DEMO_PAPERS / "expected.json").exists(), reason="demo papers not built")
def test_demo_papers_import_with_their_metadata(tmp_path):
    expected = json.loads((DEMO_PAPERS / "expected.json").read_text())
    code, output = run_cli("import", str(DEMO_PAPERS), "--json", "--library", str(tmp_path / "lib"))
    assert code == 0, output
    with Library(tmp_path / "lib") as library:
        papers = {row["filename"]: row for row in library.papers()}
        assert set(papers) == set(expected)
        for filename, truth in expected.items():
            paper = papers[filename]
            assert paper["title"] == truth["title"], filename
            assert paper["year"] == truth["year"], filename
            assert paper["doi"] == truth["doi"], filename
            assert len(paper["authors"]) == len(truth["authors"]), filename
            kinds = {section["kind"] for section in library.sections(paper["id"])}
            assert {"introduction", "methods", "results", "conclusion"} <= kinds | {"results"}, filename
            full_text = " ".join(section["text"] for section in library.sections(paper["id"]))
            assert "ﬁ" not in full_text and "ﬂ" not in full_text
            assert "References" not in [s["heading"] for s in library.sections(paper["id"])]


def test_a_text_layer_of_control_codes_is_kept_as_no_text_with_a_reason(tmp_path: Path):
    # Old dvips Type 3 fonts without a Unicode map come out of pypdf as control codes, not words.
    noise = tmp_path / "type3.pdf"
    noise.write_bytes(text_pdf([["\x05\x0f\x0e\x10 \x11 \x12\x13\x11 \x17 \x19\x18\x19\x03 abc"] * 40] * 2))
    ligatures = tmp_path / "ligatures.pdf"
    pages = paper_pages("Efficient lattice heat transport", seed=3)
    pages[1] = [line.replace("fi", "\x0c") for line in pages[1]]
    ligatures.write_bytes(text_pdf(pages))
    _code, output = run_cli("import", str(noise), str(ligatures), "--json", "--library", str(tmp_path / "lib"))
    results = {Path(result["path"]).name: result for result in json_lines(output) if "path" in result}
    assert results["type3.pdf"]["has_text"] is False and "noise" in results["type3.pdf"]["reason"]
    assert "OCR" in results["type3.pdf"]["reason"]
    assert results["ligatures.pdf"]["has_text"] is True
    with Library(tmp_path / "lib") as library:
        stored = {row["filename"]: row for row in library.papers()}
    assert stored["type3.pdf"]["status"] == "no_text" and stored["ligatures.pdf"]["status"] == "ok"
