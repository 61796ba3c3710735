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
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter
from tqdm.auto import tqdm

from analysis import __version__
from analysis.corpus import file_sha256, read_corpus
from analysis.errors import AnalysisError
from analysis.paths import (
    BUILD_DIR,
    DATA_DIR,
    DEFAULT_CLEANING_RULES,
    DEFAULT_CODEBOOK,
    NOTEBOOKS_DIR,
    PACKAGE_DIR,
    SEEDS_DIR,
)

TEMPLATE_DIR = PACKAGE_DIR / "templates"
DEFAULT_REPORT_DIR = BUILD_DIR / "report"
STUDY_NOTEBOOK_STEM = "00_study"
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
    codebook_path: Path | str | None = None,
    notebooks: tuple[str, ...] | None = None,
    progress: bool = True,
    publish_figures_to: Path | str | None = None,
) -> Path:
    """Build the report for ``corpus_path`` into ``out_dir``; return the path of its index.html.

    ``notebooks`` defaults to :func:`report_notebooks`; the study notebook
    (``00_study.ipynb``) becomes ``index.html`` with its code hidden, every other
    notebook a page of its own with code shown. The corpus is read once first, so
    that bad input fails with its one-line message before any notebook starts.
    ``publish_figures_to`` (the repository's ``figures/`` for the seed study) receives
    a copy of the report's figures once the build has succeeded.
    """
    notebooks = report_notebooks() if notebooks is None else notebooks
    corpus_path = Path(corpus_path).resolve() if corpus_path is not None else SEEDS_DIR
    rules_path = Path(rules_path).resolve() if rules_path is not None else DEFAULT_CLEANING_RULES
    codebook_path = Path(codebook_path).resolve() if codebook_path is not None else DEFAULT_CODEBOOK
    out_dir = Path(out_dir).resolve() if out_dir is not None else DEFAULT_REPORT_DIR
    corpus = read_corpus(corpus_path, rules_path)
    if not codebook_path.is_file():
        raise ReportError(f"{codebook_path}: codebook not found")
    parameters = {"corpus_path": str(corpus_path), "rules_path": str(rules_path),
                  "codebook_path": str(codebook_path)}
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.building-"))
    staging.chmod(0o755)  # mkdtemp makes it private; a report is for reading
    try:
        executed = {}
        steps = tqdm(notebooks, desc="report", unit="notebook", disable=not progress, file=sys.stderr)
        for name in steps:
            steps.set_postfix_str(name)
            executed[name] = execute_notebook(NOTEBOOKS_DIR / name, {**parameters, "output_dir": str(staging)})
        pages = [_page_name(name) for name in notebooks]
        titles = {name: _title_of(notebook, name) for name, notebook in executed.items()}
        navigation = [(_page_name(name), titles[name]) for name in notebooks]
        provenance = _provenance_html(corpus, rules_path, codebook_path)
        for name, page in zip(notebooks, pages):
            is_study = page == "index.html"
            html_page = _render(executed[name], titles[name], navigation, show_code=not is_study,
                                footer=provenance if is_study else "")
            (staging / page).write_text(html_page, encoding="utf-8")
        if "index.html" not in pages:
            (staging / "index.html").write_text(_index_page(navigation, corpus, provenance), encoding="utf-8")
        _replace_folder(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if publish_figures_to is not None:
        _publish_figures(out_dir / "figures", Path(publish_figures_to))
    return out_dir / "index.html"


def _page_name(notebook: str) -> str:
    stem = Path(notebook).stem
    return "index.html" if stem == STUDY_NOTEBOOK_STEM else f"{stem}.html"


def _publish_figures(source: Path, target: Path) -> None:
    """Make ``target`` hold exactly the report's figures (PNG and SVG)."""
    target.mkdir(parents=True, exist_ok=True)
    fresh = {path.name for path in source.glob("*.*")} if source.is_dir() else set()
    for stale in target.glob("*.*"):
        if stale.suffix in (".png", ".svg") and stale.name not in fresh:
            stale.unlink()
    for name in sorted(fresh):
        shutil.copyfile(source / name, target / name)


def report_notebooks() -> tuple[str, ...]:
    """Return the notebooks of the report: ``notebooks/NN_*.ipynb`` in the order of NN."""
    return tuple(sorted(path.name for path in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")))


def execute_notebook(notebook: Path, parameters: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Return ``notebook`` executed top to bottom (in its own folder) with the ``parameters`` it declares.

    Raises ReportError naming the notebook, the cell (as numbered in the saved
    notebook) and the error when a cell fails.
    """
    notebook = Path(notebook)
    if not notebook.is_file():
        raise ReportError(f"{notebook}: notebook not found")
    declared = papermill.inspect_notebook(str(notebook))
    parameters = {key: value for key, value in (parameters or {}).items() if key in declared}
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


def _render(notebook: nbformat.NotebookNode, title: str, navigation: list[tuple[str, str]],
            show_code: bool, footer: str = "") -> str:
    """Return the notebook as one offline HTML page: navigation, contents, images embedded.

    The page is rendered twice: the first pass finds the section headings (with the
    ids nbconvert gives them), the second writes the table of contents.
    """
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.embed_images = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_input = not show_code
    notebook = _without_run_metadata(notebook)
    notebook.metadata["title"] = title
    resources = {"report_nav": _navigation_html(navigation, title), "report_footer": footer, "report_toc": ""}
    first, _ = exporter.from_notebook_node(notebook, resources=dict(resources))
    sections = _section_headings(first)
    if footer:
        sections.append(("provenance", "Provenance"))
    resources["report_toc"] = "<ol>" + "".join(
        f'<li><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>' for anchor, text in sections
    ) + "</ol>"
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body


def _navigation_html(navigation: list[tuple[str, str]], current: str) -> str:
    items = []
    for href, title in navigation:
        label = "The study" if href == "index.html" else title
        if title == current:
            items.append(f'<li aria-current="page">{html.escape(label)}</li>')
        else:
            items.append(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>')
    return "<ul>" + "".join(items) + "</ul>"


class _HeadingCollector(HTMLParser):
    """Collects (id, text) of the h2 headings of a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self._current: list | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "h2" and dict(attrs).get("id"):
            self._current = [dict(attrs)["id"], ""]
        elif self._current is not None and tag == "a":
            self._skip += 1  # the ¶ anchor link nbconvert appends

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag == "h2" and self._current is not None:
            self.headings.append((self._current[0], self._current[1].strip()))
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._skip:
            self._current[1] += data


def _section_headings(page: str) -> list[tuple[str, str]]:
    collector = _HeadingCollector()
    collector.feed(page)
    return collector.headings


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


def _provenance_html(corpus, rules_path: Path, codebook_path: Path) -> str:
    """Return the provenance section: input and data-file hashes, package versions."""
    files = list(dict.fromkeys([*corpus.input_files, rules_path, codebook_path, *sorted(DATA_DIR.glob("*.*"))]))
    rows = "\n".join(
        f"<tr><td>{html.escape(_display_path(path))}</td><td><code>{file_sha256(path)}</code></td></tr>"
        for path in files if Path(path).is_file()
    )
    versions = "\n".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(_version(name))}</td></tr>"
        for name in ("analysis (this project)", *PROVENANCE_PACKAGES)
    )
    return f"""<section id="provenance" class="report-provenance">
<h2>Provenance</h2>
<p>Corpus: {html.escape(_display_path(corpus.source))}: {len(corpus.documents)} documents from
{len(corpus.outlets)} outlets. The files this report was built from, with their SHA-256 hashes:</p>
<table>
<thead><tr><th>file</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p>Software:</p>
<table>
<thead><tr><th>package</th><th>version</th></tr></thead>
<tbody>
{versions}
</tbody>
</table>
</section>
"""


def _index_page(navigation: list[tuple[str, str]], corpus, provenance: str) -> str:
    """Return a plain index page (used when the report has no study notebook)."""
    links = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in navigation)
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
<p>{len(corpus.documents)} documents from {len(corpus.outlets)} outlets
({html.escape(", ".join(corpus.outlets))}).</p>
<h2 id="contents">Contents</h2>
<ul>
{links}
</ul>
{provenance}
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
