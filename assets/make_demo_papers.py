#!/usr/bin/env python3
"""Build the papergym demo papers from their LaTeX sources.

Every ``assets/demo_papers/src/<slug>.tex`` is compiled with ``pdflatex`` in a
fresh temporary directory and the result is written to
``assets/demo_papers/<slug>.pdf``.

The build is reproducible: ``SOURCE_DATE_EPOCH`` is fixed (2024-06-01 00:00 UTC
by default) together with ``FORCE_SOURCE_DATE=1``, and every source sets
``\\pdftrailerid{}`` in its preamble, so running this script twice with the
same TeX installation produces byte-identical PDFs.

Only the Python 3.11 standard library is used. TeX is needed only to rebuild
the papers; the PDFs are committed so that users and CI do not need it.

Example::

    python assets/make_demo_papers.py              # build all papers
    python assets/make_demo_papers.py nibble_hyperloglog --keep-build
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SRC = HERE / "demo_papers" / "src"
DEFAULT_OUT = HERE / "demo_papers"
# 2024-06-01T00:00:00Z
DEFAULT_EPOCH = 1717200000
# pdflatex is always run at least twice (cross references, LastPage);
# further runs only happen if LaTeX still asks for a rerun.
MIN_RUNS = 2
MAX_RUNS = 4


class BuildError(RuntimeError):
    """A paper failed to compile."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Compile the demo papers in assets/demo_papers/src/*.tex with pdflatex into assets/demo_papers/<slug>.pdf, reproducibly."
        ),
    )
    parser.add_argument(
        "slugs",
        nargs="*",
        metavar="SLUG",
        help="only build these papers (file stem of the .tex source); default: all",
    )
    parser.add_argument(
        "--src-dir",
        type=Path,
        default=DEFAULT_SRC,
        help="directory holding the .tex sources (default: %(default)s)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT,
        help="directory the PDFs are written to (default: %(default)s)",
    )
    parser.add_argument(
        "--epoch",
        type=int,
        default=DEFAULT_EPOCH,
        help="SOURCE_DATE_EPOCH used for PDF dates (default: %(default)s = 2024-06-01)",
    )
    parser.add_argument(
        "--pdflatex",
        default="pdflatex",
        help="pdflatex executable to use (default: %(default)s)",
    )
    parser.add_argument(
        "--keep-build",
        action="store_true",
        help="keep the temporary build directories (paths are printed)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="only print errors")
    return parser.parse_args(argv)


def find_sources(src_dir: Path, slugs: list[str]) -> list[Path]:
    sources = sorted(src_dir.glob("*.tex"))
    if not slugs:
        return sources
    by_slug = {p.stem: p for p in sources}
    missing = [s for s in slugs if s not in by_slug]
    if missing:
        raise BuildError(f"no source for: {', '.join(missing)} in {src_dir}")
    return [by_slug[s] for s in slugs]


def build_env(epoch: int) -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = str(epoch)
    env["FORCE_SOURCE_DATE"] = "1"
    env["TZ"] = "UTC"
    env["LC_ALL"] = "C"
    return env


def needs_rerun(log: Path) -> bool:
    text = log.read_text(encoding="latin-1", errors="replace")
    return "Rerun to get" in text or "Label(s) may have changed" in text


def compile_one(tex: Path, out_dir: Path, pdflatex: str, env: dict[str, str], keep: bool) -> Path:
    build = Path(tempfile.mkdtemp(prefix=f"pgdemo-{tex.stem}-"))
    try:
        # Compile a copy named like the source so \jobname is the slug.
        shutil.copy2(tex, build / tex.name)
        cmd = [
            pdflatex,
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-file-line-error",
            tex.name,
        ]
        log = build / f"{tex.stem}.log"
        for run in range(1, MAX_RUNS + 1):
            proc = subprocess.run(
                cmd,
                cwd=build,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            )
            if proc.returncode != 0:
                errors = [ln for ln in proc.stdout.splitlines() if ln.startswith("!") or re.match(r"\S+\.(tex|sty|cls):\d+: ", ln)]
                detail = errors[0] if errors else f"exit status {proc.returncode}"
                raise BuildError(f"{tex.name}: pdflatex failed (run {run}): {detail} [log: {log}]")
            if run >= MIN_RUNS and not needs_rerun(log):
                break
        pdf = build / f"{tex.stem}.pdf"
        if not pdf.is_file():
            raise BuildError(f"{tex.name}: pdflatex produced no PDF [log: {log}]")
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / pdf.name
        shutil.copyfile(pdf, target)
        return target
    except BuildError:
        keep = True  # leave the log behind for inspection
        raise
    finally:
        if keep:
            print(f"build dir kept: {build}", file=sys.stderr)
        else:
            shutil.rmtree(build, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which(args.pdflatex) is None:
        print(
            f"make_demo_papers: '{args.pdflatex}' not found on PATH; install TeX "
            "(e.g. apt-get install texlive-latex-base texlive-latex-extra "
            "texlive-fonts-recommended) to rebuild the demo papers",
            file=sys.stderr,
        )
        return 2
    try:
        sources = find_sources(args.src_dir, args.slugs)
        if not sources:
            raise BuildError(f"no .tex sources in {args.src_dir}")
        env = build_env(args.epoch)
        for tex in sources:
            target = compile_one(tex, args.out_dir, args.pdflatex, env, args.keep_build)
            if not args.quiet:
                print(f"built {target}")
    except BuildError as exc:
        print(f"make_demo_papers: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
