"""The one place that names the project's folders and default data files.

From a checkout the study's folders are the repository's own (``seeds/``,
``notebooks/``, ``data/``). An installed wheel carries the same files inside the
package (``pyproject.toml`` maps them there), so ``pip install .`` gives a working
``report`` and default corpus without the repository.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "notebooks").is_dir()


def _study_folder(in_checkout: str, in_package: str) -> Path:
    """Return the repository's folder from a checkout, else the copy shipped inside the package."""
    return PROJECT_ROOT / in_checkout if IN_CHECKOUT else PACKAGE_DIR / in_package


SEEDS_DIR = _study_folder("seeds", "_seeds")
NOTEBOOKS_DIR = _study_folder("notebooks", "_notebooks")
NYT_DIR = _study_folder("data/vader_nyt_editorials", "_nyt_editorials")
FIGURES_DIR = PROJECT_ROOT / "figures"
# An installed package has no project folder to build in: the report goes beside the user.
BUILD_DIR = PROJECT_ROOT / "build" if IN_CHECKOUT else Path("build")
DATA_DIR = PACKAGE_DIR / "data"
DEFAULT_CLEANING_RULES = DATA_DIR / "cleaning.yaml"
DEFAULT_CODEBOOK = DATA_DIR / "codebook.yaml"
