"""Nothing lost: `--out` never replaces what it did not write, every write error is one line, no stray output."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis import cli, read_corpus
from analysis.output import save_table, write_text_atomic
from analysis.paths import DEFAULT_CLEANING_RULES, DEFAULT_CODEBOOK, PROJECT_ROOT, SEEDS_DIR
from analysis.report import (
    FIGURES_MANIFEST,
    REPORT_MARKER,
    REPORT_MARKER_TEXT,
    IdleShutdownKernelManager,
    _display_path,
    _publish_figures,
    build_report,
    check_figures_folder,
    execute_notebook,
    remove_leftover_builds,
)

from conftest import write_jsonl

PYTHON = sys.executable
SKIPPED_IN_PROJECT = {".venv", ".git", "build", "__pycache__", ".pytest_cache", ".ipynb_checkpoints"}


def tree_digest(folder: Path, skip=frozenset()) -> dict[str, str]:
    """Return relative path → SHA-256 (or the link target, or "folder") of everything under ``folder``."""
    digest = {}
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name not in skip)
        for name in folders:
            digest[os.path.relpath(os.path.join(root, name), folder)] = "folder"
        for name in files:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder)
            if os.path.islink(path):
                digest[relative] = "link to " + os.readlink(path)
            else:
                with open(path, "rb") as handle:
                    digest[relative] = hashlib.sha256(handle.read()).hexdigest()
    return digest


def run(capsys, *argv) -> tuple[int, str, str]:
    """Return the exit status, standard output and standard error of ``python -m analysis ARGV``."""
    status = cli.main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_error_line(err: str) -> str:
    """Return the one line of ``err``, failing unless it is exactly one ``error: ...`` line."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def small_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_jsonl(folder / "mine.jsonl", [
        {"outlet": "A", "text": "Head\n\nOne two three. Four five six."},
        {"outlet": "B", "text": "Head\n\nSeven eight nine."},
    ])


# report --out: only a new, empty or report folder is replaced ------------------------------------------------------


def user_folder(tmp_path: Path) -> Path:
    """A folder of the user's own work: a thesis draft, notes, a hidden file and a subfolder."""
    folder = tmp_path / "thesis"
    (folder / "notes").mkdir(parents=True)
    (folder / "draft.docx").write_bytes(b"PK\x03\x04 chapter one")
    (folder / "notes" / "ideas.md").write_text("# ideas\n", encoding="utf-8")
    (folder / ".hidden").write_text("x", encoding="utf-8")
    return folder


def test_report_out_refuses_a_folder_with_other_files_before_reading_anything(tmp_path, capsys, monkeypatch):
    folder = user_folder(tmp_path)
    before = tree_digest(tmp_path)
    monkeypatch.setattr("analysis.report.read_document_table", lambda *a, **k: pytest.fail("the corpus was read"))
    status, out, err = run(capsys, "report", "--quiet", "--out", folder)
    assert status == 2 and out == ""
    line = one_error_line(err)
    assert line.startswith(f"error: {folder}: holds files that no report wrote (it has no .framing-report)")
    assert tree_digest(tmp_path) == before


def test_report_out_refuses_a_copy_of_a_project(tmp_path, capsys):
    copy = tmp_path / "project-copy"
    for name in ("analysis", ".git", "seeds"):
        (copy / name).mkdir(parents=True)
        (copy / name / "keep.txt").write_text(name, encoding="utf-8")
    before = tree_digest(tmp_path)
    status, _, err = run(capsys, "report", "--quiet", "--out", copy)
    assert status == 2 and "holds files that no report wrote" in one_error_line(err)
    assert tree_digest(tmp_path) == before


def test_report_out_refuses_a_file(tmp_path, capsys):
    target = tmp_path / "report"
    target.write_bytes(b"my own file\n")
    status, _, err = run(capsys, "report", "--quiet", "--out", target)
    assert status == 2
    assert one_error_line(err) == f"error: {target}: is a file, not a report folder (give a new or empty folder)"
    assert target.read_bytes() == b"my own file\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report"]


def test_report_out_refuses_the_project_root_and_what_holds_it(capsys):
    before = tree_digest(PROJECT_ROOT, SKIPPED_IN_PROJECT)
    for target in (PROJECT_ROOT, PROJECT_ROOT.parent, Path("/")):
        status, _, err = run(capsys, "report", "--quiet", "--out", target)
        assert status == 2
        assert one_error_line(err).startswith(f"error: {target}: ")
        assert "the project folder, which a build must not replace" in err
    assert tree_digest(PROJECT_ROOT, SKIPPED_IN_PROJECT) == before


def test_report_out_refuses_the_home_folder(capsys, tmp_path, monkeypatch):
    home = user_folder(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    before = tree_digest(tmp_path)
    status, _, err = run(capsys, "report", "--quiet", "--out", home)
    assert status == 2 and "is the home folder" in one_error_line(err)
    assert tree_digest(tmp_path) == before


def test_report_out_refuses_the_folder_holding_the_corpus(tmp_path, capsys):
    corpus = small_corpus(tmp_path / "study")
    before = tree_digest(tmp_path)
    status, _, err = run(capsys, "report", "--quiet", "--corpus", corpus, "--out", corpus.parent)
    assert status == 2
    assert one_error_line(err).startswith(f"error: {corpus.parent}: holds the input {corpus}")
    status, _, err = run(capsys, "report", "--quiet", "--corpus", corpus, "--out", corpus)
    assert status == 2 and one_error_line(err).startswith(f"error: {corpus}: is the input {corpus}")
    assert tree_digest(tmp_path) == before


def test_publish_figures_refuses_a_folder_of_other_files(tmp_path, capsys):
    folder = user_folder(tmp_path)
    before = tree_digest(tmp_path)
    status, _, err = run(capsys, "report", "--quiet", "--out", tmp_path / "report", "--publish-figures", folder)
    assert status == 2 and "no earlier publish recorded" in one_error_line(err)
    assert tree_digest(tmp_path) == before


def test_publish_figures_removes_only_what_an_earlier_publish_recorded(tmp_path):
    built, target = tmp_path / "built", tmp_path / "figures"
    built.mkdir()
    for name in ("a.png", "a.svg", "b.png"):
        (built / name).write_bytes(name.encode())
    _publish_figures(built, target)
    assert sorted(path.name for path in target.iterdir()) == [FIGURES_MANIFEST, "a.png", "a.svg", "b.png"]
    (target / "mine.png").write_bytes(b"the user's own figure")
    (target / "notes.txt").write_bytes(b"notes")
    (built / "b.png").unlink()
    (built / "a.png").write_bytes(b"new a")
    check_figures_folder(target)  # a folder an earlier publish recorded may be published to again
    _publish_figures(built, target)
    assert sorted(path.name for path in target.iterdir()) == [FIGURES_MANIFEST, "a.png", "a.svg", "mine.png",
                                                             "notes.txt"]
    assert (target / "a.png").read_bytes() == b"new a" and (target / "mine.png").read_bytes() == b"the user's own figure"
    # A fresh figure whose name the user already uses is not overwritten.
    (built / "mine.png").write_bytes(b"report figure")
    with pytest.raises(Exception, match=r"mine\.png: was not written by an earlier publish"):
        _publish_figures(built, target)
    assert (target / "mine.png").read_bytes() == b"the user's own figure"


def test_committed_figures_folder_is_a_publish_target():
    """`make report` publishes into figures/, so figures/ must carry the record of what the last publish wrote."""
    from analysis.paths import FIGURES_DIR
    from analysis.report import _published_figures

    assert _published_figures(FIGURES_DIR) == {path.name for path in FIGURES_DIR.glob("*")
                                               if path.suffix in (".png", ".svg")}
    check_figures_folder(FIGURES_DIR)


# Leftovers of killed builds ------------------------------------------------------------------------------------------


def marked_folder(folder: Path, *files: str) -> Path:
    folder.mkdir()
    (folder / REPORT_MARKER).write_text(REPORT_MARKER_TEXT, encoding="utf-8")
    for name in files:
        (folder / name).write_text(name, encoding="utf-8")
    return folder


def test_leftover_build_folders_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "report"
    marked_folder(out, "index.html")
    killed = marked_folder(tmp_path / ".report.building-1a2b3c4d", "index.html")
    empty = tmp_path / ".report.building-0000ffff"
    empty.mkdir()
    unmarked = tmp_path / ".report.building-99999999"  # the right name, but not the report's: kept
    unmarked.mkdir()
    (unmarked / "mine.txt").write_text("mine", encoding="utf-8")
    other = marked_folder(tmp_path / ".other.building-1a2b3c4d")  # beside another folder: not ours
    running = marked_folder(tmp_path / ".report.building-77777777")
    import fcntl

    with open(running / REPORT_MARKER, "rb") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # a build running now holds this lock
        removed = remove_leftover_builds(out)
    assert sorted(removed) == sorted([killed, empty])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["report", unmarked.name, other.name, running.name])
    assert (unmarked / "mine.txt").read_text(encoding="utf-8") == "mine"


def test_previous_report_moved_aside_by_a_killed_build_is_restored(tmp_path):
    out = tmp_path / "report"
    old = marked_folder(tmp_path / ".report.old-deadbeef", "index.html")
    assert remove_leftover_builds(out) == [old]
    assert (out / "index.html").read_text(encoding="utf-8") == "index.html"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report"]


def test_next_build_removes_leftovers_and_replaces_its_own_report(tmp_path):
    out = tmp_path / "report"
    leftover = marked_folder(tmp_path / ".report.building-abcdef12", "index.html")
    build_report(SEEDS_DIR, out, notebooks=("01_corpus.ipynb",), progress=False)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report"], "the leftover is removed"
    assert not leftover.exists()
    assert (out / REPORT_MARKER).read_text(encoding="utf-8") == REPORT_MARKER_TEXT
    first = tree_digest(out)
    build_report(SEEDS_DIR, out, notebooks=("01_corpus.ipynb",), progress=False)  # a report replaces a report
    assert tree_digest(out) == first
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report"]
    # Every file the report wrote has the umask's permissions (pytest runs with the usual 022 or stricter).
    umask = os.umask(0)
    os.umask(umask)
    for path in out.rglob("*"):
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def slow_notebook(path: Path, seconds: int = 120) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("corpus_path = None\nrules_path = None\noutput_dir = None",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def start_slow_build(tmp_path: Path, seconds: int = 120) -> tuple[subprocess.Popen, Path]:
    """Start `report --out report` in tmp_path/work on a notebook that sleeps; return it once it is building."""
    notebook = slow_notebook(tmp_path / "slow.ipynb", seconds)
    work = tmp_path / "work"
    work.mkdir()
    code = ("import sys; from analysis.cli import main; "
            f"from analysis import report; report.report_notebooks = lambda: ({str(notebook)!r},); "
            "sys.exit(main(['report', '--quiet', '--out', 'report']))")
    process = subprocess.Popen([PYTHON, "-c", code], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not any(path.name.startswith(".report.building-") for path in work.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.1)
    time.sleep(3)  # the kernel is running the slow cell
    return process, work


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_a_build_stopped_by_sigterm_or_sighup_cleans_up_like_ctrl_c(tmp_path, signal_number):
    process, work = start_slow_build(tmp_path)
    process.send_signal(signal_number)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal_number, err
    assert err == f"error: interrupted ({signal.Signals(signal_number).name})\n", "nothing but one line"
    assert list(work.iterdir()) == [], "the partial build is removed"


def test_the_folder_of_a_build_killed_with_sigkill_is_removed_by_the_next(tmp_path):
    process, work = start_slow_build(tmp_path, seconds=10)  # the orphaned kernel ends on its own
    [leftover] = list(work.iterdir())
    process.kill()
    process.communicate(timeout=60)
    assert (leftover / REPORT_MARKER).is_file(), "SIGKILL cannot be cleaned up after at once"
    assert remove_leftover_builds(work / "report") == [leftover]
    assert list(work.iterdir()) == []


# --out FILE: never an input, a folder or a device ------------------------------------------------------------------


def test_out_naming_the_input_corpus_is_refused_and_the_corpus_unchanged(tmp_path, capsys):
    corpus = small_corpus(tmp_path)
    before = tree_digest(tmp_path)
    status, out, err = run(capsys, "sentences", "--corpus", corpus, "--out", corpus)
    assert status == 2 and out == ""
    assert one_error_line(err) == (f"error: {corpus}: is an input of this command; --out would overwrite it "
                                   "(write to another file)")
    os.link(corpus, tmp_path / "hard-link.jsonl")
    before = tree_digest(tmp_path)
    status, _, err = run(capsys, "sentences", "--corpus", corpus, "--out", tmp_path / "hard-link.jsonl")
    assert status == 2 and "is an input of this command" in one_error_line(err)
    assert tree_digest(tmp_path) == before


def test_out_naming_a_data_file_or_a_file_in_the_corpus_folder_is_refused(tmp_path, capsys):
    codebook = tmp_path / "codebook.yaml"
    codebook.write_bytes(DEFAULT_CODEBOOK.read_bytes())
    status, _, err = run(capsys, "terms", "--codebook", codebook, "--out", codebook)
    assert status == 2 and "is an input of this command" in one_error_line(err)
    assert codebook.read_bytes() == DEFAULT_CODEBOOK.read_bytes()
    before = tree_digest(SEEDS_DIR)
    status, _, err = run(capsys, "corpus", "--out", SEEDS_DIR / "corpus.csv")
    assert status == 2 and "is inside the input folder" in one_error_line(err)
    assert tree_digest(SEEDS_DIR) == before


@pytest.mark.parametrize("kind", ["folder", "root", "devnull", "fifo"])
def test_out_naming_a_folder_a_device_or_a_fifo_is_refused(tmp_path, capsys, kind):
    if kind == "folder":
        target, what = tmp_path, "a folder"
    elif kind == "root":
        target, what = Path("/"), "a folder"
    elif kind == "devnull":
        # A link to the device: a regression would replace the link, never /dev/null itself.
        target, what = tmp_path / "null", "a character device"
        target.symlink_to("/dev/null")
    else:
        target, what = tmp_path / "pipe", "a FIFO (named pipe)"
        os.mkfifo(target)
    status, out, err = run(capsys, "corpus", "--out", target)
    assert status == 2 and out == ""
    assert one_error_line(err) == (f"error: {target}: is {what}, not a regular file "
                                   "(--out writes a file: give a file name)")


def test_out_files_follow_the_umask(tmp_path, capsys):
    previous = os.umask(0o027)
    try:
        assert run(capsys, "corpus", "--format", "csv", "--out", tmp_path / "corpus.csv")[0] == 0
        save_table(read_corpus(SEEDS_DIR).summary(), "summary", tmp_path / "report")
        os.umask(0o002)
        write_text_atomic(tmp_path / "open.txt", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "corpus.csv").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "report" / "tables" / "summary.csv").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "report" / "tables").stat().st_mode) == 0o750
    assert stat.S_IMODE((tmp_path / "open.txt").stat().st_mode) == 0o664


# Write errors: one line, non-zero exit, the previous file untouched -------------------------------------------------


def test_disk_full_while_writing_out_keeps_the_previous_file(tmp_path, capsys, monkeypatch):
    target = tmp_path / "table.csv"
    target.write_bytes(b"previous table\n")

    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    status, out, err = run(capsys, "corpus", "--format", "csv", "--out", target)
    assert status == 2 and out == ""
    assert one_error_line(err) == (f"error: {target}: cannot write the file (No space left on device); "
                                   "any previous file there is unchanged")
    assert target.read_bytes() == b"previous table\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["table.csv"], "no temporary file is left"


def test_permission_denied_and_a_folder_in_the_way_are_one_line(tmp_path, capsys, monkeypatch):
    status, _, err = run(capsys, "corpus", "--out", tmp_path / "missing" / "table.csv")
    assert status == 2 and "does not exist" in one_error_line(err)
    real_open = os.open

    def denied(path, flags, mode=0o777, *args, **kwargs):
        if str(path).endswith(".partial"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    status, _, err = run(capsys, "corpus", "--out", tmp_path / "table.csv")
    assert status == 2
    assert one_error_line(err) == (f"error: {tmp_path / 'table.csv'}: cannot write the file (Permission denied); "
                                   "any previous file there is unchanged")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_folder_is_one_line(tmp_path, capsys):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        status, _, err = run(capsys, "corpus", "--out", folder / "table.csv")
    finally:
        folder.chmod(0o755)
    assert status == 2 and "Permission denied" in one_error_line(err)


def test_full_standard_output_is_one_line_without_a_traceback():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        result = subprocess.run([PYTHON, "-m", "analysis", "corpus"], stdout=full, stderr=subprocess.PIPE,
                                text=True, cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 2
    assert result.stderr == "error: standard output: cannot write (No space left on device)\n"


def test_an_unforeseen_os_error_is_one_line_naming_the_path(capsys, monkeypatch):
    def broken(args):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/some/where/file.txt")

    monkeypatch.setattr("analysis.commands.corpus.corpus_from", broken)
    status, _, err = run(capsys, "corpus")
    assert status == 2 and one_error_line(err) == "error: /some/where/file.txt: Permission denied"


# --resamples --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, message", [
    ("0", "0 is out of range: give 1 to 100,000"),
    ("-3", "-3 is out of range: give 1 to 100,000"),
    ("100001", "100,001 is out of range: give 1 to 100,000"),
    ("10000000000", "10,000,000,000 is out of range: give 1 to 100,000"),
    ("many", "'many' is not a whole number"),
])
def test_resamples_out_of_bounds_is_one_line(capsys, value, message):
    status, out, err = run(capsys, "tone", "--resamples", value)
    assert status == 2 and out == ""
    assert one_error_line(err) == f"error: python -m analysis tone: argument --resamples: {message} (see --help)"


def test_resamples_at_the_bounds_are_accepted(capsys):
    assert run(capsys, "tone", "--by", "sentence", "--resamples", "100000", "--format", "csv")[0] == 0
    status, out, _ = run(capsys, "tone", "--resamples", "1", "--format", "csv")
    assert status == 0 and out.splitlines()[0].startswith("outlet,")


# The report does not depend on the working directory ---------------------------------------------------------------


def test_report_paths_are_the_same_from_any_working_directory(tmp_path, monkeypatch):
    """The provenance names files relative to the project or to the corpus's folder, never to the working folder."""
    corpus_file = small_corpus(tmp_path / "projects" / "study")
    rules = tmp_path / "elsewhere" / "rules.yaml"
    rules.parent.mkdir()
    rules.write_bytes(DEFAULT_CLEANING_RULES.read_bytes())
    paths = [corpus_file, DEFAULT_CODEBOOK, DEFAULT_CLEANING_RULES, rules, SEEDS_DIR / "corpus.csv"]
    expected = ["mine.jsonl", "analysis/data/codebook.yaml", "analysis/data/cleaning.yaml", "rules.yaml",
                "seeds/corpus.csv"]
    for cwd in (tmp_path, corpus_file.parent, tmp_path / "projects", tmp_path / "elsewhere", Path("/"), PROJECT_ROOT):
        monkeypatch.chdir(cwd)
        assert [_display_path(path, corpus_file) for path in paths] == expected, cwd
        assert _display_path(corpus_file.parent, corpus_file.parent) == "study", cwd  # a folder corpus
        assert _display_path(SEEDS_DIR, SEEDS_DIR) == "seeds", cwd


# Quiet success: the kernel is not interrupted when it has finished ---------------------------------------------------


def test_kernel_is_shut_down_without_an_interrupt_after_a_successful_run(tmp_path, monkeypatch, capfd):
    """jupyter_client interrupts every kernel before shutting it down; ipykernel then sometimes logs
    "KeyboardInterrupt caught in kernel." on a build that succeeded."""
    from jupyter_client import AsyncKernelManager

    interrupts = []
    original = AsyncKernelManager._async_interrupt_kernel

    async def counting(self):
        interrupts.append(self)
        await original(self)

    monkeypatch.setattr(AsyncKernelManager, "_async_interrupt_kernel", counting)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "quick.ipynb")
    execute_notebook(tmp_path / "quick.ipynb")
    assert interrupts == []
    assert "KeyboardInterrupt" not in capfd.readouterr().err


def test_kernel_manager_still_interrupts_outside_a_shutdown():
    manager = IdleShutdownKernelManager()
    manager.shutting_down = True
    asyncio.run(manager._async_interrupt_kernel())  # returns at once: no kernel is asked anything
    manager.shutting_down = False
    with pytest.raises(RuntimeError, match="No kernel is running"):
        asyncio.run(manager._async_interrupt_kernel())
