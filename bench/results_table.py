"""The benchmarks' tables: CSV files under ``bench/results/`` that each benchmark script updates with its own rows.

``bench/results/comparisons.csv`` holds one row per side-by-side comparison
(:data:`COMPARISON_COLUMNS`): what was compared, on how many words, the
measurement (``value``: ours, or the new setting) and its ``baseline`` (the
peer, the bare loop, one worker, the small corpus), their ratio as ``metric``
says, and the target the ratio is held against. Other
tables (``scale.csv``) hold one row per run. A script replaces only the rows it
measured (same key), so running one benchmark keeps the others' rows.

Standard library only: ``bench/bench_peer.py`` imports this from the peer's own
virtual environment too.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
COMPARISONS = RESULTS_DIR / "comparisons.csv"
COMPARISON_COLUMNS = ["comparison", "corpus_words", "metric", "value", "baseline", "ratio", "target", "target_met"]


def comparison_row(comparison: str, corpus_words: int, metric: str, value: float, baseline: float,
                   ratio: float, target: str) -> dict:
    """Return one row of the comparisons table; ``target`` is ``">= X"`` or ``"<= X"``, held against ``ratio``,
    or ``""`` for a ratio reported without a target."""
    if not target:
        met = ""
    else:
        operator, _, bound = target.partition(" ")
        if operator not in (">=", "<=") or not bound:
            raise ValueError(f"target must be '>= X', '<= X' or empty, not {target!r}")
        met = "yes" if (ratio >= float(bound) if operator == ">=" else ratio <= float(bound)) else "no"
    return {"comparison": comparison, "corpus_words": corpus_words, "metric": metric, "value": value,
            "baseline": baseline, "ratio": ratio, "target": target, "target_met": met}


def format_value(value) -> str:
    """Return a table cell: floats with three decimals, everything else as ``str``."""
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def format_row(row: dict, columns: list[str]) -> str:
    """Return ``row`` as one CSV line (with its line end) in the order of ``columns``."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([format_value(row[column]) for column in columns])
    return buffer.getvalue()


def update_table(path: Path, rows: list[dict], columns: list[str], key: list[str], drop=None) -> None:
    """Write ``rows`` into the CSV table at ``path``, replacing the rows with the same ``key`` values in place
    and keeping every other row but those ``drop(row)`` is true of (rows of an earlier run that this one no
    longer measures); the file is replaced whole, never left half-written."""
    kept: list[dict] = []
    if path.exists():
        with open(path, encoding="utf-8", newline="") as handle:
            kept = list(csv.DictReader(handle))
    new_keys = {tuple(format_value(row[name]) for name in key) for row in rows}
    if drop is not None:
        kept = [row for row in kept if not drop(row) or tuple(row.get(name, "") for name in key) in new_keys]
    new = {tuple(format_value(row[name]) for name in key): row for row in rows}
    merged, placed = [], set()
    for row in kept:
        identity = tuple(row.get(name, "") for name in key)
        if identity in new:
            if identity not in placed:
                merged.append(new[identity])
                placed.add(identity)
        else:
            merged.append(row)
    merged += [row for identity, row in new.items() if identity not in placed]
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ",".join(columns) + "\n" + "".join(format_row(row, columns) for row in merged)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def print_rows(rows: list[dict], columns: list[str]) -> None:
    """Print ``rows`` as an aligned plain-text table."""
    cells = [columns] + [[format_value(row[column]) for column in columns] for row in rows]
    widths = [max(len(line[index]) for line in cells) for index in range(len(columns))]
    for line in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
