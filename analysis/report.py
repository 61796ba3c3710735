"""The report: execute the study's notebooks on a corpus and render them as HTML.

``build_report`` runs every notebook of :func:`report_notebooks` with papermill,
passing the corpus, the rules and an output folder as parameters, renders each
executed notebook with nbconvert (images embedded, no script loaded from a CDN)
and writes an ``index.html`` that links them and records provenance. The report
is built in a temporary folder beside the target and moved into place only when
every step succeeded, so a failure never leaves a partial report where a good
one stood.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter
from tqdm.auto import tqdm

from analysis import __version__
from analysis.corpus import file_sha256, read_corpus
from analysis.errors import AnalysisError
from analysis.paths import BUILD_DIR, DEFAULT_CLEANING_RULES, NOTEBOOKS_DIR, PACKAGE_DIR, SEEDS_DIR

TEMPLATE_DIR = PACKAGE_DIR / "templates"
DEFAULT_REPORT_DIR = BUILD_DIR / "report"
PROVENANCE_PACKAGES = (
    "pandas", "numpy", "scikit-learn", "scipy", "matplotlib", "vaderSentiment", "sentencex",
    "PyYAML", "papermill", "nbconvert", "ipykernel",
)
# The kernel's hash seed and the absence of encryption warnings keep runs identical.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "TQDM_DISABLE": "1", "MPLBACKEND": "Agg"}


class ReportError(AnalysisError):
    """A notebook failed while the report was being built."""


def build_report(
    corpus_path: Path | str | None = None,
    out_dir: Path | str | None = None,
    rules_path: Path | str | None = None,
    notebooks: tuple[str, ...] | None = None,
    progress: bool = True,
) -> Path:
    """Build the report for ``corpus_path`` into ``out_dir``; return the path of its index.html.

    ``notebooks`` defaults to :func:`report_notebooks`. The corpus is read once
    first, so that bad input fails with its one-line message before any notebook
    starts.
    """
    notebooks = report_notebooks() if notebooks is None else notebooks
    corpus_path = Path(corpus_path).resolve() if corpus_path is not None else SEEDS_DIR
    rules_path = Path(rules_path).resolve() if rules_path is not None else DEFAULT_CLEANING_RULES
    out_dir = Path(out_dir).resolve() if out_dir is not None else DEFAULT_REPORT_DIR
    corpus = read_corpus(corpus_path, rules_path)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.building-"))
    staging.chmod(0o755)  # mkdtemp makes it private; a report is for reading
    try:
        pages = []
        steps = tqdm(notebooks, desc="report", unit="notebook", disable=not progress, file=sys.stderr)
        for name in steps:
            steps.set_postfix_str(name)
            executed = _execute(NOTEBOOKS_DIR / name, staging, corpus_path, rules_path)
            page = staging / (Path(name).stem + ".html")
            page.write_text(_render(executed, title=_title_of(executed, name)), encoding="utf-8")
            pages.append((page.name, _title_of(executed, name)))
        index = staging / "index.html"
        index.write_text(_index_page(pages, corpus, rules_path), encoding="utf-8")
        _replace_folder(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "index.html"


def report_notebooks() -> tuple[str, ...]:
    """Return the notebooks of the report: ``notebooks/NN_*.ipynb`` in the order of NN."""
    return tuple(sorted(path.name for path in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")))


def _execute(notebook: Path, out_dir: Path, corpus_path: Path, rules_path: Path) -> nbformat.NotebookNode:
    if not notebook.is_file():
        raise ReportError(f"{notebook}: notebook not found")
    parameters = {"corpus_path": str(corpus_path), "rules_path": str(rules_path), "output_dir": str(out_dir)}
    previous = {key: os.environ.get(key) for key in KERNEL_ENV}
    os.environ.update(KERNEL_ENV)
    try:
        return papermill.execute_notebook(
            str(notebook), None, parameters=parameters, kernel_name="python3", cwd=str(notebook.parent),
            progress_bar=False, log_output=False, report_mode=False, config=_kernel_config(),
        )
    except papermill.PapermillExecutionError as error:
        raise ReportError(
            f"{notebook.name}: cell {_cell_number(notebook, error.source)} "
            f"failed: {error.ename}: {error.evalue}"
        ) from None
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _cell_number(notebook: Path, source: str) -> str:
    """Return the 1-based number of the cell holding ``source`` in the notebook as saved
    (papermill counts its injected parameters cell too, which the user never sees)."""
    cells = nbformat.read(notebook, as_version=4).cells
    for number, cell in enumerate(cells, start=1):
        if cell.source == source:
            first_line = source.strip().splitlines()[0] if source.strip() else ""
            return f"{number} (`{first_line[:60]}`)"
    return "?"


def _kernel_config():
    """Return the traitlets config that stops ipykernel ≥ 7.3 warning about unencrypted TCP."""
    from traitlets.config import Config

    config = Config()
    config.KernelManager.transport_encryption = "auto"
    return config


def _title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _render(notebook: nbformat.NotebookNode, title: str) -> str:
    """Return the notebook as one offline HTML page (images embedded, code shown)."""
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.embed_images = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    notebook = _without_run_metadata(notebook)
    notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _without_run_metadata(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy without papermill's timestamps and durations, which change every run,
    and without the injected-parameters cell, whose absolute paths depend on the machine
    (the index page names the corpus instead)."""
    clean = nbformat.from_dict(notebook)
    clean.metadata.pop("papermill", None)
    clean.cells = [cell for cell in clean.cells if "injected-parameters" not in cell.metadata.get("tags", [])]
    for cell in clean.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return clean


def _index_page(pages: list[tuple[str, str]], corpus, rules_path: Path) -> str:
    links = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in pages)
    rows = "\n".join(
        f"<tr><td>{html.escape(_display_path(path))}</td><td><code>{file_sha256(path)}</code></td></tr>"
        for path in (*corpus.input_files, rules_path)
    )
    versions = "\n".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(_version(name))}</td></tr>"
        for name in ("analysis (this project)", *PROVENANCE_PACKAGES)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Media-framing study: report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; }}
code {{ font-size: 0.8rem; }}
</style>
</head>
<body>
<h1>Media-framing study: report</h1>
<p>Corpus: {html.escape(_display_path(corpus.source))}: {len(corpus.documents)} documents from
{len(corpus.outlets)} outlets ({html.escape(", ".join(corpus.outlets))}).</p>
<h2 id="contents">Contents</h2>
<ul>
{links}
</ul>
<h2 id="provenance">Provenance</h2>
<p>The files this report was built from (SHA-256):</p>
<table>
<tr><th>file</th><th>SHA-256</th></tr>
{rows}
</table>
<p>Software:</p>
<table>
<tr><th>package</th><th>version</th></tr>
{versions}
</table>
</body>
</html>
"""


def _display_path(path: Path) -> str:
    """Return ``path`` relative to the corpus's parent folder when possible, so the report does not
    depend on where the project was cloned."""
    path = Path(path)
    for base in (SEEDS_DIR.parent, Path.cwd()):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


def _version(name: str) -> str:
    if name.startswith("analysis"):
        return __version__
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _replace_folder(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``; an existing ``target`` is removed only after the move succeeded."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
