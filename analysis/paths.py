"""The one place that names the project's folders and default data files."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
FIGURES_DIR = PROJECT_ROOT / "figures"
BUILD_DIR = PROJECT_ROOT / "build"
DATA_DIR = PACKAGE_DIR / "data"
DEFAULT_CLEANING_RULES = DATA_DIR / "cleaning.yaml"
DEFAULT_CODEBOOK = DATA_DIR / "codebook.yaml"
NYT_DIR = PROJECT_ROOT / "data" / "vader_nyt_editorials"
