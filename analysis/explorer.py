"""Term explorer: an interactive keyness scatter for the report, working offline.

In the spirit of scattertext: each outlet against the other outlets (and each
pair of outlets), every term a point placed by how often it occurs and how
distinctive it is; a search box, hover for counts and statistics, and a click on
a term lists sentences that contain it.

:func:`term_explorer_data` returns the table behind it (one row per comparison
and term, the statistics of :func:`analysis.vocabulary.keyness`);
:func:`term_explorer` draws it with bokeh and returns a :class:`TermExplorer`,
whose ``html`` is one self-contained fragment (bokeh's JavaScript inlined, no
network request) that a notebook's ``display()`` puts into the report page.
Two builds of the same data give byte-identical HTML. See docs/explorer.md.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from contextlib import contextmanager
from unittest import mock

import pandas as pd

from analysis.errors import AnalysisError
from analysis.style import NEUTRAL, outlet_colors
from analysis.vocabulary import (
    REST,
    SIGNIFICANCE,
    TermOptions,
    default_options,
    keyness,
    pairwise_keyness,
    sentence_terms,
)

DEFAULT_TOP = 300
"""Terms drawn per comparison: this many of the most frequent, plus every significant one."""
MAX_SENTENCES = 20
"""Sentences kept per term and comparison (half from each side when both have enough)."""
N_LABELS = 8
"""Terms labelled on the plot at each end of the keyness axis."""
NOT_SIGNIFICANT = "#BBBBBB"
PICK_A_TERM = "Click a term (or type it whole) to list sentences that contain it."

EXPLORER_COLUMNS = [
    "comparison", "outlet", "reference", "term", "n_grams", "count", "count_rest", "per_1k", "per_1k_rest",
    "log_likelihood", "log_ratio", "log_odds", "log_odds_z", "test", "p_value", "p_adjusted", "adjustment",
    "significant", "n_sentences_total", "sentence_ids",
]


def comparison_label(outlet: str, reference: str) -> str:
    """Return the name of a comparison as the explorer's selector shows it."""
    return f"{outlet} vs the other outlets" if reference == REST else f"{outlet} vs {reference}"


def term_explorer_data(
    corpus,
    key_terms: pd.DataFrame | None = None,
    options: TermOptions | None = None,
    pairs: bool = True,
    top: int = DEFAULT_TOP,
    max_sentences: int = MAX_SENTENCES,
    min_count: int = 2,
    alpha: float = SIGNIFICANCE,
) -> pd.DataFrame:
    """Return the terms the explorer draws: per comparison, the ``top`` most frequent and every significant one.

    ``key_terms`` is a :func:`analysis.vocabulary.keyness` table (each outlet
    against the rest; the notebook's own, so the explorer shows the page's
    numbers); without it one is computed with ``options`` and ``min_count``.
    With ``pairs``, every pair of outlets is added (the first outlet, in corpus
    order, as target; :func:`analysis.vocabulary.pairwise_keyness`, adjusted
    over the pairs' table). ``options`` must be those ``key_terms`` was made with,
    for the sentences to be found. A term is kept when it is among the ``top``
    by count on both sides together (ties by term) or its ``p_adjusted`` is
    below ``alpha``.

    Returns
    -------
    One row per comparison and term: ``comparison`` (its label), then the
    columns of :func:`analysis.vocabulary.keyness` from ``outlet`` to
    ``adjustment`` (``n_grams``, ``count``, ``count_rest``, ``per_1k``,
    ``per_1k_rest``, ``log_likelihood``, ``log_ratio``, ``log_odds``,
    ``log_odds_z``, ``test``, ``p_value``, ``p_adjusted``), ``significant``
    (``p_adjusted`` < ``alpha``), ``n_sentences_total`` (sentences of both sides
    containing the term) and ``sentence_ids`` (a tuple of at most
    ``max_sentences`` of them, in corpus order: up to half from the target, the
    rest from the reference, and more from one side when the other has fewer).
    Rows are in comparison order (each outlet against the rest, then the pairs),
    then by ``log_odds_z`` from most to least distinctive of the target.
    """
    if top < 0 or max_sentences < 0:
        raise AnalysisError("term explorer: top and max_sentences must be 0 or more")
    options = options or default_options()
    corpus.require_outlets(2)
    if key_terms is None:
        key_terms = keyness(corpus, options=options, min_count=min_count)
    missing = [column for column in EXPLORER_COLUMNS[1:17] if column not in key_terms.columns]
    if missing:
        raise AnalysisError(f"term explorer: key_terms is not a keyness table (no {', '.join(missing)} column)")
    tables = [key_terms]
    if pairs:
        tables.append(pairwise_keyness(corpus, options=options, min_count=min_count))
    kept = []
    for table in tables:
        for (outlet, reference), rows in table.groupby(["outlet", "reference"], sort=False):
            total = rows["count"] + rows["count_rest"]
            frequent = rows.assign(total=total).sort_values(["total", "term"], ascending=[False, True]).head(top)
            keep = rows.index.isin(frequent.index) | (rows["p_adjusted"] < alpha).to_numpy()
            kept.append(rows[keep].assign(comparison=comparison_label(outlet, reference)))
    if not kept:
        return pd.DataFrame(columns=EXPLORER_COLUMNS)
    data = pd.concat(kept, ignore_index=True)
    data["significant"] = data["p_adjusted"] < alpha
    occurrences = _term_sentences(corpus, set(data["term"]), options)
    totals, shown = [], []
    for outlet, reference, term in zip(data["outlet"], data["reference"], data["term"]):
        found = occurrences.get(term, [])
        target = [sentence for sentence, where in found if where == outlet]
        other = [sentence for sentence, where in found
                 if where != outlet and (reference == REST or where == reference)]
        totals.append(len(target) + len(other))
        shown.append(_balanced(target, other, max_sentences, found))
    data["n_sentences_total"] = totals
    data["sentence_ids"] = shown
    data = data.sort_values(["log_odds_z", "term"], ascending=[False, True], kind="stable")
    order = {label: index for index, label in enumerate(dict.fromkeys(label for table in kept
                                                                       for label in table["comparison"]))}
    data = data.sort_values("comparison", key=lambda column: column.map(order), kind="stable")
    return data[EXPLORER_COLUMNS].reset_index(drop=True)


def _term_sentences(corpus, terms: set[str], options: TermOptions) -> dict[str, list[tuple[str, str]]]:
    """Return, for each of ``terms``, the (sentence_id, outlet) of every sentence containing it, in corpus order."""
    found: dict[str, list[tuple[str, str]]] = {}
    sentences = corpus.sentences
    for sentence_id, outlet, text in zip(sentences["sentence_id"], sentences["outlet"], sentences["text"]):
        for term in dict.fromkeys(sentence_terms(text, options)):
            if term in terms:
                found.setdefault(term, []).append((sentence_id, outlet))
    return found


def _balanced(target: list[str], other: list[str], cap: int, found: list[tuple[str, str]]) -> tuple[str, ...]:
    """Return up to ``cap`` ids, half (rounded up) from ``target`` and the rest from ``other``, in corpus order."""
    from_target = min(len(target), max((cap + 1) // 2, cap - len(other)))
    chosen = set(target[:from_target]) | set(other[:cap - from_target])
    return tuple(sentence for sentence, _ in found if sentence in chosen)


# --- the interactive figure ------------------------------------------------------------------


class TermExplorer:
    """The explorer of one corpus: ``html`` (a self-contained fragment) and ``data`` (its table)."""

    def __init__(self, html: str, data: pd.DataFrame) -> None:
        self.html = html
        self.data = data

    def _repr_html_(self) -> str:
        return self.html


def term_explorer(
    corpus,
    key_terms: pd.DataFrame | None = None,
    options: TermOptions | None = None,
    pairs: bool = True,
    top: int = DEFAULT_TOP,
    max_sentences: int = MAX_SENTENCES,
    min_count: int = 2,
    alpha: float = SIGNIFICANCE,
) -> TermExplorer:
    """Return the interactive term explorer of ``corpus`` (arguments as :func:`term_explorer_data`).

    x: the term's count on both sides together (log scale); y: its weighted
    log-odds z (Monroe et al. 2008): above 0 the target outlet uses it more.
    Points are coloured by the side using them more where ``p_adjusted`` <
    ``alpha``, grey otherwise.
    """
    data = term_explorer_data(corpus, key_terms, options, pairs, top, max_sentences, min_count, alpha)
    if data.empty:
        raise AnalysisError(f"{corpus.source}: no term occurs often enough to explore (min_count {min_count})")
    digest = hashlib.sha256(pd.util.hash_pandas_object(data.drop(columns="sentence_ids"), index=True)
                            .to_numpy().tobytes())
    digest.update(repr(list(data["sentence_ids"])).encode("utf-8"))
    prefix = "tx" + digest.hexdigest()[:10]
    with _stable_ids(prefix):
        layout = _layout(corpus, data)
        html = _fragment(layout, prefix)
    return TermExplorer(html, data)


@contextmanager
def _stable_ids(prefix: str):
    """Make bokeh name its models and embed elements ``prefix-1``, ``prefix-2``, … instead of counters and UUIDs.

    bokeh offers no option for this: its model ids come from a process-wide
    counter (different in a notebook that drew other plots) and its embed ids
    from uuid4, so the report would not rebuild byte for byte. The prefix comes
    from the data, so two explorers of different data on one page never share ids.
    """
    import bokeh.embed.elements
    import bokeh.embed.util
    import bokeh.model.model

    counter = itertools.count(1)

    def next_id():
        return f"{prefix}-{next(counter)}"

    with mock.patch.object(bokeh.model.model, "make_id", next_id), \
            mock.patch.object(bokeh.embed.util, "make_globally_unique_id", next_id), \
            mock.patch.object(bokeh.embed.util, "make_globally_unique_css_safe_id", next_id), \
            mock.patch.object(bokeh.embed.elements, "make_globally_unique_css_safe_id", next_id):
        yield


def _fragment(layout, prefix: str) -> str:
    """Return the HTML of ``layout``: bokeh's CSS and JavaScript inlined, then the plot's div and script."""
    from bokeh.document import Document
    from bokeh.embed import components
    from bokeh.embed.bundle import bundle_for_objs_and_resources
    from bokeh.resources import INLINE

    document = Document()
    document.add_root(layout)
    script, div = components(layout)
    js, css = bundle_for_objs_and_resources([layout], INLINE)  # iterates as (scripts, styles)
    return (f'<div class="term-explorer" id="{prefix}">\n{js}\n{css}\n{div}\n{script}\n</div>\n')


HOVER_TOOLTIPS = [
    ("term", "@term"),
    ("count (target / reference)", "@count / @count_rest"),
    ("per 1,000 words", "@per_1k{0.00} / @per_1k_rest{0.00}"),
    ("log-odds z", "@log_odds_z{+0.00}"),
    ("Log Ratio", "@log_ratio{+0.00}"),
    ("G²", "@log_likelihood{0.00}"),
    ("p adjusted", "@p_adjusted{%.2g} (@test)"),
]

# Runs in the page: `terms`, `view`, `search`, `select`, `status` and friends are the bokeh models passed as args.
_SEARCH_JS = """
const query = search.value_input.trim().toLowerCase();
const data = terms.data;
const n = data.term.length;
const size = new Array(n), alpha = new Array(n), line = new Array(n), label = new Array(n);
let matches = 0, exact = -1;
for (let i = 0; i < n; i++) {
  const here = data.comparison[i] === select.value;
  const hit = query.length > 0 && data.term[i].toLowerCase().includes(query);
  size[i] = hit ? 13 : 7;
  alpha[i] = query.length === 0 || hit ? 0.85 : 0.25;
  line[i] = hit ? "#000000" : data.color[i];
  label[i] = hit ? data.term[i] : (query.length === 0 ? data.base_label[i] : "");
  if (here && hit) {
    matches += 1;
    if (data.term[i].toLowerCase() === query) { exact = i; }
  }
}
terms.data = {...data, size: size, alpha: alpha, line_color: line, label: label};
status.text = query.length === 0 ? "" :
  matches + (matches === 1 ? " term contains " : " terms contain ") + "\\u201c" + search.value_input.trim() +
  "\\u201d in this comparison" + (exact >= 0 ? "; its sentences are listed below." : ".");
if (exact >= 0) { terms.selected.indices = [exact]; }
"""

_COMPARISON_JS = f"const PICK_A_TERM = {json.dumps(PICK_A_TERM)};" + """
view.filter.group = select.value;
terms.selected.indices = [];
shown.text = "";
heading.text = PICK_A_TERM;
""" + _SEARCH_JS  # the search applies to the newly chosen comparison

_TAP_JS = """
const picked = terms.selected.indices;
if (picked.length === 0) { return; }
const i = picked[picked.length - 1];
const data = terms.data;
const texts = [];
for (const row of data.sentence_rows[i]) {
  texts.push(sentences.data.outlet[row] + ": " + sentences.data.text[row]);
}
shown.text = texts.join("\\n\\n");
const total = data.n_sentences_total[i];
const counted = texts.length < total ? texts.length + " of " + total + " shown"
  : total + (total === 1 ? " sentence" : " sentences");
heading.text = "Sentences with \\u201c" + data.term[i] + "\\u201d (" + data.comparison[i] + "): " + counted;
"""


def _layout(corpus, data: pd.DataFrame):
    """Return the bokeh layout: selector and search above, the scatter, the sentences of a clicked term below."""
    from bokeh.layouts import column, row
    from bokeh.models import (
        CDSView, ColumnDataSource, CustomJS, Div, GroupFilter, HoverTool, Paragraph, Select, Span, TapTool,
        TextInput,
    )
    from bokeh.plotting import figure

    sentence_ids = list(dict.fromkeys(sentence for ids in data["sentence_ids"] for sentence in ids))
    sentence_rows = {sentence: index for index, sentence in enumerate(sentence_ids)}
    texts = corpus.sentences.set_index("sentence_id").loc[sentence_ids, ["outlet", "text"]]
    sentences = ColumnDataSource({"sentence_id": sentence_ids, "outlet": texts["outlet"].tolist(),
                                  "text": texts["text"].tolist()})
    colors = _point_colors(corpus, data)
    labels = _labels(data)
    terms = ColumnDataSource({
        "comparison": data["comparison"].tolist(),
        "term": data["term"].tolist(),
        "total": (data["count"] + data["count_rest"]).to_numpy(dtype=float),
        "count": data["count"].to_numpy(dtype=float),
        "count_rest": data["count_rest"].to_numpy(dtype=float),
        "per_1k": data["per_1k"].to_numpy(dtype=float),
        "per_1k_rest": data["per_1k_rest"].to_numpy(dtype=float),
        "log_odds_z": data["log_odds_z"].to_numpy(dtype=float),
        "log_ratio": data["log_ratio"].to_numpy(dtype=float),
        "log_likelihood": data["log_likelihood"].to_numpy(dtype=float),
        "p_adjusted": data["p_adjusted"].to_numpy(dtype=float),
        "test": data["test"].tolist(),
        "n_sentences_total": data["n_sentences_total"].to_numpy(dtype=float),
        "sentence_rows": [[sentence_rows[sentence] for sentence in ids] for ids in data["sentence_ids"]],
        "color": colors, "line_color": colors, "size": [7] * len(data), "alpha": [0.85] * len(data),
        "label": labels, "base_label": labels,
    })
    comparisons = list(dict.fromkeys(data["comparison"]))
    view = CDSView(filter=GroupFilter(column_name="comparison", group=comparisons[0]))
    plot = figure(name="term-explorer-plot", width=820, height=560, x_axis_type="log",
                  tools="pan,wheel_zoom,box_zoom,reset,save", toolbar_location="right", sizing_mode="stretch_width")
    points = plot.scatter("total", "log_odds_z", source=terms, view=view, size="size", fill_color="color",
                          line_color="line_color", fill_alpha="alpha", line_alpha="alpha",
                          nonselection_fill_alpha=0.25, nonselection_line_alpha=0.25,
                          selection_line_color="#000000", selection_fill_alpha=1.0)
    plot.text("total", "log_odds_z", text="label", source=terms, view=view, x_offset=6, y_offset=-3,
              text_font_size="8pt", text_color=NEUTRAL, text_baseline="middle")
    plot.add_layout(Span(location=0, dimension="width", line_color=NEUTRAL, line_dash="dashed", line_width=1))
    plot.add_tools(HoverTool(renderers=[points], tooltips=HOVER_TOOLTIPS, formatters={"@p_adjusted": "printf"}),
                   TapTool(renderers=[points]))
    plot.xaxis.axis_label = "occurrences in the two sides together (log scale)"
    plot.yaxis.axis_label = "weighted log-odds z (above 0: the target uses it more)"
    plot.toolbar.logo = None

    select = Select(name="term-explorer-comparison", title="Comparison (target vs reference)",
                    value=comparisons[0], options=comparisons, width=360)
    search = TextInput(name="term-explorer-search", title="Find a term", placeholder="type part of a term", width=260)
    status = Paragraph(name="term-explorer-status", text="", width=500, disable_math=True)
    heading = Paragraph(name="term-explorer-heading", text=PICK_A_TERM, sizing_mode="stretch_width", disable_math=True)
    # Shown as text (textContent), never as markup: a sentence holding "<script>" or "$x$" stays as typed.
    shown = Div(name="term-explorer-sentences", text="", render_as_text=True, disable_math=True,
                sizing_mode="stretch_width", styles={"white-space": "pre-wrap", "max-height": "24rem",
                                                     "overflow-y": "auto", "font-size": "0.875rem",
                                                     "line-height": "1.4"})
    arguments = dict(terms=terms, view=view, search=search, select=select, status=status, heading=heading,
                     shown=shown, sentences=sentences)
    search.js_on_change("value_input", CustomJS(args=arguments, code=_SEARCH_JS))
    select.js_on_change("value", CustomJS(args=arguments, code=_COMPARISON_JS))
    terms.selected.js_on_change("indices", CustomJS(args=arguments, code=_TAP_JS))
    return column(row(select, search), status, plot, heading, shown, sizing_mode="stretch_width")


def _point_colors(corpus, data: pd.DataFrame) -> list[str]:
    """Return each point's colour: the outlet using the term more where significant, grey otherwise."""
    colors = outlet_colors(corpus.outlets)
    result = []
    for outlet, reference, z, significant in zip(data["outlet"], data["reference"], data["log_odds_z"],
                                                 data["significant"]):
        if not significant:
            result.append(NOT_SIGNIFICANT)
        elif z > 0:
            result.append(colors[outlet])
        else:
            result.append(NEUTRAL if reference == REST else colors[reference])
    return result


def _labels(data: pd.DataFrame, n_labels: int = N_LABELS) -> list[str]:
    """Return the text drawn beside each point: the term for the ``n_labels`` highest and lowest z per comparison."""
    labelled = set()
    for _, rows in data.groupby("comparison", sort=False):
        ordered = rows.sort_values(["log_odds_z", "term"], ascending=[False, True])
        labelled |= set(ordered.index[:n_labels]) | set(ordered.index[::-1][:n_labels])
    return [term if index in labelled else "" for index, term in zip(data.index, data["term"])]
