"""Score papergym's publication year on real papers whose first page prints several years.

The year is the field furthest from its target on held-out papers, and its misses are of one kind: a page that
prints a received, accepted, copyright, arXiv and issue date, of which the wrong one is taken. This set holds such
pages only: PDFs drawn at random (four draws of 130, seeds 41 to 44, at most two a repository) from the repositories that
bench/metadata_corpus.py copies papers from, kept when page 1 prints two or more distinct years and a word of a
journal's history or copyright; their year was read off an image of page 1 under written rules (the issue's year,
else the published date, else the copyright's; a conference's year; a preprint's date; never a download stamp).
Rows marked not sure, or with no year (not a paper, an undated page), are not scored. Each draw was scored once
before any rule was written against it: draw 41 107/111 right, draw 42 100/106 (dev 64/67, held-out 36/39), draw
43 100/108 (dev 69/76, held-out 31/32), draw 44 104/109 (dev 76/77, held-out 28/32).

The PDFs are third-party files and are not committed; they are read from the fetched mirrors as the main corpus's
are. Papers are split dev / held-out by the same fixed hash as the main corpus; tune on dev only.

    python bench/metadata_years.py                  # both splits, with the pypdf baseline (Info's CreationDate year)
    python bench/metadata_years.py --failures       # dev misses, one a line
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metadata_corpus import DEFAULT_MIRRORS, _mirror_git_dir, split_of

TRUTH_PATH = Path(__file__).resolve().parent / "metadata_year_truth.json"
_INFO_YEAR = re.compile(r"^(?:D:)?((?:19|20)\d\d)")


def _baseline_year(data: bytes) -> int | None:
    """The year of the PDF's Info /CreationDate, what a tool that trusts the file's own fields would show."""
    import pypdf

    try:
        info = pypdf.PdfReader(io.BytesIO(data), strict=False).metadata or {}
        match = _INFO_YEAR.match(str(info.get("/CreationDate") or ""))
    except Exception:
        return None
    return int(match.group(1)) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--failures", action="store_true", help="print each dev paper whose year is wrong")
    arguments = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from papergym.core.ingest.extract import ExtractError, extract_pdf

    rows = [row for row in json.loads(TRUTH_PATH.read_text()) if row["year"] is not None and row["sure"]]
    results: dict[str, list[tuple[bool, bool]]] = {"dev": [], "held-out": []}
    missing, seconds = 0, 0.0
    with tempfile.TemporaryDirectory() as folder:
        for row in rows:
            git_dir = _mirror_git_dir(arguments.mirrors, row["repo"])
            blob = (
                subprocess.run(["git", "--git-dir", str(git_dir), "show", f"HEAD:{row['path']}"], capture_output=True) if git_dir else None
            )
            if blob is None or blob.returncode != 0:
                missing += 1
                continue
            path = Path(folder) / "paper.pdf"
            path.write_bytes(blob.stdout)
            started = time.perf_counter()
            try:
                found = extract_pdf(str(path)).year
            except ExtractError:
                found = None
            seconds += time.perf_counter() - started
            split = split_of(f"{row['repo']}:{row['path']}")
            results[split].append((found == row["year"], _baseline_year(blob.stdout) == row["year"]))
            if arguments.failures and split == "dev" and found != row["year"]:
                print(f"- {row['repo']}:{row['path']}: found {found}, truth {row['year']} ({row['evidence'][:80]!r})")
    if missing:
        print(f"{missing} papers not in the mirrors (fetch their repositories, see bench/metadata_corpus.py)")
    scored = sum(len(split) for split in results.values())
    print(f"{scored} papers whose page 1 prints several years; papergym {1000 * seconds / max(scored, 1):.0f} ms per paper")
    for split, pairs in results.items():
        if pairs:
            ours, baseline = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
            ratio = f"{ours / baseline:.2f}" if baseline else "-"
            print(
                f"{split} ({len(pairs)}): papergym {100 * ours / len(pairs):.1f}% ({ours}), pypdf CreationDate {100 * baseline / len(pairs):.1f}% ({baseline}), ratio {ratio}"
            )


if __name__ == "__main__":
    main()
