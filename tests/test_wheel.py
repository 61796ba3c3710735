"""The toolkit installs like a library: a wheel built from the checkout works outside it.

The wheel is installed into a new virtual environment in a scratch folder; the
dependencies come from the test run's own environment through a path file (which
does not load this checkout's editable install), and every command runs from a
folder outside the repository.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT


def run(command: list, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``command``; fail the test with its standard error when it fails."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    # nbconvert's templates are data files of the environment that holds the dependencies.
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**env, "TQDM_DISABLE": "1"}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Return the python of a fresh environment that has only the wheel of this checkout installed."""
    scratch = tmp_path_factory.mktemp("wheel")
    # Build from a copy of the tracked files: setuptools writes build/ beside the sources it builds.
    source = scratch / "source"
    tracked = run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT).stdout.split("\0")
    for name in filter(None, tracked):
        if (PROJECT_ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--quiet", "--wheel-dir", scratch / "dist"],
        cwd=scratch)
    wheel = next((scratch / "dist").glob("media_framing_analysis-*.whl"))
    run([sys.executable, "-m", "venv", "--without-pip", scratch / "env"], cwd=scratch)
    python = scratch / "env" / "bin" / "python"
    fresh_site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          cwd=scratch).stdout.strip())
    (fresh_site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel], cwd=scratch)
    outside = scratch / "elsewhere"
    outside.mkdir()
    return python, outside


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    python, outside = installed
    where = run([python, "-c", "import analysis; print(analysis.__file__)"], cwd=outside).stdout.strip()
    assert not Path(where).resolve().is_relative_to(PROJECT_ROOT)
    assert "site-packages" in where


def test_installed_command_line_reads_the_shipped_example_corpus(installed):
    python, outside = installed
    out = run([python, "-m", "analysis", "corpus", "--format", "csv"], cwd=outside).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    # The three seed articles, with the word counts the README gives (434, 408, 763).
    assert [(row["doc_id"], int(row["n_words"])) for row in rows] == [
        ("dw", 434), ("overt-operator", 408), ("the-national", 763)]
    script = python.parent / "framing-analysis"
    assert "terms" in run([script, "--help"], cwd=outside).stdout
    # stopwords.txt ships too: the vocabulary step needs it.
    run([python, "-m", "analysis", "vocab", "--top", "1"], cwd=outside)
    run([python, "-m", "analysis", "tone-validation"], cwd=outside)


def test_installed_report_builds_beside_the_user(installed):
    python, outside = installed
    run([python, "-m", "analysis", "report", "--quiet", "--out", "my-report"], cwd=outside, timeout=600)
    pages = sorted(path.name for path in (outside / "my-report").glob("*.html"))
    assert pages == ["01_corpus.html", "02_vocabulary.html", "03_framing.html", "04_tone.html", "05_sources.html",
                     "index.html"]
