"""Benchmark PDF import against plain single-process pypdf, on the same files.

Prints pages/s of `papergym import` and of `pypdf` `extract_text` in one
process, their ratio (target >= 1.5 on 2 cores), the reader's peak memory on a
600-page PDF (target < 1 GiB), and listing/search latency on a synthetic
library of 10,000 papers (targets < 1 s and < 100 ms).

    python bench/ingest.py                 # builds its own corpus from assets/demo_papers
    python bench/ingest.py --pdfs ~/papers # your own folder
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from papergym.core.library import Library, PaperRecord, SectionRecord  # noqa: E402

from tests.pdfs import SAMPLE_WORDS, paper_pages, text_pdf  # noqa: E402


def build_corpus(folder: Path, copies: int) -> list[Path]:
    """Distinct files (by hash) with the demo papers' real pdflatex content."""
    from pypdf import PdfReader, PdfWriter

    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted((ROOT / "assets" / "demo_papers").glob("*.pdf"))
    if not sources:
        sys.exit("no demo papers in assets/demo_papers; pass --pdfs DIR")
    paths = []
    for source in sources:
        for copy in range(copies):
            writer = PdfWriter(clone_from=PdfReader(source))
            writer.add_metadata({"/BenchCopy": str(copy)})
            target = folder / f"{source.stem}-{copy}.pdf"
            with target.open("wb") as handle:
                writer.write(handle)
            paths.append(target)
    return paths


def pypdf_baseline(paths: list[Path]) -> tuple[int, float]:
    """Plain pypdf: one process, extract_text on every page, nothing else."""
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    pages = 0
    started = time.perf_counter()
    for path in paths:
        try:
            for page in pypdf.PdfReader(path).pages:
                page.extract_text()
                pages += 1
        except Exception:
            pass
    return pages, time.perf_counter() - started


def papergym_import(folder: Path, library: Path) -> tuple[int, float, list[dict]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "papergym", "import", str(folder), "--json", "--library", str(library)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some files failed, each with its reason; the rest were read
        sys.exit(f"papergym import failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    # Copies of one demo paper are linked as duplicates of it, but each was read and stored all the same.
    pages = sum(r["pages"] or 0 for r in results if r["status"] == "imported" or r.get("duplicate_of"))
    return pages, seconds, results


def large_pdf_memory(workdir: Path, page_count: int) -> tuple[float, float]:
    lines = paper_pages("A very long report", seed=7, body_pages=page_count, lines_per_page=60)
    while len(lines) < page_count:
        lines += lines
    path = workdir / "large" / "long-report.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text_pdf(lines[:page_count]))
    pages, seconds, results = papergym_import(path.parent, workdir / "large-lib")
    peak = max((r.get("peak_rss_mb") or 0.0) for r in results)
    return peak, pages / seconds if seconds else 0.0


def synthetic_library(folder: Path, papers: int) -> Library:
    rng = random.Random(0)
    vocabulary = SAMPLE_WORDS + [f"term{n}" for n in range(3000)]
    library = Library(folder)

    def text(words: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(words))

    with library.write():
        for number in range(papers):
            sections = [
                SectionRecord(kind, kind.title(), text(250)) for kind in ("abstract", "introduction", "methods", "results", "conclusion")
            ]
            record = PaperRecord(
                id=f"{number:064x}",
                status="ok",
                filename=f"p{number}.pdf",
                source_path=f"/x/p{number}.pdf",
                size_bytes=1000,
                pages=8,
                title=text(8),
                authors=["A. Author"],
                year=2000 + number % 25,
                abstract=sections[0].text,
                sections=sections,
            )
            library.add_paper(record, stored_path=None)
    return library


def timed_command(args: list[str], runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "papergym", *args], stdout=subprocess.DEVNULL, check=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdfs", type=Path, help="folder of PDFs to measure (default: built from the demo papers)")
    parser.add_argument("--copies", type=int, default=24, help="distinct copies of each demo paper in the built corpus")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each, in turns; their medians are compared")
    parser.add_argument("--large-pages", type=int, default=600)
    parser.add_argument("--library-papers", type=int, default=10_000)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="papergym-bench-"))
    try:
        folder = args.pdfs or workdir / "corpus"
        paths = sorted(folder.rglob("*.pdf")) if args.pdfs else build_corpus(folder, args.copies)
        print(f"corpus: {len(paths)} PDFs in {folder}")

        # The two are timed in turns, each into a new library, and their medians compared: a shared machine's speed
        # drifts by a fifth within a minute, which one run of each would read as a difference between them.
        base_runs, ours_runs = [], []
        ours_pages = 0
        for run in range(args.repeats):
            base_pages, seconds = pypdf_baseline(paths)
            base_runs.append(seconds)
            pages, seconds, _ = papergym_import(folder, workdir / f"lib-{run}")
            if run and pages != ours_pages:
                sys.exit(f"the import read {pages} pages in run {run + 1} and {ours_pages} before: the runs differ")
            ours_pages = pages
            ours_runs.append(seconds)
        base_seconds, ours_seconds = statistics.median(base_runs), statistics.median(ours_runs)
        base_rate, ours_rate = base_pages / base_seconds, ours_pages / ours_seconds
        runs = f"median of {args.repeats} runs" if args.repeats > 1 else "1 run"
        print(f"pypdf extract_text, 1 process: {base_pages} pages in {base_seconds:.1f} s = {base_rate:.1f} pages/s ({runs})")
        print(f"papergym import (all cores):   {ours_pages} pages in {ours_seconds:.1f} s = {ours_rate:.1f} pages/s ({runs})")
        print(f"ratio papergym/pypdf: {ours_rate / base_rate:.2f}  (target >= 1.5)")

        peak, rate = large_pdf_memory(workdir, args.large_pages)
        print(f"{args.large_pages}-page PDF: reader peak RSS {peak:.0f} MiB (target < 1024), {rate:.1f} pages/s")

        library_dir = workdir / "big-lib"
        started = time.perf_counter()
        library = synthetic_library(library_dir, args.library_papers)
        print(f"synthetic library: {args.library_papers} papers built in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        listed = library.papers()
        list_api = time.perf_counter() - started
        queries = ["diffusion coefficient", "enzyme", "term42 term7", '"thermal conductivity"', "aquifer porosity"]
        search_api = []
        for query in queries:
            started = time.perf_counter()
            library.search(query)
            search_api.append(time.perf_counter() - started)
        library.close()
        list_cli = timed_command(["papers", "--library", str(library_dir)])
        search_cli = timed_command(["search", "enzyme", "--library", str(library_dir)])
        print(f"papers: {len(listed)} rows, API {list_api * 1000:.0f} ms, CLI {list_cli * 1000:.0f} ms wall (target < 1000 ms)")
        print(
            f"search: API median {statistics.median(search_api) * 1000:.1f} ms, max {max(search_api) * 1000:.1f} ms;"
            f" CLI {search_cli * 1000:.0f} ms wall incl. Python start-up (target < 100 ms)"
        )
        startup = timed_command(["--version"])
        print(f"(python -m papergym --version alone: {startup * 1000:.0f} ms)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
