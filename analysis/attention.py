"""Attention over time: how often each outlet used a frame, a term or a naming label, period by period.

Media Cloud's attention view for a corpus with dates: the documents' publication
dates (``corpus.documents["date"]``, ISO dates, possibly missing) put each
document in a period, a day or an ISO week (Monday to Sunday, named by its
Monday); matches come from :func:`analysis.framing.frame_matches` and
:func:`analysis.framing.naming_matches`, so they are the counts of the framing
tables, split by period. Counts are set beside the outlet's words in the period,
as a rate per 1,000 words, because outlets publish unevenly from week to week.

In order: :func:`document_periods` (each dated document's period),
:func:`has_varying_dates` (whether there is anything to show over time),
:func:`attention_over_time` (the tidy table) and :func:`plot_attention`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.codebook import Codebook, codebook_from_terms
from analysis.errors import AnalysisError
from analysis.framing import frame_matches, naming_matches

PERIODS = ("day", "week")
WHATS = ("frames", "terms", "labels")
DEFAULT_PERIOD = "week"
MAX_PERIOD_TICKS = 12
MIN_PERIODS = 2
"""An outlet needs dated documents in this many periods for its attention to change over time."""
ATTENTION_COLUMNS = ["period_start", "outlet", "item", "group", "count", "n_documents", "n_words", "per_1k_words"]


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise AnalysisError(f"the period is one of {', '.join(PERIODS)}, not '{period}'")


def period_start(date: str, period: str = DEFAULT_PERIOD) -> str:
    """Return the ISO date the ``period`` holding ``date`` (an ISO date) starts on: the day, or the week's Monday."""
    _check_period(period)
    day = dt.date.fromisoformat(date)
    return (day - dt.timedelta(days=day.weekday() if period == "week" else 0)).isoformat()


def document_periods(corpus, period: str = DEFAULT_PERIOD) -> pd.DataFrame:
    """Return the period of each dated document.

    Returns
    -------
    ``doc_id, outlet, date, period_start`` (ISO dates) and ``n_words`` (words of the
    document's text), in corpus order; documents without a date are left out
    (``attrs["n_undated"]`` says how many).
    """
    _check_period(period)
    documents = corpus.documents
    dated = documents[documents["date"].astype(str) != ""][["doc_id", "outlet", "date"]].copy()
    dated["period_start"] = [period_start(date, period) for date in dated["date"]]
    words = corpus.sentences.groupby("doc_id")["n_words"].sum()
    dated["n_words"] = dated["doc_id"].map(words).fillna(0).astype(int)
    dated = dated.reset_index(drop=True)
    dated.attrs["n_undated"] = int(len(documents) - len(dated))
    return dated


def has_varying_dates(corpus, period: str = DEFAULT_PERIOD, min_periods: int = MIN_PERIODS) -> bool:
    """Return whether some outlet has dated documents in at least ``min_periods`` different periods.

    A line over time needs two points from the same outlet: when each outlet's
    documents fall in one period, dates that differ between outlets would show a
    difference between outlets, not a change over time. So a corpus whose dates are
    all missing or all in one period, or where each outlet has a single article
    (the package's example corpus: three outlets, one article each), has nothing to
    show.
    """
    periods = document_periods(corpus, period)
    if periods.empty:
        return False
    return bool(periods.groupby("outlet")["period_start"].nunique().max() >= min_periods)


def _all_periods(first: str, last: str, period: str) -> list[str]:
    step = dt.timedelta(days=7 if period == "week" else 1)
    day, end, periods = dt.date.fromisoformat(first), dt.date.fromisoformat(last), []
    while day <= end:
        periods.append(day.isoformat())
        day += step
    return periods


def _items(what: str, codebook: Codebook) -> list[tuple[str, str]]:
    """Return the (item, group) pairs counted, in codebook order."""
    if what == "frames":
        return [(frame.name, frame.name) for frame in codebook.frames]
    if what == "terms":
        return [(label, frame.name) for frame in codebook.frames
                for label in dict.fromkeys(term.label for term in frame.terms)]
    return [(label.label, naming.name) for naming in codebook.naming_sets for label in naming.labels]


def _codebook(what: str, codebook: Codebook | None, terms) -> Codebook:
    terms = list(terms or [])
    if what == "labels":
        if terms:
            raise AnalysisError("attention: --term phrases are counted as terms or frames, not as naming labels")
        if codebook is None or not codebook.naming_sets:
            raise AnalysisError("attention: counting naming labels needs a codebook with naming sets")
        return codebook
    if codebook is None:
        if not terms:
            raise AnalysisError(f"attention: counting {what} needs a codebook or at least one --term PHRASE")
        return codebook_from_terms(terms)
    return codebook.with_terms(terms)


def attention_over_time(corpus, what: str = "frames", codebook: Codebook | None = None,
                        terms: list[str] | tuple[str, ...] | None = None,
                        period: str = DEFAULT_PERIOD) -> pd.DataFrame:
    """Return, per period, outlet and item, the item's matches and the outlet's documents and words in the period.

    ``what`` is "frames" (matches of each frame's terms), "terms" (each term, under
    its frame) or "labels" (each naming-set label chosen). ``terms`` are phrases
    added to the codebook's terms (under the frame "custom"), or counted alone when
    no codebook is given. ``period`` is "day" or "week" (ISO weeks, Monday to Sunday).
    Every period from the first dated document's to the last's has a row for each
    outlet with dated documents and each item, zero counts included; a period in
    which an outlet published nothing has ``n_documents`` 0 and ``per_1k_words``
    NaN (no words to divide by), which a line plot leaves as a gap. Undated
    documents are left out; ``attrs["n_undated"]`` says how many.

    Returns
    -------
    ``period_start`` (ISO date of the day, or of the week's Monday), ``outlet``,
    ``item`` (frame, term label or naming label), ``group`` (the term's frame, the
    label's naming set, the frame itself), ``count`` (matches in the outlet's
    documents of the period), ``n_documents`` and ``n_words`` (the outlet's dated
    documents in the period and their words), ``per_1k_words`` (count per 1,000
    of those words).
    """
    if what not in WHATS:
        raise AnalysisError(f"attention: what to count is one of {', '.join(WHATS)}, not '{what}'")
    _check_period(period)
    codebook = _codebook(what, codebook, terms)
    documents = document_periods(corpus, period)
    items = _items(what, codebook)
    if documents.empty or not items:
        table = pd.DataFrame(columns=ATTENTION_COLUMNS)
        table.attrs.update(n_undated=documents.attrs["n_undated"], period=period, what=what)
        return table
    outlets = [outlet for outlet in corpus.outlets if outlet in set(documents["outlet"])]
    periods = _all_periods(documents["period_start"].min(), documents["period_start"].max(), period)
    volume = documents.groupby(["period_start", "outlet"]).agg(n_documents=("doc_id", "size"),
                                                               n_words=("n_words", "sum")).reset_index()
    matches = (naming_matches if what == "labels" else frame_matches)(corpus, codebook)
    matches = matches.merge(documents[["doc_id", "period_start"]], on="doc_id", how="inner")
    key = "frame" if what == "frames" else "term"
    matches["item"], matches["group"] = matches[key], matches["frame"]
    counts = matches.groupby(["period_start", "outlet", "item", "group"]).size().rename("count").reset_index()
    grid = pd.DataFrame([(start, outlet, item, group) for start in periods for outlet in outlets
                         for item, group in items], columns=["period_start", "outlet", "item", "group"])
    table = (grid.merge(counts, on=["period_start", "outlet", "item", "group"], how="left")
             .merge(volume, on=["period_start", "outlet"], how="left"))
    for column in ("count", "n_documents", "n_words"):
        table[column] = table[column].fillna(0).astype(int)
    table["per_1k_words"] = (1000 * table["count"] / table["n_words"].where(table["n_words"] > 0)).astype(float)
    table = table[ATTENTION_COLUMNS].reset_index(drop=True)
    table.attrs.update(n_undated=documents.attrs["n_undated"], period=period, what=what)
    return table


def top_items(table: pd.DataFrame, top: int = 6) -> list[tuple[str, str]]:
    """Return the ``top`` (item, group) pairs of an attention table with the most matches (ties: table order)."""
    totals = table.groupby(["item", "group"], sort=False)["count"].sum()
    totals = totals[totals > 0]
    order = sorted(range(len(totals)), key=lambda index: -totals.iloc[index])
    return [totals.index[index] for index in order[:top]]


def plot_attention(table: pd.DataFrame, source_label: str | None = None, top: int = 6, period: str | None = None):
    """Return small multiples of attention over time: one panel per item (the ``top`` by matches), a line per outlet.

    ``table`` is one of :func:`attention_over_time`. The y axis is matches per
    1,000 of the outlet's words in the period; a gap is a period in which the
    outlet published nothing. Raises AnalysisError when no item has a match.
    """
    from analysis.style import add_source_line, new_figure, outlet_colors

    import matplotlib.dates as mdates

    chosen = top_items(table, top)
    if not chosen:
        raise AnalysisError("attention: no item has a match in the dated documents: nothing to plot")
    outlets = list(dict.fromkeys(table["outlet"]))
    colors = outlet_colors(outlets)
    n_columns = min(2, len(chosen))
    n_rows = -(-len(chosen) // n_columns)
    figure, axes = new_figure(4.2 * n_columns + 0.4, 2.5 * n_rows + 1.0, nrows=n_rows, ncols=n_columns,
                              sharex=True, squeeze=False)
    panels = list(axes.ravel())
    for ax in panels[len(chosen):]:
        ax.remove()
    several_groups = table.groupby("item")["group"].nunique().max() > 1
    starts = pd.to_datetime(sorted(set(table["period_start"])))
    period = period or table.attrs.get("period", "period")
    for ax, (item, group) in zip(panels, chosen):
        rows = table[(table["item"] == item) & (table["group"] == group)]
        for outlet in outlets:
            line = rows[rows["outlet"] == outlet]
            ax.plot(pd.to_datetime(line["period_start"]).to_numpy(), line["per_1k_words"].to_numpy(dtype=float),
                    color=colors[outlet], marker="o", markersize=3.5, linewidth=1.6, label=outlet)
        title = item if item == group or not several_groups else f"{item} ({group})"
        ax.set_title(title, fontsize=9.5, loc="left")
        ax.set_ylim(bottom=0)
        if len(starts) <= MAX_PERIOD_TICKS:  # a tick on each period's first day; else the date locator thins them
            ax.set_xticks(starts.to_numpy())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
        ax.tick_params(axis="x", labelrotation=30, labelsize=7.5, labelbottom=True)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    for row in axes:
        row[0].set_ylabel("matches per 1,000 words")
    handles, labels = panels[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="center right", fontsize=8, title="outlet", title_fontsize=8)
    when = ("week of publication (Monday to Sunday, named by its Monday)" if period == "week"
            else f"{period} of publication")
    figure.suptitle(f"Attention over time: matches per 1,000 words of each outlet, by {when}",
                    x=0.01, ha="left", fontweight="bold", fontsize=10.5, wrap=True)
    figure.tight_layout(rect=(0, 0, 0.8, 1))
    if source_label:
        add_source_line(figure, source_label)
    return figure
