"""The report: execute the study's notebooks on a corpus and render them as HTML.

``build_report`` runs every notebook of :func:`report_notebooks` with papermill,
passing the corpus, the rules and an output folder as parameters, renders each
executed notebook with nbconvert (images embedded, no script loaded from a CDN)
and writes an ``index.html`` that links them and records provenance. The report
is built in a temporary folder beside the target and moved into place only when
every step succeeded, so a failure never leaves a partial report where a good
one stood. A build replaces only a folder that is new, empty or an earlier report
(marked by the file ``.framing-report``), so it never deletes what it did not write.
"""

from __future__ import annotations

import html
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import nbformat
import papermill
from jupyter_client import AsyncKernelManager
from nbconvert import HTMLExporter
from tqdm.auto import tqdm

from analysis import __version__
from analysis import lists
from analysis.corpus import file_sha256, read_document_table
from analysis.errors import AnalysisError
from analysis.files import holds_marker, is_empty_folder
from analysis.measure import describe_options, measure, open_study, study_manifest
from analysis.output import make_folder, write_bytes_atomic, write_text_atomic
from analysis.paths import (
    BUILD_DIR,
    DATA_DIR,
    DEFAULT_CLEANING_RULES,
    NOTEBOOKS_DIR,
    PACKAGE_DIR,
    PROJECT_ROOT,
    SEEDS_DIR,
)

try:
    import fcntl
except ImportError:  # POSIX only; without it a running build cannot be told from a killed one by its lock
    fcntl = None

TEMPLATE_DIR = PACKAGE_DIR / "templates"
DEFAULT_REPORT_DIR = BUILD_DIR / "report"
STUDY_NOTEBOOK_STEM = "00_study"
PROVENANCE_PACKAGES = (
    "pandas", "numpy", "scikit-learn", "scipy", "matplotlib", "vaderSentiment", "sentencex",
    "PyYAML", "papermill", "nbconvert", "ipykernel", "krippendorff",
)
# Where a report keeps the lists it discovered from the corpus (see analysis.discover).
DISCOVERED_FOLDER = "discovered"
# Where a report built from a corpus keeps the study it measured (see analysis.measure): the notebooks read it.
STUDY_FOLDER = "study"
# Actors a report discovers at most (the most mentioned): a page and a figure of a thousand names reads as none.
DISCOVERED_ACTORS = 50
# Notebooks executed at once (one kernel each) when the machine has the cores.
MAX_KERNELS = 2
# The report's notebooks from the longest-running to the shortest (measured on a 300-article corpus, docs/report.md):
# started in this order, the last to start is short, so two kernels finish close together. Others start after these.
LONGEST_FIRST = ("04_tone.ipynb", "03_framing.ipynb", "02_vocabulary.ipynb", "00_study.ipynb", "05_sources.ipynb",
                 "01_corpus.ipynb")
# The kernel's hash seed and the absence of encryption warnings keep runs identical.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "TQDM_DISABLE": "1", "MPLBACKEND": "Agg"}
# Every report holds this file; a build replaces a folder only when it is empty or holds it.
# Fixed text, no date: reports rebuild byte for byte.
REPORT_MARKER = ".framing-report"
REPORT_MARKER_TEXT = ("This folder is a report written by `python -m analysis report`; "
                      "the next build into this folder replaces all of it.\n")
# What `report --publish-figures DIR` wrote into DIR, so that the next publish removes only those files.
FIGURES_MANIFEST = ".published-figures"
FIGURES_MANIFEST_HEADER = ("# figures written by `python -m analysis report --publish-figures`; "
                           "the next publish may replace or remove them")


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
    actors_path: Path | str | None = None,
    sources_path: Path | str | None = None,
    stopwords_path: Path | str | None = None,
    coded_paths: list[Path | str] | None = None,
    adjudicated_path: Path | str | None = None,
    discover: bool = True,
    study_path: Path | str | None = None,
) -> Path:
    """Build the report for ``corpus_path`` into ``out_dir``; return the path of its index.html.

    ``notebooks`` defaults to :func:`report_notebooks`; the study notebook
    (``00_study.ipynb``) becomes ``index.html`` with its code hidden, every other
    notebook a page of its own with code shown. Before anything is read, ``out_dir``
    must be a folder a build may replace (see :func:`check_report_folder`); then the
    corpus is read once, so that bad input fails with its one-line message before
    any notebook starts. ``publish_figures_to`` (the repository's ``figures/`` for the
    seed study) receives a copy of the report's figures once the build has succeeded.
    SIGTERM and SIGHUP stop a build as Ctrl-C does: the partial build is removed.

    The codebook, actor list and source list (``codebook_path``, ``actors_path``,
    ``sources_path``; None when not given) are passed to the notebooks as given:
    :func:`analysis.lists.chosen_list` decides which list each section runs on, and
    the sections it leaves out are dropped from the pages, where a one-line notice
    names the option that supplies them. ``stopwords_path`` adds stop words.

    For a corpus other than the example corpus, a list not given is discovered from
    the corpus itself (:func:`analysis.discover.write_discovered`, unless ``discover``
    is False), written into the report's ``discovered/`` folder, and every section
    using it says so. ``coded_paths`` (coded sheets, ``codebook-sheet``) and
    ``adjudicated_path`` check the codebook against human coding
    (:func:`analysis.lists.chosen_coding` gives the example corpus its shipped codings).

    The notebooks read a study folder (:func:`analysis.measure.measure`), so that the
    corpus is cleaned and its tables measured once, not once per notebook. Without
    ``study_path`` the corpus is measured first into the report's ``study/`` folder,
    which the report keeps; with ``study_path`` that study is read (see
    :func:`check_given_study`) and ``corpus_path``, when given, must be the corpus it
    was measured from.
    """
    notebooks = report_notebooks() if notebooks is None else notebooks
    study_path = Path(study_path).resolve() if study_path is not None else None
    corpus_path = (Path(corpus_path).resolve() if corpus_path is not None
                   else SEEDS_DIR if study_path is None else None)
    rules_path = Path(rules_path).resolve() if rules_path is not None else None
    if study_path is not None:
        corpus_path, rules_path, corpus_files = check_given_study(study_path, corpus_path, rules_path)
    rules_path = rules_path if rules_path is not None else DEFAULT_CLEANING_RULES
    given_lists = {name: Path(path).resolve() if path is not None else None for name, path in (
        ("codebook_path", codebook_path), ("actors_path", actors_path), ("sources_path", sources_path),
        ("stopwords_path", stopwords_path))}
    coded_paths = [Path(path).resolve() for path in coded_paths or []]
    adjudicated_path = Path(adjudicated_path).resolve() if adjudicated_path is not None else None
    inputs = [*([corpus_path] if corpus_path.is_absolute() else []), *([study_path] if study_path else []),
              rules_path, *(path for path in given_lists.values() if path is not None), DATA_DIR,
              *coded_paths, *([adjudicated_path] if adjudicated_path else []),
              *(NOTEBOOKS_DIR / name for name in notebooks)]
    out_dir = check_report_folder(out_dir if out_dir is not None else DEFAULT_REPORT_DIR, inputs)
    if publish_figures_to is not None:
        publish_figures_to = check_figures_folder(publish_figures_to, inputs, out_dir)
    with _stop_signals_interrupt():
        if study_path is None:
            # Bad input fails here, with its one-line message, before anything is written.
            _, _, corpus_files = read_document_table(corpus_path)
        _check_data_lists(given_lists)
        _check_coding(corpus_path, given_lists["codebook_path"], coded_paths, adjudicated_path)
        check_report_folder(out_dir, [*inputs, *corpus_files])
        make_folder(out_dir.parent)
        remove_leftover_builds(out_dir)
        staging, lock = _new_staging_folder(out_dir)
        try:
            if study_path is None:
                study_path = _measure_into(staging / STUDY_FOLDER, corpus_path, rules_path,
                                           lists.chosen_list("sources", given_lists["sources_path"], corpus_path))
            study = open_study(study_path, corpus_path)
            corpus = study.corpus
            corpus.input_files = tuple(corpus_files)
            discovered = _discover_missing(corpus, given_lists, staging) if discover else {}
            used_lists = {**given_lists, **discovered}
            discovered_kinds = ",".join(kind for kind, entry in lists.STORY_LISTS.items()
                                        if entry.parameter in discovered)
            parameters = {"corpus_path": str(corpus_path), "rules_path": str(rules_path),
                          "study_path": str(study_path),
                          **{name: str(path) if path is not None else None for name, path in used_lists.items()},
                          "discovered_lists": discovered_kinds or None,
                          "coded_paths": [str(path) for path in coded_paths] or None,
                          "adjudicated_path": str(adjudicated_path) if adjudicated_path else None}
            left_out = lists.left_out_tags(corpus, used_lists)
            shown_parameters = _shown_parameters(corpus, rules_path, used_lists, staging, coded_paths,
                                                 adjudicated_path, discovered_kinds)
            pages = {NOTEBOOKS_DIR / name: _page_name(name) for name in notebooks}
            # Titles come from the notebooks' Markdown, which executing them does not change.
            titles = {NOTEBOOKS_DIR / name: _title_of(_read_notebook(NOTEBOOKS_DIR / name), name)
                      for name in notebooks}
            navigation = [(pages[path], titles[path]) for path in pages]
            data_files = lists.data_files_used(
                corpus, rules_path if rules_path != DEFAULT_CLEANING_RULES else None,
                *(used_lists[name] for name in ("codebook_path", "actors_path", "sources_path", "stopwords_path")),
                discovered=discovered_kinds)
            sheets, adjudicated_sheet = lists.chosen_coding(coded_paths, adjudicated_path, corpus,
                                                            given_lists["codebook_path"])
            data_files += [lists.DataFile("coded sheet", path, not coded_paths) for path in sheets]
            if adjudicated_sheet is not None:
                data_files.append(lists.DataFile("adjudicated coding", adjudicated_sheet, not coded_paths))
            provenance = _provenance_html(corpus, data_files, staging, study.manifest)

            def write_page(notebook: Path, executed: nbformat.NotebookNode) -> None:
                # Rendered as soon as its notebook has run, while the other kernel still works.
                is_study = pages[notebook] == "index.html"
                write_text_atomic(staging / pages[notebook], _render(
                    executed, titles[notebook], navigation, show_code=not is_study,
                    footer=provenance if is_study else "", left_out=left_out, shown_parameters=shown_parameters))

            execute_notebooks(list(pages), {**parameters, "output_dir": str(staging)}, progress=progress,
                              then=write_page)
            if "index.html" not in pages.values():
                write_text_atomic(staging / "index.html", _index_page(navigation, corpus, provenance))
            _replace_folder(staging, out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            lock.close()
        if publish_figures_to is not None:
            _publish_figures(out_dir / "figures", publish_figures_to)
    return out_dir / "index.html"


def check_given_study(study_path: Path, corpus_path: Path | None, rules_path: Path | None):
    """Return ``(corpus path, rules path, corpus files)`` for a report from the study at ``study_path``.

    The corpus is ``corpus_path`` when given, which must hold exactly the files the
    study's manifest records (same SHA-256), else the example corpus when the study
    was measured from it, else the name the manifest records (a path that need not
    exist: the provenance then lists the manifest's files and hashes). The rules are
    ``rules_path`` when given, which must be those the study was measured with;
    without it the study must have been measured with the package's rules. Raises
    StudyError (not a study) or ReportError with one line.
    """
    manifest = study_manifest_checked(study_path)
    recorded = manifest["corpus"]["files"]
    if corpus_path is not None:
        files = read_document_table(corpus_path)[2]
        if [file_sha256(path) for path in files] != [entry["sha256"] for entry in recorded]:
            raise ReportError(f"{corpus_path}: is not the corpus the study {study_path} was measured from (its files "
                              "differ); measure the corpus again, or leave out --corpus")
        corpus_files = tuple(files)
    else:
        corpus_path, corpus_files = Path(manifest["corpus"]["name"]), ()
        if manifest["corpus"]["name"] == SEEDS_DIR.name:
            seeds = read_document_table(SEEDS_DIR)[2]
            if [file_sha256(path) for path in seeds] == [entry["sha256"] for entry in recorded]:
                corpus_path, corpus_files = SEEDS_DIR, tuple(seeds)
    rules_given = rules_path is not None and rules_path != DEFAULT_CLEANING_RULES
    described = describe_options(rules=rules_path if rules_given else None)["rules"]
    if described != manifest["options"]["rules"]:
        measured_with = manifest["options"]["rules"]["file"]
        raise ReportError(f"{study_path}: the study was measured with the cleaning rules "
                          f"{'of the package' if measured_with == 'default' else measured_with}, not "
                          f"{'these' if rules_given else 'the package’s'}; pass those with --rules FILE, "
                          "or measure the corpus again")
    return corpus_path, rules_path, corpus_files


def study_manifest_checked(study_path: Path) -> dict:
    """Return the manifest of the study folder at ``study_path``; StudyError with one line when it is not one."""
    from analysis.measure import load_study

    load_study(study_path)  # refuses a folder that is not a study
    return study_manifest(study_path)


def _measure_into(folder: Path, corpus_path: Path, rules_path: Path, sources_file: Path | None) -> Path:
    """Measure the corpus into ``folder`` (inside the build) for the notebooks to read; return ``folder``.

    The attributions are measured with the source list the notebooks will use when it
    is known before discovery (given, or the example corpus's); the partition cache
    is removed, as the report keeps only the tables and the manifest. The report
    measures in this process: a local Dask cluster started here left event loops
    that warned at exit once the kernels had run, and the notebooks, not the
    measuring, take a report's time. For a large corpus, ``measure --workers N``
    (or a cluster) and then ``report --study`` use every core.
    """
    measure(corpus_path, folder, rules=None if rules_path == DEFAULT_CLEANING_RULES else rules_path,
            sources=sources_file, workers=1)
    shutil.rmtree(folder / "partitions", ignore_errors=True)
    return folder


def check_report_folder(out_dir: Path | str, inputs=()) -> Path:
    """Return ``out_dir`` as an absolute path when a build may replace it; raise ReportError otherwise.

    A build replaces its whole folder, so the folder must not exist yet, be empty,
    or be a report (it holds the marker file every report writes). Refused with one
    line naming it: a file, a symbolic link, a folder with anything else in it, and
    a folder that is or holds the project, the home folder or an input of the build
    (``/`` holds them all).
    """
    target = Path(os.path.abspath(out_dir))
    _refuse_folders_holding_inputs(out_dir, target, inputs)
    if target.is_symlink():
        raise ReportError(f"{out_dir}: is a symbolic link; give the report folder itself")
    if not target.exists():
        return target
    if not target.is_dir():
        raise ReportError(f"{out_dir}: is a file, not a report folder (give a new or empty folder)")
    if not _is_report_folder(target) and not _is_empty_folder(target):
        raise ReportError(f"{out_dir}: holds files that no report wrote (it has no {REPORT_MARKER}), and a build "
                          "replaces its whole folder; give a new or empty folder")
    return target


def check_figures_folder(folder: Path | str, inputs=(), out_dir: Path | None = None) -> Path:
    """Return ``folder`` as an absolute path when the report's figures may be published there.

    Publishing writes the figures and removes only figures an earlier publish
    recorded (in ``.published-figures``), so the folder must not exist yet, be
    empty, or hold that record; it must not hold an input or the report folder,
    nor lie inside the report folder.
    """
    target = Path(os.path.abspath(folder))
    _refuse_folders_holding_inputs(folder, target, inputs)
    if out_dir is not None:
        resolved, report = target.resolve(), Path(out_dir).resolve()
        if resolved == report or report in resolved.parents or resolved in report.parents:
            raise ReportError(f"{folder}: overlaps the report folder {out_dir}; publish the figures elsewhere")
    if not target.exists():
        return target
    if not target.is_dir():
        raise ReportError(f"{folder}: is a file, not a folder for figures")
    if _published_figures(target) is None and not _is_empty_folder(target):
        raise ReportError(f"{folder}: holds files that no earlier publish recorded (it has no "
                          f"{FIGURES_MANIFEST}); give a new or empty folder")
    return target


def _refuse_folders_holding_inputs(given: Path | str, target: Path, inputs) -> None:
    """Raise ReportError when ``target`` is or holds the project, the home folder or one of ``inputs``."""
    resolved = target.resolve()
    named = [("the project folder", PROJECT_ROOT)]
    try:
        named.append(("the home folder", Path.home()))
    except (KeyError, RuntimeError):  # no home folder known: nothing to protect
        pass
    named += [(f"the input {Path(path)}", Path(path)) for path in inputs]
    for description, path in named:
        try:
            path = path.resolve()
        except OSError:
            continue
        if resolved == path or resolved in path.parents:
            relation = "is" if resolved == path else "holds"
            raise ReportError(f"{given}: {relation} {description}, which a build must not replace "
                              "(give a new or empty folder, e.g. build/report)")


def _is_report_folder(folder: Path) -> bool:
    """Return whether ``folder`` holds the marker a report writes, with exactly its text."""
    return holds_marker(folder, REPORT_MARKER, REPORT_MARKER_TEXT)


def _is_empty_folder(folder: Path) -> bool:
    """Return whether ``folder`` holds nothing at all (not even hidden files)."""
    return is_empty_folder(folder, ReportError)


def _new_staging_folder(out_dir: Path):
    """Return a new build folder beside ``out_dir`` and the open, locked marker file inside it.

    The folder is named ``.NAME.building-XXXXXXXX`` and gets the umask's permissions.
    The marker is written first and locked while the build runs, so that a later
    build can tell the folder of a killed build (marker unlocked) from a running one.
    """
    for _ in range(100):
        staging = out_dir.with_name(f".{out_dir.name}.building-{secrets.token_hex(4)}")
        try:
            os.mkdir(staging, 0o777)
            break
        except FileExistsError:
            continue
        except OSError as problem:
            raise ReportError(f"{out_dir.parent}: cannot create the build folder ({problem.strerror})") from None
    else:
        raise ReportError(f"{out_dir.parent}: no free name for the build folder")
    try:
        lock = open(staging / REPORT_MARKER, "xb")
        _lock(lock)
        lock.write(REPORT_MARKER_TEXT.encode("utf-8"))
        lock.flush()
    except OSError as problem:
        shutil.rmtree(staging, ignore_errors=True)
        raise ReportError(f"{staging}: cannot write the report's marker ({problem.strerror})") from None
    return staging, lock


def _lock(stream) -> bool:
    """Take an exclusive lock on the open file ``stream`` without waiting; return whether it was free."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def remove_leftover_builds(out_dir: Path) -> list[Path]:
    """Remove what killed builds left beside ``out_dir``; return the folders removed or restored.

    Only folders named ``.NAME.building-*`` or ``.NAME.old-*`` are considered, and of
    them only the empty ones and those holding the report's marker with no build
    holding its lock. A ``.NAME.old-*`` folder is a previous report, moved aside by
    a build killed before it moved the new one in: it goes back to ``NAME`` when
    ``NAME`` is missing.
    """
    out_dir = Path(out_dir)
    handled = []
    if not out_dir.parent.is_dir():
        return handled
    pattern = re.compile(rf"\.{re.escape(out_dir.name)}\.(building|old)-[0-9a-z_]+")
    for candidate in sorted(out_dir.parent.iterdir()):
        match = pattern.fullmatch(candidate.name)
        if match is None or candidate.is_symlink() or not candidate.is_dir():
            continue
        try:
            if _is_empty_folder(candidate):
                candidate.rmdir()  # killed before it wrote its marker: nothing in it to lose
                handled.append(candidate)
                continue
            if not _is_report_folder(candidate):
                continue
            with open(candidate / REPORT_MARKER, "rb") as marker:
                if not _lock(marker):
                    continue  # a build is running there now
            if match[1] == "old" and not os.path.lexists(out_dir):
                os.replace(candidate, out_dir)
            else:
                shutil.rmtree(candidate)
        except (OSError, ReportError):
            continue  # left for the user: it cannot harm this build
        handled.append(candidate)
    return handled


class BuildInterrupted(KeyboardInterrupt):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) arrived during a build; ``signal_number`` says which."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signal_number).name}")
        self.signal_number = signal_number


_stop_signal_received: int | None = None


class _QuietAfterStop(logging.Filter):
    """Drops what an abandoned execution logs about the kernel that a stop signal had killed ("Kernel died …")."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _stop_signal_received is None or "Kernel died" not in record.getMessage()


def _quiet_after_stop(loop, context) -> None:
    """Event-loop exception handler: the abandoned cell's "Kernel died" task is no news after a stop signal."""
    if _stop_signal_received is not None and type(context.get("exception")).__name__ == "DeadKernelError":
        return
    loop.default_exception_handler(context)


logging.getLogger("papermill").addFilter(_QuietAfterStop())


def _quiet_abandoned_executions() -> None:
    """Give the event loop that papermill runs on in this thread the handler :func:`_quiet_after_stop`.

    Inside a running loop (a Jupyter session) papermill runs elsewhere, and the
    session's own loop is left as it is.
    """
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        ensure_event_loop().set_exception_handler(_quiet_after_stop)


@contextmanager
def _stop_signals_interrupt():
    """Within: SIGINT, SIGTERM and SIGHUP raise BuildInterrupted, so the build cleans up as on Ctrl-C.

    A signal the process ignores (``nohup`` ignores SIGHUP) stays ignored; outside
    the main thread, where handlers cannot be set, nothing changes.
    """
    global _stop_signal_received
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number, frame):
        global _stop_signal_received
        _stop_signal_received = number
        raise BuildInterrupted(number)

    _quiet_abandoned_executions()
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        handler = signal.getsignal(number)
        if handler is not signal.SIG_IGN and handler is not None:
            previous[number] = signal.signal(number, stop)
    _stop_signal_received = None
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _page_name(notebook: str) -> str:
    stem = Path(notebook).stem
    return "index.html" if stem == STUDY_NOTEBOOK_STEM else f"{stem}.html"


def _publish_figures(source: Path, target: Path) -> None:
    """Make ``target`` hold the report's figures (PNG and SVG), removing only figures an earlier publish wrote.

    ``target/.published-figures`` records what each publish wrote. A file in the
    way that no publish recorded is never overwritten: the publish stops with its name.
    """
    previous = _published_figures(target) or set()
    fresh = sorted(path.name for path in source.glob("*") if path.suffix in (".png", ".svg")) if source.is_dir() else []
    for name in fresh:
        if name not in previous and os.path.lexists(target / name):
            raise ReportError(f"{target / name}: was not written by an earlier publish, so it is left alone "
                              "(move it away, then publish again); the report itself is built")
    make_folder(target)
    # Recorded before copying, so a publish killed half-way leaves a record of every file it may have written.
    _write_figures_manifest(target, previous | set(fresh))
    for name in fresh:
        write_bytes_atomic(target / name, (source / name).read_bytes())
    for stale in sorted(previous - set(fresh)):
        (target / stale).unlink(missing_ok=True)
    _write_figures_manifest(target, set(fresh))


def _published_figures(folder: Path) -> set[str] | None:
    """Return the figure names ``folder/.published-figures`` records (None when there is no such record)."""
    manifest = Path(folder) / FIGURES_MANIFEST
    try:
        if manifest.is_symlink() or not manifest.is_file():
            return None
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0] != FIGURES_MANIFEST_HEADER:
        return None
    return {line for line in lines[1:]
            if line and "/" not in line and line not in (".", "..") and Path(line).suffix in (".png", ".svg")}


def _write_figures_manifest(folder: Path, names: set[str]) -> None:
    lines = [FIGURES_MANIFEST_HEADER, *sorted(names)]
    write_text_atomic(folder / FIGURES_MANIFEST, "".join(f"{line}\n" for line in lines))


def report_notebooks() -> tuple[str, ...]:
    """Return the notebooks of the report: ``notebooks/NN_*.ipynb`` in the order of NN."""
    return tuple(sorted(path.name for path in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")))


def execute_notebook(notebook: Path, parameters: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Return ``notebook`` executed top to bottom (in its own folder) with the ``parameters`` it declares.

    Raises ReportError naming the notebook, the cell (as numbered in the saved
    notebook) and the error when a cell fails.
    """
    with _kernel_environment():
        return _execute(Path(notebook), parameters)


def execute_notebooks(notebooks: list[Path], parameters: dict[str, str] | None = None, kernels: int | None = None,
                      progress: bool = False, then=None) -> dict[Path, nbformat.NotebookNode]:
    """Return each of ``notebooks`` executed (as :func:`execute_notebook`), by path, ``kernels`` at a time.

    ``then(path, executed)``, when given, is called on each executed notebook as soon as it has run (in the
    thread that ran it).

    The notebooks are independent, so they run in parallel kernels (default: one per
    core, at most :data:`MAX_KERNELS`), started longest first (:data:`LONGEST_FIRST`);
    each result is the same whichever finishes first. When one fails, the others are stopped and the error of the first
    failing notebook in the given order is raised; a stop signal kills every kernel.
    """
    kernels = kernels or min(MAX_KERNELS, os.cpu_count() or 1)
    bar = tqdm(total=len(notebooks), desc="report", unit="notebook", disable=not progress, file=sys.stderr)
    _ABANDONED.clear()
    with bar, _kernel_environment():
        if kernels <= 1 or len(notebooks) <= 1:
            executed = {}
            for notebook in notebooks:
                bar.set_postfix_str(Path(notebook).name)
                executed[notebook] = _execute(Path(notebook), parameters)
                if then is not None:
                    then(notebook, executed[notebook])
                bar.update()
            return executed
        pool = ThreadPoolExecutor(max_workers=kernels, thread_name_prefix="report-kernel")
        futures = {pool.submit(_execute_in_thread, Path(notebook), parameters, then): notebook
                   for notebook in _longest_first(notebooks)}
        failed = False
        try:
            for future in as_completed(futures):
                if future.exception() is not None:
                    failed = True
                    break
                bar.update()
        except BaseException:  # a stop signal: the build is abandoned
            _abandon_kernels()
            raise
        finally:
            if failed:  # the report cannot be built: the other notebooks need not finish
                _abandon_kernels()
            for future in futures:
                future.cancel()
            pool.shutdown(wait=True)
            _ABANDONED.clear()  # every kernel of this run has ended: later executions start theirs
        by_notebook = {notebook: future for future, notebook in futures.items()}
        errors = [future.exception() for future in map(by_notebook.get, notebooks)
                  if not future.cancelled() and future.exception()]
        if errors:
            # The failure reported is a notebook's own (not that of a kernel killed because of it), the first in order.
            raise next((error for error in errors if isinstance(error, AnalysisError)), errors[0])
        return {notebook: by_notebook[notebook].result() for notebook in notebooks}


def _longest_first(notebooks: list[Path]) -> list[Path]:
    """Return ``notebooks`` in the order of :data:`LONGEST_FIRST`, any others after them in the given order."""
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    return sorted(notebooks, key=lambda notebook: rank.get(Path(notebook).name, len(rank)))


@contextmanager
def _kernel_environment():
    """Within: the environment kernels start with holds :data:`KERNEL_ENV`."""
    previous = {key: os.environ.get(key) for key in KERNEL_ENV}
    os.environ.update(KERNEL_ENV)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _execute_in_thread(notebook: Path, parameters: dict[str, str] | None = None, then=None) -> nbformat.NotebookNode:
    """Return :func:`_execute` run in a worker thread (then ``then(notebook, executed)``), closing the event loop
    papermill opened in the thread."""
    import asyncio

    try:
        executed = _execute(notebook, parameters)
        if then is not None:
            then(notebook, executed)
        return executed
    finally:
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            loop = None
        if loop is not None and not loop.is_running() and not loop.is_closed():
            loop.close()  # else it is reported as an unclosed event loop when the thread ends


def _execute(notebook: Path, parameters: dict[str, str] | None = None) -> nbformat.NotebookNode:
    if not notebook.is_file():
        raise ReportError(f"{notebook}: notebook not found")
    declared = papermill.inspect_notebook(str(notebook))
    parameters = {key: value for key, value in (parameters or {}).items() if key in declared}
    try:
        return papermill.execute_notebook(
            str(notebook), None, parameters=parameters, kernel_name="python3", cwd=str(notebook.parent),
            progress_bar=False, log_output=False, report_mode=False, config=_kernel_config(),
            kernel_manager_class=IdleShutdownKernelManager,
        )
    except papermill.PapermillExecutionError as error:
        raise ReportError(
            f"{notebook.name}: cell {_cell_number(notebook, error.source)} "
            f"failed: {error.ename}: {error.evalue}"
        ) from None


def _cell_number(notebook: Path, source: str) -> str:
    """Return the 1-based number of the cell holding ``source`` in the notebook as saved
    (papermill counts its injected parameters cell too, which the user never sees)."""
    cells = nbformat.read(notebook, as_version=4).cells
    for number, cell in enumerate(cells, start=1):
        if cell.source == source:
            first_line = source.strip().splitlines()[0] if source.strip() else ""
            return f"{number} (`{first_line[:60]}`)"
    return "?"


class IdleShutdownKernelManager(AsyncKernelManager):
    """A kernel manager that shuts a finished kernel down without interrupting it, and kills it on a stop signal.

    jupyter_client sends SIGINT before every shutdown request. When it reaches the
    kernel while the kernel is still finishing its last message, ipykernel logs
    "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." on a build that
    succeeded: once the last cell has run there is nothing to interrupt. After a
    stop signal (Ctrl-C, SIGTERM, SIGHUP) the build is abandoned, and the kernel is
    killed at once rather than interrupted mid-cell, which made it print tracebacks.
    """

    async def start_kernel(self, **arguments) -> None:
        with _RUNNING_LOCK:
            _RUNNING_KERNELS.add(self)
        await super().start_kernel(**arguments)
        if _ABANDONED.is_set():  # the build was abandoned while this kernel started
            _abandon_kernels()

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        try:
            await super().shutdown_kernel(now=now or _stop_signal_received is not None, restart=restart)
        finally:
            with _RUNNING_LOCK:
                _RUNNING_KERNELS.discard(self)

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()


_RUNNING_KERNELS: set = set()  # the kernels started and not yet shut down, in every thread
_RUNNING_LOCK = threading.Lock()


_ABANDONED = threading.Event()  # set when a build stops: kernels still starting are killed too


def _abandon_kernels() -> None:
    """Kill the process of every running kernel: its notebook's execution then fails at once, in its own thread."""
    _ABANDONED.set()
    with _RUNNING_LOCK:
        managers = list(_RUNNING_KERNELS)
    for manager in managers:
        process = getattr(manager.provisioner, "process", None) if manager.provisioner is not None else None
        if process is not None:
            try:
                process.kill()
            except OSError:
                pass


def _kernel_config():
    """Return the traitlets config that stops ipykernel ≥ 7.3 warning about unencrypted TCP."""
    from traitlets.config import Config

    config = Config()
    config.KernelManager.transport_encryption = "auto"
    return config


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    if not path.is_file():
        raise ReportError(f"{path}: notebook not found")
    return nbformat.read(path, as_version=4)


def _title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _render(notebook: nbformat.NotebookNode, title: str, navigation: list[tuple[str, str]],
            show_code: bool, footer: str = "", left_out: set[str] = frozenset(),
            shown_parameters: dict[str, str] | None = None) -> str:
    """Return the notebook as one offline HTML page: navigation, contents, images embedded.

    The page is rendered twice: the first pass finds the section headings (with the
    ids nbconvert gives them), the second writes the table of contents.
    """
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.embed_images = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_input = not show_code
    notebook = _without_run_metadata(notebook, left_out, shown_parameters)
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


def _without_run_metadata(notebook: nbformat.NotebookNode, left_out: set[str] = frozenset(),
                          shown_parameters: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Return a copy without papermill's timestamps and durations, which change every run,
    and without the cells of sections left out (tagged with one of ``left_out``, see
    :func:`analysis.lists.left_out_tags`). The injected-parameters cell, whose absolute
    paths depend on the machine, shows ``shown_parameters`` instead (the values as
    :func:`_shown_parameters` writes them), or is dropped when there are none."""
    clean = nbformat.from_dict(notebook)
    clean.metadata.pop("papermill", None)
    dropped = set(left_out) | ({"injected-parameters"} if shown_parameters is None else set())
    clean.cells = [cell for cell in clean.cells if not dropped & set(cell.metadata.get("tags", []))]
    for cell in clean.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            names = re.findall(r"^(\w+) = ", cell.source, flags=re.MULTILINE)
            cell.id = "injected-parameters"  # papermill draws a random id: the page must rebuild byte for byte
            cell.source = "\n".join(
                ["# Parameters this report passed (files relative to the project, or to the corpus's folder)"]
                + [f"{name} = {shown_parameters[name]}" for name in names if name in shown_parameters])
    for cell in clean.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return clean


def _provenance_html(corpus, data_files: list, staging: Path | None = None, manifest: dict | None = None) -> str:
    """Return the provenance section: the corpus files and the data files used (:func:`analysis.lists.data_files_used`),
    each with its hash and whether it is the package default, then package versions. A corpus known only by the
    study ``manifest`` (not found where it was measured) is listed with the files and hashes the manifest records."""
    rows = [(_display_path(path, corpus.source, staging), "corpus", file_sha256(path)) for path in corpus.input_files
            if Path(path).is_file()]
    if not corpus.input_files and manifest is not None:
        folder = manifest["corpus"]["name"] + "/" if manifest["corpus"]["kind"] == "folder" else ""
        rows = [(f"{folder}{entry['file']}", "corpus (as the study records it)", entry["sha256"])
                for entry in manifest["corpus"]["files"]]
    rows += [(_display_path(data.path, corpus.source, staging), f"{data.what}, {data.origin}", file_sha256(data.path))
             for data in data_files if Path(data.path).is_file()]
    rows = "\n".join(f"<tr><td>{html.escape(shown)}</td><td>{html.escape(role)}</td><td><code>{sha256}</code></td></tr>"
                     for shown, role, sha256 in rows)
    versions = "\n".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(_version(name))}</td></tr>"
        for name in ("analysis (this project)", *PROVENANCE_PACKAGES)
    )
    return f"""<section id="provenance" class="report-provenance">
<h2>Provenance</h2>
<p>Corpus: {html.escape(_corpus_name(corpus))}: {len(corpus.documents)} documents from
{len(corpus.outlets)} outlets. The files this report was built from, with their SHA-256 hashes:</p>
<table>
<thead><tr><th>file</th><th>used as</th><th>SHA-256</th></tr></thead>
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


def _shown_parameters(corpus, rules_path: Path, given_lists: dict[str, Path | None], staging: Path | None = None,
                      coded_paths: list[Path] = (), adjudicated_path: Path | None = None,
                      discovered_kinds: str = "") -> dict[str, str]:
    """Return the notebook parameters as an appendix page shows them: Python literals with paths named as
    the provenance names them (never absolute), None for a file not given."""
    def shown(path) -> str:
        return "None" if path is None else repr(_display_path(path, corpus.source, staging))

    return {"corpus_path": repr(_corpus_name(corpus)),
            "rules_path": shown(None if rules_path == DEFAULT_CLEANING_RULES else rules_path),
            "output_dir": "'.'  # this report's folder: tables/ and figures/",
            **{name: shown(path) for name, path in given_lists.items()},
            "discovered_lists": repr(discovered_kinds or None),
            "coded_paths": repr([_display_path(path, corpus.source, staging) for path in coded_paths] or None),
            "adjudicated_path": shown(adjudicated_path)}


def _discover_missing(corpus, given_lists: dict[str, Path | None], staging: Path) -> dict[str, Path]:
    """Return notebook parameter → file for every story list that the user did not give and
    :func:`analysis.lists.chosen_list` would leave out, after writing each, discovered from ``corpus``,
    into the report's ``discovered/`` folder (nothing for the example corpus)."""
    missing = [entry for entry in lists.STORY_LISTS.values()
               if lists.chosen_list(entry.kind, given_lists.get(entry.parameter), corpus) is None]
    if not missing:
        return {}
    from analysis.discover import write_discovered  # scikit-learn's NMF: only when a list is missing

    folder = staging / DISCOVERED_FOLDER
    write_discovered(corpus, folder, n_actors=DISCOVERED_ACTORS)
    # A corpus with no recurring name or no quotation gets no actor or source list: those sections stay out.
    return {entry.parameter: folder / f"{entry.kind}.yaml" for entry in missing
            if (folder / f"{entry.kind}.yaml").is_file()}


def _check_coding(corpus, codebook_given: Path | None, coded: list[Path], adjudicated: Path | None) -> None:
    """Read every coded sheet the user passed against the codebook's frames, so that a missing or malformed
    sheet fails with its one-line message before any notebook starts."""
    if adjudicated is not None and not coded:
        raise ReportError("--adjudicated needs the coded sheets it adjudicates (--coded FILE FILE …)")
    if not coded:
        return
    if len(coded) < 2:
        raise ReportError("--coded needs at least two coded sheets (one per coder) to measure agreement")
    from analysis.agreement import read_coded_sheet
    from analysis.codebook import read_codebook

    codebook_file = lists.chosen_list("codebook", codebook_given, corpus)
    if codebook_file is None:
        raise ReportError("--coded: the sheets are coded against a codebook; pass it with --codebook FILE")
    frames = read_codebook(codebook_file).frame_names
    for path in [*coded, *([adjudicated] if adjudicated else [])]:
        if not path.is_file():
            raise ReportError(f"{path}: coded sheet not found")
        read_coded_sheet(path, frames)


def _check_data_lists(given: dict[str, Path | None]) -> None:
    """Read every data list the user passed, so that a missing or malformed one fails with its one-line
    message before any notebook starts."""
    from analysis.actors import read_actors
    from analysis.codebook import read_codebook
    from analysis.sources import read_source_rules
    from analysis.vocabulary import read_stopwords

    readers = {"codebook_path": ("codebook", read_codebook), "actors_path": ("actor list", read_actors),
               "sources_path": ("source list", read_source_rules),
               "stopwords_path": ("stop-word file", lambda path: read_stopwords([path], include_default=False))}
    for name, path in given.items():
        if path is None:
            continue
        what, read = readers[name]
        if not path.is_file():
            raise ReportError(f"{path}: {what} not found")
        read(path)


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


def _corpus_name(corpus) -> str:
    """Return the corpus as the report names it (a corpus known only by its study's manifest: by that name)."""
    source = Path(corpus.source)
    return _display_path(source, source) if source.is_absolute() else source.as_posix()


def _display_path(path: Path | str, corpus_source: Path | str, report_folder: Path | None = None) -> str:
    """Return ``path`` as the report names it: relative to the report for the files a build wrote
    (``report_folder``, the staging folder), to the project for the project's own files, else relative
    to the folder that holds the corpus, else its file name.

    It depends only on the inputs, never on the working directory, so that the same
    inputs give the same report wherever the command is run.
    """
    path = Path(path).resolve()
    for base in (*([report_folder] if report_folder is not None else []), PROJECT_ROOT,
                 Path(corpus_source).resolve().parent):
        try:
            return path.relative_to(base.resolve()).as_posix()
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
    """Move ``new`` to ``target``; an existing ``target`` (a report, or empty) is removed only after the move."""
    if os.path.lexists(target):
        if target.is_symlink() or not target.is_dir() or not (_is_report_folder(target) or _is_empty_folder(target)):
            raise ReportError(f"{target}: changed during the build and is no longer a report folder; left as it is")
        old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
        os.replace(target, old)
        try:
            os.replace(new, target)
        except BaseException:
            os.replace(old, target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
