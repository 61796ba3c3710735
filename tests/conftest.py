"""Shared fixtures: the seed corpus (read once) and helpers to write small corpora."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analysis import read_corpus
from analysis.paths import PROJECT_ROOT, SEEDS_DIR

UNSEEN_CORPUS = Path(__file__).parent / "data" / "unseen"
NYT_GROUND_TRUTH = PROJECT_ROOT / "data" / "vader_nyt_editorials" / "nytEditorialSnippets_GroundTruth.txt"


@pytest.fixture(scope="session")
def seeds():
    """The seed corpus as the package reads it."""
    return read_corpus(SEEDS_DIR)


@pytest.fixture(scope="session")
def raw_seed_lines():
    """doc_id → the seed file's lines exactly as collected (1-based list: index 0 is line 1)."""
    with open(SEEDS_DIR / "corpus.csv", encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    return {row["doc_id"]: (SEEDS_DIR / row["file"]).read_text(encoding="utf-8").split("\n") for row in manifest}


def write_manifest_corpus(folder: Path, documents: list[dict]) -> Path:
    """Write a folder corpus: one text file per document and a corpus.csv; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["doc_id", "file", "outlet"]
    for document in documents:
        columns += [key for key in document if key not in columns and key != "text"]
    with open(folder / "corpus.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for document in documents:
            name = document.get("file", f"{document['doc_id']}.txt")
            writer.writerow({**document, "file": name})
            if "text" in document:
                data = document["text"]
                (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return folder


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write ``records`` as JSON lines; return ``path``."""
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def unseen_records() -> list[dict]:
    """Return the unseen corpus as table rows: its manifest's fields and each file's text."""
    with open(UNSEEN_CORPUS / "corpus.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [{key: value for key, value in row.items() if key != "file"}
            | {"text": (UNSEEN_CORPUS / row["file"]).read_text(encoding="utf-8")} for row in rows]


@pytest.fixture(scope="session")
def seed_report(tmp_path_factory):
    """The seed study's report, built once per test run (every notebook executed)."""
    from analysis.report import build_report

    out = tmp_path_factory.mktemp("seed-report") / "report"
    build_report(SEEDS_DIR, out, progress=False)
    return out


# --- no test leaves files outside its temporary folder ----------------------------------
# Test runs may create only these in the project (caches and the browser tests' screenshots).
ALLOWED_LEFTOVERS = (".pytest_cache/", "test-artifacts/", "__pycache__/", ".egg-info/")


def _project_files_outside_git() -> set[str]:
    """Return the project's untracked and ignored paths (``git status`` lists them), minus .venv."""
    import subprocess

    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--ignored"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    paths = {line[3:] for line in done.stdout.splitlines() if line[:2] in ("??", "!!")}
    return {path for path in paths if not path.startswith(".venv/")}


@pytest.fixture(scope="session", autouse=True)
def no_files_left_in_the_project():
    """Fail the run (an error at the last teardown) when tests left files in the project folder."""
    before = _project_files_outside_git()
    yield
    left = sorted(path for path in _project_files_outside_git() - before
                  if not any(part in path for part in ALLOWED_LEFTOVERS))
    if left:
        pytest.fail(f"the tests left {len(left)} file(s) in the project folder: {', '.join(left[:10])}")
