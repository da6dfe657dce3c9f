"""The wheels a GPU machine without a package registry needs for bench/gpu_check.sh, pruned to fit 64 MiB.

Run here (with PyPI): it downloads the pinned wheels for Python 3.12 on
x86-64 Linux into ``.whl/`` (ignore it in ``.git/info/exclude``), drops what
a headless training run never loads (Unsloth Studio's web app, bitsandbytes'
libraries for other CUDA versions), and prints the total. ``--check`` only
measures what is there. What the device image already holds (torch,
transformers, peft, accelerate, pyarrow, ...) is not fetched.

    python bench/gpu_wheels.py [--dir .whl] [--cuda 13] [--check]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MIB = 64
# Leaves room for the working tree that travels with the wheels.
BUDGET_MIB = 52
WHEELS = [
    "unsloth==2026.10.9",
    "unsloth_zoo==2026.10.9",
    "trl==1.15.0",
    "datasets==4.8.5",
    "dill",
    "multiprocess",
    "bitsandbytes==0.50.2",
    "torchao",
    "cut_cross_entropy",
    "tyro",
    "docstring-parser",
    "shtab",
    "typeguard",
    "msgspec",
    "hf_transfer",
    "gguf==0.19.0",
    "sqlite-utils",
    "sqlite-fts4",
    "click-default-group",
    "platformdirs",
    "pypdf",
]
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_24_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]


def prune(wheel: Path, cuda_major: str) -> int:
    """Rewrite a wheel without the parts a training run never loads; returns the bytes saved."""
    name = wheel.name.lower()
    if name.startswith("unsloth-"):

        def keep(member: str) -> bool:
            return not member.startswith(("studio/", "unsloth_cli/"))
    elif name.startswith("bitsandbytes-"):

        def keep(member: str) -> bool:
            library = member.rsplit("/", 1)[-1]
            return not (library.startswith("libbitsandbytes_cuda") and not library.startswith(f"libbitsandbytes_cuda{cuda_major}"))
    else:
        return 0
    before = wheel.stat().st_size
    pruned = wheel.with_suffix(".pruning")
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(pruned, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if keep(item.filename):
                target.writestr(item, source.read(item.filename))
    pruned.replace(wheel)
    return before - wheel.stat().st_size


def total_mib(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.glob("*.whl")) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ROOT / ".whl")
    parser.add_argument("--cuda", default="13", help="The CUDA major version of the GPU machine's torch (13 for cu130).")
    parser.add_argument("--check", action="store_true", help="Only measure the wheels already in --dir.")
    args = parser.parse_args()
    if not args.check:
        args.dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.12"]
        command += ["--implementation", "cp", *[part for platform in PLATFORMS for part in ("--platform", platform)], "-d", str(args.dir)]
        subprocess.run([*command, *WHEELS], check=True)
        for wheel in sorted(args.dir.glob("*.whl")):
            saved = prune(wheel, args.cuda)
            if saved:
                print(f"pruned {wheel.name}: {saved / 2**20:.1f} MiB less")
    size = total_mib(args.dir) if args.dir.is_dir() else 0.0
    names = sorted(path.name for path in args.dir.glob("*.whl")) if args.dir.is_dir() else []
    print(f"{len(names)} wheels, {size:.1f} MiB (budget {BUDGET_MIB} MiB of the {LIMIT_MIB} MiB a device call carries)")
    return 0 if size <= BUDGET_MIB else 1


if __name__ == "__main__":
    sys.exit(main())
