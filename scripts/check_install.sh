#!/usr/bin/env bash
# Install papergym the way the README's first command does (`pip install .`, not editable) into a scratch venv,
# then import every module: a package missing from pyproject's list passes under `pip install -e` but fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install -q torch==2.13.0
"$scratch/venv/bin/pip" install -q ".[train,ocr]"
cd "$scratch"  # away from the checkout, so nothing imports from the source folders
"$scratch/venv/bin/python" - <<'PY'
import importlib, pkgutil
import papergym
names = [info.name for info in pkgutil.walk_packages(papergym.__path__, "papergym.") if info.name != "papergym.__main__"]
for name in names:
    importlib.import_module(name)
from importlib.resources import files
assert files("papergym.assets").joinpath("taxonomy.toml").is_file()
assert len(list(files("papergym.assets.demo_papers").iterdir())) >= 7
assert files("papergym.tui.app").joinpath("app.tcss").is_file()
from papergym.core.ingest.ocr import ocr_unavailable_reason
assert ocr_unavailable_reason() is None, ocr_unavailable_reason()  # Tesseract and its English model came with the ocr extra
print(f"installed papergym imports all {len(names)} modules; assets and style sheets are in place")
PY
"$scratch/venv/bin/papergym" --help >/dev/null
