"""Writing tables and files: one format switch for every command, and no half-written files."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError

FORMATS = ("table", "csv", "json")


def format_table(table: pd.DataFrame, output_format: str) -> str:
    """Return ``table`` as text: an aligned ``table``, ``csv``, or ``json`` (a list of row objects)."""
    if output_format == "table":
        with pd.option_context("display.max_colwidth", 60, "display.width", 200):
            return table.to_string(index=False, float_format=lambda value: f"{value:.4g}") + "\n"
    if output_format == "csv":
        return table.to_csv(index=False, lineterminator="\n")
    if output_format == "json":
        rows = [{column: _plain(value) for column, value in row.items()} for row in table.to_dict(orient="records")]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    raise AnalysisError(f"unknown format '{output_format}' (choose from {', '.join(FORMATS)})")


def _plain(value):
    """Return ``value`` as a JSON-ready Python value (NaN becomes null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a failure leaves no partial file."""
    path = Path(path)
    if path.parent and not path.parent.is_dir():
        raise AnalysisError(f"{path}: the folder {path.parent} does not exist")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_table(table: pd.DataFrame, name: str, output_dir: Path | str | None) -> None:
    """Write ``table`` as ``output_dir/tables/NAME.csv`` (nothing without a folder).

    Returns nothing on purpose: a notebook cell ending in this call shows no
    machine-specific path in the report.
    """
    if output_dir is None:
        return
    folder = Path(output_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
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
