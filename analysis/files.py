"""Reading the user's files safely: regular files only, a size limit, OS errors as one line.

Every input the package reads (corpus texts and tables, manifests, codebooks,
cleaning rules, actor and source lists) goes through :func:`read_input_bytes`, so
that a FIFO never blocks, a device is never read and a file far larger than the
format needs stops with a message instead of filling memory.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from analysis.errors import AnalysisError

# Size limits for corpus inputs: far above any real article or table, far below what
# would exhaust memory on a laptop before the reading even starts.
MAX_TEXT_FILE_BYTES = 256 * 1024**2  # one article's text file: 256 MiB
MAX_TABLE_FILE_BYTES = 2 * 1024**3  # a corpus table (CSV, JSONL, Parquet) or a manifest: 2 GiB

KIND_NAMES = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def file_kind(mode: int) -> str:
    """Return what a ``st_mode`` describes, in words ("a regular file", "a FIFO (named pipe)" …)."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return KIND_NAMES.get(stat.S_IFMT(mode), "not a regular file")


def read_input_bytes(path: Path | str, what: str = "file", max_bytes: int | None = None,
                     error: type[AnalysisError] = AnalysisError) -> bytes:
    """Return the bytes of the regular file at ``path``.

    Raises ``error`` (one line naming the file) when the path is missing, is not a
    regular file (folder, FIFO, device, socket), is larger than ``max_bytes`` or
    cannot be read. The file is opened without blocking, so a FIFO is refused
    rather than waited on.
    """
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except OSError as problem:
        # A socket cannot be opened at all (ENXIO): say what it is rather than the OS's riddle.
        mode = _mode_or_none(path)
        if mode is not None and not stat.S_ISREG(mode):
            raise error(f"{path}: is {file_kind(mode)}, not a regular file; give a {what} on disk") from None
        raise error(f"{path}: cannot open the {what} ({_reason(problem)})") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{path}: is {file_kind(mode)}, not a regular file; give a {what} on disk")
        size = os.fstat(descriptor).st_size
        if max_bytes is not None and size > max_bytes:
            raise error(f"{path}: the {what} is {size:,} bytes, more than the {max_bytes:,} allowed")
        os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "rb", closefd=True) as stream:
            descriptor = None
            data = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
    except OSError as problem:
        raise error(f"{path}: cannot read the {what} ({_reason(problem)})") from None
    finally:
        if descriptor is not None:
            os.close(descriptor)
    if max_bytes is not None and len(data) > max_bytes:
        raise error(f"{path}: the {what} is more than the {max_bytes:,} bytes allowed")
    return data


def holds_marker(folder: Path, name: str, text: str) -> bool:
    """Return whether ``folder`` holds a regular file ``name`` whose content is exactly ``text``.

    The report and the study mark the folders they write this way; a folder
    that cannot be read is taken not to be marked.
    """
    marker = folder / name
    try:
        return not marker.is_symlink() and marker.is_file() and marker.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def is_empty_folder(folder: Path, error: type[AnalysisError] = AnalysisError) -> bool:
    """Return whether ``folder`` holds nothing at all, not even hidden files; ``error`` when it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError as problem:
        raise error(f"{folder}: cannot look inside the folder ({_reason(problem)})") from None


def _mode_or_none(path: Path) -> int | None:
    """Return the ``st_mode`` of ``path``, or None when it cannot be read."""
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def _reason(problem: OSError) -> str:
    """Return the OS's words for ``problem`` ("Permission denied"), without a traceback's detail."""
    return problem.strerror or errno.errorcode.get(problem.errno or 0, type(problem).__name__)
