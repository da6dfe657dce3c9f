"""Data files that ship with papergym: the default taxonomy and the demo papers."""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
DEFAULT_TAXONOMY = ASSETS_DIR / "taxonomy.toml"
DEMO_PAPERS = ASSETS_DIR / "demo_papers"
