"""Every code folder ships: `pip install .` (the README's first command) installs only the packages pyproject lists."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"core": "papergym.core", "train": "papergym.train", "tui": "papergym.tui", "assets": "papergym.assets"}


def _listed_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def _package_folders() -> dict[str, Path]:
    found = {}
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found[".".join([package, *relative.parts])] = init.parent
    return found


def test_every_folder_with_an_init_is_a_listed_package():
    missing = sorted(set(_package_folders()) - _listed_packages())
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_listed_package_has_a_folder():
    stale = sorted(_listed_packages() - set(_package_folders()) - {"papergym", "papergym.assets.demo_papers"})
    assert not stale, f"listed in pyproject.toml but gone: {stale}"


def test_every_folder_of_python_code_has_an_init():
    # A folder of modules without __init__.py is a namespace package that setuptools' list would silently skip.
    for folder in ("core", "train", "tui"):
        for module in (ROOT / folder).rglob("*.py"):
            assert (module.parent / "__init__.py").exists(), f"{module.parent} has no __init__.py"


def test_style_sheets_ship_with_their_screens():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for sheet in (ROOT / "tui").rglob("*.tcss"):
        package = ".".join(["papergym.tui", *sheet.parent.relative_to(ROOT / "tui").parts])
        assert "*.tcss" in data.get(package, []), f"{sheet} is not in package-data for {package}"
