"""Writing tables and files: one format switch for every command, and no half-written files."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import secrets
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.files import _reason, file_kind

FORMATS = ("table", "csv", "json")


def format_table(table: pd.DataFrame, output_format: str) -> str:
    """Return ``table`` as text: an aligned ``table``, ``csv``, or ``json`` (a list of row objects)."""
    if output_format == "table":
        return _aligned_table(table)
    if output_format == "csv":
        return table.to_csv(index=False, lineterminator="\n")
    if output_format == "json":
        rows = [{column: _plain(value) for column, value in row.items()} for row in table.to_dict(orient="records")]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    raise AnalysisError(f"unknown format '{output_format}' (choose from {', '.join(FORMATS)})")


MAX_CELL_CHARS = 60  # a longer text cell is cut, ending in "…", so that every row stays on one line
_CELL_BREAKS = re.compile(r"[\t\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def _aligned_table(table: pd.DataFrame) -> str:
    """Return ``table`` as terminal text: one line per row, no index, columns two spaces apart.

    Number columns (and their headers) are flush right, every other column flush
    left; floats have 4 significant digits (whole numbers from 10,000 up, without
    an exponent); a text cell longer than :data:`MAX_CELL_CHARS` is cut and ends in
    "…", and line breaks and tabs inside a cell print as spaces.
    """
    columns = []
    for name in table.columns:
        values = table[name]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        cells = [_table_cell(value) for value in values]
        header = _table_cell(name)
        width = max([len(header)] + [len(cell) for cell in cells])
        align = str.rjust if numeric else str.ljust
        columns.append([align(header, width)] + [align(cell, width) for cell in cells])
    if not columns:
        return "\n" * (len(table) + 1)
    return "".join("  ".join(row).rstrip() + "\n" for row in zip(*columns))


def _table_cell(value) -> str:
    """Return one value as it prints in a terminal table (see :func:`_aligned_table`)."""
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value) or abs(value) < 10_000:
            return f"{value:.4g}"
        return f"{value:.0f}"
    text = _CELL_BREAKS.sub(" ", str(value))
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS - 1] + "…"
    return text


def _plain(value):
    """Return ``value`` as a JSON-ready Python value (NaN becomes null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


class OutputError(AnalysisError):
    """A file cannot be written where the user asked (a folder, a device, an input, a full disk …)."""


def check_output_file(path: Path | str, inputs=(), what: str = "--out") -> Path:
    """Return ``path`` when a file may be written there; raise OutputError (one line) otherwise.

    Refused, before anything is computed or touched: an existing path that is not a
    regular file (a folder, a device such as ``/dev/null``, a FIFO, a socket), a path
    that is one of ``inputs`` (the same file, also through a link) and a path inside
    an input folder (the corpus folder).
    """
    path = Path(path)
    try:
        status = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        status = None
    except OSError as problem:
        raise OutputError(f"{path}: cannot be used for {what} ({_reason(problem)})") from None
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise OutputError(f"{path}: is {file_kind(status.st_mode)}, not a regular file "
                          f"({what} writes a file: give a file name)")
    resolved = path.resolve()
    for source in inputs:
        source = Path(source)
        if not source.exists():
            continue
        source_resolved = source.resolve()
        same = resolved == source_resolved or (status is not None and os.path.samefile(path, source))
        if same:
            raise OutputError(f"{path}: is an input of this command; {what} would overwrite it "
                              "(write to another file)")
        if source_resolved.is_dir() and source_resolved in resolved.parents:
            raise OutputError(f"{path}: is inside the input folder {source}; write the output elsewhere")
    return path


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The file gets the user's normal permissions (0666 less the umask). Any failure
    (disk full, no permission, a read-only folder, a folder in the way) raises
    OutputError naming the file; the previous file, if any, is untouched and no
    temporary file is left behind.
    """
    path = Path(path)
    check_output_file(path, what="the output")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: the folder {path.parent} does not exist (create it first)")
    temporary = None
    try:
        descriptor, temporary = _create_temporary_beside(path)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # a full disk can surface only here (delayed allocation, quotas)
        os.replace(temporary, path)
        temporary = None
    except OSError as problem:
        raise OutputError(f"{path}: cannot write the file ({_reason(problem)}); "
                          "any previous file there is unchanged") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def write_text_atomic(path: Path | str, text: str) -> None:
    """Write ``text`` (UTF-8, line endings as given) to ``path`` like :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"))


def make_folder(folder: Path | str) -> Path:
    """Return ``folder`` after creating it (and its parents) if needed; OutputError when that fails."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{folder}: is a file, not a folder (move it away or choose another folder)") from None
    except OSError as problem:
        raise OutputError(f"{folder}: cannot create the folder ({_reason(problem)})") from None
    return folder


def _create_temporary_beside(path: Path) -> tuple[int, Path]:
    """Return an open descriptor and the name of a new, empty hidden file beside ``path``.

    Unlike :func:`tempfile.mkstemp` (always 0600) the file is created with mode 0666,
    which the operating system reduces by the umask, so the finished file has the
    permissions any other program would give it.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        candidate = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
        try:
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def save_table(table: pd.DataFrame, name: str, output_dir: Path | str | None) -> None:
    """Write ``table`` as ``output_dir/tables/NAME.csv`` (nothing without a folder).

    Returns nothing on purpose: a notebook cell ending in this call shows no
    machine-specific path in the report.
    """
    if output_dir is None:
        return
    folder = Path(output_dir) / "tables"
    make_folder(folder)
    write_text_atomic(folder / f"{name}.csv", format_table(table, "csv"))


# Characters that HTML reads as markup become entities; every other ASCII punctuation character,
# any of which CommonMark lets a backslash escape, is escaped, so that no corpus value becomes a link,
# an image, emphasis, a heading, a list, a table, a footnote or mathematics ($…$) in any renderer.
_MARKDOWN_ESCAPES = {
    **{character: "\\" + character for character in "!\"#$%'()*+,-./:;=?@[\\]^_`{|}~"},
    "&": "&amp;", "<": "&lt;", ">": "&gt;",
}
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def markdown_text(value) -> str:
    """Return ``value`` (one corpus or data-file string) as Markdown that renders exactly as its characters.

    Use it for every outlet, event, title, frame, label, term or sentence that a
    computed sentence interpolates: the package's own Markdown around it (``**bold**``)
    stays Markdown, the value is only ever text. Line breaks become spaces, so a
    value cannot start a block (a heading, a list item, a table row) of its own.
    """
    text = _LINE_BREAKS.sub(" ", str(value))
    return "".join(_MARKDOWN_ESCAPES.get(character, character) for character in text)


def safe_markdown(text: str):
    """Return ``text`` (the package's Markdown) as an IPython Markdown object, with any HTML tag shown as text.

    Corpus values inside ``text`` must have passed through :func:`markdown_text`;
    escaping ``<`` and ``>`` here as well keeps a tag that reached a sentence any
    other way from becoming markup in the report. (``&`` is left alone: it is how
    :func:`markdown_text` writes ``&``, ``<`` and ``>``.)
    """
    from IPython.display import Markdown

    return Markdown(text.replace("<", "&lt;").replace(">", "&gt;"))
