"""Tables a reader can read: each number rounded by what it means, text wrapped and never cut, concordance lines aligned.

:func:`show_table` returns a :class:`ReadableTable` that a notebook displays as
HTML (and as aligned text). :func:`column_kind` says how a column is formatted,
from its name and values; :func:`format_cell` writes one value of a kind. Every
value is HTML-escaped, so corpus text never becomes markup; the HTML has no ids,
so the same table gives byte-identical HTML. The report's stylesheet
(``templates/offline/index.html.j2``) styles the classes used here.
"""

from __future__ import annotations

import html
import math
import numbers
from typing import Callable, Mapping

import numpy as np
import pandas as pd

MISSING = "–"  # an en dash: a missing value (NaN, None) is shown, not left as a blank that looks like a lost cell
MINUS = "−"  # U+2212, as in the figures' labels
P_FLOOR = 1e-4
KINDS = ("p", "rate", "percent", "share", "integer", "number", "boolean", "text")
KWIC_KEYWORDS = ("match", "keyword")
_INTERVAL_NAMES = ("ci_low", "ci_high", "ci_lower", "ci_upper")


class ReadableTable:
    """A formatted table for a notebook: ``_repr_html_`` for the page, ``__repr__`` for plain text."""

    def __init__(self, html_text: str, text: str) -> None:
        self.html = html_text
        self.text = text

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def show_table(table: pd.DataFrame, formats: Mapping[str, str | Callable] | None = None,
               caption: str | None = None, kwic: bool | None = None) -> ReadableTable:
    """Return ``table`` as a :class:`ReadableTable`: no meaningless index, numbers rounded by meaning, text wrapped.

    The index is shown (as leading header columns) only when it means something:
    it has a name, has several levels (a pivot table), or holds labels rather
    than whole numbers. Columns are formatted by :func:`column_kind`;
    ``formats`` maps a column (or index level) name to a kind from :data:`KINDS`
    or to a function from a value to its text, and wins over the name. A missing
    value (NaN, None) is shown as "–" (an en dash); booleans as yes/no.

    With ``kwic`` (``None``: whenever the table has ``left``, ``match`` or
    ``keyword``, and ``right`` columns) each row is one line: the left context
    flush right, the keyword bold and centred, the right context flush left,
    so that the lines align on the keyword.
    """
    formats = dict(formats or {})
    keyword = next((name for name in KWIC_KEYWORDS if name in table.columns), None)
    has_kwic_columns = keyword is not None and "left" in table.columns and "right" in table.columns
    if kwic and not has_kwic_columns:
        raise ValueError("show_table: a concordance needs the columns left, match (or keyword) and right")
    kwic = has_kwic_columns if kwic is None else kwic
    roles = {"left": "kwic-left", keyword: "kwic-match", "right": "kwic-right"} if kwic else {}

    index = _meaningful_index(table)
    body = table.reset_index(drop=True)
    body.columns = [_label(name) for name in table.columns]
    columns = []  # (header, css class, cells, is row header)
    for level in index:
        kind = _kind_of(level.name, level.to_series(index=range(len(table))), formats, table)
        name = "" if level.name is None else _label(level.name)
        columns.append((name, _css_class(kind), _cells(level, kind, formats.get(level.name)), True))
    for position, name in enumerate(body.columns):
        values = body.iloc[:, position]
        kind = _kind_of(name, values, formats, table)
        css = roles.get(name, _css_class(kind))
        columns.append((name, css, _cells(values, kind, formats.get(name)), False))
    if len(index) > 1:
        _blank_repeated_labels(columns[:len(index)])
    group_header = _label(table.columns.name) if index and table.columns.name is not None else None
    return ReadableTable(_html_table(columns, len(table), caption, group_header, len(index)),
                         _text_table(columns, len(table), caption))


def column_kind(name, values: pd.Series, table_columns=()) -> str:
    """Return how the column ``name`` is formatted, one of :data:`KINDS`, from its name and values.

    Numbers: ``p`` for p-values (``p``, ``p_value``, ``p_adjusted``, names
    starting ``p_`` or ending ``_p``); ``rate`` (``rate``, names with a ``rate``
    part or ``per_1k``/``per_1000``); ``percent`` (ending ``_pct`` or
    ``percent``: values already in percent); ``share`` (names with ``share``,
    ``proportion`` or ``fraction``); ``ci_low``/``ci_high`` take the kind of the
    table's one rate, percent or share column when it has exactly one; then
    ``integer`` for whole numbers, ``number`` for other floats. Booleans are
    ``boolean``; anything else is ``text``.
    """
    present = values.dropna()
    if pd.api.types.is_bool_dtype(values) or (len(present) and all(isinstance(value, (bool, np.bool_))
                                                                  for value in present)):
        return "boolean"
    numeric = pd.api.types.is_numeric_dtype(values) or (
        len(present) > 0 and all(isinstance(value, numbers.Real) for value in present))
    if not numeric:
        return "text"
    lowered = str(name).lower()
    if lowered in _INTERVAL_NAMES:
        partners = [kind for other in table_columns if str(other).lower() not in _INTERVAL_NAMES
                    for kind in [_kind_by_name(str(other).lower())] if kind in ("rate", "percent", "share")]
        if len(partners) == 1:
            return partners[0]
    by_name = _kind_by_name(lowered)
    if by_name is not None:
        return by_name
    finite = pd.to_numeric(present, errors="coerce").astype(float)
    finite = finite[np.isfinite(finite)]
    if pd.api.types.is_integer_dtype(values) or (len(finite) and bool((finite == np.round(finite)).all())):
        return "integer"
    return "number"


def format_cell(value, kind: str, decimals: int = 3) -> str:
    """Return one value as text of ``kind`` (see :func:`column_kind`); ``decimals`` is for ``number``.

    p-values: 2 significant figures, "< 0.0001" below 1e-4; rates and percents:
    one decimal; shares: two decimals; a nonzero value that would round to zero
    keeps 2 significant figures instead. Integers have thousands separators;
    negative numbers a true minus sign; a missing value is "–".
    """
    if _is_missing(value):
        return MISSING
    if kind == "boolean":
        return "yes" if value else "no"
    if kind == "text" or not isinstance(value, numbers.Real):
        return str(value)
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else f"{MINUS}∞"
    if kind == "p":
        text = f"< {P_FLOOR:g}" if number < P_FLOOR else _significant(number, 2)
    elif kind == "rate":
        text = _fixed(number, 1)
    elif kind == "percent":
        text = _fixed(number, 1) + "%"
    elif kind == "share":
        text = _fixed(number, 2)
    elif kind == "integer":
        text = f"{round(number):,}"
    else:
        text = _fixed(number, decimals)
    return text.replace("-", MINUS)


def number_decimals(values: pd.Series) -> int:
    """Return the decimals that give the column's largest value 3 significant figures (0 from 100 up)."""
    finite = pd.to_numeric(values, errors="coerce").astype(float)
    finite = finite[np.isfinite(finite) & (finite != 0)].abs()
    if finite.empty:
        return 0
    return min(max(0, 2 - math.floor(math.log10(finite.max()))), 8)


def _kind_by_name(lowered: str) -> str | None:
    parts = lowered.split("_")
    if lowered in ("p", "p_value", "p_adjusted", "pvalue") or lowered.startswith("p_") or lowered.endswith("_p"):
        return "p"
    if "rate" in parts or "rates" in parts or "per_1k" in lowered or "per_1000" in lowered:
        return "rate"
    if lowered.endswith("_pct") or lowered == "pct" or lowered.endswith("percent"):
        return "percent"
    if any(word in lowered for word in ("share", "proportion", "fraction")):
        return "share"
    return None


def _kind_of(name, values: pd.Series, formats: dict, table: pd.DataFrame) -> str:
    chosen = formats.get(name)
    if isinstance(chosen, str):
        if chosen not in KINDS:
            raise ValueError(f"show_table: format {chosen!r} for {name!r} is not one of {', '.join(KINDS)}")
        return chosen
    return column_kind(name, values, list(table.columns))


def _cells(values, kind: str, chosen) -> list[str]:
    if callable(chosen):
        return [MISSING if _is_missing(value) else str(chosen(value)) for value in values]
    decimals = number_decimals(pd.Series(list(values), dtype=object)) if kind == "number" else 3
    return [format_cell(value, kind, decimals) for value in values]


def _css_class(kind: str) -> str:
    return "num" if kind in ("p", "rate", "percent", "share", "integer", "number") else "text"


def _fixed(number: float, decimals: int) -> str:
    text = f"{number:,.{decimals}f}"
    if number != 0 and float(text.replace(",", "")) == 0:
        return _significant(number, 2)  # "0.0" for a rate that is not zero would mislead
    return text


def _significant(number: float, digits: int) -> str:
    """Return ``number`` to ``digits`` significant figures, written without an exponent."""
    if number == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(number))))
    text = f"{round(number, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _label(name) -> str:
    """Return a column label as text; a pivot table's several header levels are joined by " · "."""
    if isinstance(name, tuple):
        return " · ".join(str(part) for part in name if str(part) != "")
    return str(name)


def _meaningful_index(table: pd.DataFrame) -> list[pd.Index]:
    """Return the index levels to show: none for a plain row number (an unnamed index of whole numbers)."""
    index = table.index
    if isinstance(index, pd.MultiIndex):
        return [index.get_level_values(level) for level in range(index.nlevels)]
    if index.name is not None or not (pd.api.types.is_integer_dtype(index) or len(index) == 0):
        return [index]
    return []


def _blank_repeated_labels(index_columns) -> None:
    """Blank an index label that repeats the row above along with every outer label, as pandas prints groups."""
    labels = [cells[:] for _, _, cells, _ in index_columns]
    for level, (_, _, cells, _) in enumerate(index_columns):
        for row in range(len(cells) - 1, 0, -1):
            if all(labels[outer][row] == labels[outer][row - 1] for outer in range(level + 1)):
                cells[row] = ""


def _html_table(columns, n_rows: int, caption: str | None, group_header: str | None, n_index: int) -> str:
    escape = html.escape
    kwic = any(css.startswith("kwic") for _, css, _, _ in columns)
    lines = [f'<div class="table-scroll tex2jax_ignore mathjax_ignore"><table class="readable-table'
             f'{" kwic" if kwic else ""}">']
    if caption:
        lines.append(f"<caption>{escape(caption)}</caption>")
    lines.append("<thead>")
    if group_header is not None:
        lines.append(f'<tr><th colspan="{n_index}"></th>'
                     f'<th class="column-group" colspan="{len(columns) - n_index}">{escape(group_header)}</th></tr>')
    lines.append("<tr>" + "".join(f'<th scope="col" class="{css}">{_header_html(name)}</th>'
                                  for name, css, _, _ in columns) + "</tr>")
    lines.append("</thead>")
    lines.append("<tbody>")
    for row in range(n_rows):
        cells = []
        for _, css, values, is_row_header in columns:
            tag = 'th scope="row"' if is_row_header else "td"
            text = escape(values[row])
            if css == "kwic-match":
                text = f"<strong>{text}</strong>"  # bold even where the report's stylesheet is not loaded
            cells.append(f'<{tag} class="{css}">{text}</{tag.split()[0]}>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody>")
    lines.append("</table></div>")
    return "\n".join(lines) + "\n"


def _header_html(name: str) -> str:
    """Return an escaped header that may wrap after each underscore, so long names do not widen a column."""
    return "_<wbr>".join(html.escape(part) for part in name.split("_"))


def _text_table(columns, n_rows: int, caption: str | None) -> str:
    """Return the table as plain text: columns two spaces apart, numbers flush right, nothing cut."""
    laid_out = []
    for name, css, values, _ in columns:
        cells = [" ".join(value.split()) for value in values]
        width = max([len(name)] + [len(cell) for cell in cells])
        align = str.rjust if css in ("num", "kwic-left") else str.ljust
        laid_out.append([align(name, width)] + [align(cell, width) for cell in cells])
    rows = ["  ".join(row).rstrip() for row in zip(*laid_out)] if laid_out else []
    return "\n".join(([caption] if caption else []) + rows)


def use_readable_tables() -> None:
    """Make every pandas DataFrame a notebook displays render through :func:`show_table` (HTML output only).

    Call it once at the top of a notebook: ``display(table)`` and a table left as a
    cell's last expression then both give the readable table; the plain-text output
    (JupyterLab's fallback, the terminal) is pandas' own. Does nothing outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    html_formatter = shell.display_formatter.formatters["text/html"]
    html_formatter.for_type(pd.DataFrame, displayed_table_html)


def displayed_table_html(table: pd.DataFrame) -> str:
    """Return the HTML a notebook shows for ``table``: :func:`show_table` of at most ``display.max_rows`` rows.

    A longer table shows its first rows and says how many it has, as pandas does,
    so that a page of a large corpus does not hold every paragraph.
    """
    limit = pd.get_option("display.max_rows")
    if limit is not None and len(table) > limit:
        return show_table(table.head(limit), caption=f"The first {limit:,} of {len(table):,} rows.")._repr_html_()
    return show_table(table)._repr_html_()
