"""One broken file never stops an import: its text is made safe, or it fails alone with a one-line reason."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from papergym.core.errors import LibraryError
from papergym.core.ingest.importer import import_paths
from papergym.core.library import Library
from papergym.tui.cli.main import cli

from tests.pdfs import _assemble, _escape, paper_pages, write_paper

# Character codes that the broken font's ToUnicode map sends to a lone surrogate, NUL, a private-use glyph
# and a C1 control: what pypdf hands over for some real conference papers.
BROKEN_CODES = {0x01: "D800", 0x02: "0000", 0x03: "E000", 0x04: "0085"}


def broken_unicode_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose font maps codes 1-4 to text no database takes (see BROKEN_CODES)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    entries = "\n".join(f"<{code:02X}> <{target}>" for code, target in BROKEN_CODES.items())
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Broken def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(BROKEN_CODES)} beginbfchar\n{entries}\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    to_unicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode %d 0 R >>" % to_unicode)
    operations = ["BT", "/F1 10 Tf", "12 TL", "60 760 Td", *(f"({_escape(line)}) Tj T*" for line in lines), "ET"]
    stream = "\n".join(operations).encode("latin-1")
    content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    page = add(b"")
    pages = add(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
    objects[page - 1] = (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>"
        % (pages, content, font)
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    return _assemble(objects, catalog, None)


def test_a_paper_with_surrogates_nul_and_glyph_runs_imports_with_clean_text(tmp_path: Path):
    lines = [line.replace("e", "e\x01", 1).replace("a", "a\x02\x04", 1) for page in paper_pages("Broken glyph \x01 paper") for line in page]
    lines.insert(8, "(cid:12)(cid:13)(cid:14) \x03\x03\x03")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.pdf").write_bytes(broken_unicode_pdf(lines[:60]))
    write_paper(inbox / "fine-one.pdf", "Enzyme kinetics under oxidative stress", seed=1)
    write_paper(inbox / "fine-two.pdf", "Sediment flux in braided rivers", seed=2)

    result = CliRunner().invoke(cli, ["import", str(inbox), "--json", "--library", str(tmp_path / "lib")], catch_exceptions=False)
    results = {Path(row["path"]).name: row for row in map(json.loads, result.output.splitlines())}
    assert result.exit_code == 0, result.output
    assert {name: row["status"] for name, row in results.items()} == dict.fromkeys(results, "imported") and len(results) == 3

    with Library(tmp_path / "lib") as library:
        paper = library.paper(results["broken.pdf"]["paper_id"])
        stored = [paper["title"] or "", paper["abstract"] or "", *(s["text"] + s["heading"] for s in library.sections(paper["id"]))]
        assert paper["status"] == "ok" and "glyph" in paper["title"]
        for text in stored:
            text.encode("utf-8")  # no lone surrogate is left
            assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text) and "\x85" not in text
            assert "(cid:" not in text and "\ue000" not in text
        assert library.search("sediment") and library.search("glyph")
        assert library.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    shown = CliRunner().invoke(cli, ["show", results["broken.pdf"]["paper_id"][:8], "--library", str(tmp_path / "lib")])
    assert shown.exit_code == 0 and "glyph" in shown.output


def test_a_database_write_that_fails_fails_only_that_file(tmp_path: Path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed, title in enumerate(["Enzyme kinetics under oxidative stress", "Poison pill paper for the write", "Aquifer recharge rates"]):
        write_paper(inbox / f"paper-{seed}.pdf", title, seed=seed)
    original_add = Library.add_paper

    def add_paper_that_breaks_on_one(self, paper, stored_path):
        if paper.title and "Poison" in paper.title:
            raise sqlite3.IntegrityError("CHECK constraint failed: papers\nsecond line")
        return original_add(self, paper, stored_path)

    monkeypatch.setattr(Library, "add_paper", add_paper_that_breaks_on_one)
    with Library(tmp_path / "lib") as library:
        report = import_paths(library, [inbox], workers=1)
        assert len(report.results) == 3
        statuses = {Path(result.path).name: result.status for result in report.results}
        assert statuses == {"paper-0.pdf": "imported", "paper-1.pdf": "failed", "paper-2.pdf": "imported"}
        failed = report.failed[0]
        assert failed.reason == "could not be stored (IntegrityError: CHECK constraint failed: papers)"
        assert len(library.papers(status="ok")) == 2


def test_a_library_held_by_another_writer_stops_the_import_with_one_sentence(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_paper(inbox / "paper.pdf", "Enzyme kinetics under oxidative stress", seed=1)
    Library(tmp_path / "lib").close()
    holder = sqlite3.connect(tmp_path / "lib" / "library.db")
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        with Library(tmp_path / "lib", busy_timeout_ms=200) as library:
            with pytest.raises(LibraryError, match="The library database is busy"):
                import_paths(library, [inbox], workers=1)
    finally:
        holder.rollback()
        holder.close()


def test_a_file_name_that_is_not_utf8_imports_and_prints(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    written = write_paper(inbox / "paper.pdf", "Groundwater recharge in karst aquifers", seed=4)
    try:
        os.rename(bytes(written), bytes(inbox) + b"/caf\xe9 \x01.pdf")  # Latin-1 bytes and a control character
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    result = CliRunner().invoke(cli, ["import", str(inbox), "--json", "--library", str(tmp_path / "lib")], catch_exceptions=False)
    row = json.loads(result.output)
    assert result.exit_code == 0 and row["status"] == "imported" and row["path"].endswith("caf\ufffd .pdf")
    with Library(tmp_path / "lib") as library:
        assert library.paper(row["paper_id"][:8])["filename"] == "caf\ufffd .pdf"
